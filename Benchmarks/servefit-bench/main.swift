// servefit-bench: measures servefit's library in a release build and prints Markdown rows.
// Not part of `swift test`. Run through Benchmarks/run.sh, or:
//   swift build -c release --product servefit-bench && .build/release/servefit-bench [sections...]
// Sections: estimator rank scale-rank rank-2000 import scale cold-start (default: all but scale and cold-start).
import Foundation
import ServefitCore
import ServefitStore



func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e6 }

/// Runs `body` `runs` times after `warmup` runs; returns milliseconds per run, sorted.
func timed(_ runs: Int, warmup: Int = 2, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmup { try body() }
    var out: [Double] = []
    for _ in 0..<runs {
        let t = now()
        try body()
        out.append(now() - t)
    }
    return out.sorted()
}
func median(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs[xs.count / 2] }
func p99(_ xs: [Double]) -> Double { xs.isEmpty ? .nan : xs[min(xs.count - 1, Int((Double(xs.count) * 0.99).rounded(.up)) - 1)] }
func f(_ x: Double, _ d: Int = 2) -> String { String(format: "%.\(d)f", x) }
/// Rows go out unbuffered, so a long run keeps what it measured even if it is stopped.
func row(_ cells: String...) { out("| " + cells.joined(separator: " | ") + " |") }
func out(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }
func progress(_ line: String) { FileHandle.standardError.write(Data(("servefit-bench: " + line + "\n").utf8)) }

func tempDB(_ name: String) -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("servefit-bench-\(name)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir.appendingPathComponent("catalog.sqlite").path
}

/// A synthetic catalog `factor` times the seed: each GPU copied with a suffix, each with the
/// seed's prices, plus `extraModels` variations of seed architectures.
func synthetic(_ seed: CatalogDocument, gpuFactor: Int, pricesPerGPU: Int? = nil, extraModels: Int = 0) -> CatalogDocument {
    var gpus: [GPU] = [], prices: [Price] = []
    let seedGPUs = seed.gpus ?? [], seedPrices = seed.prices ?? []
    for k in 1..<max(1, gpuFactor) {
        for g in seedGPUs {
            var c = g
            c.slug = "\(g.slug)-x\(k)"
            c.name = "\(g.name) (copy \(k))"
            gpus.append(c)
            let own = seedPrices.filter { $0.gpu == g.slug }
            let n = pricesPerGPU ?? own.count
            for i in 0..<n {
                var p = own.isEmpty ? Price(gpu: c.slug, provider: "Synth", usdPerGPUHour: 1, asOf: "2026-01-01", source: "synthetic")
                                    : own[i % own.count]
                p.gpu = c.slug
                p.id = nil
                p.instance = "i\(i)"
                p.usdPerGPUHour = p.usdPerGPUHour * (1 + Double(i % 97) / 1000)
                let day = 1 + i % 28, month = 1 + (i / 28) % 12, year = 2020 + (i / 336) % 7
                p.asOf = String(format: "%04d-%02d-%02d", year, month, day)
                prices.append(p)
            }
        }
    }
    var models: [Model] = []
    let base = seed.models ?? []
    for i in 0..<extraModels {
        var m = base[i % base.count]
        m.slug = "\(m.slug)-v\(i)"
        m.hfRepo = nil
        m.name = "\(m.name) v\(i)"
        m.createdAt = nil; m.updatedAt = nil
        models.append(m)
    }
    return CatalogDocument(models: models, gpus: gpus, prices: prices)
}

let args = Set(CommandLine.arguments.dropFirst())
if args.contains("calibrate") {
    let n = CommandLine.arguments.dropFirst().compactMap { Int($0) }.first ?? 1200
    do { try runCalibration(iterations: n) } catch { progress("calibrate: \(error)"); exit(1) }
    exit(0)
}
func wants(_ s: String, defaultOn: Bool = true) -> Bool { args.isEmpty ? defaultOn : args.contains(s) }

out("| benchmark | median | p99 | note |")
out("|---|---|---|---|")

let seeded = try CatalogStore.open(path: tempDB("seed"))
let seedDoc = try seeded.export()
let query = try RankQuery(options: ["model": "llama-3.1-8b-instruct", "max-tpot": "50ms"])

if wants("estimator") {
    let m = try seeded.model("llama-3.1-70b")
    let g = try seeded.gpu("h100-sxm")
    var spec = EstimateSpec(model: m.slug)
    spec.weights = "fp8"; spec.gpus = 2; spec.context = 8192; spec.batch = 16
    let req = try spec.request(model: m, gpu: g)
    var n = 0
    let t0 = now()
    while now() - t0 < 2000 { _ = try Estimator.estimate(req); n += 1 }
    let perCall = (now() - t0) / Double(n)
    row("estimator: one estimate (Llama 3.1 70B, fp8, 2×H100, vLLM)", f(perCall * 1000, 1) + " µs", "-", "\(Int(Double(n) / ((now() - t0) / 1000))) calls/s")
    var pr = PerfRequest(model: m, gpu: g)
    pr.weights = .fp8; pr.tensorParallel = 2; pr.batch = 16
    let tp = try timed(2000, warmup: 20) { _ = try PerformanceModel.evaluate(pr) }
    row("performance model: one roofline evaluation", f(median(tp) * 1000, 1) + " µs", f(p99(tp) * 1000, 1) + " µs", "")
}

var rankBase = 0.0
if wants("rank") {
    let t = try timed(50, warmup: 3) { _ = try seeded.rank(query) }
    rankBase = median(t)
    let r = try seeded.rank(query)
    row("rank: seeded catalog (\(seedDoc.gpus!.count) GPUs, \(seedDoc.prices!.count) prices), llama-3.1-8b-instruct", f(median(t)) + " ms", f(p99(t)) + " ms",
        "\(r.ranked.count + r.rejected.count) deployments evaluated")
    let cand = try timed(200) { _ = try seeded.rankCandidates(query) }
    row("rank: SQL join of GPUs with cheapest current price", f(median(cand), 3) + " ms", f(p99(cand), 3) + " ms", "")
}

if wants("scale-rank") {
    if rankBase == 0 { rankBase = median(try timed(20) { _ = try seeded.rank(query) }) }
    for factor in [10, 100] {
        let s = try CatalogStore.open(path: tempDB("x\(factor)"))
        _ = try s.importDocument(synthetic(seedDoc, gpuFactor: factor), dryRun: false, actor: "bench")
        let c = try s.counts()
        let t = try timed(factor == 100 ? 10 : 20, warmup: 2) { _ = try s.rank(query) }
        row("rank: catalog ×\(factor) (\(c.gpus) GPUs, \(c.prices) prices)", f(median(t)) + " ms", f(p99(t)) + " ms",
            "×\(f(median(t) / rankBase, 1)) the seeded time for ×\(f(Double(c.gpus) / Double(seedDoc.gpus!.count), 1)) the GPUs")
    }
}

if wants("rank-2000") {
    // The issue's 2,000-GPU catalog without the 100k models and 1M prices of `scale`: once as
    // copies of the seed GPUs (specs repeat, as in `scale`), once with every GPU's bandwidth and
    // memory nudged so that no two share a spec and no speed can be reused across GPUs.
    if rankBase == 0 { rankBase = median(try timed(20) { _ = try seeded.rank(query) }) }
    let factor = 2000 / seedDoc.gpus!.count + 1
    let only = ProcessInfo.processInfo.environment["SERVEFIT_BENCH_R2000"]  // "copies" or "distinct": profile one
    for distinct in [false, true] where only == nil || only == (distinct ? "distinct" : "copies") {
        var doc = synthetic(seedDoc, gpuFactor: factor, pricesPerGPU: 2)
        doc.gpus = Array(doc.gpus!.prefix(2000))
        if distinct {
            for i in doc.gpus!.indices {
                doc.gpus![i].bandwidthGBPerS = doc.gpus![i].bandwidthGBPerS * (1 + Double(i) / 100_000)
            }
        }
        let keep = Set(doc.gpus!.map(\.slug))
        doc.prices = doc.prices!.filter { keep.contains($0.gpu) }
        let s = try CatalogStore.open(path: tempDB("r2000-\(distinct)"))
        _ = try s.importDocument(doc, dryRun: false, actor: "bench")
        let c = try s.counts()
        let t = try timed(10, warmup: 2) { _ = try s.rank(query) }
        let cand = try timed(10, warmup: 1) { _ = try s.rankCandidates(query) }
        row("rank: \(c.gpus) GPUs\(distinct ? " of distinct specs" : " (seed copies)"), \(c.prices) prices", f(median(t)) + " ms", f(p99(t)) + " ms",
            "target < 100 ms; of which SQL candidates \(f(median(cand))) ms")
    }
}

if wants("import") {
    let s = try CatalogStore.open(path: tempDB("import"))
    let doc = synthetic(seedDoc, gpuFactor: 2, pricesPerGPU: 100_000 / seedDoc.gpus!.count + 1, extraModels: 10_000)
    var d = doc
    d.prices = Array(doc.prices!.prefix(100_000))
    let t0 = now()
    let rep = try s.importDocument(d, dryRun: false, actor: "bench")
    let ms = now() - t0
    row("bulk import: 10,000 models + \(d.gpus!.count) GPUs + 100,000 prices, one transaction", f(ms / 1000) + " s", "-",
        "\(Int(Double(110_000) / (ms / 1000))) rows/s; \(rep.added.values.reduce(0, +)) added, change log included")
}

if wants("scale", defaultOn: false) {
    // 100,000 models, 2,000 GPUs, 1,000,000 prices.
    let path = tempDB("scale")
    let s = try CatalogStore.open(path: path)
    let t0 = now()
    let factor = 2000 / seedDoc.gpus!.count + 1
    var doc = synthetic(seedDoc, gpuFactor: factor, pricesPerGPU: 1_000_000 / (seedDoc.gpus!.count * (factor - 1)) + 1, extraModels: 100_000)
    doc.gpus = Array(doc.gpus!.prefix(2000 - seedDoc.gpus!.count))
    let keep = Set(doc.gpus!.map(\.slug))
    doc.prices = Array(doc.prices!.filter { keep.contains($0.gpu) }.prefix(1_000_000 - seedDoc.prices!.count))
    let models = doc.models!
    for chunk in stride(from: 0, to: models.count, by: 20_000) {
        progress("scale: models \(chunk)/\(models.count)")
        _ = try s.importDocument(CatalogDocument(models: Array(models[chunk..<min(models.count, chunk + 20_000)])), dryRun: false, actor: "bench")
    }
    _ = try s.importDocument(CatalogDocument(gpus: doc.gpus), dryRun: false, actor: "bench")
    let prices = doc.prices!
    for chunk in stride(from: 0, to: prices.count, by: 100_000) {
        progress("scale: prices \(chunk)/\(prices.count)")
        _ = try s.importDocument(CatalogDocument(prices: Array(prices[chunk..<min(prices.count, chunk + 100_000)])), dryRun: false, actor: "bench")
    }
    let c = try s.counts()
    row("scale: build \(c.models) models, \(c.gpus) GPUs, \(c.prices) prices", f((now() - t0) / 1000, 1) + " s", "-", "imports of 20k models / 100k prices per transaction")
    let cases: [(String, () throws -> Void)] = [
        ("model show (slug)", { _ = try s.model(models[models.count / 2].slug) }),
        ("model show (hf_repo)", { _ = try s.model("meta-llama/Llama-2-7b-hf") }),
        ("model list --family qwen3 (rows only)", { _ = try s.models(ModelFilter(family: "qwen3")) }),
        ("gpu list --vendor AMD", { _ = try s.gpus(GPUFilter(vendor: "AMD")) }),
        ("gpu show", { _ = try s.gpu("h100-sxm-x7") }),
        ("price list --gpu G --latest", { _ = try s.prices(PriceFilter(gpu: "h100-sxm-x7", latestOnly: true)) }),
        ("price list --gpu G (history)", { _ = try s.prices(PriceFilter(gpu: "h100-sxm-x7")) }),
        ("cheapest current offerings per GPU (all GPUs)", { _ = try s.rankCandidates(RankQuery(model: "x")) }),
        ("history --entity price --limit 50", { _ = try s.history(entity: "price", limit: 50) }),
        ("rank --gpu h100-sxm-x7,l4-x9 (one model)", {
            var q = query; q.gpus = ["h100-sxm-x7", "l4-x9"]; _ = try s.rank(q)
        }),
        ("rank over all 2,000 GPUs (one model)", { _ = try s.rank(query) }),
    ]
    for (name, body) in cases {
        let t = try timed(name.hasPrefix("rank over") ? 5 : 20, warmup: 1, body)
        row("scale: " + name, f(median(t)) + " ms", f(p99(t)) + " ms", "")
    }
    progress("scale database kept at \(path)")
}

if wants("cold-start", defaultOn: false) {
    // Whole-process start of the CLI: the binary next to this one.
    let bin = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("servefit").path
    let db = tempDB("cold")
    // posix_spawn + waitpid: Foundation's Process.waitUntilExit polls in ~50 ms steps on Linux,
    // which would hide the real start-up time.
    func run(_ a: [String]) throws {
        let args: [String] = [bin] + a
        let env: [String] = ["SERVEFIT_DB=" + db, "HOME=" + NSHomeDirectory()]
        let argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup($0) } + [nil]
        defer { for p in argv + envp { free(p) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pid: pid_t = 0
        guard posix_spawn(&pid, bin, &actions, nil, argv, envp) == 0 else { throw CocoaError(.fileNoSuchFile) }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw CocoaError(.executableLoad) }
    }
    try run(["db", "check"])  // creates and seeds the catalog once
    for (name, a) in [("estimate", ["estimate", "--model", "llama-2-7b", "--context", "2048"]),
                      ("rank", ["rank", "--model", "llama-3.1-8b-instruct", "--max-tpot", "50ms"])] {
        let t = try timed(30, warmup: 3) { try run(a) }
        row("CLI cold start: servefit \(name) (whole process)", f(median(t), 1) + " ms", f(p99(t), 1) + " ms", "30 runs")
    }
}
