"""Every write of the calendar: done records, the secretary's settings, feed addresses.
Each function flushes and never commits; each change goes to the audit log."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.calendar import queries
from coopkit.calendar.dates import CalendarError, YearEnd
from coopkit.calendar.models import CalendarSettings, FeedToken, ObligationDone
from coopkit.calendar.obligations import check_done
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db

log = logging.getLogger("coopkit.calendar")

REFERENCE_MAX = 120
NOTE_MAX = 300


def _clean(text: str | None, limit: int, what: str) -> str:
    text = " ".join((text or "").split())
    if len(text) > limit:
        raise CalendarError(f"Keep the {what} to {limit} characters or fewer.")
    return text


def record_done(coop, key: str, *, done_on: date, reference: str = "", note: str = "", actor,
                today: date) -> ObligationDone:
    """Close the obligation ``key`` with the day it was done, a reference and who recorded it.

    Changes: adds an ObligationDone row and an audit event. Raises CalendarError (nothing
    written) for an unknown or closed obligation or an impossible date."""
    if coop.stage != "registered":
        raise CalendarError("Filings are recorded once the co-op is registered.")
    item = queries.calendar_for(coop, today).item(key)
    if item is None:
        raise CalendarError("There is no such obligation in this co-op's calendar.")
    if item.status == "done":
        raise CalendarError("This is already recorded as done.")
    if not item.obligation.closable:
        raise CalendarError("This date is a milestone: there is nothing to file for it.")
    if not isinstance(done_on, date):
        raise CalendarError("Give the date it was done.")
    check_done(item.obligation, done_on, today)
    row = ObligationDone(coop_id=coop.id, key=key, kind=item.obligation.kind, due_on=item.obligation.due_on,
                         done_on=done_on, reference=_clean(reference, REFERENCE_MAX, "reference"),
                         note=_clean(note, NOTE_MAX, "note"), done_by_id=getattr(actor, "id", None))
    if not add_unless_duplicate(row):
        raise CalendarError("This is already recorded as done.")
    record("calendar.done", coop=coop, actor=actor, subject=row,
           data={"key": key, "kind": row.kind, "due_on": row.due_on.isoformat(),
                 "done_on": done_on.isoformat(), "reference": row.reference})
    log.info("Obligation %s of coop %s recorded done (record %s)", key, coop.id, row.id)
    return row


def update_settings(coop, *, year_end: str | None, tracked_from: date | None, actor) -> CalendarSettings:
    """Set the financial year end (DD-MM; empty: the rules' choice) and the first day tracked.

    Changes: adds or updates the co-op's CalendarSettings and an audit event. Raises
    CalendarError (nothing written) for a year end that does not exist."""
    text = (year_end or "").strip()
    parsed = YearEnd.parse(text).text() if text else None
    if tracked_from is not None and tracked_from.year < 1900:
        raise CalendarError("Give a date from 1900 on.")
    settings = db.session.execute(
        sa.select(CalendarSettings).where(CalendarSettings.coop_id == coop.id)).scalar_one_or_none()
    if settings is None:
        settings = CalendarSettings(coop_id=coop.id)
        db.session.add(settings)
    before = {"year_end": settings.year_end,
              "tracked_from": settings.tracked_from.isoformat() if settings.tracked_from else None}
    settings.year_end, settings.tracked_from = parsed, tracked_from
    settings.updated_at, settings.updated_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    after = {"year_end": parsed, "tracked_from": tracked_from.isoformat() if tracked_from else None}
    record("calendar.settings", coop=coop, actor=actor, subject=settings, data={"before": before, "after": after})
    log.info("Calendar settings of coop %s changed", coop.id)
    return settings


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_feed(user, coop) -> str:
    """A new private feed address for ``user`` in ``coop``; any earlier one stops working.

    Changes: revokes the user's active FeedToken in the co-op, adds a new one (hashed),
    and an audit event. Returns the token, which is not kept anywhere."""
    revoke_feeds(user, coop, audit=False)
    token = secrets.token_urlsafe(32)
    feed = FeedToken(user_id=user.id, coop_id=coop.id, token_hash=hash_token(token))
    db.session.add(feed)
    db.session.flush()
    record("calendar.feed_created", coop=coop, actor=user, subject=feed)
    log.info("Calendar feed %s created for user %s in coop %s", feed.id, user.id, coop.id)
    return token


def revoke_feeds(user, coop, *, audit: bool = True) -> int:
    """Stop every active feed address of ``user`` in ``coop``.

    Changes: sets ``revoked_at`` on those FeedTokens (and an audit event). Returns how many."""
    feeds = db.session.execute(
        sa.select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.coop_id == coop.id,
                                   FeedToken.revoked_at.is_(None))).scalars().all()
    now = utcnow()
    for feed in feeds:
        feed.revoked_at = now
    db.session.flush()
    if feeds and audit:
        record("calendar.feed_revoked", coop=coop, actor=user, data={"feeds": len(feeds)})
        log.info("Calendar feeds of user %s in coop %s revoked", user.id, coop.id)
    return len(feeds)
