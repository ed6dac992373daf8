"""A large register's PDF is rendered by the job queue: the button POSTs, a progress page
refreshes itself (meta refresh, no JavaScript) until it is ready, and the PDF comes from
the PDF cache. Checked by extracting the PDF's text."""

from __future__ import annotations

import io
import re
from datetime import date

import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.extensions import db
from coopkit.jobs import run_pending_jobs
from coopkit.register.tasks import LARGE_REGISTER_ROWS


def _members(app, coop_id: int, n: int) -> None:
    from coopkit.coops.models import Member

    with app.app_context():
        db.session.add_all(Member(coop_id=coop_id, full_name=f"Member {i:04d}", status="member",
                                  admitted_on=date(2024, 1, 1), postal_address=f"{i} Long Row, Preston")
                           for i in range(n))
        db.session.commit()
        db.session.remove()


def _token(response) -> str:
    match = re.search(r"/register/documents/([A-Za-z0-9_-]+)$", response.headers["Location"])
    assert match, response.headers["Location"]
    return match.group(1)


def test_a_large_register_pdf_is_prepared_by_a_job_with_a_progress_page(app, client, make, login, jobs_deferred):
    from coopkit.documents.models import CachedDocument
    from coopkit.jobs.models import DocumentJob

    coop = make.coop(stage="registered")
    secretary, _ = make.secretary(coop)
    _members(app, coop.id, LARGE_REGISTER_ROWS)
    login(client, secretary)
    base = f"/c/{coop.slug}/register"
    page = client.get(f"{base}/").text
    assert f'action="{base}/register.pdf/prepare"' in page and "prepared in the background" in page

    direct = client.get(f"{base}/register.pdf")  # a bookmarked link: sent to the button, nothing rendered
    assert direct.status_code == 302 and direct.headers["Location"].endswith(f"{base}/")

    started = client.post(f"{base}/register.pdf/prepare")
    assert started.status_code == 302
    token = _token(started)
    waiting = client.get(f"{base}/documents/{token}")
    assert waiting.status_code == 200
    assert '<meta http-equiv="refresh" content="3">' in waiting.text
    assert "waiting to be prepared" in waiting.text and "<script" not in waiting.text
    assert client.get(f"{base}/documents/{token}/file").status_code == 404  # not ready yet

    with app.app_context():
        assert run_pending_jobs() == 1
    ready = client.get(f"{base}/documents/{token}")
    assert "Your PDF is ready" in ready.text and 'http-equiv="refresh"' not in ready.text
    pdf = client.get(f"{base}/documents/{token}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert f"{coop.slug}-register-of-members-{date.today().isoformat()}.pdf" in pdf.headers["Content-Disposition"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    names = re.findall(r"Member\s+(\d{4})", text)  # a narrow column wraps the name
    assert names[0] == "0000" and f"{LARGE_REGISTER_ROWS - 1:04d}" in names
    with app.app_context():
        job = db.session.execute(sa.select(DocumentJob)).scalar_one()
        assert job.state == "done" and job.requested_by_id == secretary.id
        cached = db.session.get(CachedDocument, job.sha256)
        assert cached is not None and bytes(cached.content) == pdf.data
        db.session.remove()


def test_only_the_person_who_asked_sees_the_job(app, client, make, login):
    coop = make.coop(stage="registered")
    secretary, _ = make.secretary(coop)
    other = make.coop(stage="registered")
    other_secretary, _ = make.secretary(other)
    _members(app, coop.id, LARGE_REGISTER_ROWS)
    login(client, secretary)
    token = _token(client.post(f"/c/{coop.slug}/register/register.pdf/prepare",
                               data={"as_at": "2025-01-01"}))
    assert "Your PDF is ready" in client.get(f"/c/{coop.slug}/register/documents/{token}").text  # eager in tests
    login(client, other_secretary)
    assert client.get(f"/c/{other.slug}/register/documents/{token}").status_code == 404
    assert client.get(f"/c/{other.slug}/register/documents/{token}/file").status_code == 404
    assert client.get(f"/c/{coop.slug}/register/documents/{token}").status_code == 403


def test_a_small_register_keeps_its_direct_download(app, client, make, login):
    coop = make.coop(stage="registered")
    secretary, _ = make.secretary(coop)
    _members(app, coop.id, 5)
    login(client, secretary)
    page = client.get(f"/c/{coop.slug}/register/").text
    assert f'href="/c/{coop.slug}/register/register.pdf"' in page and "prepared in the background" not in page
