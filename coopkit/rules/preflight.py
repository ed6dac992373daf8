"""Registration pre-flight: what an adviser checks before a society's application goes to the
FCA, read from the founding journey, the register and the rules version to be filed.

Each check says whether it is met and, when not, where it is fixed: an endpoint and its
arguments (the view turns them into links), so the list is testable without a request.
The fee is said honestly: rules coopkit generates are the group's own rules unless a
sponsoring body has adopted the rule set as its model.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.founding.models import OfficerPrivateDetails
from coopkit.rules import queries, render
from coopkit.rules.models import RulesVersion
from coopkit.rules.ruleset import RuleSet, load_ruleset

#: FCA registration fees by the number of amendments to a sponsoring body's model rules (from
#: April 2024; check the FCA's current fees before relying on them)
FEE_TIERS: tuple[tuple[int, int | None, int, str], ...] = (
    (0, 0, 4000, "the model rules unchanged"),
    (1, 6, 12000, "1 to 6 amendments"),
    (7, 10, 35000, "7 to 10 amendments"),
    (11, None, 95000, "11 or more amendments, or the group's own rules"),
)
OWN_RULES_FEE_PENCE = 95000
#: answers that make the rules the group's own document but are not options of the model:
#: the name, objects and office, and the facts of the application
NOT_DEPARTURES = frozenset({"coop_name", "objects", "registered_office", "welsh_office", "legal_form",
                            "financial_year_end", "secretary_member_id"})
#: the FCA application's questions (key, what the form asks)
APPLICATION_QUESTIONS: tuple[tuple[str, str], ...] = (
    ("business_description", "The business the society will carry out"),
    ("member_benefit", "How the members will benefit"),
    ("member_participation", "How the members take part in the business"),
    ("member_control", "How the members control the society"),
    ("profit_use", "How any profits are used"),
    ("funding", "How the society is funded"),
    ("financial_year_end", "Financial year end"),
    ("main_contact", "Main contact"),
    ("finance_contact", "Finance contact"),
)


@dataclass(frozen=True)
class Check:
    key: str
    label: str
    ok: bool
    detail: str = ""
    #: where it is fixed: (endpoint, url arguments without the co-op's slug, optional #fragment)
    fix: tuple[str, dict, str] | None = None


@dataclass(frozen=True)
class Fee:
    departures: tuple[str, ...]
    #: the tier the departures would fall in if a sponsoring body adopted the rule set as its model
    model_tier_pence: int
    model_tier_label: str
    own_rules_pence: int = OWN_RULES_FEE_PENCE

    @property
    def count(self) -> int:
        return len(self.departures)


@dataclass(frozen=True)
class Preflight:
    checks: tuple[Check, ...]
    fee: Fee | None
    answers: dict[str, Any] = field(default_factory=dict)
    bona_fide_draft: str = ""

    @property
    def missing(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if not c.ok)

    @property
    def ready(self) -> bool:
        return not self.missing


def fee_tier(departures: int) -> tuple[int, str]:
    for low, high, pence, label in FEE_TIERS:
        if departures >= low and (high is None or departures <= high):
            return pence, label
    raise ValueError(departures)  # pragma: no cover


def departures(ruleset: RuleSet, params: dict) -> tuple[str, ...]:
    """The options chosen differently from the rule set's defaults (what a sponsoring body that
    adopted it as its model would count as amendments), in the manifest's order."""
    out = []
    for key, spec in ruleset.parameters.items():
        if key in NOT_DEPARTURES or key not in params:
            continue
        if params[key] != spec.default and not (spec.required and params[key] in (None, "")):
            out.append(key)
    return tuple(out)


def bona_fide_draft(ruleset: RuleSet, params: dict, answers: dict) -> str:
    """A first draft of the bona fide explanation, built from the rules and the founders' answers;
    the founders edit it before it goes in the application."""
    name = answers.get("coop_name") or params.get("coop_name") or "The society"
    eligibility = render.woven(str(params.get("membership_eligibility") or "its workers")).rstrip(".")
    lines = [
        f"{name} is a worker co-operative: the people who work in it own it and control it together, for their "
        "mutual benefit as workers.",
        f"Membership is voluntary and open to {eligibility}; nobody is made to join as a condition of their job, "
        "and an application is refused only for a good and lawful reason given in writing.",
        "Each member holds one £1 share and has one vote, whatever their shareholding, and no member has a "
        "casting vote. Shares are not transferable and carry no dividend; any interest paid on capital is no "
        "more than needed to raise it.",
    ]
    if answers.get("member_benefit"):
        lines.append(f"How members benefit: {render.sentence(str(answers['member_benefit']).strip())}")
    if answers.get("member_participation"):
        lines.append(f"How members take part: {render.sentence(str(answers['member_participation']).strip())}")
    if answers.get("member_control"):
        lines.append(f"How members control the society: {render.sentence(str(answers['member_control']).strip())}")
    bonus = params.get("surplus_bonus_percent") or 0
    basis = "the hours each member worked" if params.get("bonus_basis") == "hours" else "equal shares"
    lines.append(f"Surplus goes first to reserves ({params.get('surplus_reserves_percent')}% at least)"
                 + (f", then up to {bonus}% as a bonus shared by {basis}" if bonus else "")
                 + ": never in proportion to capital.")
    if params.get("dissolution") == "asset_lock":
        lines.append("The society's assets are locked: on dissolution anything left goes to another co-operative "
                     "or a body promoting co-operation, never to the members.")
    lines.append("The society follows the co-operative principles: it is independent of outside control, trains "
                 "its members, works with other co-operatives and supports its community.")
    return "\n\n".join(lines)


def _founders(coop) -> list:
    return list(db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(("founder", "member")))
        .order_by(Member.id)).scalars())


def _aml_complete(coop) -> int:
    return db.session.execute(
        sa.select(sa.func.count(OfficerPrivateDetails.id)).where(OfficerPrivateDetails.coop_id == coop.id)
    ).scalar_one()


def _step_fix(key: str) -> tuple[str, dict, str] | None:
    step = queries.step_for(key)
    return ("founding.step", {"step_key": step[0]}, "") if step else None


def preflight(coop, version: RulesVersion) -> Preflight:
    """Everything a society's registration still lacks, and the honest fee."""
    ruleset = load_ruleset(version.ruleset_id)
    params = json.loads(version.parameters)
    answers = queries.answers_for(coop)
    checks: list[Check] = []
    society = ruleset.legal_form == "society"

    report = queries.check_version(coop, version)
    gaps = render.gaps_in(version.text)
    failures = [i for i in report.failures if i.id != "p.name"]
    checks.append(Check(
        "rules", "The rules are complete and pass the compliance check", not gaps and not failures,
        ("Still to decide: " + ", ".join(g.replace("_", " ") for g in gaps) + "." if gaps else
         "; ".join(f"{i.label}: {i.detail}" for i in failures)) if gaps or failures else
        f"Version {version.number} passes every check.",
        ("rules.check", {}, "") if not gaps else _step_fix(gaps[0]) or ("rules.check", {}, "")))
    checks.append(Check(
        "adopted", "The founding members have adopted these rules", version.status in ("adopted", "registered"),
        f"Version {version.number} is {version.status}." if version.status != "draft" else
        f"Version {version.number} is a draft: record the date the founders agreed it.",
        ("rules.version", {"version_number": version.number}, "adopt")))
    name_item = next((i for i in report.items if i.id == "p.name"), None)
    if name_item is not None:
        checks.append(Check("name", name_item.label, name_item.status == "ok",
                            name_item.detail, _step_fix("coop_name")))

    founders = _founders(coop)
    need = 3 if society else 1
    checks.append(Check(
        "signatories", f"At least {need} members to sign the application and the rules",
        len(founders) >= need, f"{len(founders)} founding member{'s' if len(founders) != 1 else ''}.",
        ("workspace.invite", {}, "")))
    secretary_id = answers.get("secretary_member_id")
    secretary = next((m for m in founders if str(m.id) == str(secretary_id)), None)
    checks.append(Check(
        "secretary", "A secretary chosen to sign with them", secretary is not None,
        f"{secretary.full_name} signs as secretary." if secretary else "No founder has been chosen as secretary yet.",
        _step_fix("secretary_member_id")))
    no_address = [m.full_name for m in founders if not (m.postal_address or "").strip()]
    checks.append(Check(
        "addresses", "Every founding member's postal address is in the register", not no_address,
        ("Missing for " + ", ".join(no_address) + ".") if no_address else "All recorded.",
        ("register.members", {}, "")))
    if society:
        entered = _aml_complete(coop)
        checks.append(Check(
            "aml", "Anti-money-laundering details of two officers", entered >= 2,
            f"{entered} of 2 entered." if entered < 2 else "Both entered (only the secretary sees them).",
            ("founding.officers", {}, "")))

    missing_questions = [(k, label) for k, label in APPLICATION_QUESTIONS
                         if (k != "finance_contact" or society) and not str(answers.get(k) or "").strip()]
    for key, label in missing_questions:
        checks.append(Check(f"question.{key}", f"The application asks: {label.lower()}", False,
                            "Not answered in the founding journey yet.", _step_fix(key)))
    if not missing_questions:
        checks.append(Check("questions", "The application's questions are answered", True,
                            "From the founding journey's registration details."))
    if society:
        saved = str(answers.get("bona_fide_explanation") or "").strip()
        checks.append(Check(
            "bona_fide", "The founders' explanation of why the society is a bona fide co-operative", bool(saved),
            "Saved." if saved else "A draft is below: edit it and save it.",
            ("rules.pack", {"version_number": version.number}, "bona-fide")))

    fee = None
    if society:
        chosen = departures(ruleset, params)
        pence, label = fee_tier(len(chosen))
        fee = Fee(chosen, pence, label)
    draft = bona_fide_draft(ruleset, params, answers) if society else ""
    return Preflight(tuple(checks), fee, answers, draft)
