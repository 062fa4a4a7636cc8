import Foundation
import Testing
@testable import ServefitCore

/// Builds a Model from a config.json-shaped dictionary through the real parser.
func config(_ dict: [String: Any], slug: String = "m") throws -> Model {
    let data = try JSONSerialization.data(withJSONObject: dict)
    return try HFConfig.parse(data, slug: slug)
}

/// Exact parameter counts published for real checkpoints; each case names its source
/// (see ../shared/reference/ground_truth_public.json for the evidence).
struct ExactCountCase: CustomStringConvertible, @unchecked Sendable {
    let name: String
    let config: [String: Any]
    let exact: Int64
    let source: String
    var description: String { name }
}

let exactCases: [ExactCountCase] = [
    .init(name: "Llama-2-7b", config: ["model_type": "llama", "hidden_size": 4096, "intermediate_size": 11008, "num_hidden_layers": 32,
          "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32000, "max_position_embeddings": 4096, "tie_word_embeddings": false],
          exact: 6_738_415_616, source: "safetensors index total_size 13476839424 B fp16 minus inv_freq buffers; huggingface.js gguf.spec.ts"),
    .init(name: "Llama-2-70b", config: ["model_type": "llama", "hidden_size": 8192, "intermediate_size": 28672, "num_hidden_layers": 80,
          "num_attention_heads": 64, "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 4096, "tie_word_embeddings": false],
          exact: 68_976_648_192, source: "safetensors index total_size 137953316864 B fp16 minus inv_freq buffers"),
    .init(name: "Meta-Llama-3-8B", config: ["model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
          "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 8192, "tie_word_embeddings": false],
          exact: 8_030_261_248, source: "safetensors total 16060522496 B bf16; huggingface.js parse-safetensors-metadata.spec.ts"),
    .init(name: "Mistral-7B-v0.1", config: ["model_type": "mistral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
          "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 32768, "tie_word_embeddings": false,
          "sliding_window": 4096], exact: 7_241_732_096, source: "safetensors total 14483464192 B bf16"),
    .init(name: "Mixtral-8x7B-v0.1", config: ["model_type": "mixtral", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
          "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 32000, "max_position_embeddings": 32768, "tie_word_embeddings": false,
          "num_local_experts": 8, "num_experts_per_tok": 2], exact: 46_702_792_704, source: "safetensors total 93405585408 B bf16"),
    .init(name: "Qwen2.5-7B", config: ["model_type": "qwen2", "hidden_size": 3584, "intermediate_size": 18944, "num_hidden_layers": 28,
          "num_attention_heads": 28, "num_key_value_heads": 4, "vocab_size": 152064, "max_position_embeddings": 131072, "tie_word_embeddings": false,
          "sliding_window": 131072, "use_sliding_window": false, "max_window_layers": 28], exact: 7_615_616_512, source: "safetensors total 15231233024 B bf16"),
    .init(name: "Qwen3-30B-A3B", config: ["model_type": "qwen3_moe", "hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 48,
          "num_attention_heads": 32, "num_key_value_heads": 4, "head_dim": 128, "vocab_size": 151936, "max_position_embeddings": 40960,
          "tie_word_embeddings": false, "num_experts": 128, "num_experts_per_tok": 8, "moe_intermediate_size": 768, "decoder_sparse_step": 1,
          "mlp_only_layers": [Int]()], exact: 30_532_122_624, source: "safetensors total 61064245248 B bf16"),
    .init(name: "gemma-2-9b", config: ["model_type": "gemma2", "hidden_size": 3584, "intermediate_size": 14336, "num_hidden_layers": 42,
          "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 256, "vocab_size": 256000, "max_position_embeddings": 8192,
          "tie_word_embeddings": true, "sliding_window": 4096], exact: 9_241_705_984, source: "safetensors total 18483411968 B bf16"),
    .init(name: "Phi-3-mini-4k-instruct", config: ["model_type": "phi3", "hidden_size": 3072, "intermediate_size": 8192, "num_hidden_layers": 32,
          "num_attention_heads": 32, "num_key_value_heads": 32, "vocab_size": 32064, "max_position_embeddings": 4096, "tie_word_embeddings": false,
          "sliding_window": 2047], exact: 3_821_079_552, source: "safetensors total 7642159104 B bf16"),
    .init(name: "DeepSeek-V3", config: ["model_type": "deepseek_v3", "hidden_size": 7168, "intermediate_size": 18432, "moe_intermediate_size": 2048,
          "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128, "vocab_size": 129280, "max_position_embeddings": 163840,
          "tie_word_embeddings": false, "n_routed_experts": 256, "num_experts_per_tok": 8, "n_shared_experts": 1, "first_k_dense_replace": 3,
          "moe_layer_freq": 1, "kv_lora_rank": 512, "q_lora_rank": 1536, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128,
          "num_nextn_predict_layers": 1], exact: 671_026_419_200, source: "main model excluding MTP; llama.cpp prints 671.026 B"),
    .init(name: "gpt2", config: ["model_type": "gpt2", "n_embd": 768, "n_layer": 12, "n_head": 12, "vocab_size": 50257, "n_positions": 1024, "n_inner": NSNull()],
          exact: 124_439_808, source: "library-reported exact count"),
    .init(name: "bert-base-uncased", config: ["model_type": "bert", "architectures": ["BertForMaskedLM"], "hidden_size": 768, "intermediate_size": 3072,
          "num_hidden_layers": 12, "num_attention_heads": 12, "vocab_size": 30522, "max_position_embeddings": 512, "type_vocab_size": 2],
          exact: 110_106_428, source: "safetensors header count of the HF checkpoint"),
    .init(name: "whisper-large-v3-turbo", config: ["model_type": "whisper", "d_model": 1280, "encoder_layers": 32, "decoder_layers": 4,
          "encoder_attention_heads": 20, "decoder_attention_heads": 20, "encoder_ffn_dim": 5120, "decoder_ffn_dim": 5120, "vocab_size": 51866,
          "num_mel_bins": 128, "max_source_positions": 1500, "max_target_positions": 448, "num_hidden_layers": 32], exact: 808_878_080,
          source: "HF hub API safetensors total"),
]

@Test(arguments: exactCases)
func exactParameterCounts(_ c: ExactCountCase) throws {
    let m = try config(c.config)
    let n = try ParamCounter.count(m)
    let err = abs(Double(n.total - c.exact)) / Double(c.exact)
    #expect(err < 0.0005, "\(c.name): counted \(n.total), published \(c.exact) (\(c.source))")
}

@Test func moeActiveParametersAreSmallerThanTotal() throws {
    let c = exactCases.first { $0.name == "Qwen3-30B-A3B" }!
    let n = try ParamCounter.count(try config(c.config))
    // Qwen reports 3.3B activated parameters for Qwen3-30B-A3B (model card).
    #expect(n.active > 3_200_000_000 && n.active < 3_400_000_000, "active \(n.active)")
}

@Test func deepSeekMTPIsReportedApart() throws {
    let c = exactCases.first { $0.name == "DeepSeek-V3" }!
    let n = try ParamCounter.count(try config(c.config))
    // The HF checkpoint holds 685B parameters: 671B main model plus 14B of MTP module (model card).
    #expect(n.mtp > 11_000_000_000 && n.mtp < 15_000_000_000, "mtp \(n.mtp)")
    // DeepSeek-V3 model card: 37B activated per token.
    #expect(n.active > 36_000_000_000 && n.active < 38_500_000_000, "active \(n.active)")
}

@Test func unknownFamilyIsRefusedByName() throws {
    let m = try config(["model_type": "mamba", "hidden_size": 768, "num_hidden_layers": 2, "num_attention_heads": 12,
                        "vocab_size": 100, "intermediate_size": 10])
    #expect(throws: CoreError.unsupportedFamily("mamba")) { try ParamCounter.count(m) }
}
