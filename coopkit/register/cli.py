"""`coopkit export` and `coopkit import`: all of one co-op's data as a zip archive, and back."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from coopkit.coops.models import Coop
from coopkit.extensions import db
from coopkit.register.exchange import ExchangeError, export_coop, import_coop


@click.command("export")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, path_type=Path),
              help="Where to write the zip archive.")
@with_appcontext
def export_command(slug: str, out: Path):
    """Write all of a co-op's data (registers, founding answers, rules versions, proposals,
    ballots as secrecy allows, the audit log) to a zip archive."""
    coop = db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one_or_none()
    if coop is None:
        raise click.ClickException(f"No co-op with the address {slug!r}.")
    try:
        data = export_coop(coop)
    except ExchangeError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    partial = out.with_name(out.name + ".partial")
    partial.write_bytes(data)
    partial.replace(out)  # never leave a half-written archive under the real name
    db.session.commit()  # the export itself is an audit event
    click.echo(f"Exported {slug} to {out} ({len(data):,} bytes).")


@click.command("import")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--slug", required=True, help="The address of the new co-op to restore into.")
@with_appcontext
def import_command(archive: Path, slug: str):
    """Restore an export into a new co-op at SLUG. All or nothing."""
    try:
        coop = import_coop(archive.read_bytes(), slug)
    except ExchangeError as exc:
        db.session.rollback()
        click.echo(f"Nothing was imported: {exc}", err=True)
        sys.exit(1)
    db.session.commit()
    click.echo(f"Imported {archive} as {coop.slug} (co-op {coop.id}).")
