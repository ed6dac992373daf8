"""Three members vote on a phone (360 px wide), one of them with JavaScript switched off, and
see the result once voting closes. Every page is scanned with axe-core (no violations), must
not scroll sideways, and its voting targets are large enough to tap."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.browser.helpers import assert_accessible, assert_fits, log_in

pytestmark = pytest.mark.browser

MIN_TARGET = 44   # CSS px: the WCAG 2.5.5 target size


def assert_large_targets(page, selector: str, what: str) -> None:
    boxes = [page.locator(selector).nth(i).bounding_box() for i in range(page.locator(selector).count())]
    assert boxes, f"{what}: nothing matches {selector}"
    small = [b for b in boxes if b["height"] < MIN_TARGET or b["width"] < MIN_TARGET]
    assert not small, f"{what}: targets smaller than {MIN_TARGET}px: {small}"


def open_proposal(live_server, coop, secretary, *, secret=False, **draft) -> int:
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.database import utcnow
    from coopkit.proposals import services

    with live_server.app.app_context():
        c, user = db.session.get(Coop, coop.id), db.session.get(User, secretary.id)
        draft.setdefault("title", "Join the regional co-op federation")
        draft.setdefault("resolution_text", "That the co-op joins the regional federation of worker co-operatives.")
        # a vote taken at a general meeting, answered in the browser: counted on the votes cast
        venue = draft.pop("venue", "meeting")
        draft.setdefault("kind", "ordinary")
        proposal = services.create_proposal(c, user, services.Draft(closes_at=utcnow() + timedelta(days=3),
                                                                    secret=secret, **draft), venue=venue)
        services.open_proposal(proposal, c, user, notify=False)
        db.session.commit()
        pid = proposal.id
        db.session.remove()
        return pid


def close_now(live_server, pid: int) -> None:
    from coopkit.proposals.models import Proposal

    with live_server.app.app_context():
        p = db.session.get(Proposal, pid)
        p.opens_at -= timedelta(days=4)
        p.closes_at -= timedelta(days=4)
        db.session.commit()
        db.session.remove()
    from tests.proposals.conftest import run_periodic_jobs

    run_periodic_jobs(live_server.app)     # the queue's periodic job closes it (pages only read)


@pytest.fixture()
def coop(live_make):
    founder = live_make.user(name="Fran Founder")
    coop = live_make.coop(founder, stage="registered", slug="phone-coop", name="Phone Co-op")
    secretary, _ = live_make.secretary(coop)
    voters = []
    for name in ("Amy Adams", "Bo Brown", "Cy Clark"):
        user = live_make.user(name=name)
        live_make.member(coop, user)
        voters.append(user)
    return coop, secretary, voters


def test_three_members_vote_on_phones_and_see_the_result(new_context, live_server, coop):
    coop_rec, secretary, voters = coop
    pid = open_proposal(live_server, coop_rec, secretary)
    choices = ("For", "For", "Against")
    for index, (user, choice) in enumerate(zip(voters, choices, strict=True)):
        javascript = index != 2        # the third votes with JavaScript switched off
        page = new_context(phone=True, java_script_enabled=javascript).new_page()
        log_in(page, live_server, user.email)
        page.goto(live_server.url("/c/phone-coop/"))
        page.get_by_role("link", name="Proposal 1: Join the regional co-op federation").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", level=1).inner_text().startswith("Vote:")
        assert_fits(page, "vote page")
        assert_large_targets(page, ".vote-form .check label", "vote choices")
        assert_large_targets(page, ".vote-form button[type=submit]", "vote button")
        if javascript:                 # axe runs as JavaScript in the page
            assert_accessible(page, "vote page on a phone")
        page.get_by_label(choice, exact=True).check()
        page.get_by_role("button", name="Cast my vote").click()
        page.wait_for_load_state()
        assert "Your vote has been recorded." in page.content()
        assert f"Your vote: {choice}" in page.locator("main").inner_text()
        assert_fits(page, "proposal page after voting")
        if javascript:
            assert_accessible(page, "proposal page after voting")
        # results stay hidden until close
        page.goto(live_server.url("/c/phone-coop/proposals/1/results"))
        assert "Results are shown once voting closes." in page.content()

    from coopkit.proposals.models import Ballot, Participation

    with live_server.app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Participation.id))).scalar() == 3
        assert db.session.execute(sa.select(sa.func.count()).select_from(Ballot)).scalar() == 3
        db.session.remove()

    close_now(live_server, pid)
    for index, user in enumerate(voters):
        page = new_context(phone=True, java_script_enabled=index != 2).new_page()
        log_in(page, live_server, user.email)
        page.goto(live_server.url("/c/phone-coop/proposals/1"))
        page.get_by_role("link", name="See the results").click()
        page.wait_for_load_state()
        text = page.locator("main").inner_text()
        assert "Passed" in text and "3 of 5 (60.0%)" in text and "3 needed: met" in text
        assert page.locator("svg.chart rect").count() == 3
        assert_fits(page, "results page")
        if index != 2:
            assert_accessible(page, "results page on a phone")


def test_secret_ballot_and_ranked_election_on_a_phone(new_context, live_server, coop):
    coop_rec, secretary, voters = coop
    from tests.proposals.helpers import rules_with

    rules_with(live_server.app, coop_rec.id, management="board")    # an elected board: elections at meetings
    open_proposal(live_server, coop_rec, secretary, secret=True, title="Elect two directors", method="election",
                  kind="election",
                  options=["Ann Able", "Bea Best", "Cal Cole with a rather long double-barrelled name"], seats=2,
                  resolution_text="")
    page = new_context(phone=True).new_page()
    log_in(page, live_server, voters[0].email)
    page.goto(live_server.url("/c/phone-coop/proposals/1/vote"))
    assert "Only 5 people" not in page.content()
    assert_fits(page, "ranked ballot")
    assert_large_targets(page, ".vote-form select", "ranking selects")
    assert_accessible(page, "ranked ballot on a phone")
    # a duplicate place: refused with a message, nothing recorded
    page.get_by_label("Ann Able").select_option("1")
    page.get_by_label("Bea Best").select_option("1")
    page.get_by_role("button", name="Cast my vote").click()
    page.wait_for_load_state()
    assert "can go to only one candidate" in page.content()
    assert_accessible(page, "ranked ballot with an error")
    page.get_by_label("Ann Able").select_option("1")
    page.get_by_label("Bea Best").select_option("2")
    page.get_by_role("button", name="Cast my vote").click()
    page.wait_for_load_state()
    receipt = page.locator("strong.copyable").inner_text()
    assert len(receipt) == 14
    assert_fits(page, "receipt page")
    assert_accessible(page, "receipt page")


def test_secretary_drafts_and_opens_a_proposal_on_a_laptop(page, live_server, coop, mailbox):
    from coopkit.database import utcnow
    from coopkit.proposals.timefmt import to_uk

    coop_rec, secretary, voters = coop
    log_in(page, live_server, secretary.email)
    page.goto(live_server.url("/c/phone-coop/proposals/"))
    assert_accessible(page, "proposals list (empty)")
    page.get_by_role("link", name="Make a proposal").click()
    page.wait_for_load_state()
    assert_accessible(page, "new proposal form")
    page.get_by_label("Title").fill("Buy a shared laptop for client demos")
    page.get_by_label("The proposal", exact=True).fill("We keep borrowing one. **About £900.**")
    page.get_by_label("Wording of the resolution").fill("That the co-op buys a laptop for client demos.")
    closes = to_uk(utcnow() + timedelta(days=4)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("Voting closes (UK time)").fill(closes)
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_load_state()
    assert "Draft proposal 1 saved" in page.content()
    assert page.locator(".prose strong").inner_text() == "About £900."
    assert_accessible(page, "draft proposal")
    page.get_by_role("button", name="Open voting now").click()
    page.wait_for_load_state()
    assert "Voting is open" in page.content()
    assert_accessible(page, "open proposal")
    page.goto(live_server.url("/c/phone-coop/proposals/"))
    assert "0 of 5 have voted" in page.locator("main").inner_text()
    assert_accessible(page, "proposals list")
    assert len(mailbox.messages) == 5
