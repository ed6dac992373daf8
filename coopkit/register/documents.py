"""The registers as PDFs, through the one documents pipeline."""

from __future__ import annotations

from datetime import date

from flask import render_template

from coopkit.documents.pipeline import render_pdf
from coopkit.register import queries
from coopkit.register.services import CEASE_REASONS, OFFICE_LABELS, share_params

#: landscape, and a compact table: a register of thousands of members stays a few hundred pages
LANDSCAPE = ("@page { size: A4 landscape; margin: 15mm 12mm 18mm 12mm; } "
             "p.entry { font-size: 8.5pt; line-height: 1.3; margin: 0; padding: 2pt 0; "
             "border-bottom: 0.4pt solid #999; break-inside: avoid; } "
             "p.entry b { font-size: 9pt; }")


def members_html(coop, as_at: date | None = None) -> tuple[str, date]:
    day = as_at or date.today()
    rows = queries.register_all(coop, view="current", as_at=day)
    former = queries.register_all(coop, view="former", as_at=day)
    from coopkit.register.shares import register_terms

    capital = register_terms(coop).share_capital
    html = render_template("documents/register_members.html", coop=coop, as_at=day, rows=rows, former=former,
                           counts=queries.counts(coop, day), reasons=CEASE_REASONS,
                           shares={"capital": capital, "value": share_params(coop)[0] if capital else 0})
    return html, day


def members_pdf(coop, as_at: date | None = None, *, use_cache: bool = True) -> tuple[bytes, date]:
    """The register of members as at a date (every statutory field), and that date."""
    html, day = members_html(coop, as_at)
    return render_pdf(html, stylesheets=(LANDSCAPE,), use_cache=use_cache), day


def officers_pdf(coop, as_at: date | None = None, *, private: bool = False) -> tuple[bytes, date]:
    """The register of officers as at a date with each officer's particulars; ``private`` (the
    secretary's copy) adds the full date of birth, the residential address and members' postal
    addresses. Members get the register without them."""
    day = as_at or date.today()
    html = render_template("documents/register_officers.html", coop=coop, as_at=day, private=private,
                           appointments=queries.officers(coop, as_at=day), labels=OFFICE_LABELS)
    return render_pdf(html, stylesheets=(LANDSCAPE,)), day


def certificate_pdf(coop, member) -> bytes | None:
    """A certificate of the member's current shareholding, or None when they hold none."""
    held = sum(e.amount_pence for e in queries.share_entries(member.id))
    if held <= 0:
        return None
    share_value, _ = share_params(coop)
    share_value = share_value or 100
    html = render_template("documents/register_share_certificate.html", coop=coop, member=member,
                           held_pence=held, shares=held // share_value, share_value=share_value,
                           number=f"{coop.id}-{member.id}-{len(queries.share_entries(member.id))}",
                           today=date.today())
    return render_pdf(html)
