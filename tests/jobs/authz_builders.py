"""URL parameters of the job pages."""

from __future__ import annotations

from coopkit.extensions import db
from tests.authz_params import _cached, builder


@builder("failed_id")
def failed_job_id(app, world, coop):
    """A failed delivery job (retries ran out), waiting for the admin."""

    def create():
        from coopkit.jobs.mail import deliver_mail
        from coopkit.jobs.services import record_failure
        from coopkit.mail import DeliveryError, Mail

        with app.app_context():
            task = deliver_mail.s([Mail(["nobody@example.org"], "Walk", "Body")])
            task.retries = 0
            failed = record_failure(task, DeliveryError("The mail server could not take the messages.", 0))
            db.session.commit()
            return failed.id

    return _cached(world, ("failed_job",), create)


@builder("job_token")
def document_job_token(app, world, coop):
    """A finished register PDF job, asked for by the one who may see it: the secretary (in the
    registered co-op; in the forming one nobody may, and the founder asked)."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop
        from coopkit.jobs.documents import start_document

        asker = world.users["secretary"] if coop.id == world.registered.id else world.users["founder"]
        with app.app_context():
            job = start_document("register.members", coop=db.session.get(Coop, coop.id),
                                 user=db.session.get(User, asker.id), params={"as_at": "2026-01-01"},
                                 filename="walk.pdf")
            token = job.token
            db.session.commit()  # the tests run jobs right after the commit: the PDF is ready
            return token

    return _cached(world, ("document_job", coop.id), create)


def finished_job_for_walker(app, world, coop, kind: str) -> str:
    """A finished document job asked for by the user being walked (a job is only ever shown to
    whoever asked), its PDF in the cache; for anonymous visitors, one asked by the founder."""

    def create():
        import hashlib
        import json
        import secrets

        from coopkit.database import utcnow
        from coopkit.documents.models import CachedDocument
        from coopkit.jobs.models import DocumentJob

        asker = world.users.get(world.role) or world.users["founder"]
        pdf = b"%PDF-1.4 walk"
        key = hashlib.sha256(pdf).hexdigest()
        with app.app_context():
            if db.session.get(CachedDocument, key) is None:
                db.session.add(CachedDocument(sha256=key, content=pdf, size=len(pdf)))
            job = DocumentJob(token=secrets.token_urlsafe(32), coop_id=coop.id, requested_by_id=asker.id, kind=kind,
                              params=json.dumps({}), filename="walk.pdf", state="done", sha256=key,
                              created_at=utcnow(), finished_at=utcnow())
            db.session.add(job)
            db.session.commit()
            return job.token

    return _cached(world, ("document_job", kind, coop.id, world.role), create)


for _endpoint, _kind in (("rules.pack_progress", "rules.pack"), ("rules.pack_download", "rules.pack"),
                         ("meetings.minutes_progress", "meetings.minutes"),
                         ("meetings.minutes_download", "meetings.minutes")):
    @builder("job_token", endpoint=_endpoint)
    def _walker_job(app, world, coop, _kind=_kind):
        return finished_job_for_walker(app, world, coop, _kind)
