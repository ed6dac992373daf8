"""Reads the calendar needs: the facts of many co-ops at once (a fixed number of
statements whatever their number), turned into obligations by the pure core."""

from __future__ import annotations

import json
from collections.abc import Iterable
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
from coopkit.founding.queries import saved_answers
from coopkit.meetings.citations import cite as cite_clause
from coopkit.meetings.models import Meeting
from coopkit.proposals.timefmt import to_uk
from coopkit.rules.models import RulesVersion
from coopkit.rules.ruleset import CalendarTerms, RuleSetError, default_ruleset_for, load_ruleset


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
    settings: CalendarSettings | None = None
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


def _params_by_coop(coop_ids: list[int]) -> tuple[dict[int, dict], dict[int, list[core.Amendment]], dict[int, str]]:
    """The governing rules' parameters per co-op, the amendments after registration, and the
    rule set each co-op's governing rules come from."""
    rows = db.session.execute(
        sa.select(RulesVersion.coop_id, RulesVersion.number, RulesVersion.status, RulesVersion.parameters,
                  RulesVersion.ruleset_id,
                  RulesVersion.adopted_on, RulesVersion.registered_on)
        .where(RulesVersion.coop_id.in_(coop_ids)).order_by(RulesVersion.coop_id, RulesVersion.number)
    ).all()
    by_coop: dict[int, list] = {}
    for row in rows:
        by_coop.setdefault(row.coop_id, []).append(row)
    params, amendments, rulesets = {}, {}, {}
    for coop_id, versions in by_coop.items():
        governing = ([v for v in versions if v.status == "registered"]
                     or [v for v in versions if v.status == "adopted"])
        if governing:
            params[coop_id] = json.loads(governing[-1].parameters or "{}")
            rulesets[coop_id] = governing[-1].ruleset_id
        first_registered = next((v.number for v in versions if v.registered_on is not None), None)
        if first_registered is None:
            continue
        amendments[coop_id] = [
            core.Amendment(v.number, v.adopted_on, v.registered_on) for v in versions
            if v.number > first_registered and v.adopted_on is not None
            and (v.status == "adopted" or v.registered_on is not None)]
    return params, amendments, rulesets


def _calendar_terms(ruleset_id: str | None, legal_form: str) -> CalendarTerms:
    """What the co-op's rule set says about the calendar (its AGM window); for a co-op with
    no rules yet, the default rule set for its legal form."""
    try:
        ruleset = load_ruleset(ruleset_id) if ruleset_id else default_ruleset_for(legal_form)
    except RuleSetError:
        return CalendarTerms()
    return ruleset.calendar


def _founding_answers(coop_ids: list[int]) -> dict[int, dict]:
    if not coop_ids:
        return {}

    return saved_answers(coop_ids)


def _done_by_coop(coop_ids: list[int], with_names: bool) -> dict[int, dict[str, core.Done]]:
    rows = db.session.execute(
        sa.select(ObligationDone, User.name).outerjoin(User, User.id == ObligationDone.done_by_id)
        .where(ObligationDone.coop_id.in_(coop_ids))
    ).all()
    result: dict[int, dict[str, core.Done]] = {}
    for record, name in rows:
        result.setdefault(record.coop_id, {})[record.key] = core.Done(
            record.key, record.done_on, record.reference, (name or "") if with_names else "")
    return result


def _probations(coop_ids: list[int]) -> dict[int, list[core.Probation]]:
    rows = db.session.execute(
        sa.select(Member.coop_id, Member.id, Member.full_name, Member.probation_ends_on)
        .where(Member.coop_id.in_(coop_ids), Member.probation_ends_on.is_not(None), Member.status != "ceased")
    ).all()
    result: dict[int, list[core.Probation]] = {}
    for coop_id, member_id, name, ends_on in rows:
        result.setdefault(coop_id, []).append(core.Probation(member_id, name, ends_on))
    return result


def _meetings(coop_ids: list[int], today: date) -> tuple[dict[int, list[core.CalledMeeting]],
                                                          dict[int, list[date]]]:
    """General meetings drafted or called and not yet held (their notice deadlines), and the
    days AGMs were held, of every co-op: one statement. Days are UK dates."""
    rows = db.session.execute(
        sa.select(Meeting.coop_id, Meeting.number, Meeting.kind, Meeting.title, Meeting.state, Meeting.starts_at,
                  Meeting.started_at, Meeting.notice_sent_on, Meeting.notice_clear_days)
        .where(Meeting.coop_id.in_(coop_ids), sa.or_(
            sa.and_(Meeting.state.in_(("draft", "called")),
                    Meeting.starts_at >= datetime.combine(today - timedelta(days=1), time())),
            sa.and_(Meeting.kind == "agm", Meeting.state == "closed")))
    ).all()
    called: dict[int, list[core.CalledMeeting]] = {}
    held: dict[int, list[date]] = {}
    for row in rows:
        if row.state == "closed":
            held.setdefault(row.coop_id, []).append(to_uk(row.started_at or row.starts_at).date())
        else:
            called.setdefault(row.coop_id, []).append(core.CalledMeeting(
                key=f"meeting-{row.number}", title=row.title, meets_on=to_uk(row.starts_at).date(),
                clear_days=row.notice_clear_days, notice_sent_on=row.notice_sent_on, is_agm=row.kind == "agm"))
    return called, held


def _int(value, fallback: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return fallback


def calendars(coops: Iterable[Coop], today: date, *, with_names: bool = True,
              cite: bool = False) -> dict[int, CoopCalendar]:
    """The calendar of each co-op: six statements or so, whatever the number of co-ops.
    ``cite`` adds the number of the clause behind the AGM window ("Rule 12.2"), which reads
    each co-op's rules: for one co-op's own pages, not for lists of many."""
    coops = list(coops)
    ids = [c.id for c in coops]
    if not ids:
        return {}
    settings = {s.coop_id: s for s in db.session.execute(
        sa.select(CalendarSettings).where(CalendarSettings.coop_id.in_(ids))).scalars()}
    params_by_coop, amendments, rulesets = _params_by_coop(ids)
    answers = _founding_answers([c.id for c in coops if c.id not in params_by_coop])
    done = _done_by_coop(ids, with_names)
    probations = _probations(ids)
    meetings, agms_held = _meetings(ids, today)
    result = {}
    for coop in coops:
        params = defaults()
        source = "assumed"
        if coop.id in params_by_coop:
            params.update(params_by_coop[coop.id])
            if params_by_coop[coop.id].get("financial_year_end"):
                source = "rules"
        else:
            answered = {k: v for k, v in answers.get(coop.id, {}).items() if v not in (None, "")}
            params.update(answered)
            if answered.get("financial_year_end"):
                source = "founding"
        own = settings.get(coop.id)
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
        terms = _calendar_terms(rulesets.get(coop.id), legal_form)
        facts = core.Facts(
            legal_form=legal_form,
            registered=registered, registered_on=registered_on, year_end=year_end,
            management=params.get("management") or "collective",
            board_rotation=params.get("board_rotation") or "none",
            board_term_years=_int(params.get("board_term_years"), 3),
            notice_clear_days=_int(params.get("notice_clear_days"), 14),
            agm_within_months=terms.agm_within_months, agm_max_gap_months=terms.agm_max_gap_months,
            agm_clause=_clause_number(coop, "agm") if cite and coop.id in rulesets else "",
            tracked_from=own.tracked_from if own is not None else None,
            amendments=tuple(amendments.get(coop.id, ())) if registered else (),
            probations=tuple(probations.get(coop.id, ())) if registered else (),
            meetings=tuple(meetings.get(coop.id, ())),
            agms_held=tuple(sorted(agms_held.get(coop.id, ()))),
            done=done.get(coop.id, {}),
        )
        result[coop.id] = CoopCalendar(coop, facts, core.obligations(facts, today), source, assumed, own, notes)
    return result


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
    """For the mentor dashboard: each co-op's next open obligation and how many are overdue,
    without personal data (names are left out of the facts). A fixed number of statements."""
    result = {}
    for coop_id, cal in calendars(coops, today, with_names=False).items():
        result[coop_id] = (cal.next_item, len(cal.overdue))
    return result


def registered_coops() -> list[Coop]:
    return list(db.session.execute(
        sa.select(Coop).where(Coop.stage == "registered").order_by(Coop.id)).scalars())
