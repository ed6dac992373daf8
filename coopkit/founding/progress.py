"""Where a founding group has got to: a pure core (no Flask, no database).

Each step is not started, in progress, complete, or needs changes (a comment
thread on it is open). The overall percentage is the share of complete steps.
The same function serves one co-op's overview and a mentor's table of many.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from coopkit.founding.catalogue import Step, catalogue, steps
from coopkit.founding.validation import Context, check_answers, team_problem

NOT_STARTED, IN_PROGRESS, COMPLETE, NEEDS_CHANGES = "not_started", "in_progress", "complete", "needs_changes"
STATUS_LABELS = {
    NOT_STARTED: "Not started",
    IN_PROGRESS: "In progress",
    COMPLETE: "Complete",
    NEEDS_CHANGES: "Needs changes",
}
#: officers whose anti-money-laundering details the application asks for
PRIVATE_DETAILS_NEEDED = 2


@dataclass(frozen=True)
class JourneyInputs:
    """Everything the statuses depend on, loaded in bulk by the queries."""

    answers: Mapping[str, Any] = field(default_factory=dict)
    #: register id -> name of everyone in the founding group
    founders: Mapping[int, str] = field(default_factory=dict)
    #: step key -> register ids who agreed to the step's current answers (team: who confirmed)
    signoffs: Mapping[str, frozenset[int]] = field(default_factory=dict)
    #: step key -> number of open comment threads
    open_comments: Mapping[str, int] = field(default_factory=dict)
    ticked: frozenset[str] = frozenset()
    checklist_keys: tuple[str, ...] = ()
    private_details: int = 0
    #: the newest RulesVersion's status, or None
    rules_status: str | None = None


@dataclass(frozen=True)
class StepState:
    step: Step
    status: str
    #: labels of required questions not answered yet (and other things left to do)
    missing: tuple[str, ...] = ()
    #: answers that conflict with each other, by key
    problems: Mapping[str, str] = field(default_factory=dict)
    signed: frozenset[int] = frozenset()
    open_comments: int = 0

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def answers_complete(self) -> bool:
        return not self.missing and not self.problems


@dataclass(frozen=True)
class Journey:
    states: tuple[StepState, ...]

    @property
    def complete_count(self) -> int:
        return sum(1 for s in self.states if s.status == COMPLETE)

    @property
    def percent(self) -> int:
        return round(100 * self.complete_count / len(self.states)) if self.states else 0

    @property
    def next_state(self) -> StepState | None:
        """The first step that needs something: a step needing changes first, then the first not complete."""
        for state in self.states:
            if state.status == NEEDS_CHANGES:
                return state
        return next((s for s in self.states if s.status != COMPLETE), None)

    def state(self, key: str) -> StepState:
        return next(s for s in self.states if s.step.key == key)


def _question_state(step: Step, inputs: JourneyInputs) -> tuple[bool, tuple[str, ...], dict[str, str]]:
    answers = inputs.answers
    started = any(k in answers for k in step.keys)
    missing = [q.label for q in step.questions if q.required and q.applies(answers) and q.key not in answers]
    problems: dict[str, str] = {}
    if started:
        ctx = Context(answers=answers, founder_ids=tuple(inputs.founders))
        problems = check_answers(step, answers, ctx)
    if step.kind == "registration":
        started = started or inputs.private_details > 0
        if inputs.private_details < PRIVATE_DETAILS_NEEDED:
            missing.append("Anti-money-laundering details for two officers")
    return started, tuple(missing), problems


def step_state(step: Step, inputs: JourneyInputs) -> StepState:
    founders = frozenset(inputs.founders)
    signed = inputs.signoffs.get(step.key, frozenset()) & founders
    missing: tuple[str, ...] = ()
    problems: dict[str, str] = {}
    if step.kind == "team":
        problem = team_problem(len(founders), inputs.answers.get("legal_form", "society"))
        if problem:
            problems["team"] = problem
        unconfirmed = len(founders - signed)
        if unconfirmed:
            missing = (f"{unconfirmed} founder{'s' if unconfirmed != 1 else ''} still to confirm",)
        started, done = bool(signed), bool(founders) and not problem and not unconfirmed
    elif step.kind == "review":
        started, done = inputs.rules_status is not None, inputs.rules_status is not None
    elif step.kind == "checklist":
        left = [k for k in inputs.checklist_keys if k not in inputs.ticked]
        missing = tuple(getattr(catalogue().checklist_item(k), "label", k) for k in left)
        started, done = bool(inputs.ticked), not left
    else:
        started, missing, problems = _question_state(step, inputs)
        done = started and not missing and not problems
        if step.signoff:
            done = done and bool(founders) and founders <= signed
    open_comments = inputs.open_comments.get(step.key, 0)
    if open_comments:
        status = NEEDS_CHANGES
    elif done:
        status = COMPLETE
    elif started:
        status = IN_PROGRESS
    else:
        status = NOT_STARTED
    return StepState(step=step, status=status, missing=missing, problems=problems, signed=signed,
                     open_comments=open_comments)


def journey(inputs: JourneyInputs) -> Journey:
    return Journey(states=tuple(step_state(step, inputs) for step in steps()))
