from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from coopkit.database import utcnow
from coopkit.extensions import db


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stored lower-cased; the log-in identifier
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: scrypt hash (werkzeug); never the password itself
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    #: platform administrator: creates cohorts and assigns mentors
    is_admin: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: the session generation: every session and remember-me cookie carries it, so bumping
    #: it (log-out, "log out everywhere", a password change or reset) ends every copy of
    #: them, and invalidates an outstanding password reset link
    session_version: Mapped[int] = mapped_column(default=1)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method="scrypt")
        self.end_sessions()

    def end_sessions(self) -> None:
        """Start a new session generation: every session and remember-me cookie made
        before stops working, on every device."""
        self.session_version = (self.session_version or 0) + 1

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        # The session remembers which password generation it was made for.
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id}>"
