"""Email: composed during a request, delivered by the job queue after the request commits.

:func:`send_mail` is what features call. It only *composes* the message and hands it to
the outbox that the job queue installs (``coopkit.jobs``): the message waits in the
database session and becomes a delivery job when the transaction commits, so a
rolled-back request sends nothing. :func:`deliver` is the SMTP side the job runs: one
connection for a whole batch of messages.
"""

from __future__ import annotations

import logging
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("coopkit.mail")

#: app.extensions key of the callable that takes a composed :class:`Mail` (set by coopkit.jobs)
OUTBOX = "coopkit.mail.outbox"


class MailError(RuntimeError):
    """The mail server could not be reached or refused the message."""


@dataclass
class Mail:
    """One message, in a form the job queue can store (plain data, no EmailMessage)."""

    recipients: list[str]
    subject: str
    body: str
    attachments: list[tuple[str, str, bytes]] = field(default_factory=list)


def send_mail(to: str | list[str], subject: str, body: str, attachments: list[tuple[str, str, bytes]] = ()) -> None:
    """Send a plain-text message once the current transaction commits; attachments are
    (filename, mime type, bytes). Nothing is sent if the transaction rolls back.

    Never raises for a mail server that is down: delivery is a job that retries with
    back-off and, when it keeps failing, shows on the admin's failed-jobs page."""
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    mail = Mail(recipients, " ".join(subject.split()), body, [tuple(a) for a in attachments])
    outbox: Callable[[Mail], None] | None = current_app.extensions.get(OUTBOX)
    if outbox is None:  # an app built without the job queue (a script): send now
        deliver([mail])
    else:
        outbox(mail)


def _message(mail: Mail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(mail.recipients)
    # A subject is one line: names typed by users must not start new headers.
    message["Subject"] = " ".join(mail.subject.split())
    message.set_content(mail.body)
    for filename, mime, data in mail.attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    return message


class DeliveryError(MailError):
    """Delivery stopped part-way: ``sent`` messages of the batch went out, the rest did not."""

    def __init__(self, message: str, sent: int):
        super().__init__(message)
        self.sent = sent


def _refused_for_good(exc: smtplib.SMTPException) -> bool:
    """A 5xx answer is permanent; a 4xx one may work later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
    else:
        codes = [getattr(exc, "smtp_code", 0)]
    return bool(codes) and all(code >= 500 for code in codes)


def deliver(mails: list[Mail]) -> int:
    """Send ``mails`` over one SMTP connection, in order. Returns how many were sent;
    a message the server refuses for good (a bad address) is logged and skipped.
    Raises DeliveryError (with how many went out first) when the server cannot be
    reached or fails part-way, so a retry sends only the rest."""
    settings = current_app.extensions["coopkit.settings"]
    if not mails:
        return 0
    if settings.mail_backend == "console":
        for mail in mails:
            print(f"--- email (COOPKIT_MAIL_BACKEND=console) ---\n"
                  f"{_message(mail, settings.mail_sender).as_string()}\n--- end of email ---", flush=True)
        return len(mails)
    sent = 0
    try:
        with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=10) as smtp:
            if settings.mail_use_tls:
                smtp.starttls()
            if settings.mail_username:
                smtp.login(settings.mail_username, settings.mail_password)
            for mail in mails:
                try:
                    smtp.send_message(_message(mail, settings.mail_sender))
                except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
                    if not _refused_for_good(exc):
                        raise  # a temporary refusal: retry this one and the rest
                    # Retrying cannot help (a bad address). No address in the log.
                    log.warning("Mail refused by the server (%s) for %d recipient(s)",
                                type(exc).__name__, len(mail.recipients))
                sent += 1  # sent, or refused for good: either way not to be retried
    except (OSError, smtplib.SMTPException) as exc:
        # No addresses or message text in the log: only what failed and where.
        log.error("Mail stopped after %d of %d message(s): %s (%s:%s)", sent, len(mails), type(exc).__name__,
                  settings.mail_server, settings.mail_port)
        raise DeliveryError(f"The mail server could not take the messages ({type(exc).__name__}).", sent) from exc
    log.info("Mail sent: %d message(s)", sent)
    return sent
