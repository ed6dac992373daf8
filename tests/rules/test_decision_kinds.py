"""Decision kinds (the [decisions] tables of each manifest) against the rendered text.

Every rule set is rendered over its pairwise option combinations (the machinery of
test_rulesets.py); for each combination, every kind's numbers must be the numbers the
rendered text states, and every clause a kind cites must exist with the number it is
cited by. So the text and the voting engine cannot drift apart.
"""

from __future__ import annotations

import shutil
from fractions import Fraction

import pytest

from coopkit.rules import decisions, render
from coopkit.rules.ruleset import RuleSetError, load_ruleset, load_ruleset_dir
from tests.rules.test_rulesets import COMPLETE, combinations, ruleset_params, target_number

#: kinds every rule set declares whatever the answers (others depend on the founding choices)
ALWAYS = {"ordinary", "special", "entrenched", "expulsion", "dissolution", "poll"}
SOCIETY_ONLY = {"statutory_special", "audit_exemption"}


def paragraph(document, target: str) -> str:
    clause_id, _, label = target.partition("#")
    clause = document.clause(clause_id)
    assert clause is not None, target
    paras = [p for p in clause.paragraphs if not label or p.label == label]
    assert paras, target
    return render.unescape_md(" ".join(p.text + " " + " ".join(p.items) for p in paras))


def whom(basis: str) -> str:
    return "the votes cast" if basis == "cast" else "all the Members entitled to vote"


def threshold_words(kind: decisions.DecisionKind) -> str:
    if kind.threshold == Fraction(200, 3):
        return f"at least two thirds of {whom(kind.basis)}"
    if kind.threshold == 50:
        return f"more than half of {whom(kind.basis)}"
    return f"at least {kind.threshold}% of {whom(kind.basis)}"


def assert_kind_matches_text(document, kind: decisions.DecisionKind) -> None:
    answers = document.values.raw
    word = "Article" if document.legal_form == "company" else "Rule"
    assert kind.clause_word == word
    if kind.advisory:
        assert kind.clause is None and kind.method == "poll"
        return
    assert kind.clause_number == target_number(document, kind.clause), kind.key
    assert kind.citation.startswith(f"{word} {kind.clause_number}: {kind.name}")
    text = paragraph(document, kind.clause)
    if kind.method == "resolution":
        if threshold_words(kind) not in text:
            # the clause says "by Special Resolution" (or "Ordinary Resolution"): the kind counts
            # exactly as that resolution is defined, at a meeting or in writing
            which = "special" if "Special Resolution" in text else "ordinary"
            assert which.title() + " Resolution" in text or which + " resolution" in text, (kind.key, text)
            assert kind.threshold == answers[f"{which}_threshold_percent"]
            if kind.at_meeting:
                assert kind.basis == answers[f"{which}_basis"]
                assert threshold_words(kind) in paragraph(document, f"voting#{which}")
            else:
                assert threshold_words(kind) in paragraph(document, "written-resolutions#pass")
    if kind.method == "unanimity":
        assert "every Member" in text and kind.basis == "eligible" and kind.threshold == 100
    if kind.method == "instrument":
        assert kind.threshold == 75 and "signed by at least three quarters of the Members" in text
    if kind.method == "audit_exemption":
        assert (f"fewer than {kind.against_cast_below}% of the votes cast and fewer than "
                f"{kind.against_all_below}% of all the Members are against it") in text
        assert "only at a General Meeting" in text
    if kind.method in ("consent", "consensus"):
        assert f"stays open for at least {kind.min_days} day" in text
        assert kind.min_days == answers["consent_min_days"]
        assert ("raised a reasoned objection" if kind.method == "consent" else "cannot accept it") in text
        assert (kind.fallback == "ordinary") == bool(answers["fallback_vote"])
        if kind.fallback:
            assert "Ordinary Resolution" in paragraph(document, "consent#fallback")
    if kind.method == "election":
        assert "annual general meeting by Ordinary Resolution" in text
    if kind.confirm_threshold is not None:
        assert "at least 14 days and not more than one month after the first" in text
        assert "confirms it by more than half of the votes cast" in text
        assert (kind.confirm_threshold, kind.confirm_min_days, kind.confirm_max_months) == (50, 14, 1)
        assert "never be passed as a written resolution" in text
    # where: a meeting-only kind's clause says so; a written kind's clause is about writing
    if kind.at_meeting and not kind.in_writing:
        assert "General Meeting" in text or "general meeting" in text, kind.key
    if kind.in_writing and not kind.at_meeting:
        assert any(w in text for w in ("writing", "written", "instrument", "outside a meeting")), kind.key
    if kind.quorum_min_members is not None:
        size = paragraph(document, "quorum#size")
        assert f"The quorum is {kind.quorum_min_members} Member" in size
        assert f"or {kind.quorum_percent}% of the Members" in size
        assert (kind.quorum_min_members, kind.quorum_percent) == (answers["quorum_min_members"],
                                                                   answers["quorum_percent"])
    else:
        assert not kind.at_meeting or kind.basis == "eligible" or kind.advisory, f"{kind.key}: needs a quorum"
    if kind.notice_days is not None:
        assert f"At least {kind.notice_days} Clear Days' notice of every General Meeting" in \
            paragraph(document, "notice#length")
    if kind.time_limit_days is not None:
        assert kind.time_limit_days == answers["written_resolution_days"]
        assert f"which is {kind.time_limit_days} day" in paragraph(document, "written-resolutions#how")
        assert kind.basis == "eligible"
    if kind.voters == "members_except_subject":
        assert "may not vote on their own expulsion" in paragraph(document, "expulsion#reply")
    if kind.subject_notice_days is not None:
        assert f"At least {kind.subject_notice_days} Clear Days before the meeting" in \
            paragraph(document, "expulsion#notice")
        assert kind.reply_required and "right to reply" in paragraph(document, "expulsion#reply")
    for target in kind.protects:
        assert target_number(document, target) is not None
        assert ref_in_entrenched(document, target), target


def ref_in_entrenched(document, target: str) -> bool:
    """The entrenched sub-clause names each clause the engine protects (or is itself protected)."""
    if target == "voting#entrenched":
        return True
    return target_number(document, target) in paragraph(document, "voting#entrenched")


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_every_kind_matches_the_rendered_text_in_every_combination(ruleset):
    rows = combinations(ruleset)
    seen: set[str] = set()
    for answers in rows:
        document = render.render_document(ruleset, answers)
        kinds = decisions.kinds_for_document(ruleset, document)
        assert ALWAYS <= set(kinds)
        assert (SOCIETY_ONLY <= set(kinds)) == (ruleset.legal_form == "society")
        assert ("written_ordinary" in kinds) == ("written_special" in kinds) == bool(answers["written_resolutions"])
        assert ("consent" in kinds) == (answers["everyday_method"] == "consent")
        assert ("consensus" in kinds) == (answers["everyday_method"] == "consensus")
        assert ("admission" in kinds) == (answers["admission_by"] == "members")
        assert ("election" in kinds) == (answers["management"] == "board")
        asset_lock = answers["dissolution"] == "asset_lock"
        locked = "dissolution" if ruleset.legal_form == "society" else "winding-up"
        assert (locked in kinds["entrenched"].protects) == asset_lock
        for kind in kinds.values():
            assert_kind_matches_text(document, kind)
        if not answers["written_resolutions"]:
            assert not any(k.in_writing and k.method == "resolution" for k in kinds.values())
        seen |= set(kinds)
    every = {"ordinary", "special", "written_ordinary", "written_special", "entrenched", "expulsion",
             "admission", "written_admission", "election", "dissolution", "consent", "consensus", "poll"}
    assert every <= seen
    assert (SOCIETY_ONLY <= seen) == (ruleset.legal_form == "society")


def test_written_special_is_counted_on_all_members_and_the_meeting_one_on_votes_cast():
    ruleset = load_ruleset("worker-society")
    document = render.render_document(ruleset, COMPLETE)
    kinds = decisions.kinds_for_document(ruleset, document)
    special, written = kinds["special"], kinds["written_special"]
    assert (special.basis, special.threshold, special.at_meeting, special.in_writing) == ("cast", 75, True, False)
    assert (written.basis, written.threshold, written.at_meeting, written.in_writing) == ("eligible", 75, False, True)
    assert written.time_limit_days == 28 and written.quorum_min_members is None
    number = target_number(document, "written-resolutions#pass")
    assert written.citation == f"Rule {number}: written special resolution, 75% of all members"
    statutory = kinds["statutory_special"]
    assert statutory.threshold == Fraction(200, 3) and statutory.threshold_percent == 67
    assert not statutory.in_writing
    assert kinds["dissolution"].method == "instrument"


def test_a_manifest_citing_a_missing_clause_or_an_unknown_key_is_refused(tmp_path):
    source = load_ruleset("worker-society")
    folder = tmp_path / "worker-society"
    shutil.copytree(source.directory, folder)
    manifest = (folder / "ruleset.toml").read_text()
    (folder / "ruleset.toml").write_text(manifest.replace('clause = "board#elect"', 'clause = "nowhere#elect"'))
    with pytest.raises(RuleSetError, match="unknown clause 'nowhere#elect'"):
        load_ruleset_dir(folder)
    (folder / "ruleset.toml").write_text(manifest.replace('clause = "board#elect"', 'clause = "board#elect"\nvote = 3'))
    with pytest.raises(RuleSetError, match="unknown keys"):
        load_ruleset_dir(folder)
    # a label the text does not have: the kinds cannot be built (never a silent wrong number)
    (folder / "ruleset.toml").write_text(manifest.replace('clause = "board#elect"', 'clause = "board#nolabel"'))
    trimmed = load_ruleset_dir(folder)
    document = render.render_document(trimmed, {**COMPLETE, "management": "board"})
    with pytest.raises(decisions.DecisionKindError, match="board#nolabel"):
        decisions.kinds_for_document(trimmed, document)


def test_an_amendment_touching_the_asset_lock_is_entrenched_and_a_renumbering_is_not():
    ruleset = load_ruleset("worker-society")
    current = render.render_document(ruleset, COMPLETE)
    kinds = decisions.kinds_for_document(ruleset, current)
    co_own = render.render_document(ruleset, {**COMPLETE, "dissolution": "co_ownership"})
    assert decisions.touches_entrenched(kinds, current, co_own) == ["voting#entrenched", "dissolution"]
    recipient = render.render_document(ruleset, {**COMPLETE, "asset_lock_recipient": "Anyone at all"})
    assert decisions.touches_entrenched(kinds, current, recipient) == ["dissolution"]
    renumbered = render.render_document(ruleset, {**COMPLETE, "probation": "period"})
    assert decisions.touches_entrenched(kinds, current, renumbered) == []
    quorum = render.render_document(ruleset, {**COMPLETE, "quorum_min_members": 3})
    assert decisions.touches_entrenched(kinds, current, quorum) == []


def test_a_coop_reads_the_kinds_of_its_rules_in_force(app, make):
    from coopkit.coops.models import Coop
    from coopkit.extensions import db
    from coopkit.rules import queries

    founder = make.user(name="Fran Founder")
    coop = make.coop(founder, slug="kinds-coop")
    with app.app_context():
        kinds = queries.decision_kinds(db.session.get(Coop, coop.id))
        assert kinds["written_special"].basis == "eligible"
        assert kinds["special"].citation.startswith("Rule ")
        assert kinds["consent"].min_days == 7


@pytest.mark.parametrize("ruleset", ruleset_params())
def test_docs_counting_has_a_table_with_every_kind_and_its_clause(ruleset):
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "counting.md").read_text(encoding="utf-8")
    section = docs.split(f"### {ruleset.id}", 1)[1].split("\n## ", 1)[0]
    word = "Article" if ruleset.legal_form == "company" else "Rule"
    for variant in ({}, {"management": "board", "admission_by": "members"}, {"everyday_method": "consensus"}):
        document = render.render_document(ruleset, {**COMPLETE, **variant})
        for kind in decisions.kinds_for_document(ruleset, document).values():
            assert f"`{kind.key}`" in section, kind.key
            if kind.clause:
                assert f"{word} {kind.clause_number}" in section and f"`{kind.clause}`" in section, kind.key


def test_a_threshold_below_half_counts_as_more_than_half():
    """Rules adopted before the floors may hold 40%: the one threshold rule (more than half always
    applies) makes it 50, so a proposal can always be stored and counted."""
    ruleset = load_ruleset("worker-society")
    document = render.render_document(ruleset, COMPLETE)
    params = {**document.values.raw, "special_threshold_percent": 40}
    kinds = decisions.decision_kinds(ruleset, params, decisions.clause_numbers(document))
    assert kinds["special"].threshold == 50 and kinds["written_special"].threshold == 50
