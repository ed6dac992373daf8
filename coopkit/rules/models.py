from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db

RULES_STATUSES = ("draft", "adopted", "registered", "superseded")


class RulesVersion(db.Model):
    """A co-op's governing document at one moment: what was generated, from which answers."""

    __tablename__ = "rules_versions"
    __table_args__ = (
        sa.CheckConstraint("status IN ('draft', 'adopted', 'registered', 'superseded')", name="status"),
        sa.UniqueConstraint("coop_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    coop_id: Mapped[int] = mapped_column(sa.ForeignKey("coops.id"), index=True)
    #: 1, 2, 3... within the co-op
    number: Mapped[int]
    #: the rule set's id and version in rules_templates/
    ruleset_id: Mapped[str] = mapped_column(sa.String(60))
    ruleset_version: Mapped[str] = mapped_column(sa.String(20))
    #: JSON of the parameters (coopkit.coops.parameters keys) the text was rendered from
    parameters: Mapped[str] = mapped_column(sa.Text)
    #: the rendered Markdown
    text: Mapped[str] = mapped_column(sa.Text)
    #: SHA-256 of the rendered text
    content_hash: Mapped[str] = mapped_column(sa.String(64))
    #: draft -> adopted (by the members) -> registered (by the FCA / Companies House); superseded later
    status: Mapped[str] = mapped_column(sa.String(20), default="draft")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    adopted_on: Mapped[date | None]
    registered_on: Mapped[date | None]
    #: the proposal whose resolution adopted this version (set by the proposals feature)
    adopted_by_proposal_id: Mapped[int | None] = mapped_column(sa.Integer)
