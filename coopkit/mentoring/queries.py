from __future__ import annotations

import functools

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coopkit.coops.models import Cohort, CohortRequest, Coop, MentorAssignment
from coopkit.extensions import db


def cohorts_with_counts() -> list[tuple[Cohort, int, int]]:
    coops = sa.select(sa.func.count(Coop.id)).where(Coop.cohort_id == Cohort.id).scalar_subquery()
    mentors = sa.select(sa.func.count(MentorAssignment.id)).where(
        MentorAssignment.cohort_id == Cohort.id).scalar_subquery()
    return [tuple(r) for r in db.session.execute(sa.select(Cohort, coops, mentors).order_by(Cohort.name)).all()]


def cohort_detail(cohort: Cohort):
    coops = db.session.execute(sa.select(Coop).where(Coop.cohort_id == cohort.id).order_by(Coop.name)).scalars().all()
    assignments = db.session.execute(
        sa.select(MentorAssignment).options(joinedload(MentorAssignment.user))
        .where(MentorAssignment.cohort_id == cohort.id)
    ).scalars().all()
    others = db.session.execute(
        sa.select(Coop).where(sa.or_(Coop.cohort_id.is_(None), Coop.cohort_id != cohort.id)).order_by(Coop.name)
    ).scalars().all()
    return coops, assignments, others


def pending_requests(cohort: Cohort) -> list[tuple[CohortRequest, str]]:
    """The cohort's requests still waiting for a co-op's answer, with the co-op's name."""
    return [tuple(r) for r in db.session.execute(
        sa.select(CohortRequest, Coop.name).options(joinedload(CohortRequest.mentor))
        .join(Coop, Coop.id == CohortRequest.coop_id)
        .where(CohortRequest.cohort_id == cohort.id, CohortRequest.status == "pending")
        .order_by(Coop.name, CohortRequest.id)
    ).all()]


def mentor_cohorts(user) -> list[Cohort]:
    return list(db.session.execute(_mentor_cohorts_statement(), {"uid": user.id}).scalars())


@functools.cache
def _mentor_cohorts_statement() -> sa.Select:
    """The cohorts mentor ``uid`` is assigned to (the dashboard asks on every visit: built once)."""
    return (sa.select(Cohort).join(MentorAssignment, MentorAssignment.cohort_id == Cohort.id)
            .where(MentorAssignment.user_id == sa.bindparam("uid")).order_by(Cohort.name))
