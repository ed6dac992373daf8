"""The decision-kinds migration keeps every closed result: proposals recorded before it are
mapped onto the kind they were meant as, marked "legacy", and recounted with the counting
they closed with (consent, consensus and votes-cast resolutions that the new kinds would count
differently included). Runs on SQLite and PostgreSQL, like tests/test_migrations.py."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.test_migrations import migration_app, throwaway_database

BEFORE = "7c2d9e4f1a36"

#: (method, preset, rule changes, roll, quorum, threshold, ballots, outcome it closed with, kind expected)
OLD = [
    # consent, everyone stood aside: failed then ("nobody agreed"); silence-agrees would pass it
    ("consent", None, {}, 3, 2, 50, ["stand_aside", "stand_aside"], "failed", "consent"),
    # consensus 3 agree, 2 disagree: passed then; strict consensus would fail it
    ("consensus", None, {}, 5, 2, 50, ["agree"] * 3 + ["disagree"] * 2, "passed", "consensus"),
    # ordinary resolution of votes cast, 4 for 1 against of 10: passed then; of all members it would fail
    ("resolution", "ordinary", {}, 10, 5, 50, ["for"] * 4 + ["against"], "passed", "ordinary"),
    ("resolution", "special", {}, 10, 5, 75, ["for"] * 4 + ["against"] * 2, "failed", "special"),
    ("resolution", "custom", {"leaving_notice_days": 21}, 4, 2, 80, ["for"] * 4, "passed", "special"),
    ("poll", None, {}, 4, 2, 50, [0, 0, 1], "passed", "poll"),
    ("unanimity", None, {}, 3, 2, 100, ["for"] * 3, "passed", "entrenched"),
]


def _fill(table: sa.Table, **given):
    """A row for ``table``: the given values, and something valid for every other required column."""
    row = dict(given)
    for column in table.columns:
        if column.name in row or column.nullable or column.server_default is not None:
            continue
        if column.primary_key and isinstance(column.type, sa.Integer):
            continue
        kind = column.type
        if isinstance(kind, sa.Boolean):
            row[column.name] = False
        elif isinstance(kind, sa.Integer):
            row[column.name] = 1
        elif isinstance(kind, sa.DateTime):
            row[column.name] = datetime(2025, 1, 1, 12)
        elif isinstance(kind, sa.Date):
            row[column.name] = date(2025, 1, 1)
        else:
            row[column.name] = f"{table.name}-{column.name}-{len(row)}"[: getattr(kind, "length", None) or 200]
    return row


def _insert(conn, meta, table_name, **given) -> int:
    table = meta.tables[table_name]
    result = conn.execute(table.insert().values(**_fill(table, **given)))
    return result.inserted_primary_key[0] if result.inserted_primary_key else None


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_closed_proposals_keep_their_outcome_through_the_migration(kind, tmp_path):
    from flask_migrate import upgrade

    from coopkit.proposals import closing
    from coopkit.proposals.models import Proposal

    with throwaway_database(kind, tmp_path) as url, migration_app(url):
        upgrade(revision=BEFORE)
        meta = sa.MetaData()
        with db.engine.begin() as conn:
            meta.reflect(conn)
            user_id = _insert(conn, meta, "users", email="old@example.org", name="Old Member")
            coop_id = _insert(conn, meta, "coops", slug="old-coop", name="Old Co-operative Limited",
                              stage="registered")
            members = [_insert(conn, meta, "members", coop_id=coop_id, full_name=f"Member {i}", status="member",
                               member_class="voting", user_id=user_id if i == 0 else None) for i in range(10)]
            for number, (method, preset, changes, roll, quorum, threshold, ballots, outcome, _) in \
                    enumerate(OLD, start=1):
                pid = _insert(conn, meta, "proposals", coop_id=coop_id, number=number, title=f"Old {number}",
                              proposer_member_id=members[0], created_by_id=user_id, method=method, preset=preset,
                              threshold_percent=threshold, basis="cast", quorum_needed=quorum,
                              options_json=json.dumps(["Teal", "Plum"] if method == "poll" else []), seats=1,
                              ranking="stv", secret=False, allow_early_close=False,
                              rule_changes_json=json.dumps(changes), state="closed", outcome=outcome,
                              opens_at=datetime(2025, 1, 1), closes_at=datetime(2025, 1, 8),
                              closed_at=datetime(2025, 1, 8), closed_early=False)
                for member_id in members[:roll]:
                    _insert(conn, meta, "voter_roll_entries", proposal_id=pid, member_id=member_id)
                for i, choice in enumerate(ballots):
                    _insert(conn, meta, "participations", proposal_id=pid, member_id=members[i],
                            voted_at=datetime(2025, 1, 2), changes=0)
                    _insert(conn, meta, "ballots", id=f"{pid:04d}{i:028d}", proposal_id=pid, member_id=members[i],
                            receipt=None, choice=json.dumps(choice))
        upgrade()
        rows = db.session.execute(sa.select(Proposal).order_by(Proposal.number)).scalars().all()
        assert len(rows) == len(OLD)
        for proposal, (method, _, _, _, _, _, _, outcome, kind_key) in zip(rows, OLD, strict=True):
            assert (proposal.kind, proposal.venue, proposal.outcome) == (kind_key, "legacy", outcome)
            recount = closing.current_tally(proposal)
            assert recount.outcome == outcome, (proposal.number, method, recount.reason)
            assert "before decision kinds" in proposal.citation
        db.session.remove()
