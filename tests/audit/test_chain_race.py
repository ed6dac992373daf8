"""Many transactions appending the first events of a chain at once: one line, nothing lost."""

from __future__ import annotations

import threading

import sqlalchemy as sa

from coopkit.audit.models import AuditChainHead, AuditEvent
from coopkit.audit.services import record, verify_chain
from coopkit.extensions import db

THREADS = 20


def test_a_new_chain_started_by_many_writers_at_once_stays_one_line(app):
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                record("test.race", data={"n": n})  # the platform chain: no head exists yet
                db.session.commit()
                db.session.remove()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        seqs = db.session.scalars(sa.select(AuditEvent.seq).where(AuditEvent.chain == "platform")
                                  .order_by(AuditEvent.seq)).all()
        assert seqs == list(range(1, THREADS + 1))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditChainHead)) == 1
        assert verify_chain("platform").problem is None
