import Foundation
import ServefitCore

/// What a seed or import did, per entity.
public struct ChangeReport: Codable, Sendable, Equatable {
    public var added: [String: Int] = [:]
    public var changed: [String: Int] = [:]
    public var unchanged: [String: Int] = [:]
    public var skipped: [String: Int] = [:]
    public var details: [String] = []
    public var dryRun = false
    public init() {}

    mutating func count(_ kind: WritableKeyPath<ChangeReport, [String: Int]>, _ entity: String, _ detail: String? = nil) {
        self[keyPath: kind][entity, default: 0] += 1
        if let detail { details.append(detail) }
    }

    enum CodingKeys: String, CodingKey { case added, changed, unchanged, skipped, details, dryRun = "dry_run" }
}

extension CatalogStore {
    /// The reference data bundled in the binary (`seed/*.json`), merged into one document.
    public static func seedDocument() throws -> CatalogDocument {
        var doc = CatalogDocument(models: [], gpus: [], prices: [], scenarios: [])
        for f in EmbeddedFiles.all where f.path.hasPrefix("seed/") && f.path.hasSuffix(".json") {
            let part: CatalogDocument
            do { part = try CatalogDocument.decode(Data(f.contents.utf8)) } catch {
                throw StoreError.invalid("bundled \(f.path) is invalid: \(error)")
            }
            doc.models! += part.models ?? []
            doc.gpus! += part.gpus ?? []
            doc.prices! += part.prices ?? []
        }
        return doc
    }

    /// Idempotent upsert of the bundled reference data. Rows a user edited or removed are left
    /// alone unless `force`; seed rows the user never touched follow the newer seed.
    @discardableResult
    public func seed(force: Bool, actor: String) throws -> ChangeReport {
        let doc = try Self.seedDocument()
        return try write { db in
            var r = ChangeReport()
            func skipped(_ entity: String, _ key: String) throws -> Bool {
                if force { return false }
                return try db.exists("SELECT 1 FROM seed_skip WHERE entity = ? AND key = ?", [entity, key])
            }
            for g in doc.gpus ?? [] {
                if try skipped("gpu", g.slug) { r.count(\.skipped, "gpus"); continue }
                if let row = try db.row("SELECT * FROM gpu WHERE slug = ?", [g.slug]) {
                    let existing = Self.gpu(from: row)
                    if existing == g { r.count(\.unchanged, "gpus"); continue }
                    if (row["origin"] as String?) == "user" && !force { r.count(\.skipped, "gpus", "gpu \(g.slug): kept your edit"); continue }
                    try Self.replaceGPU(db, g.slug, g, actor: actor, origin: "seed", action: "seed")
                    r.count(\.changed, "gpus")
                } else {
                    try Self.insertGPU(db, g, actor: actor, origin: "seed", action: "seed")
                    r.count(\.added, "gpus")
                }
            }
            for m in doc.models ?? [] {
                if try skipped("model", m.slug) { r.count(\.skipped, "models"); continue }
                if let row = try db.row("SELECT * FROM model WHERE slug = ?", [m.slug]) {
                    var existing = try Self.model(from: row)
                    existing.createdAt = nil; existing.updatedAt = nil
                    if existing == m { r.count(\.unchanged, "models"); continue }
                    if (row["origin"] as String?) == "user" && !force { r.count(\.skipped, "models", "model \(m.slug): kept your edit"); continue }
                    _ = try Self.replaceModel(db, m.slug, m, actor: actor, origin: "seed", action: "seed")
                    r.count(\.changed, "models")
                } else {
                    _ = try Self.insertModel(db, m, actor: actor, origin: "seed", action: "seed")
                    r.count(\.added, "models")
                }
            }
            for p in doc.prices ?? [] {
                if try skipped("price", Self.priceKey(p)) { r.count(\.skipped, "prices"); continue }
                // A GPU the user removed takes its seed prices with it.
                guard let gid = try? Self.gpuID(db, p.gpu) else { r.count(\.skipped, "prices"); continue }
                if try Self.priceExists(db, p, gpuID: gid) { r.count(\.unchanged, "prices"); continue }
                _ = try Self.insertPrice(db, p, actor: actor, origin: "seed", action: "seed")
                r.count(\.added, "prices")
            }
            if force { try db.execute("DELETE FROM seed_skip") }
            return r
        }
    }

    /// The whole catalog as one document, in a stable order.
    public func export() throws -> CatalogDocument {
        let models = try self.models()
        let gpus = try self.gpus()
        let prices = try self.prices().map { p -> Price in var q = p; q.id = nil; return q }
        let scenarios = try self.scenarios()
        var ms = try measurements(MeasurementFilter(limit: 100_000))
        for i in ms.indices { ms[i].id = nil }
        var vs: [ModelVariant] = []
        for m in models { vs += try variants(of: m.slug) }
        return CatalogDocument(models: models, gpus: gpus, prices: prices, scenarios: scenarios, measurements: ms.isEmpty ? nil : ms,
                               variants: vs.isEmpty ? nil : vs)
    }

    /// Imports a document all-or-nothing: models, GPUs and scenarios are added or replaced by key,
    /// prices added when new. Any invalid row aborts the whole import; `dryRun` rolls back.
    public func importDocument(_ doc: CatalogDocument, dryRun: Bool, actor: String) throws -> ChangeReport {
        if let f = doc.format, f != "servefit-catalog" { throw StoreError.invalid("not a servefit catalog document (format '\(f)')") }
        if let v = doc.version, v > 1 { throw StoreError.invalid("catalog document version \(v) is newer than this servefit understands (1)") }
        for (kind, keys) in [("model", (doc.models ?? []).map(\.slug)), ("gpu", (doc.gpus ?? []).map(\.slug)),
                             ("scenario", (doc.scenarios ?? []).map(\.name)), ("price", (doc.prices ?? []).map(Self.priceKey)),
                             ("measurement", (doc.measurements ?? []).map(\.key)), ("variant", (doc.variants ?? []).map { "\($0.model):\($0.name)" })] {
            var seen = Set<String>()
            for k in keys where !seen.insert(k).inserted { throw StoreError.duplicate(entity: "\(kind) (twice in the file)", key: k) }
        }
        var report = ChangeReport()
        report.dryRun = dryRun
        struct Rollback: Error {}
        do {
            try write { db in
                for g in doc.gpus ?? [] {
                    if let old = try? Self.findGPU(db, g.slug) {
                        if old == g { report.count(\.unchanged, "gpus"); continue }
                        try Self.replaceGPU(db, g.slug, g, actor: actor, origin: "user", action: "import")
                        report.count(\.changed, "gpus", "gpu \(g.slug): changed")
                    } else {
                        try Self.insertGPU(db, g, actor: actor, origin: "user", action: "import")
                        report.count(\.added, "gpus", "gpu \(g.slug): added")
                    }
                }
                for m in doc.models ?? [] {
                    if let row = try db.row("SELECT * FROM model WHERE slug = ?", [m.slug]) {
                        let old = try Self.model(from: row)
                        var a = old, b = m
                        a.createdAt = nil; a.updatedAt = nil; b.createdAt = nil; b.updatedAt = nil
                        if a == b { report.count(\.unchanged, "models"); continue }
                        _ = try Self.replaceModel(db, m.slug, m, actor: actor, origin: "user", action: "import", keepTimes: true)
                        report.count(\.changed, "models", "model \(m.slug): changed")
                    } else {
                        _ = try Self.insertModel(db, m, actor: actor, origin: "user", action: "import")
                        report.count(\.added, "models", "model \(m.slug): added")
                    }
                }
                for p in doc.prices ?? [] {
                    let gid: Int64
                    do { gid = try Self.gpuID(db, p.gpu) } catch { throw StoreError.invalid("price names unknown gpu '\(p.gpu)'") }
                    if try Self.priceExists(db, p, gpuID: gid) { report.count(\.unchanged, "prices"); continue }
                    _ = try Self.insertPrice(db, p, actor: actor, origin: "user", action: "import")
                    report.count(\.added, "prices")
                }
                for s in doc.scenarios ?? [] {
                    let existed = (try? Self.findScenario(db, s.name)) != nil
                    if existed, let old = try? Self.findScenario(db, s.name), old == s { report.count(\.unchanged, "scenarios"); continue }
                    _ = try Self.upsertScenario(db, s, replace: true, actor: actor, action: "import")
                    report.count(existed ? \.changed : \.added, "scenarios")
                }
                for m in doc.measurements ?? [] {
                    if try db.scalar(Int.self, "SELECT 1 FROM measurement WHERE source_sha256 = ? AND run_index = ?", [m.sourceSHA256, m.runIndex]) != nil {
                        report.count(\.unchanged, "measurements"); continue
                    }
                    _ = try Self.insertMeasurement(db, m, actor: m.actor ?? actor)
                    report.count(\.added, "measurements")
                }
                for v in doc.variants ?? [] {
                    try v.validate()
                    let mid: Int64
                    do { mid = try Self.modelID(db, v.model) } catch { throw StoreError.invalid("variant \(v.model):\(v.name) names unknown model '\(v.model)'") }
                    if var old = try Self.findVariant(db, modelID: mid, slug: v.model, name: v.name) {
                        var new = v
                        old.createdAt = nil; new.createdAt = nil
                        if old == new { report.count(\.unchanged, "variants"); continue }
                        _ = try Self.insertVariant(db, v, replace: true, actor: actor)
                        report.count(\.changed, "variants", "variant \(v.model):\(v.name): changed")
                    } else {
                        _ = try Self.insertVariant(db, v, replace: false, actor: actor)
                        report.count(\.added, "variants")
                    }
                }
                if dryRun { throw Rollback() }
            }
        } catch is Rollback {
            return report
        }
        return report
    }
}
