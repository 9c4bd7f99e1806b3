-- Per-endpoint, per-minute delivery rollups, added to by every settle.
CREATE TABLE endpoint_stats (
    endpoint_id    TEXT NOT NULL,
    minute         INTEGER NOT NULL,
    app_id         TEXT NOT NULL,
    attempts       INTEGER NOT NULL,
    successes      INTEGER NOT NULL,
    failures       INTEGER NOT NULL,
    retries        INTEGER NOT NULL,
    latency_sum_ms INTEGER NOT NULL,
    b0 INTEGER NOT NULL, b1 INTEGER NOT NULL, b2 INTEGER NOT NULL, b3 INTEGER NOT NULL,
    b4 INTEGER NOT NULL, b5 INTEGER NOT NULL, b6 INTEGER NOT NULL, b7 INTEGER NOT NULL,
    b8 INTEGER NOT NULL, b9 INTEGER NOT NULL, b10 INTEGER NOT NULL, b11 INTEGER NOT NULL,
    PRIMARY KEY (endpoint_id, minute)
);
CREATE INDEX endpoint_stats_app ON endpoint_stats (app_id, minute);
