import Foundation
import Testing
@testable import ServefitCore

/// GPUs as their datasheets give them (shared/reference/gpus.csv).
let h100 = {
    var g = GPU(slug: "h100-sxm", vendor: "NVIDIA", name: "H100 SXM5 80GB", memoryBytes: 80 * Units.GiB, bandwidthGBPerS: 3350,
                tflops: TFLOPS(fp32: 67, tf32: 494.7, fp16: 989, bf16: 989, fp8: 1979, int8: 1979))
    g.memoryType = "HBM3"; g.interconnectGBPerS = 900; g.computeCapability = "sm_90"
    return g
}()
let rtx4090 = {
    var g = GPU(slug: "rtx-4090", vendor: "NVIDIA", name: "RTX 4090 24GB", memoryBytes: 24 * Units.GiB, bandwidthGBPerS: 1008,
                tflops: TFLOPS(fp32: 82.6, fp16: 165.2, bf16: 165.2, fp8: 330.3, int8: 660.6))
    g.memoryType = "GDDR6X"; g.computeCapability = "sm_89"
    return g
}()
let v100 = {
    var g = GPU(slug: "v100-sxm2-16gb", vendor: "NVIDIA", name: "V100 SXM2 16GB", memoryBytes: 16 * Units.GiB, bandwidthGBPerS: 900,
                tflops: TFLOPS(fp32: 15.7, fp16: 125))
    g.memoryType = "HBM2"; g.interconnectGBPerS = 300; g.computeCapability = "sm_70"
    return g
}()

func perf(_ m: Model, _ g: GPU, _ w: String = "fp16", batch: Int = 1, input: Int = 512, output: Int = 256, tp: Int = 1,
          _ tweak: (inout PerfRequest) -> Void = { _ in }) throws -> Performance {
    var r = PerfRequest(model: m, gpu: g)
    r.weights = try WeightFormat.parse(w)
    r.batch = batch; r.inputTokens = input; r.outputTokens = output; r.tensorParallel = tp
    tweak(&r)
    return try PerformanceModel.evaluate(r)
}

/// Decode at batch 1 can never beat bandwidth ÷ bytes read per token. The bytes here are a
/// lower bound computed independently of the model: every active parameter outside the
/// input-embedding lookup is read once per token at no fewer bits than the format stores.
@Test(arguments: ["Llama-2-7b", "Llama-2-70b", "Meta-Llama-3-8B", "Mistral-7B-v0.1", "Mixtral-8x7B-v0.1", "Qwen2.5-7B",
                  "Qwen3-30B-A3B", "gemma-2-9b", "Phi-3-mini-4k-instruct", "DeepSeek-V3"])
func decodeAtBatchOneRespectsTheBandwidthLimit(_ name: String) throws {
    let m = try caseModel(name)
    let pc = try ParamCounter.count(m)
    for (g, tp) in [(h100, 1), (h100, 8), (rtx4090, 1)] {
        for (w, bits) in [("fp16", 16.0), ("fp8", 8.0), ("awq", 4.0)] {
            let untiedEmbedding = m.tieWordEmbeddings == true ? 0 : pc.embedding
            let minBytes = Double(pc.active - untiedEmbedding - pc.vision) * bits / 8
            let ceiling = g.bandwidthGBPerS * 1e9 * Double(tp) / minBytes
            for eff in [0.75, 1.0] {
                let p = try perf(m, g, w, batch: 1, input: 1, output: 1, tp: tp) {
                    $0.assumptions.bandwidthEfficiency = eff
                    $0.assumptions.stepOverheadMs = 0
                    $0.assumptions.allReduceLatencyUs = 0
                    // No overheads: fixed per-layer and per-MoE-layer costs, MoE and engine factors off.
                    $0.assumptions.layerOverheadUs = 0
                    $0.assumptions.moeLayerOverheadUs = 0
                    $0.assumptions.mlaLayerOverheadUs = 0
                    $0.assumptions.moeFactor = 1
                    $0.assumptions.engineFactors = [:]
                }
                let decodeTPS = 1000 / p.tpotMs
                #expect(decodeTPS <= ceiling, "\(name) \(w) on \(g.slug)×\(tp): \(decodeTPS) tok/s > limit \(ceiling)")
                #expect(p.batch1CeilingTokensPerS <= ceiling * 1.0000001)
                #expect(p.throughputTokensPerS <= ceiling)
                // With perfect efficiency and no overheads a memory-bound decode reaches the limit
                // set by the bytes it really reads (the bound above ignores norms, KV and the head's bits).
                if eff == 1.0 && tp == 1 && p.decodeBound == "memory" {
                    #expect(decodeTPS >= 0.5 * ceiling, "\(name) \(w): \(decodeTPS) tok/s is far below the limit \(ceiling)")
                }
            }
        }
    }
}

@Test func moeDecodeReadsOnlyTheExpertsItsTokensPick() throws {
    let m = try caseModel("Mixtral-8x7B-v0.1")
    let pc = try ParamCounter.count(m)
    let total = Double(try WeightFormat.parse("fp16").size(pc, model: m).bytes)
    let one = try perf(m, h100, batch: 1, input: 1, output: 1)
    let many = try perf(m, h100, batch: 256, input: 1, output: 1)
    // Batch 1 reads 2 of 8 experts per layer: ~13B of 46.7B parameters.
    #expect(Double(one.decodeBytesPerStep) < 0.35 * total)
    #expect(Double(one.decodeBytesPerStep) > 0.25 * total)
    // 256 tokens picking 2 of 8 touch every expert.
    #expect(Double(many.decodeBytesPerStep) > 0.98 * total)
    #expect(PerformanceModel.expertFraction(model: m, tokens: 1) == 0.25)
}

@Test func batchingRaisesThroughputAndTPOT() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    var last: Performance?
    for b in [1, 4, 16, 64, 256] {
        let p = try perf(m, h100, batch: b)
        if let l = last {
            #expect(p.throughputTokensPerS > l.throughputTokensPerS)
            #expect(p.tpotMs >= l.tpotMs)
        }
        last = p
    }
    // Prefill of 512 tokens on an H100 is compute-bound; decode at batch 1 memory-bound.
    let p = try perf(m, h100, batch: 1, input: 4096)
    #expect(p.prefillBound == "compute")
    #expect(p.decodeBound == "memory")
}

/// vLLM V1 mixes prompt chunks into decode steps of at most max_num_batched_tokens: b sequences
/// decoding need b × input ÷ output prompt tokens a step to replace those that finish, so a
/// budget of 8,192 keeps at most 8,192 × 100 ÷ 4,100 = 199 decoding at 4,000 in / 100 out.
@Test func theStepTokenBudgetCapsTheSequencesDecoding() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    let free = try perf(m, h100, batch: 500, input: 4000, output: 100)
    let capped = try perf(m, h100, batch: 500, input: 4000, output: 100) { $0.tokenBudget = 8192 }
    #expect(free.terms?.batch == 500)
    #expect(capped.terms?.batch == 199)
    #expect(capped.notes.contains { $0.hasPrefix("token budget: 8192 tokens a step keep at most 199 sequences decoding") })
    // The same as asking for the sustainable batch outright; fewer in flight wait less a token.
    let at199 = try perf(m, h100, batch: 199, input: 4000, output: 100)
    #expect(abs(capped.tpotMs - at199.tpotMs) < 1e-9)
    #expect(capped.tpotMs < free.tpotMs)
    // A budget the workload does not reach changes nothing.
    let roomy = try perf(m, h100, batch: 64, input: 512, output: 256) { $0.tokenBudget = 8192 }
    let plain = try perf(m, h100, batch: 64, input: 512, output: 256)
    #expect(roomy.terms?.batch == 64 && !roomy.notes.contains { $0.hasPrefix("token budget") })
    #expect(abs(roomy.throughputTokensPerS - plain.throughputTokensPerS) < 1e-9 && abs(roomy.tpotMs - plain.tpotMs) < 1e-9)
    // A budget of no tokens is refused, not divided by.
    #expect(throws: CoreError.self) { try perf(m, h100, batch: 8) { $0.tokenBudget = 0 } }
}

/// Attention data parallelism (SGLang --enable-dp-attention): every rank holds the attention
/// weights whole, so a lone sequence reads more a step than under TP; but each rank keeps only its
/// own sequences' MLA latent cache instead of every sequence's, so a large batch at long context
/// reads far less.
@Test func attentionDataParallelTradesWeightReadsForKVReads() throws {
    let m = try caseModel("DeepSeek-V3")
    func step(_ batch: Int, _ dp: Int) throws -> StepTerms {
        try #require(try perf(m, h100, "fp8", batch: batch, input: 8192, output: 256, tp: 8) { $0.attentionDataParallel = dp }.terms)
    }
    let (tp1, dp1) = (try step(1, 1), try step(1, 8))
    #expect(dp1.bytesPerStep > tp1.bytesPerStep)
    let (tpBig, dpBig) = (try step(256, 1), try step(256, 8))
    #expect(dpBig.bytesPerStep < tpBig.bytesPerStep * 0.7)
    #expect(throws: CoreError.self) { try perf(m, h100, "fp8", batch: 8, tp: 4) { $0.attentionDataParallel = 8 } }
}

@Test func tensorParallelPaysForAllReduce() throws {
    let m = try caseModel("Llama-2-70b")
    let one = try perf(m, h100, batch: 8, tp: 1)
    let four = try perf(m, h100, batch: 8, tp: 4)
    #expect(four.allReduceMsPerStep > 0)
    #expect(one.allReduceMsPerStep == 0)
    #expect(four.tpotMs < one.tpotMs)
    // Four GPUs are less than four times faster: the all-reduce and the step overhead do not split.
    #expect(four.tpotMs > one.tpotMs / 4)
    // PCIe-only GPUs pay more for the same all-reduce than NVLink ones.
    var pcie = h100; pcie.interconnectGBPerS = nil
    #expect(try perf(m, pcie, batch: 8, tp: 4).allReduceMsPerStep > four.allReduceMsPerStep)
}

@Test func costArithmetic() throws {
    // cost = price × count ÷ (tokens/s × 3600) × 10⁶
    let c = Cost.of(usdPerGPUHour: 2.5, gpuCount: 4, outputTokensPerS: 1000, totalTokensPerS: 5000)
    #expect(c.usdPerHour == 10)
    #expect(abs(c.usdPerMillionTokens - 10.0 / 3600 / 1000 * 1e6) < 1e-12)
    #expect(abs(c.usdPerMillionTokensBlended - 10.0 / 3600 / 5000 * 1e6) < 1e-12)
    #expect(Cost.of(usdPerGPUHour: 1, gpuCount: 1, outputTokensPerS: 0, totalTokensPerS: 0).usdPerMillionTokens == .infinity)
}

@Test func efficiencyFactorsAreValidated() throws {
    let m = try caseModel("Llama-2-7b")
    for bad in [0.0, -0.5, 1.5, Double.nan] {
        #expect(throws: CoreError.self) { try perf(m, h100) { $0.assumptions.bandwidthEfficiency = bad } }
    }
    #expect(throws: CoreError.self) { try perf(m, h100, input: 0, output: 0) }
    #expect(throws: CoreError.self) { try perf(m, h100, batch: 0) }
}

// MARK: ranking

func candidates(_ prices: [String: Double]) -> [RankCandidate] {
    [h100, rtx4090, v100].map { g in
        RankCandidate(gpu: g, offerings: prices[g.slug].map { usd in
            [1, 8].map { n in
                var p = Price(gpu: g.slug, provider: "TestCloud", usdPerGPUHour: usd, asOf: "2026-11-01", source: "test")
                p.gpusPerInstance = n
                return p
            }
        } ?? [])
    }
}

@Test func everyRankedDeploymentFitsAndMeetsTheConstraints() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    var q = try RankQuery(options: ["model": "m", "max-tpot": "40ms", "max-ttft": "1s", "min-throughput": "300", "budget-per-hour": "9",
                                    "max-gpus": "4", "input": "1024", "output": "256"])
    q.formats = ["fp16", "fp8", "awq"]
    let r = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5, "rtx-4090": 0.4, "v100-sxm2-16gb": 0.25]))
    #expect(!r.ranked.isEmpty)
    for row in r.ranked {
        #expect(row.rejectedReason == nil)
        #expect(row.gpuCount <= 4)
        #expect(["fp16", "fp8", "awq"].contains(row.weights))
        #expect(row.tpotMs! <= 40)
        #expect(row.ttftMs! <= 1000)
        #expect(row.throughputTokensPerS! >= 300)
        #expect(row.usdPerHour! <= 9)
        // It fits: the estimator agrees at the chosen batch on that GPU.
        let g = [h100, rtx4090, v100].first { $0.slug == row.gpu }!
        var e = EstimateRequest(model: m)
        e.weights = try WeightFormat.parse(row.weights)
        e.context = row.context; e.batch = row.batch!; e.gpus = row.gpuCount
        e.gpuMemoryBytes = g.memoryBytes; e.gpuVisibleMemoryBytes = g.visibleMemoryBytes
        let est = try Estimator.estimate(e)
        #expect(est.fits == true, "\(row.label) batch \(row.batch!) does not fit")
        #expect(Double(row.batch!) <= est.maxConcurrency! * Double(est.context) / Double(row.context) + 1e-9)
        // Its cost is the arithmetic of its own figures.
        let expected = row.usdPerGPUHour! * Double(row.gpuCount) / (row.throughputTokensPerS! * 3600) * 1e6
        #expect(abs(row.usdPerMillionTokens! - expected) < 1e-9 * expected)
    }
    // Ordered by cost per million output tokens.
    let costs = r.ranked.map { $0.usdPerMillionTokens! }
    #expect(costs == costs.sorted())
    // V100 (sm_70) cannot run vLLM's fp8 (sm_75 in current vLLM: Marlin) or AWQ kernels.
    #expect(!r.ranked.contains { $0.gpu == "v100-sxm2-16gb" && $0.weights != "fp16" })
    #expect(r.rejected.contains { $0.gpu == "v100-sxm2-16gb" && $0.weights == "fp8" && $0.rejectedReason!.contains("sm_75") })
}

@Test func seventyBillionAtFP16DoesNotFitOneEightyGBGPU() throws {
    let m = try caseModel("Llama-2-70b")
    var q = RankQuery(model: "m")
    q.formats = ["fp16"]
    q.counts = [1, 2]
    let r = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5]))
    let one = try #require(r.rejected.first { $0.gpu == "h100-sxm" && $0.gpuCount == 1 })
    #expect(one.rejectedReason!.hasPrefix("needs "))
    #expect(one.rejectedReason!.contains("GiB per GPU >"))
    #expect(!r.ranked.contains { $0.gpu == "h100-sxm" && $0.gpuCount == 1 })
    #expect(r.ranked.contains { $0.gpu == "h100-sxm" && $0.gpuCount == 2 })
}

@Test func rejectionsSayWhy() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    var q = RankQuery(model: "m")
    q.formats = ["fp16"]
    q.counts = [1]
    q.maxTPOTMs = 1  // no GPU decodes an 8B model at fp16 in 1 ms
    let r = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5]))
    #expect(r.ranked.isEmpty)
    let h = try #require(r.rejected.first { $0.gpu == "h100-sxm" })
    #expect(h.rejectedReason!.hasPrefix("TPOT ") && h.rejectedReason!.contains("> 1.0 ms at batch 1"))
    // A GPU without a price loses for that reason once it qualifies otherwise.
    q.maxTPOTMs = nil
    let r2 = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5]))
    #expect(r2.rejected.contains { $0.gpu == "rtx-4090" && $0.rejectedReason!.hasPrefix("no current price") })
    // A throughput floor no batch reaches names the largest batch.
    q.minThroughput = 1e9
    let r3 = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5]))
    #expect(r3.rejected.first { $0.gpu == "h100-sxm" }!.rejectedReason!.contains("throughput"))
    // Tensor parallelism that does not split the heads is refused (Llama 3 8B: 32 heads, 8 KV heads).
    func plan(_ tp: Int) -> DeploymentPlan {
        DeploymentPlan(model: m, gpu: h100, engine: .vllm, weights: .float(bits: 16), kvDType: .fp16, tensorParallel: tp, pipelineParallel: 1, context: 2048)
    }
    #expect(EngineRules.problem(plan(3)) != nil)
    #expect(EngineRules.problem(plan(8)) == nil)
}

@Test func rankQueryOptionsRoundTrip() throws {
    let opts = ["model": "llama-3.1-8b", "gpu": "h100-sxm,l4", "provider": "RunPod", "pricing-model": "spot", "counts": "1,2",
                "formats": "fp8,awq", "kv-cache": "fp8", "batch": "1,8,32", "input": "4k", "output": "512", "context": "8192",
                "max-tpot": "50ms", "max-ttft": "2s", "min-throughput": "100", "budget-per-hour": "12.5", "max-gpus": "2",
                "bandwidth-efficiency": "0.8", "top": "3"]
    let q = try RankQuery(options: opts)
    #expect(q.inputTokens == 4096)
    #expect(q.maxTTFTMs == 2000)
    #expect(q.pricingModel == .spot)
    #expect(try RankQuery(options: q.options) == q)
    #expect(throws: CoreError.badOption("unknown option 'colour' (known: \(RankQuery.optionNames.joined(separator: ", ")))")) {
        try RankQuery(options: ["model": "m", "colour": "red"])
    }
    for (k, v) in [("max-tpot", "fast"), ("counts", "0"), ("batch", "-1"), ("budget-per-hour", "-3"), ("input", "1e99"),
                   ("pricing-model", "free"), ("gpu-memory-utilization", "1.5"), ("formats", "int3"), ("top", "0")] {
        #expect(throws: CoreError.self, "\(k)=\(v)") { try RankQuery(options: ["model": "m", k: v]) }
    }
}

@Test func launchLines() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    var mm = m; mm.hfRepo = "meta-llama/Meta-Llama-3-8B"
    var s = LaunchCommand.Spec(model: mm)
    s.weights = .fp8; s.kvDType = try KVDType.parse("fp8"); s.tensorParallel = 2; s.context = 8192; s.maxNumSeqs = 64
    let v = LaunchCommand.vllm(s).command
    #expect(v == "vllm serve meta-llama/Meta-Llama-3-8B --tensor-parallel-size 2 --max-model-len 8192 --max-num-seqs 64 --gpu-memory-utilization 0.90 --quantization fp8 --kv-cache-dtype fp8")
    s.weights = try WeightFormat.parse("Q4_K_M"); s.kvDType = try KVDType.parse("q8_0"); s.tensorParallel = 1; s.maxNumSeqs = 4
    #expect(LaunchCommand.llamaCpp(s).command == "llama-server -m Meta-Llama-3-8B-Q4_K_M.gguf -c 32768 -np 4 -ngl 99 -fa on -ctk q8_0 -ctv q8_0")
    s.gpu = v100; s.weights = .float(bits: 16)
    #expect(LaunchCommand.vllm(s).command.contains("--dtype float16"))
}

@Test func sha256StandardVectors() {
    #expect(Digest.sha256Hex(Array("".utf8)) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    #expect(Digest.sha256Hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(Digest.sha256Hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
            == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    #expect(Digest.sha256Hex([UInt8](repeating: 0x61, count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

@Test func trafficIsCarriedByEnoughReplicas() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    let q = try RankQuery(options: ["model": "m", "traffic": "40", "max-tpot": "60ms", "formats": "fp16,fp8"])
    let r = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5, "rtx-4090": 0.4, "v100-sxm2-16gb": 0.25]))
    #expect(!r.ranked.isEmpty)
    for row in r.ranked {
        let replicas = try #require(row.replicas), rps = try #require(row.requestsPerS)
        #expect(Double(replicas) * rps >= 40)
        #expect(Double(replicas - 1) * rps < 40)  // no more replicas than needed
        #expect(abs(row.usdPerHourAtTraffic! - Double(replicas) * Double(row.gpuCount) * row.usdPerGPUHour!) < 1e-9)
    }
    let totals = r.ranked.map { $0.usdPerHourAtTraffic! }
    #expect(totals == totals.sorted())
    // A budget then applies to all replicas together.
    let cheapest = totals[0]
    let q2 = try RankQuery(options: ["model": "m", "traffic": "40", "max-tpot": "60ms", "formats": "fp16,fp8", "budget-per-hour": String(cheapest * 0.99)])
    let r2 = try Ranker.rank(q2, model: m, candidates: candidates(["h100-sxm": 2.5, "rtx-4090": 0.4, "v100-sxm2-16gb": 0.25]))
    #expect(r2.ranked.isEmpty)
    #expect(r2.rejected.contains { $0.rejectedReason?.contains("replicas > budget") == true })
    // Each shown row carries its replica's share of the traffic as Poisson arrivals.
    for row in r.ranked {
        let t = try #require(row.atTraffic)
        #expect(abs(t.requestsPerS * Double(row.replicas!) - 40) < 1e-9)
        #expect(t.keepsUp && t.inFlight >= 1 && t.inFlight <= Double(row.batch!))
        #expect(try #require(t.ttftP90Ms) >= t.ttftP50Ms! && t.tpotP90Ms! >= t.tpotP50Ms!)
    }
}

/// Poisson arrivals at a rate: Little's law gives the sequences in flight; prompts queue for the
/// prefills ahead of them (M/D/1), so TTFT's tail grows as the prefill load nears 1; past what
/// the deployment serves at its largest batch it cannot keep up and says so.
@Test func atARequestRateQueueingShowsInTheTail() throws {
    let m = try caseModel("Meta-Llama-3-8B")
    var r = PerfRequest(model: m, gpu: h100)
    r.inputTokens = 2048; r.outputTokens = 256
    func perf(_ b: Int) -> Performance? { var x = r; x.batch = b; return try? PerformanceModel.evaluate(x) }
    let capacity = try #require(perf(128)).requestsPerS
    let light = try #require(PerformanceModel.atRate(0.05 * capacity, maxBatch: 128, outputTokens: 256, perf))
    let heavy = try #require(PerformanceModel.atRate(0.6 * capacity, maxBatch: 128, outputTokens: 256, perf))
    let over = try #require(PerformanceModel.atRate(1.2 * capacity, maxBatch: 128, outputTokens: 256, perf))
    #expect(light.keepsUp && heavy.keepsUp && !over.keepsUp)
    #expect(over.ttftP90Ms == nil)
    #expect(light.inFlight < heavy.inFlight)
    // Little's law at the solution: in flight = rate × (TTFT + output × TPOT) at that batch.
    let at = try #require(perf(Int(heavy.inFlight.rounded())))
    #expect(abs(heavy.inFlight - 0.6 * capacity * (at.ttftMs + 256 * at.tpotMs) / 1000) / heavy.inFlight < 0.1)
    // Light load: no queue to speak of at the median; heavy load: the tail waits.
    let one = try #require(perf(max(1, Int(light.inFlight.rounded()))))
    #expect(abs(light.ttftP50Ms! - one.ttftMs) < 1e-9)
    #expect(heavy.ttftP90Ms! - heavy.ttftP50Ms! > light.ttftP90Ms! - light.ttftP50Ms!)
    #expect(heavy.tpotP90Ms! > heavy.tpotP50Ms!)
}

@Test func encodersBatchPromptsAndLlamaCppSplitsLayers() throws {
    let bert = try caseModel("bert-base-uncased")
    let one = try perf(bert, h100, batch: 1, input: 512, output: 0)
    let sixteen = try perf(bert, h100, batch: 16, input: 512, output: 0)
    #expect(one.tpotMs == 0)
    #expect(sixteen.throughputTokensPerS > one.throughputTokensPerS)  // weights read once per batch
    #expect(sixteen.ttftMs > one.ttftMs)
    // llama.cpp's layer split: more GPUs hold more, but a token still passes every layer in turn.
    let m = try caseModel("Meta-Llama-3-8B")
    var q = RankQuery(model: "m")
    q.engine = .llamaCpp; q.formats = ["Q4_K_M"]; q.counts = [1, 2]; q.batches = [1]
    let r = try Ranker.rank(q, model: m, candidates: candidates(["h100-sxm": 2.5]))
    let a = try #require(r.ranked.first { $0.gpu == "h100-sxm" && $0.gpuCount == 1 })
    let b = try #require(r.ranked.first { $0.gpu == "h100-sxm" && $0.gpuCount == 2 })
    #expect(b.tensorParallel == 1)
    #expect(b.tpotMs! >= a.tpotMs!)
}

@Test func estimateCarriesTheLaunchLineForItsCapacity() throws {
    var m = try caseModel("Meta-Llama-3-8B")
    m.hfRepo = "meta-llama/Meta-Llama-3-8B"
    var r = EstimateRequest(model: m)
    r.weights = .fp8; r.context = 8192
    r.gpuMemoryBytes = h100.memoryBytes; r.gpuVisibleMemoryBytes = h100.visibleMemoryBytes
    let e = try Estimator.estimate(r)
    let seqs = Int(e.maxConcurrency!.rounded(.down))
    #expect(e.launch == "vllm serve meta-llama/Meta-Llama-3-8B --max-model-len 8192 --max-num-seqs \(seqs) --gpu-memory-utilization 0.90 --quantization fp8")
    r.training = TrainingOptions()
    #expect(try Estimator.estimate(r).launch == nil)
}
