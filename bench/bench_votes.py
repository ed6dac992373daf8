"""Benchmark the voting engine and the vote page.

1. Tally time for 10,000 ballots (target: under 50 ms), for each simple method and for a poll,
   plus a 10,000-ballot STV election for information.
2. Vote POST latency under gunicorn (4 workers) with 200 voters submitting at once, on an open
   and on a secret ballot: p50, p95, max, errors (BENCH_VOTERS, BENCH_WORKERS change the numbers).

Usage (from the project root):

    .venv/bin/python bench/bench_votes.py                  # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/bench \\
        .venv/bin/python bench/bench_votes.py              # PostgreSQL (the database is emptied)

Measures and prints; exits non-zero only when something fails outright (a vote not recorded).
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BALLOTS = 10_000
VOTERS = int(os.environ.get("BENCH_VOTERS", 200))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
SECRET = "bench-secret-key-0123456789"


# --- 1. the tally ---------------------------------------------------------------------------

def time_tally() -> None:
    from coopkit.proposals import tally as t

    rng = random.Random(2026)
    cases = [
        ("resolution, 75% of votes cast", t.Spec("resolution", BALLOTS, t.quorum_needed(BALLOTS, 2, 50), 75, "cast"),
         lambda: rng.choice(("for", "for", "for", "against", "abstain"))),
        ("resolution, 50% of all eligible", t.Spec("resolution", BALLOTS, 2, 50, "eligible"),
         lambda: rng.choice(("for", "against", "abstain"))),
        ("consent", t.Spec("consent", BALLOTS, 2), lambda: rng.choice(("agree", "stand_aside"))),
        ("consensus", t.Spec("consensus", BALLOTS, 2), lambda: rng.choice(("agree", "abstain", "disagree"))),
        ("poll, 5 options", t.Spec("poll", BALLOTS, 2, options=tuple("ABCDE")),
         lambda: rng.choice((0, 1, 2, 3, 4, t.ABSTAIN))),
    ]
    print(f"Tally of {BALLOTS:,} ballots (best of 5; target under 50 ms):")
    for name, spec, draw in cases:
        ballots = [draw() for _ in range(BALLOTS)]
        best = min(_timed(lambda s=spec, b=ballots: t.tally(s, b, participants=BALLOTS)) for _ in range(5))
        verdict = "ok" if best < 0.050 else "SLOW"
        print(f"  {name:<34} {best * 1000:8.2f} ms  {verdict}")
    # an election: ranked ballots counted by STV (pyrankvote), shown for information
    options = tuple(f"Candidate {i}" for i in range(6))
    spec = t.Spec("election", BALLOTS, 2, options=options, seats=2)
    ballots = [tuple(rng.sample(range(6), rng.randint(1, 4))) for _ in range(BALLOTS)]
    elapsed = _timed(lambda: t.tally(spec, ballots))
    print(f"  {'election, STV, 6 candidates, 2 seats':<34} {elapsed * 1000:8.2f} ms  (information)")
    settled = t.Spec("resolution", BALLOTS * 2, 2, 75, "cast")
    half = [draw() for draw in [cases[0][2]] * BALLOTS]
    elapsed = _timed(lambda: t.outcome_is_settled(settled, half))
    print(f"  {'early-close test (4 tallies)':<34} {elapsed * 1000:8.2f} ms  (information)")


def _timed(fn) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


# --- 2. vote POSTs under gunicorn ---------------------------------------------------------------

def _env(database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPKIT_")}
    env.update(COOPKIT_ENV="production", COOPKIT_SECRET_KEY=SECRET, COOPKIT_DATABASE_URL=database_url,
               COOPKIT_BASE_URL="http://127.0.0.1", COOPKIT_MAIL_BACKEND="console", COOPKIT_LOG_LEVEL="WARNING")
    return env


def prepare(database_url: str, secret: bool) -> tuple[str, list[dict]]:
    """A fresh schema, a registered co-op with VOTERS members and an open proposal.
    Returns (the vote URL path, a session cookie value per voter)."""
    os.environ.update(_env(database_url))
    from coopkit import create_app
    from coopkit.accounts.models import User
    from coopkit.coops.models import Member
    from coopkit.database import utcnow
    from coopkit.extensions import db
    from coopkit.proposals import services

    app = create_app()
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.create_all()
        from coopkit.workspace.services import create_coop

        users = [User(email=f"voter{i}@bench.example", name=f"Voter {i}", password_hash="!",
                      session_version=1) for i in range(VOTERS)]
        db.session.add_all(users)
        db.session.flush()
        coop = create_coop(users[0], "Bench Co-operative Limited", "bench-coop")
        coop.stage = "registered"
        for user in users:
            member = db.session.execute(
                db.select(Member).where(Member.coop_id == coop.id, Member.user_id == user.id)).scalar_one_or_none()
            if member is None:
                member = Member(coop_id=coop.id, user_id=user.id, full_name=user.name)
                db.session.add(member)
            member.status, member.admitted_on = "member", date(2024, 1, 1)
            member.postal_address = "1 Bench Street, Preston"
        db.session.flush()
        proposal = services.create_proposal(coop, users[0], services.Draft(
            title="Benchmark resolution", secret=secret, closes_at=utcnow() + timedelta(days=3)))
        services.open_proposal(proposal, coop, users[0], notify=False)
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [serializer.dumps({"_user_id": f"{u.id}:1", "_fresh": True}) for u in users]
        path = f"/c/bench-coop/proposals/{proposal.number}/vote"
        db.engine.dispose()
    return path, cookies


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _request(url: str, cookie: str, data: bytes | None = None):
    request = urllib.request.Request(url, data=data, headers={"Cookie": f"session={cookie}"})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        response = opener.open(request, timeout=60)
    except urllib.error.HTTPError as exc:  # a 302 after a vote arrives here
        response = exc
    body = response.read().decode("utf-8", "replace")
    set_cookie = response.headers.get("Set-Cookie", "")
    match = re.match(r"session=([^;]+)", set_cookie)
    return response.status, body, (match.group(1) if match else cookie)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def time_votes(database_url: str, secret: bool) -> bool:
    path, cookies = prepare(database_url, secret)
    port = _free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "-w", str(WORKERS), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "coopkit:create_app()"],
        cwd=ROOT, env=_env(database_url), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        # each voter opens the vote page first (a session with a CSRF token), as a browser would
        forms = []
        for cookie in cookies:
            status, body, cookie = _request(base + path, cookie)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body)
            assert status == 200 and token, f"vote page answered {status}"
            forms.append((cookie, token.group(1)))
        barrier = threading.Barrier(VOTERS)
        timings: list[float] = []
        failures: list[str] = []
        lock = threading.Lock()

        def vote(i):
            cookie, token = forms[i]
            data = urllib.parse.urlencode({"csrf_token": token, "choice": ("for", "against", "abstain")[i % 3],
                                           "seen": "0"}).encode()
            barrier.wait()
            start = time.perf_counter()
            status, body, _ = _request(base + path, cookie, data)
            elapsed = time.perf_counter() - start
            with lock:
                timings.append(elapsed)
                if status not in ((200,) if secret else (302,)) or (secret and "secret ballot is in" not in body):
                    failures.append(f"voter {i}: {status}")

        threads = [threading.Thread(target=vote, args=(i,)) for i in range(VOTERS)]
        wall = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - wall
    finally:
        server.send_signal(signal.SIGTERM)
        _, errors = server.communicate(timeout=30)
    timings.sort()
    p95 = timings[max(0, int(round(0.95 * len(timings))) - 1)]
    print(f"Vote POST under gunicorn ({WORKERS} workers, {VOTERS} voters at once, "
          f"{'secret' if secret else 'open'} ballot, {database_url.split(':', 1)[0]}):")
    print(f"  p50 {statistics.median(timings) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   "
          f"max {timings[-1] * 1000:7.1f} ms   all {VOTERS} in {wall:.2f} s   errors {len(failures)}")
    _check_recorded(database_url)
    if failures:
        print("  FAILED:", ", ".join(failures[:10]), errors.decode()[-2000:])
    return not failures


def _check_recorded(database_url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        participations = conn.execute(sa.text("SELECT count(*) FROM participations")).scalar()
        ballots = conn.execute(sa.text("SELECT count(*) FROM ballots")).scalar()
        sealed = (conn.execute(sa.text("SELECT count(*) FROM ballot_box")).scalar()
                  if sa.inspect(conn).has_table("ballot_box") else 0)
    engine.dispose()
    print(f"  recorded: {participations} participations, {ballots} ballots, {sealed} sealed in the ballot box")


def main() -> int:
    time_tally()
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        ok = True
        for secret in (False, True):
            ok = time_votes(url or f"sqlite:///{folder}/bench-{int(secret)}.db", secret) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    import urllib.parse  # noqa: F401 - used by the voting threads

    sys.exit(main())
