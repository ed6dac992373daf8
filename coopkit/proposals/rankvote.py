"""The adapter to pyrankvote, the library that counts ranked ballots (instant run-off and STV).

Everything coopkit knows about pyrankvote is here: candidates are named "<index>:<label>" so
labels may repeat, and the library's random tie-breaking is replaced (under a lock, because it
is a module global) by a deterministic one that records whether a tie was broken. The counting
rules around it are in :mod:`coopkit.proposals.tally`; the file is pure (no Flask, no database).
"""

from __future__ import annotations

import threading

import pyrankvote
from pyrankvote import helpers

_RANK_LOCK = threading.Lock()


class _TieBreaker:
    """Stands in for pyrankvote's use of ``random``: records that a tie was broken, and
    breaks it the same way every time (first or last), so counting stays deterministic."""

    def __init__(self, pick_last: bool):
        self.pick_last = pick_last
        self.used = False

    def choice(self, seq):
        self.used = True
        return seq[-1] if self.pick_last else seq[0]


def run_ranked(spec, rankings: list[tuple[int, ...]], pick_last: bool):
    """Count ranked ballots (indexes into ``spec.options``) by instant run-off (one seat) or the
    single transferable vote. Returns (winners as option indexes, the rounds as (option, votes,
    status) per candidate, whether a tie had to be broken). ``pick_last`` breaks ties towards the
    last tied candidate instead of the first; the caller counts both ways to see if a tie decided it."""
    candidates = [pyrankvote.Candidate(f"{i}:{name}") for i, name in enumerate(spec.options)]
    ballots = [pyrankvote.Ballot(ranked_candidates=[candidates[i] for i in r]) for r in rankings]
    breaker = _TieBreaker(pick_last)
    with _RANK_LOCK:
        saved = helpers.random
        helpers.random = breaker
        try:
            if spec.ranking == "irv" and spec.seats == 1:
                results = pyrankvote.instant_runoff_voting(candidates, ballots)
            else:
                results = pyrankvote.single_transferable_vote(candidates, ballots, number_of_seats=spec.seats)
        finally:
            helpers.random = saved
    winners = tuple(sorted(int(c.name.split(":", 1)[0]) for c in results.get_winners()))
    rounds = tuple(
        tuple((spec.options[int(r.candidate.name.split(":", 1)[0])], round(float(r.number_of_votes), 4),
               str(r.status)) for r in round_result.candidate_results)
        for round_result in results.rounds
    )
    return winners, rounds, breaker.used
