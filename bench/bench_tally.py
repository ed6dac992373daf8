"""How long does counting take? Every method coopkit has, over 10,000 ballots (issue 14, item 5).

    .venv/bin/python bench/bench_tally.py [--ballots 10000] [--repeat 5]

The pure counting core (``coopkit.proposals.tally.tally``) runs on random but valid ballots
(seeded, so every run counts the same ones): resolutions by simple majority and by a special
(75%) majority, unanimity, consent, consensus, a poll, an instrument, an audit exemption, an
instant run-off and the single transferable vote (6 candidates, 2 seats; voters rank 1 to 6 of
them). It prints the best of --repeat runs (CPU time of this process) for each, against the
targets: a tally under 50 ms, STV under 200 ms. The early-close test (several tallies) is shown
for information. The load average is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

TALLY_TARGET_MS = 50
STV_TARGET_MS = 200


def cases(n: int, seed: int = 2026) -> list[tuple[str, object, list, float]]:
    """(name, spec, ballots, target in ms) for every method, ``n`` ballots each."""
    from coopkit.proposals import tally as t

    rng = random.Random(seed)

    def simple(*choices, weights=None):
        return rng.choices(choices, weights=weights, k=n)

    def rankings():
        return [tuple(rng.sample(range(6), rng.randint(1, 6))) for _ in range(n)]

    candidates = tuple(f"Candidate {i}" for i in range(6))
    return [
        ("resolution, simple majority of votes cast", t.Spec("resolution", n, t.quorum_needed(n, 2, 50), 50, "cast"),
         simple("for", "against", "abstain"), TALLY_TARGET_MS),
        ("resolution, special (75%) of votes cast", t.Spec("resolution", n, 2, 75, "cast"),
         simple("for", "against", "abstain", weights=(3, 1, 1)), TALLY_TARGET_MS),
        ("resolution, 50% of all eligible", t.Spec("resolution", n, 2, 50, "eligible"),
         simple("for", "against", "abstain"), TALLY_TARGET_MS),
        ("unanimity", t.Spec("unanimity", n, 2), simple("for", "against", "abstain", weights=(50, 1, 1)),
         TALLY_TARGET_MS),
        ("consent (silence agrees)", t.Spec("consent", n, 2, silence_agrees=True),
         simple("agree", "stand_aside"), TALLY_TARGET_MS),
        ("consensus", t.Spec("consensus", n, 2), simple("agree", "abstain", "disagree"), TALLY_TARGET_MS),
        ("poll, 5 options", t.Spec("poll", n, 2, options=tuple("ABCDE")), simple(0, 1, 2, 3, 4, t.ABSTAIN),
         TALLY_TARGET_MS),
        ("instrument (75% of all must sign)", t.Spec("instrument", n, 0, 75, "eligible"), simple("sign", "decline"),
         TALLY_TARGET_MS),
        ("audit exemption (s.84)", t.Spec("audit_exemption", n, 2), simple("for", "against", weights=(20, 1)),
         TALLY_TARGET_MS),
        ("election, instant run-off, 6 candidates", t.Spec("election", n, 2, options=candidates, ranking="irv"),
         rankings(), TALLY_TARGET_MS),
        ("election, STV, 6 candidates, 2 seats", t.Spec("election", n, 2, options=candidates, seats=2),
         rankings(), STV_TARGET_MS),
    ]


def best_ms(fn, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.process_time()
        fn()
        best = min(best, time.process_time() - started)
    return best * 1000


def run(n: int = 10_000, repeat: int = 5) -> list[tuple[str, float, float]]:
    """Time every case; returns (name, best ms, target ms)."""
    from coopkit.proposals import tally as t
    from coopkit.proposals.settle import outcome_is_settled

    figures = []
    for name, spec, ballots, target in cases(n):
        figures.append((name, best_ms(lambda s=spec, b=ballots: t.tally(s, b, participants=len(b)), repeat), target))
    # the early-close test: half the roll has voted; the other half may still change the outcome
    spec = t.Spec("resolution", 2 * n, 2, 75, "cast")
    half = cases(n)[1][2]
    figures.append(("early-close test, 75%, half voted", best_ms(lambda: outcome_is_settled(spec, half), repeat),
                    float("nan")))
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ballots", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    figures = run(args.ballots, args.repeat)
    one, five, _ = os.getloadavg()
    print(f"Tally of {args.ballots:,} ballots, best of {args.repeat} (CPU time); load average {one:.2f} (1 min), "
          f"{five:.2f} (5 min) on {os.cpu_count()} CPUs")
    for name, ms, target in figures:
        verdict = "(information)" if target != target else (f"under {target:.0f} ms: " +
                                                          ("yes" if ms < target else "NO"))
        print(f"  {name:<44}{ms:9.2f} ms  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
