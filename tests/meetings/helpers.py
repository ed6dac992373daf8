"""Calling and running meetings through the services, for the tests."""

from __future__ import annotations

from datetime import timedelta

from coopkit.extensions import db
from tests.meetings.conftest import at_uk_noon, run


def call(app, asm, *, days: int = 20, items=None, mode: str = "hybrid", short_notice: bool = False,
         kind: str = "general", send: bool = False) -> int:
    """Create a meeting ``days`` ahead with ``items`` (ItemDraft keyword dicts) and send notice; its id."""
    from coopkit.meetings import agenda, services

    items = items if items is not None else [
        dict(title="Buy a second laptop", item_type="resolution", kind="ordinary",
             resolution_text="That the co-op buys a second laptop for new members.")]

    def go(coop_of, user_of):
        coop, user = coop_of(asm.coop.id), user_of(asm.secretary.id)
        meeting = services.create_meeting(coop, user, services.MeetingDraft(
            title="Members' meeting", starts_at=at_uk_noon(days), kind=kind, place="The office, Preston",
            mode=mode, online_details="https://meet.example.org/coop" if mode != "in_person" else ""))
        for item in items:
            agenda.add_item(meeting, coop, user, agenda.ItemDraft(**item))
        services.send_notice(meeting, coop, user, short_notice=short_notice, send=send)
        return meeting.id

    return run(app, go)


def act(app, asm, meeting_id: int, fn, *, as_user=None):
    """Run ``fn(meeting, coop, user)`` as ``as_user`` (the secretary by default)."""
    from coopkit.meetings.models import Meeting

    def go(coop_of, user_of):
        return fn(db.session.get(Meeting, meeting_id), coop_of(asm.coop.id), user_of((as_user or asm.secretary).id))

    return run(app, go)


def starts(app, meeting_id: int):
    from coopkit.meetings.models import Meeting

    with app.app_context():
        try:
            return db.session.get(Meeting, meeting_id).starts_at
        finally:
            db.session.remove()


def present(app, asm, meeting_id: int, members, status: str = "in_person") -> None:
    from coopkit.meetings import attendance

    for member in members:
        act(app, asm, meeting_id, lambda m, c, u, mid=member.id: attendance.record_attendance(m, c, u, mid, status))


def start(app, asm, meeting_id: int, **kwargs):
    from coopkit.meetings import conduct

    at = starts(app, meeting_id) + timedelta(minutes=1)
    return act(app, asm, meeting_id, lambda m, c, u: conduct.start_meeting(
        m, c, u, chair_member_id=asm.secretary_member.id, now=at, **kwargs))


def first_item(app, meeting_id: int, position: int = 1) -> int:
    import sqlalchemy as sa

    from coopkit.meetings.models import AgendaItem

    with app.app_context():
        try:
            return db.session.execute(sa.select(AgendaItem.id).where(
                AgendaItem.meeting_id == meeting_id, AgendaItem.position == position)).scalar_one()
        finally:
            db.session.remove()
