"""A whole annual general meeting on phones (360 px): the secretary calls it with notice, one
member appoints a proxy, two members take part online, the meeting is quorate, two votes are
taken (a show of hands and a poll answered in the browser, one vote cast by proxy), and the
minutes PDF cites the clauses. Every page is scanned with axe-core and must fit the screen."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urljoin

import pytest

from coopkit.extensions import db
from tests.browser.helpers import assert_accessible, log_in, submit
from tests.meetings.conftest import answers

pytestmark = pytest.mark.browser


def fits(page, what: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{what}: the page is {width}px wide on a 360px screen"


def checked(page, what: str) -> None:
    fits(page, what)
    assert_accessible(page, what)


def minutes_pdf(page) -> bytes:
    """Prepare the minutes as a person does: the button starts a job, the progress page (jobs run
    at once in tests) offers the PDF."""
    submit(page, page.get_by_role("button", name="Prepare the minutes (PDF)"))
    if "Your PDF is ready" not in page.content():   # the progress page refreshes until the job is done
        page.wait_for_selector("text=Your PDF is ready", timeout=90_000)
    assert "Your PDF is ready" in page.content()
    checked(page, "minutes PDF ready")
    response = page.request.get(urljoin(page.url, page.get_by_role("link", name="Download the PDF")
                                        .get_attribute("href")))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    return response.body()


def pdf_text(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())


@pytest.fixture()
def agm_coop(live_server, live_make):
    from tests.proposals.helpers import rules_in_force

    founder = live_make.user(name="Fran Founder")
    coop = live_make.coop(founder, stage="registered", slug="agm-coop", name="AGM Co-op", legal_form="society")
    secretary, _ = live_make.secretary(coop)
    people = {}
    for name in ("Amy Adams", "Bo Brown", "Cy Clark"):
        user = live_make.user(name=name)
        live_make.member(coop, user)
        people[name.split()[0].lower()] = user
    rules_in_force(live_server.app, coop, secretary, answers=answers())
    return coop, secretary, people


def bring_forward(live_server) -> None:
    """Skip the notice period: the meeting (and its proxy deadline) move to five minutes from now."""
    from coopkit.database import utcnow
    from coopkit.meetings.models import Meeting

    with live_server.app.app_context():
        for meeting in db.session.query(Meeting).all():
            shift = meeting.starts_at - (utcnow() + timedelta(minutes=5))
            meeting.starts_at -= shift
            meeting.proxy_deadline_at -= shift
        db.session.commit()
        db.session.remove()


def card(page, text: str):
    return page.locator("li.card", has_text=text)


def test_a_whole_agm_on_phones(new_context, live_server, agm_coop, mailbox):
    from coopkit.database import utcnow
    from coopkit.proposals.timefmt import to_uk

    coop, secretary, people = agm_coop
    base = live_server.url(f"/c/{coop.slug}/meetings")
    sec = new_context(phone=True).new_page()
    log_in(sec, live_server, secretary.email)

    # The secretary calls the AGM, 20 days ahead, hybrid.
    sec.goto(base + "/")
    checked(sec, "meetings list")
    submit(sec, sec.get_by_role("link", name="Call a meeting"))
    checked(sec, "call a meeting")
    sec.get_by_label("Title").fill("Annual general meeting 2026")
    sec.get_by_label("Annual general meeting").check()
    day = to_uk(utcnow()).date() + timedelta(days=20)
    sec.get_by_label("Starts (UK time)").fill(f"{day:%Y-%m-%d}T12:00")
    sec.get_by_label("Hybrid (in person and online)").check()
    sec.get_by_label("Where members meet in person").fill("The office, 1 Fishergate, Preston")
    sec.get_by_label("How to join online").fill("https://meet.example.org/agm")
    submit(sec, sec.get_by_role("button", name="Save the draft"))
    assert "Add its business, then send the notice" in sec.content()
    assert card(sec, "Receive the accounts").count() == 1   # the AGM's business from the rules
    checked(sec, "draft meeting")
    submit(sec, sec.get_by_role("button", name="Send the notice"))   # renders the PDF, sends 5 emails
    assert "Notice sent" in sec.content()
    checked(sec, "meeting with notice sent")
    assert len(mailbox.messages) == 5
    message = mailbox.to(people["bo"].email)[0]
    assert {p.get_filename() for p in message.walk() if p.get_filename()} == {"meeting-1.ics",
                                                                               "notice-meeting-1.pdf"}

    # Bo can't come: he appoints Amy as his proxy.
    bo = new_context(phone=True).new_page()
    log_in(bo, live_server, people["bo"].email)
    bo.goto(base + "/1")
    checked(bo, "meeting page, member")
    bo.get_by_label("Member who will hold your proxy").select_option(label="Amy Adams")
    submit(bo, bo.get_by_role("button", name="Appoint my proxy"))
    assert "Your proxy is appointed" in bo.content() and "Amy Adams" in bo.content()
    checked(bo, "proxy appointed")

    bring_forward(live_server)

    # Amy and Cy take part online.
    online = {}
    for name in ("amy", "cy"):
        page = new_context(phone=True).new_page()
        log_in(page, live_server, people[name].email)
        page.goto(base + "/1")
        submit(page, page.get_by_role("button", name="Join: I am taking part online"))
        assert "You are recorded as present online" in page.content()
        online[name] = page
    checked(online["amy"], "joined online")

    # The secretary is there in person, starts the meeting (quorate: 3 present, 1 by proxy).
    sec.goto(base + "/1")
    sec.get_by_label("Member", exact=True).select_option(label=secretary.name)
    sec.get_by_label("How they take part").select_option(label="Present in person")
    submit(sec, sec.get_by_role("button", name="Record attendance"))
    sec.get_by_label("Chair").select_option(label=secretary.name)
    submit(sec, sec.get_by_role("button", name="Start the meeting (checks the quorum)"))
    assert "The meeting is open" in sec.content()
    checked(sec, "meeting under way")
    accounts = card(sec, "Receive the accounts")
    accounts.get_by_label("What the meeting recorded").fill("The accounts for 2025 were received.")
    submit(sec, accounts.get_by_role("button", name="Record as dealt with"))
    submit(sec, card(sec, "co-operative principles").get_by_role("button", name="Record as dealt with"))

    # Vote 1: the auditor, by show of hands.
    auditor = card(sec, "Appoint an auditor")
    auditor.get_by_label("For", exact=True).fill("4")
    auditor.get_by_label("Against", exact=True).fill("0")
    submit(sec, auditor.get_by_role("button", name="Record the show of hands"))
    assert "The show of hands is recorded" in sec.content()

    # Vote 2: the surplus, by a poll answered in the browser; Amy votes for herself and for Bo.
    submit(sec, card(sec, "use of the surplus").get_by_role("button", name="Open a poll in the browser"))
    assert "The poll is open" in sec.content()
    for page, forms in ((online["amy"], ("Your vote", "Vote as proxy for Bo Brown")), (online["cy"], ("Your vote",))):
        page.goto(base + "/1")
        for legend in forms:
            form = page.locator("form.vote", has=page.get_by_text(legend, exact=True))
            form.get_by_label("For", exact=True).check()
            submit(page, form.get_by_role("button", name="Cast this vote"))
            assert "Your vote is recorded" in page.content()
    checked(online["amy"], "voted in the poll")
    sec.goto(base + "/1")
    surplus = card(sec, "use of the surplus")
    surplus.locator("form.vote").get_by_label("Against", exact=True).check()
    submit(sec, surplus.get_by_role("button", name="Cast this vote"))
    submit(sec, card(sec, "use of the surplus").get_by_role("button", name="Close the poll and count"))
    assert "The poll is closed and counted" in sec.content()
    assert "for 3, against 1, abstaining 0 (poll)" in sec.content()
    submit(sec, sec.get_by_role("button", name="Close the meeting"))
    assert "The draft minutes are ready" in sec.content()
    checked(sec, "meeting closed")

    text = pdf_text(minutes_pdf(sec))
    assert "Present online (2): Amy Adams, Cy Clark" in text
    assert "Bo Brown (proxy: Amy Adams)" in text
    assert "4 members present or represented at the start; 3 needed (Rule " in text
    assert "The accounts for 2025 were received." in text
    assert text.count("ordinary resolution, more than half of votes cast") == 2
    assert "for 4, against 0, abstaining 0" in text and "for 3, against 1, abstaining 0" in text
    assert "Rule " in text and "notice of general meetings" in text


def test_an_expulsion_at_a_meeting_on_phones(new_context, live_server, live_make):
    """The secretary puts an expulsion on the agenda (the member, the reasons, the day written notice
    was given), records that the member gave no written reply, sends the notice, records at the
    meeting that the member attended and spoke; the member concerned is not counted in the vote;
    passing ceases their membership, and the minutes cite the clause."""
    from coopkit.database import utcnow
    from coopkit.proposals.timefmt import to_uk
    from tests.proposals.helpers import rules_in_force

    founder = live_make.user(name="Fran Founder")
    coop = live_make.coop(founder, stage="registered", slug="expel-coop", name="Expel Co-op", legal_form="society")
    secretary, _ = live_make.secretary(coop)
    members = {}
    for name in ("Amy Adams", "Bo Brown", "Di Dunn"):
        user = live_make.user(name=name)
        members[name] = live_make.member(coop, user)
    rules_in_force(live_server.app, coop, secretary, answers=answers())
    base = live_server.url(f"/c/{coop.slug}/meetings")
    sec = new_context(phone=True).new_page()
    log_in(sec, live_server, secretary.email)

    sec.goto(base + "/new")
    sec.get_by_label("Title").fill("General meeting: expulsion")
    day = to_uk(utcnow()).date() + timedelta(days=20)
    sec.get_by_label("Starts (UK time)").fill(f"{day:%Y-%m-%dT}12:00")
    sec.get_by_label("Where members meet in person").fill("The office, Preston")
    submit(sec, sec.get_by_role("button", name="Save the draft"))
    submit(sec, sec.get_by_role("link", name="Add expulsion of a member"))
    checked(sec, "expulsion form")
    sec.get_by_label("Expulsion of a member").check()
    sec.get_by_label("Member concerned (expulsion or admission)").select_option(label="Di Dunn")
    sec.get_by_label("Reasons for the proposal to expel").fill("Took the client list to a competitor.")
    # given a month ago (the test then brings the meeting forward to today)
    sec.get_by_label("Written notice given to the member on").fill(f"{to_uk(utcnow()).date() - timedelta(days=30):%Y-%m-%d}")
    submit(sec, sec.get_by_role("button", name="Add to the agenda"))
    assert "Added to the agenda" in sec.content() and "Expulsion of Di Dunn" in sec.content()
    checked(sec, "draft meeting with an expulsion")
    item = card(sec, "Expulsion of Di Dunn")
    item.get_by_label("The member gave no written reply").check()
    submit(sec, item.get_by_role("button", name="Record the reply"))
    assert "The member gave no written reply." in sec.content()
    submit(sec, sec.get_by_role("button", name="Send the notice"))
    assert "Notice sent" in sec.content()
    response = sec.request.get(base + "/1/notice.pdf")
    assert "Di Dunn has been given written notice of this proposal" in pdf_text(response.body())

    bring_forward(live_server)
    sec.goto(base + "/1")
    for name in (secretary.name, "Amy Adams", "Bo Brown", "Di Dunn"):
        sec.get_by_label("Member", exact=True).select_option(label=name)
        sec.get_by_label("How they take part").select_option(label="Present in person")
        submit(sec, sec.get_by_role("button", name="Record attendance"))
    sec.get_by_label("Chair").select_option(label=secretary.name)
    submit(sec, sec.get_by_role("button", name="Start the meeting (checks the quorum)"))
    assert "The meeting is open" in sec.content()
    item = card(sec, "Expulsion of Di Dunn")
    item.get_by_label("For", exact=True).fill("3")
    item.get_by_label("Against", exact=True).fill("0")
    submit(sec, item.get_by_role("button", name="Record the show of hands"))
    assert "the right to be heard" in sec.content()   # the hearing comes first
    item = card(sec, "Expulsion of Di Dunn")
    item.get_by_label("attended and spoke").check()
    submit(sec, item.get_by_role("button", name="Record the hearing"))
    checked(sec, "expulsion at the meeting")
    item = card(sec, "Expulsion of Di Dunn")
    item.get_by_label("For", exact=True).fill("4")
    item.get_by_label("Against", exact=True).fill("0")
    submit(sec, item.get_by_role("button", name="Record the show of hands"))
    assert "only 3 members present or represented may vote on this" in sec.content()   # Di does not vote
    item = card(sec, "Expulsion of Di Dunn")
    item.get_by_label("For", exact=True).fill("3")
    item.get_by_label("Against", exact=True).fill("0")
    submit(sec, item.get_by_role("button", name="Record the show of hands"))
    assert "The show of hands is recorded" in sec.content()
    assert "Di Dunn's entry in the register: ceased (expelled)" in sec.content()
    checked(sec, "expulsion passed")
    submit(sec, sec.get_by_role("button", name="Close the meeting"))
    text = pdf_text(minutes_pdf(sec))
    assert "expulsion of a member, 75% of votes cast" in text and "Rule " in text
    assert "At the meeting the member attended and spoke." in text
    sec.goto(live_server.url(f"/c/{coop.slug}/register/members/{members['Di Dunn'].id}"))
    assert "Expelled" in sec.content() or "expelled" in sec.content()
    checked(sec, "register entry of the expelled member")
