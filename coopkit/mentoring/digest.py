"""The weekly digest to mentors: what is due in the next fortnight or overdue in the co-ops
of their cohorts. Obligations only, never personal data. Once per mentor per week
(MentorDigestSent); nothing is sent to a mentor with nothing to report.

mentoring/tasks.py runs it on Monday mornings (``coopkit mentor-digest`` by hand).
"""

from __future__ import annotations

import logging
from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.calendar.queries import calendars
from coopkit.coops.models import Coop, MentorAssignment, mentor_follows
from coopkit.database import add_unless_duplicate
from coopkit.extensions import db
from coopkit.mail import MailError, send_mail
from coopkit.mentoring.models import MentorDigestSent
from coopkit.web import external_url

log = logging.getLogger("coopkit.mentoring")

#: obligations due within this many days are in the digest (besides the overdue ones)
AHEAD_DAYS = 14


def _lines(cal, today: date) -> list[str]:
    lines = []
    for item in cal.items:
        ob = item.obligation
        if item.status == "overdue":
            lines.append(f"  OVERDUE since {ob.due_on:%d/%m/%Y}: {ob.title_for(False)}")
        elif item.status in ("due", "open", "upcoming") and (ob.due_on - today).days <= AHEAD_DAYS:
            lines.append(f"  due {ob.due_on:%d/%m/%Y}: {ob.title_for(False)}")
    return lines


def send_weekly(today: date) -> int:
    """Send this week's digest to every mentor who has something in it and has not had it.

    Changes: adds a MentorDigestSent row per digest sent (flushes). Returns how many were sent."""
    week_of = today - timedelta(days=today.weekday())
    rows = db.session.execute(
        sa.select(User.id, User.email, Coop).join(MentorAssignment, MentorAssignment.user_id == User.id)
        .join(Coop, Coop.cohort_id == MentorAssignment.cohort_id)
        # a mentor hears about a co-op only once it lets them follow it
        .where(mentor_follows(Coop.id, Coop.cohort_id, User.id, User.is_admin))
        .order_by(User.id, Coop.name)
    ).all()
    coops = {coop.id: coop for _, _, coop in rows}
    cals = calendars(list(coops.values()), today, with_names=False)
    by_mentor: dict[tuple[int, str], list[Coop]] = {}
    for user_id, email, coop in rows:
        by_mentor.setdefault((user_id, email), []).append(coop)
    sent = 0
    for (user_id, email), mentored in by_mentor.items():
        sections = []
        for coop in mentored:
            lines = _lines(cals[coop.id], today)
            if lines:
                sections.append(f"{coop.name} ({external_url('calendar.index', slug=coop.slug)})\n" + "\n".join(lines))
        if not sections:
            continue
        row = MentorDigestSent(user_id=user_id, week_of=week_of, coops=len(sections))
        if not add_unless_duplicate(row):
            continue
        body = (f"Deadlines in your cohorts for the week of {week_of.day} {week_of:%B %Y}: what is overdue, and "
                f"what falls due in the next {AHEAD_DAYS} days.\n\n" + "\n\n".join(sections) +
                "\n\nThe dashboard has the full table:\n" + external_url("mentoring.dashboard") + "\n")
        try:
            # Queued: it leaves when this run's transaction commits (coopkit/jobs).
            send_mail(email, f"Deadlines in your cohorts, week of {week_of:%d/%m/%Y}", body)
        except MailError:
            db.session.delete(row)
            db.session.flush()
            continue
        sent += 1
    log.info("Weekly mentor digest sent to %d mentors", sent)
    return sent
