"""Progress computed from the inputs alone (pure): every status, the percentage, what's next."""

from __future__ import annotations

from coopkit.founding.catalogue import catalogue, get_step
from coopkit.founding.progress import JourneyInputs, journey, step_state
from coopkit.founding.validation import Context, validate_step
from tests.founding.helpers import COMPLETE_ANSWERS

FOUNDERS = {1: "Asha", 2: "Ben", 3: "Chloe"}
CHECKLIST = tuple(item.key for item in catalogue().checklist)


def typed(step_key, **changes):
    raw = {**COMPLETE_ANSWERS[step_key], **changes}
    if step_key == "management":
        raw.setdefault("secretary_member_id", "1")
    outcome = validate_step(get_step(step_key), raw, Context(founder_ids=tuple(FOUNDERS)))
    assert outcome.ok, outcome.errors
    return {k: v for k, v in outcome.values.items() if v is not None}


def all_answers():
    answers = {}
    for step_key in COMPLETE_ANSWERS:
        answers.update(typed(step_key))
    return answers


def inputs(**kw):
    kw.setdefault("founders", FOUNDERS)
    kw.setdefault("checklist_keys", CHECKLIST)
    return JourneyInputs(**kw)


def status(step_key, **kw):
    return step_state(get_step(step_key), inputs(**kw)).status


def test_a_new_journey():
    j = journey(inputs())
    assert {s.status for s in j.states} == {"not_started"}
    assert j.percent == 0 and j.next_state.step.key == "team"


def test_question_step_states():
    money = typed("money")
    everyone = {"money": frozenset(FOUNDERS)}
    assert status("money") == "not_started"
    assert status("money", answers={"surplus_reserves_percent": 40}) == "in_progress"
    assert status("money", answers=money) == "in_progress"  # answered, not yet agreed
    assert status("money", answers=money, signoffs={"money": frozenset({1, 2})}) == "in_progress"
    assert status("money", answers=money, signoffs=everyone) == "complete"
    assert status("money", answers=money, signoffs=everyone, open_comments={"money": 1}) == "needs_changes"
    # A conflict (made outside the form) is a problem, never complete.
    broken = {**money, "surplus_bonus_percent": 51}
    state = step_state(get_step("money"), inputs(answers=broken, signoffs=everyone))
    assert state.status == "in_progress" and "101%" in state.problems["surplus_bonus_percent"]


def test_only_current_founders_count_towards_agreement():
    money = typed("money")
    # Agreement from someone who is no longer a founder doesn't count; every current founder must agree.
    assert status("money", answers=money, signoffs={"money": frozenset({1, 2, 9})}) == "in_progress"
    assert status("money", answers=money, founders={1: "Asha", 2: "Ben"},
                  signoffs={"money": frozenset({1, 2, 9})}) == "complete"


def test_a_question_that_applies_only_sometimes():
    board = {**typed("management"), "management": "board"}
    state = step_state(get_step("management"), inputs(answers=board))
    assert "Number of directors" in state.missing
    company = {**typed("membership"), "legal_form": "company"}
    state = step_state(get_step("membership"), inputs(answers=company))
    assert state.missing == ("Amount each member guarantees if the company is wound up (£)",)


def test_team_step():
    assert status("team", signoffs={"team": frozenset({1, 2})}) == "in_progress"
    assert status("team", signoffs={"team": frozenset(FOUNDERS)}) == "complete"
    two = {1: "Asha", 2: "Ben"}
    state = step_state(get_step("team"), inputs(founders=two, signoffs={"team": frozenset(two)}))
    assert state.status == "in_progress" and "at least 3" in state.problems["team"]
    # A company may start with fewer founders.
    assert status("team", founders=two, signoffs={"team": frozenset(two)}, answers={"legal_form": "company"}) \
        == "complete"


def test_registration_needs_both_officers():
    answers = typed("registration")
    assert status("registration", answers=answers, private_details=1) == "in_progress"
    assert status("registration", answers=answers, private_details=2) == "complete"
    assert status("registration", private_details=1) == "in_progress"


def test_review_and_checklist_steps():
    assert status("review") == "not_started"
    assert status("review", rules_status="draft") == "complete"
    assert status("register", ticked=frozenset({"fees"})) == "in_progress"
    assert status("register", ticked=frozenset(CHECKLIST)) == "complete"


def test_percentage_and_whats_next():
    answers = all_answers()
    signed = {key: frozenset(FOUNDERS) for key in ("team", "purpose", "legal_form", "membership", "decisions")}
    j = journey(inputs(answers=answers, signoffs=signed))
    assert j.complete_count == 5 and j.percent == 50
    assert j.next_state.step.key == "management"
    # A step with an open comment comes first, even before earlier incomplete steps.
    j = journey(inputs(answers=answers, signoffs=signed, open_comments={"purpose": 1}))
    assert j.percent == 40 and j.next_state.step.key == "purpose"
    everything = {key: frozenset(FOUNDERS) for key in ("team", "purpose", "legal_form", "membership", "decisions",
                                                        "management", "money")}
    j = journey(inputs(answers=answers, signoffs=everything, private_details=2, rules_status="adopted",
                       ticked=frozenset(CHECKLIST)))
    assert j.percent == 100 and j.next_state is None
