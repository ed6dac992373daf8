from coopkit.founding.catalogue import steps
from tests.founding.helpers import COMPLETE_ANSWERS, founder_ids, founding_team, post_step


def test_every_step_page_renders_for_a_founder(client, make, login):
    coop, users = founding_team(make)
    login(client, users[0])
    assert client.get(f"/c/{coop.slug}/founding/").status_code == 200
    for step in steps():
        response = client.get(f"/c/{coop.slug}/founding/steps/{step.key}")
        assert response.status_code == 200, step.key
        assert step.title in response.text


def test_complete_answers_save(client, make, login, app):
    coop, users = founding_team(make)
    login(client, users[0])
    for step_key, data in COMPLETE_ANSWERS.items():
        data = dict(data)
        if step_key == "management":
            data["secretary_member_id"] = str(founder_ids(app, coop)[0])
        response = post_step(client, coop, step_key, data)
        assert response.status_code == 302, (step_key, response.text[:3000])
        page = client.get(f"/c/{coop.slug}/founding/steps/{step_key}")
        assert page.status_code == 200
