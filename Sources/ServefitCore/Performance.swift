import Foundation

/// The terms of the performance model. Their defaults are fitted to published measurements
/// (`FittedProfile`, from Benchmarks/calibration); any of them can be overridden
/// (`--bandwidth-efficiency 0.8`, and so on).
public struct PerfAssumptions: Codable, Sendable, Equatable {
    /// Fraction of peak memory bandwidth a decode step achieves while streaming weights and KV cache.
    public var bandwidthEfficiency: Double = FittedProfile.bandwidthEfficiency
    /// Fraction of the dense tensor-core peak a large GEMM reaches.
    public var computeEfficiency: Double = FittedProfile.computeEfficiency
    /// GEMM efficiency grows with the tokens a step multiplies: efficiency × t / (t + this).
    /// Skinny decode GEMMs (a few tokens) reach a small share of the peak; prefills of thousands
    /// of tokens nearly all of it.
    public var gemmHalfTokens: Double = FittedProfile.gemmHalfTokens
    /// Fraction of the GPU-to-GPU link an all-reduce achieves.
    public var interconnectEfficiency: Double = FittedProfile.interconnectEfficiency
    /// Fixed latency of one all-reduce (launch and synchronisation), microseconds.
    public var allReduceLatencyUs: Double = FittedProfile.allReduceLatencyUs
    /// Fixed cost per layer per step (kernel launches, small ops), microseconds.
    public var layerOverheadUs: Double = FittedProfile.layerOverheadUs
    /// Fixed cost of one engine step (scheduling, sampling), milliseconds: paid once a step,
    /// however many pipeline stages the step passes.
    public var stepOverheadMs: Double = FittedProfile.stepOverheadMs
    /// Host-side cost of each sequence in a step (scheduling it, sampling and detokenising its
    /// token), microseconds: what makes a large batch of a small model slower than its GPU time.
    public var sequenceOverheadUs: Double = FittedProfile.sequenceOverheadUs
    /// Routed experts run as grouped GEMMs over scattered tokens: beyond the few rows each expert
    /// gets (counted in its GEMM efficiency), their reads and FLOPs take this many times as long
    /// as a dense layer's.
    public var moeFactor: Double = FittedProfile.moeFactor
    /// Fixed cost of one MoE layer per step (routing, top-k, token permutation, grouped-GEMM
    /// launches), microseconds.
    public var moeLayerOverheadUs: Double = FittedProfile.moeLayerOverheadUs
    /// Fixed cost of one multi-head latent attention layer per step beyond a plain attention
    /// layer's (the query and latent down-projections and their norms, the two absorbed
    /// per-head products, their launches), microseconds.
    public var mlaLayerOverheadUs: Double = FittedProfile.mlaLayerOverheadUs
    /// Software factor per engine and GPU stack ("vllm/cuda", "llama.cpp/rocm", …): step times
    /// are multiplied by it (vLLM on CUDA is the reference, 1).
    public var engineFactors: [String: Double] = FittedProfile.engineFactors
    /// One-direction GPU-to-GPU bandwidth when a GPU has no NVLink/Infinity Fabric (PCIe 4.0 x16), GB/s.
    public var pcieGBPerS: Double = 32
    /// A team's own corrections (`servefit calibrate`), keyed "engine@gpu-slug": measured ÷
    /// predicted throughput on that GPU with that engine; step times are divided by it. Not part
    /// of the JSON form (the Store keeps them and says when a ranking used them).
    public var corrections: [String: Double] = [:]

    public init() {}

    /// The stored correction for an engine on a GPU (1: none); prompt steps have their own
    /// ("engine@gpu/prefill"), else take the decode one.
    public func correction(_ e: Engine, _ g: GPU, prefill: Bool = false) -> Double {
        guard !corrections.isEmpty else { return 1 }
        let key = "\(e.rawValue)@\(g.slug)"
        return prefill ? corrections[key + "/prefill"] ?? corrections[key] ?? 1 : corrections[key] ?? 1
    }

    enum CodingKeys: String, CodingKey {
        case bandwidthEfficiency = "bandwidth_efficiency", computeEfficiency = "compute_efficiency"
        case gemmHalfTokens = "gemm_half_tokens", interconnectEfficiency = "interconnect_efficiency"
        case allReduceLatencyUs = "all_reduce_latency_us", layerOverheadUs = "layer_overhead_us"
        case stepOverheadMs = "step_overhead_ms", sequenceOverheadUs = "sequence_overhead_us", moeFactor = "moe_factor"
        case moeLayerOverheadUs = "moe_layer_overhead_us", mlaLayerOverheadUs = "mla_layer_overhead_us"
        case engineFactors = "engine_factors"
        case pcieGBPerS = "pcie_gb_per_s"
    }

    /// The software factor of an engine on a GPU's stack.
    /// The factor keys of each engine, built once ("vllm/cuda", "vllm/cuda/prefill", …).
    static let factorKeys: [Engine: [String]] = Dictionary(uniqueKeysWithValues: Engine.allCases.map { e in
        (e, ["\(e.rawValue)/cuda", "\(e.rawValue)/rocm", "\(e.rawValue)/cuda/prefill", "\(e.rawValue)/rocm/prefill"])
    })

    /// `prefill`: the factor of compute-bound prompt steps ("llama.cpp/cuda/prefill"), where an
    /// engine's GEMM kernels differ most; decode steps use the plain one.
    public func engineFactor(_ e: Engine, _ g: GPU, prefill: Bool = false) -> Double {
        guard let k = Self.factorKeys[e] else { return 1 }
        let rocm = g.isROCm
        let base = (engineFactors[rocm ? k[1] : k[0]] ?? engineFactors[k[0]] ?? 1) / correction(e, g)
        guard prefill else { return base }
        let prefillBase = engineFactors[rocm ? k[3] : k[2]] ?? engineFactors[k[2]] ?? base * correction(e, g)
        return prefillBase / correction(e, g, prefill: true)
    }

    public func validate() throws {
        func fraction(_ name: @autoclosure () -> String, _ v: Double) throws {
            if !(v.isFinite && v > 0 && v <= 1) { throw CoreError.invalidInput("\(name()) must be in (0, 1] (got \(v))") }
        }
        func nonNegative(_ name: @autoclosure () -> String, _ v: Double) throws {
            if !(v.isFinite && v >= 0 && v < 1e6) { throw CoreError.invalidInput("\(name()) must be zero or positive (got \(v))") }
        }
        func factor(_ name: @autoclosure () -> String, _ v: Double) throws {
            if !(v.isFinite && v > 0 && v < 100) { throw CoreError.invalidInput("\(name()) must be positive (got \(v))") }
        }
        try fraction("bandwidth efficiency", bandwidthEfficiency)
        try fraction("compute efficiency", computeEfficiency)
        try fraction("interconnect efficiency", interconnectEfficiency)
        try nonNegative("all-reduce latency", allReduceLatencyUs)
        try nonNegative("step overhead", stepOverheadMs)
        try nonNegative("sequence overhead", sequenceOverheadUs)
        try nonNegative("layer overhead", layerOverheadUs)
        try nonNegative("MoE layer overhead", moeLayerOverheadUs)
        try nonNegative("MLA layer overhead", mlaLayerOverheadUs)
        try nonNegative("GEMM half-efficiency tokens", gemmHalfTokens)
        try factor("MoE factor", moeFactor)
        for (k, v) in engineFactors { try factor("engine factor \(k)", v) }
        for (k, v) in corrections { try factor("calibration \(k)", v) }
        guard pcieGBPerS.isFinite, pcieGBPerS > 0, pcieGBPerS < 1e6 else { throw CoreError.invalidInput("PCIe bandwidth must be positive (got \(pcieGBPerS))") }
    }
}

/// One deployment whose speed is asked for.
public struct PerfRequest: Sendable {
    public var model: Model
    public var gpu: GPU
    public var weights: WeightFormat = .float(bits: 16)
    public var kvDType: KVDType = .fp16
    public var engine: Engine = .vllm
    public var tensorParallel = 1
    public var pipelineParallel = 1
    /// Sequences decoded together (continuous batching keeps this many in flight).
    public var batch = 1
    /// Prompt tokens per request.
    public var inputTokens = 1024
    /// Generated tokens per request.
    public var outputTokens = 256
    public var measuredWeightBytes: Int64?
    public var paramCount: ParamCount?
    /// How the instance joins its GPUs (nil: the GPU's own interconnect, PCIe where it has none).
    public var link: InstanceLink?
    /// Tokens the engine puts through one step when it mixes prompt chunks with running decodes
    /// (vLLM V1's max_num_batched_tokens); nil when prompts are prefilled in steps of their own
    /// (vLLM V0 below 32k context). It caps the sequences that can keep decoding: each step must
    /// also prefill the prompts of the sequences that replace those finishing.
    public var tokenBudget: Int?
    /// Attention run data-parallel over this many of the tensor-parallel ranks (SGLang
    /// --enable-dp-attention --dp N, TensorRT-LLM enable_attention_dp): each attention group of
    /// tp ÷ N ranks holds the attention weights whole and serves its own share of the sequences
    /// and their KV cache; the experts and MLPs stay split over all ranks. 1: plain TP.
    public var attentionDataParallel = 1
    public var assumptions = PerfAssumptions()
    public init(model: Model, gpu: GPU) { self.model = model; self.gpu = gpu }
}

/// Latency and throughput of one deployment, from the roofline model.
public struct Performance: Codable, Sendable, Equatable {
    /// Time to first token: the prompt's prefill, plus one running decode step when other sequences are in flight.
    public var ttftMs: Double
    /// Time per output token: one decode step of the whole batch.
    public var tpotMs: Double
    /// Prefill of one prompt alone.
    public var prefillMs: Double
    /// Output tokens per second of the whole deployment, prefills included.
    public var throughputTokensPerS: Double
    /// Input plus output tokens per second.
    public var totalTokensPerS: Double
    public var requestsPerS: Double
    /// Bytes one GPU reads from memory in one decode step (weights touched + KV cache).
    public var decodeBytesPerStep: Int64
    /// FLOPs one GPU does in one decode step.
    public var decodeFlopsPerStep: Double
    public var decodeBound: String
    public var prefillBound: String
    public var allReduceMsPerStep: Double
    /// The physical limit at batch 1: aggregate bandwidth ÷ bytes read per token.
    public var batch1CeilingTokensPerS: Double
    public var computeDType: String
    public var peakTFLOPS: Double
    public var notes: [String]
    /// One decode step of the batch alone, without other sequences' prefills (not in the JSON:
    /// `tpot_ms` is what a user sees).
    public var decodeStepMs: Double = 0
    /// Each term of the decode step and the prefill (`rank --explain`); not in this JSON.
    public var terms: StepTerms?

    enum CodingKeys: String, CodingKey {
        case ttftMs = "ttft_ms", tpotMs = "tpot_ms", prefillMs = "prefill_ms"
        case throughputTokensPerS = "throughput_tokens_per_s", totalTokensPerS = "total_tokens_per_s", requestsPerS = "requests_per_s"
        case decodeBytesPerStep = "decode_bytes_per_step", decodeFlopsPerStep = "decode_flops_per_step"
        case decodeBound = "decode_bound", prefillBound = "prefill_bound", allReduceMsPerStep = "all_reduce_ms_per_step"
        case batch1CeilingTokensPerS = "batch1_ceiling_tokens_per_s", computeDType = "compute_dtype", peakTFLOPS = "peak_tflops", notes
    }
}

/// The terms of one deployment's speed, as `rank --explain` shows them: a decode step is
/// max(memory, compute) plus launches, times the engine's factor, plus host work, all-reduces and
/// pipeline hand-offs; TPOT adds the share of other sequences' prefills each token waits for.
public struct StepTerms: Codable, Sendable, Equatable {
    public var batch: Int
    /// Weights touched and KV cache read, over the achieved bandwidth.
    public var memoryMs: Double
    /// GEMM and attention FLOPs over the achieved rate at this many rows (routed experts at their own).
    public var computeMs: Double
    public var decodeBound: String
    /// Per-layer and per-MoE-layer fixed costs of every stage, with the engine factor.
    public var launchesMs: Double
    /// Scheduling and sampling once a step, plus the host's work per sequence.
    public var hostMs: Double
    public var allReduceMs: Double
    public var pipelineMs: Double
    /// The engine's software factor on this GPU stack, with any team calibration.
    public var engineFactor: Double
    public var decodeStepMs: Double
    /// Other sequences' prefills each output token waits for (chunked prefill under load).
    public var othersPrefillMs: Double
    public var tpotMs: Double
    public var prefillMs: Double
    public var prefillSteps: Int
    public var prefillBound: String
    public var prefillFactor: Double
    public var bytesPerStep: Double
    public var flopsPerStep: Double
    public var achievedBandwidthGBPerS: Double
    public var layers: Int
    public var moeLayers: Int
    public var mlaLayers: Int = 0
    /// Sequences asked for beyond those the step's token budget keeps decoding (they wait).
    public var queued: Int = 0
    public var tokenBudget: Int?
    public var sequenceOverheadUs: Double
    public var stepOverheadMs: Double

    enum CodingKeys: String, CodingKey {
        case batch, memoryMs = "memory_ms", computeMs = "compute_ms", decodeBound = "decode_bound", launchesMs = "launches_ms"
        case hostMs = "host_ms", allReduceMs = "all_reduce_ms", pipelineMs = "pipeline_ms", engineFactor = "engine_factor"
        case decodeStepMs = "decode_step_ms", othersPrefillMs = "others_prefill_ms", tpotMs = "tpot_ms", prefillMs = "prefill_ms"
        case prefillSteps = "prefill_steps", prefillBound = "prefill_bound", prefillFactor = "prefill_factor"
        case bytesPerStep = "bytes_per_step", flopsPerStep = "flops_per_step", achievedBandwidthGBPerS = "achieved_bandwidth_gb_per_s"
        case layers, moeLayers = "moe_layers", mlaLayers = "mla_layers", queued, tokenBudget = "token_budget", sequenceOverheadUs = "sequence_overhead_us", stepOverheadMs = "step_overhead_ms"
    }

    /// The terms as lines a person reads, each with its unit.
    public var lines: [String] {
        func ms(_ x: Double) -> String { Units.format(x, x < 10 ? 2 : 1) + " ms" }
        var l: [String] = []
        if queued > 0, let t = tokenBudget {
            l.append("token budget \(t) tokens a step: \(batch) of \(batch + queued) sequences decode while the prompts replacing them are prefilled; \(queued) wait")
        }
        l += [
            "decode step at batch \(batch): \(ms(decodeStepMs)) (\(decodeBound)-bound)",
            "  memory   \(ms(memoryMs))  \(Units.format(bytesPerStep / 1e9, 2)) GB a step at \(Units.format(achievedBandwidthGBPerS, 0)) GB/s achieved",
            "  compute  \(ms(computeMs))  \(Units.format(flopsPerStep / 1e12, 3)) TFLOP a step",
            "  launches \(ms(launchesMs))  \(layers) layers\(moeLayers > 0 ? ", \(moeLayers) MoE layers" : "")\(mlaLayers > 0 ? ", \(mlaLayers) MLA layers" : "")",
            "  host     \(ms(hostMs))  \(Units.format(stepOverheadMs, 2)) ms a step + \(Units.format(sequenceOverheadUs, 1)) µs × \(batch) sequences",
        ]
        if allReduceMs > 0 { l.append("  all-reduce \(ms(allReduceMs))") }
        if pipelineMs > 0 { l.append("  pipeline hand-offs \(ms(pipelineMs))") }
        l.append("  engine factor ×\(Units.format(engineFactor, 3)) on memory/compute, launches and host")
        l.append("TPOT \(ms(tpotMs)) = step \(ms(decodeStepMs)) + others' prefills \(ms(othersPrefillMs)) a token")
        l.append("prefill of one prompt: \(ms(prefillMs)) in \(prefillSteps) step\(prefillSteps == 1 ? "" : "s") (\(prefillBound)-bound, engine factor ×\(Units.format(prefillFactor, 3)))")
        return l
    }
}

/// Prices of a deployment per hour and per million tokens.
public struct Cost: Codable, Sendable, Equatable {
    public var usdPerHour: Double
    /// Per million output tokens.
    public var usdPerMillionTokens: Double
    /// Per million tokens of the workload, input and output together.
    public var usdPerMillionTokensBlended: Double

    /// cost = price × count ÷ (tokens/s × 3600) × 10⁶
    public static func of(usdPerGPUHour: Double, gpuCount: Int, outputTokensPerS: Double, totalTokensPerS: Double) -> Cost {
        let hour = usdPerGPUHour * Double(gpuCount)
        func perMillion(_ tps: Double) -> Double { tps > 0 ? hour / (tps * 3600) * 1_000_000 : .infinity }
        return Cost(usdPerHour: hour, usdPerMillionTokens: perMillion(outputTokensPerS),
                    usdPerMillionTokensBlended: perMillion(totalTokensPerS))
    }
}

/// Roofline model of an inference engine: each step takes the longer of its memory traffic over
/// the achieved bandwidth and its FLOPs over the achieved dense peak, plus tensor-parallel
/// all-reduces over the interconnect and a fixed step overhead.
public enum PerformanceModel {
    /// Tokens one prefill step holds (vLLM's default max_num_batched_tokens for `vllm serve`).
    public static let prefillChunkTokens = 8192

    /// Tokens an engine puts through the model in one prefill step: llama.cpp splits a prompt
    /// into micro-batches of n_ubatch (512 by default); the serving engines' chunk is 8,192
    /// (vLLM's max_num_batched_tokens, SGLang's chunked_prefill_size, TensorRT-LLM's max_num_tokens).
    public static func prefillChunkTokens(_ e: Engine) -> Int { e == .llamaCpp ? 512 : prefillChunkTokens }

    /// Weights a model streams per step, split the way decoding touches them.
    struct WeightTraffic {
        var dense: Double      // read every step (attention, dense MLP, shared experts, norms, output head)
        var experts: Double    // routed experts: a step reads only those its tokens pick
        /// The tensors of `dense` a step reads in full, with their bytes: under attention data
        /// parallelism each engine lays them out its own way (`AttentionDP.split`).
        var denseTensors: [(tensor: TensorInfo, bytes: Double)] = []
        var activeParams: Double
        /// Of `activeParams`, those in routed experts (k of E per token): their GEMMs see only the
        /// tokens routed to each expert.
        var activeExpertParams: Double = 0
        /// Tokens' share of one expert: k / E (1 for a dense model).
        var rowsPerToken: Double = 1

        /// Bytes one rank holds (and reads a step) beyond its TP share when attention runs
        /// data-parallel in `dp` groups of the `tp` ranks, as `engine` lays the weights out (the
        /// same rule as the weights per GPU the estimator sizes), in each of `pp` stages.
        func attentionDataParallelExtra(model m: Model, engine: Engine, tp: Int, dp: Int, pp: Int) -> Double {
            guard dp > 1, tp % dp == 0 else { return 0 }
            var extra = 0.0
            for (t, b) in denseTensors {
                extra += b * (1 / AttentionDP.split(t, model: m, engine: engine, tp: tp, dp: dp) - 1 / Estimator.tpSplit(t, model: m, tp: tp))
            }
            return max(0, extra) / Double(max(1, pp))
        }
    }

    static func traffic(_ r: PerfRequest, _ pc: ParamCount) -> WeightTraffic {
        let ws = r.weights.size(pc, model: r.model)
        let scale = r.measuredWeightBytes.map { ws.bytes > 0 ? Double($0) / Double(ws.bytes) : 1 } ?? 1
        // An untied input embedding is a table lookup (a few rows), not a streamed matrix;
        // a tied one is read in full as the output head. The vision tower is idle while generating.
        let unread = Double(ws.outputBytes > 0 ? ws.embeddingBytes : 0) + Double(ws.visionBytes)
        let experts = Double(ws.expertBytes)
        let dense = max(0, Double(ws.bytes) - experts - unread)
        let active = Double(pc.active) - Double(pc.embedding) + (ws.outputBytes > 0 ? 0 : Double(pc.embedding)) - Double(pc.vision)
        var expertParams = 0.0
        var denseTensors: [(tensor: TensorInfo, bytes: Double)] = []
        let ctx = GGUFMix.Context(model: r.model, tensors: pc.tensors)
        let lookupOnly = ws.outputBytes > 0
        for t in pc.tensors where t.part == .main {
            if t.isExpert { expertParams += t.elements; continue }
            if lookupOnly && (t.role == .embedding || t.role == .positionEmbedding) { continue }
            if t.is2D { denseTensors.append((t, r.weights.bytes(of: t, context: ctx, quantization: r.model.quantization) * scale)) }
        }
        var rows = 1.0, activeExpert = 0.0
        if let e = r.model.numExperts, e > 1, let k = r.model.numExpertsPerTok, k > 0 {
            rows = Double(min(k, e)) / Double(e)
            activeExpert = expertParams * rows
        }
        return WeightTraffic(dense: dense * scale, experts: experts * scale, denseTensors: denseTensors, activeParams: max(0, active),
                             activeExpertParams: min(max(0, active), activeExpert), rowsPerToken: rows)
    }

    /// Expected fraction of a layer's routed experts that `tokens` tokens, each picking k of E, touch.
    public static func expertFraction(model m: Model, tokens: Int) -> Double {
        guard let e = m.numExperts, e > 1, let k = m.numExpertsPerTok, k > 0 else { return 1 }
        let miss = 1 - Double(min(k, e)) / Double(e)
        return 1 - pow(miss, Double(max(1, tokens)))
    }

    /// Attention FLOPs per token per layer for one key position.
    static func attentionFlopsPerPosition(_ m: Model, decode: Bool) -> Double {
        if m.isMLA {
            let nope = Double(m.qkNopeHeadDim ?? 0), rope = Double(m.qkRopeHeadDim ?? 0)
            let r = Double(m.kvLoraRank ?? 0), v = Double(m.vHeadDim ?? 0)
            // Decode runs the absorbed form over the latent (rank + rope); prefill the expanded heads.
            return decode ? 2 * Double(m.heads) * (2 * r + rope) : 2 * Double(m.heads) * (nope + rope + v)
        }
        return 2 * Double(m.heads) * 2 * Double(m.resolvedHeadDim)
    }

    /// Sum over layers of the key positions one token attends to, at context `ctx`.
    static func attendedPositions(_ m: Model, ctx: Double) -> Double {
        let layers = Double(max(0, m.layers))
        guard let w = m.slidingWindow, m.slidingLayerCount > 0 else { return layers * ctx }
        let sliding = Double(m.slidingLayerCount)
        return (layers - sliding) * ctx + sliding * min(ctx, Double(w))
    }

    public static func evaluate(_ r: PerfRequest) throws -> Performance {
        try evaluate(r, traffic: nil)
    }

    /// `traffic` lets a caller that evaluates one model and format many times (ranking) size the
    /// weights once.
    static func evaluate(_ r: PerfRequest, traffic known: WeightTraffic?) throws -> Performance {
        try evaluate(r, traffic: known, shared: nil)
    }

    /// What a caller evaluating many deployments of one model computes once: checked assumptions,
    /// the engine's factors on this GPU family (decode, prefill), and KV bytes by
    /// (tokens, sequences, tp, pp).
    struct Shared {
        var factors: (decode: Double, prefill: Double)
        var kvBytes: (Int, Int, Int, Int) -> Int64
    }

    static func evaluate(_ r: PerfRequest, traffic known: WeightTraffic?, shared: Shared?) throws -> Performance {
        let m = r.model
        if shared == nil { try r.assumptions.validate() }
        func kvBytes(tokens: Int, sequences: Int, tp: Int, pp: Int) -> Int64 {
            if let f = shared?.kvBytes { return f(tokens, sequences, tp, pp) }
            return KVCache.size(m, dtype: r.kvDType, engine: r.engine, tokens: tokens, sequences: sequences, tp: tp, pp: pp, explain: false).bytes
        }
        guard r.batch >= 1, r.batch <= 1_048_576 else { throw CoreError.invalidInput("batch must be between 1 and 1048576 (got \(r.batch))") }
        guard r.inputTokens >= 0, r.outputTokens >= 0, r.inputTokens <= 16_777_216, r.outputTokens <= 16_777_216,
              r.inputTokens + r.outputTokens > 0 else {
            throw CoreError.invalidInput("input and output tokens must be between 0 and 16777216, and not both 0")
        }
        guard r.tensorParallel >= 1, r.tensorParallel <= 1024, r.pipelineParallel >= 1, r.pipelineParallel <= 1024 else {
            throw CoreError.invalidInput("tensor and pipeline parallel sizes must be between 1 and 1024")
        }
        guard r.attentionDataParallel >= 1, r.attentionDataParallel <= r.tensorParallel else {
            throw CoreError.invalidInput("attention data parallel size must be between 1 and the tensor-parallel size \(r.tensorParallel) (got \(r.attentionDataParallel))")
        }
        if let t = r.tokenBudget, !(1...16_777_216).contains(t) {
            throw CoreError.invalidInput("tokens a step must be between 1 and 16777216 (got \(t))")
        }
        let pc = try r.paramCount ?? ParamCounter.count(m)
        let a = r.assumptions
        let tp = Double(r.tensorParallel), pp = Double(r.pipelineParallel)
        let split = tp * pp
        let w = known ?? traffic(r, pc)
        var notes: [String] = []

        // Compute peak for the dtype the matmuls run in.
        var dtype = r.weights.computeDType
        var peak = r.gpu.tflops[dtype]
        if peak == nil, dtype != "bf16" {
            notes.append("\(r.gpu.name) has no \(dtype) tensor cores: \(r.weights.name) weights are dequantised and multiplied in 16-bit")
            dtype = "bf16"
            peak = r.gpu.tflops[dtype]
        }
        if peak == nil { dtype = "fp32"; peak = r.gpu.tflops.fp32 }
        // Datasheet 16-bit figures are with fp32 accumulation, which GeForce parts run at half
        // rate. llama.cpp's GEMMs accumulate in fp16 (cuBLAS) or int32 (its int8 MMQ kernels),
        // at the full rate: half the int8 rate on every NVIDIA tensor-core part since Turing
        // (RTX 4090: 330 against 165 TFLOPS; A100, H100: the same as the datasheet's).
        if r.engine == .llamaCpp, dtype == "bf16" || dtype == "fp16", let int8 = r.gpu.tflops.int8, let p = peak, int8 / 2 > p * 1.05 {
            peak = int8 / 2
            notes.append("llama.cpp accumulates in fp16/int32: \(r.gpu.name)'s GEMMs run at \(Units.format(int8 / 2, 0)) TFLOPS, not the \(Units.format(p, 0)) of fp32 accumulation")
        }
        let peakTF = peak ?? 1
        let soft = shared?.factors.decode ?? a.engineFactor(r.engine, r.gpu)
        let prefillSoft = shared?.factors.prefill ?? a.engineFactor(r.engine, r.gpu, prefill: true)
        /// Achieved FLOP/s of a GEMM over `tokens` rows: tensor cores reach a small share of their
        /// peak on skinny decode GEMMs, but a GEMM of a few rows runs as a GEMV on the ordinary
        /// (fp32) cores and never slower than they do, so batch-1 decode stays bandwidth-bound
        /// on GPUs whose tensor peak is low (GeForce, 4-bit weights).
        let vectorRate = (r.gpu.tflops.fp32 ?? 0) * 1e12 * a.computeEfficiency
        func flopsRate(_ tokens: Double) -> Double {
            max(vectorRate, peakTF * 1e12 * a.computeEfficiency * tokens / (tokens + a.gemmHalfTokens))
        }
        let bytesRate = r.gpu.bandwidthGBPerS * 1e9 * a.bandwidthEfficiency
        let nvlinkOneWay = r.gpu.interconnectGBPerS.map { $0 / 2 }
        let linkGB = r.link == .pcie ? a.pcieGBPerS : (nvlinkOneWay ?? a.pcieGBPerS)
        let linkOneWay = linkGB * 1e9 * a.interconnectEfficiency
        let hidden = Double(m.hiddenSize ?? 0)
        let layersPerStage = Double(max(0, m.layers)) / pp

        /// Two all-reduces per layer (after attention, after the MLP) of tokens × hidden × 2 B, ring algorithm.
        func allReduceSeconds(tokens: Double) -> Double {
            guard r.tensorParallel > 1 else { return 0 }
            let message = tokens * hidden * 2
            let perGPU = 2 * (tp - 1) / tp * message
            return 2 * layersPerStage * (perGPU / linkOneWay + a.allReduceLatencyUs * 1e-6)
        }
        /// Activations handed from one pipeline stage to the next.
        func pipelineSeconds(tokens: Double) -> Double {
            guard r.pipelineParallel > 1 else { return 0 }
            return (pp - 1) * (tokens * hidden * 2 / linkOneWay + a.allReduceLatencyUs * 1e-6)
        }

        // Decode: one step generates one token for each of `batch` sequences at the average context.
        let isEncoder = m.kind == .encoder
        // With a step token budget B, b sequences decoding need b × input / output prompt tokens
        // a step to be replaced as they finish: b (1 + input / output) ≤ B. Beyond that the
        // others wait in the queue, not in the batch.
        var batch = r.batch
        if let budget = r.tokenBudget, !isEncoder, r.inputTokens > 0, r.outputTokens > 0 {
            let sustainable = max(1, Int((Double(budget) * Double(r.outputTokens) / Double(r.inputTokens + r.outputTokens)).rounded(.down)))
            if sustainable < batch {
                notes.append("token budget: \(budget) tokens a step keep at most \(sustainable) sequences decoding while the prompts that replace them are prefilled (input \(r.inputTokens), output \(r.outputTokens)); the other \(batch - sustainable) wait in the queue")
                batch = sustainable
            }
        }
        let b = Double(batch)
        let avgCtx = Double(r.inputTokens) + Double(r.outputTokens) / 2
        // Attention data parallelism: d groups of tp ÷ d ranks, each with the attention weights
        // whole (split only within its group) and the KV cache of its own ⌈b ÷ d⌉ sequences; the
        // busiest group sets the step. The MLA latent is whole on every rank of a group.
        let dp = r.attentionDataParallel
        let attentionTP = r.tensorParallel / dp
        let groupSeqs = (batch + dp - 1) / dp
        let kvRead = isEncoder ? 0 : Double(kvBytes(tokens: max(1, Int(avgCtx.rounded())), sequences: groupSeqs, tp: m.isMLA ? 1 : attentionTP, pp: 1))
        let expertShare = expertFraction(model: m, tokens: batch)
        // Engines' grouped-GEMM kernels differ: each has its own factor on the shared one ("llama.cpp/moe").
        let moe = m.isMoE ? a.moeFactor * (a.engineFactors[r.engine.rawValue + "/moe"] ?? 1) : 1
        let weightBytesStep = (w.dense + w.experts * expertShare) / split
            + w.attentionDataParallelExtra(model: m, engine: r.engine, tp: r.tensorParallel, dp: dp, pp: r.pipelineParallel)
        let decodeBytes = weightBytesStep + kvRead / pp
        // Routed experts are read by grouped GEMMs over scattered tokens: slower per byte.
        let effectiveBytes = decodeBytes + w.experts * expertShare * (moe - 1) / split
        let activeDense = w.activeParams - w.activeExpertParams  // per token, whole model
        /// GEMM time of `tokens` rows: dense layers and attention see every row; each routed
        /// expert only the rows routed to it (tokens × k / E), so its GEMM is skinnier.
        func gemmSeconds(tokens: Double, attention: Double) -> (flops: Double, seconds: Double) {
            let dense = (2 * activeDense * tokens + attention) / split
            let experts = 2 * w.activeExpertParams * tokens / split
            let s = dense / flopsRate(tokens) + (experts > 0 ? experts * moe / flopsRate(max(1, tokens * w.rowsPerToken)) : 0)
            return (dense + experts, s)
        }
        let decodeGEMM = gemmSeconds(tokens: b, attention: b * attendedPositions(m, ctx: avgCtx) * attentionFlopsPerPosition(m, decode: true))
        let decodeFlops = decodeGEMM.flops
        let tMem = effectiveBytes / bytesRate
        let tCompute = decodeGEMM.seconds
        let decodeBound = tMem >= tCompute ? "memory" : "compute"
        let decodeComm = allReduceSeconds(tokens: b)
        let moeLayersPerStage = m.isMoE ? Double(max(0, m.layers - (m.firstKDenseReplace ?? 0))) / pp : 0
        // Launches are paid in every stage; scheduling and sampling once a step, and the host's
        // work per sequence once a step too.
        let mlaLayersPerStage = m.isMLA ? layersPerStage : 0
        let fixedPerStage = layersPerStage * a.layerOverheadUs * 1e-6 + moeLayersPerStage * a.moeLayerOverheadUs * 1e-6
            + mlaLayersPerStage * a.mlaLayerOverheadUs * 1e-6
        func hostSeconds(sequences: Double) -> Double { a.stepOverheadMs / 1000 + sequences * a.sequenceOverheadUs * 1e-6 }
        let stage = (max(tMem, tCompute) + fixedPerStage) * soft + decodeComm
        // A token passes every pipeline stage in turn.
        let tpot = isEncoder || r.outputTokens == 0 ? 0 : stage * pp + hostSeconds(sequences: b) * soft + pipelineSeconds(tokens: b)

        // Prefill of `seqs` prompts in one pass (compute-bound beyond a few hundred tokens): the
        // weights are read once, the FLOPs and the KV written grow with the tokens.
        let inTok = Double(max(1, r.inputTokens))
        let kvPerPrompt = isEncoder ? 0 : Double(kvBytes(tokens: max(1, r.inputTokens), sequences: 1, tp: m.isMLA ? 1 : r.tensorParallel, pp: r.pipelineParallel))
        var pMem = 0.0, pCompute = 0.0, pSteps = 1.0
        /// `seqs` prompts prefilled the way the engine does it: in steps of at most its chunk of
        /// tokens (vLLM's max_num_batched_tokens, llama.cpp's n_ubatch), each step reading the
        /// weights once and paying its fixed costs once. Across pipeline stages the steps overlap:
        /// k steps over s stages take k + s − 1 stage times.
        func prefillSeconds(_ seqs: Double, chunked: Bool = true) -> Double {
            guard r.inputTokens > 0, seqs > 0 else { return 0 }
            let tokens = seqs * inTok
            let chunk = Double(r.tokenBudget ?? PerformanceModel.prefillChunkTokens(r.engine))
            let steps = chunked ? max(1, (tokens / chunk).rounded(.up)) : 1
            let stepTokens = tokens / steps
            pSteps = steps
            let weights = (w.dense + w.experts * expertFraction(model: m, tokens: Int(min(stepTokens, 1e9)))) / split
            // Causal attention: on average a prompt token sees half the prompt.
            let g = gemmSeconds(tokens: stepTokens, attention: stepTokens * attendedPositions(m, ctx: inTok / 2) * attentionFlopsPerPosition(m, decode: false))
            pMem = (weights + kvPerPrompt * seqs / steps) / bytesRate
            pCompute = g.seconds
            let stageTime = (max(pMem, pCompute) + fixedPerStage) * prefillSoft + allReduceSeconds(tokens: stepTokens)
            return (steps + pp - 1) * stageTime + steps * (hostSeconds(sequences: seqs / steps) * prefillSoft + pipelineSeconds(tokens: stepTokens))
        }
        // Encoders run whole batches of prompts at once; decoders' prefills interleave one by one.
        let encoderBatch = isEncoder ? prefillSeconds(b, chunked: false) : 0
        // A speech model first encodes its window (Whisper: 1,500 positions through the encoder),
        // compute-bound: 2 FLOPs per weight per position plus attention over the window.
        var audioEncode = 0.0
        if m.kind == .encoderDecoder, let d = m.hiddenSize, let layers = m.encoderLayers {
            let pos = Double(m.maxSourcePositions ?? 1500), dm = Double(d), ffn = Double(m.encoderFfnDim ?? 4 * d)
            let params = Double(layers) * (4 * dm * dm + 2 * dm * ffn)
            let flops = 2 * params * pos + 4 * Double(layers) * pos * pos * dm
            audioEncode = flops / split / flopsRate(pos)
            notes.append("speech model: each request encodes a \(Int(pos))-position window (\(Units.format(flops / 1e12, 2)) TFLOP) before decoding")
        }
        let prefill = prefillSeconds(1) + audioEncode
        // What the one prompt's prefill was bound by and how many steps it took (`--explain`),
        // before the batch's prefills below reuse the same terms.
        let onePromptBound = pMem >= pCompute ? "memory" : "compute", onePromptSteps = Int(max(1, pSteps))
        let ttft = isEncoder ? encoderBatch : prefill + (batch > 1 && tpot > 0 ? tpot : 0)
        // Under load the other sequences' prefills share the decode steps (chunked prefill): each
        // output token waits, on average, for (batch − 1) / output of a prefill as well.
        let others = batch > 1 ? prefillSeconds(b - 1) : 0
        let loadedTPOT = tpot > 0 && r.outputTokens > 0 ? tpot + others / Double(r.outputTokens) : tpot

        // Steady state with continuous batching: `batch` requests each need one prefill and
        // `output` decode steps; prefills of new requests take turns with the running batch.
        let cycle = Double(r.outputTokens) * tpot + prefillSeconds(b) + b * audioEncode
        let requests = cycle > 0 ? b / cycle : 0
        let outTPS = requests * Double(r.outputTokens)
        let totalTPS = requests * Double(r.inputTokens + r.outputTokens)

        let bytesPerToken1 = (w.dense + w.experts * expertFraction(model: m, tokens: 1)) + (isEncoder ? 0 :
            Double(kvBytes(tokens: max(1, Int(avgCtx.rounded())), sequences: 1, tp: 1, pp: 1)))
        let ceiling = bytesPerToken1 > 0 ? r.gpu.bandwidthGBPerS * 1e9 * tp / bytesPerToken1 : .infinity
        if r.pipelineParallel > 1 { notes.append("pipeline parallel: a token passes \(r.pipelineParallel) stages in turn; throughput assumes no micro-batch interleaving") }
        if m.isMoE { notes.append("MoE: a decode step of \(batch) sequences reads \(Units.format(expertShare * 100, 1))% of the routed experts (expected distinct experts for \(batch) tokens picking \(m.numExpertsPerTok ?? 0) of \(m.numExperts ?? 0))") }
        if isEncoder { notes.append("encoder model: no decoding; \(r.batch) prompts run as one batch; throughput is prompt tokens per second") }

        let encoderTPS = isEncoder && encoderBatch > 0 ? b * inTok / encoderBatch : 0
        return Performance(
            ttftMs: ttft * 1000, tpotMs: loadedTPOT * 1000, prefillMs: prefill * 1000,
            throughputTokensPerS: isEncoder ? encoderTPS : outTPS, totalTokensPerS: isEncoder ? encoderTPS : totalTPS,
            requestsPerS: isEncoder ? (encoderBatch > 0 ? b / encoderBatch : 0) : requests,
            decodeBytesPerStep: i64(decodeBytes), decodeFlopsPerStep: decodeFlops,
            decodeBound: decodeBound, prefillBound: pMem >= pCompute ? "memory" : "compute",
            allReduceMsPerStep: decodeComm * 1000, batch1CeilingTokensPerS: ceiling,
            computeDType: dtype, peakTFLOPS: peakTF, notes: notes, decodeStepMs: tpot * 1000,
            terms: isEncoder ? nil : StepTerms(
                batch: batch, memoryMs: tMem * 1000, computeMs: tCompute * 1000, decodeBound: decodeBound,
                launchesMs: fixedPerStage * pp * soft * 1000, hostMs: hostSeconds(sequences: b) * soft * 1000,
                allReduceMs: decodeComm * pp * 1000, pipelineMs: pipelineSeconds(tokens: b) * 1000, engineFactor: soft,
                decodeStepMs: tpot * 1000, othersPrefillMs: (loadedTPOT - tpot) * 1000, tpotMs: loadedTPOT * 1000,
                prefillMs: prefill * 1000, prefillSteps: onePromptSteps, prefillBound: onePromptBound, prefillFactor: prefillSoft,
                bytesPerStep: decodeBytes, flopsPerStep: decodeFlops, achievedBandwidthGBPerS: bytesRate / 1e9,
                layers: m.layers, moeLayers: Int(moeLayersPerStage * pp), mlaLayers: Int(mlaLayersPerStage * pp), queued: r.batch - batch, tokenBudget: r.tokenBudget, sequenceOverheadUs: a.sequenceOverheadUs, stepOverheadMs: a.stepOverheadMs))
    }
}

/// A deployment serving requests that arrive at random (Poisson, as `vllm bench serve
/// --request-rate` sends them) at a steady rate: how many are in flight, and the median and
/// 90th-percentile TTFT and TPOT they see.
public struct RateFigures: Codable, Sendable, Equatable {
    /// Requests per second this deployment (one replica) carries.
    public var requestsPerS: Double
    /// Sequences in flight on average (Little's law: rate × time in the system).
    public var inFlight: Double
    /// Share of the time the engine spends prefilling arriving prompts (1 or more: it cannot keep up).
    public var prefillUtilization: Double
    /// False when the rate exceeds what the deployment serves at its largest batch, or its
    /// prefills alone would take all its time: the queue then grows without bound.
    public var keepsUp: Bool
    public var ttftP50Ms: Double?
    public var ttftP90Ms: Double?
    public var tpotP50Ms: Double?
    public var tpotP90Ms: Double?

    enum CodingKeys: String, CodingKey {
        case requestsPerS = "requests_per_s", inFlight = "in_flight", prefillUtilization = "prefill_utilization", keepsUp = "keeps_up"
        case ttftP50Ms = "ttft_p50_ms", ttftP90Ms = "ttft_p90_ms", tpotP50Ms = "tpot_p50_ms", tpotP90Ms = "tpot_p90_ms"
    }
}

extension PerformanceModel {
    /// Figures at `rate` requests/s on one deployment whose speed at a batch `perf` gives, with at
    /// most `maxBatch` sequences in flight.
    /// - In flight: Little's law, L = rate × (TTFT + output × TPOT at L), solved by iteration.
    /// - TPOT: at L for the median; the number in flight is Poisson about L (many independent
    ///   requests, each in the system for a while), so the 90th percentile is TPOT at
    ///   L + 1.28 √L sequences.
    /// - TTFT: a prompt waits for the prompts ahead of it, which the engine prefills one after
    ///   another: an M/D/1 queue with service S = one prompt's prefill and load ρ = rate × S.
    ///   Its mean wait is ρS ÷ 2(1 − ρ) and its tail roughly exponential (P(wait > t) ≈ ρ e^(−t/θ),
    ///   θ = S ÷ 2(1 − ρ)), so the p-th percentile wait is θ ln(ρ ÷ (1 − p)) where ρ > 1 − p, else 0.
    public static func atRate(_ rate: Double, maxBatch: Int, outputTokens: Int, _ perf: (Int) -> Performance?) -> RateFigures? {
        guard rate.isFinite, rate > 0, maxBatch >= 1, let full = perf(maxBatch) else { return nil }
        let out = Double(max(0, outputTokens))
        var inFlight = 1.0
        for _ in 0..<40 {
            guard let p = perf(max(1, Int(inFlight.rounded()))) else { return nil }
            let next = min(Double(maxBatch), max(1, rate * (p.ttftMs + out * p.tpotMs) / 1000))
            if abs(next - inFlight) < 0.01 { inFlight = next; break }
            inFlight = (inFlight + next) / 2
        }
        guard let at = perf(max(1, Int(inFlight.rounded()))) else { return nil }
        let service = at.prefillMs / 1000
        let rho = rate * service
        let keepsUp = rate < full.requestsPerS && rho < 1
        var f = RateFigures(requestsPerS: rate, inFlight: inFlight, prefillUtilization: rho, keepsUp: keepsUp)
        guard keepsUp else { return f }
        let l90 = min(maxBatch, max(1, Int((inFlight + 1.2816 * inFlight.squareRoot()).rounded(.up))))
        let theta = service / (2 * (1 - rho))
        func wait(_ p: Double) -> Double { rho > 1 - p ? theta * log(rho / (1 - p)) : 0 }
        f.ttftP50Ms = at.ttftMs + wait(0.5) * 1000
        f.ttftP90Ms = at.ttftMs + wait(0.9) * 1000
        if out > 0 {
            f.tpotP50Ms = at.tpotMs
            f.tpotP90Ms = perf(l90).map { max($0.tpotMs, at.tpotMs) }
        }
        return f
    }
}
