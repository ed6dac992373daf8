"""The mentor dashboard's table: every co-op of the mentor's cohorts with its stage,
progress, rules status, comments, last activity and statutory deadlines. One statement
whatever the cohort's size: each co-op's facts come as columns of its row (coopkit.jsonrows)."""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from coopkit.calendar import queries as calendar_queries
from coopkit.coops.models import Cohort, Coop, MentorAssignment, mentor_follows
from coopkit.extensions import db
from coopkit.founding.models import StepComment
from coopkit.founding.progress import journey as build_journey
from coopkit.founding.queries import journey_columns, journey_inputs_from
from coopkit.rules.queries import newest_status_column

#: no activity for this many days puts a co-op on the "needs attention" list
QUIET_DAYS = 14

#: column key -> heading; every column sorts
COLUMNS = {
    "name": "Co-op",
    "cohort": "Cohort",
    "stage": "Stage",
    "progress": "Progress",
    "rules": "Rules",
    "comments": "Open comments",
    "activity": "Last activity",
    "days": "Days since",
    "deadline": "Next deadline",
    "overdue": "Overdue",
}


@dataclass(frozen=True)
class Row:
    coop_id: int
    name: str
    slug: str
    cohort: str
    stage: str
    progress: int
    next_step: str
    rules_status: str
    open_comments: int
    awaiting_reply: int
    last_activity_at: datetime
    days_since: int
    #: the next statutory obligation not done (no personal data) and when it is due
    next_obligation: str = ""
    next_due: date | None = None
    #: obligations past their deadline and not recorded as done
    overdue: int = 0

    @property
    def quiet(self) -> bool:
        return self.days_since >= QUIET_DAYS

    @property
    def needs_attention(self) -> bool:
        return self.quiet or self.awaiting_reply > 0 or self.overdue > 0

    @property
    def attention_reasons(self) -> list[str]:
        reasons = []
        if self.quiet:
            reasons.append(f"no activity for {self.days_since} days")
        if self.overdue:
            reasons.append(f"{self.overdue} deadline{'s' if self.overdue != 1 else ''} overdue")
        if self.awaiting_reply:
            reasons.append(f"{self.awaiting_reply} comment{'s' if self.awaiting_reply != 1 else ''} awaiting your reply")
        return reasons


@functools.cache
def _rows_statement(is_admin: bool, one_cohort: bool) -> sa.Select:
    """The co-ops mentor ``uid`` follows (of cohort ``cohort_id`` when ``one_cohort``), each with
    its cohort's name and every fact its row shows: one statement, built once per process."""
    awaiting = (sa.select(sa.func.count(StepComment.id))
                .where(StepComment.coop_id == Coop.id, StepComment.thread_id.is_(None),
                       StepComment.resolved_at.is_(None), StepComment.awaiting_mentor.is_(True)).scalar_subquery())
    facts = {**journey_columns(), **calendar_queries.fact_columns(with_names=False),
             "rules_status": newest_status_column(), "awaiting": awaiting}
    uid = sa.bindparam("uid")
    query = (
        sa.select(Coop, Cohort.name, *(column.label(key) for key, column in facts.items()))
        .join(Cohort, Cohort.id == Coop.cohort_id)
        .join(MentorAssignment, MentorAssignment.cohort_id == Cohort.id)
        .where(MentorAssignment.user_id == uid)
        .order_by(Coop.name)
    )
    if one_cohort:
        query = query.where(Cohort.id == sa.bindparam("cohort_id"))
    # only the co-ops that let this mentor follow them (a platform admin: those that accepted them)
    return query.where(mentor_follows(Coop.id, Cohort.id, uid, is_admin))


def rows_for(user, today: date, cohort_id: int | None = None) -> list[Row]:
    """The dashboard rows of the co-ops ``user`` mentors (optionally one cohort's)."""
    found = db.session.execute(_rows_statement(bool(user.is_admin), cohort_id is not None), {
        "uid": user.id, "cohort_id": cohort_id, **calendar_queries.fact_parameters(today)}).all()
    rows = []
    for found_row in found:
        coop, cohort_name, facts = found_row[0], found_row[1], found_row._mapping
        inputs = journey_inputs_from(facts, facts["rules_status"])
        journey = build_journey(inputs)
        nxt = journey.next_state
        calendar = calendar_queries.calendar_from(coop, facts, today, with_names=False)
        upcoming = calendar.next_item
        rows.append(Row(
            coop_id=coop.id, name=coop.name, slug=coop.slug, cohort=cohort_name, stage=coop.stage,
            progress=journey.percent,
            next_step=f"{nxt.step.number}. {nxt.step.title}" if nxt else "Journey complete",
            rules_status=inputs.rules_status or "none",
            open_comments=sum(inputs.open_comments.values()), awaiting_reply=int(facts["awaiting"] or 0),
            last_activity_at=coop.last_activity_at,
            days_since=max(0, (today - coop.last_activity_at.date()).days),
            next_obligation=upcoming.obligation.title_for(False) if upcoming else "",
            next_due=upcoming.obligation.due_on if upcoming else None, overdue=len(calendar.overdue),
        ))
    return rows


_SORT_KEYS = {
    "name": lambda r: (r.name.lower(),),
    "cohort": lambda r: (r.cohort.lower(), r.name.lower()),
    "stage": lambda r: (("forming", "registering", "registered").index(r.stage), r.name.lower()),
    "progress": lambda r: (r.progress, r.name.lower()),
    "rules": lambda r: (r.rules_status, r.name.lower()),
    "comments": lambda r: (r.open_comments, r.awaiting_reply, r.name.lower()),
    "activity": lambda r: (r.last_activity_at, r.name.lower()),
    "days": lambda r: (r.days_since, r.name.lower()),
    "deadline": lambda r: (r.next_due is None, r.next_due or date.max, r.name.lower()),
    "overdue": lambda r: (r.overdue, r.name.lower()),
}


def sort_rows(rows: list[Row], column: str, descending: bool) -> list[Row]:
    key = _SORT_KEYS.get(column, _SORT_KEYS["name"])
    return sorted(rows, key=key, reverse=descending)


def _cell(value) -> str:
    text = str(value)
    # A spreadsheet would run a cell starting with these as a formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(rows: list[Row]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["Co-op", "Address", "Cohort", "Stage", "Progress (%)", "Next step", "Rules",
                     "Open comments", "Awaiting reply", "Last activity (UTC)", "Days since",
                     "Next obligation", "Due on", "Overdue obligations", "Needs attention"])
    for r in rows:
        writer.writerow([_cell(r.name), r.slug, _cell(r.cohort), r.stage, r.progress, r.next_step, r.rules_status,
                         r.open_comments, r.awaiting_reply, r.last_activity_at.strftime("%Y-%m-%d %H:%M"),
                         r.days_since, _cell(r.next_obligation), r.next_due.isoformat() if r.next_due else "",
                         r.overdue, "yes" if r.needs_attention else "no"])
    return out.getvalue()
