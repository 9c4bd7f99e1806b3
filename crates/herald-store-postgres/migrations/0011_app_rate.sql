-- A rate shared by all the endpoints of an application (its profile's
-- app_rate_limit): one bucket per application, spent by the gated claim
-- together with each endpoint's own. Kept by the store from the
-- application's profile; its endpoints are gated meanwhile.
CREATE TABLE app_gates (
    app_id      TEXT PRIMARY KEY REFERENCES applications(id) ON DELETE CASCADE,
    rate_milli  BIGINT NOT NULL,
    burst       BIGINT NOT NULL,
    tokens      BIGINT NOT NULL,
    refilled_at BIGINT NOT NULL
);
-- Whether an endpoint's application shares a rate with it (it is gated).
ALTER TABLE endpoints ADD COLUMN app_rate BOOLEAN NOT NULL DEFAULT FALSE;
