"""At the meeting: attendance, quorum (at the start and at each vote), adjournment, votes by
show of hands or by a poll members answer in the browser, business noted, closing.

Every function flushes, never commits, and raises MeetingError with nothing changed.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.coops.queries import member_for_user
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.meetings import ballots, kinds, memberitems, outcomes, procedure
from coopkit.meetings.attendance import EARLY_START, Presence, presence, require_manager
from coopkit.meetings.citations import cite
from coopkit.meetings.common import (
    MeetingError,
    live_items,
    next_number,
    rules_for,
)
from coopkit.meetings.models import (
    AgendaItem,
    Meeting,
    MeetingBallot,
    MeetingVoter,
)
from coopkit.proposals.timefmt import uk_datetime

log = logging.getLogger("coopkit.meetings")

#: the rules wait this long for a quorum before adjourning
QUORUM_WAIT = timedelta(minutes=30)


def _quorum(meeting: Meeting, coop) -> int:
    rules = rules_for(coop)
    return procedure.quorum_needed(meeting.entitled or 0, rules)


def start_meeting(meeting: Meeting, coop, user, *, chair_member_id: int | None = None,
                  now: datetime | None = None) -> Presence:
    """Open the meeting: short notice (if used) agreed by enough members, a quorum of members
    present or represented, a chair. Flushes; audits meeting.started."""
    now = now or utcnow()
    require_manager(meeting, coop, user, "Starting the meeting")
    if meeting.state != "called":
        raise MeetingError("Only a meeting that has been called (notice sent) and not yet held can start.")
    if now < meeting.starts_at - EARLY_START:
        raise MeetingError(f"The notice gives {uk_datetime(meeting.starts_at)} (UK time): the meeting can't "
                           f"start before then.")
    if meeting.short_notice:
        from coopkit.meetings.common import consent_count

        agreed = consent_count(meeting, "short_notice")
        if agreed < (meeting.consents_needed or 0):
            raise MeetingError(f"This meeting was called at short notice: {agreed} of the {meeting.consents_needed} "
                               f"members needed have agreed, so it can't be held yet "
                               f"({cite(coop, 'short_notice')}).")
    here = presence(meeting)
    needed = _quorum(meeting, coop)
    if meeting.adjourned_from_id is not None and here.total < needed:
        needed = procedure.quorum_needed(meeting.entitled or 0, rules_for(coop), adjourned_again=True)
    if here.total < needed:
        late = now >= meeting.starts_at + QUORUM_WAIT
        raise MeetingError(f"Not quorate: {here.total} present or represented, {needed} needed "
                           f"({cite(coop, 'quorum')}). " + (
                               "More than 30 minutes have passed: adjourn the meeting." if late else
                               "Wait for more members (up to 30 minutes), or adjourn the meeting."))
    chair = db.session.get(Member, chair_member_id) if chair_member_id else member_for_user(coop, user)
    if chair is None or chair.coop_id != coop.id or not here.is_present(chair.id):
        raise MeetingError("Choose as chair a member who is present.")
    claimed = db.session.execute(sa.update(Meeting).where(Meeting.id == meeting.id, Meeting.state == "called")
                                 .values(state="open").execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise MeetingError("The meeting has already started.")
    meeting.state, meeting.started_at, meeting.quorum_needed = "open", now, needed
    meeting.present_at_start, meeting.chair_member_id = here.total, chair.id
    db.session.flush()
    record("meeting.started", coop=coop, actor=user, subject=meeting,
           data={"present": here.present, "represented": len(here.represented), "quorum": needed})
    log.info("Meeting %s started: %d present or represented, quorum %d", meeting.id, here.total, needed)
    return here


def adjourn_meeting(meeting: Meeting, coop, user, *, reason: str = "", now: datetime | None = None,
                    send: bool = True) -> Meeting:
    """Adjourn as the rules say (same day and time a week later): a new meeting continues the
    business not yet dealt with. Members are told. Flushes; audits meeting.adjourned."""
    now = now or utcnow()
    require_manager(meeting, coop, user, "Adjourning the meeting")
    if meeting.state not in ("called", "open"):
        raise MeetingError("Only a meeting that has been called or is under way can be adjourned.")
    if meeting.state == "called":
        if now < meeting.starts_at:
            raise MeetingError("A meeting is adjourned at or after its start time; before then, cancel it instead.")
        if presence(meeting).total >= _quorum(meeting, coop):
            raise MeetingError("The meeting is quorate: start it rather than adjourn it.")
    base = meeting.starts_at if meeting.state == "called" else max(meeting.starts_at, now)
    later = Meeting(coop_id=coop.id, number=next_number(coop), kind=meeting.kind,
                    title=f"{meeting.title} (adjourned)", starts_at=meeting.starts_at + timedelta(
                        days=procedure.ADJOURN_DAYS * (1 + (base - meeting.starts_at).days // procedure.ADJOURN_DAYS)),
                    place=meeting.place, mode=meeting.mode, online_details=meeting.online_details,
                    called_by=meeting.called_by, called_by_user_id=meeting.called_by_user_id, state="draft",
                    adjourned_from_id=meeting.id, created_at=now)
    if not add_unless_duplicate(later):
        raise MeetingError("Another change was being made at the same time: please try again.")
    for item in live_items(meeting):
        if item.state in ("pending", "voting"):
            moved = AgendaItem(meeting_id=later.id, position=item.position, title=item.title,
                               item_type=item.item_type, kind=item.kind, resolution_text=item.resolution_text,
                               purpose=item.purpose, confirms_item_id=item.confirms_item_id,
                               approves_meeting_id=item.approves_meeting_id, secret=item.secret,
                               rule_changes_json=item.rule_changes_json, subject_member_id=item.subject_member_id,
                               subject_reasons=item.subject_reasons, subject_notified_on=item.subject_notified_on,
                               subject_reply=item.subject_reply, subject_reply_at=item.subject_reply_at,
                               seats=item.seats)
            db.session.add(moved)
            if item.kind == "election":
                db.session.flush()
                memberitems.carry_candidates(item, moved)
            item.state, item.note = "withdrawn", f"Adjourned to meeting {later.number}."
    was = meeting.state
    meeting.state, meeting.closed_at = "adjourned", now
    meeting.adjourned_reason = (reason or "").strip() or (
        "No quorum was present." if was == "called" else "The meeting stopped being quorate.")
    db.session.flush()
    record("meeting.adjourned", coop=coop, actor=user, subject=meeting, data={"to": later.number})
    log.info("Meeting %s adjourned to meeting %s", meeting.id, later.id)
    from coopkit.meetings.services import send_notice

    send_notice(later, coop, user, now=now, send=send)
    return later


def _votable(item: AgendaItem, meeting: Meeting, coop) -> None:
    if item.meeting_id != meeting.id:
        raise MeetingError("That item is not on this meeting's agenda.")
    if meeting.state != "open":
        raise MeetingError("Votes are taken only while the meeting is under way.")
    if item.item_type == "business":
        raise MeetingError("This item is business to receive, not a resolution: record it as dealt with.")
    memberitems.ready_to_vote(item, meeting, coop)


def _voters(item: AgendaItem, here: Presence) -> Presence:
    """Who may vote on ``item``: everyone present or represented, except, on an expulsion, the
    member concerned (not on the roll, and not a proxy holder for it)."""
    return here.without(item.subject_member_id) if item.kind == "expulsion" else here


def _quorate_now(meeting: Meeting, coop) -> Presence:
    here = presence(meeting)
    if here.total < (meeting.quorum_needed or 0):
        raise MeetingError(f"The meeting is no longer quorate: {here.total} present or represented, "
                           f"{meeting.quorum_needed} needed ({cite(coop, 'quorum')}). No vote can be taken: "
                           f"the chair must adjourn the meeting.")
    return here


def record_hands(item: AgendaItem, meeting: Meeting, coop, user, votes_for: int, against: int, abstain: int = 0,
                 *, now: datetime | None = None) -> procedure.MeetingResult:
    """The chair records a show of hands. Quorum is checked now; the counts cannot exceed those
    present or represented. Flushes; audits meeting.vote_recorded."""
    require_manager(meeting, coop, user, "Recording a vote")
    if item.state != "pending":
        raise MeetingError("This resolution has already been voted on." if item.state == "decided"
                           else "A poll is open on this resolution: close the poll to count it.")
    _votable(item, meeting, coop)
    if item.kind == "election" and not memberitems.unopposed(item):
        raise MeetingError("Directors are elected by ranked ballot: open a poll for the election.")
    if item.secret:
        raise MeetingError("A secret ballot was asked for on this resolution: open a secret poll instead.")
    here = _voters(item, _quorate_now(meeting, coop))
    try:
        count = procedure.Count(int(votes_for), int(against), int(abstain))
    except (TypeError, ValueError):
        raise MeetingError("Give the number of votes for, against and abstaining (0 or more).") from None
    if count.total > here.total:
        raise MeetingError(f"{count.total} votes counted but only {here.total} members present or represented "
                           f"may vote on this: count again.")
    return _decide(item, meeting, coop, user, count, "hands", here, now or utcnow())


def open_poll(item: AgendaItem, meeting: Meeting, coop, user, *, secret: bool = False) -> None:
    """Open a poll that members present answer in the browser (secret if asked for now or on
    the agenda). Flushes; audits meeting.poll_opened."""
    require_manager(meeting, coop, user, "Opening a poll")
    if item.state != "pending":
        raise MeetingError("This resolution has already been voted on, or its poll is open.")
    _votable(item, meeting, coop)
    _quorate_now(meeting, coop)
    item.state, item.method, item.secret = "voting", "poll", bool(item.secret or secret)
    db.session.flush()
    record("meeting.poll_opened", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "secret": item.secret})


def cast_poll_vote(item: AgendaItem, meeting: Meeting, coop, user, choice: str, *, for_member_id: int | None = None,
                   now: datetime | None = None) -> None:
    """Cast the user's own vote, or (``for_member_id``) the vote of a member whose proxy they
    hold. Only members present may vote; once per member; never the member an expulsion is about.
    A secret poll seals the choice in the ballot box. Flushes; audits meeting.poll_vote (never the choice)."""
    if item.kind == "election" and not memberitems.unopposed(item):
        raise MeetingError("Rank the candidates: this is an election.")
    if choice not in ("for", "against", "abstain"):
        raise MeetingError("Choose for, against or abstain.")
    _cast(item, meeting, coop, user, for_member_id, now, choice=choice)


def cast_ranking(item: AgendaItem, meeting: Meeting, coop, user, ranking: list[int], *,
                 for_member_id: int | None = None, now: datetime | None = None) -> None:
    """Cast a ranked ballot in an election (indexes into the candidates, first preference first;
    an empty ranking is a blank ballot). Flushes; audits meeting.poll_vote (never the ranking)."""
    if item.kind != "election" or memberitems.unopposed(item):
        raise MeetingError("Vote for, against or abstain: there is no ranking to make." if item.kind == "election"
                           else "This is not an election: vote for, against or abstain.")
    count = len(memberitems.candidates(item))
    ranked = []
    for raw in ranking:
        if not isinstance(raw, int) or isinstance(raw, bool) or not 0 <= raw < count:
            raise MeetingError("That candidate is not on this ballot.")
        if raw in ranked:
            raise MeetingError("Each candidate can have only one place in your ranking.")
        ranked.append(raw)
    _cast(item, meeting, coop, user, for_member_id, now, ranking=ranked)


def _cast(item, meeting, coop, user, for_member_id, now, *, choice=None, ranking=None) -> None:
    now = now or utcnow()
    if item.meeting_id != meeting.id or item.state != "voting" or meeting.state != "open":
        raise MeetingError("No poll is open on this item.")
    voter = member_for_user(coop, user)
    here = presence(meeting)
    if voter is None or not here.is_present(voter.id):
        raise MeetingError("Only members present at the meeting (in person or online) can vote in its poll.")
    whose = voter.id
    if for_member_id is not None and for_member_id != voter.id:
        whose = for_member_id
    if item.kind == "expulsion" and item.subject_member_id in (voter.id, whose):
        raise MeetingError("The member a resolution to expel is about does not vote on it, in person or as a "
                           "proxy holder (" + kinds.kind_of(coop, "expulsion").citation + ").")
    allowed = _voters(item, here)
    if whose != voter.id and whose not in allowed.held_by(voter.id):
        raise MeetingError("You don't hold that member's proxy at this meeting.")
    if not add_unless_duplicate(MeetingVoter(item_id=item.id, member_id=whose,
                                             cast_by_member_id=voter.id if whose != voter.id else None,
                                             voted_at=now)):
        raise MeetingError("That vote has already been cast: each member votes once.")
    ballots.put(item, whose, choice=choice, ranking=ranking)
    record("meeting.poll_vote", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id} if item.secret else {"item_id": item.id, "member_id": whose})


def poll_counts(item: AgendaItem) -> procedure.Count:
    counts = dict(db.session.execute(sa.select(MeetingBallot.choice, sa.func.count(MeetingBallot.id))
                                     .where(MeetingBallot.item_id == item.id).group_by(MeetingBallot.choice)).all())
    return procedure.Count(counts.get("for", 0), counts.get("against", 0), counts.get("abstain", 0))


def close_poll(item: AgendaItem, meeting: Meeting, coop, user, *, now: datetime | None = None) -> procedure.MeetingResult:
    """Close the poll and count it (quorum checked again). Flushes; audits meeting.vote_recorded."""
    require_manager(meeting, coop, user, "Closing a poll")
    if item.meeting_id != meeting.id or item.state != "voting" or meeting.state != "open":
        raise MeetingError("No poll is open on this item.")
    here = _voters(item, _quorate_now(meeting, coop))
    ballots.empty_box(item)
    if item.kind == "election" and not memberitems.unopposed(item):
        return outcomes.decide_election(item, meeting, coop, user, ballots.rankings(item), here, now or utcnow())
    return _decide(item, meeting, coop, user, poll_counts(item), "poll", here, now or utcnow())


def _decide(item, meeting, coop, user, count, method, here: Presence, now) -> procedure.MeetingResult:
    members = max((meeting.entitled or 0) - (1 if item.kind == "expulsion" else 0), here.total)
    try:
        counting, citation = kinds.counting_for(coop, "ordinary" if item.kind == "election" else item.kind)
        if item.kind == "election":   # unopposed: the rules elect by ordinary resolution
            where = kinds.kind_of(coop, "election").citation.split(":")[0]
            citation = f"{where}: election of directors unopposed, by ordinary resolution ({counting.rule})"
        result = procedure.count_vote(counting, count, members=members)
    except (ValueError, kinds.KindMissing) as exc:
        raise MeetingError(str(exc)) from None
    item.state, item.method, item.decided_at = "decided", method, now
    item.votes_for, item.votes_against, item.votes_abstain = count.votes_for, count.against, count.abstain
    item.present_at_vote, item.outcome = here.total, result.outcome
    item.result_json = json.dumps({"reason": result.reason, "rule": result.rule, "needed": result.needed,
                                   "clause": citation, "quorum": meeting.quorum_needed,
                                   "present": here.present, "represented": len(here.represented)})
    db.session.flush()
    record("meeting.vote_recorded", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "method": method, "for": count.votes_for, "against": count.against,
                 "abstain": count.abstain, "outcome": result.outcome})
    log.info("Meeting %s item %s: %s", meeting.id, item.id, result.outcome)
    if result.passed:
        outcomes.after_passed(item, meeting, coop, user)
    return result


def note_business(item: AgendaItem, meeting: Meeting, coop, user, note: str) -> None:
    """Record a business item as dealt with (e.g. "The accounts for 2025 were received").
    Flushes; audits meeting.item_noted."""
    require_manager(meeting, coop, user, "Recording business")
    if item.meeting_id != meeting.id or meeting.state != "open":
        raise MeetingError("Business is recorded while the meeting is under way.")
    if item.item_type != "business" or item.state != "pending":
        raise MeetingError("This item is a resolution to vote on, or it has been dealt with.")
    _quorate_now(meeting, coop)
    item.state, item.note, item.decided_at = "noted", (note or "").strip() or "Received.", utcnow()
    db.session.flush()
    record("meeting.item_noted", coop=coop, actor=user, subject=meeting, data={"item_id": item.id})


def close_meeting(meeting: Meeting, coop, user, *, now: datetime | None = None) -> None:
    """Close the meeting; items not reached are recorded as not dealt with. Flushes; audits."""
    require_manager(meeting, coop, user, "Closing the meeting")
    if meeting.state != "open":
        raise MeetingError("Only a meeting under way can be closed.")
    if any(i.state == "voting" for i in live_items(meeting)):
        raise MeetingError("A poll is still open: close it first.")
    for item in live_items(meeting):
        if item.state == "pending":
            item.state, item.note = "withdrawn", "Not dealt with at the meeting."
    meeting.state, meeting.closed_at = "closed", now or utcnow()
    db.session.flush()
    record("meeting.closed", coop=coop, actor=user, subject=meeting)
    log.info("Meeting %s closed", meeting.id)
