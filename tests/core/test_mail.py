"""Mail goes through SMTP (here a real aiosmtpd server on loopback) or, in development,
is printed. send_mail queues the message when the transaction commits; a mail server
that is down makes the delivery job retry (tests/jobs covers the retries and the
failed-jobs page), never undoes the action."""

from __future__ import annotations

import dataclasses
import logging

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.jobs import run_pending_jobs
from coopkit.mail import DeliveryError, Mail, deliver, send_mail
from tests.conftest import _free_port


@pytest.fixture()
def settings_swap(app):
    """Replace the app's settings for one test (e.g. another mail backend)."""
    original = app.extensions["coopkit.settings"]

    def swap(**changes):
        app.extensions["coopkit.settings"] = dataclasses.replace(original, **changes)

    yield swap
    app.extensions["coopkit.settings"] = original


def test_smtp_delivers_text_and_attachments(app, mailbox):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) + b"\n%%EOF"
    with app.app_context():
        send_mail(["a@example.org", "b@example.org"], "Minutes of the meeting", "Hello both,\nsee attached.",
                  attachments=[("minutes.pdf", "application/pdf", pdf)])
        db.session.commit()
    [message] = mailbox.messages
    assert message["X-Envelope-To"] == "a@example.org, b@example.org"
    assert message["Subject"] == "Minutes of the meeting"
    assert message["From"] == app.extensions["coopkit.settings"].mail_sender
    assert "see attached." in mailbox.body(message)
    [attachment] = [p for p in message.walk() if p.get_filename()]
    assert attachment.get_filename() == "minutes.pdf"
    assert attachment.get_payload(decode=True) == pdf


def test_a_subject_stays_one_line(app, mailbox):
    with app.app_context():
        send_mail("a@example.org", "Asha\r\nBcc: victim@example.org invites you", "Body")
        db.session.commit()
    [message] = mailbox.messages
    assert message["Subject"] == "Asha Bcc: victim@example.org invites you"
    assert message["Bcc"] is None
    assert message["X-Envelope-To"] == "a@example.org"


def test_no_recipients_sends_nothing(app, mailbox):
    with app.app_context():
        send_mail([], "Nobody", "Body")
        db.session.commit()
    assert mailbox.messages == []


def test_console_backend_prints_and_never_connects(app, mailbox, settings_swap, capsys):
    # The SMTP settings point at a closed port: a connection attempt would fail.
    settings_swap(mail_backend="console", mail_port=_free_port())
    with app.app_context():
        send_mail("dev@example.org", "Printed, not sent", "Only on the console.")
        db.session.commit()
    out = capsys.readouterr().out
    assert "--- email (COOPKIT_MAIL_BACKEND=console) ---" in out
    assert "Subject: Printed, not sent" in out and "Only on the console." in out
    assert mailbox.messages == []


def test_nothing_is_sent_before_the_commit_or_after_a_rollback(app, mailbox):
    with app.app_context():
        send_mail("a@example.org", "Rolled back", "Never sent")
        assert mailbox.messages == []  # not yet: the transaction has not committed
        db.session.rollback()
        send_mail("b@example.org", "Committed", "Sent")
        db.session.commit()
    assert [m["Subject"] for m in mailbox.messages] == ["Committed"]


def test_an_unreachable_server_raises_delivery_error_without_personal_data_in_the_log(app, settings_swap, caplog):
    settings_swap(mail_port=_free_port())
    with app.app_context(), caplog.at_level(logging.ERROR, logger="coopkit.mail"):
        with pytest.raises(DeliveryError) as failed:
            deliver([Mail(["private.person@example.org"], "Secret subject", "Body")])
    assert failed.value.sent == 0
    assert "Mail stopped after 0 of 1 message(s)" in caplog.text
    assert "private.person" not in caplog.text and "Secret subject" not in caplog.text


def test_an_invitation_stands_when_the_mail_server_is_down_and_its_mail_is_retried(
        app, client, make, login, settings_swap, mailbox):
    from coopkit.coops.models import Invitation

    founder = make.user()
    coop = make.coop(founder=founder)
    login(client, founder)
    working_port = app.extensions["coopkit.settings"].mail_port
    settings_swap(mail_port=_free_port())
    response = client.post(f"/c/{coop.slug}/people/invite", data={"email": "ben@example.org"})
    assert response.status_code == 302
    assert "is on its way" in client.get(response.headers["Location"]).text
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Invitation)).scalar_one() == 1
    assert mailbox.to("ben@example.org") == []
    # The server is back; the retry (due a minute later) delivers the invitation once.
    settings_swap(mail_port=working_port)
    with app.app_context():
        assert run_pending_jobs(now=utc_in(minutes=2)) == 1
    [message] = mailbox.to("ben@example.org")
    assert "Open this link to accept" in mailbox.body(message)


def test_a_reset_that_cannot_be_mailed_answers_as_usual(app, client, make, settings_swap):
    user = make.user()
    settings_swap(mail_port=_free_port())
    response = client.post("/reset", data={"email": user.email}, follow_redirects=True)
    assert response.status_code == 200
    assert "If an account uses that address" in response.text


def utc_in(*, minutes: int):
    from datetime import timedelta

    from coopkit.database import utcnow

    return utcnow() + timedelta(minutes=minutes)
