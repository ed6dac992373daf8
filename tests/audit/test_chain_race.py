"""Many transactions appending the first events of a chain at once: one line, nothing lost."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.audit.models import AuditChainHead, AuditEvent
from coopkit.audit.services import record, verify_chain
from coopkit.extensions import db
from tests.threads import run_together

THREADS = 20


def test_a_new_chain_started_by_many_writers_at_once_stays_one_line(app):
    def write(n: int) -> None:
        with app.app_context():
            record("test.race", data={"n": n})  # the platform chain: no head exists yet
            db.session.commit()
            db.session.remove()

    errors = run_together(THREADS, write)
    assert errors == []
    with app.app_context():
        seqs = db.session.scalars(sa.select(AuditEvent.seq).where(AuditEvent.chain == "platform")
                                  .order_by(AuditEvent.seq)).all()
        assert seqs == list(range(1, THREADS + 1))
        assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditChainHead)) == 1
        assert verify_chain("platform").problem is None
