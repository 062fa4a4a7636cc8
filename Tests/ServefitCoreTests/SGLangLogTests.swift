import Foundation
import Testing
@testable import ServefitCore

// SGLang start-up logs (Benchmarks/calibration/engines/sglang-startup-logs.md: the verbatim lines,
// their threads and settings) replayed through the estimator. SGLang prints GiB labelled "GB".

private func model(_ slug: String) throws -> Model {
    try #require(try seedCatalog().models.first { $0.slug == slug }, "\(slug) is not seeded")
}

/// One GPU's estimate for `gpus` GPUs of `memoryGiB` on SGLang, at one sequence of `context` tokens.
private func sglang(_ slug: String, weights: String, gpus: Int, dp: Int = 1, memoryGiB: Double = 141, context: Int = 4096) throws -> Estimate {
    var r = EstimateRequest(model: try model(slug))
    r.weights = try WeightFormat.parse(weights)
    r.engine = .sglang
    r.gpus = gpus
    r.attentionDataParallel = dp
    r.context = context
    r.gpuMemoryBytes = Int64(memoryGiB * 1_073_741_824)
    return try Estimator.estimate(r)
}

/// KV bytes one GPU keeps per token: its cache of one sequence over that sequence's length.
private func kvPerTokenPerGPU(_ e: Estimate, context: Int = 4096) throws -> Double {
    Double(try #require(e.components.first { $0.name == "kv_cache" }?.perGPUBytes)) / Double(context)
}

/// "KV Cache is allocated. #tokens: N, KV size: S GB" (or K size + V size): bytes per token per GPU.
struct SGLangKVLine: Sendable, CustomStringConvertible {
    var id: String, model: String, weights: String, gpus: Int, dp: Int
    var tokens: Double, sizeGiB: Double
    var description: String { id }
}

let sglangKVLines: [SGLangKVLine] = [
    // sglang#6017 (zhangying029, 2025-05-09): DeepSeek-R1 on 8x H20-3e, --tp-size 8 --dp-size 8 --enable-dp-attention:
    // "KV Cache is allocated. #tokens: 161488, KV size: 10.57 GB".
    .init(id: "sglang6017-r1-h20-dp8", model: "deepseek-r1", weights: "fp8", gpus: 8, dp: 8, tokens: 161_488, sizeGiB: 10.57),
    // sglang#7055 (At1a8, 2025-06-10): DeepSeek-R1 on 8x gfx942, --dp-size 8 --enable-dp-attention:
    // "KV Cache is allocated. #tokens: 1230416, KV size: 80.53 GB".
    .init(id: "sglang7055-r1-gfx942-dp8", model: "deepseek-r1", weights: "fp8", gpus: 8, dp: 8, tokens: 1_230_416, sizeGiB: 80.53),
    // sglang PR #17392 (froststeam): Qwen3MoeForCausalLM, 16 shards, bf16 KV, DP4 TP4 EP4:
    // "KV Cache is allocated. #tokens: 1029388, K size: 47.12 GB, V size: 47.12 GB" (48 layers x 4 KV heads x 128: Qwen3-30B-A3B).
    .init(id: "sglang-pr17392-qwen3-30b-a3b-dp4", model: "qwen3-30b-a3b", weights: "bf16", gpus: 4, dp: 4, tokens: 1_029_388, sizeGiB: 94.24),
    // vllm#21348 (MMuzzammil1, 2025-07-22): SGLang, Qwen3-235B-A22B-FP8 --tp 4, no DP attention:
    // "KV Cache is allocated. #tokens: 367404, K size: 8.23 GB, V size: 8.23 GB" (1 of 4 KV heads per GPU).
    .init(id: "vllm21348-sglang-qwen3-235b-tp4", model: "qwen3-235b-a22b", weights: "fp8", gpus: 4, dp: 1, tokens: 367_404, sizeGiB: 16.46),
]

/// With attention DP each GPU keeps the whole KV width of its own sequences (the MLA latent, or
/// every KV head); under plain TP the KV heads are split. Two printed decimals: within 0.5%.
@Test(arguments: sglangKVLines)
func sglangKVBytesPerTokenPerGPU(_ c: SGLangKVLine) throws {
    let logged = c.sizeGiB * 1_073_741_824 / c.tokens
    let ours = try kvPerTokenPerGPU(try sglang(c.model, weights: c.weights, gpus: c.gpus, dp: c.dp, memoryGiB: 192))
    #expect(abs(ours / logged - 1) < 0.005, "\(c.id): \(ours) B/token per GPU vs logged \(logged)")
}

/// "Load weight end. … mem usage=X GB": the weights one GPU holds.
struct SGLangWeightsLine: Sendable, CustomStringConvertible {
    var id: String, model: String, weights: String, gpus: Int, dp: Int, memoryGiB: Double
    var loggedGiB: Double
    var gap: String? = nil
    var description: String { id }
}

let sglangWeightsLines: [SGLangWeightsLine] = [
    // sglang#4417 (victorserbu2709, 2025-03-14): DeepSeek-R1 --tp 16 over 2x8 H100 80GB:
    // "Load weight end. type=DeepseekV3ForCausalLM, dtype=torch.bfloat16, avail mem=35.52 GB, mem usage=40.46 GB."
    .init(id: "sglang4417-r1-h100-tp16", model: "deepseek-r1", weights: "fp8", gpus: 16, dp: 1, memoryGiB: 79.1, loggedGiB: 40.46),
    // sglang PR #17392: Qwen3-30B-A3B bf16, DP4 TP4 EP4: "Load weight end. … mem usage=16.39 GB."
    .init(id: "sglang-pr17392-qwen3-30b-a3b-dp4", model: "qwen3-30b-a3b", weights: "bf16", gpus: 4, dp: 4, memoryGiB: 138, loggedGiB: 16.39,
          gap: "-2.7%: 0.45 GiB short, which is the lm_head whole on every rank (as under --enable-dp-lm-head); the log's command is not in the thread"),
]

/// Within 1.5%, as the vLLM weights lines.
@Test(arguments: sglangWeightsLines)
func sglangWeightsPerGPU(_ c: SGLangWeightsLine) throws {
    let e = try sglang(c.model, weights: c.weights, gpus: c.gpus, dp: c.dp, memoryGiB: c.memoryGiB)
    let ours = Double(try #require(e.weightsBytesPerGPU)) / 1_073_741_824
    let miss = ours / c.loggedGiB - 1
    if let gap = c.gap {
        withKnownIssue("\(c.id): \(gap)") { #expect(abs(miss) < 0.015, "\(c.id): \(ours) GiB vs logged \(c.loggedGiB)") }
    } else {
        #expect(abs(miss) < 0.015, "\(c.id): \(ours) GiB vs logged \(c.loggedGiB)")
    }
}
