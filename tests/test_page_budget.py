"""Issue 14: the most visited pages run at most 8 SQL statements per request (the log-in,
the co-op and the roles included), and the same number for a co-op of 12 members as for one
of 5,000. Each page is loaded as each role that sees it; the statements are counted with the
engine's own hook (tests/statements.py), on SQLite (where BEGIN is one of them) and PostgreSQL.

The co-op is the demo's registered one, then the same co-op grown to 5,000 members (see
tests/page_world.py): built once for the module, so this module does not empty the database
between its tests (they only read) and empties it at the end."""

from __future__ import annotations

import re

import pytest

from tests import page_world
from tests.conftest import _empty_all_tables
from tests.statements import recorded_statements

BUDGET = 8
BASE = f"/c/{page_world.SLUG}"
ROLE_PAGES = {
    "secretary": ("home", "register", "proposals", "proposal", "rules"),
    "member": ("home", "register", "proposals", "proposal", "rules"),
    "mentor": ("home", "register", "rules", "dashboard"),
}


def _urls(proposal_number: int) -> dict[str, str]:
    return {"home": f"{BASE}/", "register": f"{BASE}/register/", "proposals": f"{BASE}/proposals/",
            "proposal": f"{BASE}/proposals/{proposal_number}", "rules": f"{BASE}/rules/", "dashboard": "/mentor/"}


def _measure(app, logins, urls) -> dict[tuple[str, str], tuple[int, list[str], str]]:
    out = {}
    for role, pages in ROLE_PAGES.items():
        client = app.test_client()
        uid, version = logins[role]
        with client.session_transaction() as session:
            session["_user_id"] = f"{uid}:{version}"
            session["_fresh"] = True
        for page in pages:
            client.get(urls[page])  # the first request of a process compiles templates and caches
            with recorded_statements(app) as seen:
                response = client.get(urls[page])
            assert response.status_code == 200, (role, page, response.status_code)
            out[(role, page)] = (len(seen), list(seen), response.get_data(as_text=True))
    return out


@pytest.fixture(autouse=True)
def _clean_database():
    """Overrides the conftest's: the module's co-op stays between its tests (see below)."""
    yield


@pytest.fixture(scope="module")
def measured(app):
    """Every page as every role, at 12 members and again at 5,000."""
    try:
        logins = page_world.seed_demo(app)
        urls = _urls(page_world.first_open_proposal(app))
        small = _measure(app, logins, urls)
        page_world.grow(app, 5000)
        large = _measure(app, logins, urls)
        yield small, large
    finally:
        from coopkit.extensions import db

        with app.app_context():
            db.session.remove()
            _empty_all_tables()


CASES = [(role, page) for role, pages in ROLE_PAGES.items() for page in pages]


def _show(statements: list[str]) -> str:
    return "\n".join(" ".join(s.split())[:160] for s in statements)


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_page_runs_the_same_statements_at_12_and_5000_members(measured, role, page):
    small, large = measured
    count, _, _ = small[(role, page)]
    big_count, big_statements, _ = large[(role, page)]
    assert big_count == count, f"{role} {page}: {count} at 12 members, {big_count} at 5,000\n{_show(big_statements)}"


@pytest.mark.parametrize(("role", "page"), CASES, ids=[f"{r}-{p}" for r, p in CASES])
def test_page_runs_at_most_8_statements(measured, role, page):
    small, _ = measured
    count, statements, _ = small[(role, page)]
    assert count <= BUDGET, f"{role} {page}: {count} statements\n{_show(statements)}"


def test_the_grown_coop_is_on_the_pages(measured):
    """The 5,000 members are really there: the register pages them, the home page and the
    mentor's counts count them."""
    _, large = measured
    register = large[("secretary", "register")][2]
    assert "Grown Member" in register and " of 100</span>" in register
    home = large[("member", "home")][2]
    assert "see the register" in home and home.count("<li>Grown Member") < 30
    counts = re.search(r"Current members</dt><dd>(\d+)", large[("mentor", "register")][2].replace("\n", ""))
    assert counts and int(counts.group(1)) >= 4990
