/// One weight tensor (or a stack of identical expert tensors) of a model, enough to count
/// parameters exactly and to decide how each engine stores it.
public struct TensorInfo: Sendable, Equatable {
    public enum Role: String, Sendable, CaseIterable {
        case embedding, positionEmbedding, lmHead, norm, bias
        case attnQ, attnK, attnV, attnO, attnQKV, attnQA, attnQB, attnKVA, attnKVB, attnSinks
        /// A projection of the attention block (q/k/v/o, MLA's down- and up-projections, sinks).
        public var isAttention: Bool { rawValue.hasPrefix("attn") }
        case router, ffnGate, ffnUp, ffnDown, ffnGateUp
        case expertGate, expertUp, expertDown, expertGateUp, expertBias
        case sharedGate, sharedUp, sharedDown, sharedExpertGate
        case other2D
    }
    public enum Part: String, Sendable { case main, vision, mtp }

    public var role: Role
    /// Decoder layer index, or -1 for tensors outside the layer stack.
    public var layer: Int
    /// Elements in this tensor (for experts: across all experts of the layer).
    public var elements: Double
    /// Row size (input features, ggml's ne[0]); 0 for 1-D tensors.
    public var rowSize: Int
    public var isExpert: Bool
    public var part: Part

    public var is2D: Bool { rowSize > 0 }
}

/// Exact parameter counts derived from the architecture.
public struct ParamCount: Sendable, Equatable {
    /// All parameters of the checkpoint's main model (text model plus any vision tower),
    /// excluding next-token-prediction (MTP) layers, which are reported in `mtp`.
    public var total: Int64
    /// Parameters used per token: experts counted at experts-per-token / experts; no vision tower.
    public var active: Int64
    public var embedding: Int64
    public var lmHead: Int64
    public var vision: Int64
    public var mtp: Int64
    public var tensors: [TensorInfo]

    /// Parameters per role, summed.
    public func byRole() -> [(TensorInfo.Role, Int64)] {
        var acc: [TensorInfo.Role: Double] = [:]
        for t in tensors where t.part != .mtp { acc[t.role, default: 0] += t.elements }
        return TensorInfo.Role.allCases.compactMap { r in acc[r].map { (r, Int64($0)) } }
    }
}

/// Counts parameters exactly from a `Model`'s architecture, family by family.
public enum ParamCounter {
    public static let supportedFamilies: Set<String> = [
        "llama", "mistral", "mixtral", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe", "gemma", "gemma2", "gemma3",
        "gemma3_text", "phi3", "deepseek_v2", "deepseek_v3", "gpt_oss", "falcon", "gpt2", "glm", "glm4", "bert",
        "roberta", "xlm-roberta", "new", "whisper", "granite",
    ]
    /// Largest count accepted; anything above is an absurd configuration, refused before conversion.
    static let limit = 1.0e15

    public static func count(_ m: Model) throws -> ParamCount {
        try m.validate()
        guard supportedFamilies.contains(m.modelType) else { throw CoreError.unsupportedFamily(m.modelType) }
        var b = Builder()
        switch m.modelType {
        case "falcon": try falcon(m, &b)
        case "gpt2": try gpt2(m, &b)
        case "bert", "roberta", "xlm-roberta": try bert(m, &b)
        case "new": try gte(m, &b)
        case "whisper": try whisper(m, &b)
        default: try decoder(m, &b)
        }
        return try b.finish(m)
    }

    // MARK: builder

    struct Builder {
        var tensors: [TensorInfo] = []
        mutating func add(_ role: TensorInfo.Role, _ rows: Int, _ cols: Int, layer: Int = -1, experts: Int = 1, part: TensorInfo.Part = .main) {
            tensors.append(TensorInfo(role: role, layer: layer, elements: Double(rows) * Double(cols) * Double(experts),
                                      rowSize: cols, isExpert: role.rawValue.hasPrefix("expert"), part: part))
        }
        /// 1-D tensor (norm weight, bias, ...).
        mutating func vec(_ role: TensorInfo.Role, _ n: Int, layer: Int = -1, experts: Int = 1, part: TensorInfo.Part = .main) {
            tensors.append(TensorInfo(role: role, layer: layer, elements: Double(n) * Double(experts), rowSize: 0,
                                      isExpert: experts > 1 || role == .expertBias, part: part))
        }
        /// Linear layer out×in with optional bias.
        mutating func linear(_ role: TensorInfo.Role, out: Int, in inF: Int, bias: Bool, layer: Int = -1, part: TensorInfo.Part = .main) {
            add(role, out, inF, layer: layer, part: part)
            if bias { vec(.bias, out, layer: layer, part: part) }
        }

        func finish(_ m: Model) throws -> ParamCount {
            var total = 0.0, active = 0.0, emb = 0.0, head = 0.0, vision = 0.0, mtp = 0.0
            let e = Double(max(1, m.numExperts ?? 1)), k = Double(max(1, m.numExpertsPerTok ?? 1))
            for t in tensors {
                switch t.part {
                case .mtp: mtp += t.elements; continue
                case .vision: vision += t.elements; total += t.elements; continue
                case .main: break
                }
                total += t.elements
                active += t.isExpert ? t.elements * k / e : t.elements
                if t.role == .embedding || t.role == .positionEmbedding { emb += t.elements }
                if t.role == .lmHead { head += t.elements }
            }
            guard total < ParamCounter.limit, mtp < ParamCounter.limit else {
                throw CoreError.invalidArchitecture("model '\(m.slug)' would have \(total) parameters: absurd sizes")
            }
            return ParamCount(total: Int64(total), active: Int64(active.rounded()), embedding: Int64(emb), lmHead: Int64(head),
                              vision: Int64(vision), mtp: Int64(mtp), tensors: tensors)
        }
    }

    static func need(_ v: Int?, _ key: String, _ m: Model) throws -> Int {
        guard let v, v > 0 else { throw CoreError.invalidInput("model '\(m.slug)' (\(m.modelType)) needs \(key)") }
        return v
    }

    // MARK: decoder-only transformers (llama family and relatives, MoE, MLA)

    static func isMoELayer(_ m: Model, _ i: Int) -> Bool {
        guard m.isMoE else { return false }
        switch m.modelType {
        case "deepseek_v2", "deepseek_v3":
            return i >= (m.firstKDenseReplace ?? 0) && i % max(1, m.moeLayerFreq ?? 1) == 0
        case "qwen2_moe", "qwen3_moe":
            if m.mlpOnlyLayers?.contains(i) == true { return false }
            return (i + 1) % max(1, m.moeLayerFreq ?? 1) == 0
        default:
            return true
        }
    }

    static func decoder(_ m: Model, _ b: inout Builder) throws {
        let h = try need(m.hiddenSize, "hidden_size", m)
        let L = try need(m.numHiddenLayers, "num_hidden_layers", m)
        let V = try need(m.vocabSize, "vocab_size", m)
        let H = try need(m.numAttentionHeads, "num_attention_heads", m)
        let t = m.modelType
        let qkvBias = ["qwen2", "qwen2_moe", "gpt_oss"].contains(t) || (m.attentionBias ?? (t == "glm" || t == "glm4"))
        let oBias = t == "gpt_oss" || (t == "llama" && m.attentionBias == true) || (t == "granite" && m.attentionBias == true)
        let qkNorm = ["qwen3", "qwen3_moe", "gemma3", "gemma3_text"].contains(t)
        let fourNorms = ["gemma2", "gemma3", "gemma3_text", "glm4"].contains(t)
        let fusedQKV = t == "phi3"
        let fusedGateUp = t == "phi3" || t == "glm" || t == "glm4"
        b.add(.embedding, V, h)

        func layer(_ i: Int, part: TensorInfo.Part) throws {
            if m.isMLA {
                let kvr = try need(m.kvLoraRank, "kv_lora_rank", m)
                let rope = try need(m.qkRopeHeadDim, "qk_rope_head_dim", m)
                let nope = try need(m.qkNopeHeadDim, "qk_nope_head_dim", m)
                let vd = try need(m.vHeadDim, "v_head_dim", m)
                if let qr = m.qLoraRank, qr > 0 {
                    b.add(.attnQA, qr, h, layer: i, part: part)
                    b.vec(.norm, qr, layer: i, part: part)
                    b.add(.attnQB, H * (nope + rope), qr, layer: i, part: part)
                } else {
                    b.add(.attnQ, H * (nope + rope), h, layer: i, part: part)
                }
                b.add(.attnKVA, kvr + rope, h, layer: i, part: part)
                b.vec(.norm, kvr, layer: i, part: part)
                b.add(.attnKVB, H * (nope + vd), kvr, layer: i, part: part)
                b.add(.attnO, h, H * vd, layer: i, part: part)
            } else {
                let hd = m.resolvedHeadDim
                let kv = m.kvHeads
                if fusedQKV {
                    b.linear(.attnQKV, out: (H + 2 * kv) * hd, in: h, bias: qkvBias, layer: i, part: part)
                } else {
                    b.linear(.attnQ, out: H * hd, in: h, bias: qkvBias, layer: i, part: part)
                    b.linear(.attnK, out: kv * hd, in: h, bias: qkvBias, layer: i, part: part)
                    b.linear(.attnV, out: kv * hd, in: h, bias: qkvBias, layer: i, part: part)
                }
                b.linear(.attnO, out: h, in: H * hd, bias: oBias, layer: i, part: part)
                if qkNorm { b.vec(.norm, hd, layer: i, part: part); b.vec(.norm, hd, layer: i, part: part) }
                if t == "gpt_oss" { b.vec(.attnSinks, H, layer: i, part: part) }
            }
            for _ in 0..<(fourNorms ? 4 : 2) { b.vec(.norm, h, layer: i, part: part) }

            if isMoELayer(m, i) {
                let E = try need(m.numExperts, "num_experts", m)
                let moeI = try need(["mixtral", "gpt_oss"].contains(t) ? m.intermediateSize : (m.moeIntermediateSize ?? m.intermediateSize),
                                    "moe_intermediate_size", m)
                b.add(.router, E, h, layer: i, part: part)
                if t == "gpt_oss" {
                    b.vec(.bias, E, layer: i, part: part)
                    b.add(.expertGateUp, 2 * moeI, h, layer: i, experts: E, part: part)
                    b.vec(.expertBias, 2 * moeI, layer: i, experts: E, part: part)
                    b.add(.expertDown, h, moeI, layer: i, experts: E, part: part)
                    b.vec(.expertBias, h, layer: i, experts: E, part: part)
                } else {
                    b.add(.expertGate, moeI, h, layer: i, experts: E, part: part)
                    b.add(.expertUp, moeI, h, layer: i, experts: E, part: part)
                    b.add(.expertDown, h, moeI, layer: i, experts: E, part: part)
                }
                var sharedI = 0
                if let n = m.nSharedExperts, n > 0 { sharedI = n * moeI }
                if let s = m.sharedExpertIntermediateSize, s > 0 { sharedI = s }
                if sharedI > 0 {
                    b.add(.sharedGate, sharedI, h, layer: i, part: part)
                    b.add(.sharedUp, sharedI, h, layer: i, part: part)
                    b.add(.sharedDown, h, sharedI, layer: i, part: part)
                    if t == "qwen2_moe" { b.add(.sharedExpertGate, 1, h, layer: i, part: part) }
                }
            } else {
                let I = try need(m.intermediateSize, "intermediate_size", m)
                if fusedGateUp {
                    b.add(.ffnGateUp, 2 * I, h, layer: i, part: part)
                } else {
                    b.add(.ffnGate, I, h, layer: i, part: part)
                    b.add(.ffnUp, I, h, layer: i, part: part)
                }
                b.add(.ffnDown, h, I, layer: i, part: part)
            }
        }
        for i in 0..<L { try layer(i, part: .main) }
        b.vec(.norm, h)
        if m.tieWordEmbeddings == false { b.add(.lmHead, V, h) }

        // DeepSeek's next-token-prediction layers: a full (MoE) layer plus projections and norms.
        if ["deepseek_v2", "deepseek_v3"].contains(t), let n = m.numNextnPredictLayers, n > 0 {
            for j in 0..<n {
                let idx = L + j
                try layer(idx, part: .mtp)
                b.vec(.norm, h, layer: idx, part: .mtp)  // enorm
                b.vec(.norm, h, layer: idx, part: .mtp)  // hnorm
                b.add(.other2D, h, 2 * h, layer: idx, part: .mtp)  // eh_proj
                b.vec(.norm, h, layer: idx, part: .mtp)  // shared_head.norm
            }
        }
        if m.visionHiddenSize != nil { try visionTower(m, textHidden: h, &b) }
    }

    /// SigLIP-style vision tower plus a linear projector into the text model (Gemma 3).
    static func visionTower(_ m: Model, textHidden: Int, _ b: inout Builder) throws {
        let vh = try need(m.visionHiddenSize, "vision_hidden_size", m)
        let vI = try need(m.visionIntermediateSize, "vision_intermediate_size", m)
        let vL = try need(m.visionNumLayers, "vision_num_layers", m)
        let p = try need(m.visionPatchSize, "vision_patch_size", m)
        let img = try need(m.visionImageSize, "vision_image_size", m)
        let c = m.visionNumChannels ?? 3
        b.add(.other2D, vh, c * p * p, part: .vision)
        b.vec(.bias, vh, part: .vision)
        let patches = (img / p) * (img / p)
        b.add(.other2D, patches, vh, part: .vision)
        for i in 0..<vL {
            for _ in 0..<4 { b.vec(.norm, vh, layer: i, part: .vision) }  // 2 LayerNorms, weight + bias
            for _ in 0..<4 { b.linear(.other2D, out: vh, in: vh, bias: true, layer: i, part: .vision) }
            b.linear(.other2D, out: vI, in: vh, bias: true, layer: i, part: .vision)
            b.linear(.other2D, out: vh, in: vI, bias: true, layer: i, part: .vision)
        }
        b.vec(.norm, 2 * vh, part: .vision)  // post LayerNorm
        b.add(.other2D, textHidden, vh, part: .vision)  // multi-modal projector
        b.vec(.norm, vh, part: .vision)  // soft embedding norm
    }

    // MARK: Falcon

    static func falcon(_ m: Model, _ b: inout Builder) throws {
        let h = try need(m.hiddenSize, "hidden_size", m)
        let L = try need(m.numHiddenLayers, "num_hidden_layers", m)
        let V = try need(m.vocabSize, "vocab_size", m)
        let H = try need(m.numAttentionHeads, "num_attention_heads", m)
        let I = m.intermediateSize ?? 4 * h
        let hd = m.resolvedHeadDim
        let kv = m.kvHeads
        let bias = m.bias ?? false
        b.add(.embedding, V, h)
        for i in 0..<L {
            b.linear(.attnQKV, out: (H + 2 * kv) * hd, in: h, bias: bias, layer: i)
            b.linear(.attnO, out: h, in: H * hd, bias: bias, layer: i)
            b.linear(.ffnUp, out: I, in: h, bias: bias, layer: i)
            b.linear(.ffnDown, out: h, in: I, bias: bias, layer: i)
            let norms = (m.newDecoderArchitecture == true || m.parallelAttn == false) ? 2 : 1
            for _ in 0..<norms { b.vec(.norm, 2 * h, layer: i) }
        }
        b.vec(.norm, 2 * h)
        if m.tieWordEmbeddings == false { b.add(.lmHead, V, h) }
    }

    // MARK: GPT-2 (and GPT-3-shaped models)

    static func gpt2(_ m: Model, _ b: inout Builder) throws {
        let h = try need(m.hiddenSize, "hidden_size", m)
        let L = try need(m.numHiddenLayers, "num_hidden_layers", m)
        let V = try need(m.vocabSize, "vocab_size", m)
        let P = try need(m.maxPositionEmbeddings, "max_position_embeddings (n_positions)", m)
        let I = m.intermediateSize ?? 4 * h
        b.add(.embedding, V, h)
        b.add(.positionEmbedding, P, h)
        for i in 0..<L {
            b.vec(.norm, 2 * h, layer: i)
            b.linear(.attnQKV, out: 3 * h, in: h, bias: true, layer: i)
            b.linear(.attnO, out: h, in: h, bias: true, layer: i)
            b.vec(.norm, 2 * h, layer: i)
            b.linear(.ffnUp, out: I, in: h, bias: true, layer: i)
            b.linear(.ffnDown, out: h, in: I, bias: true, layer: i)
        }
        b.vec(.norm, 2 * h)
        if m.tieWordEmbeddings == false { b.add(.lmHead, V, h) }
    }

    // MARK: BERT / RoBERTa / XLM-RoBERTa encoders

    static func bert(_ m: Model, _ b: inout Builder) throws {
        let h = try need(m.hiddenSize, "hidden_size", m)
        let L = try need(m.numHiddenLayers, "num_hidden_layers", m)
        let V = try need(m.vocabSize, "vocab_size", m)
        let I = try need(m.intermediateSize, "intermediate_size", m)
        let P = try need(m.maxPositionEmbeddings, "max_position_embeddings", m)
        b.add(.embedding, V, h)
        b.add(.positionEmbedding, P, h)
        if let tv = m.typeVocabSize, tv > 0 { b.add(.positionEmbedding, tv, h) }
        b.vec(.norm, 2 * h)
        for i in 0..<L {
            b.linear(.attnQ, out: h, in: h, bias: true, layer: i)
            b.linear(.attnK, out: h, in: h, bias: true, layer: i)
            b.linear(.attnV, out: h, in: h, bias: true, layer: i)
            b.linear(.attnO, out: h, in: h, bias: true, layer: i)
            b.vec(.norm, 2 * h, layer: i)
            b.linear(.ffnUp, out: I, in: h, bias: true, layer: i)
            b.linear(.ffnDown, out: h, in: I, bias: true, layer: i)
            b.vec(.norm, 2 * h, layer: i)
        }
        try encoderHeads(m, h: h, V: V, robertaStyle: m.modelType != "bert", &b)
    }

    /// Pooler and task heads named by `architectures`, as the checkpoints carry them.
    static func encoderHeads(_ m: Model, h: Int, V: Int, robertaStyle: Bool, _ b: inout Builder) throws {
        let arch = m.architectures?.first ?? "Model"
        let labels = max(1, m.numLabels ?? 2)
        let pooler = { (b: inout Builder) in b.linear(.other2D, out: h, in: h, bias: true) }
        if arch.hasSuffix("ForSequenceClassification") {
            if robertaStyle {
                b.linear(.other2D, out: h, in: h, bias: true)  // classifier.dense
                b.linear(.other2D, out: labels, in: h, bias: true)  // classifier.out_proj
            } else {
                pooler(&b)
                b.linear(.other2D, out: labels, in: h, bias: true)
            }
        } else if arch.hasSuffix("ForTokenClassification") {
            b.linear(.other2D, out: labels, in: h, bias: true)
        } else if arch.hasSuffix("ForMaskedLM") || arch.hasSuffix("ForPreTraining") {
            // The original pre-training checkpoints keep the pooler and, for BERT, the NSP head.
            pooler(&b)
            b.linear(.other2D, out: h, in: h, bias: true)  // MLM transform dense
            b.vec(.norm, 2 * h)  // MLM transform LayerNorm
            b.vec(.bias, V)  // decoder bias (decoder weight tied to the embedding)
            if !robertaStyle { b.linear(.other2D, out: 2, in: h, bias: true) }  // NSP
        } else {
            pooler(&b)
        }
    }

    // MARK: GTE "new" encoder (Alibaba-NLP gte-multilingual-base)

    static func gte(_ m: Model, _ b: inout Builder) throws {
        let h = try need(m.hiddenSize, "hidden_size", m)
        let L = try need(m.numHiddenLayers, "num_hidden_layers", m)
        let V = try need(m.vocabSize, "vocab_size", m)
        let I = try need(m.intermediateSize, "intermediate_size", m)
        b.add(.embedding, V, h)
        if let tv = m.typeVocabSize, tv > 0 { b.add(.positionEmbedding, tv, h) }
        b.vec(.norm, 2 * h)
        for i in 0..<L {
            b.linear(.attnQKV, out: 3 * h, in: h, bias: true, layer: i)
            b.linear(.attnO, out: h, in: h, bias: true, layer: i)
            b.vec(.norm, 2 * h, layer: i)
            b.add(.ffnGateUp, 2 * I, h, layer: i)
            b.linear(.ffnDown, out: h, in: I, bias: true, layer: i)
            b.vec(.norm, 2 * h, layer: i)
        }
        let arch = m.architectures?.first ?? "NewModel"
        if arch.hasSuffix("ForTokenClassification") || arch.hasSuffix("ForSequenceClassification") {
            b.linear(.other2D, out: max(1, m.numLabels ?? 2), in: h, bias: true)
        } else {
            b.linear(.other2D, out: h, in: h, bias: true)  // pooler
        }
    }

    // MARK: Whisper (encoder-decoder)

    static func whisper(_ m: Model, _ b: inout Builder) throws {
        let d = try need(m.hiddenSize, "d_model", m)
        let eL = try need(m.encoderLayers, "encoder_layers", m)
        let dL = try need(m.decoderLayers, "decoder_layers", m)
        let eF = try need(m.encoderFfnDim, "encoder_ffn_dim", m)
        let dF = try need(m.decoderFfnDim, "decoder_ffn_dim", m)
        let V = try need(m.vocabSize, "vocab_size", m)
        let mel = try need(m.numMelBins, "num_mel_bins", m)
        let src = try need(m.maxSourcePositions, "max_source_positions", m)
        let tgt = try need(m.maxTargetPositions, "max_target_positions", m)
        func attention(_ i: Int) {
            b.linear(.attnQ, out: d, in: d, bias: true, layer: i)
            b.linear(.attnK, out: d, in: d, bias: false, layer: i)
            b.linear(.attnV, out: d, in: d, bias: true, layer: i)
            b.linear(.attnO, out: d, in: d, bias: true, layer: i)
        }
        // Encoder: two convolutions, positions, layers, final norm. Layer index -1: not decoder.
        b.add(.other2D, d, mel * 3); b.vec(.bias, d)
        b.add(.other2D, d, d * 3); b.vec(.bias, d)
        b.add(.positionEmbedding, src, d)
        for _ in 0..<eL {
            attention(-1)
            b.vec(.norm, 2 * d)
            b.linear(.ffnUp, out: eF, in: d, bias: true)
            b.linear(.ffnDown, out: d, in: eF, bias: true)
            b.vec(.norm, 2 * d)
        }
        b.vec(.norm, 2 * d)
        // Decoder.
        b.add(.embedding, V, d)
        b.add(.positionEmbedding, tgt, d)
        for i in 0..<dL {
            attention(i)
            b.vec(.norm, 2 * d, layer: i)
            attention(i)  // cross-attention
            b.vec(.norm, 2 * d, layer: i)
            b.linear(.ffnUp, out: dF, in: d, bias: true, layer: i)
            b.linear(.ffnDown, out: d, in: dF, bias: true, layer: i)
            b.vec(.norm, 2 * d, layer: i)
        }
        b.vec(.norm, 2 * d)
        if m.tieWordEmbeddings == false { b.add(.lmHead, V, d) }
    }
}
