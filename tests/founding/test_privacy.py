"""Officers' anti-money-laundering details: private to who entered them and the secretary.
Mentors read the journey but never see an address or those details."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.extensions import db
from coopkit.founding.catalogue import steps
from coopkit.founding.models import OfficerPrivateDetails
from tests.founding.helpers import COMPLETE_ANSWERS, founder_ids, founding_team, post_step

OFFICER = {"officer1-full_name": "Asha Quietname", "officer1-date_of_birth": "1999-04-21",
           "officer1-address": "77 Hidden Row, Lancaster LA1 9ZZ", "officer1-years_at_address": "2",
           "officer1-months_at_address": "5"}
SECRETS = ("Asha Quietname", "1999-04-21", "Hidden Row", "1 Secret Yard", "1 Test Street")


def officers_url(coop, slot=None):
    return f"/c/{coop.slug}/founding/officers" + (f"/{slot}" if slot else "")


def test_details_are_private_to_who_entered_them_and_the_secretary(app, make, login):
    coop, users = founding_team(make)
    entering, other, secretary = (login(app.test_client(), u) for u in users)
    ids = founder_ids(app, coop)
    assert entering.post(officers_url(coop, 1), data=OFFICER).status_code == 302
    mine = entering.get(officers_url(coop)).text
    assert "Asha Quietname" in mine and "Hidden Row" in mine

    theirs = other.get(officers_url(coop)).text
    assert f"Provided by {users[0].name}" in theirs
    assert "Asha Quietname" not in theirs and "Hidden Row" not in theirs and "1999-04-21" not in theirs
    # Another founder can't overwrite them either.
    page = other.post(officers_url(coop, 1), data={**OFFICER, "officer1-full_name": "Someone Else"},
                      follow_redirects=True).text
    assert "only they or the secretary can change them" in page
    with app.app_context():
        assert db.session.execute(sa.select(OfficerPrivateDetails.full_name)).scalar_one() == "Asha Quietname"

    # Choosing the third founder as founding secretary lets them see (and correct) the details,
    # once every founder has agreed to that choice.
    assert "Asha Quietname" not in secretary.get(officers_url(coop)).text
    post_step(entering, coop, "management", {**COMPLETE_ANSWERS["management"], "secretary_member_id": str(ids[2])})
    assert "Asha Quietname" not in secretary.get(officers_url(coop)).text
    for client in (entering, other, secretary):
        assert client.post(f"/c/{coop.slug}/founding/steps/management/agree").status_code == 302
    assert "Asha Quietname" in secretary.get(officers_url(coop)).text

    with app.app_context():
        data = " ".join(db.session.execute(sa.select(AuditEvent.data)).scalars())
    assert not any(secret in data for secret in SECRETS)


def test_bad_details_keep_what_was_typed_and_save_nothing(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    response = client.post(officers_url(coop, 1), data={**OFFICER, "officer1-date_of_birth": "2020-01-01",
                                                        "officer1-months_at_address": "14"})
    assert response.status_code == 422
    assert 'id="officer1-date_of_birth-error"' in response.text and "at least 16" in response.text
    assert "Whole number of months" in response.text or "from 0 to 11" in response.text
    assert 'value="Asha Quietname"' in response.text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(OfficerPrivateDetails.id))).scalar_one() == 0
    assert client.post(officers_url(coop, 3), data=OFFICER).status_code == 404


def test_a_mentor_never_sees_addresses_or_private_details(app, make, login):
    mentor = make.user(name="Mentor")
    coop, users = founding_team(make, cohort_mentor=mentor)
    founder = login(app.test_client(), users[0])
    for step_key, data in COMPLETE_ANSWERS.items():
        post_step(founder, coop, step_key, dict(data))
    founder.post(officers_url(coop, 1), data=OFFICER)
    assert "1 Secret Yard" in founder.get(f"/c/{coop.slug}/founding/steps/registration").text

    client = login(app.test_client(), mentor)
    assert client.get(officers_url(coop)).status_code == 403
    assert client.post(officers_url(coop, 1), data=OFFICER).status_code == 403
    pages = [f"/c/{coop.slug}/", f"/c/{coop.slug}/founding/", "/mentor/", "/mentor/cohort.csv"]
    pages += [f"/c/{coop.slug}/founding/steps/{s.key}" for s in steps()]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        for secret in SECRETS:
            assert secret not in response.text, (url, secret)
    registration = client.get(f"/c/{coop.slug}/founding/steps/registration").text
    assert "Private: shown only to the founders and the secretary" in registration
    assert "Web design and development for clients." in registration  # the rest is readable


def test_a_mentor_reads_but_never_edits(app, make, login):
    mentor = make.user(name="Mentor")
    coop, users = founding_team(make, cohort_mentor=mentor)
    post_step(login(app.test_client(), users[0]), coop, "purpose", COMPLETE_ANSWERS["purpose"])
    client = login(app.test_client(), mentor)
    page = client.get(f"/c/{coop.slug}/founding/steps/purpose").text
    assert "Northern Pixels Co-operative Limited" in page
    assert "Save answers" not in page and "I agree to these answers" not in page
    assert "Add comment" in page
    for url, data in [(f"/c/{coop.slug}/founding/steps/purpose", {"coop_name": "Mentor Limited"}),
                      (f"/c/{coop.slug}/founding/steps/purpose/agree", {}),
                      (f"/c/{coop.slug}/founding/checklist/fees", {"state": "done"})]:
        assert client.post(url, data=data).status_code == 403, url
    with app.app_context():
        actions = set(db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.actor_id == mentor.id))
                      .scalars())
    assert actions == set()


def test_a_mentor_sees_only_the_coops_of_their_cohorts(app, make, login):
    mentor, other_mentor = make.user(), make.user()
    coop, _ = founding_team(make, cohort_mentor=mentor)
    elsewhere, _ = founding_team(make, cohort_mentor=other_mentor)
    client = login(app.test_client(), mentor)
    assert client.get(f"/c/{coop.slug}/founding/").status_code == 200
    assert client.get(f"/c/{elsewhere.slug}/founding/").status_code == 403
    assert client.get(f"/c/{elsewhere.slug}/founding/steps/purpose").status_code == 403
    assert client.post(f"/c/{elsewhere.slug}/founding/steps/purpose/comments",
                       data={"comment-body": "Hello"}).status_code == 403
    assert elsewhere.name not in client.get("/mentor/").text


def _agree(client, coop, step_key="management"):
    assert client.post(f"/c/{coop.slug}/founding/steps/{step_key}/agree").status_code == 302


def test_naming_yourself_secretary_shows_nothing_until_the_others_agree(app, make, login):
    """A founder who edits the founding-secretary answer to name themself does not see the
    other founders' details; the change takes effect when every founder has agreed."""
    coop, users = founding_team(make)
    alice, bob, carol = (login(app.test_client(), u) for u in users)
    ids = founder_ids(app, coop)
    post_step(alice, coop, "management", {**COMPLETE_ANSWERS["management"], "secretary_member_id": str(ids[0])})
    for client in (alice, bob, carol):
        _agree(client, coop)
    assert bob.post(officers_url(coop, 1), data=OFFICER).status_code == 302
    assert "Asha Quietname" in alice.get(officers_url(coop)).text  # the agreed secretary

    # Carol names herself: nothing shows for her, and Alice (no longer agreed) loses it too.
    post_step(carol, coop, "management", {**COMPLETE_ANSWERS["management"], "secretary_member_id": str(ids[2])})
    page = carol.get(officers_url(coop)).text
    assert "Asha Quietname" not in page and "Hidden Row" not in page and "1999-04-21" not in page
    assert "not every" in page and "founder has agreed to that yet" in page
    assert "Asha Quietname" not in alice.get(officers_url(coop)).text
    # Carol's own agreement is not enough; Alice's neither: every founder must agree.
    _agree(carol, coop)
    _agree(alice, coop)
    assert "Asha Quietname" not in carol.get(officers_url(coop)).text
    _agree(bob, coop)
    assert "Asha Quietname" in carol.get(officers_url(coop)).text


def test_each_founder_sees_who_can_see_their_details(app, make, login):
    coop, users = founding_team(make)
    alice, bob, _ = (login(app.test_client(), u) for u in users)
    ids = founder_ids(app, coop)
    assert bob.post(officers_url(coop, 1), data=OFFICER).status_code == 302
    page = bob.get(officers_url(coop)).text
    assert "Who can see these details" in page and "nobody yet" in page
    post_step(alice, coop, "management", {**COMPLETE_ANSWERS["management"], "secretary_member_id": str(ids[0])})
    page = bob.get(officers_url(coop)).text
    assert f"{users[0].name} is named as founding secretary, but not every" in page
    for client in (alice, bob, login(app.test_client(), users[2])):
        _agree(client, coop)
    page = bob.get(officers_url(coop)).text
    assert f"<strong>{users[0].name}</strong>" in page and "not every" not in page
