-- PostgreSQL dialect of migrations/sqlite/0004_current_price_index.sql (the dialect rule is in 0001).
-- "Current price" = the latest as_of per (gpu, provider, pricing model), kept in a table by a
-- trigger on every insert, update and delete of gpu_price, so current-price queries read one row
-- per group instead of scanning the history.
CREATE TABLE gpu_price_current (
    gpu_id BIGINT NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    provider TEXT COLLATE "C" NOT NULL,
    pricing_model TEXT NOT NULL,
    as_of TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (gpu_id, provider, pricing_model)
);

INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
SELECT gpu_id, provider, pricing_model, max(as_of) FROM gpu_price GROUP BY gpu_id, provider, pricing_model;

CREATE FUNCTION gpu_price_current_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        DELETE FROM gpu_price_current WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model;
        INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
        SELECT gpu_id, provider, pricing_model, max(as_of) FROM gpu_price
        WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model
        GROUP BY gpu_id, provider, pricing_model;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
        VALUES (NEW.gpu_id, NEW.provider, NEW.pricing_model, NEW.as_of)
        ON CONFLICT (gpu_id, provider, pricing_model) DO UPDATE SET as_of = GREATEST(gpu_price_current.as_of, excluded.as_of);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER gpu_price_current_sync AFTER INSERT OR DELETE OR UPDATE OF gpu_id, provider, pricing_model, as_of ON gpu_price
    FOR EACH ROW EXECUTE FUNCTION gpu_price_current_sync();

DROP VIEW current_gpu_price;
CREATE VIEW current_gpu_price AS
SELECT p.* FROM gpu_price_current c
JOIN gpu_price p ON p.gpu_id = c.gpu_id AND p.provider = c.provider AND p.pricing_model = c.pricing_model AND p.as_of = c.as_of;

-- Change-log lookups by entity and newest first (history --entity price --limit 50).
CREATE INDEX change_log_entity_id ON change_log(entity, id);
