import Foundation
import HummingbirdTesting
import Hummingbird
import NIOCore
import Testing
import TestSupport
@testable import ServefitCore
@testable import ServefitServer
@testable import ServefitStore

/// Rankings leave out prices older than --max-price-age on *today*: tests pin today to the date
/// the seed prices were checked, so they answer the same next year.
let pinnedToday: Void = { setenv("SERVEFIT_TODAY", "2026-12-01", 1) }()

// Every test starts the real server on 127.0.0.1 (a random port) over a real SQLite file.

/// A new seeded catalog: a SQLite file, or a PostgreSQL database when
/// SERVEFIT_TEST_BACKEND=postgres (TestSupport).
func tempStore() throws -> CatalogStore {
    _ = pinnedToday
    return try CatalogStore.open(path: try TestCatalog.location("server"))
}

struct Tokens { var read: String; var write: String; var admin: String }

func makeTokens(_ s: CatalogStore) throws -> Tokens {
    Tokens(read: try s.createToken(name: "reader", role: .read, actor: "test").1,
           write: try s.createToken(name: "writer", role: .write, actor: "test").1,
           admin: try s.createToken(name: "boss", role: .admin, actor: "test").1)
}

func withServer(_ configure: (inout ServerConfig) -> Void = { _ in },
                _ body: @escaping @Sendable (any TestClientProtocol, CatalogStore, Tokens) async throws -> Void) async throws {
    let store = try tempStore()
    let tokens = try makeTokens(store)
    var config = ServerConfig()
    config.port = 0
    config.logLevel = .error
    configure(&config)
    let app = buildApplication(store: store, config: config)
    try await app.test(.live) { client in try await body(client, store, tokens) }
}

struct Reply {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var text: String
    var json: Any? { try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]) }
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
    var array: [[String: Any]] { (json as? [[String: Any]]) ?? [] }
}

@discardableResult
func call(_ c: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil,
          raw: String? = nil, headers extra: HTTPFields = [:]) async throws -> Reply {
    var headers = extra
    if let token { headers[.authorization] = "Bearer \(token)" }
    var body: ByteBuffer?
    if let json {
        headers[.contentType] = "application/json"
        body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
    } else if let raw {
        if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        body = ByteBuffer(string: raw)
    }
    return try await c.execute(uri: uri, method: method, headers: headers, body: body) { r in
        Reply(status: r.status, headers: r.headers, text: String(buffer: r.body))
    }
}

func expectError(_ r: Reply, _ status: HTTPResponse.Status, _ kind: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == status, "\(r.status) \(r.text)", sourceLocation: sourceLocation)
    #expect(r.headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
    #expect(r.object["detail"] is String, sourceLocation: sourceLocation)
    if let kind { #expect(r.object["error"] as? String == kind, sourceLocation: sourceLocation) }
}

nonisolated(unsafe) let newGPU: [String: Any] = ["slug": "test-gpu", "vendor": "NVIDIA", "name": "Test GPU 48GB", "memory_bytes": 48 * 1_073_741_824,
                             "bandwidth_gb_per_s": 900.0, "tflops": ["bf16": 300.0, "fp16": 300.0, "fp8": 600.0]]

@Test func serviceRoutes() async throws {
    try await withServer { c, _, _ in
        let h = try await call(c, .get, "/healthz")
        #expect(h.status == .ok && h.object["status"] as? String == "ok" && (h.object["models"] as? Int ?? 0) > 40)
        let page = try await call(c, .get, "/")
        #expect(page.status == .ok && page.text.contains("<title>servefit</title>") && page.text.contains("/assets/app.js"))
        #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
        #expect(try await call(c, .get, "/assets/app.js").text.contains("/v1/rank"))
        #expect(try await call(c, .get, "/assets/app.css").status == .ok)
        expectError(try await call(c, .get, "/no/such/route"), .notFound, "not_found")
    }
}

@Test func modelsCRUDWithETags() async throws {
    try await withServer { c, store, t in
        let list = try await call(c, .get, "/v1/models?family=llama&min_params=60B")
        #expect(list.status == .ok)
        #expect(!list.array.isEmpty && list.array.allSatisfy { ($0["params_total"] as? Int ?? 0) >= 60_000_000_000 })
        #expect(list.array.allSatisfy { ($0["model_type"] as? String) == "llama" })
        expectError(try await call(c, .get, "/v1/models?colour=red"), .badRequest)
        expectError(try await call(c, .get, "/v1/models?min-params=lots"), .badRequest)

        let got = try await call(c, .get, "/v1/models/llama-2-7b")
        #expect(got.object["params_total"] as? Int == 6_738_415_616)
        let etag = try #require(got.headers[.eTag])
        expectError(try await call(c, .get, "/v1/models/no-such-model"), .notFound)

        var m = got.object
        m["slug"] = "llama-2-7b-copy"; m["hf_repo"] = NSNull(); m["params_total"] = nil; m["params_active"] = nil
        let created = try await call(c, .post, "/v1/models", token: t.write, json: m)
        #expect(created.status == .created, "\(created.text)")
        #expect(created.headers[.location] == "/v1/models/llama-2-7b-copy")
        expectError(try await call(c, .post, "/v1/models", token: t.write, json: m), .conflict)
        expectError(try await call(c, .post, "/v1/models", token: t.write, raw: "{not json"), .badRequest)
        expectError(try await call(c, .post, "/v1/models", token: t.write, json: ["slug": "x"]), .badRequest)
        var bad = m; bad["slug"] = "bad-layers"; bad["num_hidden_layers"] = -3
        expectError(try await call(c, .post, "/v1/models", token: t.write, json: bad), .badRequest)

        // Update with the ETag read: ok, and the tag changes. The old tag is now stale: 409, nothing lost.
        var upd = got.object
        upd["tags"] = ["team-a"]; upd["params_total"] = nil; upd["params_active"] = nil
        let u1 = try await call(c, .put, "/v1/models/llama-2-7b", token: t.write, json: upd, headers: [.ifMatch: etag])
        #expect(u1.status == .ok, "\(u1.text)")
        let etag2 = try #require(u1.headers[.eTag])
        #expect(etag2 != etag)
        upd["tags"] = ["team-b"]
        expectError(try await call(c, .put, "/v1/models/llama-2-7b", token: t.write, json: upd, headers: [.ifMatch: etag]), .conflict, "conflict")
        #expect(try store.model("llama-2-7b").tags == ["team-a"])
        #expect(try await call(c, .put, "/v1/models/llama-2-7b", token: t.write, json: upd, headers: [.ifMatch: etag2]).status == .ok)
        #expect(try store.model("llama-2-7b").tags == ["team-b"])

        #expect(try await call(c, .delete, "/v1/models/llama-2-7b-copy", token: t.write).status == .noContent)
        expectError(try await call(c, .delete, "/v1/models/llama-2-7b-copy", token: t.write), .notFound)
        // The change log names the token.
        let hist = try await call(c, .get, "/v1/history?entity=model&key=llama-2-7b-copy")
        #expect(hist.array.count == 2 && hist.array.allSatisfy { $0["actor"] as? String == "writer" })
    }
}

@Test func gpusPricesAndScenarios() async throws {
    try await withServer { c, store, t in
        #expect(try await call(c, .get, "/v1/gpus?vendor=AMD").array.allSatisfy { $0["vendor"] as? String == "AMD" })
        #expect(try await call(c, .get, "/v1/gpus?min_memory=100GiB&min_bandwidth=4000").array.count >= 3)
        let created = try await call(c, .post, "/v1/gpus", token: t.write, json: newGPU)
        #expect(created.status == .created, "\(created.text)")
        let got = try await call(c, .get, "/v1/gpus/test-gpu")
        let etag = try #require(got.headers[.eTag])
        var g = got.object
        g["bandwidth_gb_per_s"] = 1000.0
        #expect(try await call(c, .put, "/v1/gpus/test-gpu", token: t.write, json: g, headers: [.ifMatch: etag]).status == .ok)
        expectError(try await call(c, .put, "/v1/gpus/test-gpu", token: t.write, json: g, headers: [.ifMatch: etag]), .conflict)
        #expect(try store.gpu("test-gpu").bandwidthGBPerS == 1000)

        let price: [String: Any] = ["gpu": "test-gpu", "provider": "TestCloud", "pricing_model": "on-demand", "usd_per_gpu_hour": 0.9,
                                    "as_of": "2026-11-01", "source": "test"]
        let p = try await call(c, .post, "/v1/prices", token: t.write, json: price)
        #expect(p.status == .created, "\(p.text)")
        expectError(try await call(c, .post, "/v1/prices", token: t.write, json: price), .conflict)
        var badPrice = price; badPrice["usd_per_gpu_hour"] = -1
        expectError(try await call(c, .post, "/v1/prices", token: t.write, json: badPrice), .badRequest)
        var ghost = price; ghost["gpu"] = "no-such-gpu"
        expectError(try await call(c, .post, "/v1/prices", token: t.write, json: ghost), .badRequest)
        let prices = try await call(c, .get, "/v1/prices?gpu=test-gpu&latest=true&pricing_model=on-demand")
        #expect(prices.array.count == 1)
        expectError(try await call(c, .get, "/v1/prices?pricing_model=free"), .badRequest)
        expectError(try await call(c, .delete, "/v1/gpus/test-gpu", token: t.write), .conflict)  // it has prices
        let id = try #require(p.object["id"] as? Int)
        #expect(try await call(c, .delete, "/v1/prices/\(id)", token: t.write).status == .noContent)
        expectError(try await call(c, .delete, "/v1/prices/\(id)", token: t.write), .notFound)
        expectError(try await call(c, .delete, "/v1/prices/abc", token: t.write), .badRequest)
        #expect(try await call(c, .delete, "/v1/gpus/test-gpu", token: t.write).status == .noContent)

        // Scenarios: save, get, replace with If-Match, run, delete.
        let s = try await call(c, .post, "/v1/scenarios", token: t.write,
                               json: ["name": "chat-8b", "model": "llama-3.1-8b-instruct", "options": ["max-tpot": "50ms", "input": 1024, "top": 3], "notes": "n"])
        #expect(s.status == .created, "\(s.text)")
        expectError(try await call(c, .post, "/v1/scenarios", token: t.write, json: ["name": "chat-8b", "model": "llama-3.1-8b-instruct"]), .conflict)
        expectError(try await call(c, .post, "/v1/scenarios", token: t.write, json: ["name": "x", "model": "llama-3.1-8b-instruct", "options": ["max-tpot": "soon"]]), .badRequest)
        #expect(try await call(c, .get, "/v1/scenarios").array.count == 1)
        let sg = try await call(c, .get, "/v1/scenarios/chat-8b")
        let setag = try #require(sg.headers[.eTag])
        let replaced = try await call(c, .put, "/v1/scenarios/chat-8b", token: t.write,
                                      json: ["name": "chat-8b", "model": "llama-3.1-8b-instruct", "options": ["max-tpot": "30ms"]], headers: [.ifMatch: setag])
        #expect(replaced.status == .ok, "\(replaced.text)")
        expectError(try await call(c, .put, "/v1/scenarios/chat-8b", token: t.write,
                                    json: ["name": "chat-8b", "model": "llama-3.1-8b-instruct"], headers: [.ifMatch: setag]), .conflict)
        #expect(try store.scenario("chat-8b").options["max-tpot"] == "30ms")
        let run = try await call(c, .get, "/v1/scenarios/chat-8b/run")
        #expect(run.status == .ok && (run.object["changes"] as? [String])?.isEmpty == false)
        #expect(try await call(c, .delete, "/v1/scenarios/chat-8b", token: t.write).status == .noContent)
        expectError(try await call(c, .get, "/v1/scenarios/chat-8b/run"), .notFound)
    }
}

@Test func estimateAndRank() async throws {
    try await withServer { c, store, _ in
        let e = try await call(c, .post, "/v1/estimate", json: ["model": "llama-2-70b", "weights": "int8", "context": 2048, "engine": "transformers"])
        #expect(e.status == .ok)
        // The same library call the CLI makes gives the same bytes.
        var spec = EstimateSpec(model: "llama-2-70b"); spec.weights = "int8"; spec.engine = "transformers"
        #expect(e.object["total_bytes"] as? Int64 == (try store.estimate(spec)).totalBytes)
        expectError(try await call(c, .post, "/v1/estimate", json: ["model": "llama-2-7b", "weights": "int3"]), .badRequest)
        expectError(try await call(c, .post, "/v1/estimate", json: ["model": "llama-2-7b", "context": -5]), .badRequest)
        expectError(try await call(c, .post, "/v1/estimate", json: ["model": "no-such"]), .notFound)
        expectError(try await call(c, .post, "/v1/estimate", raw: "[1,2]"), .badRequest)
        expectError(try await call(c, .post, "/v1/estimate", raw: "model=x", headers: [.contentType: "text/plain"]), .unsupportedMediaType)

        let r = try await call(c, .get, "/v1/rank?model=llama-3.1-8b-instruct&max-tpot=50ms&top=4")
        #expect(r.status == .ok)
        let ranked = try #require(r.object["ranked"] as? [[String: Any]])
        #expect(ranked.count == 4 && ranked.allSatisfy { ($0["tpot_ms"] as! Double) <= 50 })
        let viaCore = try store.rank(try RankQuery(options: ["model": "llama-3.1-8b-instruct", "max-tpot": "50ms", "top": "4"]))
        #expect(ranked.map { $0["gpu"] as! String } == viaCore.ranked.map(\.gpu))
        let p = try await call(c, .post, "/v1/rank", json: ["model": "llama-3.1-8b-instruct", "max-tpot": "50ms", "top": 4])
        #expect((p.object["ranked"] as? [[String: Any]])?.map { $0["gpu"] as! String } == viaCore.ranked.map(\.gpu))
        expectError(try await call(c, .get, "/v1/rank?model=llama-3.1-8b-instruct&colour=red"), .badRequest)
        expectError(try await call(c, .get, "/v1/rank"), .badRequest)
        expectError(try await call(c, .post, "/v1/rank", json: ["model": "llama-3.1-8b-instruct", "max-tpot": ["x"]]), .badRequest)
        #expect(try await call(c, .get, "/v1/history?limit=5").array.count == 5)
        expectError(try await call(c, .get, "/v1/history?limit=0"), .badRequest)
    }
}

@Test func authRules() async throws {
    try await withServer { c, store, t in
        // Writes need a write token: none 401, read 403, unknown 401, revoked 401.
        expectError(try await call(c, .post, "/v1/gpus", json: newGPU), .unauthorized)
        expectError(try await call(c, .post, "/v1/gpus", token: t.read, json: newGPU), .forbidden)
        expectError(try await call(c, .post, "/v1/gpus", token: "sft_" + String(repeating: "0", count: 64), json: newGPU), .unauthorized)
        expectError(try await call(c, .get, "/v1/gpus", headers: [.authorization: "Basic abc"]), .unauthorized)
        #expect(try await call(c, .post, "/v1/gpus", token: t.write, json: newGPU).status == .created)
        // Reads are open; POST estimate and rank are reads.
        #expect(try await call(c, .get, "/v1/gpus").status == .ok)
        #expect(try await call(c, .post, "/v1/estimate", json: ["model": "llama-2-7b"]).status == .ok)
        // Tokens need admin; a created token is returned once and works at once.
        expectError(try await call(c, .get, "/v1/tokens", token: t.write), .forbidden)
        let made = try await call(c, .post, "/v1/tokens", token: t.admin, json: ["name": "bot", "role": "write"])
        #expect(made.status == .created)
        let secret = try #require(made.object["token"] as? String)
        let listed = try await call(c, .get, "/v1/tokens", token: t.admin)
        #expect(listed.array.count == 4 && !listed.text.contains(secret))
        #expect(try await call(c, .delete, "/v1/gpus/test-gpu", token: secret).status == .noContent)
        #expect(try store.history(entity: "gpu", key: "test-gpu").first?.actor == "bot")
        #expect(try await call(c, .delete, "/v1/tokens/bot", token: t.admin).status == .noContent)
        expectError(try await call(c, .get, "/v1/gpus", token: secret), .unauthorized)
        expectError(try await call(c, .post, "/v1/tokens", token: t.admin, json: ["name": "x", "role": "king"]), .badRequest)
        expectError(try await call(c, .post, "/v1/tokens", token: t.admin, json: ["name": "boss", "role": "read"]), .conflict)
    }
    try await withServer({ $0.requireTokenForReads = true }) { c, _, t in
        expectError(try await call(c, .get, "/v1/models"), .unauthorized)
        expectError(try await call(c, .post, "/v1/rank", json: ["model": "llama-2-7b"]), .unauthorized)
        #expect(try await call(c, .get, "/v1/models", token: t.read).status == .ok)
        #expect(try await call(c, .get, "/healthz").status == .ok)
        #expect(try await call(c, .get, "/").status == .ok)
    }
}

@Test func bodyTooLarge() async throws {
    try await withServer({ $0.maxBodyBytes = 4096 }) { c, store, t in
        let before = try store.counts()
        var big = newGPU
        big["notes"] = String(repeating: "x", count: 10_000)
        expectError(try await call(c, .post, "/v1/gpus", token: t.write, json: big), .contentTooLarge)
        #expect(try store.counts() == before)
        expectError(try await call(c, .post, "/v1/estimate", raw: ""), .badRequest)
    }
}

@Test func openAPIListsEveryRoute() async throws {
    try await withServer { c, _, _ in
        let doc = try await call(c, .get, "/openapi.json")
        #expect(doc.status == .ok)
        #expect(doc.object["openapi"] as? String == "3.0.3")
        let paths = try #require(doc.object["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (p, ops) in paths { for m in ops.keys { documented.insert("\(m.uppercased()) \(p)") } }
        let served = Set(API.routes.map { "\($0.method.rawValue) \($0.path)" })
        #expect(documented == served)
        // Every documented route answers (not 404 for the route itself) on the live server.
        for r in API.routes {
            let uri = r.path.replacingOccurrences(of: "{slug}", with: "h100-sxm").replacingOccurrences(of: "{name}", with: "none")
                .replacingOccurrences(of: "{id}", with: "0")
            let reply = try await call(c, r.method, uri, raw: r.body != nil ? "{}" : nil)
            #expect(reply.object["detail"] as? String != "no such route", "\(r.method) \(uri)")
        }
        for key in ["/v1/models", "/v1/rank", "/v1/estimate", "/v1/models/{slug}", "/v1/scenarios/{name}/run", "/v1/tokens"] {
            #expect(paths[key] != nil, "\(key)")
        }
    }
}

/// 64 connections at once for a bounded time, reads and writes mixed: no request fails, and
/// every write is in the catalog and in the change log afterwards.
@Test func mixedLoadLosesNothing() async throws {
    try await withServer({ $0.logLevel = .critical }) { c, store, t in
        let port = try #require(c.port)
        let before = try store.counts()
        let deadline = ContinuousClock.now + .seconds(4)
        let results = try await withThrowingTaskGroup(of: (ok: Int, failed: [String], created: [Int]).self) { group in
            for conn in 0..<64 {
                group.addTask {
                    try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) { client in
                        var ok = 0, failed: [String] = [], created: [Int] = []
                        var i = 0
                        while ContinuousClock.now < deadline {
                            i += 1
                            let res: TestClient.Response
                            if conn % 4 == 0 {
                                // a write: a new dated price for one GPU
                                let body: [String: Any] = ["gpu": "h100-sxm", "provider": "Load\(conn)", "pricing_model": "spot",
                                                           "usd_per_gpu_hour": 1.0 + Double(i) / 1000, "as_of": "2026-11-01", "source": "load \(conn)/\(i)",
                                                           "instance": "i-\(i)"]
                                res = try await client.post("/v1/prices", headers: [.authorization: "Bearer \(t.write)", .contentType: "application/json"],
                                                            body: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
                                if res.status == .created { created.append(i) }
                            } else if conn % 4 == 1 {
                                res = try await client.get("/v1/rank?model=llama-3.1-8b-instruct&gpu=h100-sxm,l4&top=2")
                            } else {
                                res = try await client.get(conn % 2 == 0 ? "/v1/models/llama-2-7b" : "/v1/prices?gpu=h100-sxm&latest=true")
                            }
                            if res.status == .ok || res.status == .created { ok += 1 } else { failed.append("\(res.status)") }
                        }
                        return (ok, failed, created)
                    }
                }
            }
            var all: [(ok: Int, failed: [String], created: [Int])] = []
            for try await r in group { all.append(r) }
            return all
        }
        let failures = results.flatMap(\.failed)
        #expect(failures.isEmpty, "\(failures.prefix(5))")
        let writes = results.map(\.created.count).reduce(0, +)
        #expect(writes > 0)
        #expect(results.map(\.ok).reduce(0, +) > writes)
        let after = try store.counts()
        #expect(after.prices == before.prices + writes)
        #expect(after.changes == before.changes + writes)
        _ = try await call(c, .get, "/healthz")
    }
}

func residentBytes() -> Int64 {
    guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = s.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
          let kb = Int64(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
    return kb * 1024
}

/// Rounds of mixed load on one server: it keeps answering every request, and its memory does
/// not grow from round to round once warm.
@Test func soakKeepsAnsweringWithFlatMemory() async throws {
    try await withServer({ $0.logLevel = .critical }) { c, store, t in
        let port = try #require(c.port)
        var rss: [Int64] = []
        for round in 0..<4 {
            let deadline = ContinuousClock.now + .seconds(2)
            let failures = try await withThrowingTaskGroup(of: Int.self) { group in
                for conn in 0..<32 {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(60))) { client in
                            var failed = 0, i = 0
                            while ContinuousClock.now < deadline {
                                i += 1
                                let res: TestClient.Response
                                switch (conn + i) % 5 {
                                case 0:
                                    let body = #"{"gpu":"l4","provider":"Soak\#(round)-\#(conn)","pricing_model":"spot","usd_per_gpu_hour":0.5,"as_of":"2026-11-01","source":"soak","instance":"i\#(i)"}"#
                                    res = try await client.post("/v1/prices", headers: [.authorization: "Bearer \(t.write)", .contentType: "application/json"],
                                                                body: ByteBuffer(string: body))
                                case 1: res = try await client.get("/v1/rank?model=qwen2.5-7b-instruct&gpu=l4,h100-sxm&top=2")
                                case 2:
                                    res = try await client.post("/v1/estimate", headers: [.contentType: "application/json"],
                                                                body: ByteBuffer(string: #"{"model":"llama-2-7b","gpu":"l4"}"#))
                                case 3: res = try await client.get("/v1/models?family=qwen3")
                                default: res = try await client.get("/v1/gpus/l4")
                                }
                                if res.status != .ok && res.status != .created { failed += 1 }
                            }
                            return failed
                        }
                    }
                }
                var n = 0
                for try await f in group { n += f }
                return n
            }
            #expect(failures == 0, "round \(round): \(failures) failed requests")
            rss.append(residentBytes())
        }
        // Round 0 warms caches and pools; later rounds must not keep growing.
        let growth = rss.last! - rss[1]
        #expect(growth < 64 * 1_048_576, "resident memory grew \(growth / 1_048_576) MiB over two warm rounds: \(rss.map { $0 / 1_048_576 })")
        #expect(try store.check().isEmpty)
    }
}

/// POST /v1/measurements runs the same readers and matching as `servefit measure import`; a
/// write token is needed, the same file twice is a 409, a bad one a 400 with nothing stored.
@Test func measurementsThroughTheServer() async throws {
    try await withServer { c, store, t in
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("Fixtures/engine-outputs/vllm_bench_serve_summary_1.txt"), encoding: .utf8)
        let body: [String: Any] = ["content": text, "name": "summary.txt", "model": "llama-3.1-8b-instruct", "gpu": "h100-sxm"]
        expectError(try await call(c, .post, "/v1/measurements", json: body), .unauthorized)
        let r = try await call(c, .post, "/v1/measurements", token: t.write, json: body)
        #expect(r.status == .created, "\(r.text)")
        #expect(r.array.first?["model"] as? String == "llama-3.1-8b-instruct")
        expectError(try await call(c, .post, "/v1/measurements", token: t.write, json: body), .conflict)
        var junk = body; junk["content"] = "hello world"
        expectError(try await call(c, .post, "/v1/measurements", token: t.write, json: junk), .badRequest)
        var ghost = body; ghost["gpu"] = "no-such-gpu"; ghost["content"] = text + "\n"
        expectError(try await call(c, .post, "/v1/measurements", token: t.write, json: ghost), .badRequest)
        var extra = body; extra["modle"] = "x"
        expectError(try await call(c, .post, "/v1/measurements", token: t.write, json: extra), .badRequest)
        #expect(try store.measurements().count == 1)
        // The file itself as text/plain, its options in the query string (curl --data-binary @file).
        let plain: HTTPFields = [.contentType: "text/plain; charset=utf-8"]
        let log = try String(contentsOf: root.appendingPathComponent("Fixtures/engine-outputs/vllm_bench_serve_summary_2.txt"), encoding: .utf8)
        let up = try await call(c, .post, "/v1/measurements?model=llama-3.1-8b-instruct&gpu=h100-sxm&name=summary2.txt", token: t.write, raw: log, headers: plain)
        #expect(up.status == .created, "\(up.text)")
        expectError(try await call(c, .post, "/v1/measurements?model=llama-3.1-8b-instruct&gpu=h100-sxm&gpus=0", token: t.write, raw: log + "\n", headers: plain), .badRequest)
        expectError(try await call(c, .post, "/v1/measurements?modle=x", token: t.write, raw: log, headers: plain), .badRequest)
        expectError(try await call(c, .post, "/v1/measurements?gpu=h100-sxm", token: t.write, json: body), .badRequest)  // options in one place
        expectError(try await call(c, .post, "/v1/measurements", token: t.write, raw: "\u{FF}", headers: [.contentType: "text/csv"]), .unsupportedMediaType)
        #expect(try store.measurements().count == 2)
        let list = try await call(c, .get, "/v1/measurements?gpu=h100-sxm")
        #expect(list.status == .ok && list.array.count == 2)
        let check = try await call(c, .get, "/v1/measurements/check")
        #expect(check.status == .ok && check.array.contains { $0["metric"] as? String == "output_tok_s" }, "\(check.text)")
        #expect(try await call(c, .get, "/v1/calibration").status == .ok)
    }
}

/// Every route that takes a body refuses a key it does not know, naming it (a typo such as
/// "contxt" is never answered with the default).
@Test func everyBodyRefusesAnUnknownKey() async throws {
    try await withServer { c, _, tokens in
        let withBody = API.routes.filter { $0.body != nil }
        #expect(withBody.count >= 10)
        for r in withBody {
            let uri = r.path.replacingOccurrences(of: "{slug}", with: "h100-sxm").replacingOccurrences(of: "{name}", with: "none")
            let reply = try await call(c, r.method, uri, token: tokens.admin, raw: #"{"zzz_unknown_key": 1}"#)
            expectError(reply, .badRequest)
            #expect((reply.object["detail"] as? String)?.contains("zzz_unknown_key") == true, "\(r.method) \(r.path): \(reply.text)")
        }
    }
}
