"""Drafting defects an adviser would send back, each checked over every rule set and every
pairwise combination of its founding choices (the machinery of test_rulesets.py), with typed
answers written the way founders write them ("Anyone employed by the co-op", "To carry on...")."""

from __future__ import annotations

import functools
import re

import pytest

from coopkit.rules import render
from coopkit.rules.ruleset import RuleSet, available_rulesets
from tests.rules.test_rulesets import combinations

#: typed answers as founders really type them: capitals, "co-op", lower-case "members"
AS_TYPED = {
    "membership_eligibility": "Anyone employed by the co-op who supports its objects and the other members",
    "objects": "To carry on the business of designing websites for the co-op's clients",
    "asset_lock_recipient": "Another co-operative chosen by the members",
}


@functools.cache
def _documents(ruleset_id: str) -> tuple[tuple[dict, render.Document], ...]:
    ruleset = next(r for r in available_rulesets() if r.id == ruleset_id)
    out = []
    for answers in combinations(ruleset):
        answers = {**answers, **AS_TYPED}
        out.append((answers, render.render_document(ruleset, answers)))
    return tuple(out)


def documents(ruleset: RuleSet):
    return _documents(ruleset.id)


def text_of(document: render.Document, target: str) -> str:
    clause_id, _, label = target.partition("#")
    clause = document.clause(clause_id)
    assert clause is not None, target
    paras = [p for p in clause.paragraphs if not label or p.label == label]
    assert paras, target
    return render.unescape_md(" ".join(p.text + " " + " ".join(p.items) for p in paras))


def whole(document: render.Document) -> str:
    return " ".join(render.unescape_md(document.markdown).split())


def management(document: render.Document) -> str:
    return "board" if document.clause("board") else "collective-management"


RULESETS = [pytest.param(r, id=r.id) for r in available_rulesets()]


# --- 1. statutory special resolutions are defined apart ---------------------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_statutory_special_resolutions_are_defined_apart_from_the_rules_special_resolution(ruleset):
    for _answers, document in documents(ruleset):
        special = text_of(document, "voting#special") + text_of(document, "voting#special-list")
        assert not re.search(r"amalgamat|engagements|convert", special), "a statutory matter under Special"
        if ruleset.legal_form != "society":
            continue
        statutory = text_of(document, "voting#statutory")
        for words in ("amalgamate", "transfer its engagements", "convert into a company", "only at a General Meeting",
                      "at least two thirds of the votes cast", "at least 14 days and not more than one month",
                      "never be passed as a written resolution"):
            assert words in statutory, words
        assert "Statutory Special Resolution" in text_of(document, "interpretation")
        assert "Statutory Special Resolution" in text_of(document, "dissolution#amalgamate")
        if document.clause("written-resolutions"):
            assert "amalgamat" not in text_of(document, "written-resolutions")


# --- 2. every general meeting has notice -------------------------------------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_no_directors_meeting_acts_as_a_general_meeting_and_every_general_meeting_has_notice(ruleset):
    for _answers, document in documents(ruleset):
        text = whole(document)
        assert "act as a General Meeting" not in text
        assert "without notice" not in text.lower()
        assert not re.search(r"meeting of the Directors[^.]*(may also|may act)", text)
        assert "notice of every General Meeting" in text_of(document, "notice#length")
        if document.clause("collective-management"):
            assert "never a General Meeting" in text_of(document, "collective-management#meet")


# --- 3. the asset lock: entrenched and unchangeable say the same thing ---------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_the_asset_lock_is_entrenched_in_the_same_words_wherever_it_is_mentioned(ruleset):
    lock_clause = "dissolution" if ruleset.legal_form == "society" else "winding-up"
    checked = 0
    for answers, document in documents(ruleset):
        amendment, entrenched = text_of(document, "amendment"), text_of(document, "voting#entrenched")
        assert "written agreement of every Member" in entrenched
        assert "written agreement of every Member" in text_of(document, "amendment#how")
        assert not re.search(r"No change may be made[^.]*(asset lock|Common Ownership)", amendment)
        assert "weaken" not in amendment
        if answers["dissolution"] == "asset_lock":
            number = str(document.clause(lock_clause).number)
            assert re.search(rf"\b{number}\b", entrenched), "the entrenched list names the lock's clause"
            sentence = next(s for s in amendment.split(". ") if "asset lock" in s or "Common Ownership" in s)
            assert "written agreement of every Member" in sentence
            checked += 1
        else:
            assert "asset lock" not in entrenched and "Common Ownership" not in entrenched
    assert checked


# --- 4. directors: 16 or over, never disqualified ------------------------------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_a_disqualified_person_or_a_child_can_never_be_a_director(ruleset):
    for _answers, document in documents(ruleset):
        clause = management(document)
        text = text_of(document, clause)
        assert "disqualified from being a director of a company" in text, clause
        assert "Company Directors Disqualification Act 1986" in text, clause
        if clause == "board":
            eligible = text_of(document, "board#eligible")
            assert "16 or over" in eligible and "not disqualified" in eligible
            assert "become disqualified" in text_of(document, "board#end")
        else:
            assert "under 16" in text_of(document, "collective-management#disqualified")
            assert "unless sub-" in text_of(document, "collective-management#all")


# --- 5. one meaning of Worker; Supporter Members are covered --------------------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_worker_means_the_same_whatever_the_probation_choice(ruleset):
    definitions = set()
    for _answers, document in documents(ruleset):
        text = text_of(document, "interpretation")
        definitions.add(re.search(r"\*\*Worker\*\* means [^.]*\.", text).group(0))
    assert len(definitions) == 1, definitions
    assert {a["probation"] for a, _ in documents(ruleset)} == {"none", "period", "hours"}


@pytest.mark.parametrize("ruleset", RULESETS)
def test_supporter_members_are_covered_by_leaving_withdrawal_nominees_and_expulsion(ruleset):
    checked = 0
    for answers, document in documents(ruleset):
        if not answers["non_voting_class"]:
            assert "Supporter" not in whole(document)
            continue
        supporters = text_of(document, "supporters")
        for clause_id in ("leaving", "expulsion", "share-withdrawal", "nominees"):
            clause = document.clause(clause_id)
            if clause is None:
                continue
            assert "Supporter Member" in text_of(document, clause_id), clause_id
            assert re.search(rf"\b{clause.number}\b", supporters), f"supporters should cite {clause_id}"
            checked += 1
        assert "member of the" in text_of(document, "interpretation") and "for the purposes of the Act" in \
            text_of(document, "interpretation")
    assert checked


# --- 6. audit ------------------------------------------------------------------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_the_audit_needs_a_qualified_auditor_and_the_exemption_states_its_conditions(ruleset):
    for _answers, document in documents(ruleset):
        audit = text_of(document, "accounts#audit")
        assert "qualified auditor" in audit
        assert "report on the accounts is made by" in audit
        if ruleset.legal_form == "society":
            for words in ("section 84", "turnover and assets", "only at a General Meeting",
                          "fewer than 20% of the votes cast and fewer than 10% of all the Members"):
                assert words in audit, words
        else:
            assert "small company" in audit and "at least 10% of the voting rights" in audit


# --- 7. wording -----------------------------------------------------------------------------------

@pytest.mark.parametrize("ruleset", RULESETS)
def test_the_notice_list_ends_with_and(ruleset):
    for _answers, document in documents(ruleset):
        first = text_of(document, "notice#length").split(". ")[0]
        recipients = first.split(" is given to ", 1)[1]
        parts = re.split(r", (?=to )", recipients)
        assert len(parts) == 1 or " and to " in parts[-1], first
        assert not re.search(r", to [^,]*\)?$", recipients) or " and " in recipients


@pytest.mark.parametrize("ruleset", RULESETS)
def test_typed_answers_read_as_part_of_the_sentence(ruleset):
    for answers, document in documents(ruleset):
        for target in ("membership#who", "objects"):
            text = text_of(document, target)
            assert not re.search(r"\bco-op\b(?!erative)", text), (target, text)
            assert not re.search(r"(?<!register of )\bmembers?\b", text), (target, text)
        who = text_of(document, "membership#who")
        assert who.startswith("Membership is open to anyone employed by the "), who
        objects = text_of(document, "objects")
        assert objects.startswith(f"The objects of the {'Society' if ruleset.legal_form == 'society' else 'Company'} "
                                  "are to carry on the business"), objects
        assert "are: To" not in whole(document) and "are: to" not in whole(document)
        if answers["dissolution"] == "asset_lock":
            lock = whole(document)
            assert "transferred to another co-operative chosen by the Members." in lock


@pytest.mark.parametrize("ruleset", RULESETS)
def test_resigning_never_needs_immediate_notice(ruleset):
    immediate = 0
    for answers, document in documents(ruleset):
        resign = text_of(document, "leaving#resign")
        assert "immediate written notice" not in resign
        if answers["leaving_notice_days"] == 0:
            assert "at any time by written notice" in resign
            immediate += 1
        else:
            assert f"{answers['leaving_notice_days']} days' written notice" in resign
    assert immediate


def test_woven_answers_keep_names_abbreviations_and_gaps():
    assert render.woven("UK residents who work for the co-op") == "UK residents who work for the Society"
    assert render.woven("Anyone in the co-op", "Company") == "anyone in the Company"
    assert render.woven("Co-ops nearby and the register of members") == "co-operatives nearby and the register of members"
    gap = render.gap_marker("objects")
    assert render.woven(gap) == gap


@pytest.mark.parametrize("ruleset", RULESETS)
def test_each_rule_set_has_a_version_and_a_changelog_ending_with_it(ruleset):
    assert ruleset.changelog, "add changelog.toml"
    assert ruleset.changelog[0].version == ruleset.version
    assert all(release.changes for release in ruleset.changelog)


# --- the calendar reads the AGM window from the manifest; the text must say the same ---------

_MONTH_WORDS = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
                9: "nine", 10: "ten", 11: "eleven", 12: "twelve"}


@pytest.mark.parametrize("ruleset", RULESETS)
def test_the_agm_window_the_calendar_uses_is_the_one_the_rules_state(ruleset):
    terms = ruleset.calendar
    assert terms.agm_clause, "the manifest names the clause behind the AGM window"
    within = _MONTH_WORDS.get(terms.agm_within_months, str(terms.agm_within_months))
    for _answers, document in documents(ruleset):
        text = " ".join(text_of(document, terms.agm_clause).split())
        assert f"within {within} months of the end of" in text, text
        assert f"never more than {terms.agm_max_gap_months} months after the previous one" in text, text
