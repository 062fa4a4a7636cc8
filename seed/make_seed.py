#!/usr/bin/env python3
"""Builds seed/gpus.json and seed/prices.json from ../shared/reference (checked and corrected here),
and seed/models.json from the architecture table below (fields of each model's config.json).
Run from the repository root: python3 seed/make_seed.py"""
import csv, json, os, sys

REF = os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'reference')
GiB = 1 << 30

SLUGS = {  # reference variant -> catalog slug
    'T4 16GB': 't4', 'V100 SXM2 16GB': 'v100-sxm2-16gb', 'V100 SXM2 32GB': 'v100-sxm2-32gb', 'A10 24GB': 'a10',
    'A10G 24GB (AWS-only)': 'a10g', 'A40 48GB': 'a40', 'L4 24GB': 'l4', 'L40S 48GB': 'l40s',
    'A100 40GB PCIe': 'a100-40gb-pcie', 'A100 40GB SXM4': 'a100-40gb-sxm', 'A100 80GB PCIe': 'a100-80gb-pcie',
    'A100 80GB SXM4': 'a100-80gb-sxm', 'H100 PCIe 80GB': 'h100-pcie', 'H100 SXM5 80GB': 'h100-sxm', 'H100 NVL 94GB': 'h100-nvl',
    'H200 SXM 141GB': 'h200-sxm', 'B200 (HGX/DGX B200)': 'b200', 'GB200 per Blackwell GPU (NVL72)': 'gb200',
    'RTX 3090 24GB': 'rtx-3090', 'RTX 4090 24GB': 'rtx-4090', 'RTX 5090 32GB': 'rtx-5090', 'RTX A6000 48GB': 'rtx-a6000',
    'RTX 6000 Ada Generation 48GB': 'rtx-6000-ada', 'MI250X 128GB': 'mi250x', 'MI300X 192GB': 'mi300x',
    'MI325X 256GB': 'mi325x', 'Gaudi 2 (HL-225)': 'gaudi2', 'Gaudi 3 (HL-325L)': 'gaudi3',
}
PRICE_VARIANTS = {
    'H100 SXM5 80GB': 'h100-sxm', 'H100 SXM 80GB': 'h100-sxm', 'H100 SXM5 80GB (Mega, 8x200G NICs)': 'h100-sxm',
    'A100 80GB SXM4': 'a100-80gb-sxm', 'A100 80GB (HGX)': 'a100-80gb-sxm', 'L40S 48GB': 'l40s',
    'A100 40GB SXM4': 'a100-40gb-sxm', 'A100 SXM4 40GB': 'a100-40gb-sxm', 'H200 SXM 141GB': 'h200-sxm', 'H200 141GB': 'h200-sxm',
    'B200 180GB': 'b200', 'L4 24GB': 'l4', 'H100 NVL 94GB': 'h100-nvl', 'A100 80GB PCIe': 'a100-80gb-pcie',
    'A10G 24GB': 'a10g', 'A10 24GB': 'a10', 'H100 PCIe 80GB': 'h100-pcie', 'RTX A6000 48GB': 'rtx-a6000',
    'V100 16GB': 'v100-sxm2-16gb', 'V100 SXM2 16GB': 'v100-sxm2-16gb', 'V100 SXM2 32GB': 'v100-sxm2-32gb',
    'V100 16GB (PCIe)': 'v100-pcie-16gb', 'RTX 4090 24GB': 'rtx-4090', 'T4 16GB': 't4', 'GH200 96GB': 'gh200',
    'GB200 (per Blackwell GPU)': 'gb200', 'A40 48GB': 'a40', 'RTX 6000 Ada 48GB': 'rtx-6000-ada',
    'RTX 5090 32GB': 'rtx-5090', 'RTX 3090 24GB': 'rtx-3090',
}

def num(s):
    s = (s or '').strip()
    return float(s) if s else None

def gpus():
    out = []
    for r in csv.DictReader(open(os.path.join(REF, 'gpus.csv'))):
        slug = SLUGS[r['variant']]
        mem = float(r['memory_size'])
        fp16 = num(r['fp16_bf16_tensor_tflops_dense'])
        g = {
            'slug': slug, 'vendor': r['vendor'], 'name': r['variant'], 'form_factor': r['form_factor'],
            'memory_bytes': int(mem * GiB), 'memory_type': r['memory_type'],
            'bandwidth_gb_per_s': float(r['mem_bw_GBps']),
            'tflops': {'fp32': num(r['fp32_tflops_nontensor']), 'tf32': num(r['tf32_tflops_dense']), 'fp16': fp16,
                       'bf16': None if r['architecture'].startswith(('Turing', 'Volta')) else fp16,
                       'fp8': num(r['fp8_tensor_tflops_dense']), 'int8': num(r['int8_tensor_tops_dense']),
                       'fp4': num(r['fp4_tensor_tflops_dense'])},
            'tdp_w': int(float(r['tdp_w'])), 'interconnect': r['interconnect'],
            'interconnect_gb_per_s': num(r['interconnect_GBps_bidir_per_gpu']), 'launch_year': int(r['launch_year']),
            'source': r['source'], 'notes': f"{r['value_status']}. {r['notes']}".strip(),
        }
        g['tflops'] = {k: v for k, v in g['tflops'].items() if v is not None}
        out.append(g)
    # Variants the reference describes in its notes, added as their own rows.
    v100 = next(g for g in out if g['slug'] == 'v100-sxm2-16gb')
    for size in (16, 32):
        g = dict(v100, slug=f'v100-pcie-{size}gb', name=f'V100 PCIe {size}GB', form_factor='PCIe (dual-slot)',
                 memory_bytes=size * GiB, tflops={'fp32': 14.0, 'fp16': 112.0}, tdp_w=250, interconnect='none (PCIe only)',
                 interconnect_gb_per_s=None, launch_year=2017 if size == 16 else 2018,
                 notes='V100 PCIe variant per the reference notes on the V100 SXM2 rows: 14 FP32 / 112 FP16 tensor / 250 W; same 900 GB/s HBM2.')
        out.append(g)
    mi = next(g for g in out if g['slug'] == 'mi250x')
    out.append(dict(mi, slug='mi250x-gcd', name='MI250X (one GCD, 64GB)', memory_bytes=64 * GiB,
                    bandwidth_gb_per_s=mi['bandwidth_gb_per_s'] / 2, tflops={k: v / 2 for k, v in mi['tflops'].items()},
                    tdp_w=280, notes='Half of an MI250X OAM: software sees each GCD as a 64 GB GPU (reference notes: halve the figures).'))
    h = next(g for g in out if g['slug'] == 'h100-sxm')
    out.append(dict(h, slug='gh200', name='GH200 96GB (Hopper GPU of the Grace Hopper superchip)', form_factor='Superchip module',
                    memory_bytes=96 * GiB, memory_type='HBM3', bandwidth_gb_per_s=4000.0, tdp_w=1000, launch_year=2023,
                    interconnect='NVLink 4 + NVLink-C2C to Grace',
                    notes='DERIVED: GPU compute as H100 SXM (same GH100 die); 96 GB HBM3 at 4 TB/s per NVIDIA GH200 datasheet (recalled, UNVERIFIED); TDP is the module (CPU+GPU+memory) maximum. Added because the reference prices list GH200.'))
    for g in out:
        if g.get('interconnect_gb_per_s') is None: g.pop('interconnect_gb_per_s', None)
    return out

DATE_GUESS = {'unknown (2024-2025 snapshot)': '2024-07-01', 'unknown (older snapshot)': '2024-01-01',
              'unknown (2025-2026 snapshot; includes RTX 5090)': '2025-07-01'}

# Compute targets as the engines name them. NVIDIA: developer.nvidia.com/cuda-gpus (and the
# legacy page for V100); A10G is the GA102 of the A10 (sm_86, derived). AMD: ROCm GPU specs
# (MI250X gfx90a, MI300X/MI325X gfx942). Gaudi has no compute capability; its generation stands in.
ARCH = {
    't4': ('turing', 'sm_75'), 'v100-sxm2-16gb': ('volta', 'sm_70'), 'v100-sxm2-32gb': ('volta', 'sm_70'),
    'v100-pcie-16gb': ('volta', 'sm_70'), 'v100-pcie-32gb': ('volta', 'sm_70'),
    'a10': ('ampere', 'sm_86'), 'a10g': ('ampere', 'sm_86'), 'a40': ('ampere', 'sm_86'), 'rtx-3090': ('ampere', 'sm_86'),
    'rtx-a6000': ('ampere', 'sm_86'), 'a100-40gb-pcie': ('ampere', 'sm_80'), 'a100-40gb-sxm': ('ampere', 'sm_80'),
    'a100-80gb-pcie': ('ampere', 'sm_80'), 'a100-80gb-sxm': ('ampere', 'sm_80'),
    'l4': ('ada', 'sm_89'), 'l40s': ('ada', 'sm_89'), 'rtx-4090': ('ada', 'sm_89'), 'rtx-6000-ada': ('ada', 'sm_89'),
    'h100-pcie': ('hopper', 'sm_90'), 'h100-sxm': ('hopper', 'sm_90'), 'h100-nvl': ('hopper', 'sm_90'),
    'h200-sxm': ('hopper', 'sm_90'), 'gh200': ('hopper', 'sm_90'),
    'b200': ('blackwell', 'sm_100'), 'gb200': ('blackwell', 'sm_100'), 'rtx-5090': ('blackwell', 'sm_120'),
    'mi250x': ('cdna2', 'gfx90a'), 'mi250x-gcd': ('cdna2', 'gfx90a'), 'mi300x': ('cdna3', 'gfx942'), 'mi325x': ('cdna3', 'gfx942'),
    'gaudi2': ('gaudi2', 'gaudi2'), 'gaudi3': ('gaudi3', 'gaudi3'),
}

# How an instance's GPUs are joined: SXM/HGX boards are NVLink-switched, OAM boards Infinity
# Fabric, PCIe cards plain PCIe (H100 NVL pairs are bridged).
SXM = {'a100-40gb-sxm', 'a100-80gb-sxm', 'h100-sxm', 'h200-sxm', 'b200', 'gb200', 'v100-sxm2-16gb', 'v100-sxm2-32gb', 'gh200'}
OAM = {'mi250x', 'mi250x-gcd', 'mi300x', 'mi325x'}
def link(gpu, n):
    if n == 1: return 'none'
    if gpu in SXM: return 'nvlink'
    if gpu in OAM: return 'xgmi'
    if gpu == 'h100-nvl': return 'nvlink-bridge'
    return 'pcie'

def prices():
    out = []
    for r in csv.DictReader(open(os.path.join(REF, 'gpu_prices.csv'))):
        if not r['price_usd_per_gpu_hour'].strip():
            continue  # AWS p5e: no on-demand price published
        as_of = r['price_as_of']
        src = r['source']
        if as_of in DATE_GUESS:
            src = f"{src} [date unknown in the source ({as_of}); dated {DATE_GUESS[as_of]} as an older reference point]"
            as_of = DATE_GUESS[as_of]
        pm = 'spot' if 'spot' in r['pricing_model'].lower() else 'on-demand'
        note = r['pricing_model'] if r['pricing_model'] != 'on-demand' else ''
        if note: src = f"{src} [{note}]"
        gpu = PRICE_VARIANTS[r['gpu_variant']]
        n = int(r['gpu_count'])  # the reference's GPUs per instance
        out.append({'gpu': gpu, 'provider': r['provider'], 'instance': r['instance_or_sku'] or None,
                    'region': r['region'] or None, 'pricing_model': pm, 'usd_per_gpu_hour': round(float(r['price_usd_per_gpu_hour']), 4),
                    'as_of': as_of, 'source': src, 'gpus_per_instance': n, 'link': link(gpu, n)})
    # Later dated prices (8-GPU nodes, MI300X, 2x/4x shapes), each with its source and shape basis.
    extra = json.load(open(os.path.join(os.path.dirname(__file__), 'sources', 'extra_prices.json')))['prices']
    for r in extra:
        out.append({k: r[k] for k in ('gpu', 'provider', 'instance', 'region', 'pricing_model', 'usd_per_gpu_hour', 'as_of',
                                      'source', 'gpus_per_instance', 'link')})
    # Deduplicate on the catalog's price key (first wins).
    seen, uniq = set(), []
    for p in out:
        k = (p['gpu'], p['provider'], p['pricing_model'], p['instance'] or '', p['region'] or '', p['as_of'])
        if k in seen: continue
        seen.add(k); uniq.append(p)
    return uniq

HF = 'config.json of the Hugging Face repo'
def M(slug, name, repo, mt, stated=None, license=None, tags=(), kind='decoder', src=None, notes=None, **cfg):
    d = {'slug': slug, 'name': name, 'hf_repo': repo, 'model_type': mt, 'kind': kind, 'tags': list(tags),
         'source': src or (f'{HF} {repo}' if repo else None)}
    if stated: d['stated_params'] = stated
    if license: d['license'] = license
    if notes: d['notes'] = notes
    d.update(cfg)
    return {k: v for k, v in d.items() if v is not None}

def llama(slug, name, repo, h, I, L, H, kv, V, maxpos, tie=False, stated=None, lic=None, tags=(), mt='llama', hd=None, **kw):
    return M(slug, name, repo, mt, stated, lic, tags, hidden_size=h, intermediate_size=I, num_hidden_layers=L,
             num_attention_heads=H, num_key_value_heads=kv, head_dim=hd, vocab_size=V, max_position_embeddings=maxpos,
             tie_word_embeddings=tie, **kw)

# config.json of openai/gpt-oss-20b and -120b: "quantization_config": {"modules_to_not_convert":
# ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens", "lm_head"], "quant_method": "mxfp4"}
GPT_OSS_MXFP4 = {'quant_method': 'mxfp4', 'ignore': ['model.layers.*.self_attn', 'model.layers.*.mlp.router', 'model.embed_tokens', 'lm_head'],
                 'format': 'mxfp4'}

# config.json of deepseek-ai/DeepSeek-V3 and -R1: "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3",
# "quant_method": "fp8", "weight_block_size": [128, 128]}: the checkpoint is FP8, so it is the default format.
DEEPSEEK_FP8 = {'quant_method': 'fp8', 'weight_block_size': [128, 128], 'format': 'fp8'}

def models():
    L2 = 'llama2'; L3 = 'llama3.1'
    ms = [
        llama('llama-2-7b', 'Llama 2 7B', 'meta-llama/Llama-2-7b-hf', 4096, 11008, 32, 32, 32, 32000, 4096, stated=6738415616, lic=L2, tags=['llama', 'chat-base']),
        llama('llama-2-7b-chat', 'Llama 2 7B Chat', 'meta-llama/Llama-2-7b-chat-hf', 4096, 11008, 32, 32, 32, 32000, 4096, stated=6738415616, lic=L2, tags=['llama', 'instruct']),
        llama('llama-2-13b', 'Llama 2 13B', 'meta-llama/Llama-2-13b-hf', 5120, 13824, 40, 40, 40, 32000, 4096, stated=13015864320, lic=L2, tags=['llama']),
        llama('llama-2-70b', 'Llama 2 70B', 'meta-llama/Llama-2-70b-hf', 8192, 28672, 80, 64, 8, 32000, 4096, stated=68976648192, lic=L2, tags=['llama']),
        llama('llama-3-8b', 'Meta Llama 3 8B', 'meta-llama/Meta-Llama-3-8B', 4096, 14336, 32, 32, 8, 128256, 8192, stated=8030261248, lic='llama3', tags=['llama']),
        llama('llama-3.1-8b', 'Llama 3.1 8B', 'meta-llama/Llama-3.1-8B', 4096, 14336, 32, 32, 8, 128256, 131072, stated=8030261248, lic=L3, tags=['llama']),
        llama('llama-3.1-8b-instruct', 'Llama 3.1 8B Instruct', 'meta-llama/Llama-3.1-8B-Instruct', 4096, 14336, 32, 32, 8, 128256, 131072, stated=8030261248, lic=L3, tags=['llama', 'instruct']),
        llama('llama-3.1-70b', 'Llama 3.1 70B', 'meta-llama/Llama-3.1-70B', 8192, 28672, 80, 64, 8, 128256, 131072, stated=70553706496, lic=L3, tags=['llama']),
        llama('llama-3.1-405b', 'Llama 3.1 405B', 'meta-llama/Llama-3.1-405B', 16384, 53248, 126, 128, 8, 128256, 131072, lic=L3, tags=['llama']),
        llama('llama-3.2-1b', 'Llama 3.2 1B', 'meta-llama/Llama-3.2-1B', 2048, 8192, 16, 32, 8, 128256, 131072, tie=True, hd=64, lic='llama3.2', tags=['llama', 'small']),
        llama('llama-3.2-3b', 'Llama 3.2 3B', 'meta-llama/Llama-3.2-3B', 3072, 8192, 28, 24, 8, 128256, 131072, tie=True, hd=128, lic='llama3.2', tags=['llama', 'small']),
        llama('llama-3.3-70b-instruct', 'Llama 3.3 70B Instruct', 'meta-llama/Llama-3.3-70B-Instruct', 8192, 28672, 80, 64, 8, 128256, 131072, stated=70553706496, lic='llama3.3', tags=['llama', 'instruct']),
        llama('mistral-7b', 'Mistral 7B v0.1', 'mistralai/Mistral-7B-v0.1', 4096, 14336, 32, 32, 8, 32000, 32768, stated=7241732096, lic='apache-2.0', tags=['mistral'], mt='mistral', sliding_window=4096),
        llama('mistral-7b-instruct-v0.3', 'Mistral 7B Instruct v0.3', 'mistralai/Mistral-7B-Instruct-v0.3', 4096, 14336, 32, 32, 8, 32768, 32768, stated=7248023552, lic='apache-2.0', tags=['mistral', 'instruct'], mt='mistral'),
        llama('mistral-nemo-12b', 'Mistral Nemo Base 2407 (12B)', 'mistralai/Mistral-Nemo-Base-2407', 5120, 14336, 40, 32, 8, 131072, 1024000, hd=128, lic='apache-2.0', tags=['mistral'], mt='mistral'),
        llama('mixtral-8x7b', 'Mixtral 8x7B v0.1', 'mistralai/Mixtral-8x7B-v0.1', 4096, 14336, 32, 32, 8, 32000, 32768, stated=46702792704, lic='apache-2.0', tags=['mistral', 'moe'], mt='mixtral', num_experts=8, num_experts_per_tok=2),
        llama('mixtral-8x7b-instruct', 'Mixtral 8x7B Instruct v0.1', 'mistralai/Mixtral-8x7B-Instruct-v0.1', 4096, 14336, 32, 32, 8, 32000, 32768, stated=46702792704, lic='apache-2.0', tags=['mistral', 'moe', 'instruct'], mt='mixtral', num_experts=8, num_experts_per_tok=2),
        llama('mixtral-8x22b', 'Mixtral 8x22B v0.1', 'mistralai/Mixtral-8x22B-v0.1', 6144, 16384, 56, 48, 8, 32000, 65536, lic='apache-2.0', tags=['mistral', 'moe'], mt='mixtral', num_experts=8, num_experts_per_tok=2),
        llama('qwen2.5-7b', 'Qwen2.5 7B', 'Qwen/Qwen2.5-7B', 3584, 18944, 28, 28, 4, 152064, 131072, stated=7615616512, lic='apache-2.0', tags=['qwen'], mt='qwen2', use_sliding_window=False),
        llama('qwen2.5-7b-instruct', 'Qwen2.5 7B Instruct', 'Qwen/Qwen2.5-7B-Instruct', 3584, 18944, 28, 28, 4, 152064, 32768, stated=7615616512, lic='apache-2.0', tags=['qwen', 'instruct'], mt='qwen2', use_sliding_window=False),
        llama('qwen2.5-1.5b-instruct', 'Qwen2.5 1.5B Instruct', 'Qwen/Qwen2.5-1.5B-Instruct', 1536, 8960, 28, 12, 2, 151936, 32768, tie=True, lic='apache-2.0', tags=['qwen', 'instruct', 'small'], mt='qwen2', use_sliding_window=False),
        llama('qwen2.5-14b-instruct', 'Qwen2.5 14B Instruct', 'Qwen/Qwen2.5-14B-Instruct', 5120, 13824, 48, 40, 8, 152064, 32768, lic='apache-2.0', tags=['qwen', 'instruct'], mt='qwen2', use_sliding_window=False),
        llama('qwen2.5-32b-instruct', 'Qwen2.5 32B Instruct', 'Qwen/Qwen2.5-32B-Instruct', 5120, 27648, 64, 40, 8, 152064, 32768, lic='apache-2.0', tags=['qwen', 'instruct'], mt='qwen2', use_sliding_window=False),
        llama('qwen2.5-72b-instruct', 'Qwen2.5 72B Instruct', 'Qwen/Qwen2.5-72B-Instruct', 8192, 29568, 80, 64, 8, 152064, 32768, lic='qwen', tags=['qwen', 'instruct'], mt='qwen2', use_sliding_window=False),
        llama('qwq-32b', 'QwQ 32B', 'Qwen/QwQ-32B', 5120, 27648, 64, 40, 8, 152064, 40960, lic='apache-2.0', tags=['qwen', 'reasoning'], mt='qwen2', use_sliding_window=False),
        llama('qwen3-0.6b', 'Qwen3 0.6B', 'Qwen/Qwen3-0.6B', 1024, 3072, 28, 16, 8, 151936, 40960, tie=True, hd=128, lic='apache-2.0', tags=['qwen', 'small'], mt='qwen3', use_sliding_window=False),
        llama('qwen3-4b', 'Qwen3 4B', 'Qwen/Qwen3-4B', 2560, 9728, 36, 32, 8, 151936, 40960, tie=True, hd=128, lic='apache-2.0', tags=['qwen'], mt='qwen3', use_sliding_window=False),
        llama('qwen3-8b', 'Qwen3 8B', 'Qwen/Qwen3-8B', 4096, 12288, 36, 32, 8, 151936, 40960, hd=128, lic='apache-2.0', tags=['qwen'], mt='qwen3', use_sliding_window=False),
        llama('qwen3-14b', 'Qwen3 14B', 'Qwen/Qwen3-14B', 5120, 17408, 40, 40, 8, 151936, 40960, hd=128, lic='apache-2.0', tags=['qwen'], mt='qwen3', use_sliding_window=False),
        llama('qwen3-32b', 'Qwen3 32B', 'Qwen/Qwen3-32B', 5120, 25600, 64, 64, 8, 151936, 40960, hd=128, lic='apache-2.0', tags=['qwen'], mt='qwen3', use_sliding_window=False),
        llama('qwen3-30b-a3b', 'Qwen3 30B-A3B', 'Qwen/Qwen3-30B-A3B', 2048, 6144, 48, 32, 4, 151936, 40960, hd=128, stated=30532122624, lic='apache-2.0', tags=['qwen', 'moe'], mt='qwen3_moe',
              use_sliding_window=False, num_experts=128, num_experts_per_tok=8, moe_intermediate_size=768, moe_layer_freq=1, mlp_only_layers=[]),
        llama('qwen3-235b-a22b', 'Qwen3 235B-A22B', 'Qwen/Qwen3-235B-A22B', 4096, 12288, 94, 64, 4, 151936, 40960, hd=128, lic='apache-2.0', tags=['qwen', 'moe'], mt='qwen3_moe',
              use_sliding_window=False, num_experts=128, num_experts_per_tok=8, moe_intermediate_size=1536, moe_layer_freq=1, mlp_only_layers=[]),
        llama('qwen1.5-moe-a2.7b', 'Qwen1.5 MoE A2.7B', 'Qwen/Qwen1.5-MoE-A2.7B', 2048, 5632, 24, 16, 16, 151936, 8192, lic='tongyi-qianwen', tags=['qwen', 'moe'], mt='qwen2_moe',
              use_sliding_window=False, num_experts=60, num_experts_per_tok=4, moe_intermediate_size=1408, shared_expert_intermediate_size=5632, moe_layer_freq=1, mlp_only_layers=[]),
        M('deepseek-v3', 'DeepSeek V3', 'deepseek-ai/DeepSeek-V3', 'deepseek_v3', 671026419200, 'deepseek', ['deepseek', 'moe', 'mla'],
          hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048, num_hidden_layers=61, num_attention_heads=128, num_key_value_heads=128,
          vocab_size=129280, max_position_embeddings=163840, tie_word_embeddings=False, num_experts=256, num_experts_per_tok=8, n_shared_experts=1,
          first_k_dense_replace=3, moe_layer_freq=1, kv_lora_rank=512, q_lora_rank=1536, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
          num_nextn_predict_layers=1, quantization_config=DEEPSEEK_FP8,
          notes='HF checkpoint is FP8 (e4m3, 128x128 block scales) plus one MTP layer (685B stored).'),
        M('deepseek-r1', 'DeepSeek R1', 'deepseek-ai/DeepSeek-R1', 'deepseek_v3', 671026419200, 'mit', ['deepseek', 'moe', 'mla', 'reasoning'],
          hidden_size=7168, intermediate_size=18432, moe_intermediate_size=2048, num_hidden_layers=61, num_attention_heads=128, num_key_value_heads=128,
          vocab_size=129280, max_position_embeddings=163840, tie_word_embeddings=False, num_experts=256, num_experts_per_tok=8, n_shared_experts=1,
          first_k_dense_replace=3, moe_layer_freq=1, kv_lora_rank=512, q_lora_rank=1536, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128,
          num_nextn_predict_layers=1, quantization_config=DEEPSEEK_FP8,
          notes='HF checkpoint is FP8 (e4m3, 128x128 block scales) plus one MTP layer (685B stored).'),
        M('deepseek-v2-lite', 'DeepSeek V2 Lite', 'deepseek-ai/DeepSeek-V2-Lite', 'deepseek_v2', None, 'deepseek', ['deepseek', 'moe', 'mla'],
          hidden_size=2048, intermediate_size=10944, moe_intermediate_size=1408, num_hidden_layers=27, num_attention_heads=16, num_key_value_heads=16,
          vocab_size=102400, max_position_embeddings=163840, tie_word_embeddings=False, num_experts=64, num_experts_per_tok=6, n_shared_experts=2,
          first_k_dense_replace=1, moe_layer_freq=1, kv_lora_rank=512, qk_rope_head_dim=64, qk_nope_head_dim=128, v_head_dim=128),
        M('gpt-oss-20b', 'gpt-oss-20b', 'openai/gpt-oss-20b', 'gpt_oss', None, 'apache-2.0', ['openai', 'moe', 'reasoning'],
          hidden_size=2880, intermediate_size=2880, num_hidden_layers=24, num_attention_heads=64, num_key_value_heads=8, head_dim=64,
          vocab_size=201088, max_position_embeddings=131072, tie_word_embeddings=False, num_experts=32, num_experts_per_tok=4, sliding_window=128,
          layer_types=['sliding_attention', 'full_attention'] * 12, attention_bias=True, quantization_config=GPT_OSS_MXFP4,
          notes='Experts ship in MXFP4; attention, router, embeddings and head in bf16 (quantization_config of config.json).'),
        M('gpt-oss-120b', 'gpt-oss-120b', 'openai/gpt-oss-120b', 'gpt_oss', None, 'apache-2.0', ['openai', 'moe', 'reasoning'],
          hidden_size=2880, intermediate_size=2880, num_hidden_layers=36, num_attention_heads=64, num_key_value_heads=8, head_dim=64,
          vocab_size=201088, max_position_embeddings=131072, tie_word_embeddings=False, num_experts=128, num_experts_per_tok=4, sliding_window=128,
          layer_types=['sliding_attention', 'full_attention'] * 18, attention_bias=True, quantization_config=GPT_OSS_MXFP4,
          notes='Experts ship in MXFP4; attention, router, embeddings and head in bf16 (quantization_config of config.json).'),
        llama('gemma-7b', 'Gemma 7B', 'google/gemma-7b', 3072, 24576, 28, 16, 16, 256000, 8192, tie=True, hd=256, lic='gemma', tags=['gemma'], mt='gemma'),
        llama('gemma-2-2b', 'Gemma 2 2B', 'google/gemma-2-2b', 2304, 9216, 26, 8, 4, 256000, 8192, tie=True, hd=256, lic='gemma', tags=['gemma', 'small'], mt='gemma2', sliding_window=4096, sliding_window_pattern=2),
        llama('gemma-2-9b', 'Gemma 2 9B', 'google/gemma-2-9b', 3584, 14336, 42, 16, 8, 256000, 8192, tie=True, hd=256, stated=9241705984, lic='gemma', tags=['gemma'], mt='gemma2', sliding_window=4096, sliding_window_pattern=2),
        llama('gemma-2-27b', 'Gemma 2 27B', 'google/gemma-2-27b', 4608, 36864, 46, 32, 16, 256000, 8192, tie=True, hd=128, lic='gemma', tags=['gemma'], mt='gemma2', sliding_window=4096, sliding_window_pattern=2),
        llama('gemma-3-1b-it', 'Gemma 3 1B IT', 'google/gemma-3-1b-it', 1152, 6912, 26, 4, 1, 262144, 32768, tie=True, hd=256, lic='gemma', tags=['gemma', 'instruct', 'small'], mt='gemma3_text', sliding_window=512, sliding_window_pattern=6),
        llama('gemma-3-4b-it', 'Gemma 3 4B IT', 'google/gemma-3-4b-it', 2560, 10240, 34, 8, 4, 262208, 131072, tie=True, hd=256, lic='gemma', tags=['gemma', 'instruct', 'vision'], mt='gemma3', sliding_window=1024, sliding_window_pattern=6,
              vision_hidden_size=1152, vision_intermediate_size=4304, vision_num_layers=27, vision_num_heads=16, vision_patch_size=14, vision_image_size=896, vision_num_channels=3),
        llama('gemma-3-12b-it', 'Gemma 3 12B IT', 'google/gemma-3-12b-it', 3840, 15360, 48, 16, 8, 262208, 131072, tie=True, hd=256, lic='gemma', tags=['gemma', 'instruct', 'vision'], mt='gemma3', sliding_window=1024, sliding_window_pattern=6,
              vision_hidden_size=1152, vision_intermediate_size=4304, vision_num_layers=27, vision_num_heads=16, vision_patch_size=14, vision_image_size=896, vision_num_channels=3),
        llama('gemma-3-27b-it', 'Gemma 3 27B IT', 'google/gemma-3-27b-it', 5376, 21504, 62, 32, 16, 262208, 131072, tie=True, hd=128, stated=27432406640, lic='gemma', tags=['gemma', 'instruct', 'vision'], mt='gemma3', sliding_window=1024, sliding_window_pattern=6,
              vision_hidden_size=1152, vision_intermediate_size=4304, vision_num_layers=27, vision_num_heads=16, vision_patch_size=14, vision_image_size=896, vision_num_channels=3),
        llama('phi-3-mini-4k-instruct', 'Phi-3 mini 4k Instruct', 'microsoft/Phi-3-mini-4k-instruct', 3072, 8192, 32, 32, 32, 32064, 4096, stated=3821079552, lic='mit', tags=['phi', 'instruct', 'small'], mt='phi3', sliding_window=2047),
        llama('phi-3-medium-4k-instruct', 'Phi-3 medium 4k Instruct', 'microsoft/Phi-3-medium-4k-instruct', 5120, 17920, 40, 40, 10, 32064, 4096, lic='mit', tags=['phi', 'instruct'], mt='phi3', sliding_window=2047),
        llama('phi-4', 'Phi-4 (14B)', 'microsoft/phi-4', 5120, 17920, 40, 40, 10, 100352, 16384, lic='mit', tags=['phi'], mt='phi3'),
        llama('glm-4-9b', 'GLM-4 9B (0414)', 'THUDM/GLM-4-9B-0414', 4096, 13696, 40, 32, 2, 151552, 32768, hd=128, lic='mit', tags=['glm'], mt='glm4', attention_bias=True),
        M('falcon-7b', 'Falcon 7B', 'tiiuae/falcon-7b', 'falcon', 6921720704, 'apache-2.0', ['falcon'], hidden_size=4544, num_hidden_layers=32,
          num_attention_heads=71, num_key_value_heads=1, vocab_size=65024, max_position_embeddings=2048, tie_word_embeddings=True,
          multi_query=True, parallel_attn=True, bias=False, new_decoder_architecture=False, intermediate_size=18176),
        M('falcon-180b', 'Falcon 180B', 'tiiuae/falcon-180B', 'falcon', None, 'falcon-180b-tii', ['falcon'], hidden_size=14848, num_hidden_layers=80,
          num_attention_heads=232, num_key_value_heads=8, vocab_size=65024, max_position_embeddings=2048, tie_word_embeddings=True,
          parallel_attn=True, bias=False, new_decoder_architecture=True, intermediate_size=59392),
        M('gpt-3-175b', 'GPT-3 175B (davinci architecture)', None, 'gpt2', 175000000000, 'proprietary (weights not released)', ['openai'],
          hidden_size=12288, intermediate_size=49152, num_hidden_layers=96, num_attention_heads=96, num_key_value_heads=96, vocab_size=50257,
          max_position_embeddings=2048, tie_word_embeddings=True, src='Brown et al. 2020, Language Models are Few-Shot Learners, Table 2.1 (n_layers 96, d_model 12288, n_heads 96, d_head 128, n_ctx 2048); GPT-2 layer shapes and BPE vocabulary',
          notes='No config.json exists; shapes from the paper. Dense attention assumed (the paper alternates dense and locally banded sparse layers).'),
        M('gpt2', 'GPT-2 (124M)', 'openai-community/gpt2', 'gpt2', 124439808, 'mit', ['openai', 'small'], hidden_size=768, intermediate_size=3072,
          num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=12, vocab_size=50257, max_position_embeddings=1024, tie_word_embeddings=True),
        M('bert-base-uncased', 'BERT base uncased', 'google-bert/bert-base-uncased', 'bert', 110106428, 'apache-2.0', ['encoder'], kind='encoder',
          architectures=['BertForMaskedLM'], hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=12,
          vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, tie_word_embeddings=True),
        M('multilingual-e5-large', 'multilingual-e5-large (embedding)', 'intfloat/multilingual-e5-large', 'xlm-roberta', 559890432, 'mit', ['encoder', 'embedding'], kind='encoder',
          architectures=['XLMRobertaModel'], hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16, num_key_value_heads=16,
          vocab_size=250002, max_position_embeddings=514, type_vocab_size=1, tie_word_embeddings=True),
        M('bge-m3', 'BGE-M3 (embedding)', 'BAAI/bge-m3', 'xlm-roberta', None, 'mit', ['encoder', 'embedding'], kind='encoder',
          architectures=['XLMRobertaModel'], hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16, num_key_value_heads=16,
          vocab_size=250002, max_position_embeddings=8194, type_vocab_size=1, tie_word_embeddings=True),
        M('bge-reranker-v2-m3', 'bge-reranker-v2-m3 (reranker)', 'BAAI/bge-reranker-v2-m3', 'xlm-roberta', None, 'apache-2.0', ['encoder', 'reranker'], kind='encoder',
          architectures=['XLMRobertaForSequenceClassification'], hidden_size=1024, intermediate_size=4096, num_hidden_layers=24, num_attention_heads=16,
          num_key_value_heads=16, vocab_size=250002, max_position_embeddings=8194, type_vocab_size=1, num_labels=1, tie_word_embeddings=True),
        M('gte-multilingual-base', 'gte-multilingual-base (embedding)', 'Alibaba-NLP/gte-multilingual-base', 'new', None, 'apache-2.0', ['encoder', 'embedding'], kind='encoder',
          architectures=['NewForTokenClassification'], hidden_size=768, intermediate_size=3072, num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=12,
          vocab_size=250048, max_position_embeddings=8192, type_vocab_size=1, num_labels=1, tie_word_embeddings=True,
          notes='Custom "new" architecture (remote code): RoPE, fused QKV, GLU MLP; no absolute position table.'),
        M('whisper-large-v3-turbo', 'Whisper large-v3 turbo', 'openai/whisper-large-v3-turbo', 'whisper', 808878080, 'mit', ['speech', 'encoder-decoder'], kind='encoder-decoder',
          hidden_size=1280, encoder_layers=32, decoder_layers=4, encoder_attention_heads=20, decoder_attention_heads=20, encoder_ffn_dim=5120,
          decoder_ffn_dim=5120, vocab_size=51866, num_mel_bins=128, max_source_positions=1500, max_target_positions=448, tie_word_embeddings=True),
        M('whisper-large-v3', 'Whisper large-v3', 'openai/whisper-large-v3', 'whisper', None, 'apache-2.0', ['speech', 'encoder-decoder'], kind='encoder-decoder',
          hidden_size=1280, encoder_layers=32, decoder_layers=32, encoder_attention_heads=20, decoder_attention_heads=20, encoder_ffn_dim=5120,
          decoder_ffn_dim=5120, vocab_size=51866, num_mel_bins=128, max_source_positions=1500, max_target_positions=448, tie_word_embeddings=True),
    ]
    for m in ms:
        if 'num_experts_per_tok' in m or 'num_experts' in m: pass
    return ms

def dump(name, key, rows):
    doc = {'format': 'servefit-catalog', 'version': 1, key: rows}
    with open(os.path.join(os.path.dirname(__file__), name), 'w') as f:
        json.dump(doc, f, indent=1, sort_keys=True)
        f.write('\n')

if __name__ == '__main__':
    g = gpus(); p = prices(); m = models()
    for x in g:
        x['architecture'], x['compute_capability'] = ARCH[x['slug']]
    slugs = {x['slug'] for x in g}
    assert all(x['gpu'] in slugs for x in p), [x['gpu'] for x in p if x['gpu'] not in slugs]
    dump('gpus.json', 'gpus', g); dump('prices.json', 'prices', p); dump('models.json', 'models', m)
    print(len(g), 'gpus', len(p), 'prices', len(m), 'models')
