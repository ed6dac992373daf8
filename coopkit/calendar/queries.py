"""Reads the calendar needs: the facts of many co-ops at once (one statement whatever
their number, coopkit.jsonrows), turned into obligations by the pure core."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.calendar import dates
from coopkit.calendar import obligations as core
from coopkit.calendar.models import CalendarSettings, FeedToken, ObligationDone
from coopkit.coops.models import Coop, Member, Officer
from coopkit.coops.parameters import defaults
from coopkit.extensions import db
from coopkit.founding.queries import answers_column, answers_from
from coopkit.jsonrows import json_rows
from coopkit.meetings.citations import cite as cite_clause
from coopkit.meetings.models import Meeting
from coopkit.proposals.timefmt import to_uk
from coopkit.rules.models import RulesVersion
from coopkit.rules.ruleset import CalendarTerms, RuleSetError, default_ruleset_for, load_ruleset


@dataclass(frozen=True)
class Settings:
    """What the secretary set for the co-op's calendar (a :class:`CalendarSettings` row)."""

    year_end: str | None
    tracked_from: date | None


@dataclass(frozen=True)
class CoopCalendar:
    """A co-op's calendar: its facts, the obligations, and how the inputs were found."""

    coop: Coop
    facts: core.Facts
    items: list[core.Item]
    #: where the year end came from: "settings", "rules", "founding" or "assumed"
    year_end_source: str
    #: registration date assumed (forming co-op, or a registered co-op without a date)
    registration_assumed: bool
    settings: Settings | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def open_items(self) -> list[core.Item]:
        return [i for i in self.items if i.status not in ("done", "passed")]

    @property
    def overdue(self) -> list[core.Item]:
        return [i for i in self.items if i.status == "overdue"]

    @property
    def next_item(self) -> core.Item | None:
        return core.next_open(self.items)

    def item(self, key: str) -> core.Item | None:
        return next((i for i in self.items if i.obligation.key == key), None)

    def year_ends(self) -> list[date]:
        return sorted({i.obligation.period_end for i in self.items
                       if i.obligation.kind in ("annual_return", "company_accounts")})


def _governing(versions: list) -> tuple[dict | None, list[core.Amendment], str | None]:
    """From a co-op's rules versions (by number): the governing rules' parameters and rule set
    (None without rules in force), and the amendments adopted after registration."""
    governing = ([v for v in versions if v.status == "registered"]
                 or [v for v in versions if v.status == "adopted"])
    params, ruleset = (json.loads(governing[-1].parameters or "{}"), governing[-1].ruleset_id) if governing \
        else (None, None)
    first_registered = next((v.number for v in versions if v.registered_on is not None), None)
    if first_registered is None:
        return params, [], ruleset
    amendments = [core.Amendment(v.number, v.adopted_on, v.registered_on) for v in versions
                  if v.number > first_registered and v.adopted_on is not None
                  and (v.status == "adopted" or v.registered_on is not None)]
    return params, amendments, ruleset


@functools.cache
def _calendar_terms(ruleset_id: str | None, legal_form: str) -> CalendarTerms:
    """What the co-op's rule set says about the calendar (its AGM window); for a co-op with
    no rules yet, the default rule set for its legal form. Kept for the process, like the
    rule sets themselves (``load_ruleset``): they are files that change only with a release."""
    try:
        ruleset = load_ruleset(ruleset_id) if ruleset_id else default_ruleset_for(legal_form)
    except RuleSetError:
        return CalendarTerms()
    return ruleset.calendar


@dataclass(frozen=True)
class _Version:
    number: int
    status: str
    parameters: str | None
    ruleset_id: str
    adopted_on: date | None
    registered_on: date | None


def fact_columns(with_names: bool = True) -> dict[str, sa.ScalarSelect]:
    """Everything the calendar of a co-op is worked out from, as columns of a select over
    ``coops`` (label: column; each column the co-op's rows, see :mod:`coopkit.jsonrows`):
    its settings, rules versions, founding answers, done records (with who recorded them when
    ``with_names``), probations, and the general meetings drafted or called and not yet held
    with the AGMs held. The meetings need the bind parameters of :func:`fact_parameters`.
    :func:`calendar_from` reads one row of them."""
    done = sa.select(ObligationDone.key, ObligationDone.done_on, ObligationDone.reference)
    if with_names:
        done = done.add_columns(User.name).outerjoin(User, User.id == ObligationDone.done_by_id)
    return {
        "calendar_settings": json_rows(sa.select(CalendarSettings.year_end, CalendarSettings.tracked_from)
                                       .where(CalendarSettings.coop_id == Coop.id), Coop),
        "calendar_rules": json_rows(
            sa.select(RulesVersion.number, RulesVersion.status, RulesVersion.parameters, RulesVersion.ruleset_id,
                      RulesVersion.adopted_on, RulesVersion.registered_on)
            .where(RulesVersion.coop_id == Coop.id).order_by(RulesVersion.number), Coop),
        "founding_answers": answers_column(),
        "calendar_done": json_rows(done.where(ObligationDone.coop_id == Coop.id), Coop),
        "calendar_probations": json_rows(
            sa.select(Member.id, Member.full_name, Member.probation_ends_on)
            .where(Member.coop_id == Coop.id, Member.probation_ends_on.is_not(None), Member.status != "ceased"), Coop),
        # General meetings drafted or called and not yet held (their notice deadlines), and AGMs held.
        "calendar_meetings": json_rows(
            sa.select(Meeting.number, Meeting.kind, Meeting.title, Meeting.state, Meeting.starts_at,
                      Meeting.started_at, Meeting.notice_sent_on, Meeting.notice_clear_days)
            .where(Meeting.coop_id == Coop.id, sa.or_(
                sa.and_(Meeting.state.in_(("draft", "called")),
                        Meeting.starts_at >= sa.bindparam("calendar_since", type_=sa.DateTime)),
                sa.and_(Meeting.kind == "agm", Meeting.state == "closed"))), Coop),
    }


def fact_parameters(today: date) -> dict:
    """The bind parameters :func:`fact_columns` needs on ``today``."""
    return {"calendar_since": datetime.combine(today - timedelta(days=1), time())}


@functools.cache
def _facts_statement(with_names: bool) -> sa.Select:
    """The calendar's facts of the co-ops ``ids``: built once per process (bind parameters)."""
    return (sa.select(Coop.id, *(column.label(key) for key, column in fact_columns(with_names).items()))
            .where(Coop.id.in_(sa.bindparam("ids", expanding=True))))


def _meetings(rows: list[tuple]) -> tuple[list[core.CalledMeeting], list[date]]:
    """The meetings called and not yet held, and the days AGMs were held (UK dates)."""
    called, held = [], []
    for number, kind, title, state, starts_at, started_at, notice_sent_on, clear_days in rows:
        if state == "closed":
            held.append(to_uk(started_at or starts_at).date())
        else:
            called.append(core.CalledMeeting(
                key=f"meeting-{number}", title=title, meets_on=to_uk(starts_at).date(),
                clear_days=clear_days, notice_sent_on=notice_sent_on, is_agm=kind == "agm"))
    return called, held


def _int(value, fallback: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return fallback


def calendars(coops: Iterable[Coop], today: date, *, with_names: bool = True,
              cite: bool = False) -> dict[int, CoopCalendar]:
    """The calendar of each co-op: one statement, whatever the number of co-ops.
    ``cite`` adds the number of the clause behind the AGM window ("Rule 12.2"), which reads
    each co-op's rules: for one co-op's own pages, not for lists of many."""
    coops = list(coops)
    if not coops:
        return {}
    facts = {row[0]: row._mapping for row in db.session.execute(
        _facts_statement(with_names), {"ids": [c.id for c in coops], **fact_parameters(today)})}
    return {coop.id: calendar_from(coop, facts[coop.id], today, with_names=with_names, cite=cite) for coop in coops}


def calendar_from(coop: Coop, facts: Mapping, today: date, *, with_names: bool = True,
                  cite: bool = False) -> CoopCalendar:
    """The co-op's calendar from its row of :func:`fact_columns` (asked with ``with_names`` as here)."""
    versions = [_Version(*row) for row in facts["calendar_rules"]]
    governing, amendments, ruleset_id = _governing(versions)
    params = defaults()
    source = "assumed"
    if governing is not None:
        params.update(governing)
        if governing.get("financial_year_end"):
            source = "rules"
    else:
        answered = {k: v for k, v in answers_from(facts["founding_answers"]).items() if v not in (None, "")}
        params.update(answered)
        if answered.get("financial_year_end"):
            source = "founding"
    own = Settings(*facts["calendar_settings"][0]) if facts["calendar_settings"] else None
    year_end_text = params.get("financial_year_end") or "31-03"
    if own is not None and own.year_end:
        year_end_text, source = own.year_end, "settings"
    notes = []
    try:
        year_end = dates.YearEnd.parse(year_end_text)
    except dates.CalendarError:
        year_end, source = dates.YearEnd(31, 3), "assumed"
        notes.append(f"The year end {year_end_text!r} is not a real date; 31 March is assumed until "
                     "the secretary sets it.")
    registered = coop.stage == "registered"
    registered_on, assumed = coop.registered_on, False
    if registered_on is None:
        registered_on, assumed = today, True
        if registered:
            notes.append("The registration date is not recorded, so today is assumed: record it when the "
                         "rules are registered.")
    legal_form = coop.legal_form or params.get("legal_form") or "society"
    terms = _calendar_terms(ruleset_id, legal_form)
    done = {row[0]: core.Done(row[0], row[1], row[2], (row[3] or "") if with_names else "")
            for row in facts["calendar_done"]}
    meetings, agms_held = _meetings(facts["calendar_meetings"])
    calendar_facts = core.Facts(
        legal_form=legal_form,
        registered=registered, registered_on=registered_on, year_end=year_end,
        management=params.get("management") or "collective",
        board_rotation=params.get("board_rotation") or "none",
        board_term_years=_int(params.get("board_term_years"), 3),
        notice_clear_days=_int(params.get("notice_clear_days"), 14),
        agm_within_months=terms.agm_within_months, agm_max_gap_months=terms.agm_max_gap_months,
        agm_clause=_clause_number(coop, "agm") if cite and governing is not None else "",
        tracked_from=own.tracked_from if own is not None else None,
        amendments=tuple(amendments) if registered else (),
        probations=tuple(core.Probation(*row) for row in facts["calendar_probations"]) if registered else (),
        meetings=tuple(meetings),
        agms_held=tuple(sorted(agms_held)),
        done=done,
    )
    return CoopCalendar(coop, calendar_facts, core.obligations(calendar_facts, today), source, assumed, own, notes)


def _clause_number(coop: Coop, key: str) -> str:
    """'Rule 12.2' for the clause behind ``key`` in the co-op's rules, or '' if they lack it."""
    cited = cite_clause(coop, key)
    return "" if cited.startswith("The rules") else cited.partition(":")[0]


def calendar_for(coop: Coop, today: date, *, with_names: bool = True, cite: bool = False) -> CoopCalendar:
    return calendars([coop], today, with_names=with_names, cite=cite)[coop.id]


def responsible_people(coop_ids: list[int]) -> dict[int, dict[str, list[tuple[int | None, str, str | None]]]]:
    """Current secretary and directors of each co-op: {coop_id: {"secretary": [(user id, name, email)],
    "directors": [...]}}. The account's email is preferred to the register's. One statement."""
    rows = db.session.execute(
        sa.select(Officer.coop_id, Officer.office, Member.user_id, Member.full_name,
                  sa.func.coalesce(User.email, Member.email))
        .join(Member, Member.id == Officer.member_id).outerjoin(User, User.id == Member.user_id)
        .where(Officer.coop_id.in_(coop_ids), Officer.ceased_on.is_(None),
               Officer.office.in_(("secretary", "director")), Member.status.in_(("founder", "member")))
        .order_by(Member.full_name)
    ).all()
    result: dict[int, dict[str, list]] = {cid: {core.SECRETARY: [], core.DIRECTORS: []} for cid in coop_ids}
    for coop_id, office, user_id, name, email in rows:
        group = core.SECRETARY if office == "secretary" else core.DIRECTORS
        result[coop_id][group].append((user_id, name, email))
    return result


def active_feed(user, coop) -> FeedToken | None:
    return db.session.execute(
        sa.select(FeedToken).where(FeedToken.user_id == user.id, FeedToken.coop_id == coop.id,
                                   FeedToken.revoked_at.is_(None)).order_by(FeedToken.id.desc()).limit(1)
    ).scalar_one_or_none()


def feed_by_hash(token_hash: str) -> tuple[FeedToken, User, Coop] | None:
    row = db.session.execute(
        sa.select(FeedToken, User, Coop).join(User, User.id == FeedToken.user_id)
        .join(Coop, Coop.id == FeedToken.coop_id)
        .where(FeedToken.token_hash == token_hash, FeedToken.revoked_at.is_(None))
    ).first()
    return tuple(row) if row else None


def summaries(coops: list[Coop], today: date) -> dict[int, tuple[core.Item | None, int]]:
    """For mentors: each co-op's next open obligation and how many are overdue, without
    personal data (names are left out of the facts). One statement."""
    result = {}
    for coop_id, cal in calendars(coops, today, with_names=False).items():
        result[coop_id] = (cal.next_item, len(cal.overdue))
    return result


def registered_coops() -> list[Coop]:
    return list(db.session.execute(
        sa.select(Coop).where(Coop.stage == "registered").order_by(Coop.id)).scalars())
