"""The proposal page says what comes next: when "Close early" appears, withdrawing asks
first (a page, no JavaScript), and a draft without a closing time is opened from the same page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.proposals.models import Proposal
from tests.proposals.conftest import make_open


def _draft(client, **extra) -> None:
    data = {"title": "Buy a kettle", "body": "", "resolution_text": "That we buy a kettle.", "method": "resolution",
            "preset": "ordinary", "basis": "cast", "seats": "1", "ranking": "stv", "closes_at": "",
            "change_1_key": "", "change_2_key": "", "change_3_key": ""}
    data.update(extra)
    assert client.post("/c/crew-coop/proposals/new", data=data).status_code == 302


def _state(app) -> tuple[str, object]:
    with app.app_context():
        p = db.session.execute(sa.select(Proposal)).scalar_one()
        return p.state, p.closes_at


def test_withdraw_is_secondary_and_asks_first(app, client, login, crew):
    amy = crew.users[0]
    make_open(app, crew, by=amy, allow_early_close=True)
    login(client, amy)
    page = client.get("/c/crew-coop/proposals/1").text
    assert 'class="button danger"' not in page  # no red primary button on the proposal page
    assert 'href="/c/crew-coop/proposals/1/withdraw"' in page
    assert "Close early&#34; appears here once the votes cast settle the outcome" in page.replace('"', "&#34;")
    confirm = client.get("/c/crew-coop/proposals/1/withdraw")
    assert confirm.status_code == 200
    assert "Withdraw proposal 1?" in confirm.text and "No, keep it" in confirm.text
    assert 'action="/c/crew-coop/proposals/1/withdraw"' in confirm.text and 'method="post"' in confirm.text
    assert _state(app)[0] == "open"  # the GET changed nothing
    client.post("/c/crew-coop/proposals/1/withdraw")
    assert _state(app)[0] == "withdrawn"


def test_open_without_closing_time_suggests_one_on_the_same_page(app, client, login, crew):
    login(client, crew.secretary)
    _draft(client)
    page = client.get("/c/crew-coop/proposals/1").text
    suggested = re.search(r'name="closes_at"[^>]*type="datetime-local" value="([0-9T:-]+)"', page)
    assert suggested and suggested.group(1).endswith("T17:00"), page
    assert "Suggested: a week from now at 17:00" in page
    # a closing time in the past: refused beside the field, nothing saved, still a draft
    refused = client.post("/c/crew-coop/proposals/1/open", data={"closes_at": "2020-01-01T12:00"})
    assert refused.status_code == 400 and "Leave at least 1 hour" in refused.text
    assert 'id="closes_at-error"' in refused.text
    assert _state(app) == ("draft", None)
    empty = client.post("/c/crew-coop/proposals/1/open", data={"closes_at": ""})
    assert empty.status_code == 400 and "Give the date and time voting closes." in empty.text
    assert _state(app) == ("draft", None)
    opened = client.post("/c/crew-coop/proposals/1/open", data={"closes_at": suggested.group(1)})
    assert opened.status_code == 302
    state, closes_at = _state(app)
    assert state == "open" and closes_at is not None


def test_rule_change_choices_show_labels_and_formats(client, login, crew):
    login(client, crew.secretary)
    page = client.get("/c/crew-coop/proposals/new").text
    assert "(share_value_pence)" not in page
    assert "Value of one membership share (an amount in pounds, such as £1 or £25.50)" in page
