"""Demo data: two co-ops, a cohort, a mentor and an admin.

Every feature adds its own demo data through a function in ``FEATURE_SEEDS``
that receives the :class:`DemoContext`. Seeding is idempotent: it does nothing
when the demo admin exists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.accounts.services import create_user
from coopkit.audit.services import record
from coopkit.coops.models import Cohort, Coop, Member, MentorAssignment, Officer
from coopkit.extensions import db
from coopkit.mentoring.services import (
    add_coop_to_cohort,
    answer_request,
    assign_mentor,
    create_cohort,
)
from coopkit.register.services import appoint_officer
from coopkit.workspace.services import create_coop

DEMO_PASSWORD = "coopkit-demo-2026"
ADMIN_EMAIL = "admin@coopkit.example"
MENTOR_EMAIL = "mentor@coopkit.example"

NORTHERN_PIXELS_FOUNDERS = [
    ("Asha Patel", "asha@northern-pixels.example"),
    ("Ben Okafor", "ben@northern-pixels.example"),
    ("Chloe Wright", "chloe@northern-pixels.example"),
]

PRESTON_DIGITAL_MEMBERS = [
    # (name, email, street) — the first is the secretary
    ("Dana Hughes", "dana@preston-digital.example", "14 Fishergate"),
    ("Eli Morgan", "eli@preston-digital.example", "3 Friargate"),
    ("Farah Khan", "farah@preston-digital.example", "27 Lune Street"),
    ("George Lee", "george@preston-digital.example", "8 Winckley Square"),
    ("Hana Novak", "hana@preston-digital.example", "51 Church Street"),
    ("Idris Bello", "idris@preston-digital.example", "19 Ribbleton Lane"),
    ("Jess Taylor", "jess@preston-digital.example", "6 Avenham Road"),
    ("Kofi Mensah", "kofi@preston-digital.example", "33 Deepdale Road"),
    ("Lena Fischer", "lena@preston-digital.example", "2 Ashton Bank"),
    ("Marc Dubois", "marc@preston-digital.example", "41 Plungington Road"),
    ("Nia Roberts", "nia@preston-digital.example", "12 Moor Lane"),
    ("Omar Haddad", "omar@preston-digital.example", "25 Garstang Road"),
]


@dataclass
class DemoContext:
    admin: User
    mentor: User
    northern_pixels: Coop
    preston_digital: Coop
    users: dict[str, User] = field(default_factory=dict)
    secretary: Member | None = None


def _feature_seeds():
    """Each feature's seeding function, in dependency order."""
    seeds = []
    for module_name in ("coopkit.register.demo", "coopkit.founding.demo", "coopkit.rules.demo",
                        "coopkit.proposals.demo", "coopkit.meetings.demo", "coopkit.calendar.demo", "coopkit.directory.demo"):
        try:
            module = __import__(module_name, fromlist=["seed"])
        except ModuleNotFoundError as exc:
            if not module_name.startswith(exc.name or "?"):
                raise
            continue
        seeds.append(module.seed)
    return seeds


def seed() -> bool:
    """Create the demo data unless it exists. Returns True when it created it. Flushes."""
    if db.session.execute(sa.select(User.id).where(User.email == ADMIN_EMAIL)).first():
        return False
    admin = create_user(ADMIN_EMAIL, "Ada Admin", DEMO_PASSWORD, is_admin=True)
    mentor = create_user(MENTOR_EMAIL, "Morgan Mentor", DEMO_PASSWORD)
    cohort = create_cohort("UCLan digital graduates 2026",
                           "Graduate teams from the Preston digital programme becoming worker co-ops.", admin)
    assign_mentor(cohort, MENTOR_EMAIL, admin)

    users: dict[str, User] = {}
    first_name, first_email = NORTHERN_PIXELS_FOUNDERS[0]
    users[first_email] = create_user(first_email, first_name, DEMO_PASSWORD)
    northern = create_coop(users[first_email], "Northern Pixels", "northern-pixels")
    for name, email in NORTHERN_PIXELS_FOUNDERS[1:]:
        users[email] = create_user(email, name, DEMO_PASSWORD)
        member = Member(coop_id=northern.id, user_id=users[email].id, full_name=name, email=email,
                        status="founder")
        db.session.add(member)
        db.session.flush()
        record("member.founder_added", coop=northern, actor=users[email], subject=member)
    # The co-op's own founder accepts the platform's request to join the cohort.
    answer_request(northern, add_coop_to_cohort(cohort, northern, admin), True, users[first_email])

    secretary_name, secretary_email, _ = PRESTON_DIGITAL_MEMBERS[0]
    users[secretary_email] = create_user(secretary_email, secretary_name, DEMO_PASSWORD)
    preston = create_coop(users[secretary_email], "Preston Digital Co-operative Limited", "preston-digital")
    preston.stage = "registered"
    preston.legal_form = "society"
    preston.registration_number = "31742R"
    preston.registered_on = date(2024, 3, 1)
    preston.registered_office = "Unit 4, 10 Fishergate, Preston PR1 2UR"
    members: list[Member] = []
    for index, (name, email, street) in enumerate(PRESTON_DIGITAL_MEMBERS):
        if index:
            users[email] = create_user(email, name, DEMO_PASSWORD)
        member = db.session.execute(
            sa.select(Member).where(Member.coop_id == preston.id, Member.user_id == users[email].id)
        ).scalar_one_or_none()
        if member is None:
            member = Member(coop_id=preston.id, user_id=users[email].id)
            db.session.add(member)
        member.full_name, member.email = name, email
        member.postal_address = f"{street}, Preston"
        member.consents_to_electronic = True
        member.status = "member"
        member.admitted_on = date(2024, 3, 1) if index < 6 else date(2024, 9, 2 + index)
        db.session.flush()
        record("member.admitted", coop=preston, actor=users[secretary_email], subject=member,
               data={"on": member.admitted_on.isoformat()})
        members.append(member)
    secretary = members[0]
    appoint_officer(secretary, "secretary", on=date(2024, 3, 1), actor=users[secretary_email])
    answer_request(preston, add_coop_to_cohort(cohort, preston, admin), True, users[secretary_email])

    context = DemoContext(admin=admin, mentor=mentor, northern_pixels=northern, preston_digital=preston,
                          users=users, secretary=secretary)
    for feature_seed in _feature_seeds():
        feature_seed(context)
    db.session.flush()
    return True


def demo_logins() -> list[tuple[str, str, str]]:
    """Every demo account as (role, co-op, email): the admin, each mentor, then everyone on a
    co-op's register with their status and offices, read from the database (so a feature that
    seeds more people shows up here too)."""
    rows: list[tuple[str, str, str]] = []
    users = db.session.execute(sa.select(User).order_by(User.id)).scalars().all()
    for user in users:
        if user.is_admin:
            rows.append(("platform admin", "-", user.email))
    mentors = db.session.execute(
        sa.select(User.email, Cohort.name).join(MentorAssignment, MentorAssignment.user_id == User.id)
        .join(Cohort, Cohort.id == MentorAssignment.cohort_id).order_by(User.id)
    ).all()
    rows += [("mentor", f"cohort: {cohort}", email) for email, cohort in mentors]
    offices: dict[int, list[str]] = {}
    for member_id, office in db.session.execute(
        sa.select(Officer.member_id, Officer.office).where(Officer.ceased_on.is_(None)).order_by(Officer.office)
    ):
        offices.setdefault(member_id, []).append(office)
    people = db.session.execute(
        sa.select(Member.id, Member.status, Coop.slug, User.email)
        .join(Coop, Coop.id == Member.coop_id).join(User, User.id == Member.user_id)
        .where(Member.status != "ceased").order_by(Coop.slug, Member.id)
    ).all()
    for member_id, status, slug, email in people:
        held = [office for office in offices.get(member_id, []) if office != "director"]
        role = ", ".join(held + [status]) if held else status
        if "director" in offices.get(member_id, []):
            role += ", director"
        rows.append((role, slug, email))
    return rows


def logins_text() -> str:
    """The demo log-ins as a table, with the one password."""
    rows = [("role", "co-op", "email")] + demo_logins()
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = [f"Demo log-ins (the password for every one: {DEMO_PASSWORD})", ""]
    for index, row in enumerate(rows):
        lines.append("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            lines.append("  " + "  ".join("-" * width for width in widths))
    return "\n".join(lines)
