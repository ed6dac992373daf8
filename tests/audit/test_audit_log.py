"""`coopkit audit verify` on a co-op's real register history catches an edit, a deletion and a
swap and names the first bad event; the secretary's audit page filters the log."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.audit.services import chain_name
from coopkit.extensions import db
from tests.register.conftest import society  # noqa: F401  (the fixture)

BASE = "/c/ribble-web/audit"


@pytest.fixture()
def history(app, society):  # noqa: F811
    """A few register changes by the secretary: an application, an admission, a leaving."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.register import services

    with app.app_context():
        coop, actor = db.session.get(Coop, society.coop.id), db.session.get(User, society.secretary.id)
        applicant = services.add_applicant(coop, full_name="Nell North", actor=actor, applied_on=date(2024, 2, 1),
                                           postal_address="1 Secret Street")
        services.admit_member(applicant, date(2024, 3, 1), actor)
        amy = db.session.get(services.Member, society.member.id)
        services.cease_member(amy, on=date(2024, 4, 1), reason="resigned", actor=actor)
        db.session.commit()
        events = db.session.execute(sa.select(AuditEvent.seq, AuditEvent.action)
                                    .where(AuditEvent.chain == chain_name(coop.id)).order_by(AuditEvent.seq)).all()
        return [tuple(e) for e in events]


def verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def tamper(app, coop_id: int, how: str) -> None:
    name = chain_name(coop_id)
    where = sa.and_(AuditEvent.chain == name)
    with app.app_context():
        if how == "edit":
            db.session.execute(sa.update(AuditEvent).where(where, AuditEvent.seq == 3)
                               .values(data='{"on": "2020-01-01"}'))
        elif how == "delete":
            db.session.execute(sa.delete(AuditEvent).where(where, AuditEvent.seq == 3))
        elif how == "swap":
            # swap the contents of events 3 and 4 (each row keeps its place)
            rows = {e.seq: e for e in db.session.execute(sa.select(AuditEvent).where(
                where, AuditEvent.seq.in_((3, 4)))).scalars()}
            fields = ("created_at", "actor_id", "action", "subject_type", "subject_id", "data", "prev_hash", "hash")
            values = {seq: {f: getattr(rows[seq], f) for f in fields} for seq in (3, 4)}
            db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == rows[3].id).values(values[4]))
            db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == rows[4].id).values(values[3]))
        db.session.commit()


@pytest.mark.parametrize(("how", "seq", "reason"), [
    ("edit", 3, "its content does not match its hash (edited)"),
    ("delete", 4, "expected event 3 here, found 4 (removed or reordered)"),
    ("swap", 3, "its previous-hash does not match the event before it"),
])
def test_verify_names_the_first_bad_event(app, society, history, how, seq, reason):  # noqa: F811
    assert len(history) >= 6
    result = verify(app, society.coop.slug)
    assert result.exit_code == 0 and f"ok ({len(history)} events)" in result.output
    tamper(app, society.coop.id, how)
    result = verify(app, society.coop.slug)
    assert result.exit_code == 1
    assert f"coop:{society.coop.id}: BROKEN at event {seq}: {reason}" in result.output
    assert verify(app).exit_code == 1  # every chain


def test_verify_page_shows_the_break(app, client, login, society, history):  # noqa: F811
    login(client, society.secretary)
    assert "The log is intact" in client.get(f"{BASE}/verify").get_data(as_text=True)
    tamper(app, society.coop.id, "edit")
    assert "The log is broken at event 3" in client.get(f"{BASE}/verify").get_data(as_text=True)


def rows_on(page: str) -> list[str]:
    body = page[page.index("<tbody>"):page.index("</tbody>")]
    return [chunk.split("</code>")[0] for chunk in body.split("<code>")[1:]]


def test_audit_page_filters(app, client, login, society, history, make):  # noqa: F811
    login(client, society.secretary)
    page = client.get(f"{BASE}/").get_data(as_text=True)
    assert rows_on(page) == [a for _, a in reversed(history)]  # newest first
    assert "Secret Street" not in page  # addresses never reach the log
    assert rows_on(client.get(f"{BASE}/?action=member").get_data(as_text=True)) == \
        [a for _, a in reversed(history) if a.startswith("member.")]
    assert rows_on(client.get(f"{BASE}/?action=member.ceased").get_data(as_text=True)) == ["member.ceased"]
    assert rows_on(client.get(f"{BASE}/?subject_type=Officer").get_data(as_text=True)) == ["officer.appointed"]
    by_actor = rows_on(client.get(f"{BASE}/?actor={society.secretary.id}").get_data(as_text=True))
    assert {"member.applied", "member.admitted", "member.ceased"} <= set(by_actor)
    # someone who never acted is not offered; asking for them anyway is an error on the field
    page = client.get(f"{BASE}/?actor={society.member_user.id}").get_data(as_text=True)
    assert 'id="actor-error"' in page
    today = datetime.utcnow().date()
    assert len(rows_on(client.get(f"{BASE}/?date_from={today}&date_to={today}").get_data(as_text=True))) == \
        len(history)
    tomorrow = today + timedelta(days=1)
    assert rows_on(client.get(f"{BASE}/?date_from={tomorrow}").get_data(as_text=True)) == []
    page = client.get(f"{BASE}/?date_from={today}&date_to={today - timedelta(days=3)}").get_data(as_text=True)
    assert "The end date is before the start date." in page
    for bad in ("?date_from=yesterday", "?actor=abc", "?page=-4", "?subject_id=%3Cscript%3E", "?action=nope"):
        response = client.get(f"{BASE}/{bad}")
        assert response.status_code == 200, bad
    # only the secretary
    login(client, society.member_user)
    assert client.get(f"{BASE}/").status_code == 403
