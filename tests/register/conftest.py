"""Fixtures for the registers: a registered society with a secretary and a few members."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from coopkit.extensions import db
from tests.factories import CoopRec, MemberRec, UserRec


@dataclass
class Society:
    coop: CoopRec
    secretary: UserRec
    secretary_member: MemberRec
    #: (user, member) of ordinary members with accounts
    people: list[tuple[UserRec, MemberRec]]

    @property
    def member_user(self) -> UserRec:
        return self.people[0][0]

    @property
    def member(self) -> MemberRec:
        return self.people[0][1]


@pytest.fixture()
def society(make) -> Society:
    """A registered society: a secretary (a member since 1 January 2024) and two members
    with accounts. Nobody holds shares yet."""
    founder = make.user(name="Sam Secretary")
    coop = make.coop(founder, name="Ribble Web Co-operative Limited", slug="ribble-web", stage="registered",
                     legal_form="society")
    with make.app.app_context():
        import sqlalchemy as sa

        from coopkit.coops.models import Member

        sec_id = db.session.execute(sa.select(Member.id).where(Member.coop_id == coop.id,
                                                               Member.user_id == founder.id)).scalar_one()
    sec_member = MemberRec(sec_id, coop.id, founder.id, founder.name, "member")
    make.officer(sec_member, "secretary", on=date(2024, 1, 1))
    people = []
    for name, street in (("Amy Adams", "2 Adam Street"), ("Bo Brown", "3 Brown Lane")):
        user = make.user(name=name)
        people.append((user, make.member(coop, user, address=f"{street}, Preston", admitted_on=date(2024, 1, 1))))
    return Society(coop, founder, sec_member, people)


class Ctx:
    """Handy lookups inside one app context."""

    def coop(self, coop_id: int):
        from coopkit.coops.models import Coop

        return db.session.get(Coop, coop_id)

    def user(self, user_id: int):
        from coopkit.accounts.models import User

        return db.session.get(User, user_id)

    def member(self, member_id: int):
        from coopkit.coops.models import Member

        return db.session.get(Member, member_id)


def run(app, fn):
    """Run ``fn(ctx)`` in a fresh app context and commit; return its result."""
    with app.app_context():
        try:
            out = fn(Ctx())
            db.session.commit()
            return out
        finally:
            db.session.remove()


@pytest.fixture()
def in_app(app):
    return lambda fn: run(app, fn)
