#!/usr/bin/env python3
"""HTTP load benchmark (issue #9): wrk against a release build with the demo data.

For the 24 demo learners, logged in (their session cookies rotate across requests):
  lesson   GET the first lesson page of the shipped course
  asset    GET the stylesheet (embedded in the binary): the same middleware, no page to build
  api      GET /api/exercises/m1-place-lulea (the exercise API: summary and last answer from the database)
  polygon  POST a 1 000-vertex polygon to m1-draw-jamtland (grade + store)
  point    POST a point to m1-place-lulea (grade + store: the small-write ceiling)
and, in the same run, nginx serving the lesson page's bytes as a static file (the ratio goal:
lesson page >= 50 % of nginx, by request rate and per CPU second). Reports requests/s, median and
p99 latency, the server's RSS and CPU time per request, and wrk's own CPU time.
The content is the shipped content with the two exercises above made unlimited (bench content,
assembled in the work folder by common.bench_content).

Usage (from the repository root):
    CARGO_TARGET_DIR=/work/target-release cargo build --release
    python3 benches/load/run.py --bin /work/target-release/release/kartskola
    python3 benches/load/run.py --bin … --database-url postgres://postgres@127.0.0.1:5432/kartskola_perf_load
The PostgreSQL database named is dropped and created afresh. wrk and nginx must be installed
(Debian: apt-get install -y wrk nginx-light). wrk, nginx and the server share this machine's cores.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402


def nginx_static(workdir, page_bytes, port):
    """Starts nginx serving `page_bytes` at /lesson.html; returns the process."""
    root = os.path.join(workdir, "www")
    os.makedirs(root, exist_ok=True)
    os.chmod(root, 0o755)
    with open(os.path.join(root, "lesson.html"), "wb") as f:
        f.write(page_bytes)
    os.chmod(os.path.join(root, "lesson.html"), 0o644)
    conf = os.path.join(workdir, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""
worker_processes auto;
daemon off;
pid {workdir}/nginx.pid;
error_log {workdir}/nginx-error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 100000;
  # The file's descriptor and size kept open: no open/fstat/close per request.
  open_file_cache max=16 inactive=60s;
  open_file_cache_valid 60s;
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {root};
  }}
}}
""")
    proc = subprocess.Popen(["nginx", "-c", conf, "-p", workdir], stdout=subprocess.DEVNULL,
                            stderr=open(os.path.join(workdir, "nginx-stderr.log"), "ab"))
    deadline = time.time() + 10
    while time.time() < deadline:
        try:
            if common.request(port, "GET", "/lesson.html")[0] == 200:
                return proc
        except OSError:
            time.sleep(0.05)
    proc.terminate()
    raise SystemExit("nginx did not start (see nginx-error.log in the work folder)")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", default="/work/target-release/release/kartskola")
    parser.add_argument("--database-url", help="postgres://…/kartskola_perf_… (default: a fresh SQLite file)")
    parser.add_argument("--duration", default="10s", help="per scenario (wrk -d)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", help="comma-separated scenarios: lesson,asset,api,polygon,point,nginx")
    parser.add_argument("--json", help="also write the results here")
    args = parser.parse_args()
    only = set(args.only.split(",")) if args.only else {"lesson", "asset", "api", "polygon", "point", "nginx"}

    workdir = common.make_workdir("kartskola-load-")
    content = common.bench_content(workdir)
    if args.database_url:
        name = args.database_url.rsplit("/", 1)[1]
        database_url = common.fresh_postgres(args.database_url, name)
        backend = "PostgreSQL"
    else:
        database_url = os.path.join(workdir, "load.db")
        backend = "SQLite"
    started = time.time()
    common.seeded(args.bin, database_url, content)
    print(f"seeded demo data in {time.time() - started:.1f} s ({backend})", flush=True)
    server = common.Server(args.bin, database_url, content, workdir).start()
    nginx = None
    results = []
    try:
        cookies = [common.login(server.port, email) for email in common.demo_learners()]
        lesson = common.first_lesson_path(server.port, cookies[0])
        status, _, page = common.request(server.port, "GET", lesson, headers={"Cookie": cookies[0]})
        assert status == 200, status
        base = f"http://127.0.0.1:{server.port}"
        # The stack's own floor: an embedded asset goes through the same middleware as a page.
        asset = re.search(r'href="(/assets/[^"]+\.css)"', page.decode()).group(1)
        scenarios = [
            ("lesson", dict(url=base + lesson)),
            ("asset", dict(url=base + asset)),
            ("api", dict(url=f"{base}/api/exercises/{common.POINT_EXERCISE}")),
            ("polygon", dict(url=f"{base}/api/exercises/{common.POLYGON_EXERCISE}/attempts", method="POST",
                             body=common.polygon_answer(1000))),
            ("point", dict(url=f"{base}/api/exercises/{common.POINT_EXERCISE}/attempts", method="POST",
                           body=common.point_answer())),
        ]
        print(f"machine: {common.machine_note()}; wrk -t{args.threads} -c{args.connections} -d{args.duration}",
              flush=True)
        for name, spec in scenarios:
            if name not in only:
                continue
            summary = common.wrk(spec.pop("url"), workdir, name, cookies=cookies, connections=args.connections,
                                 threads=args.threads, duration=args.duration, server_pid=server.proc.pid,
                                 **spec)
            summary["rss_mib"], summary["peak_rss_mib"] = server.rss_mib()
            summary["backend"] = backend
            results.append(summary)
            print(json.dumps(summary), flush=True)
        if "nginx" in only:
            port = common.free_port()
            nginx = nginx_static(workdir, page, port)
            summary = common.wrk(f"http://127.0.0.1:{port}/lesson.html", workdir, "nginx",
                                 connections=args.connections, threads=args.threads, duration=args.duration,
                                 server_pid=nginx.pid)
            summary["backend"] = "nginx static file"
            results.append(summary)
            print(json.dumps(summary), flush=True)
    finally:
        if nginx:
            nginx.terminate()
            nginx.wait()
        server.stop()

    print()
    print(f"| {backend} | req/s | median | p99 | max | non-2xx | server RSS (peak) | server CPU per request | wrk CPU |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in results:
        bad = r["non2xx"] + r["errors"]["timeout"] + r["errors"]["connect"] + r["errors"]["read"]
        rss = f"{r['rss_mib']:.1f} MiB ({r['peak_rss_mib']:.1f})" if "rss_mib" in r else "–"
        cpu = f"{r['server_cpu_us']:.1f} µs" if "server_cpu_us" in r else "–"
        print(f"| {r['name']} | {r['rps']:.0f} | {r['p50_ms']:.2f} ms | {r['p99_ms']:.2f} ms | {r['max_ms']:.1f} ms "
              f"| {bad} | {rss} | {cpu} | {r['wrk_cpu_s']:.1f} s |")
    by_name = {r["name"]: r for r in results}
    if "lesson" in by_name and "nginx" in by_name:
        lesson, nginx_run = by_name["lesson"], by_name["nginx"]
        ratio = lesson["rps"] / nginx_run["rps"]
        print(f"\nlesson page / nginx static: {ratio:.1%} (goal >= 50 %)")
        if "server_cpu_us" in lesson and "server_cpu_us" in nginx_run:
            # The same ratio where the load generator is not the limit: requests per CPU second.
            per_cpu = nginx_run["server_cpu_us"] / lesson["server_cpu_us"]
            print(f"lesson page / nginx static, per CPU second: {per_cpu:.1%} "
                  f"({lesson['server_cpu_us']:.1f} µs against {nginx_run['server_cpu_us']:.1f} µs a request)")
    print(f"page bytes: {len(page)}; machine after the run: {common.machine_note()}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)
    print(f"(work folder: {workdir})")


if __name__ == "__main__":
    main()
