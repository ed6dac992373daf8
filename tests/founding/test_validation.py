"""The pure checks of every step: typed values, ranges and the cross-field rules."""

from __future__ import annotations

from datetime import date

import pytest

from coopkit.coops.parameters import PARAMETERS
from coopkit.founding.catalogue import catalogue, get_step, step_for_key, steps
from coopkit.founding.validation import (
    Context,
    display_text,
    form_text,
    name_problem,
    parse_daymonth,
    recommend_legal_form,
    sensitive_words,
    team_problem,
    validate_private_details,
    validate_step,
)
from coopkit.money import parse_pence
from tests.founding.helpers import COMPLETE_ANSWERS

THREE = Context(founder_ids=(11, 12, 13))


def check(step_key, raw, ctx=THREE):
    return validate_step(get_step(step_key), raw, ctx)


def with_(step_key, **changes):
    raw = dict(COMPLETE_ANSWERS[step_key])
    raw.update(changes)
    return raw


# --- the catalogue ---------------------------------------------------------------

def test_catalogue_has_the_ten_steps_in_order():
    assert [s.key for s in steps()] == ["team", "purpose", "legal_form", "membership", "decisions", "management",
                                        "money", "registration", "review", "register"]
    assert [s.number for s in steps()] == list(range(1, 11))


def test_every_rule_feeding_answer_uses_a_shared_parameter_name():
    for step in steps():
        for q in step.questions:
            if q.feeds_rules:
                assert q.key in PARAMETERS, q.key
            assert step_for_key(q.key) is step


def test_key_steps_need_agreement_and_link_a_guide():
    signoff = {s.key for s in steps() if s.signoff}
    assert signoff == {"purpose", "legal_form", "membership", "decisions", "management", "money"}
    from coopkit.founding.guides import all_guides

    for step in steps():
        assert step.guides, step.key
        assert set(step.guides) <= set(all_guides()), step.key


def test_complete_answers_of_every_step_are_valid():
    for step_key, raw in COMPLETE_ANSWERS.items():
        raw = dict(raw)
        if step_key == "management":
            raw["secretary_member_id"] = "11"
        outcome = check(step_key, raw)
        assert outcome.ok, (step_key, outcome.errors)


# --- the team and the legal form: exactly three founders for a society ---------------

@pytest.mark.parametrize(("founders", "ok"), [(0, False), (1, False), (2, False), (3, True), (15, True)])
def test_a_society_needs_at_least_three_founders(founders, ok):
    ctx = Context(founder_ids=tuple(range(1, founders + 1)))
    outcome = check("legal_form", with_("legal_form"), ctx)
    assert outcome.ok is ok
    if not ok:
        assert f"you have {founders}" in outcome.errors["legal_form"]
    assert (team_problem(founders, "society") is None) is ok


def test_a_company_needs_only_one_founder():
    outcome = check("legal_form", with_("legal_form", legal_form="company"), Context(founder_ids=(1,)))
    assert outcome.ok
    assert team_problem(0, "company") == "A company needs at least one founder."


def test_recommendation_follows_the_answers_and_says_why():
    form, reasons = recommend_legal_form({"wants_member_shares": True, "wants_model_rules": False}, 3)
    assert form == "society" and any("withdrawable shares" in r for r in reasons)
    form, reasons = recommend_legal_form({"wants_member_shares": False, "wants_model_rules": False}, 4)
    assert form == "company" and reasons
    form, reasons = recommend_legal_form({"wants_member_shares": True}, 2)
    assert form == "company" and "at least 3" in reasons[0]


# --- purpose and name -------------------------------------------------------------

@pytest.mark.parametrize(("name", "form", "welsh", "problem"), [
    ("Pixels Co-operative Limited", "society", False, None),
    ("Pixels Co-operative Limited.", "society", False, None),
    ("Pixels Co-operative Ltd", "society", False, "Limited"),
    ("Pixels Co-operative", "society", False, "Limited"),
    ("Picselau Cydweithredol Cyfyngedig", "society", True, None),
    ("Picselau Cydweithredol Limited", "society", True, None),
    ("Picselau Cydweithredol Cyfyngedig", "society", False, "only when the registered office is in Wales"),
    ("Pixels Co-operative", "company", False, None),
    ("P", "society", False, "full name"),
])
def test_name_checks(name, form, welsh, problem):
    found = name_problem(name, form, welsh)
    if problem is None:
        assert found is None
    else:
        assert problem in found


def test_sensitive_words_are_flagged_but_allowed():
    assert sensitive_words("Royal Pixels Bank Limited") == ["bank", "royal"]
    assert sensitive_words("Bankside Pixels Limited") == []
    outcome = check("purpose", with_("purpose", coop_name="National Pixels Limited"))
    assert outcome.ok
    assert any('"national"' in w for w in outcome.warnings)


def test_the_name_is_checked_against_the_saved_legal_form():
    raw = with_("purpose", coop_name="Pixels Studio")
    assert "coop_name" in check("purpose", raw).errors
    assert check("purpose", raw, Context(answers={"legal_form": "company"}, founder_ids=(1,))).ok


def test_a_name_over_its_limit_or_on_two_lines_is_refused():
    assert "120 characters" in check("purpose", with_("purpose", coop_name="A" * 115 + " Limited")).errors["coop_name"]
    assert "one line" in check("purpose", with_("purpose", coop_name="Pixels\nLimited")).errors["coop_name"]
    assert "can't be stored" in check("purpose", with_("purpose", objects="bad\x00byte")).errors["objects"]


# --- membership -----------------------------------------------------------------------

def test_probation_length_is_asked_only_for_its_kind():
    outcome = check("membership", with_("membership", probation="none", probation_months="6"))
    assert outcome.ok and outcome.values["probation_months"] is None
    outcome = check("membership", with_("membership", probation="hours", probation_months="", probation_hours="500"))
    assert outcome.ok and outcome.values["probation_hours"] == 500
    outcome = check("membership", with_("membership", probation="period", probation_months="25"))
    assert outcome.errors["probation_months"] == "Enter a number from 1 to 24."


@pytest.mark.parametrize(("text", "pence"), [("1", 100), ("£1.00", 100), ("0.5", 50), ("25,000", 2_500_000),
                                             ("100000", 10_000_000), ("1.5", 150)])
def test_amounts_in_pounds(text, pence):
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", ["-1", "1.005", "1,00", "one", "1e3", "NaN"])
def test_bad_amounts(text):
    outcome = check("membership", with_("membership", share_value_pence=text))
    assert "amount in pounds" in outcome.errors["share_value_pence"]


def test_shareholding_limits():
    assert check("membership", with_("membership", max_holding_pence="100000")).ok
    over = check("membership", with_("membership", max_holding_pence="100000.01"))
    assert "£100,000" in over.errors["max_holding_pence"]
    below = check("membership", with_("membership", share_value_pence="5", max_holding_pence="1"))
    assert "at least one share" in below.errors["max_holding_pence"]
    zero = check("membership", with_("membership", share_value_pence="0"))
    assert "at least 1p" in zero.errors["share_value_pence"]


def test_yes_no_and_choices_accept_only_their_values():
    outcome = check("membership", with_("membership", leave_on_employment_end="perhaps", probation="forever"))
    assert outcome.errors == {"leave_on_employment_end": "Choose yes or no.", "probation": "Choose one of the options."}


# --- decision-making: thresholds at the edges -------------------------------------

@pytest.mark.parametrize(("ordinary", "special", "errors"), [
    ("50", "75", set()),
    ("50", "74", {"special_threshold_percent"}),
    ("100", "100", set()),
    ("50", "100", set()),
    ("49", "75", {"ordinary_threshold_percent"}),
    ("50", "101", {"special_threshold_percent"}),
    ("75", "60", {"special_threshold_percent"}),
    ("50%", "75 %", set()),
])
def test_resolution_thresholds(ordinary, special, errors):
    outcome = check("decisions", with_("decisions", ordinary_threshold_percent=ordinary,
                                       special_threshold_percent=special))
    assert set(outcome.errors) == errors
    if not errors:
        assert outcome.values["ordinary_threshold_percent"] == int(ordinary.rstrip("% "))


def test_threshold_messages_say_the_range():
    outcome = check("decisions", with_("decisions", ordinary_threshold_percent="49"))
    assert outcome.errors["ordinary_threshold_percent"] == "Enter a number from 50% to 100%."
    outcome = check("decisions", with_("decisions", special_threshold_percent="60"))
    assert outcome.errors["special_threshold_percent"] == "Enter a number from 75% to 100%."
    outcome = check("decisions", with_("decisions", ordinary_threshold_percent="90", special_threshold_percent="80"))
    assert "fewer votes (80%) than an ordinary one (90%)" in outcome.errors["special_threshold_percent"]


def test_quorum_and_notice_edges():
    assert check("decisions", with_("decisions", quorum_min_members="2", quorum_percent="100")).ok
    outcome = check("decisions", with_("decisions", quorum_min_members="1", quorum_percent="0"))
    assert set(outcome.errors) >= {"quorum_min_members"}
    for least, percent, ok in (("2", "0", False), ("2", "40", False), ("2", "41", True), ("3", "0", True)):
        outcome = check("decisions", with_("decisions", quorum_min_members=least, quorum_percent=percent))
        assert outcome.ok is ok, (least, percent)
        if not ok:
            assert "two people alone could hold a meeting" in outcome.errors["quorum_percent"]
    for days in ("7", "13"):
        assert check("decisions", with_("decisions", notice_clear_days=days)).errors["notice_clear_days"] \
            == "Enter a number from 14 to 90."
    assert "whole number" in check("decisions", with_("decisions", notice_clear_days="14.5")).errors["notice_clear_days"]


def test_consent_questions_drop_under_a_majority_vote():
    outcome = check("decisions", with_("decisions", everyday_method="majority"))
    assert outcome.ok
    assert outcome.values["fallback_vote"] is None and outcome.values["consent_min_days"] is None


# --- management ---------------------------------------------------------------------

def test_a_board_is_at_least_the_minimum_number_of_directors():
    raw = {"management": "board", "board_size": "2", "board_term_years": "3", "board_rotation": "third",
           "min_directors": "3", "secretary_member_id": "12"}
    assert "at least the minimum" in check("management", raw).errors["board_size"]
    assert check("management", {**raw, "board_size": "3"}).ok
    collective = check("management", {**raw, "management": "collective"})
    assert collective.ok and collective.values["board_size"] is None


def test_the_secretary_is_one_of_the_founders():
    raw = {"management": "collective", "min_directors": "2", "secretary_member_id": "99"}
    assert check("management", raw).errors["secretary_member_id"] == "Choose one of the founders."
    assert check("management", {**raw, "secretary_member_id": "13"}).values["secretary_member_id"] == 13


# --- money: the three shares of the surplus sum to 100 -------------------------------

@pytest.mark.parametrize(("reserves", "common", "bonus", "total"), [
    ("40", "10", "49", 99), ("40", "10", "51", 101), ("100", "0", "1", 101), ("0", "0", "99", 99),
])
def test_surplus_shares_not_summing_to_100_are_refused(reserves, common, bonus, total):
    outcome = check("money", with_("money", surplus_reserves_percent=reserves, surplus_common_good_percent=common,
                                   surplus_bonus_percent=bonus))
    assert outcome.errors == {
        "surplus_bonus_percent": f"The three shares add up to {total}%; they must add up to exactly 100%."}


@pytest.mark.parametrize(("reserves", "common", "bonus"), [("40", "10", "50"), ("100", "0", "0"), ("0", "0", "100")])
def test_surplus_shares_summing_to_100_pass(reserves, common, bonus):
    assert check("money", with_("money", surplus_reserves_percent=reserves, surplus_common_good_percent=common,
                                surplus_bonus_percent=bonus)).ok


def test_a_partial_surplus_asks_for_all_three():
    outcome = check("money", with_("money", surplus_common_good_percent=""))
    assert outcome.errors == {"surplus_common_good_percent": "Give all three shares of the surplus (0 if none)."}


def test_the_asset_lock_recipient_is_dropped_under_co_ownership():
    outcome = check("money", with_("money", dissolution="co_ownership"))
    assert outcome.ok and outcome.values["asset_lock_recipient"] is None


# --- registration details -----------------------------------------------------------

@pytest.mark.parametrize(("text", "value"), [("31-03", "31-03"), ("5/4", "05-04"), ("29-02", "29-02"),
                                             ("31 - 12", "31-12")])
def test_financial_year_end(text, value):
    assert parse_daymonth(text) == value


@pytest.mark.parametrize("text", ["31-04", "00-01", "12", "2026-03-31", "31-13"])
def test_bad_financial_year_end(text):
    outcome = check("registration", with_("registration", financial_year_end=text))
    assert "financial_year_end" in outcome.errors


def test_blank_means_not_answered_yet():
    outcome = check("registration", {})
    assert outcome.ok and set(outcome.values.values()) == {None}


def test_officer_details():
    today = date(2026, 6, 1)
    good = {"full_name": "Asha Patel", "date_of_birth": "2000-01-31", "address": "1 Road\nTown",
            "years_at_address": "2", "months_at_address": "3"}
    values, errors = validate_private_details(good, today)
    assert not errors and values["months_at_address"] == 27 and values["date_of_birth"] == date(2000, 1, 31)
    _, errors = validate_private_details({**good, "date_of_birth": "2010-06-02"}, today)
    assert errors["date_of_birth"] == "An officer must be at least 16 years old."
    _, errors = validate_private_details({**good, "date_of_birth": "2010-06-01"}, today)
    assert not errors  # sixteen today
    _, errors = validate_private_details({**good, "date_of_birth": "2026-02-30", "months_at_address": "12",
                                          "full_name": "", "address": " "}, today)
    assert set(errors) == {"date_of_birth", "months_at_address", "full_name", "address"}


def test_values_shown_back():
    q = catalogue().by_key["membership"].question("share_value_pence")
    assert form_text(q, 150) == "1.50" and form_text(q, 100) == "1"
    assert display_text(q, 2_500_000) == "£25,000.00"
    q = catalogue().by_key["decisions"].question("ordinary_basis")
    assert display_text(q, "cast") == "Of the votes cast"


def test_a_company_asks_for_the_members_guarantee():
    company = Context(answers={"legal_form": "company"}, founder_ids=(1,))
    outcome = check("membership", with_("membership", guarantee_pence="1"), company)
    assert outcome.ok and outcome.values["guarantee_pence"] == 100
    assert check("membership", with_("membership", guarantee_pence="0"), company).errors == {
        "guarantee_pence": "Enter £0.01 or more."}
    assert check("membership", with_("membership", guarantee_pence="100.01"), company).errors == {
        "guarantee_pence": "Enter £100 or less."}
    # A society has shares instead: the answer is dropped.
    assert check("membership", with_("membership", guarantee_pence="1")).values["guarantee_pence"] is None
