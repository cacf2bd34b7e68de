#!/usr/bin/env python3
"""Live-session load benchmark (out of CI): 200 guests answer within 10 seconds while the
trainer's event stream is open; prints the time from submitting an answer to its `answer`
event reaching the trainer's stream (median, p99, max), and fails if any answer is missing.

    cargo build --release
    python3 benches/live_load.py --bin target/release/kartskola                     # SQLite, one process
    python3 benches/live_load.py --bin target/release/kartskola --processes 2 \\
        --database-url postgres://postgres@127.0.0.1:5432/kartskola_bench         # two processes

With two processes the participants answer on the first and the trainer listens on the second,
so every answer crosses processes through PostgreSQL LISTEN/NOTIFY: this is also the
two-process check of docs/live.md. A postgres URL names a database that is dropped and created.
Standard library only.
"""
import argparse, http.client, json, os, random, statistics, subprocess, sys
import tempfile, threading, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "fault"))
from client import free_port, login, request, wait_healthy  # noqa: E402

CONTENT = os.path.join(ROOT, "tests/fixtures/content/valid")
PASSWORD = "fjällbjörk i motvind 42"
NEAR_LULEA = {"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}


def reset_postgres(url):
    base, name = url.rsplit("/", 1)
    for sql in (f"drop database if exists {name} with (force)", f"create database {name}"):
        subprocess.run(["psql", f"{base}/postgres", "-qc", sql], check=True)


class Stream(threading.Thread):
    """Reads the trainer's event stream; records when each answer event arrived."""

    def __init__(self, port, path, cookie):
        super().__init__(daemon=True)
        self.port, self.path, self.cookie = port, path, cookie
        self.arrived = {}
        self.ready = threading.Event()

    def run(self):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        c.request("GET", self.path, headers={"cookie": self.cookie, "accept": "text/event-stream"})
        r = c.getresponse()
        assert r.status == 200, r.status
        self.ready.set()
        kind, data = None, None
        while True:
            line = r.fp.readline()
            if not line:
                return
            line = line.decode().rstrip("\n")
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data = line[5:].strip()
            elif line == "" and kind:
                if kind == "answer":
                    self.arrived[json.loads(data)["answer_id"]] = time.perf_counter()
                kind, data = None, None


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(ROOT, "target/release/kartskola"))
    p.add_argument("--database-url", default=None)
    p.add_argument("--processes", type=int, default=1, choices=(1, 2))
    p.add_argument("--participants", type=int, default=200)
    p.add_argument("--window", type=float, default=10.0, help="seconds over which answers arrive")
    args = p.parse_args()

    url = args.database_url or os.path.join(tempfile.mkdtemp(prefix="kartskola-live-"), "live.db")
    if url.startswith("postgres"):
        reset_postgres(url)
    elif args.processes > 1:
        sys.exit("two processes need PostgreSQL (--database-url postgres://…)")
    env = dict(os.environ, RUST_LOG="warn", DATABASE_URL=url, KARTSKOLA_CONTENT=CONTENT)
    subprocess.run([args.bin, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([args.bin, "user", "add", "--email", "trainer@bench.se", "--name", "Bench",
                    "--region", "norrbotten", "--capability", "trainer", "--password-stdin"],
                   input=PASSWORD + "\n", text=True, env=env, check=True, stdout=subprocess.DEVNULL)
    ports = [free_port() for _ in range(args.processes)]
    procs = [subprocess.Popen([args.bin, "serve", "--bind", f"127.0.0.1:{port}",
                               "--login-addr-limit", "100000", "--drain", "1s"],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for port in ports]
    try:
        for port, proc in zip(ports, procs):
            wait_healthy(port, proc)
        participants_port, trainer_port = ports[0], ports[-1]
        trainer = login(trainer_port, "trainer@bench.se", PASSWORD)
        status, _, body = request(trainer_port, "POST", "/api/live",
                                  json.dumps({"exercise_id": "prov-place-lulea", "allow_guests": True}),
                                  {"content-type": "application/json", "cookie": trainer})
        assert status == 201, (status, body)
        code = json.loads(body)["code"]
        stream = Stream(trainer_port, f"/api/live/{code}/events", trainer)
        stream.start()
        stream.ready.wait(10)

        tokens = []
        for i in range(args.participants):
            status, _, body = request(participants_port, "POST", f"/api/live/{code}/guests",
                                      json.dumps({"name": f"Gäst {i}"}), {"content-type": "application/json"})
            assert status == 201, (status, body)
            tokens.append(json.loads(body)["token"])

        sent, acked, failures = {}, {}, []
        lock = threading.Lock()
        start = time.perf_counter() + 0.5

        def answer(token):
            time.sleep(max(0.0, start + random.uniform(0, args.window) - time.perf_counter()))
            t0 = time.perf_counter()
            status, _, body = request(participants_port, "POST", f"/api/live/{code}/answers",
                                      json.dumps(NEAR_LULEA),
                                      {"content-type": "application/json", "x-live-guest": token})
            t1 = time.perf_counter()
            with lock:
                if status == 201:
                    answer_id = json.loads(body)["answer_id"]
                    sent[answer_id], acked[answer_id] = t0, t1
                else:
                    failures.append((status, body[:200]))

        threads = [threading.Thread(target=answer, args=(t,)) for t in tokens]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        deadline = time.perf_counter() + 15
        while len(stream.arrived.keys() & sent.keys()) < len(sent) and time.perf_counter() < deadline:
            time.sleep(0.05)

        missing = sorted(sent.keys() - stream.arrived.keys())
        from_send = sorted((stream.arrived[i] - sent[i]) * 1000 for i in sent if i in stream.arrived)
        from_ack = sorted(max(0.0, stream.arrived[i] - acked[i]) * 1000 for i in sent if i in stream.arrived)
        backend = "postgres" if url.startswith("postgres") else "sqlite"

        def pct(values, q):
            return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")

        print(f"backend={backend} processes={args.processes} participants={args.participants} "
              f"window={args.window}s answered={len(sent)} failed={len(failures)} missing={len(missing)}")
        for label, values in (("submit->trainer", from_send), ("ack->trainer", from_ack)):
            print(f"  {label}: median {statistics.median(values) if values else float('nan'):.1f} ms, "
                  f"p99 {pct(values, 0.99):.1f} ms, max {max(values, default=float('nan')):.1f} ms")
        if failures:
            print("  first failures:", failures[:3])
        return 1 if failures or missing else 0
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.exit(main())
