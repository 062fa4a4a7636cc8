import Foundation
import HummingbirdTesting
import Hummingbird
import Testing
@testable import ServefitCore
@testable import ServefitServer
@testable import ServefitStore

/// Issue #11's HTTP reproductions, each against the live server.
@Test func hostileRequestsAreRefusedAndNothingIsStored() async throws {
    try await withServer { c, store, t in
        let before = try store.history(entity: nil, key: nil, limit: 10_000).count
        // A scenario that would have crashed every later `scenario run`.
        expectError(try await call(c, .post, "/v1/scenarios", token: t.write,
                                   json: ["name": "boom", "model": "llama-2-7b", "options": ["max-tpot": "1e19"]]), .badRequest)
        expectError(try await call(c, .post, "/v1/scenarios", token: t.write,
                                   json: ["name": "boom", "model": "llama-2-7b", "options": ["max-tpot": 50]]), .badRequest)
        expectError(try await call(c, .post, "/v1/scenarios", token: t.write, raw: #"{"name":"boom","model":"llama-2-7b","options":null}"#), .badRequest)
        // An error is never sent as 200.
        expectError(try await call(c, .get, "/v1/rank?model=llama-2-7b&max-tpot=1e308"), .badRequest)
        expectError(try await call(c, .get, "/v1/rank?model=llama-2-7b&max-tpot=1e308ms"), .badRequest)
        // No length limits → limits.
        let huge = String(repeating: "x", count: 1_000_000)
        expectError(try await call(c, .post, "/v1/models", token: t.write,
                                   json: ["slug": "huge", "model_type": huge, "hidden_size": 64, "num_hidden_layers": 2,
                                          "num_attention_heads": 2, "vocab_size": 100, "intermediate_size": 128]), .badRequest)
        // Loose numbers: hex, subnormal.
        expectError(try await call(c, .post, "/v1/prices", token: t.write,
                                   raw: #"{"gpu":"l4","provider":"X","usd_per_gpu_hour":1e-320,"as_of":"2026-11-01","source":"t"}"#), .badRequest)
        expectError(try await call(c, .get, "/v1/gpus?min-memory=0x10GiB"), .badRequest)
        // Unknown or doubled fields, with the closest known one named.
        let typo = try await call(c, .post, "/v1/estimate", json: ["model": "llama-2-7b", "contxt": 4096])
        expectError(typo, .badRequest)
        #expect((typo.object["detail"] as? String)?.contains("did you mean context") == true, "\(typo.text)")
        expectError(try await call(c, .post, "/v1/estimate", raw: #"{"model":"llama-2-7b","context":1,"context":2}"#), .badRequest)
        // kebab-case is the same key as snake_case.
        let kebab = try await call(c, .post, "/v1/estimate", json: ["model": "llama-2-7b", "kv-cache": "fp8"])
        #expect(kebab.status == .ok, "\(kebab.text)")
        let postRank = try await call(c, .post, "/v1/rank", json: ["model": "llama-2-7b", "max_tpot": "50ms", "gpu": "l4"])
        #expect(postRank.status == .ok, "\(postRank.text)")
        // Media types compare exactly.
        expectError(try await call(c, .post, "/v1/estimate", raw: #"{"model":"llama-2-7b"}"#, headers: [.contentType: "application/jsonx"]),
                    .unsupportedMediaType)
        #expect(try await call(c, .post, "/v1/estimate", raw: #"{"model":"llama-2-7b"}"#,
                               headers: [.contentType: "Application/JSON; charset=utf-8"]).status == .ok)
        // 405 with Allow for a method a path does not have.
        let trace = try await call(c, .trace, "/v1/gpus")
        expectError(trace, .methodNotAllowed)
        #expect(trace.headers[.allow]?.contains("GET") == true)
        #expect(try await call(c, .patch, "/v1/models/llama-2-7b").status == .methodNotAllowed)
        // Nothing was stored by any of it.
        #expect(try store.scenarios().isEmpty)
        #expect(try store.history(entity: nil, key: nil, limit: 10_000).count == before)
    }
}

@Test func responsesAreHardened() async throws {
    try await withServer { c, store, t in
        for path in ["/", "/assets/app.js", "/v1/gpus", "/v1/nothing-here", "/openapi.json"] {
            let r = try await call(c, .get, path)
            #expect(r.headers[.xContentTypeOptions] == "nosniff", "\(path)")
            #expect(r.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true, "\(path)")
            #expect(r.headers[SecurityHeadersMiddleware.frameOptions] == "DENY", "\(path)")
        }
        // If-Match compares strongly: a weak ETag never matches.
        let g = try await call(c, .get, "/v1/gpus/l4")
        let etag = try #require(g.headers[.eTag])
        var body = g.object
        body["notes"] = "weak etag attempt"
        let weak = try await call(c, .put, "/v1/gpus/l4", token: t.write, json: body, headers: [.ifMatch: "W/" + etag])
        expectError(weak, .conflict)
        #expect(try store.gpu("l4").notes != "weak etag attempt")
        let strong = try await call(c, .put, "/v1/gpus/l4", token: t.write, json: body, headers: [.ifMatch: etag])
        #expect(strong.status == .ok, "\(strong.text)")
    }
}

@Test func tokensNeverReachTheLog() {
    let line = RedactingLogMiddleware.redacted(path: "/v1/gpus", query: [("token", "sft_abc"), ("vendor", "NVIDIA"), ("x", "sft_leak"), ("limit", "sft_1")])
    #expect(!line.contains("sft_"), "\(line)")
    #expect(line.contains("vendor=NVIDIA"))
    // An unknown parameter's value is not logged either (it could be anything).
    #expect(RedactingLogMiddleware.redacted(path: "/v1/gpus", query: [("access_key", "secret")]).contains("REDACTED"))
}

@Test func tokenComparisonIsConstantTime() {
    #expect(CatalogStore.constantTimeEqual(Array("abc".utf8), Array("abc".utf8)))
    #expect(!CatalogStore.constantTimeEqual(Array("abc".utf8), Array("abd".utf8)))
    #expect(!CatalogStore.constantTimeEqual(Array("abc".utf8), Array("ab".utf8)))
}
