"""preston-digital's demo meetings: a past AGM with minutes, an upcoming meeting with notice sent
and a proxy appointed (coopkit/meetings/demo.py)."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db
from tests.jobs.helpers import fetch_pdf
from tests.meetings.test_notice import pdf_text


def test_preston_digital_demo_meetings(app, client, login):
    from coopkit import demo
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.meetings import queries
    from coopkit.meetings.models import Meeting, Proxy
    from tests.factories import UserRec

    with app.app_context():
        assert demo.seed() is True
        db.session.commit()
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        agm, upcoming = db.session.execute(sa.select(Meeting).where(Meeting.coop_id == coop.id)
                                           .order_by(Meeting.number)).scalars().all()
        assert agm.kind == "agm" and agm.state == "closed" and agm.present_at_start >= agm.quorum_needed
        assert queries.last_agm_on(coop) is not None
        items = queries.agenda(agm)
        assert any(i.state == "noted" and "accounts" in i.note for i in items)
        assert [i.outcome for i in items if i.kind == "special"] == ["passed"]
        assert upcoming.state == "called" and upcoming.notice_sent_at is not None and upcoming.proxies_allowed
        assert db.session.execute(sa.select(sa.func.count(Proxy.id)).where(
            Proxy.meeting_id == upcoming.id, Proxy.revoked_at.is_(None))).scalar_one() == 1
        assert [u.meeting.id for u in queries.upcoming(coop)] == [upcoming.id]
        kofi = db.session.execute(sa.select(User).where(User.email == "kofi@preston-digital.example")).scalar_one()
        kofi_rec = UserRec(kofi.id, kofi.email, kofi.name, kofi.session_version)
        db.session.remove()

    login(client, kofi_rec)
    page = client.get("/c/preston-digital/meetings/2").text
    assert "Your proxy: <strong>Eli Morgan</strong>" in page
    text = pdf_text(fetch_pdf(client, client.post("/c/preston-digital/meetings/1/minutes.pdf")).data)
    assert "The accounts for the year to 31 March 2025 and the directors' report were received." in text
    assert "Present online (2)" in text and "Apologies (2)" in text
    assert "special resolution, 75% of votes cast" in text and "fewer than 20% of votes cast" in text
    assert "Rule " in text and "quorum): quorate" in text
    home = client.get("/c/preston-digital/").text
    assert "General meeting: joining Co-operatives UK" in home
