"""The secretary of a company enters a director's particulars on a phone (360 px): the register of
directors, the form with a refusal (a director under 16) shown beside the field, the saved
particulars with their history, and a member's view without the private ones. axe: no violation."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.browser.helpers import check, log_in
from tests.factories import MemberRec

pytestmark = pytest.mark.browser


def test_secretary_enters_a_directors_particulars_on_a_phone(new_context, live_server, live_make):
    secretary = live_make.user(email="sec@example.org", name="Sara Secretary")
    coop = live_make.coop(secretary, name="Kent Web Co-operative Limited", slug="kent-web", stage="registered",
                          legal_form="company")
    with live_server.app.app_context():
        from coopkit.coops.models import Member

        sec_id = db.session.execute(sa.select(Member.id).where(Member.user_id == secretary.id)).scalar_one()
    live_make.officer(MemberRec(sec_id, coop.id, secretary.id, secretary.name, "member"), "secretary")
    amy_user = live_make.user(email="amy@example.org", name="Amy Adams")
    amy = live_make.member(coop, amy_user, admitted_on=date(2024, 1, 1))
    live_make.officer(amy, "director", on=date(2024, 1, 1))

    page = new_context(phone=True).new_page()
    log_in(page, live_server, "sec@example.org")
    page.goto(live_server.url("/c/kent-web/register/officers"))
    assert "lacks particulars for 1 director" in page.content()
    check(page, "register of directors, particulars missing")
    page.get_by_role("link", name="Particulars and corrections for Amy Adams").click()
    check(page, "a director's particulars form")

    page.get_by_label("Service address").fill("1 Office Row, Maidstone")
    page.get_by_label("Usual residential address").fill("9 Hidden Lane, Maidstone")
    page.get_by_label("Date of birth").fill("2012-03-01")
    page.get_by_label("Nationality").fill("British")
    page.get_by_label("Country or state of usual residence").fill("England")
    page.get_by_label("Business occupation").fill("Web developer")
    page.get_by_role("button", name="Save the particulars").click()
    page.wait_for_load_state()
    assert "A director must be 16 or over" in page.content()
    check(page, "the form refusing a director under 16")

    page.get_by_label("Date of birth").fill("1990-05-14")
    page.get_by_role("button", name="Save the particulars").click()
    page.wait_for_load_state()
    assert "The register of officers is updated" in page.content() and "Particulars entered" in page.content()
    check(page, "the particulars saved, with their history")

    member = new_context(phone=True).new_page()
    log_in(member, live_server, "amy@example.org")
    member.goto(live_server.url("/c/kent-web/register/officers"))
    content = member.content()
    assert "born May 1990" in content and "1 Office Row, Maidstone" in content
    assert "Hidden Lane" not in content and "14/05/1990" not in content
    check(member, "a member reads the register of directors")
