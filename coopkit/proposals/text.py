"""Text helpers for proposals: Markdown rendered then sanitised, and the calendar file."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import icalendar
import markdown as markdown_lib
import nh3
from markupsafe import Markup

from coopkit.contentcache import RenderCache

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "ul", "ol", "li", "blockquote", "code", "pre", "h2", "h3", "h4",
    "a", "hr", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}


#: rendered Markdown by the hash of its text: a text renders the same every time, so an entry never
#: goes stale and nothing expires by time (a proposal page shows its body and comments on every visit)
RENDERED = RenderCache(512)


def render_markdown(text: str) -> Markup:
    """Markdown -> HTML, then sanitised with nh3: raw HTML, scripts, styles and odd links are removed.
    Kept in :data:`RENDERED` under the text's hash."""
    text = text or ""
    return RENDERED.get(hashlib.sha256(text.encode("utf-8")).hexdigest(), lambda: _render(text))


def _render(text: str) -> Markup:
    html = markdown_lib.markdown(text, extensions=["tables", "sane_lists"], output_format="html")
    clean = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                      url_schemes={"http", "https", "mailto"}, link_rel="nofollow noopener noreferrer")
    return Markup(clean)


def closing_ics(*, uid: str, title: str, closes_at: datetime, url: str, stamp: datetime) -> bytes:
    """A calendar entry (RFC 5545, built with the icalendar library) for the half hour before
    voting closes, with a reminder a day ahead. Instants are naive UTC."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//coopkit//proposals//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = icalendar.Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.replace(tzinfo=UTC))
    event.add("dtstart", (closes_at - timedelta(minutes=30)).replace(tzinfo=UTC))
    event.add("dtend", closes_at.replace(tzinfo=UTC))
    event.add("summary", "Voting closes: " + title)
    event.add("description", "Vote before this time: " + url)
    event.add("url", url)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("trigger", timedelta(hours=-24))
    alarm.add("description", "Vote on: " + title)
    event.add_component(alarm)
    cal.add_component(event)
    return cal.to_ical()
