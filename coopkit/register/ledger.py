"""The share ledger's arithmetic: a pure core with no Flask or database import.

A holding is the sum of its dated transactions (integer pence), never a stored
counter. Every new transaction is checked against the whole history it joins:
a holding may never go below zero at any date, and from the new transaction's
date onwards it may never exceed the largest holding the rules allow.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from coopkit.money import format_pence

#: kind -> sign of the amount (+ adds to the holding, - takes from it)
KIND_SIGNS = {"issue": 1, "transfer_in": 1, "withdrawal": -1, "transfer_out": -1}


class LedgerError(ValueError):
    """A transaction the ledger refuses, with a message for the secretary."""


@dataclass(frozen=True)
class Entry:
    kind: str
    #: signed pence, as stored (withdrawals and transfers out are negative)
    amount_pence: int
    on: date
    #: tie-break within a day: the order the rows were written
    order: int = 0


@dataclass(frozen=True)
class StatementLine:
    entry: Entry
    balance_pence: int


def holding(entries: Iterable[Entry], as_at: date | None = None) -> int:
    """The holding in pence: every transaction dated on or before ``as_at`` (all when None)."""
    return sum(e.amount_pence for e in entries if as_at is None or e.on <= as_at)


def ordered(entries: Iterable[Entry]) -> list[Entry]:
    return sorted(entries, key=lambda e: (e.on, e.order))


def statement(entries: Iterable[Entry]) -> list[StatementLine]:
    """Each transaction in date order with the running balance after it."""
    balance = 0
    lines = []
    for entry in ordered(entries):
        balance += entry.amount_pence
        lines.append(StatementLine(entry, balance))
    return lines


def signed(kind: str, amount_pence: int) -> int:
    """The stored (signed) amount for a positive amount of a kind."""
    if kind not in KIND_SIGNS:
        raise LedgerError(f"Unknown kind of share transaction: {kind}.")
    return KIND_SIGNS[kind] * amount_pence


def check_amount(amount_pence: int, share_value_pence: int) -> None:
    """A positive amount of whole shares."""
    if not isinstance(amount_pence, int) or isinstance(amount_pence, bool):
        raise LedgerError("Give the amount in whole pence.")
    if amount_pence <= 0:
        raise LedgerError("The amount must be more than £0.00.")
    if share_value_pence > 0 and amount_pence % share_value_pence:
        raise LedgerError(f"Shares are {format_pence(share_value_pence)} each: give a whole number of shares.")


def check_new_entry(history: Sequence[Entry], new: Entry, max_holding_pence: int | None) -> None:
    """Refuse ``new`` if, inserted into ``history``, the holding would go negative at any
    date or exceed ``max_holding_pence`` at any date from ``new.on`` on."""
    if KIND_SIGNS.get(new.kind) is None:
        raise LedgerError(f"Unknown kind of share transaction: {new.kind}.")
    if (new.amount_pence > 0) != (KIND_SIGNS[new.kind] > 0):
        raise LedgerError("The amount has the wrong sign for this kind of transaction.")
    balance = 0
    for entry in statement([*history, new]):
        balance = entry.balance_pence
        if balance < 0:
            available = holding(history, new.on)
            raise LedgerError(
                f"That would take the holding below nothing (it is {format_pence(available)} "
                f"on {new.on:%d/%m/%Y})." if entry.entry is new else
                "That would leave the holding below nothing on a later date in the ledger."
            )
        if max_holding_pence is not None and entry.entry.on >= new.on and balance > max_holding_pence:
            raise LedgerError(
                f"That would make the holding {format_pence(balance)}, above the largest holding the "
                f"rules allow ({format_pence(max_holding_pence)})."
            )


def check_transfer(from_history: Sequence[Entry], to_history: Sequence[Entry], amount_pence: int,
                   on: date, max_holding_pence: int | None, share_value_pence: int) -> None:
    """Both sides of a transfer: the giver keeps at least nothing, the receiver stays within the maximum."""
    check_amount(amount_pence, share_value_pence)
    check_new_entry(from_history, Entry("transfer_out", -amount_pence, on, next_order(from_history)),
                    max_holding_pence)
    check_new_entry(to_history, Entry("transfer_in", amount_pence, on, next_order(to_history)),
                    max_holding_pence)


def next_order(history: Sequence[Entry]) -> int:
    return max((e.order for e in history), default=0) + 1


def totals(holdings: Iterable[int]) -> tuple[int, int]:
    """(number of holders with a holding above nothing, total share capital in pence)."""
    holders = 0
    total = 0
    for amount in holdings:
        if amount > 0:
            holders += 1
        total += amount
    return holders, total
