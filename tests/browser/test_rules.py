"""A founder reads the draft rules, follows a gap to its step, saves two versions and
compares them. Every page seen is scanned with axe-core (WCAG 2.x A and AA)."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, log_in
from tests.rules.helpers import ready_coop

pytestmark = pytest.mark.browser


def test_founder_previews_saves_versions_and_sees_the_diff(page, live_server, live_make):
    coop, users = ready_coop(live_server.app, live_make, without=("registered_office",))
    log_in(page, live_server, users[0].email)
    page.goto(live_server.url(f"/c/{coop.slug}/"))
    page.locator("nav.coop-nav").get_by_role("link", name="Rules", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Rules"
    assert_accessible(page, "rules overview")

    page.get_by_role("link", name="Read the draft").click()
    page.wait_for_load_state()
    assert "Rules of Northern Pixels Co-operative Limited" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator("nav.rules-toc li").count() > 20
    gap = page.locator("article.rules-text mark.gap").first
    assert "registered office address" in gap.inner_text().lower()
    assert_accessible(page, "rules preview with a gap")

    # the gap says where to answer it; answer it there
    gap.get_by_role("link").click()
    page.wait_for_load_state()
    assert "Registration details" in page.get_by_role("heading", level=1).inner_text()
    page.get_by_label("Registered office address").fill("2 Market Street, Preston PR1 2AB")
    page.get_by_role("button", name="Save answers").click()
    page.wait_for_load_state()

    page.goto(live_server.url(f"/c/{coop.slug}/rules/preview"))
    assert page.locator("article.rules-text mark.gap").count() == 0
    assert "2 Market Street, Preston PR1 2AB" in page.locator("article.rules-text").inner_text()
    page.get_by_role("button", name="Save as a new draft version").click()
    page.wait_for_load_state()
    assert "Version 1 saved as a draft." in page.locator(".flashes").inner_text()
    assert_accessible(page, "version 1")

    page.goto(live_server.url(f"/c/{coop.slug}/founding/steps/registration"))
    page.get_by_label("Registered office address").fill("9 Fishergate, Preston PR1 3CD")
    page.get_by_role("button", name="Save answers").click()
    page.wait_for_load_state()
    page.goto(live_server.url(f"/c/{coop.slug}/rules/"))
    page.get_by_role("button", name="Save as a new draft version").click()
    page.wait_for_load_state()
    assert "Version 2 saved as a draft." in page.locator(".flashes").inner_text()

    page.get_by_role("navigation", name="Rules").get_by_role("link", name="Versions").click()
    page.wait_for_load_state()
    assert_accessible(page, "versions list")
    assert page.get_by_label("Older version").input_value() == "1"
    assert page.get_by_label("Newer version").input_value() == "2"
    page.get_by_role("button", name="Compare").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Changes from version 1 to version 2"
    changed = page.locator("section.rules-diff")
    assert changed.count() >= 1
    deleted = " ".join(changed.locator("del").all_inner_texts())
    inserted = " ".join(changed.locator("ins").all_inner_texts())
    assert "Market" in deleted and "Fishergate" in inserted and "Fishergate" not in deleted
    assert "Registered office address: from" in page.locator("main").inner_text()
    assert_accessible(page, "diff of versions 1 and 2")

    page.set_viewport_size({"width": 360, "height": 740})
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the diff is {overflow}px wider than a 360px screen"
