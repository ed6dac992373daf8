"""The tally as a pure function: examples from docs/counting.md and properties (hypothesis)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopkit.proposals import tally as t
from coopkit.proposals.settle import outcome_is_settled


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
    verdict = outcome_is_settled(s, ballots)
    remaining = eligible - n
    outcomes = set()
    for k in range(remaining + 1):   # any number of the rest vote, each any way
        for extra in itertools.combinations_with_replacement(choices, k):
            r = t.tally(s, ballots + list(extra))
            outcomes.add((r.passed, r.winners))
    assert verdict.settled == (len(outcomes) == 1)


# -- more edge cases, method by method ---------------------------------------------------------

@pytest.mark.parametrize("method, ballots", [
    ("consent", ["agree", "stand_aside", "stand_aside", "stand_aside", "stand_aside"]),
    ("consensus", ["agree", "abstain", "abstain", "abstain", "abstain"]),
    ("resolution", ["for", "abstain", "abstain", "abstain", "abstain"]),
    ("unanimity", ["for"] * 5),
])
def test_quorum_exactly_met_counts_abstentions_and_stand_asides(method, ballots):
    s = spec(method, eligible=5 if method == "unanimity" else 10, quorum=5)
    assert t.tally(s, ballots).quorum_met and t.tally(s, ballots).passed
    short = t.tally(s, ballots[:-1])
    assert not short.quorum_met and not short.passed


def test_poll_and_election_quorum_exactly_met():
    poll = spec("poll", eligible=10, quorum=3, options=("A", "B"))
    assert t.tally(poll, [0, "abstain", "abstain"]).passed
    assert not t.tally(poll, [0, "abstain"]).passed
    election = spec("election", eligible=10, quorum=3, options=("A", "B"), ranking="irv")
    assert t.tally(election, [(0,), (), ()]).winners == ("A",)           # blank ballots count for quorum
    assert not t.tally(election, [(0,), ()]).quorum_met


def test_unanimity_fails_below_quorum_even_if_all_for():
    s = spec("unanimity", eligible=1, quorum=2)     # a roll of one can never meet a quorum of two
    result = t.tally(s, ["for"])
    assert not result.passed and "Not quorate" in result.reason


def test_the_same_votes_pass_on_cast_and_fail_on_eligible():
    ballots = ["for"] * 4 + ["against"] + ["abstain"] * 2        # 4 of 5 cast = 80%; 4 of 10 eligible = 40%
    assert t.tally(spec(threshold_percent=75, basis="cast"), ballots).passed
    assert not t.tally(spec(threshold_percent=75, basis="eligible"), ballots).passed
    # with the eligible basis, an abstention or staying away works like a vote against
    assert t.tally(spec(eligible=8, threshold_percent=75, basis="eligible"), ["for"] * 6).passed
    assert not t.tally(spec(eligible=8, threshold_percent=75, basis="eligible"), ["for"] * 5 + ["abstain"]).passed


@pytest.mark.parametrize("threshold, base, needed", [
    (50, 10, 6), (50, 9, 5), (75, 8, 6), (75, 9, 7), (67, 3, 3), (66, 3, 2), (100, 7, 7), (51, 100, 51),
])
def test_votes_needed_at_the_boundary(threshold, base, needed):
    assert t.votes_needed(base, threshold) == needed
    assert t.resolution_passes(needed, base, threshold)
    assert not t.resolution_passes(needed - 1, base, threshold)


def test_stv_transfers_surplus_and_irv_eliminates():
    # STV, 2 seats, 9 ballots: quota is 4 (Droop); A's surplus goes to C, who beats B.
    stv = spec("election", eligible=9, quorum=2, options=("A", "B", "C", "D"), seats=2)
    ballots = [(0, 2)] * 5 + [(1,)] * 2 + [(2,)] * 1 + [(3, 2)] * 1
    assert set(t.tally(stv, ballots).winners) == {"A", "C"}
    # A leads the first round but C wins once D's and then B's votes transfer.
    irv = spec("election", eligible=12, quorum=2, options=("A", "B", "C", "D"), ranking="irv")
    ballots = [(0,)] * 5 + [(1, 2)] * 2 + [(2,)] * 4 + [(3, 2)] * 1
    result = t.tally(irv, ballots)
    assert result.winners == ("C",) and result.counts == {"A": 5, "B": 2, "C": 4, "D": 1}
    assert len(result.rounds) >= 2


@st.composite
def ranked_cases(draw):
    n_options = draw(st.integers(2, 5))
    options = tuple(f"C{i}" for i in range(n_options))
    eligible = draw(st.integers(1, 25))
    n = draw(st.integers(0, eligible))
    rankings = draw(st.lists(st.permutations(range(n_options)).flatmap(
        lambda p: st.integers(0, len(p)).map(lambda k: tuple(p[:k]))), min_size=n, max_size=n))
    seats = draw(st.integers(1, n_options - 1))
    s = t.Spec("election", eligible, t.quorum_needed(eligible, 2, 50), options=options, seats=seats,
               ranking="stv" if seats > 1 else draw(st.sampled_from(t.RANKINGS)))
    return s, rankings


@settings(max_examples=60, deadline=None)
@given(ranked_cases())
def test_election_counts_every_ballot_once_and_elects_at_most_the_seats(case):
    s, rankings = case
    result = t.tally(s, rankings, participants=len(rankings))
    assert result.participants == len(rankings) == sum(result.counts.values()) + result.blank
    assert len(result.winners) in (0, s.seats) and set(result.winners) <= set(s.options)
    assert result.passed == bool(result.winners)


@given(simple_cases("consent"))
def test_another_agree_never_turns_a_consent_pass_into_a_fail(case):
    s, ballots = case
    if len(ballots) < s.eligible and t.tally(s, ballots).passed:
        assert t.tally(s, ballots + ["agree"]).passed


@given(simple_cases("consensus"))
def test_another_agree_never_turns_a_consensus_pass_into_a_fail(case):
    s, ballots = case
    if len(ballots) < s.eligible and t.tally(s, ballots).passed:
        assert t.tally(s, ballots + ["agree"]).passed
