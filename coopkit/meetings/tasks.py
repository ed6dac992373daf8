"""Jobs of the meetings feature: the notice (its PDF rendered and one email per member) and a
cancellation, sent after the request that called or cancelled the meeting commits; the minutes
as a PDF, rendered into the PDF cache behind a progress page."""

from __future__ import annotations

import logging

from coopkit.coops.models import Coop
from coopkit.documents.pipeline import render_to_cache
from coopkit.extensions import db
from coopkit.jobs import task
from coopkit.jobs.documents import document_kind
from coopkit.meetings.documents import minutes_html
from coopkit.meetings.queries import meeting_by_number
from coopkit.proposals.services import voting_roll

log = logging.getLogger("coopkit.meetings")


def _load(meeting_id: int):
    from coopkit.meetings.models import Meeting

    meeting = db.session.get(Meeting, meeting_id)
    coop = db.session.get(Coop, meeting.coop_id)
    return meeting, coop, voting_roll(coop)


@task(retries=3, retry_delay=60, retry_backoff=2.0)
def send_notice(meeting_id: int) -> int:
    """Render the notice PDF and email every member entitled (the mail goes when this job commits)."""
    from coopkit.meetings import notify
    from coopkit.meetings.services import live_items

    meeting, coop, roll = _load(meeting_id)
    if meeting.state not in ("called", "open"):
        return 0   # cancelled (or adjourned) before the job ran: nothing to send
    notify.notice(meeting, coop, roll, live_items(meeting))
    log.info("Meeting %s: notice emailed to %d member(s)", meeting_id, len(roll))
    return len(roll)


@task(retries=3, retry_delay=60, retry_backoff=2.0)
def send_cancellation(meeting_id: int) -> int:
    from coopkit.meetings import notify

    meeting, coop, roll = _load(meeting_id)
    notify.cancelled(meeting, coop, roll)
    return len(roll)


@document_kind("meetings.minutes")
def render_minutes(coop_id: int, params: dict) -> str:
    """A closed meeting's minutes as a PDF, into the PDF cache (see coopkit.jobs.documents)."""
    coop = db.session.get(Coop, coop_id)
    meeting = meeting_by_number(coop, int(params["meeting"]))
    return render_to_cache(minutes_html(coop, meeting))
