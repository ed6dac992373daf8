"""``coopkit mentor-digest``: the weekly email of deadlines to mentors (run it weekly)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.mentoring.digest import send_weekly


@click.command("mentor-digest")
@click.option("--today", help="Count from this date (YYYY-MM-DD) instead of today.")
@with_appcontext
def digest_command(today: str | None):
    """Email each mentor what is due or overdue in their cohorts (once a week)."""
    from datetime import date


    try:
        day = date.fromisoformat(today) if today else utcnow().date()
    except ValueError:
        raise click.BadParameter("give a date as YYYY-MM-DD") from None
    sent = send_weekly(day)
    db.session.commit()
    click.echo(f"{sent} digest(s) sent.")
