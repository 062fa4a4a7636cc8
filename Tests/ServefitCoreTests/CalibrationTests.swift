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
    #expect(set.count >= 150)
    #expect(Set(set.map(\.gpu)).count >= 10)
    #expect(Set(set.map(\.sourceId)).count >= 8)
    let points = Calibration.points(set, models: models, gpus: gpus, PerfAssumptions())
    #expect(points.count >= 170)
    let s = Calibration.summary(points)
    #expect(s.within15 >= 0.68, "share within ×1.5: \(s.within15)")
    #expect(s.medianFactor <= 1.26, "median error ×\(s.medianFactor)")
    #expect(s.worstFactor <= 6.5, "worst ×\(s.worstFactor)")
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
