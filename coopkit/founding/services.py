"""The founding journey: every write. Each function checks everything first and
then writes, so bad input changes nothing; each records itself in the audit log."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from coopkit.audit.services import record
from coopkit.coops import policy
from coopkit.coops.models import Coop, Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.founding import catalogue, queries
from coopkit.founding.models import (
    ChecklistTick,
    FoundingStep,
    OfficerPrivateDetails,
    StepAnswer,
    StepSignoff,
)
from coopkit.founding.progress import step_state
from coopkit.founding.validation import Context, validate_private_details, validate_step

log = logging.getLogger("coopkit.founding")


class FoundingError(ValueError):
    """A clear message for the founder."""


class StepInvalid(FoundingError):
    """Some answers are wrong: a message per question key; nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("Some answers need correcting: nothing was saved.")
        self.errors = errors


@dataclass
class SaveResult:
    changed: list[str] = field(default_factory=list)
    #: the step had sign-offs that no longer count because the answers changed
    signoffs_reset: bool = False
    warnings: list[str] = field(default_factory=list)


def _lock(coop: Coop) -> None:
    """Serialise the co-op's journey writes (PostgreSQL row lock; SQLite writes already queue)."""
    db.session.execute(sa.select(Coop.id).where(Coop.id == coop.id).with_for_update())


def _step_row(coop: Coop, step_key: str) -> FoundingStep:
    row = queries.step_row(coop, step_key)
    if row is None:
        row = FoundingStep(coop_id=coop.id, step_key=step_key, revision=0)
        db.session.add(row)
        db.session.flush()
    return row


def context_for(coop: Coop) -> Context:
    answers = queries.saved_answers([coop.id]).get(coop.id, {})
    founders = queries.founding_groups([coop.id]).get(coop.id, {})
    return Context(answers=answers, founder_ids=tuple(founders))


def _current_signoffs(row: FoundingStep) -> int:
    return db.session.execute(
        sa.select(sa.func.count(StepSignoff.id))
        .where(StepSignoff.step_id == row.id, StepSignoff.revision == row.revision)
    ).scalar_one()


def save_step(coop: Coop, step_key: str, raw: dict, actor) -> SaveResult:
    """Validate and save the answers of one step.

    Changes: adds, updates or removes StepAnswer rows of the keys whose value changed;
    bumps the step's revision (so founders' earlier sign-offs stop counting, noted in
    ``signoffs_reset_at``); mirrors the legal form and registered office onto the co-op;
    records ``founding.answers_saved`` (the keys, never the values) and, when agreement
    was lost, ``founding.signoffs_reset``. Raises StepInvalid (writing nothing). Flushes.
    """
    step = catalogue.get_step(step_key)
    if step is None or not step.questions:
        raise FoundingError("This step has no questions to answer.")
    _lock(coop)
    ctx = context_for(coop)
    outcome = validate_step(step, raw, ctx)
    if not outcome.ok:
        raise StepInvalid(outcome.errors)
    changed = sorted(k for k, v in outcome.values.items() if ctx.answers.get(k) != v
                     or (v is not None and type(ctx.answers.get(k)) is not type(v)))
    if not changed:
        return SaveResult(warnings=outcome.warnings)
    row = _step_row(coop, step_key)
    now = utcnow()
    had_signoffs = _current_signoffs(row) if step.signoff else 0
    existing = {a.key: a for a in db.session.execute(
        sa.select(StepAnswer).where(StepAnswer.coop_id == coop.id, StepAnswer.key.in_(changed))
    ).scalars()}
    for key in changed:
        value = outcome.values[key]
        answer = existing.get(key)
        if value is None:
            if answer is not None:
                db.session.delete(answer)
            continue
        if answer is None:
            answer = StepAnswer(coop_id=coop.id, step_id=row.id, key=key)
            db.session.add(answer)
        answer.value = json.dumps(value)
        answer.updated_at, answer.updated_by_id = now, actor.id
    row.revision += 1
    row.updated_at, row.updated_by_id = now, actor.id
    if had_signoffs:
        row.signoffs_reset_at = now
    if "legal_form" in changed and outcome.values["legal_form"]:
        coop.legal_form = outcome.values["legal_form"]
    if "registered_office" in changed:
        coop.registered_office = outcome.values["registered_office"] or ""
    db.session.flush()
    record("founding.answers_saved", coop=coop, actor=actor, subject=row,
           data={"step": step_key, "keys": changed, "revision": row.revision})
    if had_signoffs:
        record("founding.signoffs_reset", coop=coop, actor=actor, subject=row,
               data={"step": step_key, "signoffs": had_signoffs})
    log.info("Founding step %s of coop %s saved (revision %s)", step_key, coop.id, row.revision)
    return SaveResult(changed=changed, signoffs_reset=bool(had_signoffs), warnings=outcome.warnings)


def _founder(coop: Coop, user) -> Member:
    member = db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.user_id == user.id, Member.status == "founder")
    ).scalar_one_or_none()
    if member is None:
        raise FoundingError("Only a founder can do this.")
    return member


def sign_off(coop: Coop, step_key: str, actor) -> StepSignoff:
    """Record that the founder ``actor`` agrees to the step's current answers (for the team
    step: confirms they are a founder). Changes: adds a StepSignoff at the step's revision;
    records ``founding.signed_off`` or ``founding.founder_confirmed``. Flushes."""
    step = catalogue.get_step(step_key)
    if step is None or not (step.signoff or step.kind == "team"):
        raise FoundingError("This step does not need the founders' agreement.")
    member = _founder(coop, actor)
    _lock(coop)
    if step.signoff:
        inputs = queries.journey_inputs([coop.id])[coop.id]
        state = step_state(step, inputs)
        if not state.answers_complete:
            raise FoundingError("Answer every question (and fix any problem shown) before agreeing to this step.")
    row = _step_row(coop, step_key)
    if db.session.execute(
        sa.select(StepSignoff.id).where(StepSignoff.step_id == row.id, StepSignoff.member_id == member.id,
                                        StepSignoff.revision == row.revision)
    ).first():
        raise FoundingError("You have already confirmed this." if step.kind == "team"
                            else "You have already agreed to these answers.")
    return _add_signoff(coop, step, row, member, actor)


def _add_signoff(coop: Coop, step: catalogue.Step, row: FoundingStep, member: Member, actor) -> StepSignoff:
    signoff = StepSignoff(coop_id=coop.id, step_id=row.id, member_id=member.id, user_id=actor.id,
                          revision=row.revision, signed_at=utcnow())
    db.session.add(signoff)
    db.session.flush()
    action = "founding.founder_confirmed" if step.kind == "team" else "founding.signed_off"
    record(action, coop=coop, actor=actor, subject=row,
           data={"step": step.key, "member_id": member.id, "revision": row.revision})
    return signoff


def record_past_signoff(coop: Coop, step_key: str, member: Member, actor) -> StepSignoff:
    """Record an agreement given before the co-op used coopkit (e.g. a registered co-op's
    founders, now members). Changes: adds a StepSignoff; records it. Flushes."""
    step = catalogue.get_step(step_key)
    if step is None or member.coop_id != coop.id:
        raise FoundingError("There is no such step or founder.")
    return _add_signoff(coop, step, _step_row(coop, step_key), member, actor)


def set_checklist_item(coop: Coop, item_key: str, ticked: bool, actor) -> bool:
    """Tick or untick an item of the after-application checklist. Returns False when it
    already was in that state (nothing changes). Changes: the ChecklistTick row; records
    ``founding.checklist_ticked`` or ``founding.checklist_unticked``. Flushes."""
    item = catalogue.catalogue().checklist_item(item_key)
    if item is None:
        raise FoundingError("There is no such item on the checklist.")
    _lock(coop)
    row = db.session.execute(
        sa.select(ChecklistTick).where(ChecklistTick.coop_id == coop.id, ChecklistTick.item_key == item_key)
    ).scalar_one_or_none()
    if (row.ticked if row is not None else False) == ticked:
        return False
    if row is None:
        row = ChecklistTick(coop_id=coop.id, item_key=item_key)
        db.session.add(row)
    row.ticked, row.changed_at, row.changed_by_id = ticked, utcnow(), actor.id
    db.session.flush()
    record("founding.checklist_ticked" if ticked else "founding.checklist_unticked", coop=coop, actor=actor,
           subject=_step_row(coop, "register"), data={"step": "register", "item": item_key})
    return True


SECRETARY_KEY = "secretary_member_id"


def secretary_step() -> catalogue.Step:
    return next(s for s in catalogue.steps() if SECRETARY_KEY in s.keys)


@dataclass(frozen=True)
class SecretaryChoice:
    """Who is founding secretary for the officers' private details."""

    #: register id the answers name now (None: not chosen)
    chosen: int | None
    #: the same, once every current founder has agreed to that answer; else None
    agreed: int | None
    #: register id -> name of the founding group
    founders: dict

    @property
    def pending(self) -> bool:
        """A choice the founders have not all agreed to yet."""
        return self.chosen is not None and self.agreed is None


def secretary_choice(coop: Coop) -> SecretaryChoice:
    """The founding secretary counts for the officers' private details only once every
    current founder has agreed to the step that names them (at its current revision): a
    founder who edits the answer to name themself sees nothing until the others agree."""
    chosen = queries.saved_answers([coop.id]).get(coop.id, {}).get(SECRETARY_KEY)
    founders = queries.founding_groups([coop.id]).get(coop.id, {})
    agreed = None
    if chosen is not None and founders:
        signed = set(queries.signoffs(coop, secretary_step().key))
        if set(founders) <= signed:
            agreed = chosen
    return SecretaryChoice(chosen=chosen, agreed=agreed, founders=founders)


def is_secretary(coop: Coop, user) -> bool:
    """The registered secretary, or (while forming) the founding secretary every founder agreed to."""
    if "secretary" in policy.roles_for(user, coop):
        return True
    agreed = secretary_choice(coop).agreed
    return agreed is not None and agreed == queries.my_founder_id(coop, user)


def may_see_private(coop: Coop, user, details: OfficerPrivateDetails) -> bool:
    """Object-level check for an officer's private details: who entered them, or the secretary."""
    if not policy.can(user, "founding.private", coop):
        return False
    return details.entered_by_id == user.id or is_secretary(coop, user)


def visible_private_details(coop: Coop, user) -> dict[int, OfficerPrivateDetails | None]:
    """slot -> the details ``user`` may see (None: entered by someone else, or empty)."""
    rows = db.session.execute(
        sa.select(OfficerPrivateDetails).where(OfficerPrivateDetails.coop_id == coop.id)
    ).scalars().all()
    return {r.slot: r for r in rows if may_see_private(coop, user, r)}


def save_private_details(coop: Coop, slot: int, raw: dict, actor, today: date | None = None) -> OfficerPrivateDetails:
    """Save one officer's anti-money-laundering details. Only who entered them (or the secretary)
    may replace them. Changes: the OfficerPrivateDetails row; records
    ``founding.private_details_saved`` with the slot only. Raises StepInvalid. Flushes."""
    if slot not in (1, 2):
        raise FoundingError("The application asks for two officers.")
    if not policy.can(actor, "founding.private", coop):
        raise FoundingError("Only a founder or the secretary can enter these details.")
    values, errors = validate_private_details(raw, today or date.today())
    if errors:
        raise StepInvalid(errors)
    _lock(coop)
    row = db.session.execute(
        sa.select(OfficerPrivateDetails).where(OfficerPrivateDetails.coop_id == coop.id,
                                               OfficerPrivateDetails.slot == slot)
    ).scalar_one_or_none()
    if row is not None and not may_see_private(coop, actor, row):
        raise FoundingError("Another founder entered these details; only they or the secretary can change them.")
    if row is None:
        row = OfficerPrivateDetails(coop_id=coop.id, slot=slot, entered_by_id=actor.id)
        db.session.add(row)
    row.full_name, row.date_of_birth = values["full_name"], values["date_of_birth"]
    row.address, row.months_at_address = values["address"], values["months_at_address"]
    row.updated_at = utcnow()
    db.session.flush()
    record("founding.private_details_saved", coop=coop, actor=actor, subject=_step_row(coop, "registration"),
           data={"step": "registration", "slot": slot})
    return row
