"""CSV import (a preview with row-level errors; nothing written unless every row is valid)
and the CSV/JSON exports of every register."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.register.csvimport import parse_members_csv
from coopkit.register.models import ShareTransaction

URL = "/c/ribble-web/register/import"
HEADER = "full_name,email,consents_to_electronic,postal_address,status,member_class,admitted_on,ceased_on," \
         "ceased_reason,shares\n"
GOOD = (HEADER
        + "Hal Hill,hal@example.org,yes,\"1 Hill Road, Preston\",member,voting,2024-02-01,,,1.00\n"
        + "Isla Ince,,no,2 Ince Street,ceased,voting,01/02/2024,30/04/2024,resigned,1\n"
        + "Jon Jay,jon@example.org,no,,applicant,voting,,,,\n")
ONE_BAD = GOOD + "Kit Kay,not-an-email,maybe,3 Kay Close,member,voting,2024-13-01,,,1.50\n"


def snapshot(in_app):
    return in_app(lambda c: (
        db.session.execute(sa.select(sa.func.count()).select_from(Member)).scalar_one(),
        db.session.execute(sa.select(sa.func.count()).select_from(ShareTransaction)).scalar_one(),
        db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()))


def upload(client, text: str):
    return client.post(URL, data={"step": "preview", "file": (io.BytesIO(text.encode()), "members.csv")},
                       content_type="multipart/form-data")


def test_one_bad_row_writes_nothing_and_the_preview_names_it(client, login, society, in_app):
    login(client, society.secretary)
    before = snapshot(in_app)
    response = upload(client, ONE_BAD)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 line to fix: nothing has been imported" in page
    assert "Line 5:" in page
    for problem in ("&#39;not-an-email&#39; is not an email address", "consents_to_electronic must be yes or no",
                    "admitted_on: &#39;2024-13-01&#39; is not a date", "shares must be a whole number of shares"):
        assert problem in page, problem
    assert 'class="row-error"' in page and page.count("<td>OK</td>") == 3
    assert "Add these" not in page  # no confirm button
    # forcing the confirm step with the bad text: refused, still nothing written
    response = client.post(URL, data={"step": "confirm", "confirm-csv_text": ONE_BAD}, follow_redirects=True)
    assert "nothing was imported" in response.get_data(as_text=True)
    assert snapshot(in_app) == before


def test_good_file_previews_then_imports(client, login, society, in_app):
    login(client, society.secretary)
    before = snapshot(in_app)
    page = upload(client, GOOD).get_data(as_text=True)
    assert "3 people ready to add." in page and "Add these 3 to the register" in page
    assert snapshot(in_app) == before  # the preview writes nothing
    response = client.post(URL, data={"step": "confirm", "confirm-csv_text": GOOD})
    assert response.status_code == 302

    def check(ctx):
        rows = {m.full_name: m for m in db.session.execute(sa.select(Member).where(
            Member.full_name.in_(("Hal Hill", "Isla Ince", "Jon Jay")))).scalars()}
        assert rows["Hal Hill"].status == "member" and rows["Hal Hill"].admitted_on == date(2024, 2, 1)
        assert rows["Hal Hill"].consents_to_electronic and rows["Hal Hill"].postal_address == "1 Hill Road, Preston"
        assert rows["Isla Ince"].ceased_on == date(2024, 4, 30) and rows["Isla Ince"].ceased_reason == "resigned"
        assert rows["Jon Jay"].status == "applicant"
        held = dict(db.session.execute(sa.select(ShareTransaction.member_id, sa.func.sum(ShareTransaction.amount_pence))
                                       .group_by(ShareTransaction.member_id)).all())
        assert held[rows["Hal Hill"].id] == 100 and held[rows["Isla Ince"].id] == 0
        actions = db.session.execute(sa.select(AuditEvent.action)).scalars().all()
        assert actions.count("member.imported") == 3 and "register.imported" in actions

    in_app(check)
    # the same file again: every email is now in the register
    page = upload(client, GOOD).get_data(as_text=True)
    assert "hal@example.org is already in the register" in page


def test_parser_reports_file_level_problems():
    kwargs = {"existing_emails": set(), "non_voting_allowed": False, "share_value_pence": 100,
              "max_holding_pence": 100, "today": date(2025, 1, 1)}
    assert parse_members_csv("", **kwargs).errors == {0: ["The file is empty."]}
    result = parse_members_csv("name,colour\nA,blue\n", **kwargs)
    assert not result.ok and "Missing column: full_name." in result.errors[1]
    result = parse_members_csv(HEADER, **kwargs)
    assert result.errors == {0: ["The file has a header line but no members."]}
    result = parse_members_csv(HEADER + "Zed,,,,member,non_voting,2024-01-01,,,5\n", **kwargs)
    assert "The rules have no non-voting class." in result.errors[2]
    assert "shares are above the largest holding the rules allow." in result.errors[2]
    result = parse_members_csv(HEADER + "Zed,z@example.org,,,member,,2026-01-01,,,\n"
                               + "Zoe,z@example.org,,,member,,2024-01-01,,,\n", **kwargs)
    assert "admitted_on is in the future." in result.errors[2]
    assert "z@example.org is also on line 2." in result.errors[3]


def test_bad_uploads_get_a_message(client, login, society):
    login(client, society.secretary)
    response = client.post(URL, data={"step": "preview", "file": (io.BytesIO(b"\xff\xfe\x00bad"), "x.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 200 and "isn&#39;t UTF-8 text" in response.get_data(as_text=True)
    response = client.post(URL, data={"step": "preview"}, content_type="multipart/form-data")
    assert response.status_code == 200 and "Choose a CSV file" in response.get_data(as_text=True)


def test_exports_every_register_as_csv_and_json(client, login, society, in_app):
    from coopkit.register import services

    in_app(lambda c: services.issue_shares(c.member(society.member.id), 100, on=date(2024, 1, 2),
                                           actor=c.user(society.secretary.id)))
    in_app(lambda c: services.amend_member(c.member(society.member.id), {"full_name": "=HYPERLINK(\"x\")"},
                                           reason="test of a formula", actor=c.user(society.secretary.id)))
    login(client, society.secretary)
    for which in ("members", "shares", "officers", "property", "amendments"):
        response = client.get(f"/c/ribble-web/register/export/{which}.csv")
        assert response.status_code == 200 and response.mimetype == "text/csv"
        assert f'filename="ribble-web-{which}.csv"' in response.headers["Content-Disposition"]
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
        data = client.get(f"/c/ribble-web/register/export/{which}.json").get_json()
        assert data["register"] == which and len(data["rows"]) == len(rows)
    members = list(csv.DictReader(io.StringIO(client.get("/c/ribble-web/register/export/members.csv")
                                              .get_data(as_text=True))))
    amy = next(r for r in members if r["member_id"] == str(society.member.id))
    assert amy["full_name"] == "'=HYPERLINK(\"x\")"  # never a live formula in a spreadsheet
    assert amy["postal_address"] == "2 Adam Street, Preston" and amy["shares_held_pence"] == "100"
    assert set(amy) >= {"email", "consents_to_electronic", "amount_paid_pence", "loans_pence", "deposits_pence",
                        "admitted_on", "ceased_on"}
    as_at = json.loads(client.get("/c/ribble-web/register/export/shares.json?as_at=2024-01-01").data)
    assert as_at["rows"] == []
    assert client.get("/c/ribble-web/register/export/nothing.csv").status_code == 404
    assert client.get("/c/ribble-web/register/export/members.xml").status_code == 404
