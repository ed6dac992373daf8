"""General meetings: every write before the meeting starts (calling it, its agenda, notice,
short-notice consent, requisition, proxies, apologies).

What happens at the meeting (attendance, quorum, votes, adjournment, minutes) is in
:mod:`coopkit.meetings.conduct`. Every function flushes, never commits, and raises
:class:`MeetingError` with a message for the person acting and nothing changed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.queries import member_for_user
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.jobs import after_commit
from coopkit.meetings import procedure
from coopkit.meetings.agenda import check_confirmation_window, check_rule_changes
from coopkit.meetings.common import (
    MeetingError,
    caller_role,
    consent_count,
    live_items,
    may_manage,
    next_number,
    require_draft,
    rules_for,
    uk_day,
)
from coopkit.meetings.memberitems import election_text, notice_problem, retiring_seats
from coopkit.meetings.models import AgendaItem, Consent, Meeting
from coopkit.proposals.services import voting_roll
from coopkit.rules.queries import current_parameters

log = logging.getLogger("coopkit.meetings")


@dataclass
class MeetingDraft:
    """What the person calling a meeting fills in. ``starts_at`` is naive UTC."""

    title: str
    starts_at: datetime
    kind: str = "general"
    place: str = ""
    mode: str = "in_person"
    online_details: str = ""
    requisition_text: str = ""


def _check_draft(coop, draft: MeetingDraft, now: datetime) -> MeetingDraft:
    draft.title = (draft.title or "").strip()
    if not draft.title:
        raise MeetingError("Give the meeting a title, e.g. Annual general meeting 2026.")
    if draft.kind not in ("agm", "general"):
        raise MeetingError("Choose an annual general meeting or a general meeting.")
    if draft.mode not in ("in_person", "online", "hybrid"):
        raise MeetingError("Choose how members take part: in person, online or hybrid.")
    if draft.starts_at is None or draft.starts_at <= now:
        raise MeetingError("The meeting must start in the future.")
    rules = rules_for(coop)
    if draft.mode != "in_person" and not rules.electronic_meetings:
        raise MeetingError("Your rules do not allow members to take part electronically: hold the meeting "
                           "in person (an amendment to the rules can allow online or hybrid meetings).")
    if draft.mode != "online" and not (draft.place or "").strip():
        raise MeetingError("Say where members meet in person.")
    if draft.mode != "in_person" and not (draft.online_details or "").strip():
        raise MeetingError("Say how members join online (the link or dial-in they will be sent).")
    return draft


def create_meeting(coop, user, draft: MeetingDraft, *, requisition: bool = False,
                   now: datetime | None = None) -> Meeting:
    """Add a draft meeting (with the AGM's business from the rules when it is an AGM), or a
    members' requisition that others then support. Flushes; audits meeting.created."""
    now = now or utcnow()
    member = member_for_user(coop, user)
    if requisition:
        if member is None or not member.can_vote:
            raise MeetingError("Only voting members can ask for a general meeting.")
        if not (draft.requisition_text or "").strip():
            raise MeetingError("State the business the meeting is asked to deal with.")
        called_by = "requisition"
    else:
        called_by = caller_role(coop, user)
        if called_by is None:
            raise MeetingError("Only the secretary or the directors can call a general meeting; members can "
                               "ask for one by requisition.")
    draft = _check_draft(coop, draft, now)
    for _ in range(5):
        meeting = Meeting(coop_id=coop.id, number=next_number(coop), kind=draft.kind, title=draft.title,
                          starts_at=draft.starts_at, place=(draft.place or "").strip(), mode=draft.mode,
                          online_details=(draft.online_details or "").strip(), called_by=called_by,
                          called_by_user_id=user.id, requisition_text=(draft.requisition_text or "").strip(),
                          state="draft", created_at=now)
        if add_unless_duplicate(meeting):
            break
    else:
        raise MeetingError("Several meetings were being created at once: please try again.")
    if draft.kind == "agm":
        _agm_business(coop, meeting)
    if requisition:
        db.session.add(Consent(meeting_id=meeting.id, member_id=member.id, purpose="requisition", given_at=now))
    db.session.flush()
    record("meeting.created", coop=coop, actor=user, subject=meeting,
           data={"number": meeting.number, "kind": meeting.kind, "called_by": called_by})
    log.info("Meeting %s created (%s)", meeting.id, called_by)
    return meeting


def update_meeting(meeting: Meeting, coop, user, draft: MeetingDraft, *, now: datetime | None = None) -> None:
    """Change a draft meeting's date, place or title. Flushes; audits meeting.edited."""
    require_draft(meeting)
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can change it.")
    draft = _check_draft(coop, draft, now or utcnow())
    meeting.title, meeting.kind, meeting.starts_at = draft.title, draft.kind, draft.starts_at
    meeting.place, meeting.mode = (draft.place or "").strip(), draft.mode
    meeting.online_details = (draft.online_details or "").strip()
    db.session.flush()
    record("meeting.edited", coop=coop, actor=user, subject=meeting)


def _agm_business(coop, meeting: Meeting) -> None:
    """The business the rules give every AGM."""
    rules = rules_for(coop)
    items = [("Receive the accounts and the directors' report for the last financial year", "business", None, ""),
             ("Receive the report on co-operative principles", "business", None, ""),
             ("Appoint an auditor (or use the audit exemption)", "resolution", "ordinary",
              "That [name of auditor] is appointed as the co-op's auditor until the next annual general meeting.")]
    seats = None
    if rules.management == "board":
        seats = retiring_seats(current_parameters(coop))
        items.append(("Election of directors", "resolution", "election", election_text(seats)))
    items.append(("Decide on the use of the surplus", "resolution", "ordinary",
                  "That the surplus for the year is applied as the directors recommend in the accounts."))
    for position, (title, item_type, kind, text) in enumerate(items, start=1):
        db.session.add(AgendaItem(meeting_id=meeting.id, position=position, title=title, item_type=item_type,
                                  kind=kind, resolution_text=text, seats=seats if kind == "election" else None))


def requisition_status(coop, meeting: Meeting) -> tuple[int, int]:
    """(members who asked, members needed) for a requisitioned meeting."""
    needed = rules_for(coop).requisition_needed(len(voting_roll(coop)))
    return consent_count(meeting, "requisition"), needed


def _requisition_may_be_called(coop, user, meeting: Meeting, now: datetime) -> None:
    signed, needed = requisition_status(coop, meeting)
    if signed < needed:
        raise MeetingError(f"{signed} of the {needed} members the rules need have asked for this meeting: "
                           f"it can't be called yet.")
    if caller_role(coop, user) in ("secretary", "directors"):
        return
    reached = db.session.execute(
        sa.select(Consent.given_at).where(Consent.meeting_id == meeting.id, Consent.purpose == "requisition")
        .order_by(Consent.given_at).offset(needed - 1).limit(1)).scalar_one()
    days = procedure.CALL_WITHIN_DAYS.get(coop.legal_form or "society", 28)
    if now < reached + timedelta(days=days):
        raise MeetingError(f"The directors have {days} days from the requisition ({reached:%d/%m/%Y}) to call "
                           f"the meeting; after that the members who asked may call it themselves.")
    member = member_for_user(coop, user)
    asked = member is not None and db.session.execute(sa.select(Consent.id).where(
        Consent.meeting_id == meeting.id, Consent.member_id == member.id, Consent.purpose == "requisition")
    ).first() is not None
    if not asked:
        raise MeetingError("Only the members who made the requisition may call the meeting themselves.")


def support_requisition(meeting: Meeting, coop, user, *, now: datetime | None = None) -> None:
    """Add the user's name to a members' requisition. Flushes; audits meeting.requisition_supported."""
    if meeting.called_by != "requisition" or meeting.state != "draft":
        raise MeetingError("This meeting is not a requisition waiting for support.")
    member = member_for_user(coop, user)
    if member is None or not member.can_vote:
        raise MeetingError("Only voting members can ask for a general meeting.")
    if not add_unless_duplicate(Consent(meeting_id=meeting.id, member_id=member.id, purpose="requisition",
                                        given_at=now or utcnow())):
        raise MeetingError("You have already asked for this meeting.")
    record("meeting.requisition_supported", coop=coop, actor=user, subject=meeting, data={"member_id": member.id})


def send_notice(meeting: Meeting, coop, user, *, short_notice: bool = False, now: datetime | None = None,
                send: bool = True) -> int:
    """Give notice of the meeting to every member entitled: fix the notice facts (clear days, short
    notice and the consents it needs, proxies and their deadline), and email each member the
    notice with a calendar file and the notice PDF. Refuses a date the rules' notice cannot reach
    unless ``short_notice`` (then the meeting can start only once enough members agree). Returns
    how many were sent notice. Flushes; audits meeting.notice_sent."""
    now = now or utcnow()
    if meeting.state != "draft":
        raise MeetingError("Notice of this meeting has already been sent.")
    if meeting.called_by == "requisition":
        _requisition_may_be_called(coop, user, meeting, now)
    elif not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can send its notice.")
    rules = rules_for(coop)
    _check_draft(coop, MeetingDraft(meeting.title, meeting.starts_at, meeting.kind, meeting.place, meeting.mode,
                                    meeting.online_details), now)
    items = live_items(meeting)
    if not items:
        raise MeetingError("Add the business of the meeting to the agenda before sending notice.")
    for item in items:
        if item.item_type == "resolution" and not item.resolution_text:
            raise MeetingError(f"Item {item.position} needs the exact words of its resolution.")
        if item.kind == "statutory_confirmation":
            first = db.session.get(AgendaItem, item.confirms_item_id)
            check_confirmation_window(db.session.get(Meeting, first.meeting_id), meeting)
        problem = notice_problem(item, meeting, coop)
        if problem:
            raise MeetingError(f"Item {item.position}: {problem}")
        if item.rule_changes:
            check_rule_changes(coop, item.kind, item.rule_changes)
    sent_on, day = uk_day(now), uk_day(meeting.starts_at)
    earliest = procedure.earliest_meeting_day(sent_on, rules.notice_clear_days)
    if meeting.adjourned_from_id is None and day < earliest and not short_notice:
        raise MeetingError(
            f"Your rules need {rules.notice_clear_days} clear days' notice (neither the day it is sent nor the "
            f"meeting day counts): notice sent today allows a meeting on {earliest:%d/%m/%Y} at the earliest, "
            f"and this one is on {day:%d/%m/%Y}. Move the meeting later, or send it at short notice: it can "
            f"then start only once {rules.short_notice_percent}% of the members entitled agree.")
    short = meeting.adjourned_from_id is None and day < earliest
    roll = voting_roll(coop)
    if not roll:
        raise MeetingError("The register has no voting members to give notice to.")
    claimed = db.session.execute(
        sa.update(Meeting).where(Meeting.id == meeting.id, Meeting.state == "draft")
        .values(state="called").execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise MeetingError("Notice of this meeting has already been sent.")
    meeting.state, meeting.notice_sent_at, meeting.notice_sent_on = "called", now, sent_on
    meeting.notice_clear_days, meeting.short_notice = rules.notice_clear_days, short
    meeting.entitled = len(roll)
    meeting.consents_needed = procedure.consents_needed(len(roll), rules.short_notice_percent) if short else None
    meeting.proxies_allowed, meeting.proxy_limit = rules.proxies, rules.proxy_limit
    meeting.proxy_deadline_at = (meeting.starts_at - timedelta(hours=rules.proxy_deadline_hours)
                                 if rules.proxies else None)
    db.session.flush()
    record("meeting.notice_sent", coop=coop, actor=user, subject=meeting,
           data={"entitled": len(roll), "short_notice": short, "clear_days": rules.notice_clear_days,
                 "starts_at": meeting.starts_at.isoformat()})
    log.info("Meeting %s: notice sent to %d member(s)", meeting.id, len(roll))
    if send:
        from coopkit.meetings import tasks

        after_commit(tasks.send_notice, meeting.id)
    return len(roll)


def cancel_meeting(meeting: Meeting, coop, user, *, now: datetime | None = None, send: bool = True) -> None:
    """Cancel a meeting that has not started (kept, marked cancelled; members who had notice are
    told). Flushes; audits meeting.cancelled."""
    if meeting.state not in ("draft", "called"):
        raise MeetingError("Only a meeting that has not started can be cancelled.")
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can cancel it.")
    had_notice = meeting.state == "called"
    meeting.state, meeting.cancelled_at = "cancelled", now or utcnow()
    db.session.flush()
    record("meeting.cancelled", coop=coop, actor=user, subject=meeting)
    if had_notice and send:
        from coopkit.meetings import tasks

        after_commit(tasks.send_cancellation, meeting.id)


