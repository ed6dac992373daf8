"""Factories for tests. Each call runs in its own app context and commits, and
returns a plain record, so test code never shares a session with a request."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date
from functools import cache

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from coopkit.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


@cache
def _password_hash() -> str:
    return generate_password_hash(PASSWORD, method="scrypt")


@dataclass(frozen=True)
class UserRec:
    id: int
    email: str
    name: str
    session_version: int
    password: str = PASSWORD


@dataclass(frozen=True)
class CoopRec:
    id: int
    slug: str
    name: str
    stage: str


@dataclass(frozen=True)
class MemberRec:
    id: int
    coop_id: int
    user_id: int | None
    full_name: str
    status: str


class Factory:
    def __init__(self, app):
        self.app = app

    def user(self, email: str | None = None, name: str | None = None, is_admin: bool = False) -> UserRec:
        from coopkit.accounts.models import User

        n = next(_counter)
        with self.app.app_context():
            user = User(email=(email or f"person{n}@example.org").lower(), name=name or f"Person {n}",
                        password_hash=_password_hash(), is_admin=is_admin, session_version=1)
            db.session.add(user)
            db.session.commit()
            return UserRec(user.id, user.email, user.name, user.session_version)

    def coop(self, founder: UserRec | None = None, name: str | None = None, slug: str | None = None,
             stage: str = "forming", legal_form: str | None = None, cohort_id: int | None = None) -> CoopRec:
        from coopkit.accounts.models import User
        from coopkit.workspace.services import create_coop

        n = next(_counter)
        founder = founder or self.user()
        with self.app.app_context():
            user = db.session.get(User, founder.id)
            coop = create_coop(user, name or f"Test Co-op {n}", slug or f"test-coop-{n}")
            coop.stage = stage
            coop.legal_form = legal_form
            coop.cohort_id = cohort_id
            from coopkit.coops.models import Member

            for member in db.session.execute(sa.select(Member).where(Member.coop_id == coop.id)).scalars():
                member.postal_address = member.postal_address or "1 Founder Street, Preston"
            if stage == "registered":
                for member in db.session.execute(sa.select(Member).where(Member.coop_id == coop.id)).scalars():
                    member.status = "member"
                    member.admitted_on = date(2024, 1, 1)
            db.session.commit()
            return CoopRec(coop.id, coop.slug, coop.name, coop.stage)

    def member(self, coop: CoopRec, user: UserRec | None = None, status: str | None = None,
               name: str | None = None, address: str = "1 Test Street, Preston",
               admitted_on: date | None = None, with_user: bool = True) -> MemberRec:
        from coopkit.coops.models import Member

        if user is None and with_user:
            user = self.user(name=name)
        status = status or ("member" if coop.stage == "registered" else "founder")
        with self.app.app_context():
            member = Member(coop_id=coop.id, user_id=user.id if user else None,
                            full_name=name or (user.name if user else f"Member {next(_counter)}"),
                            email=user.email if user else None, postal_address=address, status=status,
                            admitted_on=admitted_on or (date(2024, 1, 1) if status == "member" else None))
            db.session.add(member)
            db.session.commit()
            return MemberRec(member.id, coop.id, member.user_id, member.full_name, member.status)

    def officer(self, member: MemberRec, office: str = "secretary", on: date = date(2024, 1, 1)) -> int:
        from coopkit.coops.models import Officer

        with self.app.app_context():
            officer = Officer(coop_id=member.coop_id, member_id=member.id, office=office, appointed_on=on)
            db.session.add(officer)
            db.session.commit()
            return officer.id

    def cohort(self, name: str | None = None, coops: tuple[CoopRec, ...] = (),
               mentors: tuple[UserRec, ...] = ()) -> int:
        from coopkit.coops.models import Cohort, Coop, MentorAssignment

        with self.app.app_context():
            cohort = Cohort(name=name or f"Cohort {next(_counter)}")
            db.session.add(cohort)
            db.session.flush()
            for coop in coops:
                db.session.get(Coop, coop.id).cohort_id = cohort.id
            for mentor in mentors:
                db.session.add(MentorAssignment(cohort_id=cohort.id, user_id=mentor.id))
            db.session.commit()
            return cohort.id

    def secretary(self, coop: CoopRec) -> tuple[UserRec, MemberRec]:
        user = self.user(name=f"Secretary {next(_counter)}")
        member = self.member(coop, user, status="member" if coop.stage == "registered" else "founder")
        self.officer(member, "secretary")
        return user, member


def sign_up(client, mailbox, name: str, email: str, start: str = "/signup", password: str = PASSWORD):
    """Sign up as a person does: name and address, then the emailed link, where the password
    is chosen. Returns the last response (a redirect to where the sign-up was headed)."""
    import re

    client.post(start, data={"name": name, "email": email})
    message = mailbox.to(email)[-1]
    path = re.search(r"http://localhost(/signup/\S+)", mailbox.body(message)).group(1)
    return client.post(path, data={"password": password, "confirm": password})
