"""A member's own part before and during a meeting: agreeing to short notice, appointing or
revoking a proxy, sending apologies. Every function flushes; MeetingError means nothing changed."""

from __future__ import annotations

import logging
from datetime import datetime

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.coops.queries import member_for_user
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.meetings.common import MeetingError
from coopkit.meetings.models import Attendance, Consent, Meeting, Proxy
from coopkit.proposals.timefmt import uk_datetime

log = logging.getLogger("coopkit.meetings")


def _entitled_member(coop, user) -> Member:
    member = member_for_user(coop, user)
    if member is None or not member.can_vote:
        raise MeetingError("Only voting members of this co-op can do this.")
    return member


def consent_to_short_notice(meeting: Meeting, coop, user, *, now: datetime | None = None) -> None:
    """Record the user's written agreement to hold the meeting at short notice. Flushes; audits."""
    if meeting.state != "called" or not meeting.short_notice:
        raise MeetingError("This meeting was not called at short notice.")
    member = _entitled_member(coop, user)
    if not add_unless_duplicate(Consent(meeting_id=meeting.id, member_id=member.id, purpose="short_notice",
                                        given_at=now or utcnow())):
        raise MeetingError("You have already agreed to short notice for this meeting.")
    record("meeting.short_notice_consent", coop=coop, actor=user, subject=meeting, data={"member_id": member.id})


def _before_start(meeting: Meeting, now: datetime, what: str) -> None:
    if meeting.state != "called":
        raise MeetingError(f"{what} only before the meeting starts.")
    if now >= meeting.starts_at:
        raise MeetingError(f"{what} only before the meeting starts ({uk_datetime(meeting.starts_at)}).")


def appoint_proxy(meeting: Meeting, coop, user, holder_member_id: int, *, now: datetime | None = None) -> Proxy:
    """Appoint another voting member as the user's proxy: only where the rules allow proxies,
    before their deadline, to a holder under the rules' limit. Replaces nothing: revoke first.
    Flushes; audits meeting.proxy_appointed."""
    now = now or utcnow()
    _before_start(meeting, now, "A proxy can be appointed")
    if not meeting.proxies_allowed:
        raise MeetingError("Your rules do not allow proxies: each member takes part and votes themselves.")
    if meeting.proxy_deadline_at is not None and now > meeting.proxy_deadline_at:
        raise MeetingError(f"Proxy appointments had to reach the secretary by "
                           f"{uk_datetime(meeting.proxy_deadline_at)} (UK time): it is too late to appoint one.")
    member = _entitled_member(coop, user)
    holder = db.session.get(Member, holder_member_id) if holder_member_id else None
    if holder is None or holder.coop_id != coop.id or not holder.can_vote:
        raise MeetingError("Choose a voting member of the co-op to hold your proxy.")
    if holder.id == member.id:
        raise MeetingError("You can't be your own proxy.")
    if _live_proxy(meeting, member.id) is not None:
        raise MeetingError("You have already appointed a proxy for this meeting: revoke it first to choose another.")
    if _live_proxy(meeting, holder.id) is not None:
        raise MeetingError(f"{holder.full_name} has appointed a proxy themselves and won't be at the meeting.")
    held = db.session.execute(sa.select(sa.func.count(Proxy.id)).where(
        Proxy.meeting_id == meeting.id, Proxy.holder_member_id == holder.id, Proxy.revoked_at.is_(None))).scalar_one()
    if meeting.proxy_limit is not None and held >= meeting.proxy_limit:
        raise MeetingError(f"{holder.full_name} already holds {held} proxy appointment(s), the most the rules "
                           f"allow one member: choose someone else.")
    proxy = Proxy(meeting_id=meeting.id, member_id=member.id, holder_member_id=holder.id, appointed_at=now)
    if not add_unless_duplicate(proxy):
        raise MeetingError("You have already appointed a proxy for this meeting.")
    record("meeting.proxy_appointed", coop=coop, actor=user, subject=meeting,
           data={"member_id": member.id, "holder_member_id": holder.id})
    log.info("Meeting %s: member %s appointed a proxy", meeting.id, member.id)
    return proxy


def _live_proxy(meeting: Meeting, member_id: int) -> Proxy | None:
    return db.session.execute(sa.select(Proxy).where(
        Proxy.meeting_id == meeting.id, Proxy.member_id == member_id, Proxy.revoked_at.is_(None))).scalar_one_or_none()


def revoke_proxy(meeting: Meeting, coop, user, *, now: datetime | None = None) -> None:
    """Revoke the user's proxy appointment (kept, marked revoked) before the meeting starts.
    Flushes; audits meeting.proxy_revoked."""
    now = now or utcnow()
    _before_start(meeting, now, "A proxy can be revoked")
    member = _entitled_member(coop, user)
    proxy = _live_proxy(meeting, member.id)
    if proxy is None:
        raise MeetingError("You have no proxy appointment for this meeting to revoke.")
    proxy.revoked_at = now
    db.session.flush()
    record("meeting.proxy_revoked", coop=coop, actor=user, subject=meeting, data={"member_id": member.id})


def send_apologies(meeting: Meeting, coop, user, *, now: datetime | None = None) -> None:
    """Record that the user can't attend. Flushes; audits meeting.apologies."""
    now = now or utcnow()
    if meeting.state not in ("called", "open"):
        raise MeetingError("Apologies are recorded for a meeting that has been called and not yet closed.")
    member = _entitled_member(coop, user)
    existing = db.session.execute(sa.select(Attendance).where(
        Attendance.meeting_id == meeting.id, Attendance.member_id == member.id)).scalar_one_or_none()
    if existing is not None and existing.status != "apologies" and existing.left_at is None:
        raise MeetingError("You are recorded as present at this meeting.")
    if existing is not None:
        if existing.status == "apologies":
            raise MeetingError("Your apologies are already recorded.")
        existing.status, existing.recorded_at, existing.left_at = "apologies", now, None
    elif not add_unless_duplicate(Attendance(meeting_id=meeting.id, member_id=member.id, status="apologies",
                                             recorded_at=now)):
        raise MeetingError("Your apologies are already recorded.")
    db.session.flush()
    record("meeting.apologies", coop=coop, actor=user, subject=meeting, data={"member_id": member.id})
