"""Engine setup and small database helpers.

SQLite is the embedded default. Every connection uses WAL, enforces foreign keys and
waits up to ``busy_timeout`` for a lock. pysqlite's own implicit BEGIN is switched off
so that we choose how each transaction begins:

- a unit of work that may write begins ``BEGIN IMMEDIATE``: it takes the one write lock
  at once, so concurrent writers queue (up to ``busy_timeout``) instead of failing halfway
  with "database is locked" when a read-then-write tries to upgrade;
- a unit that only reads begins ``BEGIN`` (deferred): in WAL mode it reads a snapshot and
  neither waits for the writer nor holds it up.

Which is which: a request with a safe method (GET, HEAD, OPTIONS: they never write, see
docs/DEVELOPING.md) only reads; so does code inside :func:`reads_only` (e.g. a job that
renders a PDF). Everything else - other requests, CLI commands, jobs, tests' set-up -
may write. PostgreSQL needs none of this (MVCC plus row locks where we take them).

A busy POST can hold the write lock for less: a view marked :func:`writes_late` reads (the
user, the co-op, the form) in a deferred transaction and writes only inside
:func:`write_transaction`, a short transaction of its own that begins IMMEDIATE and commits
before the page is rendered. What the decision depends on must be read again inside it.
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlalchemy.orm
from flask import current_app, g, has_request_context, request
from flask_sqlalchemy.pagination import Pagination, SelectPagination
from sqlalchemy import event

from coopkit.extensions import db

log = logging.getLogger("coopkit.database")

SQLITE_BUSY_TIMEOUT_MS = 30_000

#: request methods that never write: their transactions begin deferred on SQLite
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

_reads_only: ContextVar[bool] = ContextVar("coopkit_reads_only", default=False)
_writing: ContextVar[bool] = ContextVar("coopkit_writing", default=False)


@contextmanager
def reads_only() -> Iterator[None]:
    """Transactions begun inside this block only read: on SQLite they begin deferred and
    never take the write lock (a write inside one may fail with "database is locked")."""
    token = _reads_only.set(True)
    try:
        yield
    finally:
        _reads_only.reset(token)


def begins_reading_only() -> bool:
    """True when a transaction beginning now should not take SQLite's write lock."""
    if _writing.get():
        return False
    if _reads_only.get():
        return True
    if not has_request_context():
        return False
    return request.method in READ_ONLY_METHODS or _view_writes_late()


def writes_late(view):
    """Mark a view that writes only inside :func:`write_transaction` (outermost decorator, under
    the route). Its request's other transactions begin deferred on SQLite, like a GET's: loading the
    user and the co-op, validating the form and reading the page never take the write lock, so
    concurrent POSTs to it queue only for their short write transactions. A flush outside the
    block is logged as a write while reading (and may fail under load)."""
    view.writes_late = True
    return view


def _view_writes_late() -> bool:
    endpoint = request.endpoint
    return endpoint is not None and getattr(current_app.view_functions.get(endpoint), "writes_late", False)


def _commit_keeping_objects(session: sa.orm.Session) -> None:
    """Commit without expiring what the session loaded: the objects keep the values read (or
    written) in the transaction that ended, so the page built from them asks nothing again."""
    expire, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in a transaction that may write, committed when it ends (rolled back,
    expiring the session's objects, when it raises): in a :func:`writes_late` view the one write
    of the request, committed before the answer is rendered (so mail queued inside it goes too).

    On SQLite the reads before it end first (nothing was written), so the block begins
    ``BEGIN IMMEDIATE`` and holds the write lock only while it runs; the objects loaded before it
    stay loaded but may be stale, so the block must read again, inside it, whatever its decision
    depends on, and let unique constraints decide races. On PostgreSQL it continues the request's
    transaction (plain reads take no locks there) and the same re-reads see the latest commits."""
    session = db.session()
    if session.in_transaction() and session.get_bind().dialect.name == "sqlite":
        _commit_keeping_objects(session)
    token = _writing.set(True)
    try:
        yield
        _commit_keeping_objects(session)
    except BaseException:
        session.rollback()
        raise
    finally:
        _writing.reset(token)


def request_memo(name: str, key, build):
    """``build()`` once per read-only request (GET, HEAD) for ``(name, key)``, kept in ``g``: a page
    that asks the same question in several places (a panel, the navigation, the view) runs its
    statement once. A request that may write, a job and a command build it every time."""
    if not (has_request_context() and request.method in READ_ONLY_METHODS):
        return build()
    memo = g.setdefault("_memo", {})
    if (name, key) not in memo:
        memo[(name, key)] = build()
    return memo[(name, key)]


def utcnow() -> datetime:
    """The current instant, as a naive UTC datetime (the form both databases store)."""
    return datetime.now(UTC).replace(tzinfo=None)


def engine_options(url: str) -> dict:
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def configure_engine(engine: sa.Engine) -> None:
    """Attach the SQLite pragmas and the choice of BEGIN (see the module docstring);
    nothing for other databases."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Take over transaction control from pysqlite so that BEGIN is ours.
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
        connection.exec_driver_sql("BEGIN" if begins_reading_only() else "BEGIN IMMEDIATE")


@event.listens_for(sa.orm.Session, "before_flush")
def _warn_on_write_while_reading(session, _flush_context, _instances) -> None:
    """A GET that writes breaks the rule (and on SQLite may fail under load): say so."""
    if (session.new or session.dirty or session.deleted) and begins_reading_only():
        try:
            dialect = session.get_bind().dialect.name
        except sa.exc.UnboundExecutionError:
            return
        if dialect == "sqlite":
            log.warning("A read-only unit of work (%s) is writing; writes belong in a POST or a job",
                        request.endpoint if has_request_context() else "reads_only")


def is_unique_violation(exc: Exception) -> bool:
    """True when an IntegrityError comes from a unique constraint (either database)."""
    text = str(getattr(exc, "orig", exc)).lower()
    return "unique" in text or "duplicate key" in text


def add_unless_duplicate(row) -> bool:
    """Add and flush ``row`` inside a savepoint. False (and nothing added) when a unique
    constraint already holds its key, for example because a concurrent request won the race;
    the surrounding transaction stays usable. Any other integrity error is raised."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
            db.session.flush()
    except sa.exc.IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        return False
    return True


class _Pagination(SelectPagination):
    """Flask-SQLAlchemy's pagination in one statement: the page, with the total beside each row
    (a window count). Only a page past the end costs more: a count, then the last page."""

    def _query_items(self) -> list:
        rows = self._page_rows()
        if rows:
            self._counted = int(rows[0][-1])
        elif self.page == 1:
            self._counted = 0
        else:  # past the end: show the last page
            select = self._query_args["select"]
            self._counted = int(self._query_args["session"].execute(
                sa.select(sa.func.count()).select_from(select.order_by(None).subquery()),
                self._query_args.get("params", {})).scalar())
            self.page = max(1, -(-self._counted // self.per_page))
            rows = self._page_rows()
        if self._query_args.get("rows"):
            return [tuple(row)[:-1] for row in rows]
        return [row[0] for row in rows]

    def _page_rows(self) -> list:
        select, key = self._query_args["select"], self._query_args.get("key")
        params = {**self._query_args.get("params", {}), "page_limit": self.per_page, "page_offset": self._query_offset}
        return list(self._query_args["session"].execute(_paged(select, key), params).all())

    def _query_count(self) -> int:
        return self._counted


#: the paged form of each select (by the select object itself, so a statement built once per process
#: is paged once too; a select built per request is dropped with it)
_PAGED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _paged(select: sa.Select, key) -> sa.Select:
    """``select`` limited to a page (bind parameters ``page_limit`` and ``page_offset``) with the
    total of all its rows beside each (a window count)."""
    cached = _PAGED.get(select)
    if cached is not None and cached[0] is key:
        return cached[1]
    limit, offset = sa.bindparam("page_limit", type_=sa.Integer), sa.bindparam("page_offset", type_=sa.Integer)
    if key is None:
        paged = select.add_columns(sa.func.count().over().label("page_total")).limit(limit).offset(offset)
    else:
        # The page's keys (and the total) first, then the full rows of just those: the columns
        # that cost something per row are worked out for the page only.
        page = (select.with_only_columns(key.label("page_key"), sa.func.count().over().label("page_total"))
                .limit(limit).offset(offset).subquery("page"))
        paged = select.join(page, page.c.page_key == key).add_columns(page.c.page_total)
    _PAGED[select] = (key, paged)
    return paged


def paginate(query: sa.Select, page: int, per_page: int, *, rows: bool = False, key=None,
             params: dict | None = None) -> Pagination:
    """One page of ``query`` as a Flask-SQLAlchemy ``Pagination`` (``items``, ``page``,
    ``pages``, ``total``, ``has_prev``, ``has_next``): one statement (see :class:`_Pagination`).
    ``items`` are the first column's objects, or whole rows with ``rows=True`` (a select of
    several columns). A page past the end shows the last page. With ``key`` (the rows' unique
    column, e.g. ``Member.id``) the page is chosen by key first and only its rows are built: for a
    select whose columns cost something per row (correlated subqueries). ``params``: the values of
    ``query``'s bind parameters."""
    return _Pagination(select=query, session=db.session(), rows=rows, key=key, params=params or {},
                       page=max(1, page), per_page=per_page,
                       max_per_page=None, error_out=False, count=True)
