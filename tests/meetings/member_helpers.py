"""A registered co-op of either legal form whose rules elect a board, admit by the members and
allow proxies; with helpers to run items about a member and elections through the services."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.extensions import db
from tests.meetings.conftest import Assembly
from tests.meetings.helpers import act
from tests.proposals.helpers import rules_with

BOARD_RULES = dict(management="board", board_size=3, board_term_years=3, admission_by="members", probation="none",
                   proxies=True, proxy_limit=2, electronic_meetings=True)


def board_assembly(app, make, legal_form: str = "society", **params) -> Assembly:
    """The secretary and five members (Amy, Bo, Cy, Di, Ed) of a registered co-op under rules made
    from BOARD_RULES and ``params``; ``people[0]`` is the founder (also a member)."""
    from coopkit.coops.models import Member
    from tests.factories import MemberRec

    founder = make.user(name="Fran Founder")
    coop = make.coop(founder, stage="registered", legal_form=legal_form)
    secretary, sec_member = make.secretary(coop)
    people = [(founder, None)]
    for name in ("Amy Adams", "Bo Brown", "Cy Clark", "Di Dunn", "Ed Evans"):
        user = make.user(name=name)
        people.append((user, make.member(coop, user)))
    rules_with(app, coop.id, legal_form, **{**BOARD_RULES, **params})
    with app.app_context():
        member = db.session.execute(sa.select(Member).where(Member.user_id == founder.id,
                                                            Member.coop_id == coop.id)).scalar()
        if member is None:
            member = Member(coop_id=coop.id, user_id=founder.id, full_name=founder.name, email=founder.email,
                            postal_address="1 Test Street", status="member", admitted_on=date(2024, 1, 1))
            db.session.add(member)
        member.status, member.admitted_on = "member", member.admitted_on or date(2024, 1, 1)
        member.postal_address = member.postal_address or "1 Test Street"
        db.session.commit()
        people[0] = (founder, MemberRec(member.id, coop.id, founder.id, founder.name, "member"))
        db.session.remove()
    return Assembly(coop, secretary, sec_member, people)


def on_item(item_id: int, fn):
    from coopkit.meetings.models import AgendaItem

    return lambda m, c, u: fn(db.session.get(AgendaItem, item_id), m, c, u)


def add_member_item(app, asm, meeting_id: int, **draft):
    from coopkit.meetings import memberitems

    return act(app, asm, meeting_id, lambda m, c, u: memberitems.add_member_item(
        m, c, u, memberitems.MemberItemDraft(**draft)).id)


def days_ago(n: int) -> date:
    from coopkit.database import utcnow
    from coopkit.proposals.timefmt import to_uk

    return to_uk(utcnow()).date() - timedelta(days=n)


def audit_actions(app, coop_id: int) -> list[str]:
    from coopkit.audit.models import AuditEvent

    with app.app_context():
        try:
            return list(db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop_id)
                                           .order_by(AuditEvent.id)).scalars())
        finally:
            db.session.remove()


def member_row(app, member_id: int):
    from coopkit.coops.models import Member

    with app.app_context():
        try:
            member = db.session.get(Member, member_id)
            db.session.expunge(member)
            return member
        finally:
            db.session.remove()


def draft_meeting(app, asm, *, days: int = 20, mode: str = "hybrid", kind: str = "general") -> int:
    """A draft meeting ``days`` ahead with no business yet; its id."""
    from coopkit.meetings import services
    from tests.meetings.conftest import at_uk_noon, run

    def go(coop_of, user_of):
        coop, user = coop_of(asm.coop.id), user_of(asm.secretary.id)
        return services.create_meeting(coop, user, services.MeetingDraft(
            title="Annual general meeting", starts_at=at_uk_noon(days), kind=kind, place="The office",
            mode=mode, online_details="https://meet.example.org/coop")).id

    return run(app, go)


def send_notice(app, asm, meeting_id: int) -> None:
    from coopkit.meetings import services

    act(app, asm, meeting_id, lambda m, c, u: services.send_notice(m, c, u, send=False))
