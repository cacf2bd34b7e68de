"""What the load benchmarks share: the bench content, a seeded database, a running server,
logged-in learners, and wrk runs with benches/load/wrk.lua. Standard library only."""

import json
import math
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "fault"))
import client  # noqa: E402
from client import free_port, request  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
WRK_LUA = os.path.join(HERE, "wrk.lua")
DEMO_PASSWORD = "kartskola-demo"
REGIONS = ["norrbotten", "vasterbotten", "jamtland-harjedalen", "vasternorrland"]
# Shipped exercises the benchmarks submit to; the shipped content limits their attempts
# (3 and 4), so the bench content is the shipped content with these two set to unlimited.
POLYGON_EXERCISE = "m1-draw-jamtland"
POINT_EXERCISE = "m1-place-lulea"
UNLIMITED = [POLYGON_EXERCISE, POINT_EXERCISE]


def machine_note():
    load = os.getloadavg()
    return f"{os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"


def bench_content(workdir):
    """The shipped content (courses, exercises, layers) with the benchmarked exercises unlimited."""
    content = os.path.join(workdir, "content")
    shutil.copytree(os.path.join(ROOT, "courses"), os.path.join(content, "courses"))
    shutil.copytree(os.path.join(ROOT, "exercises"), os.path.join(content, "exercises"))
    shutil.copytree(os.path.join(ROOT, "static", "layers"), os.path.join(content, "static", "layers"))
    for exercise in UNLIMITED:
        path = os.path.join(content, "exercises", exercise, "exercise.toml")
        with open(path, encoding="utf-8") as f:
            text = f.read()
        text, n = re.subn(r"(?m)^attempts = \d+$", "attempts = 0", text)
        if n != 1:
            raise SystemExit(f"{path}: expected one `attempts = N` line")
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    return content


def run_cli(binary, database_url, content, *args):
    env = dict(os.environ, RUST_LOG="warn", DATABASE_URL=database_url, KARTSKOLA_CONTENT=content)
    result = subprocess.run([binary, *args], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise SystemExit(f"kartskola {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def fresh_postgres(base_url, name):
    """Drops and creates database `name` on the server of `base_url`; returns its URL."""
    admin = base_url.rsplit("/", 1)[0] + "/postgres"
    for sql in (f'drop database if exists "{name}"', f'create database "{name}"'):
        subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)
    return base_url.rsplit("/", 1)[0] + "/" + name


class Server:
    def __init__(self, binary, database_url, content, workdir, port=None, extra_env=None):
        self.binary, self.database_url, self.content = binary, database_url, content
        self.port = port or free_port()
        self.log_path = os.path.join(workdir, f"server-{self.port}.log")
        self.extra_env = extra_env or {}
        self.proc = None

    def start(self):
        env = dict(os.environ, RUST_LOG="warn", KARTSKOLA_DRAIN="5s",
                   # Every learner logs in from 127.0.0.1: the per-address ceiling is not under test.
                   KARTSKOLA_LOGIN_ADDR_LIMIT="100000", **self.extra_env)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--database-url", self.database_url,
             "--content-dir", self.content], stdout=log, stderr=log, env=env)
        client.wait_healthy(self.port, self.proc, seconds=60, log=self.log_path)
        return self

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def rss_mib(self):
        """Resident set size now, and its peak (VmHWM), in MiB."""
        with open(f"/proc/{self.proc.pid}/status") as f:
            fields = dict(line.split(":", 1) for line in f if ":" in line)
        return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def login(port, email, password=DEMO_PASSWORD):
    """Logs in a demo learner through the real form; returns the session cookie."""
    return client.login(port, email, password)


def demo_learners():
    return [f"deltagare{i}.{region}@demo.kartskola.se" for region in REGIONS for i in range(1, 7)]


def seeded(binary, database_url, content):
    run_cli(binary, database_url, content, "migrate")
    run_cli(binary, database_url, content, "seed-demo")


def first_lesson_path(port, cookie):
    """The first lesson of the shipped course, found the way a learner would: from the course page."""
    status, _, page = request(port, "GET", "/courses/gis-regional-planering", headers={"Cookie": cookie})
    if status != 200:
        raise SystemExit(f"course page: {status}")
    links = re.findall(r'href="(/courses/gis-regional-planering/[^/"]+/[^/"?#]+)"', page.decode())
    if not links:
        raise SystemExit("no lesson link on the course page")
    return links[0]


def ring(vertices, lon, lat, rx, ry):
    """A closed star-shaped ring of `vertices` distinct vertices (a wavy ellipse: no two equal,
    no self-intersection), so grading does real work on every vertex."""
    coords = []
    for i in range(vertices):
        t = 2 * math.pi * i / vertices
        wobble = 1 + 0.05 * math.sin(7 * t)
        coords.append([round(lon + rx * wobble * math.cos(t), 6), round(lat + ry * wobble * math.sin(t), 6)])
    coords.append(coords[0])
    return coords


def polygon_answer(vertices):
    """An answer to the Jämtland exercise: roughly the county (centre 14.3 E, 63.1 N)."""
    return json.dumps({"geometry": {"type": "Polygon", "coordinates": [ring(vertices, 14.3, 63.1, 2.0, 1.1)]}})


def point_answer():
    return json.dumps({"geometry": {"type": "Point", "coordinates": [22.1777, 65.59431]}})


def cpu_seconds(pid):
    """User + system CPU time of process `pid` (all its threads) and of its child processes
    (nginx's workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")

    def own(p):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            return 0.0

    children = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                        children.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return own(pid) + sum(own(c) for c in children)


def wrk(url, workdir, name, *, method="GET", cookies=None, body=None, connections=32, threads=2,
        duration="10s", timeout="10s", server_pid=None):
    """Runs wrk with wrk.lua; returns its JSON summary. With `server_pid`, the summary also has
    the server's CPU time per request (`server_cpu_us`): on cores shared with the load generator
    the request rate says as much about wrk as about the server, the CPU a request costs does not.
    `wrk_cpu_s` is wrk's own CPU time (of duration × cores available)."""
    result = os.path.join(workdir, f"wrk-{name}.json")
    env = dict(os.environ, LOAD_METHOD=method, LOAD_PATH=urllib.parse.urlsplit(url).path or "/",
               LOAD_RESULT=result, LOAD_COOKIES="", LOAD_BODY="")
    if cookies:
        env["LOAD_COOKIES"] = os.path.join(workdir, f"cookies-{name}.txt")
        with open(env["LOAD_COOKIES"], "w") as f:
            f.write("\n".join(cookies) + "\n")
    if body is not None:
        env["LOAD_BODY"] = os.path.join(workdir, f"body-{name}.json")
        with open(env["LOAD_BODY"], "w") as f:
            f.write(body)
    base = urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="", query=""))
    cpu_before = cpu_seconds(server_pid) if server_pid else None
    wrk_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(["wrk", "-t", str(threads), "-c", str(connections), "-d", duration,
                          "--timeout", timeout, "-s", WRK_LUA, base],
                         capture_output=True, text=True, env=env)
    wrk_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"wrk failed: {out.stderr or out.stdout}")
    with open(result) as f:
        summary = json.load(f)
    summary["name"] = name
    summary["wrk_cpu_s"] = round((wrk_after.ru_utime - wrk_before.ru_utime)
                                 + (wrk_after.ru_stime - wrk_before.ru_stime), 2)
    if cpu_before is not None and summary["requests"]:
        used = cpu_seconds(server_pid) - cpu_before
        summary["server_cpu_s"] = round(used, 2)
        summary["server_cpu_us"] = round(used / summary["requests"] * 1e6, 2)
    return summary


def make_workdir(prefix):
    workdir = tempfile.mkdtemp(prefix=prefix)
    # nginx workers (user nobody when started as root) read the static file from here.
    os.chmod(workdir, 0o755)
    return workdir
