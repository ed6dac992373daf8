"""A proposal's discussion: comments show oldest first with their authors, Markdown rendered and
sanitised (they come with the page's voting facts in one statement: proposals.queries.page_facts)."""

from __future__ import annotations

import re

from tests.proposals.conftest import make_open


def test_comments_show_in_order_with_their_authors(app, client, login, crew):
    amy, bo, _ = crew.users
    number, _ = make_open(app, crew)
    base = f"/c/crew-coop/proposals/{number}"
    login(client, amy)
    assert "No comments yet." in client.get(base).text
    assert client.post(f"{base}/comments", data={"body": "I *support* this.<script>alert(1)</script>"}
                       ).status_code == 302
    login(client, bo)
    assert client.post(f"{base}/comments", data={"body": "Second, with a [link](https://example.org)."}
                       ).status_code == 302
    page = client.get(base).text
    assert "Discussion (2)" in page
    first, second = page.index("<em>support</em>"), page.index('href="https://example.org"')
    assert first < second
    assert "<script>alert" not in page
    names = re.findall(r'<p class="muted">([^<·]+) · ', page)
    assert [n.strip() for n in names[:2]] == [amy.name, bo.name]
