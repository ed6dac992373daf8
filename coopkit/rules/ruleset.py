"""Rule sets: the manifest (ruleset.toml) and clause templates under rules_templates/<id>/.

Pure: reads files, no Flask or database. See rules_templates/README.md for the format.
"""

from __future__ import annotations

import functools
import logging
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopkit.coops.parameters import PARAMETERS, bounds
from coopkit.rules.decisions import DecisionKindError, check_table

log = logging.getLogger("coopkit.rules")

RULES_TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "rules_templates"
ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,58}$")
CLAUSE_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
LEGAL_FORMS = ("society", "company")
#: types whose values are free text typed by a person: escaped before they reach Markdown
TEXT_TYPES = ("str", "text")


class RuleSetError(ValueError):
    """A rule set's files are wrong: the message names the file and the problem."""


@dataclass(frozen=True)
class ParameterSpec:
    key: str
    type: str
    default: Any
    required: bool = False
    minimum: int | None = None
    maximum: int | None = None
    label: str = ""

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self.type.split(":", 1)[1].split("|")) if self.type.startswith("choice:") else ()


@dataclass(frozen=True)
class ClauseSpec:
    id: str
    file: str
    when: str = ""


@dataclass(frozen=True)
class Release:
    """One entry of a rule set's changelog (changelog.toml): what changed in a version."""

    version: str
    date: Any
    changes: tuple[str, ...]
    #: what a co-op that upgrades should know (e.g. "re-check your objects")
    note: str = ""


def version_key(version: str) -> tuple[int, ...]:
    """"1.10" sorts after "1.9"."""
    try:
        return tuple(int(part) for part in str(version).split("."))
    except ValueError:
        return (0,)


@dataclass(frozen=True)
class RegisterTerms:
    """What the rules say that the registers must enforce."""

    #: the co-op has share capital (a society's withdrawable shares); a company limited by guarantee has none
    share_capital: bool = True
    #: whether a member may transfer shares to another member
    shares_transferable: bool = False
    #: a member holds one share for as long as they are a member (withdrawn only on leaving)
    member_keeps_one_share: bool = True
    #: written notice a member gives to withdraw shares beyond the one every member holds
    withdrawal_notice_months: int = 3
    #: the clauses that say so (cited in the register's messages)
    transfer_clause: str = ""
    withdrawal_clause: str = ""


def _terms(path: Path, table: str, cls, raw: Any):
    """A manifest table ([register], [calendar]) read into its dataclass; unknown keys refused."""
    raw = raw if isinstance(raw, dict) else {}
    unknown = set(raw) - set(cls.__dataclass_fields__)
    if unknown:
        raise _fail(path, f"[{table}] has unknown keys {sorted(unknown)}")
    return cls(**raw)


def _register_terms(path: Path, raw: Any, clause_ids: set[str]) -> RegisterTerms:
    terms = _terms(path, "register", RegisterTerms, raw)
    for clause in (terms.transfer_clause, terms.withdrawal_clause):
        if clause and clause not in clause_ids:
            raise _fail(path, f"[register] names unknown clause {clause!r}")
    return terms


@dataclass(frozen=True)
class CalendarTerms:
    """What the rules fix about the statutory calendar ([calendar] in the manifest)."""

    #: the annual general meeting is held within this many months of each financial year end
    agm_within_months: int = 6
    #: and never more than this many months after the previous one
    agm_max_gap_months: int = 15
    #: the clause that says so ("id#label"); tests/rules check its text states both numbers
    agm_clause: str = ""


def _calendar_terms(path: Path, raw: Any, clause_ids: set[str]) -> CalendarTerms:
    terms = _terms(path, "calendar", CalendarTerms, raw)
    if not (1 <= terms.agm_within_months <= terms.agm_max_gap_months <= 24):
        raise _fail(path, "[calendar] needs 1 <= agm_within_months <= agm_max_gap_months <= 24")
    if terms.agm_clause and terms.agm_clause.partition("#")[0] not in clause_ids:
        raise _fail(path, f"[calendar] names unknown clause {terms.agm_clause!r}")
    return terms


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    version: str
    legal_form: str
    document_kind: str
    description: str
    directory: Path
    parameters: dict[str, ParameterSpec]
    clauses: tuple[ClauseSpec, ...]
    #: legal requirement id -> clause ids that meet it (any one of them present is enough)
    coverage: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: decision kind key -> its [decisions.<key>] table (coopkit.rules.decisions builds the records)
    decisions: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: the changelog, newest first (changelog.toml beside the manifest)
    changelog: tuple[Release, ...] = ()
    #: what the registers must follow ([register] in the manifest): see RegisterTerms
    register: RegisterTerms = field(default_factory=lambda: RegisterTerms())
    #: what the calendar must follow ([calendar] in the manifest): see CalendarTerms
    calendar: CalendarTerms = field(default_factory=lambda: CalendarTerms())

    def clause_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.clauses)


def _fail(path: Path, message: str) -> RuleSetError:
    return RuleSetError(f"{path}: {message}")


def _parameter(path: Path, key: str, raw: Any, legal_form: str) -> ParameterSpec:
    if key not in PARAMETERS:
        raise _fail(path, f"parameter {key!r} is not in coopkit/coops/parameters.py (add it there first)")
    shared_type, shared_default, description = PARAMETERS[key]
    raw = raw if isinstance(raw, dict) else {}
    declared = raw.get("type", shared_type)
    if declared != shared_type:
        raise _fail(path, f"parameter {key!r} has type {declared!r} but the shared vocabulary says {shared_type!r}")
    required = bool(raw.get("required", False))
    if required and shared_type not in TEXT_TYPES:
        raise _fail(path, f"parameter {key!r}: only text parameters can be required (others need a default)")
    minimum, maximum = raw.get("min"), raw.get("max")
    shared_range = bounds(key, legal_form)
    if shared_range is not None:
        if (minimum is not None and minimum != shared_range[0]) or (maximum is not None and maximum != shared_range[1]):
            raise _fail(path, f"parameter {key!r}: its range is {shared_range[0]}..{shared_range[1]} in "
                              "coopkit/coops/parameters.py (RANGES), shared with the founding journey; "
                              "don't set another here")
        minimum, maximum = shared_range
    spec = ParameterSpec(key=key, type=shared_type, default=raw.get("default", shared_default), required=required,
                         minimum=minimum, maximum=maximum, label=raw.get("label", description))
    if spec.choices and not required and spec.default not in spec.choices:
        raise _fail(path, f"parameter {key!r}: default {spec.default!r} is not one of {spec.choices}")
    return spec


def load_ruleset_dir(directory: Path) -> RuleSet:
    """Read and check one rule set folder; raises RuleSetError naming what is wrong."""
    manifest = directory / "ruleset.toml"
    if not manifest.is_file():
        raise _fail(directory, "no ruleset.toml")
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(manifest, f"not valid TOML: {exc}") from None
    for key in ("id", "title", "version", "legal_form", "clauses"):
        if key not in data:
            raise _fail(manifest, f"missing {key!r}")
    if not ID_RE.match(data["id"]) or data["id"] != directory.name:
        raise _fail(manifest, "id must be lower-case letters, digits and hyphens and equal the folder name")
    if data["legal_form"] not in LEGAL_FORMS:
        raise _fail(manifest, f"legal_form must be one of {LEGAL_FORMS}")
    parameters = {key: _parameter(manifest, key, raw, data["legal_form"])
                  for key, raw in data.get("parameters", {}).items()}
    clauses: list[ClauseSpec] = []
    seen: set[str] = set()
    for raw in data["clauses"]:
        clause = ClauseSpec(id=raw.get("id", ""), file=raw.get("file", ""), when=raw.get("when", ""))
        if not CLAUSE_ID_RE.match(clause.id) or clause.id in seen:
            raise _fail(manifest, f"clause id {clause.id!r} is missing, badly formed or repeated")
        path = (directory / clause.file).resolve()
        if directory.resolve() not in path.parents or not path.is_file():
            raise _fail(manifest, f"clause {clause.id!r}: file {clause.file!r} not found in the rule set folder")
        seen.add(clause.id)
        clauses.append(clause)
    coverage: dict[str, tuple[str, ...]] = {}
    for requirement, clause_ids in data.get("coverage", {}).items():
        clause_ids = (clause_ids,) if isinstance(clause_ids, str) else tuple(clause_ids)
        unknown = [c for c in clause_ids if c not in seen]
        if unknown or not clause_ids:
            raise _fail(manifest, f"coverage {requirement!r} names unknown clauses {unknown}")
        coverage[requirement] = clause_ids
    decisions = data.get("decisions", {})
    for key, table in decisions.items():
        if not CLAUSE_ID_RE.match(key.replace("_", "-")) or not isinstance(table, dict):
            raise _fail(manifest, f"decision kind {key!r} is badly formed")
        try:
            check_table(key, table)
        except DecisionKindError as exc:
            raise _fail(manifest, str(exc)) from None
        for label in [table.get("clause")] + [e["clause"] if isinstance(e, dict) else e
                                               for e in table.get("protects", ())]:
            if label and label.partition("#")[0] not in seen:
                raise _fail(manifest, f"decision {key!r} names unknown clause {label!r}")
    changelog = _changelog(directory, str(data["version"]))
    return RuleSet(id=data["id"], title=data["title"], version=str(data["version"]), legal_form=data["legal_form"],
                   document_kind=data.get("document_kind", "Rules"), description=data.get("description", ""),
                   directory=directory, parameters=parameters, clauses=tuple(clauses), coverage=coverage,
                   decisions=decisions, changelog=changelog,
                   register=_register_terms(manifest, data.get("register"), seen),
                   calendar=_calendar_terms(manifest, data.get("calendar"), seen))


def _changelog(directory: Path, version: str) -> tuple[Release, ...]:
    """The releases in changelog.toml, newest first; the newest must be the manifest's version."""
    path = directory / "changelog.toml"
    if not path.is_file():
        return ()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise _fail(path, f"not valid TOML: {exc}") from None
    releases = []
    for raw in data.get("release", []):
        if not raw.get("version") or not raw.get("changes"):
            raise _fail(path, "each [[release]] needs a version and a list of changes")
        releases.append(Release(str(raw["version"]), raw.get("date"), tuple(str(c) for c in raw["changes"]),
                                str(raw.get("note", ""))))
    releases.sort(key=lambda r: version_key(r.version), reverse=True)
    if len({r.version for r in releases}) != len(releases):
        raise _fail(path, "a version is listed twice")
    if releases and releases[0].version != version:
        raise _fail(path, f"the newest release is {releases[0].version} but ruleset.toml says version {version}: "
                          "bump both together")
    return tuple(releases)


def changes_since(ruleset: RuleSet, version: str) -> list[Release]:
    """The releases after ``version`` (the one a co-op's rules were made from), newest first."""
    return [r for r in ruleset.changelog if version_key(r.version) > version_key(version)]


@functools.cache
def load_ruleset(ruleset_id: str, root: Path = RULES_TEMPLATES_DIR) -> RuleSet:
    if not ID_RE.match(ruleset_id or ""):
        raise RuleSetError(f"no rule set called {ruleset_id!r}")
    directory = root / ruleset_id
    if not directory.is_dir():
        raise RuleSetError(f"no rule set called {ruleset_id!r}")
    return load_ruleset_dir(directory)


def available_rulesets(root: Path = RULES_TEMPLATES_DIR) -> list[RuleSet]:
    return [load_ruleset(p.name, root) for p in sorted(root.iterdir()) if (p / "ruleset.toml").is_file()]


def default_ruleset_for(legal_form: str | None, root: Path = RULES_TEMPLATES_DIR) -> RuleSet:
    """The first rule set (by folder name) for the legal form. A broken rule set for another
    form does not stop this one working: its error is logged, and raised only if nothing fits."""
    form = legal_form if legal_form in LEGAL_FORMS else "society"
    problems: list[str] = []
    for path in sorted(root.iterdir()):
        if not (path / "ruleset.toml").is_file():
            continue
        try:
            ruleset = load_ruleset(path.name, root)
        except RuleSetError as exc:
            log.error("Rule set %s can't be loaded: %s", path.name, exc)
            problems.append(str(exc))
            continue
        if ruleset.legal_form == form:
            return ruleset
    raise RuleSetError(f"no rule set for the legal form {form!r}" + (f" ({'; '.join(problems)})" if problems else ""))
