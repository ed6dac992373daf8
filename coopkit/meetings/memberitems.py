"""Agenda items about one member, and elections: the expulsion of a member (the written notice
and reasons the rules require, the member's reply and their hearing at the meeting), the
admission of an applicant where the members admit, and the election of directors (candidates
nominated in writing before the rules' deadline). Every write flushes; MeetingError means
nothing changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.mail import send_mail
from coopkit.meetings import kinds, procedure
from coopkit.meetings.common import MeetingError, may_manage, require_draft, uk_day
from coopkit.meetings.models import AgendaItem, Meeting, MeetingCandidate
from coopkit.proposals.notify import _addresses
from coopkit.rules.queries import current_parameters

HEARD = {"spoke": "attended and spoke", "declined": "attended and chose not to speak",
         "absent": "did not attend (the right to attend and speak was given)"}


@dataclass
class MemberItemDraft:
    kind: str
    subject_member_id: int | None = None
    #: expulsion: the reasons given to the member in writing, and the day that notice was given
    reasons: str = ""
    notified_on: date | None = None
    #: expulsion: email the written notice to the member now (the notice day is then today)
    email_notice: bool = False
    #: election: directors to elect
    seats: int | None = None
    secret: bool = False


def _member(coop, member_id: int | None) -> Member | None:
    member = db.session.get(Member, member_id) if member_id else None
    return member if member is not None and member.coop_id == coop.id else None


def _kind(coop, key: str):
    if key not in procedure.MEMBER_KIND_LABELS:
        raise MeetingError("Choose expulsion, admission or election of directors.")
    try:
        return kinds.kind_of(coop, key)
    except kinds.KindMissing as exc:
        raise MeetingError(str(exc)) from None


def notice_problem(item: AgendaItem, meeting: Meeting, coop) -> str | None:
    """Why an expulsion may not be decided at this meeting yet: the member's written notice with
    the reasons, at least the rules' clear days before the meeting. None when it is in order."""
    if item.kind != "expulsion":
        return None
    kind = kinds.kind_of(coop, "expulsion")
    days = kind.subject_notice_days or 0
    if item.subject_notified_on is None or not item.subject_reasons.strip():
        return (f"{kind.citation}: the member must be given written notice of the proposal and the reasons at "
                f"least {days} clear days before the meeting. Record when it was given.")
    meeting_day = uk_day(meeting.starts_at)
    if procedure.clear_days(item.subject_notified_on, meeting_day) < days:
        latest = meeting_day - timedelta(days=days + 1)
        return (f"{kind.citation}: the member's written notice must be given at least {days} clear days before "
                f"the meeting, so by {latest:%d %B %Y} for a meeting on {meeting_day:%d %B %Y}; it was given on "
                f"{item.subject_notified_on:%d %B %Y}. Hold the meeting later, or decide at another meeting.")
    return None


def add_member_item(meeting: Meeting, coop, user, draft: MemberItemDraft, *, today: date | None = None) -> AgendaItem:
    """Put an expulsion, an admission or an election of directors on a draft meeting's agenda,
    with the exact words of the resolution the notice prints. Flushes; audits meeting.item_added."""
    require_draft(meeting)
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting can change its agenda.")
    kind = _kind(coop, draft.kind)
    today = today or uk_day(utcnow())
    params = current_parameters(coop)
    subject, seats = None, None
    if kind.subject == "member":
        subject = _member(coop, draft.subject_member_id)
        if subject is None:
            raise MeetingError("Choose the member this resolution is about.")
        _same_member_twice(meeting, draft.kind, subject)
    if draft.kind == "expulsion":
        if not subject.is_current:
            raise MeetingError(f"{subject.full_name} is not a current member, so cannot be expelled.")
        title = f"Expulsion of {subject.full_name}"
        reasons = (draft.reasons or "").strip()
        if not reasons:
            raise MeetingError("Give the reasons for the proposal to expel: the member must be told them in writing.")
        notified_on = today if draft.email_notice else draft.notified_on
        if notified_on is None:
            raise MeetingError("Give the day the member was given written notice, or email it to them now.")
        if notified_on > today:
            raise MeetingError("The day notice was given can't be in the future.")
        text = (f"That {subject.full_name} is expelled from membership, for the reasons set out in the written "
                f"notice given to them on {notified_on:%d %B %Y}: {reasons}")
    elif draft.kind == "admission":
        if subject.status != "applicant":
            raise MeetingError(f"{subject.full_name} is not an applicant for membership.")
        title, text = f"Admission of {subject.full_name}", f"That {subject.full_name} is admitted to membership."
        reasons, notified_on = "", None
    else:
        board = int(params.get("board_size") or 0)
        try:
            seats = int(draft.seats or 0)
        except (TypeError, ValueError):
            seats = 0
        if not 1 <= seats <= max(board, 1):
            raise MeetingError(f"Give the number of directors to elect: from 1 to {board}, the size of the board "
                               f"your rules set.")
        if db.session.execute(sa.select(AgendaItem.id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.kind == "election",
                AgendaItem.state != "withdrawn")).first():
            raise MeetingError("This meeting already has an election of directors on its agenda.")
        title, text = "Election of directors", election_text(seats)
        reasons, notified_on = "", None
    item = AgendaItem(meeting_id=meeting.id, position=_next_position(meeting), title=title, item_type="resolution",
                      kind=draft.kind, resolution_text=text, secret=bool(draft.secret),
                      subject_member_id=subject.id if subject else None, subject_reasons=reasons,
                      subject_notified_on=notified_on, seats=seats)
    problem = notice_problem(item, meeting, coop)
    if problem:
        raise MeetingError(problem)
    if draft.kind == "expulsion" and draft.email_notice and not _addresses([subject]):
        raise MeetingError(f"{subject.full_name} has no email address on the register: give them the notice in "
                           f"writing another way and record the day.")
    db.session.add(item)
    db.session.flush()
    record("meeting.item_added", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "type": "resolution", "kind": item.kind, "member_id": item.subject_member_id,
                 "notified_on": notified_on.isoformat() if notified_on else None, "seats": seats})
    if draft.kind == "expulsion" and draft.email_notice:
        _email_notice(coop, meeting, item, subject, kind)
    return item


def election_text(seats: int) -> str:
    """The words of an election's resolution, as the notice prints them."""
    return (f"That the {seats} candidate{'s' if seats != 1 else ''} with the most support in a ranked ballot of the "
            f"members present or represented {'are' if seats != 1 else 'is'} elected director"
            f"{'s' if seats != 1 else ''} for the term the rules set.")


def retiring_seats(params: dict) -> int:
    """The seats an AGM fills: the nearest number to one third of the board where one third retire
    each year, else the whole board."""
    board = max(int(params.get("board_size") or 1), 1)
    return max(1, int(board / 3 + 0.5)) if params.get("board_rotation", "third") == "third" else board


def _next_position(meeting: Meeting) -> int:
    return (db.session.execute(sa.select(sa.func.max(AgendaItem.position))
                               .where(AgendaItem.meeting_id == meeting.id)).scalar() or 0) + 1


def _same_member_twice(meeting: Meeting, key: str, subject: Member) -> None:
    if db.session.execute(sa.select(AgendaItem.id).where(
            AgendaItem.meeting_id == meeting.id, AgendaItem.kind == key, AgendaItem.state != "withdrawn",
            AgendaItem.subject_member_id == subject.id)).first():
        raise MeetingError(f"The {key} of {subject.full_name} is already on this agenda.")


def _email_notice(coop, meeting: Meeting, item: AgendaItem, subject: Member, kind) -> None:
    from coopkit.proposals.timefmt import uk_datetime

    send_mail(_addresses([subject])[0], f"{coop.name}: notice of a proposal to expel you", (
        f"Dear {subject.full_name},\n\n"
        f"The secretary of {coop.name} gives you written notice that a resolution to expel you from membership "
        f"will be put to the general meeting on {uk_datetime(meeting.starts_at)} (UK time): {meeting.title}.\n\n"
        f"The reasons:\n{item.subject_reasons}\n\n"
        f"Under the rules ({kind.citation}) you may reply in writing before the meeting, and attend and speak "
        f"at it, with a companion if you wish. You may not vote on this resolution. Send your reply to the "
        f"secretary.\n"))


def _subject_item(item: AgendaItem, meeting: Meeting, coop, user) -> None:
    if item.meeting_id != meeting.id or item.kind != "expulsion":
        raise MeetingError("That item is not a proposal to expel a member.")
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or the chair records this.")
    if item.state != "pending" or meeting.state in ("closed", "adjourned", "cancelled"):
        raise MeetingError("This resolution has already been dealt with.")


def record_reply(item: AgendaItem, meeting: Meeting, coop, user, reply: str, *, none_given: bool = False,
                 now: datetime | None = None) -> None:
    """Attach the member's written reply to the proposal to expel them, or record that they gave
    none. Flushes; audits meeting.subject_reply (never the reply's words)."""
    _subject_item(item, meeting, coop, user)
    reply = (reply or "").strip()
    if not reply and not none_given:
        raise MeetingError("Paste the member's written reply, or tick that they gave none.")
    if reply and none_given:
        raise MeetingError("Either paste the member's reply or tick that they gave none, not both.")
    item.subject_reply, item.subject_reply_at = reply, now or utcnow()
    db.session.flush()
    record("meeting.subject_reply", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "none_given": not reply})


def record_hearing(item: AgendaItem, meeting: Meeting, coop, user, heard: str) -> None:
    """At the meeting: record whether the member concerned attended and spoke before the vote.
    Flushes; audits meeting.subject_heard."""
    _subject_item(item, meeting, coop, user)
    if meeting.state != "open":
        raise MeetingError("The member's hearing is recorded at the meeting, once it is under way.")
    if heard not in HEARD:
        raise MeetingError("Choose whether the member attended and spoke.")
    item.subject_heard = heard
    db.session.flush()
    record("meeting.subject_heard", coop=coop, actor=user, subject=meeting, data={"item_id": item.id, "heard": heard})


def ready_to_vote(item: AgendaItem, meeting: Meeting, coop) -> None:
    """Before a vote on an item about a member or an election: raises MeetingError saying what
    is missing (the expelled member's notice, reply and hearing; two candidates; the applicant)."""
    if item.kind == "expulsion":
        problem = notice_problem(item, meeting, coop)
        if problem:
            raise MeetingError(problem)
        if item.subject_reply_at is None:
            raise MeetingError("Attach the member's written reply, or record that they gave none, before the vote: "
                               "the members must consider it.")
        if item.subject_heard is None:
            raise MeetingError("Record whether the member attended and spoke before the vote: the rules give them "
                               "the right to be heard.")
        subject = db.session.get(Member, item.subject_member_id)
        if not subject.is_current:
            raise MeetingError(f"{subject.full_name} is no longer a member.")
    elif item.kind == "admission":
        subject = db.session.get(Member, item.subject_member_id)
        if subject.status != "applicant":
            raise MeetingError(f"{subject.full_name} is no longer an applicant (now {subject.status}).")
    elif item.kind == "election" and not candidates(item):
        raise MeetingError("Nobody has been nominated: add the nominations received in writing.")


def unopposed(item: AgendaItem) -> bool:
    """No more candidates than seats: the meeting votes for or against electing them all (the
    rules' ordinary resolution), by show of hands or poll, instead of ranking them."""
    return item.kind == "election" and len(candidates(item)) <= (item.seats or 1)


def candidates(item: AgendaItem) -> list[tuple[int, str]]:
    """(member id, name) of the candidates standing, in the order nominated."""
    return [tuple(r) for r in db.session.execute(
        sa.select(Member.id, Member.full_name).join(MeetingCandidate, MeetingCandidate.member_id == Member.id)
        .where(MeetingCandidate.item_id == item.id, MeetingCandidate.withdrawn_at.is_(None))
        .order_by(MeetingCandidate.id)).all()]


def nominate(item: AgendaItem, meeting: Meeting, coop, user, member_id: int | None, nominated_on: date | None,
             *, today: date | None = None) -> MeetingCandidate:
    """Record a member's nomination for election as a director, received in writing at least the
    rules' days before the meeting. Flushes; audits meeting.candidate_added."""
    if item.meeting_id != meeting.id or item.kind != "election" or item.state != "pending":
        raise MeetingError("That item is not an election still to be held.")
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting records nominations.")
    if meeting.state not in ("draft", "called"):
        raise MeetingError("Nominations are recorded before the meeting starts.")
    member = _member(coop, member_id)
    if member is None or not member.can_vote:
        raise MeetingError("Choose a voting member: only members may stand for election.")
    today = today or uk_day(utcnow())
    if nominated_on is None or nominated_on > today:
        raise MeetingError("Give the day the nomination reached the secretary in writing (not in the future).")
    deadline = uk_day(meeting.starts_at) - timedelta(days=procedure.NOMINATION_DAYS)
    if nominated_on > deadline:
        clause = kinds.kind_of(coop, "election").citation
        raise MeetingError(f"{clause}: a member stands by telling the secretary in writing at least "
                           f"{procedure.NOMINATION_DAYS} days before the meeting, so by {deadline:%d %B %Y}. This "
                           f"nomination came too late for this meeting.")
    row = db.session.execute(sa.select(MeetingCandidate).where(
        MeetingCandidate.item_id == item.id, MeetingCandidate.member_id == member.id)).scalar_one_or_none()
    if row is not None and row.withdrawn_at is None:
        raise MeetingError(f"{member.full_name} is already a candidate.")
    if row is not None:
        row.withdrawn_at, row.nominated_on = None, nominated_on
    else:
        row = MeetingCandidate(item_id=item.id, member_id=member.id, nominated_on=nominated_on)
        if not add_unless_duplicate(row):
            raise MeetingError(f"{member.full_name} is already a candidate.")
    db.session.flush()
    record("meeting.candidate_added", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "member_id": member.id, "nominated_on": nominated_on.isoformat()})
    return row


def withdraw_candidate(item: AgendaItem, meeting: Meeting, coop, user, member_id: int | None) -> None:
    """A candidate withdraws before the meeting starts (kept, marked withdrawn). Flushes; audits."""
    if item.meeting_id != meeting.id or item.kind != "election" or meeting.state not in ("draft", "called"):
        raise MeetingError("Candidates withdraw before the meeting starts.")
    if not may_manage(coop, user, meeting):
        raise MeetingError("Only the secretary or whoever called the meeting records this.")
    row = db.session.execute(sa.select(MeetingCandidate).where(
        MeetingCandidate.item_id == item.id, MeetingCandidate.member_id == member_id,
        MeetingCandidate.withdrawn_at.is_(None))).scalar_one_or_none()
    if row is None:
        raise MeetingError("That member is not a candidate.")
    row.withdrawn_at = utcnow()
    db.session.flush()
    record("meeting.candidate_withdrawn", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "member_id": member_id})


def carry_candidates(item: AgendaItem, moved: AgendaItem) -> None:
    """An adjourned election keeps its candidates at the meeting that continues it. Flushes."""
    for row in db.session.execute(sa.select(MeetingCandidate).where(
            MeetingCandidate.item_id == item.id, MeetingCandidate.withdrawn_at.is_(None))).scalars():
        db.session.add(MeetingCandidate(item_id=moved.id, member_id=row.member_id, nominated_on=row.nominated_on))
    db.session.flush()
