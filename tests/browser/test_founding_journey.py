"""Three founders take their co-op through the whole founding journey in real browsers,
each confirming and agreeing from their own account, while their mentor follows on the
dashboard and comments. Every page is scanned with axe-core and must have no violations."""

from __future__ import annotations

import re
from datetime import date

import pytest

from tests.browser.helpers import assert_accessible, fill, log_in
from tests.founding.helpers import COMPLETE_ANSWERS

pytestmark = pytest.mark.browser

KEY_STEPS = ("purpose", "legal_form", "membership", "decisions", "management", "money")


def open_step(page, live_server, slug: str, step_key: str):
    page.goto(live_server.url(f"/c/{slug}/founding/steps/{step_key}"))
    return page


def status(page) -> str:
    return page.locator("main p", has_text="Status:").first.locator(".tag").inner_text()


def test_three_founders_complete_the_journey_and_a_mentor_comments(new_context, live_server, live_make):
    founders = [live_make.user(name=name) for name in ("Asha Patel", "Ben Okafor", "Chloe Wright")]
    mentor = live_make.user(name="Morgan Mentor")
    coop = live_make.coop(founders[0], name="Northern Pixels", slug="northern-pixels")
    members = [live_make.member(coop, user, status="founder") for user in founders[1:]]
    live_make.cohort(name="Graduates 2026", coops=(coop,), mentors=(mentor,))
    pages = []
    for user in (*founders, mentor):
        page = new_context().new_page()
        log_in(page, live_server, user.email)
        pages.append(page)
    asha, ben, chloe, morgan = pages
    slug = coop.slug

    # --- the home page shows where the group is, and what's next ---
    asha.goto(live_server.url(f"/c/{slug}/"))
    panel = asha.locator("section", has=asha.get_by_role("heading", name="Founding journey"))
    assert "0 of 10 steps complete (0%)" in panel.inner_text()
    assert "Step 1: The team" in panel.inner_text()
    assert_accessible(asha, "co-op home with the journey panel")
    asha.get_by_role("link", name="See every step").click()
    asha.wait_for_load_state()
    assert_accessible(asha, "journey overview")

    # --- step 1: each founder confirms from their own account ---
    for page in (asha, ben, chloe):
        open_step(page, live_server, slug, "team")
        page.get_by_role("button", name="I confirm I am one of the founders").click()
        page.wait_for_load_state()
    assert "3 of 3 founders have confirmed." in chloe.content()
    assert status(chloe) == "Complete"
    assert_accessible(chloe, "step 1 (team)")

    # --- steps 2 to 8: Asha answers; a mistake is shown beside its field, with her typing kept ---
    for step_key, data in COMPLETE_ANSWERS.items():
        open_step(asha, live_server, slug, step_key)
        assert_accessible(asha, f"step {step_key}")
        data = dict(data)
        if step_key == "money":
            fill(asha, {**data, "surplus_bonus_percent": "51"})
            asha.get_by_role("button", name="Save answers").click()
            asha.wait_for_load_state()
            error = asha.locator("#surplus_bonus_percent-error")
            assert "add up to 101%" in error.inner_text()
            assert asha.locator('[name="surplus_reserves_percent"]').input_value() == "40"
            assert asha.locator('[name="surplus_bonus_percent"]').input_value() == "51"
            assert_accessible(asha, "step money with an error")
        if step_key == "management":
            data["secretary_member_id"] = str(members[0].id)  # Ben is the founding secretary
        fill(asha, data)
        asha.get_by_role("button", name="Save answers").click()
        asha.wait_for_load_state()
        assert "Saved:" in asha.locator(".flashes").inner_text(), step_key

    # --- the key steps: every founder agrees, from their own account ---
    for step_key in KEY_STEPS:
        for page in (asha, ben, chloe):
            open_step(page, live_server, slug, step_key)
            page.get_by_role("button", name="I agree to these answers").click()
            page.wait_for_load_state()
            assert "Your agreement to these answers is recorded." in page.locator(".flashes").inner_text()
        assert status(chloe) == "Complete", step_key

    # A change after agreement resets it, and says so.
    open_step(chloe, live_server, slug, "purpose")
    chloe.locator('[name="objects"]').fill("To run a digital studio owned and run by the people who work in it.")
    chloe.get_by_role("button", name="Save answers").click()
    chloe.wait_for_load_state()
    assert "the agreement was reset" in chloe.locator(".flashes").inner_text()
    assert "0 of 3 founders agree" in chloe.content()
    assert_accessible(chloe, "step purpose after a reset")
    for page in (asha, ben, chloe):
        open_step(page, live_server, slug, "purpose")
        page.get_by_role("button", name="I agree to these answers").click()
        page.wait_for_load_state()

    # --- the mentor follows on the dashboard and comments on a step ---
    morgan.goto(live_server.url("/mentor/"))
    assert "Northern Pixels" in morgan.locator("table").inner_text()
    assert_accessible(morgan, "mentor dashboard")
    morgan.get_by_role("link", name="Northern Pixels").click()
    morgan.wait_for_load_state()
    assert_accessible(morgan, "overview as the mentor")
    open_step(morgan, live_server, slug, "registration")
    assert morgan.get_by_role("button", name="Save answers").count() == 0
    assert "1 Secret Yard" not in morgan.content()
    assert_accessible(morgan, "step registration as the mentor")
    open_step(morgan, live_server, slug, "money")
    morgan.get_by_role("textbox", name="Comment").fill("Forty per cent to reserves is prudent. Who receives the assets?")
    morgan.get_by_role("button", name="Add comment").click()
    morgan.wait_for_load_state()
    assert "Comment added." in morgan.locator(".flashes").inner_text()
    assert_accessible(morgan, "step money with a comment, as the mentor")

    # The step now needs changes; Ben replies and marks it resolved.
    open_step(ben, live_server, slug, "money")
    assert status(ben) == "Needs changes"
    thread = ben.locator("article.thread").first
    thread.get_by_role("textbox", name="Your reply").fill("A co-op development body we will name at registration.")
    thread.get_by_role("button", name="Reply").click()
    ben.wait_for_load_state()
    morgan.goto(live_server.url("/mentor/?attention=1"))
    assert "awaiting you" in morgan.locator("table").inner_text()
    ben.locator("article.thread").first.get_by_role("button", name="Mark resolved").click()
    ben.wait_for_load_state()
    assert status(ben) == "Complete"
    assert_accessible(ben, "step money with a resolved thread")

    # --- step 8: two officers' private details, by two founders ---
    for page, slot, name in ((asha, 1, "Asha Patel"), (ben, 2, "Ben Okafor")):
        page.goto(live_server.url(f"/c/{slug}/founding/officers"))
        page.locator(f'[name="officer{slot}-full_name"]').fill(name)
        page.locator(f'[name="officer{slot}-date_of_birth"]').fill("1999-04-21")
        page.locator(f'[name="officer{slot}-address"]').fill(f"{slot} Quiet Lane, Preston")
        page.locator(f'[name="officer{slot}-years_at_address"]').fill("2")
        page.locator(f'[name="officer{slot}-months_at_address"]').fill("4")
        page.get_by_role("button", name=f"Save officer {slot}").click()
        page.wait_for_load_state()
        assert "Only you and the secretary can see them." in page.locator(".flashes").inner_text()
    assert_accessible(asha, "officers' details")
    assert "2 Quiet Lane" not in asha.content()  # Ben's entry is private to him and the secretary (Ben)
    open_step(asha, live_server, slug, "registration")
    assert status(asha) == "Complete"

    # --- step 9: review the rules; saving a draft version completes it ---
    open_step(asha, live_server, slug, "review")
    assert_accessible(asha, "step review")
    asha.goto(live_server.url(f"/c/{slug}/rules/"))
    asha.get_by_role("button", name="Save as a new draft version").click()
    asha.wait_for_load_state()
    open_step(asha, live_server, slug, "review")
    assert status(asha) == "Complete"

    # --- step 10: the after-application checklist, ticked by different founders ---
    for page in (asha, ben, chloe) * 3:
        open_step(page, live_server, slug, "register")
        buttons = page.get_by_role("button", name=re.compile(r"^Mark done"))
        if buttons.count() == 0:
            break
        buttons.first.click()
        page.wait_for_load_state()
    open_step(chloe, live_server, slug, "register")
    assert chloe.get_by_role("button", name=re.compile(r"^Mark done")).count() == 0
    text = chloe.locator("#checklist").inner_text()
    assert all(f"by {name}" in text for name in ("Asha Patel", "Ben Okafor", "Chloe Wright"))
    assert status(chloe) == "Complete"
    assert_accessible(chloe, "step register")

    chloe.goto(live_server.url(f"/c/{slug}/"))
    assert "10 of 10 steps complete (100%)" in chloe.content()
    assert "Every founding step is complete" in chloe.content()
    # the journey's end leads on: adopt the draft rules, then record the registration
    chloe.get_by_role("link", name="Record the rules as adopted").click()
    chloe.wait_for_load_state()
    chloe.locator('[name="adopted_on"]').fill(date.today().isoformat())
    chloe.get_by_role("button", name="Record as adopted").click()
    chloe.wait_for_load_state()
    chloe.goto(live_server.url(f"/c/{slug}/"))
    chloe.get_by_role("link", name="Record the registration").click()
    chloe.wait_for_load_state()
    assert chloe.get_by_role("button", name="Record as registered").count() == 1
    morgan.goto(live_server.url("/mentor/"))
    assert "100%" in morgan.locator("table").inner_text()


def test_the_dashboard_and_guides_work_on_a_phone(new_context, live_server, live_make):
    mentor = live_make.user(name="Morgan Mentor")
    coop = live_make.coop(name="Tiny Co-op")
    live_make.cohort(coops=(coop,), mentors=(mentor,))
    page = new_context(phone=True).new_page()
    log_in(page, live_server, mentor.email)
    page.goto(live_server.url("/mentor/"))
    page.get_by_label(re.compile("Only those needing attention")).check()
    page.get_by_role("button", name="Show").click()
    page.wait_for_load_state()
    assert "attention=1" in page.url
    assert_accessible(page, "mentor dashboard on a phone")
    page.goto(live_server.url("/guides/"))
    assert_accessible(page, "guides index")
    page.get_by_role("link", name=re.compile("principles", re.I)).first.click()
    page.wait_for_load_state()
    assert_accessible(page, "a guide")
