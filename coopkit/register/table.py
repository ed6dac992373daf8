"""The register of members as a table: which columns the viewer sees and each row's cells,
worked out in Python once per row (the template only lays them out). The register page shows up
to 50 rows of ten particulars, so this is where its time went when the template built them.

Each column says whether a phone shows it (``key``); the others are in each row's "More"
disclosure (.register-table is a priority table: see coopkit.css)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

from coopkit.money import format_pence
from coopkit.web import email_breaks, format_date


@dataclass(frozen=True)
class Column:
    heading: str
    cls: str
    #: shown on a narrow screen too (else only in the row's "More" disclosure)
    key: bool

    @property
    def css(self) -> str:
        return self.cls if self.key else f"{self.cls} opt".lstrip()


def columns(full: bool, capital: bool) -> list[Column]:
    """The secretary (``full``) sees every particular; others the name, status and date entered.
    Shares held and paid only where the co-op has share capital."""
    cols = [Column("Name", "", True)]
    if full:
        cols += [Column("Postal address", "address", False), Column("Email and consent", "", False)]
    cols.append(Column("Status", "", True))
    if full:
        cols.append(Column("Class", "", False))
        if capital:
            cols += [Column("Shares held", "num", True), Column("Amount paid", "num", False)]
        cols.append(Column("Other property", "num", False))
    cols.append(Column("Date entered", "", not (full and capital)))
    if full:
        cols.append(Column("Date ceased", "", False))
    return cols


def _email(member) -> Markup | str:
    if not member.email:
        return "—"
    consent = "consents to notices by email" if member.consents_to_electronic else "no consent to email notices"
    return Markup(f'<span class="email">{email_breaks(member.email)}</span><br><span class="muted">{escape(consent)}</span>')


def shares_of(pence: int, share_value: int) -> str:
    """A holding as the number of shares (s.30 register: shares held beside the amount paid);
    the ``shares_of`` template filter."""
    if not share_value:
        return "—"
    count = int(pence or 0) // share_value
    return f"{count} share{'s' if count != 1 else ''}"


def _entered(member) -> str:
    if member.admitted_on:
        return format_date(member.admitted_on)
    if member.status == "applicant" and member.applied_on:
        return "applied " + format_date(member.applied_on)
    return "—"


def cells(row, *, full: bool, capital: bool, share_value: int, as_at: date | None) -> list:
    """The values of one RegisterRow for :func:`columns` after the name, in the same order
    (text, escaped when the row is built; the email cell is already safe markup)."""
    m = row.member
    values: list = []
    if full:
        values += [m.postal_address or "—", _email(m)]
    values.append(m.status_on(as_at).capitalize())
    if full:
        values.append("Voting" if m.member_class == "voting" else "Non-voting")
        if capital:
            values += [shares_of(row.shares_pence, share_value), format_pence(row.paid_pence)]
        values.append(format_pence(row.property_pence) if row.property_pence else "None")
    values.append(_entered(m))
    if full:
        values.append(format_date(m.ceased_on) if m.ceased_on and (not as_at or m.ceased_on <= as_at) else "—")
    return values


@dataclass(frozen=True)
class TableRow:
    """One row's particulars after the name, as markup (values escaped here): ``cells`` are the
    row's <td>s, ``more`` the <dl> of the particulars a phone shows only in the "More" disclosure.
    Built in Python because a register page repeats them for every row: as template expressions
    they were most of the page's time."""
    cells: Markup
    more: Markup


def _openings(cols: list[Column]) -> list[tuple[str, str | None]]:
    """Per column after the name: the markup before its value in the row's cell, and in the
    "More" disclosure (None when a phone shows the column itself). Worked out once per table."""
    return [(f'<td class="{escape(c.css)}">',
             None if c.key else f'<dt>{escape(c.heading)}</dt><dd class="{escape(c.cls)}">') for c in cols[1:]]


def _row(openings: list[tuple[str, str | None]], values: list) -> TableRow:
    cells, more = [], []
    for (cell, listed), value in zip(openings, values, strict=True):
        text = escape(value)  # once, for the cell and the disclosure
        cells.append(f"{cell}{text}</td>")
        if listed is not None:
            more.append(f"{listed}{text}</dd>")
    return TableRow(Markup("".join(cells)), Markup(f"<dl>{''.join(more)}</dl>" if more else ""))


def table(rows, *, full: bool, capital: bool, share_value: int, as_at: date | None):
    """(columns, [(RegisterRow, TableRow), ...], whether any column hides on a phone)."""
    cols = columns(full, capital)
    openings = _openings(cols)
    body = [(row, _row(openings, cells(row, full=full, capital=capital, share_value=share_value, as_at=as_at)))
            for row in rows]
    return cols, body, any(not c.key for c in cols)
