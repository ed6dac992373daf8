"""Reads that the workspace pages need."""

from __future__ import annotations

import functools

import sqlalchemy as sa
from flask import g, has_request_context

from coopkit.coops.models import Coop, Invitation, Member, MentorAssignment, mentor_follows
from coopkit.database import begins_reading_only
from coopkit.extensions import db


def coops_of_user(user) -> list[tuple[Coop, str]]:
    """The co-ops a user belongs to, with their register status; one statement."""
    rows = db.session.execute(
        sa.select(Coop, Member.status)
        .join(Member, Member.coop_id == Coop.id)
        .where(Member.user_id == user.id, Member.status != "ceased")
        .order_by(Coop.name)
    ).all()
    return [(coop, status) for coop, status in rows]


def mentored_coops(user) -> list[Coop]:
    """The co-ops of the cohorts ``user`` mentors that let them follow (coops.models.mentor_follows)."""
    query = (sa.select(Coop)
             .join(MentorAssignment, MentorAssignment.cohort_id == Coop.cohort_id)
             .where(MentorAssignment.user_id == user.id)
             .order_by(Coop.name))
    query = query.where(mentor_follows(Coop.id, Coop.cohort_id, user.id, bool(user.is_admin)))
    return list(db.session.execute(query).scalars())


#: how many names the co-op home lists (the register has everyone)
PEOPLE_LISTED = 24


def _current(coop_id):
    return sa.and_(Member.coop_id == coop_id, Member.status.in_(("founder", "member")))


def current_people_count(coop_id) -> sa.Select:
    """How many founders and members the co-op has now (a select, for the home page's counts)."""
    return sa.select(sa.func.count(Member.id)).where(_current(coop_id))


def current_people(coop: Coop, limit: int = PEOPLE_LISTED) -> tuple[int, list[str]]:
    """How many founders and members the co-op has now, and the first ``limit`` names in
    order. One statement."""
    rows = db.session.execute(_current_people_statement(), {"coop_id": coop.id, "limit": limit}).all()
    return (int(rows[0][1]) if rows else 0), [name for name, _ in rows]


@functools.cache
def _current_people_statement() -> sa.Select:
    """Built once per process (the home page asks it): ``coop_id``, ``limit``."""
    return (sa.select(Member.full_name, sa.func.count().over()).where(_current(sa.bindparam("coop_id")))
            .order_by(Member.full_name, Member.id).limit(sa.bindparam("limit", type_=sa.Integer)))


def invitations(coop: Coop) -> list[Invitation]:
    return list(db.session.execute(
        sa.select(Invitation).where(Invitation.coop_id == coop.id).order_by(Invitation.created_at.desc())
    ).scalars())


def member_for_user(coop, user) -> Member | None:
    """The register entry of ``user`` in ``coop``, or None (also for anonymous users): the entry that
    has not ceased if there is one (at most one, by a partial unique index), otherwise the latest
    ceased one. Someone who left and joined again has one entry per membership."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    # The co-op page's first statement (coops.policy.load_coop) found it already; a request that
    # writes asks again, in case it added the entry (a view that writes late, before it writes,
    # has added nothing: coopkit.database.writes_late).
    known = g.get("_members", {}) if has_request_context() and begins_reading_only() else {}
    if (coop.id, user.id) in known:
        return known[(coop.id, user.id)]
    return db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.user_id == user.id)
        .order_by((Member.status == "ceased").asc(), Member.id.desc()).limit(1)).scalar_one_or_none()
