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


#: what the secretary may enter or correct for an appointment (Companies Act 2006 ss.162-163 for a
#: company's directors; a society's register of officers the same): the name (of an officer who is
#: not a member: a member's is on their entry), particulars, and the dates
PARTICULARS = ("person_name", "former_names", "service_address", "residential_address", "date_of_birth",
               "nationality", "country_of_residence", "occupation", "appointed_on", "ceased_on")
#: shown to the secretary only (the register shows the month and year of birth)
PRIVATE_PARTICULARS = ("residential_address", "date_of_birth")
_LIMITS = {"person_name": 160, "former_names": 160, "service_address": 1000, "residential_address": 1000,
           "nationality": 80, "country_of_residence": 80, "occupation": 120}
#: a director must be 16 or over (2014 Act rules; Companies Act 2006 s.157)
MIN_DIRECTOR_AGE = 16


class ParticularsError(RegisterError):
    """A refusal about one field of the particulars form (``field``)."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def _text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def _age_on(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _check_particulars(officer: Officer, new: dict) -> None:
    """RegisterError with a message for the field when ``new`` (the officer's values after the
    change) can't stand."""
    for key, limit in _LIMITS.items():
        if len(new[key] or "") > limit:
            raise ParticularsError(key, f"{key.replace('_', ' ').capitalize()}: at most {limit} characters.")
    if officer.member_id is None and not (new["person_name"] or "").strip():
        raise ParticularsError("person_name", "Give the officer's full name.")
    today = date.today()
    appointed, ceased, born = new["appointed_on"], new["ceased_on"], new["date_of_birth"]
    if appointed is None:
        raise ParticularsError("appointed_on", "Give the date of appointment.")
    if appointed > today:
        raise ParticularsError("appointed_on", "An appointment can't start in the future.")
    member = db.session.get(Member, officer.member_id) if officer.member_id else None
    if member is not None and member.admitted_on and appointed < member.admitted_on:
        raise ParticularsError("appointed_on", f"An office can't start before the member was admitted ({member.admitted_on:%d/%m/%Y}).")
    if officer.ceased_on is None and ceased is not None:
        raise ParticularsError("ceased_on", "Record the end of an appointment with 'End appointment', not as a correction.")
    if officer.ceased_on is not None and ceased is None:
        raise ParticularsError("ceased_on", "An ended appointment stays ended: appoint the person again instead.")
    if ceased is not None and (ceased < appointed or ceased > today):
        raise ParticularsError("ceased_on", "The date ceased must be on or after the date appointed, and not in the future.")
    if born is not None:
        if born > today:
            raise ParticularsError("date_of_birth", "A date of birth can't be in the future.")
        if officer.office == "director" and _age_on(born, appointed) < MIN_DIRECTOR_AGE:
            raise ParticularsError("date_of_birth", f"A director must be {MIN_DIRECTOR_AGE} or over: with that date of birth they "
                                f"were {_age_on(born, appointed)} when appointed.")


def set_particulars(officer: Officer, changes: dict, *, actor, reason: str = "") -> list:
    """Enter or correct an appointment's particulars, name and dates. Each changed field gets an
    OfficerAmendment with the old value, the new one and the reason (a correction of something
    already entered needs a reason; entering a blank field does not). Unchanged fields are ignored;
    nothing is deleted. Changes: Officer fields, OfficerAmendment rows. Flushes. Returns the amendments."""
    from coopkit.register.models import OfficerAmendment

    unknown = set(changes) - set(PARTICULARS)
    if unknown:
        raise RegisterError("Those details can't be recorded here.")
    if "person_name" in changes and officer.member_id is not None:
        raise ParticularsError("person_name", "A member's name is corrected on their entry in the register of members.")
    changes = {k: (v.strip() if isinstance(v, str) else v) for k, v in changes.items()}
    changed = {k: v for k, v in changes.items() if _text(getattr(officer, k)) != _text(v)}
    _check_particulars(officer, {k: changed.get(k, getattr(officer, k)) for k in PARTICULARS})
    reason = (reason or "").strip()
    if not reason and any(_text(getattr(officer, k)) for k in changed):
        raise ParticularsError("reason", "Say why the entry changes: the reason is kept with the old value.")
    reason = reason or "Particulars entered"
    amendments = []
    for key in PARTICULARS:
        if key not in changed:
            continue
        amendment = OfficerAmendment(coop_id=officer.coop_id, officer_id=officer.id, field=key,
                                     old_value=_text(getattr(officer, key)), new_value=_text(changed[key]),
                                     reason=reason[:300], on=date.today(),
                                     actor_id=getattr(actor, "id", None))
        setattr(officer, key, changed[key])
        db.session.add(amendment)
        amendments.append(amendment)
    if not amendments:
        return []
    db.session.flush()
    record("officer.amended", coop=db.session.get(Coop, officer.coop_id), actor=actor, subject=officer,
           data={"fields": [a.field for a in amendments], "amendment_ids": [a.id for a in amendments]})
    return amendments


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


