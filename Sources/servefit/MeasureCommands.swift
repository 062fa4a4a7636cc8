import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore

struct MeasureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "measure", abstract: "Measurements as catalog data: import benchmark results and engine logs, list them, check them against servefit.",
        discussion: """
            Examples:
              servefit measure import ./result.json --model llama-3.1-8b-instruct --gpu h100-sxm
              servefit measure import ./vllm-startup.log ./llama-bench.csv
              servefit measure list --gpu h100-sxm
              servefit measure check --format json
            """,
        subcommands: [Import.self, List.self, Show.self, Remove.self, Check.self])

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import benchmark results and engine logs (all files or none).",
            discussion: """
                Reads vllm bench serve / benchmark_serving results (--save-result JSON or the printed
                summary), vllm bench throughput/latency output, vLLM start-up logs (weights, GPU blocks,
                KV cache size, maximum concurrency, "KV cache is needed" errors), llama-bench output
                (-o json|jsonl|md|csv), llama-server / llama-cli logs, SGLang bench_serving and
                trtllm-bench reports. What the file names (model, GPU, settings) is used; flags fill
                the rest and win where both say. The same file imported twice is refused.
                Example: servefit measure import ./result.json --model llama-3.1-8b-instruct --gpu h100-sxm
                """)
        @OptionGroup var global: WriteOptions
        @Argument(help: "Files to import.") var files: [String]
        @Option(help: "Catalog model the runs are of (slug or Hugging Face repo).") var model: String?
        @Option(help: "Catalog GPU the runs ran on.") var gpu: String?
        @Option(help: "A measured variant of the model (servefit model import).") var variant: String?
        @Option(help: "GPUs per run (default: the file's tensor-parallel size, else 1).") var gpus: WholeNumber?
        @Option(help: "Engine version, where the file does not say.") var engineVersion: String?
        @Flag(help: "Parse and match only; store nothing.") var dryRun = false
        @OptionGroup var fmt: FormatOption

        func run() throws {
            try CLI.run {
                let store = try global.open()
                let names = try store.measurementNames()
                let given = MeasurementMatch.Given(model: model, gpu: gpu, variant: variant, gpuCount: gpus?.value, engineVersion: engineVersion)
                var all: [MeasurementRecord] = []
                for f in files {
                    let data = try CLI.readFile(f)
                    do {
                        all += try MeasurementMatch.read(data, name: (f as NSString).lastPathComponent, given: given, models: names.models, gpus: names.gpus)
                    } catch let e as CoreError {
                        // Name the file: a multi-file import stops at the first bad one and stores nothing.
                        switch e {
                        case .unknownName, .badOption: throw e
                        default: throw CoreError.invalidInput("\(f): \(e.description)")
                        }
                    }
                }
                let stored = dryRun ? all : try store.addMeasurements(all, actor: global.who)
                if fmt.format == .json { try CLI.printJSON(stored); return }
                MeasureCommand.printRows(stored, format: fmt.format)
                if fmt.format == .table { print("\(dryRun ? "would import" : "imported") \(stored.count) run\(stored.count == 1 ? "" : "s") from \(files.count) file\(files.count == 1 ? "" : "s")") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List stored measurements.", discussion: "Example: servefit measure list --gpu h100-sxm --engine vllm")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Option(help: "Only this model (slug or Hugging Face id).") var model: String?
        @Option(help: "Only this GPU slug.") var gpu: String?
        @Option(help: "Only this engine: vllm, sglang, trtllm or llama.cpp.") var engine: String?
        @Option(help: "serving, throughput, latency, startup or bench.") var kind: String?
        func run() throws {
            try CLI.run {
                let ms = try global.open().measurements(MeasurementFilter(model: model, gpu: gpu, engine: engine, kind: kind))
                if fmt.format == .json { try CLI.printJSON(ms); return }
                MeasureCommand.printRows(ms, format: fmt.format)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one measurement with every setting and figure.", discussion: "Example: servefit measure show 3")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "The measurement id (measure list shows it).") var id: WholeNumber
        func run() throws {
            try CLI.run {
                let m = try global.open().measurement(id: Int64(id.value))
                if fmt.format == .json { try CLI.printJSON(m); return }
                if fmt.format == .csv { try CLI.printCSV([m], leading: MeasureCommand.leading); return }
                var rows: [[String]] = [["id", m.id.map(String.init) ?? "-"], ["model", m.model + (m.variant.map { " (\($0))" } ?? "")], ["gpu", "\(m.gpu) ×\(m.gpuCount)"],
                                        ["engine", m.engine + (m.engineVersion.map { " \($0)" } ?? "")], ["kind", m.kind.rawValue], ["format", m.format],
                                        ["source", "\(m.sourceName ?? "-") (sha256 \(m.sourceSHA256.prefix(16))…, run \(m.runIndex))"], ["by", "\(m.actor ?? "-") at \(m.createdAt ?? "-")"]]
                rows += m.settings.keys.sorted().map { ["setting \($0)", m.settings[$0]!] }
                rows += m.figures.keys.sorted().map { ["figure \($0)", MeasureCommand.figure($0, m.figures[$0]!)] }
                if let e = m.error { rows.append(["error", e]) }
                CLI.printTable(["field", "value"], rows, format: fmt.format)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove one measurement.", discussion: "Example: servefit measure remove 3")
        @OptionGroup var global: WriteOptions
        @Argument(help: "The measurement id (measure list shows it).") var id: WholeNumber
        func run() throws {
            try CLI.run {
                try global.open().removeMeasurement(id: Int64(id.value), actor: global.who)
                print("removed measurement \(id.value)")
            }
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each measurement beside servefit's prediction for the same settings, with the error.",
            discussion: """
                Speed through the performance model (with any stored calibration unless
                --no-calibration), memory of vLLM start-up logs through the estimator. The error is
                max(predicted/measured, measured/predicted): 1.00 is exact.
                Example: servefit measure check --engine vllm
                """)
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Option(help: "Only this model (slug or Hugging Face id).") var model: String?
        @Option(help: "Only this GPU slug.") var gpu: String?
        @Option(help: "Only this engine: vllm, sglang, trtllm or llama.cpp.") var engine: String?
        @Flag(help: "Predict with the fitted model alone, not the stored calibration.") var noCalibration = false
        func run() throws {
            try CLI.run {
                let store = try global.open()
                let rows = try store.checkMeasurements(MeasurementFilter(model: model, gpu: gpu, engine: engine), calibrated: !noCalibration)
                if fmt.format == .json { try CLI.printJSON(rows); return }
                if fmt.format == .csv { try CLI.printCSV(rows, leading: ["measurement", "model", "gpu", "engine", "kind", "metric", "measured", "predicted", "factor"]); return }
                CLI.printTable(["id", "model", "gpu", "engine", "kind", "metric", "measured", "predicted", "error ×"],
                               rows.map { [$0.measurement.map(String.init) ?? "-", $0.model, $0.gpu, $0.engine, $0.kind, $0.metric,
                                           MeasureCommand.figure($0.metric, $0.measured), MeasureCommand.figure($0.metric, $0.predicted), Units.format($0.factor, 2)] },
                               format: fmt.format)
                guard fmt.format == .table, !rows.isEmpty else { return }
                print("")
                let groups = Dictionary(grouping: rows) { "\($0.engine) on \($0.gpu)" }
                for k in groups.keys.sorted() {
                    let f = groups[k]!.map(\.factor).sorted()
                    print("\(k): \(f.count) figure\(f.count == 1 ? "" : "s"), median error ×\(Units.format(f[f.count / 2], 2)), worst ×\(Units.format(f.last!, 2))")
                }
            }
        }
    }

    static func figure(_ key: String, _ v: Double) -> String {
        if key.hasSuffix("bytes") || key.hasSuffix("_bytes_per_gpu") { return Units.gib(Int64(min(v, 9e18))) }
        return Units.format(v, v >= 100 ? 1 : 2)
    }

    static let leading = ["id", "model", "variant", "gpu", "gpu_count", "engine", "engine_version", "kind", "format"]

    static func printRows(_ ms: [MeasurementRecord], format: OutputFormat) {
        if format == .csv { try? CLI.printCSV(ms, leading: leading); return }
        func headline(_ m: MeasurementRecord) -> String {
            for k in ["output_tokens_per_s", "gen_tokens_per_s", "prompt_tokens_per_s", "kv_tokens", "gpu_blocks", "weights_bytes", "latency_s_mean"] {
                if let v = m.figures[k] { return "\(k) \(figure(k, v))" }
            }
            return m.error.map { String($0.prefix(60)) } ?? "-"
        }
        CLI.printTable(["id", "model", "gpu", "engine", "kind", "format", "headline", "source"],
                       ms.map { [$0.id.map(String.init) ?? "-", $0.model, "\($0.gpu) ×\($0.gpuCount)", $0.engine + ($0.engineVersion.map { " \($0)" } ?? ""),
                                 $0.kind.rawValue, $0.format, headline($0), $0.sourceName ?? "-"] },
                       format: format)
    }
}

struct CalibrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calibrate", abstract: "Fit per-(engine, GPU) speed corrections to the stored measurements.",
        discussion: """
            For each engine and GPU with measured throughput, the correction is the geometric mean of
            measured ÷ predicted; the error before and after is the median over its runs, each run
            corrected by a factor fitted without it (leave-one-out; one run cannot be checked so).
            The corrections are stored and used by rank, compare and best-gpu unless
            --no-calibration, which then say so.
            Example: servefit calibrate --engine vllm
            """)
    @OptionGroup var global: WriteOptions
    @OptionGroup var fmt: FormatOption
    @Option(help: "Only this engine: vllm, sglang, trtllm or llama.cpp.") var engine: String?
    @Option(help: "Only this GPU slug.") var gpu: String?
    @Flag(help: "Show the fit; store nothing.") var dryRun = false
    func run() throws {
        try CLI.run {
            let store = try global.open()
            let factors = try store.calibrate(MeasurementFilter(gpu: gpu, engine: engine), store: !dryRun, actor: global.who)
            if fmt.format == .json { try CLI.printJSON(factors); return }
            CLI.printTable(["engine", "gpu", "phase", "runs", "correction", "error before", "error after (leave-one-out)", "stored"],
                           factors.map { [$0.engine, $0.gpu, $0.phase, String($0.runs), "×" + Units.format($0.factor, 3), $0.errorBefore.map { "×" + Units.format($0, 2) } ?? "-",
                                          $0.errorAfter.map { "×" + Units.format($0, 2) } ?? "- (one run)",
                                          $0.stored == true ? "yes" : dryRun ? "no (--dry-run)" : "no: worse on runs it did not see"] },
                           format: fmt.format)
            if fmt.format == .table {
                print(factors.isEmpty ? "no throughput measurements to calibrate on" : dryRun ? "nothing stored (--dry-run)" : "rank, compare and best-gpu use the stored ones unless --no-calibration")
            }
        }
    }
}
