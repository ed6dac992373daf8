"""Rules amendments by special resolution, and the minutes of closed proposals (PDF text)."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.extensions import db
from coopkit.proposals.models import Proposal
from tests.proposals.conftest import make_open, run_periodic_jobs, time_travel
from tests.proposals.helpers import rules_in_force, rules_with


def in_three_days() -> str:
    from datetime import timedelta

    from coopkit.database import utcnow
    from coopkit.proposals.timefmt import to_uk

    return to_uk(utcnow() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")


FORM = {"title": "Shorter notice to leave", "kind": "written_special", "preset": "ordinary", "basis": "cast", "seats": "1",
        "ranking": "stv", "closes_at": in_three_days(),
        "resolution_text": "That members give 21 days' written notice to leave.",
        "change_1_key": "leaving_notice_days", "change_1_value": "21"}


def pdf_text(response) -> str:
    assert response.status_code == 200 and response.mimetype == "application/pdf", response.status_code
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(response.data)).pages)


def versions(app, coop_id):
    from coopkit.rules.models import RulesVersion

    with app.app_context():
        rows = db.session.execute(sa.select(RulesVersion.number, RulesVersion.status, RulesVersion.adopted_by_proposal_id,
                                            RulesVersion.parameters)
                                  .where(RulesVersion.coop_id == coop_id).order_by(RulesVersion.number)).all()
        db.session.remove()
        return rows


@pytest.fixture()
def ruled(app, crew):
    rules_in_force(app, crew.coop, crew.secretary)
    return crew


def test_a_rule_change_needs_a_special_resolution(app, client, login, ruled):
    login(client, ruled.users[0])
    ordinary = client.post("/c/crew-coop/proposals/new", data={**FORM, "kind": "written_ordinary"})
    assert "Changing the rules needs a special resolution" in ordinary.text
    weaker = client.post("/c/crew-coop/proposals/new", data={**FORM, "preset": "custom", "threshold_percent": "60"})
    assert "stricter, never weaker" in weaker.text
    unchanged = client.post("/c/crew-coop/proposals/new", data={**FORM,
                                                                "change_1_value": "ten"})
    assert "give a whole number" in unchanged.text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Proposal.id))).scalar() == 0
        db.session.remove()


def test_passed_amendment_creates_adopted_rules_and_the_amendment_pdf(app, client, login, ruled, mailbox):
    amy = ruled.users[0]
    login(client, amy)
    response = client.post("/c/crew-coop/proposals/new", data=FORM)
    assert response.status_code == 302, response.text
    page = client.get("/c/crew-coop/proposals/1").text
    assert "Changes to the rules" in page
    assert "Written notice a member gives to leave: from 28 to 21." in page        # the plain-language diff
    assert "written special resolution, 75% of all members" in page
    client.post("/c/crew-coop/proposals/1/open")
    with app.app_context():
        p = db.session.execute(sa.select(Proposal)).scalar_one()
        assert (p.state, p.threshold_percent, p.basis, p.preset) == ("open", 75, "eligible", "special")
        pid = p.id
        db.session.remove()
    # a written special resolution: 75% of all 5 members, so the fourth agreement passes and closes it
    for user in [ruled.secretary, *ruled.users][:3]:
        login(client, user)
        assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"}).status_code == 302
    before = versions(app, ruled.coop.id)
    assert [v.status for v in before] == ["registered"]
    login(client, ruled.users[2])
    client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"})
    results = client.get("/c/crew-coop/proposals/1/results").text
    assert "Passed" in results and "The rules are amended" in results and "amendment.pdf" in results
    after = versions(app, ruled.coop.id)
    assert [(v.number, v.status) for v in after] == [(1, "registered"), (2, "adopted")]
    assert after[1].adopted_by_proposal_id == pid
    assert '"leaving_notice_days": 21' in after[1].parameters
    with app.app_context():
        assert db.session.get(Proposal, pid).amended_rules_version_id is not None
        db.session.remove()
    text = pdf_text(client.get("/c/crew-coop/proposals/1/amendment.pdf"))
    assert "Amendment to the" in text and "The changes in plain words" in text
    assert "from 28 to 21" in text and "The rules marked up" in text
    for signer in ("Member 1", "Member 2", "Member 3", "Secretary"):
        assert signer in text
    minutes = pdf_text(client.get("/c/crew-coop/proposals/1/minutes.pdf"))
    for expected in ("Shorter notice to leave", "Written special resolution", "PASSED", "75% of all members",
                     "a written resolution, counted on all the members eligible when it was circulated",
                     "It was resolved", "That members give 21 days' written notice to leave.", "4 of 5"):
        assert expected in minutes.replace("\n", " ").replace("’", "'"), expected


def test_failed_amendment_changes_no_rules(app, client, login, ruled):
    amy, bo, cy = ruled.users
    login(client, amy)
    client.post("/c/crew-coop/proposals/new", data=FORM)
    client.post("/c/crew-coop/proposals/1/open")
    for user, choice in ((amy, "for"), (bo, "for"), (cy, "against")):   # 2 of 3 = 67% < 75%
        login(client, user)
        client.post("/c/crew-coop/proposals/1/vote", data={"choice": choice, "seen": "0"})
    with app.app_context():
        pid = db.session.execute(sa.select(Proposal.id)).scalar_one()
        db.session.remove()
    time_travel(app, pid, hours=24 * 5)
    run_periodic_jobs(app)
    results = client.get("/c/crew-coop/proposals/1/results").text
    assert "Not passed" in results and "The rules are amended" not in results
    assert [v.status for v in versions(app, ruled.coop.id)] == ["registered"]
    assert client.get("/c/crew-coop/proposals/1/amendment.pdf").status_code == 404


def test_election_minutes_and_results(app, client, login, crew):
    rules_with(app, crew.coop.id, management="board")       # an elected board: elections at a meeting
    number, pid = make_open(app, crew, venue="meeting", kind="election", method="election", options=["Ann Able", "Bea Best", "Cal Cole"], seats=2,
                            secret=True, title="Election of two directors")
    ballots = [{"rank_0": "1", "rank_1": "2"}, {"rank_1": "1", "rank_0": "2"}, {"rank_0": "1"},
               {"rank_2": "1", "rank_1": "2"}, {}]
    for user, ranking in zip([crew.secretary, *crew.users, crew.secretary], ballots[:4], strict=False):
        login(client, user)
        assert "Your secret ballot is in" in client.post(f"/c/crew-coop/proposals/{number}/vote",
                                                         data={**ranking, "seen": "0"}).text
    time_travel(app, pid, hours=24 * 5)
    run_periodic_jobs(app)
    results = client.get(f"/c/crew-coop/proposals/{number}/results").text
    assert "Elected: Ann Able, Bea Best" in results and "Counting rounds" in results and "<svg" in results
    assert "4 of 5 (80.0%)" in results
    minutes = pdf_text(client.get(f"/c/crew-coop/proposals/{number}/minutes.pdf"))
    for expected in ("Election of two directors", "Elected: Ann Able, Bea Best", "secret ballot",
                     "only the totals are recorded", "4 of 5"):
        assert expected in minutes.replace("\n", " "), expected
    assert "Amy Adams" not in minutes
