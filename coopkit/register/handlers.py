"""The register's handlers for effects announced by packages below it (see :mod:`coopkit.effects`)."""

from __future__ import annotations

from datetime import date

from coopkit.coops.models import Coop, Member
from coopkit.effects import Refused
from coopkit.extensions import db
from coopkit.register import services
from coopkit.rules import effects as rules_effects
from coopkit.workspace import effects as workspace_effects


def admit_founders(*, coop: Coop, on: date, actor, secretary_member_id: int | None) -> list[Member]:
    """The co-op was registered: every founder becomes a member from ``on`` (with a membership
    share where the rules set one) and the secretary the founders chose takes office.
    Changes: see :func:`coopkit.register.services.founders_become_members`. Flushes."""
    try:
        founders = services.founders_become_members(coop, on, actor)
        secretary = db.session.get(Member, secretary_member_id) if secretary_member_id else None
        if secretary is not None and secretary in founders:
            services.ensure_office(secretary, "secretary", on, actor)
    except services.RegisterError as exc:
        raise Refused(str(exc)) from exc
    return founders


def rejoin(*, member: Member, status: str, actor) -> Member:
    """A former member joins again: a new entry for the new membership
    (see :func:`coopkit.register.services.rejoin`). Returns it."""
    try:
        return services.rejoin(member, status, actor=actor)
    except services.RegisterError as exc:
        raise Refused(str(exc)) from exc


def leave(*, member: Member, on: date, reason: str, actor) -> None:
    """A member leaves from the workspace (see :func:`coopkit.register.services.cease_member`)."""
    try:
        services.cease_member(member, on=on, reason=reason, actor=actor)
    except services.RegisterError as exc:
        raise Refused(str(exc)) from exc


def connect() -> None:
    rules_effects.coop_registered.connect(admit_founders)
    workspace_effects.member_rejoins.connect(rejoin)
    workspace_effects.member_leaves.connect(leave)
