"""Reads for the audit page: one co-op's events, filtered and paginated in the database.

The actor's name comes through ``AuditEvent.actor`` (a relationship named by string), so
the audit package, which every other package records into, imports none of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coopkit.audit.models import AuditEvent
from coopkit.audit.services import chain_name
from coopkit.database import paginate
from coopkit.extensions import db

PER_PAGE = 50


@dataclass(frozen=True)
class Filters:
    action: str = ""
    actor_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    subject_type: str = ""
    subject_id: str = ""

    @property
    def active(self) -> bool:
        return any((self.action, self.actor_id, self.date_from, self.date_to, self.subject_type, self.subject_id))


def _filtered(coop, filters: Filters):
    query = sa.select(AuditEvent).where(AuditEvent.chain == chain_name(coop.id))
    if filters.action:
        # "member" matches member.admitted, member.ceased...; "member.ceased" matches exactly
        if "." in filters.action:
            query = query.where(AuditEvent.action == filters.action)
        else:
            query = query.where(AuditEvent.action.like(filters.action.replace("%", "").replace("_", "\\_") + ".%",
                                                       escape="\\"))
    if filters.actor_id:
        query = query.where(AuditEvent.actor_id == filters.actor_id)
    if filters.date_from:
        query = query.where(AuditEvent.created_at >= datetime.combine(filters.date_from, time()))
    if filters.date_to and filters.date_to < date.max:
        query = query.where(AuditEvent.created_at < datetime.combine(filters.date_to + timedelta(days=1), time()))
    if filters.subject_type:
        query = query.where(AuditEvent.subject_type == filters.subject_type)
    if filters.subject_id:
        query = query.where(AuditEvent.subject_id == filters.subject_id)
    return query


def events_page(coop, filters: Filters, page: int = 1, per_page: int = PER_PAGE):
    """Newest first, each with its actor (``event.actor``, None for coopkit itself): a
    Flask-SQLAlchemy pagination, one statement whatever the size of the log."""
    query = _filtered(coop, filters).options(joinedload(AuditEvent.actor)).order_by(AuditEvent.seq.desc())
    return paginate(query, page, per_page)


def filter_choices(coop) -> tuple[list[str], list[tuple[int, str]], list[str]]:
    """(actions, actors as (id, name), subject types) that occur in the co-op's log."""
    name = chain_name(coop.id)
    actions = list(db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.chain == name).distinct().order_by(AuditEvent.action)).scalars())
    # Each actor once: their first event here, with the account it points at.
    firsts = (sa.select(sa.func.min(AuditEvent.id)).where(AuditEvent.chain == name, AuditEvent.actor_id.is_not(None))
              .group_by(AuditEvent.actor_id))
    actors = sorted(((e.actor_id, e.actor.name) for e in db.session.execute(
        sa.select(AuditEvent).options(joinedload(AuditEvent.actor)).where(AuditEvent.id.in_(firsts))).scalars()),
        key=lambda actor: (actor[1].casefold(), actor[0]))
    subjects = [s for s in db.session.execute(
        sa.select(AuditEvent.subject_type).where(AuditEvent.chain == name).distinct()
        .order_by(AuditEvent.subject_type)).scalars() if s]
    return actions, actors, subjects
