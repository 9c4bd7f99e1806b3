#!/usr/bin/env bash
# The claim query's plan and timing with 1,000,000 queued (due) deliveries
# over 10,000 endpoints (plus 1,000,000 delivered rows), on PostgreSQL
# (EXPLAIN ANALYZE) and on SQLite (EXPLAIN QUERY PLAN and a timed run), with
# one endpoint left out as the worker would leave out a full one. Uses a
# throwaway database and file.
#   scripts/explain-claim.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
server=${1:-postgres://postgres@127.0.0.1:5432/postgres}
db=herald_explain_$$
dir=$(mktemp -d)
psql "$server" -qc "CREATE DATABASE $db"
trap 'psql "$server" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$dir"' EXIT
url="${server%/*}/$db"
HERALD_DATABASE_URL="$url" cargo run --release -q -- migrate >/dev/null
HERALD_DATABASE_URL="sqlite://$dir/herald.db" cargo run --release -q -- migrate >/dev/null

echo "== PostgreSQL"
psql "$url" -q <<'SQL'
INSERT INTO applications (id, uid, name, live, metadata, created_at, updated_at) VALUES ('app_x', NULL, 'x', true, '{}', 0, 0);
INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, disabled_reason, headers, secret, metadata, created_at, updated_at)
  SELECT 'ep_' || lpad(g::text, 5, '0'), 'app_x', 'http://127.0.0.1:9/', '', NULL, false, NULL, '{}',
         'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{}', 0, 0 FROM generate_series(0, 9999) g;
INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
  SELECT 'msg_' || g, 'app_x', NULL, 'a.b', '{"n":1}', g, g FROM generate_series(1, 2000000) g;
INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
  SELECT 'app_x', 'msg_' || g, 'ep_' || lpad((g % 10000)::text, 5, '0'),
         CASE WHEN g <= 1000000 THEN 'delivered' ELSE 'pending' END, 0, g, g, g
  FROM generate_series(1, 2000000) g;
VACUUM ANALYZE;
SQL
psql "$url" -c "SELECT state, count(*), count(DISTINCT endpoint_id) AS endpoints FROM deliveries GROUP BY state"
psql "$url" <<'SQL'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)
WITH RECURSIVE eps(e, due) AS (
     (SELECT endpoint_id, due_at FROM deliveries
      WHERE state IN ('pending', 'retrying') AND endpoint_id > 'ep_04000'
      ORDER BY endpoint_id, due_at LIMIT 1)
     UNION ALL
     SELECT nxt.endpoint_id, nxt.due_at FROM eps, LATERAL (
         SELECT endpoint_id, due_at FROM deliveries
         WHERE state IN ('pending', 'retrying') AND endpoint_id > eps.e
         ORDER BY endpoint_id, due_at LIMIT 1) nxt
 ),
 due AS (
     SELECT x.id FROM eps, LATERAL (
         SELECT id FROM deliveries
         WHERE endpoint_id = eps.e AND state IN ('pending', 'retrying') AND due_at <= 9999999999
           AND (leased_until IS NULL OR leased_until <= 9999999999)
         ORDER BY due_at
         LIMIT 16
         FOR UPDATE SKIP LOCKED) x
     WHERE eps.due <= 9999999999 AND NOT (eps.e = ANY(ARRAY['ep_04001']))
     LIMIT 128
 )
 UPDATE deliveries d SET leased_until = 99999999999, lease = 1, leased_by = 'explain', updated_at = 9999999999
 FROM due, messages m, endpoints e, applications a
 WHERE d.id = due.id AND m.id = d.msg_id AND e.id = d.endpoint_id AND a.id = d.app_id
 RETURNING d.id, m.payload, e.url, a.name;
ROLLBACK;
SQL

echo "== SQLite"
sqlite3 "$dir/herald.db" <<'SQL'
INSERT INTO applications (id, uid, name, live, metadata, created_at, updated_at) VALUES ('app_x', NULL, 'x', 1, '{}', 0, 0);
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g LIMIT 10000)
INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, disabled_reason, headers, secret, metadata, created_at, updated_at)
  SELECT printf('ep_%05d', n), 'app_x', 'http://127.0.0.1:9/', '', NULL, 0, NULL, '{}',
         'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{}', 0, 0 FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g LIMIT 2000000)
INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
  SELECT 'msg_' || n, 'app_x', NULL, 'a.b', '{"n":1}', n, n FROM g;
WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g LIMIT 2000000)
INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
  SELECT 'app_x', 'msg_' || n, printf('ep_%05d', n % 10000), CASE WHEN n <= 1000000 THEN 'delivered' ELSE 'pending' END, 0, n, n, n FROM g;
ANALYZE;
SELECT state, count(*), count(DISTINCT endpoint_id) FROM deliveries GROUP BY state;
SQL
claim="WITH RECURSIVE eps(e, due) AS (
     SELECT * FROM (SELECT endpoint_id, due_at FROM deliveries
                    WHERE state IN ('pending', 'retrying') AND endpoint_id > 'ep_04000'
                    ORDER BY endpoint_id, due_at LIMIT 1)
     UNION ALL
     SELECT (SELECT endpoint_id FROM deliveries
             WHERE state IN ('pending', 'retrying') AND endpoint_id > eps.e ORDER BY endpoint_id, due_at LIMIT 1),
            (SELECT due_at FROM deliveries
             WHERE state IN ('pending', 'retrying') AND endpoint_id > eps.e ORDER BY endpoint_id, due_at LIMIT 1)
     FROM eps WHERE eps.e IS NOT NULL
 )
 UPDATE deliveries SET leased_until = 99999999999, lease = 1, updated_at = 9999999999
 WHERE id IN (
     SELECT d.id
     FROM (SELECT e FROM eps WHERE due <= 9999999999 AND e NOT IN (SELECT value FROM json_each('[\"ep_04001\"]')) LIMIT 128) AS picked
     JOIN deliveries d ON d.id IN (
         SELECT x.id FROM deliveries x
         WHERE x.endpoint_id = picked.e AND x.state IN ('pending', 'retrying') AND x.due_at <= 9999999999
           AND (x.leased_until IS NULL OR x.leased_until <= 9999999999)
         ORDER BY x.due_at LIMIT 16)
     LIMIT 128)
 RETURNING id"
sqlite3 "$dir/herald.db" "EXPLAIN QUERY PLAN $claim"
echo "-- SQLite claim of 128, timed (rolled back):"
printf 'BEGIN;\n.timer on\n%s;\n.timer off\nROLLBACK;\n' "$claim" | sqlite3 "$dir/herald.db" | grep -E "Run Time" | tail -1
