"""Preparing the annual return: the figures from the registers as at the year end (a data
sheet, on a page and as a PDF) and a checklist for the FCA's Mutuals Society Portal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask import render_template

from coopkit.calendar.models import ObligationDone
from coopkit.calendar.queries import CoopCalendar
from coopkit.coops.models import Member, Officer
from coopkit.documents.pipeline import render_pdf
from coopkit.extensions import db
from coopkit.register.models import MemberProperty, ShareTransaction
from coopkit.register.queries import on_register_at
from coopkit.rules.models import RulesVersion

#: what to have ready and check on the FCA's portal, in our own words (DOMAIN.md)
PORTAL_CHECKLIST = (
    "Log in to the FCA's Mutuals Society Portal with the society's account (ask the previous secretary "
    "if you do not have it).",
    "Start the annual return (AR30) for the year to {year_end}.",
    "Enter the membership figures and share capital from this data sheet.",
    "Enter the loans and deposits members hold, and any other borrowing, as the accounts show.",
    "Check the officers the portal lists against the register of officers; record every change in the year.",
    "Upload the accounts for the year, signed by {signers}.",
    "Upload the auditor's report, or the accountant's report, or confirm the audit exemption resolution.",
    "Confirm the date of the annual general meeting and any rule amendments in the year.",
    "Pay the fee, submit, and keep the portal's submission reference.",
    "Record the return as done in coopkit's calendar with that reference, by {due}.",
)


@dataclass(frozen=True)
class DataSheet:
    year_end: date
    period_start: date
    due_on: date
    members_start: int
    members_end: int
    joined: int
    left: int
    share_capital_start_pence: int
    share_capital_end_pence: int
    loans_pence: int
    deposits_pence: int
    #: (name, office, appointed on, ceased on) of every appointment in office during the year
    officers: list[tuple[str, str, date, date | None]]
    appointed: int
    ceased: int
    #: (version number, status, adopted on, registered on) of rule changes in the year
    rule_changes: list[tuple[int, str, date | None, date | None]]
    agm_on: date | None
    return_done: ObligationDone | None


def period_start(cal: CoopCalendar, year_end: date) -> date:
    earlier = [y for y in cal.year_ends() if y < year_end]
    return earlier[-1] + timedelta(days=1) if earlier else cal.facts.registered_on


def _capital(coop_id: int, as_at: date) -> int:
    return int(db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(ShareTransaction.amount_pence), 0))
        .where(ShareTransaction.coop_id == coop_id, ShareTransaction.on <= as_at)).scalar_one())


def data_sheet(cal: CoopCalendar, year_end: date) -> DataSheet:
    """The figures for the return of the year to ``year_end`` (a year end of ``cal``)."""
    coop = cal.coop
    start = period_start(cal, year_end)
    before = start - timedelta(days=1)

    def count(condition):
        return int(db.session.execute(
            sa.select(sa.func.count(Member.id)).where(Member.coop_id == coop.id, condition)).scalar_one())

    loans, deposits = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(sa.case((MemberProperty.kind == "loan", MemberProperty.amount_pence),
                                                       else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((MemberProperty.kind == "deposit",
                                                        MemberProperty.amount_pence), else_=0)), 0))
        .where(MemberProperty.coop_id == coop.id, MemberProperty.on <= year_end)).one()
    officers = db.session.execute(
        sa.select(Member.full_name, Officer.office, Officer.appointed_on, Officer.ceased_on)
        .join(Member, Member.id == Officer.member_id)
        .where(Officer.coop_id == coop.id, Officer.appointed_on <= year_end,
               sa.or_(Officer.ceased_on.is_(None), Officer.ceased_on >= start))
        .order_by(Officer.office, Member.full_name)).all()
    versions = db.session.execute(
        sa.select(RulesVersion.number, RulesVersion.status, RulesVersion.adopted_on, RulesVersion.registered_on)
        .where(RulesVersion.coop_id == coop.id, sa.or_(RulesVersion.adopted_on.between(start, year_end),
                                                       RulesVersion.registered_on.between(start, year_end)))
        .order_by(RulesVersion.number)).all()
    return_item = cal.item(f"annual-return-{year_end.isoformat()}")
    agm_done = cal.facts.done.get(f"agm-{year_end.isoformat()}")
    done = db.session.execute(sa.select(ObligationDone).where(
        ObligationDone.coop_id == coop.id, ObligationDone.key == f"annual-return-{year_end.isoformat()}")
    ).scalar_one_or_none()
    return DataSheet(
        year_end=year_end, period_start=start, due_on=return_item.obligation.due_on,
        members_start=count(on_register_at(before)) if before >= cal.facts.registered_on else 0,
        members_end=count(on_register_at(year_end)),
        joined=count(Member.admitted_on.between(start, year_end)),
        left=count(Member.ceased_on.between(start, year_end)),
        share_capital_start_pence=_capital(coop.id, before), share_capital_end_pence=_capital(coop.id, year_end),
        loans_pence=int(loans), deposits_pence=int(deposits),
        officers=[tuple(r) for r in officers],
        appointed=sum(1 for r in officers if r.appointed_on >= start),
        ceased=sum(1 for r in officers if r.ceased_on is not None and r.ceased_on <= year_end),
        rule_changes=[tuple(v) for v in versions],
        agm_on=agm_done.done_on if agm_done else None, return_done=done,
    )


def checklist(cal: CoopCalendar, sheet: DataSheet) -> list[str]:
    signers = ("two directors and the secretary" if cal.facts.management == "board"
               else "two members who are directors and the secretary")
    words = {"year_end": f"{sheet.year_end.day} {sheet.year_end:%B %Y}", "signers": signers,
             "due": f"{sheet.due_on.day} {sheet.due_on:%B %Y}"}
    return [line.format(**words) for line in PORTAL_CHECKLIST]


def html(cal: CoopCalendar, sheet: DataSheet, today: date) -> str:
    return render_template("documents/calendar_return_sheet.html", coop=cal.coop, sheet=sheet,
                           checklist=checklist(cal, sheet), printed=today)


def pdf(cal: CoopCalendar, sheet: DataSheet, today: date) -> bytes:
    return render_pdf(html(cal, sheet, today))
