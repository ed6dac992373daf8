"""Periodic job: the weekly digest of deadlines to mentors, on Monday mornings (each mentor
once a week; ``coopkit mentor-digest`` does the same by hand)."""

from __future__ import annotations

from coopkit.database import utcnow
from coopkit.jobs import crontab, periodic_task
from coopkit.mentoring.digest import send_weekly


@periodic_task(crontab(day_of_week="1", hour="7", minute="0"))
def send_mentor_digests() -> int:
    return send_weekly(utcnow().date())
