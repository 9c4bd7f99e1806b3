#!/usr/bin/env bash
# The SDKs (sdks/), checked: regenerated from the document of a throwaway
# Herald into a temporary directory, failing on any drift from the committed
# files (run scripts/sdk-generate.sh and commit the result to fix it), then
# each SDK's tests run against a live Herald (a fresh one: single attempt per
# delivery, loopback open for the tests' receivers): Python with pytest in
# a venv under target/sdk-tools, TypeScript type-checked by tsc and run by
# node's test runner. Tool versions are pinned in
# sdks/python/generator/requirements.txt, sdks/python/requirements-test.txt
# and sdks/typescript/package-lock.json.
# Usage: scripts/sdk-check.sh [path/to/herald] (default target/debug/herald).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/herald}
. scripts/sdk-lib.sh
start=$SECONDS
out=$(mktemp -d)
trap 'herald_stop; rm -rf "$out"' EXIT

bash scripts/sdk-generate.sh "$BIN" --into "$out" >/dev/null
drift=0
for f in openapi.json python/herald_client typescript/src/schema.ts; do
  if ! diff -ru -x __pycache__ "sdks/$f" "$out/$f" >"$out/drift.txt"; then
    echo "drift in sdks/$f (the first lines of the difference, committed first):" >&2
    head -60 "$out/drift.txt" >&2
    drift=1
  fi
done
if [ $drift = 1 ]; then
  echo "the committed SDKs are not what the served document generates: run scripts/sdk-generate.sh and commit" >&2
  exit 1
fi
echo "sdk: no drift between the committed SDKs and the served document ($((SECONDS - start)) s)"

sdk_python_tools
sdk_node_tools
# The hand-written Python is linted and formatted (settings in its pyproject.toml).
(cd sdks/python && "$PY_BIN/ruff" check --no-cache --quiet . && "$PY_BIN/ruff" format --no-cache --quiet --check .)

herald_start "$BIN"
export HERALD_URL HERALD_TOKEN HERALD_SDK_REQUIRE_SERVER=1
failed=0
(cd sdks/python && PYTHONPATH=. PYTHONDONTWRITEBYTECODE=1 "$PY_BIN/python" -m pytest -q -p no:cacheprovider) || failed=1
(cd sdks/typescript && rm -rf dist && node_modules/.bin/tsc -p . && node --test --test-reporter=spec dist/test/) || failed=1
if [ $failed = 1 ]; then
  echo "Herald's log:" >&2
  tail -50 "$HERALD_DIR/log" >&2
fi
echo "sdk: checked in $((SECONDS - start)) s"
exit $failed
