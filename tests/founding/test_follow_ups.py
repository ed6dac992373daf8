"""Founding forms ask only what applies: follow-up questions are folded until their parent
answer makes them relevant (server-side, no JavaScript), and usual answers are suggestions."""

from __future__ import annotations

import re

from tests.founding.helpers import founding_team, post_step


def _field_html(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


def _folded(page: str, name: str) -> bool:
    """True when the field sits inside a closed <details> (a follow-up not asked yet)."""
    at = page.index(f'name="{name}"')
    opened, closed = page.rfind("<details", 0, at), page.rfind("</details>", 0, at)
    return opened > closed


def test_follow_ups_appear_once_their_parent_answer_applies(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    url = f"/c/{coop.slug}/founding/steps/membership"
    page = client.get(url).text
    for follow_up in ("probation_months", "probation_hours", "guarantee_pence"):
        assert _folded(page, follow_up), follow_up
    assert not _folded(page, "share_value_pence")
    assert "asked only when “Probation before membership” is A number of hours worked" in page
    # nothing pre-filled: the usual answers are suggestions until saved
    share = _field_html(page, "share_value_pence")
    assert 'value=""' in share or "value=" not in share
    assert 'placeholder="suggested: 1"' in share and "Suggested: £1." in page
    assert "if if" not in client.get(f"/c/{coop.slug}/founding/steps/money").text

    post_step(client, coop, "membership", {"probation": "hours"})
    page = client.get(url).text
    assert not _folded(page, "probation_hours") and _folded(page, "probation_months")
    post_step(client, coop, "legal_form", {"legal_form": "company"})
    assert not _folded(client.get(url).text, "guarantee_pence")


def test_save_with_the_suggestions_fills_only_blank_questions(app, make, login):
    coop, users = founding_team(make)
    client = login(app.test_client(), users[0])
    url = f"/c/{coop.slug}/founding/steps/membership"
    response = client.post(url, data={"leaving_notice_days": "40", "use_suggestions": "1"})
    assert response.status_code == 302
    page = client.get(url).text
    assert 'value="40"' in _field_html(page, "leaving_notice_days")   # what was typed wins
    assert 'value="1"' in _field_html(page, "share_value_pence")      # a blank took the suggestion
    assert 'value=""' in _field_html(page, "probation_hours") or "value=" not in _field_html(page, "probation_hours")
