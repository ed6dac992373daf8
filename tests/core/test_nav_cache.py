"""The co-op navigation is rendered once per (address, name, roles, page) and kept
(coopkit.web.coop_nav): whatever changes one of those shows at once, and nothing else is shared
between people. Each check below fails if the cache key misses what the navigation depends on."""

from __future__ import annotations

import re

from coopkit.coops.models import Coop
from coopkit.extensions import db
from coopkit.web import NAV


def _nav(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'<nav class="coop-nav".*?</nav>', html, re.S)
    assert match, html[:500]
    return match.group(0)


def test_roles_name_and_page_each_change_the_navigation(app, make, login):
    coop = make.coop(stage="registered", legal_form="society")
    secretary, _ = make.secretary(coop)
    member = make.member(coop)
    member_user = type("U", (), {"id": member.user_id, "session_version": 1})
    as_member = login(app.test_client(), member_user)
    as_secretary = login(app.test_client(), secretary)
    base = f"/c/{coop.slug}"
    NAV.clear()

    # the secretary's links are not shown to a member, whoever was served first
    secretary_nav = _nav(as_secretary, f"{base}/register/")
    member_nav = _nav(as_member, f"{base}/register/")
    assert "Audit log" in secretary_nav or "Invite" in secretary_nav
    assert secretary_nav != member_nav
    assert "Public profile" not in member_nav

    # the page being shown is marked
    assert re.search(r'register/"\s*aria-current="page"', member_nav)
    proposals_nav = _nav(as_member, f"{base}/proposals/")
    assert re.search(r'proposals/"\s*aria-current="page"', proposals_nav)
    assert not re.search(r'register/"\s*aria-current="page"', proposals_nav)

    # a new name shows at once
    with app.app_context():
        db.session.get(Coop, coop.id).name = "Renamed Co-operative Limited"
        db.session.commit()
    assert 'aria-label="Renamed Co-operative Limited"' in _nav(as_member, f"{base}/register/")

    # a member made secretary sees the secretary's links at once
    make.officer(member, "secretary")
    promoted = _nav(as_member, f"{base}/register/")
    assert promoted != member_nav
    assert "Public profile" in promoted or "Audit log" in promoted
