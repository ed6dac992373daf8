"""The newcomer's path at 360 px and 1280 px: no sideways scroll, no header broken mid-word,
a way back on every page, no internal snake_case key, no axe violation. Screenshots of
every page are saved under tests/browser/screenshots/ (ignored by git; CI keeps them as artefacts)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.helpers import assert_accessible, log_in

pytestmark = pytest.mark.browser

SCREENSHOTS = Path(__file__).with_name("screenshots")
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")

#: headers narrower than their longest word (so the browser broke the word), as "text (width < word)"
BROKEN_HEADERS_JS = """() => {
  const out = [];
  const probe = document.createElement('span');
  probe.style.position = 'absolute'; probe.style.visibility = 'hidden'; probe.style.whiteSpace = 'nowrap';
  document.body.appendChild(probe);
  for (const th of document.querySelectorAll('th')) {
    if (!th.offsetParent) continue;
    const cs = getComputedStyle(th);
    probe.style.font = cs.font; probe.style.letterSpacing = cs.letterSpacing;
    const inner = th.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    // a break after a hyphen ("Co-" / "operative") is a proper break, not a mid-word one
    for (const word of th.innerText.split(/\\s+|(?<=-)/).filter(Boolean)) {
      probe.textContent = word;
      if (probe.getBoundingClientRect().width > inner + 1) out.push(`${th.innerText.trim()} (${inner} < ${word})`);
    }
  }
  probe.remove();
  return out;
}"""

VISIBLE_TEXT_JS = """() => {
  const clone = document.body.cloneNode(true);
  clone.querySelectorAll('code, pre, script, style, kbd, samp, textarea').forEach(e => e.remove());
  return clone.innerText;
}"""

WAY_BACK = "nav[aria-label='Breadcrumb'] a, a.back-link, .coop-nav a, nav[aria-label='Steps'] a"


def check_page(page, name: str, width: int, *, needs_way_back: bool = True) -> None:
    page.wait_for_load_state()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{width}-{name}.png"), full_page=True)
    scroll = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert scroll <= 1, f"{name} at {width} px scrolls sideways by {scroll} px"
    broken = page.evaluate(BROKEN_HEADERS_JS)
    assert not broken, f"{name} at {width} px breaks table headers mid-word: {broken}"
    if needs_way_back:
        assert page.locator(WAY_BACK).count() > 0, f"{name} has no link back"
    keys = sorted(set(SNAKE.findall(page.evaluate(VISIBLE_TEXT_JS))))
    assert not keys, f"{name} shows internal keys: {keys}"
    assert_accessible(page, f"{name} at {width} px")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_newcomer_path_reads_well(new_context, live_server, live_make, width):
    founders = [live_make.user(name=name) for name in ("Asha Patel", "Ben Okafor", "Chloe Wright")]
    mentor = live_make.user(name="Morgan Mentor")
    coop = live_make.coop(founders[0], name="Northern Pixels", slug="northern-pixels")
    for user in founders[1:]:
        live_make.member(coop, user, status="founder")
    live_make.cohort(name="Spring 2026", coops=(coop,), mentors=(mentor,))
    phone = width < 600
    viewport = {"width": width, "height": 800}

    visitor = new_context(phone=phone, viewport=viewport).new_page()
    visitor.goto(live_server.url("/"))
    check_page(visitor, "landing", width, needs_way_back=False)
    visitor.get_by_role("link", name="Take the tour").click()
    check_page(visitor, "tour", width)

    asha = new_context(phone=phone, viewport=viewport).new_page()
    log_in(asha, live_server, founders[0].email)
    slug = coop.slug
    pages = [("your-coops", "/c/"), ("coop-home", f"/c/{slug}/"), ("journey", f"/c/{slug}/founding/"),
             ("step-legal-form", f"/c/{slug}/founding/steps/legal_form"),
             ("step-membership", f"/c/{slug}/founding/steps/membership"),
             ("rules", f"/c/{slug}/rules/"), ("register", f"/c/{slug}/register/"),
             ("proposals-new", f"/c/{slug}/proposals/new")]
    for name, path in pages:
        asha.goto(live_server.url(path))
        check_page(asha, name, width, needs_way_back=name != "your-coops")
    # a guide opened from a step leads back to it
    asha.goto(live_server.url(f"/c/{slug}/founding/steps/legal_form"))
    asha.locator("a[href^='/guides/legal-forms']").first.click()
    check_page(asha, "guide-from-step", width)
    asha.get_by_role("link", name=re.compile("Back to step 3: Legal form")).first.click()
    asha.wait_for_load_state()
    assert asha.url.endswith(f"/c/{slug}/founding/steps/legal_form")

    morgan = new_context(phone=phone, viewport=viewport).new_page()
    log_in(morgan, live_server, mentor.email)
    morgan.goto(live_server.url("/c/"))
    check_page(morgan, "mentor-coops", width, needs_way_back=False)
    assert "not part of a co-op yet" not in morgan.content()
