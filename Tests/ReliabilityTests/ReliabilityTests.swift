import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import TestSupport
import Testing
@testable import ServefitCore
@testable import ServefitStore

// Faults and scale: real SQLite files, real processes, real signals. Bounded in time; no test
// asserts a duration.

func tempDir(_ tag: String) -> URL {
    _ = pinnedToday
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("servefit-rel-\(tag)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}

func servefit() throws -> URL {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for c in [Bundle.main.bundleURL.appendingPathComponent("servefit"), Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("servefit"),
              root.appendingPathComponent(".build/debug/servefit")] where FileManager.default.isExecutableFile(atPath: c.path) {
        return c
    }
    throw StoreError.unreadable("servefit binary not built")
}

@discardableResult
func run(_ args: [String], db: String, wait: Bool = true) throws -> (Process, Pipe) {
    let p = Process()
    p.executableURL = try servefit()
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(["SERVEFIT_DB": db, "SERVEFIT_ACTOR": "rel"]) { $1 }
    let err = Pipe()
    p.standardOutput = FileHandle.nullDevice
    p.standardError = err
    try p.run()
    if wait { p.waitUntilExit() }
    return (p, err)
}

/// "ok" when the catalog at `path` is whole: SQLite's own integrity check on a file, the
/// store's check (schema, triggers' tables, every row valid) on PostgreSQL.
func integrity(_ path: String) throws -> String {
    if TestCatalog.onPostgres && path.hasPrefix("postgres") {
        let problems = try CatalogStore.open(path: path, seedIfNew: false).check()
        return problems.isEmpty ? "ok" : problems.joined(separator: "; ")
    }
    return try DatabaseQueue(path: path).read { db in try String.fetchOne(db, sql: "PRAGMA integrity_check") ?? "?" }
}

// MARK: query plans: every hot query uses an index

func plan(_ s: CatalogStore, _ sql: String, _ args: SQLArguments = []) throws -> String {
    try s.read { db in
        try db.rows("EXPLAIN QUERY PLAN " + sql, args).map { $0["detail"] as String }.joined(separator: " | ")
    }
}

@Test func hotQueriesUseIndexes() throws {
    let s = try CatalogStore.inMemory(seed: true)
    func check(_ name: String, _ sql: String, _ args: SQLArguments = [], forbid: [String], require: String = "USING") throws {
        let p = try plan(s, sql, args)
        #expect(p.contains(require), "\(name): \(p)")
        for f in forbid { #expect(!p.contains(f), "\(name) scans: \(p)") }
    }
    try check("model by slug or repo", "SELECT * FROM model WHERE slug = ? OR hf_repo = ? ORDER BY slug = ? DESC LIMIT 1", ["x", "x", "x"],
              forbid: ["SCAN model"])
    try check("gpu by slug", "SELECT * FROM gpu WHERE slug = ?", ["h100-sxm"], forbid: ["SCAN gpu"])
    let (fam, famArgs) = CatalogStore.modelsWhere(ModelFilter(family: "qwen3"))
    try check("model list --family", "SELECT * FROM model \(fam) ORDER BY slug", famArgs, forbid: ["SCAN model"])
    let (latest, latestArgs) = CatalogStore.pricesSQL(PriceFilter(gpu: "h100-sxm", latestOnly: true))
    try check("price list --gpu --latest", latest, latestArgs, forbid: ["SCAN p", "SCAN gpu_price", "SCAN g"])
    let (hist, histArgs) = CatalogStore.pricesSQL(PriceFilter(gpu: "h100-sxm"))
    try check("price list --gpu", hist, histArgs, forbid: ["SCAN p", "SCAN gpu_price", "SCAN g"])
    // Current prices of every GPU read the small per-group table, not the price history.
    let (all, allArgs) = CatalogStore.pricesSQL(PriceFilter(latestOnly: true))
    try check("current prices", all, allArgs, forbid: ["SCAN p", "SCAN gpu_price "], require: "SEARCH p USING INDEX gpu_price_latest (gpu_id=? AND provider=? AND pricing_model=? AND gpus_per_instance=? AND as_of=?)")
    var q = RankQuery(model: "m")
    q.gpus = ["h100-sxm", "l4"]
    let (rank, rankArgs) = CatalogStore.rankCandidatesSQL(q, freshness: CatalogStore.freshness(q))
    try check("rank candidates", rank, rankArgs, forbid: ["SCAN p ", "SCAN gpu_price "],
              require: "SEARCH p USING INDEX gpu_price_latest (gpu_id=? AND provider=? AND pricing_model=? AND gpus_per_instance=? AND as_of>?)")
    let (h, hArgs) = CatalogStore.historySQL(entity: "price", key: nil, limit: 50)
    try check("history --entity", h, hArgs, forbid: ["SCAN change_log", "TEMP B-TREE"])
    let (hk, hkArgs) = CatalogStore.historySQL(entity: "model", key: "llama-2-7b", limit: 50)
    try check("history --entity --key", hk, hkArgs, forbid: ["SCAN change_log"])
    try check("scenario by name", CatalogStore.scenarioSelect + " WHERE s.name = ?", ["x"], forbid: ["SCAN s"])
    try check("token by hash", "SELECT * FROM api_token WHERE token_hash = ? AND revoked_at IS NULL", ["x"], forbid: ["SCAN api_token"])
}

/// The current-price table kept by triggers gives what the history says, after inserts, deletes
/// (also cascading from a GPU) and updates.
@Test func currentPricesFollowTheHistory() throws {
    let s = try TestCatalog.store(seed: true)
    func current(_ gpu: String) throws -> [Price] { try s.prices(PriceFilter(gpu: gpu, latestOnly: true)) }
    func expected(_ gpu: String) throws -> [Price] {
        let all = try s.prices(PriceFilter(gpu: gpu))
        // Current = the latest per (provider, pricing model, instance size).
        let groups = Dictionary(grouping: all) { "\($0.provider)|\($0.pricingModel.rawValue)|\($0.gpusPerInstance)" }
        return groups.values.flatMap { g in g.filter { $0.asOf == g.map(\.asOf).max()! } }
            .sorted { ($0.provider, $0.pricingModel.rawValue, $0.gpusPerInstance, $0.asOf, $0.instance ?? "", $0.region ?? "")
                < ($1.provider, $1.pricingModel.rawValue, $1.gpusPerInstance, $1.asOf, $1.instance ?? "", $1.region ?? "") }
    }
    #expect(try current("h100-sxm") == expected("h100-sxm"))
    let newer = try s.addPrice(Price(gpu: "h100-sxm", provider: "X", usdPerGPUHour: 9, asOf: "2030-01-01", source: "t"), actor: "t")
    let older = try s.addPrice(Price(gpu: "h100-sxm", provider: "X", usdPerGPUHour: 1, asOf: "2029-01-01", source: "t"), actor: "t")
    #expect(try current("h100-sxm").filter { $0.provider == "X" }.map(\.usdPerGPUHour) == [9])
    try s.removePrice(id: newer.id!, actor: "t")
    #expect(try current("h100-sxm").filter { $0.provider == "X" }.map(\.usdPerGPUHour) == [1])
    try s.removePrice(id: older.id!, actor: "t")
    #expect(try current("h100-sxm").filter { $0.provider == "X" }.isEmpty)
    #expect(try current("h100-sxm") == expected("h100-sxm"))
    try s.write { db in try db.execute("UPDATE gpu_price SET as_of = '2031-01-01' WHERE id = (SELECT min(id) FROM gpu_price)") }
    for g in try s.gpus() { #expect(try current(g.slug) == expected(g.slug), "\(g.slug)") }
    try s.removeGPU("a10", withPrices: true, actor: "t")
    let orphans = try s.read { db in try db.count("SELECT count(*) FROM gpu_price_current WHERE gpu_id NOT IN (SELECT id FROM gpu)") }
    #expect(orphans == 0)
}

// MARK: migrations

/// A database made by each earlier schema version upgrades with all its data kept.
@Test(arguments: ["0001_catalog", "0002_api_tokens", "0003_model_variant", "0004_current_price_index", "0005_instance_shapes", "0006_quantization_config", "0007_measurements", "0008_current_price_age"])
func olderSchemasUpgradeKeepingData(_ version: String) throws {
    let path = tempDir("mig").appendingPathComponent("old.sqlite").path
    let q = try DatabaseQueue(path: path)
    try CatalogStore.sqliteMigrator().migrate(q, upTo: version)
    // Data as that version would have it: a model, a GPU, prices (two dates), a scenario, log rows.
    try q.write { db in
        try db.execute(sql: """
            INSERT INTO model(slug, name, model_type, kind, hidden_size, intermediate_size, num_hidden_layers, num_attention_heads,
                              num_key_value_heads, vocab_size, architectures, tags, origin, created_at, updated_at)
            VALUES ('old-llama', 'Old Llama', 'llama', 'decoder', 4096, 11008, 32, 32, 32, 32000, '[]', '["legacy"]', 'user', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
            INSERT INTO gpu(slug, vendor, name, memory_bytes, bandwidth_gb_per_s, tflops_fp16, origin, created_at, updated_at)
            VALUES ('old-gpu', 'NVIDIA', 'Old GPU', 25769803776, 900, 100, 'user', '2025-01-01T00:00:00Z', '2025-01-01T00:00:00Z');
            INSERT INTO gpu_price(gpu_id, provider, pricing_model, usd_per_gpu_hour, as_of, source, created_at)
            VALUES ((SELECT id FROM gpu WHERE slug = 'old-gpu'), 'OldCloud', 'on-demand', 1.5, '2025-01-01', 'old', '2025-01-01'),
                   ((SELECT id FROM gpu WHERE slug = 'old-gpu'), 'OldCloud', 'on-demand', 1.2, '2025-06-01', 'old', '2025-06-01');
            INSERT INTO scenario(name, model_id, options_json, created_at, updated_at)
            VALUES ('old-scenario', (SELECT id FROM model WHERE slug = 'old-llama'), '{"max-tpot":"50ms"}', '2025-01-01', '2025-01-01');
            INSERT INTO change_log(at, actor, entity, key, action) VALUES ('2025-01-01', 'old', 'model', 'old-llama', 'create');
            """)
    }
    let counts = try q.read { db in
        try ["model", "gpu", "gpu_price", "scenario", "change_log"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }
    }
    try q.close()
    let s = try CatalogStore.open(path: path, seedIfNew: false)
    #expect(try s.schemaVersion().last == "0009_model_hub_revision")
    let after = try s.sqliteWriter!.read { db in
        try ["model", "gpu", "gpu_price", "scenario", "change_log"].map { try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0)")! }
    }
    #expect(after == counts)
    #expect(try s.model("old-llama").tags == ["legacy"])
    let current = try s.prices(PriceFilter(gpu: "old-gpu", latestOnly: true))
    #expect(current.map(\.usdPerGPUHour) == [1.2])
    // Prices recorded before shapes were kept: one GPU, flagged as assumed.
    #expect(current.allSatisfy { $0.gpusPerInstance == 1 && $0.shapeAssumed })
    #expect(try s.scenario("old-scenario").options["max-tpot"] == "50ms")
    #expect(try s.check().isEmpty)
    #expect(try integrity(path) == "ok")
}

// MARK: faults

/// Several CLI processes, the server (another process) and this process write at once: nobody
/// sees "database is locked", and every write is there afterwards.
@Test func concurrentWritersLoseNothing() async throws {
    let db = try TestCatalog.location("conc")
    try run(["db", "check"], db: db)
    let store = try CatalogStore.open(path: db)
    let (_, secret) = try store.createToken(name: "server-writer", role: .write, actor: "rel")
    let before = try store.counts()
    // The server, on the same file.
    let server = Process()
    server.executableURL = try servefit()
    server.arguments = ["serve", "--port", "0", "--log-level", "error"]
    server.environment = ProcessInfo.processInfo.environment.merging(["SERVEFIT_DB": db]) { $1 }
    let serverOut = Pipe()
    server.standardOutput = serverOut
    server.standardError = FileHandle.nullDevice
    try server.run()
    defer { if server.isRunning { server.terminate() } }
    var banner = ""
    while !banner.contains("\n") {
        let d = serverOut.fileHandleForReading.availableData
        if d.isEmpty { break }
        banner += String(decoding: d, as: UTF8.self)
    }
    let base = try #require(banner.split(separator: " ").first { $0.hasPrefix("http://") }.map(String.init))
    let writers = 4, each = 15
    var procs: [(Process, Pipe)] = []
    for w in 0..<writers {
        // Each process adds `each` prices, one command per price, as a script would.
        let script = (0..<each).map { i in
            "\"\(try! servefit().path)\" price add --gpu l4 --provider W\(w) --usd-per-gpu-hour \(1 + Double(i) / 100) --as-of 2026-10-\(String(format: "%02d", 1 + i)) --source rel"
        }.joined(separator: " && ")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", script]
        p.environment = ProcessInfo.processInfo.environment.merging(["SERVEFIT_DB": db, "SERVEFIT_ACTOR": "w\(w)"]) { $1 }
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        procs.append((p, err))
    }
    // Meanwhile the server takes writes over HTTP, and this process writes too.
    let http = Task {
        var created = 0
        for i in 0..<each {
            var r = URLRequest(url: URL(string: base + "/v1/prices")!)
            r.httpMethod = "POST"
            r.setValue("Bearer \(secret)", forHTTPHeaderField: "Authorization")
            r.setValue("application/json", forHTTPHeaderField: "Content-Type")
            r.httpBody = Data(#"{"gpu":"a10","provider":"Server","pricing_model":"on-demand","usd_per_gpu_hour":\#(1 + Double(i) / 100),"as_of":"2026-08-\#(String(format: "%02d", 1 + i))","source":"rel"}"#.utf8)
            let (_, resp) = try await URLSession.shared.data(for: r)
            if (resp as? HTTPURLResponse)?.statusCode == 201 { created += 1 }
        }
        return created
    }
    for i in 0..<each {
        try store.addPrice(Price(gpu: "h100-sxm", provider: "InProcess", usdPerGPUHour: 2 + Double(i) / 100,
                                 asOf: String(format: "2026-09-%02d", 1 + i), source: "rel"), actor: "in-process")
    }
    #expect(try await http.value == each)
    for (p, err) in procs {
        p.waitUntilExit()
        let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(msg)")
        #expect(!msg.contains("locked"))
    }
    let after = try store.counts()
    #expect(after.prices == before.prices + (writers + 2) * each)
    #expect(after.changes == before.changes + (writers + 2) * each)
    #expect(try integrity(db) == "ok")
}

/// SIGKILL in the middle of a large import leaves the database exactly as before it.
@Test func killedImportLeavesTheCatalogAsItWas() throws {
    let dir = tempDir("kill")
    let db = try TestCatalog.location("kill")
    try run(["db", "check"], db: db)
    let store = try CatalogStore.open(path: db)
    let before = try String(decoding: store.export().encoded(), as: UTF8.self)
    let counts = try store.counts()
    // 60,000 prices: long enough to be killed half way.
    var prices: [Price] = []
    let gpus = try store.gpus().map(\.slug)
    for i in 0..<60_000 {
        var p = Price(gpu: gpus[i % gpus.count], provider: "Bulk", usdPerGPUHour: 1 + Double(i % 100) / 100,
                      asOf: String(format: "%04d-%02d-%02d", 2000 + (i / 336) % 90, 1 + (i / 28) % 12, 1 + i % 28), source: "bulk")
        p.instance = "i\(i)"
        prices.append(p)
    }
    let file = dir.appendingPathComponent("big.json")
    try CatalogDocument(prices: prices).encoded().write(to: file)
    var killedMidway = false
    for attempt in 0..<6 {
        let (p, _) = try run(["import", file.path], db: db, wait: false)
        // Wait until the import transaction has begun writing (SQLite: the WAL grows;
        // PostgreSQL: a session of this database runs the price inserts), then kill it.
        let wal = db + "-wal"
        let start = Date()
        let walStart = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
        var seenInserting = 0
        while p.isRunning && Date().timeIntervalSince(start) < 60 {
            if TestCatalog.onPostgres {
                let inserting = try store.read { c in
                    try c.count("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active' AND query LIKE 'INSERT INTO gpu_price%'")
                }
                seenInserting += inserting > 0 ? 1 : 0
                if seenInserting >= 10 { break }
            } else {
                let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
                if size > walStart + 4_000_000 { break }
            }
            usleep(20_000)
        }
        if p.isRunning {
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            killedMidway = p.terminationReason == .uncaughtSignal
        } else {
            p.waitUntilExit()
        }
        if killedMidway { break }
        // It finished before we could kill it: undo and try again (not expected on this size).
        try store.write { db in try db.execute("DELETE FROM gpu_price WHERE provider = 'Bulk'") }
    }
    #expect(killedMidway)
    #expect(try integrity(db) == "ok")
    let reopened = try CatalogStore.open(path: db)
    #expect(try reopened.counts().prices == counts.prices)
    #expect(try reopened.counts().changes == counts.changes)
    #expect(try String(decoding: reopened.export().encoded(), as: UTF8.self) == before)
}

/// Rankings leave out prices older than --max-price-age on *today*: tests pin today to the date
/// the seed prices were checked, so they answer the same next year.
let pinnedToday: Void = { setenv("SERVEFIT_TODAY", "2026-12-01", 1) }()

@Test func damagedReadOnlyAndFullDatabasesGiveClearErrors() throws {
    let dir = tempDir("dmg")
    // Not a database at all.
    let junk = dir.appendingPathComponent("junk.sqlite").path
    try Data(repeating: 0x42, count: 8192).write(to: URL(fileURLWithPath: junk))
    let junkBefore = try Data(contentsOf: URL(fileURLWithPath: junk))
    let (p1, e1) = try run(["model", "list"], db: junk)
    let m1 = String(decoding: e1.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(p1.terminationStatus == 65 && m1.contains("servefit: error:"), "\(m1)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: junk)) == junkBefore)

    // A real catalog cut in half.
    let good = dir.appendingPathComponent("good.sqlite").path
    try run(["db", "check"], db: good)
    _ = try CatalogStore.open(path: good).sqliteWriter!.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    let full = try Data(contentsOf: URL(fileURLWithPath: good))
    let cut = dir.appendingPathComponent("cut.sqlite").path
    try full.prefix(full.count / 2).write(to: URL(fileURLWithPath: cut))
    let (p2, e2) = try run(["model", "list"], db: cut)
    let m2 = String(decoding: e2.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect([65, 70].contains(p2.terminationStatus) && m2.contains("servefit: error:") && !m2.contains("Fatal"), "\(p2.terminationStatus) \(m2)")
    let (p3, e3) = try run(["db", "check"], db: cut)
    let m3 = String(decoding: e3.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    #expect(p3.terminationStatus != 0 && m3.contains("servefit: error:"), "\(m3)")

    // Read-only: reads work, writes fail with exit 70 and change nothing. Root ignores file
    // permissions, so as root the check runs as `nobody` (runuser) on a copy of the binary.
    let roDir = tempDir("ro")
    let ro = roDir.appendingPathComponent("ro.sqlite").path
    try run(["db", "check"], db: ro)
    let bin = roDir.appendingPathComponent("servefit").path
    try FileManager.default.copyItem(atPath: try servefit().path, toPath: bin)
    let asRoot = getuid() == 0
    if asRoot {
        guard FileManager.default.isExecutableFile(atPath: "/usr/sbin/runuser") else { return }
        for f in [roDir.path, ro, bin] { try FileManager.default.setAttributes([.ownerAccountID: 65534], ofItemAtPath: f) }
    }
    try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: ro)
    try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: roDir.path)
    defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: roDir.path) }
    let roBefore = try Data(contentsOf: URL(fileURLWithPath: ro))
    func runRO(_ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: asRoot ? "/usr/sbin/runuser" : bin)
        p.arguments = (asRoot ? ["-u", "nobody", "--", bin] : []) + args
        p.environment = ["SERVEFIT_DB": ro, "HOME": "/tmp"]
        let err = Pipe()
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return (p.terminationStatus, msg)
    }
    let (c4, m4) = try runRO(["gpu", "list"])
    #expect(c4 == 0, "\(m4)")
    let (c5, m5) = try runRO(["price", "add", "--gpu", "l4", "--provider", "X", "--usd-per-gpu-hour", "1", "--as-of", "2026-01-01", "--source", "x"])
    #expect(c5 == 70 && m5.contains("read-only"), "\(m5)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: ro)) == roBefore)
}

/// A full disk, as SQLite sees it (a size-limited database): the write fails whole with a clear
/// error, the data stays as it was, and writes work again once there is room.
@Test func fullDiskFailsTheWholeWriteAndKeepsTheData() throws {
    let path = tempDir("full").appendingPathComponent("catalog.sqlite").path
    let s = try CatalogStore.open(path: path)
    let before = try String(decoding: s.export().encoded(), as: UTF8.self)
    let pages = try s.sqliteWriter!.read { db in try Int.fetchOne(db, sql: "PRAGMA page_count")! }
    try s.sqliteWriter!.writeWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = \(pages + 8)") }
    var prices: [Price] = []
    for i in 0..<5000 {
        var p = Price(gpu: "l4", provider: "Full", usdPerGPUHour: 1, asOf: String(format: "2026-%02d-%02d", 1 + i % 12, 1 + i % 28), source: "full")
        p.instance = "i\(i)"
        prices.append(p)
    }
    do {
        _ = try s.importDocument(CatalogDocument(prices: prices), dryRun: false, actor: "t")
        Issue.record("a write past the size limit succeeded")
    } catch let e as StoreError {
        #expect(e.description.contains("full"), "\(e.description)")
    }
    #expect(try String(decoding: s.export().encoded(), as: UTF8.self) == before)
    try s.sqliteWriter!.writeWithoutTransaction { db in _ = try Int.fetchOne(db, sql: "PRAGMA max_page_count = 1073741823") }
    _ = try s.importDocument(CatalogDocument(prices: Array(prices.prefix(100))), dryRun: false, actor: "t")
    #expect(try s.prices(PriceFilter(provider: "Full")).count == 100)
    #expect(try integrity(path) == "ok")
}
