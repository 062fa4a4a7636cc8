/// ggml tensor types with their exact storage cost (bits per weight from the block layouts).
public enum GGMLType: String, Sendable, CaseIterable {
    case f32 = "F32", f16 = "F16", bf16 = "BF16", q8_0 = "Q8_0", q6_K = "Q6_K", q5_K = "Q5_K", q4_K = "Q4_K"
    case q3_K = "Q3_K", q2_K = "Q2_K", q4_0 = "Q4_0", q4_1 = "Q4_1", q5_0 = "Q5_0", q5_1 = "Q5_1"
    case iq4_xs = "IQ4_XS", iq4_nl = "IQ4_NL"

    /// (block elements, block bytes) as ggml lays them out.
    public var block: (elements: Int, bytes: Int) {
        switch self {
        case .f32: return (1, 4)
        case .f16, .bf16: return (1, 2)
        case .q8_0: return (32, 34)
        case .q6_K: return (256, 210)
        case .q5_K: return (256, 176)
        case .q4_K: return (256, 144)
        case .q3_K: return (256, 110)
        case .q2_K: return (256, 84)
        case .q4_0: return (32, 18)
        case .q4_1: return (32, 20)
        case .q5_0: return (32, 22)
        case .q5_1: return (32, 24)
        case .iq4_xs: return (256, 136)
        case .iq4_nl: return (32, 18)
        }
    }
    public var bitsPerWeight: Double { Double(block.bytes * 8) / Double(block.elements) }
}

/// A weight storage format: how many bytes each tensor takes.
public enum WeightFormat: Sendable, Equatable {
    /// Plain floats: fp32, fp16, bf16.
    case float(bits: Int)
    /// fp8 (e4m3) linear weights with one fp32 scale per output channel; embeddings, head and norms in 16 bit.
    case fp8
    /// int8 linear weights (W8A8 / LLM.int8) with one fp32 scale per output channel.
    case int8
    /// 4-bit float with a block scale: NVFP4 (fp8 scale per 16) or MXFP4 (e8m0 scale per 32).
    case fp4(scaleBits: Int, block: Int, name: String)
    /// bitsandbytes 4-bit (nf4 / fp4) with fp32 absmax per 64-block; double quantisation stores the
    /// absmax as 8-bit with one fp32 per 256 blocks.
    case bnb4(doubleQuant: Bool)
    /// Group-wise integer quantisation with fp16 scales and packed zeros (AWQ, GPTQ; GPTQ adds g_idx).
    case grouped(method: String, bits: Int, group: Int)
    /// A llama.cpp GGUF file type (a mix of ggml types chosen per tensor).
    case gguf(GGUFMix)

    public static let knownNames = ["fp32", "fp16", "bf16", "fp8", "int8", "int4", "nf4", "nf4-dq", "fp4", "mxfp4",
                                    "awq", "gptq", "gptq-8bit"] + GGUFMix.allCases.map { $0.rawValue }

    /// Parses a format name, case-insensitive, accepting each engine's own spelling.
    public static func parse(_ raw: String) throws -> WeightFormat {
        let s = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        switch s {
        case "fp32", "f32", "float32", "float": return .float(bits: 32)
        case "fp16", "f16", "float16", "half": return .float(bits: 16)
        case "bf16", "bfloat16": return .float(bits: 16)
        case "fp8", "fp8-e4m3", "f8", "float8", "e4m3", "fp8-dynamic", "w8a8-fp8": return .fp8
        case "int8", "w8a8", "llm.int8", "bnb-8bit", "8bit": return .int8
        case "nf4", "bnb-nf4", "bnb-4bit", "4bit": return .bnb4(doubleQuant: false)
        case "nf4-dq", "nf4-double-quant", "qlora": return .bnb4(doubleQuant: true)
        case "fp4", "nvfp4": return .fp4(scaleBits: 8, block: 16, name: "nvfp4")
        case "mxfp4": return .fp4(scaleBits: 8, block: 32, name: "mxfp4")
        case "int4", "awq", "awq-int4", "w4a16", "awq-g128": return .grouped(method: "awq", bits: 4, group: 128)
        case "awq-g64": return .grouped(method: "awq", bits: 4, group: 64)
        case "gptq", "gptq-int4", "gptq-4bit", "gptq-4bit-g128": return .grouped(method: "gptq", bits: 4, group: 128)
        case "gptq-g32", "gptq-4bit-g32": return .grouped(method: "gptq", bits: 4, group: 32)
        case "gptq-8bit", "gptq-int8", "gptq-8bit-g128": return .grouped(method: "gptq", bits: 8, group: 128)
        case "gptq-3bit", "gptq-3bit-g128": return .grouped(method: "gptq", bits: 3, group: 128)
        default:
            let upper = s.uppercased().replacingOccurrences(of: "-", with: "_")
            if let mix = GGUFMix(rawValue: upper) { return .gguf(mix) }
            throw CoreError.unknownName(kind: "weight format", name: raw, known: knownNames)
        }
    }

    /// Canonical name, as `--weights` takes it.
    public var name: String {
        switch self {
        case .float(let b): return b == 32 ? "fp32" : "fp16"
        case .fp8: return "fp8"
        case .int8: return "int8"
        case .fp4(_, _, let n): return n == "nvfp4" ? "fp4" : n
        case .bnb4(let dq): return dq ? "nf4-dq" : "nf4"
        case .grouped(let m, let bits, let g):
            if m == "awq" { return g == 128 ? "awq" : "awq-g\(g)" }
            return bits == 4 ? (g == 128 ? "gptq" : "gptq-g\(g)") : "gptq-\(bits)bit"
        case .gguf(let mix): return mix.rawValue
        }
    }

    /// Bytes per element the compute reads for dense math (used by the performance model).
    public var computeDType: String {
        switch self {
        case .float(let b): return b == 32 ? "fp32" : "bf16"
        case .fp8: return "fp8"
        case .int8: return "int8"
        case .fp4: return "fp4"
        default: return "bf16"  // weight-only quantisation dequantises to 16-bit for the matmul
        }
    }

    /// A format that stores some tensors below 16 bits (not plain floats or GGUF files).
    var isQuantized: Bool {
        switch self {
        case .float, .gguf: return false
        default: return true
        }
    }

    /// Tensors that quantised formats keep in 16-bit: embeddings, output head, norms, biases,
    /// routers, vision tower and other non-layer matrices.
    static func isQuantizable(_ t: TensorInfo) -> Bool {
        guard t.is2D, t.part != .vision, t.layer >= 0 else { return false }
        switch t.role {
        case .router, .other2D, .embedding, .lmHead, .positionEmbedding, .sharedExpertGate: return false
        default: return true
        }
    }

    /// Bytes of one tensor in this format.
    func bytes(of t: TensorInfo, context: GGUFMix.Context) -> Double {
        let n = t.elements
        let rows = t.rowSize > 0 ? n / Double(t.rowSize) : 0
        switch self {
        case .float(let bits): return n * Double(bits) / 8
        case .gguf(let mix):
            let ty = mix.type(for: t, context)
            return n * ty.bitsPerWeight / 8
        default: break
        }
        guard WeightFormat.isQuantizable(t) else { return n * 2 }
        switch self {
        case .fp8, .int8: return n + rows * 4
        case .fp4(let sb, let block, _): return n / 2 + n / Double(block) * Double(sb) / 8 + 4
        case .bnb4(let dq):
            let blocks = n / 64
            return n / 2 + (dq ? blocks * 1 + blocks / 256 * 4 + 256 * 4 : blocks * 4)
        case .grouped(let method, let bits, let group):
            let groups = n / Double(group)
            var b = n * Double(bits) / 8 + groups * 2 + groups * Double(bits) / 8
            if method == "gptq" { b += Double(t.rowSize) * 4 }
            return b
        case .float, .gguf: return n * 2
        }
    }
}

/// Result of sizing a model's weights in one format.
public struct WeightSize: Sendable, Equatable {
    public var bytes: Int64
    public var params: Int64
    public var bitsPerWeight: Double
    /// Bytes of tensors stored per layer (for offload and per-GPU splits), by decoder layer index.
    public var layerBytes: [Int: Int64]
    /// Bytes of tensors outside the layer stack (embeddings, head, final norm, vision).
    public var nonLayerBytes: Int64
    public var embeddingBytes: Int64
    public var outputBytes: Int64
    /// Bytes of routed-expert tensors (a decode step reads only the experts its tokens pick).
    public var expertBytes: Int64 = 0
    /// Bytes of the vision tower (not read while generating text).
    public var visionBytes: Int64 = 0
}

extension WeightFormat {
    /// One tensor's bytes in this format under the checkpoint's own config: modules it leaves
    /// unquantised stay 16-bit, and block-wise fp8 scales replace the per-row ones.
    func bytes(of t: TensorInfo, context c: GGUFMix.Context, quantization q: QuantizationConfig?) -> Double {
        let b = bytes(of: t, context: c)
        guard let q, isQuantized, WeightFormat.isQuantizable(t) else { return b }
        if q.keepsUnquantized(t.moduleName) { return t.elements * 2 }
        if case .fp8 = self, let block = q.weightBlockSize, t.rowSize > 0 {
            let rows = t.elements / Double(t.rowSize)
            let blocks = (rows / Double(block[0])).rounded(.up) * (Double(t.rowSize) / Double(block[1])).rounded(.up)
            return t.elements + blocks * 4
        }
        return b
    }

    /// Sizes all weights of the main model (no MTP layers) in this format.
    public func size(_ pc: ParamCount, model: Model) -> WeightSize {
        let ctx = GGUFMix.Context(model: model, tensors: pc.tensors)
        var total = 0.0, params = 0.0, nonLayer = 0.0, emb = 0.0, out = 0.0, expert = 0.0, vision = 0.0
        var perLayer: [Int: Double] = [:]
        var ffnDownIndex = 0
        for var t in pc.tensors where t.part != .mtp {
            var c = ctx
            if t.role == .ffnDown || t.role == .expertDown || t.role == .sharedDown {
                c.ffnDownIndex = ffnDownIndex
                ffnDownIndex += 1
            }
            // With tied embeddings llama.cpp treats the token embedding as the output tensor.
            if t.role == .embedding && !ctx.hasOutput { t.role = .lmHead; c.tiedOutput = true }
            let b = bytes(of: t, context: c, quantization: model.quantization)
            total += b
            params += t.elements
            if t.layer >= 0 && t.part == .main { perLayer[t.layer, default: 0] += b } else { nonLayer += b }
            if t.role == .embedding || (c.tiedOutput && t.role == .lmHead) { emb += b }
            if t.role == .lmHead && !c.tiedOutput { out += b }
            if t.isExpert { expert += b }
            if t.part == .vision { vision += b }
        }
        return WeightSize(bytes: Int64(total.rounded()), params: Int64(params),
                          bitsPerWeight: params > 0 ? total * 8 / params : 0,
                          layerBytes: perLayer.mapValues { Int64($0.rounded()) }, nonLayerBytes: Int64(nonLayer.rounded()),
                          embeddingBytes: Int64(emb.rounded()), outputBytes: Int64(out.rounded()),
                          expertBytes: Int64(expert.rounded()), visionBytes: Int64(vision.rounded()))
    }
}

/// llama.cpp file types (`llama-quantize` presets) and the per-tensor type rules they apply
/// (after llama.cpp's `llama_tensor_get_type`): output at Q6_K, more bits for attn_v and
/// ffn_down on the first, last and every third layer for the _M mixes, norms in F32, and so on.
public enum GGUFMix: String, Sendable, CaseIterable {
    case F32, F16, BF16, Q8_0, Q6_K, Q5_K_M, Q5_K_S, Q4_K_M, Q4_K_S, Q4_0, Q4_1, Q5_0, Q5_1
    case Q3_K_L, Q3_K_M, Q3_K_S, Q2_K, IQ4_XS, IQ4_NL

    public struct Context: Sendable {
        var layers: Int
        var experts: Int
        var gqa: Int
        var hasOutput: Bool
        var nFFNDown: Int
        var ffnDownIndex = 0
        var tiedOutput = false
        var is70BLlama: Bool
        var isFalcon: Bool

        init(model m: Model, tensors: [TensorInfo]) {
            layers = max(1, m.layers)
            experts = m.numExperts ?? 0
            gqa = m.kvHeads > 0 ? max(1, m.heads / m.kvHeads) : 1
            hasOutput = tensors.contains { $0.role == .lmHead }
            nFFNDown = max(1, tensors.filter { ($0.role == .ffnDown || $0.role == .expertDown || $0.role == .sharedDown) && $0.part == .main }.count)
            is70BLlama = m.modelType == "llama" && m.layers == 80
            isFalcon = m.modelType == "falcon"
        }
    }

    var base: GGMLType {
        switch self {
        case .F32: return .f32
        case .F16: return .f16
        case .BF16: return .bf16
        case .Q8_0: return .q8_0
        case .Q6_K: return .q6_K
        case .Q5_K_M, .Q5_K_S: return .q5_K
        case .Q4_K_M, .Q4_K_S: return .q4_K
        case .Q4_0: return .q4_0
        case .Q4_1: return .q4_1
        case .Q5_0: return .q5_0
        case .Q5_1: return .q5_1
        case .Q3_K_L, .Q3_K_M, .Q3_K_S: return .q3_K
        case .Q2_K: return .q2_K
        case .IQ4_XS: return .iq4_xs
        case .IQ4_NL: return .iq4_nl
        }
    }

    static func useMoreBits(_ i: Int, _ n: Int) -> Bool {
        i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2
    }

    func type(for t: TensorInfo, _ c: Context) -> GGMLType {
        if !t.is2D || t.role == .router { return .f32 }
        if [.F32, .F16, .BF16].contains(self) { return base }
        var ty = base
        let kQuant: Set<GGUFMix> = [.Q2_K, .Q3_K_S, .Q3_K_M, .Q3_K_L, .Q4_K_S, .Q4_K_M, .Q5_K_S, .Q5_K_M]
        let i = t.layer
        switch t.role {
        case .lmHead:
            ty = c.isFalcon || self == .Q8_0 ? .q8_0 : .q6_K
        case .attnV:
            switch self {
            case .Q2_K: ty = c.gqa >= 4 ? .q4_K : .q3_K
            case .Q3_K_M: ty = i < 2 ? .q5_K : .q4_K
            case .Q3_K_L: ty = .q5_K
            case .Q4_K_M, .Q5_K_M: ty = GGUFMix.useMoreBits(i, c.layers) ? .q6_K : base
            case .Q4_K_S: ty = i < 4 ? .q5_K : base
            case .IQ4_XS, .IQ4_NL: ty = c.gqa >= 4 ? .q5_K : base
            default: break
            }
            if c.is70BLlama && (ty == .q3_K || ty == .q4_K) { ty = .q5_K }
            if c.experts == 8 && kQuant.contains(self) { ty = .q8_0 }
        case .attnK:
            if c.experts == 8 && kQuant.contains(self) { ty = .q8_0 }
        case .attnQKV:
            switch self {
            case .Q3_K_M, .Q3_K_L: ty = .q4_K
            case .Q4_K_M: ty = .q5_K
            case .Q5_K_M: ty = .q6_K
            default: break
            }
        case .attnO:
            if c.experts == 8 && [.Q2_K, .Q3_K_S, .Q3_K_M, .Q4_K_S, .Q4_K_M].contains(self) { ty = .q5_K }
            else {
                switch self {
                case .Q2_K: ty = .q3_K
                case .Q3_K_M: ty = .q4_K
                case .Q3_K_L: ty = .q5_K
                default: break
                }
            }
        case .ffnDown, .expertDown, .sharedDown:
            let k = c.ffnDownIndex, n = c.nFFNDown
            switch self {
            case .Q2_K: ty = .q3_K
            case .Q3_K_M: ty = k < n / 16 ? .q5_K : GGUFMix.useMoreBits(k, n) ? .q4_K : .q3_K
            case .Q3_K_L: ty = .q5_K
            case .Q4_K_M, .Q5_K_M: ty = GGUFMix.useMoreBits(k, n) ? .q6_K : base
            case .Q4_K_S: ty = (k < n / 8 && !c.isFalcon) ? .q5_K : base
            default: break
            }
        default: break
        }
        // Rows that do not fill a 256-element super-block fall back to a 32-block type.
        if ty.block.elements == 256 && t.rowSize % 256 != 0 {
            switch ty {
            case .q2_K, .q3_K, .iq4_xs: ty = .iq4_nl
            case .q4_K: ty = .q5_0
            case .q5_K: ty = .q5_1
            case .q6_K: ty = .q8_0
            default: break
            }
        }
        if ty.block.elements == 32 && t.rowSize % 32 != 0 { ty = .f16 }
        return ty
    }
}
