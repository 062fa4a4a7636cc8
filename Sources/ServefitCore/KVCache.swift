/// Element types a KV cache can be stored in, with each engine's spellings.
public struct KVDType: Sendable, Equatable {
    public let name: String
    /// Bytes per element (block formats such as q8_0 carry their scale: 34 bytes per 32).
    public let bytesPerElement: Double

    public static let known: [(names: [String], canonical: String, bytes: Double)] = [
        (["fp32", "f32", "float32", "float"], "fp32", 4),
        (["fp16", "f16", "float16", "half", "auto"], "fp16", 2),
        (["bf16", "bfloat16"], "bf16", 2),
        (["fp8", "fp8_e4m3", "fp8_e5m2", "f8", "float8", "e4m3", "e5m2", "fp8-e4m3", "fp8-e5m2"], "fp8", 1),
        (["int8", "i8"], "int8", 1),
        (["q8_0", "q8-0"], "q8_0", 34.0 / 32.0),
        (["q5_1"], "q5_1", 24.0 / 32.0),
        (["q5_0"], "q5_0", 22.0 / 32.0),
        (["q4_1"], "q4_1", 20.0 / 32.0),
        (["q4_0", "q4-0", "int4"], "q4_0", 18.0 / 32.0),
        (["iq4_nl"], "iq4_nl", 18.0 / 32.0),
    ]

    public static func parse(_ raw: String) throws -> KVDType {
        let s = raw.trimmingCharacters(in: .whitespaces).lowercased()
        for k in known where k.names.contains(s) { return KVDType(name: k.canonical, bytesPerElement: k.bytes) }
        throw CoreError.unknownName(kind: "KV cache dtype", name: raw, known: known.map { $0.canonical })
    }
    public static let fp16 = KVDType(name: "fp16", bytesPerElement: 2)
}

/// How many values one cached token stores in one layer, split into K and V.
public struct KVWidth: Sendable, Equatable {
    public var k: Int
    public var v: Int
}

/// KV cache sizing: sum over attention layers of K and V widths times the dtype size, with
/// sliding-window layers holding at most their window and encoders holding none.
public enum KVCache {
    /// Per-layer K/V widths for a decoder layer under an engine's storage scheme.
    public static func width(_ m: Model, engine: Engine, tp: Int = 1, release: VLLMRelease = .current) -> KVWidth {
        if m.kind == .encoder { return KVWidth(k: 0, v: 0) }
        if m.isMLA {
            let latent = (m.kvLoraRank ?? 0) + (m.qkRopeHeadDim ?? 0)
            if engine == .vllm, let head = release.mlaDecompressedHeadSize(m) {
                // Before MLA caching (0.7.1) vLLM ran DeepSeek-V2/V3 as multi-head attention: every
                // head's K and V cached, split over tensor-parallel ranks, at the padded head size.
                let heads = max(1, m.heads / max(1, tp))
                return KVWidth(k: heads * head, v: heads * head)
            }
            switch engine {
            case .llamaCpp: return KVWidth(k: latent, v: m.kvLoraRank ?? 0)  // mainline: K latent+rope, V latent
            case .transformers:  // decompressed per-head K (nope+rope) and V
                return KVWidth(k: m.heads * ((m.qkNopeHeadDim ?? 0) + (m.qkRopeHeadDim ?? 0)), v: m.heads * (m.vHeadDim ?? 0))
            default: return KVWidth(k: latent, v: 0)  // vLLM / SGLang: one latent per token per layer
            }
        }
        let hd = m.kind == .encoderDecoder ? (m.hiddenSize ?? 0) / max(1, m.heads) : m.resolvedHeadDim
        let kvPerGPU = max(1, Int((Double(m.kvHeads) / Double(max(1, tp))).rounded(.up)))
        return KVWidth(k: kvPerGPU * hd, v: kvPerGPU * hd)
    }

    /// Whether this engine gives sliding-window layers a window-sized cache.
    /// vLLM and transformers do for any sliding layer; llama.cpp does only for hybrid models
    /// (its iSWA cache), keeping full-size caches for models where every layer slides.
    public static func honoursWindows(_ m: Model, engine: Engine) -> Bool {
        switch engine {
        case .llamaCpp: return m.hasHybridSlidingLayers
        case .quick: return false
        default: return true
        }
    }

    public struct Breakdown: Sendable, Equatable {
        /// Bytes one token costs summed over every caching layer (ignoring windows).
        public var bytesPerToken: Int64
        /// Total bytes for the requested tokens, windows and cross-attention applied.
        public var bytes: Int64
        public var kBytes: Int64
        public var vBytes: Int64
        public var fullLayers: Int
        public var slidingLayers: Int
        public var slidingCells: Int
        public var crossAttentionBytes: Int64
        public var formula: String
    }

    /// KV bytes for `sequences` sequences of `tokens` each (llama.cpp: one shared cache of
    /// `tokens × sequences` cells, padded to 256, with iSWA cells for sliding layers).
    public static func size(_ m: Model, dtype: KVDType, engine: Engine, tokens: Int, sequences: Int,
                            tp: Int = 1, pp: Int = 1, ubatch: Int = 512, encoderTokens: Int? = nil, explain: Bool = true,
                            release: VLLMRelease = .current) -> Breakdown {
        let w = width(m, engine: engine, tp: tp, release: release)
        let layers = m.kind == .encoder ? 0 : max(0, m.layers)
        let per = Double(w.k + w.v) * dtype.bytesPerElement
        let honours = honoursWindows(m, engine: engine)
        var kTotal = 0.0, vTotal = 0.0
        var full = 0, sliding = 0
        var slidingCells = 0
        let seqs = Double(max(1, sequences))
        var cellsFull: Double
        if engine == .llamaCpp {
            let nctx = pad(tokens * max(1, sequences), 256)
            cellsFull = Double(nctx)
            if let win = m.slidingWindow, honours {
                slidingCells = min(nctx, pad(win * max(1, sequences) + ubatch, 256))
            }
        } else {
            cellsFull = Double(tokens) * seqs
            if let win = m.slidingWindow, honours { slidingCells = Int(Double(min(tokens, win)) * seqs) }
        }
        for i in 0..<layers {
            let isSliding = honours && m.isSlidingLayer(i) && m.slidingWindow != nil
            let cells = isSliding ? Double(slidingCells) : cellsFull
            if isSliding { sliding += 1 } else { full += 1 }
            kTotal += cells * Double(w.k) * dtype.bytesPerElement
            vTotal += cells * Double(w.v) * dtype.bytesPerElement
        }
        var cross = 0.0
        if m.kind == .encoderDecoder {
            let enc = Double(encoderTokens ?? m.maxSourcePositions ?? 0)
            cross = 2 * Double(layers) * Double(m.hiddenSize ?? 0) * enc * seqs * dtype.bytesPerElement
        }
        let stage = Double(max(1, pp))
        var formula = ""
        if !explain {
        } else if layers == 0 {
            formula = "encoder-only: no KV cache"
        } else {
            formula = "\(full) layers × (K \(w.k) + V \(w.v)) × \(fmt(dtype.bytesPerElement)) B × \(Int(cellsFull)) tokens"
            if sliding > 0 { formula += " + \(sliding) sliding layers × \(slidingCells) tokens (window \(m.slidingWindow ?? 0))" }
            if cross > 0 { formula += " + cross-attention 2 × \(layers) × \(m.hiddenSize ?? 0) × \(Int(encoderTokens ?? m.maxSourcePositions ?? 0)) encoder positions × \(Int(seqs)) seqs" }
            if pp > 1 { formula += ", ÷ \(pp) pipeline stages" }
        }
        return Breakdown(bytesPerToken: i64((per * Double(layers)).rounded()),
                         bytes: i64(((kTotal + vTotal + cross) / stage).rounded()),
                         kBytes: i64((kTotal / stage).rounded()), vBytes: i64((vTotal / stage).rounded()),
                         fullLayers: full, slidingLayers: sliding, slidingCells: slidingCells,
                         crossAttentionBytes: i64(cross / stage), formula: formula)
    }

    static func pad(_ n: Int, _ to: Int) -> Int { ((n + to - 1) / to) * to }
    static func fmt(_ x: Double) -> String { x == x.rounded() ? String(Int(x)) : Units.format(x, 4) }
}
