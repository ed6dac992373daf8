"""Accounts: every write about users."""

from __future__ import annotations

import functools
import logging

import sqlalchemy as sa
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from werkzeug.security import check_password_hash, generate_password_hash

from coopkit.accounts.models import User
from coopkit.audit.services import record
from coopkit.database import add_unless_duplicate
from coopkit.extensions import db

log = logging.getLogger("coopkit.accounts")

#: compared against when the email is unknown, so both answers take as long
_DUMMY_HASH = generate_password_hash("not a real password", method="scrypt")


class AccountError(ValueError):
    """A clear message for the person filling in the form."""


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the id carries the password generation, so a
    password change logs out every other session."""
    try:
        raw_id, raw_version = user_id.split(":", 1)
        uid, version = int(raw_id), int(raw_version)
    except (ValueError, AttributeError):
        return None
    user = db.session.execute(_user_statement(), {"uid": uid}).scalar_one_or_none()
    if user is None or user.session_version != version:
        return None
    return user


@functools.cache
def _user_statement() -> sa.Select:
    """Every request loads its user: built once per process (cheaper than Session.get, whose
    identity map is empty at the start of a request anyway)."""
    return sa.select(User).where(User.id == sa.bindparam("uid"))


def find_by_email(email: str) -> User | None:
    return db.session.execute(sa.select(User).where(User.email == email.strip().lower())).scalar_one_or_none()


def create_user(email: str, name: str, password: str, *, is_admin: bool = False) -> User:
    """Add a User. Raises AccountError if the email is taken. Flushes."""
    email = email.strip().lower()
    if find_by_email(email) is not None:
        raise AccountError("An account with this email address already exists. Log in, or reset its password.")
    user = User(email=email, name=name.strip(), is_admin=is_admin, session_version=0)
    user.set_password(password)
    if not add_unless_duplicate(user):  # another sign-up for this address won the race
        raise AccountError("An account with this email address already exists. Log in, or reset its password.")
    record("account.created", actor=user, subject=user)
    log.info("User %s created", user.id)
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user if the credentials match; None otherwise, in the same time either way."""
    user = find_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    return user if user.check_password(password) else None


def change_password(user: User, current: str, new: str) -> None:
    """Set a new password after checking the current one. Ends other sessions. Flushes."""
    if not user.check_password(current):
        raise AccountError("Your current password is not right.")
    set_new_password(user, new)


def set_new_password(user: User, new: str) -> None:
    """Set a new password (the caller has re-authenticated the user). Ends every session
    (a new session generation). Records ``account.password_changed``. Flushes."""
    user.set_password(new)
    record("account.password_changed", actor=user, subject=user)
    db.session.flush()


#: how long the link that confirms a new email address stays valid
EMAIL_LINK_HOURS = 24


def _email_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="coopkit.change-email")


def make_email_token(user: User, new_email: str) -> str:
    """A signed link token for moving ``user`` to ``new_email``: valid while the account
    still has the address it had when asked (so it works once)."""
    return _email_serializer().dumps({"u": user.id, "old": user.email, "e": new_email.strip().lower()})


def read_email_token(token: str) -> tuple[User, str] | None:
    try:
        payload = _email_serializer().loads(token, max_age=EMAIL_LINK_HOURS * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int) \
            or not isinstance(payload.get("e"), str) or not isinstance(payload.get("old"), str):
        return None
    user = db.session.get(User, payload["u"])
    if user is None or user.email != payload["old"]:
        return None
    return user, payload["e"]


def change_email(user: User, new_email: str) -> None:
    """Move the account to ``new_email`` (confirmed by its link). Records
    ``account.email_changed`` (no addresses). Raises AccountError if the address is taken. Flushes."""
    new_email = new_email.strip().lower()
    if find_by_email(new_email) is not None:
        raise AccountError("That address already has a coopkit account.")
    user.email = new_email
    if not add_unless_duplicate(user):  # another account took it meanwhile
        db.session.refresh(user)
        raise AccountError("That address already has a coopkit account.")
    record("account.email_changed", actor=user, subject=user)


def log_out(user: User, *, everywhere: bool = False) -> None:
    """End the user's sessions: every copy of the session cookie and of the remember-me
    cookie stops working, on this device and every other (the session generation changes).
    Records ``account.logged_out`` or ``account.logged_out_everywhere``. Flushes."""
    user.end_sessions()
    record("account.logged_out_everywhere" if everywhere else "account.logged_out", actor=user, subject=user)
    db.session.flush()


def update_profile(user: User, name: str) -> None:
    """Change the display name. Flushes."""
    user.name = name
    record("account.profile_changed", actor=user, subject=user)
    db.session.flush()


#: how long the link that finishes a sign-up stays valid
SIGNUP_LINK_HOURS = 24


def _signup_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="coopkit.signup")


def make_signup_token(email: str, name: str, next_url: str = "") -> str:
    """A signed link token that proves the address is the sign-up's own: the account is
    made only when its link is opened (so sign-up never says whether an address has one)."""
    return _signup_serializer().dumps({"e": email.strip().lower(), "n": name.strip(), "next": next_url or ""})


def read_signup_token(token: str) -> dict | None:
    """The sign-up a link token carries ({"e", "n", "next"}), or None if expired or forged."""
    try:
        payload = _signup_serializer().loads(token, max_age=SIGNUP_LINK_HOURS * 3600)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict) or not all(isinstance(payload.get(k), str) for k in ("e", "n", "next")):
        return None
    return payload


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="coopkit.password-reset")


def make_reset_token(user: User) -> str:
    """A signed token naming the user and their current password generation:
    it stops working after one use because using it changes the password."""
    return _serializer().dumps({"u": user.id, "v": user.session_version})


def user_for_reset_token(token: str) -> User | None:
    settings = current_app.extensions["coopkit.settings"]
    try:
        payload = _serializer().loads(token, max_age=settings.password_reset_minutes * 60)
    except (SignatureExpired, BadSignature):
        return None
    if not isinstance(payload, dict):
        return None
    user = db.session.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    if user is None or user.session_version != payload.get("v"):
        return None
    return user


def reset_password(user: User, new: str) -> None:
    """Set a password from a reset link (which this invalidates). Flushes."""
    user.set_password(new)
    record("account.password_reset", actor=user, subject=user)
    db.session.flush()
