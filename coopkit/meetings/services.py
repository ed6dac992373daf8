"""General meetings: every write before the meeting starts (calling it, its agenda, notice,
short-notice consent, requisition, proxies, apologies).

What happens at the meeting (attendance, quorum, votes, adjournment, minutes) is in
:mod:`coopkit.meetings.conduct`. Every function flushes, never commits, and raises
:class:`MeetingError` with a message for the person acting and nothing changed.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops import policy
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.meetings import kinds, procedure
from coopkit.meetings.models import AgendaItem, Attendance, Consent, Meeting, Proxy
from coopkit.proposals.services import member_for_user, voting_roll
from coopkit.proposals.timefmt import to_uk, uk_datetime
from coopkit.register.models import Member, Officer
from coopkit.rules.queries import current_parameters

log = logging.getLogger("coopkit.meetings")


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


def _next_number(coop) -> int:
    current = db.session.execute(sa.select(sa.func.max(Meeting.number)).where(Meeting.coop_id == coop.id)).scalar()
    return (current or 0) + 1


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
        meeting = Meeting(coop_id=coop.id, number=_next_number(coop), kind=draft.kind, title=draft.title,
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
    _require_draft(meeting)
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can change it.")
    draft = _check_draft(coop, draft, now or utcnow())
    meeting.title, meeting.kind, meeting.starts_at = draft.title, draft.kind, draft.starts_at
    meeting.place, meeting.mode = (draft.place or "").strip(), draft.mode
    meeting.online_details = (draft.online_details or "").strip()
    db.session.flush()
    record("meeting.edited", coop=coop, actor=user, subject=meeting)


def _require_draft(meeting: Meeting) -> None:
    if meeting.state != "draft":
        raise MeetingError("Notice of this meeting has been sent: its date and business can no longer change. "
                           "Cancel it and call another if they must.")


def _agm_business(coop, meeting: Meeting) -> None:
    """The business the rules give every AGM."""
    rules = rules_for(coop)
    items = [("Receive the accounts and the directors' report for the last financial year", "business", None, ""),
             ("Receive the report on co-operative principles", "business", None, ""),
             ("Appoint an auditor (or use the audit exemption)", "resolution", "ordinary",
              "That [name of auditor] is appointed as the co-op's auditor until the next annual general meeting.")]
    if rules.management == "board":
        items.append(("Elect directors", "business", None, ""))
    items.append(("Decide on the use of the surplus", "resolution", "ordinary",
                  "That the surplus for the year is applied as the directors recommend in the accounts."))
    for position, (title, item_type, kind, text) in enumerate(items, start=1):
        db.session.add(AgendaItem(meeting_id=meeting.id, position=position, title=title, item_type=item_type,
                                  kind=kind, resolution_text=text))


@dataclass
class ItemDraft:
    title: str
    item_type: str = "business"
    kind: str | None = None
    resolution_text: str = ""
    purpose: str | None = None
    confirms_item_id: int | None = None
    approves_meeting_id: int | None = None
    secret: bool = False
    rule_changes: dict | None = None


def _check_item(coop, meeting: Meeting, draft: ItemDraft) -> ItemDraft:
    draft.title = (draft.title or "").strip()
    draft.resolution_text = (draft.resolution_text or "").strip()
    if not draft.title:
        raise MeetingError("Give the agenda item a title.")
    if draft.item_type not in ("business", "resolution", "minutes"):
        raise MeetingError("Choose the type of item.")
    if draft.item_type == "business":
        draft.kind, draft.resolution_text, draft.purpose, draft.confirms_item_id = None, "", None, None
        return draft
    if draft.item_type == "minutes":
        earlier = db.session.get(Meeting, draft.approves_meeting_id) if draft.approves_meeting_id else None
        if earlier is None or earlier.coop_id != coop.id or earlier.state != "closed":
            raise MeetingError("Choose a closed earlier meeting whose minutes are to be approved.")
        if earlier.minutes_approved_on is not None:
            raise MeetingError("Those minutes have already been approved.")
        draft.kind = "ordinary"
        draft.resolution_text = f"That the minutes of meeting {earlier.number} ({earlier.title}) are approved " \
                                f"as a correct record and signed by the chair."
        return draft
    if draft.kind not in procedure.KINDS:
        raise MeetingError("Choose the kind of resolution (ordinary, special, statutory special...).")
    if draft.kind not in kinds.available(coop):
        raise MeetingError(f"Your rules provide no {procedure.KIND_LABELS[draft.kind].lower()} at a general "
                           f"meeting.")
    if draft.kind == "statutory_confirmation":
        _check_confirmation(coop, meeting, draft)
    else:
        draft.confirms_item_id = None
    if not draft.resolution_text:
        raise MeetingError("Give the exact words of the resolution: the notice must set them out.")
    if draft.kind == "statutory_special":
        if coop.legal_form == "company":
            raise MeetingError("Statutory special resolutions are for societies under the 2014 Act; a company "
                               "follows the Companies Act.")
        if draft.purpose not in procedure.STATUTORY_PURPOSES:
            raise MeetingError("Say what the statutory special resolution is for: amalgamation, transfer of "
                               "engagements or conversion.")
    elif draft.kind != "statutory_confirmation":
        draft.purpose = None
    if draft.rule_changes and draft.kind != "special":
        raise MeetingError("Changing the rules needs a special resolution.")
    return draft


def _check_confirmation(coop, meeting: Meeting, draft: ItemDraft) -> None:
    first = db.session.get(AgendaItem, draft.confirms_item_id) if draft.confirms_item_id else None
    first_meeting = db.session.get(Meeting, first.meeting_id) if first is not None else None
    if first is None or first_meeting.coop_id != coop.id or first.kind != "statutory_special":
        raise MeetingError("Choose the statutory special resolution passed at the first meeting.")
    if first.outcome != "passed":
        raise MeetingError("Only a statutory special resolution that passed at its first meeting can be confirmed.")
    confirmed = db.session.execute(
        sa.select(AgendaItem.id).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(AgendaItem.confirms_item_id == first.id, AgendaItem.state != "withdrawn",
               Meeting.state != "cancelled")
    ).first()
    if confirmed is not None:
        raise MeetingError("That statutory special resolution is already on the agenda of a confirming meeting.")
    check_confirmation_window(first_meeting, meeting)
    draft.purpose = first.purpose
    draft.resolution_text = first.resolution_text


def check_confirmation_window(first_meeting: Meeting, meeting: Meeting) -> None:
    """A confirming meeting must be held 14 days to one month after the first meeting."""
    held_on = uk_day(first_meeting.started_at or first_meeting.starts_at)
    earliest, latest = procedure.confirmation_window(held_on)
    day = uk_day(meeting.starts_at)
    if not earliest <= day <= latest:
        raise MeetingError(
            f"The Act requires the confirming meeting between {earliest:%d/%m/%Y} and {latest:%d/%m/%Y} "
            f"(14 days to one month after the first meeting on {held_on:%d/%m/%Y}); this meeting is on "
            f"{day:%d/%m/%Y}. Move it into that window.")


def add_item(meeting: Meeting, coop, user, draft: ItemDraft) -> AgendaItem:
    """Add an item to a draft meeting's agenda. Flushes; audits meeting.item_added."""
    _require_draft(meeting)
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can change its agenda.")
    draft = _check_item(coop, meeting, draft)
    position = (db.session.execute(sa.select(sa.func.max(AgendaItem.position))
                                   .where(AgendaItem.meeting_id == meeting.id)).scalar() or 0) + 1
    item = AgendaItem(meeting_id=meeting.id, position=position, title=draft.title, item_type=draft.item_type,
                      kind=draft.kind, resolution_text=draft.resolution_text, purpose=draft.purpose,
                      confirms_item_id=draft.confirms_item_id, approves_meeting_id=draft.approves_meeting_id,
                      secret=bool(draft.secret), rule_changes_json=json.dumps(draft.rule_changes or {}, sort_keys=True))
    db.session.add(item)
    db.session.flush()
    record("meeting.item_added", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "type": item.item_type, "kind": item.kind})
    return item


def remove_item(meeting: Meeting, coop, user, item: AgendaItem) -> None:
    """Take an item off a draft agenda (it is kept, marked withdrawn). Flushes; audits."""
    _require_draft(meeting)
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can change its agenda.")
    if item.meeting_id != meeting.id or item.state == "withdrawn":
        raise MeetingError("That item is not on this agenda.")
    item.state = "withdrawn"
    db.session.flush()
    record("meeting.item_withdrawn", coop=coop, actor=user, subject=meeting, data={"item_id": item.id})


def live_items(meeting: Meeting) -> list[AgendaItem]:
    return list(db.session.execute(
        sa.select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.state != "withdrawn")
        .order_by(AgendaItem.position)).scalars())


def consent_count(meeting: Meeting, purpose: str) -> int:
    return db.session.execute(sa.select(sa.func.count(Consent.id)).where(
        Consent.meeting_id == meeting.id, Consent.purpose == purpose)).scalar_one()


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
        from coopkit.jobs import after_commit
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
        from coopkit.jobs import after_commit
        from coopkit.meetings import tasks

        after_commit(tasks.send_cancellation, meeting.id)


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
