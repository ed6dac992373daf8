"""Mentors: the dashboard's deadline columns (sortable, in the CSV) and the weekly digest,
with obligations but no personal data."""

from __future__ import annotations

from datetime import date, timedelta

from coopkit.database import utcnow
from coopkit.extensions import db
from tests.calendar.helpers import society
from tests.statements import count_statements


def test_dashboard_shows_next_deadline_and_overdue_without_names(app, client, make, login):
    s = society(make)
    login(client, s.mentor)
    page = client.get("/mentor/").get_data(as_text=True)
    assert "Next deadline" in page and "Overdue" in page
    assert "deadlines overdue" in page  # nothing filed since 2024: needs attention
    assert "Pat Probation" not in page
    csv = client.get("/mentor/cohort.csv").get_data(as_text=True)
    header, row = csv.splitlines()[:2]
    assert header.endswith("Next obligation,Due on,Overdue obligations,Needs attention")
    assert "Audit, or the audit exemption, for the year to 31 March 2025" in row and "Pat Probation" not in csv
    assert int(row.rsplit(",", 2)[1]) >= 6 and row.endswith(",yes")


def test_dashboard_sorts_by_overdue_and_deadline(app, client, make, login):
    from coopkit.mentoring import dashboard

    s = society(make)
    quiet = make.coop(name="Quiet Forming Co-op")
    with app.app_context():
        from coopkit.coops.models import Coop
        db.session.get(Coop, quiet.id).cohort_id = db.session.get(Coop, s.coop.id).cohort_id
        db.session.commit()
        from coopkit.accounts.models import User
        rows = dashboard.rows_for(db.session.get(User, s.mentor.id), utcnow().date())
    by_overdue = [r.name for r in dashboard.sort_rows(rows, "overdue", True)]
    assert by_overdue[0] == "Calendar Co-operative Limited"
    by_deadline = dashboard.sort_rows(rows, "deadline", False)
    assert by_deadline[0].next_due <= by_deadline[1].next_due
    login(client, s.mentor)
    assert client.get("/mentor/?sort=overdue&dir=desc").status_code == 200


def test_dashboard_statements_do_not_grow_with_coops(app, client, make, login):
    mentor = make.user()
    counts = []
    for n in (1, 4):
        coops = [society(make).coop for _ in range(n)]
        cohort = make.cohort(coops=tuple(coops), mentors=(mentor,))
        login(client, mentor)
        counts.append(count_statements(app, client, f"/mentor/?cohort={cohort}")[0])
    assert counts[0] == counts[1], counts


def _digest(app, today):
    from coopkit.mentoring.digest import send_weekly

    with app.app_context():
        sent = send_weekly(today)
        db.session.commit()
        return sent


def test_weekly_digest_once_to_mentors_only(app, make, mailbox):
    s = society(make)
    today = date(2025, 10, 20)  # a Monday, 11 days before the first return is due
    assert _digest(app, today) == 1
    [message] = mailbox.to(s.mentor.email)
    body = mailbox.body(message)
    assert "Calendar Co-operative Limited" in body
    assert "due 31/10/2025: Annual return (AR30)" in body
    assert "OVERDUE since 30/09/2025: Annual general meeting" in body
    for private in ("Pat Probation", "Dee Director", s.secretary.name):
        assert private not in body
    assert not mailbox.to(s.secretary.email) and not mailbox.to(s.member.email)
    # Again the same week: nothing; the next week: one more.
    assert _digest(app, today + timedelta(days=3)) == 0
    assert _digest(app, today + timedelta(days=7)) == 1
    assert len(mailbox.to(s.mentor.email)) == 2
