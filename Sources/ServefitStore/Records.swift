import Foundation
import ServefitCore

// Row mapping for the catalog's entities. Column names are the JSON keys of the domain types.

/// A Decoder over one row's non-null values, keyed by column name.
struct ColumnDecoder: Decoder {
    let values: [String: SQLValue]
    var codingPath: [any CodingKey] = []
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    func container<Key: CodingKey>(keyedBy: Key.Type) throws -> KeyedDecodingContainer<Key> { .init(Keyed<Key>(values: values)) }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "a row is keyed")) }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { throw DecodingError.typeMismatch(Any.self, .init(codingPath: codingPath, debugDescription: "a row is keyed")) }

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let values: [String: SQLValue]
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { values.keys.compactMap { Key(stringValue: $0) } }
        func contains(_ key: Key) -> Bool { values[key.stringValue] != nil }
        func decodeNil(forKey key: Key) throws -> Bool { values[key.stringValue] == nil }
        func value(_ key: Key) throws -> SQLValue {
            guard let v = values[key.stringValue] else { throw DecodingError.keyNotFound(key, .init(codingPath: [key], debugDescription: "no column")) }
            return v
        }
        func mismatch<T>(_ t: T.Type, _ key: Key) -> DecodingError { .typeMismatch(t, .init(codingPath: [key], debugDescription: "column \(key.stringValue)")) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool {
            guard let i = Int64.fromSQL(try value(key)) else { throw mismatch(type, key) }
            return i != 0
        }
        func scalar<T: SQLValueConvertible>(_ type: T.Type, _ key: Key) throws -> T {
            guard let v = T.fromSQL(try value(key)) else { throw mismatch(type, key) }
            return v
        }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try scalar(type, key) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try scalar(type, key) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try scalar(type, key) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try scalar(type, key) }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            let v = try value(key)
            if T.self == ModelKind.self, let s = String.fromSQL(v), let k = ModelKind(rawValue: s) { return k as! T }
            // Arrays are stored as JSON text.
            guard let s = String.fromSQL(v) else { throw mismatch(type, key) }
            return try JSONDecoder().decode(T.self, from: Data(s.utf8))
        }
        func nestedContainer<N: CodingKey>(keyedBy: N.Type, forKey key: Key) throws -> KeyedDecodingContainer<N> { throw mismatch(N.self, key) }
        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { throw mismatch([Any].self, key) }
        func superDecoder() throws -> any Decoder { ColumnDecoder(values: values) }
        func superDecoder(forKey key: Key) throws -> any Decoder { ColumnDecoder(values: values) }
    }
}

extension CatalogStore {
    /// Stored as JSON text: the arrays, and the checkpoint's quantisation config.
    static let modelArrayColumns: Set<String> = ["architectures", "layer_types", "mlp_only_layers", "tags", "quantization_config"]
    static let modelBoolColumns: Set<String> = ["tie_word_embeddings", "attention_bias", "use_sliding_window",
                                                "new_decoder_architecture", "multi_query", "parallel_attn", "bias"]
    static let modelColumns: [String] = Model.CodingKeys.allCases.map(\.rawValue)

    static func modelRowValues(_ m: Model) throws -> [String: SQLValue] {
        let data = try JSONEncoder().encode(m)
        guard let dict = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return [:] }
        var out: [String: SQLValue] = [:]
        for col in modelColumns {
            guard let v = dict[col], !(v is NSNull) else { out[col] = .null; continue }
            if modelArrayColumns.contains(col) {
                let d = try JSONSerialization.data(withJSONObject: v, options: [.sortedKeys])
                out[col] = String(decoding: d, as: UTF8.self).sqlValue
            } else if modelBoolColumns.contains(col) {
                out[col] = ((v as? Bool) == true ? 1 : 0).sqlValue
            } else if let s = v as? String {
                out[col] = s.sqlValue
            } else if let n = v as? NSNumber {
                out[col] = n.int64Value.sqlValue
            }
        }
        return out
    }

    /// Decoded straight from the row's values by column name (JSON text for the arrays, 0/1 for
    /// booleans). Going through JSON text, or through GRDB's case-insensitive column search, cost
    /// 0.2-0.3 ms a row: seconds for a list of thousands.
    static func model(from row: SQLRow) throws -> Model {
        try Model(from: ColumnDecoder(values: row.nonNull))
    }

    static func fetchModels(_ db: any SQLConnection, where clause: String = "", arguments: SQLArguments = []) throws -> [Model] {
        try db.rows("SELECT * FROM model \(clause) ORDER BY slug", arguments).map(model(from:))
    }

    static func gpuRowValues(_ g: GPU) -> [String: SQLValue] {
        [
            "slug": g.slug.sqlValue, "vendor": g.vendor.sqlValue, "name": g.name.sqlValue,
            "form_factor": g.formFactor.sqlValue, "memory_bytes": g.memoryBytes.sqlValue,
            "memory_type": g.memoryType.sqlValue, "bandwidth_gb_per_s": g.bandwidthGBPerS.sqlValue,
            "tflops_fp32": g.tflops.fp32.sqlValue, "tflops_tf32": g.tflops.tf32.sqlValue,
            "tflops_fp16": g.tflops.fp16.sqlValue, "tflops_bf16": g.tflops.bf16.sqlValue,
            "tflops_fp8": g.tflops.fp8.sqlValue, "tflops_int8": g.tflops.int8.sqlValue,
            "tflops_fp4": g.tflops.fp4.sqlValue, "tdp_w": g.tdpW.sqlValue,
            "interconnect": g.interconnect.sqlValue, "interconnect_gb_per_s": g.interconnectGBPerS.sqlValue,
            "launch_year": g.launchYear.sqlValue, "source": g.source.sqlValue, "notes": g.notes.sqlValue,
            "architecture": g.architecture.sqlValue, "compute_capability": g.computeCapability.sqlValue,
        ]
    }

    static func gpu(from row: SQLRow) -> GPU { gpu(from: row, GPUColumns(Array(row.columns.names))) }

    /// Where each GPU column sits in a result row, found once per query: a lookup by name
    /// compares names case-insensitively, column by column, for every cell.
    struct GPUColumns {
        let slug, vendor, name, memory, bandwidth, fp32, tf32, fp16, bf16, fp8, int8, fp4: Int
        let formFactor, memoryType, tdp, interconnect, interconnectBW, year, source, notes, architecture, cc: Int
        init(_ names: [String]) {
            func at(_ n: String) -> Int { names.firstIndex(of: n) ?? 0 }
            (slug, vendor, name, memory, bandwidth) = (at("slug"), at("vendor"), at("name"), at("memory_bytes"), at("bandwidth_gb_per_s"))
            (fp32, tf32, fp16, bf16, fp8, int8, fp4) = (at("tflops_fp32"), at("tflops_tf32"), at("tflops_fp16"), at("tflops_bf16"),
                                                      at("tflops_fp8"), at("tflops_int8"), at("tflops_fp4"))
            (formFactor, memoryType, tdp, interconnect, interconnectBW) = (at("form_factor"), at("memory_type"), at("tdp_w"),
                                                                          at("interconnect"), at("interconnect_gb_per_s"))
            (year, source, notes, architecture, cc) = (at("launch_year"), at("source"), at("notes"), at("architecture"), at("compute_capability"))
        }
    }

    static func gpu(from row: SQLRow, _ c: GPUColumns) -> GPU {
        var g = GPU(slug: row[c.slug], vendor: row[c.vendor], name: row[c.name], memoryBytes: row[c.memory],
                    bandwidthGBPerS: row[c.bandwidth],
                    tflops: TFLOPS(fp32: row[c.fp32], tf32: row[c.tf32], fp16: row[c.fp16], bf16: row[c.bf16],
                                   fp8: row[c.fp8], int8: row[c.int8], fp4: row[c.fp4]))
        g.formFactor = row[c.formFactor]; g.memoryType = row[c.memoryType]; g.tdpW = row[c.tdp]
        g.interconnect = row[c.interconnect]; g.interconnectGBPerS = row[c.interconnectBW]
        g.launchYear = row[c.year]; g.source = row[c.source]; g.notes = row[c.notes]
        g.architecture = row[c.architecture]; g.computeCapability = row[c.cc]
        return g
    }

    static func fetchGPUs(_ db: any SQLConnection, where clause: String = "", arguments: SQLArguments = []) throws -> [GPU] {
        let rows = try db.rows("SELECT * FROM gpu \(clause) ORDER BY slug", arguments)
        guard let first = rows.first else { return [] }
        let columns = GPUColumns(Array(first.columns.names))
        return rows.map { gpu(from: $0, columns) }
    }

    static func price(from row: SQLRow) -> Price {
        var p = Price(gpu: row["gpu_slug"], provider: row["provider"],
                      pricingModel: PricingModel(rawValue: row["pricing_model"]) ?? .onDemand,
                      usdPerGPUHour: row["usd_per_gpu_hour"], asOf: row["as_of"], source: row["source"])
        p.id = row["id"]; p.instance = row["instance"]; p.region = row["region"]
        p.gpusPerInstance = row["gpus_per_instance"] ?? 1
        p.link = (row["link"] as String?).flatMap(InstanceLink.init(rawValue:))
        p.shapeAssumed = row["shape_assumed"] ?? false
        return p
    }

    static func scenario(from row: SQLRow) throws -> Scenario {
        var s = Scenario(name: row["name"], model: row["model_slug"])
        s.gpu = row["gpu_slug"]; s.gpuCount = row["gpu_count"]; s.weights = row["weights"]; s.kvCache = row["kv_cache"]
        s.engine = row["engine"]; s.context = row["context"]; s.batch = row["batch"]
        s.inputTokens = row["input_tokens"]; s.outputTokens = row["output_tokens"]
        let opts: String = row["options_json"] ?? "{}"
        s.options = (try? JSONDecoder().decode([String: String].self, from: Data(opts.utf8))) ?? [:]
        s.result = row["result_json"]; s.notes = row["notes"]
        s.createdAt = row["created_at"]; s.updatedAt = row["updated_at"]
        return s
    }

    static func insert(_ db: any SQLConnection, table: String, values: [String: SQLValue]) throws {
        let cols = values.keys.sorted()
        let sql = "INSERT INTO \(table) (\(cols.joined(separator: ", "))) VALUES (\(cols.map { _ in "?" }.joined(separator: ", ")))"
        try db.execute(sql, SQLArguments(cols.map { values[$0]! }))
    }

    static func update(_ db: any SQLConnection, table: String, id: Int64, values: [String: SQLValue]) throws {
        let cols = values.keys.sorted()
        let sql = "UPDATE \(table) SET \(cols.map { "\($0) = ?" }.joined(separator: ", ")) WHERE id = ?"
        try db.execute(sql, SQLArguments(cols.map { values[$0]! } + [id.sqlValue]))
    }
}
