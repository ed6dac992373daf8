"""The job queue: mail leaves only after a commit, over one SMTP connection per batch,
retries with back-off, and lands on the admin's failed-jobs page when it keeps failing.

All mail goes to the real aiosmtpd server of the ``mailbox`` fixture. Tests run each job
in the committing thread right after the commit (eager); ``jobs_deferred`` makes them
wait for ``run_pending_jobs()`` instead.
"""

from __future__ import annotations

import dataclasses
import smtplib
from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.jobs import huey, run_pending_jobs
from coopkit.jobs.mail import MAIL_RETRIES, MAIL_RETRY_DELAY
from coopkit.jobs.models import FailedJob
from coopkit.mail import send_mail
from tests.conftest import _free_port


@pytest.fixture()
def smtp_down(app):
    """The mail server is unreachable until the test calls the returned function."""
    settings = app.extensions["coopkit.settings"]
    app.extensions["coopkit.settings"] = dataclasses.replace(settings, mail_port=_free_port())

    def back_up():
        app.extensions["coopkit.settings"] = settings

    yield back_up
    app.extensions["coopkit.settings"] = settings


def later(**delta) -> object:
    return utcnow() + timedelta(**delta)


def test_a_request_that_fails_after_queuing_mail_sends_none(app, client, make, login, mailbox, monkeypatch):
    from coopkit.coops.models import Invitation
    from coopkit.workspace import views

    founder = make.user()
    coop = make.coop(founder=founder)
    login(client, founder)

    def broken_flash(*args, **kwargs):  # fails after send_mail was called, before the commit
        raise RuntimeError("the request fails after queuing its mail")

    monkeypatch.setattr(views, "flash", broken_flash)
    with pytest.raises(RuntimeError):
        client.post(f"/c/{coop.slug}/people/invite", data={"email": "ben@example.org"})
    assert mailbox.messages == []
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Invitation)).scalar_one() == 0
        assert huey.pending_count() == 0 and huey.scheduled_count() == 0


def test_mail_inside_a_savepoint_that_rolls_back_is_dropped_and_the_rest_sent(app, mailbox):
    with app.app_context():
        send_mail("kept@example.org", "Kept", "Sent after the commit")
        try:
            with db.session.begin_nested():
                send_mail("dropped@example.org", "Dropped", "Its savepoint rolled back")
                raise ValueError("undo the savepoint")
        except ValueError:
            pass
        with db.session.begin_nested():
            send_mail("released@example.org", "Released", "Its savepoint was released")
        assert mailbox.messages == []
        db.session.commit()
    assert sorted(m["Subject"] for m in mailbox.messages) == ["Kept", "Released"]


def test_a_batch_goes_over_one_smtp_connection(app, mailbox, monkeypatch):
    connections = []
    real_init = smtplib.SMTP.__init__

    def counting_init(self, *args, **kwargs):
        connections.append(args[:2])
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "__init__", counting_init)
    with app.app_context():
        for n in range(7):
            send_mail(f"member{n}@example.org", "Vote open", f"Hello {n}")
        db.session.commit()
    assert len(mailbox.messages) == 7
    assert [m["X-Envelope-To"] for m in mailbox.messages] == [f"member{n}@example.org" for n in range(7)]
    assert len(connections) == 1


def test_a_batch_that_fails_part_way_retries_only_the_messages_not_sent(app, mailbox, monkeypatch, jobs_deferred):
    real_send = smtplib.SMTP.send_message
    calls = []

    def flaky_send(self, message, *args, **kwargs):
        calls.append(message["To"])
        if len(calls) == 3:
            raise smtplib.SMTPServerDisconnected("the server went away")
        return real_send(self, message, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "send_message", flaky_send)
    with app.app_context():
        for n in range(5):
            send_mail(f"member{n}@example.org", "Result", "The vote has closed")
        db.session.commit()
        assert mailbox.messages == [] and huey.pending_count() == 1
        assert run_pending_jobs() == 1
        assert [m["To"] for m in mailbox.messages] == ["member0@example.org", "member1@example.org"]
        [retry] = huey.scheduled()
        assert [m.recipients for m in retry.args[0]] == [[f"member{n}@example.org"] for n in (2, 3, 4)]
        assert run_pending_jobs(now=later(minutes=2)) == 1
    assert sorted(m["To"] for m in mailbox.messages) == [f"member{n}@example.org" for n in range(5)]


def test_an_smtp_outage_retries_with_back_off_then_shows_on_the_failed_jobs_page(
        app, client, make, login, mailbox, smtp_down, caplog):
    admin = make.user(is_admin=True)
    with app.app_context():
        send_mail("private.person@example.org", "Your invitation", "Hello")
        db.session.commit()  # eager: the first attempt runs now and fails
        [waiting] = huey.scheduled()
        assert waiting.retries == MAIL_RETRIES - 1
        first_wait = waiting.eta - utcnow()
        assert timedelta(seconds=MAIL_RETRY_DELAY - 5) < first_wait <= timedelta(seconds=MAIL_RETRY_DELAY)
        assert waiting.retry_delay == MAIL_RETRY_DELAY * 2  # back-off: each wait doubles
        assert run_pending_jobs(now=later(minutes=1, seconds=1)) == 1
        [waiting] = huey.scheduled()
        assert timedelta(seconds=2 * MAIL_RETRY_DELAY - 5) < waiting.eta - utcnow() <= timedelta(
            seconds=2 * MAIL_RETRY_DELAY)
        assert db.session.execute(sa.select(sa.func.count()).select_from(FailedJob)).scalar_one() == 0
        db.session.rollback()  # end the read before the jobs write (SQLite has one writer)
        # A day later every retry has run and failed.
        assert run_pending_jobs(now=later(days=1)) == MAIL_RETRIES - 1
        assert huey.scheduled_count() == 0 and huey.pending_count() == 0
        failed = db.session.execute(sa.select(FailedJob)).scalar_one()
        assert failed.task_name == "coopkit.jobs.mail.deliver_mail"
        assert failed.description == "1 email(s) to 1 recipient(s)"
        assert failed.error.startswith("DeliveryError")
        failed_id = failed.id
    assert mailbox.messages == []
    assert "private.person" not in caplog.text and "Your invitation" not in caplog.text

    login(client, admin)
    page = client.get("/admin/jobs/failed")
    assert page.status_code == 200
    assert "1 email(s) to 1 recipient(s)" in page.text and "Run again" in page.text
    assert "private.person" not in page.text

    smtp_down()  # the server is back
    response = client.post(f"/admin/jobs/failed/{failed_id}/retry")
    assert response.status_code == 302
    [message] = mailbox.messages
    assert message["To"] == "private.person@example.org" and message["Subject"] == "Your invitation"
    page = client.get("/admin/jobs/failed")
    assert "queued again" in page.text and "Run again" in page.text  # "Run again <date>", no button
    assert f"/admin/jobs/failed/{failed_id}/retry" not in page.text
    # A second press does nothing more.
    client.post(f"/admin/jobs/failed/{failed_id}/retry")
    assert len(mailbox.messages) == 1
    with app.app_context():
        from coopkit.audit.models import AuditEvent

        assert db.session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.action == "job.retried")
        ).scalar_one() == 1


def test_the_failed_jobs_page_is_for_the_admin_only(app, client, make, login):
    login(client, make.user())
    assert client.get("/admin/jobs/failed").status_code == 403


def test_a_rolled_back_job_sends_nothing(app, mailbox):
    """A job is a unit of work too: mail it queues goes out only if the job commits."""
    from coopkit.jobs.queue import unit_of_work

    def failing_job():
        send_mail("someone@example.org", "Never", "The job raised after queuing this")
        raise RuntimeError("job failed")

    with app.app_context(), pytest.raises(RuntimeError):
        unit_of_work(failing_job)()
    assert mailbox.messages == []


@pytest.mark.parametrize(("url", "expected"), [
    ("amqp://broker", "COOPKIT_QUEUE_URL must be redis://"),
    ("redis:/nohost", "COOPKIT_QUEUE_URL must be redis://"),
    ("sqlite://", "names no file"),
    ("redis://:6379/0", "names no Redis host"),
])
def test_a_queue_url_that_cannot_work_stops_start_up(tmp_path, url, expected):
    from coopkit.config import ConfigError, Settings

    with pytest.raises(ConfigError) as error:
        Settings.from_env({"COOPKIT_QUEUE_URL": url}, instance_path=str(tmp_path))
    assert expected in str(error.value)


@pytest.mark.parametrize("url", ["", "memory://", "sqlite:////tmp/coopkit-jobs.db", "redis://127.0.0.1:6379/0"])
def test_usable_queue_urls_are_accepted(tmp_path, url):
    from coopkit.config import Settings

    assert Settings.from_env({"COOPKIT_QUEUE_URL": url}, instance_path=str(tmp_path)).queue_url == url
