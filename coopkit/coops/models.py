from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopkit.database import utcnow
from coopkit.extensions import db

LEGAL_FORMS = {
    "society": "Co-operative society (2014 Act)",
    "company": "Company limited by guarantee with co-op articles",
}
STAGES = ("forming", "registering", "registered")


class Coop(db.Model):
    """A co-op's workspace: everything in coopkit belongs to exactly one."""

    __tablename__ = "coops"
    __table_args__ = (
        sa.CheckConstraint("stage IN ('forming', 'registering', 'registered')", name="stage"),
        sa.CheckConstraint("legal_form IS NULL OR legal_form IN ('society', 'company')", name="legal_form"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(160))
    #: the workspace address: /c/<slug>/
    slug: Mapped[str] = mapped_column(sa.String(60), unique=True)
    #: society (FCA, 2014 Act) or company (Companies House); chosen in the founding journey
    legal_form: Mapped[str | None] = mapped_column(sa.String(20))
    #: forming -> registering (application sent) -> registered
    stage: Mapped[str] = mapped_column(sa.String(20), default="forming")
    #: the FCA society number or Companies House number, once registered
    registration_number: Mapped[str | None] = mapped_column(sa.String(40))
    registered_on: Mapped[date | None]
    #: where notices are sent (Schedule 1, item 3)
    registered_office: Mapped[str] = mapped_column(sa.Text, default="")
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: last time anybody changed something here (the mentor dashboard's "last activity")
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort = relationship("Cohort", lazy="raise")

    @property
    def legal_form_label(self) -> str:
        return LEGAL_FORMS.get(self.legal_form or "", "Not chosen yet")

    def __repr__(self) -> str:
        return f"<Coop {self.slug}>"


class Invitation(db.Model):
    """An invitation to join a co-op, by email or as a copyable link.

    Only a hash of the token is stored: the link itself is shown once.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: empty for a link invitation that anyone holding it may accept
    email: Mapped[str | None] = mapped_column(sa.String(254))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    revoked_at: Mapped[datetime | None]
    #: the register entry (imported, without an account) that the accepting account is bound to
    member_id: Mapped[int | None] = mapped_column(sa.ForeignKey("members.id"), index=True)

    coop = relationship("Coop", lazy="raise")
    created_by = relationship("User", foreign_keys=[created_by_id], lazy="raise")

    def state(self, now: datetime) -> str:
        if self.accepted_at:
            return "accepted"
        if self.revoked_at:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "pending"
