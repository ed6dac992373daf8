from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopkit.database import utcnow
from coopkit.extensions import db


class Cohort(db.Model):
    """A group of founding co-ops followed together, e.g. one year's graduates."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MentorAssignment(db.Model):
    """A mentor follows every co-op of a cohort, read-only."""

    __tablename__ = "mentor_assignments"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    assigned_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", lazy="raise")
    user = relationship("User", lazy="raise")


REQUEST_STATUSES = ("pending", "accepted", "declined", "ended")


class CohortRequest(db.Model):
    """The platform asks a co-op to let someone in: to join a cohort (its mentors then follow
    it), or to let a platform admin mentor it. Nothing changes until the co-op's secretary
    or one of its founders accepts; the request and the answer are in the co-op's audit log."""

    __tablename__ = "cohort_requests"
    __table_args__ = (
        sa.CheckConstraint("status IN ('pending', 'accepted', 'declined', 'ended')", name="status"),
        sa.Index("ix_cohort_requests_coop_status", "coop_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    #: the platform admin who would mentor the co-op; empty: the co-op is asked to join the cohort
    mentor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: pending until answered; ended when the co-op leaves the cohort or the mentor is removed
    status: Mapped[str] = mapped_column(sa.String(10), default="pending")
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    answered_at: Mapped[datetime | None]

    cohort = relationship("Cohort", lazy="raise")
    mentor = relationship("User", foreign_keys=[mentor_id], lazy="raise")


class StepComment(db.Model):
    """A comment on a founding step. A thread is its first comment (``thread_id`` empty)
    and the replies pointing at it; the first comment carries the thread's state."""

    __tablename__ = "step_comments"
    __table_args__ = (sa.Index("ix_step_comments_coop_open", "coop_id", "thread_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the founding step's key in the catalogue
    step_key: Mapped[str] = mapped_column(sa.String(40))
    #: the thread's first comment; empty for that first comment itself
    thread_id: Mapped[int | None] = mapped_column(sa.ForeignKey("step_comments.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    #: written by a mentor (rather than a founder)
    by_mentor: Mapped[bool] = mapped_column(default=False)
    #: plain text, shown escaped
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Thread state, on the first comment only:
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    last_post_at: Mapped[datetime | None]
    #: the newest comment is a founder's: the mentor owes a reply
    awaiting_mentor: Mapped[bool] = mapped_column(default=False)

    author = relationship("User", foreign_keys=[author_id], lazy="raise")


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
