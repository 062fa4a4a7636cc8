/// Attention data parallelism: the GPUs of one deployment form `dp` attention groups of
/// tp ÷ dp GPUs each. A group runs attention over its own sequences with the attention weights
/// split only within the group, and keeps only those sequences' KV cache; the routed experts
/// stay split over every GPU. SGLang `--dp D --enable-dp-attention`, TensorRT-LLM
/// `enable_attention_dp` (one group per GPU), vLLM `--data-parallel-size D` (an engine of
/// tp ÷ dp GPUs per group, experts over all of them). What each engine replicates differs; the
/// rules, read from each engine's source, are in
/// `Benchmarks/calibration/engines/attention-dp-rules.md`.
public enum AttentionDP {
    /// How many GPUs share tensor `t` when `tp` GPUs run attention in `dp` groups, as `engine`
    /// lays it out; with `dp` 1 this is the tensor-parallel split (`Estimator.tpSplit`).
    public static func split(_ t: TensorInfo, model m: Model, engine: Engine, tp: Int, dp: Int) -> Double {
        let whole = Estimator.tpSplit(t, model: m, tp: tp)
        guard dp > 1, tp % dp == 0, t.is2D else { return whole }
        let group = Estimator.tpSplit(t, model: m, tp: tp / dp)
        if t.isExpert { return whole }
        if t.role.isAttention { return group }
        switch engine {
        case .sglang:
            // deepseek_v2.py / qwen3_moe.py: attention over attn_tp = tp ÷ dp; the embedding
            // replicated (enable_tp=not is_dp_attention_enabled()); lm_head, dense MLP and shared
            // experts over the full tp.
            return t.role == .embedding || t.role == .positionEmbedding ? 1 : whole
        case .trtllm:
            // One group per GPU: dense MLP and shared experts use DP instead of TP, lm_head is
            // replicated (modeling_deepseekv3.py, modeling_utils.py).
            return 1
        default:
            // vLLM: each DP rank is an engine of tp ÷ dp GPUs; only the MoE layers span all.
            return group
        }
    }

    /// Whether the engine's concurrency cap counts per attention group: TensorRT-LLM's
    /// max_batch_size per rank, vLLM's max_num_seqs per data-parallel engine; SGLang's
    /// max_running_requests is the deployment's (it divides it over the groups).
    public static func concurrencyFlagCountsPerGroup(_ e: Engine) -> Bool { e == .trtllm || e == .vllm }

    /// `n` sequences in flight as a launch line admits them: a whole number for each of `dp` groups.
    public static func wholeGroups(_ n: Int, dp: Int) -> Int { dp > 1 ? max(dp, n / dp * dp) : n }

    /// Why servefit or the engine cannot run attention in `dp` groups on this deployment, or nil.
    static func problem(engine: Engine, model m: Model, tp: Int, pp: Int, dp: Int) -> String? {
        guard dp > 1 else { return nil }
        switch engine {
        case .vllm, .sglang, .trtllm: break
        default: return "attention data parallelism is an option of vLLM, SGLang and TensorRT-LLM, not \(engine.rawValue)"
        }
        if pp > 1 { return "attention data parallelism with pipeline parallel \(pp) is not sized by servefit: use tensor parallel only" }
        if tp % dp != 0 { return "attention data parallel \(dp) does not divide the \(tp) GPUs (SGLang asserts tp % dp == 0)" }
        if engine == .trtllm && dp != tp {
            return "TensorRT-LLM's enable_attention_dp runs one attention group per GPU: attention data parallel must equal the tensor-parallel size \(tp)"
        }
        if engine != .vllm && !m.isMoE {
            return "\(engine == .sglang ? "SGLang's --enable-dp-attention" : "TensorRT-LLM's enable_attention_dp") is for MoE models; serve \(m.slug) as \(dp) replicas instead"
        }
        return nil
    }
}
