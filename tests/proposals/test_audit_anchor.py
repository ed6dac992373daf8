"""The audit chain covers every count, and its head is anchored outside the database: the outcome
email, the minutes and register PDFs and the audit page carry the fingerprint, and
``coopkit audit verify --against`` it catches what an operator with write access to the tables
could otherwise hide: an edited event with every later hash and the head recomputed, the newest
events deleted, forged events appended, ballots flipped with the stored result rewritten."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.audit import chain as chainlib
from coopkit.audit.models import AuditChainHead, AuditEvent
from coopkit.extensions import db
from tests.proposals.conftest import in_app, make_open, time_travel


def verify(app, *args):
    result = app.test_cli_runner().invoke(args=["audit", "verify", *args])
    return result.exit_code, result.output


def _closed_and_mailed(app, crew, mailbox) -> tuple[int, str]:
    """A secret vote (for, against, for) closed by the periodic close; a comment comes after.
    Returns (proposal id, the fingerprint in Amy's outcome email)."""
    from coopkit.coops.models import Coop, Member
    from coopkit.proposals import closing, services, voting
    from coopkit.proposals.models import Proposal

    _, pid = make_open(app, crew, secret=True)
    for (_, member), choice in zip(crew.people, ("for", "against", "for"), strict=True):
        with app.app_context():
            proposal = db.session.get(Proposal, pid)
            voting.cast_vote(proposal, db.session.get(Coop, proposal.coop_id), db.session.get(Member, member.id),
                             choice)
            db.session.commit()
            db.session.remove()
    time_travel(app, pid, hours=24 * 4)
    mailbox.clear()
    in_app(app, lambda get_coop, get_user: closing.close_due())
    [mail] = [m for m in mailbox.to(crew.users[0].email) if m["Subject"].startswith("Result:")]
    anchor = re.search(r"coopkit audit verify --against ([0-9a-f]{64})", mailbox.body(mail)).group(1)
    in_app(app, lambda get_coop, get_user: services.add_comment(
        db.session.get(Proposal, pid), get_coop(crew.coop.id), get_user(crew.secretary.id), "Thanks all."))
    return pid, anchor


def _chain(app, coop_id) -> str:
    return f"coop:{coop_id}"


def _rehash(name: str, from_seq: int) -> None:
    """What a careful forger does after changing the log: recompute every hash from ``from_seq``
    on and move the head, so the chain verifies on its own."""
    events = db.session.execute(sa.select(AuditEvent).where(AuditEvent.chain == name)
                                .order_by(AuditEvent.seq)).scalars().all()
    previous = chainlib.GENESIS
    for event in events:
        if event.seq >= from_seq:
            event.prev_hash = previous
            event.hash = chainlib.event_hash(previous, event.hashed_fields())
        previous = event.hash
    head = db.session.get(AuditChainHead, name)
    head.seq, head.hash = events[-1].seq, events[-1].hash
    db.session.commit()


def test_an_untouched_log_holds_the_history_members_were_sent(app, crew, mailbox, login, client):
    pid, anchor = _closed_and_mailed(app, crew, mailbox)
    code, out = verify(app, "--against", anchor)
    assert code == 0 and "holds the history of" in out and "RESULTS" not in out, out
    code, out = verify(app, "crew-coop", "--against", anchor)
    assert code == 0, out
    code, out = verify(app, "--against", "0" * 64)
    assert code == 1 and "does NOT hold the history" in out
    with app.app_context():
        close = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "proposal.closed")).scalar_one()
        data = json.loads(close.data)
        assert data["ballots"] == 3 and len(data["ballots_sha256"]) == 64 and data["counts"][0] == ["for", 2]
        assert close.hash == anchor       # the email's fingerprint is the head just after the result
        head = db.session.get(AuditChainHead, _chain(app, crew.coop.id)).hash
        db.session.remove()
    # the current head is printed on the minutes and the registers and shown on the audit page
    login(client, crew.secretary)
    for url in ("/c/crew-coop/proposals/1/minutes.pdf", "/c/crew-coop/register/register.pdf",
                "/c/crew-coop/register/officers.pdf"):
        response = client.get(url)
        assert response.status_code == 200, url
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
        assert head in re.sub(r"\s+", "", text), url
    assert head in client.get("/c/crew-coop/audit/").text
    assert head in client.get("/c/crew-coop/audit/verify").text


def test_an_edited_event_with_every_later_hash_recomputed_is_caught(app, crew, mailbox):
    _, anchor = _closed_and_mailed(app, crew, mailbox)
    with app.app_context():
        opened = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "proposal.opened")).scalar_one()
        opened.data = opened.data.replace('"quorum":', '"quorum":1,"was":')    # lower the quorum on record
        _rehash(opened.chain, opened.seq)
        db.session.remove()
    assert verify(app)[0] == 0      # on its own the rewritten chain verifies: that is why anchors exist
    code, out = verify(app, "--against", anchor)
    assert code == 1 and "no event has this fingerprint" in out, out


def test_deleting_the_newest_events_is_caught(app, crew, mailbox):
    _, anchor = _closed_and_mailed(app, crew, mailbox)
    with app.app_context():
        close = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "proposal.closed")).scalar_one()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.chain == close.chain, AuditEvent.seq >= close.seq))
        _rehash(close.chain, close.seq)
        db.session.remove()
    code, out = verify(app, "--against", anchor)
    assert code == 1 and "no event has this fingerprint" in out, out
    assert "closed, but its close is not in the audit log" in out


def test_forged_events_appended_are_caught(app, crew, mailbox):
    pid, anchor = _closed_and_mailed(app, crew, mailbox)
    with app.app_context():
        anchored = db.session.execute(sa.select(AuditEvent).where(AuditEvent.hash == anchor)).scalar_one()
        head = db.session.get(AuditChainHead, anchored.chain)
        # a second close of the same proposal, with another result, dated an hour before the real one
        forged = AuditEvent(chain=anchored.chain, coop_id=anchored.coop_id, seq=head.seq + 1,
                            created_at=anchored.created_at - timedelta(hours=1), action="proposal.closed",
                            subject_type="Proposal", subject_id=str(pid),
                            data=chainlib.canonical_json({"outcome": "failed", "ballots": 3}), prev_hash=head.hash)
        forged.hash = chainlib.event_hash(forged.prev_hash, forged.hashed_fields())
        head.seq, head.hash = forged.seq, forged.hash
        db.session.add(forged)
        db.session.commit()
        db.session.remove()
    code, out = verify(app, "--against", anchor)
    assert code == 1, out
    assert "added after the fingerprint but is dated before it (forged)" in out
    assert "closed 2 times in the audit log" in out


def test_flipped_ballots_with_a_rewritten_result_are_caught(app, crew, mailbox):
    from coopkit.proposals.closing import current_tally, result_to_json
    from coopkit.proposals.models import Ballot, Proposal

    pid, anchor = _closed_and_mailed(app, crew, mailbox)
    with app.app_context():
        db.session.execute(sa.update(Ballot).where(Ballot.proposal_id == pid).values(choice='"against"'))
        proposal = db.session.get(Proposal, pid)
        result = current_tally(proposal)          # a result that matches the flipped ballots
        proposal.result_json, proposal.outcome = result_to_json(result), result.outcome
        db.session.commit()
        assert proposal.outcome == "failed"
        db.session.remove()
    code, out = verify(app)
    assert code == 1, out
    assert "the stored ballots (3) are not the ones counted at close" in out
    assert "the stored result is not the one recorded at close" in out
    # the forger also rewrites the close event to match, and every hash after it
    with app.app_context():
        from coopkit.proposals.integrity import count_record

        close = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "proposal.closed")).scalar_one()
        data = json.loads(close.data)
        data.update(count_record(db.session.get(Proposal, pid)), outcome="failed")
        close.data = chainlib.canonical_json(data)
        _rehash(close.chain, close.seq)
        db.session.remove()
    code, out = verify(app)
    assert code == 0, out            # consistent again on its own...
    code, out = verify(app, "--against", anchor)
    assert code == 1 and "no event has this fingerprint" in out, out    # ...but not with the member's email
