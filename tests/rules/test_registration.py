"""Registering a forming co-op's first rules registers the co-op: the founders become members."""

from __future__ import annotations

import copy
from datetime import date

import sqlalchemy as sa

from coopkit.extensions import db
from tests.founding.helpers import COMPLETE_ANSWERS
from tests.rules.helpers import draft, ready_coop


def _adopted(app, make, client, login, answers=None):
    coop, users = ready_coop(app, make, answers=answers)
    number = draft(app, coop, users[0])
    login(client, users[0])
    url = f"/c/{coop.slug}/rules/versions/{number}"
    assert client.post(f"{url}/adopt", data={"adopted_on": "2026-01-02"}).status_code == 302
    return coop, users, url


def _state(app, coop):
    from coopkit.audit.models import AuditEvent
    from coopkit.coops.models import Coop, Member, Officer
    from coopkit.register.models import ShareTransaction

    with app.app_context():
        row = db.session.get(Coop, coop.id)
        members = db.session.execute(sa.select(Member).where(Member.coop_id == coop.id)
                                     .order_by(Member.id)).scalars().all()
        return {
            "stage": row.stage, "registered_on": row.registered_on, "number": row.registration_number,
            "statuses": [m.status for m in members],
            "admitted": [m.admitted_on for m in members],
            "shares": db.session.scalar(sa.select(sa.func.count()).select_from(ShareTransaction)
                                        .where(ShareTransaction.coop_id == coop.id)),
            "offices": sorted((o.member_id, o.office) for o in db.session.execute(
                sa.select(Officer).where(Officer.coop_id == coop.id)).scalars()),
            "member_ids": [m.id for m in members],
            "events": db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop.id)).all(),
        }


def test_registration_number_is_required_the_first_time(app, client, make, login):
    coop, users, url = _adopted(app, make, client, login)
    before = _state(app, coop)
    response = client.post(f"{url}/register", data={"registered_on": "2026-01-20", "registration_number": " "})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Give the registration number from the certificate" in page
    assert 'id="registration_number"' in page
    assert _state(app, coop) == before  # nothing written


def test_first_registration_registers_the_coop_and_admits_the_founders(app, client, make, login):
    coop, users, url = _adopted(app, make, client, login)
    response = client.post(f"{url}/register", data={"registered_on": "2026-01-20",
                                                    "registration_number": "RS012345"})
    assert response.status_code == 302
    state = _state(app, coop)
    assert (state["stage"], state["registered_on"], state["number"]) == ("registered", date(2026, 1, 20), "RS012345")
    assert state["statuses"] == ["member", "member", "member"]
    assert state["admitted"] == [date(2026, 1, 20)] * 3
    assert state["shares"] == 3  # one membership share each
    # collective management: every member is a director
    assert [office for _, office in state["offices"]].count("director") == 3
    assert "coop.registered" in state["events"] and state["events"].count("member.admitted") == 3
    # the founders are now members of a registered co-op: the register is theirs to read
    assert client.get(f"/c/{coop.slug}/register/").status_code == 200


def test_the_founding_secretary_is_appointed(app, client, make, login):
    coop, users = ready_coop(app, make)
    from coopkit.coops.models import Member

    with app.app_context():
        secretary_id = db.session.scalars(sa.select(Member.id).where(Member.coop_id == coop.id)
                                          .order_by(Member.id.desc())).first()
    answers = copy.deepcopy(COMPLETE_ANSWERS)
    answers["management"]["secretary_member_id"] = str(secretary_id)
    from tests.rules.helpers import save_answers

    save_answers(app, coop, users[0], answers)
    number = draft(app, coop, users[0])
    login(client, users[0])
    url = f"/c/{coop.slug}/rules/versions/{number}"
    assert client.post(f"{url}/adopt", data={"adopted_on": "2026-01-02"}).status_code == 302
    assert client.post(f"{url}/register", data={"registered_on": "2026-01-20",
                                                "registration_number": "RS5"}).status_code == 302
    assert (secretary_id, "secretary") in _state(app, coop)["offices"]
