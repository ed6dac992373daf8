"""``coopkit calendar <slug> [--ics]`` prints a co-op's obligations; ``coopkit calendar-remind``
sends the reminders owed today (the job queue also runs it every morning: calendar/tasks.py)."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from coopkit.calendar import feed, queries
from coopkit.calendar.obligations import STATUS_LABELS
from coopkit.calendar.reminders import send_due
from coopkit.coops.models import Coop
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.web import external_url


def _day(value: str | None) -> date:
    if not value:
        return utcnow().date()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("give a date as YYYY-MM-DD") from None


@click.command("calendar")
@click.argument("slug")
@click.option("--ics", is_flag=True, help="Print an iCalendar file instead of a table.")
@click.option("--today", help="Count from this date (YYYY-MM-DD) instead of today.")
@with_appcontext
def calendar_command(slug: str, ics: bool, today: str | None):
    """Print the obligations of the co-op at /c/SLUG with their due dates (no personal names)."""
    import sqlalchemy as sa


    day = _day(today)
    coop = db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one_or_none()
    if coop is None:
        raise click.ClickException(f"No co-op with the address {slug!r}.")
    cal = queries.calendar_for(coop, day, with_names=False)
    if ics:
        click.echo(feed.ics(coop.name, coop.slug, cal.items, with_names=False, stamp=utcnow(),
                            page_url=external_url("calendar.index", slug=coop.slug)).decode("utf-8"), nl=False)
        return
    registered = "registered" if cal.facts.registered else "not registered: dates as if registered"
    click.echo(f"{coop.name} ({coop.slug}), {cal.facts.legal_form}, {registered} "
               f"{cal.facts.registered_on.isoformat()}, year end {cal.facts.year_end.words()}")
    for item in cal.items:
        ob = item.obligation
        done = f" (done {item.done.done_on.isoformat()})" if item.done else ""
        click.echo(f"{ob.due_on.isoformat()}  {STATUS_LABELS[item.status]:<15} {ob.title_for(False)}{done}")


@click.command("calendar-remind")
@click.option("--today", help="Count from this date (YYYY-MM-DD) instead of today.")
@with_appcontext
def remind_command(today: str | None):
    """Email the reminders owed today (30, 14, 7 and 1 days before each deadline), each once."""
    sent = send_due(_day(today))
    db.session.commit()
    for s in sent:
        click.echo(f"Reminded {s.people} people about {s.key} (co-op {s.coop_id}), {s.days_before} days before.")
    click.echo(f"{len(sent)} reminder(s) sent.")
