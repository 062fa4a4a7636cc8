import Foundation
import ServefitStore

/// The catalog a test runs on. `SERVEFIT_TEST_BACKEND=postgres` puts the store, CLI, server and
/// reliability suites on PostgreSQL (a new database per catalog, on the cluster named by
/// `SERVEFIT_TEST_POSTGRES` or one these helpers start for the test process); unset or `sqlite`,
/// they run on SQLite files. Tests about the SQLite file itself (corruption, permissions, WAL)
/// ask for `sqliteFile` and run on SQLite either way.
public enum TestCatalog {
    public enum Backend: String, Sendable { case sqlite, postgres }

    public static let backend: Backend = {
        Backend(rawValue: ProcessInfo.processInfo.environment["SERVEFIT_TEST_BACKEND"]?.lowercased() ?? "sqlite") ?? .sqlite
    }()
    public static var onPostgres: Bool { backend == .postgres }

    /// A new, empty catalog location for `--db` / `SERVEFIT_DB`: a SQLite file path in a new
    /// folder, or the URL of a new PostgreSQL database.
    public static func location(_ tag: String = "t") throws -> String {
        switch backend {
        case .sqlite: return sqliteFile(tag)
        case .postgres: return try PG.database(tag)
        }
    }

    /// A new SQLite file path (not created) in its own temporary folder.
    public static func sqliteFile(_ tag: String = "t") -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("servefit-\(tag)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir.appendingPathComponent("catalog.sqlite").path
    }

    /// A new store: a private in-memory SQLite database, or a new PostgreSQL database.
    public static func store(seed: Bool = false) throws -> CatalogStore {
        switch backend {
        case .sqlite: return try CatalogStore.inMemory(seed: seed)
        case .postgres: return try CatalogStore.open(path: try PG.database("s"), seedIfNew: seed)
        }
    }
}

/// A throwaway PostgreSQL cluster (scripts/pg-throwaway.sh: initdb in a temp folder, loopback
/// port) for the tests.
public enum PG {
    public struct Cluster: Sendable { public var url: String; public var dir: String }

    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    public static func startCluster() throws -> Cluster {
        let p = Process()
        p.executableURL = root.appendingPathComponent("scripts/pg-throwaway.sh")
        p.arguments = ["--watch", String(ProcessInfo.processInfo.processIdentifier)]
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        // Two lines, not to the end: the server it starts may hold the pipe open for its life.
        var text = ""
        while text.split(separator: "\n").count < 2 {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            text += String(decoding: d, as: UTF8.self)
        }
        p.waitUntilExit()
        let lines = text.split(separator: "\n").map(String.init)
        guard p.terminationStatus == 0, lines.count >= 2, lines[0].hasPrefix("postgres://") else {
            throw StoreError.unavailable("cannot start a throwaway PostgreSQL: \(String(decoding: err.fileHandleForReading.availableData, as: UTF8.self))")
        }
        return Cluster(url: lines[0], dir: lines[1])
    }

    /// The shared cluster of this test process.
    public static let shared: Result<String, any Error> = {
        if let url = ProcessInfo.processInfo.environment["SERVEFIT_TEST_POSTGRES"], !url.isEmpty { return .success(url) }
        return Result { try startCluster().url }
    }()

    /// A new database on `server` (default: the shared cluster); its URL.
    public static func database(_ tag: String, on server: String? = nil) throws -> String {
        let base = try server ?? shared.get()
        let safe = String(tag.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "_" }.prefix(20))
        let name = "t_\(safe)_\(UUID().uuidString.prefix(8).lowercased())"
        return try PostgresAdmin.createDatabase(serverURL: base, name: name)
    }

    /// `scripts/pg-throwaway.sh ARGS` (stop, pause, resume a cluster).
    public static func script(_ args: [String]) throws {
        let p = Process()
        p.executableURL = root.appendingPathComponent("scripts/pg-throwaway.sh")
        p.arguments = args
        try p.run()
        p.waitUntilExit()
    }
}
