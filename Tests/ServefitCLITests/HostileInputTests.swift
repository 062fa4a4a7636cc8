import Foundation
import Testing

/// Issue #11's reproductions, each a regression test on the real binary and a real catalog file:
/// hostile numbers are usage or data errors (exit 64/65), never a trap, and nothing is written.

/// The catalog's change log and row counts: what a refused command must leave as it was.
func catalogState(_ db: String) throws -> String {
    let h = try sf(["history", "--limit", "10000", "--format", "json"], db: db)
    let m = try sf(["model", "list", "--format", "csv"], db: db)
    let p = try sf(["price", "list", "--format", "csv"], db: db)
    let s = try sf(["scenario", "list", "--format", "json"], db: db)
    return [h.out, m.out, p.out, s.out].joined(separator: "\n--\n")
}

let hostileNumbers = ["1e19", "1e308", "9223372036854775807", "-1", "0x10", "2 4", "1e-320", "inf", "nan", "NaN", "", "1;5", "+5", "١٢", "5,", ",5"]

@Test func everyNumberOptionRefusesHostileValues() throws {
    let db = try tempDB()
    #expect(try sf(["model", "list"], db: db).code == 0)  // seeds
    let before = try catalogState(db)
    // Read-only commands: each number option with each hostile value.
    let rankOptions = ["--max-tpot", "--max-ttft", "--min-throughput", "--budget-per-hour", "--traffic", "--gpu-memory-utilization",
                       "--bandwidth-efficiency", "--compute-efficiency", "--interconnect-efficiency", "--step-overhead",
                       "--input", "--output", "--context", "--batch", "--counts", "--max-gpus"]
    for opt in rankOptions {
        for v in hostileNumbers {
            let r = try sf(["rank", "--model", "llama-2-7b", "--gpu", "l4", "\(opt)=\(v)"], db: db)
            #expect(r.code == 64 || r.code == 65, "rank \(opt)=\(v) exited \(r.code): \(r.err)")
            #expect(!r.err.contains("Fatal error"), "rank \(opt)=\(v) trapped")
        }
    }
    let estimateOptions = ["--context", "--batch", "--gpus", "--tensor-parallel", "--pipeline-parallel", "--gpu-memory-utilization",
                           "--max-num-batched-tokens", "--encoder-tokens", "--lora-rank", "--zero", "--gpu-memory"]
    for opt in estimateOptions {
        for v in hostileNumbers {
            let r = try sf(["estimate", "--model", "llama-2-7b", "\(opt)=\(v)"], db: db)
            #expect(r.code == 64 || r.code == 65, "estimate \(opt)=\(v) exited \(r.code): \(r.err)")
        }
    }
    // Writing commands: refused and nothing stored.
    for v in hostileNumbers {
        let p = try sf(["price", "add", "--gpu", "l4", "--provider", "X", "--usd-per-gpu-hour=\(v)", "--as-of", "2026-11-01", "--source", "t"], db: db)
        #expect(p.code == 64 || p.code == 65, "price add \(v) exited \(p.code)")
        let g = try sf(["gpu", "add", "--slug", "hostile", "--vendor", "X", "--name", "X", "--memory", "24GiB", "--bandwidth-gb-per-s=\(v)"], db: db)
        #expect(g.code == 64 || g.code == 65, "gpu add bandwidth \(v) exited \(g.code)")
        let m = try sf(["gpu", "add", "--slug", "hostile", "--vendor", "X", "--name", "X", "--memory=\(v)GiB", "--bandwidth-gb-per-s", "100"], db: db)
        #expect(m.code == 64 || m.code == 65, "gpu add memory \(v) exited \(m.code)")
        let s = try sf(["scenario", "save", "hostile", "--model", "llama-2-7b", "--max-tpot=\(v)"], db: db)
        #expect(s.code == 64 || s.code == 65, "scenario save \(v) exited \(s.code)")
    }
    #expect(try catalogState(db) == before, "a refused command changed the catalog")
}

@Test func issue11Reproductions() throws {
    let db = try tempDB()
    // The trap: huge latencies were formatted through Int64 and killed the process.
    for v in ["1e19", "9223372036854775807ms", "1e308ms"] {
        let r = try sf(["rank", "--model", "llama-2-7b", "--max-tpot", v], db: db)
        #expect(r.code == 64, "\(v): \(r.code) \(r.err)")
        #expect(r.err.contains("duration"))
    }
    // A duration needs a unit.
    let bare = try sf(["rank", "--model", "llama-2-7b", "--max-tpot", "50"], db: db)
    #expect(bare.code == 64 && bare.err.contains("50ms"), "\(bare.err)")
    // Loose numbers.
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--gpu-memory", "2 4GiB"], db: db).code == 65)
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--gpu-memory", "0x10GiB"], db: db).code == 65)
    #expect(try sf(["price", "add", "--gpu", "l4", "--provider", "X", "--usd-per-gpu-hour", "0x10", "--as-of", "2026-11-01", "--source", "t"], db: db).code == 64)
    #expect(try sf(["price", "add", "--gpu", "l4", "--provider", "X", "--usd-per-gpu-hour", "1e-320", "--as-of", "2026-11-01", "--source", "t"], db: db).code == 64)
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--zero", "4"], db: db).code == 64)
    // A split that leaves GPUs idle is refused.
    #expect(try sf(["estimate", "--model", "llama-2-7b", "--gpus", "6", "--tensor-parallel", "2"], db: db).code == 64)
    // config.json booleans are not numbers; duplicate keys are refused.
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    let cfg = dir.appendingPathComponent("config.json")
    try Data(#"{"model_type":"llama","hidden_size":4096,"intermediate_size":11008,"num_hidden_layers":true,"num_attention_heads":32,"vocab_size":32000}"#.utf8).write(to: cfg)
    let b = try sf(["model", "import", cfg.path, "--slug", "bool-layers"], db: db)
    #expect(b.code == 65 && b.err.contains("not true/false"), "\(b.err)")
    try Data(#"{"model_type":"llama","model_type":"mistral","hidden_size":4096}"#.utf8).write(to: cfg)
    let d = try sf(["model", "import", cfg.path, "--slug", "dup-keys"], db: db)
    #expect(d.code == 65 && d.err.contains("duplicate key"), "\(d.err)")
    // Oversize strings are refused with the field named.
    var big = #"{"model_type":""# + String(repeating: "x", count: 1_000_000) + #"","hidden_size":64,"num_hidden_layers":2,"num_attention_heads":2,"vocab_size":100,"intermediate_size":128}"#
    try Data(big.utf8).write(to: cfg)
    let o = try sf(["model", "import", cfg.path, "--slug", "huge-type"], db: db)
    #expect(o.code == 65 && o.err.contains("model_type"), "\(o.err)")
    big = ""
    // Catalog documents must say what they are.
    let doc = dir.appendingPathComponent("catalog.json")
    for text in [#"{"version": 1, "models": []}"#, #"{"format": "servefit-catalog", "version": -1}"#, #"{"format": "other", "version": 1}"#] {
        try Data(text.utf8).write(to: doc)
        let r = try sf(["import", doc.path], db: db)
        #expect(r.code == 65, "\(text): \(r.code) \(r.err)")
    }
    // Listings stay proportional: nothing oversize was stored.
    let list = try sf(["model", "list", "--format", "csv"], db: db)
    #expect(list.out.utf8.count < 100_000)
}
