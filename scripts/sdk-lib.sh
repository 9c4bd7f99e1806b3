# Shared by scripts/sdk-generate.sh and scripts/sdk-check.sh (sourced, from
# the repository's root): the pinned generator tools and a throwaway Herald.

# Tools live under target/ (ignored by git, kept between runs on one
# machine); HERALD_SDK_TOOLS moves them. Each is installed again only when
# its pinned list changed.
SDK_TOOLS=${HERALD_SDK_TOOLS:-$PWD/target/sdk-tools}

quiet_pip() { grep -v "Running pip as the 'root' user" || true; }

# A venv with openapi-python-client and ruff at the versions in
# sdks/python/generator/requirements.txt, plus pytest for the tests.
sdk_python_tools() {
  local venv=$SDK_TOOLS/py stamp
  stamp=$(cat sdks/python/generator/requirements.txt sdks/python/requirements-test.txt | sha256sum | cut -c1-16)
  if [ "$(cat "$venv/.stamp" 2>/dev/null)" != "$stamp" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      -r sdks/python/generator/requirements.txt -r sdks/python/requirements-test.txt 2>&1 | quiet_pip
    echo "$stamp" >"$venv/.stamp"
  fi
  PY_BIN=$venv/bin
}

# sdks/typescript's node_modules from package-lock.json (npm ci).
sdk_node_tools() {
  local stamp
  stamp=$(sha256sum sdks/typescript/package-lock.json | cut -c1-16)
  if [ "$(cat sdks/typescript/node_modules/.stamp 2>/dev/null)" != "$stamp" ]; then
    (cd sdks/typescript && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    echo "$stamp" >sdks/typescript/node_modules/.stamp
  fi
}

# Starts Herald on a fresh SQLite database in a new temporary directory, on
# a free loopback port, with the admin token `sdk-token`, loopback open
# (--dev: the tests' receivers run on this machine) and a single attempt
# per delivery (a failure is final at once, so there are failed deliveries
# to list and replay). Sets HERALD_URL, HERALD_TOKEN, HERALD_PID, HERALD_DIR.
herald_start() {
  local bin
  bin=$(realpath "$1")
  HERALD_DIR=$(mktemp -d)
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  (cd "$HERALD_DIR" && HERALD_AUTH_ADMIN_TOKEN=sdk-token HERALD_SERVER_LISTEN=127.0.0.1:$port \
    HERALD_DATABASE_URL="sqlite://$HERALD_DIR/herald.db" HERALD_WORKER_POLL_INTERVAL_MS=100 \
    HERALD_DELIVERY_RETRY_SCHEDULE_SECS= HERALD_DELIVERY_TIMEOUT_MS=5000 HERALD_METRICS_LISTEN= \
    HERALD_LOG_LEVEL=warn exec "$bin" serve --dev >"$HERALD_DIR/log" 2>&1) &
  HERALD_PID=$!
  HERALD_URL=http://127.0.0.1:$port
  HERALD_TOKEN=sdk-token
  for _ in $(seq 1 150); do
    curl -fs "$HERALD_URL/health" >/dev/null 2>&1 && return 0
    kill -0 "$HERALD_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "Herald did not start:" >&2
  cat "$HERALD_DIR/log" >&2
  return 1
}

herald_stop() {
  if [ -n "${HERALD_PID:-}" ]; then
    kill "$HERALD_PID" 2>/dev/null || true
    wait "$HERALD_PID" 2>/dev/null || true
    HERALD_PID=
  fi
  if [ -n "${HERALD_DIR:-}" ]; then
    rm -rf "$HERALD_DIR"
    HERALD_DIR=
  fi
}
