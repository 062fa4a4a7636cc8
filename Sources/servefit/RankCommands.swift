import ArgumentParser
import Foundation
import ServefitCore
import ServefitStore

/// The options of a ranking question, shared by rank, best-gpu, compare and scenario save.
/// They are handed to `RankQuery(options:)` by name, the same parser the server uses.
struct RankOptions: ParsableArguments {
    @Flag(help: "Read a --model the catalog does not hold from the Hugging Face Hub (as if written hf:ORG/NAME).") var fromHub = false
    @Option(help: "GPU slugs to consider, comma-separated (default: every GPU in the catalog).", completion: Completions.gpus) var gpu: String?
    @Option(help: "Only GPUs of this vendor (NVIDIA, AMD, Intel).") var vendor: String?
    @Option(help: "Only prices from this provider.") var provider: String?
    @Option(help: "on-demand, spot or reserved (default: the cheapest of any).") var pricingModel: String?
    @Option(help: "GPU counts to try, as tensor-parallel sizes (default 1,2,4,8).") var counts: String?
    @Option(help: "Most GPUs per deployment.") var maxGpus: String?
    @Option(help: "Weight formats to try (default fp16,fp8,int4).") var formats: String?
    @Option(help: "KV cache dtype (default fp16).") var kvCache: String?
    @Option(help: "vllm (default), sglang, trtllm, llama.cpp, transformers.") var engine: String?
    @Option(help: "Batch sizes (concurrent sequences) to try (default 1,2,4,...,256).") var batch: String?
    @Option(help: "Prompt tokens per request (default 1024; 4k = 4096).") var input: String?
    @Option(help: "Generated tokens per request (default 256).") var output: String?
    @Option(help: "Tokens per sequence the memory must hold (vLLM --max-model-len; default input + output).") var context: String?
    @Option(help: "Latency target: most time per output token (e.g. 50ms).") var maxTpot: String?
    @Option(help: "Latency target: most time to first token (e.g. 2s).") var maxTtft: String?
    @Option(help: "Least output tokens per second of the whole deployment.") var minThroughput: String?
    @Option(help: "Most USD per hour for the deployment (with --traffic: for all its replicas).") var budgetPerHour: String?
    @Option(help: "Requests per second to carry: replicas are added to carry it and deployments ranked by their total $/hour.") var traffic: String?
    @Option(help: "vLLM --gpu-memory-utilization (default 0.9).") var gpuMemoryUtilization: String?
    @Option(help: ArgumentHelp("Achieved fraction of peak memory bandwidth in decode (fitted default \(FittedProfile.bandwidthEfficiency)).")) var bandwidthEfficiency: String?
    @Option(help: ArgumentHelp("Achieved fraction of the dense peak a large GEMM reaches (fitted default \(FittedProfile.computeEfficiency)).")) var computeEfficiency: String?
    @Option(help: ArgumentHelp("Achieved fraction of the GPU-to-GPU link in all-reduce (default \(FittedProfile.interconnectEfficiency)).")) var interconnectEfficiency: String?
    @Option(help: ArgumentHelp("Fixed cost per engine step (fitted default \(FittedProfile.stepOverheadMs)ms).")) var stepOverhead: String?
    @Option(help: "Prices older than this are stale and not used (default 180d; e.g. 90d, 26w).") var maxPriceAge: String?
    @Flag(help: "Use stale prices too (their rows say so).") var includeStale = false
    @Flag(help: "Allow contexts past the model's trained maximum (vLLM: VLLM_ALLOW_LONG_MAX_MODEL_LEN=1).") var allowLongContext = false
    @Option(help: "vLLM release whose start-up memory rules apply (0.6.3, 0.10.1, latest).") var engineVersion: String?
    @Flag(help: "Rank with the fitted model alone, not the stored calibration (servefit calibrate).") var noCalibration = false
    @Flag(help: "Show each shown row's speed terms: memory, compute, launches, host, all-reduce, engine factor, prefill.") var explain = false
    @Flag(help: "Run attention data-parallel on every multi-GPU plan, one group per GPU with its own sequences' KV cache; without --batch the sweep goes on to 2048 (MoE models: SGLang --enable-dp-attention, TensorRT-LLM enable_attention_dp, vLLM --data-parallel-size with expert parallel).") var attentionDp = false

    func query(model: String, top: Int? = nil) throws -> RankQuery {
        var o: [String: String] = ["model": model]
        let pairs: [(String, String?)] = [
            ("gpu", gpu), ("vendor", vendor), ("provider", provider), ("pricing-model", pricingModel), ("counts", counts),
            ("max-gpus", maxGpus), ("formats", formats), ("kv-cache", kvCache), ("engine", engine), ("batch", batch),
            ("input", input), ("output", output), ("context", context), ("max-tpot", maxTpot), ("max-ttft", maxTtft),
            ("min-throughput", minThroughput), ("budget-per-hour", budgetPerHour), ("traffic", traffic), ("gpu-memory-utilization", gpuMemoryUtilization),
            ("bandwidth-efficiency", bandwidthEfficiency), ("compute-efficiency", computeEfficiency),
            ("interconnect-efficiency", interconnectEfficiency), ("step-overhead", stepOverhead), ("max-price-age", maxPriceAge),
            ("include-stale", includeStale ? "true" : nil), ("allow-long-context", allowLongContext ? "true" : nil), ("engine-version", engineVersion), ("no-calibration", noCalibration ? "true" : nil), ("explain", explain ? "true" : nil),
            ("attention-dp", attentionDp ? "true" : nil),
        ]
        for (k, v) in pairs { if let v { o[k] = v } }
        if let top { o["top"] = String(top) }
        return try RankQuery(options: o)
    }
}

enum RankPrinter {
    /// The deployments that lost, with the reason (`--show-rejected`).
    static func printRejected(_ rows: [RankRow]) {
        print("rejected:")
        CLI.printTable(["gpu", "n", "weights", "reason"], rows.map { [$0.gpu, String($0.gpuCount), $0.weights, $0.rejectedReason ?? ""] }, format: .table)
    }

    /// The one message of a query with no answer (exit 1): the nearest miss and why it missed.
    static func nothingFits(_ q: RankQuery, _ r: RankResult) -> CLIError {
        let closest = r.rejected.first { $0.batch != nil } ?? r.rejected.first
        return CLIError(message: "nothing fits: no deployment of \(q.model) fits and meets the constraints"
                        + (closest.map { " (nearest: \($0.label): \($0.rejectedReason ?? ""))" } ?? "")
                        + (r.rejected.count > 1 ? "; \(r.rejected.count) rejected, --show-rejected lists why" : ""), code: 1)
    }

    typealias Column = (header: String, value: (RankRow) -> Double?)

    /// Cost columns in the rows' own terms: per million output tokens for decoders, per million
    /// input tokens and requests for encoders, per audio hour for speech models.
    static func costColumns(_ rows: [RankRow]) -> [Column] {
        if rows.contains(where: { $0.usdPerAudioHour != nil }) {
            return [("$/audio-h", { $0.usdPerAudioHour }), ("$/M req", { $0.usdPerMillionRequests })]
        }
        if rows.contains(where: { $0.usdPerMillionInputTokens != nil }) {
            return [("$/M in", { $0.usdPerMillionInputTokens }), ("$/M req", { $0.usdPerMillionRequests })]
        }
        return [("$/M out", { $0.usdPerMillionTokens }), ("$/M blended", { $0.usdPerMillionTokensBlended })]
    }

    static func headers(_ rows: [RankRow]) -> [String] {
        ["#", "gpu", "n", "weights", "batch", "per GPU", "TTFT", "TPOT", "tok/s", "provider", "instance", "$/GPU-h"] + costColumns(rows).map(\.header)
            + (rows.contains { $0.measured != nil } ? ["measured tok/s"] : [])
    }

    static func cells(_ r: RankRow, index: Int?, _ cols: [Column], measuredColumn: Bool = false) -> [String] {
        let id: String = index.map(String.init) ?? "-"
        let batch: String = r.batch.map(String.init) ?? "-"
        let mem: String = r.perGPUBytes.map { Units.gib($0) } ?? "-"
        let ttft: String = r.ttftMs.map { ms($0) } ?? "-"
        let tpot: String = r.tpotMs.map { ms($0) } ?? "-"
        let tps: String = r.throughputTokensPerS.map { Units.format($0, 0) } ?? "-"
        let inst: String = r.instance.map { $0 + (r.priceStale == true ? " (stale)" : "") } ?? "-"
        let hour: String = r.usdPerGPUHour.map { "$" + Units.format($0, 2) } ?? "-"
        var out: [String] = [id, r.gpu, String(r.gpuCount), r.weights, batch, mem, ttft, tpot, tps, r.provider ?? "-", inst, hour]
        for c in cols { out.append(c.value(r).map(money) ?? "-") }
        if let m = r.measured, measuredColumn {
            out.append((m.outputTokensPerS.map { Units.format($0, 0) } ?? "?") + (m.factor.map { " (×" + Units.format($0, 2) + ", #\(m.measurement ?? 0))" } ?? ""))
        }
        return out
    }

    /// "$0.430 per million output tokens ($0.136 blended)", in the row's own terms.
    static func costPhrase(_ r: RankRow) -> String {
        if let a = r.usdPerAudioHour { return "\(money(a)) per hour of audio" }
        if let i = r.usdPerMillionInputTokens {
            return "\(money(i)) per million input tokens (\(r.usdPerMillionRequests.map(money) ?? "-") per million requests)"
        }
        return "\(money(r.usdPerMillionTokens ?? .infinity)) per million output tokens (\(money(r.usdPerMillionTokensBlended ?? .infinity)) blended)"
    }

    static let trafficHeaders = ["in flight", "TTFT p50/p90", "TPOT p50/p90"]

    /// A row's figures at its share of --traffic.
    static func trafficCells(_ r: RankRow) -> [String] {
        guard let t = r.atTraffic else { return ["-", "-", "-"] }
        guard t.keepsUp else { return [Units.format(t.inFlight, 1), "cannot keep up", "-"] }
        func pair(_ a: Double?, _ b: Double?) -> String { a.map { ms($0) + " / " + (b.map { ms($0) } ?? "-") } ?? "-" }
        return [Units.format(t.inFlight, 1), pair(t.ttftP50Ms, t.ttftP90Ms), pair(t.tpotP50Ms, t.tpotP90Ms)]
    }

    static func ms(_ x: Double) -> String { x >= 1000 ? Units.format(x / 1000, 2) + " s" : Units.format(x, x < 10 ? 1 : 0) + " ms" }
    /// Three significant digits at least, so cheap rows stay apart ($0.000142 vs $0.000151).
    static func money(_ x: Double) -> String {
        guard x.isFinite else { return "-" }
        guard x > 0 else { return "$0" }
        let digits = x >= 1 ? 2 : min(9, max(3, 2 - Int(log10(x).rounded(.down))))
        return "$" + Units.format(x, digits)
    }

    /// The columns a reader looks for first in rank's CSV (the rest of the JSON's keys follow).
    static let csvHeaders = ["model", "gpu", "gpu_count", "tensor_parallel", "weights", "kv_cache", "engine", "batch", "per_gpu_bytes",
                             "ttft_ms", "tpot_ms", "throughput_tokens_per_s", "requests_per_s", "provider", "instance", "gpus_per_instance",
                             "pricing_model", "price_as_of", "usd_per_gpu_hour", "usd_per_hour", "usd_per_million_tokens",
                             "usd_per_million_tokens_blended", "usd_per_million_input_tokens", "usd_per_million_requests",
                             "usd_per_audio_hour", "replicas", "usd_per_hour_at_traffic", "launch_command", "rejected_reason"]

    static func describe(_ q: RankQuery) -> String {
        var parts = ["\(q.inputTokens) in / \(q.outputTokens) out tokens per request", "memory for \(q.effectiveContext) tokens per sequence", "engine \(q.engine.rawValue)"]
        if q.attentionDP { parts.append("attention data parallel on multi-GPU plans") }
        if let t = q.maxTPOTMs { parts.append("TPOT ≤ \(ms(t))") }
        if let t = q.maxTTFTMs { parts.append("TTFT ≤ \(ms(t))") }
        if let t = q.minThroughput { parts.append("≥ \(Units.format(t, 0)) out tok/s") }
        if let b = q.budgetPerHour { parts.append("≤ $\(Units.format(b, 2))/h") }
        if let t = q.traffic { parts.append("\(Units.format(t, 2)) requests/s") }
        if let p = q.provider { parts.append("provider \(p)") }
        if let p = q.pricingModel { parts.append(p.rawValue) }
        return parts.joined(separator: ", ")
    }

    /// A horizontal bar chart of cost per million output tokens (with --traffic: of $/hour for the replicas).
    static func bars(_ rows: [RankRow], width: Int = 40) {
        let atTraffic = rows.contains { $0.usdPerHourAtTraffic != nil }
        let cost = costColumns(rows)[0]
        func value(_ r: RankRow) -> Double? { atTraffic ? r.usdPerHourAtTraffic : cost.value(r) }
        let values = rows.compactMap(value).filter(\.isFinite)
        guard let maxValue = values.max(), maxValue > 0 else { return }
        let labels = rows.map { $0.label + (atTraffic ? " ×\($0.replicas ?? 1) replicas" : "") }
        let lw = labels.map(\.count).max() ?? 0
        print("")
        print(atTraffic ? "USD per hour to carry the traffic:" : "cost (\(cost.header)):")
        for (r, l) in zip(rows, labels) {
            guard let v = value(r), v.isFinite else { continue }
            let n = max(1, Int((v / maxValue * Double(width)).rounded()))
            print(l.padding(toLength: lw, withPad: " ", startingAt: 0) + "  " + String(repeating: "█", count: n) + " " + money(v))
        }
    }
}

struct RankCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rank",
        abstract: "Rank deployments (GPU × count × weight format × batch) of a model by cost per million tokens.",
        discussion: """
            Every GPU in the catalog with its cheapest current price is tried at 1, 2, 4 and 8 GPUs
            (tensor parallel) in each weight format; a deployment is kept if it fits memory (per the
            engine profile) and meets every constraint, at the batch that costs least per token.
            Speeds come from a performance model fitted to published measurements
            (see README, "Performance model"); prices from fresh instance offerings
            holding at least the deployment's GPUs (--max-price-age, --include-stale).

            Examples:
              servefit rank --model llama-3.1-8b-instruct --max-tpot 50ms
              servefit rank --model llama-3.3-70b-instruct --formats fp16,fp8 \\
                --max-ttft 2s --top 5 --show-rejected
              servefit rank --model qwen3-32b --vendor NVIDIA \\
                --pricing-model on-demand --budget-per-hour 10 --format json
              servefit rank --model llama-3.1-8b-instruct --top 3 --launch
              servefit rank --model qwen3-30b-a3b --top 2 --explain
              servefit rank --model llama-3.3-70b-instruct --traffic 20 \\
                --max-tpot 50ms --top 5                # 20 requests/s
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var fmt: FormatOption
    @Option(help: "Model slug or Hugging Face repo id.", completion: Completions.models) var model: String
    @OptionGroup var options: RankOptions
    @Option(help: "Show only the N best.") var top: Int?
    @Flag(help: "Also list the deployments that lost, with the reason.") var showRejected = false
    @Flag(help: "Print the engine launch line of each shown deployment.") var launch = false
    @Flag(help: "Draw a bar chart of cost per million output tokens.") var chart = false

    func run() throws {
        try CLI.run {
            let store = try global.open()
            let q = try options.query(model: model, top: top)
            let given = try ModelResolver.uncataloged(model, fromHub: options.fromHub, store: store)
            let r = try store.rank(q, model: given)
            let m = try given ?? store.model(q.model)
            switch fmt.format {
            case .json:
                try CLI.printJSON(r.ranked + (showRejected ? r.rejected : []))
            case .csv:
                try CLI.printCSV(r.ranked + (showRejected ? r.rejected : []), leading: RankPrinter.csvHeaders)
            case .table where r.ranked.isEmpty:
                print("\(m.slug): \(RankPrinter.describe(q))")
                if showRejected && !r.rejected.isEmpty {
                    RankPrinter.printRejected(r.rejected)
                }
            case .table:
                print("\(m.slug): \(RankPrinter.describe(q))")
                if let c = r.calibration {
                    print("calibrated with the team's measurements: " + c.keys.sorted().map { "\($0) ×\(Units.format(c[$0]!, 3))" }.joined(separator: ", ") + " (--no-calibration for the model alone)")
                }
                if q.traffic != nil {
                    let cols = RankPrinter.costColumns(r.ranked)
                    CLI.printTable(RankPrinter.headers(r.ranked) + ["replicas", "$/h total"] + RankPrinter.trafficHeaders, r.ranked.enumerated().map {
                        RankPrinter.cells($1, index: $0 + 1, cols, measuredColumn: r.ranked.contains { $0.measured != nil }) + [$1.replicas.map(String.init) ?? "-", $1.usdPerHourAtTraffic.map { "$" + Units.format($0, 2) } ?? "-"]
                            + RankPrinter.trafficCells($1)
                    }, format: .table)
                    print("(each replica at its share of the traffic, arriving at random: sequences in flight, median and 90th-percentile TTFT with queueing, and TPOT)")
                } else {
                    let cols = RankPrinter.costColumns(r.ranked)
                    let m = r.ranked.contains { $0.measured != nil }
                    CLI.printTable(RankPrinter.headers(r.ranked), r.ranked.enumerated().map { RankPrinter.cells($1, index: $0 + 1, cols, measuredColumn: m) }, format: .table)
                    if m { print("(measured tok/s: the team's own run of that deployment, servefit measure list; × is measured ÷ predicted)") }
                }
                if chart || r.ranked.count > 1 { RankPrinter.bars(Array(r.ranked.prefix(15))) }

                if launch {
                    print("")
                    for row in r.ranked { printLaunch(row) }
                }
                if q.explain {
                    for row in r.ranked {
                        guard let t = row.terms else { continue }
                        print("")
                        print("# \(row.label) (\(row.engine)), batch \(row.batch ?? 1), \(row.inputTokens) in / \(row.outputTokens) out")
                        for line in t.lines { print(line) }
                    }
                }
                if showRejected && !r.rejected.isEmpty {
                    print("")
                    RankPrinter.printRejected(r.rejected)
                } else if !r.rejected.isEmpty {
                    print("(\(r.rejected.count) deployments rejected; --show-rejected says why)")
                }
            }
            // No answer is exit 1 in every format, with one message naming the nearest miss.
            if r.ranked.isEmpty { throw RankPrinter.nothingFits(q, r) }
        }
    }
}

func printLaunch(_ row: RankRow) {
    guard let l = row.launch else { return }
    print("# \(row.label), batch \(row.batch ?? 1)")
    print(l.command)
    for n in l.notes { print("#   \(n)") }
}

struct BestGPUCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "best-gpu",
        abstract: "The one-line answer: the cheapest deployment of a model that meets the constraints.",
        discussion: """
            Takes the same options as `rank` and prints its first row, with the launch line.

            Examples:
              servefit best-gpu --model llama-3.1-8b-instruct
              servefit best-gpu --model llama-3.3-70b-instruct --max-tpot 40ms \\
                --input 2048 --output 512
              servefit best-gpu --model qwen3-32b --provider runpod --format json
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var fmt: FormatOption
    @Option(help: "Model slug, Hugging Face repo id, or hf:ORG/NAME[@REV].", completion: Completions.models) var model: String
    @OptionGroup var options: RankOptions

    func run() throws {
        try CLI.run {
            let store = try global.open()
            let q = try options.query(model: model)
            let given = try ModelResolver.uncataloged(model, fromHub: options.fromHub, store: store)
            let r = try store.rank(q, model: given)
            guard let best = r.ranked.first else { throw RankPrinter.nothingFits(q, r) }
            let m = try given ?? store.model(q.model)
            if fmt.format == .json { try CLI.printJSON(best); return }
            if fmt.format == .csv { try CLI.printCSV([best], leading: RankPrinter.csvHeaders); return }
            print("\(m.slug): \(best.gpuCount) × \(best.gpuName) (\(best.gpu)), \(best.weights) weights, batch \(best.batch ?? 1): "
                  + RankPrinter.costPhrase(best) + " at \(best.provider ?? "?") (\(best.instance ?? "?")) $\(Units.format(best.usdPerGPUHour ?? 0, 2))/GPU-h; "
                  + "TTFT \(RankPrinter.ms(best.ttftMs ?? 0)), TPOT \(best.tpotMs.map(RankPrinter.ms) ?? "-"), \(Units.format(best.throughputTokensPerS ?? 0, 0)) out tok/s")
            if let n = best.replicas, let total = best.usdPerHourAtTraffic {
                print("to carry \(Units.format(q.traffic ?? 0, 2)) requests/s: \(n) replica\(n == 1 ? "" : "s") (\(n * best.gpuCount) GPUs), $\(Units.format(total, 2))/hour")
            }
            if let l = best.launch {
                print(l.command)
                for n in l.notes { print("#   \(n)") }
            }
        }
    }
}

struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Several models or GPUs side by side on one workload.",
        discussion: """
            For each model and GPU, the cheapest deployment that meets the constraints, or why none does.

            Examples:
              servefit compare --model qwen2.5-7b-instruct,glm-4-9b \\
                --gpu l4,a10g,h100-sxm
              servefit compare --model llama-3.3-70b-instruct \\
                --gpu a100-80gb-sxm,h100-sxm,h200-sxm,mi300x --max-tpot 50ms
            """)
    @OptionGroup var global: GlobalOptions
    @OptionGroup var fmt: FormatOption
    @Option(help: "Model slugs, Hugging Face ids or hf:ORG/NAME references, comma-separated.", completion: Completions.models) var model: String
    @OptionGroup var options: RankOptions

    func run() throws {
        try CLI.run {
            let store = try global.open()
            let names = model.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard names.first != nil else { throw CLIError(message: "--model is empty", code: 64) }
            // Hub repos and files on disk are compared under their slugs beside catalog models.
            var given: [String: Model] = [:]
            let models = try names.map { name -> String in
                guard let m = try ModelResolver.uncataloged(name, fromHub: options.fromHub, store: store) else { return name }
                given[m.slug] = m
                return m.slug
            }
            let q = try options.query(model: models[0])
            let rows = try store.compare(models: models, q, given: given)
            switch fmt.format {
            case .json: try CLI.printJSON(rows)
            case .csv: try CLI.printCSV(rows, leading: RankPrinter.csvHeaders)
            case .table:
                print(RankPrinter.describe(q))
                CLI.printTable(["model", "gpu", "n", "weights", "batch", "TTFT", "TPOT", "out tok/s", "$/GPU-h", "$/M out", "$/M blended", "note"],
                               rows.map { r in
                                   [r.model, r.gpu, String(r.gpuCount), r.weights, r.batch.map(String.init) ?? "-",
                                    r.ttftMs.map(RankPrinter.ms) ?? "-", r.tpotMs.map(RankPrinter.ms) ?? "-",
                                    r.throughputTokensPerS.map { Units.format($0, 0) } ?? "-",
                                    r.usdPerGPUHour.map { "$" + Units.format($0, 2) } ?? "-",
                                    r.rejectedReason == nil ? (r.usdPerMillionTokens.map(RankPrinter.money) ?? "-") : "-",
                                    r.rejectedReason == nil ? (r.usdPerMillionTokensBlended.map(RankPrinter.money) ?? "-") : "-",
                                    r.rejectedReason.map { "rejected: " + $0 } ?? ""]
                               }, format: .table)
            }
            // No model with an answer is no answer (exit 1); the rows above say why for each.
            if rows.allSatisfy({ $0.rejectedReason != nil }) {
                throw CLIError(message: "nothing fits: no deployment of \(models.joined(separator: ", ")) fits and meets the constraints"
                               + (rows.first.map { " (nearest: \($0.label): \($0.rejectedReason ?? ""))" } ?? ""), code: 1)
            }
        }
    }
}

struct ScenarioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scenario",
        abstract: "Save ranking questions by name and re-run them against today's catalog and prices.",
        discussion: """
            Examples:
              servefit scenario save chat-8b --model llama-3.1-8b-instruct \\
                --input 1024 --output 256 --max-tpot 50ms
              servefit scenario save chat-70b --model llama-3.3-70b-instruct \\
                --max-tpot 50ms
              servefit scenario list
              servefit scenario run chat-8b      # today's answer, and what changed
              servefit scenario compare chat-8b chat-70b
              servefit scenario remove chat-8b
            """,
        subcommands: [Save.self, List.self, Show.self, Run.self, Compare.self, Remove.self])

    struct Save: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Save a ranking question (rank's options) under a name.")
        @OptionGroup var global: WriteOptions
        @Argument(help: "Scenario name (lower case, digits, - . _).") var name: String
        @Option(help: "Model slug or Hugging Face repo id.", completion: Completions.models) var model: String
        @OptionGroup var options: RankOptions
        @Option(help: "Free text kept with the scenario.") var notes: String?
        @Flag(help: "Overwrite a scenario of the same name.") var replace = false

        func run() throws {
            try CLI.run {
                let store = try global.open()
                let q = try options.query(model: model)
                let s = try store.saveScenario(name: name, query: q, notes: notes, replace: replace, actor: global.who)
                let best = try s.result.map { try JSONDecoder().decode(RankRow.self, from: Data($0.utf8)) }
                print("saved scenario '\(s.name)' for \(s.model)" + (best.map { ": best today \($0.label), \(RankPrinter.costPhrase($0))" } ?? ": no deployment meets it today"))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List saved scenarios.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        func run() throws {
            try CLI.run {
                let all = try global.open().scenarios()
                if fmt.format == .json { try CLI.printJSON(all); return }
                if fmt.format == .csv { try CLI.printCSV(all, leading: ["name", "model"]); return }
                CLI.printTable(["name", "model", "options", "updated"], all.map { s in
                    [s.name, s.model, s.options.sorted { $0.key < $1.key }.map { "--\($0.key) \($0.value)" }.joined(separator: " "), String((s.updatedAt ?? "").prefix(19))]
                }, format: fmt.format)
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show a scenario and the answer saved with it.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "Scenario name.") var name: String
        func run() throws {
            try CLI.run {
                let s = try global.open().scenario(name)
                if fmt.format == .json { try CLI.printJSON(s); return }
                if fmt.format == .csv { try CLI.printCSV([s], leading: ["name", "model"]); return }
                print("scenario \(s.name): model \(s.model)")
                for (k, v) in s.options.sorted(by: { $0.key < $1.key }) { print("  --\(k) \(v)") }
                if let n = s.notes { print("notes: \(n)") }
                print("saved \(s.createdAt ?? "?"), updated \(s.updatedAt ?? "?")")
                if let r = try s.result.map({ try JSONDecoder().decode(RankRow.self, from: Data($0.utf8)) }) {
                    print("answer when saved: \(r.label), batch \(r.batch ?? 1), \(RankPrinter.costPhrase(r)) at \(r.provider ?? "?") (\(r.priceAsOf ?? "?"))")
                }
            }
        }
    }

    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-evaluate a scenario with today's catalog and prices; say what changed.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "Scenario name.") var name: String
        @Option(help: "Show the N best (default 5).") var top = 5
        func run() throws {
            try CLI.run {
                let run = try global.open().runScenario(name)
                if fmt.format == .json { try CLI.printJSON(run); return }
                if fmt.format == .csv { try CLI.printCSV([run], leading: ["scenario"]); return }
                print("scenario \(name): \(run.query.model), \(RankPrinter.describe(run.query))")
                let rows = Array(run.result.ranked.prefix(max(1, top)))
                if rows.isEmpty { print("no deployment meets it today") } else {
                    let cols = RankPrinter.costColumns(rows)
                    CLI.printTable(RankPrinter.headers(rows), rows.enumerated().map {
                        RankPrinter.cells($1, index: $0 + 1, cols, measuredColumn: rows.contains { $0.measured != nil })
                    }, format: fmt.format)
                }
                print("")
                print("since saved:")
                for c in run.changes { print("  - \(c)") }
            }
        }
    }

    struct Compare: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Re-run several scenarios and show their best deployments side by side.")
        @OptionGroup var global: GlobalOptions
        @OptionGroup var fmt: FormatOption
        @Argument(help: "Two or more scenario names.") var names: [String]
        func run() throws {
            try CLI.run {
                guard names.count >= 2 else { throw CLIError(message: "scenario compare needs at least two names", code: 64) }
                let store = try global.open()
                let runs = try names.map { try store.runScenario($0) }
                if fmt.format == .json { try CLI.printJSON(runs); return }
                if fmt.format == .csv { try CLI.printCSV(runs, leading: ["scenario"]); return }
                CLI.printTable(["scenario", "model", "best", "batch", "TTFT", "TPOT", "out tok/s", "$/M out", "$/M blended", "since saved"],
                               runs.map { r in
                                   let b = r.best
                                   return [r.scenario, r.query.model, b?.label ?? "none meets it", b?.batch.map(String.init) ?? "-",
                                           b?.ttftMs.map(RankPrinter.ms) ?? "-", b?.tpotMs.map(RankPrinter.ms) ?? "-",
                                           b?.throughputTokensPerS.map { Units.format($0, 0) } ?? "-",
                                           b?.usdPerMillionTokens.map(RankPrinter.money) ?? "-", b?.usdPerMillionTokensBlended.map(RankPrinter.money) ?? "-",
                                           r.changes.joined(separator: "; ")]
                               }, format: fmt.format)
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a scenario (kept in the change log).")
        @OptionGroup var global: WriteOptions
        @Argument(help: "Scenario name.") var name: String
        func run() throws {
            try CLI.run {
                try global.open().removeScenario(name, actor: global.who)
                print("removed scenario '\(name)'")
            }
        }
    }
}
