"""The HTTP client the fault tests and the load benchmarks share (standard library only): one
request per connection, a free port, waiting for a started server, and logging in through the
real form — the login page's
CSRF token belongs to a pre-login session, and the login answer both clears that cookie and
sets the session's, so the one with a value is taken."""

import http.client
import re
import socket
import time
import urllib.parse


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port, method, path, body=None, headers=None, timeout=30):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def wait_healthy(port, proc, seconds=30, log=None):
    """Waits until the server `proc` started on `port` answers /healthz with 200; exits the
    script if it dies first or does not within `seconds` (naming its log, if given)."""
    where = f"; log: {log}" if log else ""
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server on {port} exited early ({proc.returncode}){where}")
        try:
            if request(port, "GET", "/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"server on {port} did not answer /healthz within {seconds} s{where}")


def login(port, email, password):
    """Logs in through the form; returns the session cookie (`name=value`)."""
    _, headers, page = request(port, "GET", "/login")
    pre = next((v for k, v in headers if k.lower() == "set-cookie"), "").split(";")[0]
    match = re.search(r'name="csrf" value="([^"]+)"', page.decode())
    form = urllib.parse.urlencode({"email": email, "password": password, "next": "/",
                                   "csrf": match.group(1) if match else ""})
    status, headers, _ = request(port, "POST", "/login", form,
                                 {"Content-Type": "application/x-www-form-urlencoded", "Cookie": pre})
    cookie = next((v for k, v in headers if k.lower() == "set-cookie" and "session=" in v.split(";")[0]
                   and not v.split(";")[0].endswith("=")), None)
    if status != 303 or not cookie:
        raise SystemExit(f"login failed for {email}: {status}")
    return cookie.split(";")[0]
