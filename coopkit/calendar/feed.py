"""A co-op's obligations as an iCalendar file (RFC 5545), built with the icalendar library:
one all-day event on each due date, with an alarm a week before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar

from coopkit.calendar.obligations import STATUS_LABELS, Item


def ics(coop_name: str, coop_slug: str, items: list[Item], *, with_names: bool, page_url: str,
        stamp: datetime) -> bytes:
    """The calendar file. ``stamp`` is a naive UTC instant (the DTSTAMP of every event)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//coopkit//statutory calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{coop_name}: deadlines")
    stamp = stamp.replace(tzinfo=UTC)
    for item in items:
        ob = item.obligation
        event = icalendar.Event()
        event.add("uid", f"{ob.key}@{coop_slug}.coopkit")
        event.add("dtstamp", stamp)
        event.add("dtstart", ob.due_on)
        event.add("dtend", ob.due_on + timedelta(days=1))
        prefix = "Done: " if item.status == "done" else ""
        event.add("summary", f"{prefix}{coop_name}: {ob.title_for(with_names)}")
        lines = [f"Status: {STATUS_LABELS.get(item.status, item.status)}", f"Who: {ob.who}"]
        lines += [f"- {need}" for need in ob.needs]
        if ob.basis:
            lines.append(ob.basis)
        lines.append(page_url)
        event.add("description", "\n".join(lines))
        event.add("url", page_url)
        event.add("transp", "TRANSPARENT")
        if item.status not in ("done", "passed"):
            alarm = icalendar.Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("trigger", timedelta(days=-7))
            alarm.add("description", f"Due in a week: {ob.title_for(with_names)}")
            event.add_component(alarm)
        cal.add_component(event)
    return cal.to_ical()
