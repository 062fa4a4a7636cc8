import Foundation
import GRDB
import ServefitCore

/// The servefit catalog on SQLite (a file, through GRDB) or PostgreSQL (a postgres:// URL,
/// through PostgresNIO). Every SQL statement of servefit lives in this module and runs on
/// `SQLConnection`, so the CLI, server and MCP faces do not know which engine they have. Writes
/// are transactions and are recorded in the change log with their actor.
public final class CatalogStore: Sendable {
    let backend: any StoreBackend
    /// True when this open created the schema (a brand-new database).
    public let wasCreated: Bool

    public var dialect: SQLDialect { backend.dialect }
    /// Where the catalog is: a file path, or the postgres:// URL without its password.
    public var location: String { backend.label }
    /// The GRDB writer of a SQLite catalog (tests and benchmarks poke at files with it).
    public var sqliteWriter: (any DatabaseWriter)? { (backend as? SQLiteBackend)?.writer }

    /// Opens (creating if needed) the catalog at `path`, a SQLite file or a postgres:// URL,
    /// migrates it, and seeds a new one.
    public static func open(path: String, seedIfNew: Bool = true) throws -> CatalogStore {
        try CatalogStore(backend: try backend(at: path), seedIfNew: seedIfNew)
    }

    /// The engine a location names: PostgreSQL for a postgres:// URL, else a SQLite file.
    static func backend(at path: String) throws -> any StoreBackend {
        if PostgresLocation.isURL(path) { return try PostgresBackend(try PostgresLocation(url: path)) }
        return try SQLiteBackend.open(path: path)
    }

    /// Opens the catalog at `path` only if one is there (a file that exists, a PostgreSQL
    /// database that holds servefit's schema); nil otherwise, and nothing is created. For
    /// read-only conveniences such as shell completion.
    public static func openExisting(path: String) throws -> CatalogStore? {
        if PostgresLocation.isURL(path) {
            let backend = try backend(at: path)
            let present = try backend.read { db in
                try db.scalar(Bool.self, "SELECT to_regclass('servefit_migrations') IS NOT NULL") ?? false
            }
            return present ? try CatalogStore(backend: backend, seedIfNew: false) : nil
        }
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        return try open(path: path, seedIfNew: false)
    }

    /// The SQLite schema's migrator (tests build older schema versions with it).
    public static func sqliteMigrator() -> DatabaseMigrator { SQLiteBackend.inMemoryMigrator() }

    /// A private in-memory database (tests, dry runs).
    public static func inMemory(seed: Bool = false) throws -> CatalogStore {
        try CatalogStore(backend: try SQLiteBackend.inMemory(), seedIfNew: seed)
    }

    init(backend: any StoreBackend, seedIfNew: Bool) throws {
        self.backend = backend
        wasCreated = try backend.migrate(Migrations.all(backend.dialect))
        if wasCreated && seedIfNew { _ = try seed(force: false, actor: "servefit-seed") }
    }

    // MARK: helpers

    /// UTC time as ISO 8601 (2026-11-22T23:55:01Z), formatted with the C library: a formatter
    /// object per row made bulk imports several times slower.
    static func now() -> String {
        var t = time(nil)
        var tm = tm()
        gmtime_r(&t, &tm)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(tm.tm_year) + 1900, Int(tm.tm_mon) + 1, Int(tm.tm_mday),
                      Int(tm.tm_hour), Int(tm.tm_min), Int(tm.tm_sec))
    }

    static func json<T: Encodable>(_ v: T) -> String {
        (try? String(decoding: encoder.encode(v), as: UTF8.self)) ?? "null"
    }
    /// Shared: configured once, only encoding afterwards.
    nonisolated(unsafe) static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return e
    }()

    static func log(_ db: any SQLConnection, entity: String, key: String, action: String, before: String?, after: String?, actor: String) throws {
        try db.execute("INSERT INTO change_log(at, actor, entity, key, action, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)", [now(), actor, entity, key, action, before, after])
    }

    /// Runs a write transaction (all or nothing), turning engine errors into store errors.
    public func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try mappingErrors { try backend.write(body) }
    }

    /// Runs a read on one consistent snapshot.
    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try mappingErrors { try backend.read(body) }
    }

    /// Core validation failures become `.invalid`.
    private func mappingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as CoreError {
            throw StoreError.invalid(e.description)
        }
    }

    // MARK: maintenance

    /// Integrity and foreign-key checks plus validation of every row against the domain rules.
    public func check() throws -> [String] {
        var problems = try backend.integrityProblems()
        try read { db in
            for m in try Self.fetchModels(db) {
                do { try m.validate() } catch { problems.append("model \(m.slug): \(error)") }
            }
            for g in try Self.fetchGPUs(db) {
                do { try g.validate() } catch { problems.append("gpu \(g.slug): \(error)") }
            }
        }
        return problems
    }

    /// A copy of the whole catalog in a new file, with what the engine offers: SQLite's online
    /// backup API, PostgreSQL's pg_dump (custom format).
    public func backup(to path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw StoreError.duplicate(entity: "backup file", key: path)
        }
        try backend.backup(to: path)
    }

    public func schemaVersion() throws -> [String] { try backend.appliedMigrations() }
}
