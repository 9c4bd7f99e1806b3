#!/usr/bin/env bash
# The reconciliation query (GET /apps/{app}/messages with filters) on
# 1,000,000 messages of one application, one delivery each (97% delivered,
# 2% failed, 0.5% retrying, 0.5% pending; 1% of the messages of a rare event
# type): plans and timings on PostgreSQL (EXPLAIN ANALYZE) and SQLite
# (EXPLAIN QUERY PLAN and a timed run). Throwaway database and file.
#   scripts/explain-reconcile.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
server=${1:-postgres://postgres@127.0.0.1:5432/postgres}
db=herald_explain_$$
dir=$(mktemp -d)
psql "$server" -qc "CREATE DATABASE $db"
trap 'psql "$server" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$dir"' EXIT
url="${server%/*}/$db"
key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
HERALD_SECURITY_MAIN_KEY=$key HERALD_DATABASE_URL="$url" cargo run --release -q -- migrate >/dev/null
HERALD_SECURITY_MAIN_KEY=$key HERALD_DATABASE_URL="sqlite://$dir/herald.db" cargo run --release -q -- migrate >/dev/null

state="CASE WHEN g % 200 = 7 THEN 'pending' WHEN g % 200 = 9 THEN 'retrying' WHEN g % 50 = 3 THEN 'failed' ELSE 'delivered' END"
etype="CASE WHEN g % 100 = 1 THEN 'rare.x' ELSE 'common.x' END"

# The statement Herald runs (herald_store::sql::reconcile), per filter.
q() { # $1: extra condition; $2: bounds
  echo "SELECT m.id FROM messages m WHERE m.app_id = 'app_x' $2 $1 ORDER BY m.id DESC LIMIT 51"
}
failed="AND m.id IN (SELECT d.msg_id FROM deliveries d WHERE d.app_id = 'app_x' AND d.state = 'failed')"
pending="AND m.id IN (SELECT d.msg_id FROM deliveries d WHERE d.state IN ('pending', 'retrying') AND d.state = 'pending' AND d.app_id = 'app_x')"
delivered="AND EXISTS (SELECT 1 FROM deliveries d WHERE d.msg_id = m.id AND d.state = 'delivered')"
range="AND m.id >= 'msg_00400000' AND m.id < 'msg_00600000'"
rare="AND m.event_type = 'rare.x'"

echo "== PostgreSQL"
psql "$url" -q <<SQL
INSERT INTO applications (id, uid, name, live, metadata, created_at, updated_at) VALUES ('app_x', NULL, 'x', true, '{}', 0, 0);
INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, disabled_reason, headers, secret, metadata, created_at, updated_at)
  VALUES ('ep_x', 'app_x', 'https://93.184.215.14/', '', NULL, false, NULL, '{}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{}', 0, 0);
INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
  SELECT 'msg_' || lpad(g::text, 8, '0'), 'app_x', NULL, $etype, '{"n":1}', g, g FROM generate_series(1, 1000000) g;
INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
  SELECT 'app_x', 'msg_' || lpad(g::text, 8, '0'), 'ep_x', $state, 1, g, g, g FROM generate_series(1, 1000000) g;
VACUUM ANALYZE;
SQL
for name in "failed:$failed:" "pending:$pending:" "delivered, 200k-message time range:$delivered:$range" \
            "rare event type, 200k-message time range:$rare:$range" "rare event type, no range:$rare:" "no filter::"; do
  IFS=: read -r label cond bounds <<<"$name"
  echo "-- $label"
  psql "$url" -c "EXPLAIN (ANALYZE, COSTS OFF) $(q "$cond" "$bounds")" | grep -vE '^\s*$|^-+$|QUERY PLAN|rows\)$'
done

echo "== SQLite"
sqlite3 "$dir/herald.db" <<SQL
INSERT INTO applications (id, uid, name, live, metadata, created_at, updated_at) VALUES ('app_x', NULL, 'x', 1, '{}', 0, 0);
INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, disabled_reason, headers, secret, metadata, created_at, updated_at)
  VALUES ('ep_x', 'app_x', 'https://93.184.215.14/', '', NULL, 0, NULL, '{}', 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', '{}', 0, 0);
WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 1000000)
INSERT INTO messages (id, app_id, event_id, event_type, payload, timestamp, created_at)
  SELECT 'msg_' || printf('%08d', g), 'app_x', NULL, $etype, '{"n":1}', g, g FROM s;
WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < 1000000)
INSERT INTO deliveries (app_id, msg_id, endpoint_id, state, attempts, due_at, created_at, updated_at)
  SELECT 'app_x', 'msg_' || printf('%08d', g), 'ep_x', $state, 1, g, g, g FROM s;
ANALYZE;
SQL
for name in "failed:$failed:" "pending:$pending:" "delivered, 200k-message time range:$delivered:$range" \
            "rare event type, 200k-message time range:$rare:$range" "rare event type, no range:$rare:" "no filter::"; do
  IFS=: read -r label cond bounds <<<"$name"
  echo "-- $label"
  sqlite3 "$dir/herald.db" "EXPLAIN QUERY PLAN $(q "$cond" "$bounds")"
  printf '.timer on\n%s;\n' "$(q "$cond" "$bounds")" | sqlite3 "$dir/herald.db" 2>&1 | grep -E '^Run Time' | tail -1
done
