"""The pages for expulsion, admission, elections and rule changes at a meeting: bad input gets a
clear message and records nothing (never a 500); the minutes PDF cites each item's clause; the
notice prints a rules amendment's changes."""

from __future__ import annotations

import html

import sqlalchemy as sa

from coopkit.extensions import db
from tests.jobs.helpers import fetch_pdf
from tests.meetings.helpers import act, present, start
from tests.meetings.member_helpers import (
    add_member_item,
    board_assembly,
    days_ago,
    draft_meeting,
    on_item,
    send_notice,
)
from tests.meetings.test_notice import pdf_text


def _count(app, model, **where):
    with app.app_context():
        try:
            query = sa.select(sa.func.count()).select_from(model)
            for key, value in where.items():
                query = query.where(getattr(model, key) == value)
            return db.session.execute(query).scalar_one()
        finally:
            db.session.remove()


def test_the_member_item_page_refuses_bad_input_with_messages(app, client, login, make):
    from coopkit.meetings.models import AgendaItem

    asm = board_assembly(app, make, expulsion_notice_days=21)
    meeting_id = draft_meeting(app, asm, days=20)
    login(client, asm.secretary)
    page = f"/c/{asm.coop.slug}/meetings/1"
    form = client.get(f"{page}/items/about-a-member")
    assert form.status_code == 200 and "21 clear days" in form.text and "Election of directors" in form.text
    bad = [
        ({"mi-kind": "expulsion", "mi-member": str(asm.member(1).id), "mi-reasons": "Harm to the co-op.",
          "mi-notified_on": days_ago(0).isoformat()}, "at least 21 clear days before the meeting"),
        ({"mi-kind": "expulsion", "mi-member": str(asm.member(1).id), "mi-reasons": "",
          "mi-notified_on": days_ago(3).isoformat()}, "Give the reasons"),
        ({"mi-kind": "admission", "mi-member": str(asm.member(2).id)}, "not an applicant"),
        ({"mi-kind": "election", "mi-member": "", "mi-seats": "9"}, "Directors to elect"),
        ({"mi-kind": "election", "mi-member": ""}, "from 1 to 3"),
        ({"mi-kind": "dissolution", "mi-member": ""}, "Not a valid choice"),
        ({"mi-kind": "expulsion", "mi-member": "abc"}, "Not a valid choice"),
    ]
    for data, message in bad:
        response = client.post(f"{page}/items/about-a-member", data=data)
        assert response.status_code == 200 and message in response.text, (data, response.text[-2000:])
    assert _count(app, AgendaItem) == 0
    response = client.post(f"{page}/items/about-a-member", data={
        "mi-kind": "expulsion", "mi-member": str(asm.member(1).id), "mi-reasons": "Harm to the co-op.",
        "mi-notified_on": days_ago(3).isoformat()}, follow_redirects=True)
    assert response.status_code == 200 and "Added to the agenda" in response.text
    assert "Expulsion of Amy Adams" in response.text and "Record the reply" in response.text
    response = client.post(f"{page}/items/about-a-member", data={"mi-kind": "election", "mi-seats": "2"},
                           follow_redirects=True)
    assert "Nominations close" in response.text
    item_id = _count(app, AgendaItem)   # the election is item 2
    response = client.post(f"{page}/items/{item_id}/candidates", data={
        "nom-member": str(asm.member(2).id), "nom-nominated_on": days_ago(-30).isoformat()}, follow_redirects=True)
    assert "not in the future" in response.text
    response = client.post(f"{page}/items/{item_id}/candidates", data={
        "nom-member": str(asm.member(2).id), "nom-nominated_on": days_ago(0).isoformat()}, follow_redirects=True)
    assert "The candidate is added" in response.text
    assert meeting_id


def test_rule_changes_at_a_meeting_are_checked_for_entrenched_clauses_and_the_law(app, client, login, make):
    from coopkit.meetings.models import AgendaItem

    asm = board_assembly(app, make)
    draft_meeting(app, asm, days=20)
    login(client, asm.secretary)
    page = f"/c/{asm.coop.slug}/meetings/1"
    base = {"item-title": "Rule change", "item-item_type": "resolution", "item-kind": "special",
            "item-resolution_text": "That the rules are changed as set out.", "item-purpose": "",
            "item-confirms_item_id": "", "item-approves_meeting_id": ""}
    cases = [
        ({"item-change_1_key": "dissolution", "item-change_1_value": "co-ownership"}, "entrenched"),
        ({"item-change_1_key": "special_threshold_percent", "item-change_1_value": "40"}, "legal check"),
        ({"item-change_1_key": "quorum_min_members", "item-change_1_value": "lots"}, "give a whole number"),
        ({"item-kind": "ordinary", "item-change_1_key": "quorum_min_members", "item-change_1_value": "3"},
         "needs a special resolution"),
    ]
    for extra, message in cases:
        response = client.post(f"{page}/items", data={**base, **extra}, follow_redirects=True)
        assert response.status_code == 200 and message in response.text, (extra, message)
    assert _count(app, AgendaItem, title="Rule change") == 0
    response = client.post(f"{page}/items", data={**base, "item-change_1_key": "quorum_min_members",
                                                  "item-change_1_value": "3"}, follow_redirects=True)
    assert "Item added to the agenda" in response.text and "The rules change as follows" in response.text


def _passed_meeting(app, asm):
    """A meeting that expels Amy, elects two directors and changes the quorum; closed."""
    from coopkit.meetings import agenda, conduct, memberitems

    meeting_id = draft_meeting(app, asm, days=20, kind="agm")
    expel = add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(1).id,
                            reasons="Harm to the co-op.", notified_on=days_ago(2))
    with app.app_context():   # the AGM's own election (one third of a board of three retires)
        from coopkit.meetings.models import AgendaItem

        elect = db.session.execute(sa.select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id,
                                                                  AgendaItem.kind == "election")).scalar_one()
        db.session.remove()
    for n in (2, 3):
        act(app, asm, meeting_id, on_item(elect, lambda i, m, c, u, n=n: memberitems.nominate(
            i, m, c, u, asm.member(n).id, days_ago(1))))
    rules = act(app, asm, meeting_id, lambda m, c, u: agenda.add_item(m, c, u, agenda.ItemDraft(
        title="Quorum of three", item_type="resolution", kind="special",
        resolution_text="That the quorum is three members.", rule_changes={"quorum_min_members": 3})).id)
    send_notice(app, asm, meeting_id)
    present(app, asm, meeting_id, [asm.secretary_member, asm.member(1), asm.member(2), asm.member(3),
                                   asm.member(4)])
    start(app, asm, meeting_id)
    act(app, asm, meeting_id, on_item(expel, lambda i, m, c, u: memberitems.record_reply(i, m, c, u, "",
                                                                                           none_given=True)))
    act(app, asm, meeting_id, on_item(expel, lambda i, m, c, u: memberitems.record_hearing(i, m, c, u, "absent")))
    act(app, asm, meeting_id, on_item(expel, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 4, 0)))
    act(app, asm, meeting_id, on_item(elect, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))
    for n, user in enumerate((asm.secretary, asm.user(2), asm.user(3), asm.user(4))):
        act(app, asm, meeting_id, on_item(elect, lambda i, m, c, u, n=n: conduct.cast_ranking(
            i, m, c, u, [0, 1] if n < 3 else [1])), as_user=user)
    act(app, asm, meeting_id, on_item(elect, lambda i, m, c, u: conduct.close_poll(i, m, c, u)))
    act(app, asm, meeting_id, on_item(rules, lambda i, m, c, u: conduct.record_hands(i, m, c, u, 4, 0)))
    act(app, asm, meeting_id, lambda m, c, u: conduct.close_meeting(m, c, u))
    return meeting_id, rules


def test_the_minutes_cite_the_clause_of_each_item_and_the_rules_are_adopted(app, client, login, make):
    from coopkit.meetings.models import AgendaItem
    from coopkit.rules.models import RulesVersion

    asm = board_assembly(app, make)
    meeting_id, rules_item = _passed_meeting(app, asm)
    with app.app_context():
        item = db.session.get(AgendaItem, rules_item)
        version = db.session.get(RulesVersion, item.amended_rules_version_id)
        assert version.status == "adopted" and '"quorum_min_members": 3' in version.parameters
        db.session.remove()
    login(client, asm.secretary)
    page = f"/c/{asm.coop.slug}/meetings/1"
    assert "Elected: Bo Brown" in client.get(page).text
    text = " ".join(pdf_text(fetch_pdf(client, client.post(f"{page}/minutes.pdf")).data).split())
    assert "Expulsion of Amy Adams" in text and "Rule" in text
    for needed in ("expulsion of a member", "election of directors", "special resolution",
                   "The member gave no written reply", "did not attend", "ELECTED: Bo Brown",
                   "ceased (expelled)", "The rules change as follows"):
        assert needed in text, needed
    import re

    assert re.search(r"Rule \d+(\.\d+)*: expulsion of a member", text)
    assert re.search(r"Rule \d+(\.\d+)*: election of directors", text)
    assert re.search(r"Rule \d+(\.\d+)*: special resolution", text)
    assert meeting_id


def test_ranked_ballots_and_the_hearing_through_the_page_refuse_bad_input(app, client, login, make):
    from coopkit.meetings import conduct, memberitems
    from coopkit.meetings.models import MeetingBallotBox, MeetingVoter

    asm = board_assembly(app, make)
    meeting_id = draft_meeting(app, asm, days=20)
    elect = add_member_item(app, asm, meeting_id, kind="election", seats=1, secret=True)
    expel = add_member_item(app, asm, meeting_id, kind="expulsion", subject_member_id=asm.member(4).id,
                            reasons="Harm to the co-op.", notified_on=days_ago(1))
    for n in (1, 2, 3):
        act(app, asm, meeting_id, on_item(elect, lambda i, m, c, u, n=n: memberitems.nominate(
            i, m, c, u, asm.member(n).id, days_ago(1))))
    send_notice(app, asm, meeting_id)
    present(app, asm, meeting_id, [asm.secretary_member, asm.member(1), asm.member(2), asm.member(3)])
    start(app, asm, meeting_id)
    act(app, asm, meeting_id, on_item(elect, lambda i, m, c, u: conduct.open_poll(i, m, c, u)))
    page = f"/c/{asm.coop.slug}/meetings/1"
    login(client, asm.user(1))
    shown = client.get(page).text
    assert "Your ballot: number the candidates" in shown and 'name="rank_2"' in shown
    for data, message in [({"rank_0": "1", "rank_1": "1"}, "only one candidate"),
                          ({"rank_0": "9"}, "Give each candidate you rank a place"),
                          ({"rank_0": "x"}, "Give each candidate you rank a place"),
                          ({"rank_0": "1", "for_member": str(asm.member(5).id)}, "don't hold that member's proxy")]:
        response = client.post(f"{page}/items/{elect}/rank", data=data, follow_redirects=True)
        assert response.status_code == 200 and message in html.unescape(response.text), (data, message)
    assert _count(app, MeetingVoter) == 0 and _count(app, MeetingBallotBox) == 0
    response = client.post(f"{page}/items/{elect}/rank", data={"rank_1": "1", "rank_0": "2"}, follow_redirects=True)
    assert "Your ballot is recorded" in response.text
    response = client.post(f"{page}/items/{elect}/rank", data={"rank_2": "1"}, follow_redirects=True)
    assert "each member votes once" in html.unescape(response.text)
    assert _count(app, MeetingVoter) == 1 and _count(app, MeetingBallotBox) == 1
    # Ed is not at the meeting
    ed = app.test_client()
    login(ed, asm.user(5))
    response = ed.post(f"{page}/items/{elect}/rank", data={"rank_0": "1"}, follow_redirects=True)
    assert "Only members present" in response.text
    # the hearing: only the secretary or the chair, and one of the choices
    response = client.post(f"{page}/items/{expel}/hearing", data={"heard-heard": "spoke"}, follow_redirects=True)
    assert "Only the secretary or the chair records this" in html.unescape(response.text)
    secretary = app.test_client()
    login(secretary, asm.secretary)
    response = secretary.post(f"{page}/items/{expel}/hearing", data={"heard-heard": "shouted"}, follow_redirects=True)
    assert response.status_code == 200 and "Not a valid choice" in response.text
    response = secretary.post(f"{page}/items/{expel}/reply", data={}, follow_redirects=True)
    assert "Paste the member's written reply, or tick that they gave none" in html.unescape(response.text)
    with app.app_context():
        from coopkit.meetings.models import AgendaItem

        item = db.session.get(AgendaItem, expel)
        assert item.subject_heard is None and item.subject_reply_at is None
        db.session.remove()
