"""Reads the proposal pages need, each a fixed number of statements."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.jsonrows import json_rows
from coopkit.proposals import tally
from coopkit.proposals.models import (
    Ballot,
    Participation,
    Proposal,
    ProposalComment,
    VoterRollEntry,
)


@dataclass(frozen=True)
class ListedProposal:
    proposal: Proposal
    proposer: str
    roll: int
    voted: int
    #: the viewer is on the roll and has not voted yet
    awaits_you: bool
    you_voted: bool


# The statements of a proposal's page are built once per process with bind parameters
# (``coop_id``, ``number``, ``proposal_id``, ``member_id``, ``limit``), so a visit pays neither
# their construction nor their SQLAlchemy cache key again.

def proposal_by_number(coop, number: int) -> Proposal | None:
    return db.session.execute(_by_number_statement(), {"coop_id": coop.id, "number": number}).scalar_one_or_none()


@functools.cache
def _by_number_statement() -> sa.Select:
    return sa.select(Proposal).where(Proposal.coop_id == sa.bindparam("coop_id"),
                                     Proposal.number == sa.bindparam("number"))


def listing(coop, viewer: Member | None, *, manage: bool) -> list[ListedProposal]:
    """Every proposal the viewer may see (drafts: their own, or all for the secretary), with
    roll and participation counts and whether it awaits the viewer's vote. One statement."""
    rows = db.session.execute(_listing_statement(manage),
                              {"coop_id": coop.id, "viewer_id": viewer.id if viewer else -1}).all()
    return [ListedProposal(p, name, int(n_roll), int(n_voted), p.state == "open" and bool(mine) and not bool(done),
                           bool(done)) for p, name, n_roll, n_voted, mine, done in rows]


@functools.cache
def _listing_statement(manage: bool) -> sa.Select:
    """Built once per process: ``coop_id``, ``viewer_id`` (-1 for nobody on the register)."""
    viewer_id = sa.bindparam("viewer_id")
    roll = sa.select(sa.func.count(VoterRollEntry.id)).where(VoterRollEntry.proposal_id == Proposal.id)
    voted = sa.select(sa.func.count(Participation.id)).where(Participation.proposal_id == Proposal.id)
    on_roll = sa.exists().where(VoterRollEntry.proposal_id == Proposal.id, VoterRollEntry.member_id == viewer_id)
    has_voted = sa.exists().where(Participation.proposal_id == Proposal.id, Participation.member_id == viewer_id)
    query = (sa.select(Proposal, Member.full_name, roll.scalar_subquery(), voted.scalar_subquery(),
                       on_roll, has_voted)
             .join(Member, Member.id == Proposal.proposer_member_id).where(Proposal.coop_id == sa.bindparam("coop_id")))
    if not manage:
        query = query.where(sa.or_(Proposal.state != "draft", Proposal.proposer_member_id == viewer_id))
    return query.order_by(Proposal.number.desc())


def awaiting_vote(coop, viewer: Member | None) -> list[Proposal]:
    """Open proposals on whose roll the viewer is and has not voted: the home panel."""
    if viewer is None:
        return []
    return list(db.session.execute(_awaiting_vote_statement(),
                                   {"coop_id": coop.id, "member_id": viewer.id, "now": utcnow()}).scalars())


@functools.cache
def _awaiting_vote_statement() -> sa.Select:
    """Built once per process (every home page asks it): ``coop_id``, ``member_id``, ``now``."""
    member_id, now = sa.bindparam("member_id"), sa.bindparam("now", type_=sa.DateTime)
    voted = sa.select(Participation.proposal_id).where(Participation.member_id == member_id)
    return (sa.select(Proposal).join(VoterRollEntry, VoterRollEntry.proposal_id == Proposal.id)
            .where(Proposal.coop_id == sa.bindparam("coop_id"), Proposal.state == "open",
                   VoterRollEntry.member_id == member_id, Proposal.id.not_in(voted),
                   sa.or_(Proposal.closes_at.is_(None), Proposal.closes_at > now))
            .order_by(Proposal.closes_at))


@dataclass(frozen=True)
class PageFacts:
    """What a proposal's page shows about its voting, for one viewer."""

    roll: int
    voted: int
    on_roll: bool
    #: how many choices the viewer has recorded (0 = not voted): the vote form's replay guard
    vote_version: int
    #: the viewer's own current choice on an open ballot (None if not voted, or secret)
    my_choice: object
    #: the discussion, oldest first: (when, the author's name, the Markdown as typed)
    comments: list = field(default_factory=list)
    #: how many on the roll have no account, and the first :data:`WITHOUT_ACCOUNT_LISTED` names
    no_account: int = 0
    without_account: list = field(default_factory=list)


#: how many names of voters without an account the page lists
WITHOUT_ACCOUNT_LISTED = 20


def page_facts(proposal: Proposal, viewer: Member | None) -> PageFacts:
    """The roll and how many voted, the viewer's place on the roll, vote and open choice, the
    discussion, and who on the roll has no account: one statement (the lists as JSON columns,
    coopkit.jsonrows)."""
    params = {"proposal_id": proposal.id, "limit": WITHOUT_ACCOUNT_LISTED}
    if viewer is not None:
        params["member_id"] = viewer.id
    row = db.session.execute(_page_facts_statement(viewer is not None), params).one()
    comments, no_account = row[2], row[3]
    lists = {"comments": comments, "no_account": int(no_account[0][1]) if no_account else 0,
             "without_account": [name for name, _ in no_account]}
    if viewer is None:
        return PageFacts(int(row[0]), int(row[1]), False, 0, None, **lists)
    changes, raw = row[5], row[6]
    return PageFacts(int(row[0]), int(row[1]), bool(row[4]), 0 if changes is None else changes + 1,
                     None if proposal.secret else _choice(raw), **lists)


@functools.cache
def _page_facts_statement(with_viewer: bool) -> sa.Select:
    def scalar(select):
        return select.scalar_subquery()

    proposal_id = sa.bindparam("proposal_id")
    on_proposal_roll = VoterRollEntry.proposal_id == proposal_id
    columns = [scalar(sa.select(sa.func.count(VoterRollEntry.id)).where(on_proposal_roll)),
               scalar(sa.select(sa.func.count(Participation.id)).where(Participation.proposal_id == proposal_id)),
               json_rows(sa.select(ProposalComment.created_at, User.name, ProposalComment.body)
                         .join(User, User.id == ProposalComment.author_id)
                         .where(ProposalComment.proposal_id == proposal_id)
                         .order_by(ProposalComment.created_at, ProposalComment.id), None),
               json_rows(_roll_without_account_statement(), None)]
    if with_viewer:
        member_id = sa.bindparam("member_id")
        columns += [
            sa.exists().where(on_proposal_roll, VoterRollEntry.member_id == member_id),
            scalar(sa.select(Participation.changes).where(Participation.proposal_id == proposal_id,
                                                          Participation.member_id == member_id)),
            scalar(sa.select(Ballot.choice).where(Ballot.proposal_id == proposal_id, Ballot.member_id == member_id)),
        ]
    return sa.select(*columns)


@functools.cache
def _roll_without_account_statement() -> sa.Select:
    """Who on the voter roll has no account (they can't vote online yet; they still count, as
    every member on the roll does): the first ``limit`` names, each with the count of them all."""
    return (sa.select(Member.full_name, sa.func.count().over()).join(VoterRollEntry, VoterRollEntry.member_id == Member.id)
            .where(VoterRollEntry.proposal_id == sa.bindparam("proposal_id"), Member.user_id.is_(None))
            .order_by(Member.full_name, Member.id).limit(sa.bindparam("limit", type_=sa.Integer)))


def roll_counts(proposal: Proposal) -> tuple[int, int]:
    roll = db.session.execute(
        sa.select(sa.func.count(VoterRollEntry.id)).where(VoterRollEntry.proposal_id == proposal.id)).scalar()
    voted = db.session.execute(
        sa.select(sa.func.count(Participation.id)).where(Participation.proposal_id == proposal.id)).scalar()
    return roll, voted


def _choice(raw: str | None):
    if raw is None:
        return None
    value = json.loads(raw)
    return tuple(value) if isinstance(value, list) else value


def my_open_choice(proposal: Proposal, member: Member | None):
    """The viewer's own current choice on an open ballot (None if not voted or secret)."""
    if member is None or proposal.secret:
        return None
    return _choice(db.session.execute(
        sa.select(Ballot.choice).where(Ballot.proposal_id == proposal.id, Ballot.member_id == member.id)
    ).scalar_one_or_none())


def describe_choice(proposal: Proposal, choice) -> str:
    """A ballot's choice in words."""
    options = proposal.options
    if proposal.method == "poll":
        return "Abstain" if choice == tally.ABSTAIN else options[int(choice)]
    if proposal.method == "election":
        if not choice:
            return "Blank"
        return ", ".join(f"{i + 1}. {options[c]}" for i, c in enumerate(choice))
    return tally.CHOICE_LABELS.get(choice, str(choice))


def open_ballot_record(proposal: Proposal) -> list[tuple[str, str, int]]:
    """Open ballots only: (member name, choice in words, times changed), by name."""
    if proposal.secret:
        return []
    rows = db.session.execute(
        sa.select(Member.full_name, Ballot.choice, Participation.changes)
        .join(Ballot, Ballot.member_id == Member.id)
        .join(Participation, sa.and_(Participation.member_id == Member.id,
                                     Participation.proposal_id == proposal.id))
        .where(Ballot.proposal_id == proposal.id).order_by(Member.full_name)
    ).all()
    out = []
    for name, raw, changes in rows:
        value = json.loads(raw)
        out.append((name, describe_choice(proposal, tuple(value) if isinstance(value, list) else value), changes))
    return out


def published_ballots(proposal: Proposal) -> list[tuple[str, str]]:
    """Secret ballots after close: (receipt code, choice in words), ordered by receipt code,
    which is random, so the list says nothing about the order of voting."""
    rows = db.session.execute(
        sa.select(Ballot.receipt, Ballot.choice).where(Ballot.proposal_id == proposal.id,
                                                       Ballot.receipt.is_not(None))
        .order_by(Ballot.receipt)
    ).all()
    out = []
    for receipt, raw in rows:
        value = json.loads(raw)
        out.append((receipt, describe_choice(proposal, tuple(value) if isinstance(value, list) else value)))
    return out


def participants(proposal: Proposal) -> list[str]:
    """Names of those who took part, alphabetical (never with a choice for a secret ballot)."""
    return list(db.session.execute(
        sa.select(Member.full_name).join(Participation, Participation.member_id == Member.id)
        .where(Participation.proposal_id == proposal.id).order_by(Member.full_name)
    ).scalars())


def members_for_subject(coop) -> list[Member]:
    """People a decision may be about: current members (expulsion) and applicants (admission)."""
    return list(db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(("founder", "member", "applicant")))
        .order_by(Member.full_name, Member.id)).scalars())
