/// An estimate as the CLI and the HTTP API spell it: names and numbers, resolved against the
/// catalog by the caller. One place turns it into an `EstimateRequest`, so both faces agree.
public struct EstimateSpec: Codable, Sendable, Equatable {
    public var model: String
    public var weights = "fp16" { didSet { weightsGiven = true } }
    /// Whether `weights` was given (else a checkpoint's own quantization decides, then fp16).
    public var weightsGiven = false
    public var kvCache = "fp16"
    public var context = 2048
    public var batch = 1
    public var engine = "vllm"
    public var gpu: String?
    /// GPU memory for hardware not in the catalog, e.g. "24GiB".
    public var gpuMemory: String?
    public var gpus = 1
    public var tensorParallel: Int?
    public var pipelineParallel = 1
    /// Attention data-parallel groups over the GPUs (SGLang --dp with --enable-dp-attention,
    /// TensorRT-LLM enable_attention_dp, vLLM --data-parallel-size); 1: plain tensor parallel.
    public var attentionDP = 1
    public var gpuMemoryUtilization = 0.9
    public var maxNumBatchedTokens: Int?
    /// vLLM `--max-num-seqs` (the profiling run samples this many sequences).
    public var maxNumSeqs: Int?
    /// vLLM release line whose start-up rules apply ("0.6.3", "0.10.1", "latest").
    public var engineVersion: String?
    public var enforceEager = false
    public var noFlashAttention = false
    public var encoderTokens: Int?
    public var train: String?
    public var loraRank: Int?
    public var loraTargets = "attention"
    public var zero = 0
    public var gradientCheckpointing = false
    /// A measured checkpoint of the model (`servefit model import PATH`): its bytes replace the formula's.
    public var variant: String?
    /// Size past the model's trained context (the engines refuse it otherwise).
    public var allowLongContext = false

    public init(model: String) { self.model = model }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, weights, kvCache = "kv_cache", context, batch, engine, gpu, gpuMemory = "gpu_memory", gpus
        case tensorParallel = "tensor_parallel", pipelineParallel = "pipeline_parallel", attentionDP = "attention_dp"
        case gpuMemoryUtilization = "gpu_memory_utilization", maxNumBatchedTokens = "max_num_batched_tokens"
        case maxNumSeqs = "max_num_seqs", engineVersion = "engine_version"
        case enforceEager = "enforce_eager", noFlashAttention = "no_flash_attention", encoderTokens = "encoder_tokens"
        case train, loraRank = "lora_rank", loraTargets = "lora_targets", zero, gradientCheckpointing = "gradient_checkpointing", variant
        case allowLongContext = "allow_long_context"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EstimateSpec(model: "")
        model = try c.decode(String.self, forKey: .model)
        weights = try c.decodeIfPresent(String.self, forKey: .weights) ?? d.weights
        weightsGiven = c.contains(.weights)
        kvCache = try c.decodeIfPresent(String.self, forKey: .kvCache) ?? d.kvCache
        context = try c.decodeIfPresent(Int.self, forKey: .context) ?? d.context
        batch = try c.decodeIfPresent(Int.self, forKey: .batch) ?? d.batch
        engine = try c.decodeIfPresent(String.self, forKey: .engine) ?? d.engine
        gpu = try c.decodeIfPresent(String.self, forKey: .gpu)
        gpuMemory = try c.decodeIfPresent(String.self, forKey: .gpuMemory)
        gpus = try c.decodeIfPresent(Int.self, forKey: .gpus) ?? d.gpus
        tensorParallel = try c.decodeIfPresent(Int.self, forKey: .tensorParallel)
        pipelineParallel = try c.decodeIfPresent(Int.self, forKey: .pipelineParallel) ?? d.pipelineParallel
        attentionDP = try c.decodeIfPresent(Int.self, forKey: .attentionDP) ?? d.attentionDP
        gpuMemoryUtilization = try c.decodeIfPresent(Double.self, forKey: .gpuMemoryUtilization) ?? d.gpuMemoryUtilization
        maxNumBatchedTokens = try c.decodeIfPresent(Int.self, forKey: .maxNumBatchedTokens)
        maxNumSeqs = try c.decodeIfPresent(Int.self, forKey: .maxNumSeqs)
        engineVersion = try c.decodeIfPresent(String.self, forKey: .engineVersion)
        enforceEager = try c.decodeIfPresent(Bool.self, forKey: .enforceEager) ?? false
        noFlashAttention = try c.decodeIfPresent(Bool.self, forKey: .noFlashAttention) ?? false
        encoderTokens = try c.decodeIfPresent(Int.self, forKey: .encoderTokens)
        train = try c.decodeIfPresent(String.self, forKey: .train)
        loraRank = try c.decodeIfPresent(Int.self, forKey: .loraRank)
        loraTargets = try c.decodeIfPresent(String.self, forKey: .loraTargets) ?? d.loraTargets
        zero = try c.decodeIfPresent(Int.self, forKey: .zero) ?? 0
        gradientCheckpointing = try c.decodeIfPresent(Bool.self, forKey: .gradientCheckpointing) ?? false
        variant = try c.decodeIfPresent(String.self, forKey: .variant)
        allowLongContext = try c.decodeIfPresent(Bool.self, forKey: .allowLongContext) ?? false
    }

    public static var fieldNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// What the estimator's own range checks (`Estimator.validate`) cannot see from a request:
    /// options that only matter with others (ZeRO without --train) and string lengths.
    public func validate() throws {
        guard (0...3).contains(zero) else { throw CoreError.badOption("zero must be a ZeRO stage 0, 1, 2 or 3 (got \(zero))") }
        for (k, v, n) in [("model", model, 512), ("weights", weights, 32), ("kv_cache", kvCache, 32), ("engine", engine, 32),
                          ("gpu", gpu ?? "", 128), ("gpu_memory", gpuMemory ?? "", 64), ("train", train ?? "", 32),
                          ("lora_targets", loraTargets, 512), ("variant", variant ?? "", 128),
                          ("engine_version", engineVersion ?? "", 32)] where v.utf8.count > n {
            throw CoreError.badOption("\(k) is longer than \(n) bytes")
        }
    }

    /// The checkpoint read from files (a Hub repo, a folder, a .gguf) sizes the estimate with
    /// its own bytes, unless `weights` asks for another format: then the formula sizes that one.
    public func ownBytes(_ checkpoint: ModelVariant?) throws -> ModelVariant? {
        guard let checkpoint else { return nil }
        guard weightsGiven else { return checkpoint }
        return try WeightFormat.parse(weights) == (try? WeightFormat.parse(checkpoint.format)) ? checkpoint : nil
    }

    /// The estimator's request for this spec, with the model and GPU the caller looked up.
    public func request(model m: Model, gpu g: GPU?, variant v: ModelVariant? = nil) throws -> EstimateRequest {
        try validate()
        var r = EstimateRequest(model: m)
        // A checkpoint stored quantised (config.json quantization_config) is sized in its own
        // format unless --weights says otherwise.
        r.weights = try WeightFormat.parse(v?.format ?? (weightsGiven ? weights : m.storedWeightFormat?.name ?? weights))
        r.measuredWeightBytes = v?.weightsBytes
        r.kvDType = try KVDType.parse(kvCache)
        r.engine = try Engine.parse(engine)
        r.context = context
        r.batch = batch
        r.gpus = gpus
        r.tensorParallel = tensorParallel
        r.pipelineParallel = pipelineParallel
        r.attentionDataParallel = attentionDP
        // llama.cpp splits layers across its GPUs (--split-mode layer): --gpus N is N stages.
        if r.engine == .llamaCpp, tensorParallel == nil, pipelineParallel == 1 { r.tensorParallel = 1; r.pipelineParallel = gpus }
        r.gpu = g
        r.variantName = v?.name
        r.allowLongContext = allowLongContext
        r.gpuMemoryUtilization = gpuMemoryUtilization
        r.maxNumBatchedTokens = maxNumBatchedTokens
        r.maxNumSeqs = maxNumSeqs
        if let v = engineVersion {
            guard r.engine == .vllm else { throw CoreError.badOption("--engine-version applies to vLLM's start-up rules (engine is \(r.engine.rawValue))") }
            r.engineVersion = try VLLMRelease.parse(v)
        }
        r.enforceEager = enforceEager
        r.flashAttention = !noFlashAttention
        r.encoderTokens = encoderTokens
        if let g {
            r.gpuMemoryBytes = g.memoryBytes
            r.gpuVisibleMemoryBytes = g.visibleMemoryBytes
        } else if let gpuMemory {
            r.gpuMemoryBytes = try Units.parseBytes(gpuMemory)
            r.gpuVisibleMemoryBytes = r.gpuMemoryBytes
        }
        if train != nil || loraRank != nil {
            var t = TrainingOptions()
            t.optimizer = try Optimizer.parse(train ?? "adamw")
            t.loraRank = loraRank
            t.loraTargets = loraTargets.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            t.zeroStage = zero
            t.gradientCheckpointing = gradientCheckpointing
            t.flashAttention = !noFlashAttention
            r.training = t
        }
        return r
    }
}

/// A model as the catalog shows it: the architecture plus the counts computed from it.
public struct ModelInfo: Encodable, Sendable {
    public var model: Model
    public var count: ParamCount?
    public init(_ m: Model) { model = m; count = try? ParamCounter.count(m) }

    enum Extra: String, CodingKey { case paramsTotal = "params_total", paramsActive = "params_active", paramsMTP = "params_mtp", paramsVision = "params_vision" }

    public func encode(to encoder: any Encoder) throws {
        try model.encode(to: encoder)
        var c = encoder.container(keyedBy: Extra.self)
        if let pc = count {
            try c.encode(pc.total, forKey: .paramsTotal)
            try c.encode(pc.active, forKey: .paramsActive)
            if pc.mtp > 0 { try c.encode(pc.mtp, forKey: .paramsMTP) }
            if pc.vision > 0 { try c.encode(pc.vision, forKey: .paramsVision) }
        } else {
            try c.encodeNil(forKey: .paramsTotal)
            try c.encodeNil(forKey: .paramsActive)
        }
    }
}
