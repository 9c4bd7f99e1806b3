-- An endpoint that removes itself (a `herald listen` session's): deleted,
-- like DELETE would, once this time (epoch ms) has passed. NULL: never.
ALTER TABLE endpoints ADD COLUMN expires_at BIGINT;
CREATE INDEX endpoints_expiring ON endpoints (expires_at) WHERE expires_at IS NOT NULL;
