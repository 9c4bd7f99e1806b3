#!/usr/bin/env bash
# Regenerates the SDKs' generated parts from the OpenAPI document of a
# throwaway Herald (fresh database, so the document's `webhooks` catalog is
# empty and the output depends on the code alone):
#   sdks/openapi.json                  the document as served
#   sdks/python/herald_client/         openapi-python-client (pinned in
#                                      sdks/python/generator/requirements.txt)
#   sdks/typescript/src/schema.ts      openapi-typescript (pinned in
#                                      sdks/typescript/package-lock.json)
# The hand-written layers (sdks/python/herald_sdk, sdks/typescript/src/*.ts
# but schema.ts) are not touched.
# Usage: scripts/sdk-generate.sh [path/to/herald] [--into DIR]
#   (default target/debug/herald; --into writes the same layout under DIR
#   instead of sdks/, which scripts/sdk-check.sh uses to find drift).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=target/debug/herald
OUT=sdks
while [ $# -gt 0 ]; do
  case $1 in
    --into) OUT=$2; shift 2 ;;
    *) BIN=$1; shift ;;
  esac
done
ROOT=$PWD
OUT=$(realpath -m "$OUT")
. scripts/sdk-lib.sh

sdk_python_tools
sdk_node_tools

work=$(mktemp -d)
trap 'herald_stop; rm -rf "$work"' EXIT
herald_start "$BIN"
mkdir -p "$OUT/python" "$OUT/typescript/src"
# Pretty-printed with sorted keys, so that a change reads well in a diff.
curl -fsS "$HERALD_URL/api/v1/openapi.json" \
  | python3 -c 'import json, sys; json.dump(json.load(sys.stdin), sys.stdout, indent=2, sort_keys=True, ensure_ascii=False); print()' \
  >"$OUT/openapi.json"
herald_stop

# Python: the document with the rewrites openapi-python-client needs (each
# explained in openapi_fixup.py), generated into a fresh directory (so that
# nothing around it changes the formatting), then put in place.
"$PY_BIN/python" sdks/python/generator/openapi_fixup.py "$OUT/openapi.json" "$work/openapi-python.json"
(cd "$work" && PATH="$PY_BIN:$PATH" "$PY_BIN/openapi-python-client" generate \
  --path openapi-python.json --meta none --output-path herald_client \
  --config "$ROOT/sdks/python/generator/config.yaml" >"$work/python.log" 2>&1) || {
  cat "$work/python.log" >&2
  exit 1
}
# The generator's warnings: the one expected (the NDJSON export's answer,
# a stream of lines, has no model, so export_messages returns no parsed
# body) passes, any other fails, e.g. a schema it drops.
unexpected=$(grep -E '^(WARNING|Unable to process)' "$work/python.log" \
  | grep -vxF 'WARNING parsing GET /apps/{app}/messages/export within messages.' || true)
if [ -n "$unexpected" ]; then
  cat "$work/python.log" >&2
  echo "openapi-python-client: unexpected warning(s): $unexpected" >&2
  exit 1
fi
rm -rf "$OUT/python/herald_client"
cp -r "$work/herald_client" "$OUT/python/herald_client"
find "$OUT/python/herald_client" \( -name __pycache__ -o -name .ruff_cache \) -prune -exec rm -rf {} +

# TypeScript: the document as served.
(cd sdks/typescript && node_modules/.bin/openapi-typescript "$OUT/openapi.json" \
  --empty-objects-unknown -o "$work/schema.ts" >/dev/null)
cp "$work/schema.ts" "$OUT/typescript/src/schema.ts"
echo "generated: $OUT/openapi.json, $OUT/python/herald_client, $OUT/typescript/src/schema.ts"
