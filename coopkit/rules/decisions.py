"""Decision kinds: how each kind of decision is made and counted under a co-op's rules.

Pure: no Flask or database. A rule set's manifest declares its kinds under
``[decisions.<key>]`` (see rules_templates/README.md); :func:`decision_kinds`
turns the manifest, the co-op's parameters and the rendered document's clause
numbering into :class:`DecisionKind` records. The voting engine reads only these
records, so what the rules say and what the engine counts cannot drift apart
(tests/rules/test_decision_kinds.py renders every rule set over its option
combinations and compares).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from jinja2 import StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

#: tally methods a kind may use (coopkit.proposals.tally.METHODS)
METHODS = ("resolution", "unanimity", "consent", "consensus", "poll", "election", "instrument",
           "audit_exemption")
WHERE = ("meeting", "writing", "both")
VOTERS = ("members", "members_except_subject")
#: keys a [decisions.<key>] table may hold
FIELDS = {
    "name", "clause", "method", "where", "when", "threshold", "basis", "quorum", "notice", "time_limit",
    "min_days", "voters", "subject", "subject_notice", "reply", "against_cast_below", "against_all_below",
    "confirm_threshold", "confirm_min_days", "confirm_max_months", "fallback", "advisory", "protects",
    "amends_rules", "ranking",
}
#: how an election's ranked ballots are counted (coopkit.proposals.tally.RANKINGS)
RANKINGS = ("stv", "irv")
FRACTION_RE = re.compile(r"^(\d+)/(\d+)$")
_ENV = SandboxedEnvironment(undefined=StrictUndefined)


class DecisionKindError(ValueError):
    """A manifest's [decisions] table is wrong (a bug in the rule set): names the kind and the problem."""


@dataclass(frozen=True)
class DecisionKind:
    """One kind of decision, as a co-op's rules define it."""

    key: str
    #: lower-case, as in a sentence: "written special resolution"
    name: str
    method: str
    #: the clause that defines it ("voting#special") and its number in the rendered rules ("21.3");
    #: an advisory poll cites none
    clause: str | None
    clause_number: str | None
    #: "Rule" (society) or "Article" (company)
    clause_word: str
    at_meeting: bool
    in_writing: bool
    basis: str = "cast"
    #: percent of the basis that must agree (a Fraction for "two thirds"); more than half always applies
    threshold: int | Fraction = 50
    #: the rules' quorum (None: no quorum, e.g. a written resolution or consent by silence)
    quorum_min_members: int | None = None
    quorum_percent: int | None = None
    #: clear days' notice of the meeting (meeting kinds)
    notice_days: int | None = None
    #: days a written resolution stays open before it lapses
    time_limit_days: int | None = None
    #: consent or consensus: the least time it stays open
    min_days: int | None = None
    voters: str = "members"
    #: "member" when the decision is about one person (admission, expulsion)
    subject: str | None = None
    #: clear days' written notice the person concerned gets before the vote may open
    subject_notice_days: int | None = None
    #: the person's reply (or the record that they gave none) must be attached before the vote
    reply_required: bool = False
    #: audit exemption: fewer than these percentages against (of votes cast; of all members)
    against_cast_below: int | None = None
    against_all_below: int | None = None
    #: statutory special resolution: confirmed at a second meeting by this share, in this window
    confirm_threshold: int | None = None
    confirm_min_days: int | None = None
    confirm_max_months: int | None = None
    #: the kind a consent or consensus decision falls back to, if the rules give one
    fallback: str | None = None
    #: a poll that decides nothing
    advisory: bool = False
    #: entrenched: clauses (or sub-clauses) only this kind may change
    protects: tuple[str, ...] = ()
    #: may change the rules (special, written special, entrenched)
    amends_rules: bool = False
    #: an election: single transferable vote (several seats) or instant runoff (one seat)
    ranking: str = "stv"

    @property
    def threshold_percent(self) -> int:
        """The threshold as a whole percent for storage (two thirds stores as 67, counted exactly)."""
        return int(-(-self.threshold // 1))

    @property
    def venue_words(self) -> str:
        if self.at_meeting and self.in_writing:
            return "at a general meeting or in writing"
        return "at a general meeting" if self.at_meeting else "in writing"

    @property
    def counting_words(self) -> str:
        """How it passes, in a few words: "75% of all members", "no objection after 7 days"."""
        whom = "votes cast" if self.basis == "cast" else "all members"
        if self.method == "resolution":
            return f"{share_words(self.threshold)} of {whom}"
        if self.method == "unanimity":
            return "every member agrees"
        if self.method == "instrument":
            return f"signed by {share_words(self.threshold)} of all members"
        if self.method == "audit_exemption":
            return (f"fewer than {self.against_cast_below}% of votes cast and fewer than "
                    f"{self.against_all_below}% of all members against")
        if self.method == "consent":
            return f"agreed unless someone objects within {self.min_days} days"
        if self.method == "consensus":
            return f"agreed unless someone disagrees within {self.min_days} days"
        if self.method == "election":
            return "elected by ranked ballot of votes cast"
        return "decides nothing under the rules"

    @property
    def citation(self) -> str:
        """'Rule 23.2: written special resolution, 75% of all members'."""
        words = f"{self.name}, {self.counting_words}"
        if self.clause_number is None:
            return f"{self.name[:1].upper()}{self.name[1:]}, {self.counting_words}"
        return f"{self.clause_word} {self.clause_number}: {words}"


def share_words(threshold: int | Fraction) -> str:
    if threshold == Fraction(200, 3):
        return "two thirds"
    if threshold == 50:
        return "more than half"
    return f"{threshold}%"


def clause_numbers(document) -> dict[str, str]:
    """'clause-id' and 'clause-id#label' -> the number printed in a rendered Document."""
    numbers: dict[str, str] = {}
    for clause in document.clauses:
        numbers[clause.id] = str(clause.number)
        for para in clause.paragraphs:
            if para.label:
                numbers[f"{clause.id}#{para.label}"] = para.number or str(clause.number)
    return numbers


def _value(kind: str, field: str, raw: Any, params: Mapping[str, Any]) -> Any:
    """A manifest value: a number or a boolean as given, "2/3" as a fraction, a word such as
    "cast", or an expression over the parameters (like a clause's ``when``)."""
    if not isinstance(raw, str):
        return raw
    if FRACTION_RE.match(raw):
        top, bottom = map(int, FRACTION_RE.match(raw).groups())
        return Fraction(100 * top, bottom)
    if raw in ("cast", "eligible", "member", "") or raw in VOTERS:
        return raw or None
    try:
        return _ENV.compile_expression(raw)(**params)
    except TemplateError as exc:
        raise DecisionKindError(f"decision {kind!r}: {field} = {raw!r}: {exc}") from None


def _days(kind: str, field: str, value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | Fraction):
        raise DecisionKindError(f"decision {kind!r}: {field} must be a whole number, got {value!r}")
    return int(value)


def check_table(kind: str, table: Mapping[str, Any]) -> None:
    """What the loader checks in one [decisions.<key>] table (values are checked when built)."""
    unknown = sorted(set(table) - FIELDS)
    if unknown:
        raise DecisionKindError(f"decision {kind!r}: unknown keys {unknown}")
    for required in ("name", "method", "where"):
        if required not in table:
            raise DecisionKindError(f"decision {kind!r}: missing {required!r}")
    if table["method"] not in METHODS:
        raise DecisionKindError(f"decision {kind!r}: method must be one of {METHODS}")
    if table["where"] not in WHERE:
        raise DecisionKindError(f"decision {kind!r}: where must be one of {WHERE}")
    if "clause" not in table and not table.get("advisory"):
        raise DecisionKindError(f"decision {kind!r}: name the clause that defines it")


def decision_kinds(ruleset, params: Mapping[str, Any], numbers: Mapping[str, str]) -> dict[str, DecisionKind]:
    """The kinds the rules provide for these parameters, in manifest order. ``numbers`` is the
    rendered document's numbering (:func:`clause_numbers`); a kind whose clause is not in the
    document is an error in the rule set (raised), never silently dropped."""
    word = "Article" if ruleset.legal_form == "company" else "Rule"
    kinds: dict[str, DecisionKind] = {}
    for key, table in ruleset.decisions.items():
        def get(field, default=None, table=table, key=key):
            return _value(key, field, table[field], params) if field in table else default

        if "when" in table and not get("when"):
            continue
        clause = table.get("clause")
        number = None
        if clause:
            if clause not in numbers:
                raise DecisionKindError(f"{ruleset.id}: decision {key!r} cites {clause!r}, which is not in "
                                        f"the rules for these answers")
            number = numbers[clause]
        where = table["where"]
        quorum = bool(get("quorum", False))
        threshold = get("threshold", 50)
        if isinstance(threshold, int | Fraction) and not isinstance(threshold, bool):
            threshold = max(Fraction(threshold), Fraction(50)) if table["method"] == "resolution" else threshold
            threshold = int(threshold) if Fraction(threshold).denominator == 1 else Fraction(threshold)
        else:
            raise DecisionKindError(f"decision {key!r}: threshold must be a number, got {threshold!r}")
        basis = get("basis", "cast")
        if basis not in ("cast", "eligible"):
            raise DecisionKindError(f"decision {key!r}: basis must be cast or eligible, got {basis!r}")
        voters = table.get("voters", "members")
        if voters not in VOTERS:
            raise DecisionKindError(f"decision {key!r}: voters must be one of {VOTERS}")
        protects = []
        for entry in table.get("protects", ()):
            entry = entry if isinstance(entry, dict) else {"clause": entry}
            if "when" in entry and not _value(key, "protects", entry["when"], params):
                continue
            if entry["clause"] not in numbers:
                raise DecisionKindError(f"{ruleset.id}: decision {key!r} protects {entry['clause']!r}, which is "
                                        f"not in the rules for these answers")
            protects.append(entry["clause"])
        fallback = get("fallback") or None
        ranking = table.get("ranking", "stv")
        if ranking not in RANKINGS:
            raise DecisionKindError(f"decision {key!r}: ranking must be one of {RANKINGS}")
        kinds[key] = DecisionKind(
            key=key, name=table["name"], method=table["method"], clause=clause, clause_number=number,
            clause_word=word, at_meeting=where in ("meeting", "both"), in_writing=where in ("writing", "both"),
            basis=basis, threshold=threshold,
            quorum_min_members=int(params["quorum_min_members"]) if quorum else None,
            quorum_percent=int(params["quorum_percent"]) if quorum else None,
            notice_days=_days(key, "notice", get("notice")),
            time_limit_days=_days(key, "time_limit", get("time_limit")),
            min_days=_days(key, "min_days", get("min_days")),
            voters=voters, subject=get("subject"),
            subject_notice_days=_days(key, "subject_notice", get("subject_notice")),
            reply_required=bool(get("reply", False)),
            against_cast_below=_days(key, "against_cast_below", get("against_cast_below")),
            against_all_below=_days(key, "against_all_below", get("against_all_below")),
            confirm_threshold=_days(key, "confirm_threshold", get("confirm_threshold")),
            confirm_min_days=_days(key, "confirm_min_days", get("confirm_min_days")),
            confirm_max_months=_days(key, "confirm_max_months", get("confirm_max_months")),
            fallback=fallback, advisory=bool(get("advisory", False)), protects=tuple(protects),
            amends_rules=bool(get("amends_rules", False)), ranking=ranking,
        )
    for kind in kinds.values():
        if kind.fallback and kind.fallback not in kinds:
            raise DecisionKindError(f"{ruleset.id}: decision {kind.key!r} falls back to {kind.fallback!r}, "
                                    f"which these rules do not provide")
    return kinds


def kinds_for_document(ruleset, document) -> dict[str, DecisionKind]:
    """The kinds for a rendered Document (its resolved parameters and numbering)."""
    return decision_kinds(ruleset, document.values.raw, clause_numbers(document))


_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


def protected_text(document, targets) -> dict[str, str]:
    """The words of each protected clause or sub-clause, numbers blanked (so a renumbering
    elsewhere is not mistaken for a change to an entrenched clause)."""
    out: dict[str, str] = {}
    for target in targets:
        clause_id, _, label = target.partition("#")
        clause = document.clause(clause_id)
        if clause is None:
            out[target] = ""
            continue
        paras = [p for p in clause.paragraphs if not label or p.label == label]
        words = " ".join(p.text + " " + " ".join(p.items) for p in paras)
        out[target] = _NUMBER_RE.sub("#", words)
    return out


def touches_entrenched(kinds: Mapping[str, DecisionKind], current, proposed) -> list[str]:
    """The entrenched clauses whose words an amendment from ``current`` to ``proposed`` (rendered
    Documents) would change."""
    targets = [t for kind in kinds.values() for t in kind.protects]
    before, after = protected_text(current, targets), protected_text(proposed, targets)
    return [t for t in targets if before[t] != after[t]]
