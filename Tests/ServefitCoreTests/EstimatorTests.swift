import Foundation
import Testing
@testable import ServefitCore

func caseModel(_ name: String) throws -> Model {
    try config(exactCases.first { $0.name == name }!.config, slug: name)
}

nonisolated(unsafe) let llama31_8b: [String: Any] = ["model_type": "llama", "hidden_size": 4096, "intermediate_size": 14336, "num_hidden_layers": 32,
    "num_attention_heads": 32, "num_key_value_heads": 8, "vocab_size": 128256, "max_position_embeddings": 131072, "tie_word_embeddings": false]
nonisolated(unsafe) let gemma3_27b: [String: Any] = ["model_type": "gemma3", "tie_word_embeddings": true,
    "text_config": ["model_type": "gemma3_text", "hidden_size": 5376, "intermediate_size": 21504, "num_hidden_layers": 62,
                    "num_attention_heads": 32, "num_key_value_heads": 16, "head_dim": 128, "vocab_size": 262208,
                    "max_position_embeddings": 131072, "sliding_window": 1024, "sliding_window_pattern": 6] as [String: Any],
    "vision_config": ["hidden_size": 1152, "intermediate_size": 4304, "num_hidden_layers": 27, "num_attention_heads": 16,
                      "patch_size": 14, "image_size": 896] as [String: Any]]
nonisolated(unsafe) let qwen25_32b: [String: Any] = ["model_type": "qwen2", "hidden_size": 5120, "intermediate_size": 27648, "num_hidden_layers": 64,
    "num_attention_heads": 40, "num_key_value_heads": 8, "vocab_size": 152064, "max_position_embeddings": 32768, "tie_word_embeddings": false]

func within(_ a: Double, _ b: Double, _ rel: Double) -> Bool { abs(a - b) <= rel * abs(b) }
func mib(_ b: Int64) -> Double { Double(b) / Double(Units.MiB) }
func gib(_ b: Int64) -> Double { Double(b) / Double(Units.GiB) }

// MARK: llama.cpp "model size" (GiB) within 2%, KV self size exact.

struct LlamaCppCase: @unchecked Sendable, CustomStringConvertible {
    let id: String; let model: () throws -> Model; let quant: String; let nctx: Int
    let kvMiB: Double?; let sizeGiB: Double?; let text: Bool
    /// 2% (the target) unless the file predates a llama.cpp rule the estimator follows.
    var sizeTolerance = 0.02
    var description: String { id }
}

let llamaCppCases: [LlamaCppCase] = [
    // secext2022/pmks-2 log: "model size = 3.80 GiB (4.84 BPW)", "KV self size = 2048.00 MiB"
    .init(id: "lcpp-01 Llama-2-7b Q4_K_M", model: { try caseModel("Llama-2-7b") }, quant: "Q4_K_M", nctx: 4096, kvMiB: 2048, sizeGiB: 3.80, text: true),
    // qwen2-7b-instruct-q8_0: "KV self size = 1792.00 MiB", 7.54 GiB (8.50 BPW)
    .init(id: "lcpp-03 Qwen2-7B Q8_0", model: { try caseModel("Qwen2.5-7B") }, quant: "Q8_0", nctx: 32768, kvMiB: 1792, sizeGiB: 7.54, text: true),
    // Mixtral 8x7B Q5_K_M on Metal: 30.02 GiB, KV 64 MiB at n_ctx 512
    .init(id: "lcpp-04 Mixtral Q5_K_M", model: { try caseModel("Mixtral-8x7B-v0.1") }, quant: "Q5_K_M", nctx: 512, kvMiB: 64, sizeGiB: 30.02, text: true,
          // TheBloke's file (Dec 2023, per-expert tensors) predates llama.cpp giving expert ffn_down Q6_K on
          // use_more_bits layers, which current llama-quantize does (Qwen3-30B-A3B's 20.228 GiB needs it); we follow current.
          sizeTolerance: 0.035),
    // Phi-3-mini Q4_K_M: 2.23 GiB (5.01 BPW), KV 768 MiB at n_ctx 2048 (n_swa 2047 ignored)
    .init(id: "lcpp-05 Phi-3-mini Q4_K_M", model: { try caseModel("Phi-3-mini-4k-instruct") }, quant: "Q4_K_M", nctx: 2048, kvMiB: 768, sizeGiB: 2.23, text: true),
    // Qwen3-30B-A3B: KV 384 MiB at 4096
    .init(id: "lcpp-13 Qwen3-30B-A3B", model: { try caseModel("Qwen3-30B-A3B") }, quant: "Q5_K_M", nctx: 4096, kvMiB: 384, sizeGiB: 20.228, text: true),
    // DeepSeek-V3 mainline MLA GGUF: K 576 + V 512 per layer; 2074 MiB at 16384
    .init(id: "lcpp-18 DeepSeek-V3 MLA", model: { try caseModel("DeepSeek-V3") }, quant: "Q8_0", nctx: 16384, kvMiB: 2074, sizeGiB: nil, text: true),
    // ollama Llama-3.1-70B Q4_0: 37.22 GiB
    .init(id: "lcpp-22 Llama-3.1-70B Q4_0", model: { try config(["model_type": "llama", "hidden_size": 8192, "intermediate_size": 28672,
          "num_hidden_layers": 80, "num_attention_heads": 64, "num_key_value_heads": 8, "vocab_size": 128256, "tie_word_embeddings": false]) },
          quant: "Q4_0", nctx: 2048, kvMiB: nil, sizeGiB: 37.22, text: true),
]

@Test(arguments: llamaCppCases)
func llamaCppFigures(_ c: LlamaCppCase) throws {
    let m = try c.model()
    var r = EstimateRequest(model: m)
    r.engine = .llamaCpp
    r.weights = try WeightFormat.parse(c.quant)
    r.context = c.nctx
    let e = try Estimator.estimate(r)
    if let kv = c.kvMiB { #expect(abs(mib(e.kvCacheBytes) - kv) < 0.01, "\(c.id): KV \(mib(e.kvCacheBytes)) MiB vs \(kv)") }
    if let size = c.sizeGiB { #expect(within(gib(e.weightsBytes), size, c.sizeTolerance), "\(c.id): size \(gib(e.weightsBytes)) GiB vs \(size)") }
}

@Test func gemma3SlidingWindowKVInLlamaCpp() throws {
    // iSWA: 10 global layers at n_ctx, 52 local layers at PAD(1024 + 512, 256) = 1536 cells.
    let m = try config(gemma3_27b)
    var r = EstimateRequest(model: m)
    r.engine = .llamaCpp; r.context = 131072; r.weights = .gguf(.Q4_0)
    let e = try Estimator.estimate(r)
    let expected = 10.0 * 131072 * 8192 + 52.0 * 1536 * 8192
    #expect(Double(e.kvCacheBytes) == expected)
    // ik_llama.cpp's logged 14.539 GiB model size (text weights only; the vision tower is a separate mmproj file).
    let pc = try ParamCounter.count(m)
    #expect(abs(Double(pc.total - pc.vision) - 27.009e9) / 27.009e9 < 0.0005)
    #expect(abs(Double(pc.total) - 27_432_406_640) / 27_432_406_640 < 0.0005, "gemma-3-27b-it total \(pc.total)")
}

// MARK: vLLM KV capacity within 3% of the GPU's memory

struct VLLMCase: @unchecked Sendable, CustomStringConvertible {
    let id: String; let model: () throws -> Model; let weights: String; let visibleGiB: Double; let tp: Int
    let maxModelLen: Int; let batchedTokens: Int?; let kvGiB: Double; let concurrency: Double?
    var description: String { id }
}

let vllmCases: [VLLMCase] = [
    // vllm#10517: RTX 3090 23.58 GiB, V0: batched tokens = max_model_len; 1952 blocks = 3.81 GiB, 1.56x
    .init(id: "vllm-01", model: { try config(llama31_8b) }, weights: "bf16", visibleGiB: 23.58, tp: 1, maxModelLen: 20000, batchedTokens: 20000, kvGiB: 3.8125, concurrency: 1.56),
    // AUGMXNT/MI300-testing: MI300X 191.98 GiB, 71538 blocks at max_model_len 131072
    .init(id: "vllm-03", model: { try config(llama31_8b) }, weights: "bf16", visibleGiB: 191.98, tp: 1, maxModelLen: 131072, batchedTokens: 131072, kvGiB: 139.72265625, concurrency: 8.73),
    // AUGMXNT/MI300-testing: Mixtral on MI300X, 39212 blocks
    .init(id: "vllm-06", model: { try caseModel("Mixtral-8x7B-v0.1") }, weights: "bf16", visibleGiB: 191.98, tp: 1, maxModelLen: 32768, batchedTokens: 32768, kvGiB: 76.5859375, concurrency: 19.15),
    // vllm#15815: 2× L40S 44.42 GiB, TP 2, 3947 blocks
    .init(id: "vllm-10", model: { try config(qwen25_32b) }, weights: "bf16", visibleGiB: 44.42, tp: 2, maxModelLen: 10000, batchedTokens: 10000, kvGiB: 7.708984375, concurrency: nil),
    // V1 write-up: 15.99 GiB GPU, AWQ, 149,712 tokens, 4.57x
    .init(id: "vllm-17", model: { try caseModel("Qwen2.5-7B") }, weights: "awq", visibleGiB: 15.99, tp: 1, maxModelLen: 32768, batchedTokens: nil, kvGiB: 7.9954833984375, concurrency: 4.57),
]

@Test(arguments: vllmCases)
func vllmKVCapacity(_ c: VLLMCase) throws {
    var r = EstimateRequest(model: try c.model())
    r.engine = .vllm
    r.weights = try WeightFormat.parse(c.weights)
    r.gpuVisibleMemoryBytes = Int64(c.visibleGiB * Double(Units.GiB))
    r.gpuMemoryBytes = r.gpuVisibleMemoryBytes
    r.gpus = c.tp
    r.context = c.maxModelLen
    r.maxNumBatchedTokens = c.batchedTokens
    let e = try Estimator.estimate(r)
    let kvBytesPerTokenPerGPU = Double(e.kvCacheBytesPerToken) / Double(c.tp)
    let kvGiB = Double(e.kvCapacityTokens ?? 0) * kvBytesPerTokenPerGPU / Double(Units.GiB)
    #expect(abs(kvGiB - c.kvGiB) <= 0.03 * c.visibleGiB, "\(c.id): KV \(kvGiB) GiB vs \(c.kvGiB) GiB")
}

// MARK: hand-derived cases

@Test func gqaKVCacheUsesKVHeads() throws {
    // Llama 2 70B: 80 layers × 2 × 8 KV heads × 128 × 2 B = 327,680 B per token (not 8× that).
    let e = try Estimator.estimate(EstimateRequest(model: try caseModel("Llama-2-70b")))
    #expect(e.kvCacheBytesPerToken == 327_680)
    // Qwen3-32B: head_dim 128 explicit, 8 KV heads, 64 layers: 262,144 B per token.
    let q = try config(["model_type": "qwen3", "hidden_size": 5120, "intermediate_size": 25600, "num_hidden_layers": 64,
                        "num_attention_heads": 64, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 151936, "tie_word_embeddings": false])
    #expect(try Estimator.estimate(EstimateRequest(model: q)).kvCacheBytesPerToken == 262_144)
}

@Test func mlaCachesOneLatentPerLayerInVLLM() throws {
    let e = try Estimator.estimate(EstimateRequest(model: try caseModel("DeepSeek-V3")))
    #expect(e.kvCacheBytesPerToken == 61 * 576 * 2)
}

@Test func encoderKeepsNoKVCache() throws {
    let m = try caseModel("bert-base-uncased")
    var r = EstimateRequest(model: m); r.engine = .transformers; r.batch = 32; r.context = 512
    let e = try Estimator.estimate(r)
    #expect(e.kvCacheBytes == 0)
    #expect(e.activationBytes > 0)
}

@Test func whisperCrossAttentionKV() throws {
    var r = EstimateRequest(model: try caseModel("whisper-large-v3-turbo"))
    r.engine = .transformers; r.batch = 8; r.context = 150
    let e = try Estimator.estimate(r)
    // 4 decoder layers × 2 × 1280 × 2 B = 20 KiB per token; cross-attention 2 × 4 × 1280 × 1500 × 2 B per sequence.
    #expect(e.kvCacheBytesPerToken == 20480)
    #expect(e.kvCacheBytes == 20480 * 150 * 8 + 2 * 4 * 1280 * 1500 * 2 * 8)
}

@Test func weightFormatsBitsPerWeight() throws {
    let m = try caseModel("Llama-2-7b")
    let pc = try ParamCounter.count(m)
    #expect(WeightFormat.float(bits: 16).size(pc, model: m).bytes == 2 * 6_738_415_616)
    let awq = try WeightFormat.parse("AWQ").size(pc, model: m)
    // 4-bit + g128 fp16 scales and packed zeros on the linears (4.156 bpw), 16-bit embeddings and head.
    #expect(awq.bitsPerWeight > 4.55 && awq.bitsPerWeight < 4.7)
    let q80 = try WeightFormat.parse("q8_0").size(pc, model: m)
    #expect(abs(q80.bitsPerWeight - 8.5) < 0.01)
    let dq = try WeightFormat.parse("nf4-dq").size(pc, model: m)
    let nodq = try WeightFormat.parse("nf4").size(pc, model: m)
    #expect(dq.bytes < nodq.bytes)
    #expect(throws: CoreError.self) { try WeightFormat.parse("int3") }
}

@Test func kvDTypeSpellings() throws {
    for s in ["f16", "FP16", "float16"] { #expect(try KVDType.parse(s).bytesPerElement == 2) }
    #expect(try KVDType.parse("Q8_0").bytesPerElement == 34.0 / 32.0)
    #expect(throws: CoreError.self) { try KVDType.parse("fp12") }
}

@Test func trainingMemoryAdamW() throws {
    var r = EstimateRequest(model: try caseModel("Llama-2-7b"))
    r.batch = 4; r.context = 2048
    r.training = TrainingOptions()
    let e = try Estimator.estimate(r)
    // Mixed-precision AdamW: 2 (weights) + 2 (grads) + 12 (master + m + v) = 16 B per parameter before activations.
    #expect(e.weightsBytes + (e.gradientBytes ?? 0) + (e.optimizerBytes ?? 0) == 16 * 6_738_415_616)
}

@Test func loraAdapterParameters() throws {
    // Rank 8 on q,k,v,o of Llama 2 7B: 32 layers × 4 × 8 × (4096 + 4096) = 8,388,608.
    let n = try Estimator.loraParameters(try caseModel("Llama-2-7b"), rank: 8, targets: ["q_proj", "k_proj", "v_proj", "o_proj"])
    #expect(n == 8_388_608)
}

@Test func tensorParallelReplicatesKVHeads() throws {
    // Llama 2 70B has 8 KV heads: at TP 16 each GPU still holds one whole KV head.
    let m = try caseModel("Llama-2-70b")
    #expect(KVCache.width(m, engine: .vllm, tp: 16).k == 128)
    #expect(KVCache.width(m, engine: .vllm, tp: 2).k == 4 * 128)
}

@Test func absurdInputIsAnErrorNotATrap() throws {
    #expect(throws: CoreError.self) { try config(["model_type": "llama", "hidden_size": 4096, "intermediate_size": 1, "num_hidden_layers": 0,
                                                  "num_attention_heads": 32, "vocab_size": 10]) }
    #expect(throws: CoreError.self) { try config(["model_type": "llama", "hidden_size": 4097, "intermediate_size": 1, "num_hidden_layers": 2,
                                                  "num_attention_heads": 32, "vocab_size": 10]) }
    #expect(throws: CoreError.self) { try config(["model_type": "llama", "hidden_size": 1 << 40, "intermediate_size": 1, "num_hidden_layers": 2,
                                                  "num_attention_heads": 32, "vocab_size": 10]) }
    var r = EstimateRequest(model: try caseModel("Llama-2-7b"))
    r.context = -5
    #expect(throws: CoreError.self) { try Estimator.estimate(r) }
}

@Test func absurdWorkloadsAreRefusedNotTrapped() throws {
    // Largest accepted dimensions everywhere: the arithmetic must saturate and be refused, never trap.
    let huge = try config(["model_type": "llama", "hidden_size": 1 << 24, "intermediate_size": 1 << 24, "num_hidden_layers": 4096,
                           "num_attention_heads": 1 << 24, "num_key_value_heads": 1 << 24, "head_dim": 1 << 24, "vocab_size": 1 << 24])
    var r = EstimateRequest(model: huge)
    r.context = 16_777_216; r.batch = 1_048_576
    #expect(throws: CoreError.self) { try Estimator.estimate(r) }
    r.training = TrainingOptions(); r.training?.loraRank = 65536
    #expect(throws: CoreError.self) { try Estimator.estimate(r) }
    r.engine = .llamaCpp; r.training = nil; r.gpuMemoryBytes = Units.GiB
    #expect(throws: CoreError.self) { try Estimator.estimate(r) }
}

@Test func absurdContextTimesBatchIsRefused() throws {
    // A real model with the largest accepted context and batch: the KV cache would be 2^63 bytes.
    for engine in Engine.allCases {
        var r = EstimateRequest(model: try caseModel("Llama-2-7b"))
        r.context = 16_777_216; r.batch = 1_048_576; r.engine = engine; r.gpuMemoryBytes = 80 * Units.GiB
        #expect(throws: CoreError.self, "\(engine)") { try Estimator.estimate(r) }
    }
    var t = EstimateRequest(model: try caseModel("Llama-2-7b"))
    t.context = 16_777_216; t.batch = 1_048_576; t.training = TrainingOptions()
    #expect(throws: CoreError.self) { try Estimator.estimate(t) }
}

// MARK: the checkpoint's own quantization_config

/// An FP8 checkpoint that keeps attention in bf16 (compressed-tensors `ignore`, vLLM
/// `ignored_layers`) is sized with those modules at 2 B: for Llama-3.1-8B, 32 layers × (q 4096² +
/// k, v 4096×1024 + o 4096²) = 1,342,177,280 parameters one byte larger each, less their per-row
/// fp8 scales (32 × 10,240 rows × 4 B).
@Test func fp8CheckpointKeepsIgnoredModulesInBF16() throws {
    let base = try config(llama31_8b)
    var mixed = base
    let cfg: [String: Any] = ["quant_method": "fp8", "ignored_layers": ["re:.*self_attn.*"], "modules_to_not_convert": ["lm_head"]]
    mixed.quantization = try QuantizationConfig.from(hfConfig: cfg)
    let fp8 = try WeightFormat.parse("fp8")
    let a = fp8.size(try ParamCounter.count(base), model: base).bytes
    let b = fp8.size(try ParamCounter.count(mixed), model: mixed).bytes
    #expect(b - a == 1_342_177_280 - 32 * 10_240 * 4)
    // Block-wise 128×128 scales instead of per-row ones: q_proj has 32 × 32 blocks, not 4096 rows.
    var blocked = base
    blocked.quantization = QuantizationConfig(method: "fp8", weightBlockSize: [128, 128])
    let c = fp8.size(try ParamCounter.count(blocked), model: blocked).bytes
    #expect(c < a)
    // config.json carries it; a broken one is refused by name.
    var dict = llama31_8b
    dict["quantization_config"] = ["quant_method": "fp8", "weight_block_size": [128, 128], "ignored_layers": ["lm_head"]]
    var expected = QuantizationConfig(method: "fp8", ignored: ["lm_head"], weightBlockSize: [128, 128])
    expected.format = "fp8"
    #expect(try config(dict).quantization == expected)
    dict["quantization_config"] = ["quant_method": "fp8", "ignore": ["re:(unclosed"]]
    #expect(throws: CoreError.self) { try config(dict) }
    dict["quantization_config"] = ["quant_method": "fp8", "weight_block_size": [128]]
    #expect(throws: CoreError.self) { try config(dict) }
    #expect(QuantizationConfig.matches("mlp.gate", "model.layers.0.mlp.gate"))
    #expect(!QuantizationConfig.matches("mlp.gate", "model.layers.0.mlp.gate_proj"))
    #expect(QuantizationConfig.matches("model.layers.*.self_attn.q_proj", "model.layers.7.self_attn.q_proj"))
    // A wildcard module keeps everything under it (gpt-oss lists "model.layers.*.self_attn"),
    // but not a module whose name merely starts the same.
    #expect(QuantizationConfig.matches("model.layers.*.self_attn", "model.layers.7.self_attn.q_proj"))
    #expect(QuantizationConfig.matches("model.layers.*.mlp.router", "model.layers.0.mlp.router"))
    #expect(!QuantizationConfig.matches("model.layers.*.self_attn", "model.layers.7.self_attn_norm"))
    #expect(!QuantizationConfig.matches("model.layers.*.mlp.router", "model.layers.0.mlp.experts.gate_up_proj"))
}

/// gpt-oss's config keeps attention, router, embeddings and head in bf16: only the experts are
/// MXFP4, so the checkpoints are 60.8 GiB (120b) and 12.8 GiB (20b), as OpenAI's gpt-oss model
/// card gives their checkpoint sizes, not the 59.5 GiB of quantising every linear layer. On vLLM the experts then take the layout of
/// the MoE backend the release picks for the GPU (Marlin on A100: hidden 2880 → 3072,
/// intermediate per rank 2880 → 2944), which the engine's "Model loading took" line includes.
@Test func gptOSSKeepsAttentionInBF16AndVLLMPadsItsExperts() throws {
    let (models, gpus) = try seedCatalog()
    let m = try #require(models.first { $0.slug == "gpt-oss-120b" })
    #expect(m.quantization?.format == "mxfp4")
    let a100 = try #require(gpus.first { $0.slug == "a100-80gb-sxm" })
    var r = EstimateRequest(model: m)
    r.weights = try WeightFormat.parse("mxfp4")
    r.engine = .transformers
    let stored = Double(try Estimator.estimate(r).weightsBytes) / Double(Units.GiB)
    #expect(abs(stored - 60.8) < 0.1, "\(stored) GiB")
    var small = EstimateRequest(model: try #require(models.first { $0.slug == "gpt-oss-20b" }))
    small.weights = r.weights; small.engine = .transformers
    let smallGiB = Double(try Estimator.estimate(small).weightsBytes) / Double(Units.GiB)
    #expect(abs(smallGiB - 12.8) < 0.1, "\(smallGiB) GiB")
    r.engine = .vllm
    r.gpu = a100; r.gpuName = a100.name; r.gpuMemoryBytes = a100.memoryBytes
    r.engineVersion = try VLLMRelease.parse("0.10.1")
    let e = try Estimator.estimate(r)
    let perGPU = Double(e.weightsBytesPerGPU ?? 0) / Double(Units.GiB)
    #expect(perGPU > stored + 1.0, "\(perGPU) GiB")
    #expect(e.notes.contains { $0.contains("Marlin") }, "\(e.notes)")
    // Backends by device and release.
    let h100 = try #require(gpus.first { $0.slug == "h100-sxm" })
    #expect(VLLMMXFP4Backend.choose(release: try .parse("0.10.1"), gpu: h100) == .marlin)
    #expect(VLLMMXFP4Backend.choose(release: try .parse("0.11.0"), gpu: h100) == .tritonStrided)
    #expect(VLLMMXFP4Backend.choose(release: try .parse("0.14.1"), gpu: h100) == .tritonSwizzled)
    #expect(VLLMMXFP4Backend.choose(release: .latest, gpu: h100) == .tritonSwizzledPadded)
    #expect(VLLMMXFP4Backend.choose(release: .latest, gpu: a100) == .marlin)
    #expect(VLLMMXFP4Backend.choose(release: .latest, gpu: gpus.first { $0.slug == "mi300x" }) == .stored)
}

/// A checkpoint stored quantised is sized in its own format unless --weights says otherwise.
@Test func checkpointQuantizationSetsTheDefaultFormat() throws {
    for (cfg, format) in [(["quant_method": "awq", "bits": 4, "group_size": 128], "awq"), (["quant_method": "gptq", "bits": 8, "group_size": 128], "gptq-8bit"),
                          (["quant_method": "fp8", "weight_block_size": [128, 128]], "fp8"), (["quant_method": "mxfp4"], "mxfp4"),
                          (["quant_method": "bitsandbytes", "load_in_4bit": true, "bnb_4bit_use_double_quant": true], "nf4-dq")] as [([String: Any], String)] {
        var dict = llama31_8b
        dict["quantization_config"] = cfg
        let m = try config(dict)
        #expect(m.quantization?.format == format, "\(cfg)")
        let spec = EstimateSpec(model: m.slug)
        #expect(try spec.request(model: m, gpu: nil).weights == WeightFormat.parse(format), "\(cfg)")
        var given = EstimateSpec(model: m.slug)
        given.weights = "fp16"
        #expect(try given.request(model: m, gpu: nil).weights == .float(bits: 16))
    }
}
