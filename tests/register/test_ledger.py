"""The share ledger: a holding is the sum of its transactions, never below nothing and
never above the largest holding the rules allow (hypothesis, on the pure core and
through the services against the real database)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopkit.register import ledger
from coopkit.register.ledger import Entry, LedgerError

START = date(2024, 1, 1)
SHARE = 100

operations = st.lists(
    st.tuples(st.sampled_from(["issue", "withdrawal", "transfer_in", "transfer_out"]),
              st.integers(min_value=1, max_value=12),  # shares
              st.integers(min_value=0, max_value=400)),  # days after START
    max_size=40)


def running_balances(entries):
    return [line.balance_pence for line in ledger.statement(entries)]


@given(ops=operations, max_shares=st.integers(min_value=1, max_value=20))
@settings(max_examples=300)
def test_accepted_history_obeys_the_invariants(ops, max_shares):
    maximum = max_shares * SHARE
    history: list[Entry] = []
    for kind, shares, day in ops:
        amount = shares * SHARE
        new = Entry(kind, ledger.signed(kind, amount), START + timedelta(days=day), ledger.next_order(history))
        before = list(history)
        try:
            ledger.check_amount(amount, SHARE)
            ledger.check_new_entry(history, new, maximum)
        except LedgerError:
            # a refusal is right only when accepting it would have broken an invariant
            balances = running_balances([*history, new])
            after_new = [b.balance_pence for b in ledger.statement([*history, new])
                         if b.entry.on >= new.on]
            assert min(balances) < 0 or max(after_new) > maximum
            assert history == before
            continue
        history.append(new)
        balances = running_balances(history)
        assert min(balances) >= 0
        assert ledger.holding(history) == sum(e.amount_pence for e in history)
        assert ledger.holding(history) == balances[-1]
    for line in ledger.statement(history):
        assert line.balance_pence >= 0
        assert line.balance_pence <= maximum
    # the holding as at any date is the sum of what was dated by then
    for day in (START, START + timedelta(days=200), START + timedelta(days=500)):
        assert ledger.holding(history, day) == sum(e.amount_pence for e in history if e.on <= day)


def test_refuses_what_it_must():
    history = [Entry("issue", 100, START, 1)]
    with pytest.raises(LedgerError, match="below nothing"):
        ledger.check_new_entry(history, Entry("withdrawal", -200, START, 2), 500)
    with pytest.raises(LedgerError, match="above the largest holding"):
        ledger.check_new_entry(history, Entry("issue", 500, START, 2), 500)
    # a backdated withdrawal that would leave an earlier date negative
    with pytest.raises(LedgerError, match="below nothing"):
        ledger.check_new_entry(history, Entry("withdrawal", -100, START - timedelta(days=1), 2), 500)
    with pytest.raises(LedgerError, match="wrong sign"):
        ledger.check_new_entry(history, Entry("issue", -100, START, 2), 500)
    with pytest.raises(LedgerError, match="whole number of shares"):
        ledger.check_amount(150, 100)
    with pytest.raises(LedgerError):
        ledger.check_amount(0, 100)
    with pytest.raises(LedgerError):
        ledger.check_amount(True, 100)


def test_totals_count_holders_and_capital():
    assert ledger.totals([100, 0, 300]) == (2, 400)


# --- the same properties through the services and the database ----------------------------

service_ops = st.lists(
    st.tuples(st.sampled_from(["issue", "withdraw", "transfer_ab", "transfer_ba"]),
              st.integers(min_value=1, max_value=4), st.integers(min_value=0, max_value=60)),
    min_size=1, max_size=12)


@given(ops=service_ops)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_services_keep_holdings_within_bounds(app, society, ops):
    """Random issues, withdrawals and transfers between two members, each accepted or refused by
    the services; whatever happens, every running balance stays within bounds and the register's
    figure is the sum of the stored rows. Nothing is committed: each example rolls back."""
    from unittest import mock

    import sqlalchemy as sa

    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop, Member
    from coopkit.extensions import db
    from coopkit.register import queries, services
    from coopkit.register.models import ShareTransaction

    maximum = 3 * SHARE
    a_id, b_id = society.member.id, society.people[1][1].id
    with app.app_context(), mock.patch("coopkit.register.shares.share_params", return_value=(SHARE, maximum)):
        user = db.session.get(User, society.secretary.id)
        a, b = db.session.get(Member, a_id), db.session.get(Member, b_id)
        accepted = 0
        for kind, shares, day in ops:
            on, amount = START + timedelta(days=day), shares * SHARE
            try:
                with db.session.begin_nested():
                    if kind == "issue":
                        services.issue_shares(a, amount, on=on, actor=user)
                    elif kind == "withdraw":
                        services.withdraw_shares(a, amount, on=on, actor=user)
                    elif kind == "transfer_ab":
                        services.transfer_shares(a, b, amount, on=on, actor=user)
                    else:
                        services.transfer_shares(b, a, amount, on=on, actor=user)
                accepted += 1
            except services.RegisterError:
                pass
        rows = {r.member.id: r for r in queries.register_all(db.session.get(Coop, society.coop.id), view="all")}
        for member_id in (a_id, b_id):
            amounts = db.session.execute(sa.select(ShareTransaction.amount_pence)
                                         .where(ShareTransaction.member_id == member_id)).scalars().all()
            lines = queries.statement(db.session.get(Member, member_id))
            assert all(0 <= balance <= maximum for _, _, balance in lines)
            assert (lines[-1][2] if lines else 0) == sum(amounts) == rows[member_id].shares_pence
        if ops[0][0] == "issue" and ops[0][1] <= 3:
            assert accepted >= 1  # a first issue within the maximum is always accepted
        db.session.rollback()
