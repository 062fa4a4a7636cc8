import Foundation

/// What a model's forward pass looks like at the top level.
public enum ModelKind: String, Codable, Sendable, CaseIterable {
    case decoder
    case encoder
    case encoderDecoder = "encoder-decoder"
}

/// A model architecture as stored in the catalog: the fields of a Hugging Face `config.json`
/// that matter for memory and speed, under their Hugging Face names, plus registry metadata.
public struct Model: Codable, Sendable, Equatable {
    public var slug: String
    public var name: String
    public var hfRepo: String?
    /// The Hub revision it was read at (a branch, tag or commit as the user named it) and the
    /// commit that resolved to, for models imported from the Hub.
    public var hfRevision: String?
    public var hfCommit: String?
    public var modelType: String
    public var kind: ModelKind
    public var architectures: [String]?

    public var hiddenSize: Int?
    public var intermediateSize: Int?
    public var numHiddenLayers: Int?
    public var numAttentionHeads: Int?
    public var numKeyValueHeads: Int?
    public var headDim: Int?
    public var vocabSize: Int?
    public var maxPositionEmbeddings: Int?
    public var tieWordEmbeddings: Bool?
    public var attentionBias: Bool?
    public var hiddenAct: String?

    // Sliding windows: which layers use them.
    public var slidingWindow: Int?
    /// Every n-th layer is global, the others slide (Gemma 3: 6 → 5 local, 1 global). 2 = alternating.
    public var slidingWindowPattern: Int?
    /// Explicit per-layer types ("sliding_attention" / "full_attention"), as newer configs carry.
    public var layerTypes: [String]?
    /// Qwen2-style switch: sliding windows apply only when true, to layers >= max_window_layers.
    public var useSlidingWindow: Bool?
    public var maxWindowLayers: Int?

    // Mixture of experts.
    public var numExperts: Int?
    public var numExpertsPerTok: Int?
    public var moeIntermediateSize: Int?
    public var nSharedExperts: Int?
    public var sharedExpertIntermediateSize: Int?
    public var firstKDenseReplace: Int?
    public var moeLayerFreq: Int?
    public var mlpOnlyLayers: [Int]?

    // Multi-head latent attention (DeepSeek V2/V3).
    public var kvLoraRank: Int?
    public var qLoraRank: Int?
    public var qkRopeHeadDim: Int?
    public var qkNopeHeadDim: Int?
    public var vHeadDim: Int?
    public var numNextnPredictLayers: Int?

    // Encoder / encoder-decoder.
    public var encoderLayers: Int?
    public var decoderLayers: Int?
    public var encoderAttentionHeads: Int?
    public var decoderAttentionHeads: Int?
    public var encoderFfnDim: Int?
    public var decoderFfnDim: Int?
    public var maxSourcePositions: Int?
    public var maxTargetPositions: Int?
    public var numMelBins: Int?
    public var typeVocabSize: Int?
    public var numLabels: Int?

    // Falcon.
    public var newDecoderArchitecture: Bool?
    public var multiQuery: Bool?
    public var parallelAttn: Bool?
    public var bias: Bool?

    // Vision tower of a multimodal config (Gemma 3, ...).
    public var visionHiddenSize: Int?
    public var visionIntermediateSize: Int?
    public var visionNumLayers: Int?
    public var visionNumHeads: Int?
    public var visionPatchSize: Int?
    public var visionImageSize: Int?
    public var visionNumChannels: Int?

    /// The checkpoint's own quantisation (config.json `quantization_config`): modules it keeps
    /// unquantised and its scale layout.
    public var quantization: QuantizationConfig?

    // Registry metadata.
    public var statedParams: Int64?
    public var license: String?
    public var tags: [String]
    public var owner: String?
    public var notes: String?
    public var source: String?
    public var createdAt: String?
    public var updatedAt: String?

    public init(slug: String, name: String, modelType: String, kind: ModelKind = .decoder) {
        self.slug = slug
        self.name = name
        self.modelType = modelType
        self.kind = kind
        self.tags = []
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case slug, name, hfRepo = "hf_repo", hfRevision = "hf_revision", hfCommit = "hf_commit", modelType = "model_type", kind, architectures
        case hiddenSize = "hidden_size", intermediateSize = "intermediate_size"
        case numHiddenLayers = "num_hidden_layers", numAttentionHeads = "num_attention_heads"
        case numKeyValueHeads = "num_key_value_heads", headDim = "head_dim", vocabSize = "vocab_size"
        case maxPositionEmbeddings = "max_position_embeddings", tieWordEmbeddings = "tie_word_embeddings"
        case attentionBias = "attention_bias", hiddenAct = "hidden_act"
        case slidingWindow = "sliding_window", slidingWindowPattern = "sliding_window_pattern"
        case layerTypes = "layer_types", useSlidingWindow = "use_sliding_window", maxWindowLayers = "max_window_layers"
        case numExperts = "num_experts", numExpertsPerTok = "num_experts_per_tok"
        case moeIntermediateSize = "moe_intermediate_size", nSharedExperts = "n_shared_experts"
        case sharedExpertIntermediateSize = "shared_expert_intermediate_size"
        case firstKDenseReplace = "first_k_dense_replace", moeLayerFreq = "moe_layer_freq", mlpOnlyLayers = "mlp_only_layers"
        case kvLoraRank = "kv_lora_rank", qLoraRank = "q_lora_rank", qkRopeHeadDim = "qk_rope_head_dim"
        case qkNopeHeadDim = "qk_nope_head_dim", vHeadDim = "v_head_dim", numNextnPredictLayers = "num_nextn_predict_layers"
        case encoderLayers = "encoder_layers", decoderLayers = "decoder_layers"
        case encoderAttentionHeads = "encoder_attention_heads", decoderAttentionHeads = "decoder_attention_heads"
        case encoderFfnDim = "encoder_ffn_dim", decoderFfnDim = "decoder_ffn_dim"
        case maxSourcePositions = "max_source_positions", maxTargetPositions = "max_target_positions"
        case numMelBins = "num_mel_bins", typeVocabSize = "type_vocab_size", numLabels = "num_labels"
        case newDecoderArchitecture = "new_decoder_architecture", multiQuery = "multi_query"
        case parallelAttn = "parallel_attn", bias
        case visionHiddenSize = "vision_hidden_size", visionIntermediateSize = "vision_intermediate_size"
        case visionNumLayers = "vision_num_layers", visionNumHeads = "vision_num_heads"
        case visionPatchSize = "vision_patch_size", visionImageSize = "vision_image_size"
        case visionNumChannels = "vision_num_channels"
        case quantization = "quantization_config"
        case statedParams = "stated_params", license, tags, owner, notes, source
        case createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        slug = try c.decode(String.self, forKey: .slug)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? slug
        hfRepo = try c.decodeIfPresent(String.self, forKey: .hfRepo)
        hfRevision = try c.decodeIfPresent(String.self, forKey: .hfRevision)
        hfCommit = try c.decodeIfPresent(String.self, forKey: .hfCommit)
        modelType = try c.decode(String.self, forKey: .modelType)
        kind = try c.decodeIfPresent(ModelKind.self, forKey: .kind) ?? .decoder
        architectures = try c.decodeIfPresent([String].self, forKey: .architectures)
        func i(_ k: CodingKeys) throws -> Int? { try c.decodeIfPresent(Int.self, forKey: k) }
        func b(_ k: CodingKeys) throws -> Bool? { try c.decodeIfPresent(Bool.self, forKey: k) }
        hiddenSize = try i(.hiddenSize); intermediateSize = try i(.intermediateSize)
        numHiddenLayers = try i(.numHiddenLayers); numAttentionHeads = try i(.numAttentionHeads)
        numKeyValueHeads = try i(.numKeyValueHeads); headDim = try i(.headDim); vocabSize = try i(.vocabSize)
        maxPositionEmbeddings = try i(.maxPositionEmbeddings); tieWordEmbeddings = try b(.tieWordEmbeddings)
        attentionBias = try b(.attentionBias); hiddenAct = try c.decodeIfPresent(String.self, forKey: .hiddenAct)
        slidingWindow = try i(.slidingWindow); slidingWindowPattern = try i(.slidingWindowPattern)
        layerTypes = try c.decodeIfPresent([String].self, forKey: .layerTypes)
        useSlidingWindow = try b(.useSlidingWindow); maxWindowLayers = try i(.maxWindowLayers)
        numExperts = try i(.numExperts); numExpertsPerTok = try i(.numExpertsPerTok)
        moeIntermediateSize = try i(.moeIntermediateSize); nSharedExperts = try i(.nSharedExperts)
        sharedExpertIntermediateSize = try i(.sharedExpertIntermediateSize)
        firstKDenseReplace = try i(.firstKDenseReplace); moeLayerFreq = try i(.moeLayerFreq)
        mlpOnlyLayers = try c.decodeIfPresent([Int].self, forKey: .mlpOnlyLayers)
        kvLoraRank = try i(.kvLoraRank); qLoraRank = try i(.qLoraRank); qkRopeHeadDim = try i(.qkRopeHeadDim)
        qkNopeHeadDim = try i(.qkNopeHeadDim); vHeadDim = try i(.vHeadDim); numNextnPredictLayers = try i(.numNextnPredictLayers)
        encoderLayers = try i(.encoderLayers); decoderLayers = try i(.decoderLayers)
        encoderAttentionHeads = try i(.encoderAttentionHeads); decoderAttentionHeads = try i(.decoderAttentionHeads)
        encoderFfnDim = try i(.encoderFfnDim); decoderFfnDim = try i(.decoderFfnDim)
        maxSourcePositions = try i(.maxSourcePositions); maxTargetPositions = try i(.maxTargetPositions)
        numMelBins = try i(.numMelBins); typeVocabSize = try i(.typeVocabSize); numLabels = try i(.numLabels)
        newDecoderArchitecture = try b(.newDecoderArchitecture); multiQuery = try b(.multiQuery)
        parallelAttn = try b(.parallelAttn); bias = try b(.bias)
        visionHiddenSize = try i(.visionHiddenSize); visionIntermediateSize = try i(.visionIntermediateSize)
        visionNumLayers = try i(.visionNumLayers); visionNumHeads = try i(.visionNumHeads)
        visionPatchSize = try i(.visionPatchSize); visionImageSize = try i(.visionImageSize)
        visionNumChannels = try i(.visionNumChannels)
        quantization = try c.decodeIfPresent(QuantizationConfig.self, forKey: .quantization)
        statedParams = try c.decodeIfPresent(Int64.self, forKey: .statedParams)
        license = try c.decodeIfPresent(String.self, forKey: .license)
        tags = try c.decodeIfPresent([String].self, forKey: .tags) ?? []
        owner = try c.decodeIfPresent(String.self, forKey: .owner)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    }

    // MARK: derived architecture facts

    public var layers: Int { numHiddenLayers ?? decoderLayers ?? 0 }
    public var heads: Int { numAttentionHeads ?? decoderAttentionHeads ?? 0 }
    public var kvHeads: Int { numKeyValueHeads ?? (multiQuery == true ? 1 : heads) }
    /// Head dimension: explicit `head_dim` when the config has one, else hidden / heads.
    public var resolvedHeadDim: Int {
        if let h = headDim, h > 0 { return h }
        guard let hs = hiddenSize, heads > 0 else { return 0 }
        return hs / heads
    }
    public var isMLA: Bool { (kvLoraRank ?? 0) > 0 }
    public var isMoE: Bool { (numExperts ?? 0) > 1 }
    /// The weight format the checkpoint is stored in, when its quantization_config names one
    /// (DeepSeek-V3's block FP8, gpt-oss's MXFP4).
    public var storedWeightFormat: WeightFormat? { quantization?.format.flatMap { try? WeightFormat.parse($0) } }

    /// Whether decoder layer `i` uses a sliding window (and so caches at most the window).
    public func isSlidingLayer(_ i: Int) -> Bool {
        guard let w = slidingWindow, w > 0 else { return false }
        if let types = layerTypes, i < types.count { return types[i].contains("sliding") }
        if useSlidingWindow == false { return false }
        if let p = slidingWindowPattern, p > 0 {
            if modelType == "gemma2" { return i % 2 == 0 }
            return (i + 1) % p != 0
        }
        if modelType == "gemma2" { return i % 2 == 0 }
        if useSlidingWindow == true, let m = maxWindowLayers { return i >= m }
        return true
    }

    /// True when some layers slide and others attend globally (hybrid caches save memory here
    /// in every engine that implements them).
    public var hasHybridSlidingLayers: Bool {
        let n = layers
        guard n > 0, slidingWindow != nil else { return false }
        let sliding = (0..<n).filter { isSlidingLayer($0) }.count
        return sliding > 0 && sliding < n
    }

    public var slidingLayerCount: Int { (0..<max(0, layers)).filter { isSlidingLayer($0) }.count }
}

extension Model {
    static let maxDimension = 1 << 24
    static let maxLayers = 4096

    /// Checks the architecture is self-consistent and within sane bounds; called before any
    /// arithmetic so untrusted numbers never reach an overflow.
    public func validate() throws {
        try Model.validateSlug(slug)
        if name.trimmingCharacters(in: .whitespaces).isEmpty { throw CoreError.invalidInput("model '\(slug)': name is empty") }
        if modelType.isEmpty { throw CoreError.invalidInput("model '\(slug)': model_type is empty") }
        let who = "model '\(slug)'"
        try Limits.line(who, "name", name, Limits.name)
        try Limits.line(who, "hf_repo", hfRepo, Limits.name)
        try Limits.line(who, "hf_revision", hfRevision, Limits.name)
        if let c = hfCommit, !HubReference.isCommit(c) { throw CoreError.invalidInput("\(who): hf_commit must be a 40-hex commit id") }
        try Limits.line(who, "model_type", modelType, Limits.word)
        try Limits.line(who, "hidden_act", hiddenAct, Limits.word)
        try Limits.line(who, "license", license, Limits.name)
        try Limits.line(who, "owner", owner, Limits.name)
        try Limits.text(who, "source", source, Limits.source)
        try Limits.text(who, "notes", notes, Limits.notes)
        try Limits.words(who, "tags", tags, count: Limits.tags)
        try Limits.words(who, "architectures", architectures, count: Limits.architectures, Limits.name)
        try Limits.words(who, "layer_types", layerTypes, count: Model.maxLayers)
        let dims: [(String, Int?)] = [
            ("hidden_size", hiddenSize), ("intermediate_size", intermediateSize), ("num_attention_heads", numAttentionHeads),
            ("num_key_value_heads", numKeyValueHeads), ("head_dim", headDim), ("vocab_size", vocabSize),
            ("max_position_embeddings", maxPositionEmbeddings), ("sliding_window", slidingWindow),
            ("sliding_window_pattern", slidingWindowPattern), ("max_window_layers", maxWindowLayers),
            ("num_experts", numExperts), ("num_experts_per_tok", numExpertsPerTok),
            ("moe_intermediate_size", moeIntermediateSize), ("n_shared_experts", nSharedExperts),
            ("shared_expert_intermediate_size", sharedExpertIntermediateSize), ("first_k_dense_replace", firstKDenseReplace),
            ("moe_layer_freq", moeLayerFreq), ("kv_lora_rank", kvLoraRank), ("q_lora_rank", qLoraRank),
            ("qk_rope_head_dim", qkRopeHeadDim), ("qk_nope_head_dim", qkNopeHeadDim), ("v_head_dim", vHeadDim),
            ("num_nextn_predict_layers", numNextnPredictLayers), ("encoder_attention_heads", encoderAttentionHeads),
            ("decoder_attention_heads", decoderAttentionHeads), ("encoder_ffn_dim", encoderFfnDim),
            ("decoder_ffn_dim", decoderFfnDim), ("max_source_positions", maxSourcePositions),
            ("max_target_positions", maxTargetPositions), ("num_mel_bins", numMelBins),
            ("type_vocab_size", typeVocabSize), ("num_labels", numLabels),
            ("vision_hidden_size", visionHiddenSize), ("vision_intermediate_size", visionIntermediateSize),
            ("vision_num_heads", visionNumHeads), ("vision_patch_size", visionPatchSize),
            ("vision_image_size", visionImageSize), ("vision_num_channels", visionNumChannels),
        ]
        for (key, v) in dims {
            guard let v else { continue }
            if v < 0 { throw CoreError.invalidInput("model '\(slug)': \(key) must not be negative (got \(v))") }
            if v > Model.maxDimension { throw CoreError.invalidInput("model '\(slug)': \(key) = \(v) is absurdly large (limit \(Model.maxDimension))") }
        }
        let zeroAllowed: Set<String> = ["num_nextn_predict_layers", "first_k_dense_replace", "n_shared_experts", "type_vocab_size",
                                        "shared_expert_intermediate_size", "max_window_layers", "q_lora_rank", "sliding_window", "num_labels"]
        for (key, v) in dims where v == 0 && !zeroAllowed.contains(key) {
            throw CoreError.invalidInput("model '\(slug)': \(key) must be positive (got 0)")
        }
        let layerCounts: [(String, Int?)] = [("num_hidden_layers", numHiddenLayers), ("encoder_layers", encoderLayers),
                                              ("decoder_layers", decoderLayers), ("vision_num_layers", visionNumLayers)]
        for (key, v) in layerCounts {
            guard let v else { continue }
            if v <= 0 { throw CoreError.invalidInput("model '\(slug)': \(key) must be positive (got \(v))") }
            if v > Model.maxLayers { throw CoreError.invalidInput("model '\(slug)': \(key) = \(v) is absurdly large (limit \(Model.maxLayers))") }
        }
        if let n = numHiddenLayers, let t = layerTypes, !t.isEmpty, t.count != n {
            throw CoreError.invalidArchitecture("model '\(slug)': layer_types has \(t.count) entries for \(n) layers")
        }
        if let s = statedParams, s < 0 { throw CoreError.invalidInput("model '\(slug)': stated_params must not be negative") }
        if let h = numAttentionHeads, let kv = numKeyValueHeads, kv > 0, h % kv != 0 {
            throw CoreError.invalidArchitecture("model '\(slug)': num_attention_heads \(h) is not a multiple of num_key_value_heads \(kv)")
        }
        if let e = numExperts, let k = numExpertsPerTok, k > e {
            throw CoreError.invalidArchitecture("model '\(slug)': num_experts_per_tok \(k) exceeds num_experts \(e)")
        }
        // Without an explicit head_dim the heads must divide the hidden size.
        if headDim == nil, !isMLA, let h = hiddenSize, let n = numAttentionHeads, n > 0, h % n != 0 {
            throw CoreError.invalidArchitecture("model '\(slug)': hidden_size \(h) is not divisible by num_attention_heads \(n) and no head_dim is given")
        }
        if kind == .encoderDecoder, let d = hiddenSize {
            for (k, n) in [("encoder_attention_heads", encoderAttentionHeads), ("decoder_attention_heads", decoderAttentionHeads)] {
                if let n, n > 0, d % n != 0 {
                    throw CoreError.invalidArchitecture("model '\(slug)': d_model \(d) is not divisible by \(k) \(n)")
                }
            }
        }
    }

    public static func validateSlug(_ slug: String) throws {
        let ok = !slug.isEmpty && slug.count <= 128 && slug.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        if !ok {
            throw CoreError.invalidInput("slug '\(slug)' must be 1-128 characters of letters, digits, '-', '_' or '.'")
        }
    }
}
