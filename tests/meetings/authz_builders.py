"""URL parameters of the meeting pages for the route walks (tests/authz_params.py).

``<number>`` is a meeting every allowed role can use: one that was called with notice, held
(quorate, one resolution voted by show of hands) and closed, so its page, notice PDF and
minutes PDF all exist; ``<item_id>`` is that resolution. Buttons posted to it answer with a
message and a redirect (a closed meeting takes no more votes), never 403 or 404.
"""

from __future__ import annotations

from datetime import timedelta

from coopkit.extensions import db
from tests.authz_params import builder

ENDPOINTS = ("show", "edit", "notice_pdf", "minutes_pdf", "add_item", "remove_item", "send_notice", "cancel", "support",
             "consent", "appoint_proxy", "revoke_proxy", "apologies", "join", "attendance", "left", "start",
             "adjourn", "close", "hands", "open_poll", "close_poll", "vote", "note", "add_member_item", "reply",
             "hearing", "nominate", "withdraw_candidate", "rank")


def held_meeting(app, world, coop) -> tuple[int, int]:
    """(meeting number, item id) of a held and closed meeting in ``coop``."""
    key = ("meeting", coop.id)
    if key in world.cache:
        return world.cache[key]
    import sqlalchemy as sa

    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop, Member
    from coopkit.database import utcnow
    from coopkit.meetings import agenda, attendance, conduct, services

    caller = world.users["founder"] if coop.id == world.forming.id else world.users["secretary"]
    with app.app_context():
        c, user = db.session.get(Coop, coop.id), db.session.get(User, caller.id)
        meeting = services.create_meeting(c, user, services.MeetingDraft(
            title="Walk meeting", starts_at=utcnow() + timedelta(days=30), place="The office", mode="in_person"))
        item = agenda.add_item(meeting, c, user, agenda.ItemDraft(
            title="Walk resolution", item_type="resolution", kind="ordinary", resolution_text="That we walk."))
        services.send_notice(meeting, c, user, send=False)
        members = db.session.execute(sa.select(Member).where(Member.coop_id == c.id,
                                                             Member.status.in_(("founder", "member")))).scalars()
        for member in members:
            attendance.record_attendance(meeting, c, user, member.id, "in_person")
        chair = db.session.execute(sa.select(Member.id).where(Member.coop_id == c.id,
                                                              Member.user_id == caller.id)).scalar_one()
        at = meeting.starts_at
        conduct.start_meeting(meeting, c, user, chair_member_id=chair, now=at)
        conduct.record_hands(item, meeting, c, user, 2, 0, now=at)
        conduct.close_meeting(meeting, c, user, now=at + timedelta(hours=1))
        db.session.commit()
        world.cache[key] = (meeting.number, item.id)
        return world.cache[key]


for _endpoint in ENDPOINTS:
    @builder("number", endpoint=f"meetings.{_endpoint}")
    def meeting_number(app, world, coop):
        return held_meeting(app, world, coop)[0]

    @builder("item_id", endpoint=f"meetings.{_endpoint}")
    def meeting_item(app, world, coop):
        return held_meeting(app, world, coop)[1]


@builder("member_id", endpoint="meetings.withdraw_candidate")
def candidate_member(app, world, coop):
    """A member of the co-op (not a candidate at the closed meeting: the button answers with a message)."""
    import sqlalchemy as sa

    from coopkit.coops.models import Member

    with app.app_context():
        try:
            return db.session.execute(sa.select(Member.id).where(Member.coop_id == coop.id).limit(1)).scalar_one()
        finally:
            db.session.remove()
