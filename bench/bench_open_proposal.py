"""How long does opening a proposal for 1,000 members take, now that its emails are queued?

    .venv/bin/python bench/bench_open_proposal.py [--members 1000] [--runs 5] [--database-url URL ...]

By default it runs on SQLite in a temporary folder, then on PostgreSQL at
postgresql+psycopg://postgres@127.0.0.1:5432/bench (emptied first), each in its own process.

What it does:

1. builds the app with production settings in a temporary instance folder: the database,
   the default job queue (``instance/jobs.db``), SMTP mail;
2. adds a registered co-op with ``--members`` members, each with an email address;
3. for each run, drafts a proposal and times the real request that opens it
   (``POST /c/<slug>/proposals/<n>/open`` through the test client, logged in as the
   secretary): the voter roll is frozen, the audit event written, and one email per member
   composed and queued as delivery jobs when the request commits. No worker runs, so
   nothing is sent; the script then prints how many delivery jobs and messages wait in the
   queue, and the time per request (best, median, worst), wall clock and this process's CPU.

The target is under 300 ms. Before the queue, the same request sent 1,000 messages over
SMTP inside the request (one connection each).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import _harness as h  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--database-url", action="append",
                        help=f"repeatable; default: SQLite in a temporary folder, then {h.PG_URL}")
    args = parser.parse_args()
    urls = args.database_url or ["sqlite", h.PG_URL]
    if len(urls) > 1:  # one process per database: the app and its job queue are built once per process
        return max(subprocess.run([sys.executable, __file__, "--members", str(args.members), "--runs", str(args.runs),
                                   "--database-url", url]).returncode for url in urls)
    figures = run(urls[0], args.members, args.runs)
    print(f"\n{figures['database']}: opening a proposal for {args.members:,} members, {args.runs} runs "
          f"(after one warm-up); {figures['load']}")
    print(f"  wall clock per request: best {figures['best']:.0f} ms, median {figures['median']:.0f} ms, worst "
          f"{figures['worst']:.0f} ms (target under 300 ms: {'yes' if figures['median'] < 300 else 'NO'}, median)")
    print(f"  CPU time of this process per request (steadier on a busy machine): best {figures['cpu_best']:.0f} ms, "
          f"median {figures['cpu_median']:.0f} ms")
    print(f"  queued: {figures['jobs']} delivery job(s) holding {figures['messages']} message(s) "
          f"({figures['messages'] // (args.runs + 1)} per opening, at most {figures['batch']} per job); nothing was "
          f"sent during the requests")
    return 0


def run(database_url: str, members: int, runs: int) -> dict:
    """Open ``runs`` + 1 proposals for ``members`` members (the first warms up); returns the figures."""
    instance = tempfile.mkdtemp(prefix="coopkit-bench-open-")
    os.environ["COOPKIT_INSTANCE_PATH"] = instance
    from coopkit import create_app
    from coopkit.config import Settings

    settings = Settings(env="production", secret_key="bench-secret-key-0123456789", mail_backend="smtp",
                        mail_server="127.0.0.1", mail_port=2525, base_url="http://127.0.0.1:8000",
                        log_level="WARNING")
    database = f"sqlite:///{Path(instance) / 'bench.db'}" if database_url == "sqlite" else database_url
    h.empty_database(database)
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": database, "WTF_CSRF_ENABLED": False,
                      "RATELIMIT_ENABLED": False})
    from coopkit.extensions import db

    with app.app_context():
        db.create_all()
        slug, secretary_id = _coop_with_members(members)

    client = app.test_client()
    with app.app_context():
        from coopkit.accounts.models import User

        user = db.session.get(User, secretary_id)
        session_id = f"{user.id}:{user.session_version}"
        db.session.remove()
    with client.session_transaction() as session:
        session["_user_id"], session["_fresh"] = session_id, True

    timings, cpu = [], []
    for number_run in range(runs + 1):  # the first run warms up (templates, caches)
        number = _draft(app, slug, secretary_id, number_run)
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(f"/c/{slug}/proposals/{number}/open")
        elapsed = (time.perf_counter() - started) * 1000
        elapsed_cpu = (time.process_time() - started_cpu) * 1000
        if response.status_code != 302:
            raise SystemExit(f"opening failed: {response.status_code}\n{response.text[:2000]}")
        if number_run:
            timings.append(elapsed)
            cpu.append(elapsed_cpu)

    from coopkit.jobs import huey

    with app.app_context():
        jobs = huey.pending()
        sizes = [len(job.args[0]) for job in jobs]
        db.session.remove()
        db.engine.dispose()
    shutil.rmtree(instance, ignore_errors=True)
    return {"database": h.database_label(database), "best": min(timings), "median": statistics.median(timings),
            "worst": max(timings), "cpu_best": min(cpu), "cpu_median": statistics.median(cpu), "jobs": len(jobs),
            "messages": sum(sizes), "batch": max(sizes, default=0), "load": h.load_note()}


def _coop_with_members(n: int) -> tuple[str, int]:
    from coopkit.accounts.services import create_user
    from coopkit.coops.models import Member
    from coopkit.extensions import db
    from coopkit.register.services import appoint_officer
    from coopkit.workspace.services import create_coop

    secretary = create_user("secretary@bench.example", "Sam Secretary", "bench-password-123")
    coop = create_coop(secretary, "Bench Co-operative Limited", "bench-coop")
    coop.stage, coop.legal_form, coop.registered_on = "registered", "society", date(2024, 1, 1)
    db.session.flush()
    own = db.session.query(Member).filter_by(coop_id=coop.id, user_id=secretary.id).one()
    own.status, own.admitted_on, own.email = "member", date(2024, 1, 1), "secretary@bench.example"
    db.session.add_all(Member(coop_id=coop.id, full_name=f"Member {i:04d}", email=f"member{i}@bench.example",
                              status="member", admitted_on=date(2024, 1, 1), postal_address=f"{i} Long Row")
                       for i in range(n - 1))
    db.session.flush()
    appoint_officer(own, "secretary", on=date(2024, 1, 1), actor=secretary)
    db.session.commit()
    return coop.slug, secretary.id


def _draft(app, slug: str, user_id: int, run: int) -> int:
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.database import utcnow
    from coopkit.extensions import db
    from coopkit.proposals import services

    with app.app_context():
        coop = db.session.query(Coop).filter_by(slug=slug).one()
        proposal = services.create_proposal(coop, db.session.get(User, user_id), services.Draft(
            title=f"Bench proposal {run}", body="Text.", resolution_text="That we measure.", method="resolution",
            preset="ordinary", closes_at=utcnow() + timedelta(days=7)))
        db.session.commit()
        number = proposal.number
        db.session.remove()
        return number


if __name__ == "__main__":
    sys.exit(main())
