"""The decisions the register relies on: an admission or an expulsion by the members.

The register reads the proposals' passed decisions directly (it is above proposals in the
package order, .importlinter); a package above the register that records decisions about one
member (meetings) adds its own source with :func:`provide` at app start-up.

A decision's id is a proposal's id, or minus the id of a resolution passed at a general meeting
(a meeting agenda item): the two never collide, so one integer column (``admitted_by_proposal_id``)
and one choice on the register's forms can cite either.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

#: what the register records -> the decision kinds (coopkit.rules.decisions) that authorise it
KINDS_FOR = {
    "admission": ("admission", "written_admission"),
    "expulsion": ("expulsion",),
}
WHAT = {"admission": "admits", "expulsion": "expels"}


@dataclass(frozen=True)
class Decision:
    """A passed decision about one member, as the package that recorded it describes it."""

    id: int
    number: int
    title: str
    kind: str
    subject_member_id: int | None
    #: "Rule 14.1: expulsion of a member, 75% of votes cast"
    citation: str
    #: how members know it: "Proposal 12" (the default) or "Meeting 3, item 2"
    label: str = ""

    @property
    def name(self) -> str:
        return self.label or f"Proposal {self.number}"


#: functions (coop_id) -> the co-op's passed decisions (every kind), registered at start-up
def proposals_decided(coop_id: int) -> list[Decision]:
    """The co-op's passed proposals, each with its decision kind and the member it is about
    (the register is above proposals in the package order, so it reads them directly)."""
    import sqlalchemy as sa

    from coopkit.extensions import db
    from coopkit.proposals.models import Proposal

    rows = db.session.execute(
        sa.select(Proposal.id, Proposal.number, Proposal.title, Proposal.kind, Proposal.subject_member_id,
                  Proposal.citation)
        .where(Proposal.coop_id == coop_id, Proposal.outcome == "passed").order_by(Proposal.number.desc())
    ).all()
    return [Decision(*row) for row in rows]


#: sources of passed decisions: the proposals, and any a higher package (meetings) adds at start-up
_providers: list[Callable[[int], list[Decision]]] = [proposals_decided]


def provide(provider: Callable[[int], list[Decision]]) -> None:
    """Register a source of passed decisions (called once per package at app start-up)."""
    if provider not in _providers:
        _providers.append(provider)


def decisions_for(coop_id: int, purpose: str, member_id: int | None = None) -> list[Decision]:
    """Passed decisions of the right kind for ``purpose`` (about ``member_id`` when given), newest first."""
    kinds = KINDS_FOR[purpose]
    found = [d for provider in _providers for d in provider(coop_id) if d.kind in kinds]
    if member_id is not None:
        found = [d for d in found if d.subject_member_id == member_id]
    return sorted(found, key=lambda d: d.number, reverse=True)


def check(coop_id: int, decision_id: int, purpose: str, member_id: int, member_name: str) -> Decision:
    """The decision, if it is a passed decision of the right kind about this member; else ValueError
    with a message for the secretary."""
    for decision in (d for provider in _providers for d in provider(coop_id)):
        if decision.id != decision_id:
            continue
        if decision.kind not in KINDS_FOR[purpose]:
            raise ValueError(f"{decision.name} is not a decision that {WHAT[purpose]} a member "
                             f"({decision.citation}). Choose the passed {purpose} decision about "
                             f"{member_name}.")
        if decision.subject_member_id != member_id:
            raise ValueError(f"{decision.name} is about someone else. Choose the passed {purpose} "
                             f"decision about {member_name}.")
        return decision
    raise ValueError(f"Choose a passed {purpose} decision of this co-op about {member_name}.")


def number_of(coop_id: int, decision_id: int | None) -> int | None:
    """The number members know a decision by, for an entry that cites it (any kind)."""
    found = find(coop_id, decision_id)
    return found.number if found else None


def find(coop_id: int, decision_id: int | None) -> Decision | None:
    """The decision with this id (any kind), or None."""
    if decision_id is None:
        return None
    for provider in _providers:
        for decision in provider(coop_id):
            if decision.id == decision_id:
                return decision
    return None
