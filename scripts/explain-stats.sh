#!/usr/bin/env bash
# The statistics query (GET /apps/{app}/endpoints/{id}/stats) over the
# rollups that 1,000,000 attempts to one endpoint in a week leave (10,080
# minute rows, ~99 attempts each), beside 1.44 million rows of 1,000 other
# endpoints: plans and timings on PostgreSQL (EXPLAIN ANALYZE) and SQLite.
#   scripts/explain-stats.sh [postgres://postgres@127.0.0.1:5432/postgres]
set -euo pipefail
server=${1:-postgres://postgres@127.0.0.1:5432/postgres}
db=herald_explain_$$
dir=$(mktemp -d)
psql "$server" -qc "CREATE DATABASE $db"
trap 'psql "$server" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"; rm -rf "$dir"' EXIT
url="${server%/*}/$db"
key=MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=
HERALD_SECURITY_MAIN_KEY=$key HERALD_DATABASE_URL="$url" cargo run --release -q -- migrate >/dev/null 2>&1
HERALD_SECURITY_MAIN_KEY=$key HERALD_DATABASE_URL="sqlite://$dir/herald.db" cargo run --release -q -- migrate >/dev/null 2>&1

buckets="b0, b1, b2, b3, b4, b5, b6, b7, b8, b9, b10, b11"
sums="CAST(SUM(attempts) AS BIGINT), CAST(SUM(successes) AS BIGINT), CAST(SUM(failures) AS BIGINT), CAST(SUM(retries) AS BIGINT), CAST(SUM(latency_sum_ms) AS BIGINT), CAST(SUM(b0) AS BIGINT), CAST(SUM(b5) AS BIGINT), CAST(SUM(b11) AS BIGINT)"
week="minute >= 0 AND minute < 604800000"
endpoint_q="SELECT $sums FROM endpoint_stats WHERE endpoint_id = 'ep_0000' AND app_id = 'app_x' AND $week"
app_q="SELECT $sums FROM endpoint_stats WHERE app_id = 'app_x' AND $week"
rows="endpoint_id, minute, app_id, attempts, successes, failures, retries, latency_sum_ms, $buckets"

echo "== PostgreSQL"
psql "$url" -q <<SQL
INSERT INTO endpoint_stats ($rows)
  SELECT 'ep_0000', g * 60000, 'app_x', 99, 97, 1, 3, 99 * 40, 0, 0, 50, 40, 9, 0, 0, 0, 0, 0, 0, 0 FROM generate_series(0, 10079) g;
INSERT INTO endpoint_stats ($rows)
  SELECT 'ep_' || lpad(e::text, 4, '0'), g * 60000, CASE WHEN e < 10 THEN 'app_x' ELSE 'app_' || e END,
         10, 10, 0, 0, 400, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0
  FROM generate_series(1, 1000) e, generate_series(0, 1439) g;
VACUUM ANALYZE;
SQL
psql "$url" -c "SELECT count(*) AS rollup_rows, sum(attempts) FILTER (WHERE endpoint_id = 'ep_0000') AS attempts_of_ep_0000 FROM endpoint_stats"
echo "-- one endpoint, a week"
psql "$url" -c "EXPLAIN (ANALYZE, COSTS OFF) $endpoint_q" | grep -vE '^\s*$|^-+$|QUERY PLAN|rows\)$'
echo "-- the application (10 endpoints), a week"
psql "$url" -c "EXPLAIN (ANALYZE, COSTS OFF) $app_q" | grep -vE '^\s*$|^-+$|QUERY PLAN|rows\)$'

echo "== SQLite"
sqlite3 "$dir/herald.db" <<SQL
WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < 10079)
INSERT INTO endpoint_stats ($rows) SELECT 'ep_0000', n * 60000, 'app_x', 99, 97, 1, 3, 99 * 40, 0, 0, 50, 40, 9, 0, 0, 0, 0, 0, 0, 0 FROM g;
WITH RECURSIVE e(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM e WHERE n < 1000),
               g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < 1439)
INSERT INTO endpoint_stats ($rows)
  SELECT 'ep_' || printf('%04d', e.n), g.n * 60000, CASE WHEN e.n < 10 THEN 'app_x' ELSE 'app_' || e.n END,
         10, 10, 0, 0, 400, 0, 0, 5, 5, 0, 0, 0, 0, 0, 0, 0, 0 FROM e, g;
ANALYZE;
SQL
sqlite3 "$dir/herald.db" "SELECT count(*), (SELECT sum(attempts) FROM endpoint_stats WHERE endpoint_id = 'ep_0000') FROM endpoint_stats"
for q in "$endpoint_q" "$app_q"; do
  sqlite3 "$dir/herald.db" "EXPLAIN QUERY PLAN $q"
  printf '.timer on\n%s;\n' "$q" | sqlite3 "$dir/herald.db" 2>&1 | grep -E '^Run Time' | tail -1
done
