"""Mentoring's own records: the weekly digests. Cohorts, mentor assignments and cohort requests
are in :mod:`coopkit.coops.models` (the policy gives a mentor their role from them); step
comments are the founding journey's (:mod:`coopkit.founding.models`)."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db


class MentorDigestSent(db.Model):
    """The weekly digest of deadlines sent to a mentor: once per mentor per week."""

    __tablename__ = "mentor_digests_sent"
    __table_args__ = (sa.UniqueConstraint("user_id", "week_of"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: the Monday of the week it covers
    week_of: Mapped[date]
    #: how many co-ops it listed
    coops: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
