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

    enum CodingKeys: String, CodingKey, CaseIterable { case fp32, tf32, fp16, bf16, fp8, int8, fp4 }

    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Refuses a dtype it does not know ("fp6": 3) instead of dropping it silently.
    public init(from decoder: any Decoder) throws {
        let any = try decoder.container(keyedBy: AnyKey.self)
        if let bad = any.allKeys.first(where: { !TFLOPS.keys.contains($0.stringValue) }) {
            throw DecodingError.dataCorruptedError(forKey: bad, in: any,
                debugDescription: "unknown dtype '\(bad.stringValue.prefix(32))' in tflops (known: \(TFLOPS.keys.joined(separator: ", ")))")
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        fp32 = try c.decodeIfPresent(Double.self, forKey: .fp32); tf32 = try c.decodeIfPresent(Double.self, forKey: .tf32)
        fp16 = try c.decodeIfPresent(Double.self, forKey: .fp16); bf16 = try c.decodeIfPresent(Double.self, forKey: .bf16)
        fp8 = try c.decodeIfPresent(Double.self, forKey: .fp8); int8 = try c.decodeIfPresent(Double.self, forKey: .int8)
        fp4 = try c.decodeIfPresent(Double.self, forKey: .fp4)
    }
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
    /// Architecture family (volta, turing, ampere, ada, hopper, blackwell, cdna2, cdna3, gaudi2, …).
    public var architecture: String?
    /// The target engines compile for: NVIDIA "sm_80", "sm_90", …; AMD "gfx90a", "gfx942"; "gaudi2".
    public var computeCapability: String?
    public var source: String?
    public var notes: String?

    public init(slug: String, vendor: String, name: String, memoryBytes: Int64, bandwidthGBPerS: Double, tflops: TFLOPS) {
        self.slug = slug; self.vendor = vendor; self.name = name; self.memoryBytes = memoryBytes
        self.bandwidthGBPerS = bandwidthGBPerS; self.tflops = tflops
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case slug, vendor, name, formFactor = "form_factor", memoryBytes = "memory_bytes", memoryType = "memory_type"
        case bandwidthGBPerS = "bandwidth_gb_per_s", tflops, tdpW = "tdp_w", interconnect
        case interconnectGBPerS = "interconnect_gb_per_s", launchYear = "launch_year", architecture
        case computeCapability = "compute_capability", source, notes
    }

    /// Memory an engine can see: ECC on GDDR parts takes 1/16 of it, and the driver and
    /// firmware keep about 0.5 GiB (an H100 80GB shows 79.2 GiB to PyTorch, an RTX 3090 23.6 GiB).
    public var visibleMemoryBytes: Int64 {
        var b = Double(memoryBytes)
        if let t = memoryType?.uppercased(), t.contains("GDDR"), t.contains("ECC") { b *= 15.0 / 16.0 }
        return Int64(b) - Units.GiB / 2
    }

    /// The range of every rate a GPU row names (GB/s, TFLOPS): a thousandth is far below any real
    /// part and keeps subnormals and zero out.
    public static let minRate = 0.001
    public static let maxRate = 999_999.0

    public func validate() throws {
        try Model.validateSlug(slug)
        if name.isEmpty || vendor.isEmpty { throw CoreError.invalidInput("gpu '\(slug)': vendor and name are required") }
        let who = "gpu '\(slug)'"
        try Limits.line(who, "vendor", vendor, Limits.word)
        try Limits.line(who, "name", name, Limits.name)
        try Limits.line(who, "form_factor", formFactor, Limits.name)
        try Limits.line(who, "memory_type", memoryType, Limits.word)
        try Limits.line(who, "interconnect", interconnect, Limits.name)
        try Limits.line(who, "architecture", architecture, Limits.word)
        if let a = architecture, a.trimmingCharacters(in: .whitespaces).isEmpty { throw CoreError.invalidInput("\(who): architecture is empty (leave it out instead)") }
        if let cc = computeCapability, GPUArch(computeCapability: cc) == nil {
            throw CoreError.invalidInput("\(who): compute_capability '\(cc.prefix(32))' must be sm_NN (NVIDIA), gfxNNN (AMD) or gaudiN")
        }
        try Limits.text(who, "source", source, Limits.source)
        try Limits.text(who, "notes", notes, Limits.notes)
        guard memoryBytes > 0, memoryBytes <= 64 * 1024 * Units.GiB else {
            throw CoreError.invalidInput("gpu '\(slug)': memory_bytes must be between 1 and 64 TiB (got \(memoryBytes))")
        }
        let rates: [(String, Double?)] = [("bandwidth_gb_per_s", bandwidthGBPerS), ("interconnect_gb_per_s", interconnectGBPerS)]
            + [("tflops.fp32", tflops.fp32), ("tflops.tf32", tflops.tf32), ("tflops.fp16", tflops.fp16), ("tflops.bf16", tflops.bf16),
               ("tflops.fp8", tflops.fp8), ("tflops.int8", tflops.int8), ("tflops.fp4", tflops.fp4)]
        for (k, v) in rates {
            if let v, !(v >= GPU.minRate && v <= GPU.maxRate) {
                throw CoreError.invalidInput("gpu '\(slug)': \(k) must be from \(GPU.minRate) to \(Int(GPU.maxRate)) (got \(v))")
            }
        }
        if let t = tdpW, t <= 0 || t > 100_000 { throw CoreError.invalidInput("gpu '\(slug)': tdp_w out of range (got \(t))") }
        if let y = launchYear, y < 1990 || y > 2100 { throw CoreError.invalidInput("gpu '\(slug)': launch_year out of range (got \(y))") }
    }
}

public enum PricingModel: String, Codable, Sendable, CaseIterable {
    case onDemand = "on-demand", spot, reserved
}

/// How the GPUs of a rented instance are joined to each other.
public enum InstanceLink: String, Codable, Sendable, CaseIterable {
    /// One GPU: nothing to join.
    case none
    case pcie
    /// NVLink/NVSwitch on an SXM board (HGX): every GPU reaches every other at full speed.
    case nvlink
    /// A bridge joining two PCIe cards (H100 NVL, A100 PCIe pairs, RTX A6000).
    case nvlinkBridge = "nvlink-bridge"
    /// AMD Infinity Fabric on an OAM board (MI250X, MI300X).
    case xgmi
    case other
}

/// A dated price of one GPU-hour at a provider, for an instance of `gpusPerInstance` GPUs.
/// Prices are history: a new one never erases an old one. The unit stays USD per GPU-hour; a
/// group of n GPUs is priced only from instances with at least n of them.
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
    /// GPUs in the instance this price rents.
    public var gpusPerInstance: Int = 1
    public var link: InstanceLink?
    /// The shape was not given (a price recorded before shapes were kept): taken as one GPU.
    public var shapeAssumed: Bool = false
    /// Set when listed: older than the freshness limit (`--max-price-age`).
    public var stale: Bool?

    public init(gpu: String, provider: String, pricingModel: PricingModel = .onDemand, usdPerGPUHour: Double, asOf: String, source: String) {
        self.gpu = gpu; self.provider = provider; self.pricingModel = pricingModel
        self.usdPerGPUHour = usdPerGPUHour; self.asOf = asOf; self.source = source
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, gpu, provider, instance, region, pricingModel = "pricing_model"
        case usdPerGPUHour = "usd_per_gpu_hour", asOf = "as_of", source
        case gpusPerInstance = "gpus_per_instance", link, shapeAssumed = "shape_assumed", stale
    }

    /// A price given without its instance shape is a one-GPU instance, flagged `shape_assumed`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decodeIfPresent(Int64.self, forKey: .id)
        gpu = try c.decode(String.self, forKey: .gpu)
        provider = try c.decode(String.self, forKey: .provider)
        instance = try c.decodeIfPresent(String.self, forKey: .instance)
        region = try c.decodeIfPresent(String.self, forKey: .region)
        pricingModel = try c.decodeIfPresent(PricingModel.self, forKey: .pricingModel) ?? .onDemand
        usdPerGPUHour = try c.decode(Double.self, forKey: .usdPerGPUHour)
        asOf = try c.decode(String.self, forKey: .asOf)
        source = try c.decode(String.self, forKey: .source)
        let n = try c.decodeIfPresent(Int.self, forKey: .gpusPerInstance)
        gpusPerInstance = n ?? 1
        link = try c.decodeIfPresent(InstanceLink.self, forKey: .link)
        shapeAssumed = try c.decodeIfPresent(Bool.self, forKey: .shapeAssumed) ?? (n == nil)
    }

    /// The largest instance a price may describe.
    public static let maxGPUsPerInstance = 64

    /// The cheapest and dearest GPU-hour a price may name (USD): below a hundredth of a cent is a
    /// typo or a unit mistake, and so is above $1,000.
    public static let minUSD = 0.0001
    public static let maxUSD = 1000.0

    public func validate() throws {
        if provider.trimmingCharacters(in: .whitespaces).isEmpty { throw CoreError.invalidInput("price: provider is required") }
        try Model.validateSlug(gpu)
        try Limits.line("price", "provider", provider, Limits.name)
        try Limits.line("price", "instance", instance, Limits.name)
        try Limits.line("price", "region", region, Limits.word)
        try Limits.text("price", "source", source, Limits.source)
        guard usdPerGPUHour.isFinite, usdPerGPUHour >= Price.minUSD, usdPerGPUHour <= Price.maxUSD else {
            throw CoreError.invalidInput("price: usd_per_gpu_hour must be from \(Price.minUSD) to \(Int(Price.maxUSD)) (got \(usdPerGPUHour))")
        }
        try Price.validateDate(asOf)
        guard (1...Price.maxGPUsPerInstance).contains(gpusPerInstance) else {
            throw CoreError.invalidInput("price: gpus_per_instance must be from 1 to \(Price.maxGPUsPerInstance) (got \(gpusPerInstance))")
        }
        if gpusPerInstance == 1, let l = link, l != .none { throw CoreError.invalidInput("price: a one-GPU instance has link 'none' (got '\(l.rawValue)')") }
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

/// JSON text held as a string but written as the JSON it is (`"result": {...}`, not a string
/// of JSON inside JSON); read back from either form, so older exports still import.
struct EmbeddedJSON: Codable {
    var text: String
    init(_ text: String) { self.text = text }
    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let s = try? c.decode(String.self) { text = s; return }
        let v = try c.decode(AnyJSON.self)
        text = String(decoding: try JSONSerialization.data(withJSONObject: v.value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        if let v = try? StrictJSON.parse(Array(text.utf8)) { try c.encode(AnyJSON(v)) } else { try c.encode(text) }
    }
}

/// Any JSON value through Codable (numbers keep their text).
struct AnyJSON: Codable {
    var value: Any
    init(_ v: JSONValue) {
        switch v {
        case .null: value = NSNull()
        case .bool(let b): value = b
        case .number(let n): value = Int64(n).map { $0 as Any } ?? (Double(n) ?? 0)
        case .string(let s): value = s
        case .array(let a): value = a.map { AnyJSON($0).value }
        case .object(let p): value = Dictionary(p.map { ($0.0, AnyJSON($0.1).value) }) { a, _ in a }
        }
    }
    init(from decoder: any Decoder) throws {
        if var a = try? decoder.unkeyedContainer() {
            var out: [Any] = []
            while !a.isAtEnd { out.append(try a.decode(AnyJSON.self).value) }
            value = out
        } else if let o = try? decoder.container(keyedBy: AnyKey.self) {
            var out: [String: Any] = [:]
            for k in o.allKeys { out[k.stringValue] = try o.decode(AnyJSON.self, forKey: k).value }
            value = out
        } else {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { value = NSNull() }
            else if let b = try? c.decode(Bool.self) { value = b }
            else if let i = try? c.decode(Int64.self) { value = i }
            else if let d = try? c.decode(Double.self) { value = d }
            else { value = try c.decode(String.self) }
        }
    }
    func encode(to encoder: any Encoder) throws {
        switch value {
        case let a as [Any]:
            var c = encoder.unkeyedContainer()
            for x in a { try c.encode(AnyJSON(raw: x)) }
        case let o as [String: Any]:
            var c = encoder.container(keyedBy: AnyKey.self)
            for (k, x) in o { try c.encode(AnyJSON(raw: x), forKey: AnyKey(stringValue: k)) }
        default:
            var c = encoder.singleValueContainer()
            switch value {
            case is NSNull: try c.encodeNil()
            case let b as Bool: try c.encode(b)
            case let i as Int64: try c.encode(i)
            case let d as Double: try c.encode(d)
            case let s as String: try c.encode(s)
            default: try c.encodeNil()
            }
        }
    }
    init(raw: Any) { value = raw }
    struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
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

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name); model = try c.decode(String.self, forKey: .model)
        gpu = try c.decodeIfPresent(String.self, forKey: .gpu); gpuCount = try c.decodeIfPresent(Int.self, forKey: .gpuCount)
        weights = try c.decodeIfPresent(String.self, forKey: .weights); kvCache = try c.decodeIfPresent(String.self, forKey: .kvCache)
        engine = try c.decodeIfPresent(String.self, forKey: .engine); context = try c.decodeIfPresent(Int.self, forKey: .context)
        batch = try c.decodeIfPresent(Int.self, forKey: .batch); inputTokens = try c.decodeIfPresent(Int.self, forKey: .inputTokens)
        outputTokens = try c.decodeIfPresent(Int.self, forKey: .outputTokens)
        options = try c.decodeIfPresent([String: String].self, forKey: .options) ?? [:]
        result = try c.decodeIfPresent(EmbeddedJSON.self, forKey: .result)?.text
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt); updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name); try c.encode(model, forKey: .model)
        try c.encodeIfPresent(gpu, forKey: .gpu); try c.encodeIfPresent(gpuCount, forKey: .gpuCount)
        try c.encodeIfPresent(weights, forKey: .weights); try c.encodeIfPresent(kvCache, forKey: .kvCache)
        try c.encodeIfPresent(engine, forKey: .engine); try c.encodeIfPresent(context, forKey: .context)
        try c.encodeIfPresent(batch, forKey: .batch); try c.encodeIfPresent(inputTokens, forKey: .inputTokens)
        try c.encodeIfPresent(outputTokens, forKey: .outputTokens); try c.encode(options, forKey: .options)
        try c.encodeIfPresent(result.map(EmbeddedJSON.init), forKey: .result); try c.encodeIfPresent(notes, forKey: .notes)
        try c.encodeIfPresent(createdAt, forKey: .createdAt); try c.encodeIfPresent(updatedAt, forKey: .updatedAt)
    }

    public func validate() throws {
        try Model.validateSlug(name)
        let who = "scenario '\(name)'"
        if model.isEmpty { throw CoreError.invalidInput("\(who): model is required") }
        try Limits.line(who, "model", model, Limits.name)
        try Limits.text(who, "notes", notes, Limits.notes)
        if options.count > Limits.options { throw CoreError.invalidInput("\(who): \(options.count) options (limit \(Limits.options))") }
        for (k, v) in options {
            try Limits.line(who, "option name", k, Limits.word)
            try Limits.line(who, "option '\(k)'", v, Limits.optionValue)
        }
        try Limits.text(who, "result", result, Limits.documentBytes)
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
    enum CodingKeys: String, CodingKey { case id, at, actor, entity, key, action, before, after }
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int64.self, forKey: .id); at = try c.decode(String.self, forKey: .at); actor = try c.decode(String.self, forKey: .actor)
        entity = try c.decode(String.self, forKey: .entity); key = try c.decode(String.self, forKey: .key); action = try c.decode(String.self, forKey: .action)
        before = try c.decodeIfPresent(EmbeddedJSON.self, forKey: .before)?.text; after = try c.decodeIfPresent(EmbeddedJSON.self, forKey: .after)?.text
    }
    /// `before` and `after` are the entity's JSON as objects, not strings of JSON.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id); try c.encode(at, forKey: .at); try c.encode(actor, forKey: .actor)
        try c.encode(entity, forKey: .entity); try c.encode(key, forKey: .key); try c.encode(action, forKey: .action)
        try c.encodeIfPresent(before.map(EmbeddedJSON.init), forKey: .before); try c.encodeIfPresent(after.map(EmbeddedJSON.init), forKey: .after)
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
    /// What the team measured (`servefit measure import`), keyed by file SHA-256 and run.
    public var measurements: [MeasurementRecord]?
    /// Measured checkpoints of the models (`model import` of a checkpoint or `hf:` repo).
    public var variants: [ModelVariant]?
    public init(models: [Model]? = nil, gpus: [GPU]? = nil, prices: [Price]? = nil, scenarios: [Scenario]? = nil,
                measurements: [MeasurementRecord]? = nil, variants: [ModelVariant]? = nil) {
        self.format = "servefit-catalog"; self.version = 1
        self.models = models; self.gpus = gpus; self.prices = prices; self.scenarios = scenarios; self.measurements = measurements
        self.variants = variants
    }

    /// Decodes a document, turning decoding failures into one-line messages.
    public static let formatName = "servefit-catalog"
    public static let currentVersion = 1

    /// Decodes a document, turning decoding failures into one-line messages. The document must
    /// say what it is (`"format": "servefit-catalog"`, a version this servefit reads), and may
    /// not repeat a key (Foundation would keep the last one silently).
    public static func decode(_ data: Data) throws -> CatalogDocument {
        guard data.count <= Limits.documentBytes else {
            throw CoreError.invalidInput("catalog document is \(data.count) bytes (limit \(Limits.documentBytes))")
        }
        _ = try StrictJSON.parse(Array(data))
        let doc: CatalogDocument
        do {
            doc = try JSONDecoder().decode(CatalogDocument.self, from: data)
        } catch let e as DecodingError {
            throw CoreError.invalidInput(describe(e))
        }
        guard doc.format == formatName else {
            throw CoreError.invalidInput("not a servefit catalog: \"format\" must be \"\(formatName)\" (got \(doc.format.map { "\"\($0.prefix(64))\"" } ?? "none"))")
        }
        guard let v = doc.version, (1...currentVersion).contains(v) else {
            throw CoreError.invalidInput("catalog \"version\" must be 1 to \(currentVersion) (got \(doc.version.map(String.init) ?? "none"))")
        }
        return doc
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

/// The JSON field names a type reads: request bodies and files with any other key are refused.
public protocol KnownFields {
    static var knownFields: [String] { get }
    /// Fields a response carries that may be sent back unchanged and are ignored on input.
    static var readOnlyFields: Set<String> { get }
}
extension KnownFields { public static var readOnlyFields: Set<String> { [] } }

extension Model: KnownFields {
    public static var knownFields: [String] { CodingKeys.allCases.map(\.rawValue) }
    public static var readOnlyFields: Set<String> { ["params_total", "params_active", "params_mtp", "params_vision"] }
}
extension GPU: KnownFields { public static var knownFields: [String] { CodingKeys.allCases.map(\.rawValue) } }
extension Price: KnownFields {
    public static var knownFields: [String] { CodingKeys.allCases.map(\.rawValue) }
    public static var readOnlyFields: Set<String> { ["stale"] }
}
extension EstimateSpec: KnownFields { public static var knownFields: [String] { fieldNames } }

extension JSONDecoder {
    /// Decodes `T` from untrusted bytes: strict JSON (no duplicate keys), every top-level key
    /// known (kebab-case or snake_case), then the type's own decoding.
    public static func strict<T: Decodable & KnownFields>(_ type: T.Type, from data: Data, what: String) throws -> T {
        let v = try StrictJSON.parse(Array(data))
        let norm = try v.normalizingKeys(known: T.knownFields, ignored: T.readOnlyFields, style: .snake, what: what)
        do {
            return try JSONDecoder().decode(T.self, from: Data(norm.jsonText.utf8))
        } catch let e as DecodingError {
            throw CoreError.invalidInput("\(what): " + CatalogDocument.describe(e))
        }
    }
}

extension Price {
    /// Days since 1970-01-01 of a YYYY-MM-DD date (proleptic Gregorian), nil if it is not one.
    public static func dayNumber(_ s: String) -> Int? {
        guard (try? validateDate(s)) != nil else { return nil }
        let p = s.split(separator: "-").compactMap { Int($0) }
        guard p.count == 3 else { return nil }
        // Howard Hinnant's days_from_civil.
        let y = p[1] <= 2 ? p[0] - 1 : p[0], m = p[1], d = p[2]
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// Older than `maxAgeDays` on `today` (YYYY-MM-DD).
    public func isStale(today: String, maxAgeDays: Int) -> Bool {
        guard let t = Price.dayNumber(today), let a = Price.dayNumber(asOf) else { return false }
        return t - a > maxAgeDays
    }

    /// The default freshness limit: a price older than this is stale.
    public static let defaultMaxAgeDays = 180
}

extension Price {
    /// The YYYY-MM-DD date of a day number (inverse of `dayNumber`).
    public static func date(dayNumber z0: Int) -> String {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))"
    }
}

/// Which prices count as current: those seen within `maxAgeDays` of `today`.
public struct Freshness: Sendable, Equatable {
    public var today: String
    public var maxAgeDays: Int
    /// Keep stale prices among the current ones (still marked stale).
    public var includeStale: Bool
    public init(today: String, maxAgeDays: Int = Price.defaultMaxAgeDays, includeStale: Bool = false) {
        self.today = today; self.maxAgeDays = maxAgeDays; self.includeStale = includeStale
    }
    /// The oldest as_of that is still fresh.
    public var cutoff: String { Price.date(dayNumber: (Price.dayNumber(today) ?? 0) - maxAgeDays) }

    /// "180d", "26w" → days (1 to 36,500).
    public static func parseAge(_ text: String) throws -> Int {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let mult = t.hasSuffix("d") ? 1 : t.hasSuffix("w") ? 7 : 0
        guard mult > 0, let n = Units.parseInt(String(t.dropLast())), n >= 1, n * mult <= 36_500 else {
            throw CoreError.badOption("a price age is a number of days or weeks with its unit: 180d, 26w (got '\(text.prefix(64))')")
        }
        return n * mult
    }
}
