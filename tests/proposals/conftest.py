"""Fixtures for proposals: a registered co-op with a secretary and voting members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.factories import CoopRec, MemberRec, UserRec


@dataclass
class Crew:
    coop: CoopRec
    secretary: UserRec
    people: list[tuple[UserRec, MemberRec]]

    @property
    def users(self) -> list[UserRec]:
        return [u for u, _ in self.people]


@pytest.fixture()
def crew(make) -> Crew:
    """A registered co-op: its founder (now a member), a secretary and three more members."""
    founder = make.user(name="Fran Founder")
    coop = make.coop(founder, stage="registered", slug="crew-coop")
    secretary, sec_member = make.secretary(coop)
    people = []
    for name in ("Amy Adams", "Bo Brown", "Cy Clark"):
        user = make.user(name=name)
        people.append((user, make.member(coop, user)))
    return Crew(coop, secretary, people)


def in_app(app, fn):
    """Run ``fn(coop, user_getter)`` in a fresh app context and commit."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop

    with app.app_context():
        try:
            out = fn(lambda coop_id: db.session.get(Coop, coop_id), lambda uid: db.session.get(User, uid))
            db.session.commit()
            return out
        finally:
            db.session.remove()


def make_open(app, crew: Crew, *, by: UserRec | None = None, days: float = 3, **draft):
    """Create and open a proposal through the services; returns (number, id)."""
    from coopkit.database import utcnow
    from coopkit.proposals import services

    def go(get_coop, get_user):
        coop, user = get_coop(crew.coop.id), get_user((by or crew.secretary).id)
        draft.setdefault("title", "Buy a second laptop")
        venue = draft.pop("venue", "writing")
        p = services.create_proposal(coop, user, services.Draft(closes_at=utcnow() + timedelta(days=days), **draft),
                                     venue=venue)
        services.open_proposal(p, coop, user)
        return p.number, p.id

    return in_app(app, go)


def make_election(app, crew: Crew, **draft):
    """An election at a general meeting (an elected board's rules): returns (number, id)."""
    from tests.proposals.helpers import rules_with

    rules_with(app, crew.coop.id, management="board")
    draft.setdefault("title", "Elect a director")
    return make_open(app, crew, venue="meeting", kind="election", method="election", **draft)


def time_travel(app, proposal_id: int, *, hours: float) -> None:
    """Move a proposal's opening and closing times ``hours`` into the past."""
    from coopkit.proposals.models import Proposal

    with app.app_context():
        proposal = db.session.get(Proposal, proposal_id)
        proposal.closes_at -= timedelta(hours=hours)
        proposal.opens_at -= timedelta(hours=hours)
        db.session.commit()
        db.session.remove()


def run_periodic_jobs(app) -> int:
    """Do what the queue's consumer does every minute (close due proposals, send reminders),
    and run the jobs that queues (the emails). Returns how many jobs ran."""
    from coopkit.jobs import run_pending_jobs

    with app.app_context():
        return run_pending_jobs(periodic=True)


def counts(app, *models) -> tuple[int, ...]:
    with app.app_context():
        try:
            return tuple(db.session.execute(sa.select(sa.func.count()).select_from(m)).scalar_one() for m in models)
        finally:
            db.session.remove()
