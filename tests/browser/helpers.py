"""Helpers for browser tests: accessibility scans, logging in, reading emailed links.

    from tests.browser.helpers import assert_accessible, log_in
"""

from __future__ import annotations

import re
from pathlib import Path

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


SCREENSHOTS = Path(__file__).with_name("screenshots")
#: the two screens every page of the newcomer walk is read on
WIDTHS = (360, 1280)
SCREENSHOT_HEIGHT = 5000
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
#: a link back: breadcrumbs, a "back to" link, the co-op's sections, the founding steps
WAY_BACK = "nav[aria-label='Breadcrumb'] a, a.back-link, .coop-nav a, nav[aria-label='Steps'] a"

#: words broken inside: table headers narrower than their longest word, and email addresses
#: whose box is narrower than a piece between the places they may wrap (before "@" and dots)
BROKEN_WORDS_JS = """() => {
  const out = [];
  const probe = document.createElement('span');
  probe.style.position = 'absolute'; probe.style.visibility = 'hidden'; probe.style.whiteSpace = 'nowrap';
  document.body.appendChild(probe);
  const room = (box) => { const cs = getComputedStyle(box);
    return box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); };
  const fits = (element, box, words, what) => {
    const cs = getComputedStyle(element);
    probe.style.font = cs.font; probe.style.letterSpacing = cs.letterSpacing;
    const inner = room(box);
    for (const word of words.filter(Boolean)) {
      probe.textContent = word;
      if (probe.getBoundingClientRect().width > inner + 1) out.push(`${what} "${element.innerText.trim()}" (${inner}px < "${word}")`);
    }
  };
  for (const th of document.querySelectorAll('th, caption')) {
    // a break after a hyphen ("Co-" / "operative") is a proper break, not a mid-word one
    if (!th.offsetParent || th.closest('.visually-hidden')) continue;
    const shown = th.cloneNode(true);     // the words on screen (not the visually hidden ones)
    shown.querySelectorAll('.visually-hidden').forEach(e => e.remove());
    fits(th, th, shown.textContent.split(/\\s+|(?<=-)/), 'header');
  }
  for (const email of document.querySelectorAll('.email')) {
    if (!email.offsetParent) continue;
    const [local, domain] = email.innerText.trim().split('@');
    const box = email.closest('td, dd, li, p, div') || email.parentElement;
    fits(email, box, [local, ...(domain ? ('@' + domain).split(/(?=\\.)/) : [])], 'email');
  }
  probe.remove();
  return out;
}"""

VISIBLE_TEXT_JS = """() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('code, pre, script, style, kbd, samp, textarea').forEach(e => e.remove());
  return clone.innerText;
}"""


def assert_reads_well(page, name: str, width: int, *, way_back: bool = True) -> None:
    """A screenshot, then: no sideways scroll (of the page or of a table in its box), no word
    broken inside a header or an email,
    a link back, no internal snake_case key in the text, no axe violation."""
    SCREENSHOTS.mkdir(exist_ok=True)
    # the top 5000 px of the page (the whole rules run to 30000 px: too slow to take twice a walk)
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_HEIGHT)
    page.screenshot(path=str(SCREENSHOTS / f"{width}-{name}.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": height})
    what = f"{name} at {width} px"
    assert_fits(page, what)
    boxed = page.evaluate("""() => [...document.querySelectorAll('.table-wrap')]
        .filter(w => w.scrollWidth > w.clientWidth + 1).map(w => (w.querySelector('caption') || w).innerText.slice(0, 60))""")
    assert not boxed, f"{what}: tables scroll sideways inside their box: {boxed}"
    broken = page.evaluate(BROKEN_WORDS_JS)
    assert not broken, f"{what} breaks words inside: {broken}"
    if way_back:
        assert page.locator(WAY_BACK).count() > 0, f"{what} has no link back"
    keys = sorted(set(SNAKE.findall(page.evaluate(VISIBLE_TEXT_JS))))
    assert not keys, f"{what} shows internal keys: {keys}"
    assert_accessible(page, what)


def look(page, name: str, *, way_back: bool = True, widths=WIDTHS) -> None:
    """Read the page at each width (360 px, a phone; 1280 px, a laptop): see assert_reads_well.
    The page keeps its own screen size afterwards."""
    page.wait_for_load_state()
    own = page.viewport_size
    try:
        for width in widths:
            page.set_viewport_size({"width": width, "height": 800})
            assert_reads_well(page, name, width, way_back=way_back)
    finally:
        page.set_viewport_size(own)


def fill(page, data: dict[str, str]) -> None:
    """Answer a step's form the way a person would: type, pick a radio button or an option."""
    for name, value in data.items():
        field = page.locator(f'[name="{name}"]')
        if not field.first.is_visible():  # a follow-up question folded until its parent applies
            field.first.evaluate("element => { const d = element.closest('details'); if (d) d.open = true; }")
        kind = field.first.get_attribute("type")
        if kind == "radio":
            page.locator(f'[name="{name}"][value="{value}"]').check()
        elif field.first.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def submit(page, control, *, timeout: float = 90_000) -> None:
    """Click a control that sends a form or follows a link, and wait until the page it leads
    to has loaded (a bare click returns once the navigation starts, so reading the page
    straight after it can read the old one)."""
    with page.expect_navigation(timeout=timeout):
        control.click(timeout=timeout)


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
