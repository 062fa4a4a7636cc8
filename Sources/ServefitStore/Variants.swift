import Foundation
import ServefitCore

extension CatalogStore {
    /// Stores a measured checkpoint of a model; `replace` overwrites one of the same name.
    @discardableResult
    public func saveVariant(_ v: ModelVariant, replace: Bool, actor: String) throws -> ModelVariant {
        try v.validate()
        return try write { db in try Self.insertVariant(db, v, replace: replace, actor: actor) }
    }

    /// A model and its checkpoints in one transaction, all stored or none. An existing model
    /// keeps its architecture unless `replace` (a different one is refused); the variants are
    /// written over ones of the same name (a re-import refreshes them).
    public func importModel(_ m: Model, variants: [ModelVariant], replace: Bool, actor: String) throws -> (model: Model, created: Bool, variants: [ModelVariant]) {
        try m.validate()
        for v in variants { try v.validate() }
        return try write { db in
            var saved: Model
            var created = false
            if let old = try? Self.findModel(db, m.slug), old.slug == m.slug {
                if replace {
                    saved = try Self.replaceModel(db, m.slug, m, actor: actor, origin: "user", action: "import")
                } else {
                    let diff = old.architectureDifferences(from: m)
                    guard diff.isEmpty else {
                        throw StoreError.invalid("model \(m.slug) in the catalog has another architecture (\(diff.joined(separator: ", "))): import under another slug, or replace it")
                    }
                    saved = old
                }
            } else {
                saved = try Self.insertModel(db, m, actor: actor, origin: "user", action: "import")
                created = true
            }
            var vs: [ModelVariant] = []
            for var v in variants {
                v.model = saved.slug
                vs.append(try Self.insertVariant(db, v, replace: true, actor: actor))
            }
            return (saved, created, vs)
        }
    }

    static func insertVariant(_ db: any SQLConnection, _ v: ModelVariant, replace: Bool, actor: String) throws -> ModelVariant {
        let mid = try Self.modelID(db, v.model)
        let slug = try Self.findModel(db, v.model).slug
        let old = try Self.findVariant(db, modelID: mid, slug: slug, name: v.name)
        if old != nil && !replace { throw StoreError.duplicate(entity: "variant", key: "\(slug):\(v.name)") }
        var out = v
        out.model = slug
        out.createdAt = Self.now()
        if old != nil { try db.execute("DELETE FROM model_variant WHERE model_id = ? AND name = ?", [mid, v.name]) }
        try db.execute("""
            INSERT INTO model_variant(model_id, name, format, quantization, weights_bytes, params_total, bits_per_weight,
                                      tensor_count, by_dtype_json, source, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [mid, v.name, v.format, v.quantization, v.weightsBytes, v.paramsTotal, v.bitsPerWeight,
                             v.tensorCount, Self.json(v.byDType), v.source, out.createdAt])
        try Self.log(db, entity: "model", key: "\(slug):\(v.name)", action: old == nil ? "import" : "update",
                     before: old.map { Self.json($0) }, after: Self.json(out), actor: actor)
        return out
    }

    public func variants(of model: String) throws -> [ModelVariant] {
        try read { db in
            let m = try Self.findModel(db, model)
            let mid = try Self.modelID(db, model)
            return try db.rows("SELECT * FROM model_variant WHERE model_id = ? ORDER BY name", [mid])
                .map { try Self.variant(from: $0, slug: m.slug) }
        }
    }

    public func variant(of model: String, named name: String) throws -> ModelVariant {
        try read { db in
            let m = try Self.findModel(db, model)
            guard let v = try Self.findVariant(db, modelID: try Self.modelID(db, model), slug: m.slug, name: name) else {
                throw StoreError.notFound(entity: "variant", key: "\(m.slug):\(name)")
            }
            return v
        }
    }

    static func findVariant(_ db: any SQLConnection, modelID: Int64, slug: String, name: String) throws -> ModelVariant? {
        try db.row("SELECT * FROM model_variant WHERE model_id = ? AND name = ?", [modelID, name])
            .map { try variant(from: $0, slug: slug) }
    }

    static func variant(from row: SQLRow, slug: String) throws -> ModelVariant {
        let by = try JSONDecoder().decode([String: Inventory.DTypeStat].self, from: Data((row["by_dtype_json"] as String).utf8))
        var v = ModelVariant(model: slug, name: row["name"], format: row["format"], quantization: row["quantization"],
                             weightsBytes: row["weights_bytes"], paramsTotal: row["params_total"], bitsPerWeight: row["bits_per_weight"],
                             tensorCount: row["tensor_count"], byDType: by, source: row["source"])
        v.createdAt = row["created_at"]
        return v
    }
}
