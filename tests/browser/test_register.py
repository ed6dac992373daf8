"""The secretary keeps the register in a real browser, on a phone: adds an applicant, admits
them, records a leaving, looks at the officers, imports a CSV with a bad line and reads the
audit log. Every page is scanned with axe-core and must fit a 360 px screen."""

from __future__ import annotations

from datetime import date

import pytest

from tests.browser.helpers import check, log_in

pytestmark = pytest.mark.browser


def test_secretary_keeps_the_register_on_a_phone(new_context, live_server, live_make, tmp_path):
    secretary = live_make.user(email="sec@example.org", name="Sara Secretary")
    coop = live_make.coop(secretary, name="Lune Digital Co-operative Limited", slug="lune-digital",
                          stage="registered", legal_form="society")
    from coopkit.extensions import db

    with live_server.app.app_context():
        import sqlalchemy as sa

        from coopkit.coops.models import Member

        sec_id = db.session.execute(sa.select(Member.id).where(Member.user_id == secretary.id)).scalar_one()
    from tests.factories import MemberRec

    live_make.officer(MemberRec(sec_id, coop.id, secretary.id, secretary.name, "member"), "secretary")
    leaver = live_make.member(coop, name="Lou Leaver", address="8 Leaving Lane, Lancaster")

    page = new_context(phone=True).new_page()
    log_in(page, live_server, "sec@example.org")
    base = live_server.url("/c/lune-digital/register")
    page.goto(base + "/")
    assert page.get_by_role("heading", name="Register of members").is_visible()
    assert "8 Leaving Lane, Lancaster" in page.content()
    check(page, "register of members")

    # an application, then admission
    page.get_by_role("link", name="Add an applicant").click()
    check(page, "add an applicant")
    page.get_by_label("Full name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Postal address").fill("5 Quay Street, Lancaster")
    page.get_by_role("button", name="Add the application").click()
    page.wait_for_load_state()
    assert "application is in the register" in page.content()
    check(page, "the applicant's entry")
    page.get_by_role("button", name="Approve and admit as a member").click()
    page.wait_for_load_state()
    assert "Nia Newcomer is now a member." in page.content()
    check(page, "the new member's entry")

    # a leaving, with the share withdrawn
    page.goto(base + f"/members/{leaver.id}/cease")
    check(page, "record leaving")
    page.get_by_label("Why the membership ends").select_option("resigned")
    page.get_by_role("button", name="Record leaving").click()
    page.wait_for_load_state()
    assert f"membership ended on {date.today():%d/%m/%Y}" in page.content()

    page.goto(base + "/officers")
    check(page, "register of officers")
    page.goto(base + "/shares")
    check(page, "share ledger")

    # a CSV with one bad line: the preview names it and nothing is added
    csv_file = tmp_path / "members.csv"
    csv_file.write_text("full_name,email,status,admitted_on\nOla Old,ola@example.org,member,2024-02-01\n"
                        "Bad Row,not-an-email,member,2024-02-30\n")
    page.goto(base + "/import")
    check(page, "import")
    page.get_by_label("CSV file").set_input_files(str(csv_file))
    page.get_by_role("button", name="Check the file").click()
    page.wait_for_load_state()
    assert "nothing has been imported" in page.content() and "Line 3" in page.content()
    check(page, "import preview with errors")

    page.goto(live_server.url("/c/lune-digital/audit/"))
    check(page, "audit log")
    page.get_by_label("Action").select_option("member.ceased")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_load_state()
    assert page.locator("tbody code").all_inner_texts() == ["member.ceased"]
    check(page, "filtered audit log")
