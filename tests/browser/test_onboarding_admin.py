"""An admin sets up a cohort and a mentor follows it; error pages look like the site.
Every page seen is scanned with axe-core (WCAG 2.x A and AA) and must have no violations."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_admin_creates_a_cohort_adds_a_coop_and_assigns_a_mentor(new_context, live_server, live_make):
    admin = live_make.user(name="Ada Admin", is_admin=True)
    mentor = live_make.user(name="Mina Mentor", email="mina@example.org")
    founder = live_make.user(name="Fola Founder")
    coop = live_make.coop(founder=founder, name="Northern Pixels", slug="northern-pixels")

    page = new_context().new_page()
    log_in(page, live_server, admin.email)
    page.get_by_role("link", name="Admin", exact=True).click()
    page.wait_for_load_state()
    assert_accessible(page, "cohorts (empty)")

    # A missing name is refused beside the field; the description typed is kept.
    page.get_by_label("Description").fill("Graduate teams from Preston")
    page.get_by_role("button", name="Create cohort").click()
    page.wait_for_load_state()
    assert page.locator(".field.has-error").count() == 1
    assert page.get_by_label("Description").input_value() == "Graduate teams from Preston"
    assert_accessible(page, "new cohort with an error")
    page.get_by_label("Cohort name").fill("Preston 2026")
    page.get_by_role("button", name="Create cohort").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Preston 2026"
    assert_accessible(page, "cohort page")

    page.get_by_label("Co-op").select_option(label="Northern Pixels")
    page.get_by_role("button", name="Ask to join the cohort").click()
    page.wait_for_load_state()
    assert "Northern Pixels is asked to join Preston 2026" in page.locator(".flashes").inner_text()

    # The co-op's founder accepts the request, on a phone.
    founder_page = new_context(phone=True).new_page()
    log_in(founder_page, live_server, founder.email)
    founder_page.goto(live_server.url(f"/c/{coop.slug}/"))
    founder_page.get_by_role("link", name="Answer the requests").click()
    founder_page.wait_for_load_state()
    assert_accessible(founder_page, "mentoring requests (phone)")
    founder_page.get_by_role("button", name="Accept").click()
    founder_page.wait_for_load_state()
    assert "Accepted." in founder_page.locator(".flashes").inner_text()

    # An unknown mentor address is refused beside the field, and what was typed stays.
    page.get_by_label("Mentor's email address").fill("nobody@example.org")
    page.get_by_role("button", name="Assign mentor").click()
    page.wait_for_load_state()
    assert "No coopkit account uses that email address" in page.locator(".field.has-error").inner_text()
    assert page.get_by_label("Mentor's email address").input_value() == "nobody@example.org"
    assert_accessible(page, "cohort page with an error")
    page.get_by_label("Mentor's email address").fill(mentor.email)
    page.get_by_role("button", name="Assign mentor").click()
    page.wait_for_load_state()
    assert "mina@example.org now mentors Preston 2026" in page.locator(".flashes").inner_text()
    assert_accessible(page, "cohort page with a mentor")

    # The co-op joined before the mentor was added: the mentor waits for its yes.
    other = new_context(phone=True).new_page()
    log_in(other, live_server, mentor.email)
    assert other.goto(live_server.url(f"/c/{coop.slug}/")).status == 403
    founder_page.goto(live_server.url(f"/c/{coop.slug}/cohort/"))
    assert "Mina Mentor, a mentor added to your cohort Preston 2026" in founder_page.locator("main").inner_text()
    founder_page.get_by_role("button", name="Accept").click()
    founder_page.wait_for_load_state()
    assert "Accepted." in founder_page.locator(".flashes").inner_text()

    # The mentor sees the co-op, read-only, with their role in the header.
    other.goto(live_server.url(f"/c/{coop.slug}/"))
    assert "you: mentor" in other.locator("header").inner_text()
    assert other.get_by_role("link", name="Invite co-founders").count() == 0
    assert_accessible(other, "co-op home as a mentor (phone)")


def test_error_pages_are_accessible(new_context, live_server, live_make):
    page = new_context().new_page()
    page.goto(live_server.url("/no/such/page"))
    assert "Page not found" in page.locator("h1").inner_text()
    assert_accessible(page, "404 page")
    coop = live_make.coop(name="Private Makers")
    outsider = live_make.user()
    log_in(page, live_server, outsider.email)
    page.goto(live_server.url(f"/c/{coop.slug}/"))
    assert "can't see this page" in page.locator("h1").inner_text()
    assert "Private Makers" not in page.content()
    assert_accessible(page, "403 page")
