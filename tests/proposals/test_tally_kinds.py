"""The counting the decision kinds added to the pure tally: properties (hypothesis)."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from coopkit.proposals import tally as t
from coopkit.proposals.settle import outcome_is_settled


@st.composite
def ballots_of(draw, choices):
    eligible = draw(st.integers(1, 30))
    ballots = draw(st.lists(st.sampled_from(choices), max_size=eligible))
    return eligible, ballots


@given(ballots_of(("agree", "stand_aside", "object")))
def test_consent_is_agreed_by_silence_unless_anyone_objects(case):
    eligible, ballots = case
    result = t.tally(t.Spec("consent", eligible, 0, silence_agrees=True), ballots)
    assert result.passed == ("object" not in ballots)


@given(ballots_of(("agree", "abstain", "disagree", "block")))
def test_consensus_is_agreed_only_with_no_disagreement(case):
    eligible, ballots = case
    result = t.tally(t.Spec("consensus", eligible, 0, silence_agrees=True), ballots)
    assert result.passed == (not {"disagree", "block"} & set(ballots))


@given(ballots_of(("for", "against", "abstain")), st.integers(0, 5))
def test_audit_exemption_passes_only_below_both_limits(case, quorum):
    eligible, ballots = case
    spec = t.Spec("audit_exemption", eligible, min(quorum, eligible))
    result = t.tally(spec, ballots)
    votes_for, against = ballots.count("for"), ballots.count("against")
    cast = votes_for + against
    expected = (len(ballots) >= spec.quorum and votes_for > 0 and against * 100 < 20 * cast
                and against * 100 < 10 * eligible)
    assert result.passed == expected


@given(ballots_of(("for", "against", "abstain")))
def test_two_thirds_is_counted_exactly(case):
    eligible, ballots = case
    result = t.tally(t.Spec("resolution", eligible, 0, threshold_percent=Fraction(200, 3)), ballots)
    votes_for, against = ballots.count("for"), ballots.count("against")
    cast = votes_for + against
    assert result.passed == (cast > 0 and 3 * votes_for >= 2 * cast and 2 * votes_for > cast)


@given(ballots_of(("sign", "decline")))
def test_an_instrument_needs_three_quarters_of_everyone(case):
    eligible, ballots = case
    result = t.tally(t.Spec("instrument", eligible, 0, threshold_percent=75, basis="eligible"), ballots)
    signed = ballots.count("sign")
    assert result.passed == (4 * signed >= 3 * eligible and 2 * signed > eligible)
    settled = outcome_is_settled(t.Spec("instrument", eligible, 0, threshold_percent=75, basis="eligible"), ballots)
    if result.passed:
        assert settled.settled   # a signature is never withdrawn: passed is final


def test_the_examples_of_the_issue():
    audit = t.tally(t.Spec("audit_exemption", 10, 5), ["for"] * 6 + ["against"] * 4)
    assert not audit.passed and "fewer than 20%" in audit.reason
    written = t.Spec("resolution", 10, 0, threshold_percent=75, basis="eligible")
    assert not t.tally(written, ["for"] * 4 + ["against"]).passed
    assert t.tally(written, ["for"] * 8).passed
    consensus = t.Spec("consensus", 5, 0, silence_agrees=True)
    assert not t.tally(consensus, ["agree"] * 3 + ["disagree"] * 2).passed
    assert t.tally(t.Spec("consent", 5, 0, silence_agrees=True), []).passed
