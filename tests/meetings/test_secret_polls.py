"""A secret poll at a general meeting is secret, as a proposal's secret ballot is: while it is
open each ballot is sealed in the ballot box (no member, no time, a random id); at close the
choices are written with no member and in random order, in one transaction. The test votes in
separate transactions, then reads the raw database (every column; PostgreSQL's xmin; SQLite's
rowid), the meeting page as each voter, the minutes PDF, the audit log and the log lines, and
looks for anything that ties a member to a choice."""

from __future__ import annotations

import json
import logging
import random
import re

import sqlalchemy as sa

from coopkit.extensions import db
from tests.jobs.helpers import fetch_pdf
from tests.meetings.helpers import act, call, first_item, present, start
from tests.meetings.member_helpers import on_item
from tests.proposals.test_secrecy import chunks_of_html, pdf_chunks

CHOICES = ("for", "against", "abstain")


def _raw(app, sql: str) -> list:
    with app.app_context():
        try:
            return [tuple(r) for r in db.session.execute(sa.text(sql)).all()]
        finally:
            db.session.remove()


def test_a_secret_poll_at_a_meeting_leaves_no_link_from_member_to_choice(app, make, client, login, caplog):
    from tests.meetings.conftest import build_assembly

    names = tuple(f"Voter {chr(65 + i)}{chr(97 + i)}ley" for i in range(11))
    asm = build_assembly(app, make, slug="secret-meeting", names=names)
    meeting_id = call(app, asm, days=20)
    voters = [(asm.secretary, asm.secretary_member)] + asm.people[1:]
    present(app, asm, meeting_id, [m for _, m in voters])
    start(app, asm, meeting_id)
    item_id = first_item(app, meeting_id)
    from coopkit.meetings import conduct

    act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.open_poll(i, m, c, u, secret=True)))
    rng = random.Random(11)
    cast = []
    caplog.set_level(logging.DEBUG)
    for user, member in voters:
        choice = rng.choice(CHOICES)
        act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u, ch=choice: conduct.cast_poll_vote(
            i, m, c, u, ch)), as_user=user)
        cast.append((user, member, choice))
    # while the poll is open: only sealed rows, nothing else in them
    box = _raw(app, "SELECT * FROM meeting_ballot_box")
    assert len(box) == len(voters) and all(len(row) == 3 for row in box)
    assert not _raw(app, "SELECT * FROM meeting_ballots")
    for _, _, sealed in box:
        assert not any(word in sealed for word in ('"choice"', "against", "abstain"))
    act(app, asm, meeting_id, on_item(item_id, lambda i, m, c, u: conduct.close_poll(i, m, c, u)))
    act(app, asm, meeting_id, lambda m, c, u: conduct.close_meeting(m, c, u))

    # the database: ballots have no member and no time, and are not in the order the votes came
    assert _raw(app, "SELECT * FROM meeting_ballot_box") == []
    ballots = _raw(app, "SELECT * FROM meeting_ballots")
    with app.app_context():
        columns = [c.name for c in db.metadata.tables["meeting_ballots"].columns]
        db.session.remove()
    assert sorted(columns) == ["choice", "id", "item_id", "member_id"]
    assert {row[columns.index("member_id")] for row in ballots} == {None}
    in_vote_order = [choice for _, _, choice in cast]
    assert sorted(row[columns.index("choice")] for row in ballots) == sorted(in_vote_order)
    stored_order = [row[columns.index("choice")] for row in ballots]
    by_id = [c for _, c in sorted(_raw(app, "SELECT id, choice FROM meeting_ballots"))]
    assert stored_order != in_vote_order and by_id != in_vote_order
    dialect = _raw(app, "SELECT 1")  # noqa: F841  (a connection for the dialect check below)
    with app.app_context():
        name = db.engine.dialect.name
        db.session.remove()
    if name == "postgresql":
        # every ballot was written by the closing transaction, none by a voter's
        ballot_xmins = {r[0] for r in _raw(app, "SELECT xmin::text FROM meeting_ballots")}
        voter_xmins = {r[0] for r in _raw(app, "SELECT xmin::text FROM meeting_voters")}
        assert len(ballot_xmins) == 1 and not ballot_xmins & voter_xmins
    else:
        import pytest

        with pytest.raises(sa.exc.OperationalError):
            _raw(app, "SELECT rowid FROM meeting_ballots")
    # no other table holds a voter's member id beside a choice word
    with app.app_context():
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(sa.select(table)).mappings():
                values = {k: v for k, v in row.items()}
                has_member = any(k.endswith("member_id") and v is not None for k, v in values.items())
                if has_member and table.name not in ("meeting_voters", "meeting_attendance", "audit_events",
                                                    "members", "officers", "share_transactions"):
                    assert not any(isinstance(v, str) and v in CHOICES for v in values.values()), (table.name, values)
        db.session.remove()

    # the audit log: who voted, never what (and no member id on a secret vote)
    events = _raw(app, "SELECT action, data FROM audit_events WHERE action = 'meeting.poll_vote'")
    assert len(events) == len(voters)
    for _, data in events:
        assert set(json.loads(data)) == {"item_id"}

    # pages, minutes PDF, logs: no record names a voter with their choice
    records = []
    for user, _, _ in cast[:3]:
        viewer = app.test_client()
        login(viewer, user)
        page = viewer.get(f"/c/{asm.coop.slug}/meetings/1")
        records += chunks_of_html(page.get_data(as_text=True))
        records += pdf_chunks(fetch_pdf(viewer, viewer.post(f"/c/{asm.coop.slug}/meetings/1/minutes.pdf")).data)
    records += [r.getMessage() for r in caplog.records]
    for user, _, choice in cast:
        word = re.compile(rf"(?<![\w-]){choice}(?![\w-])", re.I)
        for record in records:
            if user.name in record or user.email in record:
                assert not word.search(record), f"{record!r} links {user.name} to {choice!r}"
