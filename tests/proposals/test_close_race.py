"""Closing and voting serialise on the proposal (SQLite here; PostgreSQL when
COOPKIT_TEST_DATABASE_URL points at it), with real threads and transactions held open:

- a vote accepted before the closing time and still in flight when the close starts is counted;
- a vote that arrives while a close is counting is refused and stored nowhere;
- a close never sees a participation without its ballot (no TallyError).
"""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.proposals.conftest import make_open
from tests.proposals.test_concurrency import add_voters
from tests.threads import run_together

#: how long a transaction is held open while the other one tries to go ahead
HOLD = 1.0


def _objects(app, pid, member_id):
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals.models import Proposal

    proposal = db.session.get(Proposal, pid)
    return proposal, db.session.get(Coop, proposal.coop_id), db.session.get(Member, member_id)


def _stored(app, pid):
    from coopkit.proposals.models import Ballot, BallotBox, Participation, Proposal

    with app.app_context():
        try:
            proposal = db.session.get(Proposal, pid)
            participations = set(db.session.execute(
                sa.select(Participation.member_id).where(Participation.proposal_id == pid)).scalars())
            ballots = db.session.execute(
                sa.select(sa.func.count()).where(Ballot.proposal_id == pid)).scalar_one()
            pending = db.session.execute(
                sa.select(sa.func.count()).where(BallotBox.proposal_id == pid)).scalar_one()
            return proposal.state, proposal.result, participations, ballots, pending
        finally:
            db.session.remove()


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_vote_in_flight_across_the_closing_time_is_counted(app, crew, secret):
    """The voter is accepted 1 s before the closing time; their transaction is still open when
    the close starts 1 s after it. The close waits for the vote and counts it."""
    from coopkit.proposals import closing, voting

    voters = add_voters(app, crew.coop.id, 3)
    _, pid = make_open(app, crew, secret=secret)
    for member_id in voters[:2]:      # two earlier votes, committed
        with app.app_context():
            proposal, coop, member = _objects(app, pid, member_id)
            voting.cast_vote(proposal, coop, member, "for")
            db.session.commit()
            db.session.remove()
    with app.app_context():
        closes_at = _objects(app, pid, voters[0])[0].closes_at
        db.session.remove()
    recorded, close_started = threading.Event(), threading.Event()
    outcome: dict = {}

    def work(i):
        with app.app_context():
            try:
                if i == 0:    # the voter: records, then holds the transaction open across the close
                    proposal, coop, member = _objects(app, pid, voters[2])
                    voting.cast_vote(proposal, coop, member, "against", now=closes_at - timedelta(seconds=1))
                    recorded.set()
                    assert close_started.wait(30)
                    time.sleep(HOLD)
                    db.session.commit()
                    outcome["vote_committed"] = time.monotonic()
                else:         # the closer, at 1 s past the closing time
                    assert recorded.wait(30)
                    close_started.set()
                    closed = closing.close_due(now=closes_at + timedelta(seconds=1))
                    outcome["counted"] = time.monotonic()
                    db.session.commit()
                    outcome["closed"] = [p.id for p in closed]
            finally:
                db.session.remove()

    errors = run_together(2, work)
    assert not errors, errors
    assert outcome["closed"] == [pid]
    assert outcome["counted"] >= outcome["vote_committed"]          # the close waited for the vote
    state, result, participations, ballots, pending = _stored(app, pid)
    assert state == "closed" and participations == set(voters)
    assert result["participants"] == 3 and ballots == 3 and pending == 0
    assert dict(result["counts"])["against"] == 1 and dict(result["counts"])["for"] == 2


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_vote_arriving_while_the_close_counts_is_refused(app, crew, secret):
    """The close has claimed the proposal and holds its transaction open; a vote whose request
    began before the closing time waits, then is refused: it is neither stored nor counted."""
    from coopkit.proposals import closing, services, voting

    voters = add_voters(app, crew.coop.id, 2)
    _, pid = make_open(app, crew, secret=secret)
    with app.app_context():
        proposal, coop, member = _objects(app, pid, voters[0])
        voting.cast_vote(proposal, coop, member, "for")
        closes_at = proposal.closes_at
        db.session.commit()
        db.session.remove()
    claimed = threading.Event()
    refusals: list[str] = []

    def work(i):
        with app.app_context():
            try:
                if i == 0:    # the closer: claims and counts, then holds the transaction open
                    proposal = _objects(app, pid, voters[0])[0]
                    assert closing.close_proposal(proposal, now=closes_at, notify=False) is not None
                    claimed.set()
                    time.sleep(HOLD)
                    db.session.commit()
                else:         # the late voter: their page was loaded before the closing time
                    assert claimed.wait(30)
                    proposal, coop, member = _objects(app, pid, voters[1])
                    try:
                        voting.cast_vote(proposal, coop, member, "against",
                                         now=closes_at - timedelta(seconds=1))
                        db.session.commit()
                    except services.VoteError as exc:
                        db.session.rollback()
                        refusals.append(str(exc))
            finally:
                db.session.remove()

    errors = run_together(2, work)
    assert not errors, errors
    assert refusals == ["Voting on this proposal has closed."]
    state, result, participations, ballots, pending = _stored(app, pid)
    assert state == "closed" and participations == {voters[0]}
    assert result["participants"] == 1 and ballots == 1 and pending == 0


def test_a_burst_of_votes_across_the_close_never_breaks_the_count(app, crew):
    """30 voters and 3 closers at once, with the closing time passing in the middle: the close
    succeeds once, with no TallyError, and every stored vote is counted."""
    from coopkit.proposals import closing, services, voting

    voters = add_voters(app, crew.coop.id, 30)
    _, pid = make_open(app, crew, secret=True)
    with app.app_context():
        closes_at = _objects(app, pid, voters[0])[0].closes_at
        db.session.remove()
    closed: list[int] = []
    lock = threading.Lock()

    def work(i):
        with app.app_context():
            try:
                if i < 30:
                    proposal, coop, member = _objects(app, pid, voters[i])
                    try:
                        voting.cast_vote(proposal, coop, member, "for", now=closes_at - timedelta(seconds=1))
                        db.session.commit()
                    except services.VoteError:
                        db.session.rollback()
                else:
                    done = closing.close_due(now=closes_at)
                    db.session.commit()
                    with lock:
                        closed.extend(p.id for p in done)
            finally:
                db.session.remove()

    errors = run_together(33, work)
    assert not errors, errors[:3]
    assert closed == [pid]
    state, result, participations, ballots, pending = _stored(app, pid)
    assert state == "closed" and result["participants"] == len(participations) == ballots and pending == 0
