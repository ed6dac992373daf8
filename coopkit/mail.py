"""Sending email: SMTP in production and tests, printed to the log in development."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger("coopkit.mail")


class MailError(RuntimeError):
    """The mail server could not be reached or refused the message."""


def send_mail(to: str | list[str], subject: str, body: str, attachments: list[tuple[str, str, bytes]] = ()) -> None:
    """Send a plain-text message; attachments are (filename, mime type, bytes).

    Raises MailError when the SMTP server cannot take it; callers decide whether
    that undoes the action (an invitation) or is only logged (a password reset)."""
    settings = current_app.extensions["coopkit.settings"]
    recipients = [to] if isinstance(to, str) else list(to)
    if not recipients:
        return
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = ", ".join(recipients)
    # A subject is one line: names typed by users must not start new headers.
    message["Subject"] = " ".join(subject.split())
    message.set_content(body)
    for filename, mime, data in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename)
    if settings.mail_backend == "console":
        print(f"--- email (COOPKIT_MAIL_BACKEND=console) ---\n{message.as_string()}\n--- end of email ---",
              flush=True)
        return
    try:
        with smtplib.SMTP(settings.mail_server, settings.mail_port, timeout=10) as smtp:
            if settings.mail_use_tls:
                smtp.starttls()
            if settings.mail_username:
                smtp.login(settings.mail_username, settings.mail_password)
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException) as exc:
        # No addresses or message text in the log: only what failed and where.
        log.error("Mail not sent to %d recipient(s): %s (%s:%s)", len(recipients), type(exc).__name__,
                  settings.mail_server, settings.mail_port)
        raise MailError("The email could not be sent just now.") from exc
    log.info("Mail sent to %d recipient(s)", len(recipients))
