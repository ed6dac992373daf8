"""The secretary marks an annual return filed on the calendar, on a phone: a date before the
year end is refused beside the field, then the right date closes it. axe finds nothing and
every page fits a 360 px screen; the member then sees it filed."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.helpers import check, log_in

pytestmark = pytest.mark.browser


def test_secretary_marks_a_return_filed(new_context, live_server, live_make):
    import sqlalchemy as sa

    from coopkit.coops.models import Coop, Member
    from coopkit.extensions import db
    from tests.factories import MemberRec

    secretary = live_make.user(email="sec@example.org", name="Sara Secretary")
    coop = live_make.coop(secretary, name="Lune Digital Co-operative Limited", slug="lune-digital",
                          stage="registered", legal_form="society")
    with live_server.app.app_context():
        db.session.get(Coop, coop.id).registered_on = date(2024, 3, 1)
        db.session.commit()
        sec_id = db.session.execute(sa.select(Member.id).where(Member.user_id == secretary.id)).scalar_one()
    live_make.officer(MemberRec(sec_id, coop.id, secretary.id, secretary.name, "member"), "secretary")

    page = new_context(phone=True).new_page()
    log_in(page, live_server, "sec@example.org")
    page.goto(live_server.url("/c/lune-digital/calendar/"))
    assert page.get_by_role("heading", name="Calendar", exact=True).is_visible()
    check(page, "calendar")
    link = page.locator('a[href$="/calendar/done/annual-return-2025-03-31"]')
    assert "Annual return (AR30) and accounts for the year to 31 March 2025" in link.inner_text()
    link.click()
    check(page, "record as done")
    page.get_by_label("Date it was filed, sent or held").fill("2025-03-20")
    page.get_by_label("Reference").fill("MSP-2025-0042")
    page.get_by_role("button", name="Record as done").click()
    page.wait_for_load_state()
    assert "must be after the year end it is about" in page.content()
    check(page, "the refusal")
    page.get_by_label("Date it was filed, sent or held").fill("2025-10-20")
    page.get_by_role("button", name="Record as done").click()
    page.wait_for_load_state()
    assert "Recorded as done" in page.content()
    row = page.locator("tr#annual-return-2025-03-31")
    assert "Done" in row.inner_text() and "MSP-2025-0042" in row.inner_text()
    check(page, "calendar after filing")
