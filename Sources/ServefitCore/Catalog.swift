/// Dense peak throughput per dtype in TFLOPS (TOPS for int8); nil where unsupported.
public struct TFLOPS: Codable, Sendable, Equatable {
    public var fp32: Double?
    public var tf32: Double?
    public var fp16: Double?
    public var bf16: Double?
    public var fp8: Double?
    public var int8: Double?
    public var fp4: Double?
    public init(fp32: Double? = nil, tf32: Double? = nil, fp16: Double? = nil, bf16: Double? = nil, fp8: Double? = nil, int8: Double? = nil, fp4: Double? = nil) {
        self.fp32 = fp32; self.tf32 = tf32; self.fp16 = fp16; self.bf16 = bf16; self.fp8 = fp8; self.int8 = int8; self.fp4 = fp4
    }
    public static let keys = ["fp32", "tf32", "fp16", "bf16", "fp8", "int8", "fp4"]
    public subscript(_ key: String) -> Double? {
        switch key {
        case "fp32": return fp32
        case "tf32": return tf32
        case "fp16": return fp16
        case "bf16": return bf16 ?? fp16
        case "fp8": return fp8
        case "int8": return int8
        case "fp4": return fp4
        default: return nil
        }
    }
}

/// A GPU model's specification.
public struct GPU: Codable, Sendable, Equatable {
    public var slug: String
    public var vendor: String
    public var name: String
    public var formFactor: String?
    /// Physical memory in bytes (vendors' "80 GB" HBM is 80 GiB of chips).
    public var memoryBytes: Int64
    public var memoryType: String?
    /// Peak memory bandwidth, decimal GB/s.
    public var bandwidthGBPerS: Double
    public var tflops: TFLOPS
    public var tdpW: Int?
    public var interconnect: String?
    /// GPU-to-GPU bandwidth, GB/s bidirectional per GPU (NVLink convention); nil: PCIe only.
    public var interconnectGBPerS: Double?
    public var launchYear: Int?
    public var source: String?
    public var notes: String?

    public init(slug: String, vendor: String, name: String, memoryBytes: Int64, bandwidthGBPerS: Double, tflops: TFLOPS) {
        self.slug = slug; self.vendor = vendor; self.name = name; self.memoryBytes = memoryBytes
        self.bandwidthGBPerS = bandwidthGBPerS; self.tflops = tflops
    }

    enum CodingKeys: String, CodingKey {
        case slug, vendor, name, formFactor = "form_factor", memoryBytes = "memory_bytes", memoryType = "memory_type"
        case bandwidthGBPerS = "bandwidth_gb_per_s", tflops, tdpW = "tdp_w", interconnect
        case interconnectGBPerS = "interconnect_gb_per_s", launchYear = "launch_year", source, notes
    }

    /// Memory an engine can see: ECC on GDDR parts takes 1/16 of it, and the driver and
    /// firmware keep about 0.5 GiB (an H100 80GB shows 79.2 GiB to PyTorch, an RTX 3090 23.6 GiB).
    public var visibleMemoryBytes: Int64 {
        var b = Double(memoryBytes)
        if let t = memoryType?.uppercased(), t.contains("GDDR"), t.contains("ECC") { b *= 15.0 / 16.0 }
        return Int64(b) - Units.GiB / 2
    }

    public func validate() throws {
        try Model.validateSlug(slug)
        if name.isEmpty || vendor.isEmpty { throw CoreError.invalidInput("gpu '\(slug)': vendor and name are required") }
        guard memoryBytes > 0, memoryBytes <= 64 * 1024 * Units.GiB else {
            throw CoreError.invalidInput("gpu '\(slug)': memory_bytes must be between 1 and 64 TiB (got \(memoryBytes))")
        }
        guard bandwidthGBPerS.isFinite, bandwidthGBPerS > 0, bandwidthGBPerS < 1_000_000 else {
            throw CoreError.invalidInput("gpu '\(slug)': bandwidth_gb_per_s must be positive and below 1,000,000 (got \(bandwidthGBPerS))")
        }
        for k in TFLOPS.keys {
            if let v = tflops[k], !(v.isFinite && v > 0 && v < 1_000_000) {
                throw CoreError.invalidInput("gpu '\(slug)': tflops.\(k) must be positive and below 1,000,000 (got \(v))")
            }
        }
        if let t = tdpW, t <= 0 || t > 100_000 { throw CoreError.invalidInput("gpu '\(slug)': tdp_w out of range (got \(t))") }
        if let i = interconnectGBPerS, !(i.isFinite && i > 0 && i < 1_000_000) {
            throw CoreError.invalidInput("gpu '\(slug)': interconnect_gb_per_s must be positive (got \(i))")
        }
        if let y = launchYear, y < 1990 || y > 2100 { throw CoreError.invalidInput("gpu '\(slug)': launch_year out of range (got \(y))") }
    }
}

public enum PricingModel: String, Codable, Sendable, CaseIterable {
    case onDemand = "on-demand", spot, reserved
}

/// A dated price of one GPU-hour at a provider. Prices are history: a new one never erases an old one.
public struct Price: Codable, Sendable, Equatable {
    public var id: Int64?
    public var gpu: String
    public var provider: String
    public var instance: String?
    public var region: String?
    public var pricingModel: PricingModel
    public var usdPerGPUHour: Double
    /// YYYY-MM-DD
    public var asOf: String
    public var source: String

    public init(gpu: String, provider: String, pricingModel: PricingModel = .onDemand, usdPerGPUHour: Double, asOf: String, source: String) {
        self.gpu = gpu; self.provider = provider; self.pricingModel = pricingModel
        self.usdPerGPUHour = usdPerGPUHour; self.asOf = asOf; self.source = source
    }

    enum CodingKeys: String, CodingKey {
        case id, gpu, provider, instance, region, pricingModel = "pricing_model"
        case usdPerGPUHour = "usd_per_gpu_hour", asOf = "as_of", source
    }

    public func validate() throws {
        if provider.trimmingCharacters(in: .whitespaces).isEmpty { throw CoreError.invalidInput("price: provider is required") }
        guard usdPerGPUHour.isFinite, usdPerGPUHour > 0, usdPerGPUHour < 10_000 else {
            throw CoreError.invalidInput("price: usd_per_gpu_hour must be positive and below 10,000 (got \(usdPerGPUHour))")
        }
        try Price.validateDate(asOf)
        if source.trimmingCharacters(in: .whitespaces).isEmpty { throw CoreError.invalidInput("price: source is required (where was this price seen?)") }
    }

    public static func validateDate(_ s: String) throws {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let mo = Int(parts[1]), let d = Int(parts[2]),
              (1990...2100).contains(y), (1...12).contains(mo) else {
            throw CoreError.invalidInput("date '\(s)' must be YYYY-MM-DD")
        }
        let days = [31, (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1]
        guard (1...days).contains(d) else { throw CoreError.invalidInput("date '\(s)' is not a real day") }
    }
}

/// A saved deployment question: a model and the options of `estimate` / `rank`.
public struct Scenario: Codable, Sendable, Equatable {
    public var name: String
    public var model: String
    public var gpu: String?
    public var gpuCount: Int?
    public var weights: String?
    public var kvCache: String?
    public var engine: String?
    public var context: Int?
    public var batch: Int?
    public var inputTokens: Int?
    public var outputTokens: Int?
    /// Every other option, as the CLI takes it (e.g. "max_tpot": "50ms").
    public var options: [String: String]
    /// The answer when it was saved (JSON), to say what changed on re-run.
    public var result: String?
    public var notes: String?
    public var createdAt: String?
    public var updatedAt: String?

    public init(name: String, model: String) { self.name = name; self.model = model; self.options = [:] }

    enum CodingKeys: String, CodingKey {
        case name, model, gpu, gpuCount = "gpu_count", weights, kvCache = "kv_cache", engine, context, batch
        case inputTokens = "input_tokens", outputTokens = "output_tokens", options, result, notes
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public func validate() throws {
        try Model.validateSlug(name)
        for (k, v) in [("gpu_count", gpuCount), ("context", context), ("batch", batch)] {
            if let v, v <= 0 || v > 16_777_216 { throw CoreError.invalidInput("scenario '\(name)': \(k) must be positive (got \(v))") }
        }
        for (k, v) in [("input_tokens", inputTokens), ("output_tokens", outputTokens)] {
            if let v, v < 0 || v > 16_777_216 { throw CoreError.invalidInput("scenario '\(name)': \(k) out of range (got \(v))") }
        }
    }
}

/// One entry of the change log.
public struct ChangeEntry: Codable, Sendable, Equatable {
    public var id: Int64
    public var at: String
    public var actor: String
    public var entity: String
    public var key: String
    public var action: String
    public var before: String?
    public var after: String?
    public init(id: Int64, at: String, actor: String, entity: String, key: String, action: String, before: String?, after: String?) {
        self.id = id; self.at = at; self.actor = actor; self.entity = entity; self.key = key; self.action = action
        self.before = before; self.after = after
    }
}

/// The whole catalog as one JSON document (export / import / seed files).
public struct CatalogDocument: Codable, Sendable, Equatable {
    public var format: String?
    public var version: Int?
    public var models: [Model]?
    public var gpus: [GPU]?
    public var prices: [Price]?
    public var scenarios: [Scenario]?
    public init(models: [Model]? = nil, gpus: [GPU]? = nil, prices: [Price]? = nil, scenarios: [Scenario]? = nil) {
        self.format = "servefit-catalog"; self.version = 1
        self.models = models; self.gpus = gpus; self.prices = prices; self.scenarios = scenarios
    }

    /// Decodes a document, turning decoding failures into one-line messages.
    public static func decode(_ data: Data) throws -> CatalogDocument {
        do {
            return try JSONDecoder().decode(CatalogDocument.self, from: data)
        } catch let e as DecodingError {
            throw CoreError.invalidInput(describe(e))
        }
    }

    /// A decoding failure as one line naming the field's path (for files and request bodies).
    public static func describe(_ e: DecodingError) -> String {
        switch e {
        case .dataCorrupted(let ctx): return "not valid JSON: \(ctx.debugDescription)"
        case .keyNotFound(let key, let ctx): return "missing field '\(key.stringValue)' at \(path(ctx.codingPath))"
        case .typeMismatch(_, let ctx): return "wrong type at \(path(ctx.codingPath)): \(ctx.debugDescription)"
        case .valueNotFound(_, let ctx): return "missing value at \(path(ctx.codingPath))"
        @unknown default: return "\(e)"
        }
    }

    public static func path(_ p: [any CodingKey]) -> String {
        p.isEmpty ? "the top level" : p.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
    }

    public func encoded() throws -> Data {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try e.encode(self)
    }
}
import Foundation
