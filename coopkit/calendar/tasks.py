"""Periodic job: the deadline reminders owed today (30, 14, 7 and 1 days before), each once.

The consumer (``coopkit worker``, or the one inside ``coopkit demo``) runs it every morning;
``coopkit calendar-remind`` does the same by hand. One transaction per run; its emails are
queued when it commits (coopkit.mail.send_mail)."""

from __future__ import annotations

from coopkit.calendar.reminders import send_due
from coopkit.database import utcnow
from coopkit.jobs import crontab, periodic_task


@periodic_task(crontab(hour="6", minute="15"))
def send_deadline_reminders() -> int:
    return len(send_due(utcnow().date()))
