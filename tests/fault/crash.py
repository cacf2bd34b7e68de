#!/usr/bin/env python3
"""Fault test: no acknowledged attempt is ever lost.

Each round starts `kartskola serve`, lets 200 concurrent clients submit attempts (each with a
unique point and its own Idempotency-Key), then either kills the server with SIGKILL at a random
moment (`--mode kill`) or stops it with SIGTERM (`--mode term`). It restarts the server and checks,
through the API, that every attempt that got a 201 is present and identical, that no key produced
two attempts, and (SQLite) that `PRAGMA integrity_check` says ok. With `--mode term` the server
must also exit 0 within its drain time.

Usage (from the repository root, after `cargo build`):
    python3 tests/fault/crash.py --bin target/debug/kartskola --rounds 10
    python3 tests/fault/crash.py --bin target/release/kartskola --database-url postgres://…/db
Only the standard library is used; every request goes to 127.0.0.1.
"""

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import free_port, login, request, wait_healthy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTENT = os.path.join(ROOT, "tests", "fixtures", "content", "valid")
EXERCISE = "prov-point-open"
PASSWORD = "fjällbjörk i motvind"


class Server:
    def __init__(self, binary, database_url, port, log):
        self.binary, self.database_url, self.port, self.log = binary, database_url, port, log
        self.proc = None

    def start(self):
        env = dict(os.environ, RUST_LOG="warn", KARTSKOLA_DRAIN="10s")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--database-url", self.database_url,
             "--content-dir", CONTENT],
            stdout=self.log, stderr=self.log, env=env)
        wait_healthy(self.port, self.proc)


def add_people(binary, database_url, count, prefix):
    for i in range(count):
        email = f"{prefix}{i}@fault.example"
        result = subprocess.run(
            [binary, "user", "add", "--email", email, "--name", f"Fault {i}", "--region", "norrbotten",
             "--password-stdin", "--database-url", database_url],
            input=PASSWORD + "\n", capture_output=True, text=True)
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise SystemExit(f"user add failed: {result.stderr}")
        yield email


def client(port, cookie, client_no, round_no, stop, acked, lock):
    """Submits attempts until told to stop or the server goes away."""
    n = 0
    while not stop.is_set():
        n += 1
        # A unique point per submission: the answer identifies the attempt.
        lon = 20.0 + client_no * 0.001 + n * 0.000001
        lat = 63.8 + round_no * 0.0001
        body = json.dumps({"geometry": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]}})
        key = f"r{round_no}-c{client_no}-n{n}"
        try:
            status, _, data = request(port, "POST", f"/api/exercises/{EXERCISE}/attempts", body,
                                      {"Content-Type": "application/json", "Cookie": cookie, "Idempotency-Key": key},
                                      timeout=10)
        except OSError:
            return
        if status == 201:
            with lock:
                acked.append((cookie, key, body, json.loads(data)["attempt_id"]))
        elif status == 503:
            time.sleep(0.05)
        else:
            return


def verify(port, acked):
    lost, changed = [], []
    for cookie, key, body, attempt_id in acked:
        status, _, data = request(port, "GET", f"/api/attempts/{attempt_id}", headers={"Cookie": cookie})
        if status != 200:
            lost.append((key, attempt_id, status))
            continue
        stored = json.loads(data)["answer"]
        if stored != json.loads(body):
            changed.append((key, attempt_id))
    return lost, changed


def duplicates_in_sqlite(path):
    db = sqlite3.connect(path)
    try:
        integrity = db.execute("pragma integrity_check").fetchone()[0]
        dupes = db.execute(
            "select count(*) from (select answer from attempt group by person_id, answer having count(*) > 1)"
        ).fetchone()[0]
        keys = db.execute("select count(*) from idempotency_key").fetchone()[0]
        attempts = db.execute("select count(*) from attempt").fetchone()[0]
        return integrity, dupes, keys, attempts
    finally:
        db.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "kartskola"))
    parser.add_argument("--database-url", help="postgres://… (default: a fresh SQLite file)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--mode", choices=["kill", "term"], default="kill")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    workdir = tempfile.mkdtemp(prefix="kartskola-fault-")
    sqlite_path = None if args.database_url else os.path.join(workdir, "fault.db")
    database_url = args.database_url or sqlite_path
    log = open(os.path.join(workdir, "server.log"), "ab")
    port = free_port()
    server = Server(args.bin, database_url, port, log)
    emails = list(add_people(args.bin, database_url, args.people, f"{args.mode}-"))
    failures = 0
    total_acked = 0
    for round_no in range(1, args.rounds + 1):
        server.start()
        cookies = [login(port, e, PASSWORD) for e in emails]
        stop, lock, acked = threading.Event(), threading.Lock(), []
        threads = [threading.Thread(target=client, args=(port, cookies[i % len(cookies)], i, round_no, stop, acked, lock),
                                    daemon=True) for i in range(args.clients)]
        for t in threads:
            t.start()
        moment = rng.uniform(0.3, 2.5)
        time.sleep(moment)
        exit_ok = True
        if args.mode == "kill":
            server.proc.send_signal(signal.SIGKILL)
            server.proc.wait()
        else:
            started = time.time()
            server.proc.send_signal(signal.SIGTERM)
            try:
                code = server.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.proc.kill()
                code = "timeout"
            exit_ok = code == 0
            print(f"  SIGTERM: exit {code} after {time.time() - started:.2f} s")
        stop.set()
        for t in threads:
            t.join(timeout=15)
        server.start()
        lost, changed = verify(port, acked)
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(timeout=15)
        line = f"round {round_no}: {args.mode} at {moment:.2f} s, {len(acked)} acknowledged, {len(lost)} lost, {len(changed)} changed"
        ok = not lost and not changed and exit_ok
        if sqlite_path:
            integrity, dupes, keys, attempts = duplicates_in_sqlite(sqlite_path)
            line += f", integrity_check={integrity}, duplicate answers={dupes}, attempts={attempts}, keys={keys}"
            ok = ok and integrity == "ok" and dupes == 0 and attempts == keys
        print(("ok   " if ok else "FAIL ") + line, flush=True)
        failures += 0 if ok else 1
        total_acked += len(acked)
    print(f"{args.rounds - failures} passed, {failures} failed")
    print(f"({total_acked} acknowledged attempts checked; server log: {os.path.join(workdir, 'server.log')})")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
