-- Operating Herald: endpoint health (the failing streak that auto-disables
-- an endpoint), the outbox of operational webhooks and emails, secret
-- rotation, an application's contact address and payload retention.
CREATE TABLE endpoint_health (
    endpoint_id          TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    app_id               TEXT NOT NULL,
    consecutive_failures INTEGER NOT NULL,
    failing_since        INTEGER,
    exhausted            INTEGER NOT NULL,
    last_failure_at      INTEGER,
    last_success_at      INTEGER,
    last_error           TEXT,
    warned_at            INTEGER,
    -- The streak the last success in a settle ended (0 without one).
    ended_streak         INTEGER NOT NULL DEFAULT 0,
    updated_at           INTEGER NOT NULL
);

-- Sent in id order per channel ('webhook', 'email') by whichever node
-- leases them; a row is pending until sent or out of retries.
CREATE TABLE notifications (
    id           INTEGER PRIMARY KEY,
    channel      TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    msg_id       TEXT NOT NULL,
    app_id       TEXT,
    endpoint_id  TEXT,
    data         TEXT NOT NULL,
    state        TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    due_at       INTEGER NOT NULL,
    lease_owner  TEXT,
    leased_until INTEGER,
    last_error   TEXT,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER
);
CREATE INDEX notifications_pending ON notifications(channel, id) WHERE state = 'pending';

ALTER TABLE applications ADD COLUMN contact_email TEXT;
ALTER TABLE endpoints ADD COLUMN disabled_at INTEGER;
ALTER TABLE endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE endpoints ADD COLUMN previous_secret_until INTEGER;
ALTER TABLE messages ADD COLUMN expunged_at INTEGER;
