#!/usr/bin/env python3
"""Instructions Herald spends per published event and per delivery.

Runs a fixed workload against `herald serve` under Valgrind's callgrind
(this machine's perf has no instruction counter) and counts the
instructions of the Herald process alone: the client and the receiver are
this script, outside Valgrind. Two processes on one fresh SQLite file:

  A. worker off: an application with 1 endpoint and one with 10 (both at a
     loopback receiver); after a warm-up the counters are zeroed, then
     --events-1 publishes to the first  -> phase publish_1
     --events-10 publishes to the second -> phase publish_10
  B. worker on, same file: it drains what A queued. Counters are zeroed
     when the worker's run loop is entered (callgrind --zero-before), and
     dumped once every delivery is recorded as delivered -> phase deliver

Figures: instructions per published event (phases publish_1, publish_10)
and per delivery (phase deliver), each split into stages by callgrind's
per-function costs (see STAGES); --out writes them as JSON, --check
compares them with a committed baseline.
"""

import argparse
import glob
import http.client
import http.server
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

TOKEN = "instructions-token"
MAIN_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="

# Settings pinned so that counts do not depend on wall time (under Valgrind
# everything runs ~50x slower, so a timer fires ~50x more often per event
# than it would natively). A build that does not know a key refuses it at
# start-up; the key is then dropped for that build and the run says so.
PINNED_ENV = {
    "HERALD_LOG_LEVEL": "warn",
    "HERALD_SECURITY_ALLOWED_CIDRS": "127.0.0.0/8,::1/128",
    "HERALD_SECURITY_MAIN_KEY": MAIN_KEY,
    "HERALD_METRICS_LISTEN": "127.0.0.1:0",
    # Idle polls: new work wakes the worker at once; these only look for
    # due retries, recovery jobs and notifications, of which there are none.
    "HERALD_WORKER_POLL_INTERVAL_MS": "60000",
    "HERALD_RECOVERY_POLL_INTERVAL_MS": "60000",
    "HERALD_NOTIFY_POLL_INTERVAL_MS": "60000",
    "HERALD_RETENTION_INTERVAL_MS": "3600000",
    # The background checkpoint pass: every 100 ms by default, which under
    # Valgrind would be ~50 times as many passes per event as natively (and
    # as many as the run's wall time, which varies); 5 s is about the
    # native rate.
    "HERALD_DATABASE_CHECKPOINT_INTERVAL_MS": "5000",
    # The same number of runtime threads on any host.
    "TOKIO_WORKER_THREADS": "2",
}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class Receiver:
    """A keep-alive HTTP/1.1 receiver on loopback that answers 200 at once."""

    def __init__(self):
        self.count = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (the stdlib's name)
                self.rfile.read(int(self.headers.get("content-length", 0)))
                with outer.lock:
                    outer.count += 1
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def arrived(self):
        with self.lock:
            return self.count


class Client:
    """Keep-alive connections to Herald's API, one per thread."""

    def __init__(self, base):
        self.host, self.port = base.removeprefix("http://").rstrip("/").split(":")
        self.local = threading.local()

    def request(self, method, path, body=None):
        for _ in range(2):
            conn = getattr(self.local, "conn", None)
            if conn is None:
                conn = self.local.conn = http.client.HTTPConnection(self.host, int(self.port), timeout=600)
            try:
                headers = {"authorization": f"Bearer {TOKEN}"}
                if body is not None:
                    headers["content-type"] = "application/json"
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            except (ConnectionError, http.client.HTTPException):
                conn.close()
                self.local.conn = None
                continue
            if resp.status >= 300:
                raise RuntimeError(f"{method} {path}: {resp.status} {data[:300]!r}")
            return json.loads(data) if data else None
        raise RuntimeError(f"{method} {path}: connection failed twice")


def event_body(payload_bytes):
    # As `herald bench`: a 1 KiB payload by default.
    filler = "x" * max(0, payload_bytes - len('{"data":""}'))
    return json.dumps({"event_type": "bench.event", "payload": {"data": filler}})


def publish(pool, client, app, count, body):
    """`count` publishes through `pool`, whose threads keep their connections."""
    path = f"/api/v1/apps/{app}/messages"
    for _ in pool.map(lambda _: client.request("POST", path, body), range(count)):
        pass


class Herald:
    """`herald serve` under callgrind."""

    def __init__(self, binary, workdir, name, env, valgrind_args):
        self.name = name
        self.out = os.path.join(workdir, f"callgrind.{name}")
        self.stderr_path = os.path.join(workdir, f"{name}.stderr")
        cmd = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={self.out}",
            "--fair-sched=yes",
            "--separate-threads=yes",
            *valgrind_args,
            binary,
            "serve",
        ]
        self.stderr = open(self.stderr_path, "w")
        self.proc = subprocess.Popen(
            cmd, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=self.stderr, text=True
        )
        self.base = None
        for line in self.proc.stdout:
            if line.startswith("herald listening on "):
                self.base = line.split()[3]
                break
        if self.base is None:
            self.proc.wait()
            self.stderr.close()
            raise StartFailed(open(self.stderr_path).read())
        threading.Thread(target=lambda: [None for _ in self.proc.stdout], daemon=True).start()
        self.dumps = 0

    def control(self, *args):
        subprocess.run(
            ["callgrind_control", *args, str(self.proc.pid)],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def zero(self):
        self.control("--zero")

    def dump(self):
        """Dumps (and zeroes) the counters; returns the files written, one per thread."""
        self.control("--dump")
        self.dumps += 1
        pattern = f"{self.out}.{self.dumps}-*"
        for _ in range(600):
            files = sorted(glob.glob(pattern))
            if files and all(complete(f) for f in files):
                time.sleep(0.5)
                files = sorted(glob.glob(pattern))
                if all(complete(f) for f in files):
                    return files
            time.sleep(0.1)
        raise RuntimeError(f"callgrind wrote no {pattern}")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=300)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.stderr.close()


class StartFailed(Exception):
    pass


def start_herald(binary, workdir, name, env, valgrind_args, dropped):
    """Starts Herald; a pinned key this build refuses is dropped and noted."""
    env = dict(env)
    for key in dropped:
        env.pop(key, None)
    while True:
        try:
            return Herald(binary, workdir, name, env, valgrind_args)
        except StartFailed as e:
            text = str(e)
            m = re.search(r"unknown field `(\w+)`", text) or re.search(r"unknown field: `(\w+)`", text)
            drop = None
            if m:
                drop = next((k for k in env if k in PINNED_ENV and k.lower().endswith("_" + m.group(1))), None)
            if drop is None:
                raise RuntimeError(f"herald serve did not start:\n{text[-3000:]}") from None
            log(f"  this build does not know {drop}: started without it")
            env.pop(drop)
            dropped.append(drop)


def complete(path):
    """Whether callgrind has finished writing `path` (its last line is the totals)."""
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        f.seek(max(0, f.tell() - 200))
        return b"\ntotals:" in f.read()


def delivered(db):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute("SELECT count(*) FROM deliveries WHERE state = 'delivered'").fetchone()[0]
    finally:
        conn.close()


def measure(args):
    workdir = tempfile.mkdtemp(prefix="herald-instructions-")
    db = os.path.join(workdir, "herald.db")
    rx = Receiver()
    env = dict(os.environ)
    env.update(PINNED_ENV)
    env.update(
        {
            "HERALD_SERVER_LISTEN": "127.0.0.1:0",
            "HERALD_AUTH_ADMIN_TOKEN": TOKEN,
            "HERALD_DATABASE_URL": f"sqlite://{db}",
        }
    )
    for kv in args.env:
        k, _, v = kv.partition("=")
        env[k] = v
    body = event_body(args.payload_bytes)
    dropped = []
    phases = {}
    started = time.time()
    try:
        # A: publishing, worker off.
        log(f"  A: herald serve (worker off) under callgrind, {workdir}")
        a = start_herald(args.herald_bin, workdir, "publish", {**env, "HERALD_WORKER_ENABLED": "false"}, [], dropped)
        try:
            client = Client(a.base)
            app1 = client.request("POST", "/api/v1/apps", json.dumps({"name": "one"}))["id"]
            client.request("POST", f"/api/v1/apps/{app1}/endpoints", json.dumps({"url": rx.url}))
            app10 = client.request("POST", "/api/v1/apps", json.dumps({"name": "ten"}))["id"]
            for _ in range(10):
                client.request("POST", f"/api/v1/apps/{app10}/endpoints", json.dumps({"url": rx.url}))
            # Warm-up: connections, statement caches and lazy set-up are
            # paid here, not in the figures.
            serial = ThreadPoolExecutor(1)
            pool = ThreadPoolExecutor(args.concurrency)
            for p in (serial, pool):
                publish(p, client, app1, args.warmup, body)
                publish(p, client, app10, args.warmup, body)
            a.zero()
            # One publish at a time: each is a group commit of its own, so
            # the count does not depend on how requests happened to batch.
            # These are the guarded figures.
            for phase, app, n, p in (
                ("publish_1", app1, args.events_1, serial),
                ("publish_10", app10, args.events_10, serial),
                # --concurrency in flight: batches form as timing lets them,
                # so these vary more from run to run (reported, not guarded).
                ("publish_1_concurrent", app1, args.events_1, pool),
                ("publish_10_concurrent", app10, args.events_10, pool),
            ):
                t = time.time()
                publish(p, client, app, n, body)
                phases[phase] = {"files": a.dump(), "units": n, "secs": time.time() - t}
            serial.shutdown()
            pool.shutdown()
        finally:
            a.stop()
        expected = 2 * (args.warmup + args.events_1) + 10 * 2 * (args.warmup + args.events_10)

        # B: delivering the backlog, worker on.
        log(f"  B: herald serve (worker on) delivering {expected} under callgrind")
        zero_at = ["--zero-before=" + args.zero_at]
        t = time.time()
        b = start_herald(args.herald_bin, workdir, "deliver", env, zero_at, dropped)
        try:
            deadline = time.time() + args.timeout
            while delivered(db) < expected:
                if time.time() > deadline:
                    raise RuntimeError(f"only {delivered(db)} of {expected} delivered within {args.timeout} s")
                time.sleep(0.2)
            phases["deliver"] = {"files": b.dump(), "units": expected, "secs": time.time() - t}
            if rx.arrived() < expected:
                raise RuntimeError(f"the receiver got {rx.arrived()} of {expected}")
        finally:
            b.stop()
        result = {
            "herald_bin": args.herald_bin,
            "workload": {
                "events_1": args.events_1,
                "events_10": args.events_10,
                "warmup": args.warmup,
                "concurrency": args.concurrency,
                "payload_bytes": args.payload_bytes,
                "deliveries": expected,
            },
            "settings_not_known_to_this_build": dropped,
            "secs": round(time.time() - started, 1),
            "phases": {},
        }
        for name, p in phases.items():
            result["phases"][name] = summarise(name, p["files"], p["units"], p["secs"], args.top)
        if args.keep:
            os.makedirs(args.keep, exist_ok=True)
            for p in phases.values():
                for f in p["files"]:
                    shutil.copy(f, args.keep)
        return result
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


class Profile:
    """One thread's callgrind dump: self cost per function and the
    inclusive cost of each call edge. A function is (file, name) as
    callgrind names it; a call edge's cost is what the callee spent,
    callees included."""

    def __init__(self, path):
        names = {"fn": {}, "fl": {}, "ob": {}}
        self.self_cost = {}
        self.edges = {}
        self.calls = {}
        fn = fl = cfl = callee = None
        pending = False

        def name(kind, rest):
            m = re.match(r"\((\d+)\)(?: (.*))?$", rest)
            if not m:
                return rest
            if m.group(2) is not None:
                names[kind][m.group(1)] = m.group(2)
                return m.group(2)
            return names[kind][m.group(1)]

        with open(path, errors="replace") as f:
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    continue
                if line[0].isdigit() or line[0] in "+-*":
                    parts = line.split()
                    cost = int(parts[1]) if len(parts) > 1 else 0
                    if pending:
                        self.edges[(fn, callee)] = self.edges.get((fn, callee), 0) + cost
                        pending = False
                    else:
                        self.self_cost[fn] = self.self_cost.get(fn, 0) + cost
                    continue
                key, _, rest = line.partition("=")
                if key == "fl":
                    fl = name("fl", rest)
                elif key in ("fi", "fe"):
                    name("fl", rest)
                elif key == "fn":
                    fn = (fl, name("fn", rest))
                    cfl = None
                elif key in ("cfi", "cfl"):
                    cfl = name("fl", rest)
                elif key == "cfn":
                    callee = (cfl if cfl is not None else fl, name("fn", rest))
                    cfl = None
                elif key in ("ob", "cob"):
                    name("ob", rest)
                elif key == "calls":
                    pending = True
                    self.calls[(fn, callee)] = self.calls.get((fn, callee), 0) + int(rest.split()[0])
        self.total = sum(self.self_cost.values())
        self._reach = {}
        self.functions = set(self.self_cost) | {b for (_, b) in self.edges}

    def runs(self, pattern):
        """Whether this thread spent instructions in a function that matches."""
        return any(pattern.search(f[1]) for f, c in self.self_cost.items() if c)

    def entered(self, pattern, caller=None):
        """Instructions spent inside the functions whose name matches, counted
        once: the cost of each call into one of them from a function that
        is neither one of them nor called (at any depth) by one of them, so
        that a call back into the stage through a generic function (a
        future's poll) is not counted twice. With `caller`, only calls from
        functions that match it."""
        members = {f for f in self.functions if pattern.search(f[1])}
        return sum(c for (a, b), c in self.edges.items() if b in members and self._outside(a, members, caller))

    def _outside(self, f, members, caller):
        if f in members or (caller is not None and not caller.search(f[1])):
            return False
        key = frozenset(members)
        if key not in self._reach:
            callees = {}
            for a, b in self.edges:
                callees.setdefault(a, []).append(b)
            seen, todo = set(), list(members)
            while todo:
                for g in callees.get(todo.pop(), ()):
                    if g not in seen and g not in members:
                        seen.add(g)
                        todo.append(g)
            self._reach[key] = seen
        return f not in self._reach[key]

    def calls_into(self, name):
        """How many times `name` was called from another function."""
        return sum(n for (a, b), n in self.calls.items() if b[1] == name and a[1] != name)

    def top_entered(self, pattern, n):
        members = {f for f in self.functions if pattern.search(f[1])}
        by = {}
        for (a, b), c in self.edges.items():
            if b in members and a not in members:
                by[b[1]] = by.get(b[1], 0) + c
        return sorted(by.items(), key=lambda kv: -kv[1])[:n]


# Threads, told apart by what they run: Herald's fsync thread (the only
# caller of std's File::sync_data), SQLite's connection threads (sqlx runs
# each connection on a thread of its own; every statement of every stage
# executes there), and the rest (tokio's runtime threads, where the API,
# the group commit's task, the worker, sends and settles run as tasks).
FSYNC_THREAD = re.compile(r"^<std::fs::File>::sync_data$")
SQL_THREAD = re.compile(r"^sqlite3VdbeExec$")

# Stages on the runtime threads (meaningful on the release build, whose
# inlining leaves each task's future one function; on the debug build the
# calls go through generic poll functions shared by every task, most of the
# split fails and lands in "runtime and other": the guard compares totals).
# A stage costs what was spent inside any
# function matching its pattern (callees included, each entry counted once).
# Stages listed under "within" are inside the stage named and subtracted
# from it, so the stages do not overlap; what no stage covers is "runtime
# and other" (scheduling, wake-ups, timers, background loops).
STAGES = [
    # The API's connection tasks: HTTP parsing and writing, routing,
    # middleware (auth, metrics), extraction, the handler.
    ("api: http, routing, auth", r"^axum::serve::handle_connection::\{\{closure\}\}", None),
    ("api: json", r"^herald_server::extract::parse_json$|Serialize for herald_server::api::messages::MessageView"
     r"|^<axum::json::Json<T> as axum_core::response::into_response::IntoResponse>::into_response$",
     "api: http, routing, auth"),
    ("api: validation", r"EventTypeName::parse$|^herald_server::api::check_text|validate_payload"
     r"|^herald_server::api::apps::resolve_id|^herald_server::schemas::", "api: http, routing, auth"),
    # The publishing task each request hands its message to (then hands
    # what it leased to the worker), and the group commit's own task.
    ("publish task, hand-over", r"^herald_server::state::AppState::publish::\{\{closure\}\}::\{\{closure\}\}$", None),
    ("group commit (Rust side)", r"^herald_store::batch::Publisher::start(_synced)?::\{\{closure\}\}$", None),
    ("worker loop", r"^herald_server::worker::Worker::run::\{\{closure\}\}$", None),
    ("claim (Rust side)", r"claim_batch::\{\{closure\}\}$|claim_gated::\{\{closure\}\}$"
     r"|^<herald_store_sqlite::SqliteStore as herald_store::Store>::claim::\{\{closure\}\}$", "worker loop"),
    # A send's task (4b7a8c4: spawned from the worker loop), with the
    # client's connection task (a future mapped by hyper_util's client,
    # polled straight from the runtime).
    ("send", r"^herald_server::worker::Slots::start::\{\{closure\}\}$|^herald_server::worker::sender::Sender::deliver"
     r"|^herald_server::worker::Worker::run::\{\{closure\}\}::\{\{closure\}\}::\{\{closure\}\}$", None),
    ("send", r"^<futures_util::future::future::Map<Fut,F> as core::future::future::Future>::poll$", None,
     r"^tokio::runtime::task::"),
    ("settle (Rust side)", r"^herald_server::worker::settle_loop::", None),
    ("lease renewal", r"^herald_server::worker::leases::", None),
    ("checkpoint loop", r"^herald_store_sqlite::checkpoint", None),
]

# Inside SQLite, for the findings: statements compiled, run, committed.
SQL_PARTS = [
    ("prepare (compile SQL)", r"^sqlite3_prepare|^sqlite3LockAndPrepare"),
    ("step (run statements)", r"^sqlite3_step$"),
    ("exec (BEGIN, COMMIT, PRAGMA)", r"^sqlite3_exec$"),
    ("checkpoint", r"^sqlite3_wal_checkpoint"),
]


SQL_CALLS = ["sqlite3_step", "sqlite3VdbeHalt", "sqlite3_exec"]


def summarise(phase, files, units, secs, top):
    profiles = [Profile(f) for f in files]
    total = sum(p.total for p in profiles)
    fsync = [p for p in profiles if p.runs(FSYNC_THREAD)]
    sql = [p for p in profiles if p not in fsync and p.runs(SQL_THREAD)]
    runtime = [p for p in profiles if p not in fsync and p not in sql]
    stages = {}
    for name, pattern, _, *caller in STAGES:
        caller = re.compile(caller[0]) if caller else None
        stages[name] = stages.get(name, 0) + sum(p.entered(re.compile(pattern), caller) for p in runtime)
    for name, _, within, *_ in STAGES:
        if within:
            # Approximate: a nested stage's functions may also run elsewhere
            # (an event type is parsed when a claimed row is read, too).
            stages[within] -= min(stages[name], stages[within])
    stages["runtime and other"] = sum(p.total for p in runtime) - sum(stages.values())
    stages["sql threads (sqlx + SQLite)"] = sum(p.total for p in sql)
    stages["fsync thread"] = sum(p.total for p in fsync)
    sql_parts = {name: sum(p.entered(re.compile(pat)) for p in sql) for name, pat in SQL_PARTS}
    # Statements: sqlite3VdbeHalt ends a statement's run (and is called
    # again by its reset), sqlite3_step fetches a row or finishes.
    sql_calls = {name: sum(p.calls_into(name) for p in sql) for name in SQL_CALLS}
    hot = {}
    for p in profiles:
        for fn, c in p.self_cost.items():
            hot[fn[1]] = hot.get(fn[1], 0) + c
    return {
        "units": units,
        "instructions": total,
        "per_unit": round(total / units),
        "secs": round(secs, 1),
        "threads": len(profiles),
        "stages_per_unit": {k: round(v / units) for k, v in stages.items() if v},
        "sql_per_unit": {k: round(v / units) for k, v in sql_parts.items() if v},
        "sql_calls_per_unit": {k: round(v / units, 3) for k, v in sql_calls.items()},
        "top_self_per_unit": [
            [name, round(c / units)] for name, c in sorted(hot.items(), key=lambda kv: -kv[1])[:top]
        ],
    }


# The guarded figures: phase, label.
FIGURES = [
    ("publish_1", "per published event, 1 endpoint, one at a time"),
    ("publish_10", "per published event, 10 endpoints, one at a time"),
    ("deliver", "per delivery"),
]
# Reported, not guarded (batches form as timing lets them).
REPORTED = [
    ("publish_1_concurrent", "per published event, 1 endpoint, {concurrency} in flight"),
    ("publish_10_concurrent", "per published event, 10 endpoints, {concurrency} in flight"),
]


def table(result):
    lines = [f"Herald {result['herald_bin']}: instructions (callgrind, Herald's process alone)"]
    for phase, label in FIGURES + REPORTED:
        p = result["phases"][phase]
        label = label.format(**result["workload"])
        runs = p.get("runs", [])
        spread = ""
        if len(runs) > 1:
            spread = f"; median of {', '.join(f'{r:,}' for r in runs)}: {100 * (max(runs) - min(runs)) / min(runs):.1f}% apart"
        lines.append(f"{label}: {p['per_unit']:,} ({p['units']:,} in {p['secs']} s{spread})")
        for stage, v in p["stages_per_unit"].items():
            lines.append(f"    {stage:<32} {v:>10,}")
        if p["stages_per_unit"].get("runtime and other", 0) > 0.4 * p["per_unit"]:
            lines.append("    (most is unattributed: on a debug build the stages cannot be told apart, see STAGES)")
        calls = ", ".join(f"{k} {v}" for k, v in p.get("sql_calls_per_unit", {}).items())
        if calls:
            lines.append(f"    SQLite calls per unit: {calls}")
    return "\n".join(lines)


def median_of(runs):
    """The run whose figure is the median, per phase (its stages with it);
    each phase also lists every run's figure."""
    result = dict(runs[0])
    result["phases"] = {}
    for phase in runs[0]["phases"]:
        ordered = sorted(runs, key=lambda r: r["phases"][phase]["per_unit"])
        chosen = dict(ordered[len(ordered) // 2]["phases"][phase])
        chosen["runs"] = [r["phases"][phase]["per_unit"] for r in runs]
        result["phases"][phase] = chosen
    return result


def check(result, baseline, threshold):
    """Fails (returns False) when a figure grew more than `threshold` percent."""
    guard = baseline["guard"]
    if guard["workload"] != result["workload"]:
        raise SystemExit(f"the baseline's workload {guard['workload']} is not this run's {result['workload']}")
    ok, lower = True, False
    for phase, label in FIGURES:
        base = guard["per_unit"][phase]
        now = result["phases"][phase]["per_unit"]
        pct = 100.0 * (now - base) / base
        if pct > threshold:
            ok = False
            print(
                f"FAIL {label}: {now:,} against the baseline's {base:,} (+{pct:.1f}%, more than {threshold}%)",
                file=sys.stderr,
            )
        else:
            print(f"ok   {label}: {now:,} against the baseline's {base:,} ({pct:+.1f}%)")
            lower = lower or pct < -threshold
    if lower:
        print("A figure fell by more than the threshold: commit a new baseline (--update-baseline) to keep the guard tight.")
    return ok


def main():
    m = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    m.add_argument("--herald-bin", required=True)
    m.add_argument("--events-1", type=int, default=2000, help="publishes to the application with 1 endpoint")
    m.add_argument("--events-10", type=int, default=200, help="publishes to the application with 10 endpoints")
    m.add_argument("--warmup", type=int, default=50, help="publishes to each application before counting")
    m.add_argument("--concurrency", type=int, default=16, help="publishes in flight in the concurrent phases")
    m.add_argument("--payload-bytes", type=int, default=1024)
    m.add_argument("--timeout", type=int, default=1800, help="seconds the delivery phase may take")
    m.add_argument("--top", type=int, default=15, help="functions listed by own cost per phase")
    m.add_argument(
        "--zero-at",
        default="*watch_for_work",
        help="function whose entry zeroes the delivery phase's counters (called once, as the worker is set up)",
    )
    m.add_argument("--env", action="append", default=[], help="KEY=VALUE for herald serve (repeatable)")
    m.add_argument("--keep", help="copy the callgrind files here")
    m.add_argument("--out", help="write the JSON here")
    m.add_argument("--check", help="a baseline JSON: fail when a figure grew more than --threshold percent")
    m.add_argument("--threshold", type=float, default=3.0, help="percent (default 3)")
    m.add_argument("--repeat", type=int, default=1, help="runs; each figure is their median")
    args = m.parse_args()
    # Herald runs in its own work directory: a relative path must not be
    # read from there.
    if getattr(args, "herald_bin", None):
        args.herald_bin = os.path.abspath(args.herald_bin)
    runs = []
    for i in range(args.repeat):
        if args.repeat > 1:
            log(f"run {i + 1} of {args.repeat}")
        runs.append(measure(args))
        if args.repeat > 1:
            print(table(runs[-1]) + "\n")
    result = median_of(runs)
    if args.out:
        with open(args.out, "w") as f:
            f.write(json.dumps(result, indent=2) + "\n")
    print(table(result))
    if args.check:
        with open(args.check) as f:
            baseline = json.load(f)
        if not check(result, baseline, args.threshold):
            print(
                "Instructions grew past the baseline. If the change must cost more, measure again with\n"
                "scripts/instructions.sh --update-baseline and commit the new baseline with the reason.",
                file=sys.stderr,
            )
            sys.exit(1)


if __name__ == "__main__":
    main()
