"""A founder opens the registration pack page of a half-finished co-op: the pre-flight lists what
is missing, a link takes them to where it is fixed, and they save the drafted bona fide
explanation. Every page seen is scanned with axe-core (WCAG 2.x A and AA): zero violations."""

from __future__ import annotations

import pytest

from tests.browser.helpers import assert_accessible, log_in
from tests.rules.helpers import draft, ready_coop

pytestmark = pytest.mark.browser


def test_founder_reads_the_preflight_follows_a_fix_and_saves_the_explanation(page, live_server, live_make):
    coop, users = ready_coop(live_server.app, live_make)
    number = draft(live_server.app, coop, users[0])
    log_in(page, live_server, users[0].email)
    page.goto(live_server.url(f"/c/{coop.slug}/rules/versions/{number}/pack"))
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Pre-flight: what the application still needs").is_visible()
    missing = page.locator("ul.preflight-missing li")
    texts = missing.all_inner_texts()
    assert any("adopted these rules" in t for t in texts)
    assert any("Anti-money-laundering details" in t for t in texts)
    assert any("bona fide co-operative" in t for t in texts)
    assert "your group's own rules" in page.locator("#fee-title + p").inner_text()
    assert_accessible(page, "registration pack pre-flight")

    # the explanation is drafted from the answers: save it as it stands
    explanation = page.get_by_role("textbox", name="Why the society is a bona fide co-operative")
    assert "is a worker co-operative" in explanation.input_value()
    page.get_by_role("button", name="Save the explanation").click()
    page.wait_for_load_state()
    assert "bona fide explanation is saved" in page.locator(".flashes").inner_text()
    assert not any("bona fide" in t for t in page.locator("ul.preflight-missing li").all_inner_texts())
    assert_accessible(page, "pre-flight after saving the explanation")

    # a blank explanation is refused beside the field
    page.get_by_role("textbox", name="Why the society is a bona fide co-operative").fill("")
    page.get_by_role("button", name="Save the explanation").click()
    page.wait_for_load_state()
    assert "Write the explanation" in page.locator("#bona-fide").inner_text()
    assert_accessible(page, "pre-flight with an error")

    # a missing item links to where it is fixed
    page.locator("#missing-aml a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/c/{coop.slug}/founding/officers")
