"""The PDFs: rules (and a company's articles), registration pack, amendment; the cache."""

from __future__ import annotations

import io
from datetime import date

import pypdf
import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from tests.founding.helpers import COMPLETE_ANSWERS
from tests.jobs.helpers import fetch_pdf
from tests.rules.helpers import draft, ready_coop, save_answers


def _text(pdf: bytes) -> tuple[pypdf.PdfReader, str]:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture()
def counted(monkeypatch):
    """Count the calls that reach WeasyPrint."""
    from coopkit.documents import pipeline

    calls = []
    real = pipeline.weasyprint_bytes

    def counting(*args, **kwargs):
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "weasyprint_bytes", counting)
    return calls


def test_rules_pdf_has_every_heading_the_name_and_the_signature_page(app, client, make, login, counted):
    from coopkit.coops.models import Coop
    from coopkit.rules import queries, render

    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    login(client, users[0])
    response = client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert f'filename="{coop.slug}-rules-v{number}.pdf"' in response.headers["Content-Disposition"]
    reader, text = _text(response.data)
    flat = _flat(text)
    with app.app_context():
        version = queries.version_by_number(db.session.get(Coop, coop.id), number)
        headings = [(e.number, e.title) for e in render.outline(version.text)]
    assert len(headings) > 20
    for clause_number, title in headings:
        assert _flat(f"{clause_number}. {title}") in flat, title
    name = "Northern Pixels Co-operative Limited"
    assert name in flat
    assert f"Rules of {name}" in flat
    last = _flat(reader.pages[-1].extract_text())
    assert "Signed by three members and the secretary" in flat
    for role in ("Member 1", "Member 2", "Member 3", "Secretary"):
        assert role in flat
    assert "Signature" in last and "Full name" in last
    pages = len(reader.pages)
    assert f"Page {pages} of {pages}" in last and f"{name} · Rules" in last  # running header and footer
    assert reader.metadata.title == f"Rules of {name}" and reader.metadata.author == name
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    assert len(counted) == 1


def test_rules_pdf_is_pdf_a_with_embedded_fonts(app, make):
    from coopkit.coops.models import Coop
    from coopkit.rules import documents, queries

    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    with app.app_context(), app.test_request_context():
        pdf = documents.rules_pdf(db.session.get(Coop, coop.id),
                                  queries.version_by_number(db.session.get(Coop, coop.id), number))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert "/OutputIntents" in root and "/MarkInfo" in root
    xmp = root["/Metadata"].get_object().get_data().decode()
    assert 'pdfaid:part="3"' in xmp and 'pdfaid:conformance="B"' in xmp
    fonts = set()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), font["/BaseFont"]
            fonts.add(font["/BaseFont"])
    assert fonts


def test_second_download_comes_from_the_cache(app, client, make, login, counted):
    from coopkit.documents.models import CachedDocument

    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    login(client, users[0])
    first = client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf")
    second = client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf")
    assert first.status_code == second.status_code == 200
    assert first.data == second.data
    assert len(counted) == 1  # WeasyPrint ran once
    with app.app_context():
        rows = db.session.execute(sa.select(CachedDocument.sha256, CachedDocument.size)).all()
    assert len(rows) == 1 and rows[0].size == len(first.data) and len(rows[0].sha256) == 64
    # a different input is a different key: a new draft renders again
    save_answers(app, coop, users[0], {"decisions": dict(COMPLETE_ANSWERS["decisions"], notice_clear_days="21")})
    newer = draft(app, coop, users[0])
    assert client.get(f"/c/{coop.slug}/rules/versions/{newer}/rules.pdf").status_code == 200
    assert len(counted) == 2


def test_cli_writes_the_pdf(app, make, tmp_path, counted):
    from coopkit.cli import register_commands  # noqa: F401  (the app has the commands)

    coop, users = ready_coop(app, make)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["rules", "pdf", coop.slug, "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "no saved rules yet" in result.output
    number = draft(app, coop, users[0])
    result = runner.invoke(args=["rules", "pdf", coop.slug, "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 0, result.output
    _, text = _text((tmp_path / "r.pdf").read_bytes())
    assert "Northern Pixels Co-operative Limited" in text
    assert runner.invoke(args=["rules", "pdf", "no-such-coop", "--out", str(tmp_path / "x.pdf")]).exit_code == 1
    result = runner.invoke(args=["rules", "pdf", coop.slug, "--version", str(number + 5), "--out", str(tmp_path / "x.pdf")])
    assert result.exit_code == 1 and f"no version {number + 5}" in result.output


def test_cli_refuses_rules_with_gaps(app, make, tmp_path):
    coop, users = ready_coop(app, make, without=("objects",))
    draft(app, coop, users[0])
    result = app.test_cli_runner().invoke(args=["rules", "pdf", coop.slug, "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code == 1 and "can't be printed yet" in result.output and "objects" in result.output.lower()
    assert not (tmp_path / "r.pdf").exists()


def _with_secretary_and_aml(app, coop, users):
    """Make the first founder the founding secretary (every founder agreeing to the step that
    names them, as the private details require) and enter both officers' AML details."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.founding.services import save_private_details, secretary_step, sign_off
    from tests.founding.helpers import founder_ids

    first = founder_ids(app, coop)[0]
    save_answers(app, coop, users[0], {"management": dict(COMPLETE_ANSWERS["management"],
                                                          secretary_member_id=str(first))})
    with app.app_context():
        coop_row, actor = db.session.get(Coop, coop.id), db.session.get(User, users[0].id)
        for user in users:
            sign_off(coop_row, secretary_step().key, db.session.get(User, user.id))
        for slot, (name, born) in enumerate((("Asha Patel", "1998-05-14"), ("Ben Okafor", "1999-11-02")), 1):
            save_private_details(coop_row, slot, {"full_name": name, "date_of_birth": born,
                                                  "address": f"{slot} Secret Lane, Preston PR1 9ZZ",
                                                  "years_at_address": "2", "months_at_address": "3"}, actor)
        db.session.commit()


def test_registration_pack_and_aml_only_for_the_secretary(app, client, make, login, counted):
    from coopkit.audit.models import AuditEvent

    coop, users = ready_coop(app, make)
    _with_secretary_and_aml(app, coop, users)
    number = draft(app, coop, users[0])
    url = f"/c/{coop.slug}/rules/versions/{number}/pack"

    # another founder: the pack without addresses, and no AML details even when asked
    login(client, users[1])
    page = client.get(url).get_data(as_text=True)
    assert "only the secretary can add them" in page and 'name="include_aml"' not in page
    refused = client.post(url, data={"include_aml": "y"})
    assert refused.status_code == 400 and "Only the secretary" in refused.get_data(as_text=True)
    plain = fetch_pdf(client, client.post(url, data={}))
    _, text = _text(plain.data)
    flat = _flat(text)
    for expected in ("Application summary", "Founding members", "Registration checklist",
                     "How the members will benefit", "Fair pay and a share of the surplus.", "Financial year end",
                     "31 March", "Founder 1", "Founder 2", "Founder 3", "Member 3", "Secretary"):
        assert expected in flat, expected
    assert "Secret Lane" not in flat and "Anti-money-laundering" not in flat
    assert "Open a bank account in the co-op's name" in flat  # the founding journey's checklist
    assert "held by the secretary" in flat

    # the secretary: addresses and, when asked, the AML details (never cached)
    login(client, users[0])
    page = client.get(url).get_data(as_text=True)
    assert 'name="include_aml"' in page
    with_aml = client.post(url, data={"include_aml": "y"})
    assert with_aml.status_code == 200
    flat = _flat(_text(with_aml.data)[1])
    assert "Anti-money-laundering details" in flat
    assert "1 Secret Lane, Preston PR1 9ZZ" in flat and "14/05/1998" in flat and "2 years and 3 months" in flat
    assert "1 Test Street, Preston" in flat  # founders' postal addresses
    calls = len(counted)
    client.post(url, data={"include_aml": "y"})
    assert len(counted) == calls + 1  # personal data is never served from the shared cache
    with app.app_context():
        events = db.session.execute(sa.select(AuditEvent.action, AuditEvent.data)
                                    .where(AuditEvent.action == "rules.pack_generated")).all()
    assert len(events) == 3
    assert all("Secret Lane" not in str(data) and "1998" not in str(data) for _, data in events)


def test_pack_is_blocked_until_the_application_answers_are_given(app, client, make, login):
    coop, users = ready_coop(app, make, without=("member_benefit",))
    number = draft(app, coop, users[0])
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/rules/versions/{number}/pack").get_data(as_text=True)
    assert "The application summary is not complete: how members will benefit" in page
    assert "Download the registration pack" not in page
    response = client.post(f"/c/{coop.slug}/rules/versions/{number}/pack", data={})
    assert response.status_code == 400 and response.mimetype == "text/html"


def test_pack_is_refused_to_mentors_and_members_of_other_coops(app, client, make, login):
    mentor = make.user()
    coop, users = ready_coop(app, make, mentor=mentor)
    number = draft(app, coop, users[0])
    login(client, mentor)
    assert client.get(f"/c/{coop.slug}/rules/versions/{number}/pack").status_code == 403
    assert client.post(f"/c/{coop.slug}/rules/versions/{number}/pack", data={}).status_code == 403
    assert client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf").status_code == 200  # read-only copy


def test_company_articles_pdf(app, client, make, login):
    answers = {k: dict(v) for k, v in COMPLETE_ANSWERS.items()}
    answers["legal_form"]["legal_form"] = "company"
    coop, users = ready_coop(app, make, answers=answers)
    number = draft(app, coop, users[0])
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/rules/versions/{number}").get_data(as_text=True)
    assert "Articles of association of Northern Pixels Co-operative Limited" in page
    response = client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf")
    assert response.status_code == 200
    assert f"{coop.slug}-articles-v{number}.pdf" in response.headers["Content-Disposition"]
    reader, text = _text(response.data)
    flat = _flat(text)
    assert reader.metadata.title == "Articles of association of Northern Pixels Co-operative Limited"
    assert "Subscriber 1" in flat and "Companies Act 2006" in flat
    check = client.get(f"/c/{coop.slug}/rules/check").get_data(as_text=True)
    assert "What the articles provide for" in check


def test_amendment_pdf_marks_the_changes(app, make):
    from coopkit.coops.models import Coop
    from coopkit.rules import documents, queries

    coop, users = ready_coop(app, make)
    old_number = draft(app, coop, users[0])
    save_answers(app, coop, users[0], {"decisions": dict(COMPLETE_ANSWERS["decisions"], quorum_min_members="3")})
    new_number = draft(app, coop, users[0])
    with app.app_context(), app.test_request_context():
        coop_row = db.session.get(Coop, coop.id)
        old, new = queries.version_by_number(coop_row, old_number), queries.version_by_number(coop_row, new_number)
        flat = _flat(_text(documents.amendment_pdf(coop_row, old, new))[1])
        assert "Quorum: at least this many members: from 2 to 3." in flat
        assert f"From version {old_number}" in flat and "Signed by three members and the secretary" in flat
        whole = _flat(_text(documents.amendment_pdf(coop_row, None, new))[1])
        assert "No earlier version of the rules is on record" in whole


def test_amendment_download_compares_with_the_rules_in_force(app, client, make, login):
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.rules import services

    coop, users = ready_coop(app, make)
    with app.app_context():
        coop_row, actor = db.session.get(Coop, coop.id), db.session.get(User, users[0].id)
        base, _ = services.generate_draft(coop_row, actor)
        services.adopt_version(base, on=date(2026, 1, 5), actor=actor)
        services.register_version(base, date(2026, 1, 20), actor, "RS1")
        amended = services.create_amended_version(coop_row, {"notice_clear_days": 21}, actor, 9)
        numbers = base.number, amended.number
        db.session.commit()
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/rules/versions/{numbers[1]}").get_data(as_text=True)
    assert "Amendment for filing (PDF)" in page and f"the changes from version {numbers[0]}" in page
    response = client.get(f"/c/{coop.slug}/rules/versions/{numbers[1]}/amendment.pdf")
    assert response.status_code == 200
    assert f"amendment-v{numbers[0]}-to-v{numbers[1]}.pdf" in response.headers["Content-Disposition"]
    flat = _flat(_text(response.data)[1])
    assert "Clear days' notice of a general meeting: from 14 to 21." in flat
    assert "Amendment to the Rules of Northern Pixels Co-operative Limited" in flat


def test_signature_blocks_stay_together_and_markdown_is_rendered(app, client, make, login):
    """Rules, pack and amendment: the secretary's block sits on the page of the other three,
    no page starts with a lone signature block, and no Markdown marks are printed."""
    from coopkit.coops.models import Coop
    from coopkit.rules import documents, queries

    coop, users = ready_coop(app, make)
    _with_secretary_and_aml(app, coop, users)
    old_number = draft(app, coop, users[0])
    save_answers(app, coop, users[0], {"decisions": dict(COMPLETE_ANSWERS["decisions"], quorum_min_members="3")})
    number = draft(app, coop, users[0])
    login(client, users[0])
    pdfs = {"rules": client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf").data,
            "pack": fetch_pdf(client, client.post(f"/c/{coop.slug}/rules/versions/{number}/pack", data={})).data}
    with app.app_context(), app.test_request_context():
        coop_row = db.session.get(Coop, coop.id)
        old, new = queries.version_by_number(coop_row, old_number), queries.version_by_number(coop_row, number)
        pdfs["amendment"] = documents.amendment_pdf(coop_row, old, new)
    for name, pdf in pdfs.items():
        reader, text = _text(pdf)
        last_signatures = max(i for i, page in enumerate(reader.pages) if "Secretary" in page.extract_text()
                              and "Full name" in page.extract_text())
        page_text = _flat(reader.pages[last_signatures].extract_text())
        for role in ("Member 1", "Member 2", "Member 3", "Secretary"):
            assert role in page_text, (name, role, last_signatures)
        assert page_text.count("Full name") >= 4, name
        assert "**" not in text and "__" not in text, name
