"""Tampering with the stored audit log is found by verify: every field that goes into an
event's hash is covered (changing any one of them breaks the chain), and a forger who
edits an event and re-links the events after it is caught by the chain head."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from coopkit.audit import chain
from coopkit.audit.models import AuditEvent
from coopkit.audit.services import record, verify_chain
from coopkit.extensions import db


@pytest.fixture()
def logged(app, make):
    """A co-op's chain of six events (two from creating the co-op, four more)."""
    coop = make.coop()
    with app.app_context():
        from coopkit.coops.models import Coop

        target = db.session.get(Coop, coop.id)
        for i in range(4):
            record("test.event", coop=target, actor=None, subject=target, data={"i": i})
        db.session.commit()
    return f"coop:{coop.id}"


def _events(name):
    return db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.chain == name).order_by(AuditEvent.seq)).scalars().all()


def _changed(value):
    """A different value of the same kind, as a forger would write."""
    from datetime import datetime, timedelta

    if isinstance(value, datetime):
        return value + timedelta(seconds=1)
    if isinstance(value, int):
        return value + 1000
    if value is None:
        return 1
    return (value or "") + "x"


def _hashed_columns(app, name) -> list[str]:
    with app.app_context():
        return sorted(_events(name)[0].hashed_fields())


def test_the_hash_covers_the_fields_the_model_says(app, logged):
    # A guard for the test below: it walks exactly the fields the hash is made of.
    assert set(_hashed_columns(app, logged)) >= {"chain", "seq", "created_at", "actor_id", "action",
                                                 "subject_type", "subject_id", "data"}


@pytest.mark.parametrize("column", ["chain", "seq", "created_at", "actor_id", "action",
                                    "subject_type", "subject_id", "data"])
def test_changing_any_hashed_field_breaks_the_chain(app, make, logged, column):
    someone = make.user().id  # a real account for actor_id (the column is a foreign key)
    with app.app_context():
        assert verify_chain(logged).problem is None
        event = _events(logged)[2]
        if column == "actor_id":
            new = someone
        else:
            new = _changed(getattr(event, column))
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == event.id).values({column: new}))
        db.session.commit()
        forged = db.session.get(AuditEvent, event.id)
        db.session.refresh(forged)
        # the event's own hash no longer matches its content...
        assert chain.event_hash(forged.prev_hash, forged.hashed_fields()) != forged.hash, \
            f"{column} is not covered by the event's hash"
        # ...and verify says so, at that event (or, moved to another chain, at the gap it left)
        report = verify_chain(logged)
    assert report.problem is not None, f"changing {column} was not noticed"
    assert report.problem.seq == (4 if column == "chain" else 1003 if column == "seq" else 3)


def test_every_hashed_field_has_a_tampering_case(app, logged):
    """A field added to AuditEvent.hashed_fields() must be added to the cases above."""
    cases = test_changing_any_hashed_field_breaks_the_chain.pytestmark[0].args[1]
    assert set(_hashed_columns(app, logged)) == set(cases)


def _rewrite(name, from_seq, to_seq):
    """Edit event ``from_seq`` and recompute its hash, then re-link every event up to
    ``to_seq`` (previous hash and own hash), as a forger with database access would."""
    events = {e.seq: e for e in _events(name)}
    previous = events[from_seq].prev_hash
    for seq in range(from_seq, to_seq + 1):
        event = events[seq]
        if seq == from_seq:
            event.data = chain.canonical_json({"i": "forged"})
        event.prev_hash = previous
        event.hash = chain.event_hash(previous, event.hashed_fields())
        previous = event.hash
    db.session.commit()


def test_an_edit_that_re_links_the_next_event_is_found(app, logged):
    with app.app_context():
        _rewrite(logged, 3, 4)
        report = verify_chain(logged)
    assert report.problem is not None and report.problem.seq == 5


def test_an_edit_that_re_links_every_later_event_is_found_by_the_head(app, logged):
    with app.app_context():
        _rewrite(logged, 3, 6)
        # every stored link now checks out: only the chain head still knows the true newest hash
        assert chain.verify((e.seq, e.prev_hash, e.hash, e.hashed_fields()) for e in _events(logged)) is None
        report = verify_chain(logged)
    assert report.problem is not None
