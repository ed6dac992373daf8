"""Reads for the job pages."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.jobs.models import FailedJob


def failed_jobs(*, limit: int = 200) -> list[FailedJob]:
    """The failed jobs, waiting ones first, newest first."""
    return db.session.execute(
        sa.select(FailedJob).order_by(FailedJob.retried_at.is_not(None), FailedJob.failed_at.desc(),
                                      FailedJob.id.desc()).limit(limit)
    ).scalars().all()
