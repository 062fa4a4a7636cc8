import Foundation

// The store's one view of a database: a statement with `?` arguments in, rows of values out.
// SQLite (GRDB) and PostgreSQL (PostgresNIO) each fill it; every query and rule of the catalog is
// written once above it. Where the two dialects differ the difference is named in `SQLDialect`.

/// One value of a row or an argument, in the four storage classes both engines share.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// A Swift value the store reads from and writes to a column. Conversions never trap: a value
/// that does not fit (a real that is not a whole number, an integer past Int's range) reads as
/// nil, and a non-optional read of nil gives `sqlDefault`.
public protocol SQLValueConvertible {
    var sqlValue: SQLValue { get }
    static func fromSQL(_ v: SQLValue) -> Self?
    static var sqlDefault: Self { get }
}

extension String: SQLValueConvertible {
    public var sqlValue: SQLValue { .text(self) }
    public static func fromSQL(_ v: SQLValue) -> String? {
        switch v {
        case .text(let s): return s
        case .integer(let i): return String(i)
        case .real(let d): return String(d)
        case .blob(let b): return String(decoding: b, as: UTF8.self)
        case .null: return nil
        }
    }
    public static var sqlDefault: String { "" }
}

extension Int64: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self) }
    public static func fromSQL(_ v: SQLValue) -> Int64? {
        switch v {
        case .integer(let i): return i
        case .real(let d): return d.rounded() == d ? Int64(exactly: d) : nil
        case .text(let s): return Int64(s)
        default: return nil
        }
    }
    public static var sqlDefault: Int64 { 0 }
}

extension Int: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(Int64(self)) }
    public static func fromSQL(_ v: SQLValue) -> Int? { Int64.fromSQL(v).flatMap { Int(exactly: $0) } }
    public static var sqlDefault: Int { 0 }
}

extension Double: SQLValueConvertible {
    public var sqlValue: SQLValue { .real(self) }
    public static func fromSQL(_ v: SQLValue) -> Double? {
        switch v {
        case .real(let d): return d
        case .integer(let i): return Double(i)
        case .text(let s): return Double(s)
        default: return nil
        }
    }
    public static var sqlDefault: Double { 0 }
}

/// Booleans are 0/1 integers in both schemas (one column type, one CHECK).
extension Bool: SQLValueConvertible {
    public var sqlValue: SQLValue { .integer(self ? 1 : 0) }
    public static func fromSQL(_ v: SQLValue) -> Bool? { Int64.fromSQL(v).map { $0 != 0 } }
    public static var sqlDefault: Bool { false }
}

extension SQLValue: SQLValueConvertible {
    public var sqlValue: SQLValue { self }
    public static func fromSQL(_ v: SQLValue) -> SQLValue? { v }
    public static var sqlDefault: SQLValue { .null }
}

extension Optional: SQLValueConvertible where Wrapped: SQLValueConvertible {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
    public static func fromSQL(_ v: SQLValue) -> Wrapped?? {
        if case .null = v { return .some(nil) }
        return Wrapped.fromSQL(v).map { .some($0) }
    }
    public static var sqlDefault: Wrapped? { nil }
}

/// The column names of one result, shared by its rows, with a name → index table built once.
public final class SQLColumns: Sendable {
    public let names: [String]
    let index: [String: Int]
    init(_ names: [String]) {
        self.names = names
        var idx: [String: Int] = [:]
        // The last of a repeated name wins, as SELECT p.*, g.slug AS gpu_slug expects.
        for (i, n) in names.enumerated() { idx[n] = i }
        index = idx
    }
}

/// One row of a result.
public struct SQLRow: Sendable {
    public let columns: SQLColumns
    public let values: [SQLValue]
    public var count: Int { values.count }

    public func value(_ name: String) -> SQLValue {
        guard let i = columns.index[name], i < values.count else { return .null }
        return values[i]
    }
    public subscript<T: SQLValueConvertible>(_ name: String) -> T {
        T.fromSQL(value(name)) ?? T.sqlDefault
    }
    public subscript<T: SQLValueConvertible>(_ i: Int) -> T {
        i >= 0 && i < values.count ? (T.fromSQL(values[i]) ?? T.sqlDefault) : T.sqlDefault
    }
    /// Name → value of the non-null columns.
    public var nonNull: [String: SQLValue] {
        var out: [String: SQLValue] = [:]
        out.reserveCapacity(values.count)
        for (n, v) in zip(columns.names, values) where v != .null { out[n] = v }
        return out
    }
}

public enum SQLDialect: String, Sendable {
    case sqlite, postgres

    /// `column = ?` compared without case (ASCII), the way SQLite's NOCASE does.
    public func equalsIgnoringCase(_ column: String) -> String {
        self == .sqlite ? "\(column) = ? COLLATE NOCASE" : "lower(\(column)) = lower(?)"
    }
    /// An inner join that SQLite must run in the written order (it reads the small table first
    /// whatever its statistics say); PostgreSQL's planner chooses, and CROSS JOIN takes no ON there.
    public var orderedJoin: String { self == .sqlite ? "CROSS JOIN" : "JOIN" }
    /// True when the JSON array of strings in `column` holds `?`.
    public func jsonArrayContains(_ column: String) -> String {
        self == .sqlite ? "EXISTS (SELECT 1 FROM json_each(\(column)) WHERE value = ?)"
            : "EXISTS (SELECT 1 FROM json_array_elements_text(\(column)::json) AS e(value) WHERE e.value = ?)"
    }
}

/// A connection inside one transaction of one engine. Arguments are `?` placeholders in order.
public protocol SQLConnection {
    var dialect: SQLDialect { get }
    /// Runs a statement; returns the number of rows it changed.
    func executeValues(_ sql: String, _ values: [SQLValue]) throws -> Int
    func rowsValues(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow]
}

public typealias SQLArguments = [any SQLValueConvertible]

extension SQLConnection {
    @discardableResult public func execute(_ sql: String, _ arguments: SQLArguments = []) throws -> Int {
        try executeValues(sql, arguments.map(\.sqlValue))
    }
    public func rows(_ sql: String, _ arguments: SQLArguments = []) throws -> [SQLRow] {
        try rowsValues(sql, arguments.map(\.sqlValue))
    }
    public func row(_ sql: String, _ arguments: SQLArguments = []) throws -> SQLRow? { try rows(sql, arguments).first }
    /// The first column of the first row, or nil when there is no row or it is NULL.
    public func scalar<T: SQLValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> T? {
        guard let r = try row(sql, arguments), let v = r.values.first else { return nil }
        return T.fromSQL(v)
    }
    public func column<T: SQLValueConvertible>(_ type: T.Type, _ sql: String, _ arguments: SQLArguments = []) throws -> [T] {
        try rows(sql, arguments).compactMap { $0.values.first.flatMap(T.fromSQL) }
    }
    public func exists(_ sql: String, _ arguments: SQLArguments = []) throws -> Bool { try row(sql, arguments) != nil }
    public func count(_ sql: String, _ arguments: SQLArguments = []) throws -> Int { try scalar(Int.self, sql, arguments) ?? 0 }
}

/// Rewrites `?` placeholders (outside quotes and comments) to PostgreSQL's `$1, $2, …`.
enum Placeholders {
    static func numbered(_ sql: String) -> String {
        var out = ""
        out.reserveCapacity(sql.utf8.count + 16)
        var n = 0
        var quote: Character? = nil
        var chars = sql.makeIterator()
        var prev: Character = " "
        var lineComment = false
        while let c = chars.next() {
            if lineComment {
                out.append(c)
                if c == "\n" { lineComment = false }
            } else if let q = quote {
                out.append(c)
                if c == q { quote = nil }
            } else if c == "'" || c == "\"" {
                quote = c
                out.append(c)
            } else if c == "-" && prev == "-" {
                lineComment = true
                out.append(c)
            } else if c == "?" {
                n += 1
                out += "$\(n)"
            } else {
                out.append(c)
            }
            prev = c
        }
        return out
    }
}
