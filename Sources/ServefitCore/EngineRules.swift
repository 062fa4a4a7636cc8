import Foundation

/// What a GPU can run, read from the compute capability engines compile for — never guessed
/// from which TFLOPS figures a row happens to carry.
public struct GPUArch: Sendable, Equatable {
    public enum Family: String, Sendable { case cuda, rocm, gaudi }
    public var family: Family
    /// NVIDIA compute capability × 10 (sm_86 → 86, sm_120 → 120).
    public var sm: Int?
    /// AMD gfx target (gfx90a, gfx942).
    public var gfx: String?

    /// Canonical spellings only (as the engines print them): "sm_90", "gfx942", "gaudi2".
    public init?(computeCapability s: String) {
        // Byte-wise: the rules and the performance model ask for every deployment they consider.
        let u = Array(s.utf8)
        guard u.count >= 5, u.count <= 8 else { return nil }
        let digits = u[3...]
        func isDigit(_ c: UInt8) -> Bool { c >= 48 && c <= 57 }
        if u[0] == 115, u[1] == 109, u[2] == 95, digits.count <= 3, digits.first != 48, digits.allSatisfy(isDigit) {
            let n = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
            guard (10...200).contains(n) else { return nil }
            family = .cuda; sm = n; return
        }
        if u[0] == 103, u[1] == 102, u[2] == 120, digits.allSatisfy({ isDigit($0) || ($0 >= 97 && $0 <= 102) }) { family = .rocm; gfx = s; return }
        if s == "gaudi2" || s == "gaudi3" { family = .gaudi; gfx = s; return }
        return nil
    }

    /// CDNA3 and newer (MI300X, MI325X): fp8 (FNUZ) matrix cores.
    public var isCDNA3OrNewer: Bool { gfx.map { $0 >= "gfx942" && $0.count == 6 } ?? false }
    public var label: String { sm.map { "sm_\($0)" } ?? gfx ?? family.rawValue }
}

extension GPU {
    /// The GPU's compute target, nil when the catalog row does not say.
    public var arch: GPUArch? { computeCapability.flatMap(GPUArch.init(computeCapability:)) }
    /// AMD's stack (ROCm): from the compute target, or the vendor where the row names none.
    public var isROCm: Bool { arch.map { $0.family == .rocm } ?? (vendor.caseInsensitiveCompare("AMD") == .orderedSame) }
}

/// One deployment as the engine would be asked to run it: the subject of every rule.
public struct DeploymentPlan: Sendable {
    public var model: Model
    public var gpu: GPU?
    public var engine: Engine
    public var weights: WeightFormat
    public var kvDType: KVDType
    public var tensorParallel: Int
    public var pipelineParallel: Int
    public var context: Int
    /// Run past the model's trained context (vLLM's VLLM_ALLOW_LONG_MAX_MODEL_LEN=1).
    public var allowLongContext = false
    /// The vLLM release line whose checks apply (quantisation minimums changed between lines).
    public var engineVersion: VLLMRelease = .current
    /// Attention groups over the tensor-parallel GPUs (`AttentionDP`); 1 is plain tensor parallel.
    public var attentionDataParallel = 1
    public init(model: Model, gpu: GPU?, engine: Engine, weights: WeightFormat, kvDType: KVDType,
                tensorParallel: Int, pipelineParallel: Int, context: Int) {
        self.model = model; self.gpu = gpu; self.engine = engine; self.weights = weights; self.kvDType = kvDType
        self.tensorParallel = tensorParallel; self.pipelineParallel = pipelineParallel; self.context = context
    }
}

/// The engines' own refusals, written once: `estimate`, `rank`, `compare`, `best-gpu`, launch
/// lines and the API all ask here. Each rule cites what the engine checks (README, "Engine rules").
public enum EngineRules {
    /// Why the engine would refuse this deployment, or nil when it would start it.
    public static func problem(_ d: DeploymentPlan) -> String? {
        parallelism(d) ?? context(d) ?? weights(d) ?? kvCache(d)
    }

    /// vLLM (`ModelConfig.verify_with_parallel_config`): attention heads divide evenly across TP
    /// ranks; KV heads split evenly or are replicated (TP a multiple of them). llama.cpp splits
    /// layers, not tensors.
    static func parallelism(_ d: DeploymentPlan) -> String? {
        let tp = d.tensorParallel, m = d.model
        if d.engine == .llamaCpp, tp > 1 {
            return "llama.cpp splits layers across GPUs (--split-mode layer), not tensors: use pipeline parallel \(tp * d.pipelineParallel)"
        }
        if let p = AttentionDP.problem(engine: d.engine, model: m, tp: tp, pp: d.pipelineParallel, dp: d.attentionDataParallel) { return p }
        guard tp > 1, d.engine != .quick else { return nil }
        // Attention heads split over each attention group (all TP ranks without attention DP).
        let atp = tp / max(1, d.attentionDataParallel)
        let what = atp == tp ? "tensor parallel \(tp)" : "attention tensor parallel \(atp) (\(tp) GPUs in \(d.attentionDataParallel) groups)"
        if m.heads > 0 && m.heads % atp != 0 { return "\(what) does not divide \(m.heads) attention heads" }
        let kvh = m.kvHeads
        if !m.isMLA && kvh > 0 && kvh % atp != 0 && atp % kvh != 0 {
            return "\(what) and \(kvh) KV heads: neither divides the other"
        }
        if d.pipelineParallel > 1, m.layers > 0, d.pipelineParallel > m.layers {
            return "pipeline parallel \(d.pipelineParallel) exceeds the model's \(m.layers) layers"
        }
        return nil
    }

    /// The engines refuse a context past the model's trained maximum unless told to allow it
    /// (vLLM: "User-specified max_model_len (X) is greater than the derived max_model_len").
    static func context(_ d: DeploymentPlan) -> String? {
        guard d.engine != .quick, !d.allowLongContext, let maxLen = d.model.contextLimit, d.context > maxLen else { return nil }
        return "context \(d.context) is past \(d.model.slug)'s maximum of \(maxLen) tokens (--allow-long-context runs past it, "
            + "with rope scaling in the model's config; vLLM needs VLLM_ALLOW_LONG_MAX_MODEL_LEN=1)"
    }

    /// Which weight formats each engine loads, and on which GPUs its kernels run (vLLM's
    /// `get_min_capability()` per quantization method, ROCm support per method).
    static func weights(_ d: DeploymentPlan) -> String? {
        let f = d.weights
        let arch = d.gpu?.arch
        let name = d.gpu?.name ?? "this GPU"
        func needSM(_ minSM: Int, _ what: String, rocm: Bool, gaudi: Bool = false) -> String? {
            guard let a = arch else { return nil }
            switch a.family {
            case .cuda:
                return (a.sm ?? 0) >= minSM ? nil : "\(d.engine.rawValue)'s \(what) needs NVIDIA sm_\(minSM) or newer; \(name) is \(a.label)"
            case .rocm:
                return rocm ? nil : "\(d.engine.rawValue)'s \(what) has no ROCm kernels (\(name) is \(a.label))"
            case .gaudi:
                return gaudi ? nil : "\(d.engine.rawValue)'s \(what) does not run on Intel Gaudi"
            }
        }
        switch d.engine {
        case .quick:
            return nil
        case .llamaCpp:
            if arch?.family == .gaudi { return "llama.cpp has no Intel Gaudi backend" }
            switch f {
            case .gguf, .float: return nil
            default:
                return "llama.cpp reads GGUF files: \(f.name) has no GGUF form (use a GGUF type such as Q8_0 or Q4_K_M)"
            }
        case .vllm:
            switch f {
            case .float: return nil
            case .fp8:
                if let a = arch, a.family == .rocm, !a.isCDNA3OrNewer { return "vLLM's fp8 on ROCm needs MI300 (gfx942) or newer; \(name) is \(a.label)" }
                let line = d.engineVersion.line == .latest ? "" : " in \(d.engineVersion.label)"
                return needSM(d.engineVersion.fp8MinimumSM, "fp8\(line) (FP8 Marlin below sm_89, native from sm_89)", rocm: true, gaudi: true)
            case .grouped(let method, _, _):
                return method == "awq" ? needSM(75, "AWQ kernels", rocm: true) : needSM(60, "GPTQ kernels", rocm: true)
            case .bnb4: return needSM(70, "bitsandbytes", rocm: false)
            case .int8:
                if let a = arch, a.family == .rocm, !a.isCDNA3OrNewer { return "vLLM's int8 W8A8 on ROCm needs MI300 (gfx942)" }
                return needSM(75, "int8 W8A8 (CUTLASS scaled_mm)", rocm: true)
            case .fp4(_, _, let n):
                return n == "mxfp4" ? needSM(80, "MXFP4", rocm: true) : needSM(80, "NVFP4 (FP4 Marlin below sm_100)", rocm: false)
            case .gguf: return needSM(60, "GGUF loader", rocm: true)
            }
        case .sglang:
            if let a = arch, a.family == .gaudi { return "SGLang has no Intel Gaudi backend" }
            if let a = arch, a.family == .cuda, (a.sm ?? 0) < 75 { return "SGLang's kernels (FlashInfer) need NVIDIA sm_75 or newer; \(name) is \(a.label)" }
            switch f {
            case .float: return nil
            case .fp8:
                if let a = arch, a.family == .rocm, !a.isCDNA3OrNewer { return "SGLang's fp8 on ROCm needs MI300 (gfx942)" }
                return needSM(80, "fp8", rocm: true)
            case .grouped(let method, _, _): return needSM(75, method == "awq" ? "AWQ" : "GPTQ", rocm: true)
            case .bnb4: return needSM(75, "bitsandbytes", rocm: false)
            case .int8: return needSM(75, "int8 W8A8", rocm: false)
            case .fp4(_, _, let n): return n == "mxfp4" ? needSM(80, "MXFP4", rocm: true) : needSM(100, "NVFP4", rocm: false)
            case .gguf: return "SGLang does not load GGUF files: use --engine llama.cpp"
            }
        case .trtllm:
            // TensorRT-LLM: NVIDIA Ampere (sm_80) and newer, Linux; quantisation by the support matrix.
            if let a = arch, a.family != .cuda { return "TensorRT-LLM runs on NVIDIA GPUs only; \(name) is \(a.label)" }
            if let a = arch, (a.sm ?? 0) < 80 { return "TensorRT-LLM needs NVIDIA Ampere (sm_80) or newer; \(name) is \(a.label)" }
            switch f {
            case .float: return nil
            case .fp8: return needSM(89, "FP8 (ModelOpt checkpoint)", rocm: false)
            case .grouped: return needSM(80, "W4A16 AWQ/GPTQ", rocm: false)
            case .int8: return needSM(80, "INT8 SmoothQuant", rocm: false)
            case .fp4: return needSM(100, "NVFP4/MXFP4", rocm: false)
            case .bnb4: return "TensorRT-LLM has no bitsandbytes support"
            case .gguf: return "TensorRT-LLM does not load GGUF files: use --engine llama.cpp"
            }
        case .transformers:
            switch f {
            case .float, .grouped: return nil
            case .fp8: return needSM(89, "fp8 (fine-grained FP8 kernels)", rocm: false)
            case .bnb4, .int8: return needSM(70, "bitsandbytes", rocm: false)
            case .fp4: return needSM(100, "fp4", rocm: false)
            case .gguf: return "transformers dequantises GGUF files to 16-bit on load: estimate them with --engine llama.cpp"
            }
        }
    }

    /// KV cache dtypes each engine has (vLLM --kv-cache-dtype auto|bfloat16|fp8|fp8_e4m3|fp8_e5m2;
    /// llama.cpp -ctk/-ctv f32 f16 bf16 q8_0 q4_0 q4_1 iq4_nl q5_0 q5_1).
    public static let kvDTypes: [Engine: Set<String>] = [
        .vllm: ["fp16", "bf16", "fp8"],
        .sglang: ["fp16", "bf16", "fp8"],
        .trtllm: ["fp16", "bf16", "fp8"],
        .llamaCpp: ["fp32", "fp16", "bf16", "q8_0", "q4_0", "q4_1", "iq4_nl", "q5_0", "q5_1"],
        .transformers: ["fp32", "fp16", "bf16"],
    ]

    static func kvCache(_ d: DeploymentPlan) -> String? {
        guard let allowed = kvDTypes[d.engine] else { return nil }
        let kv = d.kvDType.name
        guard allowed.contains(kv) else {
            let hint = d.engine == .llamaCpp && (kv == "fp8" || kv == "int8") ? " (q8_0 is llama.cpp's 8-bit cache)" : ""
            return "\(d.engine.rawValue) has no \(kv) KV cache (it has \(allowed.sorted().joined(separator: ", ")))\(hint)"
        }
        if d.engine.isPagedServer, kv == "fp8", let a = d.gpu?.arch {
            if a.family == .cuda, (a.sm ?? 0) < 80 { return "\(d.engine.rawValue)'s fp8 KV cache needs NVIDIA sm_80 or newer; \(d.gpu?.name ?? "this GPU") is \(a.label)" }
            if a.family == .rocm, !a.isCDNA3OrNewer { return "\(d.engine.rawValue)'s fp8 KV cache on ROCm needs MI300 (gfx942)" }
        }
        return nil
    }

    /// A checkpoint that must already be in the format (vLLM cannot quantise to it on load).
    public static func needsCheckpoint(_ f: WeightFormat) -> Bool {
        switch f {
        case .grouped, .int8, .fp4, .gguf: return true
        case .float, .fp8, .bnb4: return false
        }
    }
}

extension Model {
    /// The longest context the model was trained for, as the engines derive it.
    public var contextLimit: Int? {
        kind == .encoderDecoder ? (maxTargetPositions ?? maxPositionEmbeddings) : maxPositionEmbeddings
    }
}
