"""Work handed to the queue only when the database transaction commits.

:func:`after_commit` and the mail outbox keep what they are given in the session
(``session.info``), tagged with the transaction that was innermost at the time:

- the outermost transaction commits (``after_commit``): everything kept becomes jobs;
- a savepoint rolls back (``after_soft_rollback``): what was kept inside it is dropped;
- the outermost transaction ends without committing (rolled back, or the session
  closed, ``after_transaction_end``): everything kept is dropped.

So a request (or CLI command, or job) that rolls back sends no mail and starts no job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from huey.api import Task
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from coopkit.extensions import db
from coopkit.jobs.queue import drain_if_eager, huey
from coopkit.mail import Mail

log = logging.getLogger("coopkit.jobs")

PENDING = "coopkit.jobs.pending"
#: messages per delivery job: each job sends its batch over one SMTP connection
MAIL_BATCH = 100


@dataclass
class _Pending:
    transaction: SessionTransaction | None
    item: object  # a huey Task, or a Mail


def after_commit(task, *args, **kwargs) -> None:
    """Run the huey ``task`` with these arguments once the current transaction commits
    (never if it rolls back). ``task`` may also be a ready-made huey Task instance."""
    _keep(task if isinstance(task, Task) else task.s(*args, **kwargs))


def queue_mail(mail: Mail) -> None:
    """The outbox behind coopkit.mail.send_mail."""
    _keep(mail)


def _keep(item) -> None:
    session = db.session()
    # Begin the session's transaction if none has (no connection is taken yet), so that a
    # rollback before any query still drops this.
    transaction = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(PENDING, []).append(_Pending(transaction, item))


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def _on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: its work waits for the outermost commit
    pending = session.info.pop(PENDING, None)
    if not pending:
        return
    jobs = [p.item for p in pending if not isinstance(p.item, Mail)]
    mails = [p.item for p in pending if isinstance(p.item, Mail)]
    from coopkit.jobs.mail import deliver_mail

    jobs += [deliver_mail.s(mails[i:i + MAIL_BATCH]) for i in range(0, len(mails), MAIL_BATCH)]
    for job in jobs:
        try:
            huey.enqueue(job)
        except Exception:  # noqa: BLE001 - the commit stands; say loudly what was lost
            log.exception("Job queue unavailable: job %s was not queued", job.name)
    drain_if_eager()


def _on_soft_rollback(session: Session, previous: SessionTransaction) -> None:
    pending = session.info.get(PENDING)
    if not pending:
        return
    if previous.parent is None:
        session.info.pop(PENDING, None)
        return
    session.info[PENDING] = [p for p in pending if not _within(p.transaction, previous)]


def _on_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None and not transaction.nested:
        # Committed work has already gone to the queue; anything left was not committed.
        dropped = session.info.pop(PENDING, None)
        if dropped:
            log.info("Transaction ended without a commit: %d job(s) not queued", len(dropped))


def install_session_events() -> None:
    target = db.session
    if event.contains(target, "after_commit", _on_commit):
        return
    event.listen(target, "after_commit", _on_commit)
    event.listen(target, "after_soft_rollback", _on_soft_rollback)
    event.listen(target, "after_transaction_end", _on_transaction_end)
