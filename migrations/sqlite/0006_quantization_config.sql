-- A checkpoint's own quantization_config (issue #19): the modules it keeps unquantised and its
-- scale layout, as JSON text ({"quant_method": ..., "ignore": [...], "weight_block_size": [r, c]}).
-- Older rows carry none (NULL): sized as before.
ALTER TABLE model ADD COLUMN quantization_config TEXT CHECK (quantization_config IS NULL OR (json_valid(quantization_config) AND length(quantization_config) <= 1048576));
