"""The demo co-ops' calendars, as exact dates."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.calendar import dates
from coopkit.calendar.queries import calendar_for
from coopkit.coops.models import Coop
from coopkit.database import utcnow
from coopkit.extensions import db


def _coop(slug):
    return db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one()


def test_demo_calendars(app):
    from coopkit import demo

    with app.app_context():
        demo.seed()
        db.session.commit()
        today = utcnow().date()
        preston = calendar_for(_coop("preston-digital"), today)
        northern = calendar_for(_coop("northern-pixels"), today)

    assert preston.year_end_source == "rules" and preston.facts.year_end == dates.YearEnd(31, 3)
    by_key = {i.obligation.key: i for i in preston.items}
    first = by_key["first-period"].obligation
    assert first.due_on == date(2025, 3, 31) and "13 months" in first.title
    filed = by_key["annual-return-2025-03-31"]
    assert filed.obligation.due_on == date(2025, 10, 31)
    assert filed.status == "done" and filed.done.done_on == date(2025, 10, 21)
    assert filed.done.reference == "AR30-2025-31742R"
    agm = by_key["agm-2025-03-31"]
    assert (agm.obligation.opens_on, agm.obligation.due_on, agm.status) == (date(2025, 4, 1), date(2025, 9, 30),
                                                                            "done")
    # Every return whose deadline has passed was filed; the next one is coming due.
    returns = [i for i in preston.items if i.obligation.kind == "annual_return"]
    assert all(i.status == "done" for i in returns if i.obligation.due_on < today)
    coming = next(i for i in returns if i.status != "done")
    year_end = date(today.year if today > date(today.year, 3, 31) else today.year - 1, 3, 31)
    if dates.add_months(year_end, 7) < today:
        year_end = date(year_end.year + 1, 3, 31)
    assert coming.obligation.period_end == year_end
    assert coming.obligation.due_on == date(year_end.year, 10, 31)
    window = by_key[f"agm-{year_end.isoformat()}"].obligation
    assert (window.opens_on, window.due_on) == (year_end + timedelta(days=1), date(year_end.year, 9, 30))
    # The rule amendment passed by the demo's special resolution waits to be registered.
    amendment = next(i for i in preston.items if i.obligation.kind == "amendment")
    assert amendment.status in ("due", "upcoming", "overdue")
    assert not preston.overdue

    assert not northern.facts.registered and northern.registration_assumed
    assert {i.status for i in northern.items} == {"projected"}
    first_end = dates.first_year_end(today, northern.facts.year_end)
    expected = {"first-period": first_end, f"annual-return-{first_end.isoformat()}": dates.add_months(first_end, 7),
                f"agm-{first_end.isoformat()}": dates.add_months(first_end, 6)}
    assert {k: by for k, by in ((i.obligation.key, i.obligation.due_on) for i in northern.items)
            if k in expected} == expected


def test_the_agm_window_comes_from_the_rules_and_cites_their_clause(app):
    from coopkit import demo
    from coopkit.meetings.citations import cite

    with app.app_context():
        demo.seed()
        db.session.commit()
        coop = _coop("preston-digital")
        today = utcnow().date()
        with app.test_request_context():
            cited = calendar_for(coop, today, cite=True)
            expected = cite(coop, "agm").partition(":")[0]
        plain = calendar_for(coop, today)
    assert expected.startswith("Rule ")
    agm = next(i.obligation for i in cited.items if i.obligation.kind == "agm")
    assert agm.basis.startswith(f"Your rules ({expected}): within 6 months of the end of each financial year")
    assert (cited.facts.agm_within_months, cited.facts.agm_max_gap_months) == (6, 15)
    # lists of many co-ops (the mentor's dashboard) do not read each co-op's rules for the number
    assert next(i.obligation for i in plain.items if i.obligation.kind == "agm").basis.startswith("Your rules: within")
