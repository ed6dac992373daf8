"""The agenda of a draft meeting: business to receive, resolutions (each with its exact words
and its kind under the rules), the approval of earlier minutes, and the confirmation of a
statutory special resolution in the Act's window. Every function flushes; MeetingError
means nothing changed."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.extensions import db
from coopkit.meetings import kinds, procedure
from coopkit.meetings.common import MeetingError, may_manage, require_draft, uk_day
from coopkit.meetings.models import AgendaItem, Meeting
from coopkit.proposals.errors import ProposalError
from coopkit.proposals.kinds import check_amendment


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
    if draft.kind in procedure.MEMBER_KIND_LABELS:
        raise MeetingError(f"{procedure.MEMBER_KIND_LABELS[draft.kind]}: use its own form, which records the "
                           f"member concerned (or the candidates).")
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
    if draft.rule_changes:
        check_rule_changes(coop, draft.kind, draft.rule_changes)
    return draft


def check_rule_changes(coop, key: str | None, changes: dict) -> None:
    """A rules amendment may be put to a meeting as this kind: a special resolution (or the
    entrenched kind, for an entrenched clause, where the rules allow it at a meeting), and the
    amended rules pass the legal check. Checked when the item is added and again before notice."""
    if key not in ("special", "entrenched"):
        raise MeetingError("Changing the rules needs a special resolution.")
    try:
        check_amendment(coop, kinds.kind_of(coop, key), changes)
    except (ProposalError, kinds.KindMissing) as exc:
        message = str(exc)
        if "entrenched" in message and "entrenched" not in kinds.available(coop):
            message += " Your rules do not allow that change at a general meeting."
        raise MeetingError(message) from None


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
    require_draft(meeting)
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
    require_draft(meeting)
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can change its agenda.")
    if item.meeting_id != meeting.id or item.state == "withdrawn":
        raise MeetingError("That item is not on this agenda.")
    item.state = "withdrawn"
    db.session.flush()
    record("meeting.item_withdrawn", coop=coop, actor=user, subject=meeting, data={"item_id": item.id})


