"""A closed meeting's minutes PDF is prepared by the job queue behind a progress page (a meta
refresh, no JavaScript), lands in the PDF cache and is then served at once, by the button or
the old address; a GET never starts a job; only whoever asked sees the job."""

from __future__ import annotations

import re

import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.jobs import run_pending_jobs
from tests.meetings.helpers import act, call, present, start
from tests.meetings.test_notice import pdf_text

TOKEN = re.compile(r"/meetings/documents/([A-Za-z0-9_-]+)$")


def _closed_meeting(app, assembly) -> None:
    from coopkit.meetings import conduct

    meeting_id = call(app, assembly, days=20, items=[dict(title="Receive the accounts", item_type="business")])
    present(app, assembly, meeting_id, [assembly.secretary_member, assembly.member(1), assembly.member(2),
                                        assembly.member(3)])
    start(app, assembly, meeting_id)
    act(app, assembly, meeting_id, lambda m, c, u: conduct.close_meeting(m, c, u))


def _job_count(app) -> int:
    from coopkit.jobs.models import DocumentJob

    with app.app_context():
        n = db.session.execute(sa.select(sa.func.count(DocumentJob.id))).scalar_one()
        db.session.remove()
        return n


def test_minutes_are_prepared_by_a_job_then_served_from_the_cache(app, client, login, assembly, jobs_deferred):
    _closed_meeting(app, assembly)
    base = f"/c/{assembly.coop.slug}/meetings"
    login(client, assembly.user(2))  # a member
    page = client.get(f"{base}/1").text
    assert f'action="{base}/1/minutes.pdf"' in page and "Prepare the minutes (PDF)" in page
    old_link = client.get(f"{base}/1/minutes.pdf")  # a bookmarked address: back to the button, no job
    assert old_link.status_code == 302 and old_link.headers["Location"].endswith(f"{base}/1")
    assert _job_count(app) == 0

    started = client.post(f"{base}/1/minutes.pdf")
    assert started.status_code == 302
    progress = f"{base}/documents/{TOKEN.search(started.headers['Location']).group(1)}"
    waiting = client.get(progress)
    assert '<meta http-equiv="refresh" content="3">' in waiting.text and "<script" not in waiting.text
    assert client.get(f"{progress}/file").status_code == 404
    with app.app_context():
        assert run_pending_jobs() == 1
    assert "Your PDF is ready" in client.get(progress).text
    pdf = client.get(f"{progress}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"{assembly.coop.slug}-meeting-1-minutes.pdf" in pdf.headers["Content-Disposition"]
    assert "Receive the accounts" in pdf_text(pdf.data)

    # unchanged minutes: straight from the cache, by the button and by the address
    again = client.post(f"{base}/1/minutes.pdf")
    assert again.status_code == 200 and again.data == pdf.data
    cached = client.get(f"{base}/1/minutes.pdf")
    assert cached.status_code == 200 and cached.data == pdf.data
    assert _job_count(app) == 1

    # another member with the token: not found; someone outside the co-op: forbidden
    login(client, assembly.user(3))
    assert client.get(progress).status_code == 404 and client.get(f"{progress}/file").status_code == 404


def test_minutes_of_an_open_meeting_are_not_found(app, client, login, assembly):
    call(app, assembly, days=20, items=[dict(title="Receive the accounts", item_type="business")])
    login(client, assembly.user(2))
    base = f"/c/{assembly.coop.slug}/meetings"
    assert client.post(f"{base}/1/minutes.pdf").status_code == 404
    assert client.get(f"{base}/1/minutes.pdf").status_code == 404
    assert _job_count(app) == 0
