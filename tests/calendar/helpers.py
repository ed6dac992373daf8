"""A registered society to test the calendar on: secretary, directors, a worker on probation,
a mentor following it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from coopkit.extensions import db
from tests.factories import CoopRec, MemberRec, UserRec

REGISTERED_ON = date(2024, 3, 1)


@dataclass
class Society:
    coop: CoopRec
    secretary: UserRec
    director: UserRec
    member: UserRec
    mentor: UserRec
    probationer: MemberRec


def society(make, *, members: int = 0, legal_form: str = "society", slug: str | None = None) -> Society:
    from coopkit.coops.models import Coop, Member

    director = make.user(name="Dee Director")
    coop = make.coop(founder=director, stage="registered", legal_form=legal_form, slug=slug,
                     name="Calendar Co-operative Limited")
    secretary, secretary_member = make.secretary(coop)
    member = make.user(name="Mem Member")
    make.member(coop, member)
    for n in range(members):
        make.member(coop, name=f"Extra Member {n}")
    probationer = make.member(coop, name="Pat Probation", status="applicant", with_user=False)
    mentor = make.user(name="Men Mentor")
    make.cohort(coops=(coop,), mentors=(mentor,))
    with make.app.app_context():
        row = db.session.get(Coop, coop.id)
        row.registered_on = REGISTERED_ON
        row.registration_number = "12345R"
        director_member = db.session.query(Member).filter_by(coop_id=coop.id, user_id=director.id).one()
        db.session.get(Member, probationer.id).probation_ends_on = date(2026, 12, 20)
        db.session.commit()
        director_member_id = director_member.id
    make.officer(MemberRec(director_member_id, coop.id, director.id, director.name, "member"), "director")
    make.officer(secretary_member, "director")
    return Society(coop, secretary, director, member, mentor, probationer)
