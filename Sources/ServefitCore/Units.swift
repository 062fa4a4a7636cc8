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
        var p = 1.0
        for _ in 0..<max(0, digits) { p *= 10 }
        let r = (abs(x) * p).rounded() / p
        var s = String(Int64(r))
        if digits > 0 {
            let frac = Int64(((r - Double(Int64(r))) * p).rounded())
            var f = String(frac)
            while f.count < digits { f = "0" + f }
            s += "." + f
        }
        return (x < 0 && r != 0 ? "-" : "") + s
    }

    /// Parses "80GiB", "80 GB", "24g", "1.5TiB", "81559MiB", or a bare byte count.
    /// A bare number with no unit is taken as bytes.
    public static func parseBytes(_ text: String) throws -> Int64 {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: " ", with: "")
        let units: [(String, Double)] = [
            ("tib", 1099511627776), ("gib", 1073741824), ("mib", 1048576), ("kib", 1024),
            ("tb", 1e12), ("gb", 1e9), ("mb", 1e6), ("kb", 1e3),
            ("t", 1e12), ("g", 1e9), ("m", 1e6), ("k", 1e3), ("b", 1),
        ]
        var mult = 1.0
        var num = Substring(t)
        for (suffix, m) in units where t.hasSuffix(suffix) {
            mult = m
            num = t.dropLast(suffix.count)
            break
        }
        guard let v = Double(num), v.isFinite, v >= 0 else {
            throw CoreError.invalidInput("cannot read '\(text)' as a size (examples: 80GiB, 24GB, 81559MiB)")
        }
        let bytes = v * mult
        guard bytes < 9.0e18 else { throw CoreError.invalidInput("size '\(text)' is too large") }
        return Int64(bytes.rounded())
    }

    /// Parses a count such as "7B", "70b", "1.5M", "560000000".
    public static func parseCount(_ text: String) throws -> Int64 {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        var mult = 1.0
        var num = Substring(t)
        if let last = t.last, let m = ["k": 1e3, "m": 1e6, "b": 1e9, "t": 1e12][String(last)] {
            mult = m
            num = t.dropLast()
        }
        guard let v = Double(num), v.isFinite, v >= 0, v * mult < 9.0e18 else {
            throw CoreError.invalidInput("cannot read '\(text)' as a count (examples: 7B, 560M, 1000000)")
        }
        return Int64((v * mult).rounded())
    }

    /// Parses "50ms", "2s", "0.5" (seconds) into milliseconds.
    /// A whole number, optionally with a "k" suffix meaning ×1024 (token counts: "4k" = 4096).
    public static func parseInt(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t.hasSuffix("k") {
            guard let v = Int(t.dropLast()), v >= 0, v <= Int.max / 1024 else { return nil }
            return v * 1024
        }
        return Int(t)
    }

    public static func parseMilliseconds(_ text: String) throws -> Double {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let (num, mult): (Substring, Double) =
            t.hasSuffix("ms") ? (t.dropLast(2), 1) : t.hasSuffix("s") ? (t.dropLast(1), 1000) : (Substring(t), 1000)
        guard let v = Double(num), v.isFinite, v > 0 else {
            throw CoreError.invalidInput("cannot read '\(text)' as a duration (examples: 50ms, 2s)")
        }
        return v * mult
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
