"""``coopkit rules ...``: the rules from the command line."""

from __future__ import annotations

import sys

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from coopkit.coops.models import Coop
from coopkit.extensions import db
from coopkit.rules import documents, queries


@click.group("rules")
def rules_group():
    """A co-op's rules: print them as PDF."""


@rules_group.command("pdf")
@click.argument("slug")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, writable=True, allow_dash=True),
              help="Where to write the PDF ('-' for standard output).")
@click.option("--version", "number", type=int, default=None,
              help="Which version (default: the rules in force, else the newest version).")
@with_appcontext
def rules_pdf(slug: str, out: str, number: int | None):
    """Write the rules (or a company's articles) of co-op SLUG as a PDF."""
    coop = db.session.execute(sa.select(Coop).where(Coop.slug == slug)).scalar_one_or_none()
    if coop is None:
        raise click.ClickException(f"No co-op with the address {slug!r}.")
    if number is not None:
        version = queries.version_by_number(coop, number)
        if version is None:
            raise click.ClickException(f"{coop.name} has no version {number} of its rules.")
    else:
        version = queries.governing_version(coop) or queries.latest_version(coop)
        if version is None:
            raise click.ClickException(f"{coop.name} has no saved rules yet: save a draft on the rules page first.")
    try:
        pdf = documents.rules_pdf(coop, version)
    except documents.DocumentBlocked as exc:
        raise click.ClickException(str(exc)) from None
    db.session.commit()  # keeps the rendering in the shared cache
    if out == "-":
        sys.stdout.buffer.write(pdf)
        return
    with open(out, "wb") as handle:
        handle.write(pdf)
    click.echo(f"Version {version.number} ({version.status}) of the rules of {coop.name}: "
               f"{len(pdf):,} bytes written to {out}", err=True)
