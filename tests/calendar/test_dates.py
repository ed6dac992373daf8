"""The calendar's date arithmetic (coopkit.calendar.obligations), proved with hypothesis."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopkit.calendar import dates
from coopkit.calendar import obligations as core
from coopkit.calendar.dates import CalendarError, YearEnd

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))


@st.composite
def year_ends(draw):
    month = draw(st.integers(1, 12))
    day = draw(st.integers(1, calendar.monthrange(2024, month)[1]))
    return YearEnd(day, month)


def test_year_end_parsing():
    assert YearEnd.parse("31-03") == YearEnd(31, 3)
    assert YearEnd.parse(" 5/4 ") == YearEnd(5, 4)
    assert YearEnd.parse("29-02").text() == "29-02"
    for bad, words in (("30-02", "30 February does not exist"), ("31-04", "31 April does not exist"),
                       ("31-13", "no month 13"), ("march", "DD-MM"), ("", "DD-MM"), ("00-01", "0 January")):
        with pytest.raises(CalendarError, match=words):
            YearEnd.parse(bad)


@given(year_ends(), st.integers(1900, 2200))
def test_a_year_end_exists_every_year(year_end, year):
    day = year_end.on(year)
    assert day.year == year and day.month == year_end.month
    if (year_end.day, year_end.month) == (29, 2) and not calendar.isleap(year):
        assert day == date(year, 2, 28)
    else:
        assert day.day == year_end.day


@given(days, st.integers(-240, 240))
def test_adding_months_lands_in_the_right_month_and_never_late(day, months):
    clamped = dates.add_months(day, months)
    month_end = dates.add_months(day, months, month_end_rule=True)
    index = day.year * 12 + day.month - 1 + months
    assert (clamped.year * 12 + clamped.month - 1) == index
    assert clamped.day == min(day.day, calendar.monthrange(clamped.year, clamped.month)[1])
    # The cautious reading is never later than the month-end rule.
    assert clamped <= month_end
    if dates.is_month_end(day):
        assert dates.is_month_end(month_end)
    else:
        assert month_end == clamped


def test_month_end_examples():
    assert dates.add_months(date(2025, 3, 31), 7) == date(2025, 10, 31)
    assert dates.add_months(date(2025, 6, 30), 7) == date(2026, 1, 30)
    assert dates.add_months(date(2025, 6, 30), 9, month_end_rule=True) == date(2026, 3, 31)
    assert dates.add_months(date(2024, 2, 29), 7) == date(2024, 9, 29)
    assert dates.add_months(date(2023, 2, 28), 12, month_end_rule=True) == date(2024, 2, 29)
    assert dates.add_months(date(2024, 8, 31), 6) == date(2025, 2, 28)


@given(days, year_ends())
def test_first_period_runs_6_to_18_months_and_is_the_first_such_year_end(registered_on, year_end):
    first = dates.first_year_end(registered_on, year_end)
    after = first + timedelta(days=1)
    assert after >= dates.add_months(registered_on, 6)
    assert after <= dates.add_months(registered_on, 18)
    assert 6 <= dates.months_between(registered_on, first) < 18
    assert (first.month, first.day) == (year_end.month, year_end.on(first.year).day)
    # The year end a year earlier would give less than 6 months.
    assert year_end.on(first.year - 1) + timedelta(days=1) < dates.add_months(registered_on, 6)


def test_first_periods_at_exactly_6_and_nearly_18_months():
    march = YearEnd(31, 3)
    assert dates.first_year_end(date(2024, 10, 1), march) == date(2025, 3, 31)  # exactly 6 months
    assert dates.months_between(date(2024, 10, 1), date(2025, 3, 31)) == 6
    assert dates.first_year_end(date(2024, 10, 2), march) == date(2026, 3, 31)  # one day short: 18 months
    assert dates.months_between(date(2024, 10, 2), date(2026, 3, 31)) == 17
    leap = YearEnd(29, 2)
    assert dates.first_year_end(date(2023, 8, 29), leap) == date(2024, 2, 29)
    assert dates.first_year_end(date(2024, 8, 30), leap) == date(2025, 2, 28)  # 30 Aug + 6 months: 28 Feb
    assert dates.first_year_end(date(2024, 9, 2), leap) == date(2026, 2, 28)


@given(days, year_ends())
def test_year_ends_are_a_year_apart(registered_on, year_end):
    ends = list(dates.year_ends(registered_on, year_end, registered_on + timedelta(days=365 * 5)))
    assert ends[0] == dates.first_year_end(registered_on, year_end)
    for earlier, later in zip(ends, ends[1:], strict=False):
        assert later.year == earlier.year + 1 and later == year_end.on(later.year)


@given(days, st.integers(0, 60))
def test_notice_leaves_exactly_the_clear_days(meeting_on, clear):
    sent = dates.notice_deadline(meeting_on, clear)
    assert dates.clear_days(sent, meeting_on) == clear
    # Neither the day of sending nor the day of the meeting counts.
    assert len([sent + timedelta(days=i) for i in range(1, (meeting_on - sent).days)]) == clear
    assert dates.clear_days(sent + timedelta(days=1), meeting_on) == clear - 1


def test_fourteen_clear_days_example():
    assert dates.notice_deadline(date(2026, 9, 30), 14) == date(2026, 9, 15)


@given(days, st.integers(-5, 60))
def test_reminder_thresholds(today, days_left):
    due = today + timedelta(days=days_left)
    threshold = dates.reminder_threshold(due, today)
    if days_left < 0 or days_left > 30:
        assert threshold is None
    else:
        assert threshold in dates.REMINDER_DAYS and days_left <= threshold
        assert all(t >= threshold for t in dates.REMINDER_DAYS if days_left <= t)


@given(days, year_ends(), st.sampled_from(["society", "company"]), st.integers(0, 2000))
def test_annual_deadlines_follow_the_year_end(registered_on, year_end, form, offset):
    today = registered_on + timedelta(days=offset)
    facts = core.Facts(form, True, registered_on, year_end)
    items = core.obligations(facts, today)
    assert [i.obligation.due_on for i in items] == sorted(i.obligation.due_on for i in items)
    for item in items:
        ob = item.obligation
        if ob.kind == "annual_return":
            assert ob.due_on == dates.add_months(ob.period_end, 7)
        if ob.kind == "company_accounts" and ob.period_end != dates.first_year_end(registered_on, year_end):
            assert ob.due_on == dates.add_months(ob.period_end, 9, month_end_rule=True)
        if ob.kind == "agm":
            assert ob.opens_on == ob.period_end + timedelta(days=1)
            assert ob.due_on <= dates.add_months(ob.period_end, 6)
        assert item.status in core.STATUS_LABELS


def test_filing_before_the_year_end_or_in_the_future_is_refused():
    facts = core.Facts("society", True, date(2024, 3, 1), YearEnd(31, 3))
    item = next(i for i in core.obligations(facts, date(2025, 6, 1)) if i.obligation.kind == "annual_return")
    with pytest.raises(CalendarError, match="after the year end"):
        core.check_done(item.obligation, date(2025, 3, 31), date(2025, 6, 1))
    with pytest.raises(CalendarError, match="future"):
        core.check_done(item.obligation, date(2025, 6, 2), date(2025, 6, 1))
    core.check_done(item.obligation, date(2025, 4, 1), date(2025, 6, 1))


def test_the_agm_window_is_the_one_the_facts_carry_from_the_rules():
    facts = core.Facts("society", True, date(2024, 3, 1), YearEnd(31, 3), agm_within_months=4,
                       agm_max_gap_months=13, agm_clause="Rule 12.2")
    agms = [i.obligation for i in core.obligations(facts, date(2025, 5, 1)) if i.obligation.kind == "agm"]
    assert agms and agms[0].due_on == dates.add_months(agms[0].period_end, 4)
    assert agms[0].basis.startswith("Your rules (Rule 12.2): within 4 months")
    assert "never more than 13 months after the previous one" in agms[0].basis
