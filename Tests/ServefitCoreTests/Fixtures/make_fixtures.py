#!/usr/bin/env python3
"""Writes the model-file fixtures with the formats' reference writers (PyPI: safetensors 0.8.0,
gguf 0.19.0, ml_dtypes 0.6.0, numpy), and expected.json with what was written, computed here from
the arrays themselves. Run from this folder:

    pip install safetensors==0.8.0 gguf==0.19.0 ml_dtypes==0.6.0 numpy
    python3 make_fixtures.py
"""
import json, os, shutil
import numpy as np
import ml_dtypes
import gguf
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
expected = {}

def llama_config(h, i, layers, heads, kv, vocab, **extra):
    c = {"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": h, "intermediate_size": i,
         "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv, "vocab_size": vocab,
         "max_position_embeddings": 2048, "rms_norm_eps": 1e-5, "tie_word_embeddings": False, "torch_dtype": "bfloat16"}
    c.update(extra)
    return c

def linear_shapes(c):
    """HF llama tensors: (name, shape, is_linear_in_layer)."""
    h, i, heads, kv = c["hidden_size"], c["intermediate_size"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = h // heads
    out = [("model.embed_tokens.weight", (c["vocab_size"], h), False)]
    for l in range(c["num_hidden_layers"]):
        p = f"model.layers.{l}."
        out += [(p + "input_layernorm.weight", (h,), False), (p + "post_attention_layernorm.weight", (h,), False),
                (p + "self_attn.q_proj.weight", (heads * hd, h), True), (p + "self_attn.k_proj.weight", (kv * hd, h), True),
                (p + "self_attn.v_proj.weight", (kv * hd, h), True), (p + "self_attn.o_proj.weight", (h, heads * hd), True),
                (p + "mlp.gate_proj.weight", (i, h), True), (p + "mlp.up_proj.weight", (i, h), True), (p + "mlp.down_proj.weight", (h, i), True)]
    out += [("model.norm.weight", (h,), False), ("lm_head.weight", (c["vocab_size"], h), False)]
    return out

def rng_array(shape, dtype, seed):
    r = np.random.default_rng(seed)
    return (r.standard_normal(shape) * 0.02).astype(np.float32).astype(dtype)

def record(name, tensors, params, files, quantization, weights):
    by = {}
    for k, a in tensors.items():
        dt = {"float16": "F16", "bfloat16": "BF16", "float32": "F32", "float8_e4m3fn": "F8_E4M3", "int32": "I32"}[a.dtype.name]
        s = by.setdefault(dt, {"tensors": 0, "bytes": 0})
        s["tensors"] += 1
        s["bytes"] += a.nbytes
    expected[name] = {"tensor_count": len(tensors), "params_total": params, "weights_bytes": sum(a.nbytes for a in tensors.values()),
                      "by_dtype": by, "files": files, "quantization": quantization, "weights": weights}

def fresh(d):
    path = os.path.join(HERE, d)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path

def write_config(path, c):
    with open(os.path.join(path, "config.json"), "w") as f:
        json.dump(c, f, indent=2)

# 1. fp16, one file
c = llama_config(64, 128, 2, 4, 2, 256)
p = fresh("tiny-llama-fp16")
write_config(p, c)
t = {n: rng_array(s, np.float16, k) for k, (n, s, _) in enumerate(linear_shapes(c))}
save_file(t, os.path.join(p, "model.safetensors"), metadata={"format": "pt"})
record("tiny-llama-fp16", t, sum(a.size for a in t.values()), ["model.safetensors"], "none (f16)", "fp16")

# 2. bf16 in two shards with an index
p = fresh("tiny-llama-bf16-sharded")
write_config(p, c)
t = {n: rng_array(s, ml_dtypes.bfloat16, k) for k, (n, s, _) in enumerate(linear_shapes(c))}
names = list(t)
shards = {"model-00001-of-00002.safetensors": names[: len(names) // 2], "model-00002-of-00002.safetensors": names[len(names) // 2:]}
for f, ns in shards.items():
    save_file({n: t[n] for n in ns}, os.path.join(p, f), metadata={"format": "pt"})
with open(os.path.join(p, "model.safetensors.index.json"), "w") as fh:
    json.dump({"metadata": {"total_size": sum(a.nbytes for a in t.values())},
               "weight_map": {n: f for f, ns in shards.items() for n in ns}}, fh, indent=2)
record("tiny-llama-bf16-sharded", t, sum(a.size for a in t.values()), sorted(shards), "none (bf16)", "fp16")

# 3. fp8 (compressed-tensors, channel-wise): e4m3 linear weights with an fp32 scale per output channel
cq = dict(c, quantization_config={"quant_method": "compressed-tensors", "format": "float-quantized",
                                   "config_groups": {"group_0": {"weights": {"num_bits": 8, "type": "float", "strategy": "channel"}}}})
p = fresh("tiny-llama-fp8")
write_config(p, cq)
t, params = {}, 0
for k, (n, s, lin) in enumerate(linear_shapes(c)):
    if lin:
        t[n] = rng_array(s, ml_dtypes.float8_e4m3fn, k)
        t[n[: -len(".weight")] + ".weight_scale"] = np.full((s[0], 1), 0.01, dtype=np.float32)
    else:
        t[n] = rng_array(s, ml_dtypes.bfloat16, k)
    params += int(np.prod(s))
save_file(t, os.path.join(p, "model.safetensors"))
record("tiny-llama-fp8", t, params, ["model.safetensors"], "compressed-tensors", "fp8")

# 4. AWQ-style packed int4 (GEMM layout): qweight int32 [in, out/8], qzeros int32 [in/g, out/8], scales fp16 [in/g, out]
g = 32
ca = dict(c, quantization_config={"quant_method": "awq", "bits": 4, "group_size": g, "zero_point": True, "version": "gemm"})
p = fresh("tiny-llama-awq")
write_config(p, ca)
t, params = {}, 0
for k, (n, s, lin) in enumerate(linear_shapes(c)):
    params += int(np.prod(s))
    if lin:
        out_f, in_f = s
        base = n[: -len(".weight")]
        r = np.random.default_rng(k)
        t[base + ".qweight"] = r.integers(-2**31, 2**31 - 1, size=(in_f, out_f // 8), dtype=np.int32)
        t[base + ".qzeros"] = r.integers(-2**31, 2**31 - 1, size=(in_f // g, out_f // 8), dtype=np.int32)
        t[base + ".scales"] = np.full((in_f // g, out_f), 0.01, dtype=np.float16)
    else:
        t[n] = rng_array(s, np.float16, k)
save_file(t, os.path.join(p, "model.safetensors"))
record("tiny-llama-awq", t, params, ["model.safetensors"], "awq", "awq")

# 5. GGUF with k-quants (Q4_K, Q6_K), F32 norms, a 256-token vocabulary, file type Q4_K_M
def gguf_model(name, h, i, layers, heads, kv, vocab, types, file_type):
    path = os.path.join(HERE, name + ".gguf")
    w = gguf.GGUFWriter(path, "llama")
    w.add_name(name)
    w.add_context_length(2048)
    w.add_embedding_length(h)
    w.add_block_count(layers)
    w.add_feed_forward_length(i)
    w.add_head_count(heads)
    w.add_head_count_kv(kv)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_rope_dimension_count(h // heads)
    w.add_file_type(file_type)
    w.add_tokenizer_model("llama")
    w.add_token_list([f"tok{n}" for n in range(vocab)])
    w.add_token_scores([0.0] * vocab)
    hd = h // heads
    shapes = [("token_embd.weight", (vocab, h))]
    for l in range(layers):
        b = f"blk.{l}."
        shapes += [(b + "attn_norm.weight", (h,)), (b + "attn_q.weight", (heads * hd, h)), (b + "attn_k.weight", (kv * hd, h)),
                   (b + "attn_v.weight", (kv * hd, h)), (b + "attn_output.weight", (h, heads * hd)), (b + "ffn_norm.weight", (h,)),
                   (b + "ffn_gate.weight", (i, h)), (b + "ffn_up.weight", (i, h)), (b + "ffn_down.weight", (h, i))]
    shapes += [("output_norm.weight", (h,)), ("output.weight", (vocab, h))]
    by, params, total = {}, 0, 0
    for n, s in shapes:
        kind = "norm" if len(s) == 1 else n.split(".")[-2] if "." in n else n
        qt = gguf.GGMLQuantizationType.F32 if len(s) == 1 else types.get(kind, types["default"])
        block, size = gguf.GGML_QUANT_SIZES[qt]
        elems = int(np.prod(s))
        nbytes = elems // block * size
        if qt == gguf.GGMLQuantizationType.F32:
            w.add_tensor(n, np.zeros(s, dtype=np.float32))
        else:
            # Quantised data goes in as bytes: (rows, bytes per row); the writer derives the element shape.
            rows, row = s[0], s[1]
            w.add_tensor(n, np.zeros((rows, row // block * size), dtype=np.uint8), raw_dtype=qt)
        st = by.setdefault(qt.name, {"tensors": 0, "bytes": 0})
        st["tensors"] += 1
        st["bytes"] += nbytes
        params += elems
        total += nbytes
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    ft_name = {15: "Q4_K_M", 7: "Q8_0", 2: "Q4_0"}[file_type]
    expected[name + ".gguf"] = {"tensor_count": len(shapes), "params_total": params, "weights_bytes": total, "by_dtype": by,
                                "files": [name + ".gguf"], "quantization": "gguf:" + ft_name, "weights": ft_name}

Q = gguf.GGMLQuantizationType
gguf_model("tiny-llama-q4_k_m", 256, 256, 1, 4, 2, 256,
           {"default": Q.Q4_K, "attn_v": Q.Q6_K, "ffn_down": Q.Q6_K, "output": Q.Q6_K, "token_embd": Q.Q4_K}, 15)
gguf_model("tiny-llama-q8_0", 64, 128, 2, 4, 2, 96, {"default": Q.Q8_0, "token_embd": Q.F16, "output": Q.BF16, "attn_k": Q.Q4_0}, 7)
# The same architecture as q8_0 in Q4_0: with it, a Hub-style GGUF repo of two quantisations (#16).
gguf_model("tiny-llama-q4_0", 64, 128, 2, 4, 2, 96, {"default": Q.Q4_0, "token_embd": Q.Q8_0, "output": Q.Q8_0}, 2)

with open(os.path.join(HERE, "expected.json"), "w") as f:
    json.dump(expected, f, indent=2, sort_keys=True)
print("wrote", ", ".join(sorted(expected)))
