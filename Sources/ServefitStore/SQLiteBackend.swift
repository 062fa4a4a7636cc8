import Foundation
import GRDB

/// Where a catalog lives and how the store reaches it. Each engine keeps its own connections,
/// transactions, migrations bookkeeping and error meanings; the catalog's queries run on
/// `SQLConnection` and never see which engine they have.
protocol StoreBackend: Sendable {
    var dialect: SQLDialect { get }
    /// For messages: a file path, or a postgres:// URL without its password.
    var label: String { get }
    /// A read-only transaction on one consistent snapshot.
    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// A write transaction: all of it or none. Engines that detect conflicting transactions
    /// (PostgreSQL's SERIALIZABLE) run `body` again after one, so it must only touch the database.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T
    /// Applies the pending migrations in order; returns true when the catalog was empty before.
    /// Refuses (newerSchema) a catalog that holds migrations this build does not know.
    func migrate(_ migrations: [(id: String, sql: String)]) throws -> Bool
    func appliedMigrations() throws -> [String]
    /// Engine-level checks: page integrity, foreign keys.
    func integrityProblems() throws -> [String]
    func backup(to path: String) throws
    /// True when the catalog was opened read-only (a file this user cannot write).
    var readOnly: Bool { get }
}

/// The migrations of one dialect, by id (file name without .sql), in order.
enum Migrations {
    static func all(_ dialect: SQLDialect) -> [(id: String, sql: String)] {
        let prefix = "migrations/\(dialect.rawValue)/"
        return EmbeddedFiles.all
            .filter { $0.path.hasPrefix(prefix) && $0.path.hasSuffix(".sql") }
            .map { (id: String($0.path.dropFirst(prefix.count).dropLast(4)), sql: $0.contents) }
            .sorted { $0.id < $1.id }
    }
}

struct SQLiteConnection: SQLConnection {
    let db: Database
    var dialect: SQLDialect { .sqlite }

    func arguments(_ values: [SQLValue]) -> StatementArguments {
        StatementArguments(values.map { v -> DatabaseValue in
            switch v {
            case .null: return .null
            case .integer(let i): return i.databaseValue
            case .real(let d): return d.databaseValue
            case .text(let s): return s.databaseValue
            case .blob(let b): return Data(b).databaseValue
            }
        })
    }

    func executeValues(_ sql: String, _ values: [SQLValue]) throws -> Int {
        try db.cachedStatement(sql: sql).execute(arguments: arguments(values))
        return db.changesCount
    }

    func rowsValues(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLColumns(statement.columnNames)
        var out: [SQLRow] = []
        let cursor = try Row.fetchCursor(statement, arguments: arguments(values))
        while let row = try cursor.next() {
            out.append(SQLRow(columns: columns, values: row.databaseValues.map { d in
                switch d.storage {
                case .null: return .null
                case .int64(let i): return .integer(i)
                case .double(let x): return .real(x)
                case .string(let s): return .text(s)
                case .blob(let b): return .blob([UInt8](b))
                }
            }))
        }
        return out
    }
}

/// SQLite through GRDB: a WAL pool for a writable file, an immutable queue for a read-only one.
final class SQLiteBackend: StoreBackend {
    let writer: any DatabaseWriter
    let label: String
    let readOnly: Bool
    var dialect: SQLDialect { .sqlite }

    static func configuration() -> Configuration {
        var c = Configuration()
        c.foreignKeysEnabled = true
        c.busyMode = .timeout(15)
        return c
    }

    init(writer: any DatabaseWriter, label: String, readOnly: Bool = false) {
        self.writer = writer
        self.label = label
        self.readOnly = readOnly
    }

    /// Opens (creating if needed) the file at `path`; a file this user may read but not write is
    /// served as is (no migrations, no seeding) and every write fails with "read-only".
    static func open(path: String) throws -> SQLiteBackend {
        let dir = (path as NSString).deletingLastPathComponent
        let fm = FileManager.default
        if !dir.isEmpty && !fm.fileExists(atPath: dir) {
            do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw StoreError.unreadable("cannot create folder \(dir): \(error.localizedDescription)")
            }
        }
        if fm.fileExists(atPath: path) && !(fm.isWritableFile(atPath: path) && fm.isWritableFile(atPath: dir.isEmpty ? "." : dir)) {
            var c = configuration()
            c.readonly = true
            // immutable=1: no locks and no -shm file, which a read-only folder could not hold
            // (SQLite is built with URI filenames on Debian and macOS).
            let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
            do {
                return SQLiteBackend(writer: try DatabaseQueue(path: "file:\(encoded)?mode=ro&immutable=1", configuration: c),
                                     label: path, readOnly: true)
            } catch let e as DatabaseError {
                throw StoreError.unreadable("cannot open \(path) (read-only) as a servefit database: \(e.message ?? e.description)")
            }
        }
        do {
            return SQLiteBackend(writer: try DatabasePool(path: path, configuration: configuration()), label: path)
        } catch let e as DatabaseError {
            throw StoreError.unreadable("cannot open \(path) as a servefit database: \(e.message ?? e.description)")
        }
    }

    static func inMemory() throws -> SQLiteBackend {
        SQLiteBackend(writer: try DatabaseQueue(configuration: configuration()), label: ":memory:")
    }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try mapping { try writer.read { db in try body(SQLiteConnection(db: db)) } }
    }

    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try mapping { try writer.write { db in try body(SQLiteConnection(db: db)) } }
    }

    static func inMemoryMigrator() -> DatabaseMigrator { migrator(Migrations.all(.sqlite)) }

    func migrator(_ migrations: [(id: String, sql: String)]) -> DatabaseMigrator { Self.migrator(migrations) }

    static func migrator(_ migrations: [(id: String, sql: String)]) -> DatabaseMigrator {
        var m = DatabaseMigrator()
        for (id, sql) in migrations { m.registerMigration(id) { db in try db.execute(sql: sql) } }
        return m
    }

    func migrate(_ migrations: [(id: String, sql: String)]) throws -> Bool {
        let migrator = migrator(migrations)
        do {
            if readOnly {
                let pending = try writer.read { db in try !migrator.hasCompletedMigrations(db) }
                let superseded = try writer.read { db in try migrator.hasBeenSuperseded(db) }
                if superseded { throw StoreError.newerSchema("\(label) was written by a newer servefit; it is left untouched. Upgrade servefit to use it.") }
                if pending { throw StoreError.unreadable("\(label) is read-only and its schema needs upgrading; open it once with write access") }
                return false
            }
            var created = false
            try writer.write { db in
                if try migrator.hasBeenSuperseded(db) {
                    let applied = try migrator.appliedIdentifiers(db)
                    let unknown = applied.subtracting(Set(migrator.migrations)).sorted().joined(separator: ", ")
                    throw StoreError.newerSchema("\(label) was written by a newer servefit (schema \(unknown)); it is left untouched. Upgrade servefit to use it.")
                }
                created = try migrator.appliedIdentifiers(db).isEmpty
            }
            try migrator.migrate(writer)
            return created
        } catch let e as StoreError {
            throw e
        } catch let e as DatabaseError {
            throw StoreError.unreadable("\(label) is not a readable servefit database: \(e.message ?? e.description)")
        }
    }

    func appliedMigrations() throws -> [String] {
        let migrator = migrator(Migrations.all(.sqlite))
        return try mapping { try writer.read { db in try Array(migrator.appliedIdentifiers(db)).sorted() } }
    }

    func integrityProblems() throws -> [String] {
        try mapping {
            try writer.read { db in
                var problems: [String] = []
                let integrity = try String.fetchAll(db, sql: "PRAGMA integrity_check")
                if integrity != ["ok"] { problems += integrity.map { "integrity: \($0)" } }
                problems += try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key: \($0)" }
                return problems
            }
        }
    }

    /// Online backup through SQLite's backup API into a new file.
    func backup(to path: String) throws {
        do {
            let dest = try DatabaseQueue(path: path)
            try writer.backup(to: dest)
        } catch let e as DatabaseError {
            throw StoreError.unreadable("backup to \(path) failed: \(e.message ?? e.description)")
        }
    }

    private func mapping<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as DatabaseError { throw Self.map(e) }
    }

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
