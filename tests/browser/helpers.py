"""Helpers for browser tests: accessibility scans, logging in, reading emailed links.

    from tests.browser.helpers import assert_accessible, log_in
"""

from __future__ import annotations

import re

from tests.factories import PASSWORD

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21aa", "wcag22aa"]

_axe = None


def _get_axe():
    global _axe
    if _axe is None:
        from axe_playwright_python.sync_playwright import Axe

        _axe = Axe()
    return _axe


def accessibility_violations(page) -> list[dict]:
    """The axe-core violations on the page for the WCAG 2.0/2.1/2.2 A and AA tags."""
    results = _get_axe().run(page, options={
        "runOnly": {"type": "tag", "values": AXE_TAGS},
        "resultTypes": ["violations"],
    })
    return results.response["violations"]


def format_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        for node in violation["nodes"][:5]:
            target = " ".join(str(t) for t in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
        if len(violation["nodes"]) > 5:
            lines.append(f"    ... and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)


def assert_accessible(page, label: str | None = None) -> None:
    """Fail with a readable list when axe finds any WCAG A/AA violation on the page."""
    violations = accessibility_violations(page)
    if violations:
        where = label or page.url
        raise AssertionError(f"axe found {len(violations)} accessibility problem(s) on {where}:\n"
                             + format_violations(violations))


def assert_fits(page, what: str) -> None:
    """Fail when the page scrolls sideways on its screen."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{what}: {overflow}px wider than the {page.viewport_size['width']}px screen"


def check(page, what: str) -> None:
    """No axe violation, and no sideways scroll."""
    assert_accessible(page, what)
    assert_fits(page, what)


def log_in(page, live_server, email: str, password: str = PASSWORD) -> None:
    """Log in through the real form (CSRF and all)."""
    page.goto(live_server.url("/login"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def link_in(text: str, base_url: str) -> str:
    """The first link to our server in an email body."""
    match = re.search(re.escape(base_url) + r"/\S+", text)
    if match is None:
        raise AssertionError(f"no link to {base_url} in:\n{text}")
    return match.group(0)
