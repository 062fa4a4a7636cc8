import Foundation
import ServefitCore

/// `servefit-bench calibrate [iterations]`: fits the performance model to
/// Benchmarks/calibration/measurements.json, writes Sources/ServefitCore/FittedProfile.swift,
/// Benchmarks/calibration/report.md (error by engine and vendor, in-sample and leave-one-source-out)
/// and Benchmarks/calibration/predicted-vs-measured.svg.
func runCalibration(iterations: Int) throws {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    func doc(_ n: String) throws -> CatalogDocument { try CatalogDocument.decode(try Data(contentsOf: root.appendingPathComponent("seed/\(n).json"))) }
    let models = Dictionary(uniqueKeysWithValues: (try doc("models").models ?? []).map { ($0.slug, $0) })
    let gpus = Dictionary(uniqueKeysWithValues: (try doc("gpus").gpus ?? []).map { ($0.slug, $0) })
    let set = try JSONDecoder().decode(MeasurementSet.self, from: Data(contentsOf: root.appendingPathComponent("Benchmarks/calibration/measurements.json"))).entries
    // The previous release's fixed factors, in today's model structure.
    var legacy = PerfAssumptions()
    legacy.bandwidthEfficiency = 0.75; legacy.computeEfficiency = 0.5; legacy.gemmHalfTokens = 0; legacy.layerOverheadUs = 0
    legacy.allReduceLatencyUs = 10; legacy.stepOverheadMs = 0.5; legacy.sequenceOverheadUs = 0; legacy.moeFactor = 1; legacy.moeLayerOverheadUs = 0
    legacy.mlaLayerOverheadUs = 0
    legacy.engineFactors = [:]
    let before = Calibration.points(set, models: models, gpus: gpus, legacy)
    progress("calibrate: \(set.count) runs, \(before.count) figures the catalog can predict; fitting (\(iterations) iterations)")
    let t0 = now()
    let fitted = Calibration.fit(set, models: models, gpus: gpus, start: .physicsPrior, iterations: iterations)
    progress("calibrate: fitted in \(f((now() - t0) / 1000, 1)) s; leave-one-source-out next")
    let inSample = Calibration.points(set, models: models, gpus: gpus, fitted)
    let loso = CommandLine.arguments.contains("--no-loso") ? inSample
        : Calibration.leaveOneSourceOut(set, models: models, gpus: gpus, start: .physicsPrior, iterations: iterations / 2)
    progress("calibrate: done in \(f((now() - t0) / 1000, 1)) s")

    // The constants, as Swift.
    func num(_ x: Double) -> String { String(format: "%.4g", x) }
    var swift = """
        // The performance model's constants. Written by `servefit-bench calibrate` from
        // Benchmarks/calibration/measurements.json (\(set.count) runs, \(Set(set.map(\.sourceId)).count) sources);
        // see Benchmarks/calibration/report.md for the fit and its leave-one-source-out error.
        // Edit the measurements and re-run the fit, not this file.
        public enum FittedProfile {
            public static let bandwidthEfficiency = \(num(fitted.bandwidthEfficiency))
            public static let computeEfficiency = \(num(fitted.computeEfficiency))
            public static let gemmHalfTokens = \(num(fitted.gemmHalfTokens))
            public static let interconnectEfficiency = \(num(fitted.interconnectEfficiency))
            public static let allReduceLatencyUs = \(num(fitted.allReduceLatencyUs))
            public static let layerOverheadUs = \(num(fitted.layerOverheadUs))
            public static let stepOverheadMs = \(num(fitted.stepOverheadMs))
            public static let sequenceOverheadUs = \(num(fitted.sequenceOverheadUs))
            public static let moeFactor = \(num(fitted.moeFactor))
            public static let moeLayerOverheadUs = \(num(fitted.moeLayerOverheadUs))
            public static let mlaLayerOverheadUs = \(num(fitted.mlaLayerOverheadUs))
            public static let engineFactors: [String: Double] = [

        """
    for (k, v) in fitted.engineFactors.sorted(by: { $0.key < $1.key }) { swift += "        \"\(k)\": \(num(v)),\n" }
    swift += "    ]\n}\n"
    try swift.write(to: root.appendingPathComponent("Sources/ServefitCore/FittedProfile.swift"), atomically: true, encoding: .utf8)

    // The report.
    func table(_ p: [CalibrationPoint]) -> String {
        var rows = ["| engine | GPUs | figures | within ×1.25 | within ×1.5 | median error | worst |", "|---|---|---|---|---|---|---|"]
        let groups = Dictionary(grouping: p) { "\($0.engine)|\($0.vendor)" }
        for key in groups.keys.sorted() + ["all"] {
            let ps = key == "all" ? p : groups[key]!
            let s = Calibration.summary(ps)
            let parts = key.split(separator: "|").map(String.init)
            rows.append("| \(key == "all" ? "**all**" : parts[0]) | \(key == "all" ? "" : parts[1]) | \(s.count) | \(Int((s.within125 * 100).rounded()))% | \(Int((s.within15 * 100).rounded()))% | ×\(f(s.medianFactor)) | ×\(f(s.worstFactor)) |")
        }
        return rows.joined(separator: "\n")
    }
    var md = "# Performance model calibration\n\nWritten by `servefit-bench calibrate` (Benchmarks/run.sh calibrate). Error is max(predicted/measured, measured/predicted).\n\n"
    md += "## On data the fit did not see (leave-one-source-out)\n\nEach source's figures predicted by a fit on all the other sources.\n\n" + table(loso) + "\n\n"
    md += "## In sample (the shipped constants)\n\n" + table(inSample) + "\n\n"
    md += "## Before fitting (the previous fixed factors: bandwidth 0.75, compute 0.5, 0.5 ms a step, 10 µs an all-reduce)\n\n" + table(before) + "\n\n"
    md += "## Fitted constants\n\n| term | value |\n|---|---|\n"
    for (k, v) in [("bandwidth efficiency", fitted.bandwidthEfficiency), ("compute efficiency (large GEMM)", fitted.computeEfficiency),
                   ("GEMM half-efficiency tokens", fitted.gemmHalfTokens), ("per-layer fixed cost (µs)", fitted.layerOverheadUs),
                   ("all-reduce latency (µs)", fitted.allReduceLatencyUs), ("step overhead (ms)", fitted.stepOverheadMs), ("host cost per sequence per step (µs)", fitted.sequenceOverheadUs),
                   ("MoE grouped-GEMM factor", fitted.moeFactor), ("MoE layer fixed cost (µs)", fitted.moeLayerOverheadUs),
                   ("MLA layer fixed cost (µs)", fitted.mlaLayerOverheadUs)] { md += "| \(k) | \(num(v)) |\n" }
    for (k, v) in fitted.engineFactors.sorted(by: { $0.key < $1.key }) { md += "| engine factor \(k) | \(num(v)) |\n" }
    md += "\n## Largest in-sample errors\n\n| run | metric | measured | predicted | error |\n|---|---|---|---|---|\n"
    for p in inSample.sorted(by: { $0.factor > $1.factor }).prefix(20) {
        md += "| \(p.id) | \(p.metric) | \(num(p.measured)) | \(num(p.predicted)) | ×\(f(p.factor)) |\n"
    }
    // TTFT at a request rate: not fitted, a check of the queueing model (PerformanceModel.atRate).
    let ttft = Calibration.ttftAtRatePoints(set, models: models, gpus: gpus, fitted)
    let ts = Calibration.summary(ttft)
    md += "\n## TTFT at a request rate (not fitted)\n\nMedian TTFT of the runs driven by a request rate, against the p50 of `PerformanceModel.atRate` (Poisson arrivals, "
        + "in flight by Little's law, the M/D/1 wait for the prompts ahead) with the shipped constants: \(ts.count) figures, "
        + "\(Int((ts.within15 * 100).rounded()))% within ×1.5, \(Int((ts.within125 * 100).rounded()))% within ×1.25, median error ×\(f(ts.medianFactor)), worst ×\(f(ts.worstFactor)).\n\n"
        + "| run | source | measured TTFT (ms) | predicted p50 (ms) | error |\n|---|---|---|---|---|\n"
    for p in ttft.sorted(by: { $0.factor > $1.factor }) { md += "| \(p.id) | \(p.source) | \(num(p.measured)) | \(num(p.predicted)) | ×\(f(p.factor)) |\n" }
    md += "\n## Every figure (leave-one-source-out)\n\n| run | source | metric | measured | predicted | error |\n|---|---|---|---|---|---|\n"
    for p in loso.sorted(by: { $0.factor > $1.factor }) {
        md += "| \(p.id) | \(p.source) | \(p.metric) | \(num(p.measured)) | \(num(p.predicted)) | ×\(f(p.factor)) |\n"
    }
    try md.write(to: root.appendingPathComponent("Benchmarks/calibration/report.md"), atomically: true, encoding: .utf8)
    try svg(loso).write(to: root.appendingPathComponent("Benchmarks/calibration/predicted-vs-measured.svg"), atomically: true, encoding: .utf8)
    out(table(loso))
}

/// Predicted against measured on log-log axes, one colour per engine, with y = x and ×1.5 bands.
func svg(_ points: [CalibrationPoint]) -> String {
    let w = 560.0, h = 560.0, pad = 60.0
    // Figures differ in units (tok/s, ms, s): each is normalised to its metric's median measured value.
    let medians = Dictionary(grouping: points, by: \.metric).mapValues { ps -> Double in let m = ps.map(\.measured).sorted(); return m[m.count / 2] }
    let xs = points.map { $0.measured / medians[$0.metric]! }, ys = points.map { $0.predicted / medians[$0.metric]! }
    let lo = log10(max(1e-3, (xs + ys).min() ?? 0.1)) - 0.1, hi = log10((xs + ys).max() ?? 10) + 0.1
    func px(_ v: Double) -> Double { pad + (log10(v) - lo) / (hi - lo) * (w - 2 * pad) }
    func py(_ v: Double) -> Double { h - pad - (log10(v) - lo) / (hi - lo) * (h - 2 * pad) }
    let colours = ["vllm": "#1f77b4", "trtllm": "#2ca02c", "sglang": "#d62728", "llama.cpp": "#9467bd"]
    var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(w))\" height=\"\(Int(h))\" viewBox=\"0 0 \(Int(w)) \(Int(h))\" font-family=\"sans-serif\" font-size=\"12\">\n"
    s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
    let a = pow(10, lo), b = pow(10, hi)
    s += "<line x1=\"\(px(a))\" y1=\"\(py(a))\" x2=\"\(px(b))\" y2=\"\(py(b))\" stroke=\"black\"/>\n"
    for k in [1.5, 1 / 1.5] {
        s += "<line x1=\"\(px(a))\" y1=\"\(py(a * k))\" x2=\"\(px(b / max(1, k)))\" y2=\"\(py(b / max(1, k) * k))\" stroke=\"#999\" stroke-dasharray=\"4 4\"/>\n"
    }
    for (i, p) in points.enumerated() {
        s += "<circle cx=\"\(f(px(xs[i]), 1))\" cy=\"\(f(py(ys[i]), 1))\" r=\"3.5\" fill=\"\(colours[p.engine] ?? "#333")\" fill-opacity=\"0.7\"><title>\(p.id) \(p.metric): measured \(p.measured), predicted \(f(p.predicted, 1))</title></circle>\n"
    }
    s += "<text x=\"\(w / 2)\" y=\"\(h - 15)\" text-anchor=\"middle\">measured (÷ the metric's median)</text>\n"
    s += "<text x=\"15\" y=\"\(h / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 15 \(h / 2))\">predicted, fit without its source</text>\n"
    s += "<text x=\"\(pad)\" y=\"25\" font-size=\"14\">servefit performance model: predicted vs measured (log-log, y = x, ×1.5 dashed)</text>\n"
    for (i, (k, c)) in colours.sorted(by: { $0.key < $1.key }).enumerated() {
        s += "<circle cx=\"\(pad + 10)\" cy=\"\(45 + Double(i) * 16)\" r=\"4\" fill=\"\(c)\"/><text x=\"\(pad + 20)\" y=\"\(49 + Double(i) * 16)\">\(k)</text>\n"
    }
    return s + "</svg>\n"
}
