"""The first thing anyone does: sign up, start a co-op, invite co-founders, and a
co-founder joins from an emailed invitation in another browser. Every page seen is
scanned with axe-core (WCAG 2.x A and AA) and must have no violations."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.browser.helpers import assert_accessible, assert_fits, link_in, log_in

pytestmark = pytest.mark.browser

PASSWORD = "plum orchard lantern 42"


def _sign_up(page, live_server, mailbox, name: str, email: str, start: str = "/signup",
             accessible: bool = True) -> None:
    """Sign up: name and address, then the emailed link, where the password is chosen."""
    page.goto(live_server.url(start))
    if accessible:  # axe needs JavaScript in the page
        assert_accessible(page, "sign-up page")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "Check your email"
    if accessible:
        assert_accessible(page, "check your email")
    message = mailbox.to(email)[-1]
    page.goto(link_in(mailbox.body(message), live_server.base_url))
    if accessible:
        assert_accessible(page, "choose a password")
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()


def test_landing_and_login_pages_are_accessible(page, live_server):
    page.goto(live_server.url("/"))
    assert page.get_by_role("heading", level=1).is_visible()
    assert_accessible(page, "landing page")
    page.goto(live_server.url("/login"))
    assert_accessible(page, "log-in page")
    # A failed log-in shows errors beside the field, keeps the email, and stays accessible.
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password", exact=True).fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()
    assert "match an account" in page.locator(".field.has-error").inner_text()
    assert page.get_by_label("Email address").input_value() == "nobody@example.org"
    assert_accessible(page, "log-in page with an error")


def test_founder_signs_up_creates_coop_and_cofounder_joins(new_context, live_server, mailbox):
    # --- the first founder ---
    first = new_context().new_page()
    first.goto(live_server.url("/"))
    assert_accessible(first, "landing page")
    first.get_by_role("link", name="Start your co-op").click()
    first.wait_for_load_state()
    _sign_up(first, live_server, mailbox, "Asha Patel", "asha@example.org", start=first.url.replace(live_server.base_url, ""))
    assert first.url == live_server.url("/c/")
    assert "Your account is ready" in first.locator(".flashes").inner_text()
    assert_accessible(first, "your co-ops (empty)")

    first.get_by_role("link", name="Start a new co-op").click()
    first.wait_for_load_state()
    assert_accessible(first, "start a co-op")
    # A bad address is refused beside the field and the typed name is kept.
    first.get_by_label("Working name of your co-op").fill("Northern Pixels")
    first.get_by_label("Web address").fill("Not a slug!")
    first.get_by_role("button", name="Create workspace").click()
    first.wait_for_load_state()
    assert "lower-case letters" in first.locator(".field.has-error").inner_text()
    assert first.get_by_label("Working name of your co-op").input_value() == "Northern Pixels"
    assert_accessible(first, "start a co-op with an error")
    first.get_by_label("Web address").fill("northern-pixels")
    first.get_by_role("button", name="Create workspace").click()
    first.wait_for_load_state()
    assert first.url == live_server.url("/c/northern-pixels/")
    header = first.locator("header").inner_text()
    assert "Northern Pixels" in header and "founder" in header
    assert_accessible(first, "co-op home")

    # --- invite by email ---
    first.get_by_role("link", name="Invite co-founders").first.click()
    first.wait_for_load_state()
    assert_accessible(first, "invite page")
    first.get_by_label("Their email address").fill("ben@example.org")
    first.get_by_role("button", name="Send invitation").click()
    first.wait_for_load_state()
    assert "the email to ben@example.org is on its way" in first.locator(".flashes").inner_text()
    assert_accessible(first, "invite page after sending")
    [message] = mailbox.to("ben@example.org")
    assert "Northern Pixels" in message["Subject"]
    email_link = link_in(mailbox.body(message), live_server.base_url)

    # --- invite by link ---
    first.get_by_role("button", name="Make an invitation link").click()
    first.wait_for_load_state()
    copy_link = first.get_by_label("Your invitation link (copy it now)").input_value()
    assert re.fullmatch(re.escape(live_server.url("/invite/")) + r"[\w-]+", copy_link)
    assert copy_link != email_link
    assert_accessible(first, "invite page with a new link")

    # --- the co-founder opens the emailed link in their own browser and signs up ---
    second = new_context().new_page()
    second.goto(email_link)
    assert "Join Northern Pixels" in second.locator("h1").inner_text()
    assert_accessible(second, "invitation page (logged out)")
    second.get_by_role("link", name="Create an account").click()
    second.wait_for_load_state()
    assert second.get_by_label("Email address").input_value() == "ben@example.org"
    _sign_up(second, live_server, mailbox, "Ben Okafor", "ben@example.org", start=second.url.replace(live_server.base_url, ""))
    # Back on the invitation, now logged in: accept it.
    assert second.url == email_link
    assert_accessible(second, "invitation page (logged in)")
    second.get_by_role("button", name="Accept and join").click()
    second.wait_for_load_state()
    assert second.url == live_server.url("/c/northern-pixels/")
    people = second.locator("ul.people").inner_text()
    assert "Asha Patel" in people and "Ben Okafor" in people
    assert "founder" in second.locator("header").inner_text()
    assert_accessible(second, "co-op home as the second founder")

    # The same link cannot be used twice.
    second.goto(email_link)
    assert "already been used" in second.locator("main").inner_text()
    assert_accessible(second, "used invitation")

    # --- the first founder sees both founders, and the email invitation as accepted ---
    first.goto(live_server.url("/c/northern-pixels/"))
    people = first.locator("ul.people").inner_text()
    assert "Asha Patel" in people and "Ben Okafor" in people
    first.goto(live_server.url("/c/northern-pixels/people/invite"))
    assert "Accepted" in first.locator("table").inner_text()

    with live_server.app.app_context():
        from coopkit.coops.models import Member

        statuses = db.session.execute(sa.select(Member.full_name, Member.status)).all()
        assert sorted(statuses) == [("Asha Patel", "founder"), ("Ben Okafor", "founder")]


def test_existing_account_accepts_a_copied_link(new_context, live_server, live_make):
    founder = live_make.user(name="Cara Jones")
    coop = live_make.coop(founder=founder, name="Preston Digital", slug="preston-digital")
    joiner = live_make.user(name="Dev Shah")

    first = new_context().new_page()
    log_in(first, live_server, founder.email)
    first.goto(live_server.url(f"/c/{coop.slug}/people/invite"))
    first.get_by_role("button", name="Make an invitation link").click()
    first.wait_for_load_state()
    link = first.get_by_label("Your invitation link (copy it now)").input_value()

    # The second person opens the link logged out, logs in with their existing account...
    second = new_context(phone=True).new_page()
    second.goto(link)
    assert_fits(second, "invitation page (phone)")
    second.get_by_role("link", name="Log in").last.click()
    second.wait_for_load_state()
    assert_accessible(second, "log-in from an invitation (phone)")
    assert_fits(second, "log-in page (phone)")
    second.get_by_label("Email address").fill(joiner.email)
    second.get_by_label("Password", exact=True).fill(joiner.password)
    second.get_by_role("button", name="Log in").click()
    second.wait_for_load_state()
    # ...comes back to the invitation and accepts it.
    assert second.url == link
    second.get_by_role("button", name="Accept and join").click()
    second.wait_for_load_state()
    assert second.url == live_server.url(f"/c/{coop.slug}/")
    assert "Dev Shah" in second.locator("ul.people").inner_text()
    assert_accessible(second, "co-op home (phone)")
    assert_fits(second, "co-op home (phone)")
    # the header says where you are and as whom, and the navigation marks the page you are on
    header = second.locator("header")
    assert "Preston Digital" in header.inner_text() and "you: founder" in header.inner_text()
    assert second.locator('.coop-nav a[aria-current="page"]').inner_text() == "Home"

    # Someone else trying the same link is told it has been used.
    third = new_context().new_page()
    third.goto(link)
    assert "already been used" in third.locator("main").inner_text()


def test_onboarding_works_without_javascript(new_context, live_server, mailbox):
    """Every step is a plain link or form: with JavaScript off it all still works."""
    page = new_context(java_script_enabled=False).new_page()
    _sign_up(page, live_server, mailbox, "Noor Script", "noor@example.org", accessible=False)
    assert page.url == live_server.url("/c/")
    page.get_by_role("link", name="Start a new co-op").click()
    page.get_by_label("Working name of your co-op").fill("Quiet Makers")
    page.get_by_role("button", name="Create workspace").click()
    assert page.url == live_server.url("/c/quiet-makers/")
    assert "you: founder" in page.locator("header").inner_text()
    page.get_by_role("link", name="Invite co-founders").first.click()
    page.get_by_role("button", name="Make an invitation link").click()
    link = page.get_by_label("Your invitation link (copy it now)").input_value()
    assert link.startswith(live_server.url("/invite/"))
    page.get_by_role("button", name="Log out").click()
    assert "You have logged out" in page.locator(".flashes").inner_text()
