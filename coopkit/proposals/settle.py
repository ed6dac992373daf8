"""Whether a proposal may close early: no choice by the members who have not voted yet can change
its outcome. A pure core (no Flask or database) over :func:`coopkit.proposals.tally.tally`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from coopkit.proposals.tally import ABSTAIN, SIMPLE_CHOICES, Choice, Result, Spec, tally


@dataclass(frozen=True)
class Settled:
    """Whether more votes could still change the outcome, and what it is if not."""

    settled: bool
    result: Result | None = None
    scenarios: int = field(default=0, compare=False)


def _signature(result: Result) -> tuple:
    return (result.passed, result.winners)


def outcome_is_settled(spec: Spec, ballots: Sequence[Choice]) -> Settled:
    """True when no choice by the members who have not voted (including not voting) can
    change the outcome, so the proposal may close early.

    Every method is monotone in each choice, so it is enough to try the extremes:
    nobody else votes, or everybody else makes the same choice (each choice in turn).
    An election is settled only when the whole roll has voted.
    """
    ballots = list(ballots)
    remaining = spec.eligible - len(ballots)
    current = tally(spec, ballots)
    if remaining <= 0:
        return Settled(True, current, 1)
    if spec.method == "election":
        return Settled(False, None, 1)
    if spec.method == "poll":
        extremes: list[Choice] = [ABSTAIN, *range(len(spec.options))]
    else:
        extremes = list(SIMPLE_CHOICES[spec.method])
    signature = _signature(current)
    for choice in extremes:
        if _signature(tally(spec, ballots + [choice] * remaining)) != signature:
            return Settled(False, None, 1 + len(extremes))
    return Settled(True, current, 1 + len(extremes))
