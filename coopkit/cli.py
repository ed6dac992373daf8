"""The ``coopkit`` command (also ``flask --app coopkit``)."""

from __future__ import annotations

import sqlite3
import sys

import click
import sqlalchemy as sa
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade
from werkzeug.serving import run_simple

from coopkit import create_app
from coopkit import demo as demo_data
from coopkit.accounts.services import AccountError, create_user
from coopkit.audit.models import ArchivedAuditEvent, AuditChainHead, AuditEvent
from coopkit.audit.services import chain_name, verify_against, verify_archived, verify_chain
from coopkit.calendar.cli import calendar_command, remind_command
from coopkit.config import ConfigError
from coopkit.coops.models import Coop
from coopkit.extensions import db
from coopkit.jobs import make_consumer
from coopkit.jobs.cli import worker
from coopkit.mentoring.cli import digest_command
from coopkit.proposals.cli import close_due, remind_due
from coopkit.proposals.integrity import check_results
from coopkit.register.cli import export_command, import_command
from coopkit.rules.cli import rules_group
from coopkit.web import SERVED_URL_KEY


def _create_app():
    try:
        return create_app()
    except ConfigError as exc:
        click.echo(f"coopkit cannot start: {exc}", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main():
    """coopkit: found and run a worker co-operative."""


def register_commands(app) -> None:
    app.cli.add_command(demo)
    app.cli.add_command(seed_demo)
    app.cli.add_command(create_admin)
    app.cli.add_command(audit_group)
    app.cli.add_command(backup)
    app.cli.add_command(worker)

    app.cli.add_command(export_command)
    app.cli.add_command(import_command)

    app.cli.add_command(close_due)
    app.cli.add_command(remind_due)

    app.cli.add_command(rules_group)

    app.cli.add_command(calendar_command)
    app.cli.add_command(remind_command)

    app.cli.add_command(digest_command)


def _upgrade() -> None:
    upgrade()


@click.command("seed-demo")
@with_appcontext
def seed_demo():
    """Add the demo co-ops and accounts (does nothing if they exist)."""
    created = demo_data.seed()
    db.session.commit()
    click.echo(demo_data.logins_text() if created else "Demo data already present.")
    db.session.remove()


@click.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="Prepare the database and stop.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool):
    """Apply migrations, seed demo data, print the log-ins and serve."""
    _upgrade()
    demo_data.seed()
    db.session.commit()
    click.echo(demo_data.logins_text())
    # End the read of the log-ins: an open transaction would hold SQLite's lock while serving.
    db.session.remove()
    if no_serve:
        return
    served = f"http://{host}:{port}"
    # Links made outside a request (reminders, jobs) point where the demo is actually served.
    current_app.config[SERVED_URL_KEY] = served
    click.echo(f"Serving coopkit on {served}  (Ctrl+C to stop)")


    app = current_app._get_current_object()
    # The job queue's consumer runs in this process too (threads), so one command runs it all:
    # mail goes out, large PDFs render and due votes close. In production: `coopkit worker`.
    consumer = make_consumer(app, workers=app.extensions["coopkit.settings"].queue_workers, embedded=True)
    consumer.start()
    try:
        # app.run() refuses to start inside the flask CLI; the development server is the same.
        run_simple(host, port, app, threaded=True, use_reloader=False)
    finally:
        consumer.stop(graceful=True)


@click.command("create-admin")
@click.argument("email")
@click.argument("name")
@click.password_option()
@with_appcontext
def create_admin(email: str, name: str, password: str):
    """Create a platform administrator account."""
    try:
        create_user(email, name, password, is_admin=True)
    except AccountError as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Administrator {email} created.")


@click.group("audit")
def audit_group():
    """Check the audit log."""


@audit_group.command("verify")
@click.argument("slug", required=False)
@click.option("--against", "anchor", metavar="HASH",
              help="A fingerprint a member was sent (outcome email, minutes or register PDF, audit page): "
                   "prove the log still holds that history.")
@with_appcontext
def audit_verify(slug: str | None, anchor: str | None):
    """Check every hash chain (or one co-op's) and every closed proposal's ballots and result
    against the chain; with --against, also that the log still holds the history a member was
    sent. Exit 1 naming the first problem."""
    import sqlalchemy as sa


    coop = None
    if slug:
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one_or_none()
        if coop is None:
            raise click.ClickException(f"No co-op with the address {slug!r}.")
        chains = [chain_name(coop.id)]
    else:
        chains = sorted(set(db.session.execute(sa.select(AuditEvent.chain).distinct()).scalars())
                        | set(db.session.execute(sa.select(AuditChainHead.chain)).scalars()))
    failed = False
    for name in chains:
        report = verify_chain(name)
        if report.problem:
            failed = True
            click.echo(f"{name}: BROKEN at event {report.problem.seq}: {report.problem.reason}")
        else:
            click.echo(f"{name}: ok ({report.events} events)")
    failed = _verify_archived_logs(coop.id if slug else None) or failed
    for problem in check_results(coop.id if coop else None):
        failed = True
        click.echo(f"RESULTS: {problem}")
    if anchor:
        report = verify_against(anchor, chain_name(coop.id) if coop else None)
        if report.problem:
            failed = True
            click.echo(f"{report.chain or 'fingerprint'}: does NOT hold the history of {anchor}: "
                       f"event {report.problem.seq}: {report.problem.reason}")
        else:
            click.echo(f"{report.chain}: holds the history of {anchor} (event {report.seq}) unchanged")
    sys.exit(1 if failed else 0)


def _verify_archived_logs(coop_id: int | None) -> bool:
    """The logs that restored co-ops keep from their exports (coopkit import); True if one is broken."""

    coop_ids = [coop_id] if coop_id else db.session.execute(
        sa.select(ArchivedAuditEvent.coop_id).distinct().order_by(ArchivedAuditEvent.coop_id)).scalars().all()
    failed = False
    for cid in coop_ids:
        for report in verify_archived(cid):
            where = f"coop:{cid} archive of {report.chain}"
            if report.problem:
                failed = True
                click.echo(f"{where}: BROKEN at event {report.problem.seq}: {report.problem.reason}")
            else:
                click.echo(f"{where}: ok ({report.events} events)")
    return failed


@click.command("backup")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(out: str):
    """Write a consistent copy of the SQLite database, safe while the app runs."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException("coopkit backup copies SQLite databases; for PostgreSQL use pg_dump.")
    source = sqlite3.connect(url.database)
    target = sqlite3.connect(out)
    try:
        with target:
            source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"Backup written to {out}")
