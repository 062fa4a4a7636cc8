import Foundation
import Testing
@testable import ServefitCore

/// vLLM start-up logs (Benchmarks/calibration/engines/vllm-startup-logs.json: each entry's
/// verbatim lines and source) replayed through the estimator with the release line and settings
/// each log states: the KV memory vLLM found within 3% of the GPU's memory, the weights per GPU
/// within 1.5%. The settings below are what the log (or its thread) says; where it says nothing
/// the release's own default applies, as it did for the person who ran it.
struct VLLMLogCase: Sendable, CustomStringConvertible {
    var id: String
    var model: String
    var weights = "bf16"
    var version: String
    /// Total memory as vLLM printed it (GiB), else the catalog GPU's.
    var totalGiB: Double? = nil
    var gpu: String? = nil
    var tp = 1
    var pp = 1
    var util = 0.9
    var maxModelLen: Int
    var batchedTokens: Int? = nil
    var maxNumSeqs: Int? = nil
    var kvDType = "fp16"
    /// A figure servefit does not yet get within tolerance, and why (recorded as a known issue:
    /// the test fails the day it starts passing, so the note cannot go stale).
    var weightsGap: String? = nil
    var kvGap: String? = nil
    /// The checkpoint's quantization_config, as its config.json has it.
    var quantization: QuantizationConfig? = nil
    var description: String { id }
}

let vllmLogCases: [VLLMLogCase] = [
    // PR #10511 sanity check: Llama-3-8B on an 80 GB card, V0 with memory_profiling (0.6.4 dev).
    .init(id: "vllm-pr10511-llama3-8b-tp1", model: "llama-3-8b", version: "0.6.4", totalGiB: 79.22, maxModelLen: 8192),
    .init(id: "vllm-pr10511-llama3-8b-tp2", model: "llama-3-8b", version: "0.6.4", totalGiB: 79.22, tp: 2, maxModelLen: 8192),
    // vllm#10517: RTX 3090, V0 without chunked prefill: the profile holds a whole max_model_len prompt.
    .init(id: "vllm-issue10517-llama31-8b-rtx3090-20k", model: "llama-3.1-8b-instruct", version: "0.6.4", totalGiB: 23.58, maxModelLen: 20000),
    .init(id: "vllm-issue10517-llama31-8b-rtx3090-29k-fail", model: "llama-3.1-8b-instruct", version: "0.6.4", totalGiB: 23.58, maxModelLen: 29000),
    // vllm#13061: 2× RTX 4090, TP 2, utilisation 0.98, 131072 tokens (V0 chunks prefill past 32k).
    .init(id: "vllm-issue13061-r1-distill-qwen14b-2x4090-tp2-fail", model: "qwen2.5-14b-instruct", version: "0.7.0", gpu: "rtx-4090", tp: 2, util: 0.98, maxModelLen: 131072),
    // PR #12569: Llama-3.1-70B W8A8 (compressed-tensors int8), weights only (the GPU is not named).
    .init(id: "vllm-pr12569-llama31-70b-w8a8-v1", model: "llama-3.1-70b", weights: "int8", version: "0.8", totalGiB: 79.22, util: 0.98, maxModelLen: 2048),
    // A Phi-4 GPTQ run at gpu_memory_utilization 0.15 on an 80 GB card, V0 0.6.5/0.6.6.
    .init(id: "davidshare-phi4-autoround-gptq-util015", model: "phi-4", weights: "gptq", version: "0.6.5", totalGiB: 79.25, util: 0.15, maxModelLen: 2048),
    // MI300X (ROCm build of 0.6.3): TP 1 and TP 8.
    .init(id: "augmxnt-mi300x-llama2-7b-tp1", model: "llama-2-7b-chat", version: "0.6.3", totalGiB: 191.98, maxModelLen: 4096),
    .init(id: "augmxnt-mi300x-llama2-7b-tp8", model: "llama-2-7b-chat", version: "0.6.3", totalGiB: 191.98, tp: 8, maxModelLen: 4096),
    // ROCm blog: R1-Distill-Qwen-14B, TP 2 on MI300X, V1 0.9.2 (MI300X takes the H100 tier: 1024 sequences).
    .init(id: "rocm-blog-ray-r1-distill-qwen14b-tp2-v1", model: "qwen2.5-14b-instruct", version: "0.9.2", totalGiB: 191.98, tp: 2, maxModelLen: 4096, batchedTokens: 8192,
          weightsGap: "vLLM loads 13.99 GiB per rank on ROCm (V1 0.9.2), 1.7% above the checkpoint's tensor bytes; on CUDA the same model at TP 2 loads 13.95 GiB (vllm#13061, 1.4% above)"),
    // vllm#21348: Qwen3-235B-A22B-FP8 on 4× H100, TP 4, July 2025 (0.9.2/0.10 era). Its config.json:
    // quant_method fp8, weight_block_size [128, 128]; vLLM keeps the router and lm_head in bf16.
    .init(id: "vllm-issue21348-qwen3-235b-fp8-4xh100-tp4", model: "qwen3-235b-a22b", weights: "fp8", version: "0.9.2", gpu: "h100-sxm", tp: 4,
          maxModelLen: 40960, kvGap: "servefit finds 2.6 GiB (3.3%) more KV room than vLLM's 178,880 tokens; the thread states neither gpu_memory_utilization nor the H100 variant nor the release",
          quantization: QuantizationConfig(method: "fp8", weightBlockSize: [128, 128])),
    // T4 (14.56 GiB), V0 engine of 0.7.2, utilisation 0.5, 32768 tokens.
    .init(id: "code-t4-qwen25-15b-unsloth-v072", model: "qwen2.5-1.5b-instruct", weights: "fp16", version: "0.7.2", totalGiB: 14.56, util: 0.5, maxModelLen: 32768),

    // Round 2 (Benchmarks/calibration/engines/vllm-startup-logs.json has each source and its lines).
    // A blog's Qwen3-14B runs on vLLM 0.28 (L40S and L4, BF16 and Qwen's AWQ checkpoint).
    .init(id: "jinwoong-blog-qwen3-14b-l40s-tp1-v028", model: "qwen3-14b", version: "0.28.0", gpu: "l40s", maxModelLen: 40960),
    .init(id: "jinwoong-blog-qwen3-14b-awq-l40s-tp1-v028", model: "qwen3-14b", weights: "awq", version: "0.28.0", gpu: "l40s", maxModelLen: 40960,
          weightsGap: "servefit's AWQ formula gives 9.29 GiB, 1.6% under the 9.44 GiB vLLM loads (the checkpoint's own size per the post): the format's scales and zeros, not the checkpoint's bytes"),
    .init(id: "jinwoong-blog-qwen3-14b-awq-l40s-tp1-tuned-mml1024-v028", model: "qwen3-14b", weights: "awq", version: "0.28.0", gpu: "l40s", util: 0.95,
          maxModelLen: 1024, batchedTokens: 8192, maxNumSeqs: 8),
    .init(id: "jinwoong-blog-qwen3-14b-awq-2xl4-tp2-v028", model: "qwen3-14b", weights: "awq", version: "0.28.0", gpu: "l4", tp: 2, maxModelLen: 40960),
    .init(id: "jinwoong-blog-qwen3-14b-awq-2xl4-pp2-v028", model: "qwen3-14b", weights: "awq", version: "0.28.0", gpu: "l4", pp: 2, maxModelLen: 40960),
    // DeepSeek-V3 (its block-wise FP8 checkpoint) over 2 nodes of 8 H100: PP 2 × TP 8, V0 0.6.6, utilisation 0.95.
    .init(id: "augmxnt-deepseek-v3-16xh100-pp2-tp8-v066", model: "deepseek-v3", weights: "fp8", version: "0.6.6", gpu: "h100-sxm", tp: 8, pp: 2, util: 0.95,
          maxModelLen: 8192, kvGap: "vLLM 0.6.6 caches DeepSeek's 128 heads at the padded head size 256, 16 a rank (modelled: the blocks hold 21.5 GiB), but it kept about 11 GiB a GPU more out of the KV cache than the weights and profiling run explain; the log prints no non-torch line to say where",
          quantization: QuantizationConfig(method: "fp8", weightBlockSize: [128, 128])),
    .init(id: "jinwoong-blog-qwen3-14b-awq-l4-tp1-v028", model: "qwen3-14b", weights: "awq", version: "0.28.0", gpu: "l4", maxModelLen: 40960,
          kvGap: "the author saw 9.10 to 10.33 GiB for this same configuration across runs; servefit's 10.20 GiB is inside that range but 4.7% of the L4 above the 9.10 GiB run"),
    // Qwen3-Coder-30B-A3B (the Qwen3-30B-A3B architecture), 4× L40S, TP 4, vLLM 0.24.
    .init(id: "aws-samples-qwen3-coder-30b-a3b-4xl40s-tp4-v024", model: "qwen3-30b-a3b", version: "0.24.0", gpu: "l40s", tp: 4, maxModelLen: 32768),
    // MI300X: Llama-3.1-70B quantised to FP8 when loading (V0, utilisation 0.98, 4096 sequences);
    // Llama-3.1-405B BF16 at TP 8 (0.6.3, 131072 tokens without chunked prefill); Llama-3-8B with
    // fp16 and fp8 KV (≈0.5.5).
    .init(id: "augmxnt-mi300x-llama31-70b-fp8-tp1-32k-v0", model: "llama-3.1-70b", weights: "fp8", version: "0.6.3", totalGiB: 191.98, util: 0.98,
          maxModelLen: 32768, maxNumSeqs: 4096,
          kvGap: "servefit finds 7.2 GiB (3.7% of the MI300X) more KV room: the log's non-torch memory is 6.07 GiB on ROCm against servefit's CUDA figure, and the BF16 weights quantised to FP8 while loading leave memory behind"),
    .init(id: "augmxnt-mi300x-llama31-405b-bf16-tp8-v063", model: "llama-3.1-405b", version: "0.6.3", totalGiB: 191.98, tp: 8, maxModelLen: 131072,
          kvGap: "V0 without chunked prefill profiles one 131072-token prompt: vLLM's peak is about 27 GiB per rank above servefit's activation formula at that length (the formula is checked to 29k tokens)"),
    .init(id: "rocm-blog-vllm-optimize-llama3-8b-mi300x-kvauto", model: "llama-3-8b", version: "0.5.5", totalGiB: 191.98, maxModelLen: 8192),
    .init(id: "rocm-blog-vllm-optimize-llama3-8b-mi300x-kvfp8", model: "llama-3-8b", version: "0.5.5", totalGiB: 191.98, maxModelLen: 8192, kvDType: "fp8"),
    // DeepSeek-R1 (block-wise FP8 checkpoint) on 8× H200, TP 8, V1 0.8.4, its full 163840 tokens.
    .init(id: "skypilot-deepseek-r1-8xh200-tp8-v084", model: "deepseek-r1", weights: "fp8", version: "0.8.4", gpu: "h200-sxm", tp: 8, maxModelLen: 163840,
          kvGap: "servefit finds 7.5 GiB (5.3% of the H200) more KV room on this MLA model at V1 0.8.4: its MoE profiling run (fused experts over 8192 tokens, 256 experts) is larger than servefit's activation term",
          quantization: QuantizationConfig(method: "fp8", weightBlockSize: [128, 128])),
    // llm-d benchmark runs on one H100 (79.18 GiB), V1 (0.11 line), 16000 tokens.
    .init(id: "llmd-h100-llama33-70b-fp8dyn-tp2-mml16000", model: "llama-3.3-70b-instruct", weights: "fp8", version: "0.11", totalGiB: 79.18, tp: 2,
          maxModelLen: 16000, quantization: QuantizationConfig(method: "compressed-tensors", ignored: ["lm_head"])),
    .init(id: "llmd-h100-llama33-70b-fp8dyn-tp1-mml16000-fail", model: "llama-3.3-70b-instruct", weights: "fp8", version: "0.11", totalGiB: 79.18,
          maxModelLen: 16000, quantization: QuantizationConfig(method: "compressed-tensors", ignored: ["lm_head"])),
    .init(id: "llmd-h100-qwen3-32b-tp2-mml16000", model: "qwen3-32b", version: "0.11", totalGiB: 79.18, tp: 2, maxModelLen: 16000),
    .init(id: "llmd-h100-qwen3-32b-tp1-mml16000", model: "qwen3-32b", version: "0.11", totalGiB: 79.18, maxModelLen: 16000),
    .init(id: "llmd-h100-llama31-8b-instruct-tp1-mml16000", model: "llama-3.1-8b-instruct", version: "0.11", totalGiB: 79.18, maxModelLen: 16000),
    // The measurement file was added on 2026-01-27 with a recipe on image `vllm/vllm-openai:latest`,
    // which was 0.14.1 that week (a later revision of the recipe names v0.11.0); H100 (79.18 GiB).
    // Its figures close at utilization 0.95, not the table's stated 0.90 (0.95 × 79.18 = 64.38 weights
    // + 7.38 activation + 0.13 non-torch + 3.33 KV; every other row of the table closes at 0.90).
    .init(id: "llmd-h100-gpt-oss-120b-tp1-mml16000", model: "gpt-oss-120b", weights: "mxfp4", version: "0.14.1", totalGiB: 79.18, gpu: "h100-sxm", util: 0.95,
          maxModelLen: 16000, quantization: gptOSS),
    // gpt-oss on A100 80 GB: 120B at TP 4 (0.10.1.1, Ray, utilisation 0.8, 2048 batched tokens); 20B at utilisation 0.65 (0.19).
    .init(id: "dennislee22-gpt-oss-120b-4xa100-80gb-tp4-ray-v0101", model: "gpt-oss-120b", weights: "mxfp4", version: "0.10.1", gpu: "a100-80gb-sxm", tp: 4,
          util: 0.8, maxModelLen: 16384, batchedTokens: 2048, quantization: gptOSS),
    .init(id: "myoceane-gpt-oss-20b-a100-80gb-tp1-util065-v019", model: "gpt-oss-20b", weights: "mxfp4", version: "0.19.0", gpu: "a100-80gb-sxm", util: 0.65,
          maxModelLen: 131072, quantization: gptOSS),
]

/// gpt-oss's config.json: MXFP4 experts; attention, router, embeddings and head kept in bf16.
let gptOSS = QuantizationConfig(method: "mxfp4", ignored: ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"])

struct LoggedFigures {
    var weightsGiB: Double?
    var kvGiB: Double?
    var blocks: Int?
    var kvTokens: Int?
    var verbatim: String
}

func vllmLogs() throws -> [String: LoggedFigures] {
    let url = repoRoot.appendingPathComponent("Benchmarks/calibration/engines/vllm-startup-logs.json")
    let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    var out: [String: LoggedFigures] = [:]
    for case let e as [String: Any] in json["logs"] as? [Any] ?? [] {
        guard let id = e["id"] as? String, let l = e["logged"] as? [String: Any] else { continue }
        out[id] = LoggedFigures(weightsGiB: l["weights_gib"] as? Double, kvGiB: l["kv_available_gib"] as? Double,
                                blocks: l["gpu_blocks"] as? Int, kvTokens: l["kv_tokens"] as? Int, verbatim: e["verbatim"] as? String ?? "")
    }
    return out
}

@Test(arguments: vllmLogCases)
func vllmStartupLog(_ c: VLLMLogCase) throws {
    let (models, gpus) = try seedCatalog()
    let logged = try #require(try vllmLogs()[c.id], "\(c.id) is not in vllm-startup-logs.json")
    #expect(!logged.verbatim.isEmpty)
    var m = try #require(models.first { $0.slug == c.model })
    if let q = c.quantization { m.quantization = q }
    var r = EstimateRequest(model: m)
    r.engine = .vllm
    r.engineVersion = try VLLMRelease.parse(c.version)
    r.weights = try WeightFormat.parse(c.weights)
    r.kvDType = try KVDType.parse(c.kvDType)
    let g = try c.gpu.map { s in try #require(gpus.first { $0.slug == s }) }
    let total = c.totalGiB.map { Int64($0 * Double(Units.GiB)) } ?? g?.visibleMemoryBytes ?? 0
    r.gpuMemoryBytes = total; r.gpuVisibleMemoryBytes = total
    r.gpuName = g?.name
    r.gpu = g
    r.gpus = c.tp * c.pp
    r.tensorParallel = c.tp
    r.pipelineParallel = c.pp
    r.gpuMemoryUtilization = c.util
    r.context = c.maxModelLen
    r.allowLongContext = true
    r.maxNumBatchedTokens = c.batchedTokens
    r.maxNumSeqs = c.maxNumSeqs
    let e = try Estimator.estimate(r)
    let gib = Double(Units.GiB)
    if let w = logged.weightsGiB {
        let ours = Double(e.weightsBytesPerGPU ?? 0) / gib
        let check = { #expect(abs(ours - w) <= 0.015 * w, "\(c.id): weights per GPU \(ours) GiB, vLLM \(w) GiB") }
        if let gap = c.weightsGap { withKnownIssue(Comment(rawValue: gap)) { check() } } else { check() }
    }
    // KV per token on one rank, as vLLM pages it (KV heads split over TP, at least one each).
    let w = KVCache.width(m, engine: .vllm, tp: c.tp, release: r.engineVersion)
    // A pipeline stage pages its own layers only.
    let perToken = Double((w.k + w.v) * m.layers) * r.kvDType.bytesPerElement / Double(c.pp)
    // The engine's own capacity (blocks or tokens: the minimum over ranks) before one worker's
    // "available KV cache memory" line: under TP a log can print a worker other than rank 0.
    // A hybrid sliding-window model's token count is not memory × per-token bytes: compare the
    // pool's memory itself where the log prints it.
    let hybrid = KVCache.honoursWindows(m, engine: .vllm) && m.slidingLayerCount > 0 && m.slidingWindow != nil
    let theirs = hybrid && logged.kvGiB != nil ? logged.kvGiB
        : logged.blocks.map { Double($0 * 16) * perToken / gib } ?? logged.kvTokens.map { Double($0) * perToken / gib } ?? logged.kvGiB
    if let theirs {
        let ours = hybrid && logged.kvGiB != nil ? Double(e.kvMemoryBytes ?? 0) / gib : Double(e.kvCapacityTokens ?? 0) * perToken / gib
        let totalGiB = Double(total) / gib
        let check = {
            #expect(abs(ours - theirs) <= 0.03 * totalGiB,
                    "\(c.id): KV \(Units.format(ours, 2)) GiB, vLLM \(theirs) GiB (\(Units.format(abs(ours - theirs) / totalGiB * 100, 1))% of \(Units.format(totalGiB, 2)) GiB)")
        }
        if let gap = c.kvGap { withKnownIssue(Comment(rawValue: gap)) { check() } } else { check() }
    }
    #expect(e.notes.contains { $0.contains("rules of vLLM") }, "\(c.id): the rule set is named")
    // SERVEFIT_PRINT_LOG_ERRORS=1 prints the README's table row for this log.
    if ProcessInfo.processInfo.environment["SERVEFIT_PRINT_LOG_ERRORS"] != nil {
        let kvOurs = hybrid && logged.kvGiB != nil ? Double(e.kvMemoryBytes ?? 0) / gib : Double(e.kvCapacityTokens ?? 0) * perToken / gib
        let wOurs = Double(e.weightsBytesPerGPU ?? 0) / gib
        let kvCell = theirs.map { "\(Units.format($0, 2)) / \(Units.format(kvOurs, 2)) (\(Units.format((kvOurs - $0) / (Double(total) / gib) * 100, 1))%)" } ?? "-"
        let wCell = logged.weightsGiB.map { "\(Units.format($0, 2)) / \(Units.format(wOurs, 2)) (\(Units.format((wOurs - $0) / $0 * 100, 1))%)" } ?? "-"
        print("VLLMLOG | `\(c.id)` | \(c.version) | TP \(c.tp)\(c.pp > 1 ? " × PP \(c.pp)" : "") | \(kvCell) | \(wCell) |")
    }
}
