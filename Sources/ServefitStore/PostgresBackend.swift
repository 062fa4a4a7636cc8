import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

/// Where a PostgreSQL catalog is, read from a libpq-style URL and the environment libpq reads:
/// `postgres://user[:password]@host[:port]/database[?sslmode=…&sslrootcert=…&host=/socket/dir]`,
/// then PGUSER, PGHOST, PGPORT, PGDATABASE, PGPASSWORD, PGSSLMODE and the password file
/// (PGPASSFILE or ~/.pgpass), as psql does.
public struct PostgresLocation: Sendable, Equatable {
    public enum SSLMode: String, Sendable { case disable, allow, prefer, require, verifyCA = "verify-ca", verifyFull = "verify-full" }
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String
    public var socketDirectory: String?
    public var sslMode: SSLMode
    public var sslRootCert: String?
    public var connectTimeoutSeconds: Int
    /// Connections one process keeps open at most (`?pool=N`, default 8).
    public var poolSize: Int

    public static func isURL(_ s: String) -> Bool { s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") }

    /// The URL without its password, for messages and logs.
    public var label: String {
        let where_ = socketDirectory.map { "\($0)/.s.PGSQL.\(port)" } ?? "\(host):\(port)"
        return "postgres://\(user)@\(where_)/\(database)"
    }

    public init(url: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        guard Self.isURL(url), url.utf8.count <= 4096 else { throw StoreError.invalid("not a postgres:// URL: \(url.prefix(80))") }
        guard let c = URLComponents(string: url) else { throw StoreError.invalid("cannot read the database URL (percent-encode special characters in the password)") }
        func env(_ k: String) -> String? { environment[k].flatMap { $0.isEmpty ? nil : $0 } }
        let query = Dictionary((c.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { _, b in b })
        let known: Set<String> = ["sslmode", "sslrootcert", "host", "port", "user", "password", "dbname", "connect_timeout", "pool", "application_name"]
        if let bad = query.keys.first(where: { !known.contains($0) }) {
            throw StoreError.invalid("unknown database URL option '\(bad)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        user = c.user.flatMap { $0.removingPercentEncoding } ?? query["user"] ?? env("PGUSER") ?? env("USER") ?? "postgres"
        let hostPart = c.host.flatMap { $0.removingPercentEncoding }.flatMap { $0.isEmpty ? nil : $0 }
        let hostOption = query["host"] ?? (hostPart == nil ? env("PGHOST") : nil)
        if let h = hostOption, h.hasPrefix("/") { socketDirectory = h; host = "localhost" } else { socketDirectory = nil; host = hostPart ?? hostOption ?? "localhost" }
        guard let p = c.port ?? query["port"].flatMap(Int.init) ?? env("PGPORT").flatMap(Int.init) ?? 5432 as Int?, (1...65535).contains(p) else {
            throw StoreError.invalid("the database port must be 1-65535")
        }
        port = p
        let path = c.path.hasPrefix("/") ? String(c.path.dropFirst()) : c.path
        database = (path.isEmpty ? nil : path.removingPercentEncoding) ?? query["dbname"] ?? env("PGDATABASE") ?? user
        let modeText = query["sslmode"] ?? env("PGSSLMODE") ?? "prefer"
        guard let mode = SSLMode(rawValue: modeText) else {
            throw StoreError.invalid("sslmode must be disable, allow, prefer, require, verify-ca or verify-full, not '\(modeText.prefix(40))'")
        }
        sslMode = mode
        sslRootCert = query["sslrootcert"] ?? env("PGSSLROOTCERT")
        guard let timeout = Int(query["connect_timeout"] ?? env("PGCONNECT_TIMEOUT") ?? "10"), (1...600).contains(timeout) else {
            throw StoreError.invalid("connect_timeout must be 1-600 seconds")
        }
        connectTimeoutSeconds = timeout
        guard let pool = Int(query["pool"] ?? "8"), (1...256).contains(pool) else { throw StoreError.invalid("pool must be 1-256 connections") }
        poolSize = pool
        password = c.password.flatMap { $0.removingPercentEncoding } ?? query["password"] ?? env("PGPASSWORD")
            ?? Self.passFile(environment: environment, host: socketDirectory ?? host, port: port, database: database, user: user)
    }

    /// The first matching line of the password file (hostname:port:database:username:password,
    /// `*` matches anything, `\` escapes), which libpq ignores unless only its owner can read it.
    static func passFile(environment: [String: String], host: String, port: Int, database: String, user: String) -> String? {
        let path = environment["PGPASSFILE"] ?? (environment["HOME"].map { $0 + "/.pgpass" } ?? NSHomeDirectory() + "/.pgpass")
        guard let attrs = try? FileManager.default.attributesOfItem(atPath: path),
              let perms = attrs[.posixPermissions] as? Int, perms & 0o077 == 0,
              let size = attrs[.size] as? Int, size < 1 << 20,
              let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        let hostKeys: Set<String> = host.hasPrefix("/") ? [host, "localhost"] : [host]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            var fields: [String] = [], cur = "", escaped = false
            for ch in line {
                if escaped { cur.append(ch); escaped = false } else if ch == "\\" { escaped = true } else if ch == ":" { fields.append(cur); cur = "" } else { cur.append(ch) }
            }
            fields.append(cur)
            guard fields.count == 5 else { continue }
            func ok(_ f: String, _ v: Set<String>) -> Bool { f == "*" || v.contains(f) }
            if ok(fields[0], hostKeys), ok(fields[1], [String(port)]), ok(fields[2], [database]), ok(fields[3], [user]) { return fields[4] }
        }
        return nil
    }
}

/// One pooled PostgreSQL connection inside a transaction.
struct PostgresSQLConnection: SQLConnection {
    let connection: PostgresConnection
    let pool: PostgresPool
    var dialect: SQLDialect { .postgres }

    func query(_ sql: String, _ values: [SQLValue]) throws -> PostgresQueryResult {
        var binds = PostgresBindings(capacity: values.count)
        for v in values {
            switch v {
            case .null: binds.appendNull()
            case .integer(let i): binds.append(i)
            case .real(let d): binds.append(d)
            case .text(let s): binds.append(s)
            case .blob(let b): binds.append(ByteBuffer(bytes: b))
            }
        }
        let q = PostgresQuery(unsafeSQL: Placeholders.numbered(sql), binds: binds)
        return try pool.wait(connection.query(q, logger: pool.logger), on: connection)
    }

    func executeValues(_ sql: String, _ values: [SQLValue]) throws -> Int {
        let r = try query(sql, values)
        return r.metadata.rows ?? 0
    }

    func rowsValues(_ sql: String, _ values: [SQLValue]) throws -> [SQLRow] {
        let result = try query(sql, values)
        var out: [SQLRow] = []
        var columns: SQLColumns? = nil
        for row in result {
            if columns == nil { columns = SQLColumns(row.map(\.columnName)) }
            var values: [SQLValue] = []
            values.reserveCapacity(columns!.names.count)
            for cell in row { values.append(Self.value(cell)) }
            out.append(SQLRow(columns: columns!, values: values))
        }
        return out
    }

    /// A cell as one of the shared storage classes; a type the catalog never stores reads as text.
    static func value(_ cell: PostgresCell) -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8:
            return (try? cell.decode(Int64.self)).map(SQLValue.integer) ?? .null
        case .float4, .float8:
            return (try? cell.decode(Double.self)).map(SQLValue.real) ?? .null
        case .numeric:
            if let s = try? cell.decode(String.self), let d = Double(s) { return d.rounded() == d && abs(d) < 9e15 ? .integer(Int64(d)) : .real(d) }
            return .null
        case .bool:
            return (try? cell.decode(Bool.self)).map { .integer($0 ? 1 : 0) } ?? .null
        case .bytea:
            return (try? cell.decode(ByteBuffer.self)).map { .blob(Array($0.readableBytesView)) } ?? .null
        default:
            return (try? cell.decode(String.self)).map(SQLValue.text) ?? .null
        }
    }
}

/// A small pool of PostgreSQL connections for a blocking store. Every request borrows one
/// connection for one transaction. A connection that fails below SQL (the server restarted, the
/// network dropped) is closed and forgotten, and the error is `.unavailable`; the next request
/// opens a new one, so a replica recovers when its database returns, without a restart.
final class PostgresPool: @unchecked Sendable {
    let location: PostgresLocation
    let logger: Logger
    let group: any EventLoopGroup
    /// Longest wait for one statement's answer before the connection is given up.
    let statementTimeout: TimeAmount = .seconds(30)
    private let lock = NIOLock()
    private var idle: [PostgresConnection] = []
    private let slots: DispatchSemaphore
    private var nextID = 0
    private let tls: PostgresConnection.Configuration.TLS

    init(_ location: PostgresLocation) throws {
        self.location = location
        var l = Logger(label: "servefit.postgres")
        l.logLevel = .error
        logger = l
        group = MultiThreadedEventLoopGroup.singleton
        slots = DispatchSemaphore(value: location.poolSize)
        tls = try Self.tls(location)
    }

    static func tls(_ l: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        if l.sslMode == .disable || l.socketDirectory != nil { return .disable }
        var c = TLSConfiguration.makeClientConfiguration()
        switch l.sslMode {
        case .allow, .prefer, .require: c.certificateVerification = .none
        case .verifyCA: c.certificateVerification = .noHostnameVerification
        case .verifyFull, .disable: break
        }
        if let root = l.sslRootCert {
            guard FileManager.default.isReadableFile(atPath: root) else { throw StoreError.invalid("sslrootcert \(root) cannot be read") }
            c.trustRoots = .file(root)
        }
        let ctx: NIOSSLContext
        do { ctx = try NIOSSLContext(configuration: c) } catch { throw StoreError.invalid("TLS set-up failed: \(error)") }
        return l.sslMode == .allow || l.sslMode == .prefer ? .prefer(ctx) : .require(ctx)
    }

    func configuration() -> PostgresConnection.Configuration {
        var c: PostgresConnection.Configuration
        if let dir = location.socketDirectory {
            c = .init(unixSocketPath: "\(dir)/.s.PGSQL.\(location.port)", username: location.user, password: location.password, database: location.database)
        } else {
            c = .init(host: location.host, port: location.port, username: location.user, password: location.password,
                      database: location.database, tls: tls)
            if location.sslMode == .verifyFull { c.options.tlsServerName = location.host }
        }
        c.options.connectTimeout = .seconds(Int64(location.connectTimeoutSeconds))
        return c
    }

    func wait<T>(_ future: EventLoopFuture<T>, on connection: PostgresConnection?) throws -> T {
        let promise = future.eventLoop.makePromise(of: T.self)
        future.cascade(to: promise)
        let timeout = future.eventLoop.scheduleTask(in: statementTimeout) {
            promise.fail(StoreError.unavailable("PostgreSQL at \(self.location.label) did not answer within \(self.statementTimeout.nanoseconds / 1_000_000_000) s"))
        }
        defer { timeout.cancel() }
        do {
            return try promise.futureResult.wait()
        } catch let e as PSQLError {
            throw Self.map(e, location.label)
        }
    }

    private func open() throws -> PostgresConnection {
        let id = lock.withLock { nextID += 1; return nextID }
        return try wait(PostgresConnection.connect(on: group.next(), configuration: configuration(), id: id, logger: logger), on: nil)
    }

    /// Runs `body` on a borrowed connection; a failed connection is dropped, not returned.
    func with<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        slots.wait()
        defer { slots.signal() }
        var conn = lock.withLock { idle.popLast() }
        if let c = conn, c.isClosed { conn = nil }
        let c = try conn ?? open()
        do {
            let r = try body(c)
            lock.withLock { idle.append(c) }
            return r
        } catch let e as StoreError {
            if case .unavailable = e { c.closeQuietly() } else if c.isClosed { } else { lock.withLock { idle.append(c) } }
            throw e
        } catch {
            c.closeQuietly()
            throw error
        }
    }

    /// Closes the idle connections and waits for them (PostgresNIO requires every connection
    /// closed before it is released).
    func close() {
        let all = lock.withLock { () -> [PostgresConnection] in let a = idle; idle = []; return a }
        for c in all where !c.isClosed {
            let f: EventLoopFuture<Void> = c.close()
            // Held until closed; waited for at most 2 s: a connection whose server went away
            // may never finish its goodbye.
            f.whenComplete { _ in _ = c }
            if !f.eventLoop.inEventLoop {
                let done = DispatchSemaphore(value: 0)
                f.whenComplete { _ in done.signal() }
                _ = done.wait(timeout: .now() + 2)
            }
        }
    }

    deinit { close() }

    /// SQLSTATE classes to the store's meanings.
    static func map(_ e: PSQLError, _ label: String) -> StoreError {
        guard e.code == .server, let info = e.serverInfo else {
            let why: String
            switch e.code {
            case .connectionError: why = "cannot connect" + (e.underlying.map { ": \($0)" } ?? "")
            case .serverClosedConnection, .uncleanShutdown: why = "the server closed the connection"
            case .sslUnsupported: why = "the server does not offer TLS (sslmode=require); use sslmode=prefer or disable"
            case .authMechanismRequiresPassword: why = "the server asks for a password (set it in the URL, PGPASSWORD or ~/.pgpass)"
            default: why = "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
            }
            return .unavailable("PostgreSQL at \(label): \(why)")
        }
        let state = info[.sqlState] ?? ""
        let message = [info[.message], info[.detail]].compactMap { $0 }.joined(separator: "; ")
        switch state {
        case "23505": return .duplicate(entity: "row", key: message)
        case "23503": return .inUse("still referenced: \(message)")
        case "40001", "40P01": return .serialization(message)
        case "25006": return .unreadable("the database is read-only (a standby?): \(message)")
        case "28P01", "28000": return .unavailable("PostgreSQL at \(label) refused the login: \(message)")
        case "3D000": return .unavailable("PostgreSQL at \(label): \(message) (create it with createdb)")
        default: break
        }
        if state.hasPrefix("23") || state.hasPrefix("22") { return .invalid("rejected by the catalog's constraints: \(message)") }
        if state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53") { return .unavailable("PostgreSQL at \(label): \(message)") }
        return .unreadable("database error (\(state)): \(message)")
    }
}

/// PostgreSQL through PostgresNIO.
final class PostgresBackend: StoreBackend {
    let pool: PostgresPool
    var dialect: SQLDialect { .postgres }
    var label: String { pool.location.label }
    var readOnly: Bool { false }
    /// pg_advisory_lock key for migrations: replicas starting together migrate one at a time.
    static let migrationLock: Int64 = 0x5e4e_f17

    init(_ location: PostgresLocation) throws { pool = try PostgresPool(location) }

    private func transaction<T>(_ begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        try pool.with { c in
            let conn = PostgresSQLConnection(connection: c, pool: pool)
            try conn.execute(begin)
            do {
                let r = try body(conn)
                try conn.execute("COMMIT")
                return r
            } catch {
                if !c.isClosed { _ = try? conn.execute("ROLLBACK") }
                throw error
            }
        }
    }

    func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try transaction("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    /// SERIALIZABLE, so a read-check-write (an If-Match, a duplicate check) holds across
    /// replicas as it does under SQLite's single writer; a transaction PostgreSQL aborts as
    /// conflicting runs again, up to 10 times with a growing random pause.
    func write<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        var attempt = 0
        while true {
            do {
                return try transaction("BEGIN ISOLATION LEVEL SERIALIZABLE", body)
            } catch StoreError.serialization(let m) {
                attempt += 1
                if attempt >= 10 { throw StoreError.conflict("the write kept conflicting with concurrent writes: \(m)") }
                usleep(UInt32.random(in: 1_000...(5_000 * UInt32(attempt))))
            }
        }
    }

    func migrate(_ migrations: [(id: String, sql: String)]) throws -> Bool {
        try pool.with { c in
            let conn = PostgresSQLConnection(connection: c, pool: pool)
            try conn.execute("SELECT pg_advisory_lock(?)", [Self.migrationLock])
            defer { _ = try? conn.execute("SELECT pg_advisory_unlock(?)", [Self.migrationLock]) }
            try conn.execute("CREATE TABLE IF NOT EXISTS servefit_migrations (identifier TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            let applied = Set(try conn.column(String.self, "SELECT identifier FROM servefit_migrations"))
            let unknown = applied.subtracting(migrations.map(\.id)).sorted()
            if !unknown.isEmpty {
                throw StoreError.newerSchema("\(label) was written by a newer servefit (schema \(unknown.joined(separator: ", "))); it is left untouched. Upgrade servefit to use it.")
            }
            for m in migrations where !applied.contains(m.id) {
                try conn.execute("BEGIN")
                do {
                    for statement in SQLScript.statements(m.sql) { try conn.execute(statement) }
                    try conn.execute("INSERT INTO servefit_migrations(identifier, applied_at) VALUES (?, ?)", [m.id, CatalogStore.now()])
                    try conn.execute("COMMIT")
                } catch {
                    _ = try? conn.execute("ROLLBACK")
                    throw error
                }
            }
            return applied.isEmpty
        }
    }

    func appliedMigrations() throws -> [String] {
        try read { db in try db.column(String.self, "SELECT identifier FROM servefit_migrations ORDER BY identifier") }
    }

    /// PostgreSQL checks its constraints on every write and pages on every read; what is left to
    /// report is a constraint added NOT VALID and never validated.
    func integrityProblems() throws -> [String] {
        try read { db in
            try db.column(String.self, "SELECT conrelid::regclass::text || ': ' || conname FROM pg_constraint WHERE NOT convalidated")
                .map { "constraint not validated: \($0)" }
        }
    }

    /// pg_dump's custom format (restore with pg_restore); pg_dump must be on PATH.
    func backup(to path: String) throws {
        let l = pool.location
        guard let dump = ProcessInfo.processInfo.environment["PATH"]?.split(separator: ":")
            .map({ "\($0)/pg_dump" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw StoreError.unavailable("pg_dump is not on PATH; install PostgreSQL's client tools, or copy the catalog to a file with `servefit db copy --to FILE.sqlite`")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: dump)
        p.arguments = ["--format=custom", "--no-owner", "--file", path, "--host", l.socketDirectory ?? l.host,
                       "--port", String(l.port), "--username", l.user, "--dbname", l.database]
        var env = ProcessInfo.processInfo.environment
        if let pw = l.password { env["PGPASSWORD"] = pw }
        env["PGSSLMODE"] = l.sslMode.rawValue
        p.environment = env
        let err = Pipe()
        p.standardError = err
        do { try p.run() } catch { throw StoreError.unavailable("cannot run pg_dump: \(error)") }
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        if p.terminationStatus != 0 {
            try? FileManager.default.removeItem(atPath: path)
            throw StoreError.unavailable("pg_dump failed: \(message.trimmingCharacters(in: .whitespacesAndNewlines).prefix(500))")
        }
    }
}

/// Splits a migration file into statements at top-level semicolons, keeping quoted text,
/// dollar-quoted function bodies and comments whole (PostgreSQL's extended protocol runs one
/// statement at a time).
enum SQLScript {
    static func statements(_ sql: String) -> [String] {
        var out: [String] = [], cur = ""
        let chars = Array(sql)
        var i = 0
        func flush() {
            let s = cur.trimmingCharacters(in: .whitespacesAndNewlines)
            if !s.isEmpty && !s.split(separator: "\n").allSatisfy({ $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") }) { out.append(s) }
            cur = ""
        }
        while i < chars.count {
            let c = chars[i]
            if c == "-" && i + 1 < chars.count && chars[i + 1] == "-" {
                while i < chars.count && chars[i] != "\n" { cur.append(chars[i]); i += 1 }
                continue
            }
            if c == "'" || c == "\"" {
                cur.append(c); i += 1
                while i < chars.count { cur.append(chars[i]); if chars[i] == c { i += 1; break }; i += 1 }
                continue
            }
            if c == "$" {
                // $tag$ … $tag$
                var j = i + 1
                while j < chars.count && (chars[j].isLetter || chars[j] == "_") { j += 1 }
                if j < chars.count && chars[j] == "$" {
                    let tag = String(chars[i...j])
                    cur += tag; i = j + 1
                    while i < chars.count {
                        if chars[i] == "$" && String(chars[i..<min(chars.count, i + tag.count)]) == tag { cur += tag; i += tag.count; break }
                        cur.append(chars[i]); i += 1
                    }
                    continue
                }
            }
            if c == ";" { flush(); i += 1; continue }
            cur.append(c); i += 1
        }
        flush()
        return out
    }
}

extension PostgresConnection {
    /// Closes without waiting (the future form; the async one cannot run here).
    func closeQuietly() {
        let f: EventLoopFuture<Void> = self.close()
        // Held until closed: PostgresNIO asserts a connection is closed when it is released.
        f.whenComplete { _ in _ = self }
    }
}

/// Server-level chores the catalog itself does not need (tests, `db copy` into a new database).
public enum PostgresAdmin {
    /// Creates database `name` on the server of `url` (connecting to the URL's database) and
    /// returns the URL of the new one.
    public static func createDatabase(serverURL url: String, name: String) throws -> String {
        guard name.range(of: "^[a-z_][a-z0-9_]{0,62}$", options: .regularExpression) != nil else {
            throw StoreError.invalid("a database name is 1-63 lower-case letters, digits and _")
        }
        let location = try PostgresLocation(url: url)
        let pool = try PostgresPool(location)
        defer { pool.close() }
        try pool.with { c in
            _ = try PostgresSQLConnection(connection: c, pool: pool).execute("CREATE DATABASE \(name)")
        }
        guard var c = URLComponents(string: url) else { throw StoreError.invalid("bad URL") }
        c.path = "/" + name
        return c.string ?? url
    }
}
