"""Reminders at 30, 14, 7 and 1 days before, each sent once, only to the people responsible
(the real SMTP server of the ``mailbox`` fixture)."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coopkit.calendar.models import ReminderSent
from coopkit.extensions import db
from tests.calendar.helpers import society

RETURN_DUE = date(2025, 10, 31)


def _remind(app, today):
    from coopkit.calendar.reminders import send_due

    with app.app_context():
        sent = send_due(today)
        db.session.commit()
        return sent


def test_each_reminder_once_to_the_secretary_and_directors_only(app, make, mailbox):
    s = society(make)
    # 30 days before the return: the secretary and the director (not the member, not the mentor).
    sent = _remind(app, date(2025, 10, 1))
    keys = {(x.key, x.days_before) for x in sent}
    assert ("annual-return-2025-03-31", 30) in keys
    to_return = [m for m in mailbox.messages if "Annual return" in m["Subject"]]
    assert sorted(m["X-Envelope-To"] for m in to_return) == sorted([s.secretary.email, s.director.email])
    assert not mailbox.to(s.member.email) and not mailbox.to(s.mentor.email)
    body = mailbox.body(to_return[0])
    assert "due in 30 days, on 31 October 2025" in body and "/calendar/" in body
    # The same day again, and days later within the same threshold: nothing more.
    mailbox.clear()
    _remind(app, date(2025, 10, 1))
    _remind(app, date(2025, 10, 10))
    assert not [m for m in mailbox.messages if "Annual return" in m["Subject"]]
    # Each later threshold once.
    for today, days in ((date(2025, 10, 17), 14), (date(2025, 10, 24), 7), (date(2025, 10, 30), 1)):
        mailbox.clear()
        _remind(app, today)
        _remind(app, today)
        got = [m for m in mailbox.messages if "Annual return" in m["Subject"]]
        assert len(got) == 2, (today, [m["X-Envelope-To"] for m in got])
        assert ("due tomorrow" if days == 1 else f"due in {days} days") in mailbox.body(got[0])
    with app.app_context():
        rows = db.session.execute(sa.select(ReminderSent.days_before, ReminderSent.user_id).where(
            ReminderSent.key == "annual-return-2025-03-31")).all()
    assert sorted(rows) == sorted((d, u) for d in (1, 7, 14, 30) for u in (s.secretary.id, s.director.id))


def test_no_reminder_once_done_or_too_early_or_late(app, client, make, login, mailbox):
    s = society(make)
    login(client, s.secretary)
    client.post(f"/c/{s.coop.slug}/calendar/done/annual-return-2025-03-31", data={"done_on": "2025-09-15"})
    mailbox.clear()
    _remind(app, date(2025, 10, 24))
    assert not [m for m in mailbox.messages if "Annual return" in m["Subject"]]
    _remind(app, date(2025, 8, 1))  # 91 days before: nothing
    assert not [m for m in mailbox.messages if "Annual return" in m["Subject"]]


def test_a_late_start_sends_only_the_nearest_reminder(app, make, mailbox):
    s = society(make)
    _remind(app, date(2025, 10, 26))  # 5 days before: the 7-day reminder only
    with app.app_context():
        kinds = set(db.session.execute(sa.select(ReminderSent.days_before).where(
            ReminderSent.key == "annual-return-2025-03-31")).scalars())
    assert kinds == {7}
    assert len(mailbox.to(s.secretary.email)) >= 1


def test_a_forming_coop_gets_no_reminders(app, make, mailbox):
    founder = make.user()
    make.coop(founder=founder, legal_form="society")
    assert _remind(app, date(2025, 10, 1)) == []
    assert not mailbox.messages


def test_reminders_and_digests_are_periodic_jobs(app):
    from coopkit.jobs import huey

    names = {type(task).__name__ for task in huey._registry._registry.values()} | set(huey._registry._registry)
    assert any("send_deadline_reminders" in str(n) for n in names)
    assert any("send_mentor_digests" in str(n) for n in names)
