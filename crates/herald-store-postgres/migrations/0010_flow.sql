-- Flow control: an endpoint may be paused, and its profile may set a rate
-- limit and a cap on deliveries in flight. Such an endpoint is gated: its
-- deliveries are claimed only through its gate, never handed over in
-- memory. `gated` and the limits are kept by the store from the effective
-- profile (the application's with the endpoint's on top).
ALTER TABLE endpoints ADD COLUMN paused BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE endpoints ADD COLUMN gated BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE endpoints ADD COLUMN rate_milli BIGINT;
ALTER TABLE endpoints ADD COLUMN rate_burst BIGINT;
ALTER TABLE endpoints ADD COLUMN max_in_flight BIGINT;
-- An open circuit (the profile's circuit_breaker): its deliveries wait
-- until then, then one probe goes out; a success closes it.
ALTER TABLE endpoints ADD COLUMN circuit_open_until BIGINT;
ALTER TABLE endpoints ADD COLUMN circuit_reason TEXT;
-- Ordered delivery (the profile's ordering = "fifo"): a FIFO endpoint's
-- deliveries carry their message's ordering key ('' without one), and only
-- the first active delivery of each key may be sent.
ALTER TABLE endpoints ADD COLUMN fifo BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE deliveries ADD COLUMN ordering_key TEXT;
CREATE INDEX deliveries_fifo ON deliveries(endpoint_id, ordering_key, id)
    WHERE ordering_key IS NOT NULL AND state IN ('pending', 'retrying');
CREATE INDEX endpoints_gated ON endpoints(id) WHERE gated;

-- The bucket of a rate-limited endpoint, shared by every node: micro-tokens
-- at `refilled_at`. Claims lock the row (PostgreSQL) while they spend it.
CREATE TABLE endpoint_gates (
    endpoint_id TEXT PRIMARY KEY REFERENCES endpoints(id) ON DELETE CASCADE,
    tokens      BIGINT NOT NULL,
    refilled_at BIGINT NOT NULL
);

-- The leases a gate gave out: a gated endpoint's deliveries in flight are
-- the rows whose delivery still holds that lease.
CREATE TABLE gate_leases (
    delivery_id BIGINT PRIMARY KEY,
    endpoint_id TEXT NOT NULL,
    lease       BIGINT NOT NULL
);
CREATE INDEX gate_leases_endpoint ON gate_leases(endpoint_id);

