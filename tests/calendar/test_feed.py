"""Private .ics feeds: made, parsed back with icalendar, revoked; forged tokens refused."""

from __future__ import annotations

import re

import icalendar
import sqlalchemy as sa

from coopkit.calendar.models import FeedToken
from coopkit.extensions import db
from tests.calendar.helpers import society


def _make_feed(client, s) -> str:
    response = client.post(f"/c/{s.coop.slug}/calendar/feed")
    assert response.status_code == 200
    match = re.search(r'value="(http://localhost/calendar/feed/[^"]+\.ics)"', response.get_data(as_text=True))
    assert match, "the new feed address is shown once"
    return match.group(1).replace("http://localhost", "")


def test_feed_parses_back_with_every_obligation(app, client, make, login):
    s = society(make)
    login(client, s.secretary)
    url = _make_feed(client, s)
    client.post(f"/c/{s.coop.slug}/calendar/done/annual-return-2025-03-31", data={"done_on": "2025-10-20"})
    anonymous = app.test_client()
    response = anonymous.get(url)
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    cal = icalendar.Calendar.from_ical(response.data)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    ret = events[f"annual-return-2025-03-31@{s.coop.slug}.coopkit"]
    assert ret.decoded("dtstart").isoformat() == "2025-10-31"
    assert str(ret["summary"]).startswith("Done: Calendar Co-operative Limited: Annual return (AR30)")
    agm = events[f"agm-2025-03-31@{s.coop.slug}.coopkit"]
    assert agm.decoded("dtstart").isoformat() == "2025-09-30"
    probation = events[f"probation-{s.probationer.id}@{s.coop.slug}.coopkit"]
    assert "Pat Probation" in str(probation["summary"])  # the secretary may see names
    assert any(a.decoded("trigger").days == -7 for a in agm.walk("VALARM"))
    with app.app_context():
        stored = db.session.execute(sa.select(FeedToken.token_hash)).scalars().all()
    token = url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in stored and len(stored) == 1  # only its hash is kept


def test_mentor_feed_has_no_names(app, client, make, login):
    s = society(make)
    login(client, s.mentor)
    body = app.test_client().get(_make_feed(client, s)).get_data(as_text=True)
    assert "Pat Probation" not in body and "A worker's probation ends" in body


def test_new_address_replaces_the_old_and_revoking_stops_it(app, client, make, login):
    s = society(make)
    login(client, s.member)
    first = _make_feed(client, s)
    second = _make_feed(client, s)
    reader = app.test_client()
    assert reader.get(first).status_code == 404
    assert reader.get(second).status_code == 200
    assert client.post(f"/c/{s.coop.slug}/calendar/feed/revoke").status_code == 302
    refused = reader.get(second)
    assert refused.status_code == 404 and "not valid" in refused.get_data(as_text=True)


def test_forged_tokens_are_refused_without_writing(app, client, make, login):
    society(make)
    reader = app.test_client()
    for forged in ("x", "A" * 43, "../../etc/passwd", "%00", "z" * 500):
        response = reader.get(f"/calendar/feed/{forged}.ics")
        assert response.status_code == 404, forged
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(FeedToken.id))).scalar_one() == 0


def test_a_member_who_leaves_loses_the_feed(app, client, make, login):
    from coopkit.coops.models import Member

    s = society(make)
    login(client, s.member)
    url = _make_feed(client, s)
    with app.app_context():
        row = db.session.execute(sa.select(Member).where(Member.user_id == s.member.id)).scalar_one()
        row.status = "ceased"
        db.session.commit()
    assert app.test_client().get(url).status_code == 404
