#!/usr/bin/env python3
"""Start-up benchmark: time from `kartskola serve` to the first 200 on `/` with the content of
the repository (the full course), and the server's RSS at idle after a few page views.

    python3 benches/startup.py --bin target/release/kartskola --runs 10
Each run uses a fresh SQLite file (so migrations run too). Prints min/median/max.
"""
import argparse, http.client, os, socket, statistics, subprocess, tempfile, time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        c.request("GET", path)
        r = c.getresponse()
        r.read()
        return r.status
    finally:
        c.close()

def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0

def run(binary):
    port = free_port()
    db = os.path.join(tempfile.mkdtemp(prefix="kartskola-start-"), "start.db")
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", db,
                             "--content-dir", ROOT], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, RUST_LOG="warn"))
    try:
        while True:
            try:
                if get(port, "/") == 200:
                    break
            except OSError:
                time.sleep(0.002)
        ready = time.perf_counter() - start
        for path in ["/courses/gis-regional-planering", "/healthz", "/api/layers/counties"]:
            get(port, path)
        time.sleep(0.5)
        return ready, rss_kib(proc.pid)
    finally:
        proc.terminate()
        proc.wait()

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "kartskola"))
    p.add_argument("--runs", type=int, default=10)
    a = p.parse_args()
    results = [run(a.bin) for _ in range(a.runs)]
    ms = sorted(r[0] * 1000 for r in results)
    rss = sorted(r[1] / 1024 for r in results)
    print(f"serve -> first 200 on /: min {ms[0]:.0f} ms, median {statistics.median(ms):.0f} ms, max {ms[-1]:.0f} ms ({a.runs} runs)")
    print(f"RSS at idle: min {rss[0]:.1f} MiB, median {statistics.median(rss):.1f} MiB, max {rss[-1]:.1f} MiB")

if __name__ == "__main__":
    main()
