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
    /// Weight formats to try; by default also the checkpoint's own when it is stored quantised
    /// (gpt-oss's MXFP4, DeepSeek-V3's FP8: `Ranker` adds it).
    public var formats: [String] = RankQuery.defaultFormats
    public static let defaultFormats = ["fp16", "fp8", "int4"]
    public var kvCache: String = "fp16"
    public var engine: Engine = .vllm
    public var batches: [Int] = RankQuery.defaultBatches
    public static let defaultBatches = [1, 2, 4, 8, 16, 32, 64, 128, 256]
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
    /// A price older than this many days is stale: not current unless `includeStale`.
    public var maxPriceAgeDays: Int = Price.defaultMaxAgeDays
    public var includeStale = false
    /// Run past the model's trained context (the engines refuse it otherwise).
    public var allowLongContext = false
    /// vLLM release line whose start-up rules apply (`--engine-version`).
    public var engineVersion: VLLMRelease = .current
    /// Rank with the fitted model alone, not the team's stored calibration.
    public var noCalibration = false
    /// Attach each ranked row's speed terms (`--explain`).
    public var explain = false
    /// Every multi-GPU plan runs attention data-parallel, one group per GPU (`AttentionDP`:
    /// SGLang --dp-size N --enable-dp-attention, TensorRT-LLM enable_attention_dp, vLLM
    /// --data-parallel-size N --enable-expert-parallel).
    public var attentionDP = false

    public init(model: String) { self.model = model }

    enum CodingKeys: String, CodingKey {
        case model, gpus, vendor, provider, pricingModel = "pricing_model", counts, maxGPUs = "max_gpus", formats
        case kvCache = "kv_cache", engine, batches, inputTokens = "input_tokens", outputTokens = "output_tokens", context
        case maxTPOTMs = "max_tpot_ms", maxTTFTMs = "max_ttft_ms", minThroughput = "min_throughput"
        case budgetPerHour = "budget_per_hour", traffic, gpuMemoryUtilization = "gpu_memory_utilization", assumptions, top
        case maxPriceAgeDays = "max_price_age_days", includeStale = "include_stale", allowLongContext = "allow_long_context"
        case attentionDP = "attention_dp"
    }

    public var effectiveContext: Int { context ?? max(1, inputTokens + outputTokens) }

    /// Whisper-style decoders start from a few task tokens (<|startoftranscript|>, language, task, timestamps).
    public static let speechPromptTokens = 4
    /// Audio seconds in one speech request: one 30 s window (1,500 encoder positions for Whisper).
    public static let speechWindowSeconds = 30.0

    /// The workload in the model's own terms: encoders read input only (no more than their
    /// positions); speech models decode at most their decoder's positions per 30 s window.
    public func workload(for m: Model) -> (input: Int, output: Int, context: Int) {
        switch m.kind {
        case .decoder: return (inputTokens, outputTokens, effectiveContext)
        case .encoder:
            let input = min(max(1, inputTokens), m.maxPositionEmbeddings ?? inputTokens)
            return (input, 0, input)
        case .encoderDecoder:
            let limit = m.contextLimit ?? 448
            let output = max(1, min(outputTokens, limit - Self.speechPromptTokens))
            return (Self.speechPromptTokens, output, Self.speechPromptTokens + output)
        }
    }

    /// Option names, as the CLI spells them (and the HTTP API's query parameters).
    public static let optionNames = [
        "model", "gpu", "vendor", "provider", "pricing-model", "counts", "max-gpus", "formats", "kv-cache", "engine",
        "batch", "input", "output", "context", "max-tpot", "max-ttft", "min-throughput", "budget-per-hour", "traffic",
        "gpu-memory-utilization", "bandwidth-efficiency", "compute-efficiency", "interconnect-efficiency",
        "step-overhead", "top", "max-price-age", "include-stale", "allow-long-context", "engine-version", "no-calibration", "explain",
        "attention-dp",
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
        func flag(_ k: String) throws -> Bool {
            guard let s = options[k] else { return false }
            switch s.lowercased() {
            case "true", "1", "yes", "": return true
            case "false", "0", "no": return false
            default: throw CoreError.badOption("--\(k) is true or false (got '\(s.prefix(32))')")
            }
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
        if let a = options["max-price-age"] { maxPriceAgeDays = try Freshness.parseAge(a) }
        includeStale = try flag("include-stale")
        allowLongContext = try flag("allow-long-context")
        noCalibration = try flag("no-calibration")
        explain = try flag("explain")
        attentionDP = try flag("attention-dp")
        if let v = options["engine-version"] {
            guard engine == .vllm else { throw CoreError.badOption("--engine-version applies to vLLM's start-up rules (engine is \(engine.rawValue))") }
            engineVersion = try VLLMRelease.parse(v)
        }
    }

    /// Rank options given as one JSON object (the API's POST body, an MCP tool's arguments): keys
    /// in kebab- or snake_case, values strings, numbers or booleans; unknown keys refused naming
    /// the closest known one. Decoding errors are thrown as they are (each face words them).
    public static func optionStrings(json data: Data) throws -> [String: String] {
        let norm = try StrictJSON.parse(Array(data)).normalizingKeys(known: optionNames, style: .kebab, what: "the rank options")
        return try JSONDecoder().decode([String: OptionValue].self, from: Data(norm.jsonText.utf8)).mapValues(\.text)
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
        if maxPriceAgeDays != d.maxPriceAgeDays { o["max-price-age"] = "\(maxPriceAgeDays)d" }
        if includeStale { o["include-stale"] = "true" }
        if allowLongContext { o["allow-long-context"] = "true" }
        if engineVersion != d.engineVersion { o["engine-version"] = engineVersion.text }
        if noCalibration { o["no-calibration"] = "true" }
        if explain { o["explain"] = "true" }
        if attentionDP { o["attention-dp"] = "true" }
        return o
    }
}

/// A GPU as a ranking sees it: its spec and the current instance offerings it can be rented as
/// (the cheapest fresh price per instance size).
public struct RankCandidate: Sendable {
    public var gpu: GPU
    public var offerings: [Price]
    public init(gpu: GPU, offerings: [Price]) {
        self.gpu = gpu
        self.offerings = offerings.sorted { ($0.usdPerGPUHour, $0.gpusPerInstance) < ($1.usdPerGPUHour, $1.gpusPerInstance) }
    }
    /// The cheapest instance that holds a group of `n` GPUs (nil: none is offered).
    public func offering(gpus n: Int) -> Price? { offerings.first { $0.gpusPerInstance >= n } }
}

/// One deployment: what it is, whether it fits, how fast and what it costs. `gpu` and `weights`
/// are spelled as `servefit estimate` takes them, so a row can be fed back to it.
public struct RankRow: Codable, Sendable, Equatable {
    public var model: String
    public var gpu: String
    public var gpuName: String
    public var gpuCount: Int
    public var tensorParallel: Int
    /// Attention groups over the GPUs (`--attention-dp`), nil without.
    public var attentionDP: Int?
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
    /// The instance the price rents and how many GPUs it has (a TP-n group needs one with ≥ n).
    public var instance: String?
    public var gpusPerInstance: Int?
    public var link: String?
    public var pricingModel: String?
    public var priceAsOf: String?
    /// The price is older than --max-price-age (shown only with --include-stale).
    public var priceStale: Bool?
    public var usdPerGPUHour: Double?
    public var usdPerHour: Double?
    public var usdPerMillionTokens: Double?
    public var usdPerMillionTokensBlended: Double?
    /// With --traffic: requests per second one deployment carries, how many replicas carry the
    /// traffic, and what they cost per hour together.
    public var requestsPerS: Double?
    public var replicas: Int?
    public var usdPerHourAtTraffic: Double?
    /// With --traffic: each replica's share of it as Poisson arrivals: sequences in flight and
    /// the median and 90th-percentile TTFT (queueing included) and TPOT.
    public var atTraffic: RateFigures?
    /// Encoders (embeddings, rerankers) in their own terms: per million input tokens and per
    /// million requests; speech models per hour of audio (30 s windows).
    public var usdPerMillionInputTokens: Double?
    public var usdPerMillionRequests: Double?
    public var usdPerAudioHour: Double?
    public var rejectedReason: String?
    /// The engine command for a ranked row (checked by the engine rules, sized to fit).
    public var launch: LaunchCommand?
    /// With `--explain`: the terms of the row's decode step and prefill.
    public var terms: StepTerms?
    /// What the team measured for this very deployment (a stored `measure import` run of the
    /// same model, GPU, count, engine and format at a close workload), beside the prediction.
    public var measured: Measured?

    public struct Measured: Codable, Sendable, Equatable {
        public var measurement: Int64?
        public var outputTokensPerS: Double?
        public var tpotMs: Double?
        public var ttftMs: Double?
        public var concurrency: Int?
        public var inputTokens: Int?
        public var outputTokens: Int?
        public var source: String?
        /// measured ÷ predicted output throughput.
        public var factor: Double?
        public init() {}
        enum CodingKeys: String, CodingKey {
            case measurement, outputTokensPerS = "output_tokens_per_s", tpotMs = "tpot_ms", ttftMs = "ttft_ms", concurrency
            case inputTokens = "input_tokens", outputTokens = "output_tokens", source, factor
        }
    }

    enum CodingKeys: String, CodingKey {
        case model, gpu, gpuName = "gpu_name", gpuCount = "gpu_count", tensorParallel = "tensor_parallel", attentionDP = "attention_dp", weights
        case kvCache = "kv_cache", engine, batch, context, inputTokens = "input_tokens", outputTokens = "output_tokens"
        case perGPUBytes = "per_gpu_bytes", gpuMemoryBytes = "gpu_memory_bytes", maxConcurrency = "max_concurrency"
        case ttftMs = "ttft_ms", tpotMs = "tpot_ms", throughputTokensPerS = "throughput_tokens_per_s", decodeBound = "decode_bound"
        case provider, instance, gpusPerInstance = "gpus_per_instance", link, priceStale = "price_stale"
        case pricingModel = "pricing_model", priceAsOf = "price_as_of", usdPerGPUHour = "usd_per_gpu_hour"
        case usdPerHour = "usd_per_hour", usdPerMillionTokens = "usd_per_million_tokens"
        case usdPerMillionTokensBlended = "usd_per_million_tokens_blended", requestsPerS = "requests_per_s", replicas
        case usdPerHourAtTraffic = "usd_per_hour_at_traffic", rejectedReason = "rejected_reason", launch
        case usdPerMillionInputTokens = "usd_per_million_input_tokens", usdPerMillionRequests = "usd_per_million_requests"
        case usdPerAudioHour = "usd_per_audio_hour", terms, measured, atTraffic = "at_traffic"
    }

    /// Optional fields are left out when unknown, except the instance a row rents and its size,
    /// which every row carries (null when it has no price).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(model, forKey: .model); try c.encode(gpu, forKey: .gpu); try c.encode(gpuName, forKey: .gpuName)
        try c.encode(gpuCount, forKey: .gpuCount); try c.encode(tensorParallel, forKey: .tensorParallel)
        try c.encodeIfPresent(attentionDP, forKey: .attentionDP)
        try c.encode(weights, forKey: .weights); try c.encode(kvCache, forKey: .kvCache); try c.encode(engine, forKey: .engine)
        try c.encodeIfPresent(batch, forKey: .batch); try c.encode(context, forKey: .context)
        try c.encode(inputTokens, forKey: .inputTokens); try c.encode(outputTokens, forKey: .outputTokens)
        try c.encodeIfPresent(perGPUBytes, forKey: .perGPUBytes); try c.encode(gpuMemoryBytes, forKey: .gpuMemoryBytes)
        try c.encodeIfPresent(maxConcurrency, forKey: .maxConcurrency); try c.encodeIfPresent(ttftMs, forKey: .ttftMs)
        try c.encodeIfPresent(tpotMs, forKey: .tpotMs); try c.encodeIfPresent(throughputTokensPerS, forKey: .throughputTokensPerS)
        try c.encodeIfPresent(decodeBound, forKey: .decodeBound); try c.encodeIfPresent(provider, forKey: .provider)
        try c.encode(instance, forKey: .instance); try c.encode(gpusPerInstance, forKey: .gpusPerInstance)
        try c.encodeIfPresent(link, forKey: .link); try c.encodeIfPresent(pricingModel, forKey: .pricingModel)
        try c.encodeIfPresent(priceAsOf, forKey: .priceAsOf); try c.encodeIfPresent(priceStale, forKey: .priceStale)
        try c.encodeIfPresent(usdPerGPUHour, forKey: .usdPerGPUHour); try c.encodeIfPresent(usdPerHour, forKey: .usdPerHour)
        try c.encodeIfPresent(usdPerMillionTokens, forKey: .usdPerMillionTokens)
        try c.encodeIfPresent(usdPerMillionTokensBlended, forKey: .usdPerMillionTokensBlended)
        try c.encodeIfPresent(requestsPerS, forKey: .requestsPerS); try c.encodeIfPresent(replicas, forKey: .replicas)
        try c.encodeIfPresent(usdPerHourAtTraffic, forKey: .usdPerHourAtTraffic); try c.encodeIfPresent(atTraffic, forKey: .atTraffic)
        try c.encodeIfPresent(usdPerMillionInputTokens, forKey: .usdPerMillionInputTokens)
        try c.encodeIfPresent(usdPerMillionRequests, forKey: .usdPerMillionRequests)
        try c.encodeIfPresent(usdPerAudioHour, forKey: .usdPerAudioHour)
        try c.encodeIfPresent(rejectedReason, forKey: .rejectedReason); try c.encodeIfPresent(launch, forKey: .launch); try c.encodeIfPresent(terms, forKey: .terms)
        try c.encodeIfPresent(measured, forKey: .measured)
    }

    /// The figure a row is ranked by, in its kind's own terms.
    public var costKey: Double? { usdPerAudioHour ?? usdPerMillionInputTokens ?? usdPerMillionTokens }

    /// "h100-sxm ×2 fp8" — how the CLI names a deployment.
    public var label: String { "\(gpu) ×\(gpuCount) \(weights)" }
}

public struct RankResult: Codable, Sendable, Equatable {
    public var query: RankQuery
    /// Deployments that fit and meet every constraint, cheapest per million output tokens first.
    public var ranked: [RankRow]
    /// The losers, each with the reason it lost.
    public var rejected: [RankRow]
    /// The team's stored speed corrections this ranking used ("vllm@h100-sxm" → measured ÷
    /// predicted), absent when none applied (`servefit calibrate`; `--no-calibration`).
    public var calibration: [String: Double]?
}

/// An option given as a JSON string, number or boolean.
public struct OptionValue: Codable, Sendable {
    public var text: String
    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { text = s }
        else if let i = try? c.decode(Int64.self) { text = String(i) }
        else if let d = try? c.decode(Double.self) { text = String(d) }
        else if let b = try? c.decode(Bool.self) { text = String(b) }
        else { throw DecodingError.typeMismatch(String.self, .init(codingPath: c.codingPath, debugDescription: "expected a string, number or boolean")) }
    }
    public func encode(to encoder: any Encoder) throws { var c = encoder.singleValueContainer(); try c.encode(text) }
}

public enum Ranker {
    /// Ranks every GPU × count × weight format × batch for `model` over `candidates`. Each
    /// deployment passes the same named steps as `estimate` does for one: candidates → engine
    /// rules → memory → speed → price → constraints. Batch is chosen per deployment: the
    /// cheapest per token that meets every constraint.
    public static func rank(_ q: RankQuery, model: Model, candidates: [RankCandidate]) throws -> RankResult {
        let ctx = try Context(q, model: model, gpu: candidates.first?.gpu)
        // Rejected rows are listed by GPU, count and format: candidates are visited in slug order
        // and each one's few rows sorted on their own, so no sort over all rows is needed.
        var visit = Array(candidates.indices)
        if zip(candidates, candidates.dropFirst()).contains(where: { $0.gpu.slug > $1.gpu.slug }) {
            visit.sort { candidates[$0].gpu.slug < candidates[$1].gpu.slug }
        }
        // A large catalog is split into contiguous runs of GPUs evaluated on every core, each with
        // its own context (caches are per context, so nothing is shared between threads).
        let cores = min(8, ProcessInfo.processInfo.activeProcessorCount)
        let runs = candidates.count >= 256 && cores > 1 ? cores : 1
        let contexts = try [ctx] + (1..<max(1, runs)).map { _ in try Context(q, model: model, gpu: candidates.first?.gpu) }
        let parts = ParallelSlots(runs, RunResult())
        let per = (visit.count + runs - 1) / runs
        let visitOrder = visit
        DispatchQueue.concurrentPerform(iterations: runs) { k in
            let slice = visitOrder[min(visitOrder.count, k * per)..<min(visitOrder.count, (k + 1) * per)]
            parts.set(k, contexts[k].evaluate(slice, candidates))
        }
        var ranked: [RankRow] = [], plans: [(Plan, Int)] = [], rejected: [RankRow] = []
        rejected.reserveCapacity(parts.all.reduce(0) { $0 + $1.rejected.count })
        for part in parts.all {
            ranked.append(contentsOf: part.ranked); plans.append(contentsOf: part.plans); rejected.append(contentsOf: part.rejected)
        }
        // Rows are large: sort their positions, then copy out only the rows kept.
        var order = Array(ranked.indices)
        let stored = model.storedWeightFormat?.name
        order.sort { Ranker.order(ranked[$0], ranked[$1], stored: stored) }
        if let top = q.top, order.count > top { order.removeSubrange(top...) }
        // Launch lines and figures at the traffic for the rows shown only: thousands add up.
        let rows = order.map { i -> RankRow in
            var row = ranked[i]
            let (plan, ci) = plans[i]
            row.launch = ctx.launch(row, ctx.deployment(plan, candidates[ci].gpu))
            row.atTraffic = ctx.rateFigures(row, plan, candidates[ci].gpu)
            return row
        }
        return RankResult(query: q, ranked: rows, rejected: rejected)
    }

    /// What one run of candidates yields: rows that rank (with their plans), rows rejected.
    struct RunResult { var ranked: [RankRow] = [], plans: [(Plan, Int)] = [], rejected: [RankRow] = [] }

    /// One slot per run, each written by its own thread only.
    /// One candidate deployment: a GPU, a count and its split, a weight format.
    struct Plan {
        var count: Int
        var tp: Int
        var pp: Int
        /// Attention data-parallel groups (1: none); one per GPU with --attention-dp.
        var dp = 1
        var format: Int
        var offering: Price?
        /// Which distinct GPU spec this plan runs on (speeds are shared between equal specs).
        var spec: Int
        /// The GPU's memory as the engine sees it (`GPU.visibleMemoryBytes`, read once per GPU).
        var visible: Int64
        /// vLLM's profiling batch on this device (it depends on the name as well as the memory).
        var profileTier: Int
    }

    enum Outcome { case ranked(RankRow), rejected(RankRow) }

    /// What a ranking computes once per query: the model's sizes per format, the estimates shared
    /// by GPUs of the same memory.
    /// Not shared between threads: a ranking split over cores gives each run its own.
    final class Context: @unchecked Sendable {
        let q: RankQuery
        let model: Model
        let pc: ParamCount
        let formats: [WeightFormat]
        let kv: KVDType
        let ctx: Int
        let input: Int
        let output: Int
        let batches: [Int]
        let counts: [Int]
        let sizes: [WeightSize]
        let traffics: [PerformanceModel.WeightTraffic]
        var estimates: [EstimateKey: Estimate?] = [:]
        var memoryVerdicts: [MemoryKey: Result<Fitting, MemoryMiss>] = [:]
        var choices: [ChoiceKey: Choice] = [:]
        /// Verdicts split where the GPU's name goes.
        var ruleVerdicts: [RuleKey: [String]?] = [:]
        var noPriceReasons: [[Int]: String] = [:]
        /// KV bytes of one sequence at the context, per tensor-parallel degree.
        var oneSequenceKV: [Int: Int64] = [:]
        /// Per GPU spec, count, format and link: the speed at each of `batches` (nil: not yet computed).
        var speedCurves: [SpeedKey: [Performance?]] = [:]
        let batchIndex: [Int: Int]
        var specs: [GPUSpec: Int] = [:]

        init(_ q: RankQuery, model: Model, gpu: GPU?) throws {
            self.q = q; self.model = model
            let pc = try ParamCounter.count(model)
            self.pc = pc
            var formats = try q.formats.map { try WeightFormat.parse($0) }
            if q.formats == RankQuery.defaultFormats, let stored = model.storedWeightFormat, !formats.contains(stored) {
                formats.insert(stored, at: 0)
            }
            self.formats = formats
            kv = try KVDType.parse(q.kvCache)
            try q.assumptions.validate()
            guard q.gpuMemoryUtilization > 0, q.gpuMemoryUtilization <= 1 else {
                throw CoreError.badOption("--gpu-memory-utilization must be in (0, 1]")
            }
            let w = q.workload(for: model)
            (input, output, ctx) = (w.input, w.output, w.context)
            // Attention data parallelism is for many sequences in flight: its default sweep goes on past 256.
            let sweep = q.attentionDP && q.batches == RankQuery.defaultBatches ? q.batches + [512, 1024, 2048] : q.batches
            batches = Array(Set(sweep)).sorted()
            batchIndex = Dictionary(uniqueKeysWithValues: batches.enumerated().map { ($1, $0) })
            let maxGPUs = q.maxGPUs ?? Int.max
            counts = Array(Set(q.counts)).sorted().filter { $0 <= maxGPUs }
            sizes = formats.map { $0.size(pc, model: model) }
            let anyGPU = gpu ?? GPU(slug: "x", vendor: "x", name: "x", memoryBytes: 1, bandwidthGBPerS: 1, tflops: TFLOPS())
            traffics = formats.map { f -> PerformanceModel.WeightTraffic in
                var pr = PerfRequest(model: model, gpu: anyGPU)
                pr.weights = f
                return PerformanceModel.traffic(pr, pc)
            }
        }

        /// Every plan of the candidates at `visit`, in that order.
        func evaluate(_ visit: ArraySlice<Int>, _ candidates: [RankCandidate]) -> RunResult {
            var out = RunResult()
            out.rejected.reserveCapacity(visit.count * counts.count * formats.count)
            var own: [RankRow] = []
            for ci in visit {
                let c = candidates[ci]
                own.removeAll(keepingCapacity: true)
                for plan in plans(for: c) {
                    switch evaluate(plan, c) {
                    case .ranked(let r): out.ranked.append(r); out.plans.append((plan, ci))
                    case .rejected(let r): own.append(r)
                    }
                }
                own.sort { ($0.gpuCount, $0.weights) < ($1.gpuCount, $1.weights) }
                out.rejected.append(contentsOf: own)
            }
            return out
        }

        // MARK: step 1, candidates: every count in its engine's split, every format, the instance it rents.

        func plans(for c: RankCandidate) -> [Plan] {
            var spec = GPUSpec(c.gpu)
            spec.correction = [q.assumptions.correction(q.engine, c.gpu), q.assumptions.correction(q.engine, c.gpu, prefill: true)]
            let id = specs[spec] ?? specs.count
            specs[spec] = id
            var out: [Plan] = []
            let visible = c.gpu.visibleMemoryBytes
            let tier = q.engine == .vllm ? q.engineVersion.profileDefaults(maxModelLen: ctx, gpuMemoryBytes: visible, gpuName: c.gpu.name).batchedTokens : 0
            for n in counts {
                // llama.cpp splits layers across GPUs (--split-mode layer); the others split tensors.
                let (tp, pp) = q.engine == .llamaCpp ? (1, n) : (n, 1)
                // The plan's dp follows from its count, so the caches keyed by count need no dp of their own.
                let dp = q.attentionDP && tp > 1 ? tp : 1
                for fi in formats.indices { out.append(Plan(count: n, tp: tp, pp: pp, dp: dp, format: fi, offering: c.offering(gpus: n), spec: id, visible: visible, profileTier: tier)) }
            }
            return out
        }

        func row(_ p: Plan, _ g: GPU) -> RankRow {
            var row = RankRow(model: model.slug, gpu: g.slug, gpuName: g.name, gpuCount: p.count, tensorParallel: p.tp,
                              weights: formats[p.format].name, kvCache: kv.name, engine: q.engine.rawValue, batch: nil, context: ctx,
                              inputTokens: input, outputTokens: output, gpuMemoryBytes: p.visible)
            if p.dp > 1 { row.attentionDP = p.dp }
            if let o = p.offering {
                row.provider = o.provider; row.pricingModel = o.pricingModel.rawValue; row.priceAsOf = o.asOf
                row.instance = o.instance ?? "\(o.gpusPerInstance)x \(g.slug)"; row.gpusPerInstance = o.gpusPerInstance
                row.link = o.link?.rawValue
                row.usdPerGPUHour = o.usdPerGPUHour; row.usdPerHour = o.usdPerGPUHour * Double(p.count)
                if q.includeStale, o.stale == true { row.priceStale = true }
            }
            return row
        }

        func evaluate(_ p: Plan, _ c: RankCandidate) -> Outcome {
            let g = c.gpu
            var row = row(p, g)
            // MARK: step 2, engine rules.
            if let reason = rules(p, g) { row.rejectedReason = reason; return .rejected(row) }
            // MARK: step 3, memory.
            let fitting: Fitting
            switch memory(p, g, &row) {
            case .failure(let miss): row.rejectedReason = miss.reason; return .rejected(row)
            case .success(let f): fitting = f
            }
            if q.traffic == nil, let budget = q.budgetPerHour, let hour = row.usdPerHour, hour > budget {
                row.rejectedReason = "costs \(Ranker.money(hour))/h > budget \(Ranker.money(budget))/h"
                return .rejected(row)
            }
            // MARK: steps 4-6, speed, price and constraints per batch; the best passing batch wins.
            let choice: Choice
            let key = ChoiceKey(memory: MemoryKey(p, g), spec: p.spec, link: p.offering?.link, priced: p.offering != nil)
            if choiceIsPriceFree, let known = choices[key] {
                choice = known
            } else {
                choice = choose(p, g, fitting)
                if choiceIsPriceFree { choices[key] = choice }
            }
            func figures(at b: Int) -> Figures {
                let perf = speedCurves[speedKey(p)]![batchIndex[b]!]!
                return self.figures(p, batch: b, perf: perf)
            }
            let win: Figures
            switch choice {
            case .none:
                row.rejectedReason = "no speed could be computed"
                return .rejected(row)
            case .miss(let b, let reason):
                var r = fill(row, figures(at: b), p, fitting)
                r.rejectedReason = reason
                return .rejected(r)
            case .win(let b):
                win = figures(at: b)
            }
            var chosen = fill(row, win, p, fitting)
            if q.explain, case .win(let b) = choice {
                chosen.terms = speedCurves[speedKey(p)]?[batchIndex[b]!]?.terms
            }
            if p.offering == nil {
                chosen.rejectedReason = noPriceReason(c, n: p.count)
                return .rejected(chosen)
            }
            return .ranked(chosen)
        }

        /// The deployment as the engine would be asked to run it.
        func deployment(_ p: Plan, _ g: GPU) -> DeploymentPlan {
            var plan = DeploymentPlan(model: model, gpu: g, engine: q.engine, weights: formats[p.format], kvDType: kv,
                                      tensorParallel: p.tp, pipelineParallel: p.pp, context: ctx)
            plan.allowLongContext = q.allowLongContext
            plan.engineVersion = q.engineVersion
            plan.attentionDataParallel = p.dp
            return plan
        }

        struct RuleKey: Hashable { var spec: Int, count: Int, tp: Int, pp: Int, format: Int }
        /// Stands for the GPU's name in a cached verdict: rules read a GPU's compute capability
        /// (part of its spec) and name it in the message, nothing else.
        static let gpuNameToken = "\u{1}gpu\u{1}"

        /// Step 2: the engine's refusal, if any; one verdict per GPU spec and split.
        func rules(_ p: Plan, _ g: GPU) -> String? {
            let key = RuleKey(spec: p.spec, count: p.count, tp: p.tp, pp: p.pp, format: p.format)
            let parts: [String]?
            if let known = ruleVerdicts[key] { parts = known } else {
                var stand = g
                stand.name = Self.gpuNameToken
                parts = EngineRules.problem(deployment(p, stand)).map { $0.components(separatedBy: Self.gpuNameToken) }
                ruleVerdicts[key] = .some(parts)
            }
            return parts.map { $0.count == 1 ? $0[0] : $0.joined(separator: g.name) }
        }

        /// Which batch a deployment runs at, or which miss tells why none passes.
        enum Choice { case win(Int), miss(Int, String), none }

        struct ChoiceKey: Hashable {
            var memory: MemoryKey, spec: Int, link: InstanceLink?, priced: Bool
        }

        /// With a price, the best batch is the one with the most throughput (cost per token falls
        /// as throughput rises, whatever the price), so GPUs of one spec and memory choose alike,
        /// unless a budget at a traffic level makes the choice depend on the price itself.
        var choiceIsPriceFree: Bool { q.traffic == nil || q.budgetPerHour == nil }

        /// Figures per batch are plain numbers; a row is built only for the batch that wins (or,
        /// with none passing, for the miss that tells most).
        func choose(_ p: Plan, _ g: GPU, _ fitting: Fitting) -> Choice {
            let curve = speeds(p, g, fitting)
            var best: Figures?, throughputMiss: (Int, String)?, firstMiss: (Int, String)?
            let largestFitting = fitting.batches.last
            for (i, b) in fitting.batches.enumerated() {
                guard let perf = curve[i] else { continue }
                let f = figures(p, batch: b, perf: perf)
                if let reason = Ranker.failure(f, q, largest: b == largestFitting, triedAll: b == batches.last) {
                    if firstMiss == nil { firstMiss = (b, reason) }
                    if reason.hasPrefix("throughput") { throughputMiss = (b, reason) }
                } else if best.map({ Ranker.better(f, than: $0) }) ?? true {
                    best = f
                }
            }
            if let best { return .win(best.batch) }
            // Latency only grows with batch and throughput only with batch, so the telling miss
            // is a throughput miss if there is one, else the smallest batch's latency miss.
            if let (b, reason) = throughputMiss ?? firstMiss { return .miss(b, reason) }
            return .none
        }

        /// The launch line of a ranked deployment, sized for its batch.
        func launch(_ r: RankRow, _ plan: DeploymentPlan) -> LaunchCommand? {
            guard q.engine.isPagedServer || q.engine == .llamaCpp, model.kind != .encoder else { return nil }
            return LaunchCommand.make(q.engine, LaunchCommand.Spec(plan, maxNumSeqs: r.batch ?? 1, gpuMemoryUtilization: q.gpuMemoryUtilization))
        }

        func noPriceReason(_ c: RankCandidate, n: Int) -> String {
            let largest = c.offerings.map(\.gpusPerInstance).max() ?? 0
            if let known = noPriceReasons[[n, largest]] { return known }
            let filters = (q.provider.map { " at \($0)" } ?? "") + (q.pricingModel.map { " (\($0.rawValue))" } ?? "")
            let reason = c.offerings.isEmpty
                ? "no current price" + filters + (q.includeStale ? "" : " (none newer than \(q.maxPriceAgeDays) days; --include-stale counts older ones)")
                : "no instance with \(n) or more GPUs is priced" + filters + " (the largest priced has \(largest))"
            noPriceReasons[[n, largest]] = reason
            return reason
        }

        /// The batches whose sequences fit, with the estimate each is sized by.
        struct Fitting {
            var batches: [Int] = []
            /// The estimate of batch 1 (a paged engine sizes every batch from it).
            var base: Estimate
            /// One estimate per batch where the engine sizes each batch itself (llama.cpp, transformers).
            var perBatch: [Estimate]?
            func estimate(_ i: Int) -> Estimate { perBatch?[i] ?? base }
        }

        /// The estimator's verdict for a plan (shared by GPUs of the same memory), and the batches whose sequences fit.
        func memory(_ p: Plan, _ g: GPU, _ row: inout RankRow) -> Result<Fitting, MemoryMiss> {
            let key = MemoryKey(p, g)
            let verdict: Result<Fitting, MemoryMiss>
            if let known = memoryVerdicts[key] { verdict = known } else {
                verdict = fitting(p, g)
                memoryVerdicts[key] = verdict
            }
            switch verdict {
            case .success(let f):
                row.perGPUBytes = f.base.perGPUBytes
                if q.engine.isPagedServer && model.kind != .encoder { row.maxConcurrency = f.base.maxConcurrency }
            case .failure(let miss):
                row.perGPUBytes = miss.perGPUBytes
            }
            return verdict
        }

        /// A deployment's memory class: GPUs with the same memory hold a plan alike.
        struct MemoryKey: Hashable {
            var memory: Int64, visible: Int64, count: Int, tp: Int, pp: Int, format: Int, profileTier: Int
            init(_ p: Plan, _ g: GPU) {
                memory = g.memoryBytes; visible = p.visible; count = p.count; tp = p.tp; pp = p.pp; format = p.format; profileTier = p.profileTier
            }
        }

        func fitting(_ p: Plan, _ g: GPU) -> Result<Fitting, MemoryMiss> {
            guard let est = estimate(p, g, batch: 1) else { return .failure(MemoryMiss("the estimator refused this split")) }
            if est.fits != true {
                var miss = MemoryMiss(Ranker.memoryMissReason(est, engine: q.engine, gpu: g, utilization: q.gpuMemoryUtilization, context: ctx))
                miss.perGPUBytes = est.perGPUBytes
                return .failure(miss)
            }
            var fitting = Fitting(base: est)
            if model.kind == .encoder {
                // Encoders keep no KV cache; a step holds at most the engine's batched tokens (8192).
                let cap = max(1, Estimator.vllmDefaultBatchedTokens / max(1, input))
                fitting.batches = batches.filter { $0 == batches.first || $0 <= cap }
            } else if q.engine.isPagedServer {
                let conc = est.maxConcurrency ?? Double.infinity
                fitting.batches = batches.filter { Double($0) <= conc }
            } else {
                var each: [Estimate] = []
                for b in batches {
                    guard let e = estimate(p, g, batch: b), e.fits == true else { break }
                    fitting.batches.append(b)
                    each.append(e)
                }
                fitting.perBatch = each
            }
            if fitting.batches.isEmpty {
                return .failure(MemoryMiss("not even batch \(batches.first ?? 1) fits at \(ctx) tokens (max concurrency \(Units.format(est.maxConcurrency ?? 0, 2)))"))
            }
            return .success(fitting)
        }

        struct EstimateKey: Hashable {
            var memory: Int64, visible: Int64, count: Int, tp: Int, pp: Int, format: Int, batch: Int
            /// vLLM's profiling batch depends on the device's name as well as its memory (H100-class, not A100).
            var profileTier: Int
        }

        /// The estimator's answer for a plan at one batch, shared by every GPU of the same memory
        /// (nil: the estimator refused the split).
        func estimate(_ p: Plan, _ g: GPU, batch: Int) -> Estimate? {
            let key = EstimateKey(memory: g.memoryBytes, visible: p.visible, count: p.count, tp: p.tp, pp: p.pp, format: p.format, batch: batch,
                                  profileTier: p.profileTier)
            if let known = estimates[key] { return known }
            var er = EstimateRequest(model: model)
            er.paramCount = pc
            er.weightSize = sizes[p.format]
            er.weights = formats[p.format]
            er.kvDType = kv
            er.engine = q.engine
            er.context = ctx
            er.batch = batch
            er.gpus = p.count
            er.tensorParallel = p.tp
            er.pipelineParallel = p.pp
            er.attentionDataParallel = p.dp
            er.gpuMemoryBytes = g.memoryBytes
            er.gpuVisibleMemoryBytes = p.visible
            er.gpuMemoryUtilization = q.gpuMemoryUtilization
            er.gpuName = g.name
            er.engineVersion = q.engineVersion
            // A ranked row's launch line sets --max-num-seqs to its batch, at most the sweep's
            // largest: vLLM's profiling sampler is sized for that many sequences, not its default.
            if q.engine == .vllm, let top = batches.last { er.maxNumSeqs = top }
            let e = try? Estimator.estimate(er)
            estimates[key] = .some(e)
            return e
        }

        /// Where a plan's speeds are kept: GPUs of one spec share them. vLLM V1 mixes prompt
        /// chunks into its decode steps within max_num_batched_tokens (its default for the GPU).
        func speedKey(_ p: Plan) -> SpeedKey {
            let budget = q.engine == .vllm && q.engineVersion.isV1 && p.profileTier > 0 ? p.profileTier : nil
            return SpeedKey(spec: p.spec, count: p.count, format: p.format, tokenBudget: budget, instanceLink: p.offering?.link)
        }

        /// The speed question of a plan on a GPU, at any batch.
        func perfRequest(_ p: Plan, _ g: GPU) -> PerfRequest {
            var pr = PerfRequest(model: model, gpu: g)
            pr.paramCount = pc
            pr.weights = formats[p.format]
            pr.kvDType = kv
            pr.engine = q.engine
            pr.tensorParallel = p.tp
            pr.pipelineParallel = p.pp
            pr.attentionDataParallel = p.dp
            pr.inputTokens = input
            pr.outputTokens = output
            pr.assumptions = q.assumptions
            pr.link = p.offering?.link
            pr.tokenBudget = speedKey(p).tokenBudget
            return pr
        }

        /// With --traffic, a shown row's replica at its share of the rate (Poisson arrivals), with
        /// at most the row's batch in flight.
        func rateFigures(_ row: RankRow, _ p: Plan, _ g: GPU) -> RateFigures? {
            guard let t = q.traffic, let n = row.replicas, n > 0, let cap = row.batch, model.kind == .decoder else { return nil }
            var pr = perfRequest(p, g)
            let shared = shared(g)
            return PerformanceModel.atRate(t / Double(n), maxBatch: cap, outputTokens: output) { b in
                pr.batch = b
                return try? PerformanceModel.evaluate(pr, traffic: traffics[p.format], shared: shared)
            }
        }

        /// Step 4, speed: one figure per fitting batch, shared by every GPU of the same spec.
        func speeds(_ p: Plan, _ g: GPU, _ fitting: Fitting) -> [Performance?] {
            let key = speedKey(p)
            var curve = speedCurves[key] ?? Array(repeating: nil, count: batches.count)
            var out: [Performance?] = []
            out.reserveCapacity(fitting.batches.count)
            var grew = false
            var pr = perfRequest(p, g)
            let shared = shared(g)
            for b in fitting.batches {
                let i = batchIndex[b]!
                if let known = curve[i] { out.append(known); continue }
                pr.batch = b
                let perf = try? PerformanceModel.evaluate(pr, traffic: traffics[p.format], shared: shared)
                curve[i] = perf
                grew = true
                out.append(perf)
            }
            if grew { speedCurves[key] = curve }
            return out
        }

        struct KVKey: Hashable { var tokens: Int, sequences: Int, tp: Int, pp: Int }
        var kvBytes: [KVKey: Int64] = [:]
        var factors: [[Double]: (decode: Double, prefill: Double)] = [:]

        /// What every speed evaluation of this ranking shares: the engine's factors for the GPU's
        /// family (CUDA or ROCm) and KV sizes, computed once each.
        func shared(_ g: GPU) -> PerformanceModel.Shared {
            let a = q.assumptions
            // The factors depend on the GPU's family and on any stored correction for it.
            let key = [g.isROCm ? 1 : 0, a.correction(q.engine, g), a.correction(q.engine, g, prefill: true)]
            let f = factors[key] ?? (a.engineFactor(q.engine, g), a.engineFactor(q.engine, g, prefill: true))
            factors[key] = f
            return PerformanceModel.Shared(factors: f) { [unowned self] tokens, seqs, tp, pp in
                let key = KVKey(tokens: tokens, sequences: seqs, tp: tp, pp: pp)
                if let known = self.kvBytes[key] { return known }
                let b = KVCache.size(self.model, dtype: self.kv, engine: self.q.engine, tokens: tokens, sequences: seqs, tp: tp, pp: pp, explain: false,
                                     release: self.q.engineVersion).bytes
                self.kvBytes[key] = b
                return b
            }
        }

        /// Step 5, price: what one batch's speed costs on the plan's instance.
        func figures(_ p: Plan, batch b: Int, perf: Performance) -> Figures {
            var f = Figures(batch: b, perf: perf)
            f.tpotMs = model.kind == .encoder || output == 0 ? nil : perf.tpotMs
            if let t = q.traffic, perf.requestsPerS > 0 {
                let need = (t / perf.requestsPerS).rounded(.up)
                f.replicas = need < 1e6 ? max(1, Int(need)) : 1_000_000
                f.usdPerHourAtTraffic = p.offering.map { $0.usdPerGPUHour * Double(p.count) * Double(f.replicas!) }
            }
            if let o = p.offering {
                let hour = o.usdPerGPUHour * Double(p.count)
                func perMillion(_ perS: Double) -> Double? { perS > 0 ? hour / (perS * 3600) * 1_000_000 : nil }
                switch model.kind {
                case .encoder:
                    // An encoder's throughput is prompt tokens per second; it generates nothing.
                    f.usdPerMillionInputTokens = perMillion(perf.throughputTokensPerS)
                    f.usdPerMillionRequests = perMillion(perf.requestsPerS)
                case .encoderDecoder:
                    f.usdPerAudioHour = perf.requestsPerS > 0 ? hour / (perf.requestsPerS * RankQuery.speechWindowSeconds) : nil
                    f.usdPerMillionRequests = perMillion(perf.requestsPerS)
                case .decoder:
                    let cost = Cost.of(usdPerGPUHour: o.usdPerGPUHour, gpuCount: p.count, outputTokensPerS: perf.throughputTokensPerS,
                                       totalTokensPerS: perf.totalTokensPerS)
                    f.usdPerMillionTokens = cost.usdPerMillionTokens
                    f.usdPerMillionTokensBlended = cost.usdPerMillionTokensBlended
                }
            }
            return f
        }

        /// The row for one batch's figures.
        func fill(_ row: RankRow, _ f: Figures, _ p: Plan, _ fitting: Fitting) -> RankRow {
            var r = row
            let e = fitting.estimate(fitting.batches.firstIndex(of: f.batch) ?? 0)
            // The batch the speed was computed at: the step's token budget may keep fewer
            // decoding than asked (the rest wait in the queue).
            let decoding = f.perf.terms?.batch ?? f.batch
            r.batch = decoding
            if q.engine.isPagedServer, let base = e.perGPUBytes {
                // A paged server preallocates its whole KV budget; what a batch occupies is the
                // rest of the estimate plus the KV of `batch` sequences. Under attention DP a GPU
                // holds its group's share of them, at the group's tensor parallelism.
                let tp = p.tp / max(1, p.dp)
                let one = oneSequenceKV[tp] ?? KVCache.size(model, dtype: kv, engine: .vllm, tokens: ctx, sequences: 1, tp: tp, pp: 1, explain: false,
                                                            release: q.engineVersion).bytes
                oneSequenceKV[tp] = one
                let perGroup = (decoding + max(1, p.dp) - 1) / max(1, p.dp)
                r.perGPUBytes = base + one * Int64(max(0, perGroup - 1))
            } else {
                r.perGPUBytes = e.perGPUBytes
            }
            r.ttftMs = f.perf.ttftMs
            r.tpotMs = f.tpotMs
            r.throughputTokensPerS = f.perf.throughputTokensPerS
            r.decodeBound = f.perf.decodeBound
            r.requestsPerS = f.perf.requestsPerS
            r.replicas = f.replicas
            r.usdPerHourAtTraffic = f.usdPerHourAtTraffic
            r.usdPerMillionInputTokens = f.usdPerMillionInputTokens
            r.usdPerMillionRequests = f.usdPerMillionRequests
            r.usdPerAudioHour = f.usdPerAudioHour
            r.usdPerMillionTokens = f.usdPerMillionTokens
            r.usdPerMillionTokensBlended = f.usdPerMillionTokensBlended
            return r
        }
    }

    /// One batch of one deployment in numbers: its speed and what that costs.
    struct Figures {
        var batch: Int
        var perf: Performance
        var tpotMs: Double?
        var replicas: Int?
        var usdPerHourAtTraffic: Double?
        var usdPerMillionTokens: Double?
        var usdPerMillionTokensBlended: Double?
        var usdPerMillionInputTokens: Double?
        var usdPerMillionRequests: Double?
        var usdPerAudioHour: Double?
        /// The figure a row is ranked by (as `RankRow.costKey`).
        var costKey: Double? { usdPerAudioHour ?? usdPerMillionInputTokens ?? usdPerMillionTokens }
    }

    /// Why a deployment does not fit, in the engine's own terms: a paged server (vLLM, SGLang,
    /// TensorRT-LLM) is held to the fraction of memory it is told it may take.
    static func memoryMissReason(_ est: Estimate, engine: Engine, gpu g: GPU, utilization: Double, context: Int) -> String {
        let budget = est.memoryBudgetBytes ?? g.visibleMemoryBytes
        // A paged server captures its CUDA graphs from the headroom above its budget.
        let graphs = engine.isPagedServer ? (est.components.first { $0.name == "cuda_graphs" }?.perGPUBytes ?? 0) : 0
        let need = "needs \(Units.gib((est.perGPUBytes ?? 0) - graphs)) per GPU > \(Units.gib(budget))"
        let of = Units.gib(g.visibleMemoryBytes)
        switch engine {
        case .vllm: return need + " usable (--gpu-memory-utilization \(Units.format(utilization, 2)) of \(of)) at \(context) tokens"
        case .sglang: return need + " usable (SGLang's default --mem-fraction-static \(Units.format(Double(budget) / Double(max(1, g.visibleMemoryBytes)), 3)) of \(of)) at \(context) tokens"
        default: return need + " at \(context) tokens"
        }
    }

    struct SpeedKey: Hashable {
        var spec: Int
        var count: Int
        var format: Int
        var tokenBudget: Int?
        var instanceLink: InstanceLink?
    }
    /// The parts of a GPU its speed depends on.
    struct GPUSpec: Hashable {
        var bandwidth: Double
        var tflops: [Double]
        var link: Double
        var target: String
        /// The team's calibration for this GPU and engine (1: none): GPUs of one spec but
        /// different corrections do not share speeds.
        var correction: [Double] = [1, 1]
        init(_ g: GPU) {
            let t = g.tflops
            bandwidth = g.bandwidthGBPerS; link = g.interconnectGBPerS ?? 0; target = g.computeCapability ?? g.vendor
            tflops = [t.fp32 ?? 0, t.tf32 ?? 0, t.fp16 ?? 0, t.bf16 ?? 0, t.fp8 ?? 0, t.int8 ?? 0, t.fp4 ?? 0]
        }
    }

    struct MemoryMiss: Error { var reason: String; var perGPUBytes: Int64?; init(_ r: String) { reason = r } }

    /// Why a row misses the query's constraints, or nil when it meets them all.
    static func failure(_ f: Figures, _ q: RankQuery, largest: Bool, triedAll: Bool) -> String? {
        let b = f.batch
        if let max = q.maxTPOTMs, let t = f.tpotMs, t > max {
            return "TPOT \(Units.format(t, 1)) ms > \(Units.format(max, 1)) ms at batch \(b)"
        }
        if let max = q.maxTTFTMs, f.perf.ttftMs > max {
            return "TTFT \(Units.format(f.perf.ttftMs, 0)) ms > \(Units.format(max, 0)) ms at batch \(b)"
        }
        if q.traffic != nil, let budget = q.budgetPerHour, let hour = f.usdPerHourAtTraffic, hour > budget {
            return "costs \(money(hour))/h for \(f.replicas ?? 1) replicas > budget \(money(budget))/h at batch \(b)"
        }
        if let min = q.minThroughput, f.perf.throughputTokensPerS < min {
            return "throughput \(Units.format(f.perf.throughputTokensPerS, 0)) tokens/s < \(Units.format(min, 0)) at batch \(b)"
                + (largest ? (triedAll ? " (the largest batch tried)" : " (the most that fits)") : "")
        }
        return nil
    }

    /// Cheaper per million output tokens wins; without prices, more throughput.
    static func better(_ a: Figures, than b: Figures) -> Bool {
        if let x = a.usdPerHourAtTraffic, let y = b.usdPerHourAtTraffic, x != y { return x < y }
        if let x = a.costKey, let y = b.costKey, x != y { return x < y }
        return a.perf.throughputTokensPerS > b.perf.throughputTokensPerS
    }

    /// The ranking order: cost per million output tokens, then fewer GPUs, then lower TPOT, then name.
    /// `stored`: the checkpoint's own weight format; on a tie it goes first (no other checkpoint to find).
    public static func order(_ a: RankRow, _ b: RankRow, stored: String? = nil) -> Bool {
        if let x = a.usdPerHourAtTraffic, let y = b.usdPerHourAtTraffic, x != y { return x < y }
        let x = a.costKey ?? .infinity, y = b.costKey ?? .infinity
        if x != y { return x < y }
        if a.gpuCount != b.gpuCount { return a.gpuCount < b.gpuCount }
        if (a.tpotMs ?? 0) != (b.tpotMs ?? 0) { return (a.tpotMs ?? 0) < (b.tpotMs ?? 0) }
        if let stored, (a.weights == stored) != (b.weights == stored) { return a.weights == stored }
        return (a.gpu, a.weights) < (b.gpu, b.weights)
    }

    static func money(_ x: Double) -> String { "$" + Units.format(x, 2) }
}
