"""Checking founding answers: a pure core (no Flask, no database).

``validate_step`` turns what a person typed into typed values, or into a message
for each field that is wrong; nothing is saved unless it returns no errors.
``check_answers`` re-runs the cross-field rules on saved answers, because an
answer in one step (say, the legal form) can make another step's answer (the
name) invalid. Blank means "not answered yet": saving part of a step is fine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from coopkit.coops.parameters import FORM_RANGES, QUORUM_TWO_ALONE_UP_TO, quorum_two_alone
from coopkit.forms import digits
from coopkit.founding.catalogue import STATUTORY_MAX_HOLDING_PENCE, Question, Step
from coopkit.money import MoneyError, as_typed, format_pence, format_pounds, parse_pence

#: a society needs at least three founding members (2014 Act)
SOCIETY_MIN_FOUNDERS = 3

#: words in a name that may need permission before registration (guidance, not a full list)
SENSITIVE_WORDS = (
    "bank", "banking", "insurance", "assurance", "royal", "king", "queen", "prince", "princess",
    "trust", "university", "chartered", "charity", "charitable", "national", "british", "england",
    "scotland", "wales", "council", "authority", "government", "police", "nhs", "building society",
)

TEXT_MAX = 4000
STR_MAX = 200
YES = ("yes", "y", "true", "on", "1")
NO = ("no", "n", "false", "off", "0")
_DAYMONTH_RE = re.compile(r"^(\d{1,2})\s*[-/]\s*(\d{1,2})$")


class AnswerError(ValueError):
    """What is wrong with one answer, in words for the person who typed it."""


@dataclass(frozen=True)
class Context:
    """What else a step's checks need to know."""

    #: every answer already saved for the co-op (all steps)
    answers: Mapping[str, Any] = field(default_factory=dict)
    #: register ids of the current founders
    founder_ids: tuple[int, ...] = ()

    @property
    def founder_count(self) -> int:
        return len(self.founder_ids)


@dataclass
class Outcome:
    values: dict[str, Any]
    errors: dict[str, str]
    warnings: list[str]

    @property
    def ok(self) -> bool:
        return not self.errors


def _has_control_characters(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\r\n\t" for c in text)


def _int(text: str, q: Question) -> int:
    cleaned = text.replace(",", "").strip()
    if q.type == "percent":
        cleaned = cleaned.rstrip("%").strip()
    if not re.fullmatch(r"-?\d+", cleaned):
        raise AnswerError("Enter a whole number" + (" (a percentage, e.g. 75)." if q.type == "percent" else "."))
    value = int(cleaned)
    low = q.min if q.min is not None else (0 if q.type == "percent" else None)
    high = q.max if q.max is not None else (100 if q.type == "percent" else None)
    unit = "%" if q.type == "percent" else ""
    if low is not None and high is not None and not low <= value <= high:
        raise AnswerError(f"Enter a number from {low}{unit} to {high}{unit}.")
    if low is not None and value < low:
        raise AnswerError(f"Enter {low}{unit} or more.")
    if high is not None and value > high:
        raise AnswerError(f"Enter {high}{unit} or less.")
    return value


def parse_daymonth(text: str) -> str:
    match = _DAYMONTH_RE.match(text.strip())
    if not match:
        raise AnswerError("Enter a day and month as DD-MM, e.g. 31-03.")
    day, month = int(match.group(1)), int(match.group(2))
    try:
        date(2024, month, day)  # a leap year: 29-02 is a real (if unusual) year end
    except ValueError:
        raise AnswerError("That is not a real date. Enter a day and month as DD-MM, e.g. 31-03.") from None
    return f"{day:02d}-{month:02d}"


def parse_value(q: Question, raw: str | None, ctx: Context) -> Any:
    """The typed value of one answer, ``None`` when blank; raises AnswerError."""
    text = (raw or "").strip() if isinstance(raw, str | None) else str(raw)
    if text == "":
        return None
    if _has_control_characters(text):
        raise AnswerError("This answer contains characters that can't be stored.")
    if q.type in ("str", "text"):
        limit = q.max or (TEXT_MAX if q.type == "text" else STR_MAX)
        if len(text) > limit:
            raise AnswerError(f"Keep this to {limit} characters or fewer (it has {len(text)}).")
        if q.type == "str" and ("\n" in text or "\r" in text):
            raise AnswerError("Keep this on one line.")
        return text.replace("\r\n", "\n")
    if q.type in ("int", "percent"):
        return _int(text, q)
    if q.type == "bool":
        if text.lower() in YES:
            return True
        if text.lower() in NO:
            return False
        raise AnswerError("Choose yes or no.")
    if q.type == "choice":
        if text not in q.choices:
            raise AnswerError("Choose one of the options.")
        return text
    if q.type == "pence":
        try:
            value = parse_pence(text, "Enter an amount in pounds, e.g. 1 or 1.00 or 25,000.")
        except MoneyError as exc:
            raise AnswerError(str(exc)) from None
        if q.min is not None and value < q.min:
            raise AnswerError(f"Enter {format_pounds(q.min)} or more.")
        if q.max is not None and value > q.max:
            raise AnswerError(f"Enter {format_pounds(q.max)} or less.")
        return value
    if q.type == "daymonth":
        return parse_daymonth(text)
    if q.type == "founder":
        if not digits(text) or int(text) not in ctx.founder_ids:
            raise AnswerError("Choose one of the founders.")
        return int(text)
    raise AnswerError("This question can't be answered here.")  # pragma: no cover (catalogue is checked)


def validate_step(step: Step, raw: Mapping[str, Any], ctx: Context) -> Outcome:
    """Parse and check every answer of ``step`` from ``raw`` (field name -> typed text)."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for q in step.questions:
        try:
            values[q.key] = parse_value(q, raw.get(q.key), ctx)
        except AnswerError as exc:
            errors[q.key] = str(exc)
    merged = {**ctx.answers, **{k: v for k, v in values.items() if k not in errors}}
    for q in step.questions:
        # An answer that does not apply (e.g. board size under collective management) is dropped.
        if q.key not in errors and not q.applies(merged):
            values[q.key] = None
    merged = {k: v for k, v in {**ctx.answers, **values}.items() if v is not None}
    for key, message in cross_checks(step, merged, ctx, submitted=values).items():
        errors.setdefault(key, message)
    return Outcome(values=values, errors=errors, warnings=step_warnings(step, merged))


def check_answers(step: Step, answers: Mapping[str, Any], ctx: Context) -> dict[str, str]:
    """The cross-field problems of a step's saved answers (answers from other steps included)."""
    return cross_checks(step, dict(answers), ctx, submitted={k: answers.get(k) for k in step.keys})


def cross_checks(step: Step, merged: dict[str, Any], ctx: Context, *, submitted: Mapping[str, Any]) -> dict[str, str]:
    """Rules that involve more than one answer. Only keys of ``step`` get a message."""
    errors: dict[str, str] = {}
    keys = set(step.keys)

    surplus = ("surplus_reserves_percent", "surplus_common_good_percent", "surplus_bonus_percent")
    if keys.issuperset(surplus) and any(submitted.get(k) is not None for k in surplus):
        missing = [k for k in surplus if merged.get(k) is None]
        if missing:
            for k in missing:
                errors[k] = "Give all three shares of the surplus (0 if none)."
        else:
            total = sum(merged[k] for k in surplus)
            if total != 100:
                errors["surplus_bonus_percent"] = (
                    f"The three shares add up to {total}%; they must add up to exactly 100%.")

    if "special_threshold_percent" in keys:
        ordinary, special = merged.get("ordinary_threshold_percent"), merged.get("special_threshold_percent")
        if ordinary is not None and special is not None and special < ordinary:
            errors["special_threshold_percent"] = (
                f"A special resolution can't need fewer votes ({special}%) than an ordinary one ({ordinary}%).")

    form = merged.get("legal_form")
    for key, (low, high) in FORM_RANGES.get(form or "", {}).items():
        value = merged.get(key)
        if key in keys and isinstance(value, int) and not low <= value <= high:
            errors[key] = f"For a company, enter a number from {low}% to {high}%."

    if "quorum_percent" in keys:
        least, percent = merged.get("quorum_min_members"), merged.get("quorum_percent")
        if least is not None and percent is not None and quorum_two_alone(least, percent):
            errors["quorum_percent"] = (
                f"With more than {QUORUM_TWO_ALONE_UP_TO} members, two people alone could hold a meeting: "
                "raise the minimum to 3 or the percentage above 40%.")

    if "max_holding_pence" in keys:
        share, most = merged.get("share_value_pence"), merged.get("max_holding_pence")
        if share is not None and share < 1:
            errors["share_value_pence"] = "A share must be worth at least 1p."
        if most is not None and most > STATUTORY_MAX_HOLDING_PENCE:
            errors["max_holding_pence"] = "The law caps one member's withdrawable shares at £100,000."
        elif most is not None and share is not None and most < share:
            errors["max_holding_pence"] = "The largest holding must be at least one share."

    if "board_size" in keys and merged.get("management") == "board":
        size, minimum = merged.get("board_size"), merged.get("min_directors")
        if size is not None and minimum is not None and size < minimum:
            errors["board_size"] = f"The board needs at least the minimum number of directors ({minimum})."

    if "legal_form" in keys and merged.get("legal_form") == "society":
        problem = team_problem(ctx.founder_count, "society")
        if problem:
            errors["legal_form"] = problem

    if "coop_name" in keys and merged.get("coop_name"):
        problem = name_problem(merged["coop_name"], merged.get("legal_form", "society"),
                               bool(merged.get("welsh_office")))
        if problem:
            errors["coop_name"] = problem

    if "secretary_member_id" in keys and merged.get("secretary_member_id") is not None:
        if merged["secretary_member_id"] not in ctx.founder_ids:
            errors["secretary_member_id"] = "The secretary must be one of the current founders."
    return errors


def name_problem(name: str, legal_form: str | None, welsh_office: bool) -> str | None:
    """Why a name can't be registered for this legal form, or None."""
    words = name.split()
    if len(name.strip()) < 3:
        return "Enter the full name."
    if legal_form == "company":
        return None
    last = words[-1].rstrip(".").lower() if words else ""
    if welsh_office:
        if last not in ("limited", "cyfyngedig"):
            return "A society's name must end with Limited or, with a Welsh registered office, Cyfyngedig."
    elif last != "limited":
        if last == "cyfyngedig":
            return "Cyfyngedig may end the name only when the registered office is in Wales; use Limited."
        return 'A society\'s name must end with the word "Limited".'
    return None


def sensitive_words(name: str) -> list[str]:
    """The words in ``name`` that may need permission before they can be registered."""
    lowered = " " + re.sub(r"[^a-z]+", " ", name.lower()) + " "
    return [w for w in SENSITIVE_WORDS if f" {w} " in lowered]


def step_warnings(step: Step, merged: Mapping[str, Any]) -> list[str]:
    warnings = []
    if "coop_name" in step.keys and merged.get("coop_name"):
        for word in sensitive_words(merged["coop_name"]):
            warnings.append(f'The word "{word}" in a name may need approval before it can be registered; '
                            "check early with the registrar.")
    return warnings


def team_problem(founder_count: int, legal_form: str | None) -> str | None:
    """Why the founding group is too small for the legal form, or None."""
    if legal_form == "company":
        return None if founder_count >= 1 else "A company needs at least one founder."
    if founder_count < SOCIETY_MIN_FOUNDERS:
        return (f"A co-operative society needs at least {SOCIETY_MIN_FOUNDERS} founders; "
                f"you have {founder_count}. Invite your co-founders, or choose a company.")
    return None


def recommend_legal_form(answers: Mapping[str, Any], founder_count: int) -> tuple[str, list[str]]:
    """The legal form that fits the group's answers, with the reasons for it."""
    if founder_count < SOCIETY_MIN_FOUNDERS:
        return "company", [f"You have {founder_count} founder{'s' if founder_count != 1 else ''}; "
                           f"a co-operative society needs at least {SOCIETY_MIN_FOUNDERS}."]
    reasons = []
    if answers.get("wants_member_shares", True):
        reasons.append("You want members to hold withdrawable shares, which a society offers and a company does not.")
    if answers.get("wants_model_rules", True):
        reasons.append("You want a sponsoring body's model rules: they are written for societies and lower the fee.")
    if answers.get("non_voting_class"):
        reasons.append("You want a class of investor members, which societies commonly provide for.")
    if reasons:
        reasons.append("Registering with the FCA also shows you are a bona fide co-operative.")
        return "society", reasons
    return "company", ["You don't need withdrawable shares or model rules, and a company is quicker to set up "
                       "at Companies House."]


def form_text(q: Question, value: Any) -> str:
    """A saved value as the text a form field shows."""
    if value is None:
        return ""
    if q.type == "bool":
        return "yes" if value else "no"
    if q.type == "pence":
        return as_typed(value).removesuffix(".00")
    return str(value)


def display_text(q: Question, value: Any, founder_names: Mapping[int, str] | None = None) -> str:
    """A saved value in words, for read-only pages."""
    if value is None:
        return "Not answered"
    if q.type == "bool":
        return "Yes" if value else "No"
    if q.type == "pence":
        return format_pence(value)
    if q.type == "percent":
        return f"{value}%"
    if q.type == "choice":
        return q.label_for(value)
    if q.type == "founder":
        return (founder_names or {}).get(value, "A former founder")
    return str(value)


def validate_private_details(raw: Mapping[str, Any], today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """Check an officer's anti-money-laundering details: name, date of birth, address, time there."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    name = str(raw.get("full_name") or "").strip()
    if not name:
        errors["full_name"] = "Enter the officer's full name."
    elif len(name) > 160 or _has_control_characters(name) or "\n" in name:
        errors["full_name"] = "Enter the name on one line, in 160 characters or fewer."
    values["full_name"] = name
    born = raw.get("date_of_birth")
    if isinstance(born, str):
        try:
            born = date.fromisoformat(born.strip()) if born.strip() else None
        except ValueError:
            born = None
            errors["date_of_birth"] = "Enter a real date, e.g. 1999-04-21."
    if born is None:
        errors.setdefault("date_of_birth", "Enter the officer's date of birth.")
    elif born >= today or (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 16:
        errors["date_of_birth"] = "An officer must be at least 16 years old."
    elif born.year < 1900:
        errors["date_of_birth"] = "Enter a date of birth after 1900."
    values["date_of_birth"] = born
    address = str(raw.get("address") or "").strip().replace("\r\n", "\n")
    if not address:
        errors["address"] = "Enter the officer's home address."
    elif len(address) > 1000 or _has_control_characters(address):
        errors["address"] = "Keep the address to 1000 characters or fewer."
    values["address"] = address
    months = 0
    for part, limit, label in (("years_at_address", 120, "years"), ("months_at_address", 11, "months")):
        text = str(raw.get(part) if raw.get(part) is not None else "").strip() or "0"
        if not digits(text) or int(text) > limit:
            errors[part] = f"Enter a whole number of {label} from 0 to {limit}."
            continue
        months += int(text) * (12 if label == "years" else 1)
    values["months_at_address"] = months
    return values, errors
