"""The share ledger and other property (loans, deposits): every write.

The arithmetic and its checks live in the pure :mod:`coopkit.register.ledger`;
here we load a member's history (locking the member row so two writers queue),
ask the ledger, and append rows. A holding is never stored, only summed.
"""

from __future__ import annotations

import calendar
import logging
from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Coop, Member
from coopkit.extensions import db
from coopkit.money import format_pence
from coopkit.register import ledger
from coopkit.register.models import PROPERTY_KINDS, MemberProperty, ShareTransaction
from coopkit.register.queries import property_balance, share_entries
from coopkit.rules.facts import register_terms as rules_register_terms
from coopkit.rules.queries import current_parameters

log = logging.getLogger("coopkit.register")


class RegisterError(ValueError):
    """A clear message for the secretary or member."""


def _coop(member: Member):
    return db.session.get(Coop, member.coop_id)


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def register_terms(coop):
    """What the rules in force say the share ledger must follow (coopkit.rules.facts)."""
    return rules_register_terms(coop)


def _require_share_capital(coop) -> None:
    if not register_terms(coop).share_capital:
        raise RegisterError("This co-op is a company limited by guarantee: it has no share capital, so the "
                            "register has no shares to issue, withdraw or transfer.")


def share_params(coop) -> tuple[int, int]:
    """(share value, largest holding) in pence, from the co-op's governing rules."""
    params = current_parameters(coop)
    return int(params.get("share_value_pence") or 0), int(params.get("max_holding_pence") or 0)


def _lock(member: Member) -> None:
    # PostgreSQL: row lock; SQLite: writes already begin IMMEDIATE, so writers queue anyway.
    db.session.execute(sa.select(Member.id).where(Member.id == member.id).with_for_update())


def _history(member_id: int) -> list[ledger.Entry]:
    return share_entries(member_id)


def _check_date(on: date) -> None:
    if not isinstance(on, date):
        raise RegisterError("Give the date of the transaction.")
    if on > date.today():
        raise RegisterError("A share transaction can't be dated in the future.")


def _add(member: Member, kind: str, amount_pence: int, on: date, note: str,
         counterpart: Member | None = None) -> ShareTransaction:
    row = ShareTransaction(coop_id=member.coop_id, member_id=member.id, kind=kind,
                           amount_pence=ledger.signed(kind, amount_pence),
                           paid_pence=ledger.signed(kind, amount_pence), on=on,
                           counterpart_member_id=counterpart.id if counterpart else None,
                           note=(note or "")[:300])
    db.session.add(row)
    return row


def _wrap(func, *args):
    try:
        return func(*args)
    except ledger.LedgerError as exc:
        raise RegisterError(str(exc)) from None


def issue_shares(member: Member, amount_pence: int, *, on: date, actor, note: str = "") -> ShareTransaction:
    """Issue shares worth ``amount_pence`` (fully paid) to a current member.
    Changes: adds a ShareTransaction (issue). Flushes."""
    coop = _coop(member)
    _require_share_capital(coop)
    if member.status not in ("member", "founder"):
        raise RegisterError("Shares are issued only to current members.")
    if member.admitted_on and on < member.admitted_on:
        raise RegisterError("Shares can't be issued before the member was admitted.")
    _check_date(on)
    share_value, max_holding = share_params(coop)
    _wrap(ledger.check_amount, amount_pence, share_value)
    _lock(member)
    history = _history(member.id)
    _wrap(ledger.check_new_entry, history, ledger.Entry("issue", amount_pence, on, ledger.next_order(history)), max_holding)
    row = _add(member, "issue", amount_pence, on, note)
    db.session.flush()
    record("shares.issued", coop=coop, actor=actor, subject=row,
           data={"member_id": member.id, "amount_pence": amount_pence, "on": on.isoformat()})
    log.info("Shares issued to member %s: %s pence", member.id, amount_pence)
    return row


def withdraw_shares(member: Member, amount_pence: int, *, on: date, actor, note: str = "",
                    notice_given_on: date | None = None, on_leaving: bool = False) -> ShareTransaction:
    """Withdraw shares worth ``amount_pence`` (paid back at par). While the person is a member
    the rules in force apply: the one share every member holds stays until they leave, and other
    shares go only after the written notice the rules require (``notice_given_on``). On leaving
    (``on_leaving``) every share is withdrawn. Changes: adds a ShareTransaction (withdrawal). Flushes."""
    coop = _coop(member)
    _require_share_capital(coop)
    _check_date(on)
    share_value, max_holding = share_params(coop)
    _wrap(ledger.check_amount, amount_pence, share_value)
    _lock(member)
    history = _history(member.id)
    if not on_leaving and member.status in ("member", "founder"):
        _check_withdrawal_while_member(coop, member, history, amount_pence, on, notice_given_on, share_value)
        if notice_given_on is not None:
            note = (f"{note} " if note else "") + f"(written notice given {notice_given_on:%d/%m/%Y})"
    _wrap(ledger.check_new_entry, history, ledger.Entry("withdrawal", -amount_pence, on, ledger.next_order(history)),
          max_holding)
    row = _add(member, "withdrawal", amount_pence, on, note)
    db.session.flush()
    record("shares.withdrawn", coop=coop, actor=actor, subject=row,
           data={"member_id": member.id, "amount_pence": amount_pence, "on": on.isoformat()})
    log.info("Shares withdrawn by member %s: %s pence", member.id, amount_pence)
    return row


def _check_withdrawal_while_member(coop, member: Member, history, amount_pence: int, on: date,
                                   notice_given_on: date | None, share_value: int) -> None:
    terms = register_terms(coop)
    where = f" ({terms.withdrawal_citation})" if terms.withdrawal_citation else ""
    left = ledger.holding(history) - amount_pence
    if terms.terms.member_keeps_one_share and share_value > 0 and 0 <= left < share_value:
        raise RegisterError(f"{member.full_name} is a member, so the one share every member must hold can't be "
                            f"withdrawn{where}: it is paid back when they leave. Withdraw only shares above it.")
    months = terms.withdrawal_notice_months
    if not months:
        return
    if notice_given_on is None:
        raise RegisterError(f"The rules{where} need {months} months' written notice to withdraw shares: give the "
                            "date the member gave notice.")
    if notice_given_on > on:
        raise RegisterError("The notice must have been given before the withdrawal.")
    earliest = add_months(notice_given_on, months)
    if on < earliest:
        raise RegisterError(f"Notice given on {notice_given_on:%d/%m/%Y} allows the withdrawal from "
                            f"{earliest:%d/%m/%Y}: the rules{where} need {months} months' written notice.")


def transfer_shares(giver: Member, receiver: Member, amount_pence: int, *, on: date, actor,
                    note: str = "") -> tuple[ShareTransaction, ShareTransaction]:
    """Transfer shares from one member to another current member of the same co-op.
    Changes: adds a transfer_out and a transfer_in ShareTransaction. Flushes."""
    if giver.coop_id != receiver.coop_id or giver.id == receiver.id:
        raise RegisterError("Choose another member of this co-op to receive the shares.")
    if receiver.status not in ("member", "founder"):
        raise RegisterError("Shares can only be transferred to a current member.")
    if receiver.admitted_on and on < receiver.admitted_on:
        raise RegisterError("The receiving member was not yet admitted on that date.")
    coop = _coop(giver)
    _require_share_capital(coop)
    terms = register_terms(coop)
    if not terms.shares_transferable:
        where = f" ({terms.transfer_citation})" if terms.transfer_citation else ""
        raise RegisterError(f"The rules{where} make shares non-transferable: a member's shares can only be "
                            "withdrawn, never transferred to someone else.")
    _check_date(on)
    share_value, max_holding = share_params(coop)
    for member in sorted((giver, receiver), key=lambda m: m.id):  # a fixed lock order: no deadlock
        _lock(member)
    _wrap(ledger.check_transfer, _history(giver.id), _history(receiver.id), amount_pence, on,
          max_holding, share_value)
    out = _add(giver, "transfer_out", amount_pence, on, note, counterpart=receiver)
    into = _add(receiver, "transfer_in", amount_pence, on, note, counterpart=giver)
    db.session.flush()
    record("shares.transferred", coop=coop, actor=actor, subject=out,
           data={"from_member_id": giver.id, "to_member_id": receiver.id, "amount_pence": amount_pence,
                 "on": on.isoformat(), "transfer_in_id": into.id})
    log.info("Shares transferred from member %s to %s: %s pence", giver.id, receiver.id, amount_pence)
    return out, into


def add_property(member: Member, kind: str, amount_pence: int, *, on: date, actor, note: str = "",
                 repayment: bool = False) -> MemberProperty:
    """Record money a member lends or deposits (or its repayment) in the register of members.
    Changes: adds a MemberProperty row. Flushes."""
    if kind not in PROPERTY_KINDS:
        raise RegisterError("Choose a loan or a deposit.")
    if not isinstance(amount_pence, int) or amount_pence <= 0:
        raise RegisterError("The amount must be more than £0.00.")
    _check_date(on)
    if not repayment and member.status not in ("member", "founder"):
        raise RegisterError("Only a current member's loans and deposits are recorded here.")
    coop = _coop(member)
    _lock(member)
    if repayment:
        balance = property_balance(member.id, kind)
        if amount_pence > balance:
            raise RegisterError(f"Only {format_pence(balance)} of this {kind} is outstanding.")
    row = MemberProperty(coop_id=member.coop_id, member_id=member.id, kind=kind,
                         amount_pence=-amount_pence if repayment else amount_pence, on=on, note=(note or "")[:300])
    db.session.add(row)
    db.session.flush()
    record(f"property.{'repaid' if repayment else 'received'}", coop=coop, actor=actor, subject=row,
           data={"member_id": member.id, "kind": kind, "amount_pence": amount_pence, "on": on.isoformat()})
    return row
