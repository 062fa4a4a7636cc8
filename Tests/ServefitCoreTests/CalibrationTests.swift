import Foundation
import Testing
@testable import ServefitCore

func calibrationSet() throws -> (set: [MeasuredRun], models: [String: Model], gpus: [String: GPU]) {
    let (ms, gs) = try seedCatalog()
    let set = try JSONDecoder().decode(MeasurementSet.self,
        from: Data(contentsOf: repoRoot.appendingPathComponent("Benchmarks/calibration/measurements.json"))).entries
    return (set, Dictionary(uniqueKeysWithValues: ms.map { ($0.slug, $0) }), Dictionary(uniqueKeysWithValues: gs.map { ($0.slug, $0) }))
}

/// The shipped constants against every gathered measurement (Benchmarks/calibration): a change
/// to the performance model that makes it worse than this fails. The error on data a fit did
/// not see (leave-one-source-out) is in Benchmarks/calibration/report.md and the README.
@Test func performanceModelErrorOverTheCalibrationSet() throws {
    let (set, models, gpus) = try calibrationSet()
    #expect(set.count >= 350)
    #expect(Set(set.map(\.gpu)).count >= 15)
    #expect(Set(set.map(\.sourceId)).count >= 37)
    let points = Calibration.points(set, models: models, gpus: gpus, PerfAssumptions())
    #expect(points.count >= 430)
    let s = Calibration.summary(points)
    // The floor was 0.67 until 2026-12-02, when 27 entries were corrected (random-dataset runs
    // marked ShareGPT, FP8 KV caches recorded as fp16, mean outputs of 100 recorded as 128) and
    // V0 runs got V0's default of 256 sequences: the refit on the corrected set is 0.66. The
    // step token budget, the MLA layer cost, attention data parallelism and llama.cpp's fp16
    // accumulation (also 2026-12-02) took it to 0.71, ×1.25 to 0.49, the median to ×1.26; with two
    // more SGLang-on-ROCm sources, 0.72 of 435 figures.
    #expect(s.within15 >= 0.71, "share within ×1.5: \(s.within15)")
    #expect(s.within125 >= 0.47, "share within ×1.25: \(s.within125)")
    #expect(s.medianFactor <= 1.27, "median error ×\(s.medianFactor)")
    #expect(s.worstFactor <= 16, "worst ×\(s.worstFactor)")
    // Every measurement names a source and carries its verbatim lines.
    #expect(set.allSatisfy { !$0.source.isEmpty && !($0.verbatim ?? "").isEmpty })
}

/// Physics bounds no fit may cross: batch-1 decode never beats the GPUs' bandwidth ÷ the bytes a
/// token reads, and more batch never lowers throughput.
@Test func batchOneDecodeNeverBeatsTheBandwidthCeiling() throws {
    let (models, gpus) = try seedCatalog()
    for m in models where m.kind == .decoder {
        guard (try? ParamCounter.count(m)) != nil else { continue }
        for g in gpus {
            for w in ["fp16", "fp8", "Q4_K_M"] {
                var r = PerfRequest(model: m, gpu: g)
                r.weights = try WeightFormat.parse(w)
                r.engine = w == "Q4_K_M" ? .llamaCpp : .vllm
                r.batch = 1; r.inputTokens = 512; r.outputTokens = 128
                let p = try PerformanceModel.evaluate(r)
                #expect(1000 / p.tpotMs <= p.batch1CeilingTokensPerS * 1.0001, "\(m.slug) on \(g.slug) \(w)")
                r.batch = 16
                let p16 = try PerformanceModel.evaluate(r)
                #expect(p16.throughputTokensPerS >= p.throughputTokensPerS * 0.999, "\(m.slug) on \(g.slug) \(w): batch 16 slower")
            }
        }
    }
}

/// `rank --explain` shows terms that add up to the figures the ranking used: the step is
/// max(memory, compute) plus launches, times the engine factor, plus host work, all-reduces and
/// hand-offs; TPOT adds the other sequences' prefills.
@Test func explainedTermsAddUpToTheStep() throws {
    let (models, gpus) = try seedCatalog()
    for (slug, gpu, tp, batch) in [("llama-3.1-8b", "h100-sxm", 1, 1), ("qwen3-30b-a3b", "mi300x", 1, 64), ("llama-3.1-70b", "a100-80gb-sxm", 4, 32)] {
        var r = PerfRequest(model: models.first { $0.slug == slug }!, gpu: gpus.first { $0.slug == gpu }!)
        r.tensorParallel = tp; r.batch = batch; r.inputTokens = 2048; r.outputTokens = 256
        let p = try PerformanceModel.evaluate(r)
        let t = try #require(p.terms)
        let step = max(t.memoryMs, t.computeMs) * t.engineFactor + t.launchesMs + t.hostMs + t.allReduceMs + t.pipelineMs
        #expect(abs(step - t.decodeStepMs) < 1e-6 * t.decodeStepMs, "\(slug): \(step) vs \(t.decodeStepMs)")
        #expect(abs(t.decodeStepMs + t.othersPrefillMs - p.tpotMs) < 1e-6 * p.tpotMs)
        #expect(t.allReduceMs > 0 || tp == 1)
        #expect(t.lines.count >= 8)
    }
}

/// The host's scheduling and sampling are paid once a step, not once a pipeline stage: a model
/// split by layers over 8 GPUs (llama.cpp's default) decodes one sequence about as fast as on one
/// GPU holding it all, as the llama.cpp multi-GPU runs in the calibration set measured.
@Test func pipelineStagesDoNotRepeatTheStepOverhead() throws {
    let (models, gpus) = try seedCatalog()
    var r = PerfRequest(model: models.first { $0.slug == "llama-2-7b" }!, gpu: gpus.first { $0.slug == "mi300x" }!)
    r.weights = try WeightFormat.parse("Q4_0"); r.engine = .llamaCpp; r.inputTokens = 1; r.outputTokens = 128
    let one = try PerformanceModel.evaluate(r)
    r.pipelineParallel = 8
    let eight = try PerformanceModel.evaluate(r)
    #expect(eight.tpotMs < one.tpotMs * 1.25, "pp 8: \(eight.tpotMs) ms vs pp 1: \(one.tpotMs) ms")
    #expect(eight.tpotMs > one.tpotMs, "hand-offs between stages are not free")
}

/// A burst of prompts whose output lengths vary (ShareGPT) drains: the batch shrinks as requests
/// finish and the run lasts until the longest ends, so it averages below the steady state at the
/// full batch; with every output the same length nothing drains.
@Test func aBurstOfVariableLengthsDrainsBelowTheSteadyState() throws {
    let (models, gpus) = try seedCatalog()
    var r = PerfRequest(model: models.first { $0.slug == "mistral-7b" }!, gpu: gpus.first { $0.slug == "h100-sxm" }!)
    r.inputTokens = 230; r.outputTokens = 224
    func perf(_ b: Int) -> Performance? { var x = r; x.batch = b; return try? PerformanceModel.evaluate(x) }
    let steady = try #require(perf(320)).throughputTokensPerS
    let drained = try #require(Calibration.drainThroughput(n: 320, input: 230, meanOutput: 224, perf))
    #expect(drained < steady * 0.6, "drained \(drained) vs steady \(steady)")
    #expect(drained > steady * 0.05)
}

/// MoE GEMMs see only the tokens routed to each expert: at the same active parameters, a routed
/// expert's GEMM is skinnier than a dense layer's, so a MoE decode step computes no faster per
/// active FLOP than the dense share of it does.
@Test func routedExpertsComputeAtTheirOwnRows() throws {
    let (models, gpus) = try seedCatalog()
    var r = PerfRequest(model: models.first { $0.slug == "qwen3-30b-a3b" }!, gpu: gpus.first { $0.slug == "h100-sxm" }!)
    r.batch = 64; r.inputTokens = 512; r.outputTokens = 128
    var a = PerfAssumptions(); a.moeFactor = 1; a.engineFactors = [:]
    r.assumptions = a
    let moe = try #require(try PerformanceModel.evaluate(r).terms)
    // 64 tokens × 8 of 128 experts: 4 rows an expert, far below the GEMM's half-efficiency point.
    let rate = moe.flopsPerStep / (moe.computeMs / 1000)
    let denseRate = (gpus.first { $0.slug == "h100-sxm" }!.tflops.bf16 ?? 0) * 1e12 * a.computeEfficiency * 64 / (64 + a.gemmHalfTokens)
    #expect(rate < denseRate * 0.9, "achieved \(rate / 1e12) TFLOP/s vs a dense GEMM of 64 rows \(denseRate / 1e12)")
}
