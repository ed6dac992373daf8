"""The notice of a meeting and its minutes, as PDFs through the one pipeline."""

from __future__ import annotations

from flask import render_template

from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.documents.pipeline import render_pdf
from coopkit.extensions import db
from coopkit.meetings import queries
from coopkit.meetings.citations import cite
from coopkit.meetings.itemtext import item_texts
from coopkit.meetings.procedure import ALL_KIND_LABELS, STATUTORY_PURPOSES


def notice_html(coop, meeting, items) -> str:
    return render_template("documents/meeting_notice.html", coop=coop, meeting=meeting, items=items,
                           texts=item_texts(coop, meeting, items), kinds=ALL_KIND_LABELS, purposes=STATUTORY_PURPOSES, cite=lambda key: cite(coop, key))


def notice_pdf(coop, meeting, items) -> bytes:
    """The notice: date, time, place or how to join, the agenda with each resolution's exact words
    and kind, proxies and short notice, and the clauses they follow."""
    return render_pdf(notice_html(coop, meeting, items))


def minutes_context(coop, meeting) -> dict:
    from coopkit.meetings.models import Meeting

    chair = db.session.get(Member, meeting.chair_member_id) if meeting.chair_member_id else None
    items = [i for i in queries.agenda(meeting)]
    approved_at = db.session.get(Meeting, meeting.minutes_approved_at_id) if meeting.minutes_approved_at_id else None
    adjourned_from = db.session.get(Meeting, meeting.adjourned_from_id) if meeting.adjourned_from_id else None
    return dict(coop=coop, meeting=meeting, items=items, chair=chair, texts=item_texts(coop, meeting, items), kinds=ALL_KIND_LABELS, purposes=STATUTORY_PURPOSES,
                attendance=queries.attendance_record(meeting), approved_at=approved_at, adjourned_from=adjourned_from,
                records=queries.open_poll_record([i.id for i in items if i.method == "poll" and not i.secret]),
                cite=lambda key: cite(coop, key), generated_on=utcnow().date())


def minutes_html(coop, meeting) -> str:
    """The minutes drafted from the record, for the chair to sign: attendance, notice, quorum,
    each item with its kind, the clause it was counted under, the counts and the result. The PDF
    is rendered by the job queue into the PDF cache (:mod:`coopkit.meetings.tasks`)."""
    return render_template("documents/meeting_minutes.html", **minutes_context(coop, meeting))
