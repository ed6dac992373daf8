"""Engine setup and small database helpers.

SQLite is the embedded default. To make concurrent writers queue instead of
failing with "database is locked", every connection uses WAL, enforces foreign
keys, waits up to ``busy_timeout`` and starts its transactions with
``BEGIN IMMEDIATE`` (pysqlite's own implicit BEGIN is switched off so that we
control it).
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import event

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

SQLITE_BUSY_TIMEOUT_MS = 30_000


def utcnow() -> datetime:
    """The current instant, as a naive UTC datetime (the form both databases store)."""
    return datetime.now(UTC).replace(tzinfo=None)


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def configure_engine(engine: sa.Engine) -> None:
    """Attach the SQLite pragmas and IMMEDIATE transactions; nothing for other databases."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take over transaction control from pysqlite so BEGIN IMMEDIATE is ours.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_unique_violation(exc: Exception) -> bool:
    """True when an IntegrityError comes from a unique constraint (either database)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "unique" in text or "duplicate key" in text


def add_unless_duplicate(row) -> bool:
    """Add and flush ``row`` inside a savepoint. False (and nothing added) when a unique
    constraint already holds its key, for example because a concurrent request won the race;
    the surrounding transaction stays usable. Any other integrity error is raised."""
    from coopkit.extensions import db

    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return False
    return True
