"""The delivery job behind coopkit.mail.send_mail."""

from __future__ import annotations

from coopkit.jobs.queue import task
from coopkit.mail import DeliveryError, Mail, deliver

#: attempts after the first, and the waits between them: 1, 2, 4, 8, 16, 32 minutes (about an hour)
MAIL_RETRIES = 6
MAIL_RETRY_DELAY = 60
MAIL_RETRY_BACKOFF = 2.0


@task(retries=MAIL_RETRIES, retry_delay=MAIL_RETRY_DELAY, retry_backoff=MAIL_RETRY_BACKOFF, context=True)
def deliver_mail(mails: list[Mail], task=None) -> int:
    """Send a batch of messages over one SMTP connection. When the server fails part-way,
    the job keeps only the messages not yet sent, so its retry sends each message once."""
    try:
        return deliver(mails)
    except DeliveryError as exc:
        if task is not None:
            task.args = (mails[exc.sent:],)
        raise


def describe(args: tuple) -> str:
    """What a failed delivery job was, for the admin (counts only, no addresses)."""
    mails = args[0] if args else []
    people = sum(len(m.recipients) for m in mails)
    return f"{len(mails)} email(s) to {people} recipient(s)"
