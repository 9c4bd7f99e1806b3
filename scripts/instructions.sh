#!/usr/bin/env bash
# Instructions Herald spends per published event and per delivery, counted
# by Valgrind's callgrind on a fixed workload (scripts/instructions.py says
# how), and the CI guard on them.
#
#   scripts/instructions.sh [ARGS]          the full workload on a release build
#                                           (1,000 + 200 events each way, 7,100 deliveries);
#                                           ARGS go to instructions.py, e.g.
#                                           --repeat 3 --keep DIR --out FILE
#   scripts/instructions.sh --check         the guard: the small workload on the
#                                           debug build CI makes anyway; fails when
#                                           a figure grew more than THRESHOLD percent
#                                           (default 3) over docs/bench/instructions-baseline.json
#   scripts/instructions.sh --update-baseline
#                                           measure the guard's workload and write it
#                                           as the new baseline (commit it with the reason)
#
# Environment: HERALD_BIN (the binary to measure, instead of building one),
# HERALD_COMMIT (the commit it was built from, for the baseline; default
# HEAD), THRESHOLD.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=docs/bench/instructions-baseline.json
# The guard's workload: small, so that one run takes about 40 s on the
# debug build; three runs, each figure their median (single runs' figure
# per delivery spanned 3.0% over 16 runs on the debug build, medians of
# three 1.3%: docs/bench/bench-session-instructions.txt).
GUARD=(--events-1 200 --events-10 40 --warmup 20 --repeat 3)

if ! command -v valgrind >/dev/null || ! command -v callgrind_control >/dev/null || ! command -v python3 >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind python3 >/dev/null
  else
    echo "valgrind and python3 are needed (apt-get install valgrind python3)" >&2
    exit 2
  fi
fi

mode=measure
case "${1:-}" in
  --check) mode=check; shift ;;
  --update-baseline) mode=update; shift ;;
esac

if [ "$mode" = measure ]; then
  bin=${HERALD_BIN:-}
  if [ -z "$bin" ]; then
    cargo build --quiet --release -p herald
    bin=target/release/herald
  fi
  exec python3 scripts/instructions.py --herald-bin "$bin" --events-1 1000 --events-10 200 --warmup 50 "$@"
fi

# The guard measures the debug build (`cargo build -p herald`, which CI
# builds anyway): a release build would add minutes to every CI run. Its
# baseline is of the same build profile.
bin=${HERALD_BIN:-}
if [ -z "$bin" ]; then
  cargo build --quiet -p herald
  bin=target/debug/herald
fi
if [ "$mode" = check ]; then
  exec python3 scripts/instructions.py --herald-bin "$bin" "${GUARD[@]}" \
    --check "$BASELINE" --threshold "${THRESHOLD:-3}" "$@"
fi
mkdir -p "$(dirname "$BASELINE")"
out=$(mktemp)
python3 scripts/instructions.py --herald-bin "$bin" "${GUARD[@]}" --out "$out" "$@"
python3 - "$out" "$BASELINE" "${HERALD_COMMIT:-$(git rev-parse --short HEAD)}" <<'EOF'
import json, sys, time
result, path, commit = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
try:
    baseline = json.load(open(path))
except FileNotFoundError:
    baseline = {}
baseline["guard"] = {
    "profile": "dev (cargo build -p herald)",
    "commit": commit,
    "measured": time.strftime("%Y-%m-%d"),
    "workload": result["workload"],
    "per_unit": {k: v["per_unit"] for k, v in result["phases"].items()},
    "runs": {k: v.get("runs") for k, v in result["phases"].items()},
    "stages_per_unit": {k: v["stages_per_unit"] for k, v in result["phases"].items()},
}
with open(path, "w") as f:
    f.write(json.dumps(baseline, indent=2) + "\n")
print(f"wrote {path}")
EOF
rm -f "$out"
