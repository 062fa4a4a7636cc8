-- PostgreSQL dialect of migrations/sqlite/0005_instance_shapes.sql (the dialect rule is in 0001).
-- Instance shapes and GPU architectures (issue #12). A PostgreSQL catalog is always created by
-- these migrations and then seeded, so the SQLite file's updates of older seed rows have nothing
-- to update here and are left out; the seed carries every shape.
ALTER TABLE gpu ADD COLUMN architecture TEXT CHECK (architecture IS NULL OR length(architecture) BETWEEN 1 AND 64);
ALTER TABLE gpu ADD COLUMN compute_capability TEXT CHECK (compute_capability IS NULL OR length(compute_capability) BETWEEN 3 AND 16);

ALTER TABLE gpu_price ADD COLUMN gpus_per_instance BIGINT NOT NULL DEFAULT 1 CHECK (gpus_per_instance BETWEEN 1 AND 64);
ALTER TABLE gpu_price ADD COLUMN link TEXT CHECK (link IS NULL OR link IN ('none', 'pcie', 'nvlink', 'nvlink-bridge', 'xgmi', 'other'));
ALTER TABLE gpu_price ADD COLUMN shape_assumed BIGINT NOT NULL DEFAULT 1 CHECK (shape_assumed IN (0, 1));

-- "Current" is now the latest price per (GPU, provider, pricing model, instance size).
DROP VIEW current_gpu_price;
DROP TRIGGER gpu_price_current_sync ON gpu_price;
DROP FUNCTION gpu_price_current_sync();
DROP TABLE gpu_price_current;
CREATE TABLE gpu_price_current (
    gpu_id BIGINT NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    provider TEXT COLLATE "C" NOT NULL,
    pricing_model TEXT NOT NULL,
    gpus_per_instance BIGINT NOT NULL,
    as_of TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (gpu_id, provider, pricing_model, gpus_per_instance)
);
INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
SELECT gpu_id, provider, pricing_model, gpus_per_instance, max(as_of) FROM gpu_price GROUP BY gpu_id, provider, pricing_model, gpus_per_instance;

CREATE FUNCTION gpu_price_current_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM gpu_price_current WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model
            AND gpus_per_instance = OLD.gpus_per_instance;
        INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
        SELECT gpu_id, provider, pricing_model, gpus_per_instance, max(as_of) FROM gpu_price
        WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model AND gpus_per_instance = OLD.gpus_per_instance
        GROUP BY gpu_id, provider, pricing_model, gpus_per_instance;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, gpus_per_instance, as_of)
        VALUES (NEW.gpu_id, NEW.provider, NEW.pricing_model, NEW.gpus_per_instance, NEW.as_of)
        ON CONFLICT (gpu_id, provider, pricing_model, gpus_per_instance) DO UPDATE SET as_of = GREATEST(gpu_price_current.as_of, excluded.as_of);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER gpu_price_current_sync AFTER INSERT OR DELETE OR UPDATE OF gpu_id, provider, pricing_model, gpus_per_instance, as_of ON gpu_price
    FOR EACH ROW EXECUTE FUNCTION gpu_price_current_sync();

CREATE VIEW current_gpu_price AS
SELECT p.* FROM gpu_price_current c
JOIN gpu_price p ON p.gpu_id = c.gpu_id AND p.provider = c.provider AND p.pricing_model = c.pricing_model
    AND p.gpus_per_instance = c.gpus_per_instance AND p.as_of = c.as_of;

DROP INDEX gpu_price_latest;
CREATE INDEX gpu_price_latest ON gpu_price(gpu_id, provider, pricing_model, gpus_per_instance, as_of);
