"""Fixtures for meetings: a registered co-op whose rules allow proxies (limit 1) and online
meetings, with a secretary and five more voting members (seven on the register)."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from coopkit.extensions import db
from tests.factories import CoopRec, MemberRec, UserRec
from tests.founding.helpers import COMPLETE_ANSWERS


def answers(**decisions) -> dict:
    chosen = copy.deepcopy(COMPLETE_ANSWERS)
    chosen["decisions"].update({"proxies": "yes", "proxy_limit": "1"})
    chosen["decisions"].update({k: str(v) for k, v in decisions.items()})
    return chosen


@dataclass
class Assembly:
    coop: CoopRec
    secretary: UserRec
    secretary_member: MemberRec
    people: list[tuple[UserRec, MemberRec]]

    def user(self, i: int) -> UserRec:
        return self.people[i][0]

    def member(self, i: int) -> MemberRec:
        return self.people[i][1]


def build_assembly(app, make, *, slug="meeting-coop", rule_answers=None, names=None) -> Assembly:
    from tests.proposals.helpers import rules_in_force

    founder = make.user(name="Fran Founder")
    coop = make.coop(founder, stage="registered", slug=slug, legal_form="society")
    secretary, sec_member = make.secretary(coop)
    people = [(founder, None)]
    for name in names or ("Amy Adams", "Bo Brown", "Cy Clark", "Di Dunn", "Ed Evans"):
        user = make.user(name=name)
        people.append((user, make.member(coop, user)))
    rules_in_force(app, coop, secretary, answers=rule_answers or answers())
    with app.app_context():
        import sqlalchemy as sa

        from coopkit.coops.models import Member

        fid = db.session.execute(sa.select(Member.id).where(Member.user_id == founder.id)).scalar_one()
    people[0] = (founder, MemberRec(fid, coop.id, founder.id, founder.name, "member"))
    return Assembly(coop, secretary, sec_member, people)


@pytest.fixture()
def assembly(app, make) -> Assembly:
    return build_assembly(app, make)


def run(app, fn):
    """Run ``fn(coop, user_of)`` in a fresh app context and commit; the session is removed after."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop

    with app.app_context():
        try:
            out = fn(lambda coop_id: db.session.get(Coop, coop_id), lambda uid: db.session.get(User, uid))
            db.session.commit()
            return out
        finally:
            db.session.remove()


def at_uk_noon(days_from_now: int) -> datetime:
    """Naive UTC for noon UK time ``days_from_now`` days ahead."""
    from coopkit.database import utcnow
    from coopkit.proposals.timefmt import from_uk, to_uk

    today = to_uk(utcnow()).date() + timedelta(days=days_from_now)
    return from_uk(datetime(today.year, today.month, today.day, 12, 0))
