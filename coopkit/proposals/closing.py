"""Closing proposals (when due, or early once the outcome is settled) and reminders.

Pages call :func:`close_due` on access; cron calls ``coopkit close-due``. A
conditional UPDATE claims each proposal, so two servers never close one twice.
"""

from __future__ import annotations

import functools
import json
import logging
from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Coop, Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.proposals import ballotbox, integrity, settle, tally, voting
from coopkit.proposals import notify as mail
from coopkit.proposals.errors import ProposalError
from coopkit.proposals.models import Ballot, Participation, Proposal, VoterRollEntry
from coopkit.proposals.services import may_manage
from coopkit.proposals.voting import spec_for
from coopkit.rules.services import create_amended_version

log = logging.getLogger("coopkit.proposals")

REMINDER_BEFORE = timedelta(hours=24)


def ballots_of(proposal: Proposal) -> list:
    """The validated choices of every ballot (with a secret vote's sealed ones while it is open),
    in an order that says nothing about who or when."""
    values = []
    for raw, count in db.session.execute(_choices_statement(), {"proposal_id": proposal.id}):
        values += [json.loads(raw)] * count
    if proposal.secret and proposal.state == "open":
        values += ballotbox.pending_choices(proposal)
    choices = [tuple(value) if isinstance(value, list) else value for value in values]
    return sorted(choices, key=repr)


@functools.cache
def _choices_statement() -> sa.Select:
    """Each distinct choice once, with how many chose it (built once per process)."""
    return (sa.select(Ballot.choice, sa.func.count()).where(Ballot.proposal_id == sa.bindparam("proposal_id"))
            .group_by(Ballot.choice).order_by(Ballot.choice))


def participants_of(proposal: Proposal) -> int:
    return db.session.execute(
        sa.select(sa.func.count(Participation.id)).where(Participation.proposal_id == proposal.id)
    ).scalar()


def current_tally(proposal: Proposal) -> tally.Result:
    return tally.tally(spec_for(proposal), ballots_of(proposal), participants_of(proposal))


def settled(proposal: Proposal, eligible: int | None = None) -> bool:
    """True when the remaining voters can no longer change the outcome (``eligible``: the size of
    the roll, when the caller knows it)."""
    if proposal.state != "open":
        return False
    return settle.outcome_is_settled(spec_for(proposal, eligible), ballots_of(proposal)).settled


def result_to_json(result: tally.Result) -> str:
    return json.dumps({
        "method": result.method, "eligible": result.eligible, "participants": result.participants,
        "counts": list(result.counts.items()), "quorum": result.quorum, "quorum_met": result.quorum_met,
        "passed": result.passed, "reason": result.reason, "base": result.base, "needed": result.needed,
        "winners": list(result.winners), "rounds": [list(map(list, r)) for r in result.rounds],
        "blank": result.blank, "turnout_percent": round(result.turnout_percent, 1),
    })


def outcome_of(proposal: Proposal, result: tally.Result) -> str:
    """What a count decides: passed or failed, or "advisory" for a poll (which decides nothing)."""
    return "advisory" if proposal.kind == "poll" and proposal.venue != "legacy" else result.outcome


def close_proposal(proposal: Proposal, *, actor=None, now: datetime | None = None,
                   early: bool = False, notify: bool = True) -> tally.Result | None:
    """Close an open proposal: count it, store the outcome and, when a rules-changing resolution
    passed, create the amended RulesVersion. Notifies the roll. Returns None when another
    process closed it first. Flushes; audits proposal.closed.

    The conditional UPDATE that claims the proposal also locks its row until the transaction
    ends. Every vote takes a shared lock on that row before it writes
    (:func:`coopkit.proposals.voting.lock_open`), so the UPDATE waits for the votes in flight to
    commit and later votes wait for this close and are then refused: the ballots and
    participations counted below form one consistent set."""
    now = now or utcnow()
    claimed = db.session.execute(
        sa.update(Proposal).where(Proposal.id == proposal.id, Proposal.state == "open")
        .values(state="closed", closed_at=now, closed_early=early).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        return None
    proposal.state, proposal.closed_at, proposal.closed_early = "closed", now, early
    ballotbox.empty_into_ballots(proposal)   # secret ballots: opened, shuffled, written all at once
    result = current_tally(proposal)
    proposal.outcome = outcome_of(proposal, result)
    proposal.result_json = result_to_json(result)
    coop = db.session.get(Coop, proposal.coop_id)
    db.session.flush()
    # the count goes into the chain: every ballot (by a digest; secret ones without the voter) and
    # the stored result, so a later change to either no longer matches a fingerprint members hold
    record("proposal.closed", coop=coop, actor=actor, subject=proposal,
           data={"outcome": result.outcome, "participants": result.participants, "eligible": result.eligible,
                 "early": early, "counts": [list(i) for i in result.counts.items()],
                 "winners": list(result.winners), **integrity.count_record(proposal)})
    log.info("Proposal %s closed: %s", proposal.id, result.outcome)
    if result.passed and proposal.rule_changes:
        _amend_rules(proposal, coop, actor)
    if notify:
        mail.closed(proposal, coop, result)
    return result


def _amend_rules(proposal: Proposal, coop, actor) -> None:
    """Adopt the amended rules a passed amendment describes, after checking them again: the law
    or the rules in force may have changed while it was open. A failing amendment is not adopted;
    the reasons are kept with the result and audited."""
    from coopkit.rules.queries import amendment

    report = amendment(coop, proposal.rule_changes).report
    if not report.passed:
        reasons = [f"{i.label}: {i.detail}" if i.detail else i.label for i in report.failures]
        stored = json.loads(proposal.result_json or "{}")
        stored["not_adopted"] = reasons
        proposal.result_json = json.dumps(stored)
        db.session.flush()
        record("proposal.amendment_refused", coop=coop, actor=actor, subject=proposal, data={"reasons": reasons})
        log.warning("Proposal %s passed but its amendment fails the legal check: not adopted", proposal.id)
        return
    try:
        with db.session.begin_nested():
            version = create_amended_version(coop, proposal.rule_changes, actor, proposal.id)
    except (ValueError, LookupError, sa.exc.SQLAlchemyError):
        # The vote stands; the secretary can still make the new version from the rules pages.
        log.exception("Proposal %s passed but the amended rules could not be created", proposal.id)
        return
    proposal.amended_rules_version_id = version.id
    db.session.flush()
    record("proposal.rules_amended", coop=coop, actor=actor, subject=proposal,
           data={"rules_version_id": version.id, "changes": sorted(proposal.rule_changes)})


def close_early(proposal: Proposal, coop, user, *, now: datetime | None = None) -> tally.Result:
    """Close before the closing time, allowed only when the proposal allows it and the outcome
    can no longer change. Flushes."""
    if proposal.state != "open":
        raise ProposalError("Only an open proposal can be closed.")
    if not may_manage(user, coop, proposal):
        raise ProposalError("Only the proposer or the secretary can close this proposal early.")
    if not proposal.allow_early_close:
        raise ProposalError("This proposal stays open until its closing time.")
    if not settled(proposal):
        raise ProposalError("The outcome could still change: it can't close early yet.")
    minimum = min_days_of(proposal)
    if minimum and (now or utcnow()) < proposal.opens_at + timedelta(days=minimum) and current_tally(proposal).passed:
        raise ProposalError(f"The rules keep it open for at least {minimum} days: silence until then counts "
                            "as agreeing, so it can't be agreed early.")
    result = close_proposal(proposal, actor=user, now=now, early=True)
    if result is None:
        raise ProposalError("This proposal has already closed.")
    return result


def min_days_of(proposal: Proposal) -> int | None:
    """Consent and consensus under decision kinds: the least time it stays open (from when it opened
    to the closing time the rules required)."""
    if proposal.venue == "legacy" or proposal.method not in ("consent", "consensus"):
        return None
    from coopkit.proposals import kinds

    kind = kinds.kinds_of(db.session.get(Coop, proposal.coop_id)).get(proposal.kind)
    return kind.min_days if kind else None


#: the choices that count towards passing at once, as ballots store them (JSON)
_AGREEING = voting.AGREEING

#: kinds that pass as soon as enough of everyone on the roll agree (a written resolution, an
#: instrument, a unanimous change): nothing later can undo it, so it closes at once
PASS_AT_ONCE = ("resolution", "unanimity", "instrument")


def close_when_passed(proposal: Proposal, *, actor=None, now: datetime | None = None) -> tally.Result | None:
    """A written resolution passes as soon as the required share of all eligible members agree:
    close it then (the result is final). Returns the result when it closed. Flushes."""
    if not passes_at_once(proposal):
        return None
    return close_proposal(proposal, actor=actor, now=now, early=True)


def cast_vote_and_check(proposal: Proposal, coop, member, raw_choice, *,
                        seen: int | None = None) -> tuple[voting.VoteOutcome, bool]:
    """Record ``member``'s vote (:func:`coopkit.proposals.voting.cast_vote`) in the caller's
    transaction, which commits next, in the order that holds the co-op's audit chain for the least
    time: the vote's rows (under the proposal's shared lock, with the state and the roll read
    again), then the vote's audit event (the chain's lock, held to the commit).

    Returns the outcome and whether the vote may have passed a written resolution that passes at
    once: then, after the commit, :func:`passes_at_once` counts (reads only) and, if it passed,
    :func:`close_when_passed` closes it in a transaction of its own, which tests again. Counting
    after the commit, not inside the vote's transaction: the vote that commits last sees every
    vote (on PostgreSQL a count inside it misses the votes still in flight, so when they all
    counted at once none closed it); the vote's transaction never counts every ballot (a secret
    vote near the end opens them all) while holding SQLite's write lock; and a close never waits
    for other votes while holding a vote's locks. Raises VoteError with nothing written."""
    outcome = voting.cast_vote(proposal, coop, member, raw_choice, seen=seen, audit=False)
    voting.audit_vote(proposal, coop, member, outcome)
    return outcome, _may_pass_at_once(proposal, outcome)


def passes_at_once(proposal: Proposal) -> bool:
    """Whether a written resolution of a kind that passes at once has passed now. Reads only."""
    if not _may_pass_at_once(proposal):
        return False
    enough, eligible = _enough_took_part(proposal)
    # no participation count to check the ballots against: on PostgreSQL a vote that commits
    # between the two reads would make them differ (a TallyError for a vote that did nothing
    # wrong). This is only the test; the close counts again under the proposal's row lock, once
    # every vote in flight has committed, and checks them there.
    return enough and tally.tally(spec_for(proposal, eligible), ballots_of(proposal)).passed


def _may_pass_at_once(proposal: Proposal, outcome: voting.VoteOutcome | None = None) -> bool:
    """A written resolution of a kind that passes at once, still open. After an open vote that does
    not agree (``outcome``) it can't have passed: passing counts agreements only, and the vote
    before would have closed it. A secret vote is tested whatever it chose, so the work (and the
    time) its request takes says nothing about the choice."""
    if proposal.state != "open" or proposal.venue != "writing" or proposal.basis != "eligible" \
            or proposal.method not in PASS_AT_ONCE:
        return False
    return outcome is None or proposal.secret or outcome.agrees


def _enough_took_part(proposal: Proposal) -> tuple[bool, int]:
    """Whether enough members have agreed (open ballot) or voted at all (secret ballot, still
    sealed) to reach the threshold of everyone on the roll: a necessary condition for passing at
    once (unanimity needs them all, which is at least as many); and the size of the roll."""
    eligible, counted = _took_part(proposal)
    return counted >= tally.votes_needed(eligible, proposal.threshold), eligible


def _took_part(proposal: Proposal) -> tuple[int, int]:
    """The size of the roll, and how many members have agreed (open ballot) or voted at all (secret
    ballot, still sealed): reaching the threshold of everyone on the roll is a necessary condition
    for passing at once (unanimity needs them all, which is at least as many). One statement of two
    counts, so a vote does not count (or, for a secret ballot, unseal) every ballot until it could
    have passed."""
    eligible, agreed = db.session.execute(_took_part_statement(proposal.secret), {"pid": proposal.id}).one()
    return eligible, agreed


@functools.cache
def _took_part_statement(secret: bool) -> sa.Select:
    pid = sa.bindparam("pid")
    counted = (sa.select(sa.func.count(Participation.id)).where(Participation.proposal_id == pid) if secret else
               sa.select(sa.func.count(Ballot.id)).where(Ballot.proposal_id == pid, Ballot.choice.in_(_AGREEING)))
    return sa.select(sa.select(sa.func.count(VoterRollEntry.id)).where(VoterRollEntry.proposal_id == pid)
                     .scalar_subquery(), counted.scalar_subquery())


def close_due(*, now: datetime | None = None, coop=None) -> list[Proposal]:
    """Close every open proposal whose closing time has passed (in one co-op, or all). Flushes."""
    now = now or utcnow()
    query = sa.select(Proposal).where(Proposal.state == "open", Proposal.closes_at <= now)
    if coop is not None:
        query = query.where(Proposal.coop_id == coop.id)
    closed = []
    for proposal in db.session.execute(query.order_by(Proposal.closes_at)).scalars().all():
        if close_proposal(proposal, now=now) is not None:
            closed.append(proposal)
    return closed


def remind_due(*, now: datetime | None = None) -> list[tuple[Proposal, int]]:
    """Email, once, the members on the roll who have not voted, 24 hours before a proposal
    closes. Returns (proposal, people reminded). Flushes; audits proposal.reminded."""
    now = now or utcnow()
    due = db.session.execute(
        sa.select(Proposal).where(Proposal.state == "open", Proposal.reminder_sent_at.is_(None),
                                  Proposal.closes_at > now, Proposal.closes_at <= now + REMINDER_BEFORE)
    ).scalars().all()
    sent = []
    for proposal in due:
        claimed = db.session.execute(
            sa.update(Proposal).where(Proposal.id == proposal.id, Proposal.reminder_sent_at.is_(None))
            .values(reminder_sent_at=now).execution_options(synchronize_session=False)
        ).rowcount
        if claimed != 1:
            continue
        proposal.reminder_sent_at = now
        if proposal.opens_at and proposal.closes_at - proposal.opens_at <= REMINDER_BEFORE:
            continue  # the opening email was itself sent within the last day
        not_voted = not_voted_members(proposal)
        coop = db.session.get(Coop, proposal.coop_id)
        mail.reminder(proposal, coop, not_voted)
        record("proposal.reminded", coop=coop, subject=proposal, data={"members": len(not_voted)})
        log.info("Proposal %s: reminder sent to %d member(s)", proposal.id, len(not_voted))
        sent.append((proposal, len(not_voted)))
    return sent


def not_voted_members(proposal: Proposal):
    voted = sa.select(Participation.member_id).where(Participation.proposal_id == proposal.id)
    return db.session.execute(
        sa.select(Member).join(VoterRollEntry, VoterRollEntry.member_id == Member.id)
        .where(VoterRollEntry.proposal_id == proposal.id, Member.id.not_in(voted)).order_by(Member.id)
    ).scalars().all()
