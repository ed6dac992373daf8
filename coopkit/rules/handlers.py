"""The rules package's handlers for effects announced by packages below it (see :mod:`coopkit.effects`)."""

from __future__ import annotations

from coopkit.founding import effects as founding_effects
from coopkit.rules import queries


def rules_statuses(*, coop_ids: list[int]) -> dict[int, str]:
    return queries.newest_statuses(coop_ids)


def connect() -> None:
    founding_effects.rules_statuses.connect(rules_statuses)
