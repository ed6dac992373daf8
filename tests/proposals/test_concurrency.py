"""Many voters at once, on a real database with real threads (SQLite here; PostgreSQL when
COOPKIT_TEST_DATABASE_URL points at it): nothing lost, nothing doubled, no errors."""

from __future__ import annotations

import re
import threading
from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.proposals.models import Ballot, BallotChange, Participation
from tests.proposals.conftest import counts, make_open
from tests.threads import run_together

THREADS = 200
SAME_MEMBER_THREADS = 50


def add_voters(app, coop_id: int, n: int) -> list[int]:
    """``n`` voting members without accounts, in one transaction (the factories commit one by one)."""
    from coopkit.coops.models import Member

    with app.app_context():
        members = [Member(coop_id=coop_id, full_name=f"Voter {i:03d}", status="member",
                          admitted_on=date(2024, 1, 1), postal_address=f"{i} Long Row, Preston")
                   for i in range(n)]
        db.session.add_all(members)
        db.session.commit()
        ids = [m.id for m in members]
        db.session.remove()
        return ids


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_200_members_voting_at_once_are_all_counted(app, crew, secret):
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import voting
    from coopkit.proposals.models import Proposal

    voters = add_voters(app, crew.coop.id, THREADS)
    from tests.proposals.helpers import rules_with

    rules_with(app, crew.coop.id, everyday_method="consensus")   # four choices: agree, abstain, disagree, block
    _, pid = make_open(app, crew, secret=secret, kind="consensus", days=8)
    choices = ("agree", "abstain", "disagree", "block")

    def vote(i):
        with app.app_context():
            try:
                proposal = db.session.get(Proposal, pid)
                outcome = voting.cast_vote(proposal, db.session.get(Coop, crew.coop.id),
                                             db.session.get(Member, voters[i]), choices[i % 4])
                db.session.commit()
                assert (outcome.receipt is not None) is secret
            finally:
                db.session.remove()

    errors = run_together(THREADS, vote, timeout=300)
    assert not errors, errors[:3]
    if secret:   # sealed in the ballot box until close; closing writes them all
        from coopkit.proposals.models import BallotBox

        assert counts(app, Participation, Ballot, BallotBox) == (THREADS, 0, THREADS)
        _close(app, pid)
    assert counts(app, Participation, Ballot) == (THREADS, THREADS)
    with app.app_context():
        per_choice = dict(db.session.execute(
            sa.select(Ballot.choice, sa.func.count()).group_by(Ballot.choice)).all())
        assert per_choice == {f'"{c}"': THREADS // 4 for c in choices}
        voted = set(db.session.execute(sa.select(Participation.member_id)).scalars())
        assert voted == set(voters)
        if secret:
            assert db.session.execute(
                sa.select(sa.func.count()).where(Ballot.member_id.is_not(None))).scalar() == 0
            receipts = db.session.execute(sa.select(Ballot.receipt)).scalars().all()
            assert len(set(receipts)) == THREADS
        db.session.remove()


def _close(app, pid):
    from coopkit.proposals import closing
    from coopkit.proposals.models import Proposal

    with app.app_context():
        closing.close_proposal(db.session.get(Proposal, pid), notify=False)
        db.session.commit()
        db.session.remove()


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_50_requests_for_one_member_record_one_participation(app, crew, login, secret):
    """The same member submits the vote form from 50 tabs at once, through the web views."""
    amy = crew.users[0]
    _, pid = make_open(app, crew, secret=secret)
    statuses: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post(i):
        client = app.test_client()
        login(client, amy)
        response = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
        with lock:
            statuses.append((response.status_code, response.get_data(as_text=True)))

    errors = run_together(SAME_MEMBER_THREADS, post, timeout=300)
    assert not errors, errors[:3]
    assert all(code < 500 for code, _ in statuses), [c for c, _ in statuses]
    accepted = [text for code, text in statuses if code in (200, 302) and "Your vote was not recorded" not in text]
    refused = [text for code, text in statuses if "Your vote was not recorded" in text]
    assert len(accepted) == 1 and len(refused) == SAME_MEMBER_THREADS - 1
    problems = {re.search(r'role="alert"><h2>Your vote was not recorded</h2><p>([^<]+)</p>', t).group(1)
                for t in refused}
    known = {"Your vote was already recorded (perhaps from another tab). Check it below.",
             "Your vote changed since this page was loaded (perhaps in another tab). "
             "Check it below and vote again if you want to change it.",
             "You have voted in this secret ballot. A secret vote can&#39;t be changed.",
             "You have already voted in this secret ballot; a secret vote can&#39;t be changed."}
    assert problems and problems <= known, problems
    if secret:
        _close(app, pid)
    assert counts(app, Participation, Ballot) == (1, 1)
    assert counts(app, BallotChange)[0] == (0 if secret else 1)


def test_50_service_calls_for_one_member_change_nothing_twice(app, crew):
    """Straight through the service, with open ballots: one participation, one ballot."""
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import services, voting
    from coopkit.proposals.models import Proposal

    _, pid = make_open(app, crew)
    member_id = crew.people[1][1].id
    refused: list[str] = []
    lock = threading.Lock()

    def vote(i):
        with app.app_context():
            try:
                voting.cast_vote(db.session.get(Proposal, pid), db.session.get(Coop, crew.coop.id),
                                   db.session.get(Member, member_id), "for", seen=0)
                db.session.commit()
            except services.VoteError as exc:
                db.session.rollback()
                with lock:
                    refused.append(str(exc))
            finally:
                db.session.remove()

    errors = run_together(SAME_MEMBER_THREADS, vote, timeout=300)
    assert not errors, errors[:3]
    assert len(refused) == SAME_MEMBER_THREADS - 1
    assert counts(app, Participation, Ballot, BallotChange) == (1, 1, 1)
