"""Demo registers: preston-digital gets a full history (shares issued on admission, a member
who left and whose share was withdrawn (the rules make shares non-transferable), officers under collective management, a loan,
a correction and a pending application). northern-pixels is still forming: founders hold no
shares yet."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.register import services

LEAVER = ("Priya Shah", "priya@preston-digital.example", "9 Cannon Street, Preston")
APPLICANT = ("Rosa Lima", "rosa@preston-digital.example", "17 Stanley Place, Preston")


def seed(ctx) -> None:
    coop = ctx.preston_digital
    actor = ctx.users.get("dana@preston-digital.example")
    members = list(db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status == "member")
        .order_by(Member.admitted_on, Member.id)).scalars())
    by_email = {m.email: m for m in members}
    latest = max(members, key=lambda m: (m.admitted_on, m.id))

    # A founding member who left when the newest member joined: her share was paid back.
    leaver = Member(coop_id=coop.id, full_name=LEAVER[0], email=LEAVER[1], postal_address=LEAVER[2],
                    consents_to_electronic=True, status="member", admitted_on=date(2024, 3, 1),
                    applied_on=date(2024, 3, 1))
    db.session.add(leaver)
    db.session.flush()
    record("member.admitted", coop=coop, actor=actor, subject=leaver, data={"on": "2024-03-01"})

    for member in sorted(members + [leaver], key=lambda m: (m.admitted_on, m.id)):
        services.issue_shares(member, 100, on=member.admitted_on, actor=actor,
                              note="Membership share issued on admission")
        services.appoint_officer(member, "director", on=member.admitted_on, actor=actor)
    services.cease_member(leaver, on=latest.admitted_on, reason="left_employment", actor=actor,
                          shares="withdraw")

    services.appoint_officer(by_email["eli@preston-digital.example"], "chair", on=date(2024, 3, 1), actor=actor)
    services.appoint_officer(by_email["farah@preston-digital.example"], "treasurer", on=date(2024, 3, 1),
                             actor=actor)

    lender = by_email["george@preston-digital.example"]
    services.add_property(lender, "loan", 250_000, on=date(2025, 2, 3), actor=actor,
                          note="4% a year, repayable on six months' notice")
    services.add_property(lender, "loan", 50_000, on=date(2026, 2, 2), actor=actor, repayment=True,
                          note="First repayment")

    mover = by_email["kofi@preston-digital.example"]
    services.amend_member(mover, {"postal_address": "5 Meadow Street, Preston"},
                          reason="Moved house (told the secretary on 1 June 2025)", actor=actor)

    services.add_applicant(coop, full_name=APPLICANT[0], email=APPLICANT[1], postal_address=APPLICANT[2],
                           consents_to_electronic=True, applied_on=date(2026, 11, 2), actor=actor)
