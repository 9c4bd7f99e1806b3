-- Bulk recovery jobs: failed deliveries re-queued in batches by one node.
CREATE TABLE recoveries (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    endpoint_id TEXT,
    event_types TEXT,
    since       BIGINT NOT NULL,
    until       BIGINT,
    upto        BIGINT NOT NULL,
    state       TEXT NOT NULL,
    total       BIGINT NOT NULL,
    done        BIGINT NOT NULL DEFAULT 0,
    cursor      BIGINT NOT NULL DEFAULT 0,
    runner      TEXT,
    lease_until BIGINT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX recoveries_app ON recoveries (app_id, id);
CREATE INDEX recoveries_open ON recoveries (id) WHERE state IN ('queued', 'running');
