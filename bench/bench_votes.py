"""Can the vote page keep up with a whole co-op voting at once (issue 14, item 4)?

    .venv/bin/python bench/bench_votes.py [--database-url URL ...] [--voters 100] [--workers 2]

For each database (by default SQLite in a temporary folder, then PostgreSQL at
postgresql+psycopg://postgres@127.0.0.1:5432/bench, which is emptied first), in one run:

1. the demo data, plus a registered co-op with --voters members, each with an account, and four
   open written resolutions: one by open ballot and one by secret ballot that are measured, and
   one of each kind for the warm-up;
2. gunicorn (2 sync workers) serves coopkit with the minimal one-query page of bench/_harness.py;
   wrk loads that page (16 connections) for the yardstick req/s;
3. warm-up, not measured: --warm-up voters (20) vote at once on the warm-up resolution of the
   same kind, so that both workers have built their statements and compiled their templates for
   the vote (a real server has long done so; the first request of each worker would otherwise
   count against the 100 measured votes). Then every voter opens the vote page (a session with a
   CSRF token, as a browser would), and all of them POST their vote at the same moment (a barrier
   releases the threads): first on the open ballot, then on the secret one;
4. it prints votes per second (votes / time from the release to the last answer), p50/p95/max,
   the gunicorn workers' CPU per vote, errors, the ratio votes/s : one-query req/s (target at
   least 0.3) and checks in the database that every vote was recorded: one participation each,
   and a ballot each (open) or a sealed ballot in the ballot box each (secret).

Exits non-zero when a vote fails or is not recorded.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import _harness as h  # noqa: E402

TARGET = 0.3
SLUG = "bench-coop"
#: voters who vote on the warm-up resolutions before each measured wave
WARM_UP = 20


def prepare_voters(app, db, voters: int) -> dict:
    """In the seeding child: a registered co-op with ``voters`` members and two open written
    resolutions (open and secret ballot). Returns the vote paths, proposal ids and a signed session
    cookie per voter."""
    from datetime import date, timedelta

    import sqlalchemy as sa

    from coopkit.accounts.models import User
    from coopkit.coops.models import Member
    from coopkit.database import utcnow
    from coopkit.proposals import services
    from coopkit.workspace.services import create_coop

    with app.app_context():
        users = [User(email=f"voter{i}@bench.example", name=f"Voter {i}", password_hash="!", session_version=1)
                 for i in range(voters)]
        db.session.add_all(users)
        db.session.flush()
        coop = create_coop(users[0], "Bench Co-operative Limited", SLUG)
        coop.stage, coop.legal_form, coop.registered_on = "registered", "society", date(2024, 1, 1)
        existing = {m.user_id: m for m in db.session.execute(
            sa.select(Member).where(Member.coop_id == coop.id)).scalars()}
        for user in users:
            member = existing.get(user.id) or Member(coop_id=coop.id, user_id=user.id)
            member.full_name, member.email = user.name, user.email
            member.status, member.admitted_on = "member", date(2024, 1, 1)
            member.postal_address = "1 Bench Street, Preston"
            db.session.add(member)
        db.session.flush()
        proposals = {}
        for warm_up in ("warm-up ", ""):
            for secret in (False, True):
                proposal = services.create_proposal(coop, users[0], services.Draft(
                    title=f"Benchmark {warm_up}resolution ({'secret' if secret else 'open'} ballot)", body="Text.",
                    resolution_text="That we measure.", secret=secret, closes_at=utcnow() + timedelta(days=3)))
                services.open_proposal(proposal, coop, users[0], notify=False)
                proposals[warm_up + ("secret" if secret else "open")] = {
                    "id": proposal.id, "path": f"/c/{SLUG}/proposals/{proposal.number}/vote"}
        db.session.commit()
        serializer = app.session_interface.get_signing_serializer(app)
        cookies = [f"session={serializer.dumps({'_user_id': f'{u.id}:1', '_fresh': True})}" for u in users]
    return {"proposals": proposals, "cookies": cookies}


def vote_wave(server: h.Server, path: str, cookies: list[str], secret: bool) -> dict:
    """Every voter loads the vote form, then all POST at once. Returns the figures."""
    forms = []
    for cookie in cookies:
        status, headers, page = h.request(server.port, "GET", path, headers={"Cookie": cookie})
        if status != 200:
            raise SystemExit(f"the vote page answered {status}")
        forms.append((h.session_cookie(headers) if "set-cookie" in headers else cookie, h.csrf_token(page)))
    barrier = threading.Barrier(len(forms) + 1)
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()

    def vote(i: int) -> None:
        cookie, token = forms[i]
        body = urlencode({"csrf_token": token, "choice": ("for", "against", "abstain")[i % 3], "seen": "0"}).encode()
        barrier.wait()
        started = time.perf_counter()
        try:
            status, _, page = h.request(server.port, "POST", path, body, {
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"})
        except OSError as exc:
            status, page = 0, repr(exc).encode()
        elapsed = time.perf_counter() - started
        ok = (status == 200 and b"secret ballot is in" in page) if secret else status == 302
        with lock:
            timings.append(elapsed)
            if not ok:
                failures.append(f"voter {i}: {status}")

    threads = [threading.Thread(target=vote, args=(i,)) for i in range(len(forms))]
    for thread in threads:
        thread.start()
    cpu_before, client_before = h.worker_cpu_seconds(server.pid), time.process_time()
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu = h.worker_cpu_seconds(server.pid) - cpu_before
    client_cpu = time.process_time() - client_before
    timings.sort()
    return {"votes_per_s": (len(timings) - len(failures)) / wall, "wall": wall, "p50": statistics.median(timings) * 1000,
            "p95": h.percentile(timings, 0.95) * 1000, "max": timings[-1] * 1000, "cpu_ms": cpu * 1000 / len(timings),
            "client_cpu_ms": client_cpu * 1000 / len(timings),
            "failures": failures}


def recorded(database_url: str, proposal_id: int) -> dict:
    """What the database holds for one proposal: participations, ballots, sealed ballots."""
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        counts = {table: conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE proposal_id = :p"),
                                      {"p": proposal_id}).scalar()
                  for table in ("participations", "ballots", "ballot_box")}
    engine.dispose()
    return counts


def run(database_url: str, folder: Path, *, voters: int, workers: int, seconds: float = 5,
        connections: int = 16) -> dict:
    """Seed, serve, measure the one-query page and both vote waves; returns the figures."""
    port = h.free_port()
    env = h.bench_env(database_url, folder, port)
    h.empty_database(database_url)
    setup = h.seed_demo(env, f"from bench.bench_votes import prepare_voters\n"
                             f"result = prepare_voters(app, db, {int(voters)})\n")
    waves = {}
    with h.gunicorn(env, port, workers) as server:
        minimal = h.measure(server, h.MINIMAL_PATH, setup["cookies"][0], h.MINIMAL_EXPECT, seconds=seconds,
                            connections=connections)
        for kind in ("open", "secret"):
            warm = vote_wave(server, setup["proposals"][f"warm-up {kind}"]["path"], setup["cookies"][:WARM_UP],
                             kind == "secret")
            if warm["failures"]:
                raise SystemExit(f"the warm-up votes failed: {', '.join(warm['failures'][:10])}")
            waves[kind] = vote_wave(server, setup["proposals"][kind]["path"], setup["cookies"], kind == "secret")
    for kind in ("open", "secret"):
        proposal = setup["proposals"][kind]
        counts = waves[kind]["recorded"] = recorded(database_url, proposal["id"])
        expected = {"participations": voters, "ballots": 0 if kind == "secret" else voters,
                    "ballot_box": voters if kind == "secret" else 0}
        waves[kind]["all_recorded"] = counts == expected
        waves[kind]["ratio"] = waves[kind]["votes_per_s"] / minimal["rps"]
    return {"database": h.database_label(database_url), "minimal": minimal, "waves": waves, "load": h.load_note()}


def report(result: dict, voters: int, workers: int) -> bool:
    minimal = result["minimal"]
    print(f"\n{result['database']}: {voters} voters at once against gunicorn {workers} sync workers (after "
          f"{WARM_UP} unmeasured warm-up votes of each kind); {result['load']}")
    print(f"  one-query page (wrk, 16 connections): {minimal['rps']:.1f} req/s, p95 {minimal['p95']:.1f} ms, "
          f"{minimal['cpu_ms']:.2f} ms worker CPU per request")
    ok = True
    for kind, wave in result["waves"].items():
        counts = wave["recorded"]
        meets = "meets" if wave["ratio"] >= TARGET else "MISSES"
        print(f"  {kind + ' ballot:':<15}{wave['votes_per_s']:7.1f} votes/s ({voters} in {wave['wall']:.2f} s), "
              f"p50 {wave['p50']:.0f} ms, p95 {wave['p95']:.0f} ms, max {wave['max']:.0f} ms, "
              f"{wave['cpu_ms']:.1f} ms worker CPU per vote ({wave['client_cpu_ms']:.1f} ms in the voters' client, on "
              f"the same CPUs), errors {len(wave['failures'])}")
        print(f"  {'':<15}ratio to the one-query page {wave['ratio']:.2f}x (target {TARGET}x): {meets}; recorded "
              f"{counts['participations']} participations, {counts['ballots']} ballots, {counts['ballot_box']} "
              f"sealed in the ballot box: {'every vote' if wave['all_recorded'] else 'NOT EVERY VOTE'}")
        if wave["failures"]:
            print("  FAILED:", ", ".join(wave["failures"][:10]))
        ok = ok and not wave["failures"] and wave["all_recorded"]
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", action="append",
                        help=f"repeatable; default: SQLite in a temporary folder, then {h.PG_URL}")
    parser.add_argument("--voters", type=int, default=100)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    ok = True
    for url in args.database_url or [None, h.PG_URL]:
        with h.temporary_folder() as folder:
            result = run(url or f"sqlite:///{folder / 'bench.db'}", folder, voters=args.voters, workers=args.workers)
        ok = report(result, args.voters, args.workers) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
