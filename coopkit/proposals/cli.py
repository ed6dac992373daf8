"""Commands for cron: close proposals that are due and send the 24-hour reminders."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from coopkit.extensions import db
from coopkit.proposals import closing


@click.command("close-due")
@with_appcontext
def close_due():
    """Send due reminders, then close every proposal whose closing time has passed."""
    reminded = closing.remind_due()
    db.session.commit()
    for proposal, people in reminded:
        click.echo(f"Reminded {people} member(s) about proposal {proposal.number} (co-op {proposal.coop_id}).")
    closed = closing.close_due()
    db.session.commit()
    for proposal in closed:
        click.echo(f"Closed proposal {proposal.number} (co-op {proposal.coop_id}): {proposal.outcome}.")
    click.echo(f"{len(closed)} proposal(s) closed, {len(reminded)} reminder(s) sent.")


@click.command("remind-due")
@with_appcontext
def remind_due():
    """Email members who have not voted, once, when a proposal closes within 24 hours."""
    reminded = closing.remind_due()
    db.session.commit()
    for proposal, people in reminded:
        click.echo(f"Reminded {people} member(s) about proposal {proposal.number} (co-op {proposal.coop_id}).")
    click.echo(f"{len(reminded)} reminder(s) sent.")
