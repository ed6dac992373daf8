"""What the meeting page, the notice and the minutes say about an item beyond its words: a rules
amendment's changes in plain language, the member an item is about (with the expelled member's
notice, reply and hearing), an election's candidates and nomination deadline, and the clause
each follows. Reads only: a fixed number of statements for the whole agenda."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.meetings import kinds, procedure
from coopkit.meetings.common import uk_day
from coopkit.meetings.memberitems import HEARD
from coopkit.meetings.models import AgendaItem, Meeting, MeetingCandidate
from coopkit.proposals.changes import plain_language
from coopkit.rules.queries import current_parameters


@dataclass
class ItemText:
    #: "Rule 14.1: expulsion of a member, 75% of votes cast"
    citation: str = ""
    change_lines: list[str] = field(default_factory=list)
    subject_name: str | None = None
    #: expulsion: one line each for the notice, the reply and the hearing
    protections: list[str] = field(default_factory=list)
    candidates: list[tuple[int, str]] = field(default_factory=list)
    nominations_close: date | None = None


def item_texts(coop, meeting: Meeting, items: list[AgendaItem]) -> dict[int, ItemText]:
    """item id -> what to say about it (only items with something to say)."""
    wanted = [i for i in items if i.rule_changes or i.kind in procedure.MEMBER_KIND_LABELS]
    if not wanted:
        return {}
    subject_ids = {i.subject_member_id for i in wanted if i.subject_member_id}
    names = dict(db.session.execute(sa.select(Member.id, Member.full_name).where(Member.id.in_(subject_ids))).all()) \
        if subject_ids else {}
    standing: dict[int, list[tuple[int, str]]] = {}
    elections = [i.id for i in wanted if i.kind == "election"]
    if elections:
        for item_id, member_id, name in db.session.execute(
                sa.select(MeetingCandidate.item_id, Member.id, Member.full_name)
                .join(Member, Member.id == MeetingCandidate.member_id)
                .where(MeetingCandidate.item_id.in_(elections), MeetingCandidate.withdrawn_at.is_(None))
                .order_by(MeetingCandidate.id)).all():
            standing.setdefault(item_id, []).append((member_id, name))
    params = current_parameters(coop) if any(i.rule_changes for i in wanted) else {}
    out = {}
    for item in wanted:
        text = ItemText(subject_name=names.get(item.subject_member_id))
        if item.rule_changes:
            text.change_lines = plain_language(params, item.rule_changes)
        if item.kind in procedure.MEMBER_KIND_LABELS:
            try:
                text.citation = kinds.kind_of(coop, item.kind).citation
            except kinds.KindMissing:
                text.citation = item.result.get("clause", "")
        if item.kind == "expulsion":
            text.protections = _protections(item)
        if item.kind == "election":
            text.candidates = standing.get(item.id, [])
            text.nominations_close = uk_day(meeting.starts_at) - timedelta(days=procedure.NOMINATION_DAYS)
        out[item.id] = text
    return out


def _protections(item: AgendaItem) -> list[str]:
    lines = [f"Written notice of the proposal and the reasons given to the member on "
             f"{item.subject_notified_on:%d %B %Y}." if item.subject_notified_on else "Written notice: not recorded."]
    if item.subject_reply_at is None:
        lines.append("The member's written reply: not yet recorded.")
    elif item.subject_reply:
        lines.append(f"The member replied in writing: {item.subject_reply}")
    else:
        lines.append("The member gave no written reply.")
    if item.subject_heard:
        lines.append(f"At the meeting the member {HEARD[item.subject_heard]}.")
    return lines
