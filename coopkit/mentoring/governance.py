"""A registered co-op's governance at a glance, for its mentors on the co-op home page:
open and recent decisions with outcomes, meetings, the statutory calendar's next obligation.
Read-only, and without personal data (no names, no votes, no addresses)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Blueprint
from flask_login import current_user

from coopkit.calendar import queries as calendar_queries
from coopkit.coops import policy
from coopkit.extensions import db
from coopkit.meetings import queries as meeting_queries
from coopkit.proposals.models import Proposal

bp = Blueprint("mentor_governance", __name__)
RECENT = 5


@dataclass(frozen=True)
class Governance:
    open_decisions: list
    recent_decisions: list
    meetings: list
    next_obligation: object
    overdue: int


@bp.app_template_global()
def mentor_governance(coop) -> Governance | None:
    """None unless the user mentors this (registered) co-op and is not one of its members."""
    if coop is None or coop.stage != "registered" or not current_user.is_authenticated:
        return None
    roles = policy.roles_for(current_user, coop)
    if "mentor" not in roles or policy.can(current_user, "proposals.view", coop):
        return None
    rows = db.session.execute(_decisions_statement(), {"coop_id": coop.id}).all()
    open_rows = sorted((r for r in rows if r.state == "open"), key=lambda r: (r.closes_at is None, r.closes_at))
    recent = sorted((r for r in rows if r.state == "closed"), key=lambda r: r.closed_at, reverse=True)
    next_item, overdue = calendar_queries.summaries([coop], date.today()).get(coop.id, (None, 0))
    return Governance(open_decisions=open_rows, recent_decisions=recent,
                      meetings=meeting_queries.meetings_for_home(coop), next_obligation=next_item, overdue=overdue)


@functools.cache
def _decisions_statement() -> sa.Select:
    """Every open decision of co-op ``coop_id`` and the RECENT last closed: one statement, built once."""
    coop_id = sa.bindparam("coop_id")
    last_closed = (sa.select(Proposal.id).where(Proposal.coop_id == coop_id, Proposal.state == "closed")
                   .order_by(Proposal.closed_at.desc()).limit(RECENT))
    return sa.select(Proposal.number, Proposal.title, Proposal.state, Proposal.outcome, Proposal.closes_at,
                     Proposal.closed_at).where(
        Proposal.coop_id == coop_id, sa.or_(Proposal.state == "open", Proposal.id.in_(last_closed)))
