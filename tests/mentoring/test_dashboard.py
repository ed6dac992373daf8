"""The mentor dashboard: every co-op of the mentor's cohorts, sortable, filterable,
exportable as CSV, and a fixed number of statements whatever the cohort's size."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest

from coopkit.accounts.models import User
from coopkit.coops.models import Coop
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.founding import comments
from coopkit.founding import services as founding_services
from tests import statements
from tests.founding.helpers import COMPLETE_ANSWERS, founding_team


def set_quiet(app, coop, days):
    with app.app_context():
        db.session.get(Coop, coop.id).last_activity_at = utcnow() - timedelta(days=days, hours=1)
        db.session.commit()


def names_in_table(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r'<td><a href="/c/[^"]+/founding/">([^<]+)</a>', body)


@pytest.fixture()
def cohort(app, make):
    """A mentor with three co-ops at different points, and one co-op of another cohort."""
    mentor = make.user(name="Maya Mentor")
    coops = {}
    for name in ("Bravo", "Alpha", "Charlie"):
        users = [make.user() for _ in range(3)]
        coops[name] = (make.coop(users[0], name=f"{name} Co-op"), users)
        for user in users[1:]:
            make.member(coops[name][0], user, status="founder")
    make.cohort(name="North 2026", coops=tuple(c for c, _ in coops.values()), mentors=(mentor,))
    other, _ = founding_team(make, cohort_mentor=make.user())
    with app.app_context():
        alpha, alpha_users = coops["Alpha"]
        coop = db.session.get(Coop, alpha.id)
        founder = db.session.get(User, alpha_users[0].id)
        for user in alpha_users:
            founding_services.sign_off(coop, "team", db.session.get(User, user.id))
        founding_services.save_step(coop, "purpose", COMPLETE_ANSWERS["purpose"], founder)
        bravo, bravo_users = coops["Bravo"]
        thread = comments.start_thread(db.session.get(Coop, bravo.id), "money", "Reserves?",
                                                 db.session.get(User, mentor.id), by_mentor=True)
        comments.reply(db.session.get(Coop, bravo.id), thread, "Help us",
                                 db.session.get(User, bravo_users[0].id), by_mentor=False)
        db.session.commit()
    set_quiet(app, coops["Charlie"][0], 14)
    return mentor, coops, other


def test_every_coop_of_the_cohorts_with_its_state(app, login, cohort):
    mentor, coops, other = cohort
    client = login(app.test_client(), mentor)
    html = client.get("/mentor/").text
    assert names_in_table(html) == ["Alpha Co-op", "Bravo Co-op", "Charlie Co-op"]
    assert other.name not in html
    alpha_row = html.split("Alpha Co-op", 1)[1].split("</tr>", 1)[0]
    assert "10%" in alpha_row and "Next: 2. Purpose and name" in alpha_row and "Forming" in alpha_row
    bravo_row = html.split("Bravo Co-op", 1)[1].split("</tr>", 1)[0]
    assert "1 awaiting you" in bravo_row and "Needs attention" in bravo_row
    charlie_row = html.split("Charlie Co-op", 1)[1].split("</tr>", 1)[0]
    assert "no activity for 14 days" in charlie_row
    assert re.search(r'<td [^>]*class="num"[^>]*>14</td>', charlie_row)


def test_sorting(app, login, cohort):
    mentor, _, _ = cohort
    client = login(app.test_client(), mentor)
    assert names_in_table(client.get("/mentor/?sort=name&dir=desc").text) == [
        "Charlie Co-op", "Bravo Co-op", "Alpha Co-op"]
    assert names_in_table(client.get("/mentor/?sort=progress&dir=desc").text)[0] == "Alpha Co-op"
    assert names_in_table(client.get("/mentor/?sort=days&dir=desc").text)[0] == "Charlie Co-op"
    assert names_in_table(client.get("/mentor/?sort=comments&dir=desc").text)[0] == "Bravo Co-op"
    html = client.get("/mentor/?sort=activity").text
    assert names_in_table(html)[0] == "Charlie Co-op" and 'aria-sort="ascending"' in html
    assert names_in_table(client.get("/mentor/?sort=bogus&dir=sideways").text)[0] == "Alpha Co-op"


def test_needs_attention_filter(app, login, cohort):
    mentor, coops, _ = cohort
    client = login(app.test_client(), mentor)
    assert names_in_table(client.get("/mentor/?attention=1").text) == ["Bravo Co-op", "Charlie Co-op"]
    set_quiet(app, coops["Charlie"][0], 13)  # 13 days and a bit: not yet
    assert names_in_table(client.get("/mentor/?attention=1").text) == ["Bravo Co-op"]


def test_csv_export_of_the_table(app, login, cohort):
    mentor, _, _ = cohort
    client = login(app.test_client(), mentor)
    response = client.get("/mentor/cohort.csv?attention=1&sort=name&dir=desc")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment;" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0][:5] == ["Co-op", "Address", "Cohort", "Stage", "Progress (%)"]
    assert [r[0] for r in rows[1:]] == ["Charlie Co-op", "Bravo Co-op"]
    assert all(r[-1] == "yes" for r in rows[1:])
    full = list(csv.reader(io.StringIO(client.get("/mentor/cohort.csv").text)))
    assert len(full) == 4


def test_csv_cells_cannot_become_formulas(app, make, login):
    mentor = make.user()
    coop = make.coop(name="=HYPERLINK(\"http://evil\")")
    make.cohort(coops=(coop,), mentors=(mentor,))
    text = login(app.test_client(), mentor).get("/mentor/cohort.csv").text
    assert "'=HYPERLINK" in text


def test_only_mentors_see_the_dashboard(app, make, login, cohort):
    _, coops, _ = cohort
    founder = coops["Alpha"][1][0]
    assert login(app.test_client(), founder).get("/mentor/").status_code == 403
    assert login(app.test_client(), founder).get("/mentor/cohort.csv").status_code == 403


def _fill(app, make, mentor, cohort_id, count):
    """Add ``count`` co-ops to the cohort, each with founders, answers, an agreement and a comment."""
    with app.app_context():
        mentor_user = db.session.get(User, mentor.id)
    for i in range(count):
        users = [make.user() for _ in range(3)]
        coop_rec = make.coop(users[0], name=f"Load {i:03d} Co-op")
        for user in users[1:]:
            make.member(coop_rec, user, status="founder")
        with app.app_context():
            coop = db.session.get(Coop, coop_rec.id)
            coop.cohort_id = cohort_id
            founder = db.session.get(User, users[0].id)
            founding_services.sign_off(coop, "team", founder)
            founding_services.save_step(coop, "money", COMPLETE_ANSWERS["money"], founder)
            mentor_user = db.session.get(User, mentor.id)
            comments.start_thread(coop, "money", "Why 40%?", mentor_user, by_mentor=True)
            db.session.commit()


def count_statements(app, client, url) -> int:
    return statements.count_statements(app, client, url)[0]


def test_the_dashboard_statement_count_does_not_grow_with_the_cohort(app, make, login):
    mentor = make.user()
    cohort_id = make.cohort(mentors=(mentor,))
    client = login(app.test_client(), mentor)
    _fill(app, make, mentor, cohort_id, 5)
    small = {url: count_statements(app, client, url) for url in ("/mentor/", "/mentor/cohort.csv")}
    assert len(names_in_table(client.get("/mentor/").text)) == 5
    _fill(app, make, mentor, cohort_id, 195)
    large = {url: count_statements(app, client, url) for url in ("/mentor/", "/mentor/cohort.csv")}
    assert len(names_in_table(client.get("/mentor/").text)) == 200
    assert large == small
    assert small["/mentor/"] < 25
