#!/usr/bin/env python3
"""Fault test: the database goes away under load, and comes back.

A PRIVATE PostgreSQL instance (initdb in a scratch folder, its own port and socket folder; run
as the `postgres` user when started as root) serves one `kartskola serve`. While 20 clients
submit attempts (each with its own Idempotency-Key, retried with the same key after a 503, as
a careful client would) and /healthz is probed every 100 ms, PostgreSQL is stopped (round 1:
`pg_ctl stop -m fast`, which ends every connection; round 2: `-m immediate`, a crash), kept
down for a few seconds, and started again. Required:
  - while it is down: every answer is 201 (committed before it went) or 503 with the spec's JSON
    error (`{"error": {"code": "unavailable", …}}`) and a Retry-After header; nothing else;
    /healthz answers 503;
  - after it is back, without restarting the server: /healthz 200 and 201s again within 15 s;
  - at the end: every acknowledged attempt is stored and identical, no key made two attempts.

Usage (from the repository root, after `cargo build`; needs PostgreSQL's server binaries, e.g.
/usr/lib/postgresql/15/bin):
    python3 tests/fault/db_gone.py --bin target/debug/kartskola
Never touches the machine's shared PostgreSQL service.
"""

import argparse
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import login, request, wait_healthy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTENT = os.path.join(ROOT, "tests", "fixtures", "content", "valid")
EXERCISE = "prov-point-open"
PASSWORD = "fjällbjörk i motvind"


def free_port(preferred):
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return s.getsockname()[1]
            except OSError:
                continue
    raise SystemExit("no free port")


def pg_bin(explicit):
    if explicit:
        return explicit
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not found:
        raise SystemExit("PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin); pass --pg-bin")
    return os.path.dirname(found[-1])


class PrivatePostgres:
    """initdb + pg_ctl in a scratch folder; as root, every command runs as `postgres`."""

    def __init__(self, bindir, port):
        self.bindir, self.port = bindir, port
        self.dir = tempfile.mkdtemp(prefix="kartskola-dbgone-")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "postgres.log")
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            pw = pwd.getpwnam("postgres")
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def run(self, tool, *args, check=True):
        command = [os.path.join(self.bindir, tool), *args]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True)
        if check and result.returncode != 0:
            raise SystemExit(f"{tool} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def init(self):
        self.run("initdb", "-D", self.data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")

    def start(self):
        self.run("pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "30", "-o",
                 f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1", "start")

    def stop(self, mode):
        self.run("pg_ctl", "-D", self.data, "-m", mode, "-w", "-t", "30", "stop")

    def url(self, database):
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def createdb(self, name):
        subprocess.run(["psql", self.url("postgres"), "-qc", f'create database "{name}"'], check=True,
                       capture_output=True)

    def destroy(self):
        self.run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


class Observed:
    def __init__(self):
        self.lock = threading.Lock()
        self.acked = []          # (cookie, key, body, attempt_id)
        self.events = []         # (time, status) of every submission answer
        self.bad = []            # anything that is neither 201 nor a proper 503
        self.health = []         # (time, status, seconds)
        self.events_timed = []   # (answer time, status, seconds) of every submission answer


def client(port, cookie, client_no, stop, seen):
    n = 0
    while not stop.is_set():
        n += 1
        key = f"gone-c{client_no}-n{n}"
        body = json.dumps({"geometry": {"type": "Point",
                                        "coordinates": [round(20.0 + client_no * 0.001 + n * 1e-6, 7), 63.8]}})
        # The same key is retried after every 503 until the attempt is stored (or we stop).
        while not stop.is_set():
            sent = time.time()
            try:
                status, headers, data = request(port, "POST", f"/api/exercises/{EXERCISE}/attempts", body,
                                                {"Content-Type": "application/json", "Cookie": cookie,
                                                 "Idempotency-Key": key}, timeout=30)
            except OSError as e:
                with seen.lock:
                    seen.bad.append(("connection", key, str(e)))
                time.sleep(0.2)
                continue
            now = time.time()
            with seen.lock:
                seen.events.append((now, status))
                seen.events_timed.append((now, status, now - sent))
            if status == 201:
                with seen.lock:
                    seen.acked.append((cookie, key, body, json.loads(data)["attempt_id"]))
                break
            proper = False
            if status == 503:
                try:
                    error = json.loads(data)["error"]
                    proper = error["code"] == "unavailable" and bool(error.get("message"))
                except (ValueError, KeyError, TypeError):
                    proper = False
                proper = proper and any(k.lower() == "retry-after" for k, _ in headers)
            if not proper:
                with seen.lock:
                    seen.bad.append((status, key, data[:300]))
            time.sleep(0.2)


def prober(port, stop, seen):
    while not stop.is_set():
        started = time.time()
        try:
            status, _, _ = request(port, "GET", "/healthz", timeout=10)
        except OSError:
            status = "connection"
        with seen.lock:
            seen.health.append((started, status, time.time() - started))
        time.sleep(0.1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "kartskola"))
    parser.add_argument("--pg-bin", help="folder of initdb and pg_ctl (default: newest /usr/lib/postgresql/*/bin)")
    parser.add_argument("--port", type=int, default=5499)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--down", type=float, default=6.0, help="seconds the database stays down")
    args = parser.parse_args()

    pg = PrivatePostgres(pg_bin(args.pg_bin), free_port(args.port))
    workdir = tempfile.mkdtemp(prefix="kartskola-dbgone-server-")
    log_path = os.path.join(workdir, "server.log")
    server = None
    failures = []
    try:
        pg.init()
        pg.start()
        pg.createdb("kartskola")
        database_url = pg.url("kartskola")
        people = []
        for i in range(10):
            email = f"gone{i}@fault.example"
            result = subprocess.run([args.bin, "user", "add", "--email", email, "--name", f"Gone {i}",
                                     "--region", "norrbotten", "--password-stdin", "--database-url", database_url],
                                    input=PASSWORD + "\n", capture_output=True, text=True,
                                    env=dict(os.environ, RUST_LOG="warn"))
            if result.returncode != 0:
                raise SystemExit(f"user add: {result.stderr}")
            people.append(email)
        port = free_port(0)
        env = dict(os.environ, RUST_LOG="warn")
        server = subprocess.Popen([args.bin, "serve", "--bind", f"127.0.0.1:{port}", "--database-url",
                                   database_url, "--content-dir", CONTENT],
                                  stdout=open(log_path, "ab"), stderr=subprocess.STDOUT, env=env)
        wait_healthy(port, server, log=log_path)
        cookies = [login(port, email, PASSWORD) for email in people]

        seen = Observed()
        stop = threading.Event()
        threads = [threading.Thread(target=client, args=(port, cookies[i % len(cookies)], i, stop, seen), daemon=True)
                   for i in range(args.clients)]
        threads.append(threading.Thread(target=prober, args=(port, stop, seen), daemon=True))
        for t in threads:
            t.start()
        for mode in ("fast", "immediate"):
            time.sleep(2.0)
            with seen.lock:
                before = len(seen.acked)
            pg.stop(mode)
            down_at = time.time()  # pg_ctl -w returns once the server is gone
            time.sleep(args.down)
            pg.start()
            up_at = time.time()  # and once it accepts connections again (after crash recovery)
            # Recovery: /healthz 200 and a new 201, without restarting the server.
            deadline = up_at + 15
            health_back = ack_back = None
            while time.time() < deadline and (health_back is None or ack_back is None):
                with seen.lock:
                    health_back = next((t for t, s, _ in seen.health if t > up_at and s == 200), None)
                    ack_back = next((t for t, s in seen.events if t > up_at and s == 201), None)
                time.sleep(0.1)
            with seen.lock:
                down_health = [s for t, s, _ in seen.health if down_at < t < up_at - 2.5]
                down_503 = sum(1 for t, s in seen.events if down_at < t < up_at + 0.5 and s == 503)
                slow_503 = max((d for t, s, d in seen.events_timed if down_at < t < up_at + 6 and s == 503),
                               default=0)
                during = len(seen.acked) - before
                slowest = max((d for t, s, d in seen.health if down_at < t < up_at), default=0)
            line = (f"stop -m {mode}: {args.down:.0f} s down; {down_503} × 503 to submissions while down "
                    f"(slowest 503 {slow_503:.2f} s); "
                    f"/healthz while down: {sorted(set(map(str, down_health)))} (slowest answer {slowest:.2f} s); ")
            ok = bool(down_health) and all(s == 503 for s in down_health) and down_503 > 0
            if health_back is None or ack_back is None:
                ok = False
                line += "did NOT recover within 15 s"
            else:
                line += (f"back: /healthz 200 after {health_back - up_at:.2f} s, first 201 after "
                         f"{ack_back - up_at:.2f} s ({during} acknowledged in this round so far)")
            print(("ok   " if ok else "FAIL ") + line, flush=True)
            if not ok:
                failures.append(line)
        time.sleep(2.0)
        stop.set()
        for t in threads:
            t.join(timeout=40)
        if server.poll() is not None:
            failures.append(f"the server exited ({server.returncode})")
        # Every acknowledged attempt is there and identical; no key made two attempts.
        lost, changed = [], []
        for cookie, key, body, attempt_id in seen.acked:
            status, _, data = request(port, "GET", f"/api/attempts/{attempt_id}", headers={"Cookie": cookie})
            if status != 200:
                lost.append((key, attempt_id, status))
            elif json.loads(data)["answer"] != json.loads(body):
                changed.append((key, attempt_id))
        counts = subprocess.run(["psql", database_url, "-tAc",
                                 "select (select count(*) from attempt), (select count(*) from idempotency_key), "
                                 "(select count(*) from (select answer from attempt group by person_id, answer "
                                 "having count(*) > 1) d)"], capture_output=True, text=True, check=True)
        attempts, keys, dupes = (int(x) for x in counts.stdout.strip().split("|"))
        statuses = {}
        for _, s in seen.events:
            statuses[s] = statuses.get(s, 0) + 1
        print(f"answers: {dict(sorted(statuses.items()))}; {len(seen.acked)} acknowledged, {len(lost)} lost, "
              f"{len(changed)} changed; stored attempts={attempts}, keys={keys}, duplicate answers={dupes}")
        if seen.bad:
            failures.append(f"{len(seen.bad)} answers were neither 201 nor a proper 503, e.g. {seen.bad[:3]}")
        if lost or changed or dupes or attempts != keys or attempts < len(seen.acked):
            failures.append("acknowledged attempts lost, changed or duplicated")
    finally:
        if server and server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        pg.destroy()
    for f in failures:
        print("FAIL " + f)
    print("passed" if not failures else f"{len(failures)} failure(s); server log: {log_path}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
