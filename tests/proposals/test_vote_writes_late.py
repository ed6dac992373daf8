"""The vote POST reads (user, co-op, proposal, member, form) without the write lock and writes in
one short transaction of its own (coopkit.database.writes_late and write_transaction), SQLite here
and PostgreSQL when COOPKIT_TEST_DATABASE_URL points at it. What it read first may be stale when it
writes, so the vote reads again inside the write transaction whatever it decides on.

The voter's request is held between its reads and its write while another transaction changes the
proposal and commits: that other writer is not kept waiting (on SQLite the request holds no write
lock while it reads), and the vote decides on what is true when it writes.
"""

from __future__ import annotations

import contextlib
import threading

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.proposals.conftest import counts, make_open
from tests.threads import run_together

VOTE = "/c/crew-coop/proposals/1/vote"


@pytest.fixture()
def held(monkeypatch):
    """Hold every vote POST after its reads, before its write transaction, until ``go`` is set;
    ``read`` is set when one gets there."""
    from coopkit.database import write_transaction
    from coopkit.proposals import voting_views

    read, go = threading.Event(), threading.Event()

    @contextlib.contextmanager
    def held_write():
        read.set()
        assert go.wait(60), "the other writer never finished"
        with write_transaction():
            yield

    monkeypatch.setattr(voting_views, "write_transaction", held_write)
    return read, go


def _problem(page: str) -> str | None:
    import re

    found = re.search(r'role="alert"><h2>Your vote was not recorded</h2><p>([^<]+)</p>', page)
    return found.group(1) if found else None


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_vote_whose_proposal_closed_after_the_page_read_it_is_refused(app, crew, login, held, secret):
    """The close commits while the vote request holds the proposal as it read it (open): the vote
    is refused when it writes, and nothing of it is stored or counted."""
    from coopkit.proposals import closing
    from coopkit.proposals.models import Ballot, BallotBox, BallotChange, Participation, Proposal

    read, go = held
    _, pid = make_open(app, crew, secret=secret)
    answers: list = []

    def work(i):
        if i == 0:   # the voter
            client = login(app.test_client(), crew.people[0][0])
            response = client.post(VOTE, data={"choice": "for", "seen": "0"})
            answers.append((response.status_code, response.get_data(as_text=True)))
            return
        assert read.wait(60), "the vote never got past its reads"
        with app.app_context():   # the closer: not kept waiting by the voter's request
            try:
                assert closing.close_proposal(db.session.get(Proposal, pid), notify=False) is not None
                db.session.commit()
            finally:
                db.session.remove()
                go.set()

    errors = run_together(2, work, timeout=120)
    assert not errors, errors
    [(status, page)] = answers
    assert status == 200 and _problem(page) == "Voting on this proposal has closed."
    assert counts(app, Participation, Ballot, BallotBox, BallotChange) == (0, 0, 0, 0)
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        assert proposal.state == "closed" and proposal.result["participants"] == 0
        assert db.session.execute(sa.select(sa.func.count()).select_from(Participation)).scalar_one() == 0
        db.session.remove()


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_a_vote_made_from_another_tab_meanwhile_is_not_counted_twice(app, crew, login, held, secret):
    """The same member's vote commits (another tab) while this request holds what it read (not
    voted yet): the unique constraint decides, one participation and one ballot stay."""
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import voting
    from coopkit.proposals.models import Ballot, BallotBox, Participation, Proposal

    read, go = held
    _, pid = make_open(app, crew, secret=secret)
    user, member = crew.people[0]
    answers: list = []

    def work(i):
        if i == 0:
            client = login(app.test_client(), user)
            response = client.post(VOTE, data={"choice": "against", "seen": "0"})
            answers.append((response.status_code, response.get_data(as_text=True)))
            return
        assert read.wait(60), "the vote never got past its reads"
        with app.app_context():   # the other tab, straight through the service
            try:
                voting.cast_vote(db.session.get(Proposal, pid), db.session.get(Coop, crew.coop.id),
                                 db.session.get(Member, member.id), "for")
                db.session.commit()
            finally:
                db.session.remove()
                go.set()

    errors = run_together(2, work, timeout=120)
    assert not errors, errors
    [(status, page)] = answers
    assert status == 200 and _problem(page) in {
        "Your vote changed since this page was loaded (perhaps in another tab). "
        "Check it below and vote again if you want to change it.",
        "You have already voted in this secret ballot; a secret vote can&#39;t be changed."}
    assert counts(app, Participation) == (1,)
    assert counts(app, BallotBox if secret else Ballot) == (1,)


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_the_vote_that_passes_a_written_resolution_closes_it_in_the_same_request(app, crew, login, secret):
    """Through the vote page: the vote is committed first, then the resolution it passed is counted
    and closed in a transaction of its own; the chain says "voted", then "closed"."""
    from coopkit.audit.models import AuditEvent
    from coopkit.proposals.models import Proposal
    from coopkit.proposals.tally import votes_needed

    _, pid = make_open(app, crew, secret=secret)
    with app.app_context():
        needed = votes_needed(
            db.session.execute(sa.text("SELECT count(*) FROM voter_roll_entries WHERE proposal_id = :p"),
                               {"p": pid}).scalar_one(), db.session.get(Proposal, pid).threshold)
        db.session.remove()
    voters = [crew.secretary, *crew.users][:needed]
    assert len(voters) == needed, "the crew is too small for this threshold"
    for i, user in enumerate(voters):
        client = login(app.test_client(), user)
        response = client.post(VOTE, data={"choice": "for", "seen": "0"}, follow_redirects=True)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        with app.app_context():
            state = db.session.get(Proposal, pid).state
            db.session.remove()
        if i < needed - 1:
            assert state == "open" and "That vote passed it" not in page
        else:
            assert state == "closed" and "That vote passed it" in page
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        assert proposal.outcome == "passed" and proposal.closed_early and proposal.result["participants"] == needed
        actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.subject_type == "Proposal",
                                                                        AuditEvent.subject_id == str(pid))
                                     .order_by(AuditEvent.seq)).scalars().all()
        voted = "proposal.participated" if secret else "proposal.voted"
        assert actions[-2:] == [voted, "proposal.closed"] and actions.count(voted) == needed
        db.session.remove()


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_many_votes_passing_a_written_resolution_at_once_close_it_once(app, crew, secret):
    """30 members agree at once, as the vote page does it: each vote commits, then the ones that may
    have passed it count (without the write lock) and try to close it in a transaction of their own.
    No vote fails (a count read while others commit once answered a TallyError), it closes once,
    and the close counts exactly the votes that were accepted."""
    from coopkit.coops.models import Coop, Member
    from coopkit.database import write_transaction
    from coopkit.proposals import closing, services
    from coopkit.proposals.models import Ballot, BallotBox, Participation, Proposal
    from tests.proposals.test_concurrency import add_voters

    voters = add_voters(app, crew.coop.id, 30)
    _, pid = make_open(app, crew, secret=secret)
    closes, refusals = [], []
    lock = threading.Lock()

    def vote(i):
        with app.app_context():
            try:
                proposal = db.session.get(Proposal, pid)
                coop, member = db.session.get(Coop, crew.coop.id), db.session.get(Member, voters[i])
                try:
                    with write_transaction():
                        _, may_have_passed = closing.cast_vote_and_check(proposal, coop, member, "for")
                except services.VoteError as exc:
                    with lock:
                        refusals.append(str(exc))
                    return
                if may_have_passed and closing.passes_at_once(proposal):
                    with write_transaction():
                        if closing.close_when_passed(proposal) is not None:
                            with lock:
                                closes.append(i)
            finally:
                db.session.remove()

    errors = run_together(len(voters), vote, timeout=300)
    assert not errors, errors[:3]
    assert len(closes) == 1
    assert set(refusals) <= {"Voting on this proposal has closed."}
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        assert proposal.state == "closed" and proposal.outcome == "passed" and proposal.closed_early
        db.session.remove()
    participations, ballots, box = counts(app, Participation, Ballot, BallotBox)
    assert participations == ballots == proposal.result["participants"] == len(voters) - len(refusals)
    assert box == 0
