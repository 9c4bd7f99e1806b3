#!/usr/bin/env bash
# The API contract, checked against a live server: schemathesis generates
# requests from the served OpenAPI document, every check and every phase
# (examples, coverage, fuzzing, stateful), and fails on any failure: a 5xx,
# an answer the document does not declare, a request the document calls
# valid that is refused (or one it calls invalid that is taken), a created
# resource that cannot be read back. The few operations allowed to refuse a
# valid request (a rule no schema can state) are listed, with why, in
# schemathesis.toml. Strings that neither JSON nor PostgreSQL can carry (lone
# surrogates, NUL) are refused by design, so they are not generated.
# Usage: scripts/api-fuzz.sh [path/to/herald] (default: target/debug/herald).
# HERALD_FUZZ_SECONDS bounds the generated requests (default 120),
# HERALD_FUZZ_EXAMPLES their number per operation (default 60), and
# HERALD_STATEFUL_SECONDS the stateful phase (default 180).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.7.2
BIN=${1:-target/debug/herald}
PORT=${HERALD_FUZZ_PORT:-18999}
FUZZ_SECONDS=${HERALD_FUZZ_SECONDS:-120}
STATEFUL_SECONDS=${HERALD_STATEFUL_SECONDS:-180}
EXAMPLES=${HERALD_FUZZ_EXAMPLES:-60}

python3 -m pip install --quiet --disable-pip-version-check \
  "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION" 2>&1 \
  | grep -v "Running pip as the 'root' user" || true

dir=$(mktemp -d)
# A worker with a single attempt per delivery (no retries): deliveries to the
# fuzzed endpoints (which resolve nowhere) end failed at once, so messages
# get attempts, and replays, attempt requests and recoveries have something
# to work on.
HERALD_AUTH_ADMIN_TOKEN=fuzz-token HERALD_SERVER_LISTEN=127.0.0.1:$PORT \
  HERALD_DATABASE_URL="sqlite://$dir/herald.db" HERALD_WORKER_ENABLED=true \
  HERALD_WORKER_POLL_INTERVAL_MS=100 HERALD_DELIVERY_RETRY_SCHEDULE_SECS= HERALD_METRICS_LISTEN= \
  HERALD_DELIVERY_TIMEOUT_MS=1000 HERALD_LOG_LEVEL=error "$BIN" serve >"$dir/log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do
  curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break
  sleep 0.1
done

# An event type, so that the document's `webhooks` section is checked too.
curl -fs -H "Authorization: Bearer fuzz-token" -H "Content-Type: application/json" \
  "http://127.0.0.1:$PORT/api/v1/event-types" \
  -d '{"name": "invoice.paid", "schema": {"type": "object", "properties": {"amount": {"type": "integer"}}}, "example": {"amount": 42}}' \
  >/dev/null
curl -fs "http://127.0.0.1:$PORT/api/v1/openapi.json" >"$dir/openapi.json"
python3 -c 'import json, sys
from openapi_spec_validator import validate
doc = json.load(open(sys.argv[1]))
validate(doc)
assert "invoice.paid" in doc["webhooks"], "the catalog is missing from webhooks"
print("the document is valid OpenAPI", doc["openapi"], "with", len(doc["paths"]), "paths and", len(doc["webhooks"]), "webhook(s)")' "$dir/openapi.json"

# Two runs, each bounded: the generated requests (examples, coverage,
# fuzzing), then the stateful phase on its own, so that it has the time to
# follow the links from creating things to every operation on them.
run() {
  schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
    --header "Authorization: Bearer fuzz-token" \
    --checks all \
    --generation-codec utf-8 --generation-allow-x00 false \
    --continue-on-failure \
    "$@"
}
# Both run, and either failing fails the script. Reaching every operation
# is the stateful run's to show (generated ids alone name nothing that
# exists): it must test each one, following the links from what it created.
failed=0
run --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --max-time "$FUZZ_SECONDS" \
  --warnings off || failed=1
run --phases stateful --max-time "$STATEFUL_SECONDS" 2>&1 | tee "$dir/stateful.txt" || failed=1
if grep -q "^  Skipped:" "$dir/stateful.txt"; then
  echo "the stateful phase did not reach every operation (see Skipped above)" >&2
  failed=1
fi
exit $failed
