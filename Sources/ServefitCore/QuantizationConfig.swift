import Foundation

/// A checkpoint's own `quantization_config` (config.json), as far as it decides the bytes: the
/// method, the modules it leaves in their stored dtype, and block-wise scales.
///
/// The modules come under one name per method — `modules_to_not_convert` (bitsandbytes, AWQ,
/// fbgemm_fp8, GPTQ), `ignore` (compressed-tensors), `ignored_layers` (vLLM fp8), `exclude_modules`
/// (ModelOpt) — and are matched as the engines match them: `re:` prefixes are regular expressions
/// over the module's full name, `*` is a wildcard, anything else a dotted component sequence
/// within the name (`lm_head`, `mlp.gate`, `model.layers.0`).
public struct QuantizationConfig: Codable, Sendable, Equatable {
    public var method: String
    public var ignored: [String]
    /// fp8 block-wise scales (DeepSeek-V3, Qwen3-FP8): one fp32 scale per [rows, columns] block.
    public var weightBlockSize: [Int]?
    /// The servefit weight format the checkpoint is stored in ("fp8", "awq", "gptq-8bit",
    /// "nf4-dq", "mxfp4"), read from the config's method, bits and group size; nil where the
    /// config does not say (compressed-tensors schemes).
    public var format: String?

    public init(method: String, ignored: [String] = [], weightBlockSize: [Int]? = nil) {
        self.method = method; self.ignored = ignored; self.weightBlockSize = weightBlockSize
    }

    enum CodingKeys: String, CodingKey, CaseIterable { case method = "quant_method", ignored = "ignore", weightBlockSize = "weight_block_size", format }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        method = try c.decode(String.self, forKey: .method)
        ignored = try c.decodeIfPresent([String].self, forKey: .ignored) ?? []
        weightBlockSize = try c.decodeIfPresent([Int].self, forKey: .weightBlockSize)
        format = try c.decodeIfPresent(String.self, forKey: .format)
        try validate()
    }

    public func validate() throws {
        guard !method.isEmpty, method.utf8.count <= 64 else { throw CoreError.invalidInput("quantization_config: quant_method must be 1-64 bytes") }
        guard ignored.count <= 4096, ignored.allSatisfy({ !$0.isEmpty && $0.utf8.count <= 256 }) else {
            throw CoreError.invalidInput("quantization_config: at most 4096 ignored modules of 1-256 bytes each")
        }
        if let f = format, (try? WeightFormat.parse(f)) == nil { throw CoreError.invalidInput("quantization_config: format '\(f.prefix(32))' is not a weight format") }
        if let b = weightBlockSize, b.count != 2 || b.contains(where: { $0 < 1 || $0 > 65_536 }) {
            throw CoreError.invalidInput("quantization_config: weight_block_size must be [rows, columns], each 1-65536")
        }
        for p in ignored where p.hasPrefix("re:") {
            guard (try? NSRegularExpression(pattern: String(p.dropFirst(3)))) != nil else {
                throw CoreError.invalidInput("quantization_config: '\(p.prefix(80))' is not a valid regular expression")
            }
        }
    }

    /// Reads the fields that decide bytes from config.json's `quantization_config` object.
    public static func from(hfConfig q: [String: Any]) throws -> QuantizationConfig? {
        guard let method = (q["quant_method"] as? String) ?? (q["quantization_method"] as? String) else { return nil }
        var ignored: [String] = []
        for key in ["modules_to_not_convert", "ignore", "ignored_layers", "exclude_modules", "llm_int8_skip_modules"] {
            guard let v = q[key], !(v is NSNull) else { continue }
            guard let list = v as? [Any], list.allSatisfy({ $0 is String }) else {
                throw CoreError.invalidInput("config.json: quantization_config.\(key) must be a list of module names")
            }
            ignored += list.compactMap { $0 as? String }
        }
        var block: [Int]?
        if let b = q["weight_block_size"], !(b is NSNull) {
            guard let list = b as? [NSNumber], list.count == 2, list.allSatisfy({ $0.doubleValue >= 1 && $0.doubleValue <= 65_536 && $0.doubleValue == $0.doubleValue.rounded() }) else {
                throw CoreError.invalidInput("config.json: quantization_config.weight_block_size must be two whole numbers")
            }
            block = list.map { $0.intValue }
        }
        var seen = Set<String>()
        var c = QuantizationConfig(method: method, ignored: ignored.filter { seen.insert($0).inserted }, weightBlockSize: block)
        let bits = (q["bits"] as? NSNumber)?.intValue ?? (q["w_bit"] as? NSNumber)?.intValue
        let group = (q["group_size"] as? NSNumber)?.intValue ?? (q["q_group_size"] as? NSNumber)?.intValue
        switch method.lowercased() {
        case "fp8", "fbgemm_fp8": c.format = "fp8"
        case "modelopt": c.format = (q["quant_algo"] as? String)?.uppercased() == "NVFP4" ? "nvfp4" : "fp8"
        case "mxfp4": c.format = "mxfp4"
        case "awq": c.format = bits == nil || bits == 4 ? (group == 64 ? "awq-g64" : "awq") : nil
        case "gptq":
            switch (bits ?? 4, group ?? 128) {
            case (4, 32): c.format = "gptq-g32"
            case (4, _): c.format = "gptq"
            case (8, _): c.format = "gptq-8bit"
            case (3, _): c.format = "gptq-3bit"
            default: c.format = nil
            }
        case "bitsandbytes":
            if q["load_in_4bit"] as? Bool == true { c.format = q["bnb_4bit_use_double_quant"] as? Bool == true ? "nf4-dq" : "nf4" }
            else if q["load_in_8bit"] as? Bool == true { c.format = "int8" }
        default: c.format = nil
        }
        try c.validate()
        return c
    }

    /// Whether the module named `name` (e.g. "model.layers.3.self_attn.q_proj") stays unquantised.
    public func keepsUnquantized(_ name: String) -> Bool {
        ignored.contains { Self.matches($0, name) }
    }

    static func matches(_ pattern: String, _ name: String) -> Bool {
        if pattern.hasPrefix("re:") {
            guard let re = try? NSRegularExpression(pattern: String(pattern.dropFirst(3))) else { return false }
            let range = NSRange(name.startIndex..., in: name)
            return re.firstMatch(in: name, range: range).map { $0.range.location == 0 } ?? false
        }
        if pattern.contains("*") {
            // A module and everything under it: "model.layers.*.self_attn" keeps
            // "model.layers.3.self_attn.q_proj" (gpt-oss's config lists attention so).
            let escaped = NSRegularExpression.escapedPattern(for: pattern).replacingOccurrences(of: "\\*", with: ".*")
            return (try? NSRegularExpression(pattern: "^" + escaped + "(\\..+)?$")).map { $0.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil } ?? false
        }
        // Dotted components: "mlp.gate" matches "model.layers.0.mlp.gate" but not "mlp.gate_proj".
        let p = pattern.split(separator: "."), n = name.split(separator: ".")
        guard p.count <= n.count else { return false }
        for start in 0...(n.count - p.count) where Array(n[start..<(start + p.count)]) == p { return true }
        return false
    }
}

extension TensorInfo {
    /// The Hugging Face module this tensor belongs to, as quantisation configs name it.
    public var moduleName: String {
        let layer = "model.layers.\(self.layer)"
        switch role {
        case .embedding: return "model.embed_tokens"
        case .positionEmbedding: return "model.embed_positions"
        case .lmHead: return "lm_head"
        case .norm, .bias, .other2D: return self.layer >= 0 ? "\(layer).other" : "model.other"
        case .attnQ: return "\(layer).self_attn.q_proj"
        case .attnK: return "\(layer).self_attn.k_proj"
        case .attnV: return "\(layer).self_attn.v_proj"
        case .attnO: return "\(layer).self_attn.o_proj"
        case .attnQKV: return "\(layer).self_attn.qkv_proj"
        case .attnQA: return "\(layer).self_attn.q_a_proj"
        case .attnQB: return "\(layer).self_attn.q_b_proj"
        case .attnKVA: return "\(layer).self_attn.kv_a_proj_with_mqa"
        case .attnKVB: return "\(layer).self_attn.kv_b_proj"
        case .attnSinks: return "\(layer).self_attn.sinks"
        case .router: return "\(layer).mlp.gate"
        case .ffnGate: return "\(layer).mlp.gate_proj"
        case .ffnUp: return "\(layer).mlp.up_proj"
        case .ffnDown: return "\(layer).mlp.down_proj"
        case .ffnGateUp: return "\(layer).mlp.gate_up_proj"
        case .expertGate: return "\(layer).mlp.experts.gate_proj"
        case .expertUp: return "\(layer).mlp.experts.up_proj"
        case .expertDown: return "\(layer).mlp.experts.down_proj"
        case .expertGateUp: return "\(layer).mlp.experts.gate_up_proj"
        case .expertBias: return "\(layer).mlp.experts.bias"
        case .sharedGate: return "\(layer).mlp.shared_expert.gate_proj"
        case .sharedUp: return "\(layer).mlp.shared_expert.up_proj"
        case .sharedDown: return "\(layer).mlp.shared_expert.down_proj"
        case .sharedExpertGate: return "\(layer).mlp.shared_expert_gate"
        }
    }
}
