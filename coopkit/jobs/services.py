"""Writes of the job queue: failed jobs are recorded, and run again by the admin."""

from __future__ import annotations

import logging

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.jobs.commit import after_commit
from coopkit.jobs.models import FailedJob
from coopkit.jobs.queue import huey
from coopkit.mail import MailError

log = logging.getLogger("coopkit.jobs")

#: how a failed job is described to the admin, by task name (counts and ids only)
DESCRIBERS: dict = {}


class JobError(ValueError):
    """A failed job cannot be run again (already retried, or its task no longer exists)."""


def task_name(task) -> str:
    return huey._registry.task_to_string(type(task))


def describe(task) -> str:
    describer = DESCRIBERS.get(task_name(task))
    try:
        return describer(task.args) if describer else f"{task.name} with {len(task.args)} argument(s)"
    except Exception:  # noqa: BLE001 - a description must never hide the failure itself
        return task.name


def error_text(exc: BaseException) -> str:
    """The error's kind, and the message only when it is ours (no address in it)."""
    if isinstance(exc, MailError):
        return f"{type(exc).__name__}: {exc}"[:300]
    return type(exc).__name__


def record_failure(task, exc: BaseException) -> FailedJob:
    """Keep a job whose retries ran out. Adds a FailedJob; flushes."""
    failed = FailedJob(task_name=task_name(task), description=describe(task)[:300], error=error_text(exc),
                       payload=huey.serialize_task(task), failed_at=utcnow())
    db.session.add(failed)
    db.session.flush()
    log.warning("Job %s failed for good (failed job %s): %s", failed.task_name, failed.id, failed.error)
    return failed


def retry(failed_id: int, actor) -> FailedJob:
    """Run a failed job again, with its retries renewed, once this transaction commits.
    Sets FailedJob.retried_at/by; audits job.retried. Flushes. Raises JobError."""
    failed = db.session.execute(
        sa.select(FailedJob).where(FailedJob.id == failed_id).with_for_update()
    ).scalar_one_or_none()
    if failed is None:
        raise JobError("There is no such failed job.")
    if failed.retried_at is not None:
        raise JobError("This job has already been run again.")
    try:
        task = huey.deserialize_task(failed.payload)
    except Exception:  # noqa: BLE001 - an unknown or renamed task
        raise JobError("This job's task no longer exists in this version of coopkit.") from None
    task_class = type(task)
    task.retries, task.retry_delay = task_class.default_retries, task_class.default_retry_delay
    task.eta = None
    after_commit(task)
    failed.retried_at, failed.retried_by_id = utcnow(), actor.id
    db.session.flush()
    record("job.retried", actor=actor, subject=failed, data={"task": failed.task_name})
    log.info("Failed job %s queued again", failed.id)
    return failed
