-- Measurements (issue #14): what a team measured, as catalog data. One row per run of an imported
-- file (a benchmark result or an engine log), tied to a model (and variant) and a GPU. The file's
-- SHA-256 and the run's position in it are unique: the same file imported twice is a duplicate.
CREATE TABLE measurement (
    id INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES model(id) ON DELETE CASCADE,
    variant TEXT CHECK (variant IS NULL OR length(variant) BETWEEN 1 AND 128),
    gpu_id INTEGER NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    gpu_count INTEGER NOT NULL CHECK (gpu_count BETWEEN 1 AND 4096),
    engine TEXT NOT NULL CHECK (length(engine) BETWEEN 1 AND 32),
    engine_version TEXT CHECK (engine_version IS NULL OR length(engine_version) <= 64),
    kind TEXT NOT NULL CHECK (kind IN ('serving', 'throughput', 'latency', 'startup', 'bench')),
    format TEXT NOT NULL CHECK (length(format) BETWEEN 1 AND 64),
    settings_json TEXT NOT NULL CHECK (json_valid(settings_json)),
    figures_json TEXT NOT NULL CHECK (json_valid(figures_json)),
    error TEXT CHECK (error IS NULL OR length(error) <= 2048),
    source_sha256 TEXT NOT NULL CHECK (length(source_sha256) = 64),
    run_index INTEGER NOT NULL CHECK (run_index >= 0),
    source_name TEXT CHECK (source_name IS NULL OR length(source_name) <= 256),
    actor TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (source_sha256, run_index)
);
CREATE INDEX measurement_model ON measurement(model_id);
CREATE INDEX measurement_gpu ON measurement(gpu_id);

-- Per-(engine, GPU) speed corrections fitted to the measurements (`servefit calibrate`): one for
-- decode steps (generation, served throughput), one for compute-bound prompt steps (prefill).
CREATE TABLE calibration (
    engine TEXT NOT NULL,
    gpu_id INTEGER NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    phase TEXT NOT NULL CHECK (phase IN ('decode', 'prefill')),
    factor REAL NOT NULL CHECK (factor > 0 AND factor < 100),
    runs INTEGER NOT NULL CHECK (runs >= 1),
    error_before REAL,
    error_after REAL,
    fitted_at TEXT NOT NULL,
    PRIMARY KEY (engine, gpu_id, phase)
);

-- The change log records measurement and calibration writes too (its entity list is a CHECK, so
-- the table is rebuilt with every row kept).
CREATE TABLE change_log_new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    entity TEXT NOT NULL CHECK (entity IN ('model', 'gpu', 'price', 'scenario', 'token', 'catalog', 'measurement', 'calibration')),
    key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'seed', 'import')),
    before_json TEXT,
    after_json TEXT
);
INSERT INTO change_log_new(id, at, actor, entity, key, action, before_json, after_json)
SELECT id, at, actor, entity, key, action, before_json, after_json FROM change_log;
DROP TABLE change_log;
ALTER TABLE change_log_new RENAME TO change_log;
CREATE INDEX change_log_entity ON change_log(entity, key);
CREATE INDEX change_log_at ON change_log(at);
CREATE INDEX change_log_entity_id ON change_log(entity, id);
