"""Periodic jobs: close proposals whose closing time has passed, send the 24-hour reminders.

The consumer (``coopkit worker``, or the one inside ``coopkit demo``) runs them every
minute, so no page has to be visited for a vote to close; ``coopkit close-due`` does
the same by hand. Each run is one transaction; its emails are queued when it commits.
"""

from __future__ import annotations

import logging

from coopkit.jobs import crontab, periodic_task
from coopkit.proposals import closing

log = logging.getLogger("coopkit.proposals")


@periodic_task(crontab(minute="*"))
def close_due_proposals() -> int:
    """Close every open proposal past its closing time (each exactly once)."""
    return len(closing.close_due())


@periodic_task(crontab(minute="*"))
def send_due_reminders() -> int:
    """Email the 24-hour reminders that are due (each proposal once)."""
    return len(closing.remind_due())
