"""The statutory calendar's plain data: the facts a co-op's obligations are worked out from
(:class:`Facts`), and what comes out (:class:`Obligation`, :class:`Item` with its status).
No Flask or database import; :mod:`coopkit.calendar.obligations` does the arithmetic."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from coopkit.calendar.dates import YearEnd

#: an obligation due within this many days is "due soon"
DUE_SOON_DAYS = 30

#: the rules' annual general meeting window, when the rule set does not say (both rule sets say this)
AGM_WITHIN_MONTHS = 6
AGM_MAX_GAP_MONTHS = 15


@dataclass(frozen=True)
class Amendment:
    """A rules version adopted after registration: registered (``registered_on``) or not yet."""

    number: int
    adopted_on: date
    registered_on: date | None = None


@dataclass(frozen=True)
class Probation:
    member_id: int
    name: str
    ends_on: date


@dataclass(frozen=True)
class CalledMeeting:
    """A general meeting that has been called (from the meetings feature)."""

    key: str
    title: str
    meets_on: date
    #: the clear days notice needs (None: the rules' number)
    clear_days: int | None = None
    notice_sent_on: date | None = None
    is_agm: bool = False


@dataclass(frozen=True)
class Done:
    """A "done" record: when it was filed or held, the reference, who recorded it."""

    key: str
    done_on: date
    reference: str = ""
    by: str = ""


@dataclass(frozen=True)
class Facts:
    legal_form: str
    #: registered with the FCA / Companies House; False gives a projection ("once registered")
    registered: bool
    #: the registration date (for a projection: the date assumed)
    registered_on: date
    year_end: YearEnd
    management: str = "collective"
    board_rotation: str = "none"
    board_term_years: int = 3
    notice_clear_days: int = 14
    #: the rules' AGM window: within this many months of each year end, never more than
    #: agm_max_gap_months after the previous AGM; agm_clause cites it ("Rule 12.2")
    agm_within_months: int = AGM_WITHIN_MONTHS
    agm_max_gap_months: int = AGM_MAX_GAP_MONTHS
    agm_clause: str = ""
    #: obligations due before this date are not listed (a co-op that joined coopkit later)
    tracked_from: date | None = None
    amendments: tuple[Amendment, ...] = ()
    probations: tuple[Probation, ...] = ()
    meetings: tuple[CalledMeeting, ...] = ()
    #: the days annual general meetings were held (from the meetings feature)
    agms_held: tuple[date, ...] = ()
    done: dict[str, Done] = field(default_factory=dict)


@dataclass(frozen=True)
class Obligation:
    #: stable and URL-safe, e.g. "annual-return-2025-03-31"; done records are keyed by it
    key: str
    kind: str
    title: str
    due_on: date
    #: who does it, in words
    who: str
    #: the groups reminders go to (SECRETARY, DIRECTORS)
    responsible: frozenset[str]
    #: what it needs, one line each
    needs: tuple[str, ...] = ()
    #: why: the law or rule behind it, in our words
    basis: str = ""
    #: a window's first day (the AGM window opens the day after the year end)
    opens_on: date | None = None
    #: the financial year it is about
    period_end: date | None = None
    #: can be closed with a done record (a milestone such as the first year end cannot)
    closable: bool = True
    #: the filing date may not be on or before this day (the year end, the resolution)
    not_before: date | None = None
    #: names a person (shown only to those who may see names)
    personal: bool = False
    #: closed by the co-op's own data (a registered amendment, a notice sent)
    closed_on: date | None = None
    #: the title for those who may not see names (mentors, reminders to others)
    anonymous_title: str = ""

    def title_for(self, with_names: bool) -> str:
        return self.title if with_names or not self.personal else (self.anonymous_title or self.title)


@dataclass(frozen=True)
class Item:
    obligation: Obligation
    status: str
    done: Done | None = None

    def days_until(self, today: date) -> int:
        return (self.obligation.due_on - today).days


STATUS_LABELS = {
    "done": "Done",
    "overdue": "Overdue",
    "due": "Due soon",
    "open": "Window open",
    "upcoming": "Upcoming",
    "passed": "Passed",
    "projected": "Once registered",
}


def status_of(obligation: Obligation, done: Done | None, today: date, registered: bool = True) -> str:
    if done is not None or obligation.closed_on is not None:
        return "done"
    if not registered:
        return "projected"
    if not obligation.closable:
        return "passed" if obligation.due_on < today else "upcoming"
    if obligation.due_on < today:
        return "overdue"
    if (obligation.due_on - today).days <= DUE_SOON_DAYS:
        return "due"
    if obligation.opens_on is not None and obligation.opens_on <= today:
        return "open"
    return "upcoming"
