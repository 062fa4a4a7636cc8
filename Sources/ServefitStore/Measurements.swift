import Foundation
import ServefitCore

/// Filters of `measure list` / `GET /v1/measurements`.
public struct MeasurementFilter: Sendable {
    public var model: String?
    public var gpu: String?
    public var engine: String?
    public var kind: String?
    public var limit = 1000
    public init(model: String? = nil, gpu: String? = nil, engine: String? = nil, kind: String? = nil, limit: Int = 1000) {
        self.model = model; self.gpu = gpu; self.engine = engine; self.kind = kind; self.limit = limit
    }
}

/// One stored per-(engine, GPU) speed correction.
public struct CalibrationFactor: Codable, Sendable, Equatable {
    public var engine: String
    public var gpu: String
    /// "decode" (generation and served throughput) or "prefill" (prompt processing).
    public var phase: String = "decode"
    /// Measured ÷ predicted throughput, the geometric mean over the runs.
    public var factor: Double
    public var runs: Int
    /// Median error (max(p/m, m/p)) of the runs before and after, each left out of its own fit.
    public var errorBefore: Double?
    public var errorAfter: Double?
    public var fittedAt: String?
    /// Whether it is stored: a correction whose runs, each left out of its own fit, come out
    /// worse than without it is shown and not kept (a single run cannot be checked and is kept).
    public var stored: Bool?
    public init(engine: String, gpu: String, factor: Double, runs: Int) { self.engine = engine; self.gpu = gpu; self.factor = factor; self.runs = runs }
    enum CodingKeys: String, CodingKey {
        case engine, gpu, phase, factor, runs, errorBefore = "error_before", errorAfter = "error_after", fittedAt = "fitted_at", stored
    }
}

extension CatalogStore {
    static let measurementSelect = """
        SELECT x.*, m.slug AS model_slug, g.slug AS gpu_slug FROM measurement x
        JOIN model m ON m.id = x.model_id JOIN gpu g ON g.id = x.gpu_id
        """

    static func measurement(from row: SQLRow) throws -> MeasurementRecord {
        func decode<T: Decodable>(_ s: String) throws -> T {
            do { return try JSONDecoder().decode(T.self, from: Data(s.utf8)) } catch { throw StoreError.unreadable("a stored measurement is damaged: \(error)") }
        }
        let kind = EngineRun.Kind(rawValue: row["kind"]) ?? .serving
        var m = MeasurementRecord(model: row["model_slug"], gpu: row["gpu_slug"], gpuCount: row["gpu_count"], engine: row["engine"], kind: kind,
                            format: row["format"], settings: try decode(row["settings_json"]), figures: try decode(row["figures_json"]),
                            sourceSHA256: row["source_sha256"], runIndex: row["run_index"])
        m.id = row["id"]; m.variant = row["variant"]; m.engineVersion = row["engine_version"]; m.error = row["error"]
        m.sourceName = row["source_name"]; m.actor = row["actor"]; m.createdAt = row["created_at"]
        return m
    }

    /// Stores every measurement or none: a run of a file already imported is a duplicate.
    @discardableResult
    public func addMeasurements(_ ms: [MeasurementRecord], actor: String) throws -> [MeasurementRecord] {
        try write { db in try ms.map { try Self.insertMeasurement(db, $0, actor: actor) } }
    }

    static func insertMeasurement(_ db: any SQLConnection, _ m: MeasurementRecord, actor: String) throws -> MeasurementRecord {
        do { try m.validate() } catch { throw StoreError.invalid("\(error)") }
        let mid: Int64, gid: Int64
        do { mid = try modelID(db, m.model) } catch { throw StoreError.invalid("measurement names unknown model '\(m.model)'") }
        do { gid = try gpuID(db, m.gpu) } catch { throw StoreError.invalid("measurement names unknown gpu '\(m.gpu)'") }
        if let v = m.variant, try db.scalar(Int.self, "SELECT 1 FROM model_variant WHERE model_id = ? AND name = ?", [mid, v]) == nil {
            throw StoreError.invalid("measurement names unknown variant '\(v)' of \(m.model) (import it with `servefit model import` first)")
        }
        if try db.scalar(Int.self, "SELECT 1 FROM measurement WHERE source_sha256 = ? AND run_index = ?", [m.sourceSHA256, m.runIndex]) != nil {
            throw StoreError.duplicate(entity: "measurement", key: m.key + " (this file was imported before)")
        }
        let at = now()
        let newID = try db.scalar(Int64.self, """
            INSERT INTO measurement(model_id, variant, gpu_id, gpu_count, engine, engine_version, kind, format, settings_json, figures_json,
                                    error, source_sha256, run_index, source_name, actor, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id
            """, [mid, m.variant, gid, m.gpuCount, m.engine, m.engineVersion, m.kind.rawValue, m.format, json(m.settings), json(m.figures),
                             m.error, m.sourceSHA256, m.runIndex, m.sourceName, actor, at])
        var out = m
        out.id = newID; out.actor = actor; out.createdAt = at
        try log(db, entity: "measurement", key: m.key, action: "create", before: nil, after: json(out), actor: actor)
        return out
    }

    public func measurements(_ f: MeasurementFilter = MeasurementFilter()) throws -> [MeasurementRecord] {
        var conds: [String] = [], args: SQLArguments = []
        if let v = f.model { conds.append("(m.slug = ? OR m.hf_repo = ?)"); args += [v, v] }
        if let v = f.gpu { conds.append("g.slug = ?"); args.append(v) }
        if let v = f.engine { conds.append("x.engine = ?"); args.append(v) }
        if let v = f.kind { conds.append("x.kind = ?"); args.append(v) }
        let sql = Self.measurementSelect + (conds.isEmpty ? "" : " WHERE " + conds.joined(separator: " AND ")) + " ORDER BY x.id LIMIT \(max(1, min(f.limit, 100_000)))"
        return try read { db in try db.rows(sql, args).map(Self.measurement(from:)) }
    }

    public func measurement(id: Int64) throws -> MeasurementRecord {
        try read { db in
            guard let row = try db.row(Self.measurementSelect + " WHERE x.id = ?", [id]) else {
                throw StoreError.notFound(entity: "measurement", key: String(id))
            }
            return try Self.measurement(from: row)
        }
    }

    public func removeMeasurement(id: Int64, actor: String) throws {
        try write { db in
            guard let row = try db.row(Self.measurementSelect + " WHERE x.id = ?", [id]) else {
                throw StoreError.notFound(entity: "measurement", key: String(id))
            }
            let m = try Self.measurement(from: row)
            try db.execute("DELETE FROM measurement WHERE id = ?", [id])
            try Self.log(db, entity: "measurement", key: m.key, action: "delete", before: Self.json(m), after: nil, actor: actor)
        }
    }

    /// Replaces the stored corrections with `factors` (one transaction, logged).
    public func saveCalibration(_ factors: [CalibrationFactor], actor: String) throws {
        try write { db in
            let before = try Self.calibrationRows(db)
            try db.execute("DELETE FROM calibration")
            let at = Self.now()
            for f in factors {
                guard f.factor.isFinite, f.factor > 0, f.factor < 100 else { throw StoreError.invalid("a calibration factor must be in (0, 100) (got \(f.factor))") }
                guard f.phase == "decode" || f.phase == "prefill" else { throw StoreError.invalid("a calibration phase is decode or prefill (got \(f.phase.prefix(20)))") }
                try db.execute("INSERT INTO calibration(engine, gpu_id, phase, factor, runs, error_before, error_after, fitted_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                               [f.engine, try Self.gpuID(db, f.gpu), f.phase, f.factor, f.runs, f.errorBefore, f.errorAfter, at])
            }
            try Self.log(db, entity: "calibration", key: "all", action: "update", before: Self.json(before), after: Self.json(factors), actor: actor)
        }
    }

    public func calibration() throws -> [CalibrationFactor] { try read { db in try Self.calibrationRows(db) } }

    static func calibrationRows(_ db: any SQLConnection) throws -> [CalibrationFactor] {
        try db.rows("SELECT c.*, g.slug AS gpu_slug FROM calibration c JOIN gpu g ON g.id = c.gpu_id ORDER BY c.engine, g.slug, c.phase").map { r in
            var f = CalibrationFactor(engine: r["engine"], gpu: r["gpu_slug"], factor: r["factor"], runs: r["runs"])
            f.phase = r["phase"]
            f.errorBefore = r["error_before"]; f.errorAfter = r["error_after"]; f.fittedAt = r["fitted_at"]
            return f
        }
    }

    /// The model and GPU names a file may use, for `MeasurementMatch`.
    public func measurementNames() throws -> (models: [MeasurementMatch.ModelName], gpus: [GPU]) {
        try read { db in
            let models = try db.rows("SELECT slug, hf_repo FROM model").map { MeasurementMatch.ModelName(slug: $0["slug"], hfRepo: $0["hf_repo"]) }
            return (models, try Self.fetchGPUs(db))
        }
    }
}

extension CatalogStore {
    /// The stored corrections as the performance model reads them ("engine@gpu" → factor).
    public func corrections(engine: String? = nil) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for f in try calibration() where engine == nil || f.engine == engine { out["\(f.engine)@\(f.gpu)" + (f.phase == "prefill" ? "/prefill" : "")] = f.factor }
        return out
    }

    /// `measure check`: every stored measurement (under the filter) beside the prediction.
    public func checkMeasurements(_ f: MeasurementFilter = MeasurementFilter(), calibrated: Bool = true) throws -> [MeasurementCheck.Row] {
        let ms = try measurements(f)
        var a = PerfAssumptions()
        if calibrated { a.corrections = try corrections() }
        var models: [String: Model] = [:], gpus: [String: GPU] = [:]
        var out: [MeasurementCheck.Row] = []
        for m in ms {
            let model = try models[m.model] ?? self.model(m.model)
            let g = try gpus[m.gpu] ?? gpu(m.gpu)
            models[m.model] = model; gpus[m.gpu] = g
            out += MeasurementCheck.rows(m, model: model, gpu: g, a)
        }
        return out
    }

    /// `calibrate`: fits the corrections to the measured throughput (against the model without
    /// corrections) and, with `store`, replaces the stored ones for the engines and GPUs fitted.
    public func calibrate(_ f: MeasurementFilter = MeasurementFilter(), store: Bool, actor: String) throws -> [CalibrationFactor] {
        let rows = try checkMeasurements(f, calibrated: false)
        var fitted = MeasurementCheck.calibrate(rows).map { r -> CalibrationFactor in
            var c = CalibrationFactor(engine: r.engine, gpu: r.gpu, factor: (r.factor * 10_000).rounded() / 10_000, runs: r.runs)
            c.phase = r.phase
            c.errorBefore = r.before; c.errorAfter = r.after
            c.stored = store && (r.after.map { $0 < r.before } ?? true)
            return c
        }
        guard store else { return fitted }
        let keep = fitted.filter { $0.stored == true }
        // Keep the corrections of engines and GPUs this fit did not cover.
        let covered = Set(fitted.map { "\($0.engine)@\($0.gpu)/\($0.phase)" })
        let kept = try calibration().filter { !covered.contains("\($0.engine)@\($0.gpu)/\($0.phase)") }
        try saveCalibration(kept + keep.map { var c = $0; c.stored = nil; return c }, actor: actor)
        for i in fitted.indices { fitted[i].fittedAt = Self.now() }
        return fitted
    }
}
