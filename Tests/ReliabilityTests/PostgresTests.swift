import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
@testable import ServefitCore
@testable import ServefitStore
import TestSupport

// The catalog on a real PostgreSQL: a throwaway cluster (scripts/pg-throwaway.sh: initdb in a
// temp folder, loopback port) that `.ci/run` starts and names in SERVEFIT_TEST_POSTGRES, or that
// these tests start for their own process. Each test gets its own database.

/// `servefit serve` on `db`, with the address it listens on.
func startServer(db: String) throws -> (Process, String) {
    let server = Process()
    server.executableURL = try servefit()
    server.arguments = ["serve", "--port", "0", "--log-level", "error"]
    server.environment = ProcessInfo.processInfo.environment.merging(["SERVEFIT_DB": db, "SERVEFIT_TODAY": "2026-12-01"]) { $1 }
    let out = Pipe()
    server.standardOutput = out
    server.standardError = FileHandle.nullDevice
    try server.run()
    var banner = ""
    while !banner.contains("\n") {
        let d = out.fileHandleForReading.availableData
        if d.isEmpty { break }
        banner += String(decoding: d, as: UTF8.self)
    }
    guard let base = banner.split(separator: " ").first(where: { $0.hasPrefix("http://") }).map(String.init) else {
        server.terminate()
        throw StoreError.unavailable("server did not start: \(banner)")
    }
    return (server, base)
}

func http(_ method: String, _ url: String, token: String? = nil, body: String? = nil, headers: [String: String] = [:]) async -> (Int, Data, [String: String]) {
    var r = URLRequest(url: URL(string: url)!)
    r.httpMethod = method
    r.timeoutInterval = 30
    if let t = token { r.setValue("Bearer \(t)", forHTTPHeaderField: "Authorization") }
    if let b = body { r.httpBody = Data(b.utf8); r.setValue("application/json", forHTTPHeaderField: "Content-Type") }
    for (k, v) in headers { r.setValue(v, forHTTPHeaderField: k) }
    do {
        let (d, resp) = try await URLSession.shared.data(for: r)
        let h = resp as? HTTPURLResponse
        var hs: [String: String] = [:]
        for (k, v) in h?.allHeaderFields ?? [:] { hs[String(describing: k).lowercased()] = String(describing: v) }
        return (h?.statusCode ?? 0, d, hs)
    } catch {
        return (0, Data(), [:])
    }
}

func cli(_ args: [String], db: String) throws -> (Int32, String, String) {
    let p = Process()
    p.executableURL = try servefit()
    p.arguments = args
    p.environment = ProcessInfo.processInfo.environment.merging(["SERVEFIT_DB": db, "SERVEFIT_ACTOR": "rel", "SERVEFIT_TODAY": "2026-12-01"]) { $1 }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
}

/// A SQLite catalog copied to PostgreSQL and back is the same catalog (every exported field),
/// and PostgreSQL answers rank, estimate, search and filters as SQLite does.
@Test func postgresAnswersAsSQLiteDoes() throws {
    let file = tempDir("pgsame").appendingPathComponent("catalog.sqlite").path
    let pg = try PG.database("same")
    let back = tempDir("pgsame").appendingPathComponent("back.sqlite").path
    #expect(try cli(["db", "check"], db: file).0 == 0)
    #expect(try cli(["scenario", "save", "chat", "--model", "llama-3.1-8b-instruct", "--gpu", "h100-sxm,l4"], db: file).0 == 0)
    #expect(try cli(["token", "create", "--name", "ci", "--role", "write"], db: file).0 == 0)
    let (c1, copyOut, copyErr) = try cli(["db", "copy", "--from", file, "--to", pg, "--format", "json"], db: file)
    #expect(c1 == 0, "\(copyErr)")
    let report = try JSONDecoder().decode(CopyReport.self, from: Data(copyOut.utf8))
    #expect(report.rows["model"] == (try CatalogStore.open(path: file).counts().models))
    #expect(report.rows["api_token"] == 1 && report.rows["scenario"] == 1)
    #expect(try cli(["db", "copy", "--from", pg, "--to", back], db: file).0 == 0)
    let exports = try [file, pg, back].map { try cli(["export"], db: $0).1 }
    #expect(exports[0] == exports[1] && exports[1] == exports[2] && exports[0].count > 100_000)
    // A copy into a catalog that has rows is refused, leaving it as it was.
    let (c2, _, e2) = try cli(["db", "copy", "--from", file, "--to", pg], db: file)
    #expect(c2 == 65 && e2.contains("not empty"))
    #expect(try cli(["export"], db: pg).1 == exports[0])
    for args in [["rank", "--model", "llama-3.1-8b-instruct", "--format", "json"],
                 ["rank", "--model", "qwen3-30b-a3b", "--provider", "runpod", "--format", "json"],
                 ["best-gpu", "--model", "llama-3.3-70b-instruct", "--format", "json"],
                 ["estimate", "--model", "deepseek-v3", "--format", "json"],
                 ["model", "list", "--tag", "moe", "--format", "json"], ["model", "search", "LLAMA", "--format", "json"],
                 ["gpu", "list", "--vendor", "NVIDIA", "--format", "json"], ["gpu", "show", "H100-SXM", "--format", "json"],
                 ["price", "list", "--provider", "LAMBDA", "--latest", "--format", "json"],
                 ["history", "--entity", "gpu", "--limit", "5", "--format", "json"], ["scenario", "run", "chat", "--format", "json"]] {
        let a = try cli(args, db: file), b = try cli(args, db: pg)
        #expect(a.0 == b.0 && a.1 == b.1 && !a.1.isEmpty, "\(args): \(a.2) \(b.2)")
    }
    // An unknown name suggests the same names on both.
    let a = try cli(["gpu", "show", "h100"], db: file), b = try cli(["gpu", "show", "h100"], db: pg)
    #expect(a.0 == 66 && b.0 == 66 && a.2 == b.2)
    #expect(try cli(["db", "check"], db: pg).0 == 0)
}

/// The store's rules hold on PostgreSQL: duplicates, stale ETags, references, all-or-nothing
/// imports, tokens; bad data is refused with the catalog untouched.
@Test func postgresKeepsTheStoreRules() throws {
    let s = try CatalogStore.open(path: try PG.database("rules"))
    #expect(s.dialect == .postgres && s.wasCreated)
    let before = try s.counts()
    let m = try s.model("llama-3.1-8b-instruct")
    #expect(throws: StoreError.duplicate(entity: "model", key: m.slug)) { try s.addModel(m, actor: "t") }
    let etag = CatalogStore.etag(m)
    var renamed = m
    renamed.notes = "changed once"
    _ = try s.updateModel(m.slug, to: renamed, ifMatch: etag, actor: "t")
    renamed.notes = "changed twice"
    #expect { try s.updateModel(m.slug, to: renamed, ifMatch: etag, actor: "t") } throws: { e in
        if case StoreError.conflict = e { return true } else { return false }
    }
    _ = try s.saveScenario(Scenario(name: "uses-llama", model: m.slug), actor: "t")
    #expect { try s.removeModel(m.slug, actor: "t") } throws: { e in
        if case StoreError.inUse = e { return true } else { return false }
    }
    // An import with one bad price stores nothing.
    var good = Price(gpu: "l4", provider: "Good", usdPerGPUHour: 1, asOf: "2026-11-01", source: "t")
    good.instance = "a"
    let bad = Price(gpu: "no-such-gpu", provider: "Bad", usdPerGPUHour: 1, asOf: "2026-11-01", source: "t")
    #expect(throws: (any Error).self) { try s.importDocument(CatalogDocument(prices: [good, bad]), dryRun: false, actor: "t") }
    #expect(try s.prices(PriceFilter(provider: "good")).isEmpty)
    // Absurd values are refused by the domain, and values past the schema's checks by PostgreSQL.
    var huge = try s.gpu("l4")
    huge.slug = String(repeating: "x", count: 129)
    #expect(throws: (any Error).self) { try s.addGPU(huge, actor: "t") }
    let p = try s.addPrice(good, actor: "t")
    let found = try s.prices(PriceFilter(provider: "GOOD")).map(\.id)
    #expect(p.id != nil && found == [p.id])
    #expect(throws: StoreError.duplicate(entity: "price", key: CatalogStore.priceKey(good))) { try s.addPrice(good, actor: "t") }
    let (token, secret) = try s.createToken(name: "pg-writer", role: .write, actor: "t")
    #expect(try s.authenticate(secret)?.name == token.name)
    #expect(try s.authenticate(secret + "x") == nil)
    let after = try s.counts()
    #expect(after.prices == before.prices + 1)
    #expect(after.scenarios == 1)
    let latest = try s.history(entity: "model", key: m.slug, limit: 5).first
    #expect(latest.map { String(describing: $0.after) }?.contains("changed once") == true)
    #expect(try s.check().isEmpty)
    // A newer schema is refused, not used.
    _ = try s.write { db in try db.execute("INSERT INTO servefit_migrations(identifier, applied_at) VALUES ('9999_future', 'x')") }
    #expect { try CatalogStore.open(path: s.location) } throws: { e in
        if case StoreError.newerSchema = e { return true } else { return false }
    }
}

/// Two replicas on one database, 16 clients of mixed reads and writes, one replica SIGKILLed
/// mid-burst: every 201 is stored, once, with its change-log entry; concurrent If-Match PUTs on
/// both replicas: exactly one wins.
@Test func replicasShareOneDatabase() async throws {
    let db = try PG.database("replicas")
    let store = try CatalogStore.open(path: db)
    let (_, secret) = try store.createToken(name: "replica-writer", role: .write, actor: "rel")
    let (a, baseA) = try startServer(db: db)
    let (b, baseB) = try startServer(db: db)
    defer { a.terminate(); if b.isRunning { b.terminate() } }
    actor Tally {
        var done = 0, created: [String] = [], killed = false
        func finish() -> Int { done += 1; return done }
        func add(_ p: String) { created.append(p) }
        func kill() -> Bool { if killed { return false }; killed = true; return true }
    }
    let tally = Tally()
    let clients = 16, each = 12
    let bPID = b.processIdentifier
    await withTaskGroup(of: Void.self) { group in
        for c in 0..<clients {
            group.addTask {
                for i in 0..<each {
                    let base = (c + i) % 2 == 0 ? baseA : baseB
                    if i % 2 == 0 {
                        let provider = "Rep-\(c)-\(i)"
                        let body = #"{"gpu":"l4","provider":"\#(provider)","pricing_model":"on-demand","usd_per_gpu_hour":1.25,"as_of":"2026-11-30","source":"replica test"}"#
                        let (status, _, _) = await http("POST", base + "/v1/prices", token: secret, body: body)
                        if status == 201 { await tally.add(provider) }
                    } else {
                        _ = await http("GET", base + (i % 4 == 1 ? "/v1/rank?model=llama-3.1-8b-instruct&gpus=l4,h100-sxm" : "/v1/gpus"), token: secret)
                    }
                    if await tally.finish() == clients * each / 3, await tally.kill() { kill(bPID, SIGKILL) }
                }
            }
        }
    }
    b.waitUntilExit()
    #expect(b.terminationReason == .uncaughtSignal)
    let created = await tally.created
    #expect(created.count >= clients * each / 4, "only \(created.count) writes answered 201")
    let stored = try store.read { db in
        try db.rows("SELECT provider, count(*) AS n FROM gpu_price WHERE provider LIKE 'Rep-%' GROUP BY provider")
    }
    let counts = Dictionary(uniqueKeysWithValues: stored.map { ($0["provider"] as String, $0["n"] as Int) })
    for p in created { #expect(counts[p] == 1, "\(p) stored \(counts[p] ?? 0) times") }
    #expect(counts.values.allSatisfy { $0 == 1 })
    let logged = try store.read { db in
        try db.column(String.self, "SELECT key FROM change_log WHERE entity = 'price' AND action = 'create' AND actor = 'replica-writer'")
    }
    // Every stored row (answered or cut off by the kill) has exactly one change-log entry.
    #expect(logged.count == counts.count)
    for p in created { #expect(logged.contains { $0.contains("|\(p)|") }) }

    // Concurrent If-Match PUTs of one GPU on the surviving replica and a new one: one wins.
    let (c, baseC) = try startServer(db: db)
    defer { c.terminate() }
    let (status, body, headers) = await http("GET", baseA + "/v1/gpus/l4", token: secret)
    #expect(status == 200)
    let etag = try #require(headers["etag"])
    var gpu = try JSONSerialization.jsonObject(with: body) as! [String: Any]
    let results = await withTaskGroup(of: Int.self) { group in
        for k in 0..<8 {
            gpu["notes"] = "writer \(k)"
            let text = String(decoding: try! JSONSerialization.data(withJSONObject: gpu), as: UTF8.self)
            group.addTask { await http("PUT", (k % 2 == 0 ? baseA : baseC) + "/v1/gpus/l4", token: secret, body: text, headers: ["If-Match": etag]).0 }
        }
        var out: [Int] = []
        for await s in group { out.append(s) }
        return out
    }
    #expect(results.filter { $0 == 200 }.count == 1, "\(results)")
    #expect(results.filter { $0 == 409 || $0 == 412 }.count == 7, "\(results)")
}

/// PostgreSQL restarted under a running replica: requests answer 503 (not a crash, not a hang)
/// while it is down, and the same process serves again once it is back.
@Test
func replicaRecoversWhenTheDatabaseReturns() async throws {
    // Its own cluster: the shared one stays up for the other tests.
    let cluster = try PG.startCluster()
    defer { try? PG.script(["stop", cluster.dir]) }
    let db = try PG.database("restart", on: cluster.url)
    let store = try CatalogStore.open(path: db)
    let (_, secret) = try store.createToken(name: "restart", role: .write, actor: "rel")
    let (server, base) = try startServer(db: db)
    defer { server.terminate() }
    #expect(await http("GET", base + "/v1/gpus", token: secret).0 == 200)
    try PG.script(["pause", cluster.dir])
    let (down, body, _) = await http("GET", base + "/v1/gpus", token: secret)
    #expect(down == 503, "\(String(decoding: body, as: UTF8.self))")
    #expect(String(decoding: body, as: UTF8.self).contains("database_unavailable"))
    let post = await http("POST", base + "/v1/prices", token: secret,
                          body: #"{"gpu":"l4","provider":"Down","pricing_model":"on-demand","usd_per_gpu_hour":1,"as_of":"2026-11-30","source":"t"}"#)
    #expect(post.0 == 503)
    try PG.script(["resume", cluster.dir])
    var back = 0
    for _ in 0..<20 where back != 200 {
        back = await http("GET", base + "/v1/gpus", token: secret).0
        if back != 200 { try await Task.sleep(for: .milliseconds(250)) }
    }
    #expect(back == 200)
    let created = await http("POST", base + "/v1/prices", token: secret,
                             body: #"{"gpu":"l4","provider":"Back","pricing_model":"on-demand","usd_per_gpu_hour":1,"as_of":"2026-11-30","source":"t"}"#)
    #expect(created.0 == 201)
    #expect(server.isRunning)
    #expect(try store.prices(PriceFilter(provider: "Down")).isEmpty)
    #expect(try store.prices(PriceFilter(provider: "Back")).count == 1)
}

/// The database URL: libpq's forms and environment, and clear errors for bad ones.
@Test func postgresLocations() throws {
    let l = try PostgresLocation(url: "postgres://alice:s%40cret@db.internal:6543/catalog?sslmode=require", environment: [:])
    #expect(l.user == "alice" && l.password == "s@cret" && l.host == "db.internal" && l.port == 6543 && l.database == "catalog" && l.sslMode == .require)
    #expect(l.label == "postgres://alice@db.internal:6543/catalog")
    let e = try PostgresLocation(url: "postgresql:///", environment: ["PGUSER": "bob", "PGHOST": "/run/postgresql", "PGPORT": "5433", "PGPASSWORD": "pw"])
    #expect(e.user == "bob" && e.socketDirectory == "/run/postgresql" && e.port == 5433 && e.database == "bob" && e.password == "pw")
    let dir = tempDir("pgpass")
    let pass = dir.appendingPathComponent("pgpass").path
    try "# comment\ndb.internal:5432:catalog:carol:from\\:file\n*:*:*:*:fallback\n".write(toFile: pass, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: pass)
    #expect(try PostgresLocation(url: "postgres://carol@db.internal/catalog", environment: ["PGPASSFILE": pass]).password == "from:file")
    #expect(try PostgresLocation(url: "postgres://dave@other/x", environment: ["PGPASSFILE": pass]).password == "fallback")
    try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: pass)
    #expect(try PostgresLocation(url: "postgres://dave@other/x", environment: ["PGPASSFILE": pass]).password == nil)
    for bad in ["postgres://h:99999/x", "postgres://h/x?sslmode=sometimes", "postgres://h/x?colour=blue", "postgres://h/x?pool=0"] {
        #expect(throws: (any Error).self, "\(bad)") { try PostgresLocation(url: bad, environment: [:]) }
    }
    // Nobody listening: exit 66 with the reason, quickly.
    let (code, _, err) = try cli(["gpu", "list"], db: "postgres://nobody@127.0.0.1:1/none?connect_timeout=2")
    #expect(code == 66 && err.contains("cannot connect"), "\(err)")
}
