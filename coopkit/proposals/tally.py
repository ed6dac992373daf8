"""Counting votes: the outcome of a proposal from its ballots. A pure core, no Flask or database.

Every decision method the co-op can use is counted here, and docs/counting.md
sets out the same rules as a table. The one threshold rule and the quorum rule
are the ones DEVELOPING.md states: a resolution with threshold X% passes when
the votes for are at least X% of the basis (votes cast, or all eligible
members) AND more than half of it, so a tie always fails; quorum is the greater
of a minimum number of members and a percentage of the roll, rounded up, and is
counted by participation (an abstention counts towards quorum).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

from coopkit.proposals import rankvote

#: method -> the simple choices a ballot may hold, in display order
SIMPLE_CHOICES: dict[str, tuple[str, ...]] = {
    "resolution": ("for", "against", "abstain"),
    "unanimity": ("for", "against", "abstain"),
    "consent": ("agree", "stand_aside", "object"),
    "consensus": ("agree", "abstain", "disagree", "block"),
    "instrument": ("sign", "decline"),
    "audit_exemption": ("for", "against", "abstain"),
}
CHOICE_LABELS = {
    "for": "For", "against": "Against", "abstain": "Abstain", "agree": "Agree",
    "stand_aside": "Stand aside", "object": "Object", "disagree": "Disagree", "block": "Block",
    "sign": "Sign", "decline": "Decline to sign",
}
METHODS = ("resolution", "unanimity", "consent", "consensus", "poll", "election", "instrument", "audit_exemption")
BASES = ("cast", "eligible")
RANKINGS = ("stv", "irv")
ABSTAIN = "abstain"

Choice = str | int | tuple[int, ...]


class ChoiceError(ValueError):
    """A ballot that cannot be counted, with a message for the voter."""


class TallyError(ValueError):
    """The ballots and the facts about them do not agree (a bug or tampering, never a voter's fault)."""


def resolution_passes(votes_for: int, base: int, threshold_percent: int | Fraction) -> bool:
    """The one threshold rule: at least X% of the basis and more than half of it."""
    if base <= 0:
        return False
    return votes_for * 100 >= threshold_percent * base and votes_for * 2 > base


def votes_needed(base: int, threshold_percent: int | Fraction) -> int:
    """The fewest votes for that pass on a basis of ``base`` (``base + 1`` when none can)."""
    if base <= 0:
        return 1
    return max(int(-(-threshold_percent * base // 100)), base // 2 + 1)


def quorum_needed(eligible: int, min_members: int, percent: int) -> int:
    """The greater of a minimum number of members and a percentage of them (rounded up)."""
    by_percent = -(-eligible * percent // 100)
    return max(min_members, by_percent)


@dataclass(frozen=True)
class Spec:
    """How one proposal is counted: fixed when it opens."""

    method: str
    #: people on the frozen voter roll
    eligible: int
    #: participations needed for the count to be valid
    quorum: int
    #: a whole percent, or a Fraction for "two thirds" (Fraction(200, 3))
    threshold_percent: int | Fraction = 50
    basis: str = "cast"
    #: labels of the options (poll) or candidates (election)
    options: tuple[str, ...] = ()
    seats: int = 1
    ranking: str = "stv"
    #: consent and consensus under decision kinds: agreed by silence unless anyone objects
    #: (consensus: disagrees or blocks). False only for records made before decision kinds.
    silence_agrees: bool = False
    #: audit exemption (s.84): passes with fewer than these percentages against
    against_cast_below: int = 20
    against_all_below: int = 10

    def __post_init__(self):
        if self.method not in METHODS:
            raise TallyError(f"unknown method {self.method!r}")
        if self.basis not in BASES or self.ranking not in RANKINGS:
            raise TallyError("unknown basis or ranking method")
        if self.eligible < 0 or self.quorum < 0 or not 0 <= self.threshold_percent <= 100:
            raise TallyError("counts and percentages must be in range")
        if self.method in ("poll", "election") and len(self.options) < 2:
            raise TallyError("a poll or an election needs at least two options")
        if self.method == "election" and not 1 <= self.seats < len(self.options) + 1:
            raise TallyError("an election fills at least one seat and no more seats than candidates")


@dataclass(frozen=True)
class Result:
    method: str
    eligible: int
    #: ballots counted (= distinct participants)
    participants: int
    #: label -> count, in display order (first preferences for an election)
    counts: dict[str, int]
    quorum: int
    quorum_met: bool
    passed: bool
    #: one plain sentence: why it passed or failed
    reason: str
    #: the basis a resolution was measured against, and the votes for it needed
    base: int | None = None
    needed: int | None = None
    winners: tuple[str, ...] = ()
    #: election rounds: each a tuple of (candidate, votes, status)
    rounds: tuple[tuple[tuple[str, float, str], ...], ...] = ()
    blank: int = 0

    @property
    def turnout_percent(self) -> float:
        return 100.0 * self.participants / self.eligible if self.eligible else 0.0

    @property
    def outcome(self) -> str:
        return "passed" if self.passed else "failed"


def choices_for(spec: Spec) -> tuple[str, ...]:
    """The simple choices of a method (empty for polls and elections)."""
    return SIMPLE_CHOICES.get(spec.method, ())


def validate_choice(spec: Spec, raw) -> Choice:
    """Turn what a voter sent into a ballot choice, or raise ChoiceError saying what is wrong.

    Simple methods take one of their words; a poll takes an option number or
    "abstain"; an election takes a ranking: a list of distinct candidate numbers
    (an empty ranking is a blank ballot, which counts towards quorum only).
    """
    if spec.method in SIMPLE_CHOICES:
        if raw not in SIMPLE_CHOICES[spec.method]:
            raise ChoiceError("Choose one of the options shown.")
        return raw
    if spec.method == "poll":
        if raw == ABSTAIN:
            return ABSTAIN
        try:
            index = int(raw)
        except (TypeError, ValueError):
            raise ChoiceError("Choose one of the options shown.") from None
        if not 0 <= index < len(spec.options) or str(raw).strip() != str(index):
            raise ChoiceError("That option is not on this ballot.")
        return index
    # election
    if isinstance(raw, str | bytes) or not isinstance(raw, Sequence):
        raise ChoiceError("Rank the candidates with numbers 1, 2, 3...")
    ranking: list[int] = []
    for item in raw:
        try:
            index = int(item)
        except (TypeError, ValueError):
            raise ChoiceError("That candidate is not on this ballot.") from None
        if not 0 <= index < len(spec.options) or str(item).strip() != str(index):
            raise ChoiceError("That candidate is not on this ballot.")
        if index in ranking:
            raise ChoiceError("Each candidate can have only one place in your ranking.")
        ranking.append(index)
    return tuple(ranking)


def tally(spec: Spec, ballots: Sequence[Choice], participants: int | None = None) -> Result:
    """Count ``ballots`` (already validated choices) under ``spec``.

    ``participants`` is the number of participation records; when given it must
    equal the number of ballots (one ballot per participant, no more, no less).
    """
    if participants is not None and participants != len(ballots):
        raise TallyError(f"{len(ballots)} ballots for {participants} participants")
    if len(ballots) > spec.eligible:
        raise TallyError(f"{len(ballots)} ballots from a roll of {spec.eligible}")
    counter = _COUNTERS[spec.method]
    return counter(spec, list(ballots))


def _simple_counts(spec: Spec, ballots: list) -> dict[str, int]:
    counts = {choice: 0 for choice in SIMPLE_CHOICES[spec.method]}
    for choice in ballots:
        if choice not in counts:
            raise TallyError(f"ballot {choice!r} is not a {spec.method} choice")
        counts[choice] += 1
    return counts


def _no_quorum(spec: Spec, n: int, counts: dict[str, int], **extra) -> Result:
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, False, False,
                  f"Not quorate: {n} took part, {spec.quorum} needed.", **extra)


def _count_resolution(spec: Spec, ballots: list) -> Result:
    counts = _simple_counts(spec, ballots)
    n = len(ballots)
    base = counts["for"] + counts["against"] if spec.basis == "cast" else spec.eligible
    needed = votes_needed(base, spec.threshold_percent)
    extra = {"base": base, "needed": needed}
    if n < spec.quorum:
        return _no_quorum(spec, n, counts, **extra)
    passed = resolution_passes(counts["for"], base, spec.threshold_percent)
    basis_text = "votes cast" if spec.basis == "cast" else "members eligible"
    if passed:
        reason = f"{counts['for']} for out of {base} {basis_text}: {needed} needed."
    elif base and counts["for"] * 2 == base:
        reason = f"A tie: {counts['for']} for and {base - counts['for']} not, and a tie fails."
    elif base == 0:
        reason = "No votes for or against were cast."
    else:
        reason = f"{counts['for']} for out of {base} {basis_text}: {needed} needed."
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason, **extra)


def _count_unanimity(spec: Spec, ballots: list) -> Result:
    counts = _simple_counts(spec, ballots)
    n = len(ballots)
    quorum_met = n >= spec.quorum
    passed = spec.eligible > 0 and counts["for"] == spec.eligible and quorum_met
    if passed:
        reason = f"All {spec.eligible} members on the roll voted for."
    elif not quorum_met:
        reason = f"Not quorate: {n} took part, {spec.quorum} needed."
    else:
        reason = f"{counts['for']} of the {spec.eligible} members on the roll voted for; all are needed."
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, quorum_met, passed, reason,
                  base=spec.eligible, needed=spec.eligible)


def _count_consent(spec: Spec, ballots: list) -> Result:
    counts = _simple_counts(spec, ballots)
    n = len(ballots)
    if spec.silence_agrees:
        silent = spec.eligible - n
        if counts["object"]:
            passed, reason = False, f"{counts['object']} objection(s): any objection blocks."
        else:
            passed, reason = True, (f"No objections: agreed ({counts['agree']} agreed, {counts['stand_aside']} "
                                    f"stood aside, {silent} said nothing, which counts as agreeing).")
        return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason)
    if n < spec.quorum:
        return _no_quorum(spec, n, counts)
    if counts["object"]:
        passed, reason = False, f"{counts['object']} objection(s): any objection blocks."
    elif not counts["agree"]:
        passed, reason = False, "Nobody agreed (everyone who took part stood aside)."
    else:
        passed, reason = True, f"No objections; {counts['agree']} agreed, {counts['stand_aside']} stood aside."
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason)


def _count_consensus(spec: Spec, ballots: list) -> Result:
    counts = _simple_counts(spec, ballots)
    n = len(ballots)
    if spec.silence_agrees:
        against = counts["disagree"] + counts["block"]
        if against:
            passed, reason = False, (f"{counts['disagree']} disagree and {counts['block']} block: consensus "
                                     f"needs nobody to disagree.")
        else:
            passed, reason = True, (f"Nobody disagreed: agreed ({counts['agree']} agreed, {counts['abstain']} "
                                    f"stood aside, {spec.eligible - n} said nothing).")
        return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason)
    if n < spec.quorum:
        return _no_quorum(spec, n, counts)
    if counts["block"]:
        passed, reason = False, f"{counts['block']} block(s): a block stops the proposal."
    elif counts["agree"] > counts["disagree"]:
        passed, reason = True, f"No blocks, and {counts['agree']} agree against {counts['disagree']} disagree."
    else:
        passed = False
        reason = f"No blocks, but {counts['agree']} agree against {counts['disagree']} disagree: more must agree."
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason)


def _count_instrument(spec: Spec, ballots: list) -> Result:
    """An instrument (of dissolution): signed by the threshold share of everyone on the roll."""
    counts = _simple_counts(spec, ballots)
    n = len(ballots)
    needed = votes_needed(spec.eligible, spec.threshold_percent)
    passed = resolution_passes(counts["sign"], spec.eligible, spec.threshold_percent)
    reason = f"Signed by {counts['sign']} of the {spec.eligible} members: {needed} signatures needed."
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason,
                  base=spec.eligible, needed=needed)


def _count_audit_exemption(spec: Spec, ballots: list) -> Result:
    """s.84 of the 2014 Act: passed unless 20% or more of the votes cast, or 10% or more of all
    the members, are against it (and at least one vote for is needed: something must be resolved)."""
    counts = _simple_counts(spec, ballots)
    n = len(ballots)
    cast = counts["for"] + counts["against"]
    extra = {"base": cast}
    if n < spec.quorum:
        return _no_quorum(spec, n, counts, **extra)
    against = counts["against"]
    if not counts["for"]:
        passed, reason = False, "Nobody voted for it."
    elif against * 100 >= spec.against_cast_below * cast:
        passed, reason = False, (f"{against} of {cast} votes cast were against: it needs fewer than "
                                 f"{spec.against_cast_below}% against.")
    elif against * 100 >= spec.against_all_below * spec.eligible:
        passed, reason = False, (f"{against} of the {spec.eligible} members were against: it needs fewer than "
                                 f"{spec.against_all_below}% of all members against.")
    else:
        passed, reason = True, (f"{against} against: fewer than {spec.against_cast_below}% of the {cast} votes "
                                f"cast and fewer than {spec.against_all_below}% of the {spec.eligible} members.")
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, passed, reason, **extra)


def _count_poll(spec: Spec, ballots: list) -> Result:
    per_option = [0] * len(spec.options)
    abstained = 0
    for choice in ballots:
        if choice == ABSTAIN:
            abstained += 1
        elif isinstance(choice, int) and not isinstance(choice, bool) and 0 <= choice < len(spec.options):
            per_option[choice] += 1
        else:
            raise TallyError(f"ballot {choice!r} is not a poll choice")
    counts = dict(zip(spec.options, per_option, strict=True))
    counts["Abstain"] = abstained
    n = len(ballots)
    if n < spec.quorum:
        return _no_quorum(spec, n, counts, blank=abstained)
    top = max(per_option)
    leaders = [spec.options[i] for i, c in enumerate(per_option) if c == top]
    if top == 0:
        return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, False,
                      "Nobody chose an option.", blank=abstained)
    if len(leaders) > 1:
        return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, False,
                      f"A tie for first place ({', '.join(leaders)}): a tie fails.", blank=abstained)
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, True,
                  f"{leaders[0]} has the most votes ({top}).", winners=(leaders[0],), blank=abstained)


def _count_election(spec: Spec, ballots: list) -> Result:
    rankings: list[tuple[int, ...]] = []
    for choice in ballots:
        ranking = tuple(choice) if isinstance(choice, list | tuple) else None
        if ranking is None or len(set(ranking)) != len(ranking) or any(
                not isinstance(i, int) or not 0 <= i < len(spec.options) for i in ranking):
            raise TallyError(f"ballot {choice!r} is not a ranking of the candidates")
        rankings.append(ranking)
    first = [0] * len(spec.options)
    for ranking in rankings:
        if ranking:
            first[ranking[0]] += 1
    counts = dict(zip(spec.options, first, strict=True))
    blank = sum(1 for r in rankings if not r)
    n = len(ballots)
    if n < spec.quorum:
        return _no_quorum(spec, n, counts, blank=blank)
    ranked = [r for r in rankings if r]
    if not ranked:
        return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, False,
                      "Every ballot was blank.", blank=blank)
    winners, rounds, tie = rankvote.run_ranked(spec, ranked, pick_last=False)
    if tie:
        other, _, _ = rankvote.run_ranked(spec, ranked, pick_last=True)
        if other != winners:
            return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, False,
                          "A tie that decides who is elected: a tie fails, so hold the election again.",
                          rounds=rounds, blank=blank)
    names = tuple(spec.options[i] for i in winners)
    method = "Single transferable vote" if spec.ranking == "stv" or spec.seats > 1 else "Instant runoff"
    return Result(spec.method, spec.eligible, n, counts, spec.quorum, True, True,
                  f"{method}: elected {', '.join(names)}.", winners=names, rounds=rounds, blank=blank)


_COUNTERS = {
    "resolution": _count_resolution,
    "unanimity": _count_unanimity,
    "consent": _count_consent,
    "consensus": _count_consensus,
    "poll": _count_poll,
    "election": _count_election,
    "instrument": _count_instrument,
    "audit_exemption": _count_audit_exemption,
}
