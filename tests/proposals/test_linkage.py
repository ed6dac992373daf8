"""Secret ballots can't be linked to voters from the raw database: 200 members vote in secret, one
transaction each, then the test reads what a database administrator could read (PostgreSQL: each
row's xmin and ctid; SQLite: rowids, the physical order of rows, and the bytes of the database
file and its -wal file; both: every time column) and plays the attacker. Linkage must be at
chance level: a handful of exact matches at most and a rank correlation near 0.

On the code before the ballot box, PostgreSQL linked 200 of 200 voters (a ballot's xmin was its
participation's) and SQLite's -wal file linked most of them (each vote's WAL frames held its
receipt code).
"""

from __future__ import annotations

import contextlib
import random
import re
import sqlite3
from pathlib import Path

import sqlalchemy as sa

from coopkit.extensions import db
from tests.proposals.conftest import make_open
from tests.proposals.test_concurrency import add_voters

VOTERS = 200
#: a random matching of 200 gets about 1 right (Poisson(1)): 10 or more has odds below 1 in 10^6
MAX_EXACT = 10
#: Spearman's rho of a random order has a standard deviation of about 0.07 for 200 pairs
MAX_RHO = 0.3
RECEIPT = re.compile(rb"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}")
CHOICES = ("for", "against", "abstain")


def spearman(xs: list[float], ys: list[float]) -> float:
    def ranks(values):
        order = sorted(range(len(values)), key=lambda i: values[i])
        out = [0.0] * len(values)
        for rank, i in enumerate(order):
            out[i] = rank
        return out

    rx, ry = ranks(xs), ranks(ys)
    n = len(xs)
    return 1 - 6 * sum((a - b) ** 2 for a, b in zip(rx, ry, strict=True)) / (n * (n * n - 1))


def _vote_all(app, crew) -> tuple[int, dict[int, str]]:
    """200 secret votes, each committed in its own transaction; returns (proposal id, receipt by member)."""
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import voting
    from coopkit.proposals.models import Proposal

    voters = add_voters(app, crew.coop.id, VOTERS)
    _, pid = make_open(app, crew, secret=True)
    receipts = {}
    rng = random.Random(7)
    with app.app_context(), _watcher(app):
        proposal, coop = db.session.get(Proposal, pid), db.session.get(Coop, crew.coop.id)
        for member_id in voters:
            outcome = voting.cast_vote(proposal, coop, db.session.get(Member, member_id), rng.choice(CHOICES))
            db.session.commit()
            receipts[member_id] = outcome.receipt
        db.session.remove()
    return pid, receipts


@contextlib.contextmanager
def _watcher(app):
    """A live operator's read transaction held open while the votes come in. On SQLite it keeps
    every vote's frames in the -wal file (a checkpoint can't restart the WAL past a reader):
    the attacker's best case."""
    if db.engine.dialect.name != "sqlite":
        yield
        return
    reader = sqlite3.connect(db.engine.url.database, isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM participations").fetchone()
        yield
    finally:
        reader.execute("COMMIT")
        reader.close()


def _close(app, pid):
    from coopkit.proposals import closing
    from coopkit.proposals.models import Proposal

    with app.app_context():
        closing.close_proposal(db.session.get(Proposal, pid), notify=False)
        db.session.commit()
        db.session.remove()


def _score(voter_order: list[int], guess: dict[int, str], truth: dict[int, str], ballot_rank: dict[str, int]):
    """(exact matches of the attacker's guesses, rank correlation of voting order and ballot order)."""
    exact = sum(1 for member, receipt in guess.items() if truth[member] == receipt)
    rho = spearman([voter_order.index(m) for m in voter_order], [ballot_rank[truth[m]] for m in voter_order])
    return exact, rho


def _sqlite_files(app) -> list[Path]:
    path = Path(db.engine.url.database)
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def _wal_transactions(data: bytes) -> list[bytes]:
    """The -wal file as one bytes blob per committed transaction, in the order they were written."""
    if len(data) < 32:
        return []
    page_size, salts = int.from_bytes(data[8:12], "big"), data[16:24]
    txns, current, offset = [], b"", 32
    while offset + 24 + page_size <= len(data):
        header, page = data[offset:offset + 24], data[offset + 24:offset + 24 + page_size]
        if header[8:16] != salts:     # left over from before the last checkpoint restarted the WAL
            break
        current += page
        if int.from_bytes(header[4:8], "big"):   # a commit frame: the database size after it
            txns.append(current)
            current = b""
        offset += 24 + page_size
    return txns


def _wal_attack(wal: bytes, voter_order: list[int], rng) -> dict[int, str]:
    """Pair the transactions that bring new receipt codes into the WAL with the voters in voting
    order (the participations' rowids give that order), guessing within a transaction."""
    seen: set[bytes] = set()
    guesses: list[str] = []
    for txn in _wal_transactions(wal):
        new = sorted(set(RECEIPT.findall(txn)) - seen)
        seen |= set(new)
        if new:
            guesses.append(rng.choice(new).decode())
    # the WAL may start after a checkpoint: align its newest transactions with the newest voters
    pairs = list(zip(reversed(voter_order), reversed(guesses), strict=False))
    return dict(pairs)


def test_secret_ballots_are_unlinkable_from_the_raw_database(app, crew):
    pid, truth = _vote_all(app, crew)
    rng = random.Random(1)
    with app.app_context():
        dialect = db.engine.dialect.name
        # while the vote is open nothing a voter chose is anywhere in the clear
        if dialect == "sqlite":
            for path in _sqlite_files(app):
                data = path.read_bytes()
                assert not set(truth.values()) & {r.decode() for r in RECEIPT.findall(data)}, path
        rows = [dict(r) for t in db.metadata.sorted_tables for r in db.session.execute(sa.select(t)).mappings()]
        flat = repr(rows)
        assert not any(receipt in flat for receipt in truth.values())
        db.session.remove()

    _close(app, pid)
    with app.app_context():
        conn = db.session.connection()
        ballots_table = db.metadata.tables["ballots"]
        assert not [c.name for c in ballots_table.columns if isinstance(c.type, sa.DateTime | sa.Date)]
        if dialect == "postgresql":
            parts = conn.execute(sa.text(
                "SELECT member_id, xmin::text::bigint AS x, ctid::text AS c FROM participations "
                "WHERE proposal_id = :p"), {"p": pid}).all()
            ballots = conn.execute(sa.text(
                "SELECT receipt, xmin::text::bigint AS x, ctid::text AS c FROM ballots WHERE proposal_id = :p"),
                {"p": pid}).all()

            def where(ctid: str):
                page, item = ctid.strip("()").split(",")
                return int(page), int(item)

            voter_order = [m for m, _, _ in sorted(parts, key=lambda r: r.x)]
            ballot_order = [r for r, _, _ in sorted(ballots, key=lambda b: (b.x, where(b.c)))]
            # the attacker: the ballot written by the participation's own transaction, else the
            # ballot in the same position of the physical order
            by_xmin: dict[int, list[str]] = {}
            for receipt, xmin, _ in ballots:
                by_xmin.setdefault(xmin, []).append(receipt)
            guess = {}
            for position, (member, xmin, _) in enumerate(sorted(parts, key=lambda r: r.x)):
                same = by_xmin.get(xmin)
                guess[member] = rng.choice(same) if same else ballot_order[position]
            assert len({x for _, x, _ in ballots}) == 1     # every ballot written by the closing transaction
            assert not {x for _, x, _ in ballots} & {x for _, x, _ in parts}
        else:
            parts = conn.execute(sa.text(
                "SELECT member_id, rowid FROM participations WHERE proposal_id = :p"), {"p": pid}).all()
            ballots = conn.execute(sa.text("SELECT receipt FROM ballots WHERE proposal_id = :p"), {"p": pid}).all()
            voter_order = [m for m, _ in sorted(parts, key=lambda r: r[1])]
            ballot_order = [r for (r,) in ballots]      # the physical order of the table
            guess = dict(zip(voter_order, ballot_order, strict=True))
            wal = b"".join(p.read_bytes() for p in _sqlite_files(app) if p.name.endswith("-wal"))
            exact, _ = _score(voter_order, _wal_attack(wal, voter_order, rng), truth,
                              {r: i for i, r in enumerate(ballot_order)})
            assert exact <= MAX_EXACT, f"the -wal file links {exact} of {VOTERS} voters to their ballot"
        db.session.remove()
    assert len(ballot_order) == VOTERS
    exact, rho = _score(voter_order, guess, truth, {r: i for i, r in enumerate(ballot_order)})
    assert exact <= MAX_EXACT, f"{dialect}: {exact} of {VOTERS} voters linked to their ballot"
    assert abs(rho) <= MAX_RHO, f"{dialect}: ballot order follows voting order (rank correlation {rho:.2f})"


def test_the_attack_finds_a_link_when_there_is_one():
    """The measures can fail: ballots stored in voting order, each in its voter's transaction."""
    voters = list(range(VOTERS))
    truth = {m: f"R{m:03d}" for m in voters}
    exact, rho = _score(voters, dict(truth), truth, {truth[m]: m for m in voters})
    assert exact == VOTERS and rho > 0.99
    page = 4096
    wal = bytearray(b"\0" * 32)
    wal[8:12] = page.to_bytes(4, "big")
    codes = {m: f"ABCD-EFGH-{m:04d}".replace("0", "A").replace("1", "B") for m in voters}
    for m in voters:
        frame = bytearray(24)
        frame[4:8] = (1).to_bytes(4, "big")
        frame[8:16] = wal[16:24]
        wal += frame + codes[m].encode().ljust(page, b"\0")
    guessed = _wal_attack(bytes(wal), voters, random.Random(0))
    assert sum(1 for m in voters if guessed.get(m) == codes[m]) == VOTERS
