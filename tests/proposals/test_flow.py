"""A proposal's life through the web pages: draft, open, vote, change, close, results, emails."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.extensions import db
from coopkit.proposals.models import Ballot, BallotChange, Participation, Proposal, VoterRollEntry
from tests.proposals.conftest import counts, make_open, time_travel
from tests.statements import count_statements

FUTURE = "2027-01-20T18:00"


def seen(page_text: str) -> str:
    return re.search(r'name="seen" type="hidden" value="(\d+)"', page_text).group(1)


def test_draft_open_vote_change_close_results(app, client, login, crew, mailbox):
    amy, bo, cy = crew.users
    login(client, amy)
    response = client.post("/c/crew-coop/proposals/new", data={
        "title": "Adopt a four-day week", "body": "We *try* it for a quarter.<script>alert(1)</script>",
        "resolution_text": "That the co-op trials a four-day week from January.", "kind": "written_ordinary",
        "preset": "ordinary", "basis": "cast", "seats": "1", "ranking": "stv", "closes_at": FUTURE,
        "change_1_key": "", "change_2_key": "", "change_3_key": ""})
    assert response.status_code == 302, response.text
    page = client.get("/c/crew-coop/proposals/1")
    assert "<em>try</em>" in page.text and "<script>alert" not in page.text
    assert "Draft" in page.text and "Open voting now" in page.text
    assert client.post("/c/crew-coop/proposals/1/open").status_code == 302
    with app.app_context():
        p = db.session.execute(sa.select(Proposal)).scalar_one()
        assert p.state == "open" and p.threshold_percent == 50 and p.basis == "eligible" and p.quorum_needed == 0
        assert db.session.execute(sa.select(sa.func.count(VoterRollEntry.id))).scalar() == 5
        # a written resolution lapses after the rules' 28 days: the closing time is capped at it
        assert p.closes_at <= p.opens_at + timedelta(days=28)
        dtend = p.closes_at.strftime("DTEND:%Y%m%dT%H%M%SZ").encode()
    # everyone on the roll is emailed, each with a calendar file for the closing time
    assert len(mailbox.messages) == 5
    message = mailbox.to(bo.email)[0]
    ics = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert ics and dtend in ics[0].get_payload(decode=True)

    vote_page = client.get("/c/crew-coop/proposals/1/vote")
    assert vote_page.status_code == 200 and 'value="for"' in vote_page.text
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "against", "seen": "0"}).status_code == 302
    # change the vote; history kept
    page = client.get("/c/crew-coop/proposals/1/vote")
    assert "Your vote now: <strong>Against</strong>" in page.text
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "abstain", "seen": seen(page.text)}
                       ).status_code == 302
    page = client.get("/c/crew-coop/proposals/1/vote")
    client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": seen(page.text)})
    # agreeing to a written resolution is final: it can't be withdrawn
    page = client.get("/c/crew-coop/proposals/1/vote")
    refused = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "against", "seen": seen(page.text)})
    assert refused.status_code == 200 and "be withdrawn" in refused.text
    login(client, bo)
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"}).status_code == 302
    # results stay hidden until close
    assert client.get("/c/crew-coop/proposals/1/results").status_code == 302
    mailbox.clear()
    # the third agreement of the 5 members passes the written resolution, and it closes at once
    login(client, cy)
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"}).status_code == 302
    assert counts(app, Participation, Ballot, BallotChange) == (3, 3, 5)
    listing = client.get("/c/crew-coop/proposals/")
    assert "Closed: passed" in listing.text
    results = client.get("/c/crew-coop/proposals/1/results")
    assert results.status_code == 200
    text = results.text
    assert "<svg" in text and "style=" not in text
    assert "Passed" in text and "3 of 5 (60.0%)" in text
    assert "That the co-op trials a four-day week from January." in text
    assert "written ordinary resolution, more than half of all members" in text and "Needed to pass" in text
    assert "Amy Adams" in text  # open ballot: the record of how members voted
    assert len(mailbox.messages) == 5 and "Outcome: PASSED" in mailbox.body(mailbox.messages[0])
    pdf = client.get("/c/crew-coop/proposals/1/minutes.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    pdf_text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    for expected in ("Adopt a four-day week", "PASSED", "Turnout", "3 of 5", "Governing rule",
                     "written ordinary resolution, more than half of all members", "a written resolution",
                     "That the co-op trials a four-day week from January."):
        assert expected in " ".join(pdf_text.split()), expected


def test_proposals_are_numbered_within_the_coop(app, crew, make):
    other = make.coop(stage="registered")
    assert make_open(app, crew)[0] == 1
    assert make_open(app, crew)[0] == 2
    from tests.proposals.conftest import Crew

    sec, _ = make.secretary(other)
    assert make_open(app, Crew(other, sec, []))[0] == 1


def test_close_due_command_and_reminder_sent_once(app, crew, mailbox):
    number, pid = make_open(app, crew, days=3)
    runner = app.test_cli_runner()
    # 20 hours before closing: the reminder goes to the 5 who have not voted, once
    time_travel(app, pid, hours=52)
    mailbox.clear()
    out = runner.invoke(args=["remind-due"])
    assert out.exit_code == 0 and "Reminded 5 member(s)" in out.output
    assert len(mailbox.messages) == 5 and "closes in less than a day" in mailbox.body(mailbox.messages[0])
    assert "0 reminder(s) sent" in runner.invoke(args=["remind-due"]).output
    time_travel(app, pid, hours=24)
    out = runner.invoke(args=["close-due"])
    assert out.exit_code == 0 and "Closed proposal 1" in out.output
    with app.app_context():
        p = db.session.get(Proposal, pid)
        # a written resolution: no quorum, counted on all 5 members, so it lapsed unpassed
        assert p.state == "closed" and p.outcome == "failed" and "members eligible" in p.result["reason"]


def test_withdraw_own_and_not_others(app, client, login, crew):
    amy, bo, _ = crew.users
    make_open(app, crew, by=amy)
    login(client, bo)
    client.post("/c/crew-coop/proposals/1/withdraw")
    assert counts(app, Proposal)[0] == 1
    with app.app_context():
        assert db.session.execute(sa.select(Proposal.state)).scalar() == "open"
    login(client, amy)
    client.post("/c/crew-coop/proposals/1/withdraw")
    with app.app_context():
        assert db.session.execute(sa.select(Proposal.state)).scalar() == "withdrawn"
    login(client, bo)
    assert "This proposal was withdrawn" in client.post("/c/crew-coop/proposals/1/vote",
                                                         data={"choice": "for", "seen": "0"}).text


def test_early_close_only_once_settled(app, client, login, crew):
    number, pid = make_open(app, crew, allow_early_close=True)
    login(client, crew.secretary)
    response = client.post("/c/crew-coop/proposals/1/close", follow_redirects=True)
    assert "could still change" in response.text
    for user in crew.users:
        login(client, user)
        client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    # 3 of all 5 members agree: a written ordinary resolution passes then and closes at once
    with app.app_context():
        p = db.session.get(Proposal, pid)
        assert p.state == "closed" and p.closed_early and p.outcome == "passed"


def test_discussion_thread_is_sanitised(app, client, login, crew):
    make_open(app, crew)
    login(client, crew.users[0])
    client.post("/c/crew-coop/proposals/1/comments", data={"body": "I agree **strongly** <img src=x onerror=alert(1)>"})
    page = client.get("/c/crew-coop/proposals/1")
    assert "<strong>strongly</strong>" in page.text and "onerror" not in page.text and "Amy Adams" in page.text


def test_home_panel_lists_votes_waiting(app, client, login, crew):
    make_open(app, crew, title="Paint the office green")
    login(client, crew.users[1])
    home = client.get("/c/crew-coop/")
    assert "Votes waiting for you" in home.text and "Paint the office green" in home.text


def test_listing_statement_count_does_not_grow(app, client, login, crew):

    login(client, crew.users[0])

    def statements():
        return count_statements(app, client, "/c/crew-coop/proposals/")[0]

    make_open(app, crew)
    one = statements()
    for _ in range(4):
        make_open(app, crew)
    assert statements() == one


def test_mentor_and_outsider_cannot_see_proposals(app, client, login, crew, make):
    mentor = make.user()
    make.cohort(coops=(crew.coop,), mentors=(mentor,))
    make_open(app, crew)
    for user in (mentor, make.user()):
        login(client, user)
        assert client.get("/c/crew-coop/proposals/").status_code == 403
        assert client.get("/c/crew-coop/proposals/1/vote").status_code == 403
        assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for"}).status_code == 403
    assert counts(app, Participation)[0] == 0


def test_ics_lines_are_folded():
    from datetime import datetime

    from coopkit.proposals.text import closing_ics

    data = closing_ics(uid="x@y", title="A" * 200, closes_at=datetime(2027, 1, 1, 12), url="http://e/x",
                       stamp=datetime(2026, 1, 1) + timedelta(hours=1)).decode()
    assert all(len(line.encode()) <= 75 for line in data.split("\r\n"))


def test_one_participation_per_member_is_a_database_constraint(app, crew):
    from sqlalchemy.exc import IntegrityError

    _, pid = make_open(app, crew)
    member_id = crew.people[0][1].id
    with app.app_context():
        db.session.add(Participation(proposal_id=pid, member_id=member_id))
        db.session.commit()
        db.session.add(Participation(proposal_id=pid, member_id=member_id))
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
        else:
            raise AssertionError("a second participation for the same member was stored")
        finally:
            db.session.remove()
    assert counts(app, Participation) == (1,)


def test_reminder_goes_only_to_those_who_have_not_voted(app, client, login, crew, mailbox):
    amy, bo, cy = crew.users
    _, pid = make_open(app, crew, days=3)
    for user in (amy, bo):
        login(client, user)
        client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    time_travel(app, pid, hours=52)
    mailbox.clear()
    out = app.test_cli_runner().invoke(args=["close-due"])
    assert "Reminded 3 member(s)" in out.output and "0 proposal(s) closed" in out.output
    reminded = {m["X-Envelope-To"] for m in mailbox.messages}
    assert cy.email in reminded and amy.email not in reminded and bo.email not in reminded
    assert crew.secretary.email in reminded and len(reminded) == 3


def test_audit_log_shows_who_voted_but_no_running_tally(app, client, login, crew):
    from coopkit.audit.models import AuditEvent

    make_open(app, crew)
    amy = crew.users[0]
    login(client, amy)
    client.post("/c/crew-coop/proposals/1/vote", data={"choice": "against", "seen": "0"})
    page = client.get("/c/crew-coop/proposals/1/vote")
    client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": seen(page.text)})
    with app.app_context():
        events = db.session.execute(
            sa.select(AuditEvent.action, AuditEvent.data).where(AuditEvent.action.like("proposal.vot%"))).all()
        db.session.remove()
    assert [a for a, _ in events] == ["proposal.voted", "proposal.vote_changed"]
    assert all("choice" not in data and "for" not in data and "against" not in data for _, data in events)
    login(client, crew.secretary)
    log_page = client.get("/c/crew-coop/audit/")
    assert log_page.status_code == 200 and "proposal.vote_changed" in log_page.text
    assert "against" not in log_page.text.lower()


def test_a_mail_outage_does_not_stop_a_proposal_opening(app, client, login, crew, mailbox, caplog):
    import dataclasses
    from datetime import timedelta

    from coopkit.database import utcnow
    from coopkit.jobs import huey, run_pending_jobs
    from tests.conftest import _free_port

    settings = app.extensions["coopkit.settings"]
    app.extensions["coopkit.settings"] = dataclasses.replace(settings, mail_port=_free_port())
    amy = crew.users[0]
    login(client, amy)
    try:
        response = client.post("/c/crew-coop/proposals/new", data={
            "title": "Buy a kettle", "body": "A better one.", "resolution_text": "That we buy a kettle.",
            "kind": "written_ordinary", "preset": "ordinary", "basis": "cast", "seats": "1", "ranking": "stv",
            "closes_at": FUTURE, "change_1_key": "", "change_2_key": "", "change_3_key": ""})
        assert response.status_code == 302, response.text
        assert client.post("/c/crew-coop/proposals/1/open").status_code == 302
        with app.app_context():
            assert db.session.execute(sa.select(Proposal.state)).scalar_one() == "open"
            assert huey.scheduled_count() == 1  # the delivery job waits to try again
    finally:
        app.extensions["coopkit.settings"] = settings
    assert "Mail stopped after 0 of 5 message(s)" in caplog.text
    assert amy.email not in caplog.text
    assert mailbox.messages == []
    with app.app_context():
        run_pending_jobs(now=utcnow() + timedelta(minutes=2))  # the retry, once the server is back
    assert len(mailbox.messages) == 5


def test_the_closing_ics_parses_back():
    from datetime import datetime

    import icalendar

    from coopkit.proposals.text import closing_ics

    data = closing_ics(uid="proposal-7@coopkit", title="Buy a van, 2027; or not", closes_at=datetime(2027, 1, 20, 18),
                       url="http://e/x", stamp=datetime(2026, 1, 1))
    [event] = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["summary"]) == "Voting closes: Buy a van, 2027; or not"
    assert event.decoded("dtend") == datetime(2027, 1, 20, 18, tzinfo=event.decoded("dtend").tzinfo)
    assert event.decoded("dtend").utcoffset().total_seconds() == 0
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(hours=24)
