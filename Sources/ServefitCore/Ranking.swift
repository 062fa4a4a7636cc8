import Foundation

/// The question `servefit rank` answers: which deployment of a model is cheapest per token
/// under the user's constraints. The CLI, the server and saved scenarios all build it from the
/// same option names (`RankQuery(options:)`), so they parse alike.
public struct RankQuery: Codable, Sendable, Equatable {
    public var model: String
    /// Only these GPU slugs (nil: every GPU in the catalog).
    public var gpus: [String]?
    public var vendor: String?
    public var provider: String?
    public var pricingModel: PricingModel?
    public var counts: [Int] = [1, 2, 4, 8]
    public var maxGPUs: Int?
    public var formats: [String] = ["fp16", "fp8", "int4"]
    public var kvCache: String = "fp16"
    public var engine: Engine = .vllm
    public var batches: [Int] = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    public var inputTokens: Int = 1024
    public var outputTokens: Int = 256
    /// Memory is sized for sequences of this many tokens (vLLM's --max-model-len); default input + output.
    public var context: Int?
    public var maxTPOTMs: Double?
    public var maxTTFTMs: Double?
    /// Output tokens per second of the whole deployment.
    public var minThroughput: Double?
    public var budgetPerHour: Double?
    /// Requests per second the service must carry: deployments are replicated to carry it and
    /// ranked by what the replicas cost per hour.
    public var traffic: Double?
    public var gpuMemoryUtilization: Double = 0.9
    public var assumptions = PerfAssumptions()
    public var top: Int?

    public init(model: String) { self.model = model }

    enum CodingKeys: String, CodingKey {
        case model, gpus, vendor, provider, pricingModel = "pricing_model", counts, maxGPUs = "max_gpus", formats
        case kvCache = "kv_cache", engine, batches, inputTokens = "input_tokens", outputTokens = "output_tokens", context
        case maxTPOTMs = "max_tpot_ms", maxTTFTMs = "max_ttft_ms", minThroughput = "min_throughput"
        case budgetPerHour = "budget_per_hour", traffic, gpuMemoryUtilization = "gpu_memory_utilization", assumptions, top
    }

    public var effectiveContext: Int { context ?? max(1, inputTokens + outputTokens) }

    /// Option names, as the CLI spells them (and the HTTP API's query parameters).
    public static let optionNames = [
        "model", "gpu", "vendor", "provider", "pricing-model", "counts", "max-gpus", "formats", "kv-cache", "engine",
        "batch", "input", "output", "context", "max-tpot", "max-ttft", "min-throughput", "budget-per-hour", "traffic",
        "gpu-memory-utilization", "bandwidth-efficiency", "compute-efficiency", "interconnect-efficiency",
        "step-overhead", "top",
    ]

    /// Builds a query from option strings; unknown names and bad values are usage errors.
    public init(options: [String: String]) throws {
        for k in options.keys where !Self.optionNames.contains(k) {
            throw CoreError.badOption("unknown option '\(k)' (known: \(Self.optionNames.joined(separator: ", ")))")
        }
        guard let model = options["model"], !model.isEmpty else { throw CoreError.badOption("--model is required") }
        self.model = model
        func list(_ k: String) throws -> [String]? {
            guard let text = options[k] else { return nil }
            let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if items.count > 256 { throw CoreError.badOption("--\(k) lists \(items.count) values (limit 256)") }
            if items.contains(where: \.isEmpty) { throw CoreError.badOption("--\(k) has an empty item (got '\(text.prefix(64))'): write values separated by single commas") }
            return items
        }
        func int(_ k: String, _ lo: Int, _ hi: Int) throws -> Int? {
            guard let s = options[k] else { return nil }
            guard let v = Units.parseInt(s), v >= lo, v <= hi else { throw CoreError.badOption("--\(k) must be a whole number from \(lo) to \(hi) (got '\(s)')") }
            return v
        }
        func ints(_ k: String, _ lo: Int, _ hi: Int) throws -> [Int]? {
            guard let items = try list(k) else { return nil }
            if items.isEmpty { throw CoreError.badOption("--\(k) is empty") }
            return try items.map { s in
                guard let v = Units.parseInt(s), v >= lo, v <= hi else { throw CoreError.badOption("--\(k) takes whole numbers from \(lo) to \(hi) (got '\(s)')") }
                return v
            }
        }
        func double(_ k: String, _ lo: Double, _ hi: Double) throws -> Double? {
            guard let s = options[k] else { return nil }
            return try Numbers.parse(s, "--\(k)", lo, hi, loOpen: true)
        }
        func ms(_ k: String, allowZero: Bool = false) throws -> Double? {
            guard let s = options[k] else { return nil }
            do { return try Units.parseMilliseconds(s, allowZero: allowZero) } catch let e as CoreError { throw CoreError.badOption("--\(k): \(e.description)") }
        }
        gpus = try list("gpu")
        if gpus?.isEmpty == true { throw CoreError.badOption("--gpu is empty") }
        vendor = options["vendor"].flatMap { $0.isEmpty ? nil : $0 }
        provider = options["provider"].flatMap { $0.isEmpty ? nil : $0 }
        if let pm = options["pricing-model"] {
            guard let v = PricingModel(rawValue: pm.lowercased()) else {
                throw CoreError.badOption("--pricing-model must be one of \(PricingModel.allCases.map(\.rawValue).joined(separator: ", ")) (got '\(pm)')")
            }
            pricingModel = v
        }
        counts = try ints("counts", 1, 1024) ?? counts
        maxGPUs = try int("max-gpus", 1, 4096)
        if let f = try list("formats") {
            if f.isEmpty { throw CoreError.badOption("--formats is empty") }
            formats = try f.map { try WeightFormat.parse($0).name }
        }
        if let kv = options["kv-cache"] { kvCache = try KVDType.parse(kv).name }
        if let e = options["engine"] { engine = try Engine.parse(e) }
        batches = try ints("batch", 1, 65536) ?? batches
        inputTokens = try int("input", 0, 16_777_216) ?? inputTokens
        outputTokens = try int("output", 0, 16_777_216) ?? outputTokens
        if inputTokens + outputTokens == 0 { throw CoreError.badOption("--input and --output cannot both be 0") }
        context = try int("context", 1, 16_777_216)
        maxTPOTMs = try ms("max-tpot")
        maxTTFTMs = try ms("max-ttft")
        minThroughput = try double("min-throughput", 0, 1e12)
        budgetPerHour = try double("budget-per-hour", 0, 1e9)
        traffic = try double("traffic", 0, 1e9)
        gpuMemoryUtilization = try double("gpu-memory-utilization", 0, 1) ?? gpuMemoryUtilization
        assumptions.bandwidthEfficiency = try double("bandwidth-efficiency", 0, 1) ?? assumptions.bandwidthEfficiency
        assumptions.computeEfficiency = try double("compute-efficiency", 0, 1) ?? assumptions.computeEfficiency
        assumptions.interconnectEfficiency = try double("interconnect-efficiency", 0, 1) ?? assumptions.interconnectEfficiency
        assumptions.stepOverheadMs = try ms("step-overhead", allowZero: true) ?? assumptions.stepOverheadMs
        top = try int("top", 1, 1_000_000)
    }

    /// The options that differ from the defaults, as `init(options:)` reads them back.
    public var options: [String: String] {
        let d = RankQuery(model: model)
        var o: [String: String] = ["model": model]
        func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x) }
        if let gpus { o["gpu"] = gpus.joined(separator: ",") }
        if let vendor { o["vendor"] = vendor }
        if let provider { o["provider"] = provider }
        if let pricingModel { o["pricing-model"] = pricingModel.rawValue }
        if counts != d.counts { o["counts"] = counts.map(String.init).joined(separator: ",") }
        if let maxGPUs { o["max-gpus"] = String(maxGPUs) }
        if formats != d.formats { o["formats"] = formats.joined(separator: ",") }
        if kvCache != d.kvCache { o["kv-cache"] = kvCache }
        if engine != d.engine { o["engine"] = engine.rawValue }
        if batches != d.batches { o["batch"] = batches.map(String.init).joined(separator: ",") }
        if inputTokens != d.inputTokens { o["input"] = String(inputTokens) }
        if outputTokens != d.outputTokens { o["output"] = String(outputTokens) }
        if let context { o["context"] = String(context) }
        if let maxTPOTMs { o["max-tpot"] = num(maxTPOTMs) + "ms" }
        if let maxTTFTMs { o["max-ttft"] = num(maxTTFTMs) + "ms" }
        if let minThroughput { o["min-throughput"] = num(minThroughput) }
        if let budgetPerHour { o["budget-per-hour"] = num(budgetPerHour) }
        if let traffic { o["traffic"] = num(traffic) }
        if gpuMemoryUtilization != d.gpuMemoryUtilization { o["gpu-memory-utilization"] = num(gpuMemoryUtilization) }
        let a = assumptions, da = d.assumptions
        if a.bandwidthEfficiency != da.bandwidthEfficiency { o["bandwidth-efficiency"] = num(a.bandwidthEfficiency) }
        if a.computeEfficiency != da.computeEfficiency { o["compute-efficiency"] = num(a.computeEfficiency) }
        if a.interconnectEfficiency != da.interconnectEfficiency { o["interconnect-efficiency"] = num(a.interconnectEfficiency) }
        if a.stepOverheadMs != da.stepOverheadMs { o["step-overhead"] = num(a.stepOverheadMs) + "ms" }
        if let top { o["top"] = String(top) }
        return o
    }
}

/// A GPU as a ranking sees it: its spec and the price it would be bought at (nil: no current price).
public struct RankCandidate: Sendable {
    public var gpu: GPU
    public var price: Price?
    public init(gpu: GPU, price: Price?) { self.gpu = gpu; self.price = price }
}

/// One deployment: what it is, whether it fits, how fast and what it costs. `gpu` and `weights`
/// are spelled as `servefit estimate` takes them, so a row can be fed back to it.
public struct RankRow: Codable, Sendable, Equatable {
    public var model: String
    public var gpu: String
    public var gpuName: String
    public var gpuCount: Int
    public var tensorParallel: Int
    public var weights: String
    public var kvCache: String
    public var engine: String
    public var batch: Int?
    public var context: Int
    public var inputTokens: Int
    public var outputTokens: Int
    public var perGPUBytes: Int64?
    public var gpuMemoryBytes: Int64
    public var maxConcurrency: Double?
    public var ttftMs: Double?
    public var tpotMs: Double?
    public var throughputTokensPerS: Double?
    public var decodeBound: String?
    public var provider: String?
    public var pricingModel: String?
    public var priceAsOf: String?
    public var usdPerGPUHour: Double?
    public var usdPerHour: Double?
    public var usdPerMillionTokens: Double?
    public var usdPerMillionTokensBlended: Double?
    /// With --traffic: requests per second one deployment carries, how many replicas carry the
    /// traffic, and what they cost per hour together.
    public var requestsPerS: Double?
    public var replicas: Int?
    public var usdPerHourAtTraffic: Double?
    public var rejectedReason: String?

    enum CodingKeys: String, CodingKey {
        case model, gpu, gpuName = "gpu_name", gpuCount = "gpu_count", tensorParallel = "tensor_parallel", weights
        case kvCache = "kv_cache", engine, batch, context, inputTokens = "input_tokens", outputTokens = "output_tokens"
        case perGPUBytes = "per_gpu_bytes", gpuMemoryBytes = "gpu_memory_bytes", maxConcurrency = "max_concurrency"
        case ttftMs = "ttft_ms", tpotMs = "tpot_ms", throughputTokensPerS = "throughput_tokens_per_s", decodeBound = "decode_bound"
        case provider, pricingModel = "pricing_model", priceAsOf = "price_as_of", usdPerGPUHour = "usd_per_gpu_hour"
        case usdPerHour = "usd_per_hour", usdPerMillionTokens = "usd_per_million_tokens"
        case usdPerMillionTokensBlended = "usd_per_million_tokens_blended", requestsPerS = "requests_per_s", replicas
        case usdPerHourAtTraffic = "usd_per_hour_at_traffic", rejectedReason = "rejected_reason"
    }

    /// "h100-sxm ×2 fp8" — how the CLI names a deployment.
    public var label: String { "\(gpu) ×\(gpuCount) \(weights)" }
}

public struct RankResult: Codable, Sendable, Equatable {
    public var query: RankQuery
    /// Deployments that fit and meet every constraint, cheapest per million output tokens first.
    public var ranked: [RankRow]
    /// The losers, each with the reason it lost.
    public var rejected: [RankRow]
}

public enum Ranker {
    /// Ranks every GPU × count × weight format × batch for `model` over `candidates`.
    /// Batch is chosen per deployment: the cheapest per token that meets every constraint.
    public static func rank(_ q: RankQuery, model: Model, candidates: [RankCandidate]) throws -> RankResult {
        let pc = try ParamCounter.count(model)
        let formats = try q.formats.map { try WeightFormat.parse($0) }
        let kv = try KVDType.parse(q.kvCache)
        try q.assumptions.validate()
        guard q.gpuMemoryUtilization > 0, q.gpuMemoryUtilization <= 1 else {
            throw CoreError.badOption("--gpu-memory-utilization must be in (0, 1]")
        }
        let ctx = q.effectiveContext
        let batches = Array(Set(q.batches)).sorted()
        let counts = Array(Set(q.counts)).sorted().filter { q.maxGPUs == nil || $0 <= q.maxGPUs! }
        var ranked: [RankRow] = [], rejected: [RankRow] = []
        // Sized once per format; estimates shared by GPUs of the same memory.
        let sizes = formats.map { $0.size(pc, model: model) }
        let traffics = formats.map { f -> PerformanceModel.WeightTraffic in
            var pr = PerfRequest(model: model, gpu: candidates.first?.gpu ?? GPU(slug: "x", vendor: "x", name: "x", memoryBytes: 1, bandwidthGBPerS: 1, tflops: TFLOPS()))
            pr.weights = f
            return PerformanceModel.traffic(pr, pc)
        }
        var estimates: [String: Estimate] = [:]
        func estimate(_ er: EstimateRequest, _ g: GPU) throws -> Estimate {
            let key = "\(g.memoryBytes)|\(g.visibleMemoryBytes)|\(er.gpus)|\(er.weights.name)|\(er.batch)"
            if let e = estimates[key] { return e }
            let e = try Estimator.estimate(er)
            estimates[key] = e
            return e
        }

        for c in candidates {
            let g = c.gpu
            for n in counts {
                // llama.cpp splits layers across GPUs (--split-mode layer); vLLM splits tensors.
                let (tp, pp) = q.engine == .llamaCpp ? (1, n) : (n, 1)
                for (fi, f) in formats.enumerated() {
                    var row = RankRow(model: model.slug, gpu: g.slug, gpuName: g.name, gpuCount: n, tensorParallel: tp,
                                      weights: f.name, kvCache: kv.name, engine: q.engine.rawValue, batch: nil, context: ctx,
                                      inputTokens: q.inputTokens, outputTokens: q.outputTokens, gpuMemoryBytes: g.visibleMemoryBytes)
                    if let p = c.price {
                        row.provider = p.provider; row.pricingModel = p.pricingModel.rawValue; row.priceAsOf = p.asOf
                        row.usdPerGPUHour = p.usdPerGPUHour; row.usdPerHour = p.usdPerGPUHour * Double(n)
                    }
                    if let reason = tensorParallelProblem(model, tp: tp) ?? Compatibility.problem(weights: f, gpu: g, engine: q.engine) {
                        row.rejectedReason = reason
                        rejected.append(row)
                        continue
                    }
                    var er = EstimateRequest(model: model)
                    er.paramCount = pc
                    er.weightSize = sizes[fi]
                    er.weights = f
                    er.kvDType = kv
                    er.engine = q.engine
                    er.context = ctx
                    er.batch = 1
                    er.gpus = n
                    er.tensorParallel = tp
                    er.pipelineParallel = pp
                    er.gpuMemoryBytes = g.memoryBytes
                    er.gpuVisibleMemoryBytes = g.visibleMemoryBytes
                    er.gpuMemoryUtilization = q.gpuMemoryUtilization
                    let est = try estimate(er, g)
                    row.perGPUBytes = est.perGPUBytes
                    if est.fits != true {
                        let usable = q.engine == .vllm ? Int64(Double(g.visibleMemoryBytes) * q.gpuMemoryUtilization) : g.visibleMemoryBytes
                        row.rejectedReason = "needs \(Units.gib(est.perGPUBytes ?? 0)) per GPU > \(Units.gib(usable))"
                            + (q.engine == .vllm ? " usable (\(Units.format(q.gpuMemoryUtilization * 100, 0))% of \(Units.gib(g.visibleMemoryBytes)))" : "")
                            + " at \(ctx) tokens"
                        rejected.append(row)
                        continue
                    }
                    // How many sequences of `ctx` tokens fit at once.
                    var fitting: [(Int, Estimate)] = []
                    if model.kind == .encoder {
                        // Encoders keep no KV cache; a step holds at most the engine's batched tokens (8192).
                        let cap = max(1, Estimator.vllmDefaultBatchedTokens / max(1, q.inputTokens))
                        for b in batches where b == batches.first || b <= cap { fitting.append((b, est)) }
                    } else if q.engine == .vllm {
                        let conc = est.maxConcurrency ?? Double.infinity
                        row.maxConcurrency = est.maxConcurrency
                        for b in batches where Double(b) <= conc { fitting.append((b, est)) }
                    } else {
                        for b in batches {
                            er.batch = b
                            let e = try estimate(er, g)
                            if e.fits == true { fitting.append((b, e)) } else { break }
                        }
                    }
                    if fitting.isEmpty {
                        row.rejectedReason = "not even batch \(batches.first ?? 1) fits at \(ctx) tokens (max concurrency \(Units.format(est.maxConcurrency ?? 0, 2)))"
                        rejected.append(row)
                        continue
                    }
                    if q.traffic == nil, let budget = q.budgetPerHour, let hour = row.usdPerHour, hour > budget {
                        row.rejectedReason = "costs \(money(hour))/h > budget \(money(budget))/h"
                        rejected.append(row)
                        continue
                    }
                    var passing: [RankRow] = []
                    var failures: [RankRow] = []
                    for (b, e) in fitting {
                        var pr = PerfRequest(model: model, gpu: g)
                        pr.paramCount = pc
                        pr.weights = f
                        pr.kvDType = kv
                        pr.engine = q.engine
                        pr.tensorParallel = tp
                        pr.pipelineParallel = pp
                        pr.batch = b
                        pr.inputTokens = q.inputTokens
                        pr.outputTokens = q.outputTokens
                        pr.assumptions = q.assumptions
                        let perf = try PerformanceModel.evaluate(pr, traffic: traffics[fi])
                        var r = row
                        r.batch = b
                        r.perGPUBytes = q.engine == .vllm ? vllmUsed(est, model: model, kv: kv, batch: b, ctx: ctx, tp: tp) : e.perGPUBytes
                        r.ttftMs = perf.ttftMs
                        r.tpotMs = model.kind == .encoder || q.outputTokens == 0 ? nil : perf.tpotMs
                        r.throughputTokensPerS = perf.throughputTokensPerS
                        r.decodeBound = perf.decodeBound
                        r.requestsPerS = perf.requestsPerS
                        if let t = q.traffic, perf.requestsPerS > 0 {
                            let need = (t / perf.requestsPerS).rounded(.up)
                            r.replicas = need < 1e6 ? max(1, Int(need)) : 1_000_000
                            r.usdPerHourAtTraffic = c.price.map { $0.usdPerGPUHour * Double(n) * Double(r.replicas!) }
                        }
                        if let p = c.price {
                            let cost = Cost.of(usdPerGPUHour: p.usdPerGPUHour, gpuCount: n, outputTokensPerS: perf.throughputTokensPerS,
                                               totalTokensPerS: perf.totalTokensPerS)
                            r.usdPerMillionTokens = cost.usdPerMillionTokens
                            r.usdPerMillionTokensBlended = cost.usdPerMillionTokensBlended
                        }
                        if let reason = failure(r, q, largest: b == fitting.last!.0, triedAll: b == batches.last) {
                            r.rejectedReason = reason
                            failures.append(r)
                        } else {
                            passing.append(r)
                        }
                    }
                    guard var chosen = passing.min(by: better) else {
                        // No batch met the constraints. Latency only grows with batch and throughput
                        // only with batch, so the telling one is a throughput miss if there is one,
                        // else the smallest batch's latency miss.
                        let pick = failures.last(where: { $0.rejectedReason!.hasPrefix("throughput") }) ?? failures[0]
                        rejected.append(pick)
                        continue
                    }
                    if c.price == nil {
                        chosen.rejectedReason = "no current price" + (q.provider.map { " at \($0)" } ?? "") + (q.pricingModel.map { " (\($0.rawValue))" } ?? "")
                        rejected.append(chosen)
                        continue
                    }
                    ranked.append(chosen)
                }
            }
        }
        ranked.sort(by: order)
        if let top = q.top, ranked.count > top { ranked = Array(ranked.prefix(top)) }
        rejected.sort { ($0.gpu, $0.gpuCount, $0.weights) < ($1.gpu, $1.gpuCount, $1.weights) }
        return RankResult(query: q, ranked: ranked, rejected: rejected)
    }

    /// Why a row misses the query's constraints, or nil when it meets them all.
    static func failure(_ r: RankRow, _ q: RankQuery, largest: Bool, triedAll: Bool) -> String? {
        let b = r.batch ?? 1
        if let max = q.maxTPOTMs, let t = r.tpotMs, t > max {
            return "TPOT \(Units.format(t, 1)) ms > \(Units.format(max, 1)) ms at batch \(b)"
        }
        if let max = q.maxTTFTMs, let t = r.ttftMs, t > max {
            return "TTFT \(Units.format(t, 0)) ms > \(Units.format(max, 0)) ms at batch \(b)"
        }
        if q.traffic != nil, let budget = q.budgetPerHour, let hour = r.usdPerHourAtTraffic, hour > budget {
            return "costs \(money(hour))/h for \(r.replicas ?? 1) replicas > budget \(money(budget))/h at batch \(b)"
        }
        if let min = q.minThroughput, let t = r.throughputTokensPerS, t < min {
            return "throughput \(Units.format(t, 0)) tokens/s < \(Units.format(min, 0)) at batch \(b)"
                + (largest ? (triedAll ? " (the largest batch tried)" : " (the most that fits)") : "")
        }
        return nil
    }

    /// Cheaper per million output tokens wins; without prices, more throughput.
    static func better(_ a: RankRow, than b: RankRow) -> Bool {
        if let x = a.usdPerHourAtTraffic, let y = b.usdPerHourAtTraffic, x != y { return x < y }
        if let x = a.usdPerMillionTokens, let y = b.usdPerMillionTokens, x != y { return x < y }
        return (a.throughputTokensPerS ?? 0) > (b.throughputTokensPerS ?? 0)
    }

    /// The ranking order: cost per million output tokens, then fewer GPUs, then lower TPOT, then name.
    public static func order(_ a: RankRow, _ b: RankRow) -> Bool {
        if let x = a.usdPerHourAtTraffic, let y = b.usdPerHourAtTraffic, x != y { return x < y }
        let x = a.usdPerMillionTokens ?? .infinity, y = b.usdPerMillionTokens ?? .infinity
        if x != y { return x < y }
        if a.gpuCount != b.gpuCount { return a.gpuCount < b.gpuCount }
        if (a.tpotMs ?? 0) != (b.tpotMs ?? 0) { return (a.tpotMs ?? 0) < (b.tpotMs ?? 0) }
        return (a.gpu, a.weights) < (b.gpu, b.weights)
    }

    /// vLLM preallocates the whole KV budget; what a batch actually occupies is weights,
    /// activations and overheads plus the KV of `batch` sequences.
    static func vllmUsed(_ e: Estimate, model: Model, kv: KVDType, batch: Int, ctx: Int, tp: Int) -> Int64? {
        guard let base = e.perGPUBytes else { return nil }
        let one = KVCache.size(model, dtype: kv, engine: .vllm, tokens: ctx, sequences: 1, tp: model.isMLA ? 1 : tp, pp: 1, explain: false).bytes
        return base + one * Int64(max(0, batch - 1))
    }

    /// vLLM needs the attention heads to split evenly across tensor-parallel ranks.
    public static func tensorParallelProblem(_ m: Model, tp: Int) -> String? {
        guard tp > 1 else { return nil }
        if m.heads > 0 && m.heads % tp != 0 { return "tensor parallel \(tp) does not divide \(m.heads) attention heads" }
        let kvh = m.kvHeads
        if !m.isMLA && kvh > 0 && kvh % tp != 0 && tp % kvh != 0 {
            return "tensor parallel \(tp) and \(kvh) KV heads: neither divides the other"
        }
        return nil
    }

    static func money(_ x: Double) -> String { "$" + Units.format(x, 2) }
}
