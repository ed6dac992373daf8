"""A co-op's answers as the values a rule set's templates see: each coerced to its parameter's
type and checked against the manifest's bounds; what is missing, defaulted or wrong is listed.
Pure: no Flask or database import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coopkit.money import format_pounds
from coopkit.rules.ruleset import ParameterSpec, RuleSet


@dataclass(frozen=True)
class Values:
    """What the templates see, and what was missing or defaulted."""

    raw: dict[str, Any]
    missing: tuple[str, ...]
    defaulted: tuple[str, ...]
    problems: tuple[tuple[str, str], ...]


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def coerce(spec: ParameterSpec, value: Any) -> Any:
    """An answer in its parameter's type; raises ValueError with a message for a person."""
    kind = spec.type
    if kind in ("int", "percent", "pence"):
        if isinstance(value, bool):
            raise ValueError("must be a whole number")
        try:
            number = int(str(value).strip()) if not isinstance(value, int) else value
        except ValueError:
            raise ValueError("must be a whole number") from None
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else (100 if kind == "percent" else None)
        if number < low or (high is not None and number > high):
            shown = format_pounds if kind == "pence" else str
            span = f"between {shown(low)} and {shown(high)}" if high is not None else f"at least {shown(low)}"
            raise ValueError(f"must be {span}")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("1", "true", "yes", "y", "on"):
            return True
        if text in ("0", "false", "no", "n", "off"):
            return False
        raise ValueError("must be yes or no")
    if spec.choices:
        if value not in spec.choices:
            raise ValueError("must be one of " + ", ".join(spec.choices))
        return value
    return str(value).strip()


def resolve_values(ruleset: RuleSet, answers: dict[str, Any]) -> Values:
    raw: dict[str, Any] = {}
    missing, defaulted, problems = [], [], []
    for key, spec in ruleset.parameters.items():
        value = answers.get(key)
        if blank(value):
            if spec.required:
                missing.append(key)
                raw[key] = None
            else:
                defaulted.append(key)
                raw[key] = spec.default
            continue
        try:
            raw[key] = coerce(spec, value)
        except ValueError as exc:
            problems.append((key, f"{spec.label}: {exc}"))
            raw[key] = spec.default if not spec.required else None
            if spec.required:
                missing.append(key)
    return Values(raw, tuple(missing), tuple(defaulted), tuple(problems))
