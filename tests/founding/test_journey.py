"""Saving answers through the web: typed values kept on failure, nothing half-saved,
the audit log, progress and the home panel, and the founders' agreement."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.extensions import db
from coopkit.founding.models import FoundingStep, StepAnswer, StepSignoff
from tests.founding.helpers import COMPLETE_ANSWERS, founder_ids, founding_team, post_step


def clients_for(app, login, users):
    return [login(app.test_client(), user) for user in users]


def answers(app, coop) -> dict:
    with app.app_context():
        return {a.key: json.loads(a.value) for a in db.session.execute(
            sa.select(StepAnswer).where(StepAnswer.coop_id == coop.id)).scalars()}


def events(app, coop, prefix="founding.") -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.coop_id == coop.id, AuditEvent.action.startswith(prefix))
            .order_by(AuditEvent.seq)).scalars().all()
        db.session.expunge_all()
        return rows


def field_error(html: str, field: str) -> str | None:
    """The error shown beside a field (the macro ties it to the field by id)."""
    match = re.search(rf'<p class="error" id="{field}-error">\s*(.*?)\s*</p>', html, re.S)
    return match.group(1) if match else None


def status_of(html: str) -> str:
    """The step page's status tag."""
    return re.search(r'Status:\s*<span class="tag[^"]*">([^<]*)</span>', html).group(1)


def complete_everything(app, client, coop, secretary_member_id):
    for step_key, data in COMPLETE_ANSWERS.items():
        data = dict(data)
        if step_key == "management":
            data["secretary_member_id"] = str(secretary_member_id)
        assert post_step(client, coop, step_key, data).status_code == 302, step_key


def test_a_failed_check_keeps_every_typed_value_and_saves_nothing(app, client, make, login):
    coop, users = founding_team(make)
    login(client, users[0])
    typed = dict(COMPLETE_ANSWERS["money"], surplus_bonus_percent="51", asset_lock_recipient="Pixel <b>Fund</b>")
    response = post_step(client, coop, "money", typed)
    assert response.status_code == 422
    html = response.text
    assert field_error(html, "surplus_bonus_percent") == (
        "The three shares add up to 101%; they must add up to exactly 100%.")
    assert 'aria-invalid="true"' in html
    assert 'value="51"' in html and 'value="40"' in html and 'value="2500"' not in html
    assert "Pixel &lt;b&gt;Fund&lt;/b&gt;" in html  # kept, and escaped
    assert 'value="asset_lock" checked' in html or re.search(r'checked[^>]*value="asset_lock"', html)
    assert "nothing was saved" in html
    assert answers(app, coop) == {}
    assert events(app, coop) == []


def test_answers_save_in_any_order_and_resume_from_another_device(app, make, login):
    coop, users = founding_team(make)
    laptop, phone = clients_for(app, login, [users[0], users[0]])
    assert post_step(laptop, coop, "money", {"surplus_reserves_percent": "30", "surplus_common_good_percent": "20",
                                             "surplus_bonus_percent": "50"}).status_code == 302
    assert post_step(laptop, coop, "purpose", {"coop_name": "Pixels Limited"}).status_code == 302
    page = phone.get(f"/c/{coop.slug}/founding/steps/money").text
    assert 'value="30"' in page and 'value="20"' in page
    assert answers(app, coop) == {"surplus_reserves_percent": 30, "surplus_common_good_percent": 20,
                                  "surplus_bonus_percent": 50, "coop_name": "Pixels Limited"}
    # Blanking an answer removes it.
    assert post_step(phone, coop, "purpose", {"coop_name": ""}).status_code == 302
    assert "coop_name" not in answers(app, coop)


def test_every_change_is_in_the_audit_log_with_who_and_no_values(app, make, login):
    coop, users = founding_team(make)
    first, second = clients_for(app, login, users[:2])
    post_step(first, coop, "purpose", {"coop_name": "Pixels Limited", "objects": "Design work."})
    post_step(second, coop, "purpose", {"coop_name": "Pixels Co-operative Limited", "objects": "Design work."})
    post_step(second, coop, "purpose", {"coop_name": "Pixels Co-operative Limited", "objects": "Design work."})
    saved = [e for e in events(app, coop) if e.action == "founding.answers_saved"]
    assert [(e.actor_id, json.loads(e.data)["keys"]) for e in saved] == [
        (users[0].id, ["coop_name", "objects"]), (users[1].id, ["coop_name"])]  # the repeat changed nothing
    assert all("Pixels" not in e.data for e in saved)
    history = first.get(f"/c/{coop.slug}/founding/steps/purpose").text
    assert f"{users[1].name} changed answers (Registered name)" in history


def test_progress_states_and_the_home_panel(app, make, login):
    mentor = make.user(name="Mentor")
    coop, users = founding_team(make, cohort_mentor=mentor)
    client = login(app.test_client(), users[0])
    home = client.get(f"/c/{coop.slug}/").text
    assert "0 of 10 steps complete (0%)" in home
    assert "What's next" in home and "Step 1: The team" in home
    assert '<progress' in home or 'class="bar' in home
    overview = client.get(f"/c/{coop.slug}/founding/").text
    assert overview.count("Not started") == 10

    post_step(client, coop, "purpose", {"coop_name": "Pixels Limited"})
    overview = client.get(f"/c/{coop.slug}/founding/").text
    assert overview.count("In progress") == 1

    # All three founders confirm the team: complete (10%).
    for c in clients_for(app, login, users):
        assert c.post(f"/c/{coop.slug}/founding/steps/team/agree").status_code == 302
    home = client.get(f"/c/{coop.slug}/").text
    assert "1 of 10 steps complete (10%)" in home and "Step 2: Purpose and name" in home

    # A mentor's open comment makes the step "needs changes" and puts it first in "what's next".
    login(app.test_client(), mentor).post(f"/c/{coop.slug}/founding/steps/money/comments",
                                          data={"comment-body": "Have you thought about reserves?"})
    home = client.get(f"/c/{coop.slug}/").text
    assert "Step 7: Money" in home and "A comment on this step is waiting for you" in home
    overview = client.get(f"/c/{coop.slug}/founding/").text
    assert "Needs changes" in overview and "(1 open comment)" in overview


def test_a_step_is_complete_once_answered_and_agreed_by_every_founder(app, make, login):
    coop, users = founding_team(make)
    clients = clients_for(app, login, users)
    post_step(clients[0], coop, "legal_form", COMPLETE_ANSWERS["legal_form"])
    for i, c in enumerate(clients):
        page = c.get(f"/c/{coop.slug}/founding/").text
        assert f"Founders' agreement ({i} of 3)" in page
        assert c.post(f"/c/{coop.slug}/founding/steps/legal_form/agree").status_code == 302
    page = clients[0].get(f"/c/{coop.slug}/founding/steps/legal_form").text
    assert "3 of 3 founders agree to the current answers." in page
    assert status_of(page) == "Complete"
    # Agreeing twice is refused politely.
    again = clients[0].post(f"/c/{coop.slug}/founding/steps/legal_form/agree", follow_redirects=True).text
    assert "already agreed" in again


def test_agreement_needs_complete_answers(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    post_step(client, coop, "purpose", {"coop_name": "Pixels Limited"})
    page = client.post(f"/c/{coop.slug}/founding/steps/purpose/agree", follow_redirects=True).text
    assert "Answer every question" in page
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(StepSignoff.id))).scalar_one() == 0


def test_a_change_after_agreement_resets_it_and_says_so(app, make, login):
    coop, users = founding_team(make)
    clients = clients_for(app, login, users)
    post_step(clients[0], coop, "purpose", COMPLETE_ANSWERS["purpose"])
    for c in clients:
        c.post(f"/c/{coop.slug}/founding/steps/purpose/agree")
    assert "Complete" in clients[0].get(f"/c/{coop.slug}/founding/steps/purpose").text

    changed = dict(COMPLETE_ANSWERS["purpose"], objects="A broader purpose.")
    response = post_step(clients[1], coop, "purpose", changed)
    page = clients[1].get(response.headers["Location"]).text
    assert "the agreement was reset" in page
    assert "earlier agreement was reset" in page
    assert "0 of 3 founders agree to the current answers." in page
    assert status_of(page) == "In progress"
    reset = [e for e in events(app, coop) if e.action == "founding.signoffs_reset"]
    assert len(reset) == 1 and reset[0].actor_id == users[1].id and json.loads(reset[0].data)["signoffs"] == 3
    with app.app_context():
        step = db.session.execute(sa.select(FoundingStep).where(FoundingStep.step_key == "purpose")).scalar_one()
        assert step.signoffs_reset_at is not None and step.revision == 2
    # Saving the same answers again is no change: nothing is reset.
    post_step(clients[0], coop, "purpose", changed)
    assert len([e for e in events(app, coop) if e.action == "founding.signoffs_reset"]) == 1


def test_the_team_step_needs_each_founder_to_confirm_from_their_own_account(app, make, login):
    coop, users = founding_team(make, n=3)
    clients = clients_for(app, login, users)
    clients[0].post(f"/c/{coop.slug}/founding/steps/team/agree")
    page = clients[0].get(f"/c/{coop.slug}/founding/steps/team").text
    assert "1 of 3 founders have confirmed." in page
    assert "I confirm I am one of the founders" not in page  # already confirmed
    assert "I confirm I am one of the founders" in clients[1].get(f"/c/{coop.slug}/founding/steps/team").text
    for c in clients[1:]:
        c.post(f"/c/{coop.slug}/founding/steps/team/agree")
    page = clients[0].get(f"/c/{coop.slug}/founding/steps/team").text
    assert "3 of 3 founders have confirmed." in page and "badge-ok" in page
    confirmed = [e.actor_id for e in events(app, coop) if e.action == "founding.founder_confirmed"]
    assert confirmed == [u.id for u in users]


def test_two_founders_are_not_enough_for_a_society(app, make, login):
    coop, users = founding_team(make, n=2)
    clients = clients_for(app, login, users)
    for c in clients:
        c.post(f"/c/{coop.slug}/founding/steps/team/agree")
    page = clients[0].get(f"/c/{coop.slug}/founding/steps/team").text
    assert "needs at least 3 founders; you have 2" in page
    assert status_of(page) == "In progress"
    response = post_step(clients[0], coop, "legal_form", COMPLETE_ANSWERS["legal_form"])
    assert response.status_code == 422
    assert "you have 2" in field_error(response.text, "legal_form")


def test_the_legal_form_and_office_are_mirrored_on_the_coop(app, make, login):
    from coopkit.coops.models import Coop

    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    post_step(client, coop, "legal_form", COMPLETE_ANSWERS["legal_form"])
    post_step(client, coop, "registration", {"registered_office": "2 Mill Lane, Preston"})
    with app.app_context():
        row = db.session.get(Coop, coop.id)
        assert (row.legal_form, row.registered_office) == ("society", "2 Mill Lane, Preston")


def test_the_whole_journey_reaches_the_review_and_checklist(app, make, login):
    coop, users = founding_team(make)
    clients = clients_for(app, login, users)
    complete_everything(app, clients[0], coop, founder_ids(app, coop)[0])
    for c in clients:
        c.post(f"/c/{coop.slug}/founding/steps/team/agree")
        for step_key in ("purpose", "legal_form", "membership", "decisions", "management", "money"):
            assert c.post(f"/c/{coop.slug}/founding/steps/{step_key}/agree").status_code == 302
    page = clients[0].get(f"/c/{coop.slug}/founding/").text
    assert "7 of 10 steps complete (70%)" in page  # registration still needs the officers' details
    review = clients[0].get(f"/c/{coop.slug}/founding/steps/review")
    assert review.status_code == 200 and "9. Review the rules" in review.text  # its content is the rules feature's

    clients[1].post(f"/c/{coop.slug}/founding/checklist/fees", data={"state": "done"})
    page = clients[0].get(f"/c/{coop.slug}/founding/steps/register").text
    assert f"Ticked by {users[1].name}" in page
    ticked = [e for e in events(app, coop) if e.action == "founding.checklist_ticked"]
    assert len(ticked) == 1 and ticked[0].actor_id == users[1].id
    clients[2].post(f"/c/{coop.slug}/founding/checklist/fees", data={"state": "undone"})
    assert f"Unticked by {users[2].name}" in clients[0].get(f"/c/{coop.slug}/founding/steps/register").text
    assert clients[0].post(f"/c/{coop.slug}/founding/checklist/nonsense", data={"state": "done"},
                           follow_redirects=True).status_code == 200


def test_unknown_steps_are_404(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    assert client.get(f"/c/{coop.slug}/founding/steps/nope").status_code == 404
    assert post_step(client, coop, "review", {}).status_code == 404


def test_the_home_panel_is_for_forming_coops_and_speaks_to_its_reader(app, make, login):
    mentor = make.user()
    coop, users = founding_team(make, cohort_mentor=mentor)
    login(app.test_client(), mentor).post(f"/c/{coop.slug}/founding/steps/money/comments",
                                          data={"comment-body": "Reserves?"})
    assert "A comment on this step is waiting for you" in login(app.test_client(), users[0]).get(
        f"/c/{coop.slug}/").text
    assert "A comment thread on this step is open." in login(app.test_client(), mentor).get(f"/c/{coop.slug}/").text
    registered_founder = make.user()
    registered = make.coop(registered_founder, stage="registered")
    home = login(app.test_client(), registered_founder).get(f"/c/{registered.slug}/")
    assert home.status_code == 200 and "Founding journey</h2>" not in home.text
