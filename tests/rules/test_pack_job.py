"""The registration pack is prepared by the job queue: the button starts a job and a progress
page that refreshes itself without JavaScript; the PDF lands in the PDF cache, so asking again
for an unchanged pack is answered at once; only whoever asked sees the job."""

from __future__ import annotations

import io
import re

import pypdf
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.jobs import run_pending_jobs
from tests.rules.helpers import draft, ready_coop

TOKEN = re.compile(r"/rules/documents/([A-Za-z0-9_-]+)$")


def _jobs(app) -> list:
    from coopkit.jobs.models import DocumentJob

    with app.app_context():
        rows = [(j.kind, j.state, j.requested_by_id, j.sha256) for j in db.session.execute(
            sa.select(DocumentJob).order_by(DocumentJob.id)).scalars()]
        db.session.remove()
        return rows


def test_the_pack_is_prepared_by_a_job_then_served_from_the_cache(app, client, make, login, jobs_deferred):
    from coopkit.documents.models import CachedDocument

    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    url = f"/c/{coop.slug}/rules/versions/{number}/pack"
    login(client, users[1])
    started = client.post(url, data={})
    assert started.status_code == 302
    token = TOKEN.search(started.headers["Location"]).group(1)
    progress = f"/c/{coop.slug}/rules/documents/{token}"
    waiting = client.get(progress)
    assert waiting.status_code == 200 and '<meta http-equiv="refresh" content="3">' in waiting.text
    assert "waiting to be prepared" in waiting.text and "<script" not in waiting.text
    assert client.get(f"{progress}/file").status_code == 404  # not ready yet

    with app.app_context():
        assert run_pending_jobs() == 1
    ready = client.get(progress)
    assert "Your PDF is ready" in ready.text and 'http-equiv="refresh"' not in ready.text
    pdf = client.get(f"{progress}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"{coop.slug}-registration-pack-v{number}.pdf" in pdf.headers["Content-Disposition"]
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "Application summary" in text and "Founding members" in text and "Founder 2" in text
    [(kind, state, asker, key)] = _jobs(app)
    assert (kind, state, asker) == ("rules.pack", "done", users[1].id)
    with app.app_context():
        assert bytes(db.session.get(CachedDocument, key).content) == pdf.data
        db.session.remove()

    # the same pack again: straight from the cache, no second job
    again = client.post(url, data={})
    assert again.status_code == 200 and again.mimetype == "application/pdf" and again.data == pdf.data
    assert len(_jobs(app)) == 1


def test_someone_elses_job_is_not_found(app, client, make, login):
    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    other, other_users = ready_coop(app, make)
    login(client, users[0])
    token = TOKEN.search(client.post(f"/c/{coop.slug}/rules/versions/{number}/pack", data={})
                         .headers["Location"]).group(1)
    assert client.get(f"/c/{coop.slug}/rules/documents/{token}").status_code == 200  # eager in tests: ready
    login(client, users[1])  # a co-founder: may make packs, but this job is not theirs
    assert client.get(f"/c/{coop.slug}/rules/documents/{token}").status_code == 404
    assert client.get(f"/c/{coop.slug}/rules/documents/{token}/file").status_code == 404
    login(client, other_users[0])  # a founder of another co-op, with the token
    assert client.get(f"/c/{other.slug}/rules/documents/{token}/file").status_code == 404
    assert client.get(f"/c/{coop.slug}/rules/documents/{token}/file").status_code == 403


def test_a_pack_that_cannot_be_made_starts_no_job(app, client, make, login):
    coop, users = ready_coop(app, make, without=("member_benefit",))
    number = draft(app, coop, users[0])
    login(client, users[0])
    response = client.post(f"/c/{coop.slug}/rules/versions/{number}/pack", data={})
    assert response.status_code == 400 and "The application summary is not complete" in response.text
    assert _jobs(app) == []
