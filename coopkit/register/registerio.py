"""CSV import of members, and CSV/JSON exports of every register."""

from __future__ import annotations

import csv
import io
import json
import logging
from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.register import csvimport, queries
from coopkit.register.models import ShareTransaction
from coopkit.register.shares import RegisterError, share_params
from coopkit.rules.queries import current_parameters

log = logging.getLogger("coopkit.register")

REGISTERS = {
    "members": "Register of members",
    "shares": "Share ledger",
    "officers": "Register of officers",
    "property": "Loans and deposits",
    "amendments": "Corrections and changes",
}


def check_import(coop, text: str) -> csvimport.ImportResult:
    """Parse and check a members CSV against this co-op's register and rules. Reads only."""
    params = current_parameters(coop)
    share_value, max_holding = share_params(coop)
    existing = set(db.session.execute(
        sa.select(sa.func.lower(Member.email)).where(Member.coop_id == coop.id, Member.email.is_not(None),
                                                     Member.status != "ceased")).scalars())
    return csvimport.parse_members_csv(text, existing_emails=existing,
                                       non_voting_allowed=bool(params.get("non_voting_class")),
                                       share_value_pence=share_value if coop.legal_form != "company" else 0,
                                       max_holding_pence=max_holding, today=date.today())


def import_members(coop, text: str, actor) -> list[Member]:
    """Add every member in a CSV to the register, with their share issues (and withdrawals
    for former members), or nothing at all when any row has a problem.
    Changes: Member and ShareTransaction rows. Flushes."""
    result = check_import(coop, text)
    if not result.ok:
        raise RegisterError("The file has problems: nothing was imported.")
    added: list[Member] = []
    with db.session.begin_nested():
        for row in result.rows:
            member = Member(coop_id=coop.id, full_name=row.full_name, email=row.email,
                            consents_to_electronic=row.consents_to_electronic, postal_address=row.postal_address,
                            status=row.status, member_class=row.member_class, admitted_on=row.admitted_on,
                            applied_on=row.admitted_on, ceased_on=row.ceased_on, ceased_reason=row.ceased_reason)
            db.session.add(member)
            added.append(member)
        db.session.flush()
        for row, member in zip(result.rows, added, strict=True):
            if row.shares_pence:
                db.session.add(ShareTransaction(coop_id=coop.id, member_id=member.id, kind="issue",
                                                amount_pence=row.shares_pence, paid_pence=row.shares_pence,
                                                on=row.admitted_on, note="Imported from CSV"))
                if row.status == "ceased":
                    db.session.add(ShareTransaction(coop_id=coop.id, member_id=member.id, kind="withdrawal",
                                                    amount_pence=-row.shares_pence, paid_pence=-row.shares_pence,
                                                    on=row.ceased_on, note="Imported from CSV: withdrawn on leaving"))
        db.session.flush()
        for member in added:
            record("member.imported", coop=coop, actor=actor, subject=member,
                   data={"status": member.status, "admitted_on": member.admitted_on.isoformat()
                         if member.admitted_on else None})
        record("register.imported", coop=coop, actor=actor, data={"members": len(added)})
    log.info("Coop %s imported %d members", coop.id, len(added))
    return added


def _iso(value):
    return value.isoformat() if isinstance(value, date) else value


def register_table(coop, which: str, as_at: date | None = None) -> tuple[list[str], list[dict]]:
    """One register as (columns, rows of plain values). Includes private fields: secretary only."""
    if which == "members":
        columns = ["member_id", "full_name", "postal_address", "email", "consents_to_electronic", "status",
                   "member_class", "shares_held_pence", "amount_paid_pence", "loans_pence", "deposits_pence",
                   "admitted_on", "ceased_on", "ceased_reason", "previous_member_id"]
        rows = []
        for r in queries.register_all(coop, view="all", as_at=as_at):
            # as at a date, each entry as it stood then (a membership that ended later was not ceased yet)
            ceased = r.member.ceased_on if as_at is None or (r.member.ceased_on and r.member.ceased_on <= as_at) \
                else None
            rows.append({
                "member_id": r.member.id, "full_name": r.member.full_name, "postal_address": r.member.postal_address,
                "email": r.member.email or "", "consents_to_electronic": r.member.consents_to_electronic,
                "status": r.member.status_on(as_at), "member_class": r.member.member_class,
                "shares_held_pence": r.shares_pence, "amount_paid_pence": r.paid_pence, "loans_pence": r.loans_pence,
                "deposits_pence": r.deposits_pence, "admitted_on": _iso(r.member.admitted_on),
                "ceased_on": _iso(ceased), "ceased_reason": (r.member.ceased_reason or "") if ceased else "",
                "previous_member_id": r.member.previous_member_id})
    elif which == "shares":
        columns = ["id", "on", "member_id", "full_name", "kind", "amount_pence", "paid_pence",
                   "counterpart_member_id", "note"]
        rows = [{"id": t.id, "on": _iso(t.on), "member_id": t.member_id, "full_name": name, "kind": t.kind,
                 "amount_pence": t.amount_pence, "paid_pence": t.paid_pence,
                 "counterpart_member_id": t.counterpart_member_id, "note": t.note}
                for t, name in queries.ledger_rows(coop, as_at)]
    elif which == "officers":
        particulars = ["former_names", "service_address", "residential_address", "nationality",
                       "country_of_residence", "occupation"]
        columns = ["id", "member_id", "full_name", "postal_address", "office", "appointed_on", "ceased_on",
                   "date_of_birth", *particulars]
        rows = [{"id": o.id, "member_id": m.id if m else None, "full_name": m.full_name if m else o.person_name,
                 "postal_address": m.postal_address if m else o.service_address,
                 "office": o.office, "appointed_on": _iso(o.appointed_on), "ceased_on": _iso(o.ceased_on),
                 "date_of_birth": _iso(o.date_of_birth), **{p: getattr(o, p) for p in particulars}}
                for o, m in queries.officers(coop, as_at=as_at)]
    elif which == "property":
        columns = ["id", "on", "member_id", "full_name", "kind", "amount_pence", "note"]
        rows = [{"id": p.id, "on": _iso(p.on), "member_id": p.member_id, "full_name": name, "kind": p.kind,
                 "amount_pence": p.amount_pence, "note": p.note}
                for p, name in queries.property_ledger(coop, as_at)]
    elif which == "amendments":
        columns = ["id", "on", "member_id", "field", "old_value", "new_value", "reason", "actor_id"]
        rows = [{"id": a.id, "on": _iso(a.on), "member_id": a.member_id, "field": a.field,
                 "old_value": a.old_value, "new_value": a.new_value, "reason": a.reason, "actor_id": a.actor_id}
                for a in queries.coop_amendments(coop)]
    else:
        raise LookupError(which)
    return columns, rows


def _safe_cell(value) -> str:
    """Spreadsheet programs run cells that start with = + - @ as formulas: neutralise them."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    text = str(value)
    if text[:1] in ("=", "+", "@", "\t", "\r") or (text[:1] == "-" and not _is_number(text)):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        int(text)
    except ValueError:
        return False
    return True


def to_csv(columns: list[str], rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_safe_cell(row[c]) for c in columns])
    return out.getvalue()


def to_json(coop, which: str, columns: list[str], rows: list[dict], as_at: date | None) -> str:
    return json.dumps({"coop": coop.name, "register": which, "as_at": _iso(as_at), "columns": columns,
                       "rows": rows}, indent=2, ensure_ascii=False)
