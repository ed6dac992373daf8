from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from coopkit.database import utcnow
from coopkit.extensions import db


class AuditChainHead(db.Model):
    """The latest event of each chain; locked while appending so sequence numbers never collide."""

    __tablename__ = "audit_chain_heads"

    #: "coop:<id>" or "platform"
    chain: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(default=0)
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditEvent(db.Model):
    """One state change. Append-only: rows are never updated or deleted."""

    __tablename__ = "audit_events"
    __table_args__ = (sa.UniqueConstraint("chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[str] = mapped_column(sa.String(40))
    coop_id: Mapped[int | None] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    seq: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    #: e.g. "member.admitted", "proposal.opened"
    action: Mapped[str] = mapped_column(sa.String(60), index=True)
    subject_type: Mapped[str] = mapped_column(sa.String(40), default="")
    subject_id: Mapped[str] = mapped_column(sa.String(40), default="")
    #: canonical JSON of the event's details (never a secret ballot's choice)
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    #: who acted (None: coopkit itself); load it with the query that needs it
    actor = relationship("User", lazy="raise", viewonly=True)

    def hashed_fields(self) -> dict:
        return {
            "chain": self.chain,
            "seq": self.seq,
            "created_at": self.created_at.isoformat(timespec="microseconds"),
            "actor_id": self.actor_id,
            "action": self.action,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "data": self.data,
        }


class ArchivedAuditEvent(db.Model):
    """An event of another co-op's chain, kept verbatim because this co-op was restored
    from that co-op's export (``coopkit import``). Its ids are the original installation's;
    its hashes still verify, so the history before the import stays checkable."""

    __tablename__ = "audit_archived_events"
    __table_args__ = (sa.UniqueConstraint("coop_id", "chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the co-op that holds the archive now (restored from the export)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: the original chain's name, e.g. "coop:2" on the installation that made the export
    chain: Mapped[str] = mapped_column(sa.String(40))
    seq: Mapped[int]
    created_at: Mapped[datetime]
    #: the original installation's user id (not a link to this installation's users)
    actor_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(60))
    subject_type: Mapped[str] = mapped_column(sa.String(40), default="")
    subject_id: Mapped[str] = mapped_column(sa.String(40), default="")
    data: Mapped[str] = mapped_column(sa.Text, default="{}")
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64))

    hashed_fields = AuditEvent.hashed_fields
