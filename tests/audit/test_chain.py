"""The audit log's hash chain: intact chains verify; any edit, removal or swap is found.
Property tests on the pure core (coopkit/audit/chain.py), then the database and the CLI."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import assume, given
from hypothesis import strategies as st

from coopkit.audit import chain
from coopkit.audit.models import AuditChainHead, AuditEvent
from coopkit.audit.services import record, verify_chain
from coopkit.extensions import db

# --- the pure core ---------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
fields = st.fixed_dictionaries({
    "action": st.text(min_size=1, max_size=20),
    "actor_id": st.none() | st.integers(min_value=1, max_value=10_000),
    "data": json_values.map(chain.canonical_json),
})


def build(events_fields: list[dict]) -> list[tuple[int, str, str, dict]]:
    rows, previous = [], chain.GENESIS
    for seq, f in enumerate(events_fields, start=1):
        f = {**f, "seq": seq}
        digest = chain.event_hash(previous, f)
        rows.append((seq, previous, digest, f))
        previous = digest
    return rows


@given(st.lists(fields, max_size=12))
def test_an_intact_chain_verifies(events):
    assert chain.verify(build(events)) is None


@given(st.lists(fields, min_size=1, max_size=12), st.data())
def test_any_edit_is_found(events, data):
    rows = build(events)
    index = data.draw(st.integers(0, len(rows) - 1))
    seq, prev, digest, f = rows[index]
    key = data.draw(st.sampled_from(sorted(f)))
    new_value = data.draw(st.text(max_size=10) | st.integers())
    assume(new_value != f[key])
    rows[index] = (seq, prev, digest, {**f, key: new_value})
    problem = chain.verify(rows)
    assert problem is not None and problem.seq == seq


@given(st.lists(fields, min_size=1, max_size=12), st.data())
def test_a_rewritten_hash_is_found_at_the_next_event(events, data):
    rows = build(events)
    index = data.draw(st.integers(0, len(rows) - 1))
    seq, prev, _, f = rows[index]
    f = {**f, "action": f["action"] + "!"}
    # The forger recomputes this event's hash; the next event no longer links to it.
    rows[index] = (seq, prev, chain.event_hash(prev, f), f)
    problem = chain.verify(rows)
    if index == len(rows) - 1:
        assert problem is None  # only the chain head (tested below) can catch the newest event
    else:
        assert problem is not None and problem.seq == seq + 1


@given(st.lists(fields, min_size=2, max_size=12), st.data())
def test_any_removal_except_the_newest_is_found(events, data):
    rows = build(events)
    index = data.draw(st.integers(0, len(rows) - 2))
    del rows[index]
    assert chain.verify(rows) is not None


@given(st.lists(fields, min_size=2, max_size=12), st.data())
def test_any_swap_is_found(events, data):
    rows = build(events)
    i = data.draw(st.integers(0, len(rows) - 2))
    j = data.draw(st.integers(i + 1, len(rows) - 1))
    rows[i], rows[j] = rows[j], rows[i]
    assert chain.verify(rows) is not None


@given(json_values)
def test_canonical_json_ignores_key_order(value):
    if isinstance(value, dict):
        reordered = dict(reversed(list(value.items())))
        assert chain.canonical_json(reordered) == chain.canonical_json(value)


# --- in the database, and the command ------------------------------------------------------

def _events(app, make, n=4):
    coop = make.coop()  # two events on its chain
    with app.app_context():
        from coopkit.coops.models import Coop

        target = db.session.get(Coop, coop.id)
        for i in range(n):
            record("test.event", coop=target, data={"i": i})
        db.session.commit()
    return coop, f"coop:{coop.id}"


def test_recorded_chain_verifies(app, make):
    _, name = _events(app, make)
    with app.app_context():
        report = verify_chain(name)
        assert report.problem is None and report.events == 6


def test_removing_the_newest_event_is_caught_by_the_head(app, make):
    _, name = _events(app, make)
    with app.app_context():
        newest = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.chain == name).order_by(AuditEvent.seq.desc()).limit(1)
        ).scalar_one()
        db.session.delete(newest)
        db.session.commit()
        report = verify_chain(name)
        assert report.problem is not None and "newest events were removed" in report.problem.reason


def run_verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def test_cli_verify_exit_codes(app, make):
    coop, name = _events(app, make)
    ok = run_verify(app)
    assert ok.exit_code == 0, ok.output
    assert f"{name}: ok (6 events)" in ok.output
    assert run_verify(app, coop.slug).exit_code == 0

    with app.app_context():
        db.session.execute(
            sa.update(AuditEvent).where(AuditEvent.chain == name, AuditEvent.seq == 3).values(data='{"i": 99}')
        )
        db.session.commit()
    broken = run_verify(app)
    assert broken.exit_code == 1
    assert f"{name}: BROKEN at event 3: its content does not match its hash (edited)" in broken.output
    assert run_verify(app, coop.slug).exit_code == 1

    unknown = run_verify(app, "no-such-coop")
    assert unknown.exit_code != 0
    assert "No co-op with the address 'no-such-coop'." in unknown.output


def test_cli_verify_finds_a_chain_whose_events_were_all_removed(app, make):
    _, name = _events(app, make, n=0)
    with app.app_context():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.chain == name))
        db.session.commit()
        assert db.session.get(AuditChainHead, name).seq == 2
    result = run_verify(app)
    assert result.exit_code == 1
    assert "every event was removed" in result.output
