import Foundation
import ServefitCore

/// Queries that join the catalog with the estimator: the shared code behind `servefit rank`,
/// `best-gpu`, `compare`, `scenario run` and the server's /v1/rank. Filtering and joining happen
/// in SQLite (indexed); the arithmetic in ServefitCore.
extension CatalogStore {
    /// Today's date (YYYY-MM-DD, UTC), or SERVEFIT_TODAY for reproducible runs and tests.
    public static func today() -> String {
        if let t = ProcessInfo.processInfo.environment["SERVEFIT_TODAY"], Price.dayNumber(t) != nil { return t }
        return String(now().prefix(10))
    }

    /// The freshness rule of a ranking query, on today's date.
    public static func freshness(_ q: RankQuery) -> Freshness {
        Freshness(today: today(), maxAgeDays: q.maxPriceAgeDays, includeStale: q.includeStale)
    }

    /// GPUs matching the query's filters, each with its cheapest current, fresh price per instance
    /// size (1, 2, 4, 8 … GPUs) under the provider / pricing-model filters. One SQL statement.
    public func rankCandidates(_ q: RankQuery) throws -> [RankCandidate] {
        let fresh = Self.freshness(q)
        let (sql, args) = Self.rankCandidatesSQL(q, freshness: fresh, dialect: dialect)
        var order: [String] = [], gpus: [String: GPU] = [:], offers: [String: [Price]] = [:]
        try read { db in
            // Columns are read by position, found once per result.
            let rows = try db.rows(sql, args)
            var columns: (gpu: GPUColumns, slug: Int, usd: Int, provider: Int, pm: Int, asOf: Int, source: Int, id: Int,
                          instance: Int, region: Int, size: Int, link: Int, assumed: Int)?
            for row in rows {
                if columns == nil {
                    let names = Array(row.columns.names)
                    func at(_ name: String) -> Int { names.lastIndex(of: name) ?? 0 }
                    columns = (GPUColumns(names), at("slug"), at("price_usd"), at("price_provider"), at("price_pricing_model"),
                               at("price_as_of"), at("price_source"), at("price_id"), at("price_instance"), at("price_region"),
                               at("price_gpus_per_instance"), at("price_link"), at("price_shape_assumed"))
                }
                let c = columns!
                let slug: String = row[c.slug]
                if gpus[slug] == nil { gpus[slug] = Self.gpu(from: row, c.gpu); order.append(slug) }
                guard let usd: Double = row[c.usd] else { continue }
                var p = Price(gpu: slug, provider: row[c.provider],
                              pricingModel: PricingModel(rawValue: row[c.pm]) ?? .onDemand,
                              usdPerGPUHour: usd, asOf: row[c.asOf], source: row[c.source])
                p.id = row[c.id]; p.instance = row[c.instance]; p.region = row[c.region]
                p.gpusPerInstance = row[c.size] ?? 1
                p.link = (row[c.link] as String?).flatMap(InstanceLink.init(rawValue:))
                p.shapeAssumed = row[c.assumed] ?? false
                p.stale = p.asOf < fresh.cutoff
                offers[slug, default: []].append(p)
            }
        }
        if let slugs = q.gpus, let missing = slugs.first(where: { gpus[$0] == nil }) {
            // Tell an unknown GPU from one the other filters removed.
            _ = try gpu(missing)
        }
        return order.map { RankCandidate(gpu: gpus[$0]!, offerings: offers[$0] ?? []) }
    }

    static func rankCandidatesSQL(_ q: RankQuery, freshness: Freshness, dialect: SQLDialect = .sqlite) -> (String, SQLArguments) {
        // Filters apply to the current-price keys first (gpu_price_current: one row per GPU,
        // provider, pricing model and instance size, with its latest date), so a catalog of a
        // million old prices touches only the fresh keys (index on as_of, migration 0008).
        var priceConds: [String] = [], args: SQLArguments = []
        if let p = q.provider { priceConds.append(dialect.equalsIgnoringCase("c.provider")); args.append(p) }
        if let pm = q.pricingModel { priceConds.append("c.pricing_model = ?"); args.append(pm.rawValue) }
        if !freshness.includeStale { priceConds.append("c.as_of >= ?"); args.append(freshness.cutoff) }
        var gpuConds: [String] = []
        if let v = q.vendor { gpuConds.append(dialect.equalsIgnoringCase("g.vendor")); args.append(v) }
        if let slugs = q.gpus {
            gpuConds.append("g.slug IN (" + slugs.map { _ in "?" }.joined(separator: ",") + ")")
            args.append(contentsOf: slugs)
        }
        // The GPU columns a ranking reads (its long source and notes texts are not needed).
        let gpuColumns = ["slug", "vendor", "name", "form_factor", "memory_bytes", "memory_type", "bandwidth_gb_per_s", "tflops_fp32", "tflops_tf32",
                          "tflops_fp16", "tflops_bf16", "tflops_fp8", "tflops_int8", "tflops_fp4", "tdp_w", "interconnect", "interconnect_gb_per_s",
                          "launch_year", "architecture", "compute_capability"].map { "g." + $0 }.joined(separator: ", ")
        let sql = """
            WITH cur AS (
                SELECT p.* FROM gpu_price_current c
                \(dialect.orderedJoin) gpu_price p ON p.gpu_id = c.gpu_id AND p.provider = c.provider AND p.pricing_model = c.pricing_model
                    AND p.gpus_per_instance = c.gpus_per_instance AND p.as_of = c.as_of
                \(priceConds.isEmpty ? "" : "WHERE " + priceConds.joined(separator: " AND "))
            ), best AS (
                SELECT cur.*, row_number() OVER (PARTITION BY cur.gpu_id, cur.gpus_per_instance ORDER BY cur.usd_per_gpu_hour, cur.provider, cur.id) AS rn
                FROM cur
            )
            SELECT \(gpuColumns), NULL AS source, NULL AS notes,
                   b.id AS price_id, b.provider AS price_provider, b.instance AS price_instance, b.region AS price_region,
                   b.pricing_model AS price_pricing_model, b.usd_per_gpu_hour AS price_usd, b.as_of AS price_as_of,
                   b.source AS price_source, b.gpus_per_instance AS price_gpus_per_instance, b.link AS price_link,
                   b.shape_assumed AS price_shape_assumed
            FROM gpu g LEFT JOIN best b ON b.gpu_id = g.id AND b.rn = 1
            \(gpuConds.isEmpty ? "" : "WHERE " + gpuConds.joined(separator: " AND "))
            ORDER BY g.slug, b.gpus_per_instance
            """
        return (sql, args)
    }

    /// Ranks every deployment of the query's model over the catalog.
    /// `given`: a model that is not in the catalog (read from the Hub or a file), ranked over
    /// the catalog's GPUs and prices all the same.
    public func rank(_ q: RankQuery, model given: Model? = nil) throws -> RankResult {
        let m = try given ?? model(q.model)
        if let p = q.provider {
            // A provider with no price at all is a typo, not "nothing fits".
            let known = try read { db in try db.column(String.self, "SELECT DISTINCT provider FROM gpu_price") }
            if !known.contains(where: { $0.caseInsensitiveCompare(p) == .orderedSame }) {
                throw CoreError.unknownName(kind: "provider", name: String(p.prefix(100)), known: known.sorted())
            }
        }
        // The team's calibration for this engine, unless the query asks for the model alone.
        var used = q
        let corrections = q.noCalibration ? [:] : try self.corrections(engine: q.engine.rawValue)
        used.assumptions.corrections = corrections
        var r = try Ranker.rank(used, model: m, candidates: try rankCandidates(q))
        r.query = q
        // Rows the team measured show the measurement beside the prediction.
        let runs = try measurements(MeasurementFilter(model: m.slug, engine: q.engine.rawValue, limit: 10_000))
        if !runs.isEmpty {
            for i in r.ranked.indices { r.ranked[i].measured = MeasuredDeployment.match(r.ranked[i], in: runs) }
        }
        if !corrections.isEmpty {
            let shown = Set((r.ranked + r.rejected).map { "\(q.engine.rawValue)@\($0.gpu)" })
            let applied = corrections.filter { shown.contains($0.key) }
            r.calibration = applied.isEmpty ? nil : applied
        }
        return r
    }

    /// Several models (or several GPUs) side by side on one workload: for each model and GPU, the
    /// cheapest deployment that meets the constraints, or the reason none does.
    public func compare(models: [String], _ base: RankQuery, given: [String: Model] = [:]) throws -> [RankRow] {
        var out: [RankRow] = []
        for slug in models {
            var q = base
            q.model = slug
            q.top = nil
            let r = try rank(q, model: given[slug])
            var gpusSeen: [String] = []
            for row in r.ranked + r.rejected where !gpusSeen.contains(row.gpu) { gpusSeen.append(row.gpu) }
            for g in gpusSeen.sorted() {
                if let best = r.ranked.first(where: { $0.gpu == g }) {
                    out.append(best)
                } else {
                    // The rejection that got furthest: one with figures, on the most GPUs.
                    let rej = r.rejected.filter { $0.gpu == g }
                    if let pick = rej.max(by: { a, b in
                        ((a.batch != nil ? 1 : 0), a.gpuCount) < ((b.batch != nil ? 1 : 0), b.gpuCount)
                    }) { out.append(pick) }
                }
            }
        }
        return out.sorted { a, b in
            if a.model != b.model { return models.firstIndex(of: a.model) ?? 0 < models.firstIndex(of: b.model) ?? 0 }
            return Ranker.order(a, b)
        }
    }
}

/// A saved scenario evaluated again with today's catalog and prices.
public struct ScenarioRun: Codable, Sendable, Equatable {
    public var scenario: String
    public var query: RankQuery
    public var best: RankRow?
    public var saved: RankRow?
    /// What differs from the answer saved with the scenario.
    public var changes: [String]
    public var result: RankResult
}

extension CatalogStore {
    /// Saves a ranking question under a name, with today's best answer for later comparison.
    @discardableResult
    public func saveScenario(name: String, query: RankQuery, notes: String?, replace: Bool, actor: String) throws -> Scenario {
        try saveScenario(try scenarioDraft(name: name, query: query, notes: notes), replace: replace, actor: actor)
    }

    /// The scenario row for a question, with today's best answer; not yet saved.
    public func scenarioDraft(name: String, query: RankQuery, notes: String?) throws -> Scenario {
        let result = try rank(query)
        var s = Scenario(name: name, model: try model(query.model).slug)
        s.options = query.options
        s.options["model"] = nil
        s.engine = query.engine.rawValue
        s.kvCache = query.kvCache
        s.context = query.context
        s.inputTokens = query.inputTokens
        s.outputTokens = query.outputTokens
        if let gpus = query.gpus, gpus.count == 1 { s.gpu = gpus[0] }
        if query.counts.count == 1 { s.gpuCount = query.counts[0] }
        if query.formats.count == 1 { s.weights = query.formats[0] }
        if query.batches.count == 1 { s.batch = query.batches[0] }
        s.result = result.ranked.first.map { Self.json($0) }
        s.notes = notes
        return s
    }

    /// The query a scenario stores.
    public func scenarioQuery(_ s: Scenario) throws -> RankQuery {
        var o = s.options
        o["model"] = s.model
        do {
            return try RankQuery(options: o)
        } catch let e as CoreError {
            throw StoreError.invalid("scenario '\(s.name)' no longer reads: \(e.description)")
        }
    }

    /// Re-evaluates a scenario with today's catalog and prices and says what changed.
    public func runScenario(_ name: String) throws -> ScenarioRun {
        let s = try scenario(name)
        let q = try scenarioQuery(s)
        let result = try rank(q)
        let best = result.ranked.first
        let saved = s.result.flatMap { try? JSONDecoder().decode(RankRow.self, from: Data($0.utf8)) }
        return ScenarioRun(scenario: name, query: q, best: best, saved: saved,
                           changes: Self.changes(from: saved, to: best, savedAt: s.updatedAt), result: result)
    }

    static func changes(from old: RankRow?, to new: RankRow?, savedAt: String?) -> [String] {
        let when = savedAt.map { " (saved \($0.prefix(10)))" } ?? ""
        switch (old, new) {
        case (nil, nil): return ["no deployment met the constraints then or now"]
        case (nil, let n?): return ["a deployment now qualifies: \(n.label)" + when]
        case (let o?, nil): return ["no deployment meets the constraints any more; it was \(o.label)" + when]
        case (let o?, let n?):
            var out: [String] = []
            if o.gpu != n.gpu || o.gpuCount != n.gpuCount || o.weights != n.weights {
                out.append("best deployment changed: \(o.label) → \(n.label)")
            } else if o.batch != n.batch {
                out.append("best batch changed: \(o.batch ?? 0) → \(n.batch ?? 0)")
            }
            if o.provider != n.provider || o.usdPerGPUHour != n.usdPerGPUHour {
                out.append("price: \(o.provider ?? "-") $\(Units.format(o.usdPerGPUHour ?? 0, 2))/GPU-h (\(o.priceAsOf ?? "?")) → "
                           + "\(n.provider ?? "-") $\(Units.format(n.usdPerGPUHour ?? 0, 2))/GPU-h (\(n.priceAsOf ?? "?"))")
            }
            if let a = o.usdPerMillionTokens, let b = n.usdPerMillionTokens, abs(a - b) > 1e-9 {
                let pct = a > 0 ? (b - a) / a * 100 : 0
                out.append("cost per million output tokens: $\(Units.format(a, 4)) → $\(Units.format(b, 4)) (\(pct >= 0 ? "+" : "")\(Units.format(pct, 1))%)")
            }
            if let a = o.throughputTokensPerS, let b = n.throughputTokensPerS, abs(a - b) / max(a, 1) > 0.001 {
                out.append("throughput: \(Units.format(a, 0)) → \(Units.format(b, 0)) tokens/s")
            }
            return out.isEmpty ? ["unchanged since it was saved" + when] : out
        }
    }
}

extension CatalogStore {
    /// An estimate with the model and GPU looked up in the catalog.
    /// `given` and `checkpoint`: a model the catalog does not hold (read from the Hub or from
    /// files) and its checkpoint's exact bytes.
    public func estimate(_ spec: EstimateSpec, model given: Model? = nil, checkpoint: ModelVariant? = nil) throws -> Estimate {
        let m = try given ?? model(spec.model)
        let g = try spec.gpu.map { try gpu($0) }
        let v = try spec.variant.map { try variant(of: m.slug, named: $0) } ?? spec.ownBytes(checkpoint)
        return try Estimator.estimate(try spec.request(model: m, gpu: g, variant: v))
    }

    /// Models with their computed parameter counts, filtered by family, kind, tag and size.
    public func modelInfos(_ f: ModelFilter, minParams: Int64? = nil, maxParams: Int64? = nil) throws -> [ModelInfo] {
        let all = try models(f).map(ModelInfo.init)
        guard minParams != nil || maxParams != nil else { return all }
        return all.filter { info in
            guard let n = info.count?.total else { return false }
            return n >= (minParams ?? 0) && n <= (maxParams ?? .max)
        }
    }
}
