"""The mentor dashboard's table: every co-op of the mentor's cohorts with its stage,
progress, rules status, comments and last activity. A fixed number of statements
whatever the cohort's size (the founding queries load in bulk)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from coopkit.calendar.queries import summaries as calendar_summaries
from coopkit.coops.models import Cohort, Coop, MentorAssignment, mentor_follows
from coopkit.extensions import db
from coopkit.founding.models import StepComment
from coopkit.founding.progress import journey as build_journey
from coopkit.founding.queries import journey_inputs

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


def rows_for(user, today: date, cohort_id: int | None = None) -> list[Row]:
    """The dashboard rows of the co-ops ``user`` mentors (optionally one cohort's)."""
    query = (
        sa.select(Coop, Cohort.name)
        .join(Cohort, Cohort.id == Coop.cohort_id)
        .join(MentorAssignment, MentorAssignment.cohort_id == Cohort.id)
        .where(MentorAssignment.user_id == user.id)
        .order_by(Coop.name)
    )
    if cohort_id is not None:
        query = query.where(Cohort.id == cohort_id)
    # only the co-ops that let this mentor follow them (a platform admin: those that accepted them)
    query = query.where(mentor_follows(Coop.id, Cohort.id, user.id, bool(user.is_admin)))
    coops = db.session.execute(query).all()
    if not coops:
        return []
    ids = [coop.id for coop, _ in coops]
    inputs = journey_inputs(ids)
    counts = {
        coop_id: (open_count, int(awaiting or 0))
        for coop_id, open_count, awaiting in db.session.execute(
            sa.select(StepComment.coop_id, sa.func.count(StepComment.id),
                      sa.func.sum(sa.case((StepComment.awaiting_mentor.is_(True), 1), else_=0)))
            .where(StepComment.coop_id.in_(ids), StepComment.thread_id.is_(None),
                   StepComment.resolved_at.is_(None))
            .group_by(StepComment.coop_id)
        ).all()
    }
    deadlines = calendar_summaries([coop for coop, _ in coops], today)
    rows = []
    for coop, cohort_name in coops:
        upcoming, overdue = deadlines.get(coop.id, (None, 0))
        journey = build_journey(inputs[coop.id])
        nxt = journey.next_state
        open_count, awaiting = counts.get(coop.id, (0, 0))
        rows.append(Row(
            coop_id=coop.id, name=coop.name, slug=coop.slug, cohort=cohort_name, stage=coop.stage,
            progress=journey.percent,
            next_step=f"{nxt.step.number}. {nxt.step.title}" if nxt else "Journey complete",
            rules_status=inputs[coop.id].rules_status or "none",
            open_comments=open_count, awaiting_reply=awaiting, last_activity_at=coop.last_activity_at,
            days_since=max(0, (today - coop.last_activity_at.date()).days),
            next_obligation=upcoming.obligation.title_for(False) if upcoming else "",
            next_due=upcoming.obligation.due_on if upcoming else None, overdue=overdue,
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
