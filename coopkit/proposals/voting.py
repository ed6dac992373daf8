"""Casting a vote: one participation per member (a database constraint), one ballot, and for an
open ballot a history of changes. Secret ballots wait sealed in the ballot box until close.

Raises :class:`coopkit.proposals.services.VoteError` with nothing written.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from coopkit.accounts.models import User
from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.proposals import ballotbox, tally
from coopkit.proposals.errors import VoteError
from coopkit.proposals.models import (
    Ballot,
    BallotBox,
    BallotChange,
    Participation,
    Proposal,
    VoterRollEntry,
    random_id,
)

log = logging.getLogger("coopkit.proposals")

#: INSERT ... ON CONFLICT for each database coopkit runs on
_INSERTS = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}
#: no 0/O or 1/I, so a code copied by hand stays right
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def spec_for(proposal: Proposal, eligible: int | None = None) -> tally.Spec:
    if eligible is None:
        eligible = db.session.execute(
            sa.select(sa.func.count(VoterRollEntry.id)).where(VoterRollEntry.proposal_id == proposal.id)
        ).scalar()
    limits = {"against_cast_below": proposal.against_cast_below, "against_all_below": proposal.against_all_below}
    return tally.Spec(method=proposal.method, eligible=eligible, quorum=proposal.quorum_needed or 0,
                      threshold_percent=proposal.threshold, basis=proposal.basis,
                      options=tuple(proposal.options), seats=proposal.seats, ranking=proposal.ranking,
                      silence_agrees=proposal.venue != "legacy",
                      **{k: v for k, v in limits.items() if v is not None})


def on_roll(proposal: Proposal, member: Member | None) -> bool:
    if member is None:
        return False
    return db.session.execute(
        sa.select(VoterRollEntry.id).where(VoterRollEntry.proposal_id == proposal.id,
                                           VoterRollEntry.member_id == member.id)
    ).first() is not None


def vote_version(proposal: Proposal, member: Member) -> int:
    """How many choices this member has recorded (0 = not voted): the replay guard on the vote form."""
    changes = db.session.execute(
        sa.select(Participation.changes).where(Participation.proposal_id == proposal.id,
                                               Participation.member_id == member.id)
    ).scalar_one_or_none()
    return 0 if changes is None else changes + 1


def new_receipt() -> str:
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


@dataclass(frozen=True)
class VoteOutcome:
    changed: bool
    #: secret ballots: the code the voter can look for in the published list after close
    receipt: str | None = None
    #: the choice agrees ("for", "sign"): only such a vote can make a written resolution pass at once
    agrees: bool = False


#: the choices that count towards passing a written resolution at once, as ballots store them (JSON)
AGREEING = tuple(json.dumps(choice) for choice in ("for", "sign"))


def cast_vote(proposal: Proposal, coop, member: Member | None, raw_choice, *, seen: int | None = None,
              now: datetime | None = None, audit: bool = True) -> VoteOutcome:
    """Record ``member``'s vote. Adds a Participation (once: a unique constraint) and a Ballot;
    an open ballot may be changed until close (Ballot updated, BallotChange added). A secret
    ballot gets a receipt code and goes, sealed, into the BallotBox until close. ``seen`` is the vote version the form
    was rendered with: a replayed or stale form is refused. Flushes; audits without the choice
    for a secret ballot (``audit=False``: the caller calls :func:`audit_vote` itself, last before
    it commits). Raises VoteError with nothing written.

    Everything the decision depends on is read in the calling transaction, whatever the objects
    passed in say: the proposal's state and closing time and the member's place on the roll
    (:func:`lock_open`), and the member's earlier participation (the unique constraint)."""
    _refuse_unless_open(proposal.state, proposal.closes_at, now or utcnow())   # as the caller saw it
    if member is None or member.coop_id != proposal.coop_id:
        raise VoteError("Only members of this co-op can vote.")
    now = lock_open(proposal, now, member=member)
    try:
        choice = tally.validate_choice(spec_for(proposal, eligible=0), raw_choice)  # only the options matter here
    except tally.ChoiceError as exc:
        raise VoteError(str(exc)) from None
    encoded = json.dumps(choice)
    # a form rendered before this member voted (seen 0, or a service call) tries the insert at once;
    # when the member's participation is there already (voted before, or a concurrent request won),
    # it is read and the vote is a change, refused for a secret ballot or a stale form
    outcome = _first_vote(proposal, member, encoded, now) if seen in (None, 0) else None
    if outcome is None:
        participation = db.session.execute(
            sa.select(Participation).where(Participation.proposal_id == proposal.id,
                                           Participation.member_id == member.id)
        ).scalar_one_or_none()
        if participation is None:
            raise VoteError("This vote form was already used. Check your vote below.")
        if proposal.secret:
            raise VoteError("You have already voted in this secret ballot; a secret vote can't be changed.")
        outcome = _change_open_vote(proposal, member, participation, encoded, seen, now)
    if audit:
        audit_vote(proposal, coop, member, outcome)
    return outcome


def audit_vote(proposal: Proposal, coop, member: Member, outcome: VoteOutcome) -> None:
    """The audit event of a vote :func:`cast_vote` recorded (never the choice: for an open ballot
    the log would show a running tally, for a secret one it would link the voter to it). Appending
    locks the co-op's audit chain until the transaction ends, so a caller that commits soon after
    calls this last. Flushes."""
    actor = _user_of(member)
    if outcome.receipt is not None:
        record("proposal.participated", coop=coop, actor=actor, subject=proposal)
        log.info("Proposal %s: a secret ballot was cast", proposal.id)
    elif outcome.changed:
        record("proposal.vote_changed", coop=coop, actor=actor, subject=proposal, data={"member_id": member.id})
        log.info("Proposal %s: member %s changed their vote", proposal.id, member.id)
    else:
        record("proposal.voted", coop=coop, actor=actor, subject=proposal, data={"member_id": member.id})
        log.info("Proposal %s: member %s voted", proposal.id, member.id)


# The statements of a vote are built once per process with bind parameters: neither their
# construction nor their SQLAlchemy cache key is paid again per vote.

def _bound(name: str, type_) -> sa.BindParameter:
    # named after none of the tables' columns: SQLAlchemy never adds a column from a parameter's name
    return sa.bindparam(name, type_=type_)


@functools.cache
def _participate_statement(dialect: str) -> sa.Insert:
    table = Participation.__table__
    return (_INSERTS[dialect](table).values(proposal_id=_bound("v_proposal", sa.Integer),
                                            member_id=_bound("v_member", sa.Integer),
                                            voted_at=_bound("v_at", sa.DateTime), changes=0)
            .on_conflict_do_nothing(index_elements=["proposal_id", "member_id"]).returning(table.c.id))


def _ballot_rows(secret: bool) -> list[tuple[sa.Table, dict]]:
    """The rows a first vote adds beside its participation, as (table, column -> parameter)."""
    proposal, member = _bound("v_proposal", sa.Integer), _bound("v_member", sa.Integer)
    if secret:
        return [(BallotBox.__table__, {"id": _bound("v_box", sa.String), "proposal_id": proposal,
                                       "sealed": _bound("v_sealed", sa.Text)})]
    choice = _bound("v_choice", sa.Text)
    return [(Ballot.__table__, {"id": _bound("v_ballot", sa.String), "proposal_id": proposal, "member_id": member,
                                "choice": choice}),
            (BallotChange.__table__, {"proposal_id": proposal, "member_id": member, "choice": choice,
                                      "at": _bound("v_at", sa.DateTime)})]


@functools.cache
def _ballot_statements(secret: bool) -> list[sa.Insert]:
    return [sa.insert(table).values(values) for table, values in _ballot_rows(secret)]


@functools.cache
def _first_vote_statement(secret: bool) -> sa.Select:
    """PostgreSQL: the participation (ON CONFLICT DO NOTHING) and, selected from what it returned,
    the ballot's rows, in one statement; it returns the participation's id, or no row."""
    participated = _participate_statement("postgresql").cte("participated")
    statement = sa.select(participated.c.id)
    for i, (table, values) in enumerate(_ballot_rows(secret)):
        rows = sa.insert(table).from_select(list(values), sa.select(*values.values()).select_from(participated))
        statement = statement.add_cte(rows.cte(f"ballot_{i}"))
    return statement


@functools.cache
def _open_statement(with_roll: bool) -> sa.Select:
    columns = [Proposal.state, Proposal.closes_at]
    if with_roll:
        columns.append(sa.exists().where(VoterRollEntry.proposal_id == Proposal.id,
                                         VoterRollEntry.member_id == sa.bindparam("member_id")).label("on_roll"))
    return (sa.select(*columns).where(Proposal.id == sa.bindparam("proposal_id"))
            .with_for_update(read=True, of=Proposal))


def _first_vote(proposal: Proposal, member: Member, encoded: str, now: datetime) -> VoteOutcome | None:
    """The member's participation with their ballot: sealed in the ballot box (secret ballot:
    a receipt code), or a ballot and its first BallotChange (open ballot). None, and nothing
    written, when their participation is there already: the unique constraint decides, against a
    concurrent request too (PostgreSQL waits for its commit), with no savepoint.

    PostgreSQL: one statement, the ballot's rows inserted (CTEs) only when the participation
    was. SQLite (in-process, no round trips): the participation first, then the rest."""
    agrees = encoded in AGREEING
    receipt = new_receipt() if proposal.secret else None
    params = {"v_proposal": proposal.id, "v_member": member.id, "v_at": now}
    if proposal.secret:
        box = ballotbox.sealed_row(proposal, receipt, encoded)   # sealed until close: see ballotbox
        params.update(v_box=box["id"], v_sealed=box["sealed"])
    else:
        params.update(v_ballot=random_id(), v_choice=encoded)
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        if db.session.execute(_first_vote_statement(proposal.secret), params).first() is None:
            return None   # no participation came back: the constraint held one already
    else:
        if db.session.execute(_participate_statement(dialect), params).first() is None:
            return None   # (rowcount is not reliable for INSERT ... ON CONFLICT here)
        for statement in _ballot_statements(proposal.secret):
            db.session.execute(statement, params)
    return VoteOutcome(changed=False, receipt=receipt, agrees=agrees)


def _refuse_unless_open(state: str, closes_at: datetime | None, now: datetime) -> None:
    if state != "open":
        raise VoteError({"draft": "Voting has not opened yet.", "withdrawn": "This proposal was withdrawn."}
                        .get(state, "Voting on this proposal has closed."))
    if closes_at is not None and now >= closes_at:
        raise VoteError("Voting on this proposal has closed.")


def lock_open(proposal: Proposal, now: datetime | None = None, *, member: Member | None = None) -> datetime:
    """Re-read the proposal's state and closing time under a shared lock on its row, in the
    transaction that records the vote, and refuse when it is no longer open; with ``member``, in
    the same statement, refuse when they are not on its voter roll. Returns the instant the vote
    is recorded at.

    PostgreSQL: ``FOR SHARE``, so votes never wait for each other, but closing (an UPDATE of
    the row) waits for every vote in flight to commit, and a vote that arrives while a close is
    counting waits for it and then sees the proposal closed. SQLite: a write transaction is
    already exclusive (BEGIN IMMEDIATE), so the read is current. Taken before anything else the
    vote locks (the audit chain head), in the same order as closing, so the two never deadlock.
    """
    params = {"proposal_id": proposal.id}
    if member is not None:
        params["member_id"] = member.id
    row = db.session.execute(_open_statement(member is not None), params).one()
    now = now or utcnow()
    _refuse_unless_open(row.state, row.closes_at, now)
    if member is not None and not row.on_roll:
        raise VoteError("You are not on the voter roll for this proposal (it was fixed when voting opened).")
    return now


def _change_open_vote(proposal, member, participation, encoded, seen, now) -> VoteOutcome:
    version = participation.changes + 1
    if seen is not None and seen != version:
        raise VoteError("Your vote changed since this page was loaded (perhaps in another tab). "
                        "Check it below and vote again if you want to change it.")
    ballot = db.session.execute(
        sa.select(Ballot).where(Ballot.proposal_id == proposal.id, Ballot.member_id == member.id)
    ).scalar_one()
    if ballot.choice == encoded:
        raise VoteError("That is already your vote: nothing changed.")
    if proposal.venue == "writing" and proposal.basis == "eligible" and json.loads(ballot.choice) in ("for", "sign"):
        raise VoteError("You have agreed to this written resolution, and an agreement can't be withdrawn.")
    bumped = db.session.execute(
        sa.update(Participation).where(Participation.id == participation.id,
                                       Participation.changes == participation.changes)
        .values(changes=Participation.changes + 1).execution_options(synchronize_session=False)
    ).rowcount
    if bumped != 1:
        raise VoteError("Your vote changed meanwhile (perhaps in another tab). Check it below.")
    participation.changes += 1
    ballot.choice = encoded
    db.session.add(BallotChange(proposal_id=proposal.id, member_id=member.id, choice=encoded, at=now))
    db.session.flush()
    return VoteOutcome(changed=True, agrees=encoded in AGREEING)


def _user_of(member: Member):
    return db.session.get(User, member.user_id) if member.user_id else None
