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
        /// Attention groups over the tensor-parallel GPUs (`AttentionDP`); 1: none.
        public var attentionDataParallel = 1
        /// Tokens per sequence (vLLM --max-model-len; llama.cpp's per-slot context).
        public var context = 4096
        /// Concurrent sequences of the whole deployment (vLLM --max-num-seqs; llama.cpp --parallel);
        /// with attention DP, engines whose flag counts per group get ⌈this ÷ groups⌉.
        public var maxNumSeqs = 1
        public var gpuMemoryUtilization = 0.9
        /// llama.cpp layers on the GPU (nil: all).
        public var gpuLayers: Int?
        /// The catalog variant (measured checkpoint) serving the weights, when there is one.
        public var variant: String?
        public var allowLongContext = false
        public init(model: Model) { self.model = model }

        /// The checkpoint itself is stored in the weight format served (its config.json
        /// `quantization_config`, e.g. DeepSeek-V3's FP8 or gpt-oss's MXFP4): the engine reads the
        /// scheme from it, so no quantisation flag and no other checkpoint is needed.
        public var servesStoredFormat: Bool {
            guard variant == nil, let stored = model.storedWeightFormat else { return false }
            return stored == weights
        }

        /// The line for a deployment the engine rules passed: its model, GPU, formats and split.
        public init(_ plan: DeploymentPlan, maxNumSeqs: Int, gpuMemoryUtilization: Double) {
            model = plan.model
            gpu = plan.gpu
            weights = plan.weights
            kvDType = plan.kvDType
            tensorParallel = plan.tensorParallel
            pipelineParallel = plan.pipelineParallel
            attentionDataParallel = plan.attentionDataParallel
            context = plan.context
            allowLongContext = plan.allowLongContext
            self.maxNumSeqs = maxNumSeqs
            self.gpuMemoryUtilization = gpuMemoryUtilization
        }
    }

    /// The command line for a deployment the engine rules accept (callers check
    /// `EngineRules.problem` and the memory verdict first: no line is printed for one that fails).
    public static func make(_ engine: Engine, _ s: Spec) -> LaunchCommand {
        switch engine {
        case .llamaCpp: return llamaCpp(s)
        case .sglang: return sglang(s)
        case .trtllm: return trtllm(s)
        default: return vllm(s)
        }
    }

    /// `python -m sglang.launch_server` (server_args.py flags).
    public static func sglang(_ s: Spec) -> LaunchCommand {
        var notes: [String] = []
        let repo = s.model.hfRepo ?? s.model.slug
        var args = ["python", "-m", "sglang.launch_server", "--model-path", repo]
        if s.tensorParallel > 1 { args += ["--tp-size", String(s.tensorParallel)] }
        if s.pipelineParallel > 1 { args += ["--pp-size", String(s.pipelineParallel)] }
        if s.attentionDataParallel > 1 {
            // --max-running-requests stays the deployment's: SGLang divides it over the groups.
            args += ["--dp-size", String(s.attentionDataParallel), "--enable-dp-attention"]
        }
        args += ["--context-length", String(s.context), "--max-running-requests", String(max(1, s.maxNumSeqs))]
        if let g = s.gpu {
            args += ["--mem-fraction-static", Units.format(Estimator.sglangMemFractionStatic(memoryBytes: g.visibleMemoryBytes, tp: s.tensorParallel,
                                                                                            pp: s.pipelineParallel, dp: s.attentionDataParallel), 3)]
        }
        if let a = s.gpu?.arch, a.family == .cuda, (a.sm ?? 0) < 80 { args += ["--dtype", "float16"] }
        switch s.weights {
        case _ where s.servesStoredFormat: notes.append(storedFormatNote(s))
        case .fp8: args += ["--quantization", "fp8"]
        case .grouped(let method, _, _): notes.append(checkpointNote(s, method.uppercased()))
        case .bnb4: args += ["--quantization", "bitsandbytes"]
        case .int8: args += ["--quantization", "w8a8_int8"]; notes.append(checkpointNote(s, "int8 W8A8"))
        case .fp4(_, _, let n): notes.append(checkpointNote(s, n == "mxfp4" ? "MXFP4" : "NVFP4 (ModelOpt)"))
        case .float(let bits): if let n = dequantisedNote(s, bits: bits) { notes.append(n) }
        case .gguf: break
        }
        if s.kvDType.name == "fp8" { args += ["--kv-cache-dtype", "fp8_e4m3"] }
        if s.allowLongContext { notes.append("past the model's trained context: set SGLANG_ALLOW_OVERWRITE_LONGER_CONTEXT_LEN=1") }
        return LaunchCommand(engine: "sglang", command: args.joined(separator: " "), notes: notes)
    }

    /// `trtllm-serve` with the PyTorch backend; quantisation comes from the checkpoint.
    public static func trtllm(_ s: Spec) -> LaunchCommand {
        var notes: [String] = []
        let repo = s.model.hfRepo ?? s.model.slug
        var args = ["trtllm-serve", repo, "--backend", "pytorch"]
        if s.tensorParallel > 1 { args += ["--tp_size", String(s.tensorParallel)] }
        if s.pipelineParallel > 1 { args += ["--pp_size", String(s.pipelineParallel)] }
        // max_batch_size counts per rank under attention DP.
        args += ["--max_seq_len", String(s.context), "--max_batch_size", String(perGroup(s)),
                 "--kv_cache_free_gpu_memory_fraction", format2(s.gpuMemoryUtilization)]
        if s.attentionDataParallel > 1 {
            args += ["--extra_llm_api_options", "attention-dp.yml"]
            notes.append("attention-dp.yml holds `enable_attention_dp: true` (no CLI flag); --max_batch_size \(perGroup(s)) is per GPU, \(perGroup(s) * s.attentionDataParallel) in all")
        }
        switch s.weights {
        case .float(let bits): if let n = dequantisedNote(s, bits: bits) { notes.append(n) }
        case _ where s.servesStoredFormat: notes.append(storedFormatNote(s))
        case .fp8: notes.append(checkpointNote(s, "FP8 (ModelOpt)"))
        case .grouped(let method, _, _): notes.append(checkpointNote(s, "W4A16 " + method.uppercased()))
        case .int8: notes.append(checkpointNote(s, "INT8 SmoothQuant"))
        case .fp4(_, _, let n): notes.append(checkpointNote(s, n == "mxfp4" ? "MXFP4" : "NVFP4 (ModelOpt)"))
        case .bnb4, .gguf: break
        }
        if s.kvDType.name == "fp8" { notes.append("fp8 KV cache: pass --config with `kv_cache_config: {dtype: fp8}`") }
        return LaunchCommand(engine: "trtllm", command: args.joined(separator: " "), notes: notes)
    }

    /// A 16-bit line for a checkpoint stored quantised needs a dequantised copy of it.
    static func dequantisedNote(_ s: Spec, bits: Int) -> String? {
        guard s.variant == nil, let f = s.model.quantization?.format else { return nil }
        return checkpointNote(s, "\(bits)-bit (dequantised from its \(f))")
    }

    static func storedFormatNote(_ s: Spec) -> String {
        "\(s.model.hfRepo ?? s.model.slug) is stored in \(s.weights.name) (its quantization_config): the engine reads the scheme from the checkpoint, no flag needed"
    }

    /// Where a pre-quantised checkpoint comes from: the catalog variant, or a note that one is needed.
    static func checkpointNote(_ s: Spec, _ what: String) -> String {
        if let v = s.variant { return "serves the catalog variant '\(v)' (\(what)): point the command at its files" }
        return "needs a \(what) checkpoint of \(s.model.hfRepo ?? s.model.slug): none is in the catalog "
            + "(servefit model import PATH records one; the repo id replaces the model's in the command)"
    }

    public static func vllm(_ s: Spec) -> LaunchCommand {
        var notes: [String] = []
        let repo = s.model.hfRepo ?? s.model.slug
        var args = ["vllm", "serve", repo]
        let dp = s.attentionDataParallel
        let engineTP = s.tensorParallel / max(1, dp)
        if dp > 1 { args += ["--data-parallel-size", String(dp)] }
        if engineTP > 1 { args += ["--tensor-parallel-size", String(engineTP)] }
        if s.pipelineParallel > 1 { args += ["--pipeline-parallel-size", String(s.pipelineParallel)] }
        if dp > 1 && s.model.isMoE { args += ["--enable-expert-parallel"] }
        // --max-num-seqs counts per data-parallel engine.
        args += ["--max-model-len", String(s.context), "--max-num-seqs", String(perGroup(s))]
        if dp > 1 {
            notes.append("\(dp) data-parallel engines of \(engineTP) GPU\(engineTP == 1 ? "" : "s"), each with its own KV cache and --max-num-seqs \(perGroup(s)) (\(perGroup(s) * dp) in all)"
                         + (s.model.isMoE ? "; the experts are split over all \(s.tensorParallel) GPUs" : ""))
        }
        args += ["--gpu-memory-utilization", String(format2(s.gpuMemoryUtilization))]
        if let a = s.gpu?.arch, a.family == .cuda, (a.sm ?? 0) < 80 {
            args += ["--dtype", "float16"]; notes.append("\(s.gpu?.name ?? "this GPU") (\(a.label)) has no bf16: serve in float16")
        }
        switch s.weights {
        case _ where s.servesStoredFormat: notes.append(storedFormatNote(s))
        case .fp8:
            args += ["--quantization", "fp8"]
            notes.append("--quantization fp8 quantises the 16-bit checkpoint when loading; an FP8 checkpoint needs no flag")
        case .grouped(let method, _, _):
            // vLLM reads the scheme from the checkpoint's quantization_config and picks the Marlin kernels where it can.
            notes.append(checkpointNote(s, method.uppercased()))
        case .bnb4:
            args += ["--quantization", "bitsandbytes"]
            notes.append("bitsandbytes quantises the 16-bit checkpoint to 4-bit when loading")
        case .int8:
            notes.append(checkpointNote(s, "int8 W8A8 (compressed-tensors)"))
        case .fp4(_, _, let name):
            notes.append(checkpointNote(s, name == "mxfp4" ? "MXFP4" : "NVFP4 (ModelOpt)"))
        case .gguf:
            notes.append(checkpointNote(s, "GGUF") + "; GGUF files are better served by llama.cpp (--engine llama.cpp)")
        case .float(let bits):
            if bits == 32 { args += ["--dtype", "float32"] }
            if let n = dequantisedNote(s, bits: bits) { notes.append(n) }
        }
        if s.allowLongContext { notes.append("past the model's trained context: run with VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 and rope scaling in its config") }
        if s.kvDType.name == "fp8" { args += ["--kv-cache-dtype", "fp8"] }
        return LaunchCommand(engine: "vllm", command: args.joined(separator: " "), notes: notes)
    }

    public static func llamaCpp(_ s: Spec) -> LaunchCommand {
        var notes: [String] = []
        let base = (s.model.hfRepo ?? s.model.slug).split(separator: "/").last.map(String.init) ?? s.model.slug
        // EngineRules refuse every non-GGUF format for llama.cpp before a line is made.
        let type: String
        switch s.weights {
        case .gguf(let mix): type = mix.rawValue
        case .float(let bits): type = bits == 32 ? "F32" : "F16"
        default: type = s.weights.name
        }
        let slots = max(1, s.maxNumSeqs)
        var args = ["llama-server", "-m", "\(base)-\(type).gguf", "-c", String(s.context * slots)]
        if slots > 1 { args += ["-np", String(slots)] }
        args += ["-ngl", s.gpuLayers.map { String(max(0, $0)) } ?? "99", "-fa", "on"]
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

    /// Sequences per attention group, for the flags that count per group or rank.
    static func perGroup(_ s: Spec) -> Int {
        let d = max(1, s.attentionDataParallel)
        return max(1, (max(1, s.maxNumSeqs) + d - 1) / d)
    }
}

/// A launch line read back (`vllm serve …`, `llama-server …`), so a printed line can be checked
/// against the engine rules it was made under.
public struct ParsedLaunch: Sendable, Equatable {
    public var engine: Engine
    /// vLLM: the repo id served; llama.cpp: the GGUF file name.
    public var model: String
    public var tensorParallel = 1
    public var pipelineParallel = 1
    /// vLLM --data-parallel-size: the GPUs in `tensorParallel` run attention in this many engines.
    public var attentionDataParallel = 1
    public var context: Int?
    public var weights: String = "fp16"
    public var kvCache: String = "fp16"

    public init?(_ line: String) {
        let t = line.split(separator: " ").map(String.init)
        func value(_ flags: String...) -> String? {
            for (i, a) in t.enumerated() where flags.contains(a) && i + 1 < t.count { return t[i + 1] }
            return nil
        }
        if t.count >= 3, t[0] == "vllm", t[1] == "serve" {
            engine = .vllm
            model = t[2]
            // GPUs = data-parallel engines × tensor parallel each (a huge product saturates, and the rules refuse it).
            attentionDataParallel = value("--data-parallel-size", "-dp").flatMap(Int.init) ?? 1
            let (gpus, overflow) = (value("--tensor-parallel-size", "-tp").flatMap(Int.init) ?? 1).multipliedReportingOverflow(by: attentionDataParallel)
            tensorParallel = overflow ? Int.max : gpus
            pipelineParallel = value("--pipeline-parallel-size", "-pp").flatMap(Int.init) ?? 1
            context = value("--max-model-len").flatMap(Int.init)
            // Without the flag vLLM serves the checkpoint as stored ("auto": its quantization_config, else 16-bit).
            weights = value("--quantization").map { $0 == "bitsandbytes" ? "nf4" : $0 } ?? "auto"
            kvCache = value("--kv-cache-dtype") ?? "fp16"
        } else if t.first == "llama-server", let file = value("-m", "--model") {
            engine = .llamaCpp
            model = file
            let slots = value("-np", "--parallel").flatMap(Int.init) ?? 1
            context = value("-c", "--ctx-size").flatMap(Int.init).map { $0 / max(1, slots) }
            let stem = file.hasSuffix(".gguf") ? String(file.dropLast(5)) : file
            weights = stem.split(separator: "-").last.map(String.init) ?? "F16"
            kvCache = value("-ctk", "--cache-type-k") ?? "fp16"
        } else {
            return nil
        }
    }

    /// Why the engine would refuse this line for `model` (on `gpu`, when known), nil when it would start.
    public func problem(model m: Model, gpu: GPU?) -> String? {
        let named = weights == "auto" ? (m.storedWeightFormat?.name ?? "fp16") : weights
        guard let w = try? WeightFormat.parse(named) else { return "unknown weight format '\(weights)' in the launch line" }
        guard let kv = try? KVDType.parse(kvCache) else { return "unknown KV cache dtype '\(kvCache)' in the launch line" }
        var plan = DeploymentPlan(model: m, gpu: gpu, engine: engine, weights: w, kvDType: kv, tensorParallel: tensorParallel,
                                  pipelineParallel: pipelineParallel, context: context ?? 1)
        plan.allowLongContext = false
        plan.attentionDataParallel = attentionDataParallel
        return EngineRules.problem(plan)
    }
}
