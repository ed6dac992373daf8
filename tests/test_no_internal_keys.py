"""No internal keys where a user reads: every page of the route walk (tests/authz_params.py),
as each role that may see it, shows no snake_case word outside <code>/<pre>.

A word like ``share_value_pence`` on a page is a key leaking from the code into what a
founding group reads; labels must say it in words."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests import authz_params
from tests.authz_params import log_in_client, writes_rolled_back

SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
#: elements whose text is not prose a user reads as a sentence
SKIPPED = {"code", "pre", "script", "style", "kbd", "samp", "textarea"}
ROLES = ("anonymous", "founder", "member", "secretary", "mentor", "admin")


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in SKIPPED and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.found.extend(SNAKE.findall(data))


def snake_case_words(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.found


def test_the_scanner_finds_keys_only_in_prose():
    assert snake_case_words("<p>Value (share_value_pence)</p>") == ["share_value_pence"]
    assert snake_case_words("<p>A <code>share_value_pence</code> and <a href='/x_y'>link</a></p>") == []
    assert snake_case_words('<input name="probation_hours" value="">') == []


@pytest.fixture(autouse=True)
def _clean_database():
    yield


@pytest.fixture(scope="module")
def world(app):
    with authz_params.world_for(app) as world:
        yield world


def test_no_page_shows_an_internal_key(app, world):
    client = app.test_client()
    offences = []
    gets = [r for r in authz_params.routes(app, methods=("GET",)) if r.methods]
    with writes_rolled_back():
        for role in ROLES:
            log_in_client(client, world, role)
            for route in gets:
                for coop in authz_params.coops_for(world, route):
                    try:
                        url = authz_params.build_url(app, world, route, coop)
                    except Exception:  # noqa: BLE001 - a builder that has nothing for this co-op: the walk's concern
                        continue
                    response = client.get(url)
                    if response.status_code != 200 or response.mimetype != "text/html":
                        continue
                    words = snake_case_words(response.get_data(as_text=True))
                    if words:
                        offences.append(f"{role} {url}: {sorted(set(words))}")
    assert not offences, "internal keys shown to users:\n" + "\n".join(sorted(set(offences)))
