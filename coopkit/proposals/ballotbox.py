"""The ballot box of a secret vote: sealed ballots while it is open, opened and shuffled at close.

Why: the voter's transaction necessarily writes something that the database can tie to them (a
PostgreSQL transaction id, a SQLite WAL frame, a row's physical place). So what it writes for the
choice is sealed with a key the database never holds, and the choice reaches the ``ballots`` table
only at close, in the closing transaction, for every voter at once and in random order. See
docs/counting.md for exactly what this does and does not protect.
"""

from __future__ import annotations

import functools
import json
import logging
import secrets

import sqlalchemy as sa
from flask import current_app

from coopkit.extensions import db
from coopkit.proposals.models import Ballot, BallotBox, Proposal, random_id
from coopkit.seal import SealError, ballot_context, box_key, seal, unseal

log = logging.getLogger("coopkit.proposals")


class BallotBoxError(RuntimeError):
    """A sealed ballot does not open (altered in the database, or the secret key changed while the
    vote was open): the proposal cannot be counted until an operator sorts it out."""


def _key() -> bytes:
    return box_key(current_app.config["SECRET_KEY"])


def sealed_row(proposal: Proposal, receipt: str, encoded_choice: str) -> dict:
    """A sealed ballot for ``proposal`` as the values of its BallotBox row (id, proposal_id,
    sealed), for the caller to insert. Writes nothing."""
    box_id = random_id()
    sealed = seal(_key(), {"receipt": receipt, "choice": encoded_choice}, ballot_context(proposal.id, box_id))
    return {"id": box_id, "proposal_id": proposal.id, "sealed": sealed}


def put(proposal: Proposal, receipt: str, encoded_choice: str) -> None:
    """Add a sealed ballot for ``proposal``. Changes: one BallotBox row (written at once)."""
    db.session.execute(_insert(), sealed_row(proposal, receipt, encoded_choice))


@functools.cache
def _insert() -> sa.Insert:
    return sa.insert(BallotBox.__table__)   # built once per process


def _opened(proposal: Proposal, rows) -> list[dict]:
    key = _key()
    opened = []
    for box_id, sealed in rows:
        try:
            opened.append(unseal(key, sealed, ballot_context(proposal.id, box_id)))
        except SealError:
            log.error("Proposal %s: a sealed ballot does not open (altered, or the secret key changed)", proposal.id)
            raise BallotBoxError(f"Proposal {proposal.id}: a sealed ballot does not open.") from None
    return opened


def pending_choices(proposal: Proposal) -> list:
    """The choices in the box (for the early-close test while the vote is open). Reads only."""
    rows = db.session.execute(
        sa.select(BallotBox.id, BallotBox.sealed).where(BallotBox.proposal_id == proposal.id)).all()
    return [json.loads(b["choice"]) for b in _opened(proposal, rows)]


def empty_into_ballots(proposal: Proposal) -> int:
    """Open every sealed ballot of ``proposal``, delete the box rows and write the ballots, each
    with a new random id, in random order. Call under the proposal's row lock (closing).
    Changes: BallotBox rows deleted, Ballot rows added. Flushes. Returns how many."""
    rows = db.session.execute(
        sa.select(BallotBox.id, BallotBox.sealed).where(BallotBox.proposal_id == proposal.id)).all()
    if not rows:
        return 0
    opened = _opened(proposal, rows)
    secrets.SystemRandom().shuffle(opened)
    db.session.execute(sa.delete(BallotBox).where(BallotBox.proposal_id == proposal.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(sa.insert(Ballot), [
        {"id": random_id(), "proposal_id": proposal.id, "member_id": None, "receipt": b["receipt"],
         "choice": b["choice"]} for b in opened])
    db.session.flush()
    return len(opened)
