"""Cohorts and mentor assignments: every write."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.accounts.services import find_by_email
from coopkit.audit.services import record
from coopkit.coops.models import Cohort, CohortRequest, Coop, MentorAssignment
from coopkit.database import utcnow
from coopkit.extensions import db


class MentoringError(ValueError):
    """A clear message for the admin."""


def create_cohort(name: str, description: str, actor) -> Cohort:
    """Add a cohort. Flushes."""
    if db.session.execute(sa.select(Cohort.id).where(Cohort.name == name)).first():
        raise MentoringError("A cohort with this name already exists.")
    cohort = Cohort(name=name, description=description or "")
    db.session.add(cohort)
    db.session.flush()
    record("cohort.created", actor=actor, subject=cohort, data={"name": name})
    return cohort


def _pending(coop_id: int, cohort_id: int, mentor_id: int | None):
    return db.session.execute(sa.select(CohortRequest.id).where(
        CohortRequest.coop_id == coop_id, CohortRequest.cohort_id == cohort_id, CohortRequest.status == "pending",
        CohortRequest.mentor_id.is_(None) if mentor_id is None else CohortRequest.mentor_id == mentor_id,
    )).first()


def _ask(coop: Coop, cohort: Cohort, actor, mentor=None) -> CohortRequest:
    if mentor is not None:
        # a fresh question replaces an earlier "no" about the same mentor (asked again after
        # being removed from the cohort and added back)
        db.session.execute(sa.update(CohortRequest).where(
            CohortRequest.coop_id == coop.id, CohortRequest.cohort_id == cohort.id,
            CohortRequest.mentor_id == mentor.id, CohortRequest.status == "declined").values(status="ended"))
    request = CohortRequest(coop_id=coop.id, cohort_id=cohort.id, mentor_id=mentor.id if mentor else None,
                            requested_by_id=actor.id, requested_at=utcnow(), status="pending")
    db.session.add(request)
    db.session.flush()
    action = "cohort.mentor_requested" if mentor else "cohort.join_requested"
    data = {"cohort_id": cohort.id, "request_id": request.id, **({"mentor_id": mentor.id} if mentor else {})}
    record(action, coop=coop, actor=actor, subject=request, data=data)
    record(action, actor=actor, subject=request, data={**data, "coop_id": coop.id})
    return request


def add_coop_to_cohort(cohort: Cohort, coop: Coop, actor) -> CohortRequest:
    """Ask a co-op to join a cohort (a co-op is in at most one): it joins only when its
    secretary or a founder accepts. Changes: adds a pending CohortRequest; records
    ``cohort.join_requested`` in the co-op's log and the platform's. Flushes."""
    if coop.cohort_id == cohort.id:
        raise MentoringError(f"{coop.name} is already in this cohort.")
    if _pending(coop.id, cohort.id, None):
        raise MentoringError(f"{coop.name} has not answered the request to join this cohort yet.")
    return _ask(coop, cohort, actor)


def _end_requests(where) -> None:
    db.session.execute(sa.update(CohortRequest).where(where, CohortRequest.status.in_(("pending", "accepted")))
                       .values(status="ended"))


def remove_coop_from_cohort(cohort: Cohort, coop: Coop, actor) -> None:
    """Take a co-op out of its cohort; admins' access to it as mentors of that cohort ends.
    Changes: coop.cohort_id, the co-op's open CohortRequests for the cohort. Flushes."""
    if coop.cohort_id != cohort.id:
        raise MentoringError(f"{coop.name} is not in this cohort.")
    coop.cohort_id = None
    _end_requests(sa.and_(CohortRequest.coop_id == coop.id, CohortRequest.cohort_id == cohort.id))
    db.session.flush()
    record("cohort.coop_removed", coop=coop, actor=actor, subject=cohort)
    record("cohort.coop_removed", actor=actor, subject=cohort, data={"coop_id": coop.id})


def answer_request(coop: Coop, request: CohortRequest, accept: bool, actor) -> None:
    """The co-op's answer (its secretary or a founder: the view checks ``coop.cohort``).
    Accepting a join puts the co-op in the cohort, and asks it in turn about any platform
    admin who mentors that cohort; accepting an admin as mentor gives them the mentor's
    read-only view. Changes: the request's status; records ``cohort.join_accepted``/
    ``_declined`` or ``cohort.mentor_accepted``/``_declined`` in the co-op's log. Flushes."""
    if request.coop_id != coop.id or request.status != "pending":
        raise MentoringError("This request has already been answered or withdrawn.")
    kind = "mentor" if request.mentor_id else "join"
    if kind == "mentor" and accept and coop.cohort_id != request.cohort_id:
        raise MentoringError("This co-op is no longer in that cohort.")
    cohort = db.session.get(Cohort, request.cohort_id)
    request.status = "accepted" if accept else "declined"
    request.answered_by_id, request.answered_at = actor.id, utcnow()
    if kind == "join" and accept:
        coop.cohort_id = cohort.id
        # Other requests to join other cohorts lapse: a co-op is in one cohort at a time.
        _end_requests(sa.and_(CohortRequest.coop_id == coop.id, CohortRequest.mentor_id.is_(None),
                              CohortRequest.id != request.id, CohortRequest.status == "pending"))
    db.session.flush()
    data = {"cohort_id": cohort.id, "request_id": request.id,
            **({"mentor_id": request.mentor_id} if request.mentor_id else {})}
    action = f"cohort.{kind}_{'accepted' if accept else 'declined'}"
    record(action, coop=coop, actor=actor, subject=request, data=data)
    record(action, actor=actor, subject=request, data={**data, "coop_id": coop.id})
    if kind == "join" and accept:
        admins = db.session.execute(
            sa.select(User).join(MentorAssignment, MentorAssignment.user_id == User.id)
            .where(MentorAssignment.cohort_id == cohort.id, User.is_admin.is_(True))
        ).scalars().all()
        for admin in admins:
            if not _pending(coop.id, cohort.id, admin.id):
                _ask(coop, cohort, actor, mentor=admin)


def assign_mentor(cohort: Cohort, email: str, actor) -> MentorAssignment:
    """Add the user with ``email`` to the cohort's mentors. Each co-op already in the cohort is
    asked whether this mentor may follow it (coops.models.mentor_follows): the co-op agreed to
    the mentors it saw when it joined, not to whoever is added later. Co-ops that join later
    see every mentor on the join request. Changes: adds a MentorAssignment and a pending
    CohortRequest per co-op in the cohort; records ``mentor.assigned`` and the requests. Flushes."""
    user = find_by_email(email)
    if user is None:
        raise MentoringError("No coopkit account uses that email address. Ask the mentor to sign up first.")
    if db.session.execute(
        sa.select(MentorAssignment.id).where(MentorAssignment.cohort_id == cohort.id,
                                             MentorAssignment.user_id == user.id)
    ).first():
        raise MentoringError(f"{user.name} already mentors this cohort.")
    assignment = MentorAssignment(cohort_id=cohort.id, user_id=user.id)
    db.session.add(assignment)
    db.session.flush()
    record("mentor.assigned", actor=actor, subject=assignment, data={"cohort_id": cohort.id, "user_id": user.id})
    coops = db.session.execute(sa.select(Coop).where(Coop.cohort_id == cohort.id)).scalars().all()
    for coop in coops:
        # Each co-op's log says who was added; they follow the co-op once it says yes.
        record("mentor.assigned", coop=coop, actor=actor, subject=assignment,
               data={"cohort_id": cohort.id, "user_id": user.id})
        if not _pending(coop.id, cohort.id, user.id):
            _ask(coop, cohort, actor, mentor=user)
    return assignment


def unassign_mentor(assignment: MentorAssignment, actor) -> None:
    """End a mentor's assignment. The row goes; the audit log keeps the fact. Flushes."""
    record("mentor.unassigned", actor=actor, subject=assignment,
           data={"cohort_id": assignment.cohort_id, "user_id": assignment.user_id})
    _end_requests(sa.and_(CohortRequest.cohort_id == assignment.cohort_id,
                          CohortRequest.mentor_id == assignment.user_id))
    db.session.delete(assignment)
    db.session.flush()


# --- comments on founding steps -------------------------------------------------------
