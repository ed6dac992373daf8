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
