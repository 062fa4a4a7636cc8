import Foundation

/// Reads a Hugging Face `config.json` (bytes) into a catalog `Model`. Multimodal configs with a
/// nested `text_config` use it for the language model and keep the `vision_config` tower.
public enum HFConfig {
    static let encoderTypes: Set<String> = ["bert", "roberta", "xlm-roberta", "new", "distilbert", "electra", "deberta-v2", "nomic_bert"]
    static let encoderDecoderTypes: Set<String> = ["whisper", "t5", "bart", "mbart", "mt5", "marian"]

    public static func parse(_ data: Data, slug: String, name: String? = nil, hfRepo: String? = nil) throws -> Model {
        guard data.count <= Limits.configBytes else {
            throw CoreError.invalidInput("config.json is \(data.count) bytes (limit \(Limits.configBytes))")
        }
        // The strict parser first: it refuses duplicate keys, bad UTF-8 and deep nesting, and it
        // tells a JSON boolean from a number (Foundation reads `true` as the number 1).
        let strict: JSONValue
        do { strict = try StrictJSON.parse(Array(data)) } catch let e as CoreError {
            throw CoreError.invalidInput("config.json: \(e.description)")
        }
        guard let pairs = strict.pairs else { throw CoreError.invalidInput("config.json must be a JSON object") }
        var booleans = Set<String>()
        for (k, v) in pairs + (strict["text_config"]?.pairs ?? []) { if case .bool = v { booleans.insert(k) } }
        let obj: Any
        do { obj = try JSONSerialization.jsonObject(with: data) } catch {
            throw CoreError.invalidInput("config.json is not valid JSON")
        }
        guard let top = obj as? [String: Any] else { throw CoreError.invalidInput("config.json must be a JSON object") }
        return try parse(top, slug: slug, name: name, hfRepo: hfRepo, booleans: booleans)
    }

    /// `booleans`: keys whose JSON values are true/false, refused where a number is expected.
    public static func parse(_ top: [String: Any], slug: String, name: String? = nil, hfRepo: String? = nil,
                             booleans: Set<String> = []) throws -> Model {
        var cfg = top
        if let text = top["text_config"] as? [String: Any] {
            // Text model fields win; keep top-level ones the text config lacks.
            for (k, v) in text { cfg[k] = v }
            if let tie = top["tie_word_embeddings"], text["tie_word_embeddings"] == nil { cfg["tie_word_embeddings"] = tie }
        }
        guard let topType = (top["model_type"] as? String) ?? (cfg["model_type"] as? String), !topType.isEmpty else {
            throw CoreError.invalidInput("config.json has no model_type")
        }
        var modelType = topType
        // A multimodal wrapper names the family at top level (gemma3); keep it.
        if top["text_config"] == nil, let t = cfg["model_type"] as? String { modelType = t }

        func int(_ keys: String...) throws -> Int? {
            for k in keys {
                guard let v = cfg[k], !(v is NSNull) else { continue }
                if booleans.contains(k) { throw CoreError.invalidInput("config.json: \(k) must be a number, not true/false") }
                if let n = v as? NSNumber {
                    let d = n.doubleValue
                    guard d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else {
                        throw CoreError.invalidInput("config.json: \(k) must be a whole number (got \(n))")
                    }
                    return Int(d)
                }
                throw CoreError.invalidInput("config.json: \(k) must be a number")
            }
            return nil
        }
        func bool(_ key: String) -> Bool? { (cfg[key] as? NSNumber)?.boolValue }

        var m = Model(slug: slug, name: name ?? hfRepo ?? slug, modelType: modelType)
        m.hfRepo = hfRepo
        m.architectures = (top["architectures"] as? [String]) ?? (cfg["architectures"] as? [String])
        m.kind = encoderTypes.contains(modelType) ? .encoder : encoderDecoderTypes.contains(modelType) ? .encoderDecoder : .decoder
        m.hiddenSize = try int("hidden_size", "d_model", "n_embd")
        m.intermediateSize = try int("intermediate_size", "n_inner", "ffn_hidden_size", "ffn_dim")
        m.numHiddenLayers = try int("num_hidden_layers", "n_layer", "num_layers", "n_layers")
        m.numAttentionHeads = try int("num_attention_heads", "n_head", "num_heads")
        m.numKeyValueHeads = try int("num_key_value_heads", "num_kv_heads", "n_head_kv", "multi_query_group_num")
        m.headDim = try int("head_dim", "kv_channels")
        m.vocabSize = try int("vocab_size", "padded_vocab_size")
        m.maxPositionEmbeddings = try int("max_position_embeddings", "n_positions", "seq_length", "max_seq_len")
        m.tieWordEmbeddings = bool("tie_word_embeddings") ?? true  // PretrainedConfig's default
        m.attentionBias = bool("attention_bias") ?? bool("add_qkv_bias")
        m.hiddenAct = (cfg["hidden_act"] as? String) ?? (cfg["hidden_activation"] as? String) ?? (cfg["activation_function"] as? String)
        m.slidingWindow = try int("sliding_window")
        m.slidingWindowPattern = try int("sliding_window_pattern")
        m.layerTypes = cfg["layer_types"] as? [String]
        m.useSlidingWindow = bool("use_sliding_window")
        m.maxWindowLayers = try int("max_window_layers")
        m.numExperts = try int("num_experts", "num_local_experts", "n_routed_experts")
        m.numExpertsPerTok = try int("num_experts_per_tok", "moe_topk", "experts_per_token")
        m.moeIntermediateSize = try int("moe_intermediate_size")
        m.nSharedExperts = try int("n_shared_experts")
        m.sharedExpertIntermediateSize = try int("shared_expert_intermediate_size")
        m.firstKDenseReplace = try int("first_k_dense_replace")
        m.moeLayerFreq = try int("moe_layer_freq", "decoder_sparse_step")
        m.mlpOnlyLayers = cfg["mlp_only_layers"] as? [Int]
        m.kvLoraRank = try int("kv_lora_rank")
        m.qLoraRank = try int("q_lora_rank")
        m.qkRopeHeadDim = try int("qk_rope_head_dim")
        m.qkNopeHeadDim = try int("qk_nope_head_dim")
        m.vHeadDim = try int("v_head_dim")
        m.numNextnPredictLayers = try int("num_nextn_predict_layers")
        m.encoderLayers = try int("encoder_layers")
        m.decoderLayers = try int("decoder_layers")
        m.encoderAttentionHeads = try int("encoder_attention_heads")
        m.decoderAttentionHeads = try int("decoder_attention_heads")
        m.encoderFfnDim = try int("encoder_ffn_dim")
        m.decoderFfnDim = try int("decoder_ffn_dim")
        m.maxSourcePositions = try int("max_source_positions")
        m.maxTargetPositions = try int("max_target_positions")
        m.numMelBins = try int("num_mel_bins")
        m.typeVocabSize = try int("type_vocab_size")
        if let labels = cfg["id2label"] as? [String: Any] { m.numLabels = labels.count }
        m.newDecoderArchitecture = bool("new_decoder_architecture")
        m.multiQuery = bool("multi_query")
        m.parallelAttn = bool("parallel_attn")
        m.bias = bool("bias")
        if let v = top["vision_config"] as? [String: Any] {
            func vi(_ k: String) throws -> Int? {
                guard let x = v[k] as? NSNumber else { return nil }
                let d = x.doubleValue
                guard d.isFinite, d == d.rounded(), abs(d) < 9.0e15 else { throw CoreError.invalidInput("config.json: vision_config.\(k) must be a whole number") }
                return Int(d)
            }
            m.visionHiddenSize = try vi("hidden_size")
            m.visionIntermediateSize = try vi("intermediate_size")
            m.visionNumLayers = try vi("num_hidden_layers")
            m.visionNumHeads = try vi("num_attention_heads")
            m.visionPatchSize = try vi("patch_size")
            m.visionImageSize = try vi("image_size")
            m.visionNumChannels = try vi("num_channels") ?? (m.visionHiddenSize != nil ? 3 : nil)
        }

        // Family specifics.
        switch modelType {
        case "gpt2":
            if m.intermediateSize == nil, let h = m.hiddenSize { m.intermediateSize = 4 * h }
        case "whisper":
            m.numHiddenLayers = nil
            m.numAttentionHeads = nil
            m.intermediateSize = nil
        case "falcon":
            if m.numKeyValueHeads == nil {
                if m.newDecoderArchitecture == true { m.numKeyValueHeads = try int("num_kv_heads") ?? m.numAttentionHeads }
                else if m.multiQuery ?? true { m.numKeyValueHeads = 1 } else { m.numKeyValueHeads = m.numAttentionHeads }
            }
            if m.intermediateSize == nil, let h = m.hiddenSize { m.intermediateSize = 4 * h }
        case "gemma2":
            if m.slidingWindowPattern == nil && m.layerTypes == nil { m.slidingWindowPattern = 2 }
        case "qwen2", "qwen2_moe", "qwen3", "qwen3_moe":
            if m.useSlidingWindow != true { m.useSlidingWindow = false }
        case "chatglm":
            throw CoreError.unsupportedFamily("chatglm (use the -hf / GLM-4-0414 config with model_type glm or glm4)")
        default: break
        }
        if m.kind == .encoder || m.kind == .encoderDecoder { m.numKeyValueHeads = m.numKeyValueHeads ?? m.numAttentionHeads }

        try requireFields(m)
        try m.validate()
        if let q = top["quantization_config"] ?? cfg["quantization_config"], !(q is NSNull) {
            guard let dict = q as? [String: Any] else { throw CoreError.invalidInput("config.json: quantization_config must be an object") }
            m.quantization = try QuantizationConfig.from(hfConfig: dict)
        }
        return m
    }

    static func requireFields(_ m: Model) throws {
        var missing: [String] = []
        switch m.kind {
        case .encoderDecoder:
            if m.hiddenSize == nil { missing.append("d_model") }
            if m.encoderLayers == nil { missing.append("encoder_layers") }
            if m.decoderLayers == nil { missing.append("decoder_layers") }
            if m.decoderAttentionHeads == nil { missing.append("decoder_attention_heads") }
            if m.vocabSize == nil { missing.append("vocab_size") }
        case .decoder, .encoder:
            if m.hiddenSize == nil { missing.append("hidden_size") }
            if m.numHiddenLayers == nil { missing.append("num_hidden_layers") }
            if m.numAttentionHeads == nil && !m.isMLA { missing.append("num_attention_heads") }
            if m.vocabSize == nil { missing.append("vocab_size") }
            if m.intermediateSize == nil && m.moeIntermediateSize == nil { missing.append("intermediate_size") }
        }
        if !missing.isEmpty {
            throw CoreError.invalidInput("config.json is missing required field(s): \(missing.joined(separator: ", "))")
        }
    }
}
