"""The founding journey's step catalogue, loaded once from ``catalogue.toml``.

Pure data: no Flask or database import. A question's key is the shared name in
``coopkit.coops.parameters`` (one name for one thing) unless it is marked
``rules = false``; loading checks that, so a typo cannot slip through.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from coopkit.coops.parameters import PARAMETERS, bounds

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")

QUESTION_TYPES = ("str", "text", "int", "bool", "percent", "pence", "choice", "daymonth", "founder")
STEP_KINDS = ("questions", "team", "legal_form", "registration", "review", "checklist")

#: the largest withdrawable shareholding the 2014 Act allows one member (in pence)
STATUTORY_MAX_HOLDING_PENCE = 100_000 * 100


@dataclass(frozen=True)
class Question:
    key: str
    type: str
    label: str
    help: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    min: int | None = None
    max: int | None = None
    required: bool = True
    #: (other key, allowed values): ask only when that answer is one of them
    when: tuple[str, tuple[Any, ...]] | None = None
    #: the answer feeds the rule parameter of the same key
    feeds_rules: bool = True
    #: hidden from mentors (e.g. an address)
    private: bool = False

    @property
    def choice_pairs(self) -> list[tuple[str, str]]:
        return list(zip(self.choices, self.choice_labels or self.choices, strict=True))

    def label_for(self, value: Any) -> str:
        for choice, label in self.choice_pairs:
            if choice == value:
                return label
        return str(value)

    def applies(self, answers: dict[str, Any]) -> bool:
        if self.when is None:
            return True
        key, allowed = self.when
        return answers.get(key) in allowed


@dataclass(frozen=True)
class Step:
    key: str
    number: int
    title: str
    kind: str
    intro: str
    questions: tuple[Question, ...] = ()
    #: every current founder agrees to the answers (a change resets the agreement)
    signoff: bool = False
    guides: tuple[str, ...] = ()

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(q.key for q in self.questions)

    def question(self, key: str) -> Question:
        for q in self.questions:
            if q.key == key:
                return q
        raise KeyError(key)


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    help: str = ""


@dataclass(frozen=True)
class Catalogue:
    steps: tuple[Step, ...]
    checklist: tuple[ChecklistItem, ...]
    by_key: dict[str, Step] = field(default_factory=dict)
    step_of_key: dict[str, str] = field(default_factory=dict)

    def step(self, key: str) -> Step:
        return self.by_key[key]

    def checklist_item(self, key: str) -> ChecklistItem | None:
        return next((item for item in self.checklist if item.key == key), None)


class CatalogueError(ValueError):
    """The catalogue file is inconsistent (a programming error, caught by the tests)."""


def _question(raw: dict) -> Question:
    key = raw["key"]
    qtype = raw["type"]
    if qtype not in QUESTION_TYPES:
        raise CatalogueError(f"{key}: unknown type {qtype!r}")
    feeds_rules = raw.get("rules", True)
    default = raw.get("default")
    if feeds_rules:
        if key not in PARAMETERS:
            raise CatalogueError(f"{key}: not in coopkit.coops.parameters (add it there first)")
        if default is None:
            default = PARAMETERS[key][1]
    choices = tuple(raw.get("choices", ()))
    labels = tuple(raw.get("labels", ()))
    if qtype == "choice" and (not choices or (labels and len(labels) != len(choices))):
        raise CatalogueError(f"{key}: a choice needs choices (and one label each)")
    when = raw.get("when")
    low, high = raw.get("min"), raw.get("max")
    shared = bounds(key) if feeds_rules else None
    if shared is not None:
        if (low is not None and low != shared[0]) or (high is not None and high != shared[1]):
            raise CatalogueError(f"{key}: its range is set once, in coopkit.coops.parameters.RANGES")
        low, high = shared
    return Question(
        key=key, type=qtype, label=raw["label"], help=raw.get("help", ""), default=default,
        choices=choices, choice_labels=labels, min=low, max=high,
        required=raw.get("required", True), when=(when[0], tuple(when[1:])) if when else None,
        feeds_rules=feeds_rules, private=raw.get("private", False),
    )


def parse(data: dict) -> Catalogue:
    steps = []
    for number, raw in enumerate(data["steps"], start=1):
        kind = raw.get("kind", "questions")
        if kind not in STEP_KINDS:
            raise CatalogueError(f"{raw['key']}: unknown kind {kind!r}")
        steps.append(Step(
            key=raw["key"], number=number, title=raw["title"], kind=kind, intro=raw["intro"].strip(),
            questions=tuple(_question(q) for q in raw.get("questions", ())),
            signoff=raw.get("signoff", False), guides=tuple(raw.get("guides", ())),
        ))
    by_key = {s.key: s for s in steps}
    step_of_key: dict[str, str] = {}
    for step in steps:
        for q in step.questions:
            if q.key in step_of_key:
                raise CatalogueError(f"{q.key}: asked in two steps")
            step_of_key[q.key] = step.key
    for step in steps:
        for q in step.questions:
            if q.when and q.when[0] not in step_of_key:
                raise CatalogueError(f"{q.key}: depends on unknown key {q.when[0]}")
    checklist = tuple(ChecklistItem(i["key"], i["label"], i.get("help", "")) for i in data.get("checklist", ()))
    return Catalogue(steps=tuple(steps), checklist=checklist, by_key=by_key, step_of_key=step_of_key)


@cache
def catalogue() -> Catalogue:
    """The catalogue, read once per process."""
    with CATALOGUE_FILE.open("rb") as fh:
        return parse(tomllib.load(fh))


def steps() -> tuple[Step, ...]:
    return catalogue().steps


def get_step(key: str) -> Step | None:
    return catalogue().by_key.get(key)


def step_for_key(answer_key: str) -> Step | None:
    step_key = catalogue().step_of_key.get(answer_key)
    return catalogue().by_key[step_key] if step_key else None
