import ServefitCore

/// Errors of the storage layer. The CLI maps them to exit codes, the server to HTTP statuses.
public enum StoreError: Error, Equatable, CustomStringConvertible, Sendable {
    /// `closest`: the 1-3 names nearest to the key (edit distance), for "did you mean".
    case notFound(entity: String, key: String, closest: [String] = [])
    case duplicate(entity: String, key: String)
    /// Bad data: validation failed (wraps the core's message).
    case invalid(String)
    /// The database was written by a newer servefit; it is left untouched.
    case newerSchema(String)
    /// The file is not a servefit/SQLite database, or is damaged.
    case unreadable(String)
    /// A row is still referenced (a model used by a scenario, ...).
    case inUse(String)
    /// A write lost a race (stale ETag / changed since read).
    case conflict(String)
    /// The database server cannot be reached now (down, restarting, refusing the login); the
    /// request may succeed later without a change. HTTP 503.
    case unavailable(String)
    /// PostgreSQL aborted a transaction as conflicting with a concurrent one; the store runs it
    /// again and reports `.conflict` only when it keeps failing.
    case serialization(String)

    public var description: String {
        switch self {
        case .notFound(let e, let k, let c):
            return "no \(e) '\(k.prefix(200))' in the catalog" + (c.isEmpty ? "" : " (did you mean \(c.joined(separator: ", "))?)")
        case .duplicate(let e, let k): return "\(e) '\(k)' already exists"
        case .invalid(let m): return m
        case .newerSchema(let m): return m
        case .unreadable(let m): return m
        case .inUse(let m): return m
        case .conflict(let m): return m
        case .unavailable(let m): return m
        case .serialization(let m): return "a concurrent write conflicted: \(m)"
        }
    }
}
