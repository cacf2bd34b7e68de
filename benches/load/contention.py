#!/usr/bin/env python3
"""Grading under contention (issue #9): 200 concurrent clients submit 5 000-vertex polygons
while /healthz is probed.

Questions answered: is any submission slower than 1 s, and does /healthz stay under 50 ms at
p99 while the grader is saturated? Grading runs in spawn_blocking behind a semaphore of one
permit per core (src/web/exercises.rs), so the async runtime keeps answering health checks.

Two wrk processes run at once: 200 connections POSTing to m1-draw-jamtland (unlimited in the
bench content), and one connection on /healthz. Every client is a logged-in demo learner.

Usage (from the repository root, after a release build):
    python3 benches/load/contention.py --bin /work/target-release/release/kartskola
    python3 benches/load/contention.py --bin … --database-url postgres://postgres@127.0.0.1:5432/kartskola_perf_contention
"""

import argparse
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="/work/target-release/release/kartskola")
    parser.add_argument("--database-url", help="postgres://…/kartskola_perf_… (default: a fresh SQLite file)")
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--vertices", type=int, default=5000)
    parser.add_argument("--duration", default="20s")
    args = parser.parse_args()

    workdir = common.make_workdir("kartskola-contention-")
    content = common.bench_content(workdir)
    if args.database_url:
        database_url = common.fresh_postgres(args.database_url, args.database_url.rsplit("/", 1)[1])
        backend = "PostgreSQL"
    else:
        database_url = os.path.join(workdir, "contention.db")
        backend = "SQLite"
    common.seeded(args.bin, database_url, content)
    server = common.Server(args.bin, database_url, content, workdir).start()
    try:
        cookies = [common.login(server.port, email) for email in common.demo_learners()]
        body = common.polygon_answer(args.vertices)
        status, _, answer = common.request(
            server.port, "POST", f"/api/exercises/{common.POLYGON_EXERCISE}/attempts", body,
            {"Content-Type": "application/json", "Cookie": cookies[0]})
        if status != 201:
            raise SystemExit(f"a {args.vertices}-vertex polygon was not accepted: {status} {answer[:300]!r}")
        print(f"{backend}; {args.clients} clients x {args.vertices}-vertex polygons ({len(body)} bytes) for "
              f"{args.duration}; machine: {common.machine_note()}", flush=True)
        base = f"http://127.0.0.1:{server.port}"
        results = {}

        def submit():
            results["submit"] = common.wrk(f"{base}/api/exercises/{common.POLYGON_EXERCISE}/attempts", workdir,
                                           "contention-submit", method="POST", cookies=cookies, body=body,
                                           connections=args.clients, threads=2, duration=args.duration,
                                           timeout="30s")

        submitter = threading.Thread(target=submit)
        submitter.start()
        time.sleep(1.0)  # let the 200 connections fill the grading queue first
        seconds = max(1, int(args.duration.rstrip("s")) - 3)
        results["healthz"] = common.wrk(f"{base}/healthz", workdir, "contention-healthz", connections=1,
                                        threads=1, duration=f"{seconds}s")
        rss = server.rss_mib()
        submitter.join()
    finally:
        server.stop()

    print()
    print(f"| {backend} | requests | req/s | median | p99 | max | errors/non-2xx |")
    print("|---|---|---|---|---|---|---|")
    for name in ("submit", "healthz"):
        r = results[name]
        bad = r["non2xx"] + r["errors"]["timeout"] + r["errors"]["connect"] + r["errors"]["read"]
        print(f"| {name} | {r['requests']} | {r['rps']:.1f} | {r['p50_ms']:.1f} ms | {r['p99_ms']:.1f} ms "
              f"| {r['max_ms']:.1f} ms | {bad} |")
    submit, health = results["submit"], results["healthz"]
    print(f"\nany submission over 1 s: {'yes' if submit['max_ms'] > 1000 else 'no'} "
          f"(p90 {submit['p90_ms']:.0f} ms, p99 {submit['p99_ms']:.0f} ms, max {submit['max_ms']:.0f} ms)")
    print(f"/healthz p99 < 50 ms: {'yes' if health['p99_ms'] < 50 else 'no'} ({health['p99_ms']:.1f} ms)")
    print(f"server RSS {rss[0]:.1f} MiB (peak {rss[1]:.1f}); machine after: {common.machine_note()}")
    print(json.dumps(results))


if __name__ == "__main__":
    main()
