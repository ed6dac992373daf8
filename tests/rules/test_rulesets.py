"""The rule-set content in rules_templates/: every rule set, over many combinations of answers.

- Pairwise: every pair of values of any two founding choices appears in at least one rendered
  combination (a small all-pairs generator below, no extra dependency); each combination renders
  without gaps, numbers its clauses 1..N, resolves every cross-reference to a clause that is in
  the text, and passes the compliance check.
- The check catches a clause that is missing from the text.
- Every founding choice changes the text.
- The society rules print to 15 or more A4 pages, with every clause heading.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import shutil
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from coopkit.coops.parameters import PARAMETERS
from coopkit.rules import compliance, render
from coopkit.rules import values as rule_values
from coopkit.rules.ruleset import (
    RULES_TEMPLATES_DIR,
    RuleSet,
    available_rulesets,
    load_ruleset,
    load_ruleset_dir,
)

RULESET_IDS = ("worker-society", "worker-company")
NAME = "Preston Digital Co-operative Limited"
COMPLETE = {
    "coop_name": NAME,
    "objects": "to carry on the business of designing, building and looking after software and websites",
    "registered_office": "Unit 4, 12 Fishergate, Preston PR1 2AA",
}


# --- a small all-pairs generator -----------------------------------------------------------------

def all_pairs(factors: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """Rows (one value per factor) such that every pair of values of any two factors appears in
    at least one row. Greedy and deterministic: each row starts from the first pair not yet
    covered and gives every other factor the value that covers the most uncovered pairs."""
    names = list(factors)
    for name in names:
        if not factors[name]:
            raise ValueError(f"factor {name!r} has no values")
    position = {name: i for i, name in enumerate(names)}

    def pair(a: str, i: int, b: str, j: int) -> tuple[str, int, str, int]:
        return (a, i, b, j) if position[a] < position[b] else (b, j, a, i)

    uncovered = {(a, i, b, j) for a, b in itertools.combinations(names, 2)
                 for i in range(len(factors[a])) for j in range(len(factors[b]))}
    rows: list[dict[str, int]] = []
    if len(names) == 1:
        rows = [{names[0]: i} for i in range(len(factors[names[0]]))]
    while uncovered:
        a, i, b, j = min(uncovered, key=lambda p: (position[p[0]], p[1], position[p[2]], p[3]))
        row = {a: i, b: j}
        for name in names:
            if name in row:
                continue
            row[name] = max(range(len(factors[name])),
                            key=lambda v: (sum(pair(other, row[other], name, v) in uncovered for other in row), -v))
        uncovered -= {pair(x, row[x], y, row[y]) for x, y in itertools.combinations(names, 2)}
        rows.append(row)
    return [{name: factors[name][row[name]] for name in names} for row in rows]


def test_all_pairs_covers_every_pair_with_far_fewer_rows_than_the_full_product():
    factors = {"a": [1, 2, 3], "b": ["x", "y"], "c": [True, False], "d": [10, 20, 30, 40], "e": ["p", "q", "r"]}
    rows = all_pairs(factors)
    for (a, av), (b, bv) in itertools.combinations(factors.items(), 2):
        for x, y in itertools.product(av, bv):
            assert any(row[a] == x and row[b] == y for row in rows), (a, x, b, y)
    assert all(set(row) == set(factors) for row in rows)
    full = 3 * 2 * 2 * 4 * 3
    assert 12 <= len(rows) < full / 4  # at least 4 x 3 rows are needed for (d, a)
    assert all_pairs(factors) == rows  # deterministic


def test_all_pairs_of_a_single_factor_lists_each_value_and_rejects_an_empty_one():
    assert all_pairs({"a": [1, 2]}) == [{"a": 1}, {"a": 2}]
    with pytest.raises(ValueError):
        all_pairs({"a": [1], "b": []})


# --- the founding choices, as factors ------------------------------------------------------------

#: one factor per founding choice; a tuple factor sets several parameters that must agree
COMMON_FACTORS: dict[str, list[Any]] = {
    "management": ["collective", "board"],
    "everyday_method": ["majority", "consent", "consensus"],
    "fallback_vote": [True, False],
    "dissolution": ["asset_lock", "co_ownership"],
    "probation": ["none", "period", "hours"],
    "non_voting_class": [False, True],
    "written_resolutions": [True, False],
    "electronic_meetings": [True, False],
    "electronic_voting": [True, False],
    "secondary_rules": [True, False],
    "leave_on_employment_end": [True, False],
    "admission_by": ["directors", "members"],
    "board_rotation": ["third", "none"],
    "bonus_basis": ["hours", "equal"],
    "welsh_office": [False, True],
    "ordinary_basis": ["cast", "eligible"],
    "special_basis": ["cast", "eligible"],
    "leaving_notice_days": [28, 0, 90],
    "surplus": [(40, 10, 50), (100, 0, 0), (30, 0, 70), (50, 50, 0)],
    "thresholds": [(50, 75), (60, 75), (66, 90), (75, 100)],
    "quorum": [(2, 50), (3, 25), (4, 0)],
    "notice": [(14, 90), (21, 95), (28, 90)],
    "board": [(5, 3, 2), (3, 1, 3), (9, 5, 2)],
    "probation_length": [(6, 500), (1, 1), (24, 4000)],
}
LEGAL_FORM_FACTORS: dict[str, dict[str, list[Any]]] = {
    "society": {"shares": [(100, 100), (100, 50_000), (500, 10_000_000)], "proxies": [False, True],
                "proxy_settings": [(2, 48), (1, 24), (10, 0)]},
    "company": {"guarantee_pence": [100, 1, 1000]},
}
EXPAND = {
    "surplus": ("surplus_reserves_percent", "surplus_common_good_percent", "surplus_bonus_percent"),
    "thresholds": ("ordinary_threshold_percent", "special_threshold_percent"),
    "quorum": ("quorum_min_members", "quorum_percent"),
    "notice": ("notice_clear_days", "short_notice_percent"),
    "board": ("board_size", "board_term_years", "min_directors"),
    "probation_length": ("probation_months", "probation_hours"),
    "shares": ("share_value_pence", "max_holding_pence"),
    "proxy_settings": ("proxy_limit", "proxy_deadline_hours"),
}
#: answers a person types: always given (they are the co-op's own words), not combined
TYPED = ("coop_name", "objects", "registered_office", "membership_eligibility", "asset_lock_recipient",
         "financial_year_end")
#: choices that the factors hold at their default (varied one at a time in the "changes the text" test)
HELD = ("expulsion_notice_days", "consent_min_days", "written_resolution_days", "borrowing_limit_pence")
#: parameters that are not a choice made in these documents' words
NOT_A_CHOICE = {"legal_form": "chooses which rule set is used; each rule set is for one legal form"}


def factors_for(ruleset: RuleSet) -> dict[str, list[Any]]:
    return {**COMMON_FACTORS, **LEGAL_FORM_FACTORS[ruleset.legal_form]}


def answers_from(row: Mapping[str, Any]) -> dict[str, Any]:
    answers = dict(COMPLETE)
    for name, value in row.items():
        if name in EXPAND:
            answers.update(zip(EXPAND[name], value, strict=True))
        else:
            answers[name] = value
    return answers


def combinations(ruleset: RuleSet) -> list[dict[str, Any]]:
    return [answers_from(row) for row in all_pairs(factors_for(ruleset))]


def ruleset_params():
    """Every rule set in rules_templates/, so a new one is tested as soon as it is added."""
    return [pytest.param(ruleset, id=ruleset.id) for ruleset in available_rulesets()]


def facts(ruleset: RuleSet, answers: Mapping[str, Any], founders: int = 3) -> compliance.Facts:
    return compliance.Facts(ruleset.legal_form, founders, answers["coop_name"], bool(answers.get("welsh_office")))


def check(ruleset: RuleSet, document: render.Document, answers: Mapping[str, Any], clauses=None) -> compliance.Report:
    return compliance.check(document.clauses if clauses is None else clauses, ruleset.coverage,
                            document.values.raw, facts(ruleset, answers), gaps=document.gaps,
                            problems=document.values.problems)


# --- the rule sets and their manifests ------------------------------------------------------------

def test_both_rule_sets_are_available_one_per_legal_form():
    found = {r.id: r.legal_form for r in available_rulesets()}
    assert found.get("worker-society") == "society"
    assert found.get("worker-company") == "company"
    assert set(RULESET_IDS) <= set(found)


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_coverage_map_names_a_clause_for_every_legal_requirement(ruleset):
    required = (compliance.SCHEDULE_1 if ruleset.legal_form == "society" else compliance.COMPANY) + compliance.BONA_FIDE
    assert sorted(ruleset.coverage) == sorted(req for req, _ in required)
    for req, clause_ids in ruleset.coverage.items():
        assert set(clause_ids) <= set(ruleset.clause_ids()), req


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_every_template_file_is_a_clause_or_a_shared_partial(ruleset):
    files = {p.relative_to(ruleset.directory).as_posix() for p in (ruleset.directory / "clauses").glob("*.md")}
    used = {c.file for c in ruleset.clauses}
    assert used <= files
    assert {f for f in files - used if not f.split("/")[-1].startswith("_")} == set()


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_the_factors_exercise_every_parameter_of_the_rule_set(ruleset):
    factors = factors_for(ruleset)
    covered = {key for name in factors for key in EXPAND.get(name, (name,))}
    accounted = covered | set(TYPED) | set(HELD) | set(NOT_A_CHOICE)
    assert set(ruleset.parameters) - accounted == set(), "add the new parameter to a factor, TYPED or HELD"
    assert covered <= set(ruleset.parameters)
    for name, values in factors.items():
        for value in values:
            for key, one in zip(EXPAND.get(name, (name,)), value if name in EXPAND else (value,), strict=True):
                rule_values.coerce(ruleset.parameters[key], one)  # every factor value is allowed by the manifest


def test_the_readme_documents_every_helper_templates_can_call():
    ruleset = load_ruleset("worker-society")
    context = render.template_context(ruleset, rule_values.resolve_values(ruleset, COMPLETE))
    helpers = sorted(name for name in context if name not in ruleset.parameters)
    assert helpers, "templates get helpers besides the parameters"
    readme = (RULES_TEMPLATES_DIR / "README.md").read_text(encoding="utf-8")
    assert [name for name in helpers if f"`{name}(" not in readme] == []


# --- pairwise rendering -----------------------------------------------------------------------------

REFERENCE_RE = re.compile(r"\b(?:sub-)?(?:clause|article)s?\s+(\d+(?:\.\d+)?)((?:(?:,\s*|\s+and\s+)\d+(?:\.\d+)?)*)",
                          re.IGNORECASE)


def referenced_numbers(text: str) -> list[str]:
    """Every number cited as "clause 7", "sub-clause 7.2", "articles 11 and 12"..."""
    found = []
    for match in REFERENCE_RE.finditer(text):
        found.append(match.group(1))
        found += re.findall(r"\d+(?:\.\d+)?", match.group(2))
    return found


def assert_well_formed(document: render.Document) -> None:
    numbers = [c.number for c in document.clauses]
    assert numbers == list(range(1, len(numbers) + 1))
    paragraphs = set()
    for clause in document.clauses:
        subs = [p.number for p in clause.paragraphs]
        if len(subs) > 1:
            assert subs == [f"{clause.number}.{i}" for i in range(1, len(subs) + 1)], clause.id
        paragraphs.update(subs)
    text = render.unescape_md(document.markdown)
    assert "\u27e6" not in document.markdown and "\u27e7" not in document.markdown
    assert not re.search(r"(clause|article)s?\s+\?", text, re.IGNORECASE)
    # Template syntax left over (typed answers are escaped, so they can't produce these in the Markdown)
    assert not re.search(r"(?<!\\)(\{\{|\{%|\[#)", document.markdown)
    refs = referenced_numbers(text)
    assert refs, "the text cross-refers between clauses"
    for number in refs:
        if "." in number:
            assert number in paragraphs, f"a reference to {number} points at no sub-clause"
        else:
            assert 1 <= int(number) <= len(numbers), f"a reference to {number} points at no clause"


#: (clause that refers, the clause or sub-clause it must cite); checked whenever both are in the text
KNOWN_REFERENCES = (
    ("membership", "probation"),
    ("admission", "membership"),
    ("admission", "consent"),
    ("admission", "supporters"),
    ("voting", "written-resolutions"),
    ("voting", "expulsion"),
    ("amendment", "voting#entrenched"),
    ("expulsion", "member-duties#duties"),
    ("leaving", "expulsion"),
    ("leaving", "share-withdrawal"),
    ("interpretation", "board"),
    ("interpretation", "collective-management"),
    ("interpretation", "secondary-rules"),
    ("general-meetings", "surplus"),
    ("quorum", "electronic-meetings"),
    ("liability", "surplus"),
    ("leaving", "liability#guarantee"),
    ("winding-up", "liability#guarantee"),
)


def target_number(document: render.Document, target: str) -> str | None:
    clause_id, _, label = target.partition("#")
    clause = document.clause(clause_id)
    if clause is None:
        return None
    if not label:
        return str(clause.number)
    return next((p.number or str(clause.number) for p in clause.paragraphs if p.label == label), None)


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_every_pairwise_combination_renders_completely_and_passes_the_check(ruleset):
    rows = combinations(ruleset)
    assert 12 <= len(rows) <= 40
    texts = set()
    for answers in rows:
        document = render.render_document(ruleset, answers)
        assert document.gaps == ()
        assert document.values.problems == ()
        assert_well_formed(document)
        report = check(ruleset, document, answers)
        assert report.passed, [(i.id, i.detail) for i in report.failures]
        texts.add(document.content_hash)
    # rows that differ only in answers that don't apply (a board's rotation under collective
    # management) give the same text; every other difference shows in the text
    assert len(texts) == len({effective(answers) for answers in rows})


def effective(answers: dict[str, Any]) -> tuple:
    """The answers that can reach the text: those whose PREREQUISITES hold."""
    return tuple(sorted(
        (key, repr(value)) for key, value in answers.items()
        if all(answers.get(k) == v for k, v in PREREQUISITES.get(key, {}).items())))


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_cross_references_follow_their_clause_when_optional_clauses_drop_out(ruleset):
    checked = 0
    rows = combinations(ruleset)
    for answers in rows:
        document = render.render_document(ruleset, answers)
        expected = 0
        for source, target in KNOWN_REFERENCES:
            clause = document.clause(source)
            number = target_number(document, target)
            if clause is None or number is None:
                continue
            body = render.unescape_md(" ".join(p.text + " " + " ".join(p.items) for p in clause.paragraphs))
            mentions = re.findall(r"(?:clause|article)s?\s+([\d.]+(?:(?:,\s*|\s+and\s+)[\d.]+)*)", body, re.I)
            cited = {n.rstrip(".") for m in mentions for n in re.findall(r"\d+(?:\.\d+)?", m)}
            if target_refs(ruleset, source, target, answers):
                expected += 1
                assert number in cited, f"{source} should cite {target} as {number}; it cites {sorted(cited)}"
        checked += expected
    assert checked >= 5 * len(rows), "the known references should be checked in every combination"


def target_refs(ruleset: RuleSet, source: str, target: str, answers: Mapping[str, Any]) -> bool:
    """Whether the source clause's template refers to the target under these answers: the template
    names it, and the sentence holding it is not switched off by a condition we know of."""
    spec = next((c for c in ruleset.clauses if c.id == source), None)
    if spec is None:
        return False
    if target.partition("#")[0] not in ruleset.clause_ids():
        return False
    source_text = (ruleset.directory / spec.file).read_text(encoding="utf-8")
    assert f"ref('{target}')" in source_text, f"{source} should cite {target} with ref()"
    conditional = {
        ("admission", "consent"): answers["everyday_method"] != "majority" and answers["admission_by"] == "directors",
        ("admission", "supporters"): bool(answers["non_voting_class"]),
        ("membership", "probation"): answers["probation"] != "none",
        ("voting", "written-resolutions"): bool(answers["written_resolutions"]),
        ("interpretation", "board"): answers["management"] == "board",
        ("interpretation", "collective-management"): answers["management"] == "collective",
        ("interpretation", "secondary-rules"): bool(answers["secondary_rules"]),
        ("quorum", "electronic-meetings"): bool(answers["electronic_meetings"]),
    }
    return conditional.get((source, target), True)


# --- any answers the manifest allows ---------------------------------------------------------------

#: letters and the characters that mean something in Markdown or in our own markers; no digits,
#: so a typed answer cannot look like a clause reference
TYPED_ALPHABET = "abcXYZ '-.,;:&<>*_`#[]()!\\{}|\u27e6\u27e7\n\t\u00e9\u0175"


def any_answer(ruleset: RuleSet, key: str) -> st.SearchStrategy:
    spec = ruleset.parameters[key]
    if spec.choices:
        return st.sampled_from(spec.choices)
    if spec.type == "bool":
        return st.booleans()
    if spec.type in ("int", "percent", "pence"):
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else (100 if spec.type == "percent" else 10**9)
        return st.integers(low, high)
    return st.text(TYPED_ALPHABET, min_size=1, max_size=60).filter(str.strip)


@pytest.mark.parametrize("ruleset", ruleset_params())
# No shrinking: a failing example is reported as found (shrinking 45 answers at once takes minutes).
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture],
          phases=[Phase.explicit, Phase.generate])
@given(data=st.data())
def test_any_answers_the_manifest_allows_render_a_well_formed_document(ruleset, data):
    answers = {key: data.draw(any_answer(ruleset, key), label=key) for key in ruleset.parameters
               if key not in NOT_A_CHOICE}
    document = render.render_document(ruleset, answers)
    assert document.gaps == () and document.values.problems == ()
    assert_well_formed(document)
    html = render.to_html(document.markdown)
    assert "<script" not in html and "<a " not in html and "<h1" not in html and "<img" not in html
    report = check(ruleset, document, answers)
    coverage_failures = [i.id for i in report.failures if not i.id.startswith("p.")]
    assert coverage_failures == []


# --- the check catches a missing clause -------------------------------------------------------------

@pytest.mark.parametrize("ruleset", ruleset_params())
def test_the_check_fails_each_requirement_whose_clause_is_removed(ruleset):
    answers = answers_from(all_pairs(factors_for(ruleset))[0])
    document = render.render_document(ruleset, answers)
    assert check(ruleset, document, answers).passed
    for requirement, clause_ids in ruleset.coverage.items():
        kept = [c for c in document.clauses if c.id not in clause_ids]
        report = check(ruleset, document, answers, clauses=kept)
        item = report.item(requirement)
        assert item.status == "fail", requirement
        assert "expected: " + ", ".join(clause_ids) in item.detail
        still_ok = {r for r, ids in ruleset.coverage.items() if not set(ids) & set(clause_ids)}
        assert {i.id for i in report.failures} & still_ok == set()


def emptied_copy(tmp_path, ruleset_id: str, clause_file: str) -> RuleSet:
    """A copy of a rule set in which an adviser has emptied one clause: only its title is left,
    so it drops out of the text."""
    copy = tmp_path / ruleset_id
    shutil.copytree(RULES_TEMPLATES_DIR / ruleset_id, copy)
    title = (copy / clause_file).read_text(encoding="utf-8").strip().splitlines()[0]
    (copy / clause_file).write_text(title + "\n", encoding="utf-8")
    return load_ruleset_dir(copy)


@pytest.mark.parametrize(("ruleset_id", "clause_file", "requirements"), [
    ("worker-society", "clauses/seal.md", ["sch1.seal"]),
    ("worker-society", "clauses/name.md", ["sch1.name"]),
    ("worker-company", "clauses/name.md", ["co.name"]),
    ("worker-company", "clauses/objects.md", ["co.objects", "bf.mutual_benefit"]),
])
def test_a_clause_deleted_from_the_templates_fails_the_check(tmp_path, ruleset_id, clause_file, requirements):
    original = load_ruleset(ruleset_id)
    answers = dict(COMPLETE, legal_form=original.legal_form)
    assert check(original, render.render_document(original, answers), answers).passed
    edited = emptied_copy(tmp_path, ruleset_id, clause_file)
    document = render.render_document(edited, answers)
    clause_id = next(c.id for c in edited.clauses if c.file == clause_file)
    assert document.clause(clause_id) is None
    assert len(document.clauses) == len(render.render_document(original, answers).clauses) - 1
    report = check(edited, document, answers)
    assert [i.id for i in report.failures] == requirements


@pytest.mark.parametrize(("ruleset_id", "clause_file", "target"), [
    ("worker-society", "clauses/share_withdrawal.md", "share-withdrawal"),
    ("worker-company", "clauses/liability.md", "liability"),
])
def test_deleting_a_clause_that_others_cite_is_refused_by_name(tmp_path, ruleset_id, clause_file, target):
    edited = emptied_copy(tmp_path, ruleset_id, clause_file)
    with pytest.raises(render.RenderError, match=re.escape(f"ref('{target}')")):
        render.render_document(edited, dict(COMPLETE, legal_form=edited.legal_form))


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_a_missing_answer_is_a_marked_gap_that_fails_the_check(ruleset):
    answers = dict(COMPLETE, objects="")
    document = render.render_document(ruleset, answers)
    assert document.gaps == ("objects",)
    assert "gap:objects" in document.markdown
    report = check(ruleset, document, answers)
    assert [i.id for i in report.failures] == ["p.gaps"]


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_bad_numbers_fail_the_check(ruleset):
    answers = dict(COMPLETE, quorum_min_members=1, surplus_reserves_percent=60)
    report = check(ruleset, render.render_document(ruleset, answers), answers)
    assert {"p.valid.quorum_min_members", "p.surplus"} <= {i.id for i in report.failures}


def test_the_company_articles_refuse_what_the_companies_act_forbids():
    ruleset = load_ruleset("worker-company")
    answers = dict(COMPLETE, special_threshold_percent=66, notice_clear_days=7, short_notice_percent=80)
    document = render.render_document(ruleset, answers)
    assert {key for key, _ in document.values.problems} == {"special_threshold_percent", "notice_clear_days",
                                                            "short_notice_percent"}
    assert not check(ruleset, document, answers).passed


def test_a_society_holding_above_the_statutory_cap_is_refused():
    ruleset = load_ruleset("worker-society")
    answers = dict(COMPLETE, max_holding_pence=100_000 * 100 + 1)
    document = render.render_document(ruleset, answers)
    assert [key for key, _ in document.values.problems] == ["max_holding_pence"]
    assert not check(ruleset, document, answers).passed


# --- every founding choice changes the text -----------------------------------------------------------

#: what must be true for a parameter's words to be in the text at all
PREREQUISITES: dict[str, dict[str, Any]] = {
    "board_size": {"management": "board"},
    "board_term_years": {"management": "board"},
    "board_rotation": {"management": "board"},
    "probation_months": {"probation": "period"},
    "probation_hours": {"probation": "hours"},
    "consent_min_days": {"everyday_method": "consent"},
    "fallback_vote": {"everyday_method": "consent"},
    "written_resolution_days": {"written_resolutions": True},
    "asset_lock_recipient": {"dissolution": "asset_lock"},
    "bonus_basis": {"surplus_bonus_percent": 50},
    "proxy_limit": {"proxies": True},
    "proxy_deadline_hours": {"proxies": True},
}


def alternatives(ruleset: RuleSet, key: str) -> list[Any]:
    spec = ruleset.parameters[key]
    if spec.choices:
        return list(spec.choices)
    if spec.type == "bool":
        return [True, False]
    if spec.type in ("int", "percent", "pence"):
        low = spec.minimum if spec.minimum is not None else 0
        high = spec.maximum if spec.maximum is not None else (100 if spec.type == "percent" else spec.default * 2 + 10)
        values = {spec.default, low, high}
        if spec.type == "percent" and key.startswith("surplus_"):
            values.discard(0)  # a zero share leaves its line out, which also changes the text
            values.add(0)
        return sorted(values)
    if key == "financial_year_end":
        return ["31-03", "31-12", "05-04"]
    return ["Anyone who works for the co-op", "A & B <Co-op> *Limited*", "the Northern Co-operative Fund"]


def founding_choices(ruleset: RuleSet) -> list[str]:
    return [key for key in ruleset.parameters if key not in NOT_A_CHOICE]


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_every_founding_choice_changes_the_text(ruleset):
    unchanged = []
    for key in founding_choices(ruleset):
        base = dict(COMPLETE, **PREREQUISITES.get(key, {}))
        texts = {}
        for value in alternatives(ruleset, key):
            document = render.render_document(ruleset, {**base, key: value})
            assert document.values.problems == (), (key, value)
            texts[repr(value)] = document.markdown
        if len(set(texts.values())) != len(texts):
            unchanged.append(key)
    assert unchanged == [], "these answers don't change the text of the document for every value"


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_the_issue_s_founding_choices_are_all_parameters_of_both_documents(ruleset):
    listed = {"management", "everyday_method", "dissolution", "probation", "surplus_reserves_percent",
              "surplus_common_good_percent", "surplus_bonus_percent", "quorum_min_members", "quorum_percent",
              "notice_clear_days", "ordinary_threshold_percent", "special_threshold_percent",
              "written_resolutions", "electronic_meetings", "secondary_rules"}
    assert listed <= set(founding_choices(ruleset))
    assert set(ruleset.parameters) <= set(PARAMETERS)


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_typed_answers_print_literally(ruleset):
    answers = dict(COMPLETE, coop_name="*Bold* [link](http://example.org) Limited",
                   objects="# heading\n- not a list <script>")
    document = render.render_document(ruleset, answers)
    html = render.to_html(document.markdown)
    assert "<script>" not in html and "<a " not in html and "<h1" not in html
    text = render.unescape_md(document.markdown)
    assert "*Bold* [link](http://example.org) Limited" in text
    assert "&lt;script&gt;" in html


# --- the printed society rules --------------------------------------------------------------------

def shortest_society_answers() -> dict[str, Any]:
    """Every optional clause switched off and every choice at its briefest wording."""
    return dict(COMPLETE, management="collective", everyday_method="majority", probation="none",
                non_voting_class=False, written_resolutions=False, electronic_meetings=False,
                electronic_voting=False, secondary_rules=False, dissolution="co_ownership",
                surplus_reserves_percent=100, surplus_common_good_percent=0, surplus_bonus_percent=0,
                leaving_notice_days=0)


def pdf_text(pdf: bytes) -> tuple[int, str]:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return len(reader.pages), " ".join(unicodedata.normalize("NFKC", text).split())


def print_rules(app, make, ruleset: RuleSet, answers: dict[str, Any]) -> bytes:
    from coopkit.coops.models import Coop
    from coopkit.extensions import db
    from coopkit.rules import documents
    from coopkit.rules.models import RulesVersion

    record = make.coop(name=answers["coop_name"], legal_form=ruleset.legal_form)
    document = render.render_document(ruleset, answers)
    with app.app_context():
        coop = db.session.get(Coop, record.id)
        version = RulesVersion(coop_id=coop.id, number=1, ruleset_id=ruleset.id, ruleset_version=ruleset.version,
                               parameters=json.dumps(document.values.raw, sort_keys=True), text=document.markdown,
                               content_hash=document.content_hash, status="draft")
        db.session.add(version)
        db.session.flush()
        pdf = documents.rules_pdf(coop, version)
        db.session.rollback()
    return pdf


def test_the_society_rules_run_to_at_least_15_pages_even_with_every_option_off(app, make):
    ruleset = load_ruleset("worker-society")
    answers = shortest_society_answers()
    document = render.render_document(ruleset, answers)
    assert {"probation", "supporters", "consent", "electronic-meetings", "written-resolutions", "board",
            "secondary-rules"}.isdisjoint(c.id for c in document.clauses)
    pages, text = pdf_text(print_rules(app, make, ruleset, answers))
    assert pages >= 15
    assert NAME in text
    flat = text.replace(" ", "")
    for clause in document.clauses:
        assert f"{clause.number}.{clause.title}".replace(" ", "") in flat, clause.title


def test_the_company_articles_print_with_every_heading(app, make):
    ruleset = load_ruleset("worker-company")
    answers = answers_from(all_pairs(factors_for(ruleset))[1])
    document = render.render_document(ruleset, answers)
    pages, text = pdf_text(print_rules(app, make, ruleset, answers))
    assert pages >= 12
    assert "Articles of association" in text and NAME in text
    flat = text.replace(" ", "")
    for clause in document.clauses:
        assert f"{clause.number}.{clause.title}".replace(" ", "") in flat, clause.title
