"""The meeting pages: bad input gets a clear message and records nothing (never a 500); the list
and the meeting page cost a fixed number of statements; the minutes PDF cites the clauses."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db
from tests.jobs.helpers import fetch_pdf
from tests.meetings.conftest import at_uk_noon
from tests.meetings.helpers import act, call, first_item, present, start
from tests.meetings.test_notice import pdf_text
from tests.proposals.conftest import counts
from tests.statements import count_statements


def _uk_local(days: int) -> str:
    from coopkit.proposals.timefmt import to_uk

    return to_uk(at_uk_noon(days)).strftime("%Y-%m-%dT%H:%M")


def test_a_meeting_date_inside_the_notice_period_is_refused_on_the_form(app, client, login, assembly):
    from coopkit.meetings.models import Meeting

    login(client, assembly.secretary)
    url = f"/c/{assembly.coop.slug}/meetings/new"
    response = client.post(url, data={"title": "Quick meeting", "kind": "general", "starts_at": _uk_local(20),
                                      "mode": "hybrid", "place": "", "online_details": ""})
    assert response.status_code == 200 and "Say where members meet in person" in response.text
    response = client.post(url, data={"title": "Quick meeting", "kind": "general", "starts_at": _uk_local(5),
                                      "mode": "in_person", "place": "The office"}, follow_redirects=True)
    assert response.status_code == 200   # drafted: the date is checked against notice when it is sent
    with app.app_context():
        number = db.session.execute(sa.select(Meeting.number)).scalar_one()
    page = f"/c/{assembly.coop.slug}/meetings/{number}"
    client.post(f"{page}/items", data={"item-title": "Laptops", "item-item_type": "resolution",
                                        "item-kind": "ordinary", "item-resolution_text": "That we buy laptops.",
                                        "item-purpose": "", "item-confirms_item_id": "",
                                        "item-approves_meeting_id": ""})
    response = client.post(f"{page}/notice", data={}, follow_redirects=True)
    assert response.status_code == 200
    assert "Your rules need 14 clear days" in response.text and "Move the meeting later" in response.text
    with app.app_context():
        meeting = db.session.execute(sa.select(Meeting)).scalar_one()
        assert meeting.state == "draft" and meeting.notice_sent_at is None
    assert client.get(f"{page}/edit").status_code == 200
    response = client.post(f"{page}/edit", data={"title": "Quick meeting", "kind": "general",
                                                  "starts_at": _uk_local(16), "mode": "in_person",
                                                  "place": "The office"}, follow_redirects=True)
    assert "Meeting changed." in response.text
    response = client.post(f"{page}/notice", data={}, follow_redirects=True)
    assert "Notice sent" in response.text
    with app.app_context():
        assert db.session.execute(sa.select(Meeting.state)).scalar_one() == "called"
    response = client.get(f"{page}/edit", follow_redirects=True)
    assert "Only a draft meeting can be changed" in response.text


def test_a_proxy_over_the_limit_and_a_vote_by_someone_absent_get_messages_not_500s(app, client, login, assembly):
    from coopkit.meetings import proxies
    from coopkit.meetings.models import MeetingVoter, Proxy

    meeting_id = call(app, assembly, days=20)
    amy = assembly.member(1)
    act(app, assembly, meeting_id, lambda m, c, u: proxies.appoint_proxy(m, c, u, amy.id), as_user=assembly.user(2))
    login(client, assembly.user(3))
    page = f"/c/{assembly.coop.slug}/meetings/1"
    response = client.post(f"{page}/proxy", data={"proxy-holder": str(amy.id)}, follow_redirects=True)
    assert response.status_code == 200 and "the most the rules allow" in response.text
    assert counts(app, Proxy) == (1,)
    present(app, assembly, meeting_id, [assembly.secretary_member, amy, assembly.member(3)])
    start(app, assembly, meeting_id)
    item_id = first_item(app, meeting_id)
    from coopkit.meetings import conduct
    from coopkit.meetings.models import AgendaItem

    act(app, assembly, meeting_id, lambda m, c, u: conduct.open_poll(db.session.get(AgendaItem, item_id), m, c, u))
    login(client, assembly.user(5))   # Ed is not at the meeting
    response = client.post(f"{page}/items/{item_id}/vote", data={"vote-choice": "for"}, follow_redirects=True)
    assert response.status_code == 200 and "Only members present at the meeting" in response.text
    login(client, assembly.user(1))   # Amy votes for herself and for Bo, whose proxy she holds
    assert client.post(f"{page}/items/{item_id}/vote", data={"vote-choice": "for"}).status_code == 302
    response = client.post(f"{page}/items/{item_id}/vote", data={"vote-choice": "against"}, follow_redirects=True)
    assert "each member votes once" in response.text
    response = client.post(f"{page}/items/{item_id}/vote",
                           data={"vote-choice": "against", "vote-for_member": str(assembly.member(2).id)},
                           follow_redirects=True)
    assert "Your vote is recorded" in response.text
    response = client.post(f"{page}/items/{item_id}/vote", data={"vote-choice": "sideways"}, follow_redirects=True)
    assert response.status_code == 200 and "Your vote" in response.text
    assert counts(app, MeetingVoter) == (2,)


def test_list_and_meeting_pages_cost_a_fixed_number_of_statements(app, client, login, make, assembly):
    login(client, assembly.user(1))
    meeting_id = call(app, assembly, days=20)
    present(app, assembly, meeting_id, [assembly.secretary_member, assembly.member(1)])
    listing = f"/c/{assembly.coop.slug}/meetings/"
    one, _ = count_statements(app, client, listing)
    page_one, html = count_statements(app, client, f"{listing}1")
    assert "Buy a second laptop" in html and "That the co-op buys a second laptop" in html
    for _ in range(3):
        call(app, assembly, days=25)
    present(app, assembly, meeting_id, [assembly.member(2), assembly.member(3)], status="online")
    assert count_statements(app, client, listing)[0] == one
    assert count_statements(app, client, f"{listing}1")[0] == page_one


def test_the_minutes_pdf_cites_the_clauses(app, client, login, assembly):
    from coopkit.meetings import conduct
    from coopkit.meetings.models import AgendaItem

    meeting_id = call(app, assembly, days=20, items=[
        dict(title="Receive the accounts", item_type="business"),
        dict(title="Amend the rules", item_type="resolution", kind="special",
             resolution_text="That the rules are amended so that a member gives 21 days' notice to leave.")])
    present(app, assembly, meeting_id, [assembly.secretary_member, assembly.member(1), assembly.member(2)])
    present(app, assembly, meeting_id, [assembly.member(3)], status="online")
    start(app, assembly, meeting_id)
    first, second = first_item(app, meeting_id, 1), first_item(app, meeting_id, 2)
    act(app, assembly, meeting_id, lambda m, c, u: conduct.note_business(
        db.session.get(AgendaItem, first), m, c, u, "The accounts for 2025 were received."))
    act(app, assembly, meeting_id, lambda m, c, u: conduct.record_hands(
        db.session.get(AgendaItem, second), m, c, u, 3, 1))
    act(app, assembly, meeting_id, lambda m, c, u: conduct.close_meeting(m, c, u))
    login(client, assembly.user(4))
    response = fetch_pdf(client, client.post(f"/c/{assembly.coop.slug}/meetings/1/minutes.pdf"))
    text = pdf_text(response.data)
    assert "The accounts for 2025 were received." in text
    assert "Present online (1): Cy Clark" in text and "Amy Adams" in text
    assert "4 members present or represented at the start; 4 needed (Rule " in text and "quorum): quorate" in text
    assert "special resolution, 75% of votes cast" in text
    assert "for 3, against 1, abstaining 0" in text and "PASSED" in text
    assert "Draft minutes: to be approved at the next general meeting" in text
    assert "Signed as a correct record" in text
