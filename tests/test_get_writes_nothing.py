"""No GET writes anything: every GET route, as every role, leaves the database exactly as
it was (row counts and a hash of every row of every table), sends no mail and queues no job.

The PDF cache is the one exception (see NOT_STATE). The world of tests/authz_params.py is used, plus a proposal in each co-op whose closing
time has passed (pages used to close it on a visit: now they show it as closing and the
periodic job closes it). Unlike the authorization walk, requests here are *not* rolled
back: a GET that wrote would commit, and the fingerprint would change.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests import authz_params
from tests.authz_params import ROLES, log_in_client


@pytest.fixture(autouse=True)
def _clean_database():
    """The world is built once for the module (and emptied at its end)."""
    yield


@pytest.fixture(scope="module")
def world(app):
    with authz_params.world_for(app) as world:
        for coop in world.coops:
            _past_due_proposal(app, world, coop)
        yield world


def _past_due_proposal(app, world, coop) -> None:
    """An open proposal, with a vote in it, whose closing time passed an hour ago."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop, Member
    from coopkit.database import utcnow
    from coopkit.proposals import services, voting
    from coopkit.proposals.models import Proposal

    proposer = world.users["founder"] if coop.id == world.forming.id else world.users["member"]
    with app.app_context():
        c, user = db.session.get(Coop, coop.id), db.session.get(User, proposer.id)
        now = utcnow()
        draft = services.Draft(title="Past its closing time", body="Text.", resolution_text="That it closes.",
                               method="resolution", preset="ordinary", closes_at=now + timedelta(days=3))
        proposal = services.create_proposal(c, user, draft, now=now - timedelta(days=4))
        services.open_proposal(proposal, c, user, notify=False)
        member = db.session.execute(sa.select(Member).where(Member.coop_id == c.id,
                                                            Member.user_id == user.id)).scalar_one()
        voting.cast_vote(proposal, c, member, "for")
        db.session.flush()
        db.session.execute(sa.update(Proposal).where(Proposal.id == proposal.id).values(
            opens_at=now - timedelta(days=4), closes_at=now - timedelta(hours=1)))
        db.session.commit()
        db.session.remove()


#: A cache, not state: rendered PDF bytes keyed by the SHA-256 of their exact input. A
#: download may fill it (and mark an entry used); no page shows or decides anything from it.
NOT_STATE = {"cached_documents"}


def fingerprint(app) -> dict[str, tuple[int, str]]:
    """Per table: the number of rows and a SHA-256 of all of them in primary-key order."""
    out = {}
    with app.app_context():
        try:
            for table in db.metadata.sorted_tables:
                if table.name in NOT_STATE:
                    continue
                order = list(table.primary_key.columns) or list(table.columns)
                digest = hashlib.sha256()
                rows = 0
                for row in db.session.execute(sa.select(table).order_by(*order)):
                    digest.update(repr(tuple(row)).encode())
                    rows += 1
                out[table.name] = (rows, digest.hexdigest())
        finally:
            db.session.rollback()
            db.session.remove()
    return out


def changed(before: dict, after: dict) -> list[str]:
    return [f"{name}: {before[name][0]} -> {after[name][0]} rows" + ("" if before[name][0] != after[name][0]
                                                                      else " (contents changed)")
            for name in before if before[name] != after[name]]


def _get_urls(app, world, role: str) -> list[tuple[str, str]]:
    urls = []
    for route in authz_params.routes(app, methods=("GET",)):
        if "GET" not in route.methods:
            continue
        for coop in authz_params.coops_for(world, route):
            try:
                urls.append((route.endpoint, authz_params.build_url(app, world, route, coop)))
            except authz_params.MissingBuilder:
                continue  # reported by tests/test_authorization.py
    return urls


@pytest.mark.parametrize("role", ROLES)
def test_no_get_changes_the_database(app, world, role, mailbox):
    from coopkit.jobs import huey

    client = app.test_client()
    world.role = role
    try:
        urls = _get_urls(app, world, role)  # builders may commit: before the first fingerprint
        assert len(urls) > 30
        before = fingerprint(app)
        assert before["proposals"][0] >= 2
        statuses = []
        for endpoint, url in urls:
            log_in_client(client, world, role)
            statuses.append((client.get(url).status_code, endpoint))
        after = fingerprint(app)
        if after != before:
            culprits = _find_writers(app, world, role, urls, client)
            pytest.fail(f"GET requests as {role} changed the database: {changed(before, after)}; "
                        f"pages that write again on a second walk: {culprits}")
    finally:
        world.role = None
    assert any(status == 200 for status, _ in statuses)
    assert mailbox.messages == []
    with app.app_context():
        assert huey.pending_count() == 0 and huey.scheduled_count() == 0


def _find_writers(app, world, role, urls, client) -> list[str]:
    """Walk again, one fingerprint per request, to name the pages that write."""
    found = []
    for endpoint, url in urls:
        before = fingerprint(app)
        log_in_client(client, world, role)
        client.get(url)
        after = fingerprint(app)
        if after != before:
            found.append(f"{endpoint} {url} ({', '.join(changed(before, after))})")
    return found


def test_a_proposal_past_its_closing_time_shows_as_closing_until_the_job_runs(app, world):
    from coopkit.jobs import run_pending_jobs
    from coopkit.proposals.models import Proposal

    client = log_in_client(app.test_client(), world, "member")
    with app.app_context():
        number = db.session.execute(sa.select(Proposal.number).where(
            Proposal.coop_id == world.registered.id, Proposal.title == "Past its closing time")).scalar_one()
        db.session.remove()
    url = f"/c/{world.registered.slug}/proposals/{number}"
    page = client.get(url).text
    assert "Closing: counting the votes" in page and "Voting has ended" in page
    assert "Closing: counting the votes" in client.get(f"/c/{world.registered.slug}/proposals/").text
    with app.app_context():
        run_pending_jobs(periodic=True)
    page = client.get(url).text
    assert "Closing: counting the votes" not in page and "See the results" in page
