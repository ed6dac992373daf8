"""How fast is a logged-in member's co-op home page, next to a minimal Flask page?

    .venv/bin/python bench/bench_home.py [--database-url URL] [--seconds 5] [--connections 16]

What it does, in one run:

1. makes a temporary SQLite database (or empties --database-url) and fills it with the demo
   data (``coopkit.demo.seed``, the same data ``coopkit demo`` adds);
2. starts gunicorn with 2 sync workers serving coopkit with the minimal one-query page of
   bench/_harness.py mounted at /_bench/one-query (one SELECT of 50 rows rendered by Jinja;
   it exists only in the benchmarks, never in the production app);
3. logs in as an ordinary member of ``preston-digital`` through the real log-in form;
4. loads ``/c/preston-digital/`` and the minimal page (wrk, or Python's http.client with
   --client threads) after a warm-up, and prints requests per second, p50/p95 latency, the
   gunicorn workers' CPU time per request (read from /proc; steadier than wall time on a busy
   machine) and the ratios home : minimal, with the load average.

bench/bench_pages.py measures the home page with the other busy pages, as the secretary.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

MEMBER_EMAIL = "eli@preston-digital.example"  # an ordinary member (not the secretary)
HOME_PATH = "/c/preston-digital/"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--seconds", type=float, default=5, help="load per page (default 5)")
    parser.add_argument("--connections", type=int, default=16, help="concurrent connections (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--client", choices=("wrk", "threads"), default="wrk")
    args = parser.parse_args()

    from coopkit.demo import DEMO_PASSWORD

    with h.temporary_folder() as folder:
        url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
        port = h.free_port()
        env = h.bench_env(url, folder, port)
        h.empty_database(url)
        print(f"Seeding the demo data ({h.database_label(url)}) ...", flush=True)
        h.seed_demo(env)
        with h.gunicorn(env, port, args.workers) as server:
            cookie = h.log_in(port, MEMBER_EMAIL, DEMO_PASSWORD)
            pages = {"co-op home (member)": (HOME_PATH, b"Preston Digital"),
                     "minimal one-query page": (h.MINIMAL_PATH, h.MINIMAL_EXPECT)}
            results = {name: h.measure(server, path, cookie, expect, seconds=args.seconds,
                                       connections=args.connections, client=args.client)
                       for name, (path, expect) in pages.items()}

    print(f"\ngunicorn {args.workers} sync workers, {args.connections} connections, {args.seconds:.0f} s per page, "
          f"{h.database_label(url)} demo data; {h.load_note()}\n")
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
