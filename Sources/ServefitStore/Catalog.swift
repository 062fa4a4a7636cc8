import Foundation
import GRDB
import ServefitCore

/// The servefit catalog: one SQLite database behind GRDB. Every SQL statement of servefit lives
/// in this module. Writes are transactions and are recorded in the change log with their actor.
public final class CatalogStore: Sendable {
    public let writer: any DatabaseWriter
    /// True when this open created the schema (a brand-new database).
    public let wasCreated: Bool

    public static func migrator() -> DatabaseMigrator {
        var m = DatabaseMigrator()
        for file in EmbeddedFiles.all where file.path.hasPrefix("migrations/") && file.path.hasSuffix(".sql") {
            let id = String(file.path.dropFirst("migrations/".count).dropLast(4))
            let sql = file.contents
            m.registerMigration(id) { db in try db.execute(sql: sql) }
        }
        return m
    }

    static func configuration() -> Configuration {
        var c = Configuration()
        c.foreignKeysEnabled = true
        c.busyMode = .timeout(15)
        return c
    }

    /// Opens (creating if needed) the database file at `path`, migrates it, and seeds a new one.
    public static func open(path: String, seedIfNew: Bool = true) throws -> CatalogStore {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty && !FileManager.default.fileExists(atPath: dir) {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw StoreError.unreadable("cannot create folder \(dir): \(error.localizedDescription)")
            }
        }
        let fm = FileManager.default
        if fm.fileExists(atPath: path) && !(fm.isWritableFile(atPath: path) && fm.isWritableFile(atPath: dir.isEmpty ? "." : dir)) {
            return try openReadOnly(path: path)
        }
        let writer: any DatabaseWriter
        do {
            writer = try DatabasePool(path: path, configuration: configuration())
        } catch let e as DatabaseError {
            throw StoreError.unreadable("cannot open \(path) as a servefit database: \(e.message ?? e.description)")
        }
        return try CatalogStore(writer: writer, seedIfNew: seedIfNew, label: path)
    }

    /// A catalog this user may read but not write: served as is (no migrations, no seeding);
    /// every write fails with "read-only".
    static func openReadOnly(path: String) throws -> CatalogStore {
        var c = configuration()
        c.readonly = true
        // immutable=1: no locks and no -shm file, which a read-only folder could not hold
        // (SQLite is built with URI filenames on Debian and macOS).
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        do {
            let q = try DatabaseQueue(path: "file:\(encoded)?mode=ro&immutable=1", configuration: c)
            let migrator = migrator()
            let pending = try q.read { db in try !migrator.hasCompletedMigrations(db) }
            let superseded = try q.read { db in try migrator.hasBeenSuperseded(db) }
            if superseded { throw StoreError.newerSchema("\(path) was written by a newer servefit; it is left untouched. Upgrade servefit to use it.") }
            if pending { throw StoreError.unreadable("\(path) is read-only and its schema needs upgrading; open it once with write access") }
            return CatalogStore(readOnly: q)
        } catch let e as DatabaseError {
            throw StoreError.unreadable("cannot open \(path) (read-only) as a servefit database: \(e.message ?? e.description)")
        }
    }

    init(readOnly q: DatabaseQueue) {
        writer = q
        wasCreated = false
    }

    /// A private in-memory database (tests, dry runs).
    public static func inMemory(seed: Bool = false) throws -> CatalogStore {
        try CatalogStore(writer: try DatabaseQueue(configuration: configuration()), seedIfNew: seed, label: ":memory:")
    }

    init(writer: any DatabaseWriter, seedIfNew: Bool, label: String) throws {
        self.writer = writer
        let migrator = CatalogStore.migrator()
        var created = false
        do {
            try writer.write { db in
                if try migrator.hasBeenSuperseded(db) {
                    let applied = try migrator.appliedIdentifiers(db)
                    let known = Set(migrator.migrations)
                    let unknown = applied.subtracting(known).sorted().joined(separator: ", ")
                    throw StoreError.newerSchema("\(label) was written by a newer servefit (schema \(unknown)); it is left untouched. Upgrade servefit to use it.")
                }
                created = try migrator.appliedIdentifiers(db).isEmpty
            }
            try migrator.migrate(writer)
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.unreadable("\(label) is not a readable servefit database: \(e.message ?? e.description)")
        }
        wasCreated = created
        if created && seedIfNew { _ = try seed(force: false, actor: "servefit-seed") }
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

    static func log(_ db: Database, entity: String, key: String, action: String, before: String?, after: String?, actor: String) throws {
        try db.cachedStatement(sql: "INSERT INTO change_log(at, actor, entity, key, action, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .execute(arguments: [now(), actor, entity, key, action, before, after])
    }

    /// Runs a write transaction, turning SQLite constraint failures into store errors.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        try mappingErrors { try writer.write(body) }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        try mappingErrors { try writer.read(body) }
    }

    /// Core validation failures become `.invalid`, SQLite errors their store meaning.
    private func mappingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let e as CoreError {
            throw StoreError.invalid(e.description)
        } catch let e as DatabaseError {
            throw StoreCatalogMapping.map(e)
        }
    }

    // MARK: maintenance

    /// Integrity and foreign-key checks plus validation of every row against the domain rules.
    public func check() throws -> [String] {
        try read { db in
            var problems: [String] = []
            let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
            if integrity != ["ok"] { problems += integrity.map { "integrity: \($0)" } }
            let fk = try Row.fetchAll(db, sql: "PRAGMA foreign_key_check")
            problems += fk.map { "foreign key: \($0)" }
            for m in try Self.fetchModels(db) {
                do { try m.validate() } catch { problems.append("model \(m.slug): \(error)") }
            }
            for g in try Self.fetchGPUs(db) {
                do { try g.validate() } catch { problems.append("gpu \(g.slug): \(error)") }
            }
            return problems
        }
    }

    /// Online backup through SQLite's backup API into a new file.
    public func backup(to path: String) throws {
        if FileManager.default.fileExists(atPath: path) {
            throw StoreError.duplicate(entity: "backup file", key: path)
        }
        do {
            let dest = try DatabaseQueue(path: path)
            try writer.backup(to: dest)
        } catch let e as DatabaseError {
            throw StoreError.unreadable("backup to \(path) failed: \(e.message ?? e.description)")
        }
    }

    public func schemaVersion() throws -> [String] {
        try read { db in try Array(CatalogStore.migrator().appliedIdentifiers(db)).sorted() }
    }
}

enum StoreCatalogMapping {
    static func map(_ e: DatabaseError) -> StoreError {
        let msg = e.message ?? e.description
        switch e.resultCode {
        case .SQLITE_CONSTRAINT:
            if msg.contains("UNIQUE") { return .duplicate(entity: "row", key: msg) }
            if msg.contains("FOREIGN KEY") { return .inUse("still referenced: \(msg)") }
            return .invalid("rejected by the catalog's constraints: \(msg)")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .unreadable("the database file is damaged or not a database: \(msg)")
        case .SQLITE_READONLY:
            return .unreadable("the database is read-only: \(msg)")
        case .SQLITE_FULL:
            return .unreadable("the disk is full: \(msg)")
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .conflict("the database stayed locked by another writer: \(msg)")
        default:
            return .unreadable("database error: \(msg)")
        }
    }
}
