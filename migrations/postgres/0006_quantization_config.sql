-- PostgreSQL dialect of migrations/sqlite/0006_quantization_config.sql (the dialect rule is in 0001).
-- A checkpoint's own quantization_config (issue #19), as JSON text; text that is not JSON fails
-- the cast (SQLSTATE 22P02), which the store reports as bad data.
ALTER TABLE model ADD COLUMN quantization_config TEXT CHECK (quantization_config IS NULL OR (length(quantization_config) <= 1048576 AND quantization_config::jsonb IS NOT NULL));
