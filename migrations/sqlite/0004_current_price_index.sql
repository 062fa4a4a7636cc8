-- "Current price" = the latest as_of per (gpu, provider, pricing model). The view of 0001 found it
-- with a correlated subquery per price row, which is a scan of the whole history (a million rows
-- at scale). This table keeps that latest date per group, maintained by triggers on every insert,
-- update and delete of gpu_price, so current-price queries read one row per group.
CREATE TABLE gpu_price_current (
    gpu_id INTEGER NOT NULL REFERENCES gpu(id) ON DELETE CASCADE,
    provider TEXT NOT NULL,
    pricing_model TEXT NOT NULL,
    as_of TEXT NOT NULL,
    PRIMARY KEY (gpu_id, provider, pricing_model)
) WITHOUT ROWID;

INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
SELECT gpu_id, provider, pricing_model, max(as_of) FROM gpu_price GROUP BY gpu_id, provider, pricing_model;

CREATE TRIGGER gpu_price_current_after_insert AFTER INSERT ON gpu_price BEGIN
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
    VALUES (NEW.gpu_id, NEW.provider, NEW.pricing_model, NEW.as_of)
    ON CONFLICT(gpu_id, provider, pricing_model) DO UPDATE SET as_of = max(as_of, excluded.as_of);
END;

CREATE TRIGGER gpu_price_current_after_delete AFTER DELETE ON gpu_price BEGIN
    DELETE FROM gpu_price_current WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model;
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
    SELECT gpu_id, provider, pricing_model, max(as_of) FROM gpu_price
    WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model
    GROUP BY gpu_id, provider, pricing_model;
END;

CREATE TRIGGER gpu_price_current_after_update AFTER UPDATE OF gpu_id, provider, pricing_model, as_of ON gpu_price BEGIN
    DELETE FROM gpu_price_current WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model;
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
    SELECT gpu_id, provider, pricing_model, max(as_of) FROM gpu_price
    WHERE gpu_id = OLD.gpu_id AND provider = OLD.provider AND pricing_model = OLD.pricing_model
    GROUP BY gpu_id, provider, pricing_model;
    INSERT INTO gpu_price_current(gpu_id, provider, pricing_model, as_of)
    VALUES (NEW.gpu_id, NEW.provider, NEW.pricing_model, NEW.as_of)
    ON CONFLICT(gpu_id, provider, pricing_model) DO UPDATE SET as_of = max(as_of, excluded.as_of);
END;

-- CROSS JOIN makes SQLite read the small current table first and look each group up in the
-- history's index, whatever its statistics say.
DROP VIEW current_gpu_price;
CREATE VIEW current_gpu_price AS
SELECT p.* FROM gpu_price_current c
CROSS JOIN gpu_price p ON p.gpu_id = c.gpu_id AND p.provider = c.provider AND p.pricing_model = c.pricing_model AND p.as_of = c.as_of;

-- Change-log lookups by entity and newest first (history --entity price --limit 50).
CREATE INDEX change_log_entity_id ON change_log(entity, id);
