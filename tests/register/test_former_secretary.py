"""A secretary whose appointment ends (or who leaves the co-op) loses the secretary's powers
at once: the registers, the audit log and the proposals' management refuse them."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from coopkit.coops.models import Officer
from coopkit.extensions import db
from tests.register.conftest import society  # noqa: F401  (the fixture)

BASE = "/c/ribble-web"
#: pages only the secretary may open
SECRETARY_PAGES = ("/register/applicants/new", "/audit/", "/register/import")


def test_a_former_secretary_loses_the_secretary_powers(app, client, login, society, make):  # noqa: F811
    new_secretary = make.officer(society.member, "secretary", on=date(2024, 6, 1))
    assert new_secretary
    login(client, society.secretary)
    for page in SECRETARY_PAGES:
        assert client.get(BASE + page).status_code == 200, page
    office = _secretary_office_of(app, society.secretary_member.id)
    response = client.post(f"{BASE}/register/officers/{office}/end", data={"end-on": "2024-07-01"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Officer, office).ceased_on == date(2024, 7, 1)
    for page in SECRETARY_PAGES:
        assert client.get(BASE + page).status_code == 403, page
    applied = client.post(f"{BASE}/register/applicants/new",
                          data={"full_name": "Sneaky Entry", "applied_on": "2024-07-02"})
    assert applied.status_code == 403
    # still a member: the member's pages stay open
    assert client.get(f"{BASE}/register/").status_code == 200
    # and the new secretary has the powers
    login(client, society.member_user)
    assert client.get(f"{BASE}/register/applicants/new").status_code == 200


def _secretary_office_of(app, member_id):
    with app.app_context():
        return db.session.execute(sa.select(Officer.id).where(
            Officer.member_id == member_id, Officer.office == "secretary", Officer.ceased_on.is_(None))).scalar_one()


def test_a_secretary_who_leaves_the_co_op_loses_the_powers(app, client, login, society):  # noqa: F811
    from coopkit.coops.models import Member

    login(client, society.secretary)
    assert client.get(f"{BASE}/audit/").status_code == 200
    with app.app_context():
        member = db.session.get(Member, society.secretary_member.id)
        member.status, member.ceased_on = "ceased", date(2024, 8, 1)
        db.session.commit()
    assert client.get(f"{BASE}/audit/").status_code == 403
    assert client.get(f"{BASE}/register/applicants/new").status_code == 403
