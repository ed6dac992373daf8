"""The kinds of resolution a meeting may vote on, read from the co-op's rules
(:func:`coopkit.rules.queries.decision_kinds`): how each is counted and the clause it cites."""

from __future__ import annotations

from coopkit.meetings.procedure import ALL_KIND_LABELS, KIND_LABELS, MEMBER_KIND_LABELS, Counting
from coopkit.rules.decisions import DecisionKind
from coopkit.rules.queries import decision_kinds


class KindMissing(LookupError):
    """The co-op's rules provide no such kind of decision at a meeting."""


def available(coop) -> dict[str, str]:
    """Kinds this co-op's rules allow at a general meeting: key -> label."""
    kinds = decision_kinds(coop)
    out = {}
    for key, label in KIND_LABELS.items():
        base = "statutory_special" if key == "statutory_confirmation" else key
        if base in kinds and kinds[base].at_meeting:
            out[key] = label
    return out


def member_kinds(coop) -> dict[str, str]:
    """Expulsion, admission (where the members admit) and election of directors (an elected
    board), as far as this co-op's rules provide them at a general meeting: key -> label."""
    kinds = decision_kinds(coop)
    return {key: label for key, label in MEMBER_KIND_LABELS.items() if key in kinds and kinds[key].at_meeting}


def kind_of(coop, key: str) -> DecisionKind:
    """The rules' decision kind ``key`` at a general meeting, or KindMissing."""
    kind = decision_kinds(coop).get(key)
    if kind is None or not kind.at_meeting:
        label = ALL_KIND_LABELS.get(key, key).lower()
        raise KindMissing(f"Your rules provide no {label} at a general meeting.")
    return kind


def counting_for(coop, key: str) -> tuple[Counting, str]:
    """(how ``key`` is counted, the citation of its clause) under the rules in force."""
    kinds = decision_kinds(coop)
    base = "statutory_special" if key == "statutory_confirmation" else key
    kind = kinds.get(base)
    if kind is None or not kind.at_meeting:
        raise KindMissing(f"Your rules provide no {KIND_LABELS.get(key, key).lower()} at a general meeting.")
    if key == "statutory_confirmation":
        counting = Counting(key, threshold=kind.confirm_threshold or 50, basis="cast")
        where = f"{kind.clause_word} {kind.clause_number}" if kind.clause_number else "The 2014 Act"
        return counting, (f"{where}: confirmation of a {kind.name}, {counting.rule} at a second meeting "
                          f"{kind.confirm_min_days or 14} days to {kind.confirm_max_months or 1} month after the first")
    if kind.method == "audit_exemption":
        counting = Counting(key, threshold=50, basis="cast", against_cast_below=kind.against_cast_below or 20,
                            against_all_below=kind.against_all_below or 10)
        return counting, kind.citation
    return Counting(key, threshold=kind.threshold, basis=kind.basis), kind.citation
