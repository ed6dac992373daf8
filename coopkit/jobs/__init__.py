"""The job queue (huey): mail and other work after commit, periodic jobs, large PDFs.

- ``coopkit.mail.send_mail(...)`` queues its message when the transaction commits.
- ``after_commit(task, *args)`` runs any job once the transaction commits.
- Declare jobs with ``@task(...)`` / ``@periodic_task(crontab(...))`` in a feature's
  ``tasks.py``; the factory imports those modules (``coopkit.blueprints.TASK_MODULES``).
- ``coopkit worker`` runs the consumer; ``coopkit demo`` runs one in a thread; tests run
  jobs in the committing thread right after the commit (eager) or with ``run_pending_jobs()``.

This package imports no feature package.
"""

from __future__ import annotations

from flask import Flask
from huey import crontab
from huey.signals import SIGNAL_ERROR

from coopkit.jobs.commit import after_commit, install_session_events, queue_mail
from coopkit.jobs.queue import (
    EXTENSION,
    QueueState,
    huey,
    job_app,
    make_consumer,
    make_storage,
    periodic_task,
    run_pending_jobs,
    task,
)

__all__ = ["after_commit", "crontab", "huey", "init_app", "make_consumer", "periodic_task", "run_pending_jobs",
           "task"]


def init_app(app: Flask, settings) -> None:
    """Give ``app`` its queue storage, make send_mail queue after commit, and record failures."""
    from coopkit import mail
    from coopkit.jobs import mail as mail_jobs  # noqa: F401  (registers deliver_mail)
    from coopkit.jobs.services import DESCRIBERS

    testing = settings.env == "testing"
    storage = make_storage(settings.queue_url, app.instance_path, testing)
    eager = app.config.get("JOBS_EAGER", testing and settings.queue_url in ("", "memory://"))
    app.extensions[EXTENSION] = QueueState(app=app, storage=storage, eager=eager)
    app.extensions[mail.OUTBOX] = queue_mail
    huey.default_app = app
    install_session_events()
    DESCRIBERS[huey._registry.task_to_string(type(mail_jobs.deliver_mail.s([])))] = mail_jobs.describe


@huey.signal(SIGNAL_ERROR)
def _keep_failed_job(signal, task, exc=None):
    """A job raised; when it has no retries left, keep it for the admin's failed-jobs page."""
    if task.retries:
        return
    from coopkit.extensions import db
    from coopkit.jobs.services import record_failure

    with job_app().app_context():
        try:
            record_failure(task, exc)
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
