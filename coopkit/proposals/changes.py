"""Rule changes a special resolution proposes: typed values and their plain-language diff."""

from __future__ import annotations

import re
from datetime import date

from coopkit.coops.parameters import PARAMETERS
from coopkit.money import MoneyError, parse_pence
from coopkit.rules.diff import parameter_changes


class ChangeError(ValueError):
    pass


def parse_value(key: str, raw: str):
    """Turn what the proposer typed into the parameter's type (see coopkit.coops.parameters)."""
    kind = PARAMETERS[key][0]
    raw = (raw or "").strip()
    label = PARAMETERS[key][2]
    if kind in ("int", "percent"):
        if not re.fullmatch(r"\d{1,9}", raw):
            raise ChangeError(f"{label}: give a whole number.")
        value = int(raw)
        if kind == "percent" and value > 100:
            raise ChangeError(f"{label}: a percentage is at most 100.")
        return value
    if kind == "pence":
        try:
            return parse_pence(raw, f"{label}: give an amount in pounds, such as £1 or £25.50.")
        except MoneyError as exc:
            raise ChangeError(str(exc)) from None
    if kind == "bool":
        if raw.lower() in ("yes", "true", "1", "on"):
            return True
        if raw.lower() in ("no", "false", "0", "off"):
            return False
        raise ChangeError(f"{label}: answer yes or no.")
    if kind.startswith("choice:"):
        allowed = kind.split(":", 1)[1].split("|")
        raw = raw.lower().replace(" ", "_")  # "asset lock" as the form's hint shows it
        if raw not in allowed:
            raise ChangeError(f"{label}: choose one of {', '.join(a.replace('_', ' ') for a in allowed)}.")
        return raw
    if kind == "date":
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            raise ChangeError(f"{label}: give a date as YYYY-MM-DD.") from None
    if not raw:
        raise ChangeError(f"{label}: give the new wording.")
    return raw


def plain_language(old: dict, changes: dict) -> list[str]:
    """Lines such as 'Quorum: at least this many members: 2 -> 3', from the rules feature's diff."""
    new = dict(old)
    new.update(changes)
    return list(parameter_changes(old, new))
