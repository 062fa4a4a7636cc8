/// A strict JSON parser for headers written by strangers: it keeps object keys in order so
/// duplicates can be refused (Foundation's parser keeps the last one silently), limits nesting
/// depth, and reports the byte offset of the first error. Input must be valid UTF-8.
public indirect enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    /// The number's text as written, so integers of any size are read exactly.
    case number(String)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool {
        switch (a, b) {
        case (.object(let x), .object(let y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case (.array(let x), .array(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.number(let x), .number(let y)): return x == y
        case (.bool(let x), .bool(let y)): return x == y
        case (.null, .null): return true
        default: return false
        }
    }

    public subscript(_ key: String) -> JSONValue? {
        if case .object(let pairs) = self { return pairs.first { $0.0 == key }?.1 }
        return nil
    }
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    public var pairs: [(String, JSONValue)]? { if case .object(let p) = self { return p }; return nil }
    /// A non-negative integer that fits Int64, or nil.
    public var int64: Int64? {
        guard case .number(let s) = self, !s.isEmpty, s.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(s)
    }
}

public enum StrictJSON {
    public static let maxDepth = 64

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        guard validUTF8(bytes) else {
            throw CoreError.invalidInput("header is not valid UTF-8")
        }
        var p = Parser(b: bytes)
        p.skipSpace()
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.i == bytes.count else { throw p.fail("unexpected text after the JSON value") }
        return v
    }

    static func validUTF8(_ bytes: [UInt8]) -> Bool {
        var it = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&it) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    struct Parser {
        let b: [UInt8]
        var i = 0

        func fail(_ m: String) -> CoreError { CoreError.invalidInput("invalid JSON at byte \(i): \(m)") }

        mutating func skipSpace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 }
        }

        mutating func value(depth: Int) throws -> JSONValue {
            guard depth <= StrictJSON.maxDepth else { throw fail("nested deeper than \(StrictJSON.maxDepth) levels") }
            guard i < b.count else { throw fail("unexpected end") }
            switch b[i] {
            case UInt8(ascii: "{"):
                i += 1
                var pairs: [(String, JSONValue)] = []
                var seen = Set<String>()
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                while true {
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
                    let k = try string()
                    if !seen.insert(k).inserted { throw CoreError.invalidInput("duplicate key '\(k.prefix(200))'") }
                    skipSpace()
                    guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                    i += 1
                    skipSpace()
                    pairs.append((k, try value(depth: depth + 1)))
                    skipSpace()
                    guard i < b.count else { throw fail("unexpected end in object") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "}") { i += 1; return .object(pairs) }
                    throw fail("expected ',' or '}'")
                }
            case UInt8(ascii: "["):
                i += 1
                var items: [JSONValue] = []
                skipSpace()
                if i < b.count, b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                while true {
                    skipSpace()
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard i < b.count else { throw fail("unexpected end in array") }
                    if b[i] == UInt8(ascii: ",") { i += 1; continue }
                    if b[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                    throw fail("expected ',' or ']'")
                }
            case UInt8(ascii: "\""):
                return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default:
                return .number(try number())
            }
        }

        mutating func literal(_ word: String) throws {
            let w = Array(word.utf8)
            guard i + w.count <= b.count, Array(b[i..<(i + w.count)]) == w else { throw fail("unknown literal") }
            i += w.count
        }

        mutating func number() throws -> String {
            let start = i
            if i < b.count, b[i] == UInt8(ascii: "-") { i += 1 }
            var digits = 0
            while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1; digits += 1 }
            guard digits > 0 else { throw fail("expected a value") }
            if i < b.count, b[i] == UInt8(ascii: ".") {
                i += 1
                var frac = 0
                while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1; frac += 1 }
                guard frac > 0 else { throw fail("bad number") }
            }
            if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
                i += 1
                if i < b.count, b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") { i += 1 }
                var exp = 0
                while i < b.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(b[i]) { i += 1; exp += 1 }
                guard exp > 0 else { throw fail("bad exponent") }
            }
            guard i - start <= 400 else { throw fail("number too long") }
            return String(decoding: b[start..<i], as: UTF8.self)
        }

        mutating func string() throws -> String {
            i += 1  // opening quote
            var out: [UInt8] = []
            while true {
                guard i < b.count else { throw fail("unterminated string") }
                let c = b[i]
                if c == UInt8(ascii: "\"") { i += 1; break }
                if c < 0x20 { throw fail("control character in string") }
                if c == UInt8(ascii: "\\") {
                    i += 1
                    guard i < b.count else { throw fail("unterminated escape") }
                    switch b[i] {
                    case UInt8(ascii: "\""): out.append(0x22)
                    case UInt8(ascii: "\\"): out.append(0x5C)
                    case UInt8(ascii: "/"): out.append(0x2F)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800...0xDBFF).contains(scalar) {
                            guard i + 2 < b.count, b[i + 1] == UInt8(ascii: "\\"), b[i + 2] == UInt8(ascii: "u") else { throw fail("lone surrogate") }
                            i += 2
                            let low = try hex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw fail("bad surrogate pair") }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else if (0xDC00...0xDFFF).contains(scalar) {
                            throw fail("lone surrogate")
                        }
                        guard let u = Unicode.Scalar(scalar) else { throw fail("bad escape") }
                        out.append(contentsOf: Array(String(Character(u)).utf8))
                    default: throw fail("bad escape")
                    }
                    i += 1
                    continue
                }
                out.append(c)
                i += 1
            }
            return String(decoding: out, as: UTF8.self)
        }

        /// Reads XXXX after "\u"; leaves `i` on the last hex digit.
        mutating func hex4() throws -> UInt32 {
            guard i + 4 < b.count else { throw fail("short \\u escape") }
            var v: UInt32 = 0
            for k in 1...4 {
                let c = b[i + k]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
                default: throw fail("bad \\u escape")
                }
                v = v << 4 | d
            }
            i += 4
            return v
        }
    }
}

/// "Did you mean …": the closest names by edit distance, case-insensitive.
public enum Suggest {
    /// Levenshtein distance over lower-cased characters (inputs past 128 characters are cut).
    public static func distance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased().prefix(128)), y = Array(b.lowercased().prefix(128))
        if x.isEmpty { return y.count }
        if y.isEmpty { return x.count }
        var prev = Array(0...y.count), cur = [Int](repeating: 0, count: y.count + 1)
        for i in 1...x.count {
            cur[0] = i
            for j in 1...y.count {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            swap(&prev, &cur)
        }
        return prev[y.count]
    }

    /// Up to `limit` candidates close enough to be what was meant: within a third of the name's
    /// length (at least 2 edits), or containing it / contained in it.
    public static func closest(_ name: String, in candidates: [String], limit: Int = 3) -> [String] {
        let n = name.lowercased()
        let budget = max(2, n.count / 3)
        let scored = candidates.compactMap { c -> (Int, String)? in
            let l = c.lowercased()
            if l == n { return (0, c) }
            // A name the user typed the start of (h100 → h100-sxm), or abbreviated, is nearer than an edit away.
            if n.count >= 3, l.hasPrefix(n) || isSubsequence(n, of: l) { return (1, c) }
            let d = distance(n, l)
            if d <= budget { return (d, c) }
            if n.count >= 3, l.contains(n) || n.contains(l) { return (budget + 1, c) }
            return nil
        }
        var seen = Set<String>()
        return scored.sorted { ($0.0, $0.1.count, $0.1) < ($1.0, $1.1.count, $1.1) }.map(\.1).filter { seen.insert($0).inserted }.prefix(limit).map { $0 }
    }

    /// Every character of `a` in `b`, in order: an abbreviation (q4km → q4_k_m, contxt → context).
    static func isSubsequence(_ a: String, of b: String) -> Bool {
        var it = b.makeIterator()
        return a.allSatisfy { ch in while let x = it.next() { if x == ch { return true } }; return false }
    }

    /// " (did you mean a, b?)" or "".
    public static func hint(_ name: String, in candidates: [String]) -> String {
        let c = closest(name, in: candidates)
        return c.isEmpty ? "" : " (did you mean \(c.joined(separator: ", "))?)"
    }
}

public enum KeyStyle: Sendable { case snake, kebab }

extension JSONValue {
    /// The object with its top-level keys spelled in `style` (`kv-cache` and `kv_cache` are one
    /// key); a key not in `known` (after `ignored`, read-only keys of a response that may be sent
    /// back) is refused naming the closest known key; a key given twice in two spellings too.
    public func normalizingKeys(known: [String], ignored: Set<String> = [], style: KeyStyle, what: String) throws -> JSONValue {
        guard case .object(let pairs) = self else { throw CoreError.invalidInput("\(what) must be a JSON object") }
        func spell(_ k: String) -> String {
            style == .snake ? k.replacingOccurrences(of: "-", with: "_") : k.replacingOccurrences(of: "_", with: "-")
        }
        var out: [(String, JSONValue)] = []
        var seen = Set<String>()
        for (k, v) in pairs {
            let key = spell(k)
            if ignored.contains(key) { continue }
            guard known.contains(key) else {
                throw CoreError.badOption("unknown field '\(k.prefix(64))' in \(what)" + Suggest.hint(key, in: known))
            }
            guard seen.insert(key).inserted else { throw CoreError.badOption("field '\(key)' is given twice in \(what)") }
            out.append((key, v))
        }
        return .object(out)
    }

    /// The value written back as JSON text.
    public var jsonText: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n
        case .string(let s): return JSONValue.quote(s)
        case .array(let a): return "[" + a.map(\.jsonText).joined(separator: ",") + "]"
        case .object(let p): return "{" + p.map { JSONValue.quote($0.0) + ":" + $0.1.jsonText }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 { out += "\\u" + String(repeating: "0", count: 4 - String(u.value, radix: 16).count) + String(u.value, radix: 16) }
                else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
