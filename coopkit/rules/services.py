"""Every write about a co-op's rules: drafts, adoption, registration, amendments.

Status lifecycle (see also rules_templates/README.md):

- **draft**: generated from the founding answers; several may exist; a new one is
  only made when the text differs from the newest draft's.
- **adopted**: the members have agreed it (at the founding meeting, or by a
  proposal's resolution: ``adopted_by_proposal_id``). Adopting a draft supersedes
  any *other* adopted version that was never registered (it was replaced before it
  took effect). An amendment adopted by a vote does **not** supersede the registered
  rules: they stay in force until the amendment is registered.
- **registered**: the FCA (or Companies House) has registered it. Registering a
  version supersedes every older registered or adopted version.
- **superseded**: replaced; kept for the record, never deleted.
"""

from __future__ import annotations

import json
import logging
from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops.models import Coop
from coopkit.effects import Refused
from coopkit.extensions import db
from coopkit.forms import digits
from coopkit.founding import catalogue
from coopkit.founding.services import FoundingError, StepInvalid, save_step
from coopkit.rules import effects, queries, render
from coopkit.rules.models import RulesVersion
from coopkit.rules.ruleset import RuleSet, load_ruleset

log = logging.getLogger("coopkit.rules")


class RulesError(ValueError):
    """A clear message for the person acting."""


class RegistrationNumberError(RulesError):
    """The registration number given with a co-op's first registration is missing or invalid."""


def _lock(coop) -> None:
    """Serialise the co-op's rules writes, so two drafts never take the same number
    (a PostgreSQL row lock; SQLite writes already queue)."""
    db.session.execute(sa.select(Coop.id).where(Coop.id == coop.id).with_for_update())


def _next_number(coop) -> int:
    _lock(coop)
    current = db.session.execute(
        sa.select(sa.func.max(RulesVersion.number)).where(RulesVersion.coop_id == coop.id)
    ).scalar_one()
    return (current or 0) + 1


def _new_version(coop, ruleset: RuleSet, document: render.Document, actor, status: str) -> RulesVersion:
    version = RulesVersion(
        coop_id=coop.id, number=_next_number(coop), ruleset_id=ruleset.id, ruleset_version=ruleset.version,
        parameters=json.dumps(document.values.raw, sort_keys=True), text=document.markdown,
        content_hash=document.content_hash, status=status,
        created_by_id=actor.id if actor is not None and getattr(actor, "id", None) else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def generate_draft(coop, actor) -> tuple[RulesVersion, bool]:
    """Save the rules the current answers make as a new draft version, unless the newest
    draft already has exactly this text. Returns (version, created). Adds a RulesVersion and
    an audit event when created. Flushes."""
    _lock(coop)
    preview = queries.current_preview(coop)
    latest_draft = db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop.id, RulesVersion.status == "draft")
        .order_by(RulesVersion.number.desc()).limit(1)
    ).scalar_one_or_none()
    if latest_draft is not None and latest_draft.content_hash == preview.document.content_hash:
        return latest_draft, False
    version = _new_version(coop, preview.ruleset, preview.document, actor, "draft")
    record("rules.draft_saved", coop=coop, actor=actor, subject=version,
           data={"number": version.number, "ruleset": f"{version.ruleset_id}@{version.ruleset_version}",
                 "hash": version.content_hash, "gaps": len(preview.gaps),
                 "failures": len(preview.report.failures)})
    log.info("Rules version %s saved as a draft for coop %s", version.id, coop.id)
    return version, True


def _check_date(on: date, after: date | None, what: str) -> None:
    if on > date.today():
        raise RulesError(f"The date {what} can't be in the future.")
    if after is not None and on < after:
        raise RulesError(f"The date {what} can't be before {after.strftime('%d/%m/%Y')}.")


def adopt_version(version: RulesVersion, *, on: date, actor, proposal_id: int | None = None) -> RulesVersion:
    """Record that the members adopted a draft on ``on``. Refuses a draft with gaps or failed
    checks. Supersedes other adopted versions that were never registered. Flushes."""
    coop = _coop(version)
    if version.status != "draft":
        raise RulesError(f"Version {version.number} is {version.status}: only a draft can be adopted.")
    _check_date(on, None, "adopted")
    gaps = render.gaps_in(version.text)
    if gaps:
        raise RulesError("This draft still has gaps: " + "; ".join(queries.gap_message(g) for g in gaps) + ".")
    report = queries.check_version(coop, version)
    if report.failures:
        raise RulesError("This draft fails the compliance check: "
                         + "; ".join(f"{i.label} ({i.detail})" for i in report.failures))
    for other in db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop.id, RulesVersion.status == "adopted",
                                      RulesVersion.id != version.id)
    ).scalars():
        other.status = "superseded"
        record("rules.superseded", coop=coop, actor=actor, subject=other,
               data={"number": other.number, "by": version.number})
    version.status = "adopted"
    version.adopted_on = on
    version.adopted_by_proposal_id = proposal_id
    db.session.flush()
    record("rules.adopted", coop=coop, actor=actor, subject=version,
           data={"number": version.number, "on": on.isoformat(), "proposal_id": proposal_id})
    log.info("Rules version %s adopted", version.id)
    return version


def register_version(version: RulesVersion, on: date, actor, registration_number: str = "") -> RulesVersion:
    """Record that the registering body registered an adopted version on ``on``: it becomes
    the rules in force, and every older registered or adopted version is superseded.
    The first registration of a co-op in formation also registers the co-op itself
    (see :func:`_register_coop`). Flushes."""
    coop = _coop(version)
    if version.status != "adopted":
        raise RulesError(f"Version {version.number} is {version.status}: only adopted rules can be registered.")
    _check_date(on, version.adopted_on, "registered")
    if coop.stage != "registered":
        _register_coop(coop, version, on, actor, registration_number.strip())
    older = db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop.id,
                                      RulesVersion.status.in_(("registered", "adopted")),
                                      RulesVersion.number < version.number)
    ).scalars().all()
    for other in older:
        other.status = "superseded"
        record("rules.superseded", coop=coop, actor=actor, subject=other,
               data={"number": other.number, "by": version.number})
    version.status = "registered"
    version.registered_on = on
    db.session.flush()
    record("rules.registered", coop=coop, actor=actor, subject=version,
           data={"number": version.number, "on": on.isoformat()})
    log.info("Rules version %s registered", version.id)
    return version


def _register_coop(coop, version: RulesVersion, on: date, actor, registration_number: str) -> None:
    """The co-op's first rules are registered: it is now a registered society (or company).
    Changes: Coop stage/registered_on/registration_number/legal_form; then announces
    :data:`coopkit.rules.effects.coop_registered`, whose handler in coopkit.register makes
    the founders members with their membership share and appoints the founding secretary
    chosen in the journey to the register of officers."""
    if not registration_number:
        raise RegistrationNumberError("Give the registration number from the certificate: the co-op is "
                                      "registered with these rules.")
    if len(registration_number) > 40:
        raise RegistrationNumberError("A registration number is at most 40 characters.")
    params = json.loads(version.parameters)
    coop.stage, coop.registered_on, coop.registration_number = "registered", on, registration_number
    coop.legal_form = coop.legal_form or params.get("legal_form")
    secretary_id = params.get("secretary_member_id") or queries.founding_answers(coop).get("secretary_member_id")
    try:
        admitted = effects.coop_registered(
            coop=coop, on=on, actor=actor,
            secretary_member_id=int(secretary_id) if digits(str(secretary_id or "")) else None)
    except Refused as exc:
        raise RulesError(str(exc)) from exc
    db.session.flush()
    record("coop.registered", coop=coop, actor=actor, subject=coop,
           data={"on": on.isoformat(), "registration_number": registration_number,
                 "members": sum(len(members) for members in admitted)})
    log.info("Coop %s registered", coop.id)


def create_amended_version(coop, new_parameters: dict, actor, proposal_id: int) -> RulesVersion:
    """Make the rules a passed amendment describes: the newest adopted or registered version's
    parameters with ``new_parameters`` applied, rendered with the same rule set, saved as
    *adopted* (by ``proposal_id``). The registered rules stay in force until this version is
    registered (:func:`register_version`). Raises RulesError for an unknown or invalid
    parameter, or when the result would have gaps. Flushes."""
    base = db.session.execute(
        sa.select(RulesVersion).where(RulesVersion.coop_id == coop.id,
                                      RulesVersion.status.in_(("adopted", "registered")))
        .order_by(RulesVersion.number.desc()).limit(1)
    ).scalar_one_or_none()
    if base is not None:
        ruleset = load_ruleset(base.ruleset_id)
        params = json.loads(base.parameters)
    else:
        answers = queries.answers_for(coop)
        ruleset = queries.ruleset_for(coop, answers)
        params = answers
    new_parameters = dict(new_parameters)
    target = new_parameters.pop("ruleset_version", None)
    if target is not None and str(target) != ruleset.version:
        raise RulesError(f"The proposal adopts version {target} of the rule set, but the version available now is "
                         f"{ruleset.version}: propose the upgrade again.")
    unknown = sorted(k for k in new_parameters if k not in ruleset.parameters)
    if unknown:
        raise RulesError(f"The rules ({ruleset.title}) have no setting called {', '.join(unknown)}.")
    params = {**params, **new_parameters}
    document = render.render_document(ruleset, params)
    if document.values.problems:
        raise RulesError("; ".join(message for _, message in document.values.problems))
    if document.gaps:
        raise RulesError("The amended rules would have gaps: " + ", ".join(document.gaps))
    version = _new_version(coop, ruleset, document, actor, "adopted")
    version.adopted_on = date.today()
    version.adopted_by_proposal_id = proposal_id
    db.session.flush()
    record("rules.amendment_adopted", coop=coop, actor=actor, subject=version,
           data={"number": version.number, "proposal_id": proposal_id,
                 "changed": sorted(new_parameters) + (["ruleset_version"] if target is not None else []),
                 "ruleset": f"{version.ruleset_id}@{version.ruleset_version}",
                 "base": base.number if base else None})
    log.info("Rules version %s adopted by proposal %s", version.id, proposal_id)
    return version


def record_pdf(coop, version: RulesVersion | None, actor, kind: str, data: dict | None = None) -> None:
    """Audit that a document was produced (no personal data in the event: ``data`` holds
    flags such as whether AML details were included, never the details). Flushes."""
    record(f"rules.{kind}_generated", coop=coop, actor=actor, subject=version,
           data={"number": version.number if version else None, **(data or {})})
    log.info("Rules %s generated for coop %s", kind, coop.id)


def _coop(version: RulesVersion):
    return db.session.get(Coop, version.coop_id)


def save_bona_fide(coop, text: str, actor) -> None:
    """Save the founders' bona fide explanation as the founding journey's registration answer
    (keeping the step's other answers). Changes: a StepAnswer (through founding.services.save_step,
    which audits it). Flushes."""
    step = catalogue.step_for_key("bona_fide_explanation")
    answers = queries.founding_answers(coop)
    raw = {key: "" if answers.get(key) is None else str(answers[key]) for key in step.keys}
    raw["bona_fide_explanation"] = text
    try:
        save_step(coop, step.key, raw, actor)
    except StepInvalid as exc:
        errors = getattr(exc, "errors", {}) or {}
        raise RulesError(errors.get("bona_fide_explanation")
                         or "Finish the registration details step first: " + "; ".join(errors.values())) from exc
    except FoundingError as exc:
        raise RulesError(str(exc)) from exc
