import Foundation
import Testing
import TestSupport

/// Runs the real `servefit` binary built by `swift build` / `swift test`.
struct CLIResult { var code: Int32; var out: String; var err: String }

func servefitBinary() throws -> URL {
    let here = URL(fileURLWithPath: #filePath)
    let root = here.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let candidates = [Bundle.main.bundleURL.appendingPathComponent("servefit"),
                      Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("servefit"),
                      root.appendingPathComponent(".build/debug/servefit")]
    guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CLIError("servefit binary not found in \(candidates.map(\.path))")
    }
    return found
}

struct CLIError: Error { var m: String; init(_ m: String) { self.m = m } }

/// A new catalog for one test: a SQLite file, or a PostgreSQL database when
/// SERVEFIT_TEST_BACKEND=postgres (TestSupport).
func tempDB() throws -> String {
    _ = pinnedToday
    return try TestCatalog.location("cli")
}

/// A folder of its own for a test's files (exports, backups, model files).
func tempFolder() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("servefit-cli-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.path
}

@discardableResult
func sf(_ args: [String], db: String) throws -> CLIResult { try sfEnv(args, db: db, env: [:]) }

/// The binary with the tests' catalog, actor and date, and `extra` over the environment.
@discardableResult
func sfEnv(_ args: [String], db: String, env extra: [String: String]) throws -> CLIResult {
    let p = Process()
    p.executableURL = try servefitBinary()
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["SERVEFIT_DB"] = db
    env["SERVEFIT_ACTOR"] = "cli-test"
    env["SERVEFIT_TODAY"] = "2026-12-01"
    env.merge(extra) { _, b in b }
    p.environment = env
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CLIResult(code: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
}

/// What a server process prints before it answers: its first line (or all it printed before closing).
func firstLine(of pipe: Pipe) -> String {
    var text = ""
    while !text.contains("\n") {
        let d = pipe.fileHandleForReading.availableData
        if d.isEmpty { break }
        text += String(decoding: d, as: UTF8.self)
    }
    return text
}

func json(_ s: String) throws -> Any { try JSONSerialization.jsonObject(with: Data(s.utf8)) }

@Test func modelCommands() throws {
    let db = try tempDB()
    let list = try sf(["model", "list", "--format", "json"], db: db)
    #expect(list.code == 0)
    let arr = try #require(try json(list.out) as? [[String: Any]])
    #expect(arr.count >= 45)
    let l7 = try #require(arr.first { $0["slug"] as? String == "llama-2-7b" })
    for k in ["slug", "name", "hf_repo", "model_type", "kind", "hidden_size", "num_hidden_layers", "num_attention_heads",
              "num_key_value_heads", "vocab_size", "params_total", "params_active"] {
        #expect(l7[k] != nil, "missing \(k)")
    }
    #expect(l7["params_total"] as? Int == 6_738_415_616)
    // hf_repo works wherever a slug does.
    #expect(try sf(["model", "show", "meta-llama/Llama-2-7b-hf", "--format", "json"], db: db).code == 0)
    // Filters.
    let big = try #require(try json(try sf(["model", "list", "--family", "llama", "--min-params", "60B", "--format", "json"], db: db).out) as? [[String: Any]])
    #expect(!big.isEmpty && big.allSatisfy { ($0["params_total"] as? Int ?? 0) >= 60_000_000_000 })
    #expect(try sf(["model", "list", "--format", "csv"], db: db).out.hasPrefix("slug,model_type"))
    // Add, update, remove.
    #expect(try sf(["model", "add", "--slug", "tiny", "--model-type", "llama", "--hidden-size", "64", "--intermediate-size", "128",
                    "--num-hidden-layers", "2", "--num-attention-heads", "4", "--num-key-value-heads", "2", "--vocab-size", "100"], db: db).code == 0)
    #expect(try sf(["model", "update", "tiny", "--tag", "test", "--owner", "me"], db: db).code == 0)
    #expect(try sf(["model", "list", "--tag", "test", "--format", "json"], db: db).out.contains("\"tiny\""))
    #expect(try sf(["model", "remove", "tiny"], db: db).code == 0)
    #expect(try sf(["model", "show", "tiny"], db: db).code == 66)
}

@Test func modelImportReadsConfigJSON() throws {
    let db = try tempDB()
    let dir = tempFolder()
    let cfg = dir + "/config.json"
    try #"{"architectures":["Gemma3ForConditionalGeneration"],"model_type":"gemma3","text_config":{"model_type":"gemma3_text","hidden_size":5376,"intermediate_size":21504,"num_hidden_layers":62,"num_attention_heads":32,"num_key_value_heads":16,"head_dim":128,"vocab_size":262208,"sliding_window":1024,"sliding_window_pattern":6},"vision_config":{"hidden_size":1152,"intermediate_size":4304,"num_hidden_layers":27,"num_attention_heads":16,"patch_size":14,"image_size":896}}"#
        .write(toFile: cfg, atomically: true, encoding: .utf8)
    let r = try sf(["model", "import", cfg, "--slug", "my-gemma"], db: db)
    #expect(r.code == 0, "\(r.err)")
    #expect(r.out.contains("27432406640"))
    // Malformed and incomplete configs: exit 65, nothing stored.
    try "{not json".write(toFile: cfg, atomically: true, encoding: .utf8)
    #expect(try sf(["model", "import", cfg, "--slug", "x1"], db: db).code == 65)
    try #"{"model_type":"llama","hidden_size":4096}"#.write(toFile: cfg, atomically: true, encoding: .utf8)
    let missing = try sf(["model", "import", cfg, "--slug", "x2"], db: db)
    #expect(missing.code == 65 && missing.err.contains("missing required field"))
    try #"{"model_type":"llama","hidden_size":4096,"intermediate_size":11008,"num_hidden_layers":32,"num_attention_heads":32,"vocab_size":99999999999999999999}"#
        .write(toFile: cfg, atomically: true, encoding: .utf8)
    #expect(try sf(["model", "import", cfg, "--slug", "x3"], db: db).code == 65)
    #expect(try sf(["model", "import", dir + "/nope.json", "--slug", "x4"], db: db).code == 66)
    #expect(try sf(["model", "show", "x1"], db: db).code == 66)
}

@Test func gpuAndPriceCommands() throws {
    let db = try tempDB()
    let gpus = try #require(try json(try sf(["gpu", "list", "--format", "json"], db: db).out) as? [[String: Any]])
    #expect(gpus.count >= 30)
    let h100 = try #require(gpus.first { $0["slug"] as? String == "h100-sxm" })
    for k in ["slug", "vendor", "name", "memory_bytes", "bandwidth_gb_per_s", "tflops"] { #expect(h100[k] != nil) }
    #expect((h100["tflops"] as? [String: Any])?["bf16"] as? Double == 989)
    let big = try #require(try json(try sf(["gpu", "list", "--min-memory", "100GiB", "--format", "json"], db: db).out) as? [[String: Any]])
    #expect(big.allSatisfy { ($0["memory_bytes"] as? Int ?? 0) >= 100 << 30 })
    #expect(try sf(["gpu", "add", "--slug", "rtx-a5000", "--vendor", "NVIDIA", "--name", "RTX A5000", "--memory", "24GiB",
                    "--bandwidth-gb-per-s", "768", "--tflops-bf16", "111"], db: db).code == 0)
    #expect(try sf(["gpu", "add", "--slug", "rtx-a5000", "--vendor", "NVIDIA", "--memory", "24GiB", "--bandwidth-gb-per-s", "768"], db: db).code == 65)
    #expect(try sf(["gpu", "add", "--slug", "neg", "--vendor", "X", "--memory", "24GiB", "--bandwidth-gb-per-s=-5"], db: db).code == 64)  // not a number in servefit's grammar
    // Prices.
    let add = try sf(["price", "add", "--gpu", "rtx-a5000", "--provider", "TestCloud", "--usd-per-gpu-hour", "0.44",
                      "--as-of", "2026-11-01", "--source", "test"], db: db)
    #expect(add.code == 0)
    #expect(try sf(["price", "add", "--gpu", "nope", "--provider", "P", "--usd-per-gpu-hour", "1", "--as-of", "2026-11-01", "--source", "s"], db: db).code == 65)
    #expect(try sf(["price", "add", "--gpu", "rtx-a5000", "--provider", "P", "--usd-per-gpu-hour", "1", "--as-of", "yesterday", "--source", "s"], db: db).code == 65)
    let prices = try #require(try json(try sf(["price", "list", "--gpu", "rtx-a5000", "--latest", "--format", "json"], db: db).out) as? [[String: Any]])
    #expect(prices.count == 1)
    for k in ["gpu", "provider", "pricing_model", "usd_per_gpu_hour", "as_of", "source"] { #expect(prices[0][k] != nil) }
    #expect(try sf(["gpu", "remove", "rtx-a5000"], db: db).code == 65)  // has prices
    #expect(try sf(["gpu", "remove", "rtx-a5000", "--with-prices"], db: db).code == 0)
    let hist = try sf(["history", "--entity", "gpu", "--format", "json"], db: db)
    #expect(hist.out.contains("cli-test"))
}

@Test func dbExportImportAndEstimate() throws {
    let db = try tempDB()
    #expect(try sf(["db", "check"], db: db).code == 0)
    #expect(try sf(["db", "seed"], db: db).out.contains("0 added"))
    let exported = try sf(["export"], db: db)
    #expect(exported.code == 0)
    let file = tempFolder() + "/catalog.json"
    try exported.out.write(toFile: file, atomically: true, encoding: .utf8)
    let db2 = try tempDB()
    // db2 starts seeded; an import of the same data changes nothing.
    let imp = try sf(["import", file, "--dry-run"], db: db2)
    #expect(imp.code == 0 && imp.out.contains("0 added"))
    try "{\"models\": [{\"slug\": \"x\"}]}".write(toFile: file, atomically: true, encoding: .utf8)
    #expect(try sf(["import", file], db: db2).code == 65)
    let backup = tempFolder() + "/backup.sqlite"
    #expect(try sf(["db", "backup", backup], db: db).code == 0)
    // Estimate, with JSON keys of the contract.
    let est = try sf(["estimate", "--model", "llama-2-70b", "--weights", "int8", "--gpu", "h100-sxm", "--format", "json"], db: db)
    #expect(est.code == 0, "\(est.err)")
    let e = try #require(try json(est.out) as? [String: Any])
    for k in ["params_total", "params_active", "weights_bytes", "bits_per_weight", "kv_cache_bytes_per_token", "kv_cache_bytes",
              "activation_bytes", "overhead_bytes", "total_bytes", "components", "per_gpu_bytes", "weights_bytes_per_gpu",
              "gpu_memory_bytes", "fits", "kv_capacity_tokens", "max_concurrency"] {
        #expect(e[k] != nil, "missing \(k)")
    }
    #expect(e["kv_cache_bytes_per_token"] as? Int == 327_680)
    let grid = try sf(["estimate", "--model", "llama-2-7b", "--context", "512,2048,8192", "--batch", "1,4,8", "--format", "json"], db: db)
    #expect((try json(grid.out) as? [Any])?.count == 9)
    #expect(try sf(["estimate", "--model", "nope"], db: db).code == 66)
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--weights", "int3"], db: db).code == 64)
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--context", "-1"], db: db).code == 64)
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--batch", "0"], db: db).code == 64)
    #expect(try sf(["model", "list", "--bogus"], db: db).code == 64)
}

@Test func rankBestGPUCompareAndScenarios() throws {
    let db = try tempDB()
    let r = try sf(["rank", "--model", "llama-3.1-8b-instruct", "--max-tpot", "50ms", "--top", "5", "--format", "json", "--show-rejected"], db: db)
    #expect(r.code == 0, "\(r.err)")
    let rows = try #require(try json(r.out) as? [[String: Any]])
    let ranked = rows.filter { $0["rejected_reason"] == nil }
    #expect(ranked.count == 5)
    for k in ["model", "gpu", "gpu_count", "weights", "kv_cache", "batch", "per_gpu_bytes", "ttft_ms", "tpot_ms", "throughput_tokens_per_s",
              "provider", "usd_per_gpu_hour", "usd_per_million_tokens", "usd_per_million_tokens_blended"] {
        #expect(ranked[0][k] != nil, "missing \(k)")
    }
    #expect(rows.contains { ($0["rejected_reason"] as? String)?.isEmpty == false })
    let costs = ranked.map { $0["usd_per_million_tokens"] as! Double }
    #expect(costs == costs.sorted())
    #expect(ranked.allSatisfy { ($0["tpot_ms"] as! Double) <= 50 })
    // A row feeds back into estimate: gpu and weights are spelled as estimate takes them.
    let first = ranked[0]
    let e = try sf(["estimate", "--model", "llama-3.1-8b-instruct", "--gpu", first["gpu"] as! String, "--weights", first["weights"] as! String,
                    "--gpus", String(first["gpu_count"] as! Int), "--context", String(first["context"] as! Int),
                    "--batch", String(first["batch"] as! Int), "--format", "json"], db: db)
    #expect(e.code == 0, "\(e.err)")
    #expect((try json(e.out) as? [String: Any])?["fits"] as? Bool == true)

    let table = try sf(["rank", "--model", "llama-2-70b", "--gpu", "h100-sxm", "--formats", "fp16", "--counts", "1,2", "--show-rejected", "--launch"], db: db)
    #expect(table.code == 0)
    #expect(table.out.contains("needs ") && table.out.contains("GiB per GPU >"))
    #expect(table.out.contains("vllm serve meta-llama/Llama-2-70b-hf --tensor-parallel-size 2"))
    #expect(table.out.contains("cost per million output tokens (USD)") || table.out.components(separatedBy: "\n").count > 3)

    let best = try sf(["best-gpu", "--model", "llama-3.1-8b-instruct", "--max-tpot", "30ms"], db: db)
    #expect(best.code == 0 && best.out.contains("per million output tokens") && best.out.contains("vllm serve"))
    let none = try sf(["best-gpu", "--model", "llama-3.1-405b", "--max-gpus", "1"], db: db)
    #expect(none.code == 1 && none.err.contains("nothing fits"))  // no answer: exit 1
    // rank too, in every format, with one message (on stderr; stdout stays parseable).
    for f in ["table", "json", "csv"] {
        let r = try sf(["rank", "--model", "llama-3.1-405b", "--gpu", "t4", "--counts", "1", "--format", f], db: db)
        #expect(r.code == 1 && r.err.contains("nothing fits") && r.err.contains("nearest: t4"), "\(f): \(r.err)")
        #expect(!r.out.contains("no deployment fits"), "\(f): the message is said once")
        if f == "json" { #expect((try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [Any])?.isEmpty == true) }
    }
    let explained = try sf(["rank", "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm", "--counts", "1,2", "--top", "2", "--explain", "--format", "json"], db: db)
    let explainedRows = try JSONSerialization.jsonObject(with: Data(explained.out.utf8)) as? [[String: Any]] ?? []
    #expect(explained.code == 0 && !explainedRows.isEmpty)
    for row in explainedRows {
        let t = row["terms"] as? [String: Any] ?? [:]
        #expect((t["decode_step_ms"] as? Double ?? 0) > 0 && (t["tpot_ms"] as? Double) == (row["tpot_ms"] as? Double), "\(t)")
    }

    let cmp = try sf(["compare", "--model", "qwen2.5-7b-instruct,glm-4-9b", "--gpu", "l4,h100-sxm", "--format", "csv"], db: db)
    #expect(cmp.code == 0)
    #expect(cmp.out.split(separator: "\n").count == 5)

    // Usage errors are 64, unknown names 66.
    #expect(try sf(["rank", "--model", "llama-3.1-8b-instruct", "--max-tpot", "soon"], db: db).code == 64)
    #expect(try sf(["rank", "--model", "llama-3.1-8b-instruct", "--formats", "int3"], db: db).code == 64)
    #expect(try sf(["rank", "--model", "no-such-model"], db: db).code == 66)
    #expect(try sf(["rank", "--model", "llama-3.1-8b-instruct", "--gpu", "no-such-gpu"], db: db).code == 66)

    #expect(try sf(["scenario", "save", "chat-8b", "--model", "llama-3.1-8b-instruct", "--max-tpot", "50ms", "--notes", "team chat"], db: db).code == 0)
    #expect(try sf(["scenario", "save", "big", "--model", "llama-3.3-70b-instruct", "--formats", "fp8"], db: db).code == 0)
    #expect(try sf(["scenario", "save", "chat-8b", "--model", "llama-3.1-8b-instruct"], db: db).code == 65)
    let list = try sf(["scenario", "list", "--format", "json"], db: db)
    #expect((try json(list.out) as? [[String: Any]])?.count == 2)
    let run = try sf(["scenario", "run", "chat-8b"], db: db)
    #expect(run.code == 0 && run.out.contains("unchanged since it was saved"))
    let runJSON = try #require(try json(try sf(["scenario", "run", "chat-8b", "--format", "json"], db: db).out) as? [String: Any])
    let bestRow = try #require(runJSON["best"] as? [String: Any])
    // A cheaper, newer price for the winning GPU shows in the re-run.
    #expect(try sf(["price", "add", "--gpu", bestRow["gpu"] as! String, "--provider", "CheapCloud", "--usd-per-gpu-hour", "0.01",
                    "--as-of", "2099-01-01", "--source", "test"], db: db).code == 0)
    let rerun = try sf(["scenario", "run", "chat-8b"], db: db)
    #expect(rerun.out.contains("CheapCloud"))
    let cmpS = try sf(["scenario", "compare", "chat-8b", "big"], db: db)
    #expect(cmpS.code == 0 && cmpS.out.contains("chat-8b") && cmpS.out.contains("big"))
    #expect(try sf(["scenario", "remove", "big"], db: db).code == 0)
    #expect(try sf(["scenario", "show", "big"], db: db).code == 66)
    #expect(try sf(["history", "--entity", "scenario", "--format", "json"], db: db).out.contains("chat-8b"))
}

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Rankings leave out prices older than --max-price-age on *today*: tests pin today to the date
/// the seed prices were checked, so they answer the same next year.
let pinnedToday: Void = { setenv("SERVEFIT_TODAY", "2026-12-01", 1) }()

/// The real binary serving on a free port: a token made by the CLI works against it, and
/// SIGTERM stops it gracefully (exit 0).
@Test func serveAndTokensThroughTheBinary() async throws {
    let db = try tempDB()
    let made = try sf(["token", "create", "--name", "ci", "--role", "write", "--format", "json"], db: db)
    #expect(made.code == 0)
    let secret = try #require((try json(made.out) as? [String: Any])?["token"] as? String)
    #expect(try sf(["token", "list"], db: db).out.contains("ci"))
    #expect(!(try sf(["token", "list", "--format", "json"], db: db).out.contains(secret)))
    #expect(try sf(["token", "create", "--name", "ci", "--role", "write"], db: db).code == 65)
    #expect(try sf(["token", "create", "--name", "x", "--role", "king"], db: db).code == 64)

    let server = try ServeProcess(db: db)
    defer { server.stop() }
    func request(_ path: String, method: String = "GET", token: String? = nil, body: String? = nil) async throws -> (Int, String) {
        try await server.request(path, method: method, token: token, body: body)
    }
    #expect(try await request("/healthz").0 == 200)
    let price = #"{"gpu":"l4","provider":"CI","usd_per_gpu_hour":0.5,"as_of":"2026-11-20","source":"ci","pricing_model":"on-demand"}"#
    #expect(try await request("/v1/prices", method: "POST", body: price).0 == 401)
    #expect(try await request("/v1/prices", method: "POST", token: secret, body: price).0 == 201)
    let last = try #require((try json(try sf(["history", "--entity", "price", "--limit", "1", "--format", "json"], db: db).out) as? [[String: Any]])?.first)
    #expect(last["actor"] as? String == "ci")
    #expect(try sf(["token", "revoke", "ci"], db: db).code == 0)
    #expect(try await request("/v1/prices", method: "POST", token: secret, body: price).0 == 401)
    server.process.terminate()  // SIGTERM
    server.process.waitUntilExit()
    #expect(server.process.terminationStatus == 0)
}

/// A real `servefit serve` on 127.0.0.1 (port 0), its URL read from its first line.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    let base: String

    init(db: String, env extra: [String: String] = [:]) throws {
        process.executableURL = try servefitBinary()
        process.arguments = ["serve", "--port", "0", "--log-level", "warning"]
        var env = ProcessInfo.processInfo.environment
        env["SERVEFIT_DB"] = db
        env.merge(extra) { _, b in b }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // "servefit: serving http://127.0.0.1:PORT (catalog …)"
        let line = firstLine(of: out)
        guard let url = line.split(separator: " ").first(where: { $0.hasPrefix("http://") }).map(String.init) else {
            process.terminate()
            throw CLIError("servefit serve did not start: \(line)")
        }
        base = url
    }

    func stop() { if process.isRunning { process.terminate(); process.waitUntilExit() } }

    func request(_ path: String, method: String = "GET", token: String? = nil, body: String? = nil) async throws -> (Int, String) {
        var r = URLRequest(url: URL(string: base + path)!)
        r.httpMethod = method
        if let token { r.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let body { r.httpBody = Data(body.utf8); r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
        let (data, resp) = try await URLSession.shared.data(for: r)
        return ((resp as! HTTPURLResponse).statusCode, String(decoding: data, as: UTF8.self))
    }
}

let fixtureDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ServefitCoreTests/Fixtures").path

@Test func inspectImportAndEstimateWithAVariant() throws {
    let db = try tempDB()
    let j = try sf(["inspect", fixtureDir + "/tiny-llama-awq", "--format", "json"], db: db)
    #expect(j.code == 0, "\(j.err)")
    let inv = try #require(try json(j.out) as? [String: Any])
    for k in ["params_total", "weights_bytes", "bits_per_weight", "by_dtype", "quantization", "architecture"] { #expect(inv[k] != nil, "missing \(k)") }
    #expect(inv["params_total"] as? Int == 106_816 && inv["quantization"] as? String == "awq")
    let table = try sf(["inspect", fixtureDir + "/tiny-llama-q4_k_m.gguf"], db: db)
    #expect(table.code == 0 && table.out.contains("Q4_K") && table.out.contains("header and architecture agree"))
    #expect(try sf(["inspect", fixtureDir + "/tiny-llama-bf16-sharded"], db: db).out.contains("2 files"))

    // Import stores the architecture and the measured variant; estimate --variant uses its bytes.
    let imp = try sf(["model", "import", fixtureDir + "/tiny-llama-awq", "--slug", "tiny-llama"], db: db)
    #expect(imp.code == 0, "\(imp.err)")
    #expect(try sf(["model", "import", fixtureDir + "/tiny-llama-fp8", "--slug", "tiny-llama"], db: db).code == 0)
    #expect(try sf(["model", "import", fixtureDir + "/tiny-llama-awq", "--slug", "tiny-llama"], db: db).code == 65)  // duplicate variant
    let e = try #require(try json(try sf(["estimate", "--model", "tiny-llama", "--variant", "awq", "--context", "128", "--format", "json"], db: db).out) as? [String: Any])
    #expect(e["weights_bytes"] as? Int == 108_800 && e["weights"] as? String == "awq")
    #expect(try sf(["estimate", "--model", "tiny-llama", "--variant", "nf4"], db: db).code == 66)
    #expect(try sf(["model", "show", "tiny-llama"], db: db).out.contains("fp8"))
    #expect(try sf(["model", "import", fixtureDir + "/tiny-llama-q8_0.gguf", "--slug", "tiny-gguf"], db: db).code == 0)
    #expect(try sf(["history", "--entity", "model", "--key", "tiny-gguf:Q8_0"], db: db).out.contains("import"))

    // Strangers' files: malformed is 65, missing is 66, and nothing is stored.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sf-bad-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    var bad = try Data(contentsOf: URL(fileURLWithPath: fixtureDir + "/tiny-llama-q8_0.gguf"))
    bad = bad.prefix(200)
    try bad.write(to: dir.appendingPathComponent("broken.gguf"))
    let before = try sf(["export"], db: db).out
    let r = try sf(["model", "import", dir.appendingPathComponent("broken.gguf").path, "--slug", "broken"], db: db)
    #expect(r.code == 65 && r.err.contains("GGUF"), "\(r.err)")
    #expect(try sf(["inspect", dir.path + "/nope.gguf"], db: db).code == 66)
    try Data("not json".utf8).write(to: dir.appendingPathComponent("model.safetensors"))
    #expect(try sf(["inspect", dir.appendingPathComponent("model.safetensors").path], db: db).code == 65)
    #expect(try sf(["export"], db: db).out == before)
}

/// `estimate --attention-dp` and `rank --attention-dp` through the binary: the JSON says how many
/// groups, the launch line is the engine's, and a split the engine refuses is a usage error.
@Test func attentionDataParallelThroughTheCLI() throws {
    let db = try tempDB()
    let base = ["estimate", "--model", "deepseek-r1", "--gpu", "h200-sxm", "--gpus", "8", "--engine", "sglang", "--context", "8192", "--format", "json"]
    let plain = try #require(try json(try sf(base, db: db).out) as? [String: Any])
    let r = try sf(base + ["--attention-dp", "8"], db: db)
    #expect(r.code == 0, "\(r.err)")
    let dp = try #require(try json(r.out) as? [String: Any])
    #expect(plain["attention_dp"] == nil && dp["attention_dp"] as? Int == 8)
    let launch = try #require(dp["launch"] as? String)
    #expect(launch.contains("--dp-size 8 --enable-dp-attention") && !launch.contains("--quantization"), "\(launch)")
    #expect((dp["kv_capacity_tokens"] as? Int ?? 0) > 2 * (plain["kv_capacity_tokens"] as? Int ?? 0))
    let bad = try sf(base + ["--attention-dp", "3"], db: db)
    #expect(bad.code == 64 && bad.err.contains("does not divide"), "\(bad.err)")
    let dense = try sf(["estimate", "--model", "llama-3.1-8b-instruct", "--gpus", "2", "--engine", "sglang", "--attention-dp", "2"], db: db)
    #expect(dense.code == 64 && dense.err.contains("MoE"), "\(dense.err)")
    let rank = try sf(["rank", "--model", "deepseek-r1", "--engine", "sglang", "--attention-dp", "--gpu", "h200-sxm", "--format", "json"], db: db)
    #expect(rank.code == 0, "\(rank.err)")
    let rows = try #require(try json(rank.out) as? [[String: Any]])
    #expect(!rows.isEmpty && rows.allSatisfy { $0["attention_dp"] as? Int == $0["gpu_count"] as? Int })
}
