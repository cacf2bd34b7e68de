#!/usr/bin/env python3
"""Two `kartskola serve` processes on one PostgreSQL database, behind a balancer.

The balancer is the client: it alternates between process A and process B (both configured
with the same public URL, as behind a real load balancer). Required:
  - log in on A, submit on B, read the attempt and the progress on A;
  - an Idempotency-Key replayed on the other process returns the stored response; the same key
    with another body is 422 on either; the same key sent to both at once makes one attempt;
  - the attempts limit holds across processes (a limit of 2: 20 concurrent submissions split
    over A and B give exactly two 201s and 409s for the rest);
  - 40 clients alternating between A and B for a few seconds: every 201 is readable on both;
  - logging out on B ends the session on A.

Usage (from the repository root, after `cargo build`; the database should be empty):
    python3 tests/fault/two_processes.py --database-url postgres://postgres@127.0.0.1:5432/kartskola_fault
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from client import free_port, login, request, wait_healthy  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CONTENT = os.path.join(ROOT, "tests", "fixtures", "content", "valid")
OPEN = "prov-point-open"        # unlimited attempts
LIMITED = "prov-place-lulea"    # attempts = 2
PASSWORD = "fjällbjörk i motvind"


def point(i):
    return json.dumps({"geometry": {"type": "Point", "coordinates": [round(20.0 + i * 1e-5, 6), 63.82]}})


def submit(port, exercise, body, cookie, key=None):
    headers = {"Content-Type": "application/json", "Cookie": cookie}
    if key:
        headers["Idempotency-Key"] = key
    status, _, data = request(port, "POST", f"/api/exercises/{exercise}/attempts", body, headers)
    return status, data


class Checks:
    def __init__(self):
        self.failed = 0

    def check(self, ok, what):
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        self.failed += 0 if ok else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default=os.path.join(ROOT, "target", "debug", "kartskola"))
    parser.add_argument("--database-url", required=True, help="postgres://… (an empty database)")
    args = parser.parse_args()
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("two processes need PostgreSQL: pass --database-url postgres://…")

    workdir = tempfile.mkdtemp(prefix="kartskola-two-")
    env = dict(os.environ, RUST_LOG="warn")
    subprocess.run([args.bin, "migrate", "--database-url", args.database_url], check=True, env=env,
                   capture_output=True)
    emails = [f"two{i}@fault.example" for i in range(8)]
    for email in emails:
        result = subprocess.run([args.bin, "user", "add", "--email", email, "--name", "Two Processes",
                                 "--region", "norrbotten", "--password-stdin", "--database-url", args.database_url],
                                input=PASSWORD + "\n", capture_output=True, text=True, env=env)
        if result.returncode != 0 and "already exists" not in result.stderr:
            raise SystemExit(f"user add: {result.stderr}")
    ports = [free_port(), free_port()]
    public_url = "http://127.0.0.1:8080"  # the balancer's address: the same for both processes
    procs = []
    c = Checks()
    try:
        for port in ports:
            procs.append(subprocess.Popen(
                [args.bin, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", args.database_url,
                 "--content-dir", CONTENT, "--public-url", public_url],
                stdout=open(os.path.join(workdir, f"server-{port}.log"), "ab"), stderr=subprocess.STDOUT, env=env))
        for port, proc in zip(ports, procs):
            wait_healthy(port, proc, log=os.path.join(workdir, f"server-{port}.log"))
        a, b = ports

        # Log in on A, submit on B, read on A.
        cookie = login(a, emails[0], PASSWORD)
        status, data = submit(b, OPEN, point(1), cookie, key="k-one")
        c.check(status == 201, f"login on A, submit on B: {status}")
        first = json.loads(data)
        status, _, read = request(a, "GET", f"/api/attempts/{first['attempt_id']}", headers={"Cookie": cookie})
        c.check(status == 200 and json.loads(read)["answer"] == json.loads(point(1)),
                f"the attempt stored through B is read on A: {status}")
        # Progress counts lesson exercises: one attempt at the lesson's exercise, through B.
        status, _ = submit(b, LIMITED, point(5), cookie)
        status_p, _, progress = request(a, "GET", "/api/me/progress", headers={"Cookie": cookie})
        attempts = [e["attempts"] for course in json.loads(progress)["courses"] for m in course["modules"]
                    for lesson in m["lessons"] for e in lesson["exercises"] if e["id"] == LIMITED] \
            if status_p == 200 else []
        c.check(status == 201 and attempts == [1],
                f"an attempt submitted on B ({status}) is in the progress on A ({status_p}, attempts {attempts})")

        # Idempotency-Key across processes.
        status, data = submit(a, OPEN, point(1), cookie, key="k-one")
        c.check(status == 201 and json.loads(data)["attempt_id"] == first["attempt_id"],
                f"replay of B's key on A returns the stored response: {status}")
        status, data = submit(a, OPEN, point(2), cookie, key="k-one")
        c.check(status == 422 and json.loads(data)["error"]["code"] == "idempotency_key_reused",
                f"the same key with another body on A: {status}")
        race = []
        lock = threading.Lock()

        def racer(port):
            s, d = submit(port, OPEN, point(3), cookie, key="k-race")
            with lock:
                race.append((s, json.loads(d).get("attempt_id")))

        threads = [threading.Thread(target=racer, args=(ports[i % 2],)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ids = {i for s, i in race if s == 201}
        statuses = sorted({s for s, _ in race})
        c.check(len(ids) == 1 and statuses == [201],
                f"one key sent 20 times at once to A and B: statuses {statuses}, {len(ids)} attempt id(s)")

        # The attempts limit across processes.
        limited_cookie = login(b, emails[1], PASSWORD)
        outcome = []

        def limited(i):
            s, _ = submit(ports[i % 2], LIMITED, point(100 + i), limited_cookie)
            with lock:
                outcome.append(s)

        threads = [threading.Thread(target=limited, args=(i,)) for i in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        c.check(outcome.count(201) == 2 and outcome.count(409) == 18,
                f"limit 2, 20 concurrent submissions over A and B: {outcome.count(201)} × 201, "
                f"{outcome.count(409)} × 409, others {[s for s in outcome if s not in (201, 409)]}")

        # Load alternating between the two processes. Under this load on a small machine a
        # process may shed a submission with 503 `unavailable` + Retry-After (grading saturated,
        # by design); the worker then does what a client behind a balancer does: waits as told and
        # sends the same key again, to the other process. Every submission must end in one 201.
        cookies = [login(ports[i % 2], e, PASSWORD) for i, e in enumerate(emails[2:])]
        acked, other, shed = [], [], []
        stop = threading.Event()

        def worker(n):
            i = 0
            while not stop.is_set():
                i += 1
                cookie_n = cookies[n % len(cookies)]
                body = point(10_000 + n * 1000 + i)
                for retry in range(6):
                    port = ports[(n + i + retry) % 2]
                    s, d = submit(port, OPEN, body, cookie_n, key=f"load-{n}-{i}")
                    if s == 503 and retry < 5:
                        with lock:
                            shed.append(port)
                        time.sleep(1)
                        continue
                    break
                with lock:
                    if s == 201:
                        acked.append((cookie_n, body, json.loads(d)["attempt_id"]))
                    else:
                        other.append((s, d[:200]))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(40)]
        for t in threads:
            t.start()
        time.sleep(3)
        stop.set()
        for t in threads:
            t.join()
        missing = 0
        for i, (cookie_n, body, attempt_id) in enumerate(acked):
            port = ports[i % 2]
            s, _, d = request(port, "GET", f"/api/attempts/{attempt_id}", headers={"Cookie": cookie_n})
            if s != 200 or json.loads(d)["answer"] != json.loads(body):
                missing += 1
        ids = [attempt_id for _, _, attempt_id in acked]
        c.check(not other and missing == 0 and acked and len(set(ids)) == len(ids),
                f"40 clients alternating A/B for 3 s: {len(acked)} × 201 ({len(shed)} shed with 503 and "
                f"sent again), other answers {other}, {missing} not readable on the other process")

        # Logging out on B ends the session on A.
        _, _, account = request(a, "GET", "/account", headers={"Cookie": cookie})
        match = re.search(r'name="csrf" value="([^"]+)"', account.decode())
        status, _, _ = request(b, "POST", "/logout", urllib.parse.urlencode({"csrf": match.group(1) if match else ""}),
                               {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie,
                                "Origin": public_url})
        after, _, _ = request(a, "GET", "/api/me/progress", headers={"Cookie": cookie})
        c.check(status == 303 and after == 401, f"logout on B ({status}) ends the session on A ({after})")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
    if c.failed:
        # CI keeps only what is printed: the servers' warnings and errors say why.
        for port in ports:
            with open(os.path.join(workdir, f"server-{port}.log"), errors="replace") as log:
                lines = [line.rstrip() for line in log if "WARN" in line or "ERROR" in line]
            print(f"server on {port}: {len(lines)} warning/error lines" + "".join(f"\n  {x[:300]}" for x in lines[-15:]))
    print("passed" if not c.failed else f"{c.failed} check(s) failed (logs in {workdir})")
    sys.exit(1 if c.failed else 0)


if __name__ == "__main__":
    main()
