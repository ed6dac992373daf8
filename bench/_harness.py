"""What the benchmarks in bench/ share: a database with the demo data, gunicorn serving coopkit
beside a minimal one-query Flask page, logging in through the real form, a load generator,
the gunicorn workers' CPU time from /proc, and counting SQL statements in-process.

The minimal page (``/_bench/one-query``) is the yardstick of issue 14: one SELECT of 50 rows
rendered by a Jinja template, served by the same gunicorn workers in the same run. It exists
only here, never in the production app.

Load: ``wrk`` (a C load generator, so the client takes little of a shared machine's CPU) with a
Lua script that prints its latency percentiles; without wrk, a threaded ``http.client`` loop.
Counting SQL statements is in bench/_statements.py. Nothing here needs more than the standard
library and coopkit's own dependencies.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
MINIMAL_PATH = "/_bench/one-query"
MINIMAL_EXPECT = b"50 rows"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
SECRET_KEY = "bench-only-secret-key-0123456789"

MINIMAL_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>One query</title></head>
<body><h1>Recent events</h1>
<table><thead><tr><th>No.</th><th>What</th><th>When</th></tr></thead><tbody>
{% for row in rows %}<tr><td>{{ row.id }}</td><td>{{ row.action }}</td><td>{{ row.created_at }}</td></tr>
{% endfor %}</tbody></table>
<p>{{ rows|length }} rows</p></body></html>"""


# --- the app gunicorn serves (imported by the gunicorn workers) -----------------

def minimal_app():
    """A bare Flask app whose only page runs one SELECT of 50 rows and renders them with Jinja."""
    import sqlalchemy as sa
    from flask import Flask, render_template_string

    engine = sa.create_engine(os.environ["COOPKIT_DATABASE_URL"])
    app = Flask("bench_minimal")
    query = sa.text("SELECT id, action, created_at FROM audit_events ORDER BY id LIMIT 50")

    @app.route("/one-query")
    def one_query():
        with engine.connect() as conn:
            rows = conn.execute(query).all()
        return render_template_string(MINIMAL_TEMPLATE, rows=rows)

    return app


def bench_app():
    """gunicorn entry point: coopkit, with the minimal app mounted at /_bench."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from coopkit import create_app

    return DispatcherMiddleware(create_app(), {"/_bench": minimal_app()})


# --- set-up -----------------------------------------------------------------------

def database_label(url: str) -> str:
    return "PostgreSQL" if url.startswith("postgresql") else "SQLite"


def bench_env(database_url: str, folder: Path, port: int = 8000) -> dict[str, str]:
    """The environment of the bench's app: production settings, its own instance folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPKIT_")}
    env.update({
        "COOPKIT_ENV": "production",
        "COOPKIT_SECRET_KEY": SECRET_KEY,
        "COOPKIT_DATABASE_URL": database_url,
        "COOPKIT_INSTANCE_PATH": str(folder),
        "COOPKIT_BASE_URL": f"http://127.0.0.1:{port}",
        "COOPKIT_MAIL_BACKEND": "console",
        "COOPKIT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    })
    return env


def empty_database(url: str) -> None:
    """Drop everything in the bench's database (PostgreSQL: the public schema; SQLite: the file)."""
    import sqlalchemy as sa

    if url.startswith("sqlite"):
        path = Path(url.split("///", 1)[1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


SEED_DEMO = (
    "from coopkit import create_app, demo\n"
    "from coopkit.extensions import db\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    db.create_all()\n"
    "    demo.seed()\n"
    "    db.session.commit()\n"
)


def seed_demo(env: dict[str, str], extra: str = "") -> dict | None:
    """Create the schema from the models and add the demo data, in a child process so this one
    never builds the app with the bench's settings. ``extra``: more Python code run after the
    seed (``app`` and ``db`` in scope); what it assigns to ``result`` (JSON) is returned."""
    code = SEED_DEMO + extra + "\nimport json\nprint('BENCH-RESULT', json.dumps(globals().get('result')))\n"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"seeding the demo data failed:\n{out.stderr[-3000:]}")
    line = next(line for line in reversed(out.stdout.splitlines()) if line.startswith("BENCH-RESULT "))
    return json.loads(line.split(" ", 1)[1])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    pid: int


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, workers: int = 2,
             app: str = "bench._harness:bench_app()") -> Iterator[Server]:
    """gunicorn with ``workers`` sync workers on 127.0.0.1:``port``, stopped on leaving."""
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--backlog", "2048", app],
        env=env, cwd=ROOT)
    try:
        wait_until_up(port, process)
        yield Server(port, process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with code {process.returncode}")
        try:
            status, _, _ = request(port, "GET", "/login")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer within {timeout:.0f} seconds")


@contextlib.contextmanager
def temporary_folder(prefix: str = "coopkit-bench-") -> Iterator[Path]:
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def load_note() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# --- the client -------------------------------------------------------------------

def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data
    finally:
        conn.close()


def session_cookie(headers: dict[str, str]) -> str:
    match = re.search(r"(session=[^;]+)", headers.get("set-cookie", ""))
    if match is None:
        raise SystemExit("the server set no session cookie")
    return match.group(1)


def csrf_token(page: bytes) -> str:
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if token is None:
        raise SystemExit("the page has no CSRF token")
    return token.group(1).decode()


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the real form; returns the Cookie header to send."""
    status, headers, page = request(port, "GET", "/login")
    if status != 200:
        raise SystemExit(f"the log-in form answered {status}")
    body = urlencode({"csrf_token": csrf_token(page), "email": email, "password": password}).encode()
    status, headers, _ = request(port, "POST", "/login", body, {
        "Cookie": session_cookie(headers), "Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise SystemExit(f"log-in failed with {status}")
    return session_cookie(headers)


def check_page(port: int, path: str, cookie: str, expect: bytes) -> None:
    status, _, body = request(port, "GET", path, headers={"Cookie": cookie})
    if status != 200 or expect not in body:
        raise SystemExit(f"{path} answered {status} without {expect!r}")


def worker_cpu_seconds(master_pid: int) -> float:
    """CPU time (user + system) used so far by the gunicorn workers, from /proc: steadier
    than wall time on a machine that is busy with other work."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == master_pid:  # fields[1] is the parent pid
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def percentile(ordered: list[float], q: float) -> float:
    return ordered[max(0, int(round(q * len(ordered))) - 1)]


WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, '
    .. '"errors": %d, "status_errors": %d}\\n', summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95),
    e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def wrk_load(server: Server, path: str, cookie: str, seconds: float, connections: int) -> dict:
    """``wrk`` against ``path`` for ``seconds`` with ``connections`` connections (2 threads)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    try:
        cpu_before = worker_cpu_seconds(server.pid)
        out = subprocess.run(
            ["wrk", "-t", "2", "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "30s",
             "-s", script.name, "-H", f"Cookie: {cookie}", f"http://127.0.0.1:{server.port}{path}"],
            capture_output=True, text=True, check=True).stdout
        cpu = worker_cpu_seconds(server.pid) - cpu_before
    finally:
        os.unlink(script.name)
    figures = json.loads(out.strip().splitlines()[-1])
    done = figures["requests"]
    if figures["errors"] or figures["status_errors"] or not done:
        raise SystemExit(f"{path}: {figures['errors']} socket errors and {figures['status_errors']} "
                         f"non-2xx/3xx answers in {done} requests")
    return {"rps": done / (figures["duration_us"] / 1e6), "p50": figures["p50_us"] / 1000,
            "p95": figures["p95_us"] / 1000, "cpu_ms": cpu * 1000 / done, "requests": done}


def thread_load(server: Server, path: str, cookie: str, total: int, concurrency: int, expect: bytes) -> dict:
    """Request ``path`` ``total`` times from ``concurrency`` threads; time each request."""
    latencies: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    remaining = iter(range(total))

    def worker():
        while True:
            with lock:
                if next(remaining, None) is None:
                    return
            started = time.perf_counter()
            try:
                status, _, body = request(server.port, "GET", path, headers={"Cookie": cookie})
            except OSError as exc:
                with lock:
                    failures.append(repr(exc))
                continue
            elapsed = time.perf_counter() - started
            with lock:
                if status != 200 or expect not in body:
                    failures.append(f"status {status}")
                else:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    cpu_before = worker_cpu_seconds(server.pid)
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = worker_cpu_seconds(server.pid) - cpu_before
    if failures:
        raise SystemExit(f"{path}: {len(failures)} of {total} requests failed, e.g. {failures[0]}")
    ordered = sorted(latencies)
    return {"rps": len(ordered) / wall, "p50": statistics.median(ordered) * 1000,
            "p95": percentile(ordered, 0.95) * 1000, "cpu_ms": cpu * 1000 / len(ordered), "requests": len(ordered)}


def measure(server: Server, path: str, cookie: str, expect: bytes, *, seconds: float = 5, connections: int = 16,
            warm_up: float = 1, client: str = "wrk") -> dict:
    """Check the page once, warm both workers up, then load it: req/s, p50/p95 ms, worker CPU ms per request."""
    check_page(server.port, path, cookie, expect)
    if client == "wrk" and have_wrk():
        wrk_load(server, path, cookie, warm_up, connections)
        return wrk_load(server, path, cookie, seconds, connections)
    thread_load(server, path, cookie, 20, 4, expect)
    return thread_load(server, path, cookie, max(20, int(seconds * 40)), min(connections, 8), expect)
