import Foundation
import Testing

let engineOutputs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/engine-outputs")
func fixture(_ name: String) -> String { engineOutputs.appendingPathComponent(name).path }

/// The loop a team runs, through the real binary on a real SQLite file: import what vLLM and
/// llama.cpp printed, check it against servefit, calibrate, and rank with the correction.
@Test func measureImportCheckCalibrateRank() throws {
    let db = try tempDB()
    // A vllm bench serve result names its model (meta-llama/Llama-3.3-70B-Instruct) but not its GPU.
    let noGPU = try sf(["measure", "import", fixture("vllm_bench_serve_result.json")], db: db)
    #expect(noGPU.code == 65 && noGPU.err.contains("give --gpu"), "\(noGPU.err)")
    let a = try sf(["measure", "import", fixture("vllm_bench_serve_result.json"), "--gpu", "h100-sxm", "--gpus", "4", "--format", "json"], db: db)
    #expect(a.code == 0, "\(a.err)")
    let imported = try #require(try json(a.out) as? [[String: Any]])
    #expect(imported.count == 1 && imported[0]["model"] as? String == "llama-3.3-70b-instruct" && imported[0]["gpu_count"] as? Int == 4)
    // The same file again is a duplicate and stores nothing.
    let again = try sf(["measure", "import", fixture("vllm_bench_serve_result.json"), "--gpu", "h100-sxm", "--gpus", "4"], db: db)
    #expect(again.code == 65 && again.err.contains("imported before"), "\(again.err)")

    // Rank by what was measured: the row of that very deployment (4× H100, 16-bit, ~213 in /
    // ~212 out, ~18 in flight by Little's law at 3.2 req/s) carries the measurement beside the prediction.
    let measuredRank = try sf(["rank", "--model", "llama-3.3-70b-instruct", "--gpu", "h100-sxm", "--counts", "4", "--formats", "fp16",
                               "--batch", "16", "--input", "213", "--output", "212", "--format", "json"], db: db)
    #expect(measuredRank.code == 0, "\(measuredRank.err)")
    let mrow = try #require((try json(measuredRank.out) as? [[String: Any]])?.first)
    let measured = try #require(mrow["measured"] as? [String: Any], "\(mrow)")
    #expect(abs((measured["output_tokens_per_s"] as? Double ?? 0) - 673.918) < 0.01 && measured["concurrency"] as? Int == 18)
    #expect(try sf(["rank", "--model", "llama-3.3-70b-instruct", "--gpu", "h100-sxm", "--counts", "4", "--formats", "fp16",
                    "--batch", "16", "--input", "213", "--output", "212"], db: db).out.contains("measured tok/s"))
    // A workload far from the measured one is not matched to it.
    let far = try sf(["rank", "--model", "llama-3.3-70b-instruct", "--gpu", "h100-sxm", "--counts", "4", "--formats", "fp16",
                      "--input", "4096", "--output", "212", "--format", "json"], db: db)
    #expect((try json(far.out) as? [[String: Any]])?.allSatisfy { $0["measured"] == nil } == true)

    // llama-bench names a GGUF path, not a catalog model: refused by name until --model says.
    let unknown = try sf(["measure", "import", fixture("llama_bench_b1275.csv")], db: db)
    #expect(unknown.code == 65 && unknown.err.contains("ggml-model-q4_0.gguf"), "\(unknown.err)")
    // All files or none: a good file beside a bad one stores nothing.
    let bad = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).txt")
    try Data([0xff, 0xfe, 0x00, 0x41]).write(to: bad)
    let mixed = try sf(["measure", "import", fixture("llama_bench_b1275.csv"), bad.path, "--model", "llama-2-7b", "--gpu", "rtx-3090"], db: db)
    #expect(mixed.code == 65 && mixed.err.contains(bad.lastPathComponent), "\(mixed.err)")
    #expect(try (json(try sf(["measure", "list", "--format", "json"], db: db).out) as? [Any])?.count == 1)
    let b = try sf(["measure", "import", fixture("llama_bench_b1275.csv"), "--model", "llama-2-7b", "--gpu", "rtx-3090", "--engine-version", "b1275"], db: db)
    #expect(b.code == 0, "\(b.err)")

    // Check: every measured figure beside the prediction.
    let check = try sf(["measure", "check", "--format", "json"], db: db)
    #expect(check.code == 0, "\(check.err)")
    let rows = try #require(try json(check.out) as? [[String: Any]])
    #expect(rows.contains { $0["metric"] as? String == "output_tok_s" && ($0["predicted"] as? Double ?? 0) > 0 })
    #expect(rows.contains { $0["metric"] as? String == "pp_tok_s" } && rows.contains { $0["metric"] as? String == "tg_tok_s" })
    let csv = try sf(["measure", "check", "--format", "csv"], db: db)
    #expect(csv.out.split(separator: "\n").first?.hasPrefix("measurement,model,gpu,engine,kind,metric,measured,predicted,factor") == true)

    // Calibrate: per engine and GPU, stored; rank says it used them.
    let cal = try sf(["calibrate", "--format", "json"], db: db)
    #expect(cal.code == 0, "\(cal.err)")
    let factors = try #require(try json(cal.out) as? [[String: Any]])
    #expect(Set(factors.compactMap { $0["gpu"] as? String }) == ["h100-sxm", "rtx-3090"])
    let r = try sf(["rank", "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm,rtx-3090"], db: db)
    #expect(r.code == 0 && r.out.contains("calibrated with the team's measurements: vllm@h100-sxm ×"), "\(r.out)\(r.err)")
    let plain = try sf(["rank", "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm,rtx-3090", "--no-calibration"], db: db)
    #expect(plain.code == 0 && !plain.out.contains("calibrated"))
    #expect(r.out != plain.out)

    // Export carries the measurements; importing it elsewhere brings them back, once.
    let doc = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString).json")
    #expect(try sf(["export", "-o", doc.path], db: db).code == 0)
    let other = try tempDB()
    #expect(try sf(["import", doc.path], db: other).code == 0)
    #expect(try sf(["import", doc.path], db: other).code == 0)
    let there = try #require(try json(try sf(["measure", "list", "--format", "json"], db: other).out) as? [[String: Any]])
    #expect(there.count == 3 && Set(there.compactMap { $0["source_sha256"] as? String }).count == 2)

    // Show and remove, with the change log.
    #expect(try sf(["measure", "show", "1"], db: db).out.contains("figure output_tokens_per_s"))
    #expect(try sf(["measure", "remove", "1"], db: db).code == 0)
    #expect(try sf(["measure", "show", "1"], db: db).code == 66)
    #expect(try sf(["history", "--entity", "measurement"], db: db).out.contains("delete"))
}

/// `model search`: part of a slug, name or Hugging Face id, case-insensitive; no match exits 1
/// with the closest names.
@Test func modelSearchFindsByAnyName() throws {
    let db = try tempDB()
    let r = try sf(["model", "search", "Qwen/Qwen3", "--format", "json"], db: db)
    #expect(r.code == 0, "\(r.err)")
    let hits = try #require(try json(r.out) as? [[String: Any]])
    #expect(hits.contains { $0["slug"] as? String == "qwen3-8b" } && hits.allSatisfy { ($0["slug"] as? String ?? "").hasPrefix("qwen3") })
    let csv = try sf(["model", "search", "llama-3.1", "--format", "csv"], db: db)
    #expect(csv.out.split(separator: "\n").first?.hasPrefix("slug,name,hf_repo,model_type,") == true)
    let none = try sf(["model", "search", "llama-2-7bb"], db: db)
    #expect(none.code == 1 && none.err.contains("did you mean") && none.err.contains("llama-2-7b,"), "\(none.err)")
    #expect(!(try sf(["model", "search", "--help"], db: db).out.contains("--actor")))
    // Only commands that change the catalog offer --actor; a read command refuses it.
    for read in [["rank"], ["best-gpu"], ["compare"], ["estimate"], ["gpu", "list"], ["model", "list"], ["price", "list"], ["measure", "list"], ["inspect"]] {
        #expect(!(try sf(read + ["--help"], db: db).out.contains("--actor")), "\(read)")
    }
    for write in [["price", "add"], ["gpu", "add"], ["model", "import"], ["measure", "import"], ["calibrate"], ["scenario", "save"], ["import"], ["token", "create"]] {
        #expect(try sf(write + ["--help"], db: db).out.contains("--actor"), "\(write)")
    }
    #expect(try sf(["gpu", "list", "--actor", "me"], db: db).code == 64)
}
