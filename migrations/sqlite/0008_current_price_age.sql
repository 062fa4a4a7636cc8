-- Ranking filters current prices by age first (rank's --max-price-age, default 180 days): an
-- index on the current-price keys' latest date lets a catalog of a million old prices read only
-- the fresh ones.
CREATE INDEX gpu_price_current_as_of ON gpu_price_current(as_of);
