"""Password guesses, counted per account (the per-address limit is Flask-Limiter's, on the views).

After ``FREE_FAILURES`` failed attempts on one account, each further attempt must wait a
delay that doubles with every failure, up to ``MAX_DELAY_SECONDS``: a slow-down, never a
lock. A browser that has logged in to the account before carries a signed "known device"
cookie and skips the account's wait, so an attacker hammering the account cannot keep its
owner out. Counts live in the rate limiter's storage (shared by every worker when
COOPKIT_RATELIMIT_STORAGE_URI points at Redis) under a hash of the address, whether or not
an account uses it, so the slow-down reveals nothing about which addresses have accounts.
"""

from __future__ import annotations

import hashlib
import math

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

from coopkit.extensions import limiter

FREE_FAILURES = 5
MAX_DELAY_SECONDS = 15 * 60
#: failures are forgotten a day after the last one
WINDOW_SECONDS = 24 * 3600
DEVICE_COOKIE = "coopkit_device"
DEVICE_COOKIE_DAYS = 365


def _key(email: str, what: str) -> str:
    digest = hashlib.sha256((email or "").strip().lower().encode("utf-8")).hexdigest()[:32]
    return f"coopkit/login/{what}/{digest}"


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` failed attempts (0 while they are free)."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_SECONDS, 2 ** (failures - FREE_FAILURES + 1))


def wait_seconds(email: str) -> int:
    """How long the account for ``email`` must still wait before the next attempt (0: none)."""
    storage = limiter.storage
    if not storage.get(_key(email, "wait")):
        return 0
    return max(1, math.ceil(storage.get_expiry(_key(email, "wait")) - _now()))


def _now() -> float:
    import time

    return time.time()


def failed(email: str) -> None:
    """Count a failed attempt on the account; from the free ones on, start its wait."""
    storage = limiter.storage
    failures = storage.incr(_key(email, "failures"), WINDOW_SECONDS)
    delay = delay_after(failures)
    if delay:
        storage.clear(_key(email, "wait"))
        storage.incr(_key(email, "wait"), delay)


def succeeded(email: str) -> None:
    """The right password: the account's count starts again."""
    limiter.storage.clear(_key(email, "failures"))
    limiter.storage.clear(_key(email, "wait"))


def _devices() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="coopkit.known-device")


def known_device(user_id: int | None) -> bool:
    """This browser has logged in to the account ``user_id`` before."""
    if user_id is None:
        return False
    try:
        ids = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        return False
    return isinstance(ids, list) and user_id in ids


def remember_device(response, user_id: int) -> None:
    """Mark this browser as one the account's owner uses (kept for a year, at most 5 accounts)."""
    try:
        ids = _devices().loads(request.cookies.get(DEVICE_COOKIE, ""))
    except BadSignature:
        ids = []
    ids = [i for i in (ids if isinstance(ids, list) else []) if isinstance(i, int) and i != user_id][-4:]
    settings = current_app.extensions["coopkit.settings"]
    response.set_cookie(DEVICE_COOKIE, _devices().dumps([*ids, user_id]), max_age=DEVICE_COOKIE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=settings.secure_cookies)
