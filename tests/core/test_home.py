"""The co-op home page: the header says where you are and as whom, and each feature's
panel is rendered on its own so that a broken one never takes the page down."""

from __future__ import annotations

import logging

import pytest
from jinja2 import ChoiceLoader, DictLoader

from coopkit.web import UNAVAILABLE_PANEL, home_panel_templates

NOTICE = "Part of this page could not be shown just now"


def _world(make):
    founder = make.user(name="Fola Founder")
    forming = make.coop(founder=founder, name="Forming Co-op", slug="forming-coop")
    member = make.user(name="Mo Member")
    registered = make.coop(founder=member, name="Registered Co-op", slug="registered-coop", stage="registered")
    secretary, _ = make.secretary(registered)
    mentor = make.user(name="Mina Mentor")
    make.cohort(coops=(forming, registered), mentors=(mentor,))
    return {"founder": (founder, forming), "member": (member, registered),
            "secretary": (secretary, registered), "mentor": (mentor, registered),
            "mentor-forming": (mentor, forming)}


def test_every_panel_renders_for_every_role(app, client, make, login, caplog):
    caplog.set_level(logging.ERROR, logger="coopkit.web")
    for role, (user, coop) in _world(make).items():
        login(client, user)
        response = client.get(f"/c/{coop.slug}/")
        assert response.status_code == 200, role
        assert NOTICE not in response.text, (role, caplog.text)
    assert "Home panel" not in caplog.text


def test_header_names_the_coop_and_your_role(client, make, login):
    world = _world(make)
    expected = {"founder": "you: founder", "member": "you: member", "secretary": "you: secretary",
                "mentor": "you: mentor"}
    for role, label in expected.items():
        user, coop = world[role]
        login(client, user)
        html = client.get(f"/c/{coop.slug}/").text
        header = html.split('<header class="site-header">', 1)[1].split("</header>", 1)[0]
        assert coop.name in header and label in header, role


def test_panels_are_found_in_page_order(app):
    panels = home_panel_templates(app)
    known = [p for p in ("founding/_home_panel.html", "proposals/_home_panel.html", "meetings/_home_panel.html",
                         "rules/_home_panel.html", "register/_home_panel.html") if p in panels]
    assert panels[:len(known)] == known
    assert all(p.count("/") == 1 and p.endswith("/_home_panel.html") for p in panels)


@pytest.fixture()
def broken_panel(app, monkeypatch):
    """Add a feature panel ``zz-broken`` whose template body is chosen by the test."""

    def install(body: str):
        loader = ChoiceLoader([DictLoader({"zz-broken/_home_panel.html": body}), app.jinja_env.loader])
        monkeypatch.setattr(app.jinja_env, "loader", loader)
        monkeypatch.delitem(app.extensions, "coopkit.home_panels", raising=False)

    yield install
    app.extensions.pop("coopkit.home_panels", None)


@pytest.mark.parametrize("body", [
    # a feature's template global that does not exist (yet): what broke CI once
    "{% set rc = not_defined_anywhere(current_coop) %}<p>{{ rc.current }}</p>",
    # a query that fails in the database (on PostgreSQL it aborts the transaction)
    "<p>{{ failing_query() }}</p>",
])
def test_a_broken_panel_does_not_break_the_home_page(app, client, make, login, broken_panel, body,
                                                     caplog, monkeypatch):
    import sqlalchemy as sa

    from coopkit.extensions import db

    monkeypatch.setitem(app.jinja_env.globals, "failing_query",
                        lambda: db.session.execute(sa.text("SELECT no_such_column FROM coops")).all())
    broken_panel(body)
    founder = make.user(name="Asha Patel")
    coop = make.coop(founder=founder, name="Northern Pixels")
    make.member(coop, name="Ben Okafor")
    login(client, founder)
    with caplog.at_level(logging.ERROR, logger="coopkit.web"):
        response = client.get(f"/c/{coop.slug}/")
    assert response.status_code == 200
    assert "zz-broken/_home_panel.html" in home_panel_templates(app)
    assert response.text.count(NOTICE) == 1
    assert str(UNAVAILABLE_PANEL) in response.text
    # the rest of the page is all there, including what is read after the failure
    assert "Northern Pixels" in response.text and "Ben Okafor" in response.text and "Asha Patel" in response.text
    assert "Home panel zz-broken/_home_panel.html failed" in caplog.text
    # and the next request works normally
    assert client.get("/c/").status_code == 200


def test_a_working_extra_panel_is_shown(app, client, make, login, broken_panel):
    broken_panel('<section class="panel"><h2>Extra</h2><p>{{ current_coop.name }} extra panel</p></section>')
    founder = make.user()
    coop = make.coop(founder=founder, name="Panel Co-op")
    login(client, founder)
    response = client.get(f"/c/{coop.slug}/")
    assert "Panel Co-op extra panel" in response.text
    assert NOTICE not in response.text


def test_a_refused_page_does_not_show_the_coop_in_the_header(client, make, login):
    coop = make.coop(name="Private Makers")
    login(client, make.user())
    response = client.get(f"/c/{coop.slug}/")
    assert response.status_code == 403
    assert "Private Makers" not in response.text
    assert 'class="coop-nav"' not in response.text


def _statements(app, client, url: str) -> int:
    import sqlalchemy as sa

    from coopkit.extensions import db

    count = 0

    def counter(*args):
        nonlocal count
        count += 1

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", counter)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", counter)
    return count


@pytest.mark.parametrize("stage", ["forming", "registered"])
def test_the_home_page_statement_count_does_not_grow_with_the_members(app, client, make, login, stage):
    """Every panel loads what it shows with a fixed number of statements (no N+1)."""
    counts = []
    for size in (3, 15):
        founder = make.user()
        coop = make.coop(founder=founder, stage=stage)
        for _ in range(size - 1):
            make.member(coop)
        login(client, founder)
        client.get(f"/c/{coop.slug}/")  # warm caches (templates, rule sets)
        counts.append(_statements(app, client, f"/c/{coop.slug}/"))
    assert counts[0] == counts[1], f"statements for 3 and 15 members: {counts}"
    assert counts[0] <= 40, f"the home page runs {counts[0]} statements"
