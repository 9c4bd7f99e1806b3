#!/usr/bin/env bash
# The Debian package, end to end, on this machine (root; CI's machine is
# disposable): builds it with cargo-deb from the dist profile, checks what
# it holds, installs it with dpkg -i, checks the unit with
# `systemd-analyze verify`, starts the installed service, publishes one
# event to a local receiver and waits for its delivery, then purges the
# package and checks the binary is gone.
#
# Starting the service: with systemd as PID 1, the package's postinst has
# started herald.service and this script uses it (a drop-in opens loopback
# for the receiver). Without it (a container: PID 1 is something else) the
# unit cannot be started, so the script starts the installed binary as the
# unit would: its ExecStart, as its User, in its WorkingDirectory, with its
# UMask and a clean environment, with the root file system read-only but
# for the state directory and a private /tmp (the core of ProtectSystem=
# strict and PrivateTmp, in a mount namespace). The other sandboxing
# directives (system call filter, capabilities, ProtectProc, ...) are only
# verified, not applied, there.
#
# One setting differs from the packaged configuration in both cases:
# HERALD_SECURITY_ALLOWED_CIDRS=127.0.0.0/8, since the receiver is on
# loopback, where deliveries are refused by default. And if something on
# this machine already listens on the configured ports, the listen
# addresses are moved to free ports (said when it happens).
#
# Usage: scripts/deb-check.sh   (root; cargo-deb is installed when missing)
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DEB_VERSION=3.8.0
start=$SECONDS
say() { echo "deb-check: $*"; }
fail() { echo "deb-check: FAILED: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (dpkg -i, runuser, mount namespaces)"

installed() { [ "$(dpkg-query -W -f='${db:Status-Status}' herald 2>/dev/null)" = installed ]; }
if installed; then
  fail "the herald package is installed on this machine; this check installs and purges it, so it will not run here"
fi
if [ -e /var/lib/herald ]; then
  # Left by an earlier run killed before its cleanup (purge keeps the state
  # directory). On CI's disposable machine it goes; elsewhere it may be
  # someone's database.
  if [ "${CI:-}" = true ]; then
    rm -rf /var/lib/herald
  else
    fail "/var/lib/herald exists (a database?); move it away first"
  fi
fi

# The tools: cargo-deb pinned (compiled on a fresh machine, about 2 min),
# systemd-analyze.
if [ "$(cargo deb --version 2>/dev/null)" != "cargo-deb $CARGO_DEB_VERSION" ]; then
  cargo install cargo-deb --locked --version "$CARGO_DEB_VERSION"
fi
if ! command -v systemd-analyze >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq systemd >/dev/null
fi

work=$(mktemp -d)
herald_pid=""
receiver_pid=""
cleanup() {
  set +e
  [ -n "$herald_pid" ] && kill "$herald_pid" 2>/dev/null && wait "$herald_pid" 2>/dev/null
  [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null && wait "$receiver_pid" 2>/dev/null
  rm -rf /run/systemd/system/herald.service.d
  if installed || [ "$(dpkg-query -W -f='${db:Status-Status}' herald 2>/dev/null)" = config-files ]; then
    dpkg --purge herald >/dev/null 2>&1 || true
  fi
  # What purge keeps on purpose (the data and the user): this machine's
  # run leaves nothing behind.
  rm -rf /var/lib/herald
  if getent passwd herald >/dev/null; then userdel herald 2>/dev/null || true; fi
  if getent group herald >/dev/null; then groupdel herald 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# 1. Build. cargo-deb builds `--profile dist` into target/dist and packs it.
build_start=$SECONDS
deb=$(cargo deb -p herald --profile dist --output "$work/" | tail -n 1)
[ -f "$deb" ] || fail "cargo deb printed no package path (got: $deb)"
say "built $(basename "$deb") ($(du -h "$deb" | cut -f1)) in $((SECONDS - build_start)) s"

# 2. What the package holds.
dpkg-deb --contents "$deb" >"$work/contents"
for f in ./usr/bin/herald ./usr/lib/systemd/system/herald.service ./etc/herald/herald.toml \
  ./usr/share/doc/herald/default.toml; do
  grep -q " $f\$" "$work/contents" || fail "$f is not in the package"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx /etc/herald/herald.toml \
  || fail "/etc/herald/herald.toml is not a conffile"

# 3. Install.
dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg -i"; }
[ -x /usr/bin/herald ] || fail "/usr/bin/herald missing after dpkg -i"
version=$(/usr/bin/herald --version)
[[ $version =~ ^herald\ [0-9]+\.[0-9]+\.[0-9]+\ \(([0-9a-f]{7,}(-dirty)?|unknown)\)$ ]] \
  || fail "herald --version printed: $version"
if readelf -S /usr/bin/herald | grep -q '\.debug_'; then fail "/usr/bin/herald has debug sections"; fi
say "installed: $version, $(du -h /usr/bin/herald | cut -f1) stripped"
getent passwd herald >/dev/null || fail "postinst created no user herald"
[ "$(stat -c '%U:%G %a' /var/lib/herald)" = "herald:herald 750" ] || fail "/var/lib/herald: $(stat -c '%U:%G %a' /var/lib/herald)"
[ "$(stat -c '%U:%G %a' /etc/herald/herald.toml)" = "root:herald 640" ] \
  || fail "/etc/herald/herald.toml: $(stat -c '%U:%G %a' /etc/herald/herald.toml)"

# 4. The unit. `verify` loads it as systemd would: unknown directives,
# missing binaries, bad values. It also reports on units herald.service
# pulls in; only lines about herald.service fail the check.
unit=/usr/lib/systemd/system/herald.service
systemd-analyze verify "$unit" >"$work/verify" 2>&1 || true
if grep -i "herald" "$work/verify"; then fail "systemd-analyze verify $unit"; fi
say "systemd-analyze verify: herald.service is clean"
# The sandbox stays tight: systemd's exposure score (0 best, 10 worst; 1.4
# when written) must stay at 2.0 or below.
if ! systemd-analyze security --offline=true --threshold=20 "$unit" >"$work/security" 2>&1; then
  grep "✗" "$work/security" >&2 || true
  fail "systemd-analyze security: $(tail -n 1 "$work/security")"
fi
say "systemd-analyze security: $(sed -n 's/.*Overall exposure level for herald.service: //p' "$work/security")"
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
exec_start=$(unit_value ExecStart)
user=$(unit_value User)
workdir=$(unit_value WorkingDirectory)
umask_value=$(unit_value UMask)
config_file=$(sed -n 's/.*--config \([^ ]*\).*/\1/p' <<<"$exec_start")
[ "$config_file" = /etc/herald/herald.toml ] || fail "ExecStart does not name /etc/herald/herald.toml: $exec_start"

# The listen addresses of the packaged configuration; moved to free ports
# only when taken.
taken() { python3 -c 'import socket,sys; s=socket.socket(); sys.exit(0 if s.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0 else 1)' "$1"; }
env_extra=(HERALD_SECURITY_ALLOWED_CIDRS=127.0.0.0/8)
api_port=$(sed -n '/^\[server\]/,/^\[/s/^listen = "127.0.0.1:\([0-9]*\)"/\1/p' "$config_file")
metrics_port=$(sed -n '/^\[metrics\]/,/^\[/s/^listen = "127.0.0.1:\([0-9]*\)"/\1/p' "$config_file")
if taken "$api_port"; then say "127.0.0.1:$api_port is taken here: HERALD_SERVER_LISTEN=127.0.0.1:0"; env_extra+=(HERALD_SERVER_LISTEN=127.0.0.1:0); fi
if taken "$metrics_port"; then say "127.0.0.1:$metrics_port is taken here: HERALD_METRICS_LISTEN=127.0.0.1:0"; env_extra+=(HERALD_METRICS_LISTEN=127.0.0.1:0); fi

# 5. A receiver: answers 204 and appends every body it gets to a file.
python3 -u - "$work/received" >"$work/receiver.port" 2>"$work/receiver.log" <<'EOF' &
import http.server, sys
out = sys.argv[1]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(body + b"\n")
        self.send_response(204)
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), H)
print(server.server_address[1], flush=True)
server.serve_forever()
EOF
receiver_pid=$!
for _ in $(seq 50); do [ -s "$work/receiver.port" ] && break; sleep 0.1; done
receiver_port=$(cat "$work/receiver.port")
[ -n "$receiver_port" ] || fail "the receiver did not start"

# 6. Start the service.
log=$work/herald.log
if [ "$(ps -p 1 -o comm=)" = systemd ]; then
  say "systemd is PID 1: using herald.service (postinst started it)"
  mkdir -p /run/systemd/system/herald.service.d
  {
    echo "[Service]"
    for e in "${env_extra[@]}"; do echo "Environment=$e"; done
  } >/run/systemd/system/herald.service.d/deb-check.conf
  systemctl daemon-reload
  systemctl restart herald
  sleep 2
  systemctl is-active --quiet herald || { journalctl -u herald --no-pager | tail -30 >&2; fail "herald.service is not active"; }
  logs() { journalctl -u herald --no-pager -o cat; }
else
  say "systemd is not PID 1 here ($(ps -p 1 -o comm=)): starting the installed binary as the unit would"
  say "  runuser -u $user -- $exec_start  (in $workdir, umask $umask_value, / read-only but for /var/lib/herald, private /tmp)"
  # shellcheck disable=SC2086 # ExecStart's words, split as systemd splits them (no quoting in it)
  unshare --mount --propagation private -- sh -ec '
    mount --bind /var/lib/herald /var/lib/herald
    mount -o remount,bind,ro /
    mount -t tmpfs -o mode=1777 tmpfs /tmp
    mount -t tmpfs -o mode=1777 tmpfs /var/tmp
    for home in /home /root; do [ -d "$home" ] && mount -t tmpfs -o ro,mode=0 tmpfs "$home"; done
    cd "$0"; umask "$1"; shift
    exec "$@"' "$workdir" "$umask_value" \
    runuser -u "$user" -- env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin LANG=C.UTF-8 \
    HOME=/var/lib/herald USER="$user" LOGNAME="$user" "${env_extra[@]}" $exec_start >"$log" 2>&1 &
  herald_pid=$!
  logs() { cat "$log"; }
fi
addr=""
for _ in $(seq 100); do
  addr=$(logs | sed -n 's/^herald listening on \(http:[^ ]*\).*/\1/p' | tail -n 1)
  [ -n "$addr" ] && break
  sleep 0.1
done
[ -n "$addr" ] || { logs | tail -30 >&2; fail "herald did not start listening"; }
token=$(logs | grep -o 'hrld_[0-9a-f]*' | head -n 1)
[ -n "$token" ] || { logs | tail -30 >&2; fail "no admin token printed on first start"; }
say "herald is listening on $addr; the admin token was printed on first start"

# The state directory holds the database and the key file, the user's own.
[ -f /var/lib/herald/herald.db ] || fail "no /var/lib/herald/herald.db"
[ "$(stat -c '%U %a' /var/lib/herald/herald.db.key)" = "$user 600" ] \
  || fail "/var/lib/herald/herald.db.key: $(stat -c '%U %a' /var/lib/herald/herald.db.key)"

# 7. One event, delivered.
api() { curl -sS --fail-with-body -H "Authorization: Bearer $token" -H "Content-Type: application/json" "$@"; }
api "$addr/api/v1/apps" -d '{"name": "Deb check", "uid": "deb-check"}' >/dev/null
api "$addr/api/v1/apps/deb-check/endpoints" -d "{\"url\": \"http://127.0.0.1:$receiver_port/hook\"}" >/dev/null
api "$addr/api/v1/apps/deb-check/messages" \
  -d '{"event_type": "package.installed", "event_id": "deb-check-1", "payload": {"from": "deb-check"}}' >/dev/null
for _ in $(seq 150); do grep -q '"deb-check"' "$work/received" 2>/dev/null && break; sleep 0.2; done
grep -q '"deb-check"' "$work/received" 2>/dev/null || { logs | tail -30 >&2; fail "the event was not delivered within 30 s"; }
say "one event published and delivered to the local receiver"

# 8. Stop, purge: the binary, the unit and the configuration are gone.
if [ -n "$herald_pid" ]; then
  # SIGTERM to herald itself, as systemd sends it to the main process
  # (runuser would pass it on, then die of it itself).
  main_pid=$(ps -o pid= --ppid "$herald_pid" | tr -d ' ')
  [ "$(cat "/proc/$main_pid/comm" 2>/dev/null)" = herald ] || fail "no herald process under runuser ($herald_pid)"
  kill -TERM "$main_pid"
  status=0
  wait "$herald_pid" || status=$?
  herald_pid=""
  [ $status = 0 ] || { tail -5 "$log" >&2; fail "herald did not exit cleanly on SIGTERM (status $status)"; }
  say "herald stopped cleanly on SIGTERM"
else
  rm -rf /run/systemd/system/herald.service.d
fi
dpkg --purge herald >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log" >&2; fail "dpkg --purge"; }
for f in /usr/bin/herald "$unit" /etc/herald/herald.toml; do
  [ ! -e "$f" ] || fail "$f is still there after dpkg --purge"
done
say "purged: /usr/bin/herald, the unit and /etc/herald are gone"
say "checked in $((SECONDS - start)) s"
