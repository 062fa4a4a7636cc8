/// The one number grammar of every face (CLI options, query parameters, JSON strings, stored
/// scenarios): decimal digits, an optional fraction and an optional exponent, then a documented
/// suffix. No signs, no spaces inside, no hex, no infinities or NaN, no subnormals.
public enum Numbers {
    /// The largest magnitude any parsed number may have; far past every documented range, and
    /// small enough that every conversion to Int64 downstream is exact and safe.
    public static let limit = 1e15

    /// "12", "0.5", "1e3", "2.5E-2" → Double; nil for anything else.
    public static func decimal<S: StringProtocol>(_ text: S) -> Double? {
        let u = Array(text.utf8)
        guard !u.isEmpty, u.count <= 64 else { return nil }
        var i = 0
        func digits() -> Int { let s = i; while i < u.count, u[i] >= 0x30, u[i] <= 0x39 { i += 1 }; return i - s }
        guard digits() > 0 else { return nil }
        if i < u.count, u[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { return nil }
        }
        if i < u.count, u[i] == UInt8(ascii: "e") || u[i] == UInt8(ascii: "E") {
            i += 1
            if i < u.count, u[i] == UInt8(ascii: "+") || u[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { return nil }
        }
        guard i == u.count, let v = Double(String(decoding: u, as: UTF8.self)), v.isFinite else { return nil }
        guard v == 0 || v.isNormal, v <= limit else { return nil }
        return v
    }

    /// Splits "24GiB" into ("24", "gib"): the number part and the lower-cased suffix.
    static func split(_ text: String) -> (Substring, String)? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.utf8.count <= 64 else { return nil }
        var end = t.endIndex
        while end > t.startIndex, let c = t[t.index(before: end)].unicodeScalars.first, t[t.index(before: end)].isASCII,
              CharacterSetLetters.contains(c) { end = t.index(before: end) }
        return (t[t.startIndex..<end], t[end...].lowercased())
    }

    /// A number in [lo, hi] with no suffix; `what` names it in the error.
    public static func parse(_ text: String, _ what: String, _ lo: Double, _ hi: Double, loOpen: Bool = false) throws -> Double {
        guard let v = decimal(text.trimmingCharacters(in: .whitespaces)), loOpen ? v > lo : v >= lo, v <= hi else {
            throw CoreError.badOption("\(what) must be a decimal number \(loOpen ? "above" : "from") \(Units.format(lo, lo < 1 && lo > 0 ? 4 : 2)) \(loOpen ? "and at most" : "to") \(Units.format(hi, 2)) (got '\(text.prefix(64))')")
        }
        return v
    }
}

enum CharacterSetLetters {
    static func contains(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }
}

/// Byte sizes: servefit keeps bytes as integers internally and names the unit when printing.
public enum Units {
    public static let KiB: Int64 = 1 << 10
    public static let MiB: Int64 = 1 << 20
    public static let GiB: Int64 = 1 << 30
    public static let GB: Int64 = 1_000_000_000

    /// "12.34 GiB"
    public static func gib(_ bytes: Int64, digits: Int = 2) -> String {
        format(Double(bytes) / Double(GiB), digits) + " GiB"
    }
    /// "13.25 GB" (decimal)
    public static func gb(_ bytes: Int64, digits: Int = 2) -> String {
        format(Double(bytes) / Double(GB), digits) + " GB"
    }
    /// Human size picking MiB below 1 GiB.
    public static func human(_ bytes: Int64) -> String {
        if abs(bytes) < GiB { return format(Double(bytes) / Double(MiB), 1) + " MiB" }
        return gib(bytes)
    }

    public static func format(_ x: Double, _ digits: Int) -> String {
        guard x.isFinite else { return String(x) }
        let d = min(max(0, digits), 9)
        var p = 1.0
        for _ in 0..<d { p *= 10 }
        // Past 2^53 a Double holds no fraction and Int64 may not hold it: print it in exponent form.
        guard abs(x) * p < 9.0e15 else { return String(format: "%.\(min(d, 3))e", x) }
        let r = (abs(x) * p).rounded() / p
        let whole = r.rounded(.down)
        var s = String(Int64(whole))
        if d > 0 {
            var f = String(Int64(((r - whole) * p).rounded()))
            while f.count < d { f = "0" + f }
            s += "." + f
        }
        return (x < 0 && r != 0 ? "-" : "") + s
    }

    /// The largest byte count any input may name (4 EiB): sums of a few stay inside Int64.
    public static let maxBytes: Double = 4.0e18

    /// Parses "80GiB", "24GB", "24g", "1.5TiB", "81559MiB", or a bare byte count (no spaces inside).
    public static func parseBytes(_ text: String) throws -> Int64 {
        let units: [String: Double] = [
            "tib": 1099511627776, "gib": 1073741824, "mib": 1048576, "kib": 1024,
            "tb": 1e12, "gb": 1e9, "mb": 1e6, "kb": 1e3, "t": 1e12, "g": 1e9, "m": 1e6, "k": 1e3, "b": 1, "": 1,
        ]
        guard let (num, suffix) = Numbers.split(text), let mult = units[suffix], let v = Numbers.decimal(num) else {
            throw CoreError.invalidInput("cannot read '\(text.prefix(64))' as a size (examples: 80GiB, 24GB, 81559MiB)")
        }
        let bytes = v * mult
        guard bytes <= maxBytes else { throw CoreError.invalidInput("size '\(text.prefix(64))' is too large") }
        return Int64(bytes.rounded())
    }

    /// Parses a count such as "7B", "70b", "1.5M", "560000000".
    public static func parseCount(_ text: String) throws -> Int64 {
        let units: [String: Double] = ["": 1, "k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12]
        guard let (num, suffix) = Numbers.split(text), let mult = units[suffix], let v = Numbers.decimal(num), v * mult <= maxBytes else {
            throw CoreError.invalidInput("cannot read '\(text.prefix(64))' as a count (examples: 7B, 560M, 1000000)")
        }
        return Int64((v * mult).rounded())
    }

    /// A whole token count: "4096", "4k" (= 4096), "128k", "1M" (= 1,048,576), "1e3".
    public static func parseInt(_ text: String) -> Int? {
        let units: [String: Double] = ["": 1, "k": 1024, "m": 1_048_576]
        guard let (num, suffix) = Numbers.split(text), let mult = units[suffix], let v = Numbers.decimal(num) else { return nil }
        let x = v * mult
        guard x == x.rounded(), x <= 1e15 else { return nil }
        return Int(x)
    }

    /// The longest duration any option takes: one day.
    public static let maxDurationMs = 86_400_000.0

    /// Parses "50ms", "2s", "250us" into milliseconds. A unit is required: "50" alone could be
    /// seconds or milliseconds, and guessing wrong is a ×1000 mistake.
    public static func parseMilliseconds(_ text: String, allowZero: Bool = false) throws -> Double {
        let units: [String: Double] = ["ms": 1, "s": 1000, "us": 0.001, "µs": 0.001, "min": 60_000]
        let t = text.trimmingCharacters(in: .whitespaces)
        guard let (num, suffix) = Numbers.split(t.replacingOccurrences(of: "µs", with: "us")), let v = Numbers.decimal(num) else {
            throw CoreError.badOption("cannot read '\(text.prefix(64))' as a duration (examples: 50ms, 2s)")
        }
        guard let mult = units[suffix] else {
            throw CoreError.badOption(suffix.isEmpty
                ? "a duration needs a unit: '\(text.prefix(64))' could be seconds or milliseconds (write \(num)ms or \(num)s)"
                : "unknown duration unit '\(suffix)' in '\(text.prefix(64))' (accepted: us, ms, s, min)")
        }
        let ms = v * mult
        guard allowZero ? ms >= 0 : ms > 0, ms <= maxDurationMs else {
            throw CoreError.badOption("duration '\(text.prefix(64))' must be \(allowZero ? "zero or more" : "above zero") and at most 24 h")
        }
        return ms
    }
}
import Foundation

/// Double → Int64 that saturates instead of trapping; estimates beyond `Estimator.absurdBytes`
/// are refused before they are added up.
@inline(__always) func i64(_ d: Double) -> Int64 {
    guard d.isFinite else { return d < 0 ? Int64.min / 4 : Int64.max / 4 }
    if d >= 2.0e18 { return Int64.max / 4 }
    if d <= -2.0e18 { return Int64.min / 4 }
    return Int64(d)
}
