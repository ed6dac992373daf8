"""A co-op at two sizes for the page-budget tests: the demo's registered co-op (12 members,
rules in force, open and closed proposals, an open secret ballot, meetings, a calendar, a
cohort and its mentor), then the same co-op grown to 5,000 members with bulk inserts, with
proposals, votes, officers, shares, audit events and meetings in proportion."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coopkit import demo
from coopkit.accounts.models import User
from coopkit.audit.models import AuditChainHead, AuditEvent
from coopkit.coops.models import Coop, Member, Officer
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.meetings.models import Meeting
from coopkit.proposals.models import Ballot, Participation, Proposal, VoterRollEntry
from coopkit.register.models import ShareTransaction

SLUG = "preston-digital"
LOGINS = {"secretary": "dana@preston-digital.example", "member": "eli@preston-digital.example",
          "mentor": demo.MENTOR_EMAIL}


def seed_demo(app) -> dict[str, tuple[int, int]]:
    """The demo data; returns each role's (user id, session version) for logging a client in."""
    with app.app_context():
        demo.seed()
        db.session.commit()
        users = db.session.execute(sa.select(User.email, User.id, User.session_version)
                                   .where(User.email.in_(LOGINS.values()))).all()
        by_email = {email: (uid, version) for email, uid, version in users}
        return {role: by_email[email] for role, email in LOGINS.items()}


def first_open_proposal(app) -> int:
    """The number of the demo's open (open-ballot) proposal: the proposal page the tests load."""
    with app.app_context():
        return db.session.execute(
            sa.select(Proposal.number).join(Coop, Coop.id == Proposal.coop_id)
            .where(Coop.slug == SLUG, Proposal.state == "open", Proposal.secret.is_(False))
            .order_by(Proposal.number)).scalars().first()


def _columns(row, skip=("id",)) -> dict:
    return {c.key: getattr(row, c.key) for c in sa.inspect(type(row)).mapper.column_attrs if c.key not in skip}


def grow(app, total: int = 5000) -> None:
    """Add members (with accounts) until the co-op has ``total``; with them a share each, a
    director for every 500, two audit events each, a closed proposal for every 100 and a closed
    meeting for every 500, and their votes on the open proposals (three in five voted)."""
    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == SLUG)).scalar_one()
        have = db.session.execute(sa.select(sa.func.count(Member.id)).where(Member.coop_id == coop.id)).scalar()
        extra = total - have
        password_hash = db.session.execute(sa.select(User.password_hash).limit(1)).scalar()
        db.session.execute(sa.insert(User), [
            {"email": f"grown{i}@example.org", "name": f"Grown Member {i:05d}", "password_hash": password_hash,
             "is_admin": False, "session_version": 1} for i in range(extra)])
        user_ids = db.session.execute(sa.select(User.id).where(User.email.like("grown%@example.org"))
                                      .order_by(User.id)).scalars().all()
        db.session.execute(sa.insert(Member), [
            {"coop_id": coop.id, "user_id": uid, "full_name": f"Grown Member {i:05d}", "status": "member",
             "postal_address": f"{i} Long Road, Preston", "email": f"grown{i}@example.org", "member_class": "voting",
             "consents_to_electronic": True, "admitted_on": date(2024, 6, 1)} for i, uid in enumerate(user_ids)])
        ids = db.session.execute(sa.select(Member.id).where(Member.coop_id == coop.id, Member.full_name.like("Grown %"))
                                 .order_by(Member.id)).scalars().all()
        db.session.execute(sa.insert(ShareTransaction), [
            {"coop_id": coop.id, "member_id": mid, "kind": "issue", "amount_pence": 100, "paid_pence": 100,
             "on": date(2024, 6, 1), "note": ""} for mid in ids])
        db.session.execute(sa.insert(Officer), [
            {"coop_id": coop.id, "member_id": mid, "office": "director", "appointed_on": date(2024, 6, 1)}
            for mid in ids[::500]])
        _grow_votes(coop, ids)
        _grow_history(coop, ids, total)
        db.session.commit()


def _grow_votes(coop, ids) -> None:
    """The new members are on the roll of every open proposal; three in five have voted."""
    for proposal in db.session.execute(sa.select(Proposal).where(Proposal.coop_id == coop.id,
                                                                 Proposal.state == "open")).scalars():
        db.session.execute(sa.insert(VoterRollEntry), [{"proposal_id": proposal.id, "member_id": m} for m in ids])
        voters = [m for i, m in enumerate(ids) if i % 5 < 3]
        db.session.execute(sa.insert(Participation), [
            {"proposal_id": proposal.id, "member_id": m, "voted_at": utcnow(), "changes": 0} for m in voters])
        if not proposal.secret:
            db.session.execute(sa.insert(Ballot), [
                {"id": f"{proposal.id:08d}{m:024d}", "proposal_id": proposal.id, "member_id": m, "choice": '"for"'}
                for m in voters])


def _grow_history(coop, ids, total: int) -> None:
    """Closed proposals and meetings copied from the demo's, and two audit events a member."""
    closed = db.session.execute(sa.select(Proposal).where(Proposal.coop_id == coop.id, Proposal.state == "closed")
                                .order_by(Proposal.number)).scalars().first()
    number = db.session.execute(sa.select(sa.func.max(Proposal.number)).where(Proposal.coop_id == coop.id)).scalar()
    template = _columns(closed, skip=("id", "number", "title", "amended_rules_version_id"))
    db.session.execute(sa.insert(Proposal), [
        {**template, "number": number + 1 + k, "title": f"Earlier decision {k}",
         "closed_at": closed.closed_at - timedelta(days=30 * (k + 1))} for k in range(total // 100)])
    meeting = db.session.execute(sa.select(Meeting).where(Meeting.coop_id == coop.id)
                                 .order_by(Meeting.number)).scalars().first()
    mnumber = db.session.execute(sa.select(sa.func.max(Meeting.number)).where(Meeting.coop_id == coop.id)).scalar()
    mtemplate = _columns(meeting, skip=("id", "number", "title"))
    db.session.execute(sa.insert(Meeting), [
        {**mtemplate, "number": mnumber + 1 + k, "title": f"Earlier meeting {k}",
         "starts_at": meeting.starts_at - timedelta(days=60 * (k + 1))} for k in range(total // 500)])
    head = db.session.execute(sa.select(AuditChainHead).where(AuditChainHead.chain == f"coop:{coop.id}")).scalar_one()
    db.session.execute(sa.insert(AuditEvent), [
        {"chain": head.chain, "coop_id": coop.id, "seq": head.seq + 1 + k, "created_at": utcnow(), "actor_id": None,
         "action": "member.admitted", "subject_type": "member", "subject_id": str(ids[k // 2]), "data": "{}",
         "prev_hash": "0" * 64, "hash": "0" * 64} for k in range(2 * len(ids))])
    head.seq += 2 * len(ids)
