"""``coopkit worker``: run the job queue's consumer (mail, PDFs, periodic closing)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.command("worker")
@click.option("--workers", type=int, default=None, help="Threads that run jobs (default COOPKIT_QUEUE_WORKERS).")
@with_appcontext
def worker(workers: int | None):
    """Run queued jobs and the periodic ones (closing due votes, reminders) until stopped.

    Run one per machine beside the web server (a systemd service, say); with
    COOPKIT_QUEUE_URL=redis://... any number of machines can share the queue."""
    from coopkit.jobs import make_consumer

    app = current_app._get_current_object()
    settings = app.extensions["coopkit.settings"]
    consumer = make_consumer(app, workers=workers or settings.queue_workers)
    click.echo(f"coopkit worker: {consumer.workers} thread(s); Ctrl+C stops it after the jobs in hand.")
    consumer.run()
