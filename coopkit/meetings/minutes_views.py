"""A closed meeting's minutes as a PDF. Rendering the record of a long meeting takes a while, so
the button starts a job and a progress page (it refreshes itself: no JavaScript) offers the PDF
from the PDF cache when it is ready. Minutes whose content has not changed since they were last
prepared are in the cache already and are sent at once. Only whoever asked sees the job."""

from __future__ import annotations

from flask import Response, abort, flash, g, redirect, url_for
from flask_login import current_user

from coopkit.coops.forms import EmptyForm
from coopkit.coops.policy import requires
from coopkit.documents.pipeline import cached_rendering
from coopkit.jobs import documents as job_documents
from coopkit.meetings.documents import minutes_html
from coopkit.meetings.views import bp, meeting_or_404


def _closed_meeting(number: int):
    meeting = meeting_or_404(number)
    if meeting.state not in ("closed", "adjourned"):
        abort(404)
    return meeting


def _filename(meeting) -> str:
    return f"{g.coop.slug}-meeting-{meeting.number}-minutes.pdf"


def _send(pdf: bytes, meeting) -> Response:
    return Response(pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{_filename(meeting)}"'})


@bp.route("/<int:number>/minutes.pdf")
@requires("meetings.view")
def minutes_pdf(number: int):
    """The minutes from the PDF cache when they are there; otherwise back to the meeting's button
    that prepares them (a GET writes nothing, so it starts no job)."""
    meeting = _closed_meeting(number)
    pdf = cached_rendering(minutes_html(g.coop, meeting))
    if pdf is not None:
        return _send(pdf, meeting)
    flash("The minutes are prepared as a PDF in the background: use 'Prepare the minutes (PDF)'.", "info")
    return redirect(url_for("meetings.show", number=meeting.number))


@bp.route("/<int:number>/minutes.pdf", methods=["POST"])
@requires("meetings.view")
def prepare_minutes_pdf(number: int):
    meeting = _closed_meeting(number)
    if not EmptyForm().validate_on_submit():
        flash("The form had expired: try again.", "error")
        return redirect(url_for("meetings.show", number=meeting.number))
    pdf = cached_rendering(minutes_html(g.coop, meeting))
    if pdf is not None:
        return _send(pdf, meeting)
    job = job_documents.start_document("meetings.minutes", coop=g.coop, user=current_user,
                                       params={"meeting": meeting.number}, filename=_filename(meeting))
    return redirect(url_for("meetings.minutes_progress", job_token=job.token))


job_documents.add_job_pages(bp, action="meetings.view", prefix="minutes", title="Minutes (PDF)",
                            back="meetings.index")
