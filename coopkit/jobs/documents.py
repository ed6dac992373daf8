"""Large PDFs rendered by the job queue, with a progress page that needs no JavaScript.

A feature registers how to render a kind of document (in its ``tasks.py``)::

    @document_kind("register.members")
    def render_register(coop_id: int, params: dict) -> str:
        ...  # build the HTML, then: return pipeline.render_to_cache(html, ...)

and gives it three routes guarded by its own policy action: a POST that calls
:func:`start_document` and redirects to the progress page, the progress page
(:func:`progress_page`: refreshes itself every few seconds with ``<meta http-equiv="refresh">``,
which the CSP allows, until the PDF is ready), and the download (:func:`download`),
which serves the PDF from the PDF cache; :func:`add_job_pages` adds the last two to a
blueprint. Only the person who asked sees a job.
"""

from __future__ import annotations

import json
import logging
import secrets
from collections.abc import Callable

import sqlalchemy as sa
from flask import Response, abort, g, render_template, url_for
from flask_login import current_user

from coopkit.coops.policy import requires
from coopkit.database import utcnow
from coopkit.documents.pipeline import cached_pdf
from coopkit.extensions import db
from coopkit.jobs.commit import after_commit
from coopkit.jobs.models import DocumentJob
from coopkit.jobs.queue import task

log = logging.getLogger("coopkit.jobs")

#: kind -> function(coop_id, params) returning the PDF cache key of the rendered document
DOCUMENT_KINDS: dict[str, Callable[[int | None, dict], str]] = {}

#: seconds between two refreshes of the progress page
REFRESH_SECONDS = 3


def document_kind(name: str):
    def register(render: Callable[[int | None, dict], str]):
        DOCUMENT_KINDS[name] = render
        return render

    return register


def start_document(kind: str, *, coop, user, params: dict, filename: str) -> DocumentJob:
    """Ask for a document: adds a DocumentJob and queues its rendering once the transaction
    commits. Flushes."""
    if kind not in DOCUMENT_KINDS:
        raise LookupError(f"no document kind {kind!r}")
    job = DocumentJob(token=secrets.token_urlsafe(32), coop_id=coop.id if coop is not None else None,
                      requested_by_id=user.id, kind=kind, params=json.dumps(params, sort_keys=True),
                      filename=filename, state="queued", created_at=utcnow())
    db.session.add(job)
    db.session.flush()
    after_commit(render_document, job.id)
    log.info("Document job %s queued: %s for coop %s", job.id, kind, job.coop_id)
    return job


@task(retries=0)
def render_document(job_id: int) -> None:
    """Render a document job into the PDF cache. A rendering error is recorded on the job
    (it would fail the same way again) and shown on its progress page."""
    claimed = db.session.execute(
        sa.update(DocumentJob).where(DocumentJob.id == job_id, DocumentJob.state == "queued")
        .values(state="running").execution_options(synchronize_session=False)
    ).rowcount
    db.session.commit()  # the progress page shows "being prepared" meanwhile
    if claimed != 1:
        return  # already run (a job may be delivered twice)
    job = db.session.get(DocumentJob, job_id)
    try:
        with db.session.begin_nested():
            key = DOCUMENT_KINDS[job.kind](job.coop_id, json.loads(job.params))
    except Exception as exc:  # noqa: BLE001 - any failure is shown to the person waiting
        log.exception("Document job %s (%s) failed", job_id, job.kind)
        job.state, job.error, job.finished_at = "failed", type(exc).__name__, utcnow()
        return
    job.state, job.sha256, job.finished_at = "done", key, utcnow()
    log.info("Document job %s done", job_id)


def job_for(token: str, coop, user) -> DocumentJob:
    """The job behind a progress address, for the person who asked for it; 404 otherwise."""
    job = db.session.execute(sa.select(DocumentJob).where(DocumentJob.token == token)).scalar_one_or_none()
    if job is None or job.requested_by_id != getattr(user, "id", None) \
            or job.coop_id != (coop.id if coop is not None else None):
        abort(404)
    return job


def progress_page(job: DocumentJob, *, title: str, download_url: str, back_url: str):
    """The page to wait on: refreshes itself until the PDF is ready, then offers it."""
    return render_template("jobs/document.html", job=job, title=title, download_url=download_url,
                           back_url=back_url, refresh=REFRESH_SECONDS if job.state in ("queued", "running") else None)


def download(job: DocumentJob) -> Response:
    """The finished PDF from the PDF cache (404 until it is ready)."""
    pdf = cached_pdf(job.sha256) if job.state == "done" and job.sha256 else None
    if pdf is None:
        abort(404)
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{job.filename}"'})


def add_job_pages(bp, *, action: str, prefix: str, title: str, back: str) -> None:
    """Add a feature's document-job pages to its co-op blueprint ``bp``: the progress page
    ``<prefix>_progress`` at ``/documents/<job_token>`` and the PDF ``<prefix>_download`` at
    ``/documents/<job_token>/file``, both needing the policy ``action`` and both only for the
    person who asked (:func:`job_for`: anyone else gets 404). ``back`` is the endpoint to go back to."""

    def progress(job_token: str):
        job = job_for(job_token, g.coop, current_user)
        return progress_page(job, title=title, back_url=url_for(back),
                             download_url=url_for(f"{bp.name}.{prefix}_download", job_token=job.token))

    def file(job_token: str):
        return download(job_for(job_token, g.coop, current_user))

    bp.add_url_rule("/documents/<job_token>", f"{prefix}_progress", requires(action)(progress))
    bp.add_url_rule("/documents/<job_token>/file", f"{prefix}_download", requires(action)(file))
