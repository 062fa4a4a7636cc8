-- servefit catalog schema, version 1. Never edit once landed: add a new numbered file instead.

CREATE TABLE model (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 128),
    name TEXT NOT NULL CHECK (length(name) > 0),
    hf_repo TEXT UNIQUE,
    model_type TEXT NOT NULL CHECK (length(model_type) > 0),
    kind TEXT NOT NULL DEFAULT 'decoder' CHECK (kind IN ('decoder', 'encoder', 'encoder-decoder')),
    architectures TEXT,            -- JSON array of strings
    hidden_act TEXT,
    layer_types TEXT,              -- JSON array: sliding_attention / full_attention per layer
    mlp_only_layers TEXT,          -- JSON array of layer indices
    hidden_size INTEGER CHECK (hidden_size >= 0),
    intermediate_size INTEGER CHECK (intermediate_size >= 0),
    num_hidden_layers INTEGER CHECK (num_hidden_layers >= 0),
    num_attention_heads INTEGER CHECK (num_attention_heads >= 0),
    num_key_value_heads INTEGER CHECK (num_key_value_heads >= 0),
    head_dim INTEGER CHECK (head_dim >= 0),
    vocab_size INTEGER CHECK (vocab_size >= 0),
    max_position_embeddings INTEGER CHECK (max_position_embeddings >= 0),
    sliding_window INTEGER CHECK (sliding_window >= 0),
    sliding_window_pattern INTEGER CHECK (sliding_window_pattern >= 0),
    max_window_layers INTEGER CHECK (max_window_layers >= 0),
    num_experts INTEGER CHECK (num_experts >= 0),
    num_experts_per_tok INTEGER CHECK (num_experts_per_tok >= 0),
    moe_intermediate_size INTEGER CHECK (moe_intermediate_size >= 0),
    n_shared_experts INTEGER CHECK (n_shared_experts >= 0),
    shared_expert_intermediate_size INTEGER CHECK (shared_expert_intermediate_size >= 0),
    first_k_dense_replace INTEGER CHECK (first_k_dense_replace >= 0),
    moe_layer_freq INTEGER CHECK (moe_layer_freq >= 0),
    kv_lora_rank INTEGER CHECK (kv_lora_rank >= 0),
    q_lora_rank INTEGER CHECK (q_lora_rank >= 0),
    qk_rope_head_dim INTEGER CHECK (qk_rope_head_dim >= 0),
    qk_nope_head_dim INTEGER CHECK (qk_nope_head_dim >= 0),
    v_head_dim INTEGER CHECK (v_head_dim >= 0),
    num_nextn_predict_layers INTEGER CHECK (num_nextn_predict_layers >= 0),
    encoder_layers INTEGER CHECK (encoder_layers >= 0),
    decoder_layers INTEGER CHECK (decoder_layers >= 0),
    encoder_attention_heads INTEGER CHECK (encoder_attention_heads >= 0),
    decoder_attention_heads INTEGER CHECK (decoder_attention_heads >= 0),
    encoder_ffn_dim INTEGER CHECK (encoder_ffn_dim >= 0),
    decoder_ffn_dim INTEGER CHECK (decoder_ffn_dim >= 0),
    max_source_positions INTEGER CHECK (max_source_positions >= 0),
    max_target_positions INTEGER CHECK (max_target_positions >= 0),
    num_mel_bins INTEGER CHECK (num_mel_bins >= 0),
    type_vocab_size INTEGER CHECK (type_vocab_size >= 0),
    num_labels INTEGER CHECK (num_labels >= 0),
    vision_hidden_size INTEGER CHECK (vision_hidden_size >= 0),
    vision_intermediate_size INTEGER CHECK (vision_intermediate_size >= 0),
    vision_num_layers INTEGER CHECK (vision_num_layers >= 0),
    vision_num_heads INTEGER CHECK (vision_num_heads >= 0),
    vision_patch_size INTEGER CHECK (vision_patch_size >= 0),
    vision_image_size INTEGER CHECK (vision_image_size >= 0),
    vision_num_channels INTEGER CHECK (vision_num_channels >= 0),
    tie_word_embeddings INTEGER CHECK (tie_word_embeddings IN (0, 1)),
    attention_bias INTEGER CHECK (attention_bias IN (0, 1)),
    use_sliding_window INTEGER CHECK (use_sliding_window IN (0, 1)),
    new_decoder_architecture INTEGER CHECK (new_decoder_architecture IN (0, 1)),
    multi_query INTEGER CHECK (multi_query IN (0, 1)),
    parallel_attn INTEGER CHECK (parallel_attn IN (0, 1)),
    bias INTEGER CHECK (bias IN (0, 1)),
    stated_params INTEGER CHECK (stated_params >= 0),
    license TEXT,
    tags TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
    owner TEXT,
    notes TEXT,
    source TEXT,
    origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('seed', 'user')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX model_model_type ON model(model_type);
CREATE INDEX model_stated_params ON model(stated_params);

CREATE TABLE gpu (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (length(slug) BETWEEN 1 AND 128),
    vendor TEXT NOT NULL CHECK (length(vendor) > 0),
    name TEXT NOT NULL CHECK (length(name) > 0),
    form_factor TEXT,
    memory_bytes INTEGER NOT NULL CHECK (memory_bytes > 0),
    memory_type TEXT,
    bandwidth_gb_per_s REAL NOT NULL CHECK (bandwidth_gb_per_s > 0),
    tflops_fp32 REAL CHECK (tflops_fp32 > 0),
    tflops_tf32 REAL CHECK (tflops_tf32 > 0),
    tflops_fp16 REAL CHECK (tflops_fp16 > 0),
    tflops_bf16 REAL CHECK (tflops_bf16 > 0),
    tflops_fp8 REAL CHECK (tflops_fp8 > 0),
    tflops_int8 REAL CHECK (tflops_int8 > 0),
    tflops_fp4 REAL CHECK (tflops_fp4 > 0),
    tdp_w INTEGER CHECK (tdp_w > 0),
    interconnect TEXT,
    interconnect_gb_per_s REAL CHECK (interconnect_gb_per_s > 0),
    launch_year INTEGER CHECK (launch_year BETWEEN 1990 AND 2100),
    source TEXT,
    notes TEXT,
    origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('seed', 'user')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX gpu_vendor ON gpu(vendor COLLATE NOCASE);
CREATE INDEX gpu_memory ON gpu(memory_bytes);
CREATE INDEX gpu_bandwidth ON gpu(bandwidth_gb_per_s);

-- Prices are history: rows are added, never overwritten. "Current" is the latest as_of
-- per (gpu, provider, pricing_model).
CREATE TABLE gpu_price (
    id INTEGER PRIMARY KEY,
    gpu_id INTEGER NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    provider TEXT NOT NULL CHECK (length(provider) > 0),
    instance TEXT,
    region TEXT,
    pricing_model TEXT NOT NULL DEFAULT 'on-demand' CHECK (pricing_model IN ('on-demand', 'spot', 'reserved')),
    usd_per_gpu_hour REAL NOT NULL CHECK (usd_per_gpu_hour > 0),
    as_of TEXT NOT NULL CHECK (as_of GLOB '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9]'),
    source TEXT NOT NULL CHECK (length(source) > 0),
    origin TEXT NOT NULL DEFAULT 'user' CHECK (origin IN ('seed', 'user')),
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX gpu_price_key ON gpu_price(gpu_id, provider, pricing_model, ifnull(instance, ''), ifnull(region, ''), as_of);
CREATE INDEX gpu_price_latest ON gpu_price(gpu_id, provider, pricing_model, as_of);
CREATE INDEX gpu_price_provider ON gpu_price(provider COLLATE NOCASE);

CREATE VIEW current_gpu_price AS
SELECT p.* FROM gpu_price p
WHERE p.as_of = (SELECT max(q.as_of) FROM gpu_price q
                 WHERE q.gpu_id = p.gpu_id AND q.provider = p.provider AND q.pricing_model = p.pricing_model);

-- A saved deployment question; options_json holds every option as the CLI takes them.
CREATE TABLE scenario (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 128),
    model_id INTEGER NOT NULL REFERENCES model(id) ON DELETE RESTRICT,
    gpu_id INTEGER REFERENCES gpu(id) ON DELETE SET NULL,
    gpu_count INTEGER CHECK (gpu_count > 0),
    weights TEXT,
    kv_cache TEXT,
    engine TEXT,
    context INTEGER CHECK (context > 0),
    batch INTEGER CHECK (batch > 0),
    input_tokens INTEGER CHECK (input_tokens >= 0),
    output_tokens INTEGER CHECK (output_tokens >= 0),
    options_json TEXT NOT NULL DEFAULT '{}',
    result_json TEXT,
    notes TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX scenario_model ON scenario(model_id);

CREATE TABLE change_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL CHECK (entity IN ('model', 'gpu', 'price', 'scenario', 'token', 'catalog')),
    key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'seed', 'import')),
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX change_log_entity ON change_log(entity, key);
CREATE INDEX change_log_at ON change_log(at);

-- Seed rows a user removed: `db seed` does not bring them back without --force.
CREATE TABLE seed_skip (
    entity TEXT NOT NULL,
    key TEXT NOT NULL,
    PRIMARY KEY (entity, key)
) WITHOUT ROWID;
