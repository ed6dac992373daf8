"""Emails about meetings: the notice (with a calendar file and the notice PDF) and a cancellation.

Each member gets their own message. These run in the jobs of :mod:`coopkit.meetings.tasks`,
after the request that called the meeting commits; ``send_mail`` then queues each message
for delivery (with retries) when the job commits.
"""

from __future__ import annotations

import logging
from datetime import UTC, timedelta

import icalendar
from flask import current_app

from coopkit.database import utcnow
from coopkit.mail import MailError, send_mail
from coopkit.meetings.itemtext import item_texts
from coopkit.meetings.procedure import ALL_KIND_LABELS
from coopkit.proposals.notify import _addresses
from coopkit.proposals.timefmt import uk_datetime

log = logging.getLogger("coopkit.meetings")

MEETING_LENGTH = timedelta(hours=2)


def meeting_url(coop, meeting) -> str:
    base = current_app.extensions["coopkit.settings"].base_url.rstrip("/")
    return f"{base}/c/{coop.slug}/meetings/{meeting.number}"


def meeting_ics(coop, meeting, url: str, *, cancelled: bool = False) -> bytes:
    """A calendar entry for the meeting (RFC 5545, built with the icalendar library); instants are naive UTC."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//coopkit//meetings//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "CANCEL" if cancelled else "PUBLISH")
    event = icalendar.Event()
    event.add("uid", f"meeting-{meeting.id}@coopkit")
    event.add("dtstamp", utcnow().replace(tzinfo=UTC))
    event.add("dtstart", meeting.starts_at.replace(tzinfo=UTC))
    event.add("dtend", (meeting.starts_at + MEETING_LENGTH).replace(tzinfo=UTC))
    event.add("summary", f"{coop.name}: {meeting.title}")
    event.add("location", meeting.place if meeting.mode != "online" else "Online")
    event.add("description", "Notice, agenda and proxies: " + url)
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    cal.add_component(event)
    return cal.to_ical()


def _send_each(addresses, subject, body, attachments=()) -> int:
    failed = 0
    for address in addresses:
        try:
            send_mail(address, subject, body, list(attachments))
        except MailError:
            failed += 1
    if failed:
        log.warning("%d of %d meeting emails could not be sent", failed, len(addresses))
    return failed


def notice_text(coop, meeting, items) -> str:
    lines = [f"Notice is given of a {meeting.kind_label.lower()} of {coop.name}.", "",
             f"{meeting.title}", f"When: {uk_datetime(meeting.starts_at)} (UK time)"]
    if meeting.mode != "online":
        lines.append(f"Where: {meeting.place}")
    if meeting.online:
        lines.append(f"Online: {meeting.online_details}")
    if meeting.short_notice:
        lines += ["", f"This meeting is called at short notice: it can be held only if at least "
                      f"{meeting.consents_needed} members agree. Agree on the meeting page."]
    if meeting.proxies_allowed:
        lines += ["", f"If you can't come, you may appoint another member as your proxy on the meeting page "
                      f"by {uk_datetime(meeting.proxy_deadline_at)} (UK time)."]
    lines += ["", "Agenda:"]
    texts = item_texts(coop, meeting, items)
    for n, item in enumerate(items, start=1):
        lines.append(f"{n}. {item.title}")
        if item.item_type != "business" and item.kind:
            lines.append(f"   {ALL_KIND_LABELS[item.kind]}: {item.resolution_text}")
        text = texts.get(item.id)
        if text:
            lines += [f"   The rules change: {line}" for line in text.change_lines]
            if text.citation:
                lines.append(f"   ({text.citation})")
            if text.nominations_close:
                lines.append(f"   Candidates so far: {', '.join(n for _, n in text.candidates) or 'none yet'}. "
                             f"Any member may stand by telling the secretary in writing by "
                             f"{text.nominations_close:%d %B %Y}.")
    return "\n".join(lines)


def notice(meeting, coop, roll, items) -> None:
    from coopkit.meetings.documents import notice_pdf

    url = meeting_url(coop, meeting)
    body = notice_text(coop, meeting, items) + (
        f"\n\nThe notice is attached as a PDF, with a calendar file.\nThe meeting page (proxies, apologies, "
        f"joining online, voting during the meeting):\n{url}\n")
    attachments = [(f"meeting-{meeting.number}.ics", "text/calendar", meeting_ics(coop, meeting, url)),
                   (f"notice-meeting-{meeting.number}.pdf", "application/pdf", notice_pdf(coop, meeting, items))]
    _send_each(_addresses(roll), f"Notice of meeting: {meeting.title}", body, attachments)


def cancelled(meeting, coop, roll) -> None:
    url = meeting_url(coop, meeting)
    body = (f"The meeting of {coop.name} called for {uk_datetime(meeting.starts_at)} (UK time), "
            f"{meeting.title}, has been cancelled.\n\n{url}\n")
    _send_each(_addresses(roll), f"Cancelled: {meeting.title}", body,
               [(f"meeting-{meeting.number}.ics", "text/calendar", meeting_ics(coop, meeting, url, cancelled=True))])
