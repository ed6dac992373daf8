"""The calendar page: what is due for each role, done records, settings, bad input."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from coopkit.calendar.models import CalendarSettings, ObligationDone
from coopkit.database import utcnow
from coopkit.extensions import db
from tests.calendar.helpers import society
from tests.statements import count_statements


def _url(s, path=""):
    return f"/c/{s.coop.slug}/calendar/{path}"


def _first_return_key():
    return "annual-return-2025-03-31"


def test_secretary_sees_deadlines_who_and_names(app, client, make, login):
    s = society(make)
    login(client, s.secretary)
    page = client.get(_url(s)).get_data(as_text=True)
    assert "Annual return (AR30) and accounts for the year to 31 March 2025" in page
    assert "31/10/2025" in page and "30/09/2025" in page  # the return and the AGM window's end
    assert "First financial year ends (13 months from registration)" in page
    assert "Probation of Pat Probation ends" in page
    assert "Dee Director" in page
    assert f"/c/{s.coop.slug}/calendar/done/{_first_return_key()}" in page
    assert "Calendar settings" in page


def test_mentor_sees_obligations_but_no_personal_data(app, client, make, login):
    s = society(make)
    login(client, s.secretary)
    client.post(_url(s, f"done/{_first_return_key()}"), data={"done_on": "2025-10-20", "reference": "FCA-778"})
    login(client, s.mentor)
    response = client.get(_url(s))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Annual return (AR30) and accounts for the year to 31 March 2025" in page
    assert "A worker&#39;s probation ends" in page or "A worker's probation ends" in page
    for private in ("Pat Probation", "Dee Director", s.secretary.name, "Mem Member", "Record as done",
                    "Calendar settings", "calendar/return/"):
        assert private not in page
    assert "FCA-778" in page  # the filing itself is not personal


def test_member_cannot_record_or_prepare(app, client, make, login):
    s = society(make)
    login(client, s.member)
    assert client.get(_url(s)).status_code == 200
    assert client.get(_url(s, f"done/{_first_return_key()}")).status_code == 403
    assert client.post(_url(s, f"done/{_first_return_key()}"), data={"done_on": "2025-10-20"}).status_code == 403
    assert client.get(_url(s, "return/2025-03-31")).status_code == 403


def test_recording_a_return_filed_closes_it_and_audits(app, client, make, login):
    s = society(make)
    login(client, s.secretary)
    response = client.post(_url(s, f"done/{_first_return_key()}"),
                           data={"done_on": "2025-10-20", "reference": "FCA-1234", "note": "Filed online"})
    assert response.status_code == 302
    page = client.get(_url(s)).get_data(as_text=True)
    assert "20/10/2025, ref. FCA-1234, recorded by " + s.secretary.name in page
    with app.app_context():
        from coopkit.audit.models import AuditEvent

        row = db.session.execute(sa.select(ObligationDone)).scalar_one()
        assert (row.key, row.done_on, row.due_on, row.done_by_id) == (
            _first_return_key(), date(2025, 10, 20), date(2025, 10, 31), s.secretary.id)
        event = db.session.execute(sa.select(AuditEvent).where(AuditEvent.action == "calendar.done")).scalar_one()
        assert "FCA-1234" in event.data and event.actor_id == s.secretary.id
    # Twice: refused, still one record.
    again = client.post(_url(s, f"done/{_first_return_key()}"), data={"done_on": "2025-10-21"})
    assert again.status_code == 200 and "lready recorded as done" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(ObligationDone.id))).scalar_one() == 1


def _nothing_written(app):
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(ObligationDone.id))).scalar_one() == 0
        assert db.session.execute(sa.select(sa.func.count(CalendarSettings.id))).scalar_one() == 0


def test_bad_done_dates_get_a_message_and_write_nothing(app, client, make, login):
    s = society(make)
    login(client, s.secretary)
    tomorrow = (utcnow().date() + timedelta(days=1)).isoformat()
    for data, message in (({"done_on": "2025-03-31"}, "must be after the year end it is about (31 March 2025)"),
                          ({"done_on": "2025-01-10"}, "must be after the year end"),
                          ({"done_on": tomorrow}, "can&#39;t be in the future"),
                          ({"done_on": "31/31/2025"}, "Not a valid date value"),
                          ({"done_on": ""}, "Give the date"),
                          ({"done_on": "2025-10-20", "reference": "x" * 121}, "120 characters")):
        response = client.post(_url(s, f"done/{_first_return_key()}"), data=data)
        assert response.status_code == 200, data
        assert message in response.get_data(as_text=True), data
    assert client.post(_url(s, "done/annual-return-2031-03-31"), data={"done_on": "2025-10-20"}).status_code == 404
    assert client.post(_url(s, "done/first-period"), data={"done_on": "2025-10-20"}).status_code == 200
    _nothing_written(app)


def test_year_end_setting_and_a_year_end_that_does_not_exist(app, client, make, login):
    s = society(make)
    login(client, s.secretary)
    for bad, message in (("30-02", "30 February does not exist"), ("31-06", "31 June does not exist"),
                         ("13-13", "no month 13"), ("soon", "DD-MM")):
        response = client.post(_url(s, "settings"), data={"year_end": bad})
        assert response.status_code == 200 and message in response.get_data(as_text=True), bad
    _nothing_written(app)
    assert client.post(_url(s, "settings"), data={"year_end": "30-06"}).status_code == 302
    page = client.get(_url(s)).get_data(as_text=True)
    # Registered 1 March 2024, year end 30 June: first year end 30 June 2025 (16 months), return by 30 January.
    assert "First financial year ends (16 months from registration)" in page
    assert "Annual return (AR30) and accounts for the year to 30 June 2025" in page and "30/01/2026" in page
    assert "the secretary’s setting" in page
    assert client.post(_url(s, "settings"), data={"year_end": "29-02"}).status_code == 302
    page = client.get(_url(s)).get_data(as_text=True)
    assert "year to 28 February 2025" in page and "year to 28 February 2026" in page  # no 29th: the 28th


def test_return_preparation_page_and_pdf(app, client, make, login):
    from io import BytesIO

    from pypdf import PdfReader

    s = society(make)
    login(client, s.secretary)
    page = client.get(_url(s, "return/2025-03-31")).get_data(as_text=True)
    assert "Members at the year end" in page and "Checklist for the FCA" in page
    response = client.get(_url(s, "return/2025-03-31.pdf"))
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(response.data)).pages)
    for expected in ("Annual return (AR30) data sheet", "31 March 2025", "Members at the year end",
                     "Mutuals Society Portal", "Dee Director"):
        assert expected in text, expected
    assert client.get(_url(s, "return/2025-04-01")).status_code == 404
    assert client.get(_url(s, "return/not-a-date")).status_code == 404


def test_statements_stay_constant_whatever_the_number_of_members(app, client, make, login):
    small, big = society(make), society(make, members=25)
    counts = []
    for s in (small, big):
        login(client, s.secretary)
        counts.append(count_statements(app, client, _url(s))[0])
    assert counts[0] == counts[1], counts
    assert counts[0] <= 25, counts

