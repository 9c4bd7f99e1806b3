#!/usr/bin/env bash
# EXPLAIN ANALYZE of the PostgreSQL claim query with 1 million delivered rows
# (plus 1,000 due ones) in the queue. Uses a throwaway database.
#   scripts/explain-claim.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
server=${1:-postgres://postgres@127.0.0.1:5432/postgres}
db=herald_explain_$$
psql "$server" -qc "CREATE DATABASE $db"
trap 'psql "$server" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
url="${server%/*}/$db"
HERALD_DATABASE_URL="$url" cargo run --release -q -- migrate >/dev/null
psql "$url" -q <<'SQL'
INSERT INTO applications VALUES ('app_x', NULL, 'x', true, '{}', 0, 0);
INSERT INTO endpoints VALUES ('ep_x', 'app_x', 'http://127.0.0.1:9/', '', NULL, false, NULL, '{}',
  'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{}', 0, 0);
INSERT INTO messages SELECT 'msg_' || g, 'app_x', NULL, 'a.b', '{"n":1}', g, g FROM generate_series(1, 1001000) g;
INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
  SELECT 'app_x', 'msg_' || g, 'ep_x', CASE WHEN g <= 1000000 THEN 'delivered' ELSE 'pending' END, 1, g, g, g
  FROM generate_series(1, 1001000) g;
VACUUM ANALYZE;
SQL
psql "$url" -c "SELECT state, count(*) FROM deliveries GROUP BY state"
psql "$url" <<'SQL'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH due AS (
    SELECT id FROM deliveries
    WHERE state IN ('pending', 'retrying') AND due_at <= 9999999999
      AND (leased_until IS NULL OR leased_until <= 9999999999)
    ORDER BY due_at LIMIT 128
    FOR UPDATE SKIP LOCKED
)
UPDATE deliveries d SET leased_until = 99999999999, lease = 1, updated_at = 9999999999
FROM due, messages m, endpoints e
WHERE d.id = due.id AND m.id = d.msg_id AND e.id = d.endpoint_id
RETURNING d.id, m.payload, e.url;
ROLLBACK;
SQL
