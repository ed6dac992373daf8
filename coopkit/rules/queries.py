"""Reads about a co-op's rules that other features need."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm

from coopkit.coops.models import Coop, Member
from coopkit.coops.parameters import PARAMETERS, defaults
from coopkit.database import request_memo
from coopkit.extensions import db
from coopkit.founding import queries as founding_queries
from coopkit.founding.catalogue import catalogue
from coopkit.founding.models import OfficerPrivateDetails
from coopkit.jsonrows import json_rows
from coopkit.rules import compliance, render
from coopkit.rules.decisions import DecisionKind, kinds_for_document
from coopkit.rules.models import RulesVersion
from coopkit.rules.ruleset import RuleSet, default_ruleset_for, load_ruleset


def newest_of_each_status(coop) -> list[RulesVersion]:
    """The newest version of each status (draft, adopted, registered, superseded: four at most),
    newest first; one statement, asked once per page (the panels, the registers and the rules
    pages all want the rules in force and the newest version)."""
    return request_memo("rules.newest", coop.id, lambda: list(
        db.session.execute(_newest_statement(), {"coop_id": coop.id}).scalars()))


@functools.cache
def _newest_statement() -> sa.Select:
    """Built once (``coop_id`` is a bind parameter): nearly every page asks it."""
    coop_id = sa.bindparam("coop_id")
    newest = (sa.select(sa.func.max(RulesVersion.number)).where(RulesVersion.coop_id == coop_id)
              .group_by(RulesVersion.status))
    # The text (some 40 kB a version, stored compressed by PostgreSQL) is loaded when a page reads
    # it: most pages want only the status, the numbers and the parameters; an outline comes from
    # the cache by the text's hash (render.outline_of).
    return (sa.select(RulesVersion).where(RulesVersion.coop_id == coop_id, RulesVersion.number.in_(newest))
            .options(sa.orm.defer(RulesVersion.text))
            .order_by(RulesVersion.number.desc()))


def governing_version(coop) -> RulesVersion | None:
    """The rules in force: the newest registered version, else the newest adopted one. A
    registered company's articles change when the members pass the resolution (Companies Act
    2006: filing follows within 15 days), so its newest adopted or registered version governs."""
    newest = newest_of_each_status(coop)
    if getattr(coop, "legal_form", None) == "company" and getattr(coop, "stage", None) == "registered":
        return next((v for v in newest if v.status in ("registered", "adopted")), None)
    for status in ("registered", "adopted"):
        version = next((v for v in newest if v.status == status), None)
        if version is not None:
            return version
    return None


def current_parameters(coop) -> dict:
    """The parameters the co-op's governing rules were made from; defaults when it has none yet
    (a forming co-op's founding votes use the defaults, i.e. the common worker-co-op practice)."""
    params = defaults()
    version = governing_version(coop)
    if version is not None:
        params.update(json.loads(version.parameters))
    return params


# --- what the rules pages need ---------------------------------------------------------------


def founding_answers(coop) -> dict:
    """The founding journey's answers under the shared parameter names."""
    return dict(_preview_inputs(coop)[0])


def _preview_inputs(coop) -> tuple[dict, int]:
    """The founding answers that feed the rules and the founders' count (what a preview and its
    checklist are made from): one statement, asked once per GET."""
    def load() -> tuple[dict, int]:
        rows, count = db.session.execute(_preview_inputs_statement(coop.stage == "registered"),
                                         {"coop_id": coop.id}).one()
        return founding_queries.feeding_rules(founding_queries.answers_from(rows)), int(count)
    return request_memo("rules.preview_inputs", coop.id, load)


@functools.cache
def _preview_inputs_statement(registered: bool) -> sa.Select:
    return sa.select(json_rows(founding_queries.answers_select(sa.bindparam("coop_id")), None),
                     _founder_count_statement(registered).scalar_subquery())


def step_for(key: str) -> tuple[str, str] | None:
    """(step key, step title) of the founding step that asks for ``key``, when the journey knows it."""
    try:
        return founding_queries.step_for_parameter(key)
    except (KeyError, LookupError):
        return None


def gap_message(key: str) -> str:
    """How a missing answer reads in the preview: what is missing and which step to finish."""
    label = PARAMETERS.get(key, ("", "", key.replace("_", " ")))[2]
    step = step_for(key)
    where = f' — finish step "{step[1]}"' if step else " — finish the founding journey"
    return f"to be decided: {label.lower()}{where}"


def answers_for(coop) -> dict:
    """What the rules are rendered from: the co-op's own facts, then the founding answers."""
    answers: dict = {"legal_form": coop.legal_form or "society"}
    if coop.name:
        answers["coop_name"] = coop.name
    if coop.registered_office:
        answers["registered_office"] = coop.registered_office
    for key, value in founding_answers(coop).items():
        if value is not None and value != "":
            answers[key] = value
    return answers


def founder_count(coop) -> int:
    return _preview_inputs(coop)[1]


@functools.cache
def _founder_count_statement(registered: bool) -> sa.Select:
    statuses = ("founder", "member") if registered else ("founder",)
    return sa.select(sa.func.count(Member.id)).where(Member.coop_id == sa.bindparam("coop_id"),
                                                     Member.status.in_(statuses))


def facts_for(coop, params: dict) -> compliance.Facts:
    return compliance.Facts(legal_form=params.get("legal_form") or coop.legal_form or "society",
                            founder_count=founder_count(coop), name=params.get("coop_name") or coop.name,
                            welsh_office=bool(params.get("welsh_office")))


@dataclass(frozen=True)
class Preview:
    """The rules as the current answers make them, with their checklist (nothing saved)."""

    ruleset: RuleSet
    document: render.Document
    report: compliance.Report

    @property
    def params(self) -> dict:
        return self.document.values.raw

    @property
    def gaps(self) -> tuple[str, ...]:
        return self.document.gaps


def ruleset_for(coop, answers: dict | None = None) -> RuleSet:
    """The co-op's rule set: the one its rules already use, else the one for its legal form."""
    latest = latest_version(coop)
    answers = answers if answers is not None else answers_for(coop)
    if latest is not None:
        ruleset = load_ruleset(latest.ruleset_id)
        if ruleset.legal_form == answers.get("legal_form", ruleset.legal_form):
            return ruleset
    return default_ruleset_for(answers.get("legal_form"))


def check_document(coop, ruleset: RuleSet, document: render.Document) -> compliance.Report:
    params = document.values.raw
    return compliance.check(document.clauses, ruleset.coverage, params, facts_for(coop, params),
                            gaps=document.gaps, problems=document.values.problems)


def current_preview(coop, redact=()) -> Preview:
    """The rules the current answers make; answers named in ``redact`` (private ones, for a
    mentor) are replaced by a placeholder before rendering."""
    answers = answers_for(coop)
    ruleset = ruleset_for(coop, answers)
    document = render.render_document(ruleset, render.redact_values(answers, redact) if redact else answers)
    return Preview(ruleset, document, check_document(coop, ruleset, document))


def private_keys() -> frozenset[str]:
    """Answers the founding journey keeps private (e.g. a home address as registered office)."""
    return frozenset(q.key for step in catalogue().steps for q in step.questions if q.private)


def check_version(coop, version: RulesVersion) -> compliance.Report:
    """The checklist for a stored version, from its own text and parameters."""
    ruleset = load_ruleset(version.ruleset_id)
    params = json.loads(version.parameters)
    clauses = render.outline(version.text)
    return compliance.check(clauses, ruleset.coverage, params, facts_for(coop, params),
                            gaps=render.gaps_in(version.text))


@functools.lru_cache(maxsize=256)
def _kinds(ruleset_id: str, params_json: str) -> dict[str, DecisionKind]:
    ruleset = load_ruleset(ruleset_id)
    return kinds_for_document(ruleset, render.render_document(ruleset, json.loads(params_json)))


def decision_kinds(coop) -> dict[str, DecisionKind]:
    """The kinds of decision the co-op's rules in force provide for (coopkit.rules.decisions), with
    their clause numbers. A forming co-op with no adopted rules gets its rule set's kinds for the
    common defaults (its founding votes follow the usual worker-co-op practice)."""
    version = governing_version(coop)
    if version is not None:
        return _kinds(version.ruleset_id, version.parameters)
    params = current_parameters(coop)
    return _kinds(ruleset_for(coop).id, json.dumps(params, sort_keys=True, default=str))


@dataclass(frozen=True)
class Amendment:
    """The rules an amendment starts from and the rules it would make, with the legal check of
    the result (nothing saved)."""

    ruleset: RuleSet
    current: render.Document
    proposed: render.Document
    report: compliance.Report


def amendment(coop, changes: dict) -> Amendment:
    """What ``changes`` (parameter -> new value) would make of the newest adopted or registered
    rules (the founding answers while there are none), checked as the FCA would check them."""
    base = db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop.id,
                                      RulesVersion.status.in_(("adopted", "registered")))
        .order_by(RulesVersion.number.desc()).limit(1)
    ).scalar_one_or_none()
    if base is not None:
        ruleset, params = load_ruleset(base.ruleset_id), json.loads(base.parameters)
    else:
        params = answers_for(coop)
        ruleset = ruleset_for(coop, params)
    current = render.render_document(ruleset, params)
    proposed = render.render_document(ruleset, {**params, **changes})
    return Amendment(ruleset, current, proposed, check_document(coop, ruleset, proposed))


def latest_version(coop) -> RulesVersion | None:
    newest = newest_of_each_status(coop)
    return newest[0] if newest else None


def versions(coop, limit: int | None = None) -> list[RulesVersion]:
    """Every version (or the newest ``limit``), newest first, in one statement. The text and
    parameters are not loaded: a list never shows them."""
    params = {"coop_id": coop.id} if limit is None else {"coop_id": coop.id, "limit": limit}
    return list(db.session.execute(_versions_statement(limit is not None), params).scalars())


@functools.cache
def _versions_statement(limited: bool) -> sa.Select:
    query = (sa.select(RulesVersion).where(RulesVersion.coop_id == sa.bindparam("coop_id"))
             .options(sa.orm.defer(RulesVersion.text, raiseload=True),
                      sa.orm.defer(RulesVersion.parameters, raiseload=True))
             .order_by(RulesVersion.number.desc()))
    return query.limit(sa.bindparam("limit", type_=sa.Integer)) if limited else query


def version_by_number(coop, number: int) -> RulesVersion | None:
    return db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop.id, RulesVersion.number == number)
    ).scalar_one_or_none()


def founding_members(coop) -> list:
    """The people who sign and appear in the founding register: founders (or current members)."""
    statuses = ("founder",) if coop.stage != "registered" else ("founder", "member")
    return list(db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(statuses))
        .order_by(Member.admitted_on, Member.id)
    ).scalars())


def registration_checklist(coop) -> list[tuple[str, bool]] | None:
    """The founding journey's registration checklist (label, ticked)."""
    ticked = founding_queries.checklist(coop)
    return [(item.label, bool(ticked.get(item.key, (False,))[0])) for item in catalogue().checklist]


@dataclass(frozen=True)
class AmlPerson:
    """Anti-money-laundering details of one officer (typed by the secretary; never stored)."""

    name: str
    date_of_birth: str
    address: str
    time_at_address: str



def aml_people(coop) -> list:
    """The two officers' anti-money-laundering details from the founding journey, as
    :class:`AmlPerson` (call only for the secretary; never logged or cached)."""
    rows = db.session.execute(
        sa.select(OfficerPrivateDetails).where(OfficerPrivateDetails.coop_id == coop.id)
        .order_by(OfficerPrivateDetails.slot)
    ).scalars()
    people = []
    for row in rows:
        years, months = divmod(row.months_at_address, 12)
        parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
        if months or not years:
            parts.append(f"{months} month{'s' if months != 1 else ''}")
        people.append(AmlPerson(name=row.full_name, date_of_birth=row.date_of_birth.strftime("%d/%m/%Y"),
                                address=row.address, time_at_address=" and ".join(parts)))
    return people


def newest_statuses(coop_ids) -> dict[int, str]:
    """co-op id -> status of its newest RulesVersion (co-ops without rules are absent); one statement."""
    newest = (
        sa.select(RulesVersion.coop_id, sa.func.max(RulesVersion.number).label("number"))
        .where(RulesVersion.coop_id.in_(coop_ids)).group_by(RulesVersion.coop_id).subquery()
    )
    return dict(db.session.execute(
        sa.select(RulesVersion.coop_id, RulesVersion.status)
        .join(newest, sa.and_(newest.c.coop_id == RulesVersion.coop_id, newest.c.number == RulesVersion.number))
    ).all())


def newest_status_column() -> sa.ScalarSelect:
    """The status of the newest RulesVersion of the co-op in an enclosing select over ``coops``
    (NULL without rules): :func:`newest_statuses` as a column."""
    return (sa.select(RulesVersion.status).where(RulesVersion.coop_id == Coop.id)
            .order_by(RulesVersion.number.desc()).limit(1).scalar_subquery())
