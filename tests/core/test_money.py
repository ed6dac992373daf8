"""coopkit.money: the one place pence become text and text becomes pence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coopkit.money import MoneyError, as_typed, format_pence, format_pounds, parse_pence


@pytest.mark.parametrize(("text", "pence"), [
    ("1", 100), ("£1", 100), ("£ 1.00", 100), ("0.5", 50), ("1.5", 150), ("12.05", 1205),
    ("25,000", 2_500_000), ("1,234,567.89", 123_456_789), ("100000", 10_000_000), (" 7 ", 700),
])
def test_parse_pence(text, pence):
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", ["", None, "-1", "1.005", "1,00", "12,34,567", "one", "1e3", "NaN", "£", ".5",
                                  "1234567890", "1.2.3"])
def test_parse_refuses_what_is_not_an_amount(text):
    with pytest.raises(MoneyError, match="amount in pounds"):
        parse_pence(text)


def test_parse_gives_the_callers_message():
    with pytest.raises(MoneyError, match="^Share value: give pounds$"):
        parse_pence("lots", "Share value: give pounds")


@pytest.mark.parametrize(("pence", "pence_text", "pounds_text"), [
    (0, "£0.00", "£0"), (1, "£0.01", "£0.01"), (100, "£1.00", "£1"), (150, "£1.50", "£1.50"),
    (123_456_789, "£1,234,567.89", "£1,234,567.89"), (2_500_000, "£25,000.00", "£25,000"),
    (-200, "-£2.00", "-£2"), (None, "£0.00", "£0"),
])
def test_format(pence, pence_text, pounds_text):
    assert format_pence(pence) == pence_text
    assert format_pounds(pence) == pounds_text


@given(st.integers(min_value=0, max_value=99_999_999_999))
def test_what_is_shown_parses_back(pence):
    assert parse_pence(format_pence(pence)) == pence
    assert parse_pence(format_pounds(pence)) == pence
    assert parse_pence(as_typed(pence)) == pence
