-- Herald's PostgreSQL schema. Times are epoch milliseconds; JSON is text (the
-- payload's bytes and key order are kept exactly as published).

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE applications (
    id         TEXT PRIMARY KEY,
    uid        TEXT UNIQUE,
    name       TEXT NOT NULL,
    live       BOOLEAN NOT NULL,
    metadata   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE event_types (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    schema      TEXT,
    example     TEXT,
    archived    BOOLEAN NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE endpoints (
    id              TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    url             TEXT NOT NULL,
    description     TEXT NOT NULL,
    event_types     TEXT,
    disabled        BOOLEAN NOT NULL,
    disabled_reason TEXT,
    headers         TEXT NOT NULL,
    secret          TEXT NOT NULL,
    metadata        TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX endpoints_app ON endpoints(app_id, id);

-- Payloads live here, apart from the hot queue rows.
CREATE TABLE messages (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    event_id   TEXT,
    event_type TEXT NOT NULL,
    payload    TEXT NOT NULL,
    timestamp  BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_app ON messages(app_id, id);
CREATE UNIQUE INDEX messages_event_id ON messages(app_id, event_id) WHERE event_id IS NOT NULL;

-- The queue: one row per (message, endpoint). A row is due when its state is
-- pending or retrying, due_at has passed and it is not leased (leased_until
-- empty or passed): a worker that dies holding a lease gives the row back when
-- the lease runs out. Claiming touches no indexed column, and the partial
-- index holds only active rows, so delivered rows never slow a claim down.
CREATE TABLE deliveries (
    id               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    app_id           TEXT NOT NULL,
    msg_id           TEXT NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
    endpoint_id      TEXT NOT NULL REFERENCES endpoints(id) ON DELETE CASCADE,
    state            TEXT NOT NULL,
    attempts         BIGINT NOT NULL DEFAULT 0,
    due_at           BIGINT NOT NULL,
    lease            BIGINT,
    leased_until     BIGINT,
    last_attempt_at  BIGINT,
    last_status_code BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX deliveries_due ON deliveries(due_at) WHERE state IN ('pending', 'retrying');
CREATE INDEX deliveries_msg ON deliveries(msg_id);
CREATE INDEX deliveries_endpoint ON deliveries(endpoint_id);

CREATE TABLE attempts (
    id             TEXT PRIMARY KEY,
    app_id         TEXT NOT NULL REFERENCES applications(id) ON DELETE CASCADE,
    msg_id         TEXT NOT NULL,
    endpoint_id    TEXT NOT NULL,
    attempt_number BIGINT NOT NULL,
    url            TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    status_code    BIGINT,
    error          TEXT,
    latency_ms     BIGINT NOT NULL,
    response_body  TEXT,
    success        BOOLEAN NOT NULL
);
CREATE INDEX attempts_msg ON attempts(msg_id, id);
CREATE INDEX attempts_endpoint ON attempts(endpoint_id, id);
