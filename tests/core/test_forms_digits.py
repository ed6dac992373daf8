"""coopkit.forms.digits: only 0-9 make a whole number (the fuzz test once sent "²", which
str.isdigit accepts and int() refuses)."""

from __future__ import annotations

import pytest

from coopkit.forms import digits


@pytest.mark.parametrize("text", ["0", "7", "120", "007"])
def test_ascii_digits_are_a_number(text):
    assert digits(text) and int(text) >= 0


@pytest.mark.parametrize("text", ["", " 7", "-1", "1.5", "²", "7²", "①", "٣", "1e3", None, 7])
def test_anything_else_is_not(text):
    assert not digits(text)


def test_the_officer_form_refuses_a_superscript_with_a_message(app, client, make, login):
    founder = make.user()
    coop = make.coop(founder=founder)
    login(client, founder)
    response = client.post(f"/c/{coop.slug}/founding/officers/1", data={
        "officer1-full_name": "Asha Patel", "officer1-date_of_birth": "1990-01-01",
        "officer1-address": "1 Fishergate, Preston", "officer1-years_at_address": "2",
        "officer1-months_at_address": "²"})
    assert response.status_code == 422
    assert "months" in response.get_data(as_text=True).lower()
