"""The register of members: its statutory fields on the page and in the PDF, the register
as at a past date, pagination with a fixed number of statements, and who sees what."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.coops.models import Member
from coopkit.extensions import db
from coopkit.register import services
from coopkit.register.models import ShareTransaction
from tests.register.conftest import Ctx
from tests.statements import count_statements

BASE = "/c/ribble-web/register"


@pytest.fixture()
def history(society, in_app):
    """Amy holds a share and a loan; Cara joined on 1 March 2024 and left on 30 June 2024;
    Dan joined on 2 September 2024 (with his date of birth on file)."""

    def build(ctx):
        actor = ctx.user(society.secretary.id)
        coop = ctx.coop(society.coop.id)
        amy = ctx.member(society.member.id)
        amy.email, amy.consents_to_electronic = "amy@example.org", True
        services.issue_shares(amy, 100, on=date(2024, 1, 1), actor=actor)
        services.add_property(amy, "loan", 250_000, on=date(2024, 2, 1), actor=actor, note="4% a year")
        cara = services.add_applicant(coop, full_name="Cara Cole", actor=actor, email="cara@example.org",
                                      postal_address="4 Cole Road, Preston", applied_on=date(2024, 2, 1))
        services.admit_member(cara, date(2024, 3, 1), actor)
        services.cease_member(cara, on=date(2024, 6, 30), reason="resigned", actor=actor)
        dan = services.add_applicant(coop, full_name="Dan Dale", actor=actor, postal_address="5 Dale Way, Preston",
                                     applied_on=date(2024, 8, 1), date_of_birth=date(1999, 4, 5))
        services.admit_member(dan, date(2024, 9, 2), actor)
        return {"amy": amy.id, "cara": cara.id, "dan": dan.id}

    return in_app(build)


def squash(text: str) -> str:
    return " ".join(text.split())


def test_secretary_sees_every_statutory_field(client, login, society, history):
    login(client, society.secretary)
    # the text without its tags: an email address is marked up in pieces that wrap only at "@" and dots
    page = squash(re.sub(r"<[^>]*>", "", client.get(f"{BASE}/?view=all").get_data(as_text=True)))
    for expected in ("Amy Adams", "2 Adam Street, Preston", "amy@example.org", "consents to notices by email",
                     "£1.00",  # shares held and amount paid
                     "£2,500.00",  # other property: the loan
                     "01/01/2024",  # date entered
                     "Cara Cole", "30/06/2024",  # date ceased
                     "Postal address", "Email and consent", "Shares held", "Amount paid", "Other property",
                     "Date entered", "Date ceased", "Voting"):
        assert expected in page, expected
    entry = squash(client.get(f"{BASE}/members/{history['dan']}").get_data(as_text=True))
    for expected in ("5 Dale Way, Preston", "05/04/1999", "02/09/2024", "Voting member"):
        assert expected in entry, expected


def pdf_text(data: bytes) -> str:
    return squash(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_pdf_has_every_statutory_field(client, login, society, history):
    login(client, society.secretary)
    response = client.get(f"{BASE}/register.pdf?as_at=2024-07-01")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    for expected in ("Register of members as at", "1 July 2024", "Name", "Postal address", "Email address",
                     "Notices by email", "Number of shares held", "Amount paid up", "Other property",
                     "Date entered", "Date ceased", "Amy Adams", "2 Adam Street", "amy@example.org", "Consents",
                     "1 share", "£1.00",
                     "Loan £2,500.00", "01/01/2024", "Cara Cole", "4 Cole Road", "30/06/2024", "Resigned"):
        assert expected in text, expected
    assert "Dan Dale" not in text  # joined after the date


def test_officers_pdf_and_certificate(client, login, society, history):
    login(client, society.secretary)
    text = pdf_text(client.get(f"{BASE}/officers.pdf").data)
    for expected in ("Register of officers", "Sam Secretary", "Secretary", "01/01/2024", "Cara Cole", "Director",
                     "30/06/2024", "Address"):
        assert expected in text, expected
    text = pdf_text(client.get(f"{BASE}/members/{history['amy']}/certificate.pdf").data)
    assert "Share certificate" in text and "Amy Adams" in text and "1 fully paid share" in text


def names_on(client, url) -> set[str]:
    page = client.get(url).get_data(as_text=True)
    page = page[page.index('<table class="register-table">'):]
    page = page[:page.index("</table>")]
    return {n for n in ("Sam Secretary", "Amy Adams", "Bo Brown", "Cara Cole", "Dan Dale") if n in page}


def test_register_as_at_a_past_date(client, login, society, history, in_app):
    login(client, society.secretary)
    everyone = {"Sam Secretary", "Amy Adams", "Bo Brown"}
    assert names_on(client, f"{BASE}/?as_at=2023-12-31") == set()
    assert names_on(client, f"{BASE}/?as_at=2024-02-29") == everyone
    assert names_on(client, f"{BASE}/?as_at=2024-03-01") == everyone | {"Cara Cole"}
    assert names_on(client, f"{BASE}/?as_at=2024-06-29") == everyone | {"Cara Cole"}
    assert names_on(client, f"{BASE}/?as_at=2024-06-30") == everyone  # ceased that day
    assert names_on(client, f"{BASE}/?as_at=2024-09-02") == everyone | {"Dan Dale"}
    assert names_on(client, f"{BASE}/") == everyone | {"Dan Dale"}
    # Cara's status and holding as they were: a member holding £1 in May, nothing after she left
    page = squash(client.get(f"{BASE}/?as_at=2024-05-01").get_data(as_text=True))
    assert "Cara Cole" in page and "Ceased" not in page
    from coopkit.register import queries

    def rows(day):
        coop = Ctx().coop(society.coop.id)
        return {r.member.full_name: r.shares_pence for r in queries.register_all(coop, view="all", as_at=day)}

    assert in_app(lambda c: rows(date(2024, 5, 1)))["Cara Cole"] == 100
    assert in_app(lambda c: rows(date(2024, 7, 1))).get("Cara Cole") is None  # not on the register
    assert in_app(lambda c: rows(date(2024, 5, 1)))["Amy Adams"] == 100
    # a bad or future date: a message, never an error
    response = client.get(f"{BASE}/?as_at=2999-01-01")
    assert response.status_code == 200 and "future date" in response.get_data(as_text=True)
    response = client.get(f"{BASE}/?as_at=31-31-2024")
    assert response.status_code == 200 and "That is not a date" in response.get_data(as_text=True)


def add_members(app, coop_id: int, how_many: int) -> None:
    with app.app_context():
        rows = [{"coop_id": coop_id, "full_name": f"Bulk Member {i:05d}", "postal_address": f"{i} Long Road",
                 "email": f"bulk{i}@example.org", "status": "member", "member_class": "voting",
                 "consents_to_electronic": True, "admitted_on": date(2024, 2, 1)} for i in range(how_many)]
        db.session.execute(sa.insert(Member), rows)
        ids = db.session.execute(sa.select(Member.id).where(Member.full_name.like("Bulk Member %"))).scalars().all()
        db.session.execute(sa.insert(ShareTransaction), [
            {"coop_id": coop_id, "member_id": i, "kind": "issue", "amount_pence": 100, "paid_pence": 100,
             "on": date(2024, 2, 1), "note": ""} for i in ids])
        db.session.commit()


@pytest.mark.parametrize(("small_url", "url"), [
    (f"{BASE}/", f"{BASE}/"),
    # the last page at each size (page 2 of 10 members would be past the end, which costs a count more)
    (f"{BASE}/?view=all&page=1", f"{BASE}/?view=all&page=100"),
    (f"{BASE}/?as_at=2024-03-01", f"{BASE}/?as_at=2024-03-01"),
])
def test_statement_count_is_the_same_for_10_and_5000_members(app, client, login, society, small_url, url):
    login(client, society.secretary)
    add_members(app, society.coop.id, 7)  # 10 with the secretary, Amy and Bo
    small, page = count_statements(app, client, small_url)
    add_members(app, society.coop.id, 4990)
    large, page = count_statements(app, client, url)
    assert small == large, (small, large)
    from coopkit.register.invitations import LISTED

    # one page of them, plus the first few named in the "Without an account" panel
    assert page.count("Bulk Member") <= 50 + LISTED
    assert " of 100</span>" in page  # 5,000 entries, 50 a page


def test_a_page_past_the_end_shows_the_last_page(app, client, login, society):
    login(client, society.secretary)
    add_members(app, society.coop.id, 60)
    past = client.get(f"{BASE}/?view=all&page=9").get_data(as_text=True)
    last = client.get(f"{BASE}/?view=all&page=2").get_data(as_text=True)
    assert "Bulk Member 00059" in past and " of 2</span>" in past
    names = re.compile(r"Bulk Member \d+")
    assert names.findall(past) == names.findall(last) and len(names.findall(last)) >= 13


def test_privacy_members_see_names_only(client, login, society, history, make):
    bo_user, bo = society.people[1]
    login(client, society.member_user)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert "Bo Brown" in page and "Dan Dale" in page
    for private in ("3 Brown Lane", "5 Dale Way", "Postal address", "£2,500.00"):
        assert private not in page, private
    own = client.get(f"{BASE}/members/{society.member.id}").get_data(as_text=True)
    assert "2 Adam Street, Preston" in own and "£2,500.00" in own
    other = client.get(f"{BASE}/members/{history['dan']}").get_data(as_text=True)
    assert "Dan Dale" in other and "5 Dale Way" not in other and "05/04/1999" not in other
    assert client.get(f"{BASE}/members/{history['dan']}/certificate.pdf").status_code == 403
    assert client.get(f"{BASE}/members/{bo.id}/contact").status_code == 403
    assert client.get(f"{BASE}/export/members.csv").status_code == 403
    assert client.get(f"{BASE}/register.pdf").status_code == 403
    # the member may update their own address; the change is kept with a reason
    response = client.post(f"{BASE}/members/{society.member.id}/contact", data={
        "postal_address": "7 Amy Avenue, Preston", "email": "amy@example.org", "consents_to_electronic": "y"})
    assert response.status_code == 302


def test_privacy_mentors_see_counts_only(client, login, society, history, make):
    mentor = make.user(name="Mia Mentor")
    make.cohort(coops=(society.coop,), mentors=(mentor,))
    login(client, mentor)
    response = client.get(f"{BASE}/")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'id="register-counts"' in page
    for private in ("Amy Adams", "Bo Brown", "Dan Dale", "Adam Street"):
        assert private not in page, private
    squashed = squash(page)
    assert "Current members</dt><dd>4" in squashed.replace("> <", "><")  # Sam, Amy, Bo, Dan
    assert client.get(f"{BASE}/members/{society.member.id}").status_code == 403
    assert client.get(f"{BASE}/officers").status_code == 403
    assert client.get(f"{BASE}/register.pdf").status_code == 403


def test_home_panel_shows_counts(client, login, society, history):
    login(client, society.member_user)
    response = client.get("/c/ribble-web/")
    assert response.status_code == 200
    assert "4 current members" in squash(response.get_data(as_text=True))


def test_particulars_typed_as_markup_are_shown_as_text(client, login, society, in_app):
    """The register's cells are built in Python (coopkit/register/table.py): what a secretary
    types into a name, an address or an email is escaped there, in the cells and in each row's
    "More" disclosure, never sent as markup."""
    def build(ctx):
        member = ctx.member(society.member.id)
        member.postal_address = '<img src=x onerror="alert(1)"> 1 Mill Lane & Co'
        member.email = "amy<b>@example.org"

    in_app(build)
    login(client, society.secretary)
    html = client.get(f"{BASE}/").get_data(as_text=True)
    assert "<img src=x" not in html and "<b>" not in html
    assert html.count("&lt;img src=x onerror=&#34;alert(1)&#34;&gt; 1 Mill Lane &amp; Co") == 2  # cell and disclosure
    assert "amy&lt;b&gt;" in html


def test_secretary_sees_applications_waiting_and_people_without_an_account(client, login, society, in_app):
    """The panels above the register (asked with the counts in one statement): the applications
    waiting, oldest first, with their dates; and who has no account, with whether they were invited."""
    def build(ctx):
        actor, coop = ctx.user(society.secretary.id), ctx.coop(society.coop.id)
        later = services.add_applicant(coop, full_name="Zoe Later", actor=actor, postal_address="9 Late Lane, Preston",
                                       applied_on=date(2024, 5, 2))
        first = services.add_applicant(coop, full_name="Ann First", actor=actor, email="ann@example.org",
                                       postal_address="1 First Road, Preston", applied_on=date(2024, 4, 1))
        first.probation_ends_on = date(2024, 7, 1)
        return {"later": later.id, "first": first.id}

    ids = in_app(build)
    login(client, society.secretary)
    page = squash(client.get(f"{BASE}/").get_data(as_text=True))
    assert "Applications waiting (2)" in page
    waiting = page[page.index("Applications waiting"):page.index("</section>", page.index("Applications waiting"))]
    assert waiting.index("Ann First") < waiting.index("Zoe Later")
    assert "applied 01/04/2024, probation ends 01/07/2024" in waiting and "applied 02/05/2024" in waiting
    assert f'{BASE}/members/{ids["first"]}"' in waiting
    unbound = page[page.index("Without an account"):]
    assert "Ann First</a> <span class=\"muted\">not invited yet" in unbound
    assert "Zoe Later</a> <span class=\"muted\">no email address in the register" in unbound
