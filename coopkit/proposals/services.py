"""Proposals: every write of a proposal's life (draft, open, withdraw, discuss).

Voting lives in :mod:`coopkit.proposals.voting`; closing and reminders in
:mod:`coopkit.proposals.closing`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops import policy
from coopkit.coops.models import Member
from coopkit.coops.parameters import PARAMETERS
from coopkit.coops.queries import member_for_user
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db
from coopkit.proposals import kinds, tally
from coopkit.proposals import notify as mail
from coopkit.proposals.errors import ProposalError, VoteError  # noqa: F401  (raised by every write here)
from coopkit.proposals.models import (
    Proposal,
    ProposalComment,
    VoterRollEntry,
)
from coopkit.rules.facts import upgrade_available
from coopkit.rules.queries import current_parameters, governing_version

log = logging.getLogger("coopkit.proposals")

#: below this many voters a secret ballot protects little (totals can reveal choices)
WEAK_SECRECY_BELOW = 5
MIN_VOTING_HOURS = 1
MAX_VOTING_DAYS = 90
#: rule parameters a proposal may not change (they identify the co-op or are set by the registers)
UNCHANGEABLE_PARAMETERS = {"secretary_member_id", "legal_form"}


@dataclass
class Draft:
    """What a proposer fills in. Closing time is a naive UTC instant."""

    title: str
    body: str = ""
    resolution_text: str = ""
    method: str = "resolution"
    preset: str | None = "ordinary"
    threshold_percent: int | None = None
    basis: str | None = None
    options: list[str] = field(default_factory=list)
    seats: int = 1
    ranking: str = "stv"
    secret: bool = False
    allow_early_close: bool = False
    closes_at: datetime | None = None
    rule_changes: dict = field(default_factory=dict)
    #: the decision kind of the co-op's rules (coopkit.rules.decisions); when None it is read
    #: from ``method`` and ``preset`` (a resolution outside a meeting is a written resolution)
    kind: str | None = None
    #: the member an admission or expulsion is about
    subject_member_id: int | None = None
    #: set from the kind: an exact threshold that is not a whole percent ("200/3"), and its citation
    threshold_exact: str | None = None
    citation: str = ""


def _parameters(coop) -> dict:
    return current_parameters(coop)


def counting_rule(coop, draft_or_proposal, venue: str = "writing") -> tuple[int, str]:
    """The (threshold percent, basis) a proposal is counted with, from its decision kind in the
    co-op's rules (a custom threshold only ever stricter). Raises ProposalError."""
    p = draft_or_proposal
    changes = p.rule_changes if isinstance(p.rule_changes, dict) else json.loads(p.rule_changes or "{}")
    key = getattr(p, "kind", None) or kinds.key_for(p.method, p.preset, changes, venue)
    kind = kinds.resolve(coop, key, venue)
    custom = p.threshold_percent if p.preset == "custom" else None
    threshold, _, basis = kinds.counting(kind, custom, p.basis if p.preset == "custom" else None)
    return threshold, basis


def _check_rule_changes(coop, changes: dict) -> dict:
    if not changes:
        return {}
    current = _parameters(coop)
    version = governing_version(coop)
    if version is None:
        raise ProposalError("Your co-op has no adopted rules yet, so there is nothing to amend: "
                            "agree the rules first (the founding journey and the rules pages).")
    in_rules = set(json.loads(version.parameters))
    clean = {}
    for key, value in changes.items():
        if key not in PARAMETERS or key in UNCHANGEABLE_PARAMETERS:
            raise ProposalError(f"{key} is not a rule that can be changed here.")
        if key == "ruleset_version":
            upgrade = upgrade_available(coop)
            if upgrade is None or str(value) != upgrade.ruleset.version:
                raise ProposalError("There is no newer version of your rule set to adopt"
                                    + (f": the newest is {upgrade.ruleset.version}." if upgrade else "."))
            clean[key] = str(value)
            continue
        if key not in in_rules:
            raise ProposalError(f"Your rules have no setting for “{PARAMETERS[key][2]}”.")
        if current.get(key) == value:
            continue
        clean[key] = value
    return clean


def _check_draft(coop, draft: Draft, now: datetime, venue: str = "writing") -> Draft:
    draft.title = (draft.title or "").strip()
    if not draft.title:
        raise ProposalError("Give the proposal a title.")
    if not draft.kind and draft.method not in tally.METHODS:
        raise ProposalError("Choose how the members decide.")
    draft.rule_changes = _check_rule_changes(coop, draft.rule_changes or {})
    draft.kind = draft.kind or kinds.key_for(draft.method, draft.preset, draft.rule_changes, venue)
    kind = kinds.resolve(coop, draft.kind, venue)
    draft.method, draft.citation = kind.method, kind.citation
    _check_options(draft)
    custom = draft.threshold_percent if draft.preset == "custom" and kind.method == "resolution" else None
    draft.threshold_percent, draft.threshold_exact, draft.basis = kinds.counting(
        kind, custom, draft.basis if custom is not None else None)
    draft.preset = ("custom" if custom is not None else "special" if "special" in kind.key else "ordinary") \
        if kind.method == "resolution" else None
    kinds.check_amendment(coop, kind, draft.rule_changes)
    kinds.check_subject(coop, kind, draft.subject_member_id)
    if kind.method == "instrument":
        draft.secret = False  # an instrument is signed: signatures are never secret
    if draft.closes_at is not None and draft.closes_at <= now:
        raise ProposalError("The closing time must be in the future.")
    return draft


def _check_options(draft: Draft) -> None:
    draft.options = [o.strip() for o in draft.options if o and o.strip()]
    if draft.method in ("poll", "election"):
        if len(draft.options) < 2:
            raise ProposalError("List at least two options (one a line).")
        if len(set(o.lower() for o in draft.options)) != len(draft.options):
            raise ProposalError("Each option must be different.")
        if len(draft.options) > 30:
            raise ProposalError("List at most 30 options.")
    else:
        draft.options = []
    if draft.method == "election":
        if not 1 <= draft.seats < len(draft.options) + 1:
            raise ProposalError("The number of seats must be between 1 and the number of candidates.")
        if draft.ranking not in tally.RANKINGS:
            raise ProposalError("Choose single transferable vote or instant runoff.")
        if draft.ranking == "irv" and draft.seats != 1:
            raise ProposalError("Instant runoff fills one seat; use single transferable vote for more.")
    else:
        draft.seats, draft.ranking = 1, "stv"


def _next_number(coop) -> int:
    current = db.session.execute(
        sa.select(sa.func.max(Proposal.number)).where(Proposal.coop_id == coop.id)
    ).scalar()
    return (current or 0) + 1


def _apply(proposal: Proposal, draft: Draft) -> None:
    proposal.title = draft.title
    proposal.body = draft.body or ""
    proposal.resolution_text = (draft.resolution_text or "").strip()
    proposal.method = draft.method
    proposal.preset = draft.preset if draft.method == "resolution" else None
    proposal.threshold_percent = draft.threshold_percent
    proposal.basis = draft.basis
    proposal.options_json = json.dumps(draft.options)
    proposal.seats = draft.seats
    proposal.ranking = draft.ranking
    proposal.secret = bool(draft.secret)
    proposal.allow_early_close = bool(draft.allow_early_close)
    proposal.closes_at = draft.closes_at
    proposal.rule_changes_json = json.dumps(draft.rule_changes, sort_keys=True)
    proposal.kind = draft.kind
    proposal.threshold_exact, proposal.citation = draft.threshold_exact, draft.citation
    proposal.subject_member_id = draft.subject_member_id or None


def create_proposal(coop, user, draft: Draft, *, now: datetime | None = None, venue: str = "writing") -> Proposal:
    """Add a draft proposal numbered within the co-op. ``venue`` is "writing" (every vote outside a
    meeting: a written resolution) or "meeting" (a vote at a general meeting, for the meetings
    package). Flushes; audits proposal.created."""
    now = now or utcnow()
    member = member_for_user(coop, user)
    if member is None or not member.is_current:
        raise ProposalError("Only members of this co-op can make proposals.")
    if venue not in ("writing", "meeting"):
        raise ProposalError("A decision is made in writing or at a meeting.")
    draft = _check_draft(coop, draft, now, venue)
    from coopkit.rules.queries import governing_version

    base = governing_version(coop)
    for _ in range(5):
        proposal = Proposal(coop_id=coop.id, number=_next_number(coop), proposer_member_id=member.id,
                            created_by_id=user.id, state="draft", created_at=now, venue=venue,
                            base_rules_version_id=base.id if base else None)
        _apply(proposal, draft)
        if add_unless_duplicate(proposal):  # a concurrent proposal may have taken the number
            break
    else:
        raise ProposalError("Several proposals were being made at once: please try again.")
    record("proposal.created", coop=coop, actor=user, subject=proposal,
           data={"number": proposal.number, "method": proposal.method, "kind": proposal.kind,
                 "venue": venue, "secret": proposal.secret})
    log.info("Proposal %s created", proposal.id)
    return proposal


def may_manage(user, coop, proposal: Proposal) -> bool:
    """The proposer (for their own) or the secretary."""
    if policy.can(user, "proposals.manage", coop):
        return True
    member = member_for_user(coop, user)
    return member is not None and member.id == proposal.proposer_member_id


def update_draft(proposal: Proposal, coop, user, draft: Draft, *, now: datetime | None = None) -> None:
    """Change a draft. Flushes; audits proposal.edited."""
    if proposal.state != "draft":
        raise ProposalError("Only a draft can be edited; this proposal is " + proposal.state + ".")
    if not may_manage(user, coop, proposal):
        raise ProposalError("Only the proposer or the secretary can edit this draft.")
    if proposal.venue == "legacy":
        raise ProposalError("This draft was made before decision kinds: make a new proposal.")
    _apply(proposal, _check_draft(coop, draft, now or utcnow(), proposal.venue))
    db.session.flush()
    record("proposal.edited", coop=coop, actor=user, subject=proposal)


def voting_roll(coop) -> list[Member]:
    """Who may vote now: current members of the voting class (founders while forming)."""
    rows = db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(("founder", "member")),
                                Member.member_class == "voting").order_by(Member.id)
    ).scalars().all()
    return [m for m in rows if m.can_vote]


def open_proposal(proposal: Proposal, coop, user, *, now: datetime | None = None, notify: bool = True,
                  roll: list[Member] | None = None) -> int:
    """Open voting: read the proposal's decision kind from the rules in force and fix its counting,
    citation and voter roll (everyone eligible when it is circulated, or ``roll``: those present
    at a meeting), then notify every voter (unless ``notify`` is false: demo data). Refused when
    the rules do not allow this kind here, the member concerned has not had their notice period
    or reply, or an amendment fails the legal check. A written resolution's closing time is
    capped at the rules' time limit. Returns the roll size. Flushes; audits proposal.opened."""
    now = now or utcnow()
    if proposal.state != "draft":
        raise ProposalError("Only a draft can be opened; this proposal is " + proposal.state + ".")
    if not may_manage(user, coop, proposal):
        raise ProposalError("Only the proposer or the secretary can open this proposal.")
    if proposal.venue == "legacy":
        raise ProposalError("This draft was made before decision kinds: make a new proposal.")
    kind = kinds.resolve(coop, proposal.kind, proposal.venue)
    if proposal.closes_at is None:
        raise ProposalError("Set a closing time before opening the vote.")
    if proposal.closes_at < now + timedelta(hours=MIN_VOTING_HOURS):
        raise ProposalError(f"Leave at least {MIN_VOTING_HOURS} hour for voting: move the closing time later.")
    if proposal.closes_at > now + timedelta(days=MAX_VOTING_DAYS):
        raise ProposalError(f"A vote can stay open for at most {MAX_VOTING_DAYS} days.")
    if kind.min_days and proposal.closes_at < now + timedelta(days=kind.min_days):
        raise ProposalError(f"{kind.citation}: it stays open for at least {kind.min_days} days. "
                            "Move the closing time later.")
    capped = None
    if kind.time_limit_days and proposal.closes_at > now + timedelta(days=kind.time_limit_days):
        capped = proposal.closes_at
        proposal.closes_at = now + timedelta(days=kind.time_limit_days)
    custom = proposal.threshold_percent if proposal.preset == "custom" else None
    proposal.threshold_percent, proposal.threshold_exact, proposal.basis = kinds.counting(
        kind, custom, proposal.basis if custom is not None else None)
    proposal.method, proposal.citation = kind.method, kind.citation
    proposal.against_cast_below, proposal.against_all_below = kind.against_cast_below, kind.against_all_below
    kinds.check_amendment(coop, kind, proposal.rule_changes)
    kinds.check_subject(coop, kind, proposal.subject_member_id)
    kinds.check_subject_ready(proposal, kind, now)
    roll = kinds.roll_without_subject(kind, voting_roll(coop) if roll is None else roll, proposal.subject_member_id)
    if not roll:
        raise ProposalError("Nobody is on the voter roll: the register has no voting members.")
    proposal.quorum_min_members = kind.quorum_min_members
    proposal.quorum_percent = kind.quorum_percent
    proposal.quorum_needed = (tally.quorum_needed(len(roll), kind.quorum_min_members, kind.quorum_percent)
                              if kind.quorum_min_members is not None else 0)
    claimed = db.session.execute(
        sa.update(Proposal).where(Proposal.id == proposal.id, Proposal.state == "draft")
        .values(state="open", opens_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ProposalError("This proposal has already been opened or withdrawn.")
    proposal.state, proposal.opens_at = "open", now
    # One executemany of a cached single-row INSERT, not a thousand ORM objects and not a
    # thousand-row VALUES clause (compiled afresh every time): a large co-op opens a vote quickly.
    db.session.execute(sa.insert(VoterRollEntry.__table__),
                       [{"proposal_id": proposal.id, "member_id": m.id} for m in roll])
    db.session.flush()
    record("proposal.opened", coop=coop, actor=user, subject=proposal,
           data={"roll": len(roll), "closes_at": proposal.closes_at.isoformat(), "quorum": proposal.quorum_needed,
                 "threshold_percent": proposal.threshold_percent, "basis": proposal.basis, "kind": kind.key,
                 "citation": kind.citation, "capped_from": capped.isoformat() if capped else None})
    log.info("Proposal %s opened: %d on the roll", proposal.id, len(roll))
    if notify:
        mail.opened(proposal, coop, roll)
    return len(roll)


def record_subject_notice(proposal: Proposal, coop, user, *, at: datetime) -> None:
    """The secretary records when the member concerned was given written notice of the proposal.
    Flushes; audits proposal.subject_notified."""
    _check_subject_record(proposal, coop, user)
    if at > utcnow() + timedelta(minutes=5):
        raise ProposalError("Record notice that has been given, not a date in the future.")
    proposal.subject_notified_at = at
    db.session.flush()
    record("proposal.subject_notified", coop=coop, actor=user, subject=proposal, data={"at": at.isoformat()})


def record_subject_reply(proposal: Proposal, coop, user, reply: str, *, none_given: bool = False,
                         now: datetime | None = None) -> None:
    """Attach the member's written reply, or record that they gave none. Flushes; audits
    proposal.subject_replied (without the reply's words)."""
    _check_subject_record(proposal, coop, user)
    reply = (reply or "").strip()
    if not reply and not none_given:
        raise ProposalError("Paste the member's reply, or tick that they gave none.")
    if reply and none_given:
        raise ProposalError("Either attach a reply or record that none was given, not both.")
    proposal.subject_reply, proposal.subject_reply_at = reply, now or utcnow()
    db.session.flush()
    record("proposal.subject_replied", coop=coop, actor=user, subject=proposal, data={"none_given": none_given})


def _check_subject_record(proposal: Proposal, coop, user) -> None:
    if not policy.can(user, "proposals.manage", coop):
        raise ProposalError("Only the secretary records notice and replies.")
    if proposal.subject_member_id is None:
        raise ProposalError("This proposal is not about one member.")
    if proposal.state != "draft":
        raise ProposalError("Notice and reply are recorded before the vote opens.")


def withdraw_proposal(proposal: Proposal, coop, user, *, now: datetime | None = None) -> None:
    """Withdraw a draft or open proposal (the proposer, or the secretary). Ballots cast stay
    stored but are never counted. Flushes; audits proposal.withdrawn."""
    if proposal.state not in ("draft", "open"):
        raise ProposalError("Only a draft or open proposal can be withdrawn.")
    if not may_manage(user, coop, proposal):
        raise ProposalError("Only the proposer or the secretary can withdraw this proposal.")
    now = now or utcnow()
    claimed = db.session.execute(
        sa.update(Proposal).where(Proposal.id == proposal.id, Proposal.state.in_(("draft", "open")))
        .values(state="withdrawn", withdrawn_at=now).execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise ProposalError("This proposal has already closed or been withdrawn.")
    proposal.state, proposal.withdrawn_at = "withdrawn", now
    record("proposal.withdrawn", coop=coop, actor=user, subject=proposal)
    log.info("Proposal %s withdrawn", proposal.id)


def add_comment(proposal: Proposal, coop, user, body: str) -> ProposalComment:
    """Add to the discussion. Flushes; audits proposal.commented."""
    body = (body or "").strip()
    if not body:
        raise ProposalError("Write something first.")
    if proposal.state == "withdrawn":
        raise ProposalError("This proposal was withdrawn; its discussion is closed.")
    comment = ProposalComment(proposal_id=proposal.id, author_id=user.id, body=body)
    db.session.add(comment)
    db.session.flush()
    record("proposal.commented", coop=coop, actor=user, subject=proposal, data={"comment_id": comment.id})
    return comment
