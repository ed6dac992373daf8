"""What a resolution passed at a general meeting changes, and the count of an election.

A downward call each (the meetings package sits above the register and the rules): approved
minutes; amended rules, checked again against the law before they are adopted; a confirmed
statutory special resolution; a member expelled (their entry ceased, citing the resolution)
or admitted; directors elected with the term the rules give. A consequence that the register
refuses (an applicant whose address is missing) leaves the vote standing: the reason is kept
with the result, audited, and the secretary completes it from the register's pages.
"""

from __future__ import annotations

import json
import logging
from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.meetings import kinds, memberitems
from coopkit.meetings.common import MeetingError, uk_day
from coopkit.meetings.models import AgendaItem, Meeting
from coopkit.proposals import tally
from coopkit.register import authority
from coopkit.register.officers import elect_director
from coopkit.register.services import RegisterError, admit_member, cease_member
from coopkit.rules.queries import amendment, current_parameters
from coopkit.rules.services import RulesError, create_amended_version

log = logging.getLogger("coopkit.meetings")


def decision_id(item: AgendaItem) -> int:
    """The id the register cites a meeting's resolution by (register.authority: minus the item's id)."""
    return -item.id


def label(meeting: Meeting, item: AgendaItem) -> str:
    return f"Meeting {meeting.number}, item {item.position}"


def meeting_decisions(coop_id: int) -> list[authority.Decision]:
    """The co-op's resolutions passed at general meetings, for the register (register.authority)."""
    rows = db.session.execute(
        sa.select(AgendaItem, Meeting.number).join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.coop_id == coop_id, AgendaItem.outcome == "passed", AgendaItem.item_type == "resolution")
        .order_by(Meeting.number.desc(), AgendaItem.position)).all()
    return [authority.Decision(id=-item.id, number=number, title=item.title, kind=item.kind,
                               subject_member_id=item.subject_member_id, citation=item.result.get("clause", ""),
                               label=f"Meeting {number}, item {item.position}") for item, number in rows]


def _note(item: AgendaItem, key: str, value) -> None:
    stored = item.result
    stored[key] = value
    item.result_json = json.dumps(stored)


def after_passed(item: AgendaItem, meeting: Meeting, coop, user) -> None:
    """Carry out what a passed resolution decides. Flushes; audits each change."""
    day = uk_day(item.decided_at)
    if item.item_type == "minutes" and item.approves_meeting_id:
        earlier = db.session.get(Meeting, item.approves_meeting_id)
        earlier.minutes_approved_at_id, earlier.minutes_approved_on = meeting.id, day
        record("meeting.minutes_approved", coop=coop, actor=user, subject=earlier, data={"at": meeting.number})
    if item.rule_changes and item.kind in ("special", "entrenched"):
        _adopt_rules(item, meeting, coop, user)
    if item.kind == "statutory_confirmation":
        record("meeting.statutory_confirmed", coop=coop, actor=user, subject=meeting,
               data={"item_id": item.id, "confirms": item.confirms_item_id, "purpose": item.purpose})
    if item.kind in ("expulsion", "admission"):
        _register_member(item, meeting, coop, user, day)
    if item.kind == "election":   # unopposed: every candidate elected by the resolution
        standing = memberitems.candidates(item)
        _note(item, "elected", [name for _, name in standing])
        _record_directors(item, meeting, coop, user, day, standing)
    db.session.flush()


def _adopt_rules(item: AgendaItem, meeting: Meeting, coop, user) -> None:
    """Adopt the amended rules, after checking them against the law again (the rules in force may
    have changed since the notice). A failing amendment is not adopted; the reasons are kept."""
    report = amendment(coop, item.rule_changes).report
    if not report.passed:
        reasons = [f"{i.label}: {i.detail}" if i.detail else i.label for i in report.failures]
        _note(item, "not_adopted", reasons)
        record("meeting.amendment_refused", coop=coop, actor=user, subject=meeting,
               data={"item_id": item.id, "reasons": reasons})
        log.warning("Meeting %s item %s passed but its amendment fails the legal check: not adopted",
                    meeting.id, item.id)
        return
    try:
        with db.session.begin_nested():
            version = create_amended_version(coop, item.rule_changes, user, None)
    except (RulesError, ValueError, LookupError, sa.exc.SQLAlchemyError):
        log.exception("Meeting %s item %s passed but the amended rules could not be made", meeting.id, item.id)
        return
    item.amended_rules_version_id = version.id
    record("meeting.rules_amended", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "rules_version_id": version.id})


def _register_member(item: AgendaItem, meeting: Meeting, coop, user, day: date) -> None:
    member = db.session.get(Member, item.subject_member_id)
    try:
        with db.session.begin_nested():
            if item.kind == "expulsion":
                cease_member(member, on=day, reason="expelled", actor=user, by_proposal_id=decision_id(item))
            else:
                admit_member(member, day, user, by_proposal_id=decision_id(item))
    except RegisterError as exc:
        _note(item, "register", f"The register was not updated: {exc}")
        record("meeting.register_not_updated", coop=coop, actor=user, subject=meeting,
               data={"item_id": item.id, "member_id": member.id})
        log.warning("Meeting %s item %s passed but the register refused the %s", meeting.id, item.id, item.kind)
        return
    what = "ceased (expelled)" if item.kind == "expulsion" else "admitted"
    _note(item, "register", f"{member.full_name}'s entry in the register: {what} on {day:%d %B %Y}, citing this "
                            f"resolution ({label(meeting, item)}).")


def _term_ends(coop, day: date) -> date | None:
    years = int(current_parameters(coop).get("board_term_years") or 0)
    if years <= 0:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def decide_election(item: AgendaItem, meeting: Meeting, coop, user, rankings: list, here, now):
    """Count an election's ranked ballots as the rules say (single transferable vote for several
    seats, or the manifest's ranking) and record the directors elected in the register of officers.
    Flushes; audits meeting.vote_recorded and officer.elected."""
    kind = kinds.kind_of(coop, "election")
    standing = memberitems.candidates(item)
    names = [name if [n for _, n in standing].count(name) == 1 else f"{name} ({mid})" for mid, name in standing]
    seats = min(item.seats or 1, len(standing))
    try:
        spec = tally.Spec(method="election", eligible=max(meeting.entitled or 0, here.total, len(rankings)),
                          quorum=0, options=tuple(names), seats=seats,
                          ranking="stv" if seats > 1 else kind.ranking)
        result = tally.tally(spec, rankings)
    except tally.TallyError as exc:
        raise MeetingError(f"The election can't be counted: {exc}.") from None
    elected = [standing[names.index(n)] for n in result.winners]
    blank = result.blank
    item.state, item.method, item.decided_at = "decided", "poll", now
    item.votes_for, item.votes_against, item.votes_abstain = len(rankings) - blank, 0, blank
    item.present_at_vote, item.outcome = here.total, result.outcome
    item.result_json = json.dumps({
        "reason": result.reason, "rule": kind.counting_words, "clause": kind.citation, "needed": None,
        "quorum": meeting.quorum_needed, "present": here.present, "represented": len(here.represented),
        "first_preferences": result.counts, "elected": [name for _, name in elected], "seats": seats})
    db.session.flush()
    record("meeting.vote_recorded", coop=coop, actor=user, subject=meeting,
           data={"item_id": item.id, "method": "poll", "ballots": len(rankings), "outcome": result.outcome,
                 "elected": [mid for mid, _ in elected]})
    if result.passed:
        _record_directors(item, meeting, coop, user, uk_day(now), elected)
        db.session.flush()
    return result


def _record_directors(item: AgendaItem, meeting: Meeting, coop, user, day: date, elected) -> None:
    ends = _term_ends(coop, day)
    for member_id, _ in elected:
        try:
            with db.session.begin_nested():
                elect_director(db.session.get(Member, member_id), on=day, term_ends_on=ends, actor=user,
                               decision=label(meeting, item))
        except RegisterError as exc:
            _note(item, "register", f"The register of officers was not updated: {exc}")
