"""The register of officers (members and others) with directors' particulars, and a company's
register of people with significant control: every write. Nothing here deletes a row."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import NON_MEMBER_OFFICES, OFFICES, Coop, Member, Officer
from coopkit.extensions import db
from coopkit.register.shares import RegisterError

OFFICE_LABELS = {"secretary": "Secretary", "director": "Director", "chair": "Chair", "treasurer": "Treasurer",
                 "manager": "Manager"}


def _coop(member: Member):
    return db.session.get(Coop, member.coop_id)


def appoint_officer(member: Member, office: str, *, on: date, actor) -> Officer:
    """Add an appointment to the register of officers. Flushes."""
    if office not in OFFICES:
        raise RegisterError("Choose an office.")
    if member.status not in ("founder", "member"):
        raise RegisterError("Only a current member can hold an office.")
    if member.admitted_on and on < member.admitted_on:
        raise RegisterError("An office can't start before the member was admitted.")
    existing = db.session.execute(
        sa.select(Officer.id).where(Officer.member_id == member.id, Officer.office == office,
                                    Officer.ceased_on.is_(None))
    ).first()
    if existing:
        raise RegisterError(f"{member.full_name} already holds that office.")
    if office in ("secretary", "chair", "treasurer") and db.session.execute(
        sa.select(Officer.id).where(Officer.coop_id == member.coop_id, Officer.office == office,
                                    Officer.ceased_on.is_(None))
    ).first():
        raise RegisterError(f"Someone already holds the office of {OFFICE_LABELS[office].lower()}: "
                            "record the end of their appointment first.")
    officer = Officer(coop_id=member.coop_id, member_id=member.id, office=office, appointed_on=on)
    db.session.add(officer)
    db.session.flush()
    record("officer.appointed", coop=_coop(member), actor=actor, subject=officer,
           data={"member_id": member.id, "office": office, "on": on.isoformat()})
    return officer


def elect_director(member: Member, *, on: date, term_ends_on: date | None, actor, decision: str) -> Officer:
    """Record a director elected at a general meeting (``decision`` says which resolution) with
    the term the rules give. A director re-elected keeps their appointment with the new term.
    Changes: adds an Officer, or sets an Officer's term_ends_on. Flushes."""
    held = db.session.execute(
        sa.select(Officer).where(Officer.member_id == member.id, Officer.office == "director",
                                 Officer.ceased_on.is_(None))).scalar_one_or_none()
    if held is None:
        officer = appoint_officer(member, "director", on=on, actor=actor)
    else:
        officer = held
    officer.term_ends_on = term_ends_on
    db.session.flush()
    record("officer.elected", coop=_coop(member), actor=actor, subject=officer,
           data={"member_id": member.id, "on": on.isoformat(), "re_elected": held is not None,
                 "term_ends_on": term_ends_on.isoformat() if term_ends_on else None, "by": decision})
    return officer


def appoint_non_member(coop, *, name: str, office: str, on: date, actor, service_address: str = "",
                       date_of_birth: date | None = None) -> Officer:
    """Record an officer who is not a member (the rules let the directors appoint a secretary or a
    manager who is another suitable person). Changes: adds an Officer. Flushes."""
    name = (name or "").strip()
    if not name:
        raise RegisterError("Give the officer's full name.")
    if len(name) > 160:
        raise RegisterError("A name is at most 160 characters.")
    if office not in NON_MEMBER_OFFICES:
        raise RegisterError("Someone who is not a member may be appointed secretary or manager only: the "
                            "directors and the other officers are members.")
    if on > date.today():
        raise RegisterError("An appointment can't start in the future.")
    if office == "secretary" and db.session.execute(
        sa.select(Officer.id).where(Officer.coop_id == coop.id, Officer.office == "secretary",
                                    Officer.ceased_on.is_(None))
    ).first():
        raise RegisterError("Someone already holds the office of secretary: record the end of their "
                            "appointment first.")
    officer = Officer(coop_id=coop.id, member_id=None, person_name=name, office=office, appointed_on=on,
                      service_address=(service_address or "").strip(), date_of_birth=date_of_birth)
    db.session.add(officer)
    db.session.flush()
    record("officer.appointed", coop=coop, actor=actor, subject=officer,
           data={"member_id": None, "office": office, "on": on.isoformat(), "non_member": True})
    return officer


PARTICULARS = ("service_address", "date_of_birth", "nationality", "country_of_residence", "occupation")


def set_particulars(officer: Officer, changes: dict, *, actor) -> None:
    """Record a director's particulars (Companies Act 2006 ss.162-163): service address, date of birth,
    nationality, country of usual residence, business occupation. Changes: Officer fields. Flushes."""
    unknown = set(changes) - set(PARTICULARS)
    if unknown:
        raise RegisterError("Those details can't be recorded here.")
    dob = changes.get("date_of_birth")
    if dob is not None and dob > date.today():
        raise RegisterError("A date of birth can't be in the future.")
    for key, value in changes.items():
        setattr(officer, key, value.strip() if isinstance(value, str) else value)
    db.session.flush()

    record("officer.particulars", coop=db.session.get(Coop, officer.coop_id), actor=actor, subject=officer,
           data={"fields": sorted(changes)})


def add_significant_control(coop, *, full_name: str, nature: str, became_on: date, actor,
                            member: Member | None = None, service_address: str = "",
                            date_of_birth: date | None = None, nationality: str = "",
                            country_of_residence: str = ""):
    """Enter a person in the register of people with significant control (a company). Flushes."""
    from coopkit.register.models import SignificantControl

    if getattr(coop, "legal_form", None) != "company":
        raise RegisterError("Only a company keeps a register of people with significant control.")
    full_name = (member.full_name if member is not None else full_name or "").strip()
    nature = (nature or "").strip()
    if not full_name:
        raise RegisterError("Give the person's full name.")
    if not nature:
        raise RegisterError("Say how they have significant control (for example, more than 25% of the votes).")
    if became_on > date.today():
        raise RegisterError("The date can't be in the future.")
    row = SignificantControl(coop_id=coop.id, member_id=member.id if member else None, full_name=full_name[:160],
                             nature=nature[:300], service_address=(service_address or "").strip(),
                             date_of_birth=date_of_birth, nationality=(nationality or "").strip()[:80],
                             country_of_residence=(country_of_residence or "").strip()[:80], became_on=became_on)
    db.session.add(row)
    db.session.flush()
    record("psc.added", coop=coop, actor=actor, subject=row, data={"member_id": row.member_id,
                                                                   "on": became_on.isoformat()})
    return row


def end_significant_control(row, *, on: date, actor) -> None:
    """Record that a person stopped being registrable on ``on`` (the entry is kept). Flushes."""
    if row.ceased_on is not None:
        raise RegisterError("That entry has already ended.")
    if on < row.became_on:
        raise RegisterError("It can't end before it began.")
    row.ceased_on = on
    db.session.flush()

    record("psc.ceased", coop=db.session.get(Coop, row.coop_id), actor=actor, subject=row,
           data={"on": on.isoformat()})


def end_appointment(officer: Officer, *, on: date, actor) -> None:
    """Record the end of an appointment on ``on``. Changes: Officer.ceased_on. Flushes."""
    if officer.ceased_on is not None:
        raise RegisterError("That appointment has already ended.")
    if on < officer.appointed_on:
        raise RegisterError("An appointment can't end before it started.")
    officer.ceased_on = on
    db.session.flush()

    record("officer.ceased", coop=db.session.get(Coop, officer.coop_id), actor=actor, subject=officer,
           data={"member_id": officer.member_id, "office": officer.office, "on": on.isoformat()})


