from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from coopkit.database import utcnow
from coopkit.extensions import db


class CachedDocument(db.Model):
    """Rendered PDF bytes, keyed by the SHA-256 of the exact input, shared by all app servers."""

    __tablename__ = "cached_documents"

    sha256: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime] = mapped_column(default=utcnow)
