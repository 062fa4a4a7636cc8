import Foundation

/// One benchmark run or one engine start-up, as a results file or a log states it. Figures keep
/// their unit in the key (`ttft_ms_mean`, `weights_bytes`, `output_tokens_per_s`); settings keep
/// the text the file printed (`"4.0"`, `"inf"`, `"torch.float16"`).
public struct EngineRun: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable { case serving, throughput, latency, startup, bench }  // bench = llama-bench row
    /// "vllm", "sglang", "trtllm", "llama.cpp".
    public var engine: String
    public var kind: Kind
    /// Which parser read it, e.g. "vllm-bench-serve-json", "vllm-startup-log", "llama-bench-csv".
    public var format: String
    public var engineVersion: String?
    /// As the file names it (HF id, path, GGUF file or model_type), trimmed.
    public var model: String?
    public var gpu: String?
    public var gpuCount: Int?
    /// snake_case keys, values as printed; only what the file carries.
    public var settings: [String: String]
    /// Canonical keys with the unit in the name; bytes as whole numbers.
    public var figures: [String: Double]
    /// For failure logs: the engine's own error message, on one line.
    public var error: String?

    public init(engine: String, kind: Kind, format: String, engineVersion: String? = nil, model: String? = nil,
                gpu: String? = nil, gpuCount: Int? = nil, settings: [String: String] = [:], figures: [String: Double] = [:],
                error: String? = nil) {
        self.engine = engine
        self.kind = kind
        self.format = format
        self.engineVersion = engineVersion
        self.model = model
        self.gpu = gpu
        self.gpuCount = gpuCount
        self.settings = settings
        self.figures = figures
        self.error = error
    }
}

/// Readers for what vLLM, SGLang, TensorRT-LLM and llama.cpp print: benchmark results (JSON, JSON
/// lines, CSV, markdown and text summaries) and start-up logs (Tests/Fixtures/engine-outputs/FORMATS.md
/// describes every shape). Input is bytes from strangers: anything that is not read exactly is
/// refused with a one-line `CoreError.invalidInput` naming the problem.
public enum EngineOutputs {
    /// Files past this are refused before they are read.
    public static let maxBytes = 8 << 20

    /// Every format a parser here reads (the `format` of the runs it returns).
    public static let formats = [
        "vllm-bench-serve-json", "vllm-bench-serve-summary", "vllm-bench-throughput", "vllm-bench-latency",
        "vllm-bench-latency-json", "vllm-startup-log", "sglang-bench-serving", "sglang-bench-serving-jsonl",
        "trtllm-bench-report", "llama-bench-json", "llama-bench-jsonl", "llama-bench-csv", "llama-bench-md", "llama-cpp-log",
    ]

    /// All runs in one file. `name` (the file name) only names the file in errors: the content
    /// decides the format.
    public static func parse(_ data: Data, name: String? = nil) throws -> [EngineRun] {
        guard !data.isEmpty else { throw CoreError.invalidInput("engine output is empty") }
        guard data.count <= maxBytes else {
            throw CoreError.invalidInput("engine output is \(data.count) bytes, over the \(maxBytes >> 20) MiB limit")
        }
        let bytes = [UInt8](data)
        guard StrictJSON.validUTF8(bytes) else { throw CoreError.invalidInput("engine output is not valid UTF-8") }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.unicodeScalars.first == "\u{FEFF}" { text.unicodeScalars.removeFirst() }
        let runs: [EngineRun]
        if looksLikeJSON(text) {
            runs = try parseJSON(text)
        } else {
            runs = try parseText(text)
        }
        guard !runs.isEmpty else { throw unknownFormat(name) }
        return runs
    }
}

// MARK: - Numbers, units and values

extension EngineOutputs {
    /// Counts and rates past the number grammar's limit (1e15) are refused as absurd, and so are
    /// byte figures past 2^60.
    static let maxFigureBytes = 1_152_921_504_606_846_976.0
    /// The longest text line read (vLLM's config line is a few KiB; JSON files are not split).
    static let maxLineBytes = 256 << 10

    /// vLLM divides by 2**30 and labels it "GB" (`logger.info("Loading model weights took %.4f GB",
    /// self.model_memory_usage / float(2**30))` in model_runner.py), so GB here is GiB. The 0.3 line
    /// that introduced the message printed "MB" the same way: PR #3120's opt-125m shows
    /// "244.61 MB", less than its fp16 weights alone in decimal megabytes (250.5e6 bytes), so MiB.
    static let vllmUnits: [String: Double] = [
        "gib": 1_073_741_824, "gb": 1_073_741_824, "mib": 1_048_576, "mb": 1_048_576, "kib": 1024, "bytes": 1, "b": 1,
    ]
    /// ggml prints sizes over 1024 * 1024 and names them MiB / GiB.
    static let ggmlUnits: [String: Double] = ["gib": 1_073_741_824, "mib": 1_048_576, "kib": 1024, "b": 1]
    /// Parameter counts: llama.cpp prints "%.2f M|B".
    static let countUnits: [String: Double] = ["": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12]

    static func isDigit(_ c: Character) -> Bool { c.isASCII && c >= "0" && c <= "9" }
    static func isIdentifier(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }

    /// A printed value without the markdown and punctuation around it: "**20865**" → "20865",
    /// "(24.00" → "24.00", "2.18GiB." → "2.18GiB", "1952," → "1952".
    static func bare(_ s: String) -> String {
        var t = Substring(s)
        while let f = t.first, "*`\"'(".contains(f) { t = t.dropFirst() }
        while let l = t.last, "*`\"',;:)".contains(l) { t = t.dropLast() }
        if t.count > 1, t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }

    static func firstWord(_ s: String) -> String {
        String(s.drop(while: { $0 == " " }).prefix(while: { $0 != " " }))
    }

    /// Whether `s` starts (after spaces and markdown) with a digit or a minus sign: a value to
    /// read, as opposed to prose that happens to follow a label.
    static func numericStart(_ s: String) -> Bool {
        guard let f = s.drop(while: { $0 == " " || "*`(".contains($0) }).first else { return false }
        return isDigit(f) || f == "-"
    }

    /// A printed number: digits, an optional fraction and exponent, thousands commas allowed
    /// ("178,880"). Signs, inf, NaN, hex and values past 1e15 are refused naming `field`.
    static func number(_ raw: String, _ field: String) throws -> Double {
        let t = bare(raw.trimmingCharacters(in: .whitespaces))
        guard !t.isEmpty else { throw CoreError.invalidInput("\(field): no number") }
        if t.hasPrefix("-") { throw CoreError.invalidInput("\(field): negative value '\(t.prefix(40))'") }
        let plain = ungrouped(t)
        guard let v = Numbers.decimal(plain) else {
            if plain.utf8.count <= 64, let d = Double(plain), d.isFinite, d > Numbers.limit {
                throw CoreError.invalidInput("\(field): '\(t.prefix(40))' is absurd (over 1e15)")
            }
            throw CoreError.invalidInput("\(field): cannot read '\(t.prefix(40))' as a number")
        }
        return v
    }

    /// A whole number (a count of blocks, tokens, requests).
    static func count(_ raw: String, _ field: String) throws -> Double {
        let v = try number(raw, field)
        guard v == v.rounded() else { throw CoreError.invalidInput("\(field): '\(bare(raw).prefix(40))' is not a whole number") }
        return v
    }

    /// "1,652,080" → "1652080"; any other text with a comma is returned unchanged (and then refused).
    static func ungrouped(_ t: String) -> String {
        guard t.contains(",") else { return t }
        let parts = t.split(separator: ",", omittingEmptySubsequences: false)
        guard let first = parts.first, (1...3).contains(first.count), first.allSatisfy({ isDigit($0) }) else { return t }
        for (k, p) in parts.enumerated() where k > 0 {
            let head = p.prefix(3)
            guard head.count == 3, head.allSatisfy({ isDigit($0) }) else { return t }
            let tail = p.dropFirst(3)
            if !tail.isEmpty && (k != parts.count - 1 || !tail.hasPrefix(".")) { return t }
        }
        return t.replacingOccurrences(of: ",", with: "")
    }

    /// "23.58GiB" → ("23.58", "GiB"); "3.81 GiB" → ("3.81", "GiB"); "0.82x" → ("0.82", "x");
    /// "178,880 tokens" → ("178,880", "tokens"); "13.99 GiB and 5.9 seconds" → ("13.99", "GiB").
    static func splitUnit(_ s: String) -> (number: String, unit: String) {
        let c = Array(bare(s.trimmingCharacters(in: .whitespaces)))
        var i = 0
        if i < c.count, c[i] == "-" { i += 1 }
        while i < c.count, isDigit(c[i]) || c[i] == "." || c[i] == "," { i += 1 }
        if i < c.count, c[i] == "e" || c[i] == "E" {
            var j = i + 1
            if j < c.count, c[j] == "+" || c[j] == "-" { j += 1 }
            if j < c.count, isDigit(c[j]) {
                i = j
                while i < c.count, isDigit(c[i]) { i += 1 }
            }
        }
        let num = String(c[0..<i])
        let rest = String(c[i...])
        return (num, bare(firstWord(rest)))
    }

    static func boundedBytes(_ b: Double, _ field: String) throws -> Double {
        guard b.isFinite, b >= 0, b <= maxFigureBytes else {
            throw CoreError.invalidInput("\(field): \(show(b)) bytes is absurd (over 2^60)")
        }
        return b
    }

    /// A size with its unit ("3.81 GiB", "7317.71 MiB", "11423138508 bytes") in whole bytes.
    static func size(_ text: String, _ field: String, _ units: [String: Double]) throws -> Double {
        let (num, unit) = splitUnit(text)
        guard !unit.isEmpty else { throw CoreError.invalidInput("\(field): '\(bare(text).prefix(40))' has no unit") }
        let v = try number(num, field)
        guard let m = units[unit.lowercased()] else {
            throw CoreError.invalidInput("\(field): unknown unit '\(unit.prefix(16))' (known: \(units.keys.sorted().joined(separator: ", ")))")
        }
        return try boundedBytes((v * m).rounded(), field)
    }

    /// A parameter count such as "7.62 B" or "111.06 B".
    static func paramCount(_ text: String, _ field: String) throws -> Double {
        let (num, unit) = splitUnit(text)
        let v = try number(num, field)
        guard let m = countUnits[unit.lowercased()] else {
            throw CoreError.invalidInput("\(field): unknown unit '\(unit.prefix(16))' (known: K, M, B, T)")
        }
        let n = (v * m).rounded()
        guard n <= Numbers.limit else { throw CoreError.invalidInput("\(field): '\(text.prefix(40))' is absurd (over 1e15)") }
        return n
    }

    /// 1478.0 → "1478"; 0.82 → "0.82".
    static func show(_ v: Double) -> String {
        if v.isFinite, v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(v)
    }

    /// "0.9" and "0.90" are one setting printed twice.
    static func sameSetting(_ a: String, _ b: String) -> Bool {
        if a == b { return true }
        guard let x = Numbers.decimal(a), let y = Numbers.decimal(b) else { return false }
        return x == y
    }

    /// GPUs from tensor × pipeline parallel sizes, when both are plain small integers.
    static func gpuCount(_ settings: [String: String]) -> Int? {
        guard let tp = settings["tensor_parallel"].flatMap({ Int($0) }), (1...4096).contains(tp) else { return nil }
        let pp = settings["pipeline_parallel"].flatMap { Int($0) } ?? 1
        guard (1...4096).contains(pp) else { return nil }
        return tp * pp  // both at most 4096: no overflow
    }

    static func unknownFormat(_ name: String?) -> CoreError {
        let what = name.map { "'\(clean(String($0.prefix(100))))'" } ?? "the input"
        return CoreError.invalidInput("\(what) is not a known engine output (known: \(formats.joined(separator: ", ")))")
    }
}

// MARK: - One run being read

extension EngineOutputs {
    /// A run under construction: a figure or setting given twice must agree (two values are two
    /// runs mixed in one file), and every text is one bounded line.
    struct Draft {
        var run: EngineRun

        init(_ engine: String, _ kind: EngineRun.Kind, _ format: String) {
            run = EngineRun(engine: engine, kind: kind, format: format)
        }

        mutating func figure(_ key: String, _ v: Double) throws {
            guard v.isFinite, v >= 0 else { throw CoreError.invalidInput("\(run.format): \(key) must be a finite number, not negative") }
            if let old = run.figures[key], old != v {
                throw CoreError.invalidInput("mixed runs in one \(run.format): \(key) is \(EngineOutputs.show(old)) and \(EngineOutputs.show(v))")
            }
            run.figures[key] = v
        }

        mutating func setting(_ key: String, _ value: String) throws {
            let v = value.trimmingCharacters(in: .whitespaces)
            guard !v.isEmpty else { return }
            try Limits.line(run.format, key, v, Limits.optionValue)
            if let old = run.settings[key] {
                guard EngineOutputs.sameSetting(old, v) else {
                    throw CoreError.invalidInput("mixed runs in one \(run.format): \(key) is '\(old)' and '\(v)'")
                }
                return
            }
            run.settings[key] = v
        }

        mutating func model(_ value: String) throws {
            run.model = try agreed(run.model, value, "model")
        }

        mutating func version(_ value: String) throws {
            run.engineVersion = try agreed(run.engineVersion, value, "version")
        }

        mutating func gpu(_ value: String) throws {
            run.gpu = try agreed(run.gpu, value, "gpu")
        }

        func agreed(_ old: String?, _ value: String, _ field: String) throws -> String? {
            let v = value.trimmingCharacters(in: .whitespaces)
            guard !v.isEmpty else { return old }
            try Limits.line(run.format, field, v, Limits.name)
            if let old, old != v { throw CoreError.invalidInput("mixed runs in one \(run.format): \(field) '\(old)' and '\(v)'") }
            return v
        }

        func finish() throws -> EngineRun {
            guard !run.figures.isEmpty || run.error != nil else { throw CoreError.invalidInput("\(run.format): the result holds no figures") }
            return run
        }
    }
}

// MARK: - Lines

extension EngineOutputs {
    /// The lines of a text, each cleaned: ANSI colour codes removed (also the "[34m" left when the
    /// ESC byte was lost), tabs and other control characters turned into spaces. A leading
    /// `# source:` provenance line (servefit's fixture convention) is not engine output and is
    /// dropped. A line longer than `maxLineBytes` is refused: no engine prints one.
    static func splitLines(_ text: String) throws -> [String] {
        var out: [String] = []
        let u = Array(text.utf8)
        var start = 0
        var i = 0
        func take(_ end: Int) throws {
            guard end - start <= maxLineBytes else {
                throw CoreError.invalidInput("engine output: line \(out.count + 1) is longer than \(maxLineBytes >> 10) KiB")
            }
            let line = clean(String(decoding: u[start..<end], as: UTF8.self))
            if !line.hasPrefix("# source:") { out.append(line) }
        }
        while i < u.count {
            if u[i] == 0x0A || u[i] == 0x0D {
                try take(i)
                if u[i] == 0x0D, i + 1 < u.count, u[i + 1] == 0x0A { i += 1 }
                start = i + 1
            }
            i += 1
        }
        if start < u.count { try take(u.count) }
        return out
    }

    static func clean(_ s: String) -> String {
        let u = Array(s.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        while i < u.count {
            let c = u[i]
            if c == "\u{1B}" {
                i += 1
                if i < u.count, u[i] == "[" {
                    var j = i + 1
                    while j < u.count, j - i < 16, !(u[j].value >= 0x40 && u[j].value <= 0x7E) { j += 1 }
                    i = Swift.min(j + 1, u.count)
                }
                continue
            }
            if c == "[", let end = colourCodeEnd(u, i) {
                i = end
                continue
            }
            if c.value < 0x20 || c.value == 0x7F {
                out.append(" ")
            } else {
                out.append(c)
            }
            i += 1
        }
        return String(out)
    }

    /// The end of "[0m", "[32m", "[1;34m" starting at `i`, a colour code whose ESC byte was lost.
    static func colourCodeEnd(_ u: [Unicode.Scalar], _ i: Int) -> Int? {
        var j = i + 1
        var digits = 0
        while j < u.count, j - i <= 9, (u[j] >= "0" && u[j] <= "9") || u[j] == ";" {
            if u[j] != ";" { digits += 1 }
            j += 1
        }
        guard digits > 0, j < u.count, u[j] == "m" else { return nil }
        return j + 1
    }

    /// "Mean TTFT (ms):      71.54" → ("Mean TTFT (ms)", "71.54"): split at the first colon, trimmed.
    static func labelValue(_ l: String) -> (label: String, value: String)? {
        guard let c = l.firstIndex(of: ":") else { return nil }
        let label = l[..<c].trimmingCharacters(in: .whitespaces)
        let value = l[l.index(after: c)...].trimmingCharacters(in: .whitespaces)
        guard !label.isEmpty, label.count <= 80 else { return nil }
        return (label, value)
    }

    /// A line without the "# " a shell-comment paste puts in front of it.
    static func uncommented(_ l: String) -> String {
        let t = l.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("# ") { return t.dropFirst(2).trimmingCharacters(in: .whitespaces) }
        return t
    }

    /// The text between `phrase` and the next ")", when both are there.
    static func parenthesised(_ s: String, after phrase: String) -> String? {
        guard let r = s.range(of: phrase) else { return nil }
        let rest = s[r.upperBound...]
        guard let close = rest.firstIndex(of: ")") else { return nil }
        return rest[..<close].trimmingCharacters(in: .whitespaces)
    }

    static func parseText(_ text: String) throws -> [EngineRun] {
        let lines = try splitLines(text)
        var runs: [EngineRun] = []
        runs += try servingSummaries(lines)
        runs += try trtllmReports(lines)
        runs += try vllmThroughput(lines)
        runs += try vllmLatency(lines)
        runs += try llamaBenchMarkdown(lines)
        runs += try llamaBenchCSV(lines)
        runs += try llamaLog(lines)
        runs += try vllmStartup(lines)
        return runs
    }
}

// MARK: - JSON: vLLM / SGLang serving results, vLLM latency, llama-bench

extension EngineOutputs {
    static func looksLikeJSON(_ text: String) -> Bool {
        let t = text.drop(while: { $0.isWhitespace })
        guard let f = t.first else { return false }
        if f == "{" { return true }
        guard f == "[" else { return false }
        // "[34m1.14.608 I llama_context: ..." is a log line with a colour code, not a JSON array.
        let next = t.dropFirst().drop(while: { $0.isWhitespace }).first
        return next == "{" || next == "]"
    }

    static func parseJSON(_ text: String) throws -> [EngineRun] {
        let t = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if t.hasPrefix("[") {
            let v = try StrictJSON.parse(Array(t.utf8))
            guard let items = v.array else { throw CoreError.invalidInput("engine output: expected a JSON array") }
            guard !items.isEmpty else { throw CoreError.invalidInput("llama-bench JSON: the array holds no rows") }
            var runs: [EngineRun] = []
            for (k, item) in items.enumerated() {
                guard let pairs = item.pairs, item["avg_ts"] != nil else {
                    throw CoreError.invalidInput("JSON array item \(k + 1) is not a llama-bench row (an object with avg_ts, n_prompt and n_gen)")
                }
                runs.append(try llamaBenchRow(flatFields(pairs), format: "llama-bench-json", row: k + 1))
            }
            return runs
        }
        // One object (vLLM json.dump writes one line), or JSON lines (--append-result, llama-bench -o jsonl,
        // SGLang --output-file): one object per line.
        let lines = t.split(whereSeparator: { $0.isNewline }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var objects: [[(String, JSONValue)]] = []
        var jsonl = false
        if lines.count > 1, let first = try? StrictJSON.parse(Array(lines[0].utf8)), first.pairs != nil {
            jsonl = true
            for (k, l) in lines.enumerated() {
                let v: JSONValue
                do { v = try StrictJSON.parse(Array(l.utf8)) } catch let e as CoreError {
                    throw CoreError.invalidInput("JSON line \(k + 1): \(e.description)")
                }
                guard let p = v.pairs else { throw CoreError.invalidInput("JSON line \(k + 1) is not an object") }
                objects.append(p)
            }
        } else {
            let v = try StrictJSON.parse(Array(t.utf8))
            guard let p = v.pairs else { throw CoreError.invalidInput("engine output: expected a JSON object") }
            objects = [p]
        }
        var runs: [EngineRun] = []
        for (k, p) in objects.enumerated() { runs.append(try jsonObject(p, index: k + 1, jsonl: jsonl)) }
        return runs
    }

    static func jsonObject(_ p: [(String, JSONValue)], index: Int, jsonl: Bool) throws -> EngineRun {
        let keys = Set(p.map { $0.0 })
        if keys.contains("avg_ts") {
            return try llamaBenchRow(flatFields(p), format: jsonl ? "llama-bench-jsonl" : "llama-bench-json", row: index)
        }
        if keys.contains("total_output_tokens_retokenized") || keys.contains("mean_e2e_latency_ms") {
            return try servingJSON(p, engine: "sglang", format: "sglang-bench-serving-jsonl")
        }
        if !keys.isDisjoint(with: ["output_throughput", "request_throughput", "total_token_throughput", "mean_ttft_ms"]) {
            return try servingJSON(p, engine: "vllm", format: "vllm-bench-serve-json")
        }
        if keys.contains("avg_latency") { return try latencyJSON(p) }
        throw CoreError.invalidInput("JSON object \(index) is not a known engine result (vLLM bench serve or latency, SGLang bench_serving, llama-bench)")
    }

    /// Scalars as their text; arrays, objects and null left out.
    static func flatFields(_ pairs: [(String, JSONValue)]) -> [String: String] {
        var f: [String: String] = [:]
        for (k, v) in pairs {
            if let s = scalarText(v) { f[k] = s }
        }
        return f
    }

    static func scalarText(_ v: JSONValue) -> String? {
        switch v {
        case .string(let s): return s
        case .number(let n): return n
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    static let servingJSONFigures: [String: String] = [
        "duration": "duration_s", "completed": "completed", "failed": "failed",
        "total_input_tokens": "total_input_tokens", "total_output_tokens": "total_output_tokens",
        "total_output_tokens_retokenized": "total_output_tokens_retokenized",
        "request_throughput": "requests_per_s", "request_goodput": "goodput_requests_per_s",
        "request_goodput:": "goodput_requests_per_s",  // sic: benchmark_serving.py ~v0.6–0.8 wrote the key with a colon
        "input_throughput": "input_tokens_per_s", "output_throughput": "output_tokens_per_s",
        "total_token_throughput": "total_tokens_per_s", "max_output_tokens_per_s": "peak_output_tokens_per_s",
        "max_concurrent_requests": "peak_concurrent_requests", "concurrency": "concurrency", "accept_length": "accept_length",
        "total_input_sequences": "total_input_sequences", "input_sequence_throughput": "input_sequences_per_s",
    ]
    static let servingJSONSettings: [String: String] = [
        "backend": "backend", "endpoint_type": "endpoint_type", "label": "label", "dataset_name": "dataset",
        "num_prompts": "num_prompts", "request_rate": "request_rate", "burstiness": "burstiness",
        "max_concurrency": "max_concurrency", "random_input_len": "input_len", "random_output_len": "output_len",
        "random_range_ratio": "random_range_ratio", "sharegpt_output_len": "sharegpt_output_len",
    ]

    /// "mean_ttft_ms" → "ttft_ms_mean", "p99.9_itl_ms" → "itl_ms_p99.9", SGLang's
    /// "median_e2e_latency_ms" → "e2el_ms_median".
    static func jsonStatKey(_ k: String) -> String? {
        guard k.hasSuffix("_ms"), k.count <= 64 else { return nil }
        let body = k.dropLast(3)
        guard let us = body.firstIndex(of: "_") else { return nil }
        let stat = String(body[..<us])
        let raw = String(body[body.index(after: us)...])
        guard ["mean", "median", "std", "max", "min"].contains(stat)
                || (stat.count > 1 && stat.hasPrefix("p") && stat.dropFirst().allSatisfy({ isDigit($0) || $0 == "." })) else { return nil }
        let metric = raw == "e2e_latency" ? "e2el" : raw
        guard !metric.isEmpty, metric.allSatisfy({ ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "_" }) else { return nil }
        return "\(metric)_ms_\(stat)"
    }

    static func servingJSON(_ pairs: [(String, JSONValue)], engine: String, format: String) throws -> EngineRun {
        var d = Draft(engine, .serving, format)
        for (k, v) in pairs {
            if let key = servingJSONFigures[k] ?? jsonStatKey(k) {
                switch v {
                case .null: continue
                case .number(let n): try d.figure(key, try number(n, "\(format): \(k)"))
                default: throw CoreError.invalidInput("\(format): field '\(k)' must be a number")
                }
            } else if let key = servingJSONSettings[k] {
                if let s = scalarText(v) { try d.setting(key, s) }
            } else if k == "model_id", case .string(let m) = v {
                try d.model(m)
            }
        }
        return try d.finish()
    }

    /// `vllm bench latency --output-json` (latency.py): {avg_latency, std_latency, latencies, percentiles{"10": s, ...}}.
    static func latencyJSON(_ pairs: [(String, JSONValue)]) throws -> EngineRun {
        let format = "vllm-bench-latency-json"
        var d = Draft("vllm", .latency, format)
        for (k, v) in pairs {
            switch k {
            case "avg_latency", "std_latency":
                guard case .number(let n) = v else { throw CoreError.invalidInput("\(format): field '\(k)' must be a number") }
                try d.figure(k == "avg_latency" ? "latency_s_mean" : "latency_s_std", try number(n, "\(format): \(k)"))
            case "percentiles":
                guard let ps = v.pairs else { throw CoreError.invalidInput("\(format): percentiles must be an object") }
                for (p, x) in ps {
                    guard !p.isEmpty, p.count <= 6, p.allSatisfy({ isDigit($0) || $0 == "." }), case .number(let n) = x else {
                        throw CoreError.invalidInput("\(format): percentiles must map a percent to seconds")
                    }
                    try d.figure("latency_s_p\(p)", try number(n, "\(format): percentiles.\(p)"))
                }
            default:
                continue
            }
        }
        return try d.finish()
    }
}

// MARK: - vLLM and SGLang serving summaries (text)

extension EngineOutputs {
    static let summaryFigures: [String: String] = [
        "Successful requests": "completed", "Failed requests": "failed", "Benchmark duration (s)": "duration_s",
        "Total input tokens": "total_input_tokens", "Total input text tokens": "total_input_text_tokens",
        "Total input vision tokens": "total_input_vision_tokens", "Total cached tokens": "total_cached_tokens",
        "Total generated tokens": "total_output_tokens", "Total generated tokens (retokenized)": "total_output_tokens_retokenized",
        "Request throughput (req/s)": "requests_per_s", "Request goodput (req/s)": "goodput_requests_per_s",
        "Input token throughput (tok/s)": "input_tokens_per_s", "Output token throughput (tok/s)": "output_tokens_per_s",
        "Peak output token throughput (tok/s)": "peak_output_tokens_per_s", "Peak concurrent requests": "peak_concurrent_requests",
        "Total Token throughput (tok/s)": "total_tokens_per_s", "Total token throughput (tok/s)": "total_tokens_per_s",
        "Total throughput (tok/s)": "total_tokens_per_s", "Concurrency": "concurrency", "Accept length": "accept_length",
    ]
    static let summarySettings: [String: String] = [
        "Backend": "backend", "Traffic request rate": "request_rate", "Request rate configured (RPS)": "request_rate",
        "Burstiness factor": "burstiness", "Maximum request concurrency": "max_concurrency",
        "Max request concurrency": "max_concurrency",
        "Max reqeuest concurrency": "max_concurrency",  // sic: SGLang ~0.4.0–0.4.1
    ]
    /// Printed by vLLM ~0.6.x before the "Serving Benchmark Result" header.
    static let summaryPreHeader: Set<String> = ["Traffic request rate", "Burstiness factor", "Maximum request concurrency"]
    /// Labels only SGLang's bench_serving prints.
    static let sglangLabels: Set<String> = [
        "Backend", "Max request concurrency", "Max reqeuest concurrency", "Total generated tokens (retokenized)", "Concurrency",
        "Accept length", "Total input text tokens", "Total input vision tokens", "Total cached tokens",
    ]

    /// "P99 TTFT (ms)" → "ttft_ms_p99", "Median E2E Latency (ms)" → "e2el_ms_median".
    static func statKey(_ label: String) -> String? {
        let w = label.split(separator: " ").map(String.init)
        guard w.count >= 3, w.last == "(ms)", let stat = statName(w[0]) else { return nil }
        let metric: String
        switch w[1..<(w.count - 1)].joined(separator: " ") {
        case "TTFT": metric = "ttft"
        case "TPOT": metric = "tpot"
        case "ITL": metric = "itl"
        case "E2EL", "E2E Latency": metric = "e2el"
        default: return nil
        }
        return "\(metric)_ms_\(stat)"
    }

    static func statName(_ s: String) -> String? {
        switch s {
        case "Mean": return "mean"
        case "Median": return "median"
        case "Std": return "std"
        case "Max": return "max"
        case "Min": return "min"
        default:
            guard s.count > 1, s.count <= 8, s.hasPrefix("P"), s.dropFirst().allSatisfy({ isDigit($0) || $0 == "." }) else { return nil }
            return "p" + String(s.dropFirst())
        }
    }

    /// A setting as printed: the first word, except the backend's name; "not set" is no setting.
    static func summarySetting(_ label: String, _ value: String) -> String? {
        if value.isEmpty || value == "not set" || value == "None" { return nil }
        return label == "Backend" ? value : firstWord(value)
    }

    /// The "Serving Benchmark Result" blocks of `vllm bench serve` / benchmark_serving.py and of
    /// SGLang's bench_serving: one run per block, closed by a rule of "=". Partial pastes without
    /// the header start a block at their first known label.
    static func servingSummaries(_ lines: [String]) throws -> [EngineRun] {
        var runs: [EngineRun] = []
        var pending: [String: String] = [:]
        var block: Draft? = nil
        var sglang = false
        func flush() {
            if var b = block, !b.run.figures.isEmpty {
                if sglang {
                    b.run.engine = "sglang"
                    b.run.format = "sglang-bench-serving"
                } else {
                    b.run.format = "vllm-bench-serve-summary"
                }
                runs.append(b.run)
            }
            block = nil
            sglang = false
        }
        func begin() throws {
            var b = Draft("vllm", .serving, "serving summary")
            for (k, v) in pending.sorted(by: { $0.key < $1.key }) { try b.setting(k, v) }
            pending = [:]
            block = b
        }
        for raw in lines {
            let l = uncommented(raw)
            if l.contains("Serving Benchmark Result") {
                flush()
                try begin()
                continue
            }
            if l.count >= 20, l.allSatisfy({ $0 == "=" }) {
                flush()
                continue
            }
            guard let lv = labelValue(l) else { continue }
            if let key = summarySettings[lv.label] {
                guard let v = summarySetting(lv.label, lv.value) else { continue }
                if block == nil, summaryPreHeader.contains(lv.label) {
                    pending[key] = v
                    continue
                }
                if block == nil { try begin() }
                try block?.setting(key, v)
                if sglangLabels.contains(lv.label) { sglang = true }
                continue
            }
            guard let key = summaryFigures[lv.label] ?? statKey(lv.label) else { continue }
            if block == nil { try begin() }
            try block?.figure(key, try number(firstWord(lv.value), lv.label))
            if sglangLabels.contains(lv.label) || lv.label.contains("E2E Latency") { sglang = true }
        }
        flush()
        return runs
    }
}

// MARK: - vLLM bench throughput / latency (text)

extension EngineOutputs {
    /// `Throughput: 7.15 requests/s, 4656.00 total tokens/s, 1072.15 output tokens/s` starts a run;
    /// `Total num prompt tokens:  N` / `Total num output tokens:  N` belong to it.
    static func vllmThroughput(_ lines: [String]) throws -> [EngineRun] {
        var runs: [Draft] = []
        for raw in lines {
            let l = uncommented(raw)
            if l.hasPrefix("Throughput: ") {
                var d = Draft("vllm", .throughput, "vllm-bench-throughput")
                for part in l.dropFirst("Throughput: ".count).split(separator: ",") {
                    let t = part.trimmingCharacters(in: .whitespaces)
                    let num = firstWord(t)
                    let unit = t.dropFirst(num.count).trimmingCharacters(in: .whitespaces)
                    let key: String
                    switch unit {
                    case "requests/s": key = "requests_per_s"
                    // Before PR #8914 (vLLM ≤ ~0.6.3) the one "tokens/s" figure counted prompt and output tokens.
                    case "tokens/s", "total tokens/s": key = "total_tokens_per_s"
                    case "output tokens/s": key = "output_tokens_per_s"
                    default: throw CoreError.invalidInput("vllm-bench-throughput: unknown unit '\(unit.prefix(32))' in '\(l.prefix(120))'")
                    }
                    try d.figure(key, try number(num, "throughput (\(unit))"))
                }
                runs.append(d)
            } else if let last = runs.indices.last, let lv = labelValue(l) {
                switch lv.label {
                case "Total num prompt tokens": try runs[last].figure("total_input_tokens", try count(firstWord(lv.value), lv.label))
                case "Total num output tokens": try runs[last].figure("total_output_tokens", try count(firstWord(lv.value), lv.label))
                default: break
                }
            }
        }
        return runs.map(\.run)
    }

    /// `Avg latency: X seconds` starts a run; `Std latency:` and `NN% percentile latency:` belong to it.
    static func vllmLatency(_ lines: [String]) throws -> [EngineRun] {
        var runs: [Draft] = []
        for raw in lines {
            guard let lv = labelValue(uncommented(raw)) else { continue }
            let key: String
            if lv.label == "Avg latency" {
                runs.append(Draft("vllm", .latency, "vllm-bench-latency"))
                key = "latency_s_mean"
            } else if lv.label == "Std latency" {
                key = "latency_s_std"
            } else if lv.label.hasSuffix("% percentile latency") {
                let p = lv.label.prefix(while: { $0 != "%" })
                guard !p.isEmpty, p.count <= 6, p.allSatisfy({ isDigit($0) || $0 == "." }) else { continue }
                key = "latency_s_p\(p)"
            } else {
                continue
            }
            guard let last = runs.indices.last else { continue }
            let words = lv.value.split(separator: " ")
            guard words.count == 2, words[1] == "seconds" else {
                throw CoreError.invalidInput("vllm-bench-latency: \(lv.label) must be 'N seconds' (got '\(lv.value.prefix(60))')")
            }
            try runs[last].figure(key, try number(String(words[0]), lv.label))
        }
        return runs.map(\.run)
    }
}

// MARK: - TensorRT-LLM trtllm-bench report

extension EngineOutputs {
    static let trtSections: Set<String> = [
        "ENGINE DETAILS", "REQUEST DETAILS", "WORLD + RUNTIME INFORMATION", "PERFORMANCE OVERVIEW", "DATASET DETAILS",
    ]
    static let trtSettings: [String: String] = [
        "Model Path": "model_path", "Engine Directory": "engine_dir", "Revision": "revision", "Dtype": "dtype",
        "KV Cache Dtype": "kv_cache_dtype", "Quantization": "quantization", "Max Input Length": "max_input_len",
        "Max Sequence Length": "max_model_len", "Number of requests": "num_prompts", "TP Size": "tensor_parallel",
        "PP Size": "pipeline_parallel", "EP Size": "expert_parallel", "Max Runtime Batch Size": "max_batch_size",
        "Max Runtime Tokens": "max_num_tokens", "Scheduling Policy": "scheduling_policy",
        "KV Memory Percentage": "kv_memory_percentage",
        "Issue Rate (req/sec)": "request_rate",  // kept as printed ("5.0689E+14": unlimited)
        "Dataset Path": "dataset", "Number of Sequences": "num_sequences",
    ]
    static let trtFigures: [String: String] = [
        "Number of concurrent requests": "concurrency", "Average Input Length (tokens)": "input_tokens_mean",
        "Average Output Length (tokens)": "output_tokens_mean",
        // 0.17: output tokens per second (fixture 1: 28390.4265 / 221.8002 req/s = 128.0, the output length).
        "Token Throughput (tokens/sec)": "output_tokens_per_s",
        "Total Output Throughput (tokens/sec)": "output_tokens_per_s", "Total Token Throughput (tokens/sec)": "total_tokens_per_s",
        "Request Throughput (req/sec)": "requests_per_s", "Average request latency (ms)": "e2el_ms_mean",
    ]

    static func trtTitle(_ line: String) -> String? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.hasPrefix("= ") else { return nil }
        let title = t.dropFirst(2).trimmingCharacters(in: .whitespaces).uppercased()
        if trtSections.contains(title) || (title.hasSuffix(" BACKEND") && title.count <= 40) { return title }
        return nil
    }

    /// The report `trtllm-bench ... throughput` prints: blocks framed by "=" lines and titled
    /// "= TITLE". A header block after a performance block starts the next run.
    static func trtllmReports(_ lines: [String]) throws -> [EngineRun] {
        guard lines.contains(where: { trtTitle($0) != nil }) else { return [] }
        var runs: [EngineRun] = []
        var d: Draft? = nil
        var performance = false
        var logVersion: String? = nil
        func flush() {
            if let cur = d, !cur.run.figures.isEmpty { runs.append(cur.run) }
            d = nil
            performance = false
        }
        for raw in lines {
            let l = raw.trimmingCharacters(in: .whitespaces)
            if l.hasPrefix("[TensorRT-LLM]"), let r = l.range(of: "TensorRT-LLM version: ") {
                let v = firstWord(String(l[r.upperBound...]))
                try Limits.line("trtllm-bench-report", "version", v, Limits.name)
                logVersion = v
                continue
            }
            if let title = trtTitle(l) {
                let opensRun = title != "PERFORMANCE OVERVIEW" && title != "DATASET DETAILS"
                if opensRun && performance { flush() }
                if d == nil { d = Draft("trtllm", .throughput, "trtllm-bench-report") }
                if title == "PERFORMANCE OVERVIEW" { performance = true }
                if title == "ENGINE DETAILS" {
                    try d?.setting("backend", "tensorrt")
                } else if title.hasSuffix(" BACKEND") {
                    try d?.setting("backend", String(title.dropLast(" BACKEND".count)).lowercased())
                }
                continue
            }
            // Partial pastes start mid-report (fixture 4 begins at "Issue Rate"): labels before a title count.
            guard let lv = labelValue(l) else { continue }
            if d == nil { d = Draft("trtllm", .throughput, "trtllm-bench-report") }
            if var cur = d {
                try trtField(lv.label, lv.value, &cur)
                d = cur
            }
        }
        flush()
        return runs.map { run -> EngineRun in
            var r = run
            if r.engineVersion == nil { r.engineVersion = logVersion }
            r.gpuCount = gpuCount(r.settings)
            return r
        }
    }

    static func trtField(_ label: String, _ value: String, _ d: inout Draft) throws {
        if label == "Model" {
            try d.model(value)
            return
        }
        if label == "TensorRT-LLM Version" || label == "TensorRT LLM Version" {
            try d.version(value)
            return
        }
        if let key = trtSettings[label] {
            if value != "None" { try d.setting(key, value) }
            return
        }
        if label == "Total Latency (ms)" {
            try d.figure("duration_s", try number(firstWord(value), label) / 1000)
            return
        }
        let key: String?
        if let k = trtFigures[label] {
            key = k
        } else if label.hasPrefix("Per User Output Throughput") {
            key = "output_tokens_per_s_per_user"
        } else if label.hasPrefix("Per GPU Output Throughput") {
            key = "output_tokens_per_s_per_gpu"
        } else if label.hasPrefix("Average time-to-first-token") {
            key = "ttft_ms_mean"  // --streaming; the label is not verified against a real report
        } else if label.hasPrefix("Average time-per-output-token") {
            key = "tpot_ms_mean"  // --streaming; not verified
        } else {
            key = trtBreakdownKey(label)
        }
        guard let key else { return }
        try d.figure(key, try number(firstWord(value), label))
    }

    /// "[Latency] P50" → "e2el_ms_p50", "[Latency] MINIMUM" → "e2el_ms_min"; --streaming adds
    /// "[TTFT] ..." and "[TPOT] ..." (not verified).
    static func trtBreakdownKey(_ label: String) -> String? {
        guard label.hasPrefix("["), let close = label.firstIndex(of: "]") else { return nil }
        let metric: String
        switch label[label.index(after: label.startIndex)..<close] {
        case "Latency": metric = "e2el"
        case "TTFT": metric = "ttft"
        case "TPOT": metric = "tpot"
        default: return nil
        }
        let stat = label[label.index(after: close)...].trimmingCharacters(in: .whitespaces)
        let s: String
        switch stat {
        case "MINIMUM": s = "min"
        case "MAXIMUM": s = "max"
        case "AVERAGE": s = "mean"
        default:
            guard stat.count > 1, stat.count <= 6, stat.hasPrefix("P"), stat.dropFirst().allSatisfy({ isDigit($0) || $0 == "." }) else { return nil }
            s = "p" + String(stat.dropFirst())
        }
        return "\(metric)_ms_\(s)"
    }
}

// MARK: - llama-bench (JSON / JSONL / CSV rows, markdown tables)

extension EngineOutputs {
    static let benchRowSettings: [(String, String)] = [
        ("n_prompt", "n_prompt"), ("n_gen", "n_gen"), ("n_depth", "n_depth"), ("n_batch", "n_batch"), ("n_ubatch", "n_ubatch"),
        ("n_threads", "n_threads"), ("n_gpu_layers", "n_gpu_layers"), ("n_cpu_moe", "n_cpu_moe"), ("type_k", "type_k"),
        ("type_v", "type_v"), ("flash_attn", "flash_attn"), ("split_mode", "split_mode"), ("main_gpu", "main_gpu"),
        ("no_kv_offload", "no_kv_offload"), ("tensor_split", "tensor_split"), ("use_mmap", "use_mmap"), ("load_mode", "load_mode"),
        ("embeddings", "embeddings"), ("devices", "devices"), ("backends", "backend"), ("model_type", "model_type"),
        ("cpu_info", "cpu_info"), ("test_time", "test_time"),
    ]
    /// Old builds (b1275) had one bool per backend instead of `backends`.
    static let oldBackendFlags: [(String, String)] = [
        ("cuda", "CUDA"), ("metal", "Metal"), ("opencl", "OpenCL"), ("vulkan", "Vulkan"), ("kompute", "Kompute"), ("sycl", "SYCL"),
    ]
    static let backendFlagColumns: Set<String> = ["cuda", "opencl", "vulkan", "kompute", "metal", "sycl", "gpu_blas", "blas"]
    /// Display names of the markdown columns (llama-bench.cpp) → field names.
    static let benchColumns: [String: String] = [
        "ngl": "n_gpu_layers", "threads": "n_threads", "n_batch": "n_batch", "n_ubatch": "n_ubatch", "type_k": "type_k",
        "type_v": "type_v", "sm": "split_mode", "mg": "main_gpu", "nkvo": "no_kv_offload", "fa": "flash_attn", "dev": "devices",
        "ts": "tensor_split", "ot": "tensor_buft_overrides", "lm": "load_mode", "embd": "embeddings", "nopo": "no_op_offload",
        "noh": "no_host", "fitt": "fit_target", "fitc": "fit_min_ctx", "mmap": "use_mmap", "dio": "use_direct_io",
        "backend": "backend", "n_cpu_moe": "n_cpu_moe", "cpu_mask": "cpu_mask", "cpu_strict": "cpu_strict", "poll": "poll",
        "repack": "repack",
    ]

    /// pp rows give prompt t/s, tg rows generation t/s, pp+tg rows (n_prompt+n_gen)/time.
    static func benchKey(prompt: Double, gen: Double, _ what: String) throws -> String {
        switch (prompt > 0, gen > 0) {
        case (true, false): return "prompt_tokens_per_s"
        case (false, true): return "gen_tokens_per_s"
        case (true, true): return "total_tokens_per_s"
        case (false, false): throw CoreError.invalidInput("\(what): a test with neither prompt nor generated tokens")
        }
    }

    /// One row of `-o json|jsonl|csv`, keyed by field name; unknown fields are tolerated.
    static func llamaBenchRow(_ f: [String: String], format: String, row: Int) throws -> EngineRun {
        let what = "\(format) row \(row)"
        var d = Draft("llama.cpp", .bench, format)
        guard let np = f["n_prompt"], let ng = f["n_gen"], let ts = f["avg_ts"] else {
            throw CoreError.invalidInput("\(what): a llama-bench row needs n_prompt, n_gen and avg_ts")
        }
        let key = try benchKey(prompt: try count(np, "\(what) n_prompt"), gen: try count(ng, "\(what) n_gen"), what)
        try d.figure(key, try number(ts, "\(what) avg_ts"))
        if let s = f["stddev_ts"] { try d.figure(key + "_std", try number(s, "\(what) stddev_ts")) }
        if let s = f["model_size"] {
            try d.figure("model_size_bytes", try boundedBytes(try count(s, "\(what) model_size"), "\(what) model_size"))
        }
        if let s = f["model_n_params"] { try d.figure("model_params", try count(s, "\(what) model_n_params")) }
        for (src, name) in benchRowSettings {
            if let v = f[src] { try d.setting(name, v) }
        }
        if f["backends"] == nil {
            let on = oldBackendFlags.filter { f[$0.0] == "true" || f[$0.0] == "1" }.map { $0.1 }
            if !on.isEmpty { try d.setting("backend", on.joined(separator: ",")) }
        }
        if let m = f["model_filename"] ?? f["model_type"] { try d.model(m) }
        if let g = f["gpu_info"] { try d.gpu(g) }
        let commit = f["build_commit"].map { $0.trimmingCharacters(in: .whitespaces) }
        let buildNumber = f["build_number"].map { $0.trimmingCharacters(in: .whitespaces) }
        if let c = commit, let n = buildNumber, !c.isEmpty, !n.isEmpty {
            try d.version("\(c) (\(n))")  // as the markdown footer prints it: "build: <commit> (<number>)"
        } else if let v = commit ?? buildNumber {
            try d.version(v)
        }
        return try d.finish()
    }

    /// Fields of one CSV line: every value may be quoted, "" is a quote inside quotes.
    static func csvFields(_ line: String, _ what: String) throws -> [String] {
        var out: [String] = []
        var cur = ""
        var quoted = false
        let c = Array(line)
        var k = 0
        while k < c.count {
            let ch = c[k]
            if quoted {
                if ch == "\"" {
                    if k + 1 < c.count, c[k + 1] == "\"" {
                        cur.append("\"")
                        k += 2
                        continue
                    }
                    quoted = false
                } else {
                    cur.append(ch)
                }
            } else if ch == "\"" {
                quoted = true
            } else if ch == "," {
                out.append(cur)
                cur = ""
                guard out.count <= 512 else { throw CoreError.invalidInput("llama-bench CSV \(what): more than 512 columns") }
            } else {
                cur.append(ch)
            }
            k += 1
        }
        guard !quoted else { throw CoreError.invalidInput("llama-bench CSV \(what): unterminated quote") }
        out.append(cur)
        return out
    }

    static func benchCSVHeader(_ line: String) -> [String]? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.contains("avg_ts"), t.contains("n_prompt"), let f = try? csvFields(t, "header"),
              f.contains("avg_ts"), f.contains("n_prompt"), f.contains("n_gen"),
              f.allSatisfy({ name in !name.isEmpty && name.allSatisfy { isIdentifier($0) } }) else { return nil }
        return f
    }

    /// Values of a row by header name. Old builds (llama_bench_b1275.csv, from the b1275 README)
    /// print one more backend flag value than their header names: the flags follow the leading
    /// build columns, so the columns before the flags line up from the left, those after them
    /// (model, sizes, test, timings) from the right, and the flags themselves are dropped.
    static func alignCSV(_ header: [String], _ values: [String], row: Int) throws -> [String: String] {
        var f: [String: String] = [:]
        if values.count == header.count {
            for (k, v) in zip(header, values) where f[k] == nil { f[k] = v }
            return f
        }
        let extra = values.count - header.count
        guard extra > 0, extra <= 4, let flagStart = header.firstIndex(where: { backendFlagColumns.contains($0) }) else {
            throw CoreError.invalidInput("llama-bench-csv row \(row): \(values.count) values for \(header.count) columns")
        }
        for (k, name) in header.enumerated() where !backendFlagColumns.contains(name) && f[name] == nil {
            f[name] = k < flagStart ? values[k] : values[k + extra]
        }
        return f
    }

    static func llamaBenchCSV(_ lines: [String]) throws -> [EngineRun] {
        guard let h = lines.firstIndex(where: { benchCSVHeader($0) != nil }), let header = benchCSVHeader(lines[h]) else { return [] }
        var runs: [EngineRun] = []
        var row = 0
        for raw in lines[(h + 1)...] {
            let t = raw.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            row += 1
            let values = try csvFields(t, "row \(row)")
            runs.append(try llamaBenchRow(try alignCSV(header, values, row: row), format: "llama-bench-csv", row: row))
        }
        return runs
    }

    /// The cells of a markdown table row "| a | b |", trimmed; nil for other lines.
    static func tableCells(_ line: String) -> [String]? {
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.count >= 2, t.hasPrefix("|"), t.hasSuffix("|") else { return nil }
        return t.dropFirst().dropLast().split(separator: "|", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
    }

    /// "pp512" → ("512", "0", nil); "tg128" → ("0", "128", nil); "pp512+tg128"; "pp 512" (before
    /// ~b3000); "pp512 @ d4096" → depth "4096".
    static func llamaTest(_ s: String, _ what: String) throws -> (prompt: String, gen: String, depth: String?) {
        let bad = CoreError.invalidInput("\(what): unknown llama-bench test '\(s.prefix(40))'")
        var main = s
        var depth: String? = nil
        if let at = s.range(of: "@") {
            main = String(s[..<at.lowerBound])
            let d = s[at.upperBound...].trimmingCharacters(in: .whitespaces)
            guard d.count > 1, d.count <= 10, d.hasPrefix("d"), d.dropFirst().allSatisfy({ isDigit($0) }) else { throw bad }
            depth = String(d.dropFirst())
        }
        var prompt = "0"
        var gen = "0"
        for part in main.replacingOccurrences(of: " ", with: "").split(separator: "+") {
            let digits = String(part.dropFirst(2))
            guard !digits.isEmpty, digits.count <= 9, digits.allSatisfy({ isDigit($0) }) else { throw bad }
            if part.hasPrefix("pp") {
                prompt = digits
            } else if part.hasPrefix("tg") {
                gen = digits
            } else {
                throw bad
            }
        }
        return (prompt, gen, depth)
    }

    static func llamaMarkdownRow(_ cells: [String: String], row: Int) throws -> EngineRun {
        let what = "llama-bench-md row \(row)"
        var d = Draft("llama.cpp", .bench, "llama-bench-md")
        guard let test = cells["test"], let ts = cells["t/s"] else { throw CoreError.invalidInput("\(what): no test or t/s cell") }
        let t = try llamaTest(test, what)
        try d.setting("n_prompt", t.prompt)
        try d.setting("n_gen", t.gen)
        if let depth = t.depth { try d.setting("n_depth", depth) }
        let key = try benchKey(prompt: try count(t.prompt, "\(what) n_prompt"), gen: try count(t.gen, "\(what) n_gen"), what)
        let parts = ts.components(separatedBy: "±")  // "4035.47 ± 157.68"
        try d.figure(key, try number(parts.first ?? "", "\(what) t/s"))
        if parts.count > 1 { try d.figure(key + "_std", try number(parts[1], "\(what) t/s deviation")) }
        if let m = cells["model"] { try d.model(m) }
        if let s = cells["size"], !s.isEmpty { try d.figure("model_size_bytes", try size(s, "\(what) size", ggmlUnits)) }
        if let p = cells["params"], !p.isEmpty { try d.figure("model_params", try paramCount(p, "\(what) params")) }
        for (col, v) in cells {
            if let k = benchColumns[col] { try d.setting(k, v) }
        }
        return try d.finish()
    }

    /// The default `llama-bench` output: markdown tables (model | size | params | backend | ... |
    /// test | t/s), the footer "build: <commit> (<number>)" and the backend's device banner.
    static func llamaBenchMarkdown(_ lines: [String]) throws -> [EngineRun] {
        var runs: [EngineRun] = []
        var i = 0
        while i < lines.count {
            guard let header = tableCells(lines[i]), header.contains("model"), header.contains("test"), header.contains("t/s") else {
                i += 1
                continue
            }
            i += 1
            if i < lines.count, let sep = tableCells(lines[i]), sep.allSatisfy({ cell in cell.allSatisfy { "-:".contains($0) } }) { i += 1 }
            var row = 0
            while i < lines.count, let cells = tableCells(lines[i]) {
                row += 1
                guard cells.count == header.count else {
                    throw CoreError.invalidInput("llama-bench-md row \(row): \(cells.count) cells for \(header.count) columns")
                }
                runs.append(try llamaMarkdownRow(Dictionary(zip(header, cells), uniquingKeysWith: { a, _ in a }), row: row))
                i += 1
            }
        }
        guard !runs.isEmpty else { return [] }
        let build = try llamaBuild(lines)
        let devices = try llamaDevices(lines)
        return runs.map { run -> EngineRun in
            var r = run
            r.engineVersion = build
            r.gpu = devices.name
            r.gpuCount = devices.count
            return r
        }
    }

    /// "32d9f7d9 (1786)" from llama-bench's footer "build: 32d9f7d9 (1786)", or "6092 (c81de6e1)"
    /// from a server's "build: 6092 (c81de6e1) with cc ...": as printed.
    static func llamaBuild(_ lines: [String]) throws -> String? {
        for line in lines {
            guard let r = line.range(of: "build: ") else { continue }
            if r.lowerBound != line.startIndex {
                let before = line[line.index(before: r.lowerBound)]
                guard before == " " else { continue }
            }
            var v = String(line[r.upperBound...])
            if let w = v.range(of: " with ") { v = String(v[..<w.lowerBound]) }
            v = v.trimmingCharacters(in: .whitespaces)
            let words = v.split(separator: " ")
            guard words.count == 2, words[1].hasPrefix("("), words[1].hasSuffix(")"),
                  words[0].allSatisfy({ isIdentifier($0) }) else { continue }
            try Limits.line("llama.cpp", "build", v, Limits.name)
            return v
        }
        return nil
    }

    /// Device names from the backend banner ("  Device 0: NVIDIA GeForce RTX 3090 Ti, compute
    /// capability 8.6, VMM: yes"; "ggml_vulkan: 0 = AMD Radeon RX 580 Series (RADV POLARIS10) (radv) | uma: 0 ...")
    /// joined with " + ", and how many devices there are.
    static func llamaDevices(_ lines: [String]) throws -> (name: String?, count: Int?) {
        var byIndex: [Int: String] = [:]
        for line in lines {
            let t = line.trimmingCharacters(in: .whitespaces)
            var index: Substring? = nil
            var name: Substring? = nil
            if t.hasPrefix("Device ") {
                let rest = t.dropFirst("Device ".count)
                if let colon = rest.firstIndex(of: ":") {
                    index = rest[..<colon]
                    name = rest[rest.index(after: colon)...].prefix(while: { $0 != "," })
                }
            } else if t.hasPrefix("ggml_vulkan: ") {
                let rest = t.dropFirst("ggml_vulkan: ".count)
                if let eq = rest.range(of: " = ") {
                    index = rest[..<eq.lowerBound]
                    name = rest[eq.upperBound...].prefix(while: { $0 != "|" })
                }
            }
            guard let ix = index, !ix.isEmpty, ix.count <= 4, ix.allSatisfy({ isDigit($0) }), let n = Int(ix),
                  let nm = name?.trimmingCharacters(in: .whitespaces), !nm.isEmpty else { continue }
            try Limits.line("llama.cpp", "device name", nm, Limits.name)
            if byIndex[n] == nil { byIndex[n] = nm }
        }
        guard !byIndex.isEmpty else { return (nil, nil) }
        var names: [String] = []
        for k in byIndex.keys.sorted() {
            if let nm = byIndex[k], !names.contains(nm) { names.append(nm) }
        }
        return (names.joined(separator: " + "), byIndex.count)
    }
}

// MARK: - llama.cpp server / cli start-up log

extension EngineOutputs {
    /// The function prefixes of the lines read, old names (llm_load_*, llama_new_context_with_model)
    /// and new (print_info, load_tensors, llama_context, llama_kv_cache*).
    static let llamaTags = [
        "llm_load_print_meta", "llm_load_tensors", "llama_kv_cache_unified", "llama_kv_cache_init", "llama_kv_cache_iswa",
        "llama_kv_cache", "llama_new_context_with_model", "llama_context", "print_info", "load_tensors",
    ]

    struct LlamaLog {
        var d = Draft("llama.cpp", .startup, "llama-cpp-log")
        var gpuWeights = 0.0
        var hostWeights = 0.0
        var kvBuffers = 0.0
        var kvSizes = 0.0
        var kvSelf = 0.0
        var compute = 0.0
        var found: Set<String> = []
        var weightDevices: Set<String> = []
    }

    /// ("print_info", "file size   = 8.37 GiB (4.87 BPW)") from a line, whatever prefix it carries
    /// (a "0.00.167.171 I " time and level, a colour code, a Docker or Ollama wrapper).
    static func llamaTagged(_ line: String) -> (tag: String, body: String)? {
        for tag in llamaTags {
            var from = line.startIndex
            while let r = line.range(of: tag + ":", range: from..<line.endIndex) {
                if r.lowerBound == line.startIndex || !isIdentifier(line[line.index(before: r.lowerBound)]) {
                    return (tag, line[r.upperBound...].trimmingCharacters(in: .whitespaces))
                }
                from = r.upperBound
            }
        }
        return nil
    }

    /// Host buffers ("CPU", "CPU_Mapped", "CUDA_Host") are not GPU memory.
    static func isHost(_ device: String) -> Bool {
        device.hasPrefix("CPU") || device.hasSuffix("_Host") || device == "Host"
    }

    static func llamaKVTypes(_ value: String, _ d: inout Draft) throws {
        for (mark, key) in [("K (", "type_k"), ("V (", "type_v")] {
            guard let r = value.range(of: mark) else { continue }
            let t = value[r.upperBound...].prefix(while: { $0 != ")" })
            if !t.isEmpty, t.count <= 16 { try d.setting(key, String(t)) }
        }
    }

    static func llamaLogLine(_ tag: String, _ body: String, _ s: inout LlamaLog) throws {
        if body.hasPrefix("offloaded "), body.hasSuffix(" layers to GPU") {
            try s.d.setting("offloaded_layers", firstWord(String(body.dropFirst("offloaded ".count))))
            return
        }
        guard let eq = body.firstIndex(of: "=") else { return }
        let key = body[..<eq].trimmingCharacters(in: .whitespaces)
        let value = body[body.index(after: eq)...].trimmingCharacters(in: .whitespaces)
        let field = "\(tag): \(key)"
        let words = key.split(separator: " ").map(String.init)
        let device = words.first ?? ""
        switch tag {
        case "llm_load_print_meta", "print_info":
            switch key {
            case "model size", "file size":
                try s.d.figure("model_size_bytes", try size(value, field, ggmlUnits))
                if let paren = value.firstIndex(of: "(") {
                    let (num, unit) = splitUnit(String(value[value.index(after: paren)...]))
                    if unit == "BPW" { try s.d.figure("bits_per_weight", try number(num, "\(field) BPW")) }
                }
            case "model params": try s.d.figure("model_params", try paramCount(value, field))
            case "general.name": try s.d.model(value)
            case "model ftype", "file type": try s.d.setting("quantization", value)
            case "model type": try s.d.setting("model_type", value)
            case "arch": try s.d.setting("arch", value)
            case "n_ctx_train": try s.d.setting("n_ctx_train", value)
            default: break
            }
        case "llm_load_tensors", "load_tensors":
            // "CUDA0 buffer size" (old) / "CUDA0 model buffer size" (new): the weights on each device.
            guard words.count == 3 || (words.count == 4 && words[1] == "model"), key.hasSuffix(" buffer size") else { return }
            let b = try size(value, field, ggmlUnits)
            if isHost(device) {
                s.hostWeights += b
                s.found.insert("host")
            } else {
                guard s.weightDevices.insert(device).inserted else {
                    throw CoreError.invalidInput("mixed runs in one log: two '\(device) buffer size' lines of weights (two models loaded)")
                }
                s.gpuWeights += b
                s.found.insert("weights")
            }
        case "llama_new_context_with_model", "llama_context":
            if ["n_ctx", "n_batch", "n_ubatch", "flash_attn", "n_ctx_per_seq", "n_ctx_seq", "n_seq_max"].contains(key) {
                try s.d.setting(key, firstWord(value))
            } else if key == "KV self size" {
                s.kvSelf += try size(value, field, ggmlUnits)
                s.found.insert("kvSelf")
                try llamaKVTypes(value, &s.d)
            } else if key.hasSuffix(" compute buffer size"), words.count == 4 {
                let b = try size(value, field, ggmlUnits)
                if !isHost(device) {
                    s.compute += b
                    s.found.insert("compute")
                }
            } else if key.hasSuffix(" KV buffer size"), words.count == 4 {
                s.kvBuffers += try size(value, field, ggmlUnits)
                s.found.insert("kvBuffers")
            }
        default:  // llama_kv_cache_init / _unified / _iswa / llama_kv_cache
            if key.hasSuffix(" KV buffer size"), words.count == 4 {
                s.kvBuffers += try size(value, field, ggmlUnits)
                s.found.insert("kvBuffers")
            } else if key == "size" {
                s.kvSizes += try size(value, field, ggmlUnits)
                s.found.insert("kvSizes")
                try llamaKVTypes(value, &s.d)
            }
        }
    }

    /// A llama-server / llama-cli start-up log: model size and parameters, weights per device
    /// (summed over GPUs), KV cache (the per-device "KV buffer size" lines summed, else the
    /// "size =" / "KV self size" totals) and compute buffers.
    static func llamaLog(_ lines: [String]) throws -> [EngineRun] {
        var s = LlamaLog()
        for line in lines {
            guard let tb = llamaTagged(line) else { continue }
            try llamaLogLine(tb.tag, tb.body, &s)
        }
        if s.found.contains("weights") { try s.d.figure("weights_bytes", try boundedBytes(s.gpuWeights, "weights")) }
        if s.found.contains("host") { try s.d.figure("host_weights_bytes", try boundedBytes(s.hostWeights, "host weights")) }
        if s.found.contains("kvBuffers") {
            try s.d.figure("kv_cache_bytes", try boundedBytes(s.kvBuffers, "KV buffers"))
        } else if s.found.contains("kvSizes") {
            try s.d.figure("kv_cache_bytes", try boundedBytes(s.kvSizes, "KV cache size"))
        } else if s.found.contains("kvSelf") {
            try s.d.figure("kv_cache_bytes", try boundedBytes(s.kvSelf, "KV self size"))
        }
        if s.found.contains("compute") { try s.d.figure("compute_buffer_bytes", try boundedBytes(s.compute, "compute buffers")) }
        guard !s.d.run.figures.isEmpty else { return [] }
        let devices = try llamaDevices(lines)
        s.d.run.gpu = devices.name
        s.d.run.gpuCount = devices.count
        s.d.run.engineVersion = try llamaBuild(lines)
        return [s.d.run]
    }
}

// MARK: - vLLM start-up log

extension EngineOutputs {
    struct Ranked: Sendable {
        var rank: Int
        var value: Double
    }

    /// What one vLLM start-up says. Engine-wide figures (blocks, KV tokens, concurrency) must agree
    /// when printed twice; per-worker figures take the worker that binds: the smallest KV memory
    /// (vLLM takes the minimum over workers) and total memory, the largest usage.
    struct VLLMGroup {
        var agreed: [String: Double] = [:]
        var lowest: [String: Double] = [:]
        var highest: [String: Ranked] = [:]
        var settings: [String: String] = [:]
        var model: String? = nil
        var modelRank = 0
        var version: String? = nil
        var error: String? = nil
        /// The time stamp of the last capacity line: vLLM 0.8 prints one "GPU KV cache size" and
        /// "Maximum concurrency" per worker in one burst, and the engine runs with the smallest.
        var capacityStamp: String? = nil

        var hasFigures: Bool { !agreed.isEmpty || !lowest.isEmpty || !highest.isEmpty || error != nil }

        mutating func agree(_ key: String, _ v: Double, _ what: String) throws {
            if let old = agreed[key], old != v {
                throw CoreError.invalidInput("mixed runs in one log: \(what) \(EngineOutputs.show(old)) and \(EngineOutputs.show(v))")
            }
            agreed[key] = v
        }

        mutating func low(_ key: String, _ v: Double) {
            lowest[key] = Swift.min(lowest[key] ?? v, v)
        }

        /// `rank` orders the sources of one figure: 2 for "Loading model weights took 8.5107 GB",
        /// 1 for the profile's rounded "model weights take 8.51GiB".
        mutating func high(_ key: String, _ v: Double, rank: Int = 1) {
            if let old = highest[key], old.rank > rank || (old.rank == rank && old.value >= v) { return }
            highest[key] = Ranked(rank: rank, value: v)
        }

        mutating func put(_ key: String, _ value: String) throws {
            let v = value.trimmingCharacters(in: .whitespaces)
            guard !v.isEmpty else { return }
            try Limits.line("vllm-startup-log", key, v, Limits.optionValue)
            if let old = settings[key] {
                guard EngineOutputs.sameSetting(old, v) else { throw CoreError.invalidInput("mixed runs in one log: \(key) '\(old)' and '\(v)'") }
                return
            }
            settings[key] = v
        }

        /// `rank`: 3 the engine's config line, 2 "Starting to load model", 1 the command line.
        mutating func setModel(_ value: String, rank: Int) throws {
            let m = value.trimmingCharacters(in: .whitespaces)
            guard !m.isEmpty else { return }
            try Limits.line("vllm-startup-log", "model", m, Limits.name)
            if let old = model {
                if rank >= 2, modelRank >= 2, old != m { throw CoreError.invalidInput("mixed runs in one log: model '\(old)' and '\(m)'") }
                if rank <= modelRank { return }
            }
            model = m
            modelRank = rank
        }

        mutating func setVersion(_ value: String) throws {
            let v = value.trimmingCharacters(in: .whitespaces)
            guard !v.isEmpty else { return }
            try Limits.line("vllm-startup-log", "version", v, Limits.name)
            if let old = version, old != v { throw CoreError.invalidInput("mixed runs in one log: vLLM \(old) and \(v)") }
            version = v
        }

        /// The figures of a labelled run ("- This PR: # GPU blocks: 7351") over those every run shares.
        func overlaid(by o: VLLMGroup) -> VLLMGroup {
            var g = self
            g.agreed.merge(o.agreed) { _, new in new }
            g.lowest.merge(o.lowest) { _, new in new }
            g.highest.merge(o.highest) { _, new in new }
            g.settings.merge(o.settings) { _, new in new }
            if o.modelRank > g.modelRank, let m = o.model {
                g.model = m
                g.modelRank = o.modelRank
            }
            g.version = o.version ?? g.version
            g.error = o.error ?? g.error
            return g
        }
    }

    /// Profile lines, one "phrase value" per ";"-separated part: the merged V0 form ("model weights
    /// take 8.51GiB; non_torch_memory takes 0.26GiB; PyTorch activation peak memory takes 0.94GiB;
    /// the rest of the memory reserved for KV Cache is 2.18GiB.") and the multi-line form of the PR
    /// #10511 branch ("non_torch_memory     1.79GiB", "available_kv_cache_memory    53.29GiB").
    static let profilePhrases: [(String, String)] = [
        ("model weights take", "weights_bytes"),
        ("non_torch_memory takes", "non_torch_bytes"), ("non_torch_memory", "non_torch_bytes"),
        ("PyTorch activation peak memory takes", "activation_peak_bytes"), ("PyTorch activation peak memory", "activation_peak_bytes"),
        ("the rest of the memory reserved for KV Cache is", "kv_cache_bytes"), ("available_kv_cache_memory", "kv_cache_bytes"),
        ("total_gpu_memory", "total_gpu_memory_bytes"),
    ]
    /// The "Actual usage is 27.72 GiB for weight, 1.4 GiB for peak activation, ..." line (V1 ≥ 0.10.2).
    static let usageParts: [String: String] = [
        "weight": "weights_bytes", "peak activation": "activation_peak_bytes", "non-torch memory": "non_torch_bytes",
        "CUDAGraph memory": "cuda_graph_bytes",
    ]
    static let vllmErrorStarts = ["The model's max seq len (", "To serve at least one request with the model", "No available memory for the cache blocks"]
    /// Flags of `vllm serve` that take a value, by their underscore spelling.
    static let commandKeys: [String: String] = [
        "tensor_parallel_size": "tensor_parallel", "tp": "tensor_parallel", "pipeline_parallel_size": "pipeline_parallel",
        "pp": "pipeline_parallel", "max_model_len": "max_model_len",
        "max_model": "max_model_len",  // argparse accepts the prefix (ROCm blog: "--max_model 4096")
        "gpu_memory_utilization": "gpu_memory_utilization", "kv_cache_dtype": "kv_cache_dtype", "max_num_seqs": "max_num_seqs",
        "max_num_batched_tokens": "max_num_batched_tokens", "dtype": "dtype", "quantization": "quantization", "q": "quantization",
        "block_size": "block_size",
    ]

    /// The message of a log line: without "(VllmWorkerProcess pid=N) " and "INFO 12-13 19:54:18 worker.py:243] ".
    static func vllmBody(_ line: String) -> String {
        var t = Substring(line.trimmingCharacters(in: .whitespaces))
        if t.hasPrefix("("), let close = t.firstIndex(of: ")"), t[..<close].contains("pid=") {
            t = t[t.index(after: close)...].drop(while: { $0 == " " })
        }
        if t.hasPrefix(">> ") { t = t.dropFirst(3) }
        for level in ["INFO", "WARNING", "ERROR", "DEBUG"] where t.hasPrefix(level) {
            if let r = t.range(of: "] ") { t = t[r.upperBound...] }
            break
        }
        return String(t)
    }

    /// The whole number after `phrase` ("# GPU blocks: 1478, # CPU blocks: 2048" → 1478); nil when
    /// the phrase is absent or prose follows it.
    static func countAfter(_ line: String, _ phrase: String, _ field: String) throws -> Double? {
        guard let r = line.range(of: phrase) else { return nil }
        let word = firstWord(String(line[r.upperBound...]))
        guard numericStart(word) else { return nil }
        return try count(word, field)
    }

    static func sizeAfter(_ line: String, _ phrase: String, _ field: String) throws -> Double? {
        guard let r = line.range(of: phrase) else { return nil }
        let rest = String(line[r.upperBound...])
        guard numericStart(rest) else { return nil }
        return try size(rest, field, vllmUnits)
    }

    /// "INFO 04-21 00:36:08" of a vLLM log line, nil when it has none.
    static func vllmStamp(_ line: String) -> String? {
        for level in ["INFO ", "WARNING ", "DEBUG ", "ERROR "] {
            guard let r = line.range(of: level) else { continue }
            let stamp = line[r.upperBound...].prefix(14)
            guard stamp.count == 14, stamp.allSatisfy({ $0.isNumber || $0 == "-" || $0 == ":" || $0 == " " }) else { continue }
            return String(stamp)
        }
        return nil
    }

    static func vllmLogLine(_ line: String, _ g: inout VLLMGroup) throws {
        // The workers' capacity lines of one start-up share a time stamp: the smallest binds.
        let stamp = vllmStamp(line)
        func capacity(_ key: String, _ v: Double, _ what: String, first: Bool) throws {
            if let stamp, stamp == g.capacityStamp, let old = g.agreed[key], old != v {
                g.agreed[key] = Swift.min(old, v)
            } else {
                try g.agree(key, v, what)
            }
            if first { g.capacityStamp = stamp }
        }
        for phrase in ["GPU blocks:", "CUDA blocks:", "num_gpu_blocks is:"] {
            if let v = try countAfter(line, phrase, "gpu_blocks") { try g.agree("gpu_blocks", v, "# GPU blocks") }
        }
        if let r = line.range(of: "GPU KV cache size:") {
            let rest = String(line[r.upperBound...])
            if numericStart(rest) {
                let (num, unit) = splitUnit(rest)
                guard unit == "tokens" else { throw CoreError.invalidInput("kv_tokens: unknown unit '\(unit.prefix(16))' (expected tokens)") }
                try capacity("kv_tokens", try count(num, "kv_tokens"), "GPU KV cache size", first: true)
            }
        }
        if let r = line.range(of: "Maximum concurrency for ") {
            let rest = line[r.upperBound...]
            if let q = rest.range(of: " tokens per request:") {
                let n = rest[..<q.lowerBound].trimmingCharacters(in: .whitespaces)
                let x = bare(firstWord(String(rest[q.upperBound...])))
                if numericStart(n), !x.isEmpty {
                    let tokens = try count(n, "max_concurrency_tokens")
                    guard x.hasSuffix("x") else { throw CoreError.invalidInput("max_concurrency: '\(x.prefix(40))' is not a multiple such as 0.82x") }
                    try g.agree("max_concurrency_tokens", tokens, "maximum concurrency for")
                    try capacity("max_concurrency", try number(String(x.dropLast()), "max_concurrency"), "maximum concurrency", first: false)
                }
            }
        }
        for phrase in ["Loading model weights took ", "Model loading took "] {
            if let b = try sizeAfter(line, phrase, "weights_bytes") { g.high("weights_bytes", b, rank: 2) }
        }
        if let r = line.range(of: "Memory profiling results:") {
            // v0.6.4: "total_gpu_memory=23.58GiB initial_memory_usage=15.34GiB ... gpu_memory_utilization=0.90"
            for tok in line[r.upperBound...].split(whereSeparator: { $0 == " " || $0 == "," }) {
                guard let eq = tok.firstIndex(of: "=") else { continue }
                let k = String(tok[..<eq])
                let v = String(tok[tok.index(after: eq)...])
                guard !v.isEmpty else { continue }
                switch k {
                case "total_gpu_memory": g.low("total_gpu_memory_bytes", try size(v, k, vllmUnits))
                case "kv_cache_size": g.low("kv_cache_bytes", try size(v, k, vllmUnits))
                case "non_torch_memory": g.high("non_torch_bytes", try size(v, k, vllmUnits))
                // Includes the weights in this format; the activation peak alone is not printed.
                case "peak_torch_memory": g.high("peak_torch_bytes", try size(v, k, vllmUnits))
                case "gpu_memory_utilization": try g.put("gpu_memory_utilization", bare(v))
                default: continue
                }
            }
        }
        if let r = line.range(of: "can use total_gpu_memory (") {
            let inner = String(line[r.upperBound...].prefix(while: { $0 != ")" }))
            g.low("total_gpu_memory_bytes", try size(inner, "total_gpu_memory", vllmUnits))
            if let u = line.range(of: "gpu_memory_utilization (") {
                try g.put("gpu_memory_utilization", String(line[u.upperBound...].prefix(while: { $0 != ")" })))
            }
        }
        if let r = line.range(of: "Free memory on device (") {
            let inner = String(line[r.upperBound...].prefix(while: { $0 != ")" }))  // "43.93/44.42 GiB"
            if let slash = inner.firstIndex(of: "/") {
                g.low("total_gpu_memory_bytes", try size(String(inner[inner.index(after: slash)...]), "total_gpu_memory", vllmUnits))
            }
            if let u = line.range(of: "Desired GPU memory utilization is (") {
                try g.put("gpu_memory_utilization", String(line[u.upperBound...].prefix(while: { $0 != "," && $0 != ")" })))
            }
        }
        if let r = line.range(of: "Actual usage is ") {
            for part in line[r.upperBound...].components(separatedBy: ", ") {
                var p = part.trimmingCharacters(in: .whitespaces)
                if p.hasPrefix("and ") { p = String(p.dropFirst(4)) }
                guard let f = p.range(of: " for ") else { break }
                let amount = String(p[..<f.lowerBound])
                var what = String(p[f.upperBound...])
                if let stop = what.range(of: ". ") { what = String(what[..<stop.lowerBound]) }
                guard let key = usageParts[bare(what)], numericStart(amount) else { break }
                let b = try size(amount, key, vllmUnits)
                g.high(key, b)
            }
        }
        if let b = try sizeAfter(line, "Current kv cache memory in use is ", "kv_cache_in_use_bytes") { g.low("kv_cache_in_use_bytes", b) }
        if let b = try sizeAfter(line, "Available KV cache memory: ", "kv_cache_bytes") { g.low("kv_cache_bytes", b) }
        if line.contains("Graph capturing finished"), let b = try sizeAfter(line, ", took ", "cuda_graph_bytes") { g.high("cuda_graph_bytes", b) }
        if line.contains("Chunked prefill is enabled with"), let v = try countAfter(line, "max_num_batched_tokens=", "max_num_batched_tokens") {
            try g.put("max_num_batched_tokens", show(v))
        }
        if line.contains(" with config: "), line.contains("LLM engine") { try vllmConfigLine(line, &g) }
        if let r = line.range(of: "vLLM API server version ") { try g.setVersion(firstWord(String(line[r.upperBound...]))) }
        if let r = line.range(of: "Starting to load model ") {
            var m = firstWord(String(line[r.upperBound...]))
            while m.hasSuffix(".") { m.removeLast() }
            try g.setModel(m, rank: 2)
        }
        try vllmProfileParts(vllmBody(line), &g)
    }

    static func vllmProfileParts(_ body: String, _ g: inout VLLMGroup) throws {
        for part in body.split(separator: ";") {
            let p = part.trimmingCharacters(in: .whitespaces)
            if p.hasPrefix("gpu_memory_utilization ") {
                let v = firstWord(String(p.dropFirst("gpu_memory_utilization ".count)))
                if numericStart(v) { try g.put("gpu_memory_utilization", bare(v)) }
                continue
            }
            for (phrase, key) in profilePhrases where p.hasPrefix(phrase + " ") {
                let v = p.dropFirst(phrase.count).trimmingCharacters(in: .whitespaces)
                if numericStart(v) {
                    let b = try size(v, key, vllmUnits)
                    if key == "kv_cache_bytes" || key == "total_gpu_memory_bytes" {
                        g.low(key, b)
                    } else {
                        g.high(key, b)
                    }
                }
                break
            }
        }
    }

    /// `key=value` in the engine's "with config:" line: "model='facebook/opt-125m'", "max_seq_len=2048,".
    static func configValue(_ cfg: String, _ key: String) -> String? {
        var from = cfg.startIndex
        while let r = cfg.range(of: key + "=", range: from..<cfg.endIndex) {
            if r.lowerBound == cfg.startIndex || [" ", ",", "("].contains(cfg[cfg.index(before: r.lowerBound)]) {
                let rest = cfg[r.upperBound...]
                if rest.first == "'" {
                    let body = rest.dropFirst()
                    guard let end = body.firstIndex(of: "'") else { return nil }
                    return String(body[..<end])
                }
                let v = rest.prefix(while: { $0 != "," && $0 != ")" && $0 != " " })
                return v.isEmpty ? nil : String(v)
            }
            from = r.upperBound
        }
        return nil
    }

    /// "Initializing a V0 LLM engine (v0.7.2) with config: model='Qwen/Qwen2.5-1.5B-Instruct', ..."
    static func vllmConfigLine(_ line: String, _ g: inout VLLMGroup) throws {
        if let r = line.range(of: "engine (v") {
            let v = line[r.upperBound...].prefix(while: { $0 != ")" })
            if v.count < line[r.upperBound...].count { try g.setVersion(String(v)) }
        }
        guard let c = line.range(of: " with config: ") else { return }
        let cfg = String(line[c.upperBound...])
        if let m = configValue(cfg, "model") { try g.setModel(m, rank: 3) }
        let keys = [
            ("dtype", "dtype"), ("max_seq_len", "max_model_len"), ("tensor_parallel_size", "tensor_parallel"),
            ("pipeline_parallel_size", "pipeline_parallel"), ("quantization", "quantization"), ("kv_cache_dtype", "kv_cache_dtype"),
            ("enforce_eager", "enforce_eager"),
        ]
        for (k, s) in keys {
            if let v = configValue(cfg, k), v != "None" { try g.put(s, v) }
        }
    }

    static func isVLLMCommand(_ t: String) -> Bool {
        if t.hasPrefix("--") { return true }
        guard !t.contains("] ") else { return false }  // a log record, not a command
        return ["vllm serve", "vllm bench", "benchmark_throughput.py", "benchmark_latency.py", "benchmark_serving.py"].contains { t.contains($0) }
    }

    /// Settings and the model from a command line (`vllm serve MODEL --flag value`, `--model X`);
    /// they only fill what the log itself does not say.
    static func vllmCommand(_ t: String, _ cmd: inout [String: String], _ model: inout String?) throws {
        let quotes: Set<Character> = ["\"", "'", "`", "\u{201C}", "\u{201D}"]
        let words = t.split(separator: " ").map { w -> String in
            var s = Substring(w)
            while let f = s.first, quotes.contains(f) { s = s.dropFirst() }
            while let l = s.last, quotes.contains(l) { s = s.dropLast() }
            return String(s)
        }.filter { !$0.isEmpty && $0 != "\\" }
        var afterServe = false
        var i = 0
        while i < words.count {
            let w = words[i]
            if w == "serve", i > 0, words[i - 1].hasSuffix("vllm") {
                afterServe = true
                i += 1
                continue
            }
            if w.hasPrefix("-"), w.count > 1 {
                var name = String(w.drop(while: { $0 == "-" }))
                var value: String? = nil
                if let eq = name.firstIndex(of: "=") {
                    value = String(name[name.index(after: eq)...])
                    name = String(name[..<eq])
                }
                name = name.replacingOccurrences(of: "-", with: "_")
                let flag = name.hasPrefix("enable") || name.hasPrefix("disable") || name.hasPrefix("no_")
                    || ["trust_remote_code", "enforce_eager", "async_engine"].contains(name)
                if value == nil, !flag, i + 1 < words.count, !words[i + 1].hasPrefix("-") {
                    value = words[i + 1]
                    i += 1
                }
                if let v = value, !v.isEmpty {
                    if name == "model" {
                        try Limits.line("vllm command line", "model", v, Limits.name)
                        if model == nil { model = v }
                    } else if let key = commandKeys[name] {
                        try Limits.line("vllm command line", key, v, Limits.optionValue)
                        if cmd[key] == nil { cmd[key] = v }
                    }
                }
                i += 1
                continue
            }
            if afterServe {
                try Limits.line("vllm command line", "model", w, Limits.name)
                if model == nil { model = w }
                afterServe = false
            }
            i += 1
        }
    }

    /// The KV-cache error starting on line `i` with the lines it wraps onto, on one line, and the
    /// index of the line after it.
    static func vllmErrorMessage(_ lines: [String], _ i: Int) -> (message: String, next: Int)? {
        let line = lines[i]
        guard let start = vllmErrorStarts.compactMap({ line.range(of: $0)?.lowerBound }).min() else { return nil }
        var msg = line[start...].trimmingCharacters(in: .whitespaces)
        var j = i + 1
        while j < lines.count, j - i <= 8, msg.utf8.count < 4000 {
            let next = lines[j].trimmingCharacters(in: .whitespaces)
            guard let f = next.first else { break }
            let continues = next.hasPrefix("Based on the available memory") || next.hasPrefix("Try increasing") || next.hasPrefix("See https")
                || (!msg.hasSuffix(".") && (isDigit(f) || f.isLowercase))
            guard continues else { break }
            msg += " " + next
            j += 1
        }
        var one = msg.split(separator: " ").joined(separator: " ")
        while one.hasPrefix("`") { one.removeFirst() }
        while one.hasSuffix("`") { one.removeLast() }
        return (String(one.prefix(1000)), j)
    }

    /// V0: "The model's max seq len (X) is larger than the maximum number of tokens that can be stored
    /// in KV cache (Y)"; V1: "To serve at least one request with the models's max seq len (X), (A GiB
    /// KV cache is needed, which is larger than the available KV cache memory (B GiB). [Based on the
    /// available memory, the estimated maximum model length is N.]"
    static func vllmError(_ msg: String, _ g: inout VLLMGroup) throws {
        if g.error == nil { g.error = msg }
        if let v = parenthesised(msg, after: "max seq len (") {
            try g.put("max_model_len", show(try count(v, "max_model_len")))
        }
        if let v = parenthesised(msg, after: "stored in KV cache (") {
            try g.agree("kv_tokens", try count(v, "kv_tokens"), "KV cache tokens")
        }
        if let r = msg.range(of: " KV cache is needed") {
            let words = msg[..<r.lowerBound].split(separator: " ")
            if words.count >= 2 {
                let amount = String(words[words.count - 2]) + " " + String(words[words.count - 1])
                if numericStart(amount) { try g.agree("kv_needed_bytes", try size(amount, "kv_needed_bytes", vllmUnits), "KV cache needed") }
            }
        }
        if let v = parenthesised(msg, after: "available KV cache memory ("), numericStart(v) {
            g.low("kv_cache_bytes", try size(v, "kv_cache_bytes", vllmUnits))
        }
        if let r = msg.range(of: "estimated maximum model length is ") {
            let w = firstWord(String(msg[r.upperBound...]))
            if numericStart(w) {
                try g.agree("estimated_max_model_len_tokens", try count(w, "estimated_max_model_len_tokens"), "estimated maximum model length")
            }
        }
    }

    /// "Current main" from "- Current main: # GPU blocks: 7449": a markdown list item naming the
    /// run its figures belong to (a PR's before/after comparison).
    static func bulletLabel(_ t: String) -> String? {
        guard t.hasPrefix("- ") || t.hasPrefix("* ") else { return nil }
        let rest = t.dropFirst(2)
        guard let c = rest.range(of: ": ") else { return nil }
        let label = bare(String(rest[..<c.lowerBound])).trimmingCharacters(in: .whitespaces)
        let lower = label.lowercased()
        guard !label.isEmpty, label.count <= 60, !label.contains("#"), !label.contains("="),
              !["blocks", "kv cache", "concurrency", "memory", "weights", "took", "loading"].contains(where: { lower.contains($0) })
        else { return nil }
        return label
    }

    static func vllmRun(_ g: VLLMGroup, label: String?, cmd: [String: String], cmdModel: String?) throws -> EngineRun {
        var settings = g.settings
        for (k, v) in cmd where settings[k] == nil { settings[k] = v }
        if let label {
            try Limits.line("vllm-startup-log", "label", label, Limits.name)
            settings["label"] = label
        }
        var figures = g.agreed
        for (k, v) in g.lowest { figures[k] = v }
        for (k, v) in g.highest { figures[k] = v.value }
        return EngineRun(engine: "vllm", kind: .startup, format: "vllm-startup-log", engineVersion: g.version, model: g.model ?? cmdModel,
                         gpuCount: gpuCount(settings), settings: settings, figures: figures, error: g.error)
    }

    /// A vLLM start-up log (any version 0.2 … 0.2x, V0 or V1): weights, the memory profile, KV
    /// blocks / tokens, maximum concurrency, CUDA graphs, and the KV-too-small errors. Two
    /// different values of one engine-wide figure are two runs: refused.
    static func vllmStartup(_ lines: [String]) throws -> [EngineRun] {
        var main = VLLMGroup()
        var groups: [String: VLLMGroup] = [:]
        var order: [String] = []
        var cmd: [String: String] = [:]
        var cmdModel: String? = nil
        var continued = false
        var i = 0
        while i < lines.count {
            let t = lines[i].trimmingCharacters(in: .whitespaces)
            if continued || isVLLMCommand(t) {
                try vllmCommand(t, &cmd, &cmdModel)
                continued = t.hasSuffix("\\")
                i += 1
                continue
            }
            if let e = vllmErrorMessage(lines, i) {
                try vllmError(e.message, &main)
                i = e.next
                continue
            }
            if let label = bulletLabel(t) {
                var g = groups[label] ?? VLLMGroup()
                try vllmLogLine(t, &g)
                if g.hasFigures {
                    if groups[label] == nil { order.append(label) }
                    groups[label] = g
                }
            } else {
                try vllmLogLine(t, &main)
            }
            i += 1
        }
        let labelled = order.compactMap { k in groups[k].map { (k, $0) } }
        if labelled.isEmpty {
            guard main.hasFigures else { return [] }
            return [try vllmRun(main, label: nil, cmd: cmd, cmdModel: cmdModel)]
        }
        var out: [EngineRun] = []
        for (k, g) in labelled { out.append(try vllmRun(main.overlaid(by: g), label: k, cmd: cmd, cmdModel: cmdModel)) }
        return out
    }
}
