"""Reads for the audit page: one co-op's events, filtered and paginated in the database."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.audit.models import AuditEvent
from coopkit.audit.services import chain_name
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


@dataclass
class EventPage:
    items: list[tuple[AuditEvent, str | None]]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


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


def events_page(coop, filters: Filters, page: int = 1, per_page: int = PER_PAGE) -> EventPage:
    """Newest first; two statements whatever the size of the log."""
    query = _filtered(coop, filters)
    total = db.session.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
    page = max(1, min(page, max(1, math.ceil(total / per_page))))
    rows = db.session.execute(
        query.add_columns(User.name).outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.seq.desc()).limit(per_page).offset((page - 1) * per_page)).all()
    return EventPage([(event, name) for event, name in rows], page, per_page, total)


def filter_choices(coop) -> tuple[list[str], list[tuple[int, str]], list[str]]:
    """(actions, actors as (id, name), subject types) that occur in the co-op's log."""
    name = chain_name(coop.id)
    actions = list(db.session.execute(
        sa.select(AuditEvent.action).where(AuditEvent.chain == name).distinct().order_by(AuditEvent.action)).scalars())
    actors = [tuple(r) for r in db.session.execute(
        sa.select(User.id, User.name).where(User.id.in_(
            sa.select(AuditEvent.actor_id).where(AuditEvent.chain == name, AuditEvent.actor_id.is_not(None))))
        .order_by(User.name)).all()]
    subjects = [s for s in db.session.execute(
        sa.select(AuditEvent.subject_type).where(AuditEvent.chain == name).distinct()
        .order_by(AuditEvent.subject_type)).scalars() if s]
    return actions, actors, subjects
