import Foundation
import GRDB
import ServefitCore

extension CatalogStore {
    /// Stores a measured checkpoint of a model; `replace` overwrites one of the same name.
    @discardableResult
    public func saveVariant(_ v: ModelVariant, replace: Bool, actor: String) throws -> ModelVariant {
        try v.validate()
        return try write { db in
            let mid = try Self.modelID(db, v.model)
            let slug = try Self.findModel(db, v.model).slug
            let old = try Self.findVariant(db, modelID: mid, slug: slug, name: v.name)
            if old != nil && !replace { throw StoreError.duplicate(entity: "variant", key: "\(slug):\(v.name)") }
            var out = v
            out.model = slug
            out.createdAt = Self.now()
            if old != nil { try db.execute(sql: "DELETE FROM model_variant WHERE model_id = ? AND name = ?", arguments: [mid, v.name]) }
            try db.execute(sql: """
                INSERT INTO model_variant(model_id, name, format, quantization, weights_bytes, params_total, bits_per_weight,
                                          tensor_count, by_dtype_json, source, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [mid, v.name, v.format, v.quantization, v.weightsBytes, v.paramsTotal, v.bitsPerWeight,
                                 v.tensorCount, Self.json(v.byDType), v.source, out.createdAt])
            try Self.log(db, entity: "model", key: "\(slug):\(v.name)", action: old == nil ? "import" : "update",
                         before: old.map { Self.json($0) }, after: Self.json(out), actor: actor)
            return out
        }
    }

    public func variants(of model: String) throws -> [ModelVariant] {
        try read { db in
            let m = try Self.findModel(db, model)
            let mid = try Self.modelID(db, model)
            return try Row.fetchAll(db, sql: "SELECT * FROM model_variant WHERE model_id = ? ORDER BY name", arguments: [mid])
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

    static func findVariant(_ db: Database, modelID: Int64, slug: String, name: String) throws -> ModelVariant? {
        try Row.fetchOne(db, sql: "SELECT * FROM model_variant WHERE model_id = ? AND name = ?", arguments: [modelID, name])
            .map { try variant(from: $0, slug: slug) }
    }

    static func variant(from row: Row, slug: String) throws -> ModelVariant {
        let by = try JSONDecoder().decode([String: Inventory.DTypeStat].self, from: Data((row["by_dtype_json"] as String).utf8))
        var v = ModelVariant(model: slug, name: row["name"], format: row["format"], quantization: row["quantization"],
                             weightsBytes: row["weights_bytes"], paramsTotal: row["params_total"], bitsPerWeight: row["bits_per_weight"],
                             tensorCount: row["tensor_count"], byDType: by, source: row["source"])
        v.createdAt = row["created_at"]
        return v
    }
}
