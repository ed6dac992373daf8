"""What the audit chain records about each count, and the check that the stored ballots and result
still match it (``coopkit audit verify``).

At close the ``proposal.closed`` event records how many ballots were counted, a SHA-256 over all of
them (a secret ballot by its receipt code and choice, never a voter; an open ballot by its member)
and a SHA-256 of the stored result. Once a member holds a fingerprint of the chain taken after
that event (it is in the outcome email), flipping ballots or rewriting the result can't be hidden:
the ballots no longer match the event, and changing the event changes every later hash.
"""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa

from coopkit.audit.chain import canonical_json
from coopkit.audit.models import ArchivedAuditEvent, AuditEvent
from coopkit.audit.services import chain_name, event_data
from coopkit.extensions import db
from coopkit.proposals import tally
from coopkit.proposals.models import Ballot, Proposal


def ballots_digest(proposal_id: int) -> tuple[int, str]:
    """(how many ballots, SHA-256 over them in a canonical order). Reads only."""
    rows = db.session.execute(
        sa.select(Ballot.receipt, Ballot.member_id, Ballot.choice).where(Ballot.proposal_id == proposal_id)).all()
    lines = sorted(canonical_json([receipt, member_id, choice]) for receipt, member_id, choice in rows)
    return len(lines), hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()


def result_digest(result_json: str | None) -> str:
    return hashlib.sha256((result_json or "").encode("utf-8")).hexdigest()


def count_record(proposal: Proposal) -> dict:
    """What the close event records about the count (after the result is stored)."""
    count, digest = ballots_digest(proposal.id)
    return {"ballots": count, "ballots_sha256": digest, "result_sha256": result_digest(proposal.result_json)}


def _archived_closes(coop_id: int | None) -> dict[int, list[dict]]:
    """The close events a restored co-op keeps in its archived log (coop id -> their data)."""
    query = sa.select(ArchivedAuditEvent.coop_id, ArchivedAuditEvent.data).where(
        ArchivedAuditEvent.action == "proposal.closed")
    if coop_id is not None:
        query = query.where(ArchivedAuditEvent.coop_id == coop_id)
    found: dict[int, list[dict]] = {}
    for owner, data in db.session.execute(query):
        found.setdefault(owner, []).append(json.loads(data or "{}"))
    return found


def _closed_in_archive(proposal: Proposal, archived: dict[int, list[dict]]) -> bool:
    """A proposal restored from an export was closed in the log it came with (the archive, whose
    own chain `audit verify` checks): its stored result must be one recorded there. Ballots are
    not compared, as a restore gives open ballots new member ids."""
    closes = archived.get(proposal.coop_id, [])
    digest = result_digest(proposal.result_json)
    return any(data.get("result_sha256", digest) == digest for data in closes)


def check_results(coop_id: int | None = None) -> list[str]:
    """Every closed proposal (of one co-op, or all) against its close event in the audit chain:
    one close event, the same ballots, the same stored result, and a recount that agrees.
    Returns the problems found (none when all is well). Reads only."""
    from coopkit.proposals.closing import current_tally, outcome_of

    query = sa.select(Proposal).where(Proposal.state == "closed")
    events = sa.select(AuditEvent).where(AuditEvent.action == "proposal.closed",
                                         AuditEvent.subject_type == "Proposal")
    if coop_id is not None:
        query = query.where(Proposal.coop_id == coop_id)
        events = events.where(AuditEvent.chain == chain_name(coop_id))
    closes: dict[tuple[str, str], list[AuditEvent]] = {}
    for event in db.session.execute(events.order_by(AuditEvent.chain, AuditEvent.seq)).scalars():
        closes.setdefault((event.chain, event.subject_id), []).append(event)
    archived = _archived_closes(coop_id)
    problems = []
    for proposal in db.session.execute(query.order_by(Proposal.id)).scalars():
        name = f"proposal {proposal.number} of co-op {proposal.coop_id}"
        found = closes.get((chain_name(proposal.coop_id), str(proposal.id)), [])
        if not found:
            if not _closed_in_archive(proposal, archived):
                problems.append(f"{name}: closed, but its close is not in the audit log")
            continue
        if len(found) > 1:
            problems.append(f"{name}: closed {len(found)} times in the audit log (events "
                            f"{', '.join(str(e.seq) for e in found)}): all but the first are forged")
        recorded = event_data(found[0])
        if "ballots_sha256" not in recorded:
            continue   # closed before the chain recorded counts: nothing to compare with
        count, digest = ballots_digest(proposal.id)
        if (count, digest) != (recorded["ballots"], recorded["ballots_sha256"]):
            problems.append(f"{name}: the stored ballots ({count}) are not the ones counted at close "
                            f"({recorded['ballots']}, event {found[0].seq}): ballots were changed")
        if result_digest(proposal.result_json) != recorded["result_sha256"]:
            problems.append(f"{name}: the stored result is not the one recorded at close (event {found[0].seq})")
        try:
            recount = current_tally(proposal)
        except tally.TallyError as exc:
            problems.append(f"{name}: the stored ballots can't be counted ({exc})")
            continue
        stored = proposal.result or {}
        if outcome_of(proposal, recount) != proposal.outcome or [list(i) for i in recount.counts.items()] != stored.get("counts"):
            problems.append(f"{name}: a recount of the stored ballots gives another result")
    return problems
