"""The pure core: rendering, the compliance check and the diff (no Flask, no database)."""

from __future__ import annotations

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopkit.rules import compliance, diff, render, values
from coopkit.rules.ruleset import RuleSetError, load_ruleset, load_ruleset_dir

ANSWERS = {"coop_name": "Test Workers Co-operative Limited", "objects": "To write software for charities.",
           "registered_office": "1 Fishergate, Preston PR1 1AA"}
FACTS = compliance.Facts(legal_form="society", founder_count=3, name=ANSWERS["coop_name"])


@pytest.fixture(scope="module")
def society():
    return load_ruleset("worker-society")


def _check(ruleset, document, facts=FACTS):
    return compliance.check(document.clauses, ruleset.coverage, document.values.raw, facts,
                            gaps=document.gaps, problems=document.values.problems)


def test_complete_answers_pass_every_check(society):
    document = render.render_document(society, ANSWERS)
    report = _check(society, document)
    assert report.passed, [(i.id, i.detail) for i in report.failures]
    schedule = [i for i in report.items if i.group.startswith("Schedule 1")]
    assert [i.id for i in schedule] == [r for r, _ in compliance.SCHEDULE_1]
    for item in schedule:  # each matter names the clause that covers it
        clause = document.clause(item.clause_id)
        assert clause is not None and item.detail == f"Clause {clause.number}: {clause.title}"


@pytest.mark.parametrize("requirement", [r for r, _ in compliance.SCHEDULE_1])
def test_check_catches_a_removed_clause(society, requirement):
    document = render.render_document(society, ANSWERS)
    removed = set(society.coverage[requirement])
    kept = [c for c in document.clauses if c.id not in removed]
    report = compliance.check(kept, society.coverage, document.values.raw, FACTS)
    assert not report.passed
    assert report.item(requirement).status == "fail"
    assert "No clause in the text covers this" in report.item(requirement).detail


def test_check_catches_a_clause_removed_from_the_rule_set(society, tmp_path):
    """An adviser makes the seal clause conditional on something never true in a copy of the
    rule set: the rules still render, and the check names the Schedule 1 matter left uncovered."""
    folder = tmp_path / "worker-society"
    shutil.copytree(society.directory, folder)
    manifest = (folder / "ruleset.toml").read_text()
    entry = 'id = "seal"\nfile = "clauses/seal.md"\n'
    assert entry in manifest
    (folder / "ruleset.toml").write_text(manifest.replace(entry, entry + 'when = "welsh_office and not welsh_office"\n'))
    trimmed = load_ruleset_dir(folder)
    document = render.render_document(trimmed, ANSWERS)
    assert document.clause("seal") is None
    report = _check(trimmed, document)
    assert [i.id for i in report.failures] == ["sch1.seal"]
    assert report.item("sch1.seal").detail == "No clause in the text covers this (expected: seal)."


def test_check_fails_when_the_text_lacks_the_covering_clause(society):
    document = render.render_document(society, ANSWERS)
    text = document.markdown
    start = text.index("{#c-seal}")
    start = text.rindex("## ", 0, start)
    end = text.index("\n## ", start + 3)
    stored = text[:start] + text[end + 1:]
    report = compliance.check(render.outline(stored), society.coverage, document.values.raw, FACTS)
    assert report.item("sch1.seal").status == "fail"
    assert [i.id for i in report.failures] == ["sch1.seal"]


@pytest.mark.parametrize(("changes", "failing"), [
    ({"quorum_min_members": 1}, "p.valid.quorum_min_members"),
    ({"special_threshold_percent": 40}, "p.valid.special_threshold_percent"),
    ({"surplus_bonus_percent": 60}, "p.surplus"),
    ({"min_directors": 1}, "p.valid.min_directors"),
])
def test_parameter_sanity(society, changes, failing):
    document = render.render_document(society, {**ANSWERS, **changes})
    report = _check(society, document)
    assert failing in {i.id for i in report.failures}


def test_founders_name_ending_and_holding():
    params = values.resolve_values(load_ruleset("worker-society"), ANSWERS).raw
    over = compliance.check([], {}, {**params, "max_holding_pence": 10_000_001}, FACTS)
    assert over.item("p.max_holding").status == "fail" and "£100,000 limit" in over.item("p.max_holding").detail
    at_limit = compliance.check([], {}, {**params, "max_holding_pence": 10_000_000}, FACTS)
    assert at_limit.item("p.max_holding").status == "ok"
    two = compliance.check([], {}, params, compliance.Facts("society", 2, "Two Co-operative Limited"))
    assert two.item("p.founders").status == "fail"
    bad_name = compliance.check([], {}, params, compliance.Facts("society", 3, "Pixels Co-op"))
    assert bad_name.item("p.name").status == "fail"
    welsh = compliance.check([], {}, params, compliance.Facts("society", 3, "Picseli Cyfyngedig", welsh_office=True))
    assert welsh.item("p.name").status == "ok"


def test_missing_answer_is_a_gap_and_fails_the_check(society):
    document = render.render_document(society, {"coop_name": "Gap Co-operative Limited"})
    assert document.gaps == ("objects", "registered_office")
    assert render.gap_marker("objects") in document.markdown
    report = _check(society, document)
    assert report.item("p.gaps").status == "fail"
    html = render.to_html(document.markdown, lambda key: f"missing {key}", lambda key: f"/steps/{key}")
    assert '<mark class="gap"><a href="/steps/objects">missing objects</a></mark>' in html


def test_cross_references_follow_clauses_that_drop_out(society):
    with_probation = render.render_document(society, {**ANSWERS, "probation": "period"})
    without = render.render_document(society, {**ANSWERS, "probation": "none"})
    assert with_probation.clause("probation") is not None and without.clause("probation") is None
    for document in (with_probation, without):
        numbers = [c.number for c in document.clauses]
        assert numbers == list(range(1, len(numbers) + 1))
        general = document.clause("general-meetings").number
        assert f"clause {general}" in document.markdown  # the interpretation clause points at the right number
    assert with_probation.clause("general-meetings").number == without.clause("general-meetings").number + 1


def test_every_choice_changes_the_text(society):
    base = render.render_document(society, ANSWERS).markdown
    for change in ({"management": "board"}, {"everyday_method": "majority"}, {"dissolution": "co_ownership"},
                   {"probation": "hours"}, {"surplus_reserves_percent": 30, "surplus_bonus_percent": 60},
                   {"quorum_min_members": 3}, {"notice_clear_days": 21}, {"special_threshold_percent": 80},
                   {"written_resolutions": False}, {"electronic_meetings": False, "electronic_voting": False},
                   {"secondary_rules": False}):
        assert render.render_document(society, {**ANSWERS, **change}).markdown != base, change


def test_templates_are_sandboxed(tmp_path, society):
    folder = tmp_path / "evil-set"
    shutil.copytree(society.directory, folder)
    manifest = (folder / "ruleset.toml").read_text().replace('id = "worker-society"', 'id = "evil-set"')
    (folder / "ruleset.toml").write_text(manifest)
    (folder / "clauses" / "name.md").write_text("# Name\n\n{{ money.__globals__['__builtins__'] }}\n")
    with pytest.raises(render.RenderError):
        render.render_document(load_ruleset_dir(folder), ANSWERS)
    (folder / "clauses" / "name.md").write_text("# Name\n\n{{ not_a_parameter }}\n")
    with pytest.raises(render.RenderError):  # StrictUndefined
        render.render_document(load_ruleset_dir(folder), ANSWERS)


def test_unknown_rule_set_is_refused():
    with pytest.raises(RuleSetError):
        load_ruleset("../etc")
    with pytest.raises(RuleSetError):
        load_ruleset("no-such-set")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_typed_values_print_literally(value):
    """Whatever a person types, the sanitised HTML shows it as text: no tags, links or emphasis."""
    escaped = render.escape_md(value)
    html = render.to_html(f"**1.1** The name is {escaped}.\n")
    assert "<a " not in html and "<script" not in html.lower() and "<em>" not in html
    assert "<strong>" in html and html.count("<strong>") == 1
    assert not render.GAP_RE.search(escaped) and not render.REF_RE.search(escaped)


def test_word_diff_marks_changed_words_and_escapes():
    marked = diff.word_diff("Notice of 14 clear days <b>", "Notice of 21 clear days <b>")
    assert str(marked) == "Notice of <del>14</del><ins>21</ins> clear days &lt;b&gt;"


def test_clause_diff_matches_clauses_by_id(society):
    old = render.render_document(society, {**ANSWERS, "probation": "none"}).markdown
    new = render.render_document(society, {**ANSWERS, "probation": "period", "notice_clear_days": 21}).markdown
    changes = diff.clause_diff(old, new)
    by_status = {}
    for change in changes:
        by_status.setdefault(change.status, []).append(change)
    probation = render.render_document(society, {**ANSWERS, "probation": "period"}).clause("probation")
    assert [c.title for c in by_status["added"]] == [probation.title]
    assert "removed" not in by_status
    assert any("<del>14</del><ins>21</ins>" in c.html for c in by_status["changed"])
    notice = next(c for c in by_status["changed"] if "<del>14</del><ins>21</ins>" in c.html)
    assert not notice.numbers_only  # a changed number of days is a real change
    interpretation = next(c for c in changes if c.old_title == "Interpretation")
    assert interpretation.status == "changed" and interpretation.numbers_only  # only its references moved
    assert any(c.renumbered for c in by_status["unchanged"])
    assert diff.clause_diff(old, old) and all(c.status == "unchanged" for c in diff.clause_diff(old, old))


def test_parameter_changes_in_plain_words():
    lines = diff.parameter_changes({"quorum_min_members": 2, "management": "collective"},
                                   {"quorum_min_members": 3, "management": "board"})
    assert lines == ["Quorum: at least this many members: from 2 to 3.",
                     "Every member a director, or an elected board: from every member is a director "
                     "to an elected board."]


@pytest.fixture(scope="module")
def society_document(society):
    return render.render_document(society, ANSWERS)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_check_fails_exactly_the_requirements_left_uncovered(society, society_document, data):
    """Property: drop any set of clauses; the failures are exactly the requirements none of whose
    covering clauses remain, and every other coverage item names a clause that is still there."""
    ids = [c.id for c in society_document.clauses]
    dropped = set(data.draw(st.lists(st.sampled_from(ids), unique=True, max_size=len(ids))))
    kept = [c for c in society_document.clauses if c.id not in dropped]
    report = compliance.check(kept, society.coverage, society_document.values.raw, FACTS)
    expected = {req for req, clauses in society.coverage.items()
                if req in compliance.REQUIREMENT_LABELS and not set(clauses) - dropped}
    coverage_items = [i for i in report.items if i.group != "Answers"]
    assert {i.id for i in coverage_items if i.status == "fail"} == expected
    for item in coverage_items:
        if item.status == "ok":
            assert item.clause_id not in dropped and item.clause_id in society.coverage[item.id]
