import Foundation
import ServefitCore

public struct ModelFilter: Sendable {
    public var family: String?
    public var kind: String?
    public var tag: String?
    public init(family: String? = nil, kind: String? = nil, tag: String? = nil) { self.family = family; self.kind = kind; self.tag = tag }
}

public struct GPUFilter: Sendable {
    public var vendor: String?
    public var minMemoryBytes: Int64?
    public var minBandwidthGBPerS: Double?
    public init(vendor: String? = nil, minMemoryBytes: Int64? = nil, minBandwidthGBPerS: Double? = nil) {
        self.vendor = vendor; self.minMemoryBytes = minMemoryBytes; self.minBandwidthGBPerS = minBandwidthGBPerS
    }
}

public struct PriceFilter: Sendable {
    public var gpu: String?
    public var provider: String?
    public var pricingModel: PricingModel?
    public var latestOnly: Bool
    /// Marks stale rows; with `latestOnly`, leaves them out unless `includeStale`.
    public var freshness: Freshness?
    public init(gpu: String? = nil, provider: String? = nil, pricingModel: PricingModel? = nil, latestOnly: Bool = false,
                freshness: Freshness? = nil) {
        self.gpu = gpu; self.provider = provider; self.pricingModel = pricingModel; self.latestOnly = latestOnly
        self.freshness = freshness
    }
}

// MARK: models

extension CatalogStore {
    public func models(_ f: ModelFilter = ModelFilter()) throws -> [Model] {
        let (clause, args) = Self.modelsWhere(f, dialect: dialect)
        return try read { db in try Self.fetchModels(db, where: clause, arguments: args) }
    }

    /// The WHERE clause of a model list. A family matches its model_type exactly or as a prefix
    /// before "_" (qwen3 → qwen3_moe), as an index range rather than a LIKE.
    static func modelsWhere(_ f: ModelFilter, dialect: SQLDialect = .sqlite) -> (String, SQLArguments) {
        var conds: [String] = [], args: SQLArguments = []
        if let fam = f.family?.lowercased() {
            conds.append("(model_type = ? OR (model_type >= ? AND model_type < ?))")
            args += [fam, fam + "_", fam + "`"]
        }
        if let k = f.kind { conds.append("kind = ?"); args.append(k) }
        if let t = f.tag { conds.append(dialect.jsonArrayContains("model.tags")); args.append(t) }
        return (conds.isEmpty ? "" : "WHERE " + conds.joined(separator: " AND "), args)
    }

    static func likePrefix(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
    }

    /// A model by slug or Hugging Face repo id.
    public func model(_ key: String) throws -> Model {
        try read { db in try Self.findModel(db, key) }
    }

    static func findModel(_ db: any SQLConnection, _ key: String) throws -> Model {
        if let row = try db.row("SELECT * FROM model WHERE slug = ? OR hf_repo = ? ORDER BY slug = ? DESC LIMIT 1",
                                      [key, key, key]) {
            return try model(from: row)
        }
        // Hugging Face ids are case-insensitive on the Hub (Llama-2-7B is llama-2-7b); so are slugs here.
        if let row = try db.row("SELECT * FROM model WHERE \(db.dialect.equalsIgnoringCase("slug")) OR \(db.dialect.equalsIgnoringCase("hf_repo")) ORDER BY slug LIMIT 1",
                                      [key, key]) {
            return try model(from: row)
        }
        let names = try db.rows("SELECT slug, hf_repo FROM model").flatMap { r -> [String] in [r["slug"], r["hf_repo"]].compactMap { $0 } }
        throw StoreError.notFound(entity: "model", key: key, closest: Suggest.closest(key, in: names))
    }

    static func modelID(_ db: any SQLConnection, _ key: String) throws -> Int64 {
        guard let id = try db.scalar(Int64.self, "SELECT id FROM model WHERE slug = ? OR hf_repo = ? ORDER BY slug = ? DESC LIMIT 1",
                                          [key, key, key])
                ?? db.scalar(Int64.self, "SELECT id FROM model WHERE slug = ?", [try findModel(db, key).slug]) else {
            throw StoreError.notFound(entity: "model", key: key)
        }
        return id
    }

    @discardableResult
    public func addModel(_ m: Model, actor: String) throws -> Model {
        try write { db in try Self.insertModel(db, m, actor: actor, origin: "user", action: "create") }
    }

    static func insertModel(_ db: any SQLConnection, _ m: Model, actor: String, origin: String, action: String) throws -> Model {
        try m.validate()
        if try db.exists("SELECT 1 FROM model WHERE slug = ?", [m.slug]) {
            throw StoreError.duplicate(entity: "model", key: m.slug)
        }
        if let repo = m.hfRepo, try db.exists("SELECT 1 FROM model WHERE hf_repo = ?", [repo]) {
            throw StoreError.duplicate(entity: "model with hf_repo", key: repo)
        }
        var row = m
        let t = now()
        row.createdAt = m.createdAt ?? t
        row.updatedAt = m.updatedAt ?? t
        var values = try modelRowValues(row)
        values["origin"] = origin.sqlValue
        try insert(db, table: "model", values: values)
        try log(db, entity: "model", key: m.slug, action: action, before: nil, after: json(row), actor: actor)
        return row
    }

    static func replaceModel(_ db: any SQLConnection, _ key: String, _ new: Model, actor: String, origin: String, action: String, keepTimes: Bool = false) throws -> Model {
        try new.validate()
        let old = try findModel(db, key)
        let id = try modelID(db, key)
        if new.slug != old.slug, try db.exists("SELECT 1 FROM model WHERE slug = ?", [new.slug]) {
            throw StoreError.duplicate(entity: "model", key: new.slug)
        }
        if let repo = new.hfRepo, try db.exists("SELECT 1 FROM model WHERE hf_repo = ? AND id != ?", [repo, id]) {
            throw StoreError.duplicate(entity: "model with hf_repo", key: repo)
        }
        var row = new
        row.createdAt = keepTimes ? (new.createdAt ?? old.createdAt) : old.createdAt
        row.updatedAt = keepTimes ? (new.updatedAt ?? now()) : now()
        var values = try modelRowValues(row)
        values["origin"] = origin.sqlValue
        try update(db, table: "model", id: id, values: values)
        try log(db, entity: "model", key: new.slug, action: action, before: json(old), after: json(row), actor: actor)
        return row
    }

    public func removeModel(_ key: String, actor: String) throws {
        try write { db in
            let old = try Self.findModel(db, key)
            let id = try Self.modelID(db, key)
            let uses = try db.scalar(Int.self, "SELECT count(*) FROM scenario WHERE model_id = ?", [id]) ?? 0
            if uses > 0 { throw StoreError.inUse("model '\(old.slug)' is used by \(uses) scenario(s); remove them first") }
            if try db.scalar(String.self, "SELECT origin FROM model WHERE id = ?", [id]) == "seed" {
                try db.execute("INSERT INTO seed_skip(entity, key) VALUES ('model', ?) ON CONFLICT DO NOTHING", [old.slug])
            }
            try db.execute("DELETE FROM model WHERE id = ?", [id])
            try Self.log(db, entity: "model", key: old.slug, action: "delete", before: Self.json(old), after: nil, actor: actor)
        }
    }
}

// MARK: GPUs

extension CatalogStore {
    public func gpus(_ f: GPUFilter = GPUFilter()) throws -> [GPU] {
        var conds: [String] = [], args: SQLArguments = []
        if let v = f.vendor { conds.append(dialect.equalsIgnoringCase("vendor")); args.append(v) }
        if let m = f.minMemoryBytes { conds.append("memory_bytes >= ?"); args.append(m) }
        if let b = f.minBandwidthGBPerS { conds.append("bandwidth_gb_per_s >= ?"); args.append(b) }
        let clause = conds.isEmpty ? "" : "WHERE " + conds.joined(separator: " AND ")
        return try read { db in try Self.fetchGPUs(db, where: clause, arguments: args) }
    }

    public func gpu(_ slug: String) throws -> GPU {
        try read { db in try Self.findGPU(db, slug) }
    }

    static func findGPU(_ db: any SQLConnection, _ slug: String) throws -> GPU {
        if let row = try db.row("SELECT * FROM gpu WHERE slug = ?", [slug]) { return gpu(from: row) }
        if let row = try db.row("SELECT * FROM gpu WHERE \(db.dialect.equalsIgnoringCase("slug"))", [slug]) { return gpu(from: row) }
        throw StoreError.notFound(entity: "gpu", key: slug, closest: Suggest.closest(slug, in: try db.column(String.self, "SELECT slug FROM gpu")))
    }

    static func gpuID(_ db: any SQLConnection, _ slug: String) throws -> Int64 {
        guard let id = try db.scalar(Int64.self, "SELECT id FROM gpu WHERE slug = ?", [slug])
                ?? db.scalar(Int64.self, "SELECT id FROM gpu WHERE slug = ?", [try findGPU(db, slug).slug]) else {
            throw StoreError.notFound(entity: "gpu", key: slug)
        }
        return id
    }

    @discardableResult
    public func addGPU(_ g: GPU, actor: String) throws -> GPU {
        try write { db in try Self.insertGPU(db, g, actor: actor, origin: "user", action: "create"); return g }
    }

    static func insertGPU(_ db: any SQLConnection, _ g: GPU, actor: String, origin: String, action: String, times: (String, String)? = nil) throws {
        try g.validate()
        if try db.exists("SELECT 1 FROM gpu WHERE slug = ?", [g.slug]) {
            throw StoreError.duplicate(entity: "gpu", key: g.slug)
        }
        var v = gpuRowValues(g)
        let t = now()
        v["created_at"] = (times?.0 ?? t).sqlValue
        v["updated_at"] = (times?.1 ?? t).sqlValue
        v["origin"] = origin.sqlValue
        try insert(db, table: "gpu", values: v)
        try log(db, entity: "gpu", key: g.slug, action: action, before: nil, after: json(g), actor: actor)
    }

    static func replaceGPU(_ db: any SQLConnection, _ slug: String, _ new: GPU, actor: String, origin: String, action: String) throws {
        try new.validate()
        let old = try findGPU(db, slug)
        let id = try gpuID(db, slug)
        if new.slug != slug, try db.exists("SELECT 1 FROM gpu WHERE slug = ?", [new.slug]) {
            throw StoreError.duplicate(entity: "gpu", key: new.slug)
        }
        var v = gpuRowValues(new)
        v["updated_at"] = now().sqlValue
        v["origin"] = origin.sqlValue
        try update(db, table: "gpu", id: id, values: v)
        try log(db, entity: "gpu", key: new.slug, action: action, before: json(old), after: json(new), actor: actor)
    }

    /// Removes a GPU; its prices go with it only when `withPrices` is set.
    public func removeGPU(_ slug: String, withPrices: Bool, actor: String) throws {
        try write { db in
            let old = try Self.findGPU(db, slug)
            let id = try Self.gpuID(db, slug)
            let n = try db.scalar(Int.self, "SELECT count(*) FROM gpu_price WHERE gpu_id = ?", [id]) ?? 0
            if n > 0 && !withPrices { throw StoreError.inUse("gpu '\(slug)' has \(n) price row(s); pass --with-prices to remove them too") }
            if try db.scalar(String.self, "SELECT origin FROM gpu WHERE id = ?", [id]) == "seed" {
                try db.execute("INSERT INTO seed_skip(entity, key) VALUES ('gpu', ?) ON CONFLICT DO NOTHING", [slug])
            }
            try db.execute("DELETE FROM gpu WHERE id = ?", [id])
            try Self.log(db, entity: "gpu", key: slug, action: "delete", before: Self.json(old), after: nil, actor: actor)
        }
    }
}

// MARK: prices

extension CatalogStore {
    static let priceSelect = "SELECT p.*, g.slug AS gpu_slug FROM %@ p JOIN gpu g ON g.id = p.gpu_id"

    public func prices(_ f: PriceFilter = PriceFilter()) throws -> [Price] {
        let (sql, args) = Self.pricesSQL(f, dialect: dialect)
        var out = try read { db in try db.rows(sql, args).map(Self.price(from:)) }
        if let fr = f.freshness {
            for i in out.indices { out[i].stale = out[i].asOf < fr.cutoff }
        }
        return out
    }

    static func pricesSQL(_ f: PriceFilter, dialect: SQLDialect = .sqlite) -> (String, SQLArguments) {
        var conds: [String] = [], args: SQLArguments = []
        if let g = f.gpu { conds.append("g.slug = ?"); args.append(g) }
        if let p = f.provider { conds.append(dialect.equalsIgnoringCase("p.provider")); args.append(p) }
        if let pm = f.pricingModel { conds.append("p.pricing_model = ?"); args.append(pm.rawValue) }
        if f.latestOnly, let fr = f.freshness, !fr.includeStale { conds.append("p.as_of >= ?"); args.append(fr.cutoff) }
        let table = f.latestOnly ? "current_gpu_price" : "gpu_price"
        let sql = String(format: Self.priceSelect, table) + (conds.isEmpty ? "" : " WHERE " + conds.joined(separator: " AND "))
            + " ORDER BY g.slug, p.provider, p.pricing_model, p.gpus_per_instance, p.as_of, coalesce(p.instance, ''), coalesce(p.region, '')"
        return (sql, args)
    }

    @discardableResult
    public func addPrice(_ p: Price, actor: String) throws -> Price {
        try write { db in try Self.insertPrice(db, p, actor: actor, origin: "user", action: "create") }
    }

    static func priceKey(_ p: Price) -> String {
        [p.gpu, p.provider, p.pricingModel.rawValue, p.instance ?? "", p.region ?? "", p.asOf].joined(separator: "|")
    }

    static func priceExists(_ db: any SQLConnection, _ p: Price, gpuID: Int64) throws -> Bool {
        try db.exists("""
            SELECT 1 FROM gpu_price WHERE gpu_id = ? AND provider = ? AND pricing_model = ?
              AND coalesce(instance, '') = ? AND coalesce(region, '') = ? AND as_of = ?
            """, [gpuID, p.provider, p.pricingModel.rawValue, p.instance ?? "", p.region ?? "", p.asOf])
    }

    static func insertPrice(_ db: any SQLConnection, _ p: Price, actor: String, origin: String, action: String) throws -> Price {
        try p.validate()
        let gid: Int64
        do { gid = try gpuID(db, p.gpu) } catch { throw StoreError.invalid("price names unknown gpu '\(p.gpu)' (add it with `servefit gpu add` first)") }
        if try priceExists(db, p, gpuID: gid) { throw StoreError.duplicate(entity: "price", key: priceKey(p)) }
        let newID = try db.scalar(Int64.self, """
            INSERT INTO gpu_price(gpu_id, provider, instance, region, pricing_model, usd_per_gpu_hour, as_of, source, origin, created_at,
                                  gpus_per_instance, link, shape_assumed)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, [gid, p.provider, p.instance, p.region, p.pricingModel.rawValue, p.usdPerGPUHour, p.asOf, p.source, origin, now(),
                                     p.gpusPerInstance, (p.link ?? (p.gpusPerInstance == 1 ? InstanceLink.none : nil))?.rawValue, p.shapeAssumed])
        var out = p
        out.id = newID
        try log(db, entity: "price", key: priceKey(p), action: action, before: nil, after: json(out), actor: actor)
        return out
    }

    public func removePrice(id: Int64, actor: String) throws {
        try write { db in
            guard let row = try db.row(String(format: Self.priceSelect, "gpu_price") + " WHERE p.id = ?", [id]) else {
                throw StoreError.notFound(entity: "price", key: String(id))
            }
            let p = Self.price(from: row)
            if (row["origin"] as String?) == "seed" {
                try db.execute("INSERT INTO seed_skip(entity, key) VALUES ('price', ?) ON CONFLICT DO NOTHING", [Self.priceKey(p)])
            }
            try db.execute("DELETE FROM gpu_price WHERE id = ?", [id])
            try Self.log(db, entity: "price", key: Self.priceKey(p), action: "delete", before: Self.json(p), after: nil, actor: actor)
        }
    }
}

// MARK: scenarios and history

extension CatalogStore {
    static let scenarioSelect = """
        SELECT s.*, m.slug AS model_slug, g.slug AS gpu_slug FROM scenario s
        JOIN model m ON m.id = s.model_id LEFT JOIN gpu g ON g.id = s.gpu_id
        """

    public func scenarios() throws -> [Scenario] {
        try read { db in try db.rows(Self.scenarioSelect + " ORDER BY s.name").map(Self.scenario(from:)) }
    }

    public func scenario(_ name: String) throws -> Scenario {
        try read { db in try Self.findScenario(db, name) }
    }

    static func findScenario(_ db: any SQLConnection, _ name: String) throws -> Scenario {
        guard let row = try db.row(scenarioSelect + " WHERE s.name = ?", [name]) else {
            throw StoreError.notFound(entity: "scenario", key: name)
        }
        return try scenario(from: row)
    }

    /// Saves a scenario; `replace` overwrites one of the same name.
    @discardableResult
    public func saveScenario(_ s: Scenario, replace: Bool = false, actor: String) throws -> Scenario {
        try write { db in try Self.upsertScenario(db, s, replace: replace, actor: actor, action: nil) }
    }

    static func upsertScenario(_ db: any SQLConnection, _ s: Scenario, replace: Bool, actor: String, action: String?) throws -> Scenario {
        try s.validate()
        let mid = try modelID(db, s.model)
        let gid = try s.gpu.map { try gpuID(db, $0) }
        let existing = try? findScenario(db, s.name)
        if existing != nil && !replace { throw StoreError.duplicate(entity: "scenario", key: s.name) }
        let t = now()
        var out = s
        out.createdAt = s.createdAt ?? existing?.createdAt ?? t
        out.updatedAt = s.updatedAt ?? t
        let values: [String: SQLValue] = [
            "name": s.name.sqlValue, "model_id": mid.sqlValue, "gpu_id": gid.sqlValue,
            "gpu_count": s.gpuCount.sqlValue, "weights": s.weights.sqlValue, "kv_cache": s.kvCache.sqlValue,
            "engine": s.engine.sqlValue, "context": s.context.sqlValue, "batch": s.batch.sqlValue,
            "input_tokens": s.inputTokens.sqlValue, "output_tokens": s.outputTokens.sqlValue,
            "options_json": json(s.options).sqlValue, "result_json": s.result.sqlValue, "notes": s.notes.sqlValue,
            "created_at": out.createdAt!.sqlValue, "updated_at": out.updatedAt!.sqlValue,
        ]
        if existing != nil {
            let id = try db.scalar(Int64.self, "SELECT id FROM scenario WHERE name = ?", [s.name])!
            try update(db, table: "scenario", id: id, values: values)
        } else {
            try insert(db, table: "scenario", values: values)
        }
        try log(db, entity: "scenario", key: s.name, action: action ?? (existing == nil ? "create" : "update"),
                before: existing.map { json($0) }, after: json(out), actor: actor)
        return out
    }

    public func removeScenario(_ name: String, actor: String) throws {
        try write { db in
            let old = try Self.findScenario(db, name)
            try db.execute("DELETE FROM scenario WHERE name = ?", [name])
            try Self.log(db, entity: "scenario", key: name, action: "delete", before: Self.json(old), after: nil, actor: actor)
        }
    }

    public func history(entity: String? = nil, key: String? = nil, limit: Int = 50) throws -> [ChangeEntry] {
        let (sql, args) = Self.historySQL(entity: entity, key: key, limit: limit)
        return try read { db in
            try db.rows(sql, args).map {
                ChangeEntry(id: $0["id"], at: $0["at"], actor: $0["actor"], entity: $0["entity"], key: $0["key"],
                            action: $0["action"], before: $0["before_json"], after: $0["after_json"])
            }
        }
    }

    static func historySQL(entity: String?, key: String?, limit: Int) -> (String, SQLArguments) {
        var conds: [String] = [], args: SQLArguments = []
        if let e = entity { conds.append("entity = ?"); args.append(e) }
        if let k = key { conds.append("key = ?"); args.append(k) }
        args.append(max(1, min(limit, 1_000_000)))
        return ("SELECT * FROM change_log" + (conds.isEmpty ? "" : " WHERE " + conds.joined(separator: " AND ")) + " ORDER BY id DESC LIMIT ?",
                args)
    }

    public func counts() throws -> (models: Int, gpus: Int, prices: Int, scenarios: Int, changes: Int) {
        try read { db in
            (try db.scalar(Int.self, "SELECT count(*) FROM model") ?? 0,
             try db.scalar(Int.self, "SELECT count(*) FROM gpu") ?? 0,
             try db.scalar(Int.self, "SELECT count(*) FROM gpu_price") ?? 0,
             try db.scalar(Int.self, "SELECT count(*) FROM scenario") ?? 0,
             try db.scalar(Int.self, "SELECT count(*) FROM change_log") ?? 0)
        }
    }
}

extension CatalogStore {
    /// Models whose slug, name or Hugging Face id contains `text` (case-insensitive), best first:
    /// exact matches, then prefixes, then the rest by slug; with none, the closest names
    /// (`servefit model search`, MCP `model_search`).
    public func searchModels(_ text: String) throws -> (models: [Model], closest: [String]) {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !t.isEmpty, t.utf8.count <= 128 else { throw StoreError.invalid("search text must be 1-128 bytes") }
        let all = try models()
        func fields(_ m: Model) -> [String] { [m.slug, m.name.lowercased(), m.hfRepo?.lowercased() ?? ""] }
        let hits = all.filter { fields($0).contains { $0.contains(t) } }
        guard !hits.isEmpty else { return ([], Suggest.closest(t, in: all.map(\.slug) + all.compactMap(\.hfRepo))) }
        func rank(_ m: Model) -> Int { fields(m).contains(t) ? 0 : fields(m).contains { $0.hasPrefix(t) || $0.contains("/" + t) } ? 1 : 2 }
        return (hits.sorted { (rank($0), $0.slug) < (rank($1), $1.slug) }, [])
    }
}
