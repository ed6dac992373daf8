"""Concurrent writers through the whole stack: requests that write at the same moment
wait for each other (SQLite: BEGIN IMMEDIATE + busy timeout; PostgreSQL: row locks)
instead of failing with "database is locked" or losing a write."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db
from tests.threads import run_together

THREADS = 10


def test_simultaneous_invitations_in_one_coop_all_land(app, make, login):
    """Ten founders' requests each read the co-op and append to its audit chain at once."""
    from coopkit.audit.services import chain_name, verify_chain
    from coopkit.coops.models import Invitation

    founder = make.user()
    coop = make.coop(founder=founder)
    statuses: list[int] = []

    def invite(index: int):
        client = login(app.test_client(), founder)
        response = client.post(f"/c/{coop.slug}/people/invite", data={"kind": "link"})
        statuses.append(response.status_code)

    errors = run_together(THREADS, invite)
    assert not errors, errors
    assert statuses == [200] * THREADS
    with app.app_context():
        count = db.session.execute(
            sa.select(sa.func.count()).select_from(Invitation).where(Invitation.coop_id == coop.id)
        ).scalar_one()
        assert count == THREADS
        report = verify_chain(chain_name(coop.id))
        assert report.problem is None


def test_simultaneous_sign_ups_all_land_and_a_duplicate_is_refused(app):
    from coopkit.accounts.models import User
    from coopkit.accounts.services import make_signup_token

    locations: dict[int, str] = {}
    emails = {i: "same@example.org" if i < 2 else f"person{i}@example.org" for i in range(THREADS)}
    with app.test_request_context():
        tokens = {i: make_signup_token(emails[i], f"Person {i}") for i in range(THREADS)}

    def sign_up(index: int):
        # Two threads finish a sign-up for the same address: exactly one of them may get it.
        response = app.test_client().post(f"/signup/{tokens[index]}", data={
            "password": "a long enough password", "confirm": "a long enough password"})
        assert response.status_code == 302
        locations[index] = response.headers["Location"]

    errors = run_together(THREADS, sign_up)
    assert not errors, errors
    assert sorted(locations[i].rsplit("/", 1)[-1] for i in range(2)) == ["", "login"]  # /c/ and /login
    assert all(locations[i].endswith("/c/") for i in range(2, THREADS))
    with app.app_context():
        found = db.session.execute(sa.select(User.email)).scalars().all()
        assert sorted(found) == sorted(set(emails.values()))


def test_two_coops_racing_for_one_address(app, make, login):
    from coopkit.coops.models import Coop

    users = [make.user() for _ in range(4)]
    statuses: dict[int, int] = {}

    def create(index: int):
        client = login(app.test_client(), users[index])
        response = client.post("/c/new", data={"name": f"Racer {index}", "slug": "one-address"})
        statuses[index] = response.status_code

    errors = run_together(len(users), create)
    assert not errors, errors
    assert sorted(statuses.values()) == [200, 200, 200, 302]
    with app.app_context():
        assert db.session.execute(
            sa.select(sa.func.count()).select_from(Coop).where(Coop.slug == "one-address")).scalar_one() == 1
