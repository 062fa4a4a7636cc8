import Foundation

/// Rows copied per table by `db copy`, checked against the source.
public struct CopyReport: Codable, Sendable, Equatable {
    public var from: String
    public var to: String
    public var schema: [String]
    /// Table → rows copied (equal to the source's count, or the copy did not happen).
    public var rows: [String: Int]
}

extension CatalogStore {
    /// The catalog's tables in an order that satisfies their foreign keys. gpu_price_current is
    /// not copied: the destination's triggers rebuild it from gpu_price.
    public static let copyTables = ["model", "gpu", "gpu_price", "scenario", "change_log", "seed_skip", "api_token",
                             "model_variant", "measurement", "calibration"]

    /// Copies the whole catalog (every row of every table, ids and change log included) from
    /// `source` into this store, which must be empty and at the same schema version. One write
    /// transaction on this side: the row counts are checked against the source before it
    /// commits, so a failure anywhere leaves the destination as it was.
    public func copy(from source: CatalogStore, progress: (String, Int) -> Void = { _, _ in }) throws -> CopyReport {
        let schema = try source.schemaVersion()
        let mine = try schemaVersion()
        guard schema == mine else {
            throw StoreError.invalid("the source is at schema \(schema.last ?? "none") and the destination at \(mine.last ?? "none"); open both with this servefit first (db migrate)")
        }
        // Everything read in one snapshot of the source.
        let tables: [(name: String, rows: [SQLRow])] = try source.read { db in
            try Self.copyTables.map { t in (t, try db.rows("SELECT * FROM \(t)" + (t == "seed_skip" || t == "calibration" ? "" : " ORDER BY id"))) }
        }
        var counts: [String: Int] = [:]
        try write { db in
            for t in Self.copyTables {
                if try db.count("SELECT count(*) FROM \(t)") > 0 {
                    throw StoreError.invalid("\(location) is not empty (table \(t) has rows); copy into a new database (create it, then `servefit db migrate`), nothing was copied")
                }
            }
            for (name, rows) in tables {
                guard let first = rows.first else { counts[name] = 0; continue }
                let columns = first.columns.names
                // Many rows per statement, under both engines' limits on arguments.
                let perStatement = max(1, min(500, 30_000 / max(1, columns.count)))
                let tuple = "(" + columns.map { _ in "?" }.joined(separator: ", ") + ")"
                var i = 0
                while i < rows.count {
                    let chunk = rows[i..<min(rows.count, i + perStatement)]
                    let sql = "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES " + chunk.map { _ in tuple }.joined(separator: ", ")
                    try db.executeValues(sql, chunk.flatMap(\.values))
                    i += chunk.count
                }
                counts[name] = rows.count
                progress(name, rows.count)
            }
            if db.dialect == .postgres {
                // Identity columns continue after the copied ids.
                for t in Self.copyTables where t != "seed_skip" && t != "calibration" {
                    try db.execute("SELECT setval(pg_get_serial_sequence('\(t)', 'id'), coalesce((SELECT max(id) FROM \(t)), 0) + 1, false)")
                }
            }
            for (name, rows) in tables {
                let n = try db.count("SELECT count(*) FROM \(name)")
                if n != rows.count { throw StoreError.invalid("copy check failed: \(name) has \(n) rows, the source \(rows.count); nothing was copied") }
            }
        }
        return CopyReport(from: source.location, to: location, schema: schema, rows: counts)
    }
}
