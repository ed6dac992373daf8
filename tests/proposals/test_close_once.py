"""A proposal closes once, and its result is emailed once: by the one transaction that
wins the conditional ``UPDATE ... WHERE state = 'open'``, after it commits, through the
job queue. Real threads, real transactions (SQLite here; PostgreSQL when
COOPKIT_TEST_DATABASE_URL points at it), and a real SMTP server (``mailbox``).
"""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.proposals.conftest import make_open, time_travel
from tests.threads import run_together

VOTERS = 12


def add_voters_with_email(app, coop_id: int, n: int) -> list[tuple[int, str]]:
    from coopkit.coops.models import Member

    with app.app_context():
        members = [Member(coop_id=coop_id, full_name=f"Voter {i:02d}", status="member", email=f"voter{i}@example.org",
                          admitted_on=date(2024, 1, 1), postal_address=f"{i} Long Row, Preston")
                   for i in range(n)]
        db.session.add_all(members)
        db.session.commit()
        out = [(m.id, m.email) for m in members]
        db.session.remove()
        return out


def _vote(app, pid: int, member_id: int, choice: str) -> None:
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import voting
    from coopkit.proposals.models import Proposal

    with app.app_context():
        try:
            proposal = db.session.get(Proposal, pid)
            voting.cast_vote(proposal, db.session.get(Coop, proposal.coop_id), db.session.get(Member, member_id),
                             choice)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        finally:
            db.session.remove()


def _closed_events(app, pid: int) -> int:
    from coopkit.audit.models import AuditEvent

    with app.app_context():
        try:
            return db.session.execute(
                sa.select(sa.func.count()).select_from(AuditEvent)
                .where(AuditEvent.action == "proposal.closed", AuditEvent.subject_id == str(pid))
            ).scalar_one()
        finally:
            db.session.remove()


def result_mail(mailbox) -> list:
    return [m for m in mailbox.messages if m["Subject"].startswith("Result:")]


@pytest.mark.parametrize("secret", [False, True], ids=["open", "secret"])
def test_concurrent_closers_and_late_votes_send_each_result_email_exactly_once(app, crew, mailbox, secret):
    """Eight closers at once (the periodic job, the close-due command's service, an early close
    attempt) and six late votes, after the closing time: one close, one result email per person
    on the roll, the late votes refused and stored nowhere."""
    from coopkit.proposals import closing
    from coopkit.proposals.models import Participation, Proposal
    from coopkit.proposals.tasks import close_due_proposals

    voters = add_voters_with_email(app, crew.coop.id, VOTERS)
    _, pid = make_open(app, crew, secret=secret)
    for member_id, _ in voters[:5]:
        _vote(app, pid, member_id, "for")
    time_travel(app, pid, hours=24 * 4)
    with app.app_context():
        from coopkit.proposals.models import VoterRollEntry

        roll = db.session.execute(
            sa.select(sa.func.count()).where(VoterRollEntry.proposal_id == pid)).scalar_one()
        db.session.remove()
    assert roll == VOTERS + 5  # the crew's founder, secretary and three members, plus the voters
    mailbox.clear()

    def close_by_command():
        with app.app_context():
            try:
                closing.close_due()
                db.session.commit()
            finally:
                db.session.remove()

    late = [member_id for member_id, _ in voters[5:11]]
    refused = []

    def work(i):
        if i < 4:
            with app.app_context():               # (a worker has one app; the test process several)
                close_due_proposals.call_local()  # the periodic job: its own unit of work
        elif i < 8:
            close_by_command()
        else:
            try:
                _vote(app, pid, late[i - 8], "against")
            except Exception as exc:  # noqa: BLE001 - a refused vote raises; counted below
                refused.append(type(exc).__name__)

    errors = run_together(8 + len(late), work)
    assert not errors, errors
    assert len(refused) == len(late)
    assert _closed_events(app, pid) == 1
    with app.app_context():
        proposal = db.session.get(Proposal, pid)
        assert proposal.state == "closed"
        assert proposal.result["participants"] == 5
        assert db.session.execute(
            sa.select(sa.func.count()).where(Participation.proposal_id == pid)).scalar_one() == 5
        db.session.remove()
    results = result_mail(mailbox)
    assert len(results) == roll
    recipients = sorted(m["X-Envelope-To"] for m in results)
    assert len(set(recipients)) == roll
    assert {email for _, email in voters} <= set(recipients)
    assert len(mailbox.messages) == roll  # nothing else: no reminder, no second result

    # Later runs of the periodic job find nothing to do and send nothing.
    with app.app_context():
        close_due_proposals.call_local()
    assert len(mailbox.messages) == roll


def test_a_close_that_rolls_back_sends_nothing(app, crew, mailbox):
    from coopkit.proposals import closing
    from coopkit.proposals.models import Proposal

    add_voters_with_email(app, crew.coop.id, 3)
    _, pid = make_open(app, crew)
    time_travel(app, pid, hours=24 * 4)
    mailbox.clear()
    with app.app_context():
        assert [p.id for p in closing.close_due()] == [pid]   # closed and result mail queued ...
        db.session.rollback()                                   # ... then the transaction fails
        assert db.session.get(Proposal, pid).state == "open"
        db.session.remove()
    assert mailbox.messages == []
    with app.app_context():
        closing.close_due()
        db.session.commit()
        db.session.remove()
    assert len(result_mail(mailbox)) == 8
