import Foundation

/// Serving engines whose memory behaviour the estimator models.
public enum Engine: String, Codable, Sendable, CaseIterable {
    case vllm
    case sglang
    case trtllm
    case llamaCpp = "llama.cpp"
    case transformers
    case quick

    /// Serving engines that preallocate a paged KV pool and batch continuously.
    public var isPagedServer: Bool { self == .vllm || self == .sglang || self == .trtllm }

    public static func parse(_ raw: String) throws -> Engine {
        switch raw.lowercased() {
        case "vllm": return .vllm
        case "sglang", "sgl": return .sglang
        case "trtllm", "tensorrt-llm", "tensorrt_llm", "trt-llm", "trtllm-serve": return .trtllm
        case "llama.cpp", "llamacpp", "llama-cpp", "llama_cpp", "ollama": return .llamaCpp
        case "transformers", "hf", "huggingface", "eager", "sdpa": return .transformers
        case "quick", "rule-of-thumb": return .quick
        default:
            throw CoreError.badOption("unknown engine '\(raw.prefix(64))'" + Suggest.hint(raw, in: Engine.allCases.map(\.rawValue))
                                      + " (known: \(Engine.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
    }
}

public enum Optimizer: String, Codable, Sendable, CaseIterable {
    case adamw, adam8bit = "adamw-8bit", sgd, sgdMomentum = "sgd-momentum"
    public static func parse(_ raw: String) throws -> Optimizer {
        switch raw.lowercased() {
        case "adamw", "adam": return .adamw
        case "adamw-8bit", "adam8bit", "adamw8bit", "8bit-adam", "adam-8bit", "paged_adamw_8bit": return .adam8bit
        case "sgd": return .sgd
        case "sgd-momentum", "momentum": return .sgdMomentum
        default: throw CoreError.unknownName(kind: "optimizer", name: raw, known: Optimizer.allCases.map(\.rawValue))
        }
    }
    /// Optimizer state bytes per trained parameter in mixed precision, fp32 master copy included.
    var stateBytes: Double {
        switch self {
        case .adamw: return 12  // fp32 master 4 + m 4 + v 4
        case .adam8bit: return 6  // fp32 master 4 + m 1 + v 1
        case .sgd: return 4  // fp32 master
        case .sgdMomentum: return 8  // fp32 master + momentum
        }
    }
}

public struct TrainingOptions: Sendable, Equatable {
    public var optimizer: Optimizer = .adamw
    public var zeroStage: Int = 0
    public var gradientCheckpointing: Bool = false
    public var flashAttention: Bool = true
    /// LoRA rank; nil = full fine-tuning.
    public var loraRank: Int?
    public var loraTargets: [String] = ["q_proj", "k_proj", "v_proj", "o_proj"]
    public init() {}
}

public struct EstimateRequest: Sendable {
    public var model: Model
    public var weights: WeightFormat = .float(bits: 16)
    public var kvDType: KVDType = .fp16
    public var context: Int = 2048
    public var batch: Int = 1
    public var engine: Engine = .vllm
    public var gpuMemoryBytes: Int64?
    /// Memory as the engine sees it; when nil it is `gpuMemoryBytes` (taken as already visible).
    public var gpuVisibleMemoryBytes: Int64?
    public var gpus: Int = 1
    public var tensorParallel: Int?
    public var pipelineParallel: Int = 1
    /// Attention groups over the tensor-parallel GPUs (`AttentionDP`: SGLang --dp with
    /// --enable-dp-attention, TensorRT-LLM enable_attention_dp, vLLM --data-parallel-size); 1: none.
    public var attentionDataParallel: Int = 1
    public var gpuMemoryUtilization: Double = 0.9
    public var maxNumBatchedTokens: Int?
    /// vLLM `--max-num-seqs`: the profiling run samples this many sequences (default by release and device).
    public var maxNumSeqs: Int?
    /// Which vLLM release line's start-up rules apply (`--engine-version`).
    public var engineVersion: VLLMRelease = .current
    /// The GPU's name, for vLLM's device-tiered defaults ("h100", "a100" in the name).
    public var gpuName: String?
    public var enforceEager: Bool = false
    public var flashAttention: Bool = true
    public var ubatch: Int = 512
    public var encoderTokens: Int?
    public var training: TrainingOptions?
    /// Measured weight bytes (from a file inventory) to use instead of the formula.
    public var measuredWeightBytes: Int64?
    /// The model's parameter count, when the caller has it already (ranking evaluates one
    /// model on hundreds of deployments); computed from `model` when nil.
    public var paramCount: ParamCount?
    /// The weights sized in `weights`, when the caller has it already.
    public var weightSize: WeightSize?
    /// The catalog GPU, when one is named: the engine rules read its compute capability.
    public var gpu: GPU?
    /// Run past the model's trained context (vLLM: VLLM_ALLOW_LONG_MAX_MODEL_LEN=1).
    public var allowLongContext = false
    /// The measured checkpoint, when one is used: a format that needs one has it.
    public var variantName: String?

    public init(model: Model) { self.model = model }
}

/// One line of an estimate: what one GPU holds of it, and what all the deployment's GPUs hold
/// together. Both columns add up to the totals beside them (`per_gpu_bytes`, `total_bytes`).
public struct Component: Codable, Sendable, Equatable {
    public var name: String
    /// All GPUs together (per GPU × GPUs).
    public var bytes: Int64
    /// The largest share one GPU holds.
    public var perGPUBytes: Int64?
    public var formula: String
    public init(_ name: String, _ bytes: Int64, _ formula: String, perGPU: Int64? = nil) {
        self.name = name; self.bytes = bytes; self.formula = formula; self.perGPUBytes = perGPU
    }
    enum CodingKeys: String, CodingKey { case name, bytes, perGPUBytes = "per_gpu_bytes", formula }
}

public struct Estimate: Codable, Sendable, Equatable {
    public var model: String
    public var engine: String
    public var weights: String
    public var kvCache: String
    public var context: Int
    public var batch: Int
    public var gpus: Int
    public var tensorParallel: Int
    public var pipelineParallel: Int
    /// Attention groups over the GPUs (nil: plain tensor parallel); KV capacity and max
    /// concurrency are then the deployment's, all groups together.
    public var attentionDataParallel: Int? = nil
    public var paramsTotal: Int64
    public var paramsActive: Int64
    public var weightsBytes: Int64
    public var bitsPerWeight: Double
    public var kvCacheBytesPerToken: Int64
    public var kvCacheBytes: Int64
    public var activationBytes: Int64
    public var overheadBytes: Int64
    public var totalBytes: Int64
    public var ruleOfThumbBytes: Int64
    public var components: [Component]
    public var perGPUBytes: Int64?
    public var weightsBytesPerGPU: Int64?
    public var gpuMemoryBytes: Int64?
    public var fits: Bool?
    /// The memory per GPU the engine allows itself (vLLM: gpu_memory_utilization × memory;
    /// SGLang: mem_fraction_static × memory; others: all of it); `fits` compares against it.
    public var memoryBudgetBytes: Int64? = nil
    /// The KV pool per GPU (vLLM's "Available KV cache memory"), for the paged servers.
    public var kvMemoryBytes: Int64? = nil
    public var kvCapacityTokens: Int64?
    public var maxConcurrency: Double?
    public var gpuLayers: Int?
    public var cpuBytes: Int64?
    public var gradientBytes: Int64?
    public var optimizerBytes: Int64?
    public var notes: [String]
    /// The engine command for this deployment (vLLM: --max-num-seqs from the KV capacity); nil
    /// when the engine would refuse it or it does not fit (`refused` says why).
    public var launch: String?
    public var launchNotes: [String]?
    /// Why the engine would refuse this deployment (EngineRules), nil when it would start it.
    public var refused: String?

    enum CodingKeys: String, CodingKey {
        case model, engine, weights, kvCache = "kv_cache", context, batch, gpus
        case tensorParallel = "tensor_parallel", pipelineParallel = "pipeline_parallel", attentionDataParallel = "attention_dp"
        case paramsTotal = "params_total", paramsActive = "params_active", weightsBytes = "weights_bytes"
        case bitsPerWeight = "bits_per_weight", kvCacheBytesPerToken = "kv_cache_bytes_per_token"
        case kvCacheBytes = "kv_cache_bytes", activationBytes = "activation_bytes", overheadBytes = "overhead_bytes"
        case totalBytes = "total_bytes", ruleOfThumbBytes = "rule_of_thumb_bytes", components
        case perGPUBytes = "per_gpu_bytes", weightsBytesPerGPU = "weights_bytes_per_gpu", gpuMemoryBytes = "gpu_memory_bytes"
        case fits, memoryBudgetBytes = "memory_budget_bytes", kvMemoryBytes = "kv_memory_bytes", kvCapacityTokens = "kv_capacity_tokens", maxConcurrency = "max_concurrency"
        case gpuLayers = "gpu_layers", cpuBytes = "cpu_bytes", gradientBytes = "gradient_bytes"
        case optimizerBytes = "optimizer_bytes", notes, launch, launchNotes = "launch_notes", refused
    }

    /// Runnable by the engine and within memory: what `rank` also requires of a deployment.
    public var deployable: Bool { refused == nil && fits != false }
}

/// The memory estimator: exact architecture math plus each engine's documented behaviour.
public enum Estimator {
    /// vLLM's defaults: non-torch memory (CUDA context, NCCL) measured at 0.30-0.35 GiB in vLLM logs.
    public static let vllmNonTorchBytes: Int64 = 350 * Units.MiB
    public static let vllmNCCLExtraBytes: Int64 = 256 * Units.MiB
    /// CUDA graph pool, captured after the KV cache is allocated (outside the utilisation budget).
    public static let vllmCudaGraphBytes: Int64 = 512 * Units.MiB
    public static let cudaContextBytes: Int64 = 300 * Units.MiB
    public static let vllmBlockSize = 16
    /// Larger than any real deployment (1 EiB); a component above it means absurd input.
    public static let absurdBytes: Int64 = 1 << 60
    /// Default `--max-num-batched-tokens` of current vLLM (V1) `vllm serve`.
    public static let vllmDefaultBatchedTokens = 8192

    /// SGLang's default mem_fraction_static (server_args.py, 0.5.x): the memory left after a
    /// reserve for activations, CUDA graphs and NCCL, as a fraction (reserve ≥ 10 GiB above 60 GiB).
    /// With attention DP over `dp` groups it reserves 3 MiB (4.5 MiB past 300) more per graph
    /// batch and group, for the gathered buffers its CUDA graphs capture.
    public static func sglangMemFractionStatic(memoryBytes: Int64, tp: Int, pp: Int, dp: Int = 1) -> Double {
        let gib = Double(memoryBytes) / Double(Units.GiB)
        let chunk: Double = gib < 20 ? 2048 : gib < 60 ? 4096 : gib < 160 ? 8192 : 16384
        let graphBS: Double = gib < 20 ? 8 : gib < 60 ? (tp < 4 ? 48 : 160) : (tp < 4 ? 256 : 512)
        var reservedMiB = 512 + max(chunk, 2048) * 1.5 + Double(tp * pp) / 8 * 1024 + graphBS * 2
        if dp > 1 { reservedMiB += graphBS * Double(dp) * (graphBS > 300 ? 4.5 : 3) }
        if gib > 60 { reservedMiB = max(reservedMiB, 10240) }
        let total = Double(memoryBytes) / Double(Units.MiB)
        return max(0.05, ((total - reservedMiB) / total * 1000).rounded() / 1000)
    }

    public static func estimate(_ r: EstimateRequest) throws -> Estimate {
        let m = r.model
        try validate(r)
        let pc = try r.paramCount ?? ParamCounter.count(m)
        let ws = r.weightSize ?? r.weights.size(pc, model: m)
        let weightBytes = r.measuredWeightBytes ?? ws.bytes
        let gpus = max(1, r.gpus)
        let pp = max(1, r.pipelineParallel)
        let tp = r.tensorParallel ?? max(1, gpus / pp)
        // Every GPU given is a rank: a split that leaves GPUs idle (or needs more) is refused, as
        // the engines refuse it (vLLM's world size is TP × PP).
        guard tp * pp == gpus else {
            throw CoreError.badOption("\(gpus) GPUs cannot be split as tensor parallel \(tp) × pipeline parallel \(pp) = \(tp * pp): the GPU count must equal TP × PP")
        }
        let dp = r.training == nil ? r.attentionDataParallel : 1
        if dp > 1, let problem = AttentionDP.problem(engine: r.engine, model: m, tp: tp, pp: pp, dp: dp) {
            throw CoreError.badOption(problem)
        }
        // With attention DP, each group of tp ÷ dp GPUs holds the KV of its own ⌈batch ÷ dp⌉
        // sequences, at the KV heads its attention split leaves it.
        let attentionTP = tp / dp
        let groupSeqs = (max(1, r.batch) + dp - 1) / dp
        var comps: [Component] = []
        var notes: [String] = []
        let weightsFormula = r.measuredWeightBytes != nil
            ? "measured from the checkpoint's tensor headers"
            : "\(pc.total) params in \(r.weights.name) = \(Units.format(ws.bitsPerWeight, 3)) bits/weight"
        comps.append(Component("weights", weightBytes, weightsFormula))

        let seqs = max(1, r.batch)
        let kv = KVCache.size(m, dtype: r.kvDType, engine: r.engine, tokens: r.context, sequences: seqs,
                              tp: 1, pp: 1, ubatch: r.ubatch, encoderTokens: r.encoderTokens, release: r.engineVersion)
        let kvPerGPU = KVCache.size(m, dtype: r.kvDType, engine: r.engine, tokens: r.context, sequences: groupSeqs,
                                    tp: attentionTP, pp: pp, ubatch: r.ubatch, encoderTokens: r.encoderTokens, release: r.engineVersion)
        // Training keeps no serving KV cache (its keys and values are activations, counted there);
        // the rule of thumb has none either.
        if m.kind != .encoder && r.training == nil && r.engine != .quick {
            comps.append(Component("kv_cache", kv.bytes, kv.formula, perGPU: kvPerGPU.bytes))
        }
        let dtypeBytes = 2.0  // activations in 16-bit
        var weightsPerGPU = perGPUWeights(pc: pc, ws: ws, model: m, format: r.weights, tp: tp, pp: pp,
                                          measured: r.measuredWeightBytes, engine: r.engine, dp: dp)
        if dp > 1 {
            notes.append("attention data parallel: \(dp) groups of \(attentionTP) GPU\(attentionTP == 1 ? "" : "s"), each with the attention weights \(attentionTP == 1 ? "whole" : "split \(attentionTP) ways") and the KV cache of its own sequences (\(groupSeqs) of \(seqs)); experts split over all \(tp)")
        }
        if r.engine == .vllm, r.training == nil, let (extra, note) = vllmMXFP4Padding(pc: pc, model: m, format: r.weights, tp: tp, pp: pp,
                                                                                    release: r.engineVersion, gpu: r.gpu) {
            weightsPerGPU += extra
            notes.append(note)
        }

        var activation: Int64 = 0
        /// vLLM's profiling run: the forward pass's and the sampler's peaks, and the sequences sampled.
        var profile: (forward: Double, perSequence: Double, seqs: Int)?
        var overhead: Int64 = 0
        var kvCapacity: Int64?
        var kvMemory: Int64?
        var maxConcurrency: Double?
        var gpuLayers: Int?
        var cpuBytes: Int64?
        var fitsBudget: Int64?  // memory the engine allows itself
        var gradientBytes: Int64?
        var optimizerBytes: Int64?
        let visible = r.gpuVisibleMemoryBytes ?? r.gpuMemoryBytes

        if let t = r.training {
            let train = try training(r, t, pc: pc, ws: ws, tp: tp)
            comps[0].perGPUBytes = train.weightsPerGPU
            comps += train.components
            activation = train.activation
            overhead = train.overhead
            gradientBytes = train.gradients
            optimizerBytes = train.optimizer
        } else {
            switch r.engine {
            case .vllm, .sglang, .trtllm:
                // A group's profiling pass runs its attention over tp ÷ dp GPUs.
                let perTok = activationPerToken(m, tp: attentionTP) * dtypeBytes
                if r.engine == .vllm {
                    // The profiling run of this release line: a forward pass of max_num_batched_tokens,
                    // then the sampler over max_num_seqs sequences (rank 0 holds the gathered logits,
                    // so it has the least KV room and the engine takes its figure: min over ranks).
                    let rel = r.engineVersion
                    let d = rel.profileDefaults(maxModelLen: r.context, gpuMemoryBytes: visible ?? 0, gpuName: r.gpuName ?? r.gpu?.name)
                    let tokens = r.maxNumBatchedTokens ?? d.batchedTokens
                    let seqs = min(r.maxNumSeqs ?? d.seqs, tokens)
                    let forward = Double(tokens) * perTok
                    let sampler = Double(seqs) * Double(m.vocabSize ?? 0) * VLLMRelease.samplerBytesPerLogit
                    activation = i64(max(forward, sampler))
                    profile = (forward, Double(m.vocabSize ?? 0) * VLLMRelease.samplerBytesPerLogit, seqs)
                    comps.append(Component("activation_peak", activation, forward >= sampler
                        ? "profiling pass of \(tokens) batched tokens × \(Int(perTok)) B/token (hidden ×3, qkv, gate/up/act of the MLP per GPU, 16-bit)"
                        : "profiling run's sampler on rank 0: \(seqs) sequences × \(m.vocabSize ?? 0) vocabulary × \(Int(VLLMRelease.samplerBytesPerLogit)) B (fp32 logits, probabilities, sorted copy and indices); the forward pass of \(tokens) tokens needs less (\(Units.gib(i64(forward))))"))
                    notes.append("rules of \(rel.label): profiling run of \(tokens) batched tokens and \(seqs) sequences\(r.maxNumBatchedTokens == nil ? " (its default here)" : "")")
                } else {
                    let tokens = r.maxNumBatchedTokens ?? vllmDefaultBatchedTokens
                    activation = i64(Double(tokens) * perTok)
                    comps.append(Component("activation_peak", activation,
                                           "profiling pass of \(tokens) batched tokens × \(Int(perTok)) B/token (hidden ×3, qkv, gate/up/act of the MLP per GPU, 16-bit)"))
                }
                let rotary = Int64((m.maxPositionEmbeddings ?? 0) * m.resolvedHeadDim * 2)
                let nonTorch = vllmNonTorchBytes + (tp > 1 ? vllmNCCLExtraBytes : 0)
                comps.append(Component("non_torch", nonTorch, "CUDA context, NCCL and allocator outside PyTorch (0.35 GiB\(tp > 1 ? " + 0.25 GiB NCCL for TP" : ""))"))
                comps.append(Component("rotary_cache", rotary, "cos/sin cache: max_position_embeddings × head_dim × 2 B"))
                let graphs = r.enforceEager ? 0 : vllmCudaGraphBytes
                if graphs > 0 { comps.append(Component("cuda_graphs", graphs, "CUDA graph pool (captured after KV allocation, from the 1 − gpu_memory_utilization headroom; --enforce-eager removes it)")) }
                overhead = (nonTorch + rotary) * Int64(tp * pp) + graphs * Int64(tp * pp)
                if let mem = visible {
                    // What each engine gives its KV pool (README, "Engine profiles"):
                    //  vLLM      gpu_memory_utilization × memory − weights − activation peak − non-torch;
                    //  SGLang    mem_fraction_static × memory − weights (activations live in the rest);
                    //  TRT-LLM   free_gpu_memory_fraction × (memory − weights − activation peak − non-torch).
                    let budget: Int64, availKV: Int64
                    switch r.engine {
                    case .sglang:
                        let f = sglangMemFractionStatic(memoryBytes: mem, tp: tp, pp: pp, dp: dp)
                        budget = i64(Double(mem) * f)
                        availKV = budget - weightsPerGPU
                        notes.append("SGLang: mem_fraction_static \(Units.format(f, 3)) (its default for \(Units.gib(mem)) at TP \(tp)\(dp > 1 ? " with \(dp) attention groups" : "")) covers weights and the KV pool")
                    case .trtllm:
                        let free = mem - weightsPerGPU - activation - nonTorch - rotary
                        budget = mem
                        availKV = i64(Double(free) * r.gpuMemoryUtilization)
                        notes.append("TensorRT-LLM: the KV pool is free_gpu_memory_fraction \(Units.format(r.gpuMemoryUtilization, 2)) of the memory left after weights and the profiling run")
                    default:
                        // From 0.18 the requested memory is rounded up to a whole byte (math.ceil).
                        let requested = Double(mem) * r.gpuMemoryUtilization
                        budget = i64(r.engineVersion.line == .latest ? requested.rounded(.up) : requested.rounded(.down))
                        availKV = budget - weightsPerGPU - activation - nonTorch - rotary
                    }
                    fitsBudget = budget
                    kvMemory = max(0, availKV)
                    let w = KVCache.width(m, engine: .vllm, tp: attentionTP, release: r.engineVersion)
                    let perLayerTok = Double(w.k + w.v) * r.kvDType.bytesPerElement
                    let layersPerGPU = Double(max(1, m.layers)) / Double(pp)
                    if availKV <= 0 {
                        kvCapacity = 0
                        maxConcurrency = 0
                        notes.append("no memory left for the KV cache: weights and activations exceed \(Units.gib(budget)) (gpu_memory_utilization \(r.gpuMemoryUtilization))")
                        if let p = profile, r.engine == .vllm, let hint = Self.fewerSequencesHint(p, room: availKV + activation,
                                                                                                    sequenceBytes: perLayerTok * layersPerGPU * Double(r.context)) {
                            notes.append(hint)
                        }
                    } else if KVCache.honoursWindows(m, engine: .vllm), m.slidingLayerCount > 0, let win = m.slidingWindow {
                        let fullLayers = Double(m.layers - m.slidingLayerCount) / Double(pp)
                        let slideLayers = Double(m.slidingLayerCount) / Double(pp)
                        let perRequest = perLayerTok * (fullLayers * Double(r.context) + slideLayers * Double(min(r.context, win + vllmBlockSize)))
                        let conc = Double(availKV) / perRequest
                        maxConcurrency = conc
                        if r.engineVersion.line == .latest {
                            kvCapacity = i64(conc * Double(r.context))
                            notes.append("hybrid sliding-window model: vLLM reports KV capacity as max_concurrency × max_model_len")
                        } else {
                            // Before that, "GPU KV cache size" was the pool's blocks over its layer groups:
                            // tokens as if every layer held every token (vLLM 0.10: num_blocks // groups × block).
                            let blockBytes = perLayerTok * layersPerGPU * Double(vllmBlockSize)
                            kvCapacity = blockBytes > 0 ? i64(Double(availKV) / blockBytes) * Int64(vllmBlockSize) : 0
                            notes.append("hybrid sliding-window model: vLLM \(r.engineVersion.label) reports KV capacity as the pool's blocks over its layer groups; max concurrency counts the windows")
                        }
                    } else {
                        let blockBytes = perLayerTok * layersPerGPU * Double(vllmBlockSize)
                        let blocks = blockBytes > 0 ? i64(Double(availKV) / blockBytes) : 0
                        kvCapacity = blocks * Int64(vllmBlockSize)
                        maxConcurrency = Double(kvCapacity!) / Double(max(1, r.context))
                    }
                    // Each attention group's pool serves its own sequences: the deployment holds dp of them.
                    if dp > 1 {
                        kvCapacity = kvCapacity.map { $0 * Int64(dp) }
                        maxConcurrency = maxConcurrency.map { $0 * Double(dp) }
                    }
                }
            case .llamaCpp:
                let nctx = KVCache.pad(r.context * seqs, 256)
                let kq = r.flashAttention ? 0 : Double(r.ubatch) * Double(nctx) * Double(max(1, m.heads)) * 4
                let other = Double(r.ubatch) * Double((m.intermediateSize ?? m.moeIntermediateSize ?? 0) + 2 * (m.hiddenSize ?? 0)) * 4
                activation = i64(kq + other)
                comps.append(Component("compute_buffer", activation,
                                       (r.flashAttention ? "flash attention: no KQ matrix; " : "KQ: n_ubatch \(r.ubatch) × n_ctx \(nctx) × \(m.heads) heads × 4 B; ")
                                       + "plus n_ubatch × (n_ff + 2 × n_embd) × 4 B"))
                overhead = cudaContextBytes
                comps.append(Component("cuda_context", overhead, "CUDA/Metal context and backend buffers (~0.3 GiB)"))
                if let mem = visible {
                    fitsBudget = mem
                    // Partial offload: how many repeating layers fit next to the output layer and buffers.
                    let L = max(1, m.layers)
                    // Byte figures are never negative, and the layer count stays in 0…L (a checkpoint
                    // whose measured bytes are below the formula's non-layer part cannot push it out).
                    let layerW = max(0, Double(weightBytes - ws.nonLayerBytes) / Double(L))
                    let layerKV = max(0, Double(kv.bytes) / Double(L))
                    let fixed = Double(ws.outputBytes > 0 ? ws.outputBytes : ws.embeddingBytes) + Double(activation + overhead)
                    let room = Double(mem) - fixed
                    let perLayer = layerW + layerKV
                    let fitLayers = room <= 0 ? 0 : perLayer <= 0 ? L : Int(min(Double(L), (room / perLayer).rounded(.down)))
                    gpuLayers = fitLayers
                    let onCPU = Double(L - fitLayers) * perLayer + Double(ws.embeddingBytes)
                    cpuBytes = i64(max(0, onCPU))
                    if fitLayers < L {
                        notes.append("partial offload: \(fitLayers) of \(L) layers fit on the GPU (-ngl \(fitLayers)); \(Units.gib(i64(onCPU))) of weights and KV stay in CPU RAM")
                    }
                }
            case .transformers:
                let h = Double(m.hiddenSize ?? 0)
                let I = Double(m.intermediateSize ?? m.encoderFfnDim ?? 0)
                let tokens = Double(r.context) * Double(seqs)
                var act = tokens * (4 * h + 3 * I) * dtypeBytes
                var f = "batch × seq × (4 × hidden + 3 × intermediate) × 2 B for the largest layer"
                if !r.flashAttention {
                    let heads = Double(max(1, m.heads))
                    let scores = Double(seqs) * heads * Double(r.context) * Double(r.context) * dtypeBytes * 2
                    act += scores
                    f += " + eager attention: batch × heads × seq² × 2 B × 2 (scores, softmax)"
                    comps.append(Component("attention_matrix", i64(scores), "batch × heads × seq² × 2 B × 2 (eager attention materialises it; flash/SDPA do not)"))
                }
                if m.kind != .encoder {
                    let logits = Double(seqs) * Double(m.vocabSize ?? 0) * 4
                    act += logits
                    f += " + logits batch × vocab × 4 B"
                }
                activation = i64(act)
                // The attention matrix has a row of its own; this row is the rest, so the rows add up.
                let scoresRow = comps.last { $0.name == "attention_matrix" }?.bytes ?? 0
                comps.append(Component("activations", activation - scoresRow, f))
                let frag = i64(Double(kv.bytes + activation) * 0.05)
                overhead = cudaContextBytes + frag
                comps.append(Component("cuda_context", cudaContextBytes, "CUDA context (~0.3 GiB)"))
                comps.append(Component("fragmentation", frag, "PyTorch caching allocator fragmentation, 5% of dynamic memory"))
                if let mem = visible { fitsBudget = mem }
            case .quick:
                overhead = weightBytes / 5
                comps.append(Component("rule_of_thumb_overhead", overhead, "weights × 0.2 (the 'weights × 1.2' rule; ignores context and batch)"))
                if let mem = visible { fitsBudget = mem }
            }
        }

        for (name, v) in [("KV cache", kv.bytes), ("activations", activation), ("overhead", overhead),
                          ("gradients", gradientBytes ?? 0), ("optimizer", optimizerBytes ?? 0), ("weights", weightBytes)] where v > absurdBytes {
            throw CoreError.invalidInput("\(name) would exceed \(absurdBytes / Units.GiB / 1024 / 1024) PiB: the sizes given are absurd")
        }
        // One source for every figure: each component's share of one GPU, summed; all GPUs hold
        // per GPU × GPUs of each.
        let n = Int64(tp * pp)
        if comps[0].perGPUBytes == nil { comps[0].perGPUBytes = weightsPerGPU }
        for i in comps.indices {
            let per = comps[i].perGPUBytes ?? comps[i].bytes
            comps[i].perGPUBytes = per
            comps[i].bytes = per * n
        }
        let used = comps.reduce(Int64(0)) { $0 + ($1.perGPUBytes ?? 0) }
        let total = comps.reduce(Int64(0)) { $0 + $1.bytes }
        var perGPU: Int64?
        var fits: Bool?
        if let mem = visible {
            perGPU = used
            if r.engine.isPagedServer && r.training == nil {
                let graphs = r.enforceEager ? 0 : vllmCudaGraphBytes
                fits = used - graphs <= (fitsBudget ?? mem)
            } else if r.engine == .llamaCpp && r.training == nil {
                fits = (gpuLayers ?? 0) >= max(1, m.layers)
            } else {
                fits = used <= (fitsBudget ?? mem)
            }
        }
        if m.kind == .encoder { notes.append("encoder model: no KV cache; activations dominate and grow with batch × sequence length") }
        if pc.mtp > 0 { notes.append("next-token-prediction (MTP) layers: \(pc.mtp) params not counted (loaded only for speculative decoding)") }

        var plan = DeploymentPlan(model: m, gpu: r.gpu, engine: r.engine, weights: r.weights, kvDType: r.kvDType,
                                  tensorParallel: tp, pipelineParallel: pp, context: r.context)
        plan.allowLongContext = r.allowLongContext
        plan.engineVersion = r.engineVersion
        plan.attentionDataParallel = dp
        let refused = r.training == nil ? EngineRules.problem(plan) : nil
        var launch: String?, launchNotes: [String]?
        if r.training == nil && m.kind != .encoder && (r.engine.isPagedServer || r.engine == .llamaCpp) {
            if let refused {
                notes.append("no launch line: \(refused)")
            } else if fits == false {
                notes.append("no launch line: the deployment does not fit in memory")
            } else {
                let seqsInFlight = AttentionDP.wholeGroups(r.engine.isPagedServer ? max(1, Int(min(1e6, (maxConcurrency ?? Double(seqs)).rounded(.down)))) : seqs,
                                                           dp: dp)
                var spec = LaunchCommand.Spec(plan, maxNumSeqs: seqsInFlight, gpuMemoryUtilization: r.gpuMemoryUtilization)
                spec.gpuLayers = gpuLayers.flatMap { $0 < max(1, m.layers) ? $0 : nil }
                spec.variant = r.variantName
                let l = LaunchCommand.make(r.engine, spec)
                launch = l.command
                launchNotes = l.notes
            }
        }
        var estimate = Estimate(
            model: m.slug, engine: r.engine.rawValue, weights: r.weights.name, kvCache: r.kvDType.name,
            context: r.context, batch: seqs, gpus: gpus, tensorParallel: tp, pipelineParallel: pp,
            paramsTotal: pc.total, paramsActive: pc.active, weightsBytes: weightBytes, bitsPerWeight: ((r.measuredWeightBytes.map { pc.total > 0 ? Double($0) * 8 / Double(pc.total) : 0 } ?? ws.bitsPerWeight) * 1000).rounded() / 1000,
            kvCacheBytesPerToken: kv.bytesPerToken, kvCacheBytes: kv.bytes, activationBytes: activation,
            overheadBytes: overhead, totalBytes: total, ruleOfThumbBytes: weightBytes + weightBytes / 5,
            components: comps, perGPUBytes: perGPU, weightsBytesPerGPU: visible != nil ? weightsPerGPU : nil,
            gpuMemoryBytes: visible, fits: fits, kvCapacityTokens: kvCapacity, maxConcurrency: maxConcurrency.map { ($0 * 100).rounded(.down) / 100 },
            gpuLayers: gpuLayers, cpuBytes: cpuBytes, gradientBytes: gradientBytes, optimizerBytes: optimizerBytes, notes: notes,
            launch: launch, launchNotes: launchNotes, refused: refused)
        if fits != nil { estimate.memoryBudgetBytes = fitsBudget ?? visible }
        if dp > 1 { estimate.attentionDataParallel = dp }
        estimate.kvMemoryBytes = kvMemory
        return estimate
    }

    static func validate(_ r: EstimateRequest) throws {
        func check(_ v: Int, _ name: String, _ lo: Int, _ hi: Int) throws {
            if v < lo || v > hi { throw CoreError.invalidInput("\(name) must be between \(lo) and \(hi) (got \(v))") }
        }
        try check(r.context, "context", 1, 16_777_216)
        try check(r.batch, "batch", 1, 1_048_576)
        try check(r.gpus, "gpus", 1, 4096)
        try check(r.pipelineParallel, "pipeline parallel", 1, 1024)
        try check(r.ubatch, "ubatch", 1, 1_048_576)
        if let t = r.tensorParallel { try check(t, "tensor parallel", 1, 1024) }
        try check(r.attentionDataParallel, "attention data parallel", 1, 1024)
        if let t = r.maxNumBatchedTokens { try check(t, "max-num-batched-tokens", 1, 16_777_216) }
        if let n = r.maxNumSeqs { try check(n, "max-num-seqs", 1, 65_536) }
        if let e = r.encoderTokens { try check(e, "encoder tokens", 1, 16_777_216) }
        guard r.gpuMemoryUtilization.isNormal, r.gpuMemoryUtilization > 0, r.gpuMemoryUtilization <= 1 else {
            throw CoreError.invalidInput("gpu-memory-utilization must be in (0, 1] (got \(r.gpuMemoryUtilization))")
        }
        if let g = r.gpuMemoryBytes, g <= 0 || g > 64 * 1024 * Units.GiB { throw CoreError.invalidInput("gpu memory must be between 1 byte and 64 TiB") }
        if let g = r.measuredWeightBytes, g < 0 { throw CoreError.invalidInput("measured weight bytes must not be negative") }
        if let t = r.training {
            if ![0, 1, 2, 3].contains(t.zeroStage) { throw CoreError.invalidInput("ZeRO stage must be 0, 1, 2 or 3 (got \(t.zeroStage))") }
            if let rank = t.loraRank { try check(rank, "LoRA rank", 1, 65536) }
        }
    }

    /// Peak activation elements per token in one layer (16-bit), per tensor-parallel rank.
    static func activationPerToken(_ m: Model, tp: Int) -> Double {
        let h = Double(m.hiddenSize ?? 0)
        let t = Double(max(1, tp))
        let qkv: Double
        if m.isMLA {
            qkv = Double(m.heads) * Double((m.qkNopeHeadDim ?? 0) + (m.qkRopeHeadDim ?? 0) + (m.vHeadDim ?? 0)) / t
        } else {
            qkv = Double(m.heads + 2 * m.kvHeads) * Double(m.resolvedHeadDim) / t
        }
        var ffn = Double(m.intermediateSize ?? 0)
        if m.isMoE {
            let moeI = Double(["mixtral", "gpt_oss"].contains(m.modelType) ? (m.intermediateSize ?? 0) : (m.moeIntermediateSize ?? m.intermediateSize ?? 0))
            let shared = Double(m.sharedExpertIntermediateSize ?? (m.nSharedExperts ?? 0) * Int(moeI))
            ffn = max(m.firstKDenseReplace ?? 0 > 0 ? ffn : 0, Double(m.numExpertsPerTok ?? 1) * moeI + shared)
        }
        return 3 * h + qkv + 3 * ffn / t
    }

    /// The bytes vLLM adds to one GPU's MXFP4 experts over their stored size (kernel-tile
    /// padding, swizzled scale copies: `VLLMMXFP4Backend`), with the note naming the backend; nil
    /// when the weights are not MXFP4 experts or the backend keeps the stored layout.
    static func vllmMXFP4Padding(pc: ParamCount, model m: Model, format: WeightFormat, tp: Int, pp: Int,
                                 release: VLLMRelease, gpu: GPU?) -> (Int64, String)? {
        guard case .fp4(_, _, "mxfp4") = format, let e = m.numExperts, e > 0, let h = m.hiddenSize,
              let i = m.moeIntermediateSize ?? m.intermediateSize, h > 0, i > 0 else { return nil }
        let backend = VLLMMXFP4Backend.choose(release: release, gpu: gpu)
        guard backend != .stored else { return nil }
        let ctx = GGUFMix.Context(model: m, tensors: pc.tensors)
        var stored = 0.0
        var layers = Set<Int>()
        var biases = false
        for t in pc.tensors where t.isExpert && t.part == .main && t.layer >= 0 {
            stored += format.bytes(of: t, context: ctx, quantization: m.quantization) / tpSplit(t, model: m, tp: tp)
            layers.insert(t.layer)
            if t.role == .expertBias { biases = true }
        }
        guard !layers.isEmpty else { return nil }
        let laidOut = Double(layers.count) * backend.layerBytes(experts: e, hidden: h, intermediate: i, tp: tp, biases: biases)
        let extra = i64(((laidOut - stored) / Double(max(1, pp))).rounded())
        guard extra != 0 else { return nil }
        return (extra, "MXFP4 experts in vLLM's \(backend.label) layout (\(release.label), \(gpu?.arch?.label ?? "this GPU")): \(extra >= 0 ? "+" : "")\(Units.gib(extra)) per GPU over the stored bytes")
    }

    /// When vLLM's profiling sampler (max_num_seqs sequences × vocabulary) is what leaves no KV
    /// room: the largest power-of-two --max-num-seqs whose smaller peak leaves room for one
    /// sequence of the context (`room`: the budget less everything but the activation peak).
    static func fewerSequencesHint(_ p: (forward: Double, perSequence: Double, seqs: Int), room: Int64, sequenceBytes: Double) -> String? {
        guard p.perSequence > 0, Double(p.seqs) * p.perSequence > p.forward else { return nil }
        var s = 1
        while s * 2 < p.seqs { s *= 2 }
        while s >= 1 {
            let peak = max(p.forward, Double(s) * p.perSequence)
            let left = Double(room) - peak
            if left >= sequenceBytes {
                return "vLLM's profiling sampler for \(p.seqs) sequences (its max_num_seqs) takes \(Units.gib(i64(Double(p.seqs) * p.perSequence))): "
                    + "with --max-num-seqs \(s) it takes \(Units.gib(i64(peak))) and leaves \(Units.gib(i64(left))) for the KV cache"
            }
            s /= 2
        }
        return nil
    }

    /// How many tensor-parallel ranks share one tensor: 2-D tensors are split across all of them
    /// (K/V projections only across as many as there are KV heads), except the MoE router and
    /// MLA's low-rank down-projections (q_a_proj, kv_a_proj_with_mqa), which vLLM and SGLang
    /// replicate (`ReplicatedLinear`); 1-D tensors are replicated.
    static func tpSplit(_ t: TensorInfo, model m: Model, tp: Int) -> Double {
        guard t.is2D, tp > 1 else { return 1 }
        if t.role == .router || t.role == .attnQA || t.role == .attnKVA { return 1 }
        if (t.role == .attnK || t.role == .attnV) && m.kvHeads > 0 && tp > m.kvHeads { return Double(m.kvHeads) }
        return Double(tp)
    }

    /// Weights held by one GPU: 2-D tensors split across tensor-parallel ranks (K/V projections
    /// replicated once TP exceeds the KV heads; routers and MLA's q_a/kv_a projections on every
    /// rank), 1-D tensors replicated, layers split across
    /// pipeline stages (the embedding and head counted on the busiest stage).
    static func perGPUWeights(pc: ParamCount, ws: WeightSize, model m: Model, format: WeightFormat, tp: Int, pp: Int, measured: Int64?,
                              engine: Engine = .vllm, dp: Int = 1) -> Int64 {
        if tp == 1 && pp == 1 { return measured ?? ws.bytes }
        let ctx = GGUFMix.Context(model: m, tensors: pc.tensors)
        var layerBytes = 0.0, nonLayer = 0.0
        for t in pc.tensors where t.part != .mtp {
            let b = format.bytes(of: t, context: ctx, quantization: m.quantization)
            let share = b / AttentionDP.split(t, model: m, engine: engine, tp: tp, dp: dp)
            if t.layer >= 0 && t.part == .main { layerBytes += share } else { nonLayer += share }
        }
        var total = layerBytes / Double(pp) + nonLayer
        if let measured, ws.bytes > 0 { total *= Double(measured) / Double(ws.bytes) }
        return i64(total.rounded())
    }
}
