"""UK local time for people; naive UTC in the database."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def to_uk(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC).astimezone(LONDON)


def uk_datetime(value: datetime | None) -> str:
    """e.g. 'Mon 30 Nov 2026, 17:00'."""
    if value is None:
        return ""
    local = to_uk(value)
    return f"{local.strftime('%a')} {local.day} {local.strftime('%b %Y, %H:%M')}"


def from_uk(local: datetime) -> datetime:
    """A wall-clock time in the UK -> naive UTC."""
    return local.replace(tzinfo=LONDON).astimezone(UTC).replace(tzinfo=None)
