import Foundation
import Testing
@testable import ServefitCore

/// Attention data parallelism as the engines lay it out (Benchmarks/calibration/engines/attention-dp-rules.md).
private func seeded(_ slug: String) throws -> Model {
    try #require(try seedCatalog().models.first { $0.slug == slug }, "\(slug) is not seeded")
}
private func seededGPU(_ slug: String) throws -> GPU {
    try #require(try seedCatalog().gpus.first { $0.slug == slug }, "\(slug) is not seeded")
}

private func estimate(_ slug: String, engine: Engine, gpu: String, gpus: Int, dp: Int, weights: String = "fp8", context: Int = 8192, batch: Int = 1) throws -> Estimate {
    // The request the CLI and the API build (EstimateSpec), with the seeded model and GPU.
    var spec = EstimateSpec(model: slug)
    spec.weights = weights; spec.weightsGiven = true; spec.engine = engine.rawValue
    spec.gpus = gpus; spec.attentionDP = dp; spec.context = context; spec.batch = batch
    return try Estimator.estimate(try spec.request(model: try seeded(slug), gpu: try seededGPU(gpu)))
}

/// SGLang's mem_fraction_static with DP attention, worked from server_args.py 0.5.4
/// (_handle_gpu_memory_settings): H200 (143,771 MiB), tp 8, chunked prefill 8192,
/// cuda_graph_max_bs 512 reserve 14,848 MiB (0.897) without and 33,280 MiB (0.769) with dp 8.
@Test func sglangMemFractionWithDPAttentionFollowsServerArgs() {
    let h200 = Int64(143_771) * Units.MiB
    #expect(Estimator.sglangMemFractionStatic(memoryBytes: h200, tp: 8, pp: 1) == 0.897)
    #expect(Estimator.sglangMemFractionStatic(memoryBytes: h200, tp: 8, pp: 1, dp: 8) == 0.769)
}

/// Each engine's layout: the attention projections whole in every group of one GPU, the routed
/// experts still split over all eight; SGLang keeps lm_head and the dense MLP split over the
/// full tp (only the embedding replicated), TensorRT-LLM and vLLM (tp 1 engines) replicate them.
@Test func attentionDPWeightsPerGPUFollowEachEnginesLayout() throws {
    let m = try seeded("deepseek-r1")
    let pc = try ParamCounter.count(m)
    let f = try WeightFormat.parse("fp8")
    let ctx = GGUFMix.Context(model: m, tensors: pc.tensors)
    var attention = 0.0, embedding = 0.0, otherNonExpert = 0.0
    for t in pc.tensors where t.part == .main && t.is2D && !t.isExpert {
        let b = f.bytes(of: t, context: ctx, quantization: m.quantization)
        if t.role.isAttention { attention += b / Estimator.tpSplit(t, model: m, tp: 1) - b / Estimator.tpSplit(t, model: m, tp: 8) }
        else if t.role == .embedding { embedding += b * 7 / 8 }
        else if t.role != .router { otherNonExpert += b * 7 / 8 }
    }
    let base = try estimate("deepseek-r1", engine: .sglang, gpu: "h200-sxm", gpus: 8, dp: 1)
    let sgl = try estimate("deepseek-r1", engine: .sglang, gpu: "h200-sxm", gpus: 8, dp: 8)
    let trt = try estimate("deepseek-r1", engine: .trtllm, gpu: "h200-sxm", gpus: 8, dp: 8)
    let vllm = try estimate("deepseek-r1", engine: .vllm, gpu: "h200-sxm", gpus: 8, dp: 8)
    let w0 = Double(try #require(base.weightsBytesPerGPU))
    #expect(abs(Double(try #require(sgl.weightsBytesPerGPU)) - w0 - attention - embedding) < 1e6)
    #expect(abs(Double(try #require(trt.weightsBytesPerGPU)) - w0 - attention - embedding - otherNonExpert) < 1e6)
    #expect(trt.weightsBytesPerGPU == vllm.weightsBytesPerGPU)
    // The attention DeepSeek-R1 adds whole on every GPU is about 10 GB in fp8.
    #expect(attention > 9e9 && attention < 12e9)
}

/// MLA keeps the whole latent on every rank: with plain TP eight GPUs hold one copy of each
/// sequence's cache eight times; in eight attention groups each GPU holds its own sequences', so
/// the deployment holds eight pools' worth (less the memory the replicated weights take).
@Test func attentionDPMultipliesMLACapacityByItsGroups() throws {
    for engine in [Engine.sglang, .trtllm, .vllm] {
        let base = try estimate("deepseek-r1", engine: engine, gpu: "h200-sxm", gpus: 8, dp: 1)
        let dp = try estimate("deepseek-r1", engine: engine, gpu: "h200-sxm", gpus: 8, dp: 8)
        let kv0 = Double(try #require(base.kvMemoryBytes)), kv = Double(try #require(dp.kvMemoryBytes))
        let cap0 = Double(try #require(base.kvCapacityTokens)), cap = Double(try #require(dp.kvCapacityTokens))
        #expect(kv < kv0, "\(engine): replicated attention weights leave less room per GPU")
        // Capacity per GPU follows the pool; the deployment has 8 pools of its own sequences.
        #expect(abs(cap / cap0 - 8 * kv / kv0) < 0.01 * 8 * kv / kv0, "\(engine): \(cap) vs \(cap0)")
        #expect(dp.attentionDataParallel == 8 && base.attentionDataParallel == nil)
    }
}

/// The engines' own refusals and each engine's launch flags.
@Test func attentionDPRulesAndLaunchLines() throws {
    #expect(throws: CoreError.self) { try estimate("deepseek-r1", engine: .trtllm, gpu: "h200-sxm", gpus: 8, dp: 4) }
    #expect(throws: CoreError.self) { try estimate("deepseek-r1", engine: .sglang, gpu: "h200-sxm", gpus: 8, dp: 3) }
    #expect(throws: CoreError.self) { try estimate("deepseek-r1", engine: .llamaCpp, gpu: "h200-sxm", gpus: 8, dp: 8, weights: "Q4_K_M") }
    #expect(throws: CoreError.self) { try estimate("llama-3.1-70b", engine: .sglang, gpu: "h100-sxm", gpus: 8, dp: 8) }
    #expect(throws: CoreError.self) { try estimate("deepseek-r1", engine: .sglang, gpu: "h200-sxm", gpus: 8, dp: 16) }

    let sgl = try estimate("deepseek-r1", engine: .sglang, gpu: "h200-sxm", gpus: 8, dp: 8)
    let sl = try #require(sgl.launch)
    #expect(sl.contains("--tp-size 8 --dp-size 8 --enable-dp-attention") && sl.contains("--mem-fraction-static 0.769"))
    // SGLang's --max-running-requests is global (divided over the groups by the engine).
    let conc = Int(try #require(sgl.maxConcurrency))
    #expect(sl.contains("--max-running-requests \(conc / 8 * 8)"))

    let trt = try #require(try estimate("deepseek-r1", engine: .trtllm, gpu: "h200-sxm", gpus: 8, dp: 8).launch)
    #expect(trt.contains("--tp_size 8") && trt.contains("--extra_llm_api_options attention-dp.yml"))

    let v = try estimate("deepseek-r1", engine: .vllm, gpu: "h200-sxm", gpus: 8, dp: 8)
    let vl = try #require(v.launch)
    #expect(vl.contains("--data-parallel-size 8 --enable-expert-parallel") && !vl.contains("--tensor-parallel-size"))
    // --max-num-seqs counts per data-parallel engine.
    #expect(vl.contains("--max-num-seqs \(Int(try #require(v.maxConcurrency)) / 8)"))
    // The line reads back as 8 GPUs in 8 engines, which the rules accept.
    let parsed = try #require(ParsedLaunch(vl))
    #expect(parsed.tensorParallel == 8 && parsed.attentionDataParallel == 8)
    #expect(parsed.problem(model: try seeded("deepseek-r1"), gpu: try seededGPU("h200-sxm")) == nil)

    // Attention heads need only divide over each group: Qwen3-235B's 4 KV heads at attention TP 2.
    let q = try estimate("qwen3-235b-a22b", engine: .sglang, gpu: "h100-sxm", gpus: 8, dp: 4, context: 2048)
    #expect(try #require(q.launch).contains("--tp-size 8 --dp-size 4 --enable-dp-attention"))
}

/// Rank with --attention-dp: every multi-GPU plan runs one attention group per GPU, its row says
/// so, and its speed prices each group's own sequences.
@Test func rankWithAttentionDP() throws {
    let m = try seeded("deepseek-r1")
    let g = try seededGPU("h200-sxm")
    var price = Price(gpu: g.slug, provider: "P", usdPerGPUHour: 3, asOf: "2026-11-01", source: "t")
    price.gpusPerInstance = 8
    var q = RankQuery(model: m.slug)
    q.engine = .sglang
    q.formats = ["fp8"]
    q.counts = [8]
    q.batches = [1, 64, 256]
    let plain = try Ranker.rank(q, model: m, candidates: [RankCandidate(gpu: g, offerings: [price])])
    q.attentionDP = true
    let dp = try Ranker.rank(q, model: m, candidates: [RankCandidate(gpu: g, offerings: [price])])
    let a = try #require(plain.ranked.first), b = try #require(dp.ranked.first)
    #expect(a.attentionDP == nil && b.attentionDP == 8)
    #expect(try #require(b.launch).command.contains("--enable-dp-attention"))
    // Eight pools of its own sequences, each smaller (replicated attention, SGLang's larger reserve): about 3x here.
    #expect((b.maxConcurrency ?? 0) > 2 * (a.maxConcurrency ?? 0))
    #expect(RankQuery(model: "x").options["attention-dp"] == nil)
    #expect(try RankQuery(options: q.options).attentionDP)
    // A row's memory is its batch shared over the groups: the same as estimating that batch.
    q.batches = RankQuery.defaultBatches
    let wide = try Ranker.rank(q, model: m, candidates: [RankCandidate(gpu: g, offerings: [price])])
    let big = try #require(wide.ranked.max { ($0.batch ?? 0) < ($1.batch ?? 0) })
    #expect((big.batch ?? 0) > 256, "the default sweep under attention DP goes past 256")
    let e = try estimate(m.slug, engine: .sglang, gpu: g.slug, gpus: 8, dp: 8, context: try #require(big.context), batch: try #require(big.batch))
    let rowBytes = try #require(big.perGPUBytes), estBytes = try #require(e.perGPUBytes)
    #expect(rowBytes <= g.visibleMemoryBytes)
    #expect(abs(Double(rowBytes - estBytes)) < 0.01 * Double(estBytes), "rank \(rowBytes) vs estimate \(estBytes)")
}
