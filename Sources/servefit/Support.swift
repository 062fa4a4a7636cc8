import ArgumentParser
import Foundation
import ServefitCore
import ServefitFiles
import ServefitHub
import ServefitStore

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, json, csv
}

/// Options every command that touches the catalog shares.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Catalog database file (env SERVEFIT_DB).", valueName: "path"))
    var db: String?

    var databasePath: String {
        if let db { return db }
        if let env = ProcessInfo.processInfo.environment["SERVEFIT_DB"], !env.isEmpty { return env }
        return CLI.defaultDatabasePath()
    }

    func open() throws -> CatalogStore { try CatalogStore.open(path: databasePath) }
}

/// What a command that changes the catalog takes besides: who is changing it, for the change
/// log. Read commands do not offer `--actor`.
struct WriteOptions: ParsableArguments {
    @OptionGroup var store: GlobalOptions

    @Option(name: .long, help: "Who is making this change, for the change log (env SERVEFIT_ACTOR; default: your OS user).")
    var actor: String?

    var databasePath: String { store.databasePath }
    func open() throws -> CatalogStore { try store.open() }

    var who: String {
        if let actor, !actor.isEmpty { return actor }
        let env = ProcessInfo.processInfo.environment
        if let a = env["SERVEFIT_ACTOR"], !a.isEmpty { return a }
        return env["USER"] ?? env["LOGNAME"] ?? NSUserName()
    }
}

/// Shell completion from the catalog (`servefit --generate-completion-script bash|zsh|fish`):
/// model and GPU slugs (and Hugging Face ids) of the database the words typed so far name
/// (--db, else SERVEFIT_DB, else the default). Nothing when it cannot be read; never creates it.
enum Completions {
    static func catalog(_ words: [String]) -> CatalogStore? {
        var path: String?
        if let i = words.firstIndex(of: "--db"), i + 1 < words.count { path = words[i + 1] }
        if path == nil, let w = words.first(where: { $0.hasPrefix("--db=") }) { path = String(w.dropFirst(5)) }
        if path == nil, let env = ProcessInfo.processInfo.environment["SERVEFIT_DB"], !env.isEmpty { path = env }
        return try? CatalogStore.openExisting(path: path ?? CLI.defaultDatabasePath())
    }

    static func matching(_ names: [String], _ prefix: String) -> [String] {
        // A comma list (compare --model a,b; rank --gpu x,y) completes its last item.
        let head = prefix.contains(",") ? String(prefix[...prefix.lastIndex(of: ",")!]) : ""
        let last = String(prefix.dropFirst(head.count)).lowercased()
        return names.filter { $0.lowercased().hasPrefix(last) }.sorted().map { head + $0 }
    }

    static let models = CompletionKind.custom { words, _, prefix in
        guard let s = catalog(words), let ms = try? s.models() else { return [] }
        return matching(ms.map(\.slug) + ms.compactMap(\.hfRepo), prefix)
    }
    static let gpus = CompletionKind.custom { words, _, prefix in
        guard let s = catalog(words), let gs = try? s.gpus() else { return [] }
        return matching(gs.map(\.slug), prefix)
    }
}

struct FormatOption: ParsableArguments {
    @Option(name: .long, help: "Output format: table, json or csv.")
    var format: OutputFormat = .table
}

enum CLI {
    static func defaultDatabasePath() -> String {
        let env = ProcessInfo.processInfo.environment
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? (NSHomeDirectory() + "/.local/share")
        return base + "/servefit/catalog.sqlite"
    }

    /// Runs a command body, printing errors as one line and exiting with sysexits codes:
    /// 64 usage, 65 bad data, 66 missing input, 70 internal.
    static func run(_ body: () throws -> Void) throws {
        do {
            try body()
        } catch let e as ExitCode {
            throw e
        } catch let e as CoreError {
            switch e {
            case .unknownName, .badOption: fail(e.description, code: 64)
            default: fail(e.description, code: 65)
            }
        } catch let e as StoreError {
            switch e {
            case .notFound, .unavailable: fail(e.description, code: 66)
            case .unreadable(let m) where m.contains("read-only") || m.contains("disk is full"): fail(e.description, code: 70)
            default: fail(e.description, code: 65)
            }
        } catch let e as CLIError {
            fail(e.message, code: e.code)
        } catch let e as FileError {
            fail(e.description, code: 66)
        } catch let e as HubError {
            // What the Hub sent is bad data (65); not there, not allowed or not reachable is missing input (66).
            if case .badResponse = e { fail(e.description, code: 65) }
            fail(e.description, code: 66)
        } catch let e as CocoaError where e.code == .fileReadNoSuchFile || e.code == .fileNoSuchFile {
            fail("no such file: \(e.userInfo[NSFilePathErrorKey] ?? "")", code: 66)
        } catch {
            fail("internal error: \(error)", code: 70)
        }
    }

    static func fail(_ message: String, code: Int32) -> Never {
        FileHandle.standardError.write(Data("servefit: error: \(message)\n".utf8))
        exit(code)
    }

    static func readFile(_ path: String) throws -> Data {
        guard FileManager.default.fileExists(atPath: path) else { throw CLIError(message: "no such file: \(path)", code: 66) }
        guard let d = FileManager.default.contents(atPath: path) else { throw CLIError(message: "cannot read \(path)", code: 66) }
        return d
    }

    static func printJSON<T: Encodable>(_ v: T) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try e.encode(v), as: UTF8.self))
    }

    static func printTable(_ headers: [String], _ rows: [[String]], format: OutputFormat) {
        if format == .csv {
            print(headers.map(csvField).joined(separator: ","))
            for r in rows { print(r.map(csvField).joined(separator: ",")) }
            return
        }
        var widths = headers.map(\.count)
        for r in rows { for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], c.count) } }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { i, c in c.padding(toLength: widths[i], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }
        print(line(headers))
        print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "  "))
        for r in rows { print(line(r)) }
    }

    /// CSV of what the JSON form prints: one header row of the JSON keys (nested objects
    /// flattened as parent_child, lists as JSON text), bare values in the JSON's units, RFC 4180
    /// quoting. `columns` picks and orders keys; a key a row lacks is an empty cell.
    /// `leading` puts those keys first (the ones a reader looks for), the rest follow sorted.
    static func printCSV<T: Encodable>(_ rows: [T], columns: [String]? = nil, leading: [String] = []) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let objects = try JSONSerialization.jsonObject(with: encoder.encode(rows)) as? [Any] ?? []
        printCSV(objects: objects.map { $0 as? [String: Any] ?? [:] }, columns: columns, leading: leading)
    }

    static func printCSV(objects: [[String: Any]], columns: [String]? = nil, leading: [String] = []) {
        let flat = objects.map { flatten($0) }
        let all = Set(flat.flatMap(\.keys))
        let first = leading.filter(all.contains)
        let columns = columns ?? first + all.subtracting(first).sorted()
        print(columns.map(csvField).joined(separator: ","))
        for o in flat { print(columns.map { csvField(o[$0] ?? "") }.joined(separator: ",")) }
    }

    /// A JSON object as flat text cells: {"tflops": {"bf16": 125}} → ["tflops_bf16": "125"].
    static func flatten(_ o: [String: Any], prefix: String = "") -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in o {
            let key = prefix.isEmpty ? k : prefix + "_" + k
            if let nested = v as? [String: Any] {
                out.merge(flatten(nested, prefix: key)) { a, _ in a }
            } else if let s = v as? String {
                out[key] = s
            } else if v is NSNull {
                out[key] = ""
            } else if let b = v as? Bool, !(v is Int) || "\(type(of: v))".contains("Bool") {
                out[key] = b ? "true" : "false"
            } else if let i = v as? Int {
                out[key] = String(i)
            } else if let d = v as? Double {
                out[key] = d.isFinite ? String(d) : ""  // the shortest text that reads back as the same number
            } else if let data = try? JSONSerialization.data(withJSONObject: [v], options: [.sortedKeys, .withoutEscapingSlashes]),
                      let text = String(data: data, encoding: .utf8) {
                out[key] = String(text.dropFirst().dropLast())  // the value inside [ … ]
            }
        }
        return out
    }

    static func csvField(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    static func num(_ x: Double?, _ digits: Int = 1) -> String { x.map { Units.format($0, digits) } ?? "-" }
    static func params(_ n: Int64) -> String {
        n >= 1_000_000_000 ? Units.format(Double(n) / 1e9, 2) + "B" : Units.format(Double(n) / 1e6, 1) + "M"
    }
}

struct CLIError: Error {
    var message: String
    var code: Int32 = 65
}

/// Parses "1024,4096" into integers (for sweeps) with a clear error.
func parseIntList(_ s: String, name: String) throws -> [Int] {
    let parts = s.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
    if parts.count > 256 { throw CLIError(message: "\(name) lists \(parts.count) values (limit 256)", code: 64) }
    var out: [Int] = []
    for p in parts {
        guard let v = Units.parseInt(p), v > 0, v <= 16_777_216 else {
            throw CLIError(message: "\(name) must be positive whole numbers, comma-separated (got '\(p)')", code: 64)
        }
        out.append(v)
    }
    if out.isEmpty { throw CLIError(message: "\(name) is empty", code: 64) }
    return out
}

/// A number option read by servefit's one number grammar (`Numbers.decimal`): "0x10", "1e-320",
/// "inf" or "2 4" are usage errors, not 16, a subnormal, infinity or 24.
struct StrictNumber: ExpressibleByArgument, Sendable {
    var value: Double
    init?(argument: String) {
        guard let v = Numbers.decimal(argument.trimmingCharacters(in: .whitespaces)) else { return nil }
        value = v
    }
    init(_ value: Double) { self.value = value }
    var defaultValueDescription: String { String(value) }
    static var defaultCompletionKind: CompletionKind { .default }
}

/// A whole-number option in servefit's grammar: digits, optionally with k (×1024) or M; no
/// sign, no hex ("+5", "0x10" and "5.5" are usage errors).
struct WholeNumber: ExpressibleByArgument, Sendable {
    var value: Int
    init?(argument: String) {
        guard let v = Units.parseInt(argument) else { return nil }
        value = v
    }
    init(_ value: Int) { self.value = value }
    var defaultValueDescription: String { String(value) }
}
