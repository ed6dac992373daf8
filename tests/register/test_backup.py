"""`coopkit backup --out FILE` while the app writes: each copy is a consistent database
(integrity check passes, the audit chain is whole and matches the register)."""

from __future__ import annotations

import sqlite3
import threading
from datetime import date

import pytest

from coopkit.audit import chain as chainlib
from coopkit.extensions import db


def test_backup_while_writing(app, society, tmp_path):
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("coopkit backup copies SQLite databases (PostgreSQL: pg_dump)")
    stop = threading.Event()
    written = []
    errors = []

    def writer():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop
        from coopkit.register import services

        n = 0
        while not stop.is_set() and n < 400:
            with app.app_context():
                try:
                    coop, actor = db.session.get(Coop, society.coop.id), db.session.get(User, society.secretary.id)
                    services.add_applicant(coop, full_name=f"Writer {n}", postal_address="1 Applicant Road, Preston", actor=actor, applied_on=date(2024, 5, 1))
                    db.session.commit()
                    written.append(n)
                except Exception as exc:  # noqa: BLE001 - reported below
                    errors.append(repr(exc))
                    return
                finally:
                    db.session.remove()
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    runner = app.test_cli_runner()
    copies = []
    try:
        while len(written) < 5 and thread.is_alive():
            stop.wait(0.01)
        for i in range(4):
            out = tmp_path / f"backup-{i}.db"
            result = runner.invoke(args=["backup", "--out", str(out)])
            assert result.exit_code == 0, result.output
            assert f"Backup written to {out}" in result.output
            copies.append(out)
    finally:
        stop.set()
        thread.join(60)
    assert not errors, errors
    assert written, "the writer should have written while the backups ran"
    name = f"coop:{society.coop.id}"
    for copy in copies:
        conn = sqlite3.connect(copy)
        try:
            assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            applicants = conn.execute("SELECT count(*) FROM members WHERE full_name LIKE 'Writer %'").fetchone()[0]
            events = conn.execute("SELECT seq, prev_hash, hash, chain, created_at, actor_id, action, subject_type, "
                                  "subject_id, data FROM audit_events WHERE chain = ? ORDER BY id", (name,)).fetchall()
            head = conn.execute("SELECT seq, hash FROM audit_chain_heads WHERE chain = ?", (name,)).fetchone()
        finally:
            conn.close()
        applied = [e for e in events if e[6] == "member.applied"]
        assert len(applied) == applicants  # the register and its log agree in every copy
        assert head == (events[-1][0], events[-1][2])

        def fields(e):
            from datetime import datetime

            return {"chain": e[3], "seq": e[0], "created_at": datetime.fromisoformat(e[4]).isoformat(
                timespec="microseconds"), "actor_id": e[5], "action": e[6], "subject_type": e[7],
                "subject_id": e[8], "data": e[9]}

        assert chainlib.verify((e[0], e[1], e[2], fields(e)) for e in events) is None


def test_backup_refuses_postgresql_with_a_pointer_to_pg_dump(app, tmp_path):
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            pytest.skip("only on PostgreSQL")
    result = app.test_cli_runner().invoke(args=["backup", "--out", str(tmp_path / "x.db")])
    assert result.exit_code != 0 and "pg_dump" in result.output
