"""The rules pages: preview, checklist, versions, diff, lifecycle and downloads."""

from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.extensions import db
from tests.rules.helpers import draft, ready_coop, save_answers, version_row
from tests.statements import count_statements


def _count_versions(app, coop) -> int:
    from coopkit.rules.models import RulesVersion

    with app.app_context():
        return db.session.execute(sa.select(sa.func.count()).select_from(RulesVersion)
                                  .where(RulesVersion.coop_id == coop.id)).scalar_one()


def test_preview_shows_contents_and_text(app, client, make, login):
    coop, users = ready_coop(app, make)
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/rules/preview").get_data(as_text=True)
    assert "Rules of Northern Pixels Co-operative Limited" in page
    assert 'aria-labelledby="toc-title"' in page
    # every clause heading is in the contents, linking to its anchor in the text
    anchors = re.findall(r'<h2 id="(c-[a-z0-9-]+)">', page)
    assert len(anchors) > 20
    for anchor in anchors:
        assert f'href="#{anchor}"' in page
    assert 'class="gap"' not in page
    assert "still to give" not in page


def test_missing_answer_is_a_marked_gap_linking_to_its_step(app, client, make, login):
    coop, users = ready_coop(app, make, without=("registered_office",))
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/rules/preview").get_data(as_text=True)
    assert f'<mark class="gap"><a href="/c/{coop.slug}/founding/steps/registration">' in page
    assert "1 answer still to give" in page
    assert "registered office address" in page.lower()


def test_user_text_is_escaped_in_the_preview(app, client, make, login):
    from tests.founding.helpers import COMPLETE_ANSWERS

    answers = {k: dict(v) for k, v in COMPLETE_ANSWERS.items()}
    answers["purpose"]["objects"] = "To build <script>alert(1)</script> and *bold* [link](http://evil.example) tools."
    coop, users = ready_coop(app, make, answers=answers)
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/rules/preview").get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "*bold* [link](http://evil.example)" in page
    assert 'href="http://evil.example"' not in page


def test_checklist_for_founder_and_mentor(app, client, make, login):
    mentor = make.user(name="Mentor")
    coop, users = ready_coop(app, make, mentor=mentor, without=("registered_office",))
    for user in (users[0], mentor):
        login(client, user)
        response = client.get(f"/c/{coop.slug}/rules/check")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Schedule 1 of the 2014 Act" in page and "Bona fide co-operative" in page
        assert "The registered office, where notices are sent" in page
        assert "1 check fails" in page
        assert "Every answer the rules need is given" in page
    # the mentor reads but cannot save a version
    login(client, mentor)
    assert client.post(f"/c/{coop.slug}/rules/versions/new").status_code == 403
    assert _count_versions(app, coop) == 0


def test_generate_draft_then_nothing_new_until_answers_change(app, client, make, login):
    coop, users = ready_coop(app, make)
    login(client, users[0])
    response = client.post(f"/c/{coop.slug}/rules/versions/new")
    assert response.status_code == 302 and response.headers["Location"].endswith("/rules/versions/1")
    assert client.post(f"/c/{coop.slug}/rules/versions/new").headers["Location"].endswith("/rules/versions/1")
    assert _count_versions(app, coop) == 1
    row = version_row(app, coop, 1)
    assert row["status"] == "draft" and len(row["content_hash"]) == 64
    page = client.get(f"/c/{coop.slug}/rules/versions/1").get_data(as_text=True)
    assert "Version 1" in page and "Record as adopted" in page


def test_diff_between_two_versions_highlights_changed_words(app, client, make, login):
    from tests.founding.helpers import COMPLETE_ANSWERS

    coop, users = ready_coop(app, make)
    draft(app, coop, users[0])
    decisions = dict(COMPLETE_ANSWERS["decisions"], notice_clear_days="21", written_resolutions="no")
    save_answers(app, coop, users[0], {"decisions": decisions})
    draft(app, coop, users[0])
    login(client, users[0])
    versions_page = client.get(f"/c/{coop.slug}/rules/versions").get_data(as_text=True)
    assert "Compare two versions" in versions_page
    page = client.get(f"/c/{coop.slug}/rules/compare?old=1&new=2").get_data(as_text=True)
    assert "Clear days&#39; notice of a general meeting: from 14 to 21." in page
    assert "<del>14</del><ins>21</ins>" in page or re.search(r"<del>[^<]*14[^<]*</del><ins>[^<]*21", page)
    assert "Removed" in page  # the written resolutions clause dropped out
    # swapped order still shows old -> new
    swapped = client.get(f"/c/{coop.slug}/rules/compare?old=2&new=1").get_data(as_text=True)
    assert "Changes from version 1 to version 2" in swapped


def test_compare_refuses_bad_input_without_error(app, client, make, login):
    coop, users = ready_coop(app, make)
    draft(app, coop, users[0])
    login(client, users[0])
    for query in ("old=1&new=1", "old=1&new=99", "old=x&new=1", "old=&new="):
        response = client.get(f"/c/{coop.slug}/rules/compare?{query}")
        assert response.status_code == 400, query
    assert client.get(f"/c/{coop.slug}/rules/compare").status_code == 302


def test_lifecycle_draft_adopted_registered(app, client, make, login):
    coop, users = ready_coop(app, make)
    number = draft(app, coop, users[0])
    login(client, users[0])
    url = f"/c/{coop.slug}/rules/versions/{number}"
    # a version can't be registered before it is adopted
    response = client.post(f"{url}/register", data={"registered_on": "2026-01-02"})
    assert response.status_code == 400
    assert "only adopted rules can be registered" in response.get_data(as_text=True)
    # bad dates: a message, nothing written
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    for value in ("", "not-a-date", tomorrow):
        assert client.post(f"{url}/adopt", data={"adopted_on": value}).status_code == 400
    assert version_row(app, coop, number)["status"] == "draft"
    assert client.post(f"{url}/adopt", data={"adopted_on": "2026-01-02"}).status_code == 302
    row = version_row(app, coop, number)
    assert row["status"] == "adopted" and row["adopted_on"] == date(2026, 1, 2)
    response = client.post(f"{url}/register", data={"registered_on": "2026-01-01"})
    assert response.status_code == 400 and "can&#39;t be before 02/01/2026" in response.get_data(as_text=True)
    assert client.post(f"{url}/register", data={"registered_on": "2026-01-20",
                                                "registration_number": "RS009999"}).status_code == 302
    row = version_row(app, coop, number)
    assert row["status"] == "registered" and row["registered_on"] == date(2026, 1, 20)
    assert "Registered" in client.get(f"/c/{coop.slug}/rules/").get_data(as_text=True)


def test_draft_with_gaps_cannot_be_adopted(app, client, make, login):
    coop, users = ready_coop(app, make, without=("registered_office",))
    number = draft(app, coop, users[0])
    login(client, users[0])
    response = client.post(f"/c/{coop.slug}/rules/versions/{number}/adopt", data={"adopted_on": "2026-01-02"})
    assert response.status_code == 400
    assert "still has gaps" in response.get_data(as_text=True)
    assert version_row(app, coop, number)["status"] == "draft"


def test_gaps_block_the_pdf_with_the_step_to_finish(app, client, make, login):
    coop, users = ready_coop(app, make, without=("registered_office",))
    number = draft(app, coop, users[0])
    login(client, users[0])
    response = client.get(f"/c/{coop.slug}/rules/versions/{number}/rules.pdf")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The rules can&#39;t be printed yet: registered office address still to be decided" in page
    assert "finish step &#34;8. Registration details&#34;" in page or 'finish step "8. Registration details"' in page


def test_unknown_version_is_404(app, client, make, login):
    coop, users = ready_coop(app, make)
    login(client, users[0])
    for path in ("versions/7", "versions/7/rules.pdf", "versions/7/pack"):
        assert client.get(f"/c/{coop.slug}/rules/{path}").status_code == 404
    assert client.post(f"/c/{coop.slug}/rules/versions/7/adopt", data={"adopted_on": "2026-01-01"}).status_code == 404


def test_other_coops_versions_are_not_reachable(app, client, make, login):
    coop, users = ready_coop(app, make)
    draft(app, coop, users[0])
    outsider_coop = make.coop(name="Elsewhere")
    outsider = make.user()
    make.member(outsider_coop, outsider, status="founder")
    login(client, outsider)
    assert client.get(f"/c/{coop.slug}/rules/versions/1").status_code == 403
    assert client.get(f"/c/{outsider_coop.slug}/rules/versions/1").status_code == 404


def test_review_step_and_home_panel_show_the_rules(app, client, make, login):
    coop, users = ready_coop(app, make, without=("registered_office",))
    login(client, users[0])
    page = client.get(f"/c/{coop.slug}/founding/steps/review").get_data(as_text=True)
    assert "Your rules, from these answers" in page
    assert "1 answer still to give" in page
    assert f'href="/c/{coop.slug}/rules/preview"' in page
    home = client.get(f"/c/{coop.slug}/").get_data(as_text=True)
    assert "Go to the rules" in home


def _statements(app, client, url) -> int:
    return count_statements(app, client, url)[0]


def test_versions_pages_do_not_grow_statements_with_versions(app, client, make, login):
    from tests.founding.helpers import COMPLETE_ANSWERS

    coop, users = ready_coop(app, make)
    draft(app, coop, users[0])
    save_answers(app, coop, users[0], {"decisions": dict(COMPLETE_ANSWERS["decisions"], notice_clear_days="15")})
    draft(app, coop, users[0])
    login(client, users[0])
    urls = [f"/c/{coop.slug}/rules/versions", f"/c/{coop.slug}/rules/"]
    few = [_statements(app, client, url) for url in urls]
    for days in range(16, 26):
        save_answers(app, coop, users[0], {"decisions": dict(COMPLETE_ANSWERS["decisions"],
                                                              notice_clear_days=str(days))})
        draft(app, coop, users[0])
    assert _count_versions(app, coop) == 12
    many = [_statements(app, client, url) for url in urls]
    assert few == many


def test_mentor_reads_the_rules_without_private_answers(app, client, make, login):
    """The registered office may be a founder's home: the founding journey keeps it from mentors,
    and so do the rules pages and PDFs."""
    import io

    import pypdf

    from tests.founding.helpers import COMPLETE_ANSWERS

    office = COMPLETE_ANSWERS["registration"]["registered_office"]
    mentor = make.user(name="Mentor")
    coop, users = ready_coop(app, make, mentor=mentor)
    draft(app, coop, users[0])
    save_answers(app, coop, users[0], {"registration": dict(COMPLETE_ANSWERS["registration"],
                                                            registered_office="7 Other Road, Preston PR2 2BB")})
    draft(app, coop, users[0])
    base = f"/c/{coop.slug}/rules"
    pages = ["/preview", "/versions/1", "/compare?old=1&new=2"]
    login(client, users[0])
    assert "7 Other Road, Preston PR2 2BB" in client.get(base + "/preview").get_data(as_text=True)
    assert office in client.get(base + "/versions/1").get_data(as_text=True)
    compare = client.get(base + pages[2]).get_data(as_text=True)
    assert "7 Other Road" in compare and "Registered office address: from" in compare
    login(client, mentor)
    for path in pages:
        page = client.get(base + path).get_data(as_text=True)
        assert office not in page and "7 Other Road" not in page and "Secret Yard" not in page, path
    assert "[private: not shown to mentors]" in client.get(base + "/preview").get_data(as_text=True)
    pdf = client.get(base + "/versions/1/rules.pdf").data
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert "Secret Yard" not in text and "not shown to mentors" in " ".join(text.split())
