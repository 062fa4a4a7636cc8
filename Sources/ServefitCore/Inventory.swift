import Foundation

/// What a checkpoint holds, from its headers: exact parameters and bytes, by dtype, the
/// quantisation scheme, and the architecture when one is known.
public struct Inventory: Codable, Sendable, Equatable {
    public struct DTypeStat: Codable, Sendable, Equatable {
        public var tensors: Int
        public var params: Int64
        public var bytes: Int64
    }
    public struct Check: Codable, Sendable, Equatable {
        /// Parameters the estimator derives from the architecture.
        public var estimatorParams: Int64
        public var headerParams: Int64
        public var differencePercent: Double
        public var agrees: Bool
        public var note: String
        enum CodingKeys: String, CodingKey {
            case estimatorParams = "estimator_params", headerParams = "header_params", differencePercent = "difference_percent", agrees, note
        }
    }

    public var format: String
    public var files: [String]
    public var tensorCount: Int
    /// Weight parameters, packed integers unpacked (an int32 of AWQ/GPTQ holds 8 4-bit weights);
    /// scales, zeros and other quantisation metadata are not counted here.
    public var paramsTotal: Int64
    /// All tensor bytes: what loading the weights takes.
    public var weightsBytes: Int64
    /// Bytes of scales, zero points, group indices and other quantisation metadata (part of weightsBytes).
    public var quantizationBytes: Int64
    public var bitsPerWeight: Double
    public var byDType: [String: DTypeStat]
    /// none, awq, gptq, fp8, compressed-tensors, bitsandbytes-nf4, gguf:<file type>, ...
    public var quantization: String
    /// The weight format as `--weights` takes it (fp16, fp8, awq, gptq, Q4_K_M, ...).
    public var weights: String
    public var architecture: Model?
    public var check: Check?
    public var notes: [String]

    enum CodingKeys: String, CodingKey {
        case format, files, tensorCount = "tensor_count", paramsTotal = "params_total", weightsBytes = "weights_bytes"
        case quantizationBytes = "quantization_bytes", bitsPerWeight = "bits_per_weight", byDType = "by_dtype", quantization
        case weights, architecture, check, notes
    }
}

public enum InventoryBuilder {
    /// Name endings of quantisation metadata tensors (not weights).
    static let auxSuffixes = [".qzeros", ".scales", ".g_idx", ".weight_scale", ".weight_scale_inv", ".input_scale", ".weight_zero_point",
                              ".weight_global_scale", ".input_global_scale", ".weight_shape", ".absmax", ".quant_map", ".nested_absmax",
                              ".nested_quant_map", ".SCB", ".k_scale", ".v_scale", ".output_scale"]

    /// Builds an inventory from the headers of one checkpoint (all shards) and its config.json.
    public static func build(headers: [(file: String, info: HeaderInfo)], config: [UInt8]?, slug: String = "inspected") throws -> Inventory {
        guard let first = headers.first else { throw CoreError.invalidInput("no weight files found") }
        let format = first.info.format
        var notes: [String] = []
        var configJSON: JSONValue?
        if let config { configJSON = try StrictJSON.parse(config) }
        let qc = configJSON?["quantization_config"] ?? configJSON?["text_config"]?["quantization_config"]
        let qmethod = qc?["quant_method"]?.string?.lowercased()
        let qbits = Int(qc?["bits"]?.int64 ?? qc?["w_bit"]?.int64 ?? 4)
        guard (1...16).contains(qbits) else { throw CoreError.invalidInput("quantization_config.bits \(qbits) is out of range") }

        let all = headers.flatMap(\.info.tensors)
        var seen = Set<String>()
        for t in all where !seen.insert(t.name).inserted {
            throw CoreError.invalidInput("tensor '\(t.name)' appears in more than one file")
        }
        let names = Set(all.map(\.name))
        var byDType: [String: Inventory.DTypeStat] = [:]
        var params: Int64 = 0, bytes: Int64 = 0, aux: Int64 = 0
        var hasQweight = false, hasGIdx = false, hasFP8 = false, hasBnb = false, hasPacked = false
        for t in all {
            var p = t.elements
            let isAux = auxSuffixes.contains { t.name.hasSuffix($0) } || t.name.contains(".quant_state.")
            if t.name.hasSuffix(".g_idx") { hasGIdx = true }
            if t.name.contains(".quant_state.bitsandbytes") { hasBnb = true }
            if isAux {
                p = 0
                aux += t.bytes
            } else if format == "safetensors" && (t.name.hasSuffix(".qweight") || t.name.hasSuffix(".weight_packed")) && (t.dtype == "I32" || t.dtype == "U32") {
                // 32 / bits weights per packed int32.
                p = t.elements * Int64(32 / max(1, qbits))
                hasQweight = hasQweight || t.name.hasSuffix(".qweight")
                hasPacked = hasPacked || t.name.hasSuffix(".weight_packed")
            } else if format == "safetensors" && t.dtype == "U8" && t.name.hasSuffix(".weight")
                        && names.contains { $0.hasPrefix(t.name + ".quant_state.") } {
                p = t.elements * 2  // bitsandbytes 4-bit: two weights per byte
            } else if t.dtype.hasPrefix("F8_") {
                hasFP8 = true
            }
            params += p
            bytes += t.bytes
            byDType[t.dtype, default: .init(tensors: 0, params: 0, bytes: 0)].tensors += 1
            byDType[t.dtype]!.params += p
            byDType[t.dtype]!.bytes += t.bytes
        }
        guard params > 0 else { throw CoreError.invalidInput("the files hold no weight tensors") }

        // The quantisation scheme: what config.json says, else what the tensors show.
        var quant: String
        var weights: String
        if format == "gguf" {
            let ft = first.info.gguf["general.file_type"]?.int.flatMap { ggufFileTypes[$0] }
            quant = "gguf:" + (ft ?? dominantGGML(byDType))
            weights = ft ?? dominantGGML(byDType)
        } else {
            let floatType = byDType.filter { ["F16", "BF16", "F32"].contains($0.key) }.max { $0.value.params < $1.value.params }?.key ?? "F16"
            switch qmethod {
            case "awq"?: quant = "awq"; weights = "awq"
            case "gptq"?: quant = "gptq"; weights = qbits == 8 ? "gptq-8bit" : "gptq"
            case "fp8"?: quant = "fp8"; weights = "fp8"
            case "bitsandbytes"?: quant = hasBnb ? "bitsandbytes-nf4" : "bitsandbytes-int8"; weights = hasBnb ? "nf4" : "int8"
            case "compressed-tensors"?: quant = "compressed-tensors"; weights = hasFP8 ? "fp8" : hasPacked ? "awq" : "int8"
            case let m?: quant = m; weights = floatType == "F32" ? "fp32" : "fp16"; notes.append("quantisation method '\(m)' is not one servefit models; bytes are as measured")
            case nil:
                if hasQweight { quant = hasGIdx ? "gptq" : "awq"; weights = hasGIdx ? "gptq" : "awq" }
                else if hasBnb { quant = "bitsandbytes-nf4"; weights = "nf4" }
                else if hasFP8 { quant = "fp8"; weights = "fp8" }
                else { quant = "none"; weights = floatType == "F32" ? "fp32" : "fp16" }
            }
            if quant == "none" { quant = "none (\(floatType.lowercased()))" }
        }

        // The architecture: config.json beside safetensors, the GGUF metadata otherwise.
        var model: Model?
        if let config {
            model = try HFConfig.parse(Data(config), slug: slug)
        } else if format == "gguf" {
            model = try ggufArchitecture(first.info, slug: slug)
            if model == nil { notes.append("GGUF architecture '\(first.info.metadata["general.architecture"] ?? "?")' is not one servefit can describe") }
        }
        var check: Inventory.Check?
        if let m = model {
            do {
                let pc = try ParamCounter.count(m)
                let est = pc.total + pc.mtp
                // Files may hold MTP layers (DeepSeek) that the estimator reports apart.
                let closest = abs(est - params) < abs(pc.total - params) ? est : pc.total
                let diff = closest > 0 ? Double(params - closest) / Double(closest) * 100 : 0
                let agrees = abs(diff) <= 0.5
                check = .init(estimatorParams: closest, headerParams: params, differencePercent: (diff * 1000).rounded() / 1000, agrees: agrees,
                              note: agrees ? "header and architecture agree" :
                                "header has \(params) parameters, the architecture gives \(closest) (\(Units.format(diff, 2))%): the config or the files are not what they claim, or the family has tensors servefit does not count")
            } catch {
                notes.append("the estimator cannot count this architecture: \(error)")
            }
        }
        return Inventory(format: format, files: headers.map(\.file), tensorCount: all.count, paramsTotal: params, weightsBytes: bytes,
                         quantizationBytes: aux, bitsPerWeight: (Double(bytes) * 8 / Double(params) * 1000).rounded() / 1000,
                         byDType: byDType, quantization: quant, weights: weights, architecture: model, check: check, notes: notes)
    }

    static func dominantGGML(_ by: [String: Inventory.DTypeStat]) -> String {
        by.filter { $0.key != "F32" }.max { $0.value.params < $1.value.params }?.key ?? "F32"
    }

    /// llama.cpp's `general.file_type` (enum llama_ftype) for the presets servefit knows.
    static let ggufFileTypes: [Int: String] = [
        0: "F32", 1: "F16", 2: "Q4_0", 3: "Q4_1", 7: "Q8_0", 8: "Q5_0", 9: "Q5_1", 10: "Q2_K", 11: "Q3_K_S", 12: "Q3_K_M", 13: "Q3_K_L",
        14: "Q4_K_S", 15: "Q4_K_M", 16: "Q5_K_S", 17: "Q5_K_M", 18: "Q6_K", 25: "IQ4_NL", 30: "IQ4_XS", 32: "BF16",
    ]

    /// llama.cpp architecture names → Hugging Face model_type.
    static let ggufArchitectures: [String: String] = [
        "llama": "llama", "qwen2": "qwen2", "qwen3": "qwen3", "qwen2moe": "qwen2_moe", "qwen3moe": "qwen3_moe", "gemma": "gemma",
        "gemma2": "gemma2", "gemma3": "gemma3_text", "phi3": "phi3", "deepseek2": "deepseek_v3", "gpt-oss": "gpt_oss", "falcon": "falcon",
        "gpt2": "gpt2", "bert": "bert", "glm4": "glm4", "granite": "granite", "mistral3": "mistral",
    ]

    /// Rebuilds a config.json from GGUF metadata and reads it with the same parser as a real one.
    static func ggufArchitecture(_ h: HeaderInfo, slug: String) throws -> Model? {
        guard let arch = h.gguf["general.architecture"]?.text, var type = ggufArchitectures[arch] else { return nil }
        func v(_ k: String) -> Int? { h.gguf["\(arch).\(k)"]?.int }
        var c: [String: Any] = [:]
        let experts = v("expert_count") ?? 0
        if type == "llama" && experts > 1 { type = "mixtral" }
        c["model_type"] = type
        c["num_hidden_layers"] = v("block_count")
        c["hidden_size"] = v("embedding_length")
        c["intermediate_size"] = v("feed_forward_length")
        c["num_attention_heads"] = v("attention.head_count")
        c["num_key_value_heads"] = v("attention.head_count_kv") ?? v("attention.head_count")
        c["max_position_embeddings"] = v("context_length")
        if let hd = v("attention.key_length"), let hidden = v("embedding_length"), let heads = v("attention.head_count"), heads > 0, hd != hidden / heads {
            c["head_dim"] = hd
        }
        if let w = v("attention.sliding_window") { c["sliding_window"] = w }
        if experts > 1 {
            c[type == "mixtral" ? "num_local_experts" : "num_experts"] = experts
            c["num_experts_per_tok"] = v("expert_used_count")
            if let m = v("expert_feed_forward_length") { c["moe_intermediate_size"] = m }
            if let s = v("expert_shared_feed_forward_length") { c["shared_expert_intermediate_size"] = s }
        }
        if type == "deepseek_v3" {
            c["kv_lora_rank"] = v("attention.kv_lora_rank")
            c["q_lora_rank"] = v("attention.q_lora_rank")
            c["qk_rope_head_dim"] = v("rope.dimension_count")
            c["n_shared_experts"] = v("expert_shared_count")
            c["first_k_dense_replace"] = v("leading_dense_block_count")
            if let k = v("attention.key_length"), let r = v("rope.dimension_count") { c["qk_nope_head_dim"] = k - r }
            c["v_head_dim"] = v("attention.value_length")
            c["moe_intermediate_size"] = v("expert_feed_forward_length")
            c["n_routed_experts"] = experts
        }
        let vocab = v("vocab_size") ?? {
            if case .array(_, let n, _)? = h.gguf["tokenizer.ggml.tokens"] { return Int(n) }
            return nil
        }()
        c["vocab_size"] = vocab
        c["tie_word_embeddings"] = !h.tensors.contains { $0.name == "output.weight" }
        if let name = h.gguf["general.name"]?.text { c["_name_or_path"] = name }
        return try HFConfig.parse(c, slug: slug, name: h.gguf["general.name"]?.text)
    }
}

/// A measured checkpoint of a model, kept in the catalog.
public struct ModelVariant: Codable, Sendable, Equatable {
    public var model: String
    public var name: String
    /// The weight format as `--weights` takes it.
    public var format: String
    public var quantization: String
    public var weightsBytes: Int64
    public var paramsTotal: Int64
    public var bitsPerWeight: Double
    public var tensorCount: Int
    public var byDType: [String: Inventory.DTypeStat]
    public var source: String
    public var createdAt: String?

    public init(model: String, name: String, format: String, quantization: String, weightsBytes: Int64, paramsTotal: Int64,
                bitsPerWeight: Double, tensorCount: Int, byDType: [String: Inventory.DTypeStat], source: String) {
        self.model = model; self.name = name; self.format = format; self.quantization = quantization
        self.weightsBytes = weightsBytes; self.paramsTotal = paramsTotal; self.bitsPerWeight = bitsPerWeight
        self.tensorCount = tensorCount; self.byDType = byDType; self.source = source
    }

    /// A variant's default name: the weight format (bf16 for an unquantised bf16 checkpoint).
    public static func defaultName(_ inv: Inventory) -> String {
        inv.quantization.hasPrefix("none") ? (inv.byDType.keys.contains("BF16") ? "bf16" : inv.weights) : inv.weights
    }

    public init(model: String, name: String, inventory i: Inventory, source: String) {
        self.init(model: model, name: name, format: i.weights, quantization: i.quantization, weightsBytes: i.weightsBytes,
                  paramsTotal: i.paramsTotal, bitsPerWeight: i.bitsPerWeight, tensorCount: i.tensorCount, byDType: i.byDType, source: source)
    }

    enum CodingKeys: String, CodingKey {
        case model, name, format, quantization, weightsBytes = "weights_bytes", paramsTotal = "params_total"
        case bitsPerWeight = "bits_per_weight", tensorCount = "tensor_count", byDType = "by_dtype", source, createdAt = "created_at"
    }

    public func validate() throws {
        guard !name.isEmpty, name.count <= 128, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw CoreError.invalidInput("variant name must be 1-128 letters, digits, - _ . (got '\(name)')")
        }
        _ = try WeightFormat.parse(format)
    }
}

extension Model {
    /// How a checkpoint's architecture differs from this model's in the dimensions that decide
    /// its memory (layers, hidden size, heads, KV heads, vocabulary, experts); empty when it matches.
    public func architectureDifferences(from other: Model) -> [String] {
        let pairs: [(String, Int?, Int?)] = [
            ("num_hidden_layers", numHiddenLayers, other.numHiddenLayers), ("hidden_size", hiddenSize, other.hiddenSize),
            ("num_attention_heads", numAttentionHeads, other.numAttentionHeads),
            ("num_key_value_heads", kvHeads, other.kvHeads), ("vocab_size", vocabSize, other.vocabSize),
            ("intermediate_size", intermediateSize, other.intermediateSize), ("num_experts", numExperts, other.numExperts),
        ]
        return pairs.compactMap { name, mine, theirs in
            guard let mine, let theirs, mine != theirs else { return nil }
            return "\(name) \(theirs) ≠ \(mine)"
        }
    }
}
