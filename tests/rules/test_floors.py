"""Compliance floors: each weak option is an error in the check, refused by every rule set and
by the founding journey, and one range per number is shared by all three."""

from __future__ import annotations

import pytest

from coopkit.coops.parameters import FORM_RANGES, RANGES, bounds
from coopkit.founding.catalogue import catalogue
from coopkit.rules import compliance, render
from coopkit.rules import values as rule_values
from coopkit.rules.ruleset import available_rulesets, load_ruleset
from tests.rules.test_rulesets import COMPLETE

#: (changes to sound answers, the check item that must fail, words its detail must contain)
WEAK = [
    ({"notice_clear_days": 13}, "p.notice", "at least 14 clear days"),
    ({"notice_clear_days": 7}, "p.notice", "at least 14 clear days"),
    ({"short_notice_percent": 89}, "p.short_notice", "90%"),
    ({"short_notice_percent": 50}, "p.short_notice", "90%"),
    ({"special_threshold_percent": 74}, "p.special_threshold", "at least 75%"),
    ({"special_threshold_percent": 66}, "p.special_threshold", "at least 75%"),
    ({"quorum_min_members": 2, "quorum_percent": 0}, "p.quorum", "two could still hold"),
    ({"quorum_min_members": 2, "quorum_percent": 40}, "p.quorum", "two could still hold"),
    ({"quorum_min_members": 1, "quorum_percent": 50}, "p.quorum", "one person"),
    ({"expulsion_notice_days": 13}, "p.expulsion_notice", "at least 14"),
    ({"expulsion_notice_days": 7}, "p.expulsion_notice", "at least 14"),
    ({"probation": "hours", "probation_hours": 5000}, "p.probation", "1 to 4000 hours"),
    ({"probation": "period", "probation_months": 30}, "p.probation", "1 to 24 months"),
]
SOUND = {"notice_clear_days": 14, "short_notice_percent": 90, "special_threshold_percent": 75,
         "quorum_min_members": 2, "quorum_percent": 50, "expulsion_notice_days": 14, "probation": "hours",
         "probation_hours": 4000}


def _report(legal_form: str, params: dict) -> compliance.Report:
    ruleset = load_ruleset("worker-society" if legal_form == "society" else "worker-company")
    values = rule_values.resolve_values(ruleset, dict(COMPLETE)).raw
    facts = compliance.Facts(legal_form, 3, COMPLETE["coop_name"])
    return compliance.check([], {}, {**values, **params}, facts)


@pytest.mark.parametrize("legal_form", ["society", "company"])
def test_sound_answers_at_the_floors_pass(legal_form):
    report = _report(legal_form, SOUND)
    assert [i.id for i in report.failures if i.id.startswith("p.")] == []
    for item_id in ("p.notice", "p.short_notice", "p.special_threshold", "p.quorum", "p.expulsion_notice",
                    "p.probation"):
        assert report.item(item_id).status == "ok"


@pytest.mark.parametrize("legal_form", ["society", "company"])
@pytest.mark.parametrize(("changes", "item_id", "words"), WEAK)
def test_each_weak_option_is_an_error_not_a_warning(legal_form, changes, item_id, words):
    report = _report(legal_form, {**SOUND, **changes})
    item = report.item(item_id)
    assert item.status == "fail", item
    assert words in item.detail
    assert not report.passed


@pytest.mark.parametrize("ruleset", available_rulesets(), ids=lambda r: r.id)
@pytest.mark.parametrize(("changes", "item_id", "words"), WEAK)
def test_every_rule_set_refuses_each_weak_answer_and_cannot_be_adopted(ruleset, changes, item_id, words):
    answers = {**COMPLETE, **SOUND, **changes}
    document = render.render_document(ruleset, answers)
    refused = {key for key, _ in document.values.problems}
    report = compliance.check(document.clauses, ruleset.coverage, document.values.raw,
                              compliance.Facts(ruleset.legal_form, 3, COMPLETE["coop_name"]),
                              gaps=document.gaps, problems=document.values.problems)
    assert not report.passed
    failed = {i.id for i in report.failures}
    # a number outside its range is refused by name (never printed as the default without a word);
    # a combination of sound numbers that is weak together fails its own item
    assert (refused & set(changes) and {f"p.valid.{key}" for key in refused} <= failed) or item_id in failed


def test_a_company_s_short_notice_is_between_90_and_95_percent():
    assert _report("company", {**SOUND, "short_notice_percent": 96}).item("p.short_notice").status == "fail"
    assert _report("society", {**SOUND, "short_notice_percent": 96}).item("p.short_notice").status == "ok"


def test_a_stored_version_with_a_weak_answer_fails_though_no_render_problem_was_kept():
    """Old versions are checked from their saved parameters alone: the floors still apply."""
    report = _report("society", {**SOUND, "notice_clear_days": 10, "min_directors": 1})
    assert {"p.notice", "p.valid.notice_clear_days", "p.valid.min_directors"} <= {i.id for i in report.failures}


# --- one range, shared --------------------------------------------------------------------------

def test_the_founding_journey_and_every_rule_set_use_the_shared_ranges():
    questions = {q.key: q for step in catalogue().steps for q in step.questions}
    checked = 0
    for key, shared in RANGES.items():
        if key in questions:
            assert (questions[key].min, questions[key].max) == shared, key
            checked += 1
        for ruleset in available_rulesets():
            spec = ruleset.parameters.get(key)
            if spec is not None:
                assert (spec.minimum, spec.maximum) == bounds(key, ruleset.legal_form), (ruleset.id, key)
                checked += 1
    assert checked > 2 * len(RANGES)
    assert questions["probation_hours"].max == load_ruleset("worker-society").parameters["probation_hours"].maximum


def test_a_range_narrowed_for_a_legal_form_stays_inside_the_shared_one():
    for form, ranges in FORM_RANGES.items():
        for key, (low, high) in ranges.items():
            assert RANGES[key][0] <= low <= high <= RANGES[key][1], (form, key)


def test_a_manifest_that_sets_its_own_range_is_refused(tmp_path):
    import shutil

    from coopkit.rules.ruleset import RULES_TEMPLATES_DIR, RuleSetError, load_ruleset_dir

    copy = tmp_path / "worker-society"
    shutil.copytree(RULES_TEMPLATES_DIR / "worker-society", copy)
    manifest = copy / "ruleset.toml"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace(
        'probation_hours = { type = "int" }', 'probation_hours = { type = "int", min = 1, max = 5000 }'),
        encoding="utf-8")
    with pytest.raises(RuleSetError, match="probation_hours.*RANGES"):
        load_ruleset_dir(copy)


def test_the_journey_refuses_what_the_rules_would_refuse():
    from coopkit.founding.validation import Context, validate_step

    step = catalogue().step("membership")
    ctx = Context(answers={"legal_form": "society"}, founder_ids=(1, 2, 3))
    outcome = validate_step(step, {"probation": "hours", "probation_hours": "5000"}, ctx)
    assert outcome.errors["probation_hours"] == "Enter a number from 1 to 4000."
    outcome = validate_step(step, {"probation": "hours", "probation_hours": "4000"}, ctx)
    assert "probation_hours" not in outcome.errors
    decisions = catalogue().step("decisions")
    company = Context(answers={"legal_form": "company"}, founder_ids=(1, 2, 3))
    outcome = validate_step(decisions, {"short_notice_percent": "100"}, company)
    assert "90% to 95%" in outcome.errors["short_notice_percent"]
