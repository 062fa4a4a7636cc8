/// The command line a user would run to serve a chosen deployment.
public struct LaunchCommand: Codable, Sendable, Equatable {
    public var engine: String
    public var command: String
    public var notes: [String]

    public struct Spec: Sendable {
        public var model: Model
        public var gpu: GPU?
        public var weights: WeightFormat = .float(bits: 16)
        public var kvDType: KVDType = .fp16
        public var tensorParallel = 1
        public var pipelineParallel = 1
        /// Tokens per sequence (vLLM --max-model-len; llama.cpp's per-slot context).
        public var context = 4096
        /// Concurrent sequences (vLLM --max-num-seqs; llama.cpp --parallel).
        public var maxNumSeqs = 1
        public var gpuMemoryUtilization = 0.9
        /// llama.cpp layers on the GPU (nil: all).
        public var gpuLayers: Int?
        public init(model: Model) { self.model = model }
    }

    public static func make(_ engine: Engine, _ s: Spec) -> LaunchCommand {
        engine == .llamaCpp ? llamaCpp(s) : vllm(s)
    }

    public static func vllm(_ s: Spec) -> LaunchCommand {
        var notes: [String] = []
        let repo = s.model.hfRepo ?? s.model.slug
        var args = ["vllm", "serve", repo]
        if s.tensorParallel > 1 { args += ["--tensor-parallel-size", String(s.tensorParallel)] }
        if s.pipelineParallel > 1 { args += ["--pipeline-parallel-size", String(s.pipelineParallel)] }
        args += ["--max-model-len", String(s.context), "--max-num-seqs", String(max(1, s.maxNumSeqs))]
        args += ["--gpu-memory-utilization", String(format2(s.gpuMemoryUtilization))]
        if let g = s.gpu, g.tflops.bf16 == nil { args += ["--dtype", "float16"]; notes.append("\(g.name) has no bf16: serve in float16") }
        switch s.weights {
        case .fp8:
            args += ["--quantization", "fp8"]
            notes.append("--quantization fp8 quantises the 16-bit checkpoint when loading; an FP8 checkpoint needs no flag")
        case .grouped(let method, _, _):
            args += ["--quantization", method]
            notes.append("needs a \(method.uppercased()) checkpoint of \(repo) (vLLM reads the scheme from its config; it uses the Marlin kernels where it can)")
        case .bnb4:
            args += ["--quantization", "bitsandbytes"]
        case .int8:
            notes.append("int8 (W8A8) needs an int8 compressed-tensors checkpoint of \(repo); vLLM reads the scheme from its config")
        case .fp4(_, _, let name):
            notes.append("\(name) needs a pre-quantised checkpoint (e.g. ModelOpt NVFP4 or the model's own MXFP4 release)")
        case .gguf:
            notes.append("GGUF files are better served by llama.cpp (--engine llama.cpp)")
        case .float(let bits):
            if bits == 32 { args += ["--dtype", "float32"] }
        }
        if s.kvDType.name == "fp8" { args += ["--kv-cache-dtype", "fp8"] }
        return LaunchCommand(engine: "vllm", command: args.joined(separator: " "), notes: notes)
    }

    public static func llamaCpp(_ s: Spec) -> LaunchCommand {
        var notes: [String] = []
        let base = (s.model.hfRepo ?? s.model.slug).split(separator: "/").last.map(String.init) ?? s.model.slug
        let type: String
        switch s.weights {
        case .gguf(let mix): type = mix.rawValue
        case .float(let bits): type = bits == 32 ? "F32" : "F16"
        default:
            type = "Q4_K_M"
            notes.append("llama.cpp reads GGUF files: \(s.weights.name) has no GGUF form, Q4_K_M shown instead")
        }
        let slots = max(1, s.maxNumSeqs)
        var args = ["llama-server", "-m", "\(base)-\(type).gguf", "-c", String(s.context * slots)]
        if slots > 1 { args += ["-np", String(slots)] }
        args += ["-ngl", s.gpuLayers.map(String.init) ?? "99", "-fa", "on"]
        switch s.kvDType.name {
        case "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "iq4_nl": args += ["-ctk", s.kvDType.name, "-ctv", s.kvDType.name]
        case "fp32", "f32": args += ["-ctk", "f32", "-ctv", "f32"]
        default: break
        }
        let gpus = s.tensorParallel * s.pipelineParallel
        if gpus > 1 {
            args += ["--split-mode", "layer"]
            notes.append("llama.cpp splits layers over the \(gpus) visible GPUs (no tensor parallelism by default)")
        }
        if slots > 1 { notes.append("-c is the total context: \(s.context) tokens × \(slots) slots") }
        return LaunchCommand(engine: "llama.cpp", command: args.joined(separator: " "), notes: notes)
    }

    static func format2(_ x: Double) -> String { Units.format(x, 2) }
}

/// Whether an engine can run a weight format on a GPU at all (vLLM's kernels have minimum
/// compute capabilities). The catalog keeps no compute capability, so the GPU's tensor-core
/// dtypes stand in for it: bf16 tensor cores mean NVIDIA Ampere (sm80) or newer, int8 tensor
/// cores Turing (sm75) or newer.
public enum Compatibility {
    public static func problem(weights: WeightFormat, gpu g: GPU, engine: Engine) -> String? {
        guard engine == .vllm else { return nil }
        let nvidia = g.vendor.lowercased() == "nvidia"
        let ampere = g.tflops.bf16 != nil
        switch weights {
        case .fp8:
            if g.tflops.fp8 != nil || (nvidia && ampere) { return nil }
            return "vLLM's fp8 needs fp8 tensor cores or NVIDIA Ampere or newer (FP8 Marlin); \(g.name) has neither"
        case .grouped(let method, _, _):
            if method == "awq" && nvidia && g.tflops.int8 == nil { return "vLLM's AWQ kernels need NVIDIA Turing (sm75) or newer" }
            return nil
        case .int8:
            return g.tflops.int8 == nil ? "int8 W8A8 needs int8 tensor cores; \(g.name) has none" : nil
        case .fp4:
            if g.tflops.fp4 != nil || (nvidia && ampere) { return nil }
            return "fp4 weights need fp4 tensor cores or NVIDIA Ampere or newer (FP4 Marlin)"
        case .gguf:
            return nil
        case .float, .bnb4:
            return nil
        }
    }
}
