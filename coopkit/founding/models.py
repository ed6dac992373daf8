"""The founding journey's records: answers per step, founders' agreement, the
post-application checklist and the officers' private registration details."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopkit.database import utcnow
from coopkit.extensions import db


class FoundingStep(db.Model):
    """One step of one co-op's journey, created when it is first saved or agreed."""

    __tablename__ = "founding_steps"
    __table_args__ = (sa.UniqueConstraint("coop_id", "step_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the step's key in the catalogue (coopkit/founding/catalogue.toml)
    step_key: Mapped[str] = mapped_column(sa.String(40))
    #: bumped on every change of the step's answers: sign-offs count only for the current revision
    revision: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: when earlier sign-offs stopped counting because the answers changed (shown on the page)
    signoffs_reset_at: Mapped[datetime | None]


class StepAnswer(db.Model):
    """A saved answer, under its shared key from coopkit.coops.parameters."""

    __tablename__ = "founding_answers"
    __table_args__ = (sa.UniqueConstraint("coop_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    step_id: Mapped[int] = mapped_column(sa.ForeignKey("founding_steps.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(60))
    #: JSON of the typed value (int, bool or str; money in pence)
    value: Mapped[str] = mapped_column(sa.Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class StepSignoff(db.Model):
    """A founder's agreement to a step's answers as they stood (its revision); for the team
    step, the founder's confirmation that they are one of the founders."""

    __tablename__ = "founding_signoffs"
    __table_args__ = (sa.UniqueConstraint("step_id", "member_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    step_id: Mapped[int] = mapped_column(sa.ForeignKey("founding_steps.id"), index=True)
    member_id: Mapped[int] = mapped_column(sa.ForeignKey("members.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    revision: Mapped[int]
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChecklistTick(db.Model):
    """The current state of one item of the after-application checklist (its history is in the audit log)."""

    __tablename__ = "founding_checklist"
    __table_args__ = (sa.UniqueConstraint("coop_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    item_key: Mapped[str] = mapped_column(sa.String(40))
    ticked: Mapped[bool] = mapped_column(default=False)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: who ticked (or unticked) it last
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class OfficerPrivateDetails(db.Model):
    """Anti-money-laundering details of an officer for the registration application.

    Private: only the founder who entered them and the secretary may see them; never a
    mentor, never in the audit log.
    """

    __tablename__ = "founding_officer_details"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "slot"),
        sa.CheckConstraint("slot IN (1, 2)", name="slot"),
        sa.CheckConstraint("months_at_address >= 0", name="months_at_address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: first or second officer on the application
    slot: Mapped[int]
    full_name: Mapped[str] = mapped_column(sa.String(160))
    date_of_birth: Mapped[date]
    address: Mapped[str] = mapped_column(sa.Text)
    #: time at that address, in months
    months_at_address: Mapped[int]
    entered_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


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
