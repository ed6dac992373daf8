"""A co-op's public profile and the buyer packs it has issued."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db


class PublicProfile(db.Model):
    """What the secretary chose to publish at /p/<slug>. Only these fields are typed; every
    other fact on the profile is computed from the co-op's records when it is shown."""

    __tablename__ = "public_profiles"
    # Not in a co-op's export: publishing is a decision for the restored co-op's secretary.
    __table_args__ = (
        sa.CheckConstraint("workers IS NULL OR workers >= 0", name="workers_not_negative"),
        {"info": {"export": False}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), unique=True)
    #: shown at /p/<slug> and in the directory only while true
    published: Mapped[bool] = mapped_column(default=False)
    #: what the co-op does, in a paragraph (plain text)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    #: services offered, one per line (searchable in the directory)
    services: Mapped[str] = mapped_column(sa.Text, default="")
    #: areas served, one per line (searchable in the directory)
    areas: Mapped[str] = mapped_column(sa.Text, default="")
    #: a shared contact for buyers (never a member's own address)
    contact_name: Mapped[str] = mapped_column(sa.String(120), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    #: the number of workers the co-op employs, and the date that figure is for
    workers: Mapped[int | None]
    workers_as_at: Mapped[date | None]
    published_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def service_list(self) -> list[str]:
        return [line.strip() for line in self.services.splitlines() if line.strip()]

    @property
    def area_list(self) -> list[str]:
        return [line.strip() for line in self.areas.splitlines() if line.strip()]

    def as_dict(self) -> dict:
        return {"description": self.description, "services": self.service_list, "areas": self.area_list,
                "contact_name": self.contact_name, "contact_email": self.contact_email,
                "website": self.website}


class BuyerPack(db.Model):
    """A buyer pack as issued: the facts it printed (so a later check can say what changed),
    their hash, and the audit log's head at that moment as evidence of the registers' state."""

    __tablename__ = "buyer_packs"
    # Not in a co-op's export: a pack's code vouches for this co-op at this address only.
    __table_args__ = ({"info": {"export": False}},)

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: printed on the pack and checked at /p/verify; random, not guessable
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    #: canonical JSON of the facts printed in the pack
    facts: Mapped[str] = mapped_column(sa.Text)
    #: SHA-256 of ``facts``
    facts_hash: Mapped[str] = mapped_column(sa.String(64))
    #: the co-op's audit chain head (sequence and hash) when the pack was issued
    audit_seq: Mapped[int] = mapped_column(default=0)
    audit_head: Mapped[str] = mapped_column(sa.String(64))
    #: the secretary who signed the statement in the pack (name as printed)
    signed_by_name: Mapped[str] = mapped_column(sa.String(160))
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
