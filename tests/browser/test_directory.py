"""A procurement officer, not logged in, on a phone: finds a co-op in the directory by
service and area, reads its profile, opens its JSON and checks a buyer pack's code. Every
page is scanned with axe-core and must fit a 360 px screen."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.browser.helpers import check

pytestmark = pytest.mark.browser


def test_a_buyer_walks_the_directory_and_checks_a_pack_on_a_phone(new_context, live_server):
    from coopkit import demo
    from coopkit.directory.models import BuyerPack
    from coopkit.extensions import db

    with live_server.app.app_context():
        demo.seed()
        db.session.commit()
        code = db.session.execute(sa.select(BuyerPack.code)).scalar_one()

    page = new_context(phone=True).new_page()
    page.goto(live_server.url("/p/"))
    assert page.get_by_role("heading", name="Worker co-op directory").is_visible()
    check(page, "the directory")

    page.get_by_label("Service").fill("accessibility")
    page.get_by_label("Area served").fill("Lancashire")
    page.get_by_role("button", name="Search").click()
    page.wait_for_load_state()
    assert "1 co-op matches" in page.content()
    check(page, "search results")

    page.get_by_role("link", name="Preston Digital Co-operative Limited").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Worker ownership and control").is_visible()
    assert "GB-MPR-31742R" in page.content()
    check(page, "a co-op's profile")

    page.get_by_role("link", name="Check a buyer pack").click()
    page.wait_for_load_state()
    check(page, "the verification page")
    page.get_by_label("Verification code").fill(code.lower())
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    assert "still true" in page.content()
    check(page, "a pack that verifies")

    page.get_by_label("Verification code").fill("ZZZZ-ZZZZ-ZZZZ")
    page.get_by_role("button", name="Check").click()
    page.wait_for_load_state()
    assert "No buyer pack has this code" in page.content()
    check(page, "a code that does not verify")

    page.goto(live_server.url("/p/preston-digital.json"))
    assert '"scheme": "GB-MPR"' in page.content() or '"scheme":"GB-MPR"' in page.content()
