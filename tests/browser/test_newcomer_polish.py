"""The newcomer's whole path, read at 360 px (a phone) and 1280 px (a laptop) on every page:
sign up, found a co-op with two co-founders, every founding step, the rules, the registration
pack, votes on a phone, a secret ballot, a rules amendment, the mentor, and a full register
(70 members, made by a fixture rather than by clicking).

Every page is checked by tests/browser/helpers.py `look`: no sideways scroll, no word broken
inside a table header or an email address, a link back, no internal snake_case key, no axe
violation; a full-page screenshot of each is saved under tests/browser/screenshots/ (ignored
by git; CI keeps the folder as an artefact). One walk checks both widths on each page (the
browser is resized), so the clicking is done once."""

from __future__ import annotations

import re
from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.browser.helpers import BROKEN_WORDS_JS, PASSWORD, fill, link_in, log_in, look
from tests.founding.helpers import COMPLETE_ANSWERS

pytestmark = pytest.mark.browser

KEY_STEPS = ("purpose", "legal_form", "membership", "decisions", "management", "money")
SLUG = "northern-pixels"
FIRST_NAMES = ("Aisha", "Bartholomew", "Catriona", "Dev", "Eleanor", "Francesca", "Gwilym", "Hamish", "Ines", "Jonah")
LAST_NAMES = ("Okonkwo-Richardson", "Smith", "Fitzgerald", "Nakamura", "Ó Súilleabháin", "Lee", "Wójcik")


def sign_up(page, live_server, mailbox, name: str, email: str, *, phone_of: str, read: bool = True) -> None:
    """Sign up from the page the person is on (it links to the form): the emailed link, a password.
    ``read``: check each page (once is enough: the pages are the same for everyone)."""
    checked = look if read else (lambda *args, **kwargs: None)
    page.get_by_role("link", name=re.compile("^(Start your co-op|Create an account)$")).first.click()
    page.wait_for_load_state()
    checked(page, f"sign-up-{phone_of}", way_back=False)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()
    checked(page, f"check-your-email-{phone_of}", way_back=False)
    page.goto(link_in(mailbox.body(mailbox.to(email)[-1]), live_server.base_url))
    checked(page, f"choose-a-password-{phone_of}", way_back=False)
    page.get_by_label("Choose a password").fill(PASSWORD)
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_load_state()


def step(page, live_server, key: str) -> None:
    page.goto(live_server.url(f"/c/{SLUG}/founding/steps/{key}"))


def click(page, role: str, name, **kw) -> None:
    page.get_by_role(role, name=name, **kw).first.click()
    page.wait_for_load_state()


def full_register(app, coop_id: int, how_many: int) -> None:
    """Members admitted over a few years, with long names, addresses and email addresses,
    each with one share; a few have left, one has no email address."""
    from coopkit.coops.models import Member
    from coopkit.register.models import ShareTransaction

    with app.app_context():
        rows = []
        for i in range(how_many):
            first, last = FIRST_NAMES[i % len(FIRST_NAMES)], LAST_NAMES[i % len(LAST_NAMES)]
            ceased = i % 17 == 5
            rows.append({"coop_id": coop_id, "full_name": f"{first} {last} {i}",
                         "postal_address": f"Flat {i}, {100 + i} Fishergate Hill\nPreston\nPR1 {i % 9}AB",
                         "email": None if i == 7 else f"{first.lower()}.{i}.wright-cooperative@northern-pixels.example.org",
                         "status": "ceased" if ceased else "member", "member_class": "voting",
                         "consents_to_electronic": i % 3 != 0, "admitted_on": date(2024, 1 + i % 12, 1),
                         "ceased_on": date(2025, 6, 30) if ceased else None})
        db.session.execute(sa.insert(Member), rows)
        ids = db.session.execute(sa.select(Member.id).where(Member.coop_id == coop_id,
                                                            Member.postal_address.like("Flat %"))).scalars()
        db.session.execute(sa.insert(ShareTransaction), [
            {"coop_id": coop_id, "member_id": i, "kind": "issue", "amount_pence": 100, "paid_pence": 100,
             "on": date(2024, 1, 1), "note": ""} for i in ids])
        db.session.commit()
        db.session.remove()


def member_id(app, email: str) -> int:
    from coopkit.coops.models import Member

    with app.app_context():
        found = db.session.execute(sa.select(Member.id).where(Member.email == email)).scalar_one()
        db.session.remove()
        return found


def vote(page, live_server, number: int, choice: str, name: str | None = None) -> None:
    """Vote from the ballot page (checked when it is given a ``name``)."""
    page.goto(live_server.url(f"/c/{SLUG}/proposals/{number}/vote"))
    if name:
        look(page, name)
    page.get_by_label(choice, exact=True).check()
    click(page, "button", "Cast my vote")


def propose(page, live_server, title: str, kind: str, resolution: str, *, secret: bool = False, **changes) -> None:
    """The secretary drafts a written resolution that may close early, and opens it."""
    page.goto(live_server.url(f"/c/{SLUG}/proposals/new"))
    page.get_by_label("Title").fill(title)
    page.get_by_label("Wording of the resolution").fill(resolution)
    page.get_by_label("Kind of decision").select_option(kind)
    fill(page, changes)
    if secret:
        page.get_by_label("Secret ballot").check()
    page.get_by_label("May close early").check()
    page.get_by_label("Voting closes (UK time)").fill(f"{date.today().year + 1}-01-15T12:00")
    click(page, "button", "Save draft")
    click(page, "button", "Open voting now")


def test_the_newcomer_path_reads_well(new_context, live_server, live_make, mailbox):
    mentor = live_make.user(name="Morgan Mentor")
    app = live_server.app

    # --- a visitor: the landing page, the tour, sign-up ---
    asha = new_context().new_page()
    asha.goto(live_server.url("/"))
    look(asha, "landing", way_back=False)
    click(asha, "link", "Take the tour")
    look(asha, "tour")
    asha.goto(live_server.url("/"))
    sign_up(asha, live_server, mailbox, "Asha Patel", "asha@example.org", phone_of="asha")
    look(asha, "your-coops-empty", way_back=False)

    # --- found a co-op, invite two co-founders, who join from their emails on their phones ---
    click(asha, "link", "Start a new co-op")
    look(asha, "start-a-coop")
    asha.get_by_label("Working name of your co-op").fill("Northern Pixels")
    asha.get_by_label("Web address").fill(SLUG)
    click(asha, "button", "Create workspace")
    look(asha, "coop-home-new")
    live_make.cohort(name="Spring 2026", coops=(_coop(app),), mentors=(mentor,))
    click(asha, "link", "Invite co-founders")
    look(asha, "invite")
    founders = {"ben": ("Ben Okafor", "ben@example.org"), "chloe": ("Chloe Wright", "chloe@example.org")}
    pages = {}
    for key, (name, email) in founders.items():
        asha.get_by_label("Their email address").fill(email)
        click(asha, "button", "Send invitation")
        page = pages[key] = new_context(phone=True).new_page()
        page.goto(link_in(mailbox.body(mailbox.to(email)[-1]), live_server.base_url))
        if key == "ben":
            look(page, f"invitation-{key}", way_back=False)
        sign_up(page, live_server, mailbox, name, email, phone_of=key, read=key == "ben")
        click(page, "button", "Accept and join")
    ben, chloe = pages["ben"], pages["chloe"]
    look(chloe, "coop-home-three-founders")

    # --- every founding step ---
    asha.goto(live_server.url(f"/c/{SLUG}/founding/"))
    look(asha, "journey")
    for page in (asha, ben, chloe):
        step(page, live_server, "team")
        click(page, "button", "I confirm I am one of the founders")
    look(chloe, "step-team")
    for key, answers in COMPLETE_ANSWERS.items():
        step(asha, live_server, key)
        look(asha, f"step-{key}")
        answers = dict(answers)
        if key == "management":
            answers["secretary_member_id"] = str(member_id(app, "ben@example.org"))
        fill(asha, answers)
        click(asha, "button", "Save answers")
        assert "Saved:" in asha.locator(".flashes").inner_text(), key
    asha.locator("a[href^='/guides/']").first.click()
    asha.wait_for_load_state()
    look(asha, "guide-from-step")
    for key in KEY_STEPS:
        for page in (asha, ben, chloe):
            step(page, live_server, key)
            click(page, "button", "I agree to these answers")
    look(ben, "step-money-agreed")
    for page, slot, name in ((asha, 1, "Asha Patel"), (ben, 2, "Ben Okafor")):
        page.goto(live_server.url(f"/c/{SLUG}/founding/officers"))
        fill(page, {f"officer{slot}-full_name": name, f"officer{slot}-date_of_birth": "1999-04-21",
                    f"officer{slot}-address": f"{slot} Quiet Lane, Preston", f"officer{slot}-years_at_address": "2",
                    f"officer{slot}-months_at_address": "4"})
        click(page, "button", f"Save officer {slot}")
    look(ben, "officers-details")

    # --- the rules: read, save a version, the review step, the registration pack ---
    asha.goto(live_server.url(f"/c/{SLUG}/rules/"))
    look(asha, "rules")
    click(asha, "link", "Read the draft")
    look(asha, "rules-draft")
    asha.goto(live_server.url(f"/c/{SLUG}/rules/"))
    click(asha, "button", "Save as a new draft version")
    look(asha, "rules-version-1")
    step(asha, live_server, "review")
    look(asha, "step-review")
    ben.goto(live_server.url(f"/c/{SLUG}/rules/versions/1/pack"))
    look(ben, "registration-pack")
    for page in (asha, ben, chloe) * 3:
        step(page, live_server, "register")
        ticks = page.get_by_role("button", name=re.compile(r"^Mark done"))
        if ticks.count() == 0:
            break
        ticks.first.click()
        page.wait_for_load_state()
    look(chloe, "step-register")
    # each founder's postal address, for the register of members they join on registration
    for page, who in ((asha, "asha"), (ben, "ben"), (chloe, "chloe")):
        page.goto(live_server.url(f"/c/{SLUG}/register/"))
        click(page, "link", "My entry")
        if who == "asha":
            look(page, f"my-entry-{who}")
        click(page, "link", "Update my address and contact details")
        page.get_by_label("Postal address").fill(f"{len(who)} Fishergate\nPreston PR1 2AB")
        click(page, "button", re.compile("^(Save|Update)"))
    look(chloe, "my-entry-updated")
    chloe.goto(live_server.url(f"/c/{SLUG}/"))
    look(chloe, "coop-home-journey-done")
    click(chloe, "link", "Record the rules as adopted")
    chloe.locator('[name="adopted_on"]').fill(date.today().isoformat())
    click(chloe, "button", "Record as adopted")
    chloe.goto(live_server.url(f"/c/{SLUG}/"))
    click(chloe, "link", "Record the registration")
    look(chloe, "record-the-registration")
    chloe.locator('[name="registered_on"]').fill(date.today().isoformat())
    chloe.get_by_label("Registration number").fill("RS009876")
    click(chloe, "button", "Record as registered")
    assert "recorded as registered" in chloe.locator("main").inner_text(), \
        chloe.locator(".error, .error-summary").all_inner_texts()
    chloe.goto(live_server.url(f"/c/{SLUG}/"))
    look(chloe, "coop-home-registered")

    # --- votes on a phone: Ben, the secretary, proposes from his phone; all three vote ---
    propose(ben, live_server, "Join the regional federation of worker co-operatives", "written_ordinary",
            "That the co-op joins the regional federation.")
    look(ben, "proposal-open")
    for page, who, choice in ((chloe, "chloe", "For"), (asha, "asha", "Against"), (ben, "ben", "For")):
        vote(page, live_server, 1, choice, f"vote-{who}" if who == "chloe" else None)
        if who == "chloe":
            look(page, f"voted-{who}")
    # two of three agree: a written resolution passes, and closes, as soon as enough agree
    click(ben, "link", "See the results")
    look(ben, "results")
    assert "Passed" in ben.locator("main").inner_text()

    # --- a secret ballot: a receipt, and nobody sees who voted how ---
    propose(ben, live_server, "Rent the studio on Mill Street", "written_ordinary",
            "That the co-op rents the studio on Mill Street for two years.", secret=True)
    receipts = {}
    for page, who, choice in ((chloe, "chloe", "For"), (asha, "asha", "Against")):
        vote(page, live_server, 2, choice, f"secret-vote-{who}" if who == "chloe" else None)
        if who == "chloe":
            look(page, f"secret-receipt-{who}")
        receipts[who] = page.locator(".receipt .copyable").inner_text()
    ben.goto(live_server.url(f"/c/{SLUG}/proposals/2"))
    look(ben, "secret-ballot-open")
    vote(ben, live_server, 2, "For")          # two of three: passed, and closed
    chloe.goto(live_server.url(f"/c/{SLUG}/proposals/2/results"))
    look(chloe, "secret-ballot-results")
    chloe.goto(live_server.url(f"/c/{SLUG}/proposals/2/ballots"))
    look(chloe, "secret-ballot-counted-ballots")
    counted = chloe.locator("main").inner_text()
    assert receipts["chloe"] in counted and receipts["asha"] in counted
    assert "Chloe Wright" not in counted and "Asha Patel" not in counted

    # --- a rules amendment by written special resolution ---
    propose(ben, live_server, "Shorter notice to leave", "written_special",
            "That members give 21 days' written notice to leave.",
            change_1_key="leaving_notice_days", change_1_value="21")
    look(ben, "amendment-open")
    for page, who in ((asha, "asha"), (chloe, "chloe"), (ben, "ben")):
        vote(page, live_server, 3, "For", "amendment-vote" if who == "asha" else None)
    look(ben, "amendment-passed")
    assert "Closed: passed" in ben.locator("main").inner_text()
    ben.goto(live_server.url(f"/c/{SLUG}/rules/versions"))
    look(ben, "rules-versions")
    assert "Version 2" in ben.locator("main table").inner_text()   # the amended rules
    asha.goto(live_server.url(f"/c/{SLUG}/proposals/"))
    look(asha, "proposals")

    # --- the mentor follows the co-op ---
    morgan = new_context().new_page()
    log_in(morgan, live_server, mentor.email)
    morgan.goto(live_server.url("/c/"))
    look(morgan, "mentor-coops", way_back=False)
    assert "Northern Pixels" in morgan.locator("main").inner_text()
    assert "not part of a co-op yet" not in morgan.content()
    morgan.goto(live_server.url("/mentor/"))
    look(morgan, "mentor-dashboard", way_back=False)
    morgan.goto(live_server.url(f"/c/{SLUG}/"))
    look(morgan, "mentor-coop-governance")
    assert "Governance at a glance" in morgan.locator("main").inner_text()

    # --- the register, full: 70 members on two pages ---
    full_register(app, _coop(app).id, 70)
    for path, name in (("register/", "register"), ("register/?page=2", "register-page-2"),
                       ("register/?view=all", "register-all"), ("register/officers", "register-officers"),
                       ("register/shares", "register-shares"), ("calendar/", "calendar"), ("meetings/", "meetings")):
        ben.goto(live_server.url(f"/c/{SLUG}/{path}"))
        look(ben, name)
    assert_priority_columns(ben, live_server.url(f"/c/{SLUG}/register/"))
    click(ben, "link", re.compile("^Aisha Okonkwo-Richardson"))
    look(ben, "register-member")
    chloe.goto(live_server.url(f"/c/{SLUG}/register/"))
    look(chloe, "register-as-a-member")
    # without JavaScript a row's "More" still opens on a phone
    quiet = new_context(phone=True, java_script_enabled=False).new_page()
    log_in(quiet, live_server, "ben@example.org")
    quiet.goto(live_server.url(f"/c/{SLUG}/register/"))
    row = quiet.locator("table.register-table tbody tr").nth(5)
    assert not row.locator("details dl").is_visible()
    row.locator("summary").click()
    assert row.locator("details dl").is_visible() and "Postal address" in row.locator("details dl").inner_text()


def _coop(app):
    from coopkit.coops.models import Coop

    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == SLUG)).scalar_one()
        db.session.expunge(coop)
        db.session.remove()
        return coop


def assert_priority_columns(page, url: str) -> None:
    """On a phone the register shows name, status and shares, and each row's other
    particulars open from its "More"; on a laptop every column shows and "More" is gone."""
    page.goto(url)
    own = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 800})
    visible = [h for h in page.locator("table.register-table th").all() if h.is_visible()]
    assert [h.inner_text() for h in visible] == ["Name", "Status", "Shares held"]
    row = page.locator("table.register-table tbody tr").nth(3)
    row.locator("summary").click()
    assert "Postal address" in row.locator("details dl").inner_text()
    assert "@" in row.locator("details dl").inner_text()
    assert not page.evaluate(BROKEN_WORDS_JS), "a header or an email address breaks mid-word in an open row"
    page.set_viewport_size({"width": 1280, "height": 800})
    assert all(h.is_visible() for h in page.locator("table.register-table th").all())
    assert page.locator("table.register-table th").count() == 10
    assert not row.locator("summary").is_visible()
    page.set_viewport_size(own)
