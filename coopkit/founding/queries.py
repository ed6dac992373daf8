"""Reads about the founding journey. Loading is in bulk (a fixed number of
statements for any number of co-ops), so the mentor dashboard does not grow
with its cohort."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from coopkit.accounts.models import User
from coopkit.audit.models import AuditEvent
from coopkit.audit.services import event_data
from coopkit.coops.models import Coop, Member, Officer
from coopkit.extensions import db
from coopkit.founding import catalogue, effects
from coopkit.founding.models import (
    ChecklistTick,
    FoundingStep,
    OfficerPrivateDetails,
    StepAnswer,
    StepComment,
    StepSignoff,
)
from coopkit.founding.progress import Journey, JourneyInputs, journey


def _ids(coops: Iterable) -> list[int]:
    return [c if isinstance(c, int) else c.id for c in coops]


def founding_groups(coop_ids) -> dict[int, dict[int, str]]:
    """co-op id -> {register id: name} of its founding group, in one statement.

    While forming or registering: the current founders. Once registered: the members
    admitted on or before the registration date (the founders became members then).
    """
    rows = db.session.execute(
        sa.select(Member.coop_id, Member.id, Member.full_name)
        .join(Coop, Coop.id == Member.coop_id)
        .where(Member.coop_id.in_(coop_ids))
        .where(sa.or_(
            sa.and_(Coop.stage != "registered", Member.status == "founder"),
            sa.and_(Coop.stage == "registered", Member.status.in_(("founder", "member")),
                    sa.or_(Member.admitted_on.is_(None), Coop.registered_on.is_(None),
                           Member.admitted_on <= Coop.registered_on)),
        ))
        .order_by(Member.full_name, Member.id)
    ).all()
    groups: dict[int, dict[int, str]] = defaultdict(dict)
    for coop_id, member_id, name in rows:
        groups[coop_id][member_id] = name
    return groups


def saved_answers(coop_ids) -> dict[int, dict[str, Any]]:
    groups: dict[int, dict[str, Any]] = defaultdict(dict)
    for coop_id, key, value in db.session.execute(
        sa.select(StepAnswer.coop_id, StepAnswer.key, StepAnswer.value).where(StepAnswer.coop_id.in_(coop_ids))
    ):
        groups[coop_id][key] = json.loads(value)
    return groups


def journey_inputs(coops) -> dict[int, JourneyInputs]:
    """Everything the step statuses need for several co-ops: seven statements in all."""
    ids = _ids(coops)
    if not ids:
        return {}
    founders = founding_groups(ids)
    answers = saved_answers(ids)
    signoffs: dict[int, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    for coop_id, step_key, member_id in db.session.execute(
        sa.select(FoundingStep.coop_id, FoundingStep.step_key, StepSignoff.member_id)
        .join(StepSignoff, sa.and_(StepSignoff.step_id == FoundingStep.id,
                                   StepSignoff.revision == FoundingStep.revision))
        .where(FoundingStep.coop_id.in_(ids))
    ):
        signoffs[coop_id][step_key].add(member_id)
    comments: dict[int, dict[str, int]] = defaultdict(dict)
    for coop_id, step_key, count in db.session.execute(
        sa.select(StepComment.coop_id, StepComment.step_key, sa.func.count(StepComment.id))
        .where(StepComment.coop_id.in_(ids), StepComment.thread_id.is_(None), StepComment.resolved_at.is_(None))
        .group_by(StepComment.coop_id, StepComment.step_key)
    ):
        comments[coop_id][step_key] = count
    ticked: dict[int, set[str]] = defaultdict(set)
    for coop_id, item_key in db.session.execute(
        sa.select(ChecklistTick.coop_id, ChecklistTick.item_key)
        .where(ChecklistTick.coop_id.in_(ids), ChecklistTick.ticked.is_(True))
    ):
        ticked[coop_id].add(item_key)
    private = dict(db.session.execute(
        sa.select(OfficerPrivateDetails.coop_id, sa.func.count(OfficerPrivateDetails.id))
        .where(OfficerPrivateDetails.coop_id.in_(ids)).group_by(OfficerPrivateDetails.coop_id)
    ).all())
    rules = rules_statuses(ids)
    checklist_keys = tuple(item.key for item in catalogue.catalogue().checklist)
    return {
        coop_id: JourneyInputs(
            answers=answers.get(coop_id, {}),
            founders=founders.get(coop_id, {}),
            signoffs={k: frozenset(v) for k, v in signoffs.get(coop_id, {}).items()},
            open_comments=comments.get(coop_id, {}),
            ticked=frozenset(ticked.get(coop_id, ())),
            checklist_keys=checklist_keys,
            private_details=private.get(coop_id, 0),
            rules_status=rules.get(coop_id),
        )
        for coop_id in ids
    }


def rules_statuses(coop_ids) -> dict[int, str]:
    """co-op id -> status of its newest rules version (co-ops without rules are absent).
    The rules package sits above founding and answers through an effect."""
    statuses: dict[int, str] = {}
    for answer in effects.rules_statuses(coop_ids=list(coop_ids)):
        statuses.update(answer)
    return statuses


def journeys(coops) -> dict[int, Journey]:
    return {coop_id: journey(inputs) for coop_id, inputs in journey_inputs(coops).items()}


def journey_for(coop) -> tuple[Journey, JourneyInputs]:
    inputs = journey_inputs([coop.id])[coop.id]
    return journey(inputs), inputs


def answers_as_parameters(coop) -> dict[str, Any]:
    """The co-op's saved answers under the keys of coopkit.coops.parameters.

    Only answered keys are present: no defaults are filled in, and answers that feed
    no rule (e.g. the legal-form questionnaire) are left out.
    """
    cat = catalogue.catalogue()
    feeds = {q.key for step in cat.steps for q in step.questions if q.feeds_rules}
    return {k: v for k, v in saved_answers([coop.id]).get(coop.id, {}).items() if k in feeds}


def step_for_parameter(key: str) -> tuple[str, str] | None:
    """(step key, step title) of the step that asks for a parameter, or None if no step asks it."""
    step = catalogue.step_for_key(key)
    return (step.key, f"{step.number}. {step.title}") if step else None


def step_row(coop, step_key: str) -> FoundingStep | None:
    return db.session.execute(
        sa.select(FoundingStep).where(FoundingStep.coop_id == coop.id, FoundingStep.step_key == step_key)
    ).scalar_one_or_none()


def step_history(coop, step_key: str, limit: int = 50) -> list[dict]:
    """Who changed the step and when (from the audit log): newest first."""
    row = step_row(coop, step_key)
    if row is None:
        return []
    events = db.session.execute(
        sa.select(AuditEvent, User.name)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(AuditEvent.coop_id == coop.id, AuditEvent.subject_type == "FoundingStep",
               AuditEvent.subject_id == str(row.id))
        .order_by(AuditEvent.seq.desc()).limit(limit)
    ).all()
    return [{"at": e.created_at, "who": name or "Someone", "action": e.action, "data": event_data(e)}
            for e, name in events]


def signoffs(coop, step_key: str) -> dict[int, tuple]:
    """register id -> (signed_at, revision) for the step's current revision."""
    rows = db.session.execute(
        sa.select(StepSignoff.member_id, StepSignoff.signed_at)
        .join(FoundingStep, sa.and_(FoundingStep.id == StepSignoff.step_id,
                                    FoundingStep.revision == StepSignoff.revision))
        .where(FoundingStep.coop_id == coop.id, FoundingStep.step_key == step_key)
    ).all()
    return {member_id: signed_at for member_id, signed_at in rows}


def my_founder_id(coop, user) -> int | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.execute(
        sa.select(Member.id).where(Member.coop_id == coop.id, Member.user_id == user.id, Member.status == "founder")
    ).scalar_one_or_none()


def checklist(coop) -> dict[str, tuple[bool, Any, str]]:
    """item key -> (ticked, when it last changed, who changed it)."""
    rows = db.session.execute(
        sa.select(ChecklistTick.item_key, ChecklistTick.ticked, ChecklistTick.changed_at, User.name)
        .outerjoin(User, User.id == ChecklistTick.changed_by_id)
        .where(ChecklistTick.coop_id == coop.id)
    ).all()
    return {key: (ticked, at, name or "Someone") for key, ticked, at, name in rows}


def private_details_summary(coop) -> list[tuple[int, str]]:
    """(slot, name of who entered it) for each officer's details: no private value."""
    return [tuple(r) for r in db.session.execute(
        sa.select(OfficerPrivateDetails.slot, User.name)
        .join(User, User.id == OfficerPrivateDetails.entered_by_id)
        .where(OfficerPrivateDetails.coop_id == coop.id).order_by(OfficerPrivateDetails.slot)
    ).all()]


def registered_secretaries(coop) -> list[str]:
    """Names of who holds the office of secretary in the register of officers now."""
    return list(db.session.execute(
        sa.select(Member.full_name).join(Officer, Officer.member_id == Member.id)
        .where(Officer.coop_id == coop.id, Officer.office == "secretary", Officer.ceased_on.is_(None),
               Member.status.in_(("founder", "member")))
        .order_by(Member.full_name)
    ).scalars())
def step_threads(coop, step_key: str) -> list[tuple[StepComment, list[StepComment]]]:
    """The comment threads on a step, oldest first, each with its replies: one statement."""
    rows = db.session.execute(
        sa.select(StepComment).options(joinedload(StepComment.author))
        .where(StepComment.coop_id == coop.id, StepComment.step_key == step_key)
        .order_by(StepComment.created_at, StepComment.id)
    ).scalars().all()
    threads = {c.id: (c, []) for c in rows if c.thread_id is None}
    for comment in rows:
        if comment.thread_id is not None and comment.thread_id in threads:
            threads[comment.thread_id][1].append(comment)
    return list(threads.values())


def thread(coop, comment_id: int) -> StepComment | None:
    comment = db.session.get(StepComment, comment_id)
    if comment is None or comment.coop_id != coop.id or comment.thread_id is not None:
        return None
    return comment
