"""With CSRF protection on, a POST without its token is refused and changes nothing.

Every POST route of the app is tried, as a role the policy allows to use it (so the
refusal comes from the missing token, not from authorization), with a body that
would otherwise be acceptable where we know one.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coopkit.coops import policy
from coopkit.extensions import db
from tests import authz_params
from tests.authz_params import ROLES, log_in_client

#: plausible form bodies, so that without the token check the request would write something
BODIES = {
    "accounts.signup": {"name": "New Person", "email": "new@example.org"},
    "accounts.finish_signup": {"password": "a long enough password", "confirm": "a long enough password"},
    "accounts.login": {"email": "nobody@example.org", "password": "whatever password"},
    "accounts.profile": {"name": "Changed Name"},
    "accounts.reset_request": {"email": "nobody@example.org"},
    "coops.new": {"name": "Sneaky Co-op", "slug": "sneaky-coop"},
    "workspace.invite": {"kind": "link"},
    "admin.cohorts": {"name": "Sneaky cohort"},
}


@pytest.fixture(autouse=True)
def _clean_database():
    yield


@pytest.fixture(scope="module")
def world(app):
    with authz_params.world_for(app) as world:
        yield world


def row_counts() -> dict[str, int]:
    counts = {}
    for table in db.metadata.sorted_tables:
        counts[table.name] = db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    db.session.remove()
    return counts


def allowed_role(world, route) -> tuple[str, object] | None:
    """The first (role, co-op) the policy lets use the route."""
    for coop in authz_params.coops_for(world, route):
        for role in ROLES:
            if world.roles_in(role, coop) & policy.ACTIONS[route.action]:
                return role, coop
    return None


def test_every_post_route_refuses_a_missing_token(app, world, csrf_enabled):
    client = app.test_client()
    post_routes = [r for r in authz_params.routes(app) if "POST" in r.methods and r.action]
    assert post_routes
    failures, tried = [], []
    for route in post_routes:
        choice = allowed_role(world, route)
        if choice is None:
            continue  # nobody may use it; the authorization walk covers it
        role, coop = choice
        world.role = role
        try:
            url = authz_params.build_url(app, world, route, coop)
        except authz_params.MissingBuilder:
            continue  # reported by the authorization walk
        log_in_client(client, world, role)
        with app.app_context():
            before = row_counts()
        response = client.post(url, data=BODIES.get(route.endpoint, {}))
        with app.app_context():
            after = row_counts()
        tried.append(route.endpoint)
        if response.status_code != 400 or "This form has expired" not in response.text:
            failures.append(f"{role} POST {url} ({route.endpoint}): answered {response.status_code}, not 400")
        if before != after:
            changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
            failures.append(f"{role} POST {url} ({route.endpoint}): wrote rows {changed}")
    world.role = None
    assert "accounts.login" in tried and "workspace.invite" in tried
    assert not failures, "\n".join(failures)


def test_logout_without_token_keeps_the_session(app, world, csrf_enabled):
    client = log_in_client(app.test_client(), world, "member")
    assert client.post("/logout").status_code == 400
    assert client.get("/c/").status_code == 200


def test_a_token_from_the_form_is_accepted(app, world, csrf_enabled):
    """The refusal above is about the token: with the form's own token the same post works."""
    import re

    client = log_in_client(app.test_client(), world, "outsider")
    page = client.get("/account")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text)
    if token is None:
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
    assert token, "no CSRF token in the profile form"
    response = client.post("/account", data={"csrf_token": token.group(1), "name": "Otto Renamed"})
    assert response.status_code == 302
    from coopkit.accounts.models import User

    with app.app_context():
        assert db.session.get(User, world.users["outsider"].id).name == "Otto Renamed"
        db.session.get(User, world.users["outsider"].id).name = "Otto Outsider"
        db.session.commit()
