"""Reads for the registers. Each page's reads are a fixed number of statements,
however many members the co-op has (holdings are summed in the database)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask_sqlalchemy.pagination import Pagination

from coopkit.accounts.models import User
from coopkit.coops.models import Member, Officer
from coopkit.database import paginate
from coopkit.extensions import db
from coopkit.register import ledger
from coopkit.register.models import MemberProperty, RegisterAmendment, ShareTransaction
from coopkit.rules.queries import current_parameters

PER_PAGE = 50
VIEWS = {
    "current": "Current members",
    "applicants": "Applicants",
    "ceased": "Former members",
    "all": "Everyone ever entered",
}


@dataclass
class RegisterRow:
    member: Member
    shares_pence: int
    paid_pence: int
    loans_pence: int
    deposits_pence: int

    @property
    def property_pence(self) -> int:
        return self.loans_pence + self.deposits_pence


def on_register_at(as_at, next_day=None):
    """Members on the register at the end of ``as_at``: admitted by then and not yet ceased
    (a member who ceased on that day is no longer on it); founders from the day they joined.
    ``as_at`` is a date or a bind parameter (then ``next_day``, the midnight after it, is one too)."""
    if next_day is None:
        next_day = _midnight_after(as_at)
    return sa.or_(
        sa.and_(Member.admitted_on <= as_at, sa.or_(Member.ceased_on.is_(None), Member.ceased_on > as_at)),
        sa.and_(Member.status == "founder", Member.admitted_on.is_(None), Member.created_at < next_day),
    )


def _midnight_after(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time())


def _dated_params(as_at: date | None) -> dict:
    return {} if as_at is None else {"as_at": as_at, "next_day": _midnight_after(as_at)}


# The register's statements are built once per process (functools.cache) with bind parameters:
# ``coop_id``, ``as_at`` and ``next_day`` (dated views), ``pattern`` (a search), so that a page
# pays neither their construction nor their SQLAlchemy cache key again.

def _as_at_params():
    return sa.bindparam("as_at", type_=sa.Date), sa.bindparam("next_day", type_=sa.DateTime)


def _view_filter(view: str, dated: bool):
    if dated:
        as_at, next_day = _as_at_params()
        if view == "former":
            return sa.and_(Member.admitted_on.is_not(None), Member.ceased_on <= as_at)
        return on_register_at(as_at, next_day)
    return {
        "current": Member.status.in_(("founder", "member")),
        "applicants": Member.status == "applicant",
        "ceased": Member.status == "ceased",
    }.get(view, sa.true())


def _holding_columns(dated: bool) -> list:
    """Each row's shares held and paid, loans and deposits (as at the end of ``as_at`` when
    ``dated``): correlated subqueries, which the database evaluates for the rows of the page only
    (the member_id indexes answer each), rather than totals over the whole register joined in."""
    def total(model, value, *where):
        # by member only (a member's rows are all the co-op's): the member_id index answers it
        query = sa.select(sa.func.coalesce(sa.func.sum(value), 0)).where(model.member_id == Member.id, *where)
        if dated:
            query = query.where(model.on <= _as_at_params()[0])
        return query.scalar_subquery()

    return [total(ShareTransaction, ShareTransaction.amount_pence), total(ShareTransaction, ShareTransaction.paid_pence),
            total(MemberProperty, MemberProperty.amount_pence, MemberProperty.kind == "loan"),
            total(MemberProperty, MemberProperty.amount_pence, MemberProperty.kind == "deposit")]


@functools.cache
def _register_statement(view: str, dated: bool, searching: bool) -> sa.Select:
    query = (sa.select(Member, *_holding_columns(dated))
             .where(Member.coop_id == sa.bindparam("coop_id"), _view_filter(view, dated)))
    if searching:
        query = query.where(Member.full_name.ilike(sa.bindparam("pattern"), escape="\\"))
    return query.order_by(Member.full_name, Member.id)


def _register_select(coop, view: str, as_at: date | None, search: str = "") -> tuple[sa.Select, dict]:
    """The register's statement and its parameters."""
    params = {"coop_id": coop.id, **_dated_params(as_at)}
    if search:
        params["pattern"] = f"%{_escape_like(search)}%"
    if view not in VIEWS and view != "former":
        view = "all"
    return _register_statement(view, as_at is not None, bool(search)), params


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _rows(result) -> list[RegisterRow]:
    return [RegisterRow(m, int(s), int(p), int(lo), int(d)) for m, s, p, lo, d in result]


def register_page(coop, *, view: str = "current", as_at: date | None = None, page: int = 1,
                  per_page: int = PER_PAGE, search: str = "") -> Pagination:
    """One page of the register of members with holdings and property (``items`` are
    RegisterRows); a Flask-SQLAlchemy pagination, one statement."""
    statement, params = _register_select(coop, view, as_at, search)
    result = paginate(statement, page, per_page, rows=True, key=Member.id, params=params)
    result.items = _rows(result.items)
    return result


def register_all(coop, *, view: str = "current", as_at: date | None = None) -> list[RegisterRow]:
    """Every row (for PDFs and exports); one statement."""
    return _rows(db.session.execute(*_register_select(coop, view, as_at)))


STATUSES = ("founder", "applicant", "member", "ceased")
#: what :func:`count_queries` counts
COUNT_KEYS = (*STATUSES, "voting", "share_capital_pence")


def count_queries(coop_id, as_at=None) -> dict[str, sa.Select]:
    """The register's counts as scalar selects: each status, the voting members, the share
    capital (as it stood at the end of ``as_at``). ``coop_id`` and ``as_at`` may be bind
    parameters. The home panel asks them beside the other features' counts
    (``coopkit.web.home_facts``); :func:`counts` asks them alone."""
    def members(*where) -> sa.Select:
        return sa.select(sa.func.count(Member.id)).where(Member.coop_id == coop_id, *where)

    capital = sa.select(sa.func.coalesce(sa.func.sum(ShareTransaction.amount_pence), 0)).where(
        ShareTransaction.coop_id == coop_id)
    if as_at is not None:
        capital = capital.where(ShareTransaction.on <= as_at)
    queries = {status: members(Member.status == status) for status in STATUSES}
    queries["voting"] = members(Member.status.in_(("founder", "member")), Member.member_class == "voting")
    queries["share_capital_pence"] = capital
    return queries


def counts_from(values: dict) -> dict:
    """:func:`count_queries`' answers as the pages use them (with ``current``: founders and members)."""
    result = {key: int(value or 0) for key, value in values.items()}
    result["current"] = result["founder"] + result["member"]
    return result


def count_columns(dated: bool) -> tuple[list[str], list]:
    """:func:`count_queries` as columns of one select (bind parameters: :func:`count_params`)."""
    queries = count_queries(sa.bindparam("coop_id"), _as_at_params()[0] if dated else None)
    return list(queries), [q.scalar_subquery() for q in queries.values()]


def count_params(coop, as_at: date | None) -> dict:
    return {"coop_id": coop.id, **_dated_params(as_at)}


@functools.cache
def _counts_statement(dated: bool) -> tuple[list[str], sa.Select]:
    keys, columns = count_columns(dated)
    return keys, sa.select(*columns)


def counts(coop, as_at: date | None = None) -> dict:
    """How many people in each status, voting members and the share capital; one statement."""
    keys, statement = _counts_statement(as_at is not None)
    row = db.session.execute(statement, count_params(coop, as_at)).one()
    return counts_from(dict(zip(keys, row, strict=True)))


def member_in_coop(coop, member_id: int) -> Member | None:
    member = db.session.get(Member, member_id)
    return member if member is not None and member.coop_id == coop.id else None


def other_memberships(member: Member) -> list[Member]:
    """The same person's other entries (someone who left and joined again has one per membership):
    linked by the earlier entry's id, or by the same account; oldest first; one statement."""
    linked = [Member.previous_member_id == member.id]
    if member.previous_member_id is not None:
        linked.append(Member.id == member.previous_member_id)
    if member.user_id is not None:
        linked.append(Member.user_id == member.user_id)
    return list(db.session.execute(
        sa.select(Member).where(Member.coop_id == member.coop_id, Member.id != member.id, sa.or_(*linked))
        .order_by(Member.id)).scalars())


def share_entries(member_id: int) -> list[ledger.Entry]:
    rows = db.session.execute(
        sa.select(ShareTransaction.kind, ShareTransaction.amount_pence, ShareTransaction.on, ShareTransaction.id)
        .where(ShareTransaction.member_id == member_id)).all()
    return [ledger.Entry(kind, amount, on, order) for kind, amount, on, order in rows]


def statement(member: Member) -> list[tuple[ShareTransaction, str | None, int]]:
    """The member's share transactions in date order with the other side's name and the balance."""
    counterpart = sa.orm.aliased(Member)
    rows = db.session.execute(
        sa.select(ShareTransaction, counterpart.full_name)
        .outerjoin(counterpart, counterpart.id == ShareTransaction.counterpart_member_id)
        .where(ShareTransaction.member_id == member.id)
        .order_by(ShareTransaction.on, ShareTransaction.id)).all()
    balance, lines = 0, []
    for row, name in rows:
        balance += row.amount_pence
        lines.append((row, name, balance))
    return lines


def property_rows(member: Member) -> list[MemberProperty]:
    return list(db.session.execute(
        sa.select(MemberProperty).where(MemberProperty.member_id == member.id)
        .order_by(MemberProperty.on, MemberProperty.id)).scalars())


def property_balance(member_id: int, kind: str) -> int:
    return int(db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(MemberProperty.amount_pence), 0))
        .where(MemberProperty.member_id == member_id, MemberProperty.kind == kind)).scalar_one())


def amendments(member: Member) -> list[tuple[RegisterAmendment, str | None]]:
    return [tuple(r) for r in db.session.execute(
        sa.select(RegisterAmendment, User.name).outerjoin(User, User.id == RegisterAmendment.actor_id)
        .where(RegisterAmendment.member_id == member.id)
        .order_by(RegisterAmendment.created_at, RegisterAmendment.id)).all()]


def ledger_rows(coop, as_at: date | None = None) -> list[tuple[ShareTransaction, str]]:
    """Every share transaction with the member's name, in date order; one statement."""
    query = (sa.select(ShareTransaction, Member.full_name).join(Member, Member.id == ShareTransaction.member_id)
             .where(ShareTransaction.coop_id == coop.id))
    if as_at is not None:
        query = query.where(ShareTransaction.on <= as_at)
    return [tuple(r) for r in db.session.execute(query.order_by(ShareTransaction.on, ShareTransaction.id)).all()]


def officers(coop, *, as_at: date | None = None, include_ceased: bool = True) -> list[tuple[Officer, Member]]:
    """Appointments with the member, current ones first; one statement."""
    query = sa.select(Officer, Member).outerjoin(Member, Member.id == Officer.member_id).where(Officer.coop_id == coop.id)
    if as_at is not None:
        query = query.where(Officer.appointed_on <= as_at)
        if not include_ceased:
            query = query.where(sa.or_(Officer.ceased_on.is_(None), Officer.ceased_on > as_at))
    elif not include_ceased:
        query = query.where(Officer.ceased_on.is_(None))
    order = sa.case({"secretary": 0, "chair": 1, "treasurer": 2, "director": 3}, value=Officer.office)
    return [tuple(r) for r in db.session.execute(
        query.order_by(Officer.ceased_on.is_not(None), order, sa.func.coalesce(Member.full_name, Officer.person_name),
                       Officer.appointed_on)).all()]


def officer_in_coop(coop, officer_id: int) -> tuple[Officer, Member | None] | None:
    """The appointment with its member (None for an officer who is not a member); one statement."""
    row = db.session.execute(sa.select(Officer, Member).outerjoin(Member, Member.id == Officer.member_id)
                             .where(Officer.id == officer_id, Officer.coop_id == coop.id)).first()
    return tuple(row) if row is not None else None


def officer_amendments(officer: Officer) -> list:
    """(OfficerAmendment, who made it) for an appointment, oldest first; one statement."""
    from coopkit.register.models import OfficerAmendment

    return [tuple(r) for r in db.session.execute(
        sa.select(OfficerAmendment, User.name).outerjoin(User, User.id == OfficerAmendment.actor_id)
        .where(OfficerAmendment.officer_id == officer.id)
        .order_by(OfficerAmendment.created_at, OfficerAmendment.id)).all()]


def significant_controls(coop) -> list:
    """The register of people with significant control, current entries first; one statement."""
    from coopkit.register.models import SignificantControl

    return list(db.session.execute(
        sa.select(SignificantControl).where(SignificantControl.coop_id == coop.id)
        .order_by(SignificantControl.ceased_on.is_not(None), SignificantControl.full_name)).scalars())


def psc_candidates(coop) -> list[Member]:
    """Current voting members who hold more than 25% of the votes (one member one vote: in a co-op of
    three or fewer voting members, every one of them) and are not on the PSC register yet."""
    from coopkit.register.models import SignificantControl

    voting = current_members(coop)
    voting = [m for m in voting if m.member_class == "voting" and m.status == "member"]
    if not voting or len(voting) * 25 >= 100:
        return []
    registered = set(db.session.execute(
        sa.select(SignificantControl.member_id).where(SignificantControl.coop_id == coop.id,
                                                      SignificantControl.ceased_on.is_(None))).scalars())
    return [m for m in voting if m.id not in registered]


def officer_warnings(coop) -> list[str]:
    """What the register of officers lacks under the co-op's rules; three statements."""
    params = current_parameters(coop)
    incomplete = sa.or_(Officer.service_address == "", Officer.nationality == "", Officer.occupation == "",
                        Officer.country_of_residence == "", Officer.date_of_birth.is_(None))
    current = db.session.execute(
        sa.select(Officer.office, Officer.member_id, incomplete)
        .where(Officer.coop_id == coop.id, Officer.ceased_on.is_(None))
    ).all()
    warnings = []
    missing_particulars = sum(1 for office, _, lacking in current if office == "director" and lacking)
    if coop.legal_form == "company" and missing_particulars:
        warnings.append(f"The register of directors lacks particulars for {missing_particulars} "
                        f"director{'s' if missing_particulars != 1 else ''}: enter them with 'Particulars and "
                        "corrections'.")
    if not any(office == "secretary" for office, _, _ in current):
        warnings.append("The co-op has no secretary. A society must have one: appoint a member as secretary.")
    directors = {member_id for office, member_id, _ in current if office == "director"}
    minimum = int(params.get("min_directors") or 0)
    if len(directors) < minimum:
        warnings.append(f"The rules require at least {minimum} directors; the register shows {len(directors)}.")
    if params.get("management") == "collective":
        missing = db.session.execute(
            sa.select(sa.func.count()).where(Member.coop_id == coop.id, Member.status == "member",
                                             Member.id.not_in(directors or {0}))).scalar_one()
        if missing:
            warnings.append(f"Under collective management every member is a director, but {missing} "
                            f"member{'s are' if missing != 1 else ' is'} not recorded as a director.")
    return warnings


def current_members(coop, exclude_id: int | None = None) -> list[Member]:
    query = sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(("founder", "member")))
    if exclude_id:
        query = query.where(Member.id != exclude_id)
    return list(db.session.execute(query.order_by(Member.full_name)).scalars())


def applicants_select() -> sa.Select:
    """The applications waiting, oldest first (id, name, applied on, probation ends on):
    bind parameter ``coop_id``."""
    return (sa.select(Member.id, Member.full_name, Member.applied_on, Member.probation_ends_on)
            .where(Member.coop_id == sa.bindparam("coop_id"), Member.status == "applicant")
            .order_by(Member.applied_on, Member.id))


def property_ledger(coop, as_at: date | None = None) -> list[tuple[MemberProperty, str]]:
    query = (sa.select(MemberProperty, Member.full_name).join(Member, Member.id == MemberProperty.member_id)
             .where(MemberProperty.coop_id == coop.id))
    if as_at is not None:
        query = query.where(MemberProperty.on <= as_at)
    return [tuple(r) for r in db.session.execute(query.order_by(MemberProperty.on, MemberProperty.id)).all()]


def coop_amendments(coop) -> list[RegisterAmendment]:
    return list(db.session.execute(
        sa.select(RegisterAmendment).where(RegisterAmendment.coop_id == coop.id)
        .order_by(RegisterAmendment.created_at, RegisterAmendment.id)).scalars())


def passed_decisions(coop, purpose: str, member_id: int | None = None) -> list[tuple[int, str, str]]:
    """(id, "Proposal 12" or "Meeting 3, item 2", title) of the co-op's passed decisions that may
    authorise ``purpose`` ("admission" or "expulsion") for the member, newest first (register.authority)."""
    from coopkit.register import authority

    return [(d.id, d.name, d.title) for d in authority.decisions_for(coop.id, purpose, member_id)]


def proposal_number(coop, proposal_id: int | None) -> str | None:
    """How members know the decision an entry cites: "proposal 12" or "meeting 3, item 2"."""
    from coopkit.register import authority

    found = authority.find(coop.id, proposal_id)
    return found.name[:1].lower() + found.name[1:] if found else None
