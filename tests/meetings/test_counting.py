"""Property tests of counting at a meeting and of notice in clear days (pure, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from coopkit.meetings import procedure

counts = st.tuples(st.integers(0, 60), st.integers(0, 60), st.integers(0, 20))


@given(counts, st.integers(0, 40), st.sampled_from([50, 60, 66, 75, 90, 100, Fraction(200, 3)]))
def test_a_resolution_passes_exactly_when_the_share_of_votes_cast_reaches_the_threshold(c, extra, threshold):
    count = procedure.Count(*c)
    members = count.total + extra
    result = procedure.count_vote(procedure.Counting("ordinary", threshold=threshold), count, members=members)
    expected = count.cast > 0 and count.votes_for * 100 >= threshold * count.cast and count.votes_for * 2 > count.cast
    assert result.passed == expected
    # abstentions are not votes cast: adding some never changes the outcome
    more = procedure.Count(count.votes_for, count.against, count.abstain + 3)
    assert procedure.count_vote(procedure.Counting("ordinary", threshold=threshold), more,
                                members=members + 3).passed == expected


@given(counts, st.integers(0, 40))
def test_more_votes_for_never_turns_a_pass_into_a_failure(c, extra):
    count = procedure.Count(*c)
    counting = procedure.Counting("special", threshold=75)
    if procedure.count_vote(counting, count, members=count.total + extra + 1).passed:
        better = procedure.Count(count.votes_for + 1, count.against, count.abstain)
        assert procedure.count_vote(counting, better, members=better.total + extra).passed


@given(counts, st.integers(0, 80))
def test_the_audit_exemption_needs_both_tests_of_section_84(c, extra):
    count = procedure.Count(*c)
    members = count.total + extra
    counting = procedure.Counting("audit_exemption", against_cast_below=20, against_all_below=10)
    result = procedure.count_vote(counting, count, members=members)
    expected = (count.votes_for * 2 > count.cast and 5 * count.against < count.cast
                and 10 * count.against < members)
    assert result.passed == expected


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)), st.integers(1, 60))
def test_the_earliest_meeting_day_leaves_exactly_the_clear_days(sent_on, clear):
    day = procedure.earliest_meeting_day(sent_on, clear)
    assert procedure.clear_days(sent_on, day) == clear
    assert procedure.clear_days(sent_on, day - timedelta(days=1)) == clear - 1


@given(st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)))
def test_the_confirmation_window_runs_from_14_days_to_one_month(first):
    earliest, latest = procedure.confirmation_window(first)
    assert (earliest - first).days == 14
    assert 28 <= (latest - first).days <= 31 and latest.month != first.month


@given(st.integers(1, 500), st.integers(1, 10), st.integers(0, 100))
def test_quorum_is_the_greater_of_the_minimum_and_the_percentage(eligible, minimum, percent):
    rules = procedure.MeetingRules(quorum_min_members=minimum, quorum_percent=percent)
    needed = procedure.quorum_needed(eligible, rules)
    assert needed >= minimum and needed * 100 >= eligible * percent
    assert needed == minimum or (needed - 1) * 100 < eligible * percent
    assert procedure.quorum_needed(eligible, rules, adjourned_again=True) == 2
