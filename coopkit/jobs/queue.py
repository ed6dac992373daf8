"""The huey instance, its storage per app, and the one place a job gets its app context.

Every coopkit job is a function decorated with :func:`task` or :func:`periodic_task`.
The decorator registers it with huey and wraps it so that it runs inside an
application context with its own database session, which is committed when the
job returns and rolled back when it raises (a job is a unit of work, like a request).
"""

from __future__ import annotations

import functools
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from urllib.parse import urlparse

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.consumer import Consumer
from huey.storage import MemoryStorage, RedisStorage, SqliteStorage

from coopkit.extensions import db

log = logging.getLogger("coopkit.jobs")

EXTENSION = "coopkit.jobs"


@dataclass
class QueueState:
    """One app's view of the queue: where its jobs are stored and how they run."""

    app: Flask
    storage: object
    #: run jobs in the committing thread right after the commit (tests), instead of by a consumer
    eager: bool


class CoopkitHuey(Huey):
    """A Huey whose storage is the current app's (several apps may live in one process,
    as in the test suite); outside any app context, the app that set the queue up last."""

    def __init__(self):
        self._fallback_storage = None
        self.default_app: Flask | None = None
        super().__init__("coopkit", results=False, utc=True, storage_class=MemoryStorage)

    @property
    def storage(self):
        state = current_state()
        return state.storage if state is not None else self._fallback_storage

    @storage.setter
    def storage(self, value):
        self._fallback_storage = value


huey = CoopkitHuey()


def current_state() -> QueueState | None:
    if has_app_context():
        state = current_app.extensions.get(EXTENSION)
        if state is not None:
            return state
    if huey.default_app is not None:
        return huey.default_app.extensions.get(EXTENSION)
    return None


def job_app() -> Flask:
    """The application a job runs in: the current one, else the one that set up the queue."""
    if has_app_context():
        return current_app._get_current_object()
    if huey.default_app is None:
        raise RuntimeError("The job queue has no application: call create_app() first.")
    return huey.default_app


class SqliteQueueStorage(SqliteStorage):
    """huey's SQLite storage, synchronised like the app's own SQLite database (WAL with
    synchronous=NORMAL: safe if the process dies, and no fsync per queued job)."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


def make_storage(url: str, instance_path: str, testing: bool):
    """The huey storage for COOPKIT_QUEUE_URL (validated by coopkit.config)."""
    if not url:
        if testing:
            return MemoryStorage("coopkit")
        return _sqlite(str(Path(instance_path) / "jobs.db"))
    parsed = urlparse(url)
    if parsed.scheme == "memory":
        return MemoryStorage("coopkit")
    if parsed.scheme == "sqlite":
        return _sqlite(url.split("://", 1)[1][1:] or "jobs.db")
    return RedisStorage("coopkit", url=url)


def _sqlite(filename: str) -> SqliteQueueStorage:
    storage = SqliteQueueStorage("coopkit", filename=filename)  # creates its tables
    storage.close()  # reopened on first use, so a process forked after start-up (gunicorn --preload) has its own
    return storage


def unit_of_work(fn):
    """Run ``fn`` in an app context with its own session: commit on return, roll back on error."""

    @functools.wraps(fn)
    def run(*args, **kwargs):
        with job_app().app_context():
            try:
                value = fn(*args, **kwargs)
                db.session.commit()
            except BaseException:
                db.session.rollback()
                raise
            return value

    return run


def task(*, retries: int = 0, retry_delay: int = 0, retry_backoff: float = 1.0, context: bool = False, **options):
    """Declare a job (``@task(retries=5, retry_delay=30, retry_backoff=2)``). Call
    ``coopkit.jobs.after_commit(the_task, *args)`` to run it once the transaction commits."""

    def decorator(fn):
        return huey.task(retries=retries, retry_delay=retry_delay, retry_backoff=retry_backoff,
                         context=context, **options)(unit_of_work(fn))

    return decorator


def periodic_task(schedule, **options):
    """Declare a job that the consumer runs on a schedule (``crontab(minute="*")``)."""

    def decorator(fn):
        return huey.periodic_task(schedule, **options)(unit_of_work(fn))

    return decorator


_draining = threading.local()


def run_pending_jobs(*, now: datetime | None = None, periodic: bool = False, limit: int = 10_000) -> int:
    """Run, in this thread, every job waiting in the queue and every retry due by ``now``
    (naive UTC; a later ``now`` runs retries early). With ``periodic``, first enqueue the
    periodic jobs due at ``now``, as the consumer's scheduler does once a minute.
    Returns how many jobs ran. Used by tests and by the eager mode."""
    timestamp = now or huey._get_timestamp()
    if periodic:
        for job in huey.read_periodic(timestamp):
            huey.enqueue(job)
    ran = 0
    _draining.active = True
    try:
        while ran < limit:
            for job in huey.read_schedule(timestamp):
                huey.enqueue(job)
            job = huey.dequeue()
            if job is None:
                break
            huey.execute(job, timestamp)
            ran += 1
    finally:
        _draining.active = False
    return ran


def drain_if_eager() -> None:
    state = current_state()
    if state is not None and state.eager and not getattr(_draining, "active", False):
        run_pending_jobs()


class EmbeddedConsumer(Consumer):
    """A consumer that runs beside the web server in one process (``coopkit demo``): it
    leaves the signal handlers to the server, which stops it on Ctrl+C."""

    def _set_signal_handlers(self):
        pass


def make_consumer(app: Flask, *, workers: int, embedded: bool = False) -> Consumer:
    huey.default_app = app
    kind = EmbeddedConsumer if embedded else Consumer
    return kind(huey, workers=workers, worker_type="thread", periodic=True, check_worker_health=True,
                max_delay=2.0)
