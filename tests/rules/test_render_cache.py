"""Issue 14: the rules page and its preview come from a cache keyed by content (the rule set's id
and version and the answers; a stored text's hash), never by time: the second request renders
nothing, a changed answer or a new rule-set version is a new key, and what the cache gives is
what a fresh render gives."""

from __future__ import annotations

import dataclasses
import re

import pytest

from coopkit.rules import render
from coopkit.rules.ruleset import default_ruleset_for
from tests.founding.helpers import COMPLETE_ANSWERS
from tests.rules.helpers import draft, ready_coop, save_answers


@pytest.fixture()
def renders(monkeypatch):
    """Count the real renders (documents and Markdown-to-HTML), starting from empty caches."""
    counted = {"documents": 0, "html": 0}
    real_document, real_markdown = render._render_document, render.markdown.markdown

    def document(*args, **kwargs):
        counted["documents"] += 1
        return real_document(*args, **kwargs)

    def markdown(*args, **kwargs):
        counted["html"] += 1
        return real_markdown(*args, **kwargs)

    monkeypatch.setattr(render, "_render_document", document)
    monkeypatch.setattr(render.markdown, "markdown", markdown)
    render.DOCUMENTS.clear()
    render.HTML.clear()
    yield counted
    render.DOCUMENTS.clear()
    render.HTML.clear()


def test_the_second_request_renders_nothing(app, client, make, login, renders):
    coop, users = ready_coop(app, make)
    login(client, users[0])
    for url in (f"/c/{coop.slug}/rules/", f"/c/{coop.slug}/rules/preview"):
        assert client.get(url).status_code == 200
    first = dict(renders)
    assert first["documents"] >= 1 and first["html"] >= 1
    for url in (f"/c/{coop.slug}/rules/", f"/c/{coop.slug}/rules/preview"):
        assert client.get(url).status_code == 200
    assert renders == first


def test_a_changed_answer_renders_again_and_the_page_shows_it(app, client, make, login, renders):
    coop, users = ready_coop(app, make)
    login(client, users[0])
    before = client.get(f"/c/{coop.slug}/rules/preview").text
    assert "Northern Pixels Co-operative Limited" in before
    documents = renders["documents"]
    answers = {step: dict(values) for step, values in COMPLETE_ANSWERS.items()}
    step = next(s for s, values in answers.items() if "coop_name" in values)
    answers[step]["coop_name"] = "Southern Pixels Co-operative Limited"
    save_answers(app, coop, users[0], answers)
    after = client.get(f"/c/{coop.slug}/rules/preview").text
    assert renders["documents"] == documents + 1
    assert "Southern Pixels Co-operative Limited" in after and "Northern Pixels Co-operative Limited" not in after


def test_the_key_is_the_content():
    ruleset = default_ruleset_for("society")
    answers = {"coop_name": "A Co-operative Limited", "legal_form": "society"}
    key = render.document_key(ruleset, answers)
    assert key == render.document_key(ruleset, dict(reversed(list(answers.items()))))  # order does not matter
    assert key != render.document_key(ruleset, {**answers, "coop_name": "B Co-operative Limited"})
    newer = dataclasses.replace(ruleset, version=ruleset.version + ".1")
    assert key != render.document_key(newer, answers)  # a new rule-set version is a new key


def _without_tokens(page: str) -> str:
    """The page without its forms' CSRF tokens (signed with the time, so they differ by the second)."""
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]*"|name="csrf_token" value="[^"]*"', "", page)


def test_the_cached_pages_equal_a_fresh_render(app, client, make, login, renders):
    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    login(client, users[0])
    urls = (f"/c/{coop.slug}/rules/", f"/c/{coop.slug}/rules/preview", f"/c/{coop.slug}/rules/versions/{number}")
    for url in urls:
        client.get(url)
    cached = {url: _without_tokens(client.get(url).text) for url in urls}
    builds = dict(renders)
    render.DOCUMENTS.clear()
    render.HTML.clear()
    fresh = {url: _without_tokens(client.get(url).text) for url in urls}
    assert renders["documents"] > builds["documents"] and renders["html"] > builds["html"]
    assert cached == fresh
