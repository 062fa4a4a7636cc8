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
public enum VLLMRelease: String, Sendable, Codable, CaseIterable {
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

    public static let current: VLLMRelease = .latest

    /// "0.6.3", "v0.10.1", "0.11.0rc2", "0.8", "latest" → the release line whose rules apply.
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
        switch (minor, patch) {
        case (..<6, _), (6, ..<4): return .v0_5
        case (6, _), (7, _): return .v0_6
        case (8, _), (9, 0): return .v0_8
        case (9, _), (10...17, _): return .v0_10
        default: return .latest
        }
    }

    public var isV1: Bool { self == .v0_8 || self == .v0_10 || self == .latest }

    /// What `estimate --explain` names: the release line and the rule that decides its KV budget.
    public var label: String {
        switch self {
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
        switch self {
        case .v0_5, .v0_6:
            // V0 chunks prompts only past 32k tokens of context; otherwise one profile pass holds
            // a whole max_model_len prompt.
            if maxModelLen > 32768 { return (self == .v0_5 ? 512 : 2048, 256) }
            return (max(maxModelLen, 2048), 256)
        case .v0_8:
            let big = name.contains("h100") || name.contains("h200")
            return big ? (8192, 1024) : (2048, 256)
        case .v0_10, .latest:
            // "For GPUs like H100 and MI300x": 70 GiB or more and not an A100.
            let big = gib >= 70 && !name.contains("a100")
            if self == .latest && gib >= 160 { return (16384, 1024) }
            return big ? (8192, 1024) : (2048, 256)
        }
    }

    /// KV cache dtypes `--kv-cache-dtype` accepts (besides `auto`).
    public var kvCacheDTypes: [String] {
        switch self {
        case .v0_5, .v0_6, .v0_8: return ["fp8", "fp8_e5m2", "fp8_e4m3"]
        case .v0_10: return ["fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc", "bfloat16"]
        case .latest: return ["bfloat16", "fp8", "fp8_e4m3", "fp8_e5m2", "fp8_inc", "fp8_ds_mla"]
        }
    }

    /// Minimum NVIDIA compute capability of `--quantization fp8` (Marlin's weight-only fallback
    /// brought it to sm_75 in the current line).
    public var fp8MinimumSM: Int { self == .latest ? 75 : 80 }

    /// Bytes the profiling run's sampler holds per (sequence × vocabulary entry): fp32 logits,
    /// softmax probabilities, the sorted copy and its int64 indices for top-p/top-k, masks.
    /// Least-squares fit over the four start-up logs whose activation peak is sampler-bound
    /// (Llama-3-8B on 80 GB, V0: 41 B; Phi-4 GPTQ, V0: 39 B; Qwen3-235B FP8 on L40S, V1: 39 B;
    /// Qwen2.5-7B AWQ on 16 GB, V1: 29 B): 36 B, each log within 0.3 GiB of its printed peak.
    public static let samplerBytesPerLogit = 36.0
}
