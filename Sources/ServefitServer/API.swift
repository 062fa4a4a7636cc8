import Dispatch
import Foundation
import Hummingbird
import NIOCore
import ServefitCore
import ServefitHub
import ServefitStore

/// One route: how it is served and how the OpenAPI document describes it. The router and
/// /openapi.json are both built from `API.routes`, so the document lists every route.
struct Route: Sendable {
    var method: HTTPRequest.Method
    /// OpenAPI-style path: /v1/models/{slug}
    var path: String
    var summary: String
    var tag: String
    var query: [String] = []
    var body: String? = nil        // schema name of the JSON body
    var response: String? = nil    // schema name of the JSON response
    var status: Int = 200
    /// The body may also be plain text (text/plain), its options then in the query string.
    var textBody = false
    var handler: @Sendable (API) -> @Sendable (Request, ServefitContext) async throws -> Response

    var hbPath: String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { seg in
            seg.hasPrefix("{") && seg.hasSuffix("}") ? ":" + seg.dropFirst().dropLast() : String(seg)
        }.joined(separator: "/")
    }
}

/// Route handlers: decode, call the library, encode. No SQL and no domain logic here.
struct API: Sendable {
    let store: CatalogStore
    let config: ServerConfig

    // MARK: plumbing

    static let dbQueue = DispatchQueue(label: "servefit.db", attributes: .concurrent)

    /// Runs a blocking catalog call off the cooperative thread pool.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { cont in
            dbQueue.async { cont.resume(with: Result { try body() }) }
        }
    }

    func db<T: Sendable>(_ body: @escaping @Sendable (CatalogStore) throws -> T) async throws -> T {
        let s = store
        return try await Self.blocking { try body(s) }
    }

    static func jsonResponse<T: Encodable>(_ v: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? e.encode(v)) ?? Data("{\"error\":\"internal\",\"detail\":\"encoding failed\"}".utf8)
        var h = headers
        h[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: h, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    func json<T: Encodable>(_ v: T, status: HTTPResponse.Status = .ok, etag: String? = nil, location: String? = nil) -> Response {
        var h: HTTPFields = [:]
        if let etag { h[.eTag] = etag }
        if let location { h[.location] = location }
        return Self.jsonResponse(v, status: status, headers: h)
    }

    /// Reads a JSON body of at most `maxBodyBytes` (413 beyond) and decodes it; a body that does
    /// not decode becomes a 400 in `ErrorMapping`.
    func body<T: Decodable & KnownFields>(_ request: Request, as: T.Type) async throws -> T {
        try JSONDecoder.strict(T.self, from: try await rawBody(request), what: "the request body")
    }

    /// POST /v1/measurements' body: the JSON object, or the file as text/plain with its options
    /// (`model`, `gpu`, `variant`, `gpus`, `engine-version`, `name`) as query parameters.
    func measurementUpload(_ request: Request) async throws -> MeasurementUpload {
        let q = try API.query(request)
        guard let ct = request.headers[.contentType], MediaType.isText(ct) else {
            if let k = q.keys.sorted().first { throw ServerError.badRequest("query parameter '\(k.prefix(64))' is for a text/plain upload; in a JSON body give it as a field") }
            return try await body(request, as: MeasurementUpload.self)
        }
        var r = request
        let buf = try await r.collectBody(upTo: config.maxBodyBytes)
        guard buf.readableBytes > 0 else { throw ServerError.badRequest("empty body: send the benchmark result or log") }
        guard let text = String(validating: buf.readableBytesView, as: UTF8.self) else { throw ServerError.badRequest("the body is not UTF-8 text") }
        var up = MeasurementUpload(content: text)
        up.name = q["name"]; up.model = q["model"]; up.gpu = q["gpu"]; up.variant = q["variant"]; up.engineVersion = q["engine-version"]
        if let g = q["gpus"] {
            guard let n = Int(g), (1...4096).contains(n) else { throw ServerError.badRequest("gpus must be a whole number from 1 to 4096") }
            up.gpus = n
        }
        return up
    }

    /// A model named hf:ORG/NAME[@REV][:QUANT]: read from the Hub (or the server's Hugging Face
    /// cache) for this one answer; nil for catalog names.
    func hubModel(_ name: String) async throws -> (model: Model, checkpoint: ModelVariant?)? {
        guard let ref = try HubReference.parse(name) else { return nil }
        let h = try await HubReader(settings: try HubSettings.fromEnvironment()).load(ref)
        return try HubImport.resolved(h)
    }

    func rawBody(_ request: Request) async throws -> Data {
        if let ct = request.headers[.contentType], !MediaType.isJSON(ct) {
            throw ServerError.unsupportedMediaType("send JSON (Content-Type: application/json), not \(ct.prefix(100))")
        }
        var r = request
        let buf = try await r.collectBody(upTo: config.maxBodyBytes)
        if buf.readableBytes == 0 { throw ServerError.badRequest("empty body: send a JSON object") }
        return Data(buf.readableBytesView)
    }

    /// Query parameters by the CLI's option names (`min_params` is read as `min-params`).
    /// A parameter given twice, or with control characters or over 1,000 bytes, is refused.
    static func query(_ request: Request) throws -> [String: String] {
        var out: [String: String] = [:]
        for (k, v) in request.uri.queryParameters {
            let key = String(k).replacingOccurrences(of: "_", with: "-")
            if out[key] != nil { throw ServerError.badRequest("query parameter '\(key.prefix(64))' is given twice") }
            do { try Limits.line("query", "parameter '\(key.prefix(64))'", String(v), Limits.optionValue) } catch let e as CoreError {
                throw ServerError.badRequest(e.description)
            }
            out[key] = String(v)
        }
        try QueryCheck.check(out)
        return out
    }

    /// Refuses query parameters a route does not list (its `query`, also in /openapi.json).
    static func only(_ q: [String: String], _ allowed: [String]) throws {
        if let bad = q.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ServerError.badRequest("unknown query parameter '\(bad.prefix(64))'" + Suggest.hint(bad, in: allowed)
                                         + " (known: \(allowed.isEmpty ? "none" : allowed.joined(separator: ", ")))")
        }
    }

    static func param(_ c: ServefitContext, _ name: String) throws -> String {
        guard let v = c.parameters.get(name) else { throw ServerError.badRequest("missing path parameter \(name)") }
        return v.removingPercentEncoding ?? v
    }

    /// Which role a request needs (nil: none).
    static func roleNeeded(method: HTTPRequest.Method, path: String, requireTokenForReads: Bool) -> APIToken.Role? {
        if path == "/healthz" || path == "/" || path == "/openapi.json" || path.hasPrefix("/assets/") { return nil }
        if path.hasPrefix("/v1/tokens") { return .admin }
        let readOnlyPost = path == "/v1/estimate" || path == "/v1/rank"
        if method == .get || method == .head || readOnlyPost { return requireTokenForReads ? .read : nil }
        return .write
    }

    // MARK: routes

    static let routes: [Route] = [
        Route(method: .get, path: "/healthz", summary: "Liveness and catalog counts", tag: "service", response: "Health") { api in
            { _, _ in
                let c = try await api.db { try $0.counts() }
                return api.json(Health(status: "ok", models: c.models, gpus: c.gpus, prices: c.prices, scenarios: c.scenarios))
            }
        },
        Route(method: .get, path: "/openapi.json", summary: "This document", tag: "service") { _ in
            { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"],
                         body: .init(byteBuffer: ByteBuffer(bytes: OpenAPI.document)))
            }
        },
        Route(method: .get, path: "/", summary: "Web page: rank deployments and browse the catalog", tag: "web") { _ in
            { _, _ in WebAssets.response(WebAssets.index, type: "text/html; charset=utf-8") }
        },
        Route(method: .get, path: "/assets/app.js", summary: "Web page script", tag: "web") { _ in
            { _, _ in WebAssets.response(WebAssets.script, type: "text/javascript; charset=utf-8") }
        },
        Route(method: .get, path: "/assets/app.css", summary: "Web page style", tag: "web") { _ in
            { _, _ in WebAssets.response(WebAssets.style, type: "text/css; charset=utf-8") }
        },

        // models
        Route(method: .get, path: "/v1/models", summary: "List models", tag: "models",
              query: ["family", "type", "tag", "min-params", "max-params"], response: "ModelList") { api in
            { req, _ in
                let q = try query(req)
                let lo = try q["min-params"].map(Units.parseCount), hi = try q["max-params"].map(Units.parseCount)
                let f = ModelFilter(family: q["family"], kind: q["type"], tag: q["tag"])
                return api.json(try await api.db { try $0.modelInfos(f, minParams: lo, maxParams: hi) })
            }
        },
        Route(method: .post, path: "/v1/models", summary: "Create a model", tag: "models", body: "Model", response: "Model", status: 201) { api in
            { req, ctx in
                let m = try await api.body(req, as: Model.self)
                let actor = ctx.actor
                let saved = try await api.db { try $0.addModel(m, actor: actor) }
                return api.json(ModelInfo(saved), status: .created, etag: CatalogStore.etag(saved), location: "/v1/models/\(saved.slug)")
            }
        },
        Route(method: .post, path: "/v1/models/import", summary: "Import a model from the Hugging Face Hub (servefit model import hf:ORG/NAME)",
              tag: "models", body: "HubImport", response: "HubImportResult", status: 201) { api in
            { req, ctx in
                let input = try await api.body(req, as: HubImportInput.self)
                guard let ref = try HubReference.parse(input.model) ?? (input.model.contains(":") ? nil : try HubReference.parseBare(input.model)) else {
                    throw ServerError.badRequest("model must be hf:ORG/NAME[@REVISION] or ORG/NAME")
                }
                let slug = input.slug ?? ref.defaultSlug
                try Model.validateSlug(slug)
                let variants = input.variants ?? false
                let h = try await HubReader(settings: try HubSettings.fromEnvironment()).load(ref, all: variants, slug: slug)
                let (m, vs) = try HubImport.plan(h, slug: slug, name: input.name, variants: variants)
                let actor = ctx.actor, replace = input.replace ?? false
                let r = try await api.db { try $0.importModel(m, variants: vs, replace: replace, actor: actor) }
                return api.json(HubImportResult(model: ModelInfo(r.model), created: r.created, variants: r.variants, commit: h.commit, source: h.source),
                                status: .created, etag: CatalogStore.etag(r.model), location: "/v1/models/\(r.model.slug)")
            }
        },
        Route(method: .get, path: "/v1/models/{slug}", summary: "Get a model (ETag header)", tag: "models", response: "Model") { api in
            { _, ctx in
                let slug = try param(ctx, "slug")
                let m = try await api.db { try $0.model(slug) }
                return api.json(ModelInfo(m), etag: CatalogStore.etag(m))
            }
        },
        Route(method: .get, path: "/v1/models/{slug}/variants", summary: "Measured checkpoints of a model (servefit model import PATH)",
              tag: "models", response: "VariantList") { api in
            { _, ctx in
                let slug = try param(ctx, "slug")
                return api.json(try await api.db { try $0.variants(of: slug) })
            }
        },
        Route(method: .put, path: "/v1/models/{slug}", summary: "Replace a model (If-Match: its ETag, else 409 when stale)", tag: "models",
              body: "Model", response: "Model") { api in
            { req, ctx in
                let slug = try param(ctx, "slug")
                let m = try await api.body(req, as: Model.self)
                let ifMatch = req.headers[.ifMatch], actor = ctx.actor
                let saved = try await api.db { try $0.updateModel(slug, to: m, ifMatch: ifMatch, actor: actor) }
                return api.json(ModelInfo(saved), etag: CatalogStore.etag(saved))
            }
        },
        Route(method: .delete, path: "/v1/models/{slug}", summary: "Delete a model", tag: "models", status: 204) { api in
            { _, ctx in
                let slug = try param(ctx, "slug"), actor = ctx.actor
                try await api.db { try $0.removeModel(slug, actor: actor) }
                return Response(status: .noContent)
            }
        },

        // gpus
        Route(method: .get, path: "/v1/gpus", summary: "List GPUs", tag: "gpus", query: ["vendor", "min-memory", "min-bandwidth"], response: "GPUList") { api in
            { req, _ in
                let q = try query(req)
                var f = GPUFilter(vendor: q["vendor"])
                f.minMemoryBytes = try q["min-memory"].map(Units.parseBytes)
                if let b = q["min-bandwidth"] {
                    f.minBandwidthGBPerS = try Numbers.parse(b, "min-bandwidth (GB/s)", 0, GPU.maxRate)
                }
                let filter = f
                return api.json(try await api.db { try $0.gpus(filter) })
            }
        },
        Route(method: .post, path: "/v1/gpus", summary: "Create a GPU", tag: "gpus", body: "GPU", response: "GPU", status: 201) { api in
            { req, ctx in
                let g = try await api.body(req, as: GPU.self)
                let actor = ctx.actor
                let saved = try await api.db { try $0.addGPU(g, actor: actor) }
                return api.json(saved, status: .created, etag: CatalogStore.etag(saved), location: "/v1/gpus/\(saved.slug)")
            }
        },
        Route(method: .get, path: "/v1/gpus/{slug}", summary: "Get a GPU (ETag header)", tag: "gpus", response: "GPU") { api in
            { _, ctx in
                let slug = try param(ctx, "slug")
                let g = try await api.db { try $0.gpu(slug) }
                return api.json(g, etag: CatalogStore.etag(g))
            }
        },
        Route(method: .put, path: "/v1/gpus/{slug}", summary: "Replace a GPU (If-Match: its ETag, else 409 when stale)", tag: "gpus",
              body: "GPU", response: "GPU") { api in
            { req, ctx in
                let slug = try param(ctx, "slug")
                let g = try await api.body(req, as: GPU.self)
                let ifMatch = req.headers[.ifMatch], actor = ctx.actor
                let saved = try await api.db { try $0.updateGPU(slug, to: g, ifMatch: ifMatch, actor: actor) }
                return api.json(saved, etag: CatalogStore.etag(saved))
            }
        },
        Route(method: .delete, path: "/v1/gpus/{slug}", summary: "Delete a GPU (with_prices=true removes its prices too)", tag: "gpus",
              query: ["with-prices"], status: 204) { api in
            { req, ctx in
                let slug = try param(ctx, "slug"), actor = ctx.actor
                let q = try query(req)
                let with = q["with-prices"] == "true" || q["with-prices"] == "1"
                try await api.db { try $0.removeGPU(slug, withPrices: with, actor: actor) }
                return Response(status: .noContent)
            }
        },

        // prices
        Route(method: .get, path: "/v1/prices", summary: "Price history (latest=true: current prices)", tag: "prices",
              query: ["gpu", "provider", "pricing-model", "latest"], response: "PriceList") { api in
            { req, _ in
                let q = try query(req)
                var f = PriceFilter(gpu: q["gpu"], provider: q["provider"], latestOnly: q["latest"] == "true" || q["latest"] == "1")
                if let pm = q["pricing-model"] {
                    guard let v = PricingModel(rawValue: pm) else { throw ServerError.badRequest("pricing-model must be on-demand, spot or reserved") }
                    f.pricingModel = v
                }
                let filter = f
                return api.json(try await api.db { try $0.prices(filter) })
            }
        },
        Route(method: .post, path: "/v1/prices", summary: "Record a price", tag: "prices", body: "Price", response: "Price", status: 201) { api in
            { req, ctx in
                let p = try await api.body(req, as: Price.self)
                let actor = ctx.actor
                let saved = try await api.db { try $0.addPrice(p, actor: actor) }
                return api.json(saved, status: .created, location: "/v1/prices?gpu=\(saved.gpu)")
            }
        },
        Route(method: .delete, path: "/v1/prices/{id}", summary: "Delete one price row", tag: "prices", status: 204) { api in
            { _, ctx in
                guard let id = Int64(try param(ctx, "id")) else { throw ServerError.badRequest("price id must be a number") }
                let actor = ctx.actor
                try await api.db { try $0.removePrice(id: id, actor: actor) }
                return Response(status: .noContent)
            }
        },

        // scenarios
        Route(method: .get, path: "/v1/scenarios", summary: "List scenarios", tag: "scenarios", response: "ScenarioList") { api in
            { _, _ in api.json(try await api.db { try $0.scenarios() }) }
        },
        Route(method: .post, path: "/v1/scenarios", summary: "Save a ranking question by name", tag: "scenarios",
              body: "ScenarioInput", response: "Scenario", status: 201) { api in
            { req, ctx in
                let input = try await api.body(req, as: ScenarioInput.self)
                let q = try RankQuery(options: input.rankOptions())
                let actor = ctx.actor
                let s = try await api.db { try $0.saveScenario(name: input.name, query: q, notes: input.notes, replace: false, actor: actor) }
                return api.json(s, status: .created, etag: CatalogStore.etag(s), location: "/v1/scenarios/\(s.name)")
            }
        },
        Route(method: .get, path: "/v1/scenarios/{name}", summary: "Get a scenario (ETag header)", tag: "scenarios", response: "Scenario") { api in
            { _, ctx in
                let name = try param(ctx, "name")
                let s = try await api.db { try $0.scenario(name) }
                return api.json(s, etag: CatalogStore.etag(s))
            }
        },
        Route(method: .put, path: "/v1/scenarios/{name}", summary: "Replace a scenario's question (If-Match: its ETag)", tag: "scenarios",
              body: "ScenarioInput", response: "Scenario") { api in
            { req, ctx in
                let name = try param(ctx, "name")
                var input = try await api.body(req, as: ScenarioInput.self)
                if input.name != name { throw ServerError.badRequest("body name '\(input.name)' differs from the path's '\(name)'") }
                input.name = name
                let q = try RankQuery(options: input.rankOptions())
                let ifMatch = req.headers[.ifMatch], actor = ctx.actor, notes = input.notes
                let s = try await api.db { store -> Scenario in
                    var s = try store.scenarioDraft(name: name, query: q, notes: notes)
                    s = try store.replaceScenario(s, ifMatch: ifMatch, actor: actor)
                    return s
                }
                return api.json(s, etag: CatalogStore.etag(s))
            }
        },
        Route(method: .delete, path: "/v1/scenarios/{name}", summary: "Delete a scenario", tag: "scenarios", status: 204) { api in
            { _, ctx in
                let name = try param(ctx, "name"), actor = ctx.actor
                try await api.db { try $0.removeScenario(name, actor: actor) }
                return Response(status: .noContent)
            }
        },
        Route(method: .get, path: "/v1/scenarios/{name}/run", summary: "Re-evaluate a scenario with today's catalog and prices", tag: "scenarios",
              response: "ScenarioRun") { api in
            { _, ctx in
                let name = try param(ctx, "name")
                return api.json(try await api.db { try $0.runScenario(name) })
            }
        },

        // queries
        Route(method: .post, path: "/v1/estimate", summary: "Memory estimate (the CLI's estimate options, snake_case)", tag: "queries",
              body: "EstimateSpec", response: "Estimate") { api in
            { req, _ in
                let spec = try await api.body(req, as: EstimateSpec.self)
                let hub = try await api.hubModel(spec.model)
                return api.json(try await api.db { try $0.estimate(spec, model: hub?.model, checkpoint: hub?.checkpoint) })
            }
        },
        Route(method: .get, path: "/v1/rank", summary: "Rank deployments (query parameters: the CLI's rank options)", tag: "queries",
              query: RankQuery.optionNames, response: "RankResult") { api in
            { req, _ in
                let q = try RankQuery(options: try query(req))
                let hub = try await api.hubModel(q.model)
                return api.json(try await api.db { try $0.rank(q, model: hub?.model) })
            }
        },
        Route(method: .post, path: "/v1/rank", summary: "Rank deployments (body: an object of the CLI's rank options)", tag: "queries",
              body: "RankOptions", response: "RankResult") { api in
            { req, _ in
                let data = try await api.rawBody(req)
                let q = try RankQuery(options: try OptionObject.decode(data))
                let hub = try await api.hubModel(q.model)
                return api.json(try await api.db { try $0.rank(q, model: hub?.model) })
            }
        },
        Route(method: .get, path: "/v1/history", summary: "The change log, newest first", tag: "queries",
              query: ["entity", "key", "limit"], response: "History") { api in
            { req, _ in
                let q = try query(req)
                var limit = 50
                if let l = q["limit"] {
                    guard let v = Int(l), v > 0, v <= 10_000 else { throw ServerError.badRequest("limit must be 1-10000") }
                    limit = v
                }
                let lim = limit
                return api.json(try await api.db { try $0.history(entity: q["entity"], key: q["key"], limit: lim) })
            }
        },

        // measurements
        Route(method: .get, path: "/v1/measurements", summary: "Stored measurements (servefit measure list)", tag: "measurements",
              query: ["model", "gpu", "engine", "kind"], response: "MeasurementList") { api in
            { req, _ in
                let q = try query(req)
                try only(q, ["model", "gpu", "engine", "kind"])
                let f = MeasurementFilter(model: q["model"], gpu: q["gpu"], engine: q["engine"], kind: q["kind"])
                return api.json(try await api.db { try $0.measurements(f) })
            }
        },
        Route(method: .post, path: "/v1/measurements",
              summary: "Import one benchmark result or engine log: JSON with its text in content, or the file itself as text/plain with the options in the query (the same readers as servefit measure import)",
              tag: "measurements", query: MeasurementUpload.queryNames, body: "MeasurementUpload", response: "MeasurementList", status: 201, textBody: true) { api in
            { req, ctx in
                let up = try await api.measurementUpload(req)
                let actor = ctx.actor
                let saved = try await api.db { s -> [MeasurementRecord] in
                    let names = try s.measurementNames()
                    let given = MeasurementMatch.Given(model: up.model, gpu: up.gpu, variant: up.variant, gpuCount: up.gpus, engineVersion: up.engineVersion)
                    let ms = try MeasurementMatch.read(Data(up.content.utf8), name: up.name, given: given, models: names.models, gpus: names.gpus)
                    return try s.addMeasurements(ms, actor: actor)
                }
                return api.json(saved, status: .created, location: "/v1/measurements")
            }
        },
        Route(method: .get, path: "/v1/measurements/check", summary: "Each measurement beside servefit's prediction (servefit measure check)", tag: "measurements",
              query: ["model", "gpu", "engine"], response: "CheckList") { api in
            { req, _ in
                let q = try query(req)
                try only(q, ["model", "gpu", "engine"])
                let f = MeasurementFilter(model: q["model"], gpu: q["gpu"], engine: q["engine"])
                return api.json(try await api.db { try $0.checkMeasurements(f) })
            }
        },
        Route(method: .get, path: "/v1/calibration", summary: "Stored per-(engine, GPU) speed corrections (servefit calibrate)", tag: "measurements",
              response: "CalibrationList") { api in
            { req, _ in
                try only(try query(req), [])
                return api.json(try await api.db { try $0.calibration() })
            }
        },

        // tokens (admin)
        Route(method: .get, path: "/v1/tokens", summary: "List API tokens (admin)", tag: "tokens", response: "TokenList") { api in
            { _, _ in api.json(try await api.db { try $0.tokens() }) }
        },
        Route(method: .post, path: "/v1/tokens", summary: "Create an API token; the token is in this response only (admin)", tag: "tokens",
              body: "TokenInput", response: "NewToken", status: 201) { api in
            { req, ctx in
                let input = try await api.body(req, as: TokenInput.self)
                guard let role = APIToken.Role(rawValue: input.role) else { throw ServerError.badRequest("role must be read, write or admin") }
                let actor = ctx.actor
                let (t, secret) = try await api.db { try $0.createToken(name: input.name, role: role, actor: actor) }
                return api.json(NewToken(name: t.name, role: t.role.rawValue, token: secret), status: .created)
            }
        },
        Route(method: .delete, path: "/v1/tokens/{name}", summary: "Revoke an API token (admin)", tag: "tokens", status: 204) { api in
            { _, ctx in
                let name = try param(ctx, "name"), actor = ctx.actor
                try await api.db { try $0.revokeToken(name, actor: actor) }
                return Response(status: .noContent)
            }
        },
    ]
}

struct Health: Codable { var status: String; var models: Int; var gpus: Int; var prices: Int; var scenarios: Int }

/// POST /v1/models/import: a Hub repo and what `model import`'s flags would say.
struct HubImportInput: Codable, Sendable, KnownFields {
    var model: String
    var slug: String?
    var name: String?
    var variants: Bool?
    var replace: Bool?
    enum CodingKeys: String, CodingKey, CaseIterable { case model, slug, name, variants, replace }
    static var knownFields: [String] { CodingKeys.allCases.map(\.rawValue) }
}

struct HubImportResult: Encodable, Sendable {
    var model: ModelInfo
    var created: Bool
    var variants: [ModelVariant]
    var commit: String
    var source: String
}

/// POST /v1/measurements: one file's text and what `measure import`'s flags would say.
struct MeasurementUpload: Codable, Sendable, KnownFields {
    static let queryNames = ["name", "model", "gpu", "variant", "gpus", "engine-version"]
    init(content: String) { self.content = content }
    var content: String
    var name: String?
    var model: String?
    var gpu: String?
    var variant: String?
    var gpus: Int?
    var engineVersion: String?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case content, name, model, gpu, variant, gpus, engineVersion = "engine_version"
    }
    static var knownFields: [String] { CodingKeys.allCases.map(\.rawValue) }
}
struct TokenInput: Codable, KnownFields {
    var name: String
    var role: String
    static var knownFields: [String] { ["name", "role"] }
}
public struct NewToken: Codable, Sendable {
    public var name: String
    public var role: String
    public var token: String
    public init(name: String, role: String, token: String) { self.name = name; self.role = role; self.token = token }
}

/// POST /v1/scenarios body: a name, the rank options (as the CLI spells them) and notes.
struct ScenarioInput: Codable, KnownFields {
    static var knownFields: [String] { ["name", "model", "options", "notes"] }
    var name: String
    var model: String
    var options: [String: OptionValue]?
    var notes: String?

    enum CodingKeys: String, CodingKey { case name, model, options, notes }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        model = try c.decode(String.self, forKey: .model)
        // Absent means no options; null is not an object and is refused, as the schema says.
        if c.contains(.options) { options = try c.decode([String: OptionValue].self, forKey: .options) }
        if c.contains(.notes) { notes = try c.decode(String.self, forKey: .notes) }
    }

    func rankOptions() throws -> [String: String] {
        var o: [String: String] = [:]
        for (k, v) in options ?? [:] { o[k.replacingOccurrences(of: "_", with: "-")] = v.text }
        o["model"] = model
        return o
    }
}

enum OptionObject {
    static func decode(_ data: Data) throws -> [String: String] {
        do { return try RankQuery.optionStrings(json: data) } catch let e as DecodingError {
            throw ServerError.badRequest("body must be a JSON object of rank options: " + CatalogDocument.describe(e))
        }
    }
}
