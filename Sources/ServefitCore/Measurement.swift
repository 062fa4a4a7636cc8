import Foundation

/// One run a team measured (a benchmark result or an engine's start-up log), tied to a catalog
/// model and GPU: the settings it ran with and the figures it saw. What `servefit measure import`
/// stores and `measure check` / `calibrate` read.
public struct MeasurementRecord: Codable, Sendable, Equatable {
    public var id: Int64?
    public var model: String
    public var variant: String?
    public var gpu: String
    public var gpuCount: Int
    public var engine: String
    public var engineVersion: String?
    public var kind: EngineRun.Kind
    /// Which reader parsed it ("vllm-bench-serve-json", "llama-bench-csv", "vllm-startup-log", …).
    public var format: String
    public var settings: [String: String]
    public var figures: [String: Double]
    /// For a failed start-up, the engine's own error line.
    public var error: String?
    /// SHA-256 of the file it came from, and the run's position in it: a file imported twice is a duplicate.
    public var sourceSHA256: String
    public var runIndex: Int
    public var sourceName: String?
    public var actor: String?
    public var createdAt: String?

    public init(model: String, gpu: String, gpuCount: Int, engine: String, kind: EngineRun.Kind, format: String,
                settings: [String: String] = [:], figures: [String: Double] = [:], sourceSHA256: String, runIndex: Int = 0) {
        self.model = model; self.gpu = gpu; self.gpuCount = gpuCount; self.engine = engine; self.kind = kind
        self.format = format; self.settings = settings; self.figures = figures; self.sourceSHA256 = sourceSHA256; self.runIndex = runIndex
    }

    enum CodingKeys: String, CodingKey {
        case id, model, variant, gpu, gpuCount = "gpu_count", engine, engineVersion = "engine_version", kind, format
        case settings, figures, error, sourceSHA256 = "source_sha256", runIndex = "run_index", sourceName = "source_name"
        case actor, createdAt = "created_at"
    }

    /// "sha256-prefix#index": how the CLI and the change log name a measurement.
    public var key: String { "\(sourceSHA256.prefix(12))#\(runIndex)" }

    public func validate() throws {
        try Model.validateSlug(model)
        guard gpuCount >= 1, gpuCount <= 4096 else { throw CoreError.invalidInput("measurement gpu_count must be 1-4096 (got \(gpuCount))") }
        guard (try? Engine.parse(engine)) != nil else { throw CoreError.invalidInput("measurement engine '\(engine.prefix(40))' is not one servefit models") }
        guard sourceSHA256.count == 64, sourceSHA256.allSatisfy({ $0.isHexDigit }) else { throw CoreError.invalidInput("source_sha256 must be 64 hex digits") }
        guard settings.count <= 64, figures.count <= 128 else { throw CoreError.invalidInput("a measurement has at most 64 settings and 128 figures") }
        for (k, v) in settings where k.utf8.count > 64 || v.utf8.count > 256 {
            throw CoreError.invalidInput("setting '\(k.prefix(64))' is too long (keys 64, values 256 bytes)")
        }
        for (k, v) in figures where k.utf8.count > 64 || !v.isFinite || v < 0 || v > 1.2e18 {
            throw CoreError.invalidInput("figure '\(k.prefix(64))' must be a finite number from 0 to 1.2e18 (got \(v))")
        }
        if let e = error, e.utf8.count > 2048 { throw CoreError.invalidInput("a measurement's error line is at most 2048 bytes") }
    }

    func setting(_ keys: String...) -> String? { keys.lazy.compactMap { self.settings[$0] }.first }
    func int(_ keys: String...) -> Int? {
        for k in keys { if let s = settings[k], let d = Numbers.decimal(s), d >= 0, d < 1e9, d == d.rounded() { return Int(d) } }
        return nil
    }
    func double(_ keys: String...) -> Double? {
        for k in keys { if let s = settings[k], let d = Numbers.decimal(s), d < 1e12 { return d } }
        return nil
    }
}

/// Ties what a file says ("meta-llama/Llama-3.1-8B-Instruct", "NVIDIA H100 80GB HBM3") to catalog
/// names; what it cannot tie is refused with the names it could have meant.
public enum MeasurementMatch {
    public struct ModelName: Sendable { public var slug: String; public var hfRepo: String?; public init(slug: String, hfRepo: String?) { self.slug = slug; self.hfRepo = hfRepo } }

    public static func model(_ said: String?, flag: String?, in models: [ModelName]) throws -> String {
        if let f = flag {
            if let m = models.first(where: { $0.slug == f || $0.hfRepo?.lowercased() == f.lowercased() }) { return m.slug }
            throw CoreError.unknownName(kind: "model", name: f, known: models.map(\.slug))
        }
        guard let raw = said?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            throw CoreError.invalidInput("the file does not name its model: give --model")
        }
        let s = raw.lowercased()
        if let m = models.first(where: { $0.slug == s || $0.hfRepo?.lowercased() == s }) { return m.slug }
        // A local path or a cache directory ending in the repository's name (…/Llama-3.1-8B-Instruct,
        // models--org--name/snapshots/…).
        let parts = s.split(whereSeparator: { $0 == "/" || $0 == "\\" }).map(String.init)
        for p in parts.reversed() {
            // The Hub cache joins organisation and name with "--" (names themselves hold single dashes).
            let name = p.hasPrefix("models--") ? p.components(separatedBy: "--").last ?? p : p
            let hits = models.filter { m in m.hfRepo.map { $0.lowercased().split(separator: "/").last.map(String.init) == name } ?? false }
            if hits.count == 1 { return hits[0].slug }
            if models.contains(where: { $0.slug == name }) { return name }
        }
        let candidates = models.map(\.slug) + models.compactMap(\.hfRepo)
        throw CoreError.invalidInput("the file's model '\(raw.prefix(120))' is not in the catalog\(Suggest.hint(parts.last ?? s, in: candidates)): give --model")
    }

    /// The catalog GPU a device name means: every token of the slug (h100, sxm) in the name, or
    /// the one GPU whose family token (h100) and memory (80GB) it names.
    public static func gpu(_ said: String?, flag: String?, in gpus: [GPU]) throws -> String {
        if let f = flag {
            if gpus.contains(where: { $0.slug == f }) { return f }
            throw CoreError.unknownName(kind: "GPU", name: f, known: gpus.map(\.slug))
        }
        guard let raw = said?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            throw CoreError.invalidInput("the file does not name its GPU: give --gpu")
        }
        let tokens = Set(raw.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init))
        // A part the name adds that the slug lacks (RTX 3090 Ti is not an RTX 3090) rules the slug out.
        let variants: Set<String> = ["ti", "super", "max", "nvl", "pcie", "sxm", "sxm4", "sxm5", "mini", "xt"]
        let full = gpus.filter { g in
            let parts = Set(g.slug.split(separator: "-").map(String.init))
            return parts.allSatisfy { tokens.contains($0) } && tokens.intersection(variants).isSubset(of: parts)
        }
        if full.count == 1 { return full[0].slug }
        let family = (full.isEmpty ? gpus : full).filter { g in g.slug.split(separator: "-").first.map { tokens.contains(String($0)) } ?? false }
        let gib = tokens.compactMap { t -> Int? in t.hasSuffix("gb") ? Int(t.dropLast(2)) : nil }.first
        let sized = family.filter { g in gib.map { abs(Double(g.memoryBytes) / 1e9 - Double($0)) / Double($0) < 0.1 || abs(Double(g.memoryBytes) / Double(Units.GiB) - Double($0)) < 2 } ?? true }
        if sized.count == 1 { return sized[0].slug }
        if family.count == 1 { return family[0].slug }
        let options = (sized.isEmpty ? family : sized).map(\.slug)
        if options.isEmpty {
            throw CoreError.invalidInput("the file's GPU '\(raw.prefix(80))' is not in the catalog\(Suggest.hint(tokens.sorted().joined(separator: "-"), in: gpus.map(\.slug))): give --gpu")
        }
        throw CoreError.invalidInput("the file's GPU '\(raw.prefix(80))' could be \(options.prefix(6).joined(separator: ", ")): give --gpu")
    }

    /// What a face says beside the file (`measure import`'s flags, the API body's fields).
    public struct Given: Sendable {
        public var model: String?, gpu: String?, variant: String?, gpuCount: Int?, engineVersion: String?
        public init(model: String? = nil, gpu: String? = nil, variant: String? = nil, gpuCount: Int? = nil, engineVersion: String? = nil) {
            self.model = model; self.gpu = gpu; self.variant = variant; self.gpuCount = gpuCount; self.engineVersion = engineVersion
        }
    }

    /// One file's bytes read, fingerprinted and tied to the catalog: what every face stores.
    public static func read(_ data: Data, name: String?, given: Given, models: [ModelName], gpus: [GPU]) throws -> [MeasurementRecord] {
        let runs = try EngineOutputs.parse(data, name: name)
        return try measurements(runs, sha256: Digest.sha256Hex(data), sourceName: name, model: given.model, gpu: given.gpu, variant: given.variant,
                                gpuCount: given.gpuCount, engineVersion: given.engineVersion, models: models, gpus: gpus)
    }

    /// The measurements of one parsed file: each run tied to the catalog (flags win over what the
    /// file says), all or none.
    public static func measurements(_ runs: [EngineRun], sha256: String, sourceName: String?, model: String?, gpu: String?, variant: String?,
                                    gpuCount: Int?, engineVersion: String?, models: [ModelName], gpus: [GPU]) throws -> [MeasurementRecord] {
        try runs.enumerated().map { i, r in
            var m = MeasurementRecord(model: try Self.model(r.model, flag: model, in: models), gpu: try Self.gpu(r.gpu, flag: gpu, in: gpus),
                                gpuCount: 1, engine: r.engine, kind: r.kind, format: r.format, settings: r.settings, figures: r.figures,
                                sourceSHA256: sha256, runIndex: i)
            m.gpuCount = gpuCount ?? r.gpuCount ?? m.int("tensor_parallel", "tensor_parallel_size", "tp").map { $0 * (m.int("pipeline_parallel", "pp") ?? 1) } ?? 1
            m.engineVersion = engineVersion ?? r.engineVersion
            m.variant = variant
            m.error = r.error
            m.sourceName = sourceName.map { String($0.suffix(256)) }
            try m.validate()
            return m
        }
    }
}

extension MeasurementRecord {
    /// The run in the calibration data's terms, so `measure check` scores it exactly as
    /// `servefit-bench calibrate` scores the published runs (`Calibration.predict`).
    public func asMeasuredRun() -> MeasuredRun? {
        var out = MeasuredRun(id: key, sourceId: String(sourceSHA256.prefix(12)), source: sourceName ?? "import", catalogModel: model, modelHF: nil,
                              gpu: gpu, gpuCount: gpuCount, tp: int("tensor_parallel", "tensor_parallel_size", "tp"), pp: int("pipeline_parallel", "pp"),
                              engine: engine, engineVersion: engineVersion, weights: setting("weights", "quantization", "type"),
                              kvDtype: setting("kv_cache_dtype", "type_k"), mode: "serving", inputLen: nil, outputLen: nil, batch: nil,
                              concurrency: nil, requestRate: nil, numPrompts: nil, nCtxDepth: nil, measured: [:], verbatim: nil, notes: nil)
        // The engines' dtype spellings of unquantised weights, in --weights' terms.
        switch out.weights?.lowercased() {
        case "auto", "none", "bfloat16": out.weights = "bf16"
        case "float16", "half": out.weights = "fp16"
        default: break
        }
        out.inputLen = int("input_len", "random_input_len", "n_prompt", "isl")
        out.outputLen = int("output_len", "random_output_len", "n_gen", "osl")
        out.numPrompts = int("num_prompts")
        // What the run served, where the settings do not say: its request count and the mean
        // prompt and output lengths (total tokens ÷ completed requests).
        if let done = figures["completed"], done >= 1, done < 1e9 {
            if out.numPrompts == nil { out.numPrompts = Int(done) }
            if out.inputLen == nil, let t = figures["total_input_tokens"], t >= 0, t < 1e15 { out.inputLen = max(1, Int((t / done).rounded())) }
            if out.outputLen == nil, let t = figures["total_output_tokens"], t >= 0, t < 1e15 { out.outputLen = max(1, Int((t / done).rounded())) }
        }
        out.concurrency = int("max_concurrency", "concurrency")
        out.requestRate = double("request_rate")
        out.batch = int("batch_size", "batch")
        switch kind {
        case .serving:
            out.mode = "serving"
            if let v = figures["output_tokens_per_s"] { out.measured["output_tok_s"] = v }
            if let v = figures["total_tokens_per_s"] { out.measured["total_tok_s"] = v }
            if let v = figures["tpot_ms_median"] { out.measured["tpot_ms_median"] = v }
        case .throughput:
            out.mode = "offline"
            if let v = figures["output_tokens_per_s"] { out.measured["output_tok_s"] = v }
            if let v = figures["total_tokens_per_s"] { out.measured["total_tok_s"] = v }
        case .latency:
            out.mode = "latency"
            if let v = figures["latency_s_mean"] { out.measured["e2e_latency_s"] = v }
        case .bench:
            if let v = figures["gen_tokens_per_s"] { out.mode = "tg"; out.measured["tg_tok_s"] = v; out.inputLen = nil }
            else if let v = figures["prompt_tokens_per_s"] { out.mode = "pp"; out.measured["pp_tok_s"] = v }
            out.nCtxDepth = int("n_depth")
            if out.mode == "tg" { out.outputLen = int("n_gen") ?? 128 }
        case .startup:
            return nil
        }
        return out.measured.isEmpty ? nil : out
    }
}

/// Each measurement beside servefit's prediction for the same settings (`servefit measure check`),
/// and the per-(engine, GPU) corrections a team's measurements support (`servefit calibrate`).
public enum MeasurementCheck {
    /// One figure measured and predicted.
    public struct Row: Codable, Sendable, Equatable {
        public var measurement: Int64?
        public var key: String
        public var model: String
        public var gpu: String
        public var engine: String
        public var kind: String
        public var metric: String
        public var measured: Double
        public var predicted: Double
        /// max(p/m, m/p): 1 is exact.
        public var factor: Double { max(predicted / measured, measured / predicted) }
        enum CodingKeys: String, CodingKey { case measurement, key, model, gpu, engine, kind, metric, measured, predicted, factor }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encodeIfPresent(measurement, forKey: .measurement); try c.encode(key, forKey: .key); try c.encode(model, forKey: .model)
            try c.encode(gpu, forKey: .gpu); try c.encode(engine, forKey: .engine); try c.encode(kind, forKey: .kind)
            try c.encode(metric, forKey: .metric); try c.encode(measured, forKey: .measured); try c.encode(predicted, forKey: .predicted)
            try c.encode((factor * 1000).rounded() / 1000, forKey: .factor)
        }
        public init(measurement: Int64?, key: String, model: String, gpu: String, engine: String, kind: String, metric: String, measured: Double, predicted: Double) {
            self.measurement = measurement; self.key = key; self.model = model; self.gpu = gpu; self.engine = engine; self.kind = kind
            self.metric = metric; self.measured = measured; self.predicted = predicted
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            measurement = try c.decodeIfPresent(Int64.self, forKey: .measurement); key = try c.decode(String.self, forKey: .key)
            model = try c.decode(String.self, forKey: .model); gpu = try c.decode(String.self, forKey: .gpu); engine = try c.decode(String.self, forKey: .engine)
            kind = try c.decode(String.self, forKey: .kind); metric = try c.decode(String.self, forKey: .metric)
            measured = try c.decode(Double.self, forKey: .measured); predicted = try c.decode(Double.self, forKey: .predicted)
        }
        /// Metrics where more is faster (a correction multiplies them).
        public var isThroughput: Bool { metric.hasSuffix("tok_s") || metric.hasSuffix("tokens_per_s") }
    }

    /// The figures of one measurement servefit can predict: speed through the performance model
    /// (as the published runs are scored), memory through the estimator (start-up logs).
    public static func rows(_ m: MeasurementRecord, model: Model, gpu: GPU, _ a: PerfAssumptions) -> [Row] {
        func row(_ metric: String, _ measured: Double, _ predicted: Double) -> Row? {
            guard measured > 0, predicted > 0, predicted.isFinite else { return nil }
            return Row(measurement: m.id, key: m.key, model: m.model, gpu: m.gpu, engine: m.engine, kind: m.kind.rawValue,
                       metric: metric, measured: measured, predicted: predicted)
        }
        if m.kind == .startup {
            guard m.engine == "vllm" else { return [] }
            var r = EstimateRequest(model: model)
            r.engine = .vllm
            if let v = m.engineVersion, let rel = try? VLLMRelease.parse(v) { r.engineVersion = rel }
            let tp = m.int("tensor_parallel", "tensor_parallel_size") ?? m.gpuCount
            r.gpus = m.gpuCount; r.tensorParallel = tp; r.pipelineParallel = max(1, m.gpuCount / max(1, tp))
            let total = m.figures["total_gpu_memory_bytes"].map { Int64($0) } ?? gpu.visibleMemoryBytes
            r.gpuMemoryBytes = total; r.gpuVisibleMemoryBytes = total; r.gpu = gpu
            r.gpuMemoryUtilization = m.double("gpu_memory_utilization").flatMap { $0 > 0 && $0 <= 1 ? $0 : nil } ?? 0.9
            r.context = m.int("max_model_len") ?? min(model.maxPositionEmbeddings ?? 4096, 1 << 20)
            r.allowLongContext = true
            r.maxNumBatchedTokens = m.int("max_num_batched_tokens")
            r.maxNumSeqs = m.int("max_num_seqs")
            if let q = m.setting("quantization"), let w = try? WeightFormat.parse(q == "compressed-tensors" ? "int8" : q) { r.weights = w }
            if let kv = m.setting("kv_cache_dtype"), kv != "auto", let d = try? KVDType.parse(kv) { r.kvDType = d }
            guard let e = try? Estimator.estimate(r) else { return [] }
            let w = KVCache.width(model, engine: .vllm, tp: tp, release: r.engineVersion)
            let perToken = Double((w.k + w.v) * model.layers) * r.kvDType.bytesPerElement / Double(r.pipelineParallel)
            var out: [Row] = []
            let measuredKV = m.figures["gpu_blocks"].map { $0 * 16 * perToken } ?? m.figures["kv_tokens"].map { $0 * perToken } ?? m.figures["kv_cache_bytes"]
            // A hybrid sliding-window model's token count is not memory ÷ per-token bytes: its pool
            // is compared as memory where the log prints it.
            let hybrid = KVCache.honoursWindows(model, engine: .vllm) && model.slidingLayerCount > 0 && model.slidingWindow != nil
            if hybrid, let kvb = m.figures["kv_cache_bytes"], let ours = e.kvMemoryBytes {
                if let x = row("kv_cache_bytes", kvb, Double(ours)) { out.append(x) }
            } else if let kv = measuredKV, let x = row("kv_cache_bytes", kv, Double(e.kvCapacityTokens ?? 0) * perToken) { out.append(x) }
            if let wb = m.figures["weights_bytes"], let x = row("weights_bytes_per_gpu", wb, Double(e.weightsBytesPerGPU ?? 0)) { out.append(x) }
            return out
        }
        guard let run = m.asMeasuredRun(), let points = Calibration.predict(run, models: [model.slug: model], gpus: [gpu.slug: gpu], a) else { return [] }
        return points.compactMap { row($0.metric, $0.measured, $0.predicted) }
    }

    /// Per (engine, GPU): the geometric mean of measured ÷ predicted throughput, with the median
    /// error before and after, each run corrected by a factor fitted without it (leave-one-out).
    /// Prompt processing (llama-bench pp) is corrected apart from decoding: it is compute-bound,
    /// and one engine's GEMM kernels can be faster there while its decode is slower.
    public static func calibrate(_ rows: [Row]) -> [(engine: String, gpu: String, phase: String, factor: Double, runs: Int, before: Double, after: Double?)] {
        let speed = rows.filter(\.isThroughput)
        func phase(_ r: Row) -> String { r.metric == "pp_tok_s" ? "prefill" : "decode" }
        let groups = Dictionary(grouping: speed) { "\($0.engine)@\($0.gpu)/\(phase($0))" }
        func median(_ x: [Double]) -> Double {
            let s = x.sorted()
            return s.isEmpty ? 1 : s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
        }
        return groups.keys.sorted().compactMap { k in
            let g = groups[k]!
            let logs = g.map { log($0.measured / $0.predicted) }
            let factor = exp(logs.reduce(0, +) / Double(logs.count))
            guard factor.isFinite, factor > 0.01, factor < 100 else { return nil }
            var after: Double?
            if g.count >= 2 {
                after = median(g.indices.map { i in
                    let others = logs.indices.filter { $0 != i }.map { logs[$0] }
                    let f = exp(others.reduce(0, +) / Double(others.count))
                    let p = g[i].predicted * f
                    return max(p / g[i].measured, g[i].measured / p)
                })
            }
            return (g[0].engine, g[0].gpu, phase(g[0]), factor, g.count, median(g.map(\.factor)), after)
        }
    }
}

/// Rank by what was measured: the stored run of the same deployment at a close workload.
public enum MeasuredDeployment {
    /// The weight format as --weights names it, with the engines' spellings of 16-bit folded in.
    static func format(_ w: String?) -> String {
        switch w?.lowercased() {
        case nil, "auto", "none", "bf16", "bfloat16", "fp16", "float16", "half": return "16-bit"
        case let x?: return (try? WeightFormat.parse(x).name) ?? x
        }
    }

    /// The sequences in flight: the run's own max concurrency or batch, else, for a run at a
    /// request rate, Little's law over what it measured (requests/s × mean time in the system).
    static func concurrency(_ m: MeasurementRecord, _ run: MeasuredRun) -> Int? {
        if let c = run.concurrency ?? run.batch { return c }
        guard let rps = m.figures["requests_per_s"], let ttft = m.figures["ttft_ms_mean"], let tpot = m.figures["tpot_ms_mean"],
              let o = run.outputLen, rps > 0, rps < 1e6, ttft >= 0, tpot >= 0 else { return nil }
        let inSystem = rps * (ttft + Double(max(0, o - 1)) * tpot) / 1000
        guard inSystem.isFinite, inSystem >= 0.5, inSystem < 1e6 else { return nil }
        return Int(inSystem.rounded())
    }

    /// The run that measured this row's deployment: same model, GPU, count, engine and weight
    /// format, prompt and output lengths within 25%, concurrency within ×2 of the row's batch
    /// (an offline throughput run stands for the largest batch). The closest one wins.
    public static func match(_ row: RankRow, in records: [MeasurementRecord]) -> RankRow.Measured? {
        var best: (Double, MeasurementRecord, MeasuredRun)?
        for m in records where m.kind == .serving || m.kind == .throughput {
            guard m.model == row.model, m.gpu == row.gpu, m.gpuCount == row.gpuCount, m.engine == row.engine,
                  let run = m.asMeasuredRun(), run.measured["output_tok_s"] != nil,
                  format(run.weights) == format(row.weights),
                  let i = run.inputLen, let o = run.outputLen, i > 0, o > 0 else { continue }
            func off(_ a: Double, _ b: Double) -> Double { abs(log(a / b)) }
            let di = off(Double(i), Double(max(1, row.inputTokens))), dout = off(Double(o), Double(max(1, row.outputTokens)))
            guard di <= log(1.25), dout <= log(1.25) else { continue }
            var dc = 0.0
            if let c = concurrency(m, run), c > 0, let b = row.batch {
                dc = off(Double(c), Double(b))
                guard dc <= log(2.0) else { continue }
            } else if m.kind == .serving {
                continue  // a serving run without its concurrency cannot be matched to a batch
            }
            let score = di + dout + dc
            if best == nil || score < best!.0 { best = (score, m, run) }
        }
        guard let (_, m, run) = best else { return nil }
        var out = RankRow.Measured()
        out.measurement = m.id
        out.outputTokensPerS = run.measured["output_tok_s"]
        out.tpotMs = m.figures["tpot_ms_median"] ?? m.figures["tpot_ms_mean"]
        out.ttftMs = m.figures["ttft_ms_median"] ?? m.figures["ttft_ms_mean"]
        out.concurrency = concurrency(m, run)
        out.inputTokens = run.inputLen; out.outputTokens = run.outputLen
        out.source = m.sourceName
        if let v = out.outputTokensPerS, let p = row.throughputTokensPerS, p > 0 { out.factor = (v / p * 1000).rounded() / 1000 }
        return out
    }
}
