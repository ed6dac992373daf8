"""The register of members and the register of officers: every write. Nothing here deletes a row.

Share and property transactions are in :mod:`coopkit.register.shares`; the
functions other features call are re-exported here (``issue_shares`` etc.).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Coop, Member, Officer
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.register import authority
from coopkit.register.models import RegisterAmendment
from coopkit.register.officers import (  # noqa: F401  (re-exported: the register's public writes)
    OFFICE_LABELS,
    PARTICULARS,
    PRIVATE_PARTICULARS,
    add_significant_control,
    appoint_non_member,
    appoint_officer,
    end_appointment,
    end_significant_control,
    set_particulars,
)
from coopkit.register.queries import share_entries
from coopkit.register.shares import (  # noqa: F401  (re-exported: the register's public writes)
    RegisterError,
    add_months,
    add_property,
    issue_shares,
    register_terms,
    share_params,
    transfer_shares,
    withdraw_shares,
)
from coopkit.rules.queries import current_parameters

log = logging.getLogger("coopkit.register")

CEASE_REASONS = {
    "resigned": "Resigned",
    "left_employment": "Left employment",
    "expelled": "Expelled by resolution",
    "died": "Died",
    "withdrew_application": "Withdrew before admission",
}
#: what happens to a leaving member's shares
SHARE_DISPOSALS = {
    "withdraw": "Withdrawn (paid back at par)",
    "transfer": "Transferred to another member",
    "keep": "Left in place for now (e.g. pending the representatives of a member who died)",
}
#: fields of an entry that may be corrected, and who may change them
CORRECTABLE = ("full_name", "postal_address", "email", "consents_to_electronic", "member_class",
               "admitted_on", "ceased_on", "date_of_birth", "address_since")
SELF_EDITABLE = ("postal_address", "email", "consents_to_electronic", "date_of_birth", "address_since")
#: fields never written to the audit log's data (private)
PRIVATE_FIELDS = ("postal_address", "email", "date_of_birth", "address_since")


def _coop(member: Member):
    return db.session.get(Coop, member.coop_id)


def _params(coop) -> dict:
    return current_parameters(coop)


# --- applications and admission -------------------------------------------------------


def add_applicant(coop, *, full_name: str, actor, email: str | None = None, postal_address: str = "",
                  consents_to_electronic: bool = False, member_class: str = "voting",
                  applied_on: date | None = None, user_id: int | None = None,
                  date_of_birth: date | None = None, address_since: date | None = None) -> Member:
    """Add an application for membership (e.g. a worker in the co-op). Starts any probation
    the rules set. Changes: adds a Member with status applicant. Flushes."""
    full_name = (full_name or "").strip()
    if not full_name:
        raise RegisterError("Give the applicant's full name.")
    email = (email or "").strip().lower() or None
    applied_on = applied_on or date.today()
    if applied_on > date.today():
        raise RegisterError("The date of application can't be in the future.")
    params = _params(coop)
    _check_class(member_class, params)
    if email and db.session.execute(
        sa.select(Member.id).where(Member.coop_id == coop.id, sa.func.lower(Member.email) == email,
                                   Member.status != "ceased")
    ).first():
        raise RegisterError("Someone in this co-op's register already uses that email address.")
    member = Member(coop_id=coop.id, user_id=user_id, full_name=full_name, email=email,
                    postal_address=(postal_address or "").strip(), consents_to_electronic=bool(consents_to_electronic),
                    status="applicant", member_class=member_class, applied_on=applied_on,
                    date_of_birth=date_of_birth, address_since=address_since)
    if params.get("probation") == "period":
        member.probation_ends_on = add_months(applied_on, int(params.get("probation_months") or 0))
    db.session.add(member)
    db.session.flush()
    record("member.applied", coop=coop, actor=actor, subject=member,
           data={"on": applied_on.isoformat(), "member_class": member_class,
                 "probation_ends_on": member.probation_ends_on.isoformat() if member.probation_ends_on else None})
    log.info("Member %s applied", member.id)
    return member


def _check_class(member_class: str, params: dict) -> None:
    if member_class not in ("voting", "non_voting"):
        raise RegisterError("Choose a class of membership.")
    if member_class == "non_voting" and not params.get("non_voting_class"):
        raise RegisterError("This co-op's rules have no non-voting class: every member is a voting member.")


def probation_problem(member: Member, on: date, params: dict) -> str | None:
    """Why ``member`` cannot be admitted on ``on`` because of probation, or None."""
    probation = params.get("probation", "none")
    if probation == "none":
        return None
    if member.probation_ends_on is None:
        if probation == "hours":
            return ("The rules set a probation of hours worked: record the end of probation first.")
        return None
    if on < member.probation_ends_on:
        return f"Probation ends on {member.probation_ends_on:%d/%m/%Y}: admit on or after that date."
    return None


def end_probation(member: Member, *, on: date, actor) -> None:
    """Record that an applicant's probation ended on ``on``. Changes: probation_ends_on. Flushes."""
    if member.status != "applicant":
        raise RegisterError("Only an applicant is on probation.")
    if member.applied_on and on < member.applied_on:
        raise RegisterError("Probation can't end before the application was made.")
    old = member.probation_ends_on
    member.probation_ends_on = on
    db.session.add(RegisterAmendment(coop_id=member.coop_id, member_id=member.id, field="probation_ends_on",
                                     old_value=old.isoformat() if old else "", new_value=on.isoformat(),
                                     reason="End of probation recorded", on=date.today(), actor_id=_actor_id(actor)))
    db.session.flush()
    record("member.probation_ended", coop=_coop(member), actor=actor, subject=member, data={"on": on.isoformat()})


def admit_member(member: Member, on: date, actor, by_proposal_id: int | None = None) -> Member:
    """Approve an application: the applicant becomes a member on ``on``, is issued the
    membership share (societies) and, under collective management, appointed a director.

    Safe against two secretaries approving at once: the status is claimed with a conditional
    UPDATE, so exactly one approval succeeds and the other gets a RegisterError.
    Changes: Member status/admitted_on, a ShareTransaction, maybe an Officer. Flushes."""
    coop = _coop(member)
    params = _params(coop)
    if member.status != "applicant":
        raise RegisterError(f"{member.full_name} is not an applicant (already {member.status}).")
    if on > date.today() + timedelta(days=366):
        raise RegisterError("Choose a date of admission within the next year.")
    if member.applied_on and on < member.applied_on:
        raise RegisterError("A member can't be admitted before they applied.")
    problem = probation_problem(member, on, params)
    if problem:
        raise RegisterError(problem)
    if not (member.postal_address or "").strip():
        raise RegisterError(f"Record {member.full_name}'s postal address first: the register of members must "
                            "show every member's address (s.30 of the 2014 Act).")
    if by_proposal_id is not None:
        _check_decision(coop, by_proposal_id, "admission", member)
    elif params.get("admission_by") == "members":
        raise RegisterError("Your rules say the members admit new members by ordinary resolution: "
                            "choose the passed decision to admit them.")
    claimed = db.session.execute(
        sa.update(Member)
        .where(Member.id == member.id, Member.status == "applicant")
        .values(status="member", admitted_on=on, admitted_by_proposal_id=by_proposal_id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        db.session.refresh(member)
        raise RegisterError(f"{member.full_name} has already been dealt with (now {member.status}).")
    db.session.refresh(member)
    _issue_membership_share(coop, member, on, actor, params)
    if params.get("management") == "collective":
        ensure_office(member, "director", on, actor)
    record("member.admitted", coop=coop, actor=actor, subject=member,
           data={"on": on.isoformat(), "by_proposal_id": by_proposal_id})
    log.info("Member %s admitted", member.id)
    return member


def _check_decision(coop, decision_id: int, purpose: str, member: Member) -> None:
    """A passed decision of the right kind about this member (register.authority), or RegisterError."""
    try:
        authority.check(coop.id, decision_id, purpose, member.id, member.full_name)
    except ValueError as exc:
        raise RegisterError(str(exc)) from None


def _issue_membership_share(coop, member: Member, on: date, actor, params: dict) -> None:
    share_value = int(params.get("share_value_pence") or 0)
    if coop.legal_form == "company" or share_value <= 0 or not register_terms(coop).share_capital:
        return  # a company limited by guarantee has no member shares
    issue_shares(member, share_value, on=on, actor=actor, note="Membership share issued on admission")


def founders_become_members(coop, on: date, actor) -> list[Member]:
    """On registration every founder becomes a member from ``on`` and is issued a membership share.
    Changes: Member status/admitted_on, ShareTransactions, maybe Officers. Flushes."""
    params = _params(coop)
    founders = db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status == "founder").order_by(Member.id)
    ).scalars().all()
    missing = [m.full_name for m in founders if not (m.postal_address or "").strip()]
    if missing:
        raise RegisterError("Every founder becomes a member on registration, and the register of members must "
                            "show each member's postal address: record it first for " + ", ".join(missing)
                            + " (each founder adds theirs under Registers, My entry).")
    for member in founders:
        member.status, member.admitted_on = "member", on
        db.session.flush()
        _issue_membership_share(coop, member, on, actor, params)
        if params.get("management") == "collective":
            ensure_office(member, "director", on, actor)
        record("member.admitted", coop=coop, actor=actor, subject=member,
               data={"on": on.isoformat(), "as_founder": True})
    return founders


def ensure_office(member: Member, office: str, on: date, actor) -> None:
    """Appoint ``member`` to ``office`` from ``on`` unless they already hold it. Flushes."""
    held = db.session.execute(
        sa.select(Officer.id).where(Officer.member_id == member.id, Officer.office == office,
                                    Officer.ceased_on.is_(None))
    ).first()
    if not held:
        appoint_officer(member, office, on=on, actor=actor)


# --- leaving ------------------------------------------------------------------------------


def cease_member(member: Member, *, on: date, reason: str, actor, shares: str | None = None,
                 transfer_to: Member | None = None, by_proposal_id: int | None = None) -> None:
    """Mark a member as ceased on ``on``, deal with their shares (withdraw them by default,
    transfer them, or keep them pending) and end any office they hold.
    Changes: Member status/ceased_on/ceased_reason, ShareTransactions, Officer.ceased_on. Flushes."""
    if reason not in CEASE_REASONS:
        raise RegisterError("Choose why the membership ends.")
    if member.status == "ceased":
        raise RegisterError("This person has already ceased to be a member.")
    if member.admitted_on and on < member.admitted_on:
        raise RegisterError("The date ceased can't be before the date admitted.")
    if reason == "expelled" and member.status == "applicant":
        raise RegisterError("An applicant is not expelled: record that the application was withdrawn.")
    if reason == "expelled" and by_proposal_id is None:
        raise RegisterError("An expulsion needs the members' passed decision to expel this member: choose it.")
    if reason == "expelled":
        _check_decision(_coop(member), by_proposal_id, "expulsion", member)
    elif by_proposal_id is not None:
        raise RegisterError("Only an expulsion cites the members' decision: leave the decision empty.")
    shares = shares or "withdraw"
    if shares not in SHARE_DISPOSALS:
        raise RegisterError("Choose what happens to the member's shares.")
    coop = _coop(member)
    held = sum(e.amount_pence for e in share_entries(member.id))
    if held > 0 and shares == "withdraw":
        withdraw_shares(member, held, on=on, actor=actor, note=f"Withdrawn on leaving ({CEASE_REASONS[reason]})",
                        on_leaving=True)
    elif held > 0 and shares == "transfer":
        if transfer_to is None:
            raise RegisterError("Choose the member who receives the shares.")
        transfer_shares(member, transfer_to, held, on=on, actor=actor, note="Transferred on leaving")
    member.status = "ceased"
    member.ceased_on = on
    member.ceased_reason = reason
    offices = db.session.execute(
        sa.select(Officer).where(Officer.member_id == member.id, Officer.ceased_on.is_(None))
    ).scalars().all()
    for officer in offices:
        officer.ceased_on = max(on, officer.appointed_on)
    db.session.flush()
    record("member.ceased", coop=coop, actor=actor, subject=member,
           data={"on": on.isoformat(), "reason": reason, "shares": shares if held > 0 else "none",
                 "by_proposal_id": by_proposal_id})
    log.info("Member %s ceased: %s", member.id, reason)


# --- corrections ----------------------------------------------------------------------------


def _actor_id(actor) -> int | None:
    return actor.id if actor is not None and getattr(actor, "is_authenticated", True) else None


def _as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def amend_member(member: Member, changes: dict, *, reason: str, actor, allowed: tuple[str, ...] = CORRECTABLE) -> list[RegisterAmendment]:
    """Correct or update fields of an entry. Each changed field gets a RegisterAmendment with
    the old value, the new value and the reason; unchanged fields are ignored.
    Changes: Member fields, RegisterAmendment rows. Flushes. Returns the amendments."""
    reason = (reason or "").strip()
    if not reason:
        raise RegisterError("Say why the entry changes: the reason is kept with the change.")
    unknown = set(changes) - set(allowed)
    if unknown:
        raise RegisterError("Some of those details can't be changed here.")
    coop = _coop(member)
    if "full_name" in changes and not (changes["full_name"] or "").strip():
        raise RegisterError("The name can't be empty.")
    if "postal_address" in changes and changes["postal_address"] is None:
        # A form that arrived without the field: not a request to erase the address.
        raise RegisterError("The postal address was missing from the form: give it, or leave it as it is.")
    if "member_class" in changes and changes["member_class"] != member.member_class:
        _check_class(changes["member_class"], _params(coop))
    admitted = changes.get("admitted_on", member.admitted_on)
    ceased = changes.get("ceased_on", member.ceased_on)
    if "admitted_on" in changes and member.status in ("member", "ceased") and admitted is None:
        raise RegisterError("A member's entry needs the date they were admitted.")
    if "ceased_on" in changes and member.status == "ceased" and ceased is None:
        raise RegisterError("A former member's entry needs the date they ceased.")
    if "ceased_on" in changes and member.status != "ceased" and ceased is not None:
        raise RegisterError("Record a leaving with 'Record leaving', not as a correction.")
    if admitted and ceased and ceased < admitted:
        raise RegisterError("The date ceased can't be before the date admitted.")
    if "email" in changes:
        changes["email"] = (changes["email"] or "").strip().lower() or None
    amendments = []
    today = date.today()
    for field in CORRECTABLE:
        if field not in changes:
            continue
        old, new = getattr(member, field), changes[field]
        if isinstance(new, str) and field != "email":
            new = new.strip()
        if _as_text(old) == _as_text(new):
            continue
        amendment = RegisterAmendment(coop_id=member.coop_id, member_id=member.id, field=field,
                                      old_value=_as_text(old), new_value=_as_text(new), reason=reason[:300],
                                      on=today, actor_id=_actor_id(actor))
        setattr(member, field, new)
        db.session.add(amendment)
        amendments.append(amendment)
    if not amendments:
        return []
    db.session.flush()
    record("member.amended", coop=coop, actor=actor, subject=member,
           data={"fields": [a.field for a in amendments], "amendment_ids": [a.id for a in amendments]})
    log.info("Member %s amended: %s", member.id, ", ".join(a.field for a in amendments))
    return amendments


def rejoin(previous: Member, status: str, *, actor) -> Member:
    """A former member (or someone whose application was closed) joins again: a new entry for the
    new membership, with the particulars of the old one and a link to it. The old entry keeps its
    dates, so each membership shows in the register as at any day inside it. The new entry is an
    application (or a founder while forming); admission issues the membership share again.
    Changes: adds a Member. Flushes. Returns the new entry."""
    if previous.status != "ceased":
        raise RegisterError(f"{previous.full_name} has not left, so can't join again.")
    if status not in ("applicant", "founder"):
        raise RegisterError("Someone joining again is an applicant (or a founder while forming).")
    coop = _coop(previous)
    params = _params(coop)
    today = date.today()
    member = Member(coop_id=previous.coop_id, user_id=previous.user_id, full_name=previous.full_name,
                    email=previous.email, postal_address=previous.postal_address,
                    consents_to_electronic=previous.consents_to_electronic,
                    member_class=previous.member_class if previous.member_class == "voting"
                    or params.get("non_voting_class") else "voting",
                    status=status, applied_on=today if status == "applicant" else None,
                    date_of_birth=previous.date_of_birth, address_since=previous.address_since,
                    previous_member_id=previous.id)
    if status == "applicant" and params.get("probation") == "period":
        member.probation_ends_on = add_months(today, int(params.get("probation_months") or 0))
    db.session.add(member)
    db.session.flush()
    record("member.rejoined", coop=coop, actor=actor, subject=member,
           data={"status": status, "previous_member_id": previous.id})
    log.info("Member %s joined again as %s (earlier entry %s)", member.id, status, previous.id)
    return member


def stamp() -> str:
    """A timestamp for file names."""
    return utcnow().strftime("%Y%m%d-%H%M")
