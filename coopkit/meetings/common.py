"""What every part of the meetings feature shares: the error, the rules in force, who may
call and manage a meeting, the live agenda."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from coopkit.coops import policy
from coopkit.coops.models import Member, Officer
from coopkit.coops.queries import member_for_user
from coopkit.extensions import db
from coopkit.meetings import procedure
from coopkit.meetings.models import AgendaItem, Consent, Meeting
from coopkit.proposals.timefmt import to_uk
from coopkit.rules.queries import current_parameters


class MeetingError(ValueError):
    """A clear message for the person acting; nothing was changed."""


def rules_for(coop) -> procedure.MeetingRules:
    """What the rules in force say about meetings."""
    return procedure.MeetingRules.from_parameters(current_parameters(coop), coop.legal_form)


def uk_day(instant: datetime):
    return to_uk(instant).date()


def _is_director(coop, member: Member | None) -> bool:
    if member is None or not member.is_current:
        return False
    return db.session.execute(
        sa.select(Officer.id).where(Officer.coop_id == coop.id, Officer.member_id == member.id,
                                    Officer.office == "director", Officer.ceased_on.is_(None)).limit(1)
    ).first() is not None


def caller_role(coop, user) -> str | None:
    """Who ``user`` calls a meeting as: the secretary, a director (every member is one under
    collective management), a founder of a co-op in formation; None when they may not."""
    member = member_for_user(coop, user)
    if policy.can(user, "meetings.manage", coop):
        return "secretary"
    if member is None or not member.is_current:
        return None
    if coop.stage != "registered":
        return "founders"
    if rules_for(coop).management == "collective" or _is_director(coop, member):
        return "directors"
    return None


def may_manage(coop, user, meeting: Meeting) -> bool:
    """The secretary, whoever called the meeting, or its chair."""
    if policy.can(user, "meetings.manage", coop):
        return True
    member = member_for_user(coop, user)
    if member is None:
        return False
    return meeting.called_by_user_id == user.id or meeting.chair_member_id == member.id


def next_number(coop) -> int:
    current = db.session.execute(sa.select(sa.func.max(Meeting.number)).where(Meeting.coop_id == coop.id)).scalar()
    return (current or 0) + 1


def require_draft(meeting: Meeting) -> None:
    if meeting.state != "draft":
        raise MeetingError("Notice of this meeting has been sent: its date and business can no longer change. "
                           "Cancel it and call another if they must.")


def live_items(meeting: Meeting) -> list[AgendaItem]:
    return list(db.session.execute(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.state != "withdrawn")
        .order_by(AgendaItem.position)).scalars())


def consent_count(meeting: Meeting, purpose: str) -> int:
    return db.session.execute(sa.select(sa.func.count(Consent.id)).where(
        Consent.meeting_id == meeting.id, Consent.purpose == purpose)).scalar_one()


