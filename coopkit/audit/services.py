"""Writing to and checking the audit log."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from coopkit.audit import chain as chainlib
from coopkit.audit.models import ArchivedAuditEvent, AuditChainHead, AuditEvent
from coopkit.coops.models import Coop
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.extensions import db


def chain_name(coop_id: int | None) -> str:
    return f"coop:{coop_id}" if coop_id else "platform"


def _locked_head(name: str) -> tuple[int, str]:
    """The chain head's number and hash, its row locked until the transaction ends; the row is
    made on the chain's first event.

    Two transactions may both find no head (two sign-ups at once on PostgreSQL): each inserts
    in a savepoint, the loser's insert waits for the winner, fails on the primary key and is
    undone, and both then lock the one row, so the chain stays a single line."""
    select_head = _statements(_dialect())[0]
    head = db.session.execute(select_head, {"chain": name}).first()
    if head is None:
        add_unless_duplicate(AuditChainHead(chain=name, seq=0, hash=chainlib.GENESIS))
        head = db.session.execute(select_head, {"chain": name}).one()
    return head.seq, head.hash


def _dialect() -> str:
    return db.session.get_bind().dialect.name


@functools.cache
def _statements(dialect: str) -> tuple[sa.Select, dict[bool, list]]:
    """Locking the head, then (keyed by whether a co-op's activity is touched too) the writes:
    advancing the head, adding the event, touching the co-op's activity time. Built once per
    process with bind parameters (every state change of every co-op appends to its chain); the
    parameters' names are none of the tables' columns, so no statement sets a column it was not
    given. On PostgreSQL the writes are one statement (the head and the co-op updated in
    CTEs): one round trip while the chain's lock is held, instead of three."""
    heads, coops, events = AuditChainHead.__table__, Coop.__table__, AuditEvent.__table__
    lock = sa.select(heads.c.seq, heads.c.hash).where(heads.c.chain == sa.bindparam("chain")).with_for_update()
    advance = (heads.update().where(heads.c.chain == sa.bindparam("head_chain"))
               .values(seq=sa.bindparam("head_seq"), hash=sa.bindparam("head_hash")))
    insert = sa.insert(events).values({column: sa.bindparam(f"ev_{column}") for column in _EVENT_COLUMNS})
    touch = coops.update().where(coops.c.id == sa.bindparam("touch_coop")).values(last_activity_at=sa.bindparam("touch_at"))
    if dialect == "postgresql":
        advanced = insert.add_cte(advance.cte("advanced"))
        return lock, {False: [advanced], True: [advanced.add_cte(touch.cte("touched"))]}
    return lock, {False: [advance, insert], True: [advance, insert, touch]}


def record(action: str, *, coop=None, actor=None, subject=None, data: dict | None = None) -> AuditEvent:
    """Append one event to the co-op's chain (or the platform chain) and touch the co-op's activity.

    Changes: locks and advances the chain head, adds an AuditEvent, sets
    ``coop.last_activity_at``. Flushes (first what the caller changed, so that the chain's lock,
    held to the end of the transaction, is the last taken). Returns the event (not in the session).
    """
    db.session.flush()
    coop_id = coop.id if coop is not None else None
    name = chain_name(coop_id)
    seq, prev_hash = _locked_head(name)
    subject_type, subject_id = "", ""
    if subject is not None:
        subject_type = type(subject).__name__
        subject_id = str(subject.id)
    event = AuditEvent(
        chain=name,
        coop_id=coop_id,
        seq=seq + 1,
        created_at=utcnow(),
        actor_id=actor.id if actor is not None and getattr(actor, "is_authenticated", True) else None,
        action=action,
        subject_type=subject_type,
        subject_id=subject_id,
        data=chainlib.canonical_json(data or {}),
        prev_hash=prev_hash,
    )
    event.hash = chainlib.event_hash(event.prev_hash, event.hashed_fields())
    params = {f"ev_{column}": getattr(event, column) for column in _EVENT_COLUMNS}
    params.update(head_chain=name, head_seq=event.seq, head_hash=event.hash)
    if coop is not None:
        params.update(touch_coop=coop.id, touch_at=event.created_at)
    for statement in _statements(_dialect())[1][coop is not None]:
        db.session.execute(statement, params)
    _sync_loaded_head(name, event.seq, event.hash)
    if coop is not None:
        set_committed_value(coop, "last_activity_at", event.created_at)
    return event


#: the columns an event is inserted with (its id comes from the database)
_EVENT_COLUMNS = ("chain", "coop_id", "seq", "created_at", "actor_id", "action", "subject_type", "subject_id",
                  "data", "prev_hash", "hash")


def _sync_loaded_head(name: str, seq: int, hash_: str) -> None:
    """A head this session holds as an object (head_of, or made above) gets the new values:
    the row was advanced without it."""
    head = db.session.identity_map.get(db.session.identity_key(AuditChainHead, name))
    if head is not None:
        set_committed_value(head, "seq", seq)
        set_committed_value(head, "hash", hash_)


@dataclass(frozen=True)
class ChainReport:
    chain: str
    events: int
    problem: chainlib.Problem | None


def verify_chain(name: str) -> ChainReport:
    rows = db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.chain == name).order_by(AuditEvent.id)
    ).scalars().all()
    head = db.session.get(AuditChainHead, name)
    problem = chainlib.verify((e.seq, e.prev_hash, e.hash, e.hashed_fields()) for e in rows)
    if problem is None and head is not None and rows and (head.seq != rows[-1].seq or head.hash != rows[-1].hash):
        problem = chainlib.Problem(head.seq, "the newest events were removed (the chain head is ahead)")
    if problem is None and head is not None and not rows and head.seq:
        problem = chainlib.Problem(1, "every event was removed")
    return ChainReport(name, len(rows), problem)


def event_data(event: AuditEvent) -> dict:
    return json.loads(event.data or "{}")


def verify_archived(coop_id: int) -> list[ChainReport]:
    """Check the chains this co-op holds from the export it was restored from (one report
    per original chain; none when the co-op was not restored from an export)."""
    rows = db.session.execute(
        sa.select(ArchivedAuditEvent).where(ArchivedAuditEvent.coop_id == coop_id)
        .order_by(ArchivedAuditEvent.chain, ArchivedAuditEvent.seq)
    ).scalars().all()
    by_chain: dict[str, list] = {}
    for row in rows:
        by_chain.setdefault(row.chain, []).append(row)
    return [ChainReport(name, len(events),
                        chainlib.verify((e.seq, e.prev_hash, e.hash, e.hashed_fields()) for e in events))
            for name, events in sorted(by_chain.items())]


def head_of(coop_id: int | None) -> AuditChainHead | None:
    """The newest event of a co-op's chain (its number and hash): the fingerprint printed on
    minutes and registers and emailed with every result. Reads only."""
    return db.session.get(AuditChainHead, chain_name(coop_id))


@dataclass(frozen=True)
class AnchorReport:
    #: the chain holding the fingerprint (None when no chain does)
    chain: str | None
    #: the event the fingerprint names (0 when not found)
    seq: int
    problem: chainlib.Problem | None


def verify_against(anchor: str, name: str | None = None) -> AnchorReport:
    """Prove that the log still holds the history a member was sent as ``anchor`` (a head hash):
    an event with exactly that hash exists, the chain up to it and after it is intact, and
    nothing after it claims an earlier time (a forged event slipped in). Reads only."""
    anchor = (anchor or "").strip().lower()
    query = sa.select(AuditEvent).where(AuditEvent.hash == anchor)
    if name is not None:
        query = query.where(AuditEvent.chain == name)
    event = db.session.execute(query.limit(1)).scalar_one_or_none()
    if event is None:
        return AnchorReport(name, 0, chainlib.Problem(
            0, "no event has this fingerprint: the history it stood for was changed or its newest events removed"))
    report = verify_chain(event.chain)
    if report.problem is not None:
        return AnchorReport(event.chain, event.seq, report.problem)
    backdated = db.session.execute(
        sa.select(AuditEvent.seq).where(AuditEvent.chain == event.chain, AuditEvent.seq > event.seq,
                                        AuditEvent.created_at < event.created_at)
        .order_by(AuditEvent.seq).limit(1)).scalar_one_or_none()
    if backdated is not None:
        return AnchorReport(event.chain, event.seq, chainlib.Problem(
            backdated, "it was added after the fingerprint but is dated before it (forged)"))
    return AnchorReport(event.chain, event.seq, None)
