"""Reads about the founding journey. Loading is in bulk (a fixed number of
statements for any number of co-ops), so the mentor dashboard does not grow
with its cohort."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
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
from coopkit.jsonrows import json_rows, json_value


def _ids(coops: Iterable) -> list[int]:
    return [c if isinstance(c, int) else c.id for c in coops]


def _in_founding_group() -> sa.ColumnElement[bool]:
    """SQL condition: the ``Member`` is in the founding group of its ``Coop``.

    While forming or registering: the current founders. Once registered: the members
    admitted on or before the registration date (the founders became members then).
    """
    return sa.or_(
        sa.and_(Coop.stage != "registered", Member.status == "founder"),
        sa.and_(Coop.stage == "registered", Member.status.in_(("founder", "member")),
                sa.or_(Member.admitted_on.is_(None), Coop.registered_on.is_(None),
                       Member.admitted_on <= Coop.registered_on)),
    )


def founding_groups(coop_ids) -> dict[int, dict[int, str]]:
    """co-op id -> {register id: name} of its founding group (see :func:`_in_founding_group`), in one statement."""
    rows = db.session.execute(
        sa.select(Member.coop_id, Member.id, Member.full_name)
        .join(Coop, Coop.id == Member.coop_id)
        .where(Member.coop_id.in_(coop_ids), _in_founding_group())
        .order_by(Member.full_name, Member.id)
    ).all()
    groups: dict[int, dict[int, str]] = defaultdict(dict)
    for coop_id, member_id, name in rows:
        groups[coop_id][member_id] = name
    return groups


def saved_answers(coop_ids) -> dict[int, dict[str, Any]]:
    groups: dict[int, dict[str, Any]] = defaultdict(dict)
    for coop_id, key, value in db.session.execute(_saved_answers_statement(), {"coop_ids": list(coop_ids)}):
        groups[coop_id][key] = json.loads(value)
    return groups


@functools.cache
def _saved_answers_statement() -> sa.Select:
    """Built once per process (``coop_ids``: an expanding bind parameter)."""
    return sa.select(StepAnswer.coop_id, StepAnswer.key, StepAnswer.value).where(
        StepAnswer.coop_id.in_(sa.bindparam("coop_ids", expanding=True)))


def answers_column() -> sa.ScalarSelect:
    """The saved answers of the co-op in an enclosing select over ``coops``, as a column
    (see :mod:`coopkit.jsonrows`); :func:`answers_from` reads it."""
    return json_rows(sa.select(StepAnswer.key, json_value(StepAnswer.value)).where(StepAnswer.coop_id == Coop.id),
                     Coop)


def answers_from(rows: list[tuple]) -> dict[str, Any]:
    return dict(rows)


def journey_columns() -> dict[str, sa.ColumnElement]:
    """Everything the step statuses need but the rules' status, as columns of a select over
    ``coops`` (label: column; see :mod:`coopkit.jsonrows`); :func:`journey_inputs_from` reads
    one row of them."""
    open_thread = (StepComment.coop_id == Coop.id, StepComment.thread_id.is_(None), StepComment.resolved_at.is_(None))
    return {
        "founding_founders": json_rows(sa.select(Member.id, Member.full_name).where(Member.coop_id == Coop.id, _in_founding_group())
                                       .order_by(Member.full_name, Member.id), Coop),
        "founding_answers": answers_column(),
        "founding_signoffs": json_rows(
            sa.select(FoundingStep.step_key, StepSignoff.member_id)
            .join(StepSignoff, sa.and_(StepSignoff.step_id == FoundingStep.id,
                                       StepSignoff.revision == FoundingStep.revision))
            .where(FoundingStep.coop_id == Coop.id), Coop),
        "founding_comments": json_rows(
            sa.select(StepComment.step_key, sa.func.count(StepComment.id)).where(*open_thread)
            .group_by(StepComment.step_key), Coop),
        "founding_ticked": json_rows(
            sa.select(ChecklistTick.item_key).where(ChecklistTick.coop_id == Coop.id, ChecklistTick.ticked.is_(True)),
            Coop),
        "founding_private": sa.select(sa.func.count(OfficerPrivateDetails.id))
        .where(OfficerPrivateDetails.coop_id == Coop.id).scalar_subquery(),
    }


def journey_inputs_from(row: Mapping, rules_status: str | None) -> JourneyInputs:
    """A co-op's :class:`JourneyInputs` from its row of :func:`journey_columns`."""
    signoffs: dict[str, set[int]] = defaultdict(set)
    for step_key, member_id in row["founding_signoffs"]:
        signoffs[step_key].add(member_id)
    return JourneyInputs(
        answers=answers_from(row["founding_answers"]),
        founders=dict(row["founding_founders"]),
        signoffs={k: frozenset(v) for k, v in signoffs.items()},
        open_comments=dict(row["founding_comments"]),
        ticked=frozenset(key for (key,) in row["founding_ticked"]),
        checklist_keys=_checklist_keys(),
        private_details=row["founding_private"] or 0,
        rules_status=rules_status,
    )


def _checklist_keys() -> tuple[str, ...]:
    return tuple(item.key for item in catalogue.catalogue().checklist)


@functools.cache
def _journey_statement() -> sa.Select:
    """The journey's inputs of the co-ops ``ids``: built once per process (bind parameters)."""
    return (sa.select(Coop.id, *(column.label(key) for key, column in journey_columns().items()))
            .where(Coop.id.in_(sa.bindparam("ids", expanding=True))))


def journey_inputs(coops) -> dict[int, JourneyInputs]:
    """Everything the step statuses need for several co-ops: two statements in all."""
    ids = _ids(coops)
    if not ids:
        return {}
    rows = {row[0]: row._mapping for row in db.session.execute(_journey_statement(), {"ids": ids})}
    rules = rules_statuses(ids)
    return {coop_id: journey_inputs_from(rows.get(coop_id, _NOTHING), rules.get(coop_id)) for coop_id in ids}


#: the row of :func:`journey_columns` of a co-op that is not there
_NOTHING = {"founding_founders": [], "founding_answers": [], "founding_signoffs": [], "founding_comments": [],
            "founding_ticked": [], "founding_private": 0}


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
    return feeding_rules(saved_answers([coop.id]).get(coop.id, {}))


def feeding_rules(answers: dict[str, Any]) -> dict[str, Any]:
    """Of a co-op's saved answers, those that feed its rules (see :func:`answers_as_parameters`)."""
    cat = catalogue.catalogue()
    feeds = {q.key for step in cat.steps for q in step.questions if q.feeds_rules}
    return {k: v for k, v in answers.items() if k in feeds}


def answers_select(coop_id) -> sa.Select:
    """A co-op's saved answers (key, value decoded from JSON), for :func:`coopkit.jsonrows.json_rows`
    in another feature's statement; ``coop_id`` may be a bind parameter. :func:`answers_from` reads it."""
    return sa.select(StepAnswer.key, json_value(StepAnswer.value)).where(StepAnswer.coop_id == coop_id)


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
