"""The tally as a pure function: examples from docs/counting.md and properties (hypothesis)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopkit.proposals import tally as t
from coopkit.rules import parameters


def spec(method="resolution", eligible=10, quorum=2, **kw):
    return t.Spec(method=method, eligible=eligible, quorum=quorum, **kw)


# -- the counting table, row by row (docs/counting.md) ------------------------------------------

@pytest.mark.parametrize("ballots, threshold, basis, eligible, passed", [
    (["for"] * 3 + ["against"] * 3, 50, "cast", 10, False),            # a tie fails
    (["for"] * 4 + ["against"] * 3, 50, "cast", 10, True),             # simple majority
    (["for"] * 2 + ["against"] * 1 + ["abstain"] * 5, 50, "cast", 10, True),  # abstentions are not cast
    (["for"] * 3 + ["against"] * 1, 75, "cast", 10, True),             # exactly 75%
    (["for"] * 5 + ["against"] * 2, 75, "cast", 10, False),            # 71% < 75%
    (["for"] * 6 + ["against"] * 2, 75, "cast", 10, True),             # 75% exactly at the boundary
    (["for"] * 6, 75, "eligible", 10, False),                          # 60% of all eligible
    (["for"] * 8, 75, "eligible", 10, True),                           # 80% of all eligible
    (["for"] * 5 + ["against"] * 1, 50, "eligible", 10, False),         # half of eligible is a tie
    (["for"] * 6, 50, "eligible", 10, True),
    (["abstain"] * 6, 50, "cast", 10, False),                          # nothing cast
    (["for"] * 2 + ["against"] * 2, 100, "cast", 4, False),
    (["for"] * 4, 100, "cast", 4, True),
])
def test_resolution_table(ballots, threshold, basis, eligible, passed):
    result = t.tally(spec(eligible=eligible, quorum=2, threshold_percent=threshold, basis=basis), ballots)
    assert result.passed is passed
    assert result.participants == len(ballots)


def test_resolution_reports_basis_and_votes_needed():
    result = t.tally(spec(threshold_percent=75, basis="cast"), ["for"] * 6 + ["against"] * 2 + ["abstain"])
    assert (result.base, result.needed) == (8, 6)
    eligible = t.tally(spec(threshold_percent=75, basis="eligible"), ["for"] * 6)
    assert (eligible.base, eligible.needed) == (10, 8)


def test_quorum_exactly_met_and_one_short():
    s = spec(eligible=10, quorum=t.quorum_needed(10, 2, 50))
    assert s.quorum == 5
    assert t.tally(s, ["for", "for", "for", "abstain", "abstain"]).quorum_met
    assert t.tally(s, ["for", "for", "for", "abstain", "abstain"]).passed
    short = t.tally(s, ["for", "for", "for", "abstain"])
    assert not short.quorum_met and not short.passed and "Not quorate" in short.reason


@pytest.mark.parametrize("eligible, minimum, percent, needed", [
    (10, 2, 50, 5), (3, 2, 50, 2), (2, 2, 50, 2), (7, 2, 50, 4), (12, 3, 25, 3), (20, 3, 25, 5), (0, 2, 50, 2),
])
def test_quorum_greater_of_minimum_and_percent_rounded_up(eligible, minimum, percent, needed):
    assert t.quorum_needed(eligible, minimum, percent) == needed
    assert parameters.quorum_needed(eligible, minimum, percent) == needed  # delegates: one implementation


def test_unanimity_needs_every_member_on_the_roll():
    s = spec("unanimity", eligible=4, quorum=2)
    assert t.tally(s, ["for"] * 4).passed
    assert not t.tally(s, ["for"] * 3).passed          # one did not vote
    assert not t.tally(s, ["for"] * 3 + ["abstain"]).passed


def test_consent_any_objection_blocks():
    s = spec("consent", eligible=5, quorum=2)
    assert t.tally(s, ["agree", "agree", "stand_aside"]).passed
    assert not t.tally(s, ["agree"] * 4 + ["object"]).passed
    assert not t.tally(s, ["stand_aside", "stand_aside"]).passed  # nobody agreed
    assert not t.tally(s, ["agree"]).passed                      # not quorate


def test_consensus_block_and_agreement():
    s = spec("consensus", eligible=6, quorum=2)
    assert t.tally(s, ["agree", "agree", "disagree", "abstain"]).passed
    assert not t.tally(s, ["agree", "disagree"]).passed           # a tie fails
    assert not t.tally(s, ["agree"] * 5 + ["block"]).passed
    assert not t.tally(s, ["abstain", "abstain"]).passed


def test_poll_plurality_and_tie():
    s = spec("poll", eligible=8, quorum=2, options=("Red", "Green", "Blue"))
    won = t.tally(s, [0, 0, 1, 2, "abstain"])
    assert won.passed and won.winners == ("Red",) and won.counts["Abstain"] == 1
    tie = t.tally(s, [0, 1, "abstain"])
    assert not tie.passed and "tie" in tie.reason


def test_election_stv_two_seats():
    s = spec("election", eligible=12, quorum=6, options=("A", "B", "C", "D"), seats=2)
    ballots = [(0, 1), (0, 2), (0, 1, 2), (1, 0), (1, 3), (2, 1), (2, 0, 1), (3, 2), (0, 3), (1, 2), (2, 3), ()]
    result = t.tally(s, ballots)
    assert result.passed and set(result.winners) == {"A", "C"}
    assert result.blank == 1 and result.rounds


def test_election_irv_majority_after_transfers():
    s = spec("election", eligible=9, quorum=2, options=("A", "B", "C"), ranking="irv")
    ballots = [(0,)] * 4 + [(1,)] * 3 + [(2, 1)] * 2
    result = t.tally(s, ballots)
    assert result.winners == ("B",)


def test_election_deciding_tie_fails_but_irrelevant_tie_does_not():
    s = spec("election", eligible=4, quorum=2, options=("A", "B"), ranking="irv")
    assert not t.tally(s, [(0,), (1,)]).passed
    three = spec("election", eligible=7, quorum=2, options=("A", "B", "C"), seats=1, ranking="irv")
    # B and C tie for last place; both are eliminated before A either way
    assert t.tally(three, [(0,)] * 5 + [(1,), (2,)]).winners == ("A",)


@pytest.mark.parametrize("raw, message", [
    (["0", "0"], "only one place"), (["7"], "not on this ballot"), ("0", "Rank"), (["x"], "not on this ballot"),
])
def test_election_choice_validation(raw, message):
    with pytest.raises(t.ChoiceError, match=message):
        t.validate_choice(spec("election", options=("A", "B")), raw)


@pytest.mark.parametrize("method, raw", [("resolution", "yes"), ("consent", "for"), ("poll", "3"), ("poll", "-1"),
                                         ("poll", "1.0"), ("poll", None)])
def test_choice_not_among_the_options(method, raw):
    s = spec(method, options=("A", "B", "C") if method == "poll" else ())
    with pytest.raises(t.ChoiceError):
        t.validate_choice(s, raw)


def test_ballots_must_match_participants():
    with pytest.raises(t.TallyError):
        t.tally(spec(), ["for", "for"], participants=3)
    with pytest.raises(t.TallyError):
        t.tally(spec(eligible=1), ["for", "for"])


# -- properties ----------------------------------------------------------------------------------

SIMPLE = ("resolution", "unanimity", "consent", "consensus")


@st.composite
def simple_cases(draw, method=None):
    method = method or draw(st.sampled_from(SIMPLE))
    eligible = draw(st.integers(1, 30))
    n = draw(st.integers(0, eligible))
    ballots = draw(st.lists(st.sampled_from(t.SIMPLE_CHOICES[method]), min_size=n, max_size=n))
    s = t.Spec(method=method, eligible=eligible,
               quorum=t.quorum_needed(eligible, draw(st.integers(0, 5)), draw(st.integers(0, 100))),
               threshold_percent=draw(st.integers(50, 100)), basis=draw(st.sampled_from(t.BASES)))
    return s, ballots


@given(simple_cases())
def test_counted_ballots_equal_distinct_participants(case):
    s, ballots = case
    result = t.tally(s, ballots, participants=len(ballots))
    assert result.participants == len(ballots) == sum(result.counts.values())
    assert result.quorum_met == (len(ballots) >= s.quorum) or s.method == "unanimity"


@given(simple_cases("resolution"), st.integers(0, 29))
def test_a_vote_for_never_turns_a_pass_into_a_fail(case, index):
    s, ballots = case
    before = t.tally(s, ballots)
    if len(ballots) < s.eligible:   # a new voter votes for
        assert not before.passed or t.tally(s, ballots + ["for"]).passed
    if ballots:                     # or an existing voter switches to for
        changed = list(ballots)
        changed[index % len(ballots)] = "for"
        assert not before.passed or t.tally(s, changed).passed


@given(simple_cases("resolution"))
def test_ballot_order_does_not_matter(case):
    s, ballots = case
    assert t.tally(s, ballots) == t.tally(s, list(reversed(ballots)))


@given(st.integers(0, 60), st.integers(0, 60), st.integers(0, 100))
def test_pass_implies_more_than_half_and_threshold(votes_for, base, threshold):
    if t.resolution_passes(votes_for, base, threshold):
        assert votes_for * 2 > base and votes_for * 100 >= threshold * base
        assert votes_for >= t.votes_needed(base, threshold)
    if base and votes_for * 2 == base:
        assert not t.resolution_passes(votes_for, base, threshold)  # every tie fails


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_settled_means_no_remaining_choices_change_the_outcome(data):
    method = data.draw(st.sampled_from(SIMPLE + ("poll",)))
    eligible = data.draw(st.integers(1, 7))
    options = ("A", "B", "C") if method == "poll" else ()
    choices = [t.ABSTAIN, 0, 1, 2] if method == "poll" else list(t.SIMPLE_CHOICES[method])
    n = data.draw(st.integers(0, eligible))
    ballots = data.draw(st.lists(st.sampled_from(choices), min_size=n, max_size=n))
    s = t.Spec(method=method, eligible=eligible, quorum=t.quorum_needed(eligible, 2, 50),
               threshold_percent=data.draw(st.integers(50, 100)), basis=data.draw(st.sampled_from(t.BASES)),
               options=options)
    verdict = t.outcome_is_settled(s, ballots)
    remaining = eligible - n
    outcomes = set()
    for k in range(remaining + 1):   # any number of the rest vote, each any way
        for extra in itertools.combinations_with_replacement(choices, k):
            r = t.tally(s, ballots + list(extra))
            outcomes.add((r.passed, r.winners))
    assert verdict.settled == (len(outcomes) == 1)
