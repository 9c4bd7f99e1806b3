#!/usr/bin/env bash
# The API contract, checked against a live server: schemathesis generates
# requests from the served OpenAPI document and fails on any 5xx, any answer
# whose status, headers or body the document does not declare, or a crash.
# Usage: scripts/api-fuzz.sh [path/to/herald] (default: target/debug/herald).
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VALIDATOR_VERSION=0.7.2
BIN=${1:-target/debug/herald}
PORT=${HERALD_FUZZ_PORT:-18999}
EXAMPLES=${HERALD_FUZZ_EXAMPLES:-50}

python3 -m pip install --quiet --disable-pip-version-check \
  "schemathesis==$SCHEMATHESIS_VERSION" "openapi-spec-validator==$VALIDATOR_VERSION" 2>&1 \
  | grep -v "Running pip as the 'root' user" || true

dir=$(mktemp -d)
# No worker: fuzzed endpoints point anywhere, and nothing needs delivering.
HERALD_AUTH_ADMIN_TOKEN=fuzz-token HERALD_SERVER_LISTEN=127.0.0.1:$PORT \
  HERALD_DATABASE_URL="sqlite://$dir/herald.db" HERALD_WORKER_ENABLED=false \
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

schemathesis run "http://127.0.0.1:$PORT/api/v1/openapi.json" \
  --header "Authorization: Bearer fuzz-token" \
  --max-examples "$EXAMPLES" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance
