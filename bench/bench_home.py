"""How fast is a logged-in member's co-op home page, next to a minimal Flask page?

    .venv/bin/python bench/bench_home.py [--requests 400] [--concurrency 4] [--workers 2]

What it does, in one run:

1. makes a temporary SQLite database and fills it with the demo data
   (``coopkit.demo.seed``, the same data ``coopkit demo`` adds);
2. starts gunicorn with 2 sync workers serving one WSGI app that routes
   ``/_bench/...`` to a tiny separate Flask app (one ``SELECT`` on the same
   database, nothing else) and everything else to ``coopkit.create_app()``;
   the tiny app exists only in this script, never in the production app;
3. logs in as a member of ``preston-digital`` through the real log-in form;
4. loads ``/c/preston-digital/`` and ``/_bench/one-query`` with the same
   threaded client (``http.client``, one connection per request, as gunicorn's
   sync workers close them), after a warm-up, and prints requests per second
   and p50/p95 latency for both, the gunicorn workers' CPU time per request
   (read from /proc; steadier than wall time on a busy machine), and the
   ratios home : minimal.

Nothing here needs more than the standard library and coopkit's own dependencies.
"""

from __future__ import annotations

import argparse
import http.client
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
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
MEMBER_EMAIL = "eli@preston-digital.example"  # an ordinary member (not the secretary)
HOME_PATH = "/c/preston-digital/"
MINIMAL_PATH = "/_bench/one-query"


# --- the app gunicorn serves (imported by the gunicorn workers) -----------------

def minimal_app():
    """A bare Flask app whose only page runs one query on the demo database."""
    import sqlalchemy as sa
    from flask import Flask

    engine = sa.create_engine(os.environ["COOPKIT_DATABASE_URL"])
    app = Flask("bench_minimal")

    @app.route("/one-query")
    def one_query():
        with engine.connect() as conn:
            count = conn.execute(sa.text("SELECT count(*) FROM coops")).scalar_one()
        return f"<!doctype html><title>minimal</title><p>{count} co-ops</p>"

    return app


def bench_app():
    """gunicorn entry point: coopkit, with the minimal app mounted at /_bench."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware

    from coopkit import create_app

    return DispatcherMiddleware(create_app(), {"/_bench": minimal_app()})


# --- set-up -----------------------------------------------------------------------

def seed_demo(env: dict[str, str]) -> None:
    """Create the schema from the models and add the demo data, in a child process
    so this process never imports the app with the bench's settings."""
    code = (
        "from coopkit import create_app\n"
        "from coopkit.extensions import db\n"
        "from coopkit import demo\n"
        "app = create_app()\n"
        "with app.app_context():\n"
        "    db.create_all()\n"
        "    demo.seed()\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until_up(port: int, process: subprocess.Popen, timeout: float = 30) -> None:
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
    raise SystemExit("gunicorn did not answer within 30 seconds")


# --- the client -------------------------------------------------------------------

def request(port: int, method: str, path: str, body: bytes | None = None,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
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


def log_in(port: int, email: str, password: str) -> str:
    """Log in through the real form; returns the Cookie header to send."""
    status, headers, page = request(port, "GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
    if status != 200 or token is None:
        raise SystemExit("could not read the log-in form")
    cookie = session_cookie(headers)
    body = urlencode({"csrf_token": token.group(1).decode(), "email": email, "password": password}).encode()
    status, headers, _ = request(port, "POST", "/login", body, {
        "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
    if status != 302:
        raise SystemExit(f"log-in failed with {status}")
    return session_cookie(headers)


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


def load(port: int, path: str, cookie: str, total: int, concurrency: int, expect: bytes,
         master_pid: int | None = None) -> dict:
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
                status, _, body = request(port, "GET", path, headers={"Cookie": cookie})
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
    cpu_before = worker_cpu_seconds(master_pid) if master_pid else 0.0
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = worker_cpu_seconds(master_pid) - cpu_before if master_pid else 0.0
    if failures:
        raise SystemExit(f"{path}: {len(failures)} of {total} requests failed, e.g. {failures[0]}")
    ordered = sorted(latencies)
    return {
        "rps": len(latencies) / wall,
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[max(0, int(round(0.95 * len(ordered))) - 1)] * 1000,
        "cpu_ms": cpu * 1000 / len(latencies),
    }


# --- main ---------------------------------------------------------------------------

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=400, help="requests per page (default 400)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    args = parser.parse_args()

    from coopkit.demo import DEMO_PASSWORD

    folder = Path(tempfile.mkdtemp(prefix="coopkit-bench-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPKIT_")}
    env.update({
        "COOPKIT_ENV": "production",
        "COOPKIT_SECRET_KEY": "bench-only-secret-key-0123456789",
        "COOPKIT_DATABASE_URL": f"sqlite:///{folder / 'bench.db'}",
        "COOPKIT_BASE_URL": f"http://127.0.0.1:{port}",
        "COOPKIT_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])),
    })
    gunicorn = None
    try:
        print(f"Seeding the demo data into {folder / 'bench.db'} ...", flush=True)
        seed_demo(env)
        gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
             "--log-level", "warning", "bench.bench_home:bench_app()"],
            env=env, cwd=ROOT,
        )
        wait_until_up(port, gunicorn)
        cookie = log_in(port, MEMBER_EMAIL, DEMO_PASSWORD)
        pages = {
            "co-op home (member)": (HOME_PATH, b"Preston Digital"),
            "minimal one-query page": (MINIMAL_PATH, b"co-ops"),
        }
        for path, expect in pages.values():  # warm-up: every worker imports and fills its caches
            load(port, path, cookie, 20 * args.workers, args.concurrency, expect)
        results = {name: load(port, path, cookie, args.requests, args.concurrency, expect, gunicorn.pid)
                   for name, (path, expect) in pages.items()}
    finally:
        if gunicorn is not None:
            gunicorn.send_signal(signal.SIGTERM)
            try:
                gunicorn.wait(timeout=15)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"\ngunicorn {args.workers} sync workers, {args.concurrency} client threads, "
          f"{args.requests} requests per page, SQLite demo data\n")
    print(f"{'page':<26}{'req/s':>10}{'p50 ms':>10}{'p95 ms':>10}{'server CPU ms/req':>20}")
    for name, figures in results.items():
        print(f"{name:<26}{figures['rps']:>10.1f}{figures['p50']:>10.1f}{figures['p95']:>10.1f}"
              f"{figures['cpu_ms']:>20.2f}")
    home, minimal = results["co-op home (member)"], results["minimal one-query page"]
    print(f"\nratio home : minimal   throughput {home['rps'] / minimal['rps']:.2f}   "
          f"p95 latency {home['p95'] / minimal['p95']:.1f}x   "
          f"server CPU per request {home['cpu_ms'] / max(minimal['cpu_ms'], 1e-9):.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
