"""Reminder emails 30, 14, 7 and 1 days before each deadline, to the people responsible,
each sent once: a ReminderSent row (unique per obligation, threshold and person) is written
before the message goes, so two runs at once cannot both send it.

calendar/tasks.py runs :func:`send_due` every morning as a periodic job (``coopkit
calendar-remind`` by hand); the mail leaves once the run's transaction commits.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from coopkit.calendar import queries
from coopkit.calendar.dates import reminder_threshold
from coopkit.calendar.models import ReminderSent
from coopkit.database import add_unless_duplicate
from coopkit.extensions import db
from coopkit.mail import MailError, send_mail
from coopkit.web import external_url

log = logging.getLogger("coopkit.calendar")


@dataclass(frozen=True)
class Sent:
    coop_id: int
    key: str
    days_before: int
    people: int


def _body(coop, item, days: int, url: str) -> str:
    ob = item.obligation
    when = "tomorrow" if days == 1 else ("today" if days == 0 else f"in {days} days")
    needs = "\n".join(f"- {need}" for need in ob.needs)
    return (f"{coop.name}: {ob.title} is due {when}, on {ob.due_on.day} {ob.due_on:%B %Y}.\n\n"
            f"Who: {ob.who}.\n\nWhat it needs:\n{needs}\n\n{ob.basis}\n\n"
            f"Once it is done, record it on the calendar (with the date and any reference) so the "
            f"reminders stop:\n{url}\n\n"
            f"You get this because you are the secretary or a director of {coop.name}.\n")


def send_due(today: date) -> list[Sent]:
    """Send the reminders owed today for every registered co-op.

    Changes: adds a ReminderSent row per message (flushes); the message is queued and leaves
    when the transaction commits, its delivery retried by the queue."""
    coops = queries.registered_coops()
    if not coops:
        return []
    calendars = queries.calendars(coops, today)
    people = queries.responsible_people([c.id for c in coops])
    sent: list[Sent] = []
    for coop in coops:
        for item in calendars[coop.id].items:
            if item.status in ("done", "passed", "projected") or not item.obligation.closable:
                continue
            threshold = reminder_threshold(item.obligation.due_on, today)
            if threshold is None:
                continue
            recipients = {}
            for group in sorted(item.obligation.responsible):
                for user_id, _name, email in people[coop.id][group]:
                    if user_id is not None and email:
                        recipients[user_id] = email
            count = 0
            days = (item.obligation.due_on - today).days
            for user_id, email in sorted(recipients.items()):
                row = ReminderSent(coop_id=coop.id, key=item.obligation.key, days_before=threshold,
                                   user_id=user_id, due_on=item.obligation.due_on)
                if not add_unless_duplicate(row):
                    continue  # sent before (or by a run going on at the same time)
                try:
                    # Queued: it leaves when this run's transaction commits (coopkit/jobs).
                    send_mail(email, f"{coop.name}: {item.obligation.title} due "
                                     f"{item.obligation.due_on.day} {item.obligation.due_on:%B %Y}",
                              _body(coop, item, days, external_url("calendar.index", slug=coop.slug)))
                except MailError:
                    db.session.delete(row)
                    db.session.flush()
                    continue
                count += 1
            if count:
                log.info("Reminder (%d days) for %s of coop %s sent to %d people", threshold,
                         item.obligation.key, coop.id, count)
                sent.append(Sent(coop.id, item.obligation.key, threshold, count))
    return sent
