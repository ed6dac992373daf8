"""Reads about meetings that pages (and the calendar) need, each a fixed number of statements.

For the calendar: :func:`last_agm_on` and :func:`upcoming` (with the last day notice can
be sent and the proxy deadline).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.meetings.models import (
    AgendaItem,
    Attendance,
    Consent,
    Meeting,
    MeetingBallot,
    MeetingVoter,
    Proxy,
)
from coopkit.proposals.timefmt import to_uk


def meeting_by_number(coop, number: int) -> Meeting | None:
    return db.session.execute(
        sa.select(Meeting).where(Meeting.coop_id == coop.id, Meeting.number == number)).scalar_one_or_none()


def listing(coop) -> list[Meeting]:
    """Every meeting, newest first (one statement)."""
    return list(db.session.execute(
        sa.select(Meeting).where(Meeting.coop_id == coop.id).order_by(Meeting.starts_at.desc(), Meeting.id.desc())
    ).scalars())


@dataclass(frozen=True)
class Upcoming:
    meeting: Meeting
    #: the last UK day notice can be sent for the meeting's date (None once sent)
    notice_by: date | None
    proxy_deadline_at: datetime | None


def upcoming(coop, now: datetime | None = None) -> list[Upcoming]:
    """Meetings drafted or called and not yet held, soonest first, with their deadlines."""
    from coopkit.meetings.services import rules_for

    now = now or utcnow()
    rows = db.session.execute(
        sa.select(Meeting).where(Meeting.coop_id == coop.id, Meeting.state.in_(("draft", "called")),
                                 Meeting.starts_at >= now - timedelta(hours=12)).order_by(Meeting.starts_at)
    ).scalars().all()
    clear = rules_for(coop).notice_clear_days if rows else 0
    return [Upcoming(m, None if m.state != "draft" else to_uk(m.starts_at).date() - timedelta(days=clear + 1),
                     m.proxy_deadline_at) for m in rows]


def last_agm_on(coop) -> date | None:
    """The UK date of the last annual general meeting held (closed), if any."""
    started = db.session.execute(
        sa.select(sa.func.max(Meeting.started_at)).where(Meeting.coop_id == coop.id, Meeting.kind == "agm",
                                                         Meeting.state == "closed")).scalar()
    return to_uk(started).date() if started else None


def agenda(meeting: Meeting) -> list[AgendaItem]:
    """The items, in order; one taken off the agenda before notice is left out (one not reached,
    or adjourned, stays with its note)."""
    return list(db.session.execute(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id,
                                    sa.or_(AgendaItem.state != "withdrawn", AgendaItem.note != ""))
        .order_by(AgendaItem.position)).scalars())


@dataclass(frozen=True)
class AttendanceRecord:
    in_person: list[str]
    online: list[str]
    apologies: list[str]
    #: (member represented, proxy holder), by name
    proxies: list[tuple[str, str]]
    left: list[str]


def attendance_record(meeting: Meeting) -> AttendanceRecord:
    """Names by how they took part (two statements)."""
    rows = db.session.execute(
        sa.select(Member.full_name, Attendance.status, Attendance.left_at)
        .join(Attendance, Attendance.member_id == Member.id).where(Attendance.meeting_id == meeting.id)
        .order_by(Member.full_name)).all()
    holder = sa.orm.aliased(Member)
    proxies = db.session.execute(
        sa.select(Member.full_name, holder.full_name).join(Proxy, Proxy.member_id == Member.id)
        .join(holder, holder.id == Proxy.holder_member_id)
        .where(Proxy.meeting_id == meeting.id, Proxy.revoked_at.is_(None)).order_by(Member.full_name)).all()
    present = {name for name, status, _ in rows if status != "apologies"}
    return AttendanceRecord(
        in_person=[n for n, s, _ in rows if s == "in_person"], online=[n for n, s, _ in rows if s == "online"],
        apologies=[n for n, s, _ in rows if s == "apologies"],
        proxies=[(m, h) for m, h in proxies if m not in present], left=[n for n, _, left in rows if left])


@dataclass(frozen=True)
class MyPart:
    """The viewer's own part in a meeting."""

    attendance: str | None
    left: bool
    proxy_holder: str | None
    short_notice_agreed: bool
    requisition_signed: bool
    #: members whose proxy the viewer holds: (id, name)
    holding: list[tuple[int, str]]


def my_part(meeting: Meeting, member: Member | None) -> MyPart:
    if member is None:
        return MyPart(None, False, None, False, False, [])
    att = db.session.execute(sa.select(Attendance.status, Attendance.left_at).where(
        Attendance.meeting_id == meeting.id, Attendance.member_id == member.id)).first()
    holder = db.session.execute(
        sa.select(Member.full_name).join(Proxy, Proxy.holder_member_id == Member.id)
        .where(Proxy.meeting_id == meeting.id, Proxy.member_id == member.id, Proxy.revoked_at.is_(None))
    ).scalar_one_or_none()
    consents = set(db.session.execute(sa.select(Consent.purpose).where(
        Consent.meeting_id == meeting.id, Consent.member_id == member.id)).scalars())
    holding = [tuple(r) for r in db.session.execute(
        sa.select(Member.id, Member.full_name).join(Proxy, Proxy.member_id == Member.id)
        .where(Proxy.meeting_id == meeting.id, Proxy.holder_member_id == member.id, Proxy.revoked_at.is_(None))
        .order_by(Member.full_name)).all()]
    return MyPart(att.status if att else None, bool(att and att.left_at), holder,
                  "short_notice" in consents, "requisition" in consents, holding)


def voted_on(item_ids: list[int], member_ids: list[int]) -> set[tuple[int, int]]:
    """(item, member) pairs whose vote has been cast, for the viewer's own and proxy votes."""
    if not item_ids or not member_ids:
        return set()
    return {tuple(r) for r in db.session.execute(sa.select(MeetingVoter.item_id, MeetingVoter.member_id).where(
        MeetingVoter.item_id.in_(item_ids), MeetingVoter.member_id.in_(member_ids))).all()}


def voters_count(item_ids: list[int]) -> dict[int, int]:
    if not item_ids:
        return {}
    return dict(db.session.execute(sa.select(MeetingVoter.item_id, sa.func.count(MeetingVoter.id))
                                   .where(MeetingVoter.item_id.in_(item_ids)).group_by(MeetingVoter.item_id)).all())


def open_poll_record(item_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Open (not secret) polls: item -> [(member name, choice)]. Secret ballots have no member."""
    if not item_ids:
        return {}
    out: dict[int, list[tuple[str, str]]] = {}
    for item_id, name, choice in db.session.execute(
            sa.select(MeetingBallot.item_id, Member.full_name, MeetingBallot.choice)
            .join(Member, Member.id == MeetingBallot.member_id)
            .where(MeetingBallot.item_id.in_(item_ids)).order_by(Member.full_name)).all():
        out.setdefault(item_id, []).append((name, choice))
    return out


def voting_members(coop) -> list[tuple[int, str]]:
    """(id, name) of current voting members: choices for proxies, attendance and the chair."""
    return [tuple(r) for r in db.session.execute(
        sa.select(Member.id, Member.full_name).where(Member.coop_id == coop.id,
                                                     Member.status.in_(("founder", "member")),
                                                     Member.member_class == "voting").order_by(Member.full_name)
    ).all()]


def meetings_for_home(coop, now: datetime | None = None) -> list[Meeting]:
    """Meetings called and not yet closed (the home panel): one statement."""
    now = now or utcnow()
    return list(db.session.execute(_meetings_for_home_statement(),
                                   {"coop_id": coop.id, "since": now - timedelta(days=1)}).scalars())


@functools.cache
def _meetings_for_home_statement() -> sa.Select:
    """Built once per process (the home page asks it): ``coop_id``, ``since``."""
    return (sa.select(Meeting).where(Meeting.coop_id == sa.bindparam("coop_id"), Meeting.state.in_(("called", "open")),
                                     Meeting.starts_at >= sa.bindparam("since", type_=sa.DateTime))
            .order_by(Meeting.starts_at).limit(5))


def closed_awaiting_approval(coop) -> list[Meeting]:
    """Closed meetings whose minutes are not yet approved (choices for a minutes item)."""
    return list(db.session.execute(
        sa.select(Meeting).where(Meeting.coop_id == coop.id, Meeting.state == "closed",
                                 Meeting.minutes_approved_on.is_(None)).order_by(Meeting.starts_at)).scalars())


def awaiting_confirmation(coop) -> list[tuple[AgendaItem, Meeting]]:
    """Statutory special resolutions passed at a first meeting and not yet on a confirming agenda."""
    confirming = sa.select(AgendaItem.confirms_item_id).where(AgendaItem.confirms_item_id.is_not(None),
                                                              AgendaItem.state != "withdrawn")
    return [tuple(r) for r in db.session.execute(
        sa.select(AgendaItem, Meeting).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.coop_id == coop.id, AgendaItem.kind == "statutory_special", AgendaItem.outcome == "passed",
               AgendaItem.id.not_in(confirming))).all()]
