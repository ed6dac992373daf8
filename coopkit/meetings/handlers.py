"""What the meetings package plugs into the packages below it at start-up: the register reads the
resolutions passed at general meetings as authority for an expulsion or an admission
(:mod:`coopkit.register.authority`). No effect handlers yet."""

from __future__ import annotations

from coopkit.meetings.outcomes import meeting_decisions
from coopkit.register import authority


def connect() -> None:
    """Idempotent: create_app calls it for every app."""
    authority.provide(meeting_decisions)
