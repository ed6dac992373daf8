"""Meetings feed the calendar: notice deadlines of meetings not yet notified, and AGMs held."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from coopkit.database import utcnow
from coopkit.extensions import db
from tests.calendar.helpers import society


def _meeting(app, coop_id, number, **fields):
    from coopkit.meetings.models import Meeting

    with app.app_context():
        db.session.add(Meeting(coop_id=coop_id, number=number, **fields))
        db.session.commit()


def test_notice_deadline_of_a_drafted_meeting_and_an_agm_held(app, client, make, login):
    s = society(make)
    meets = utcnow().date() + timedelta(days=40)
    _meeting(app, s.coop.id, 1, kind="general", title="General meeting on hosting", state="draft",
             starts_at=datetime.combine(meets, datetime.min.time()).replace(hour=17))
    _meeting(app, s.coop.id, 2, kind="agm", title="Annual general meeting 2025", state="closed",
             starts_at=datetime(2025, 9, 9, 17), started_at=datetime(2025, 9, 9, 17, 5))
    login(client, s.secretary)
    page = client.get(f"/c/{s.coop.slug}/calendar/").get_data(as_text=True)
    deadline = meets - timedelta(days=15)  # 14 clear days: neither that day nor the meeting's counts
    assert "Send notice of the General meeting on hosting" in page
    assert deadline.strftime("%d/%m/%Y") in page
    with app.app_context():
        from coopkit.calendar.queries import calendar_for
        from coopkit.coops.models import Coop

        cal = calendar_for(db.session.get(Coop, s.coop.id), utcnow().date())
    agm = cal.item("agm-2025-03-31")
    assert agm.status == "done" and agm.obligation.closed_on == date(2025, 9, 9)
    # The next AGM may be no more than 15 months after the one held.
    assert cal.item("agm-2026-03-31").obligation.due_on == date(2026, 9, 30)
    notice = cal.item("notice-meeting-1")
    assert notice.obligation.due_on == deadline and notice.status in ("upcoming", "due")
