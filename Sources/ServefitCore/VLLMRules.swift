import Foundation

/// How one vLLM release line sizes its KV cache at start-up, read from that line's own worker and
/// scheduler code (Benchmarks/calibration/engines/vllm-memory-rules.md gives each commit):
///
///     kv bytes per rank = total memory × gpu_memory_utilization
///                         − (weights + activation peak of the profiling run + non-torch memory)
///     blocks            = min over ranks (kv bytes ÷ page bytes of all layers)
///
/// What changes between lines is which engine runs (V0 or V1), the profiling run's default batch
/// (`max_num_batched_tokens`, `max_num_seqs`), the KV cache dtypes and quantisation methods
/// accepted, and whether CUDA graphs are paid for inside the budget.
public struct VLLMRelease: Sendable, Hashable, Codable {
    /// The release lines whose start-up rules differ.
    public enum Line: String, Sendable, Codable, CaseIterable {
        /// 0.5.x – 0.6.3: V0 engine; peak = free memory before load − free memory after the profile.
        case v0_5 = "0.5"
        /// 0.6.4 – 0.8.x (V0 engine): `memory_profiling`: torch peak + non-torch + weights.
        case v0_6 = "0.6"
        /// 0.8 – 0.9.0 with the V1 engine (default from 0.8): always chunked prefill, device-tiered defaults.
        case v0_8 = "0.8"
        /// 0.9.1 – 0.17: V1 reusing `memory_profiling`; `--kv-cache-memory-bytes` from 0.10.2.
        case v0_10 = "0.10"
        /// 0.18 and later (current): requested memory rounded up; a ≥160 GiB tier of batched tokens.
        case latest = "latest"
    }

    /// A release as [major, minor, patch], comparable.
    public struct Number: Sendable, Hashable, Codable, Comparable {
        public var major: Int, minor: Int, patch: Int
        public init(_ major: Int, _ minor: Int, _ patch: Int = 0) { self.major = major; self.minor = minor; self.patch = patch }
        public static func < (a: Number, b: Number) -> Bool { (a.major, a.minor, a.patch) < (b.major, b.minor, b.patch) }
    }

    public let line: Line
    /// The release asked for; nil for `latest` (the newest release servefit has read).
    public let number: Number?

    public init(line: Line, number: Number? = nil) { self.line = line; self.number = number }

    public static let latest = VLLMRelease(line: .latest)
    public static let current: VLLMRelease = .latest
    /// The newest release whose source servefit's rules were read from (what `latest` means).
    public static let newestRead = Number(0, 19, 0)

    /// The release the finer rules compare against: the one asked for, or the newest read.
    /// A bare line ("0.6") means its first release.
    public var effectiveNumber: Number {
        if let number { return number }
        switch line {
        case .v0_5: return Number(0, 5, 0)
        case .v0_6: return Number(0, 6, 4)
        case .v0_8: return Number(0, 8, 0)
        case .v0_10: return Number(0, 9, 1)
        case .latest: return Self.newestRead
        }
    }

    /// As given to `--engine-version` (round-trips through `parse`).
    public var text: String {
        guard let n = number else { return line.rawValue }
        return "\(n.major).\(n.minor).\(n.patch)"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(text)
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        self = try Self.parse(try c.decode(String.self))
    }

    /// "0.6.3", "v0.10.1", "0.11.0rc2", "0.8", "latest" → that release and the line whose rules apply.
    public static func parse(_ text: String) throws -> VLLMRelease {
        let s = text.lowercased().hasPrefix("v") ? String(text.dropFirst()) : text
        if s.lowercased() == "latest" || s.lowercased() == "current" { return .latest }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].count <= 3, let major = Int(parts[0]),
              let minor = Int(parts[1].prefix(4).prefix { $0.isNumber }) else {
            throw CoreError.badOption("--engine-version '\(text.prefix(40))' is not a vLLM version (e.g. 0.6.3, 0.10.1, latest)")
        }
        let patch = parts.count > 2 ? Int(parts[2].prefix(4).prefix { $0.isNumber }) ?? 0 : 0
        // 1.x and later: the current rules; before 0.5: the oldest line servefit has read (0.2–0.4
        // size the KV budget the same way: free memory before loading minus after profiling).
        guard major == 0 else { return .latest }
        let number = Number(major, minor, patch)
        let line: Line
        switch (minor, patch) {
        case (..<6, _), (6, ..<4): line = .v0_5
        case (6, _), (7, _): line = .v0_6
        case (8, _), (9, 0): line = .v0_8
        case (9, _), (10...17, _): line = .v0_10
        default: line = .latest
        }
        return VLLMRelease(line: line, number: number)
    }

    public var isV1: Bool { line != .v0_5 && line != .v0_6 }

    /// What `estimate --explain` names: the release line and the rule that decides its KV budget.
    public var label: String {
        switch line {
        case .v0_5: return "vLLM 0.5–0.6.3 (V0 engine, free-memory difference)"
        case .v0_6: return "vLLM 0.6.4–0.8 (V0 engine, memory_profiling)"
        case .v0_8: return "vLLM 0.8–0.9.0 (V1 engine)"
        case .v0_10: return "vLLM 0.9.1–0.17 (V1 engine, memory_profiling)"
        case .latest: return "vLLM 0.18+ (V1 engine, current)"
        }
    }

    /// The profiling run's batch when the launch line sets none: `max_num_batched_tokens` and
    /// `max_num_seqs`, by engine and device (`vllm serve`; `LLM(...)` offline use doubles the tokens).
    public func profileDefaults(maxModelLen: Int, gpuMemoryBytes: Int64, gpuName: String?) -> (batchedTokens: Int, seqs: Int) {
        let gib = Double(gpuMemoryBytes) / Double(Units.GiB)
        let name = (gpuName ?? "").lowercased()
        switch line {
        case .v0_5, .v0_6:
            // V0 chunks prompts only past 32k tokens of context; otherwise one profile pass holds
            // a whole max_model_len prompt.
            if maxModelLen > 32768 { return (line == .v0_5 ? 512 : 2048, 256) }
            return (max(maxModelLen, 2048), 256)
        case .v0_8:
            let big = name.contains("h100") || name.contains("h200")
            return big ? (8192, 1024) : (2048, 256)
        case .v0_10, .latest:
            // "For GPUs like H100 and MI300x": 70 GiB or more and not an A100.
            let big = gib >= 70 && !name.contains("a100")
            if line == .latest && gib >= 160 { return (16384, 1024) }
            return big ? (8192, 1024) : (2048, 256)
        }
    }

    /// The head size vLLM caches per K and per V head for an MLA model (DeepSeek-V2/V3) before
    /// it cached the latent (0.7.1, PR #11331): V0 0.6.x pads q/k/v heads of 192 (nope 128 +
    /// rope 64) to 256 (`ModelConfig.get_head_size`, "pad head_size 192 to 256"); 0.7.0 caches
    /// them at 192 (PR #12067). nil from 0.7.1: one latent per token and layer.
    public func mlaDecompressedHeadSize(_ m: Model) -> Int? {
        guard m.isMLA else { return nil }
        let n = effectiveNumber
        if n >= Number(0, 7, 1) { return nil }
        let head = (m.qkNopeHeadDim ?? 0) + (m.qkRopeHeadDim ?? 0)
        if n >= Number(0, 7, 0) { return head }
        return head == 192 ? 256 : head
    }

    /// KV cache dtypes `--kv-cache-dtype` accepts (besides `auto`).
    public var kvCacheDTypes: [String] {
        switch line {
        case .v0_5, .v0_6, .v0_8: return ["fp8", "fp8_e5m2", "fp8_e4m3"]
        case .v0_10: return ["fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc", "bfloat16"]
        case .latest: return ["bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc", "fp8_ds_mla"]
        }
    }

    /// Minimum NVIDIA compute capability of `--quantization fp8` (Marlin's weight-only fallback
    /// brought it to sm_75 in the current line).
    public var fp8MinimumSM: Int { line == .latest ? 75 : 80 }

    /// Bytes the profiling run's sampler holds per (sequence × vocabulary entry): fp32 logits,
    /// softmax probabilities, the sorted copy and its int64 indices for top-p/top-k, masks.
    /// Least-squares fit over the four start-up logs whose activation peak is sampler-bound
    /// (Llama-3-8B on 80 GB, V0: 41 B; Phi-4 GPTQ, V0: 39 B; Qwen3-235B FP8 on L40S, V1: 39 B;
    /// Qwen2.5-7B AWQ on 16 GB, V1: 29 B): 36 B, each log within 0.3 GiB of its printed peak.
    public static let samplerBytesPerLogit = 36.0
}

/// How vLLM holds a checkpoint's MXFP4 MoE experts (gpt-oss) on the GPU: each backend pads the
/// experts' widths to its kernel tiles, and some keep a second, swizzled copy of the scales.
/// Read from `quantization/mxfp4.py` and its backends in the 0.10.1.1, 0.11.0, 0.11.1 and 0.19.0
/// releases (Benchmarks/calibration/engines/vllm-memory-rules.md). vLLM's "Model loading took"
/// counts what stays allocated after loading: padding and kept copies, not load-time buffers.
public enum VLLMMXFP4Backend: String, Sendable {
    /// sm_80–sm_89, and sm_90 before 0.11: intermediate per rank rounded up to 128, hidden to 256.
    case marlin
    /// sm_90 on 0.11.0 (torch 2.8.0): triton_kernels over the stored layout, no padding of hidden.
    case tritonStrided
    /// sm_90 from 0.11.1 (torch ≥ 2.8.1): the scales swizzled for Hopper into a second copy (rows
    /// padded to 256) while the originals stay registered; biases in fp32.
    case tritonSwizzled
    /// sm_90 from 0.19 (triton_kernels bundled): as above, and the packed weights padded to
    /// 64-byte rows and columns.
    case tritonSwizzledPadded
    /// sm_100 (B200): FlashInfer's TRT-LLM kernels, 256-wide tiles both ways.
    case flashinferSM100
    /// Where servefit has not read the backend's layout (ROCm, other devices): the stored bytes.
    case stored

    public static func choose(release: VLLMRelease, gpu: GPU?) -> VLLMMXFP4Backend {
        guard let arch = gpu?.arch, arch.family == .cuda, let sm = arch.sm else { return .stored }
        let n = release.effectiveNumber
        typealias N = VLLMRelease.Number
        if sm >= 100 { return .flashinferSM100 }
        if sm < 90 { return .marlin }
        if n < N(0, 11, 0) { return .marlin }      // triton_kernels needed torch ≥ 2.8
        if n < N(0, 11, 1) { return .tritonStrided }
        if n < N(0, 19, 0) { return .tritonSwizzled }
        return .tritonSwizzledPadded
    }

    var label: String {
        switch self {
        case .marlin: return "Marlin"
        case .tritonStrided: return "triton_kernels"
        case .tritonSwizzled: return "triton_kernels, Hopper-swizzled scales kept beside the originals"
        case .tritonSwizzledPadded: return "bundled triton_kernels, swizzled scales and 64-byte padded weights"
        case .flashinferSM100: return "FlashInfer TRT-LLM"
        case .stored: return "stored layout"
        }
    }

    /// Bytes one GPU holds for one MoE layer's routed experts: gate_up (2I × H), down (H × I),
    /// 4-bit values with one e8m0 scale per 32, biases where the model has them; the
    /// intermediate width is split over tensor-parallel ranks before it is padded.
    func layerBytes(experts e: Int, hidden h: Int, intermediate i: Int, tp: Int, biases: Bool) -> Double {
        func up(_ x: Int, _ m: Int) -> Int { (x + m - 1) / m * m }
        var ip = i / max(1, tp), hp = h
        switch self {
        case .marlin: ip = up(ip, 128); hp = up(h, 256)
        case .flashinferSM100: ip = up(ip, 256); hp = up(h, 256)
        case .tritonStrided, .tritonSwizzled, .tritonSwizzledPadded: ip = up(ip, 64)
        case .stored: break
        }
        let E = Double(e)
        var w13 = E * Double(2 * ip) * Double(hp / 2), w2 = E * Double(hp) * Double(ip / 2)
        let s13 = E * Double(2 * ip) * Double(hp / 32), s2 = E * Double(hp) * Double(ip / 32)
        let biasBytes: Double = self == .tritonSwizzled || self == .tritonSwizzledPadded || self == .tritonStrided ? 4 : 2
        let b = biases ? E * Double(2 * ip + hp) * biasBytes : 0
        var copies = 0.0
        switch self {
        case .tritonSwizzled:
            w13 = E * Double(up(hp / 2, 32)) * Double(up(2 * ip, 16)); w2 = E * Double(up(ip / 2, 32)) * Double(up(hp, 16))
            copies = E * Double(up(2 * ip, 256)) * Double(up(hp / 32, 2)) + E * Double(up(hp, 256)) * Double(up(ip / 32, 2))
        case .tritonSwizzledPadded:
            w13 = E * Double(up(hp / 2, 64)) * Double(up(2 * ip, 64)); w2 = E * Double(up(ip / 2, 64)) * Double(up(hp, 64))
            copies = E * Double(up(2 * ip, 256)) * Double(up(hp / 32, 2)) + E * Double(up(hp, 256)) * Double(up(ip / 32, 2))
        default: break
        }
        return w13 + w2 + s13 + s2 + b + copies
    }
}
