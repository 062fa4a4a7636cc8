import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore

struct EstimateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Memory for serving or training a model: weights, KV cache, activations, engine overheads.",
        discussion: """
            --model takes a catalog slug or Hugging Face repo id; hf:ORG/NAME[@REVISION][:QUANT]
            to read a model from the local Hugging Face cache or the Hub (config.json and the
            weights' headers, never the weights: exact bytes); or a config.json, checkpoint
            folder, .safetensors or .gguf file on disk.
            Comma lists sweep a grid: --context 512,2048,8192 --batch 1,4,8.

            Examples:
              servefit estimate --model llama-2-7b --context 2048 --explain
              servefit estimate --model llama-2-70b --weights int8 \\
                --engine transformers
              servefit estimate --model glm-4-9b --gpu h100-sxm --weights fp8 \\
                --context 12k
              servefit estimate --model llama-2-7b --weights Q4_K_M \\
                --engine llama.cpp --gpu-memory 8GiB --context 4096
              servefit estimate --model llama-2-7b --train adamw --batch 4
              servefit estimate --model hf:meta-llama/Llama-3.1-8B-Instruct \\
                --gpu h100-sxm
              servefit estimate --model hf:Qwen/Qwen2.5-7B-Instruct-GGUF:Q4_K_M \\
                --engine llama.cpp --gpu rtx-4090
              servefit estimate --model deepseek-r1 --weights fp8 --engine sglang \\
                --gpu h200-sxm --gpus 8 --attention-dp 8 --context 8192
              servefit estimate --model llama-2-7b --lora-rank 8 \\
                --weights nf4-dq --gpu rtx-4090 --gradient-checkpointing
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Output format: table, json or csv (one row per context × batch).") var format: OutputFormat = .table
    @Option(help: "Model slug, hf_repo, hf:ORG/NAME[@REV][:QUANT], or a config.json / checkpoint path.", completion: Completions.models) var model: String
    @Flag(help: "Read a repo id the catalog does not hold from the Hub (as if written hf:ORG/NAME).") var fromHub = false
    @Option(help: "Weight format: fp32, fp16, bf16, fp8, int8, int4/awq, gptq, nf4, nf4-dq, fp4, mxfp4, or a GGUF type (Q4_K_M, Q8_0, ...). Default: the checkpoint's own quantization (config.json quantization_config), else fp16.")
    var weights: String?
    @Option(help: "KV cache dtype: fp16, bf16, fp8, int8, q8_0, q4_0, fp32.") var kvCache: String = "fp16"
    @Option(help: "Tokens per sequence (prompt + output); comma list to sweep.") var context: String = "2048"
    @Option(help: "Concurrent sequences; comma list to sweep.") var batch: String = "1"
    @Option(help: "vllm, sglang, trtllm, llama.cpp, transformers or quick (weights × 1.2).") var engine: String = "vllm"
    @Option(help: "A catalog GPU slug.", completion: Completions.gpus) var gpu: String?
    @Option(help: "GPU memory as the engine sees it, for hardware not in the catalog (e.g. 24GiB).") var gpuMemory: String?
    @Option(help: "Number of GPUs (tensor parallel by default).") var gpus: WholeNumber = WholeNumber(1)
    @Option(help: "Tensor-parallel size (default: --gpus / --pipeline-parallel).") var tensorParallel: WholeNumber?
    @Option(help: "Pipeline-parallel stages.") var pipelineParallel: WholeNumber = WholeNumber(1)
    @Option(help: "Attention data-parallel groups over the GPUs, each with its own sequences' KV cache: SGLang --dp-size N --enable-dp-attention and TensorRT-LLM enable_attention_dp (N = --gpus) for MoE models, vLLM --data-parallel-size N.")
    var attentionDp: WholeNumber = WholeNumber(1)
    @Option(help: "vLLM --gpu-memory-utilization, above 0 and at most 1.") var gpuMemoryUtilization: StrictNumber = StrictNumber(0.9)
    @Option(help: "vLLM --max-num-batched-tokens (default: the release's own, by device: 8192 on H100-class, 2048 below 70 GiB, 16384 from 160 GiB in current vLLM).") var maxNumBatchedTokens: WholeNumber?
    @Option(help: "vLLM --max-num-seqs, the sequences its profiling run samples (default 1024 on H100-class, else 256).") var maxNumSeqs: WholeNumber?
    @Option(help: "vLLM release whose start-up memory rules apply: 0.5 … 0.6.3, 0.6.4 … 0.8, 0.8 (V1), 0.9.1 … 0.17, latest (default).") var engineVersion: String?
    @Flag(help: "vLLM --enforce-eager: no CUDA graphs.") var enforceEager = false
    @Flag(help: "Eager attention that materialises the seq² matrix (transformers / llama.cpp without flash attention).") var noFlashAttention = false
    @Option(help: "Encoder positions for encoder-decoder models (Whisper: 1500).") var encoderTokens: WholeNumber?
    @Option(help: "Train: adamw, adamw-8bit, sgd, sgd-momentum.") var train: String?
    @Option(help: "LoRA rank (implies training; combine with --weights nf4-dq for QLoRA).") var loraRank: WholeNumber?
    @Option(help: "LoRA target modules, comma-separated (q_proj,v_proj | attention | mlp | all-linear).") var loraTargets: String = "attention"
    @Option(help: "ZeRO stage 0-3 across --gpus.") var zero: WholeNumber = WholeNumber(0)
    @Flag(help: "Training with gradient checkpointing.") var gradientCheckpointing = false
    @Option(help: "A measured checkpoint of the model (servefit model import PATH): its bytes replace the formula's, its format --weights.") var variant: String?
    @Flag(help: "Size past the model's trained context (vLLM needs VLLM_ALLOW_LONG_MAX_MODEL_LEN=1 and rope scaling).") var allowLongContext = false
    @Flag(help: "Print every component with its formula.") var explain = false

    func run() throws {
        try CLI.run {
            var storeOpt: CatalogStore?
            func store() throws -> CatalogStore {
                if let s = storeOpt { return s }
                let s = try global.open(); storeOpt = s; return s
            }
            let resolved = try ModelResolver.resolve(model, fromHub: fromHub, store: store)
            let m = resolved.model
            var spec = EstimateSpec(model: model)
            spec.weights = weights ?? "fp16"; spec.weightsGiven = weights != nil; spec.kvCache = kvCache; spec.engine = engine
            spec.gpu = gpu; spec.gpuMemory = gpuMemory; spec.gpus = gpus.value
            spec.tensorParallel = tensorParallel?.value; spec.pipelineParallel = pipelineParallel.value
            spec.attentionDP = attentionDp.value
            spec.gpuMemoryUtilization = gpuMemoryUtilization.value; spec.maxNumBatchedTokens = maxNumBatchedTokens?.value
            spec.maxNumSeqs = maxNumSeqs?.value; spec.engineVersion = engineVersion
            spec.enforceEager = enforceEager; spec.noFlashAttention = noFlashAttention; spec.encoderTokens = encoderTokens?.value
            spec.train = train; spec.loraRank = loraRank?.value; spec.loraTargets = loraTargets; spec.zero = zero.value
            spec.gradientCheckpointing = gradientCheckpointing
            let g = try gpu.map { try store().gpu($0) }
            let gpuName = g?.name
            spec.variant = variant
            spec.allowLongContext = allowLongContext
            // The checkpoint's own bytes (a Hub repo or a file on disk) unless --weights asks for another format.
            let v = try variant.map { try store().variant(of: m.slug, named: $0) } ?? spec.ownBytes(resolved.variant)
            let r = try spec.request(model: m, gpu: g, variant: v)
            let contexts = try parseIntList(context, name: "--context")
            let batches = try parseIntList(batch, name: "--batch")
            var results: [Estimate] = []
            for c in contexts {
                for b in batches {
                    var q = r
                    q.context = c
                    q.batch = b
                    results.append(try Estimator.estimate(q))
                }
            }
            if format == .json {
                if results.count == 1 { try CLI.printJSON(results[0]) } else { try CLI.printJSON(results) }
                return
            }
            // One row per context × batch, the JSON's keys flattened (lists as JSON text).
            if format == .csv { try CLI.printCSV(results); return }
            if results.count > 1 {
                printGrid(results)
                return
            }
            if let o = resolved.origin, resolved.hub != nil || resolved.variant != nil { print("read \(o)") }
            printOne(results[0], gpuName: gpuName)
        }
    }

    func printGrid(_ rs: [Estimate]) {
        let showEngine = rs.first?.engine == "transformers" && noFlashAttention
        CLI.printTable(["context", "batch", "weights", "kv_cache", "activations", "total"] + (rs.first?.fits != nil ? ["per_gpu", "fits"] : []),
                       rs.map { e in
                           [String(e.context), String(e.batch), Units.gib(e.weightsBytes), Units.gib(e.kvCacheBytes),
                            Units.gib(e.activationBytes), Units.gib(e.totalBytes)]
                           + (e.fits != nil ? [Units.gib(e.perGPUBytes ?? 0), e.fits! ? "yes" : "no"] : [])
                       }, format: .table)
        if showEngine { print("(eager attention: the seq² matrix is included; flash attention and paged engines do not materialise it)") }
    }

    /// The engine's flag for the sequences in flight: SGLang's counts the whole deployment,
    /// vLLM's and TensorRT-LLM's each attention group's under attention DP.
    func concurrencyFlag(_ e: Estimate) -> String {
        let d = e.attentionDataParallel ?? 1
        let n = AttentionDP.wholeGroups(max(1, Int(min(1e9, (e.maxConcurrency ?? 0).rounded(.down)))), dp: d)
        let engine = Engine(rawValue: e.engine) ?? .vllm
        let value = AttentionDP.concurrencyFlagCountsPerGroup(engine) ? n / d : n
        switch engine {
        case .sglang: return "--max-running-requests \(value)"
        case .trtllm: return "--max_batch_size \(value)" + (d > 1 ? " per GPU" : "")
        default: return "--max-num-seqs \(value)" + (d > 1 ? " per data-parallel engine" : "")
        }
    }

    func printOne(_ e: Estimate, gpuName: String?) {
        print("\(e.model): \(CLI.params(e.paramsTotal)) parameters (\(e.paramsTotal))" + (e.paramsActive != e.paramsTotal ? ", \(CLI.params(e.paramsActive)) active per token" : ""))
        print("engine \(e.engine), weights \(e.weights) (\(Units.format(e.bitsPerWeight, 2)) bits/weight), KV \(e.kvCache), context \(e.context), batch \(e.batch)"
              + (e.gpus > 1 ? ", \(e.gpus) GPUs (TP \(e.tensorParallel), PP \(e.pipelineParallel)\(e.attentionDataParallel.map { ", attention DP \($0)" } ?? ""))" : ""))
        print("")
        var rows: [[String]] = []
        let split = e.tensorParallel * e.pipelineParallel > 1
        for c in e.components {
            let figures = split ? [Units.gib(c.perGPUBytes ?? c.bytes), Units.gib(c.bytes)] : [Units.gib(c.bytes), Units.gb(c.bytes)]
            rows.append([c.name] + figures + (explain ? [c.formula] : []))
        }
        let totals = split ? [Units.gib(e.components.reduce(0) { $0 + ($1.perGPUBytes ?? 0) }), Units.gib(e.totalBytes)]
                           : [Units.gib(e.totalBytes), Units.gb(e.totalBytes)]
        rows.append(["total"] + totals + (explain ? ["sum of the components"] : []))
        let n = e.tensorParallel * e.pipelineParallel
        CLI.printTable(["component"] + (split ? ["per GPU", "all \(n) GPUs"] : ["GiB", "GB"]) + (explain ? ["formula"] : []), rows, format: .table)
        print("")
        print("KV cache per token: \(e.kvCacheBytesPerToken) bytes (\(Units.format(Double(e.kvCacheBytesPerToken) / 1024, 1)) KiB)")
        print("rule of thumb (weights × 1.2): \(Units.gib(e.ruleOfThumbBytes)) — shown for comparison only")
        if let mem = e.gpuMemoryBytes {
            print("per GPU: \(Units.gib(e.perGPUBytes ?? 0)) of \(Units.gib(mem)) visible\(gpuName.map { " on \($0)" } ?? "") → \(e.fits == true ? "fits" : "does NOT fit")")
            if let w = e.weightsBytesPerGPU, e.gpus > 1 { print("weights per GPU: \(Units.gib(w))") }
        }
        if let cap = e.kvCapacityTokens {
            print("\(e.engine) KV capacity: \(cap) tokens; max concurrency at \(e.context) tokens per request: \(Units.format(e.maxConcurrency ?? 0, 2))x"
                  + " (set \(concurrencyFlag(e)))")
        }
        if let g = e.gpuLayers { print("llama.cpp: \(g) layers on the GPU" + (e.cpuBytes.map { ", \(Units.gib($0)) in CPU RAM" } ?? "")) }
        if e.gradientBytes != nil {
            let part = { (name: String) in e.components.first { $0.name == name }.map { Units.gib($0.perGPUBytes ?? $0.bytes) } ?? "0 GiB" }
            print("training, per GPU: gradients \(part("gradients")), optimizer states \(part("optimizer"))"
                  + (e.components.contains { $0.name == "lora_adapters" } ? ", adapters \(part("lora_adapters"))" : ""))
        }
        if let why = e.refused { print("the engine refuses this deployment: \(why)") }
        for n in e.notes { print("note: \(n)") }
        if let l = e.launch, e.gpuMemoryBytes != nil {
            print("launch: \(l)")
            for n in e.launchNotes ?? [] { print("  # \(n)") }
        }
    }
}
