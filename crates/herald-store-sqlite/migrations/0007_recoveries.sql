-- Bulk recovery jobs: failed deliveries re-queued in batches by one node.
CREATE TABLE recoveries (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    endpoint_id TEXT,
    event_types TEXT,
    since       INTEGER NOT NULL,
    until       INTEGER,
    upto        INTEGER NOT NULL,
    state       TEXT NOT NULL,
    total       INTEGER NOT NULL,
    done        INTEGER NOT NULL DEFAULT 0,
    cursor      INTEGER NOT NULL DEFAULT 0,
    runner      TEXT,
    lease_until INTEGER,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    finished_at INTEGER
);
CREATE INDEX recoveries_app ON recoveries (app_id, id);
CREATE INDEX recoveries_open ON recoveries (id) WHERE state IN ('queued', 'running');
