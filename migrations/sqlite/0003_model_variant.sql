-- Measured weight inventories of a model's checkpoints ("variants"), read from safetensors or
-- GGUF headers by `servefit model import PATH`. `estimate --variant NAME` uses weights_bytes
-- instead of the formula. Changes are logged under entity 'model' with key 'slug:variant'.
CREATE TABLE model_variant (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES model(id) ON DELETE CASCADE,
    name TEXT NOT NULL CHECK (length(name) > 0 AND length(name) <= 128),
    format TEXT NOT NULL,
    quantization TEXT NOT NULL,
    weights_bytes INTEGER NOT NULL CHECK (weights_bytes >= 0),
    params_total INTEGER NOT NULL CHECK (params_total >= 0),
    bits_per_weight REAL NOT NULL CHECK (bits_per_weight >= 0),
    tensor_count INTEGER NOT NULL CHECK (tensor_count >= 0),
    by_dtype_json TEXT NOT NULL,
    source TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (model_id, name)
);
