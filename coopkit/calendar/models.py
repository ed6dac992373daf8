from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db


class CalendarSettings(db.Model):
    """What the secretary sets for the co-op's calendar (one row per co-op, when set)."""

    __tablename__ = "calendar_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), unique=True)
    #: financial year end as DD-MM (the accounting reference date); empty: the rules' choice
    year_end: Mapped[str | None] = mapped_column(sa.String(5))
    #: obligations due before this day are not listed (a co-op that came to coopkit later)
    tracked_from: Mapped[date | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ObligationDone(db.Model):
    """A "done" record: the return was filed, the meeting held, the amendment sent.
    Never deleted; it closes the obligation with the same key."""

    __tablename__ = "calendar_done"
    __table_args__ = (sa.UniqueConstraint("coop_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the obligation's key, e.g. "annual-return-2025-03-31"
    key: Mapped[str] = mapped_column(sa.String(80))
    kind: Mapped[str] = mapped_column(sa.String(30))
    #: the deadline it had when it was done
    due_on: Mapped[date]
    #: the day it was filed, sent or held
    done_on: Mapped[date]
    #: e.g. the FCA portal's submission reference
    reference: Mapped[str] = mapped_column(sa.String(120), default="")
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    done_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FeedToken(db.Model):
    """A private calendar feed (.ics) address of one user for one co-op. Only a hash of the
    token is kept: the address is shown once. Revoked, never deleted."""

    __tablename__ = "calendar_feed_tokens"
    __table_args__ = (sa.Index("ix_calendar_feed_tokens_user_coop", "user_id", "coop_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"))
    #: SHA-256 of the token in the address
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class ReminderSent(db.Model):
    """One reminder email: each (obligation, days before, person) is sent once."""

    __tablename__ = "calendar_reminders_sent"
    __table_args__ = (
        sa.UniqueConstraint("coop_id", "key", "days_before", "user_id"),
        sa.CheckConstraint("days_before IN (30, 14, 7, 1)", name="days_before"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    key: Mapped[str] = mapped_column(sa.String(80))
    days_before: Mapped[int]
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    due_on: Mapped[date]
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
