"""Dates for the statutory calendar: months that end on month ends, clear days, financial
year ends and when reminders fall. A pure core (no Flask, no database)."""

from __future__ import annotations

import calendar as _calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

#: the first accounting period runs from registration for at least 6 and at most 18 months
FIRST_PERIOD_MIN_MONTHS = 6
FIRST_PERIOD_MAX_MONTHS = 18
#: reminders go out this many days before a deadline (each once)
REMINDER_DAYS = (30, 14, 7, 1)

_YEAR_END_RE = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*$")


class CalendarError(ValueError):
    """Input the calendar refuses, with a message for the person who typed it."""


def month_end(year: int, month: int) -> date:
    return date(year, month, _calendar.monthrange(year, month)[1])


def is_month_end(day: date) -> bool:
    return day == month_end(day.year, day.month)


def add_months(day: date, months: int, *, month_end_rule: bool = False) -> date:
    """``day`` moved by ``months`` calendar months. A day past the end of the target month
    is clamped to its last day (31 August + 6 months = 28 or 29 February). With
    ``month_end_rule`` a month's last day maps to the target month's last day (30 June + 9
    months = 31 March), as the Companies Act counts accounts deadlines."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = month_end(year, month)
    if month_end_rule and is_month_end(day):
        return last
    return date(year, month, min(day.day, last.day))


def months_between(start: date, end_inclusive: date) -> int:
    """Whole calendar months in the period from ``start`` to ``end_inclusive`` (both days in it)."""
    after = end_inclusive + timedelta(days=1)
    months = (after.year - start.year) * 12 + (after.month - start.month)
    while months > 0 and add_months(start, months) > after:
        months -= 1
    return months


def notice_deadline(meeting_on: date, clear_days: int) -> date:
    """The last day notice of a meeting on ``meeting_on`` may be sent so that ``clear_days``
    whole days lie between: neither the day it is sent nor the day of the meeting counts."""
    return meeting_on - timedelta(days=clear_days + 1)


def clear_days(sent_on: date, meeting_on: date) -> int:
    """Clear days between sending notice and the meeting (both days left out)."""
    return (meeting_on - sent_on).days - 1


@dataclass(frozen=True)
class YearEnd:
    """A financial year end as a day and month. 29 February is allowed: in other years the
    year ends on 28 February."""

    day: int
    month: int

    @classmethod
    def parse(cls, text: str | None) -> YearEnd:
        """'31-03' (or 31/03, 31.3) -> YearEnd; a clear CalendarError for anything else."""
        match = _YEAR_END_RE.match(text or "")
        if not match:
            raise CalendarError("Enter the year end as day and month, DD-MM, for example 31-03.")
        day, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise CalendarError(f"There is no month {month}: enter the year end as DD-MM, for example 31-03.")
        if not 1 <= day <= _calendar.monthrange(2024, month)[1]:  # 2024: 29 February exists
            raise CalendarError(f"{day} {_calendar.month_name[month]} does not exist: "
                                "enter a real day, for example 31-03.")
        return cls(day, month)

    def on(self, year: int) -> date:
        """The year end in ``year`` (28 February when 29 February does not exist that year)."""
        return date(year, self.month, min(self.day, _calendar.monthrange(year, self.month)[1]))

    def text(self) -> str:
        return f"{self.day:02d}-{self.month:02d}"

    def words(self) -> str:
        return f"{self.day} {_calendar.month_name[self.month]}"


def first_year_end(registered_on: date, year_end: YearEnd) -> date:
    """The first year end after registration that gives a first accounting period of at
    least 6 months; being the first such, it is always less than 18 months."""
    earliest = add_months(registered_on, FIRST_PERIOD_MIN_MONTHS) - timedelta(days=1)
    candidate = year_end.on(earliest.year)
    if candidate < earliest:
        candidate = year_end.on(earliest.year + 1)
    return candidate


def year_ends(registered_on: date, year_end: YearEnd, until: date) -> Iterator[date]:
    """Each year end from the first, while it is on or before ``until`` (the first one always)."""
    current = first_year_end(registered_on, year_end)
    yield current
    year = current.year + 1
    while year_end.on(year) <= until:
        yield year_end.on(year)
        year += 1


def reminder_threshold(due_on: date, today: date) -> int | None:
    """Which reminder (30, 14, 7 or 1 days before) is owed today: the smallest threshold the
    remaining days fit under, so a late start sends one reminder, not all the missed ones.
    None when the deadline is more than 30 days away or has passed."""
    days = (due_on - today).days
    if days < 0:
        return None
    fitting = [t for t in REMINDER_DAYS if days <= t]
    return min(fitting) if fitting else None
