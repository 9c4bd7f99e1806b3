-- Per-endpoint, per-minute delivery rollups, added to by every settle.
CREATE TABLE endpoint_stats (
    endpoint_id    TEXT NOT NULL,
    minute         BIGINT NOT NULL,
    app_id         TEXT NOT NULL,
    attempts       BIGINT NOT NULL,
    successes      BIGINT NOT NULL,
    failures       BIGINT NOT NULL,
    retries        BIGINT NOT NULL,
    latency_sum_ms BIGINT NOT NULL,
    b0 BIGINT NOT NULL, b1 BIGINT NOT NULL, b2 BIGINT NOT NULL, b3 BIGINT NOT NULL,
    b4 BIGINT NOT NULL, b5 BIGINT NOT NULL, b6 BIGINT NOT NULL, b7 BIGINT NOT NULL,
    b8 BIGINT NOT NULL, b9 BIGINT NOT NULL, b10 BIGINT NOT NULL, b11 BIGINT NOT NULL,
    PRIMARY KEY (endpoint_id, minute)
);
CREATE INDEX endpoint_stats_app ON endpoint_stats (app_id, minute);
