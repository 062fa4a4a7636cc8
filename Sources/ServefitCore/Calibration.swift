import Foundation

/// One published measured run (Benchmarks/calibration/measurements.json): the settings it ran
/// with and the figures it measured, with the verbatim lines and their source.
public struct MeasuredRun: Codable, Sendable {
    public var id: String
    public var sourceId: String
    public var source: String
    public var catalogModel: String?
    public var modelHF: String?
    public var gpu: String
    public var gpuCount: Int
    public var tp: Int?
    public var pp: Int?
    public var engine: String
    public var engineVersion: String?
    public var weights: String?
    public var kvDtype: String?
    /// serving | offline | latency | pp | tg
    public var mode: String
    public var inputLen: Int?
    public var outputLen: Int?
    public var batch: Int?
    public var concurrency: Int?
    public var requestRate: Double?
    public var numPrompts: Int?
    public var nCtxDepth: Int?
    /// The server's cap on sequences in flight (`--max-num-seqs`, `max_batch_size`) when the run set one.
    public var maxNumSeqs: Int?
    /// Where the prompts came from: "sharegpt" (real conversations: output lengths vary, with a
    /// long tail) or nil (fixed lengths, the random dataset or a fixed batch).
    public var dataset: String?
    /// Attention run data-parallel over this many ranks (SGLang --enable-dp-attention,
    /// TensorRT-LLM enable_attention_dp), and experts split over `ep` ranks, when the run did so.
    /// Attention data parallelism is priced (`PerfRequest.attentionDataParallel`); expert
    /// parallelism moves the same bytes and FLOPs per rank as TP in this model.
    public var attentionDP: Int?
    public var ep: Int?
    /// false when the run turned CUDA graphs off (eager launches).
    public var cudaGraphs: Bool?
    public var measured: [String: Double]
    public var verbatim: String?
    public var notes: String?

    enum CodingKeys: String, CodingKey {
        case id, sourceId = "source_id", source, catalogModel = "catalog_model", modelHF = "model_hf", gpu, gpuCount = "gpu_count"
        case tp, pp, engine, engineVersion = "engine_version", weights, kvDtype = "kv_dtype", mode, inputLen = "input_len"
        case outputLen = "output_len", batch, concurrency, requestRate = "request_rate", numPrompts = "num_prompts"
        case nCtxDepth = "n_ctx_depth", maxNumSeqs = "max_num_seqs", dataset, measured, verbatim, notes
        case attentionDP = "attention_dp", ep, cudaGraphs = "cuda_graphs"
    }
}

public struct MeasurementSet: Codable, Sendable {
    public var entries: [MeasuredRun]
}

/// One predicted figure beside its measurement.
public struct CalibrationPoint: Codable, Sendable, Equatable {
    public var id: String
    public var source: String
    public var engine: String
    public var vendor: String
    public var metric: String
    public var measured: Double
    public var predicted: Double
    /// max(p/m, m/p): 1 is exact.
    public var factor: Double { max(predicted / measured, measured / predicted) }
    public var logRatio: Double { log(predicted / measured) }
}

/// The figures the model is scored on: one per run, the one the run is about.
public enum Calibration {
    /// The metric a mode is judged by, in order of preference.
    static let primary: [String: [String]] = [
        "tg": ["tg_tok_s"], "pp": ["pp_tok_s"], "latency": ["e2e_latency_s", "output_tok_s"],
        "offline": ["output_tok_s", "total_tok_s", "req_s"], "serving": ["output_tok_s", "tpot_ms_median", "total_tok_s", "req_s"],
    ]
    /// Secondary figures also scored where measured: time per output token under load. TTFT is
    /// not fitted: under a burst of concurrent prompts it is dominated by each engine's admission
    /// and chunking policy of its day; at a request rate it is checked apart (`ttftAtRatePoints`).
    static let secondary = ["tpot_ms_median"]

    /// Under attention DP, how many times the engine's batch cap the deployment holds: TensorRT-LLM's
    /// max_batch_size is per rank and vLLM's max_num_seqs per data-parallel engine (as their launch
    /// lines say); SGLang's max_running_requests is the deployment's, divided over the groups.
    static func batchCapGroups(_ e: Engine, dp: Int) -> Int {
        AttentionDP.concurrencyFlagCountsPerGroup(e) ? max(1, dp) : 1
    }

    /// The engine's default cap on sequences in flight: vLLM's --max-num-seqs of the run's release
    /// on that GPU (256 on V0; 1024 on large Hopper-class parts from V1: `VLLMRelease.profileDefaults`),
    /// TensorRT-LLM max_batch_size 2048, SGLang max_running_requests large.
    static func engineMaxBatch(_ e: Engine, vllm: (batchedTokens: Int, seqs: Int)) -> Int {
        switch e {
        case .trtllm: return 2048
        case .sglang: return 4096
        case .vllm: return vllm.seqs
        default: return 512
        }
    }

    /// Predicts `m`'s figures with the model and `a`. Nil when the run names what the catalog lacks.
    public static func predict(_ m: MeasuredRun, models: [String: Model], gpus: [String: GPU], _ a: PerfAssumptions) -> [CalibrationPoint]? {
        prepare(m, models: models, gpus: gpus).flatMap { predict($0, a) }
    }

    /// What predicting a run needs that no fitted term changes: its catalog model and GPU,
    /// parameter count, weight traffic and the sequences its KV pool holds. Built once per run,
    /// not once per step of the fit.
    struct Prepared: Sendable {
        var run: MeasuredRun
        var model: Model
        var gpu: GPU
        var engine: Engine
        var weights: WeightFormat
        var kv: KVDType
        var tp: Int
        var pp: Int
        var pc: ParamCount
        var traffic: PerformanceModel.WeightTraffic
        /// Sequences of input + output tokens that fit in the engine's KV pool.
        var capacity: Int
        /// The engine's default cap on sequences in flight for this run's release and GPU.
        var defaultMaxBatch: Int
        /// The engine's default tokens a step when it mixes prompt chunks with decodes (vLLM V1's
        /// max_num_batched_tokens for this release and GPU); nil when it does not.
        var tokenBudget: Int?
    }

    static func prepare(_ m: MeasuredRun, models: [String: Model], gpus: [String: GPU]) -> Prepared? {
        guard let slug = m.catalogModel, let model = models[slug], let gpu = gpus[m.gpu], let engine = try? Engine.parse(m.engine) else { return nil }
        let wname = (m.weights ?? "fp16").lowercased() == "int4-awq" ? "awq" : (m.weights ?? "fp16")
        guard let weights = try? WeightFormat.parse(wname) else { return nil }
        let kv = (try? KVDType.parse(m.kvDtype ?? "fp16")) ?? .fp16
        let tp = m.tp ?? (engine == .llamaCpp ? 1 : m.gpuCount)
        let pp = m.pp ?? max(1, m.gpuCount / max(1, tp))
        guard let pc = try? ParamCounter.count(model) else { return nil }
        var r = PerfRequest(model: model, gpu: gpu)
        r.weights = weights
        let traffic = PerformanceModel.traffic(r, pc)
        var e = EstimateRequest(model: model)
        e.weights = weights; e.kvDType = kv; e.engine = engine.isPagedServer ? engine : .vllm
        e.context = max(1, (m.inputLen ?? 1024) + (m.outputLen ?? 256)); e.gpus = tp * pp; e.tensorParallel = tp; e.pipelineParallel = pp
        e.gpuMemoryBytes = gpu.memoryBytes; e.gpuVisibleMemoryBytes = gpu.visibleMemoryBytes; e.paramCount = pc
        e.gpuMemoryUtilization = 0.9
        // Attention data parallelism: the estimator sizes each group's own pool (the engine's
        // weight layout, the KV width of the group) as it does for `estimate --attention-dp`.
        e.attentionDataParallel = min(tp, max(1, m.attentionDP ?? 1))
        var capacity = 1
        var plain = e
        plain.attentionDataParallel = 1
        if let est = (try? Estimator.estimate(e)) ?? (try? Estimator.estimate(plain)), let c = est.maxConcurrency {
            capacity = max(1, Int(min(1e6, c.rounded(.down))))
        }
        let release = m.engineVersion.flatMap { try? VLLMRelease.parse($0) } ?? .current
        let vllm = release.profileDefaults(maxModelLen: 8192, gpuMemoryBytes: gpu.visibleMemoryBytes, gpuName: gpu.name)
        return Prepared(run: m, model: model, gpu: gpu, engine: engine, weights: weights, kv: kv, tp: tp, pp: pp, pc: pc,
                        traffic: traffic, capacity: capacity, defaultMaxBatch: engineMaxBatch(engine, vllm: vllm) * batchCapGroups(engine, dp: e.attentionDataParallel),
                        tokenBudget: engine == .vllm && release.isV1 ? vllm.batchedTokens : nil)
    }

    /// The run's deployment at a batch and lengths, with `a`.
    static func performance(_ prepared: Prepared, _ a: PerfAssumptions, batch: Int, input: Int, output: Int) -> Performance? {
        var r = PerfRequest(model: prepared.model, gpu: prepared.gpu)
        r.weights = prepared.weights; r.kvDType = prepared.kv; r.engine = prepared.engine
        r.tensorParallel = prepared.tp; r.pipelineParallel = prepared.pp; r.tokenBudget = prepared.tokenBudget
        r.attentionDataParallel = min(prepared.tp, max(1, prepared.run.attentionDP ?? 1))
        r.batch = max(1, batch); r.inputTokens = input; r.outputTokens = output; r.assumptions = a; r.paramCount = prepared.pc
        return try? PerformanceModel.evaluate(r, traffic: prepared.traffic)
    }

    /// The sequences in flight a run allows: its KV pool, its engine's cap, its prompts.
    static func batchCap(_ prepared: Prepared) -> Int {
        let m = prepared.run
        return min(prepared.capacity, m.maxNumSeqs ?? prepared.defaultMaxBatch, m.numPrompts ?? Int.max)
    }

    /// Median TTFT of the runs driven by a request rate, against `PerformanceModel.atRate`'s p50
    /// (Poisson arrivals, the wait for prompts ahead included). Not fitted: a check of the
    /// queueing model on data it was not built from.
    public static func ttftAtRatePoints(_ set: [MeasuredRun], models: [String: Model], gpus: [String: GPU], _ a: PerfAssumptions) -> [CalibrationPoint] {
        set.compactMap { prepare($0, models: models, gpus: gpus) }.compactMap { p -> CalibrationPoint? in
            let m = p.run
            guard m.mode == "serving", m.concurrency == nil, let rate = m.requestRate, rate > 0, let measured = m.measured["ttft_ms_median"], measured > 0 else { return nil }
            let input = m.inputLen ?? 1024, output = m.outputLen ?? 256
            guard let f = PerformanceModel.atRate(rate, maxBatch: batchCap(p), outputTokens: output, { performance(p, a, batch: $0, input: input, output: output) }),
                  let predicted = f.ttftP50Ms, predicted > 0, predicted.isFinite else { return nil }
            return CalibrationPoint(id: m.id, source: m.sourceId, engine: m.engine, vendor: p.gpu.arch?.family == .rocm ? "AMD" : "NVIDIA",
                                    metric: "ttft_ms_median", measured: measured, predicted: predicted)
        }
    }

    static func predict(_ prepared: Prepared, _ a: PerfAssumptions) -> [CalibrationPoint]? {
        let m = prepared.run, gpu = prepared.gpu
        func perf(batch: Int, input: Int, output: Int) -> Performance? {
            performance(prepared, a, batch: batch, input: input, output: output)
        }
        var predicted: [String: Double] = [:]
        let input = m.inputLen ?? 1024, output = m.outputLen ?? 256
        switch m.mode {
        case "tg":
            let depth = m.nCtxDepth ?? 0
            guard let p = perf(batch: 1, input: max(1, depth), output: output), p.tpotMs > 0 else { return nil }
            predicted["tg_tok_s"] = 1000 / p.tpotMs
        case "pp":
            guard let p = perf(batch: 1, input: input, output: 1), p.prefillMs > 0 else { return nil }
            predicted["pp_tok_s"] = Double(input) / (p.prefillMs / 1000)
        case "latency":
            let b = m.batch ?? 1
            guard let p = perf(batch: b, input: input, output: output) else { return nil }
            let e2e = (Double(b) * p.prefillMs + Double(output) * p.tpotMs) / 1000
            predicted["e2e_latency_s"] = e2e
            predicted["output_tok_s"] = Double(b * output) / e2e
        default:
            // offline and serving: continuous batching at the concurrency the run allows and the KV pool holds.
            let cap = batchCap(prepared)
            var b = min(cap, m.concurrency ?? m.batch ?? m.numPrompts ?? cap)
            let rate = m.mode == "serving" && m.concurrency == nil ? m.requestRate.flatMap { $0 > 0 ? $0 : nil } : nil
            if let rate {
                // Little's law: in flight = arrival rate × time in system, solved by iteration.
                var inFlight = 1.0
                for _ in 0..<30 {
                    guard let p = perf(batch: max(1, Int(inFlight.rounded())), input: input, output: output) else { break }
                    let t = (p.ttftMs + Double(output) * p.tpotMs) / 1000
                    inFlight = min(Double(cap), max(1, rate * t))
                }
                b = max(1, Int(inFlight.rounded()))
            }
            guard let p = perf(batch: b, input: input, output: output) else { return nil }
            var out = p.throughputTokensPerS
            if rate == nil, m.dataset == "sharegpt", let n = m.numPrompts, n > 1, b >= n {
                out = drainThroughput(n: n, input: input, meanOutput: output) { perf(batch: $0, input: input, output: output) } ?? out
            }
            if let rate {
                out = min(out, rate * Double(output))
                // A finite run: n requests arrive over (n − 1) / rate seconds and the last one
                // still has to be served, so the whole run's rate is below the steady state.
                if let n = m.numPrompts, n > 0 {
                    let served = Double(n) * Double(output)
                    let duration = max(Double(n - 1) / rate + (p.ttftMs + Double(output) * p.tpotMs) / 1000, served / max(1e-9, out))
                    out = served / duration
                }
            }
            predicted["output_tok_s"] = out
            predicted["req_s"] = out / Double(max(1, output))
            predicted["total_tok_s"] = out * Double(input + output) / Double(max(1, output))
            predicted["tpot_ms_median"] = p.tpotMs
            predicted["ttft_ms_median"] = p.ttftMs
            predicted["e2e_latency_s"] = (p.ttftMs + Double(output) * p.tpotMs) / 1000
        }
        let vendor = gpu.arch?.family == .rocm ? "AMD" : "NVIDIA"
        var keys: [String] = []
        if let k = (primary[m.mode] ?? []).first(where: { m.measured[$0] != nil && predicted[$0] != nil }) { keys.append(k) }
        for k in secondary where !keys.contains(k) && m.measured[k] != nil && predicted[k] != nil && m.mode == "serving" { keys.append(k) }
        let points = keys.compactMap { k -> CalibrationPoint? in
            guard let v = m.measured[k], let p = predicted[k], v > 0, p > 0, p.isFinite else { return nil }
            return CalibrationPoint(id: m.id, source: m.sourceId, engine: m.engine, vendor: vendor, metric: k, measured: v, predicted: p)
        }
        return points
    }

    /// Output tokens per second of a burst of `n` prompts sent at once whose output lengths vary
    /// the way conversation datasets' do (ShareGPT: roughly exponential about the mean, at most
    /// 2,048 tokens): the batch shrinks as requests finish, and the run lasts until the longest
    /// one ends, so it averages far below the steady state at batch n.
    static func drainThroughput(n: Int, input: Int, meanOutput: Int, _ perf: (Int) -> Performance?) -> Double? {
        let mu = Double(max(1, meanOutput)), cap = 2048.0
        // Output lengths at the n quantiles of the exponential, longest first.
        let lengths = (0..<n).map { i in min(cap, max(1, (-mu * log(1 - (Double(i) + 0.5) / Double(n))).rounded())) }.sorted(by: >)
        // Decode step time at a batch, from a geometric grid of batches, interpolated.
        var grid: [(Int, Double)] = []
        var g = 1
        while g < n { grid.append((g, 0)); g *= 2 }
        grid.append((n, 0))
        for i in grid.indices { guard let p = perf(grid[i].0) else { return nil }; grid[i].1 = p.decodeStepMs / 1000 }
        guard let full = perf(n), full.requestsPerS > 0 else { return nil }
        func step(_ b: Int) -> Double {
            guard let hi = grid.firstIndex(where: { $0.0 >= b }) else { return grid.last!.1 }
            if hi == 0 || grid[hi].0 == b { return grid[hi].1 }
            let (b0, t0) = grid[hi - 1], (b1, t1) = grid[hi]
            return t0 + (t1 - t0) * Double(b - b0) / Double(b1 - b0)
        }
        // Steps 1…longest: at step t the requests whose length is ≥ t are still decoding.
        // Between two lengths the batch is constant: one step time for the whole stretch.
        var seconds = 0.0, active = n, t = 1.0
        for l in lengths.reversed() {
            if l >= t { seconds += (l - t + 1) * step(active); t = l + 1 }
            active -= 1
        }
        // The n prompts' prefills (chunked), as the steady state counts them.
        let prefill = max(0, Double(n) / full.requestsPerS - Double(meanOutput) * full.decodeStepMs / 1000)
        let tokens = lengths.reduce(0, +)
        return tokens / (seconds + prefill)
    }

    public static func points(_ set: [MeasuredRun], models: [String: Model], gpus: [String: GPU], _ a: PerfAssumptions) -> [CalibrationPoint] {
        points(set.compactMap { prepare($0, models: models, gpus: gpus) }, a)
    }

    static func points(_ set: [Prepared], _ a: PerfAssumptions) -> [CalibrationPoint] {
        set.flatMap { predict($0, a) ?? [] }
    }

    public struct Summary: Codable, Sendable, Equatable {
        public var count: Int
        public var within125: Double
        public var within15: Double
        public var medianFactor: Double
        public var worstFactor: Double
    }

    public static func summary(_ p: [CalibrationPoint]) -> Summary {
        let f = p.map(\.factor).sorted()
        guard !f.isEmpty else { return Summary(count: 0, within125: 0, within15: 0, medianFactor: 1, worstFactor: 1) }
        let median = f.count % 2 == 1 ? f[f.count / 2] : (f[f.count / 2 - 1] + f[f.count / 2]) / 2
        return Summary(count: f.count, within125: Double(f.filter { $0 <= 1.25 }.count) / Double(f.count),
                       within15: Double(f.filter { $0 <= 1.5 }.count) / Double(f.count), medianFactor: median, worstFactor: f.last!)
    }

    // MARK: fitting

    /// The fitted terms, as a vector (log of each, so every one stays positive).
    static let engineKeys = ["vllm/rocm", "sglang/cuda", "sglang/rocm", "trtllm/cuda", "llama.cpp/cuda", "llama.cpp/rocm",
                             "vllm/cuda/prefill", "vllm/rocm/prefill", "sglang/cuda/prefill", "sglang/rocm/prefill", "trtllm/cuda/prefill",
                             "llama.cpp/cuda/prefill", "llama.cpp/rocm/prefill", "sglang/moe", "trtllm/moe", "llama.cpp/moe"]

    static func vector(_ a: PerfAssumptions) -> [Double] {
        [a.bandwidthEfficiency, a.computeEfficiency, a.gemmHalfTokens, a.layerOverheadUs, a.allReduceLatencyUs, a.stepOverheadMs, a.moeFactor,
         a.moeLayerOverheadUs, a.sequenceOverheadUs, a.mlaLayerOverheadUs].map { log(max(1e-6, $0)) } + engineKeys.map { log(a.engineFactors[$0] ?? 1) }
    }

    static func assumptions(_ v: [Double]) -> PerfAssumptions {
        var a = PerfAssumptions()
        let e = v.map { exp($0) }
        a.bandwidthEfficiency = min(1, e[0]); a.computeEfficiency = min(1, e[1]); a.gemmHalfTokens = min(1e5, e[2])
        a.layerOverheadUs = min(1e4, e[3]); a.allReduceLatencyUs = min(1e4, e[4]); a.stepOverheadMs = min(1e3, e[5]); a.moeFactor = min(20, e[6])
        a.moeLayerOverheadUs = min(1e5, e[7]); a.sequenceOverheadUs = min(1e4, e[8]); a.mlaLayerOverheadUs = min(1e5, e[9])
        var f: [String: Double] = ["vllm/cuda": 1]
        for (i, k) in engineKeys.enumerated() { f[k] = min(20, e[10 + i]) }
        a.engineFactors = f
        return a
    }

    /// Mean squared log-ratio, each source weighted equally (so one large table does not decide
    /// the fit), with a Huber tail so a single odd run cannot pull it.
    public static func loss(_ set: [MeasuredRun], models: [String: Model], gpus: [String: GPU], _ a: PerfAssumptions) -> Double {
        loss(set.compactMap { prepare($0, models: models, gpus: gpus) }, a)
    }

    static func loss(_ set: [Prepared], _ a: PerfAssumptions) -> Double {
        let p = points(set, a)
        guard !p.isEmpty else { return .infinity }
        let bySource = Dictionary(grouping: p, by: \.source)
        var total = 0.0
        for (_, ps) in bySource {
            let l = ps.map { x -> Double in let r = abs(x.logRatio); return r < 0.4 ? r * r : 0.8 * r - 0.16 }.reduce(0, +)
            total += l / Double(ps.count)
        }
        return total / Double(bySource.count) + 0.3 * prior(a) / Double(bySource.count)
    }

    /// What the physics says before any data: efficiencies near what kernels reach on paper
    /// (bandwidth 0.8, large GEMMs 0.6), engine factors near 1, grouped-GEMM MoE near 1.5× a dense
    /// layer plus ~100 µs a MoE layer for routing and its extra kernels — each a Gaussian in log
    /// space, so data can move a term only as far as it has evidence for.
    public static func prior(_ a: PerfAssumptions) -> Double {
        func sq(_ x: Double, _ centre: Double, _ sigma: Double) -> Double { let d = log(max(1e-9, x) / centre) / sigma; return d * d }
        var p = sq(a.bandwidthEfficiency, 0.8, 0.15) + sq(a.computeEfficiency, 0.6, 0.3) + sq(a.gemmHalfTokens, 64, 1.5)
            + sq(a.layerOverheadUs, 10, 1.5) + sq(a.allReduceLatencyUs, 15, 1) + sq(a.stepOverheadMs, 1, 1.5) + sq(a.moeFactor, 1.25, 0.7)
            + sq(a.moeLayerOverheadUs, 100, 1.0) + sq(a.sequenceOverheadUs, 20, 1.5) + sq(a.mlaLayerOverheadUs, 50, 1.5)
        for k in engineKeys { p += sq(a.engineFactors[k] ?? 1, 1, 0.5) }
        return p
    }

    /// Nelder–Mead over the log of every term, from `start`.
    public static func fit(_ set: [MeasuredRun], models: [String: Model], gpus: [String: GPU], start: PerfAssumptions = .physicsPrior,
                           iterations: Int = 1500) -> PerfAssumptions {
        fit(set.compactMap { prepare($0, models: models, gpus: gpus) }, start: start, iterations: iterations)
    }

    static func fit(_ set: [Prepared], start: PerfAssumptions, iterations: Int) -> PerfAssumptions {
        let x0 = vector(start)
        let n = x0.count
        func f(_ v: [Double]) -> Double { loss(set, assumptions(v)) }
        var simplex = [x0] + (0..<n).map { i -> [Double] in var v = x0; v[i] += 0.4; return v }
        var values = simplex.map(f)
        for _ in 0..<iterations {
            let order = values.indices.sorted { values[$0] < values[$1] }
            simplex = order.map { simplex[$0] }; values = order.map { values[$0] }
            if values[n] - values[0] < 1e-7 { break }
            let centroid = (0..<n).map { j in simplex[0..<n].map { $0[j] }.reduce(0, +) / Double(n) }
            func along(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let xr = along(-1), fr = f(xr)
            if fr < values[0] {
                let xe = along(-2), fe = f(xe)
                if fe < fr { simplex[n] = xe; values[n] = fe } else { simplex[n] = xr; values[n] = fr }
            } else if fr < values[n - 1] {
                simplex[n] = xr; values[n] = fr
            } else {
                let xc = along(fr < values[n] ? -0.5 : 0.5), fc = f(xc)
                if fc < min(fr, values[n]) { simplex[n] = xc; values[n] = fc } else {
                    for i in 1...n {
                        simplex[i] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[i][$0] - simplex[0][$0]) }
                        values[i] = f(simplex[i])
                    }
                }
            }
        }
        let best = values.indices.min { values[$0] < values[$1] }!
        return assumptions(simplex[best])
    }

    /// Leave-one-source-out: each source predicted by a fit on all the others.
    public static func leaveOneSourceOut(_ set: [MeasuredRun], models: [String: Model], gpus: [String: GPU], start: PerfAssumptions,
                                         iterations: Int = 800) -> [CalibrationPoint] {
        let sources = Array(Set(set.map(\.sourceId))).sorted()
        let prepared = set.compactMap { prepare($0, models: models, gpus: gpus) }
        // One fit per source, on every core.
        return ParallelSlots.map(sources.count, []) { i -> [CalibrationPoint] in
            let s = sources[i]
            let a = fit(prepared.filter { $0.run.sourceId != s }, start: PerfAssumptions.physicsPrior, iterations: iterations)
            return points(prepared.filter { $0.run.sourceId == s }, a)
        }.flatMap { $0 }
    }
}

extension PerfAssumptions {
    /// The prior's centre: where every fit starts.
    public static var physicsPrior: PerfAssumptions {
        var a = PerfAssumptions()
        a.bandwidthEfficiency = 0.8; a.computeEfficiency = 0.6; a.gemmHalfTokens = 64; a.layerOverheadUs = 10
        a.allReduceLatencyUs = 15; a.stepOverheadMs = 1; a.moeFactor = 1.25; a.moeLayerOverheadUs = 100
        a.sequenceOverheadUs = 20; a.mlaLayerOverheadUs = 50
        a.engineFactors = ["vllm/cuda": 1]
        return a
    }
}
