"""The database layer: SQLite pragmas, queued concurrent writers, named constraints."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.audit.services import record, verify_chain
from coopkit.database import SQLITE_BUSY_TIMEOUT_MS, is_unique_violation, utcnow
from coopkit.extensions import NAMING_CONVENTION, db


def test_utcnow_is_naive_utc():
    now = utcnow()
    assert now.tzinfo is None
    assert abs(now - datetime.now(UTC).replace(tzinfo=None)) < timedelta(minutes=1)


def test_sqlite_pragmas(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite pragmas")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == SQLITE_BUSY_TIMEOUT_MS


def test_sqlite_enforces_foreign_keys(app):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("PostgreSQL always enforces them")
        from coopkit.coops.models import Invitation

        db.session.add(Invitation(coop_id=9999, token_hash="x" * 64, created_by_id=9999, expires_at=utcnow()))
        with pytest.raises(sa.exc.IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_sqlite_writes_begin_immediate(app):
    """A write transaction takes the write lock when it begins, not at its first write,
    so a read-then-write never fails halfway with "database is locked"."""
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite locking")
        with db.engine.connect() as first:
            first.begin()
            first.execute(sa.text("SELECT 1"))
            # The lock is held: a raw second connection that won't wait is refused at once.
            import sqlite3

            other = sqlite3.connect(db.engine.url.database, timeout=0, isolation_level=None)
            try:
                with pytest.raises(sqlite3.OperationalError, match="locked"):
                    other.execute("BEGIN IMMEDIATE")
            finally:
                other.close()
            first.rollback()


def test_concurrent_writers_all_succeed(app, make):
    """Eight threads append to one audit chain at once: every append lands, in order,
    with no "database is locked" and no duplicate sequence number."""
    threads_count, per_thread = 8, 6
    actor = make.user()
    with app.app_context():
        record("test.start", data={"n": 0})
        db.session.commit()
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads_count)

    def writer(index: int):
        try:
            barrier.wait()
            for n in range(per_thread):
                with app.app_context():
                    from coopkit.accounts.models import User

                    # read, then write, in one transaction: the pattern that races
                    user = db.session.get(User, actor.id)
                    record("test.write", actor=user, data={"thread": index, "n": n})
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    with app.app_context():
        seqs = db.session.execute(
            sa.select(AuditEvent.seq).where(AuditEvent.chain == "platform").order_by(AuditEvent.seq)
        ).scalars().all()
        assert seqs == list(range(1, threads_count * per_thread + 2))
        report = verify_chain("platform")
        assert report.problem is None and report.events == threads_count * per_thread + 1


def _constraint_names(app, table: str) -> dict[str, set[str]]:
    with app.app_context():
        inspector = sa.inspect(db.engine)
        return {
            "pk": {inspector.get_pk_constraint(table).get("name")},
            "uq": {c["name"] for c in inspector.get_unique_constraints(table)},
            "fk": {c["name"] for c in inspector.get_foreign_keys(table)},
            "ck": {c["name"] for c in inspector.get_check_constraints(table)},
            # PostgreSQL reports the index behind each unique constraint too; it has the constraint's name.
            "ix": {c["name"] for c in inspector.get_indexes(table) if not c.get("duplicates_constraint")},
        }


def test_constraint_names_follow_the_convention(app):
    assert NAMING_CONVENTION["fk"] == "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"
    coops = _constraint_names(app, "coops")
    assert "uq_coops_slug" in coops["uq"]
    assert {"ck_coops_stage", "ck_coops_legal_form"} <= coops["ck"]
    assert "fk_coops_cohort_id_cohorts" in coops["fk"]
    assert "ix_coops_cohort_id" in coops["ix"]
    invitations = _constraint_names(app, "invitations")
    assert "uq_invitations_token_hash" in invitations["uq"]
    assert {"fk_invitations_coop_id_coops", "fk_invitations_created_by_id_users"} <= invitations["fk"]
    events = _constraint_names(app, "audit_events")
    assert "uq_audit_events_chain_seq" in events["uq"]
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            assert coops["pk"] == {"pk_coops"}


def test_every_constraint_in_the_database_is_named_by_the_convention(app):
    wrong = []
    for table in db.metadata.sorted_tables:
        names = _constraint_names(app, table.name)
        for kind in ("uq", "fk", "ck", "ix"):
            wrong += [f"{table.name}: {kind} {name!r}" for name in names[kind]
                      if not (name or "").startswith(kind + "_")]
    assert not wrong, wrong


def test_unique_violations_are_recognised(app, make):
    make.coop(slug="taken-slug")
    with app.app_context():
        from coopkit.coops.models import Coop

        db.session.add(Coop(name="Again", slug="taken-slug", stage="forming"))
        with pytest.raises(sa.exc.IntegrityError) as error:
            db.session.flush()
        db.session.rollback()
    assert is_unique_violation(error.value)
    assert not is_unique_violation(ValueError("something else"))


def test_sqlite_reads_begin_deferred(app):
    """A GET request (and code inside reads_only()) begins deferred: it never takes the write
    lock, so another connection can still begin a write meanwhile."""
    import sqlite3

    from coopkit.database import reads_only

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite locking")
        database = db.engine.url.database

    def write_lock_is_free() -> bool:
        other = sqlite3.connect(database, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            other.close()

    with app.test_request_context("/", method="GET"):
        db.session.execute(sa.text("SELECT 1"))
        assert write_lock_is_free()
        db.session.remove()
    with app.app_context(), reads_only():
        db.session.execute(sa.text("SELECT 1"))
        assert write_lock_is_free()
        db.session.remove()
    with app.test_request_context("/", method="POST"):
        db.session.execute(sa.text("SELECT 1"))
        assert not write_lock_is_free()  # a POST may write: it holds the lock from its first statement
        db.session.remove()
