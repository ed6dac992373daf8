"""Who is at the meeting: attendance recorded by the chair or secretary, members joining online,
members leaving, and the proxies whose holder is present. Every write flushes; MeetingError
means nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.coops.queries import member_for_user
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.meetings.common import MeetingError, may_manage
from coopkit.meetings.models import Attendance, Meeting, Proxy
from coopkit.proposals.timefmt import uk_datetime

#: the chair may open the meeting, and members join online, this long before the time in the notice
EARLY_START = timedelta(minutes=15)


def require_manager(meeting: Meeting, coop, user, what: str = "This") -> None:
    if not may_manage(coop, user, meeting):
        raise MeetingError(f"{what} is for the chair or the secretary.")


@dataclass(frozen=True)
class Presence:
    """Who is at the meeting now."""

    in_person: tuple[int, ...]
    online: tuple[int, ...]
    #: (appointing member, holder) for proxies whose holder is present and who are not present themselves
    represented: tuple[tuple[int, int], ...]

    @property
    def present(self) -> int:
        return len(self.in_person) + len(self.online)

    @property
    def total(self) -> int:
        """Members present or represented: the quorum count and the most votes that can be cast."""
        return self.present + len(self.represented)

    def is_present(self, member_id: int) -> bool:
        return member_id in self.in_person or member_id in self.online

    def held_by(self, holder_id: int) -> list[int]:
        return [member for member, holder in self.represented if holder == holder_id]

    def without(self, member_id: int | None) -> Presence:
        """Those who may vote on an item the member concerned may not vote on (their own expulsion):
        not the member, not anyone through them as proxy holder, and not them through a proxy."""
        if member_id is None:
            return self
        return Presence(tuple(m for m in self.in_person if m != member_id),
                        tuple(m for m in self.online if m != member_id),
                        tuple((m, h) for m, h in self.represented if member_id not in (m, h)))


def presence(meeting: Meeting) -> Presence:
    """Attendance now (two statements): present in person or online and not left, and the live
    proxies whose holder is present."""
    rows = db.session.execute(sa.select(Attendance.member_id, Attendance.status).where(
        Attendance.meeting_id == meeting.id, Attendance.left_at.is_(None),
        Attendance.status.in_(("in_person", "online")))).all()
    in_person = tuple(sorted(m for m, s in rows if s == "in_person"))
    online = tuple(sorted(m for m, s in rows if s == "online"))
    here = set(in_person) | set(online)
    proxies = db.session.execute(sa.select(Proxy.member_id, Proxy.holder_member_id).where(
        Proxy.meeting_id == meeting.id, Proxy.revoked_at.is_(None))).all() if meeting.proxies_allowed else []
    represented = tuple(sorted((m, h) for m, h in proxies if h in here and m not in here))
    return Presence(in_person, online, represented)


def record_attendance(meeting: Meeting, coop, user, member_id: int, status: str,
                      *, now: datetime | None = None) -> Attendance:
    """The chair or secretary records a member present in person, present online, or their
    apologies (a change replaces the earlier record). Flushes; audits meeting.attendance."""
    now = now or utcnow()
    require_manager(meeting, coop, user, "Recording attendance")
    if meeting.state not in ("called", "open"):
        raise MeetingError("Attendance is recorded at a meeting that has been called and is not closed.")
    if status not in ("in_person", "online", "apologies"):
        raise MeetingError("Choose present in person, present online or apologies.")
    if status == "online" and not meeting.online:
        raise MeetingError("This meeting is held in person only: nobody can be present online.")
    if status == "in_person" and meeting.mode == "online":
        raise MeetingError("This meeting is held online only.")
    member = db.session.get(Member, member_id) if member_id else None
    if member is None or member.coop_id != coop.id or not member.can_vote:
        raise MeetingError("Choose a voting member of the co-op.")
    return _set_attendance(meeting, coop, user, member, status, now)


def _set_attendance(meeting, coop, user, member, status, now) -> Attendance:
    row = db.session.execute(sa.select(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.member_id == member.id)).scalar_one_or_none()
    if row is None:
        row = Attendance(meeting_id=meeting.id, member_id=member.id, status=status, recorded_at=now)
        if not add_unless_duplicate(row):
            raise MeetingError("Attendance was being recorded twice at once: reload and check it.")
    else:
        row.status, row.recorded_at, row.left_at = status, now, None
    db.session.flush()
    record("meeting.attendance", coop=coop, actor=user, subject=meeting,
           data={"member_id": member.id, "status": status})
    return row


def join_online(meeting: Meeting, coop, user, *, now: datetime | None = None) -> Attendance:
    """A member records themselves present online (from the meeting page, logged in).
    Flushes; audits meeting.attendance."""
    now = now or utcnow()
    if not meeting.online:
        raise MeetingError("This meeting is held in person only.")
    if meeting.state not in ("called", "open") or (meeting.state == "called" and now < meeting.starts_at - EARLY_START):
        raise MeetingError(f"You can join once the meeting is about to start ({uk_datetime(meeting.starts_at)}).")
    member = member_for_user(coop, user)
    if member is None or not member.can_vote:
        raise MeetingError("Only voting members can join the meeting.")
    return _set_attendance(meeting, coop, user, member, "online", now)


def mark_left(meeting: Meeting, coop, user, member_id: int, *, now: datetime | None = None) -> None:
    """Record that a member left the meeting (they no longer count towards quorum or vote). Flushes."""
    require_manager(meeting, coop, user, "Recording attendance")
    row = db.session.execute(sa.select(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.member_id == member_id)).scalar_one_or_none()
    if meeting.state != "open" or row is None or row.status == "apologies" or row.left_at is not None:
        raise MeetingError("That member is not recorded as present at this meeting.")
    row.left_at = now or utcnow()
    db.session.flush()
    record("meeting.left", coop=coop, actor=user, subject=meeting, data={"member_id": member_id})


