"""The statutory calendar's arithmetic: a pure core with no Flask or database import.

From a co-op's facts (legal form, registration date, financial year end, its rules'
choices, amendments adopted, probations, meetings called) and the "done" records it
keeps, :func:`obligations` lists what falls due and when. Everything here is dates and
plain data, so it is proved with hypothesis (tests/calendar/test_dates.py).

The figures come from ../shared/DOMAIN.md ("Fees, filings and deadlines", "After
registration") and the two rule sets. Company deadlines (accounts, confirmation
statement) are Companies House practice: shown as guidance to check.

Two ways of adding months: a society's FCA deadline is read the cautious way (30 June
plus 7 months is 30 January, never later), while a company's accounts follow the
Companies Act's month-end rule (a period ending on a month's last day is due on the last
day of the month it falls in: 30 June plus 9 months is 31 March). Both are earlier or
equal to any other reading, so following them never files late.
"""

from __future__ import annotations

import calendar as _calendar
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from coopkit.calendar.dates import (
    FIRST_PERIOD_MAX_MONTHS,
    FIRST_PERIOD_MIN_MONTHS,
    CalendarError,
    add_months,
    first_year_end,
    months_between,
    notice_deadline,
    year_ends,
)
from coopkit.calendar.facts import (  # noqa: F401  (re-exported: callers use obligations.Facts etc.)
    DUE_SOON_DAYS,
    STATUS_LABELS,
    Amendment,
    CalledMeeting,
    Done,
    Facts,
    Item,
    Obligation,
    Probation,
    status_of,
)

#: the annual return (AR30) with accounts is due this many months after the year end (FCA)
SOCIETY_RETURN_MONTHS = 7
#: a private company's accounts: months after the accounting reference date (Companies House)
COMPANY_ACCOUNTS_MONTHS = 9
#: a company's first accounts, if the first period is longer than 12 months: months after incorporation
COMPANY_FIRST_ACCOUNTS_MONTHS = 21
#: a confirmation statement is filed within 14 days after its review period ends
CONFIRMATION_FILING_DAYS = 14
#: a company's amended articles reach Companies House within 15 days of the resolution
ARTICLES_FILING_DAYS = 15
#: a society's amendment has no legal deadline (it takes effect on registration): our target
AMENDMENT_TARGET_DAYS = 28
#: future obligations are listed up to this many months ahead
HORIZON_MONTHS = 12

#: who acts, as groups of people the reminders go to
SECRETARY, DIRECTORS = "secretary", "directors"

def _society_year(y: date, facts: Facts, agm_due: date) -> list[Obligation]:
    due = add_months(y, SOCIETY_RETURN_MONTHS)
    signers = ("two directors and the secretary" if facts.management == "board"
               else "two members who are directors and the secretary")
    return [Obligation(
        key=f"annual-return-{y.isoformat()}", kind="annual_return",
        title=f"Annual return (AR30) and accounts for the year to {_words(y)}",
        due_on=due, who=f"The secretary files it; the accounts are signed by {signers}",
        responsible=frozenset({SECRETARY, DIRECTORS}),
        needs=("Accounts for the year, signed by " + signers,
               "The auditor's or accountant's report, or the audit exemption resolution",
               "The figures from the registers (\"Prepare the return\" gives a data sheet)",
               "Filed through the FCA's Mutuals Society Portal; the fee is paid there"),
        basis="The FCA sends no reminder and gives no extension: a society that does not file commits an "
              "offence and may have its registration cancelled.",
        opens_on=y + timedelta(days=1), period_end=y, not_before=y,
    ), Obligation(
        key=f"audit-{y.isoformat()}", kind="audit",
        title=f"Audit, or the audit exemption, for the year to {_words(y)}",
        due_on=agm_due, who="The members decide; the directors arrange it",
        responsible=frozenset({SECRETARY, DIRECTORS}),
        needs=("Either a qualified auditor appointed, or a resolution to use the exemption",
               "The exemption is passed at a general meeting and only while the society is under the "
               "Act's size limits (s.84): put it on the AGM agenda"),
        basis="Your rules (accounts and audit) and the 2014 Act: the accounts filed with the return carry "
              "the audit report or rely on the exemption.",
        opens_on=y + timedelta(days=1), period_end=y, not_before=y,
    )]


def _company_year(y: date, index: int, facts: Facts) -> list[Obligation]:
    due = add_months(y, COMPANY_ACCOUNTS_MONTHS, month_end_rule=True)
    needs = ["Accounts approved by the directors and signed on their behalf",
             "Filed at Companies House (online)"]
    if index == 0 and y > add_months(facts.registered_on, 12) - timedelta(days=1):
        # First accounts covering more than 12 months: 21 months from incorporation, or
        # 3 months after the period ends, whichever is later (guidance to check).
        due = max(add_months(facts.registered_on, COMPANY_FIRST_ACCOUNTS_MONTHS),
                  add_months(y, 3, month_end_rule=True))
        needs.append("First accounts longer than 12 months: due 21 months after incorporation")
    return [Obligation(
        key=f"accounts-{y.isoformat()}", kind="company_accounts",
        title=f"Company accounts for the year to {_words(y)}",
        due_on=due, who="The directors approve them; the secretary or a director files them",
        responsible=frozenset({SECRETARY, DIRECTORS}), needs=tuple(needs),
        basis="Companies House charges a penalty for late accounts. Check the date on your "
              "Companies House record: it is the one that counts.",
        opens_on=y + timedelta(days=1), period_end=y, not_before=y,
    )]


def _agm_due(y: date, facts: Facts, previous_agm: date | None = None) -> date:
    due = add_months(y, facts.agm_within_months)
    if previous_agm is not None:
        due = min(due, add_months(previous_agm, facts.agm_max_gap_months))
    return due


def _agm(y: date, index: int, facts: Facts, previous_agm: date | None) -> list[Obligation]:
    due = _agm_due(y, facts, previous_agm)
    call_by = notice_deadline(due, facts.notice_clear_days)
    result = [Obligation(
        key=f"agm-{y.isoformat()}", kind="agm",
        title=f"Annual general meeting after the year to {_words(y)}",
        due_on=due, who="The secretary calls it; the members hold it",
        responsible=frozenset({SECRETARY}),
        needs=(f"Notice sent by {_words(call_by)} at the latest ({facts.notice_clear_days} clear days)",
               "The accounts and the directors' report on the co-op's principles",
               "Appointing an auditor or deciding not to, where the law allows"),
        basis=f"Your rules{' (' + facts.agm_clause + ')' if facts.agm_clause else ''}: within "
              f"{facts.agm_within_months} months of the end of each financial year, and never "
              f"more than {facts.agm_max_gap_months} months after the previous one.",
        opens_on=y + timedelta(days=1), period_end=y, not_before=y,
    )]
    if facts.management == "board" and (facts.board_rotation == "third"
                                        or (index + 1) % max(1, facts.board_term_years) == 0):
        rotation = ("one third of the directors retire and may stand again"
                    if facts.board_rotation == "third"
                    else f"the directors' {facts.board_term_years}-year terms end")
        result.append(Obligation(
            key=f"elections-{y.isoformat()}", kind="elections",
            title=f"Director elections at the AGM after the year to {_words(y)}",
            due_on=due, who="The secretary asks for candidates; the members elect",
            responsible=frozenset({SECRETARY}),
            needs=(f"At this AGM {rotation}",
                   "Candidates tell the secretary in writing at least 7 days before the meeting"),
            basis="Your rules (the board): directors are elected at the annual general meeting.",
            opens_on=y + timedelta(days=1), period_end=y, not_before=y,
        ))
    return result


def _first_period(first: date, facts: Facts) -> Obligation:
    months = months_between(facts.registered_on, first)
    return Obligation(
        key="first-period", kind="first_period",
        title=f"First financial year ends ({months} months from registration)",
        due_on=first, who="The directors (the treasurer keeps the books)", responsible=frozenset({DIRECTORS}),
        needs=("Books closed at the year end; an accountant booked for the first accounts",),
        basis=f"The first accounting period runs from registration for {FIRST_PERIOD_MIN_MONTHS} to "
              f"{FIRST_PERIOD_MAX_MONTHS} months, to the first year end ({facts.year_end.words()}).",
        period_end=first, closable=False,
    )


def _amendments(facts: Facts) -> list[Obligation]:
    result = []
    for amendment in facts.amendments:
        if facts.legal_form == "company":
            result.append(Obligation(
                key=f"articles-v{amendment.number}", kind="articles",
                title=f"File the amended articles (version {amendment.number}) at Companies House",
                due_on=amendment.adopted_on + timedelta(days=ARTICLES_FILING_DAYS),
                who="The secretary or a director", responsible=frozenset({SECRETARY, DIRECTORS}),
                needs=("A copy of the special resolution", "The articles as amended"),
                basis="A company's amended articles take effect on the resolution and must be filed within "
                      f"{ARTICLES_FILING_DAYS} days.",
                not_before=amendment.adopted_on, closed_on=amendment.registered_on,
            ))
        else:
            result.append(Obligation(
                key=f"amendment-v{amendment.number}", kind="amendment",
                title=f"Register the rule amendment (version {amendment.number}) with the FCA",
                due_on=amendment.adopted_on + timedelta(days=AMENDMENT_TARGET_DAYS),
                who="The secretary sends it", responsible=frozenset({SECRETARY}),
                needs=("The amendment, signed by three members and the secretary",
                       "The whole new rule book, or the changes with a marked-up copy of the current rules",
                       "The FCA's fee for an amendment"),
                basis="An amendment takes effect only once the FCA registers it: until then the old rule "
                      f"applies. There is no legal deadline; we aim for {AMENDMENT_TARGET_DAYS} days.",
                not_before=amendment.adopted_on, closed_on=amendment.registered_on,
            ))
    return result


def _confirmations(facts: Facts, until: date) -> list[Obligation]:
    result, k = [], 1
    while True:
        review = add_months(facts.registered_on, 12 * k)
        if review > until:
            return result
        result.append(Obligation(
            key=f"confirmation-{review.isoformat()}", kind="confirmation",
            title=f"Confirmation statement made up to {_words(review)}",
            due_on=review + timedelta(days=CONFIRMATION_FILING_DAYS),
            who="The secretary or a director files it", responsible=frozenset({SECRETARY, DIRECTORS}),
            needs=("Check the registered office, directors, people with significant control and the "
                   "company's activity (SIC code)", "The Companies House fee, paid when filing"),
            basis="A company confirms its details to Companies House at least once every 12 months, "
                  f"within {CONFIRMATION_FILING_DAYS} days after the review period ends.",
            opens_on=review - timedelta(days=CONFIRMATION_FILING_DAYS * 2), period_end=review,
        ))
        k += 1


def _probations(facts: Facts) -> list[Obligation]:
    return [Obligation(
        key=f"probation-{p.member_id}", kind="probation",
        title=f"Probation of {p.name} ends", due_on=p.ends_on,
        who="The directors decide on admission", responsible=frozenset({DIRECTORS, SECRETARY}),
        needs=("A decision whether to admit them as a member", "Their share issued and the register updated"),
        basis="Your rules (trial period): a worker completes it before applying for membership.",
        personal=True, anonymous_title="A worker's probation ends",
    ) for p in facts.probations]


def _meeting_notices(facts: Facts) -> list[Obligation]:
    result = []
    for m in facts.meetings:
        days = m.clear_days if m.clear_days is not None else facts.notice_clear_days
        result.append(Obligation(
            key=f"notice-{m.key}", kind="notice",
            title=f"Send notice of the {m.title} ({_words(m.meets_on)})",
            due_on=notice_deadline(m.meets_on, days),
            who="The secretary", responsible=frozenset({SECRETARY}),
            needs=(f"Notice to every member at least {days} clear days before the meeting",
                   "The agenda and the text of any special resolution"),
            basis="Neither the day the notice is sent nor the day of the meeting counts as a clear day.",
            closed_on=m.notice_sent_on,
        ))
    return result


def _agm_held(y: date, facts: Facts) -> date | None:
    """The first AGM held in the financial year after the year end ``y``."""
    following = facts.year_end.on(y.year + 1)
    held = [d for d in facts.agms_held if y < d <= following]
    return min(held) if held else None


def obligations(facts: Facts, today: date) -> list[Item]:
    """Everything that falls due for the co-op, with its status on ``today``, by due date.

    Listed: obligations due since ``tracked_from`` (or registration), up to the later of
    12 months ahead and the first year end."""
    first = first_year_end(facts.registered_on, facts.year_end)
    until = max(add_months(today, HORIZON_MONTHS), first)
    found: list[Obligation] = [_first_period(first, facts)]
    previous_agm = None
    for index, y in enumerate(year_ends(facts.registered_on, facts.year_end, until)):
        agm = _agm(y, index, facts, previous_agm)
        held_on = _agm_held(y, facts)
        if held_on is not None:
            agm[0] = replace(agm[0], closed_on=held_on)
        if facts.legal_form == "company":
            found += _company_year(y, index, facts)
        else:
            # The audit decision is taken at the AGM: it shares the AGM's deadline.
            found += _society_year(y, facts, agm[0].due_on)
        found += agm
        held = facts.done.get(agm[0].key)
        previous_agm = held.done_on if held else held_on
    if facts.legal_form == "company":
        found += _confirmations(facts, until)
    found += _amendments(facts) + _probations(facts) + _meeting_notices(facts)
    start = facts.tracked_from or facts.registered_on
    items = []
    for ob in found:
        done = facts.done.get(ob.key)
        if ob.due_on < start and done is None and ob.kind != "first_period":
            continue
        items.append(Item(ob, status_of(ob, done, today, facts.registered), done))
    return sorted(items, key=lambda i: (i.obligation.due_on, _KIND_ORDER.get(i.obligation.kind, 9),
                                        i.obligation.key))


_KIND_ORDER = {"first_period": 0, "notice": 1, "audit": 2, "elections": 3, "agm": 4, "company_accounts": 5,
               "annual_return": 6}


def check_done(obligation: Obligation, done_on: date, today: date) -> None:
    """Refuse a done record that cannot be right: in the future, or before the year end /
    resolution it is about. Raises CalendarError."""
    if done_on > today:
        raise CalendarError("The date can't be in the future: record it once it is done.")
    if obligation.not_before is not None and done_on <= obligation.not_before:
        what = "year end" if obligation.period_end is not None else "resolution"
        raise CalendarError(f"The date must be after the {what} it is about "
                            f"({_words(obligation.not_before)}).")


def next_open(items: Iterable[Item]) -> Item | None:
    """The first obligation not done (overdue ones first, being earliest)."""
    for item in items:
        if item.status not in ("done", "passed"):
            return item
    return None


def _words(day: date) -> str:
    return f"{day.day} {_calendar.month_name[day.month]} {day.year}"
