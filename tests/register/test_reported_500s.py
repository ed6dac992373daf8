"""Four requests that used to answer 500 now answer with a message and write nothing:
an application dated 9999-12-31 (or any future date), a correction without the postal
address field, and the audit filter with ``actor`` of spaces or ``date_to=9999-12-31``."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.extensions import db
from tests.register.conftest import society  # noqa: F401  (the fixture)

BASE = "/c/ribble-web"


def _members(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count(Member.id))).scalar_one()


@pytest.mark.parametrize("applied_on", ["9999-12-31", (date.today() + timedelta(days=1)).isoformat()])
def test_an_application_dated_in_the_future_is_refused(app, client, login, society, applied_on):  # noqa: F811
    login(client, society.secretary)
    before = _members(app)
    response = client.post(f"{BASE}/register/applicants/new", data={
        "full_name": "Future Person", "applied_on": applied_on, "member_class": "voting"})
    assert response.status_code == 200
    assert "can&#39;t be in the future" in response.text or "Give a date between" in response.text
    assert _members(app) == before


def test_the_service_refuses_a_future_application_too(app, society):  # noqa: F811
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.register import services

    with app.app_context():
        coop, actor = db.session.get(Coop, society.coop.id), db.session.get(User, society.secretary.id)
        with pytest.raises(services.RegisterError, match="future"):
            services.add_applicant(coop, full_name="Later", actor=actor, applied_on=date(9999, 12, 31))
        db.session.rollback()


def test_a_correction_without_the_postal_address_field_is_refused(app, client, login, society):  # noqa: F811
    login(client, society.secretary)
    response = client.post(f"{BASE}/register/members/{society.member.id}/correct", data={
        "full_name": "Amy Adams", "member_class": "voting", "admitted_on": "2024-01-01",
        "reason": "tidying"})
    assert response.status_code == 200
    assert "postal address was missing" in response.text
    with app.app_context():
        assert db.session.get(Member, society.member.id).postal_address == "2 Adam Street, Preston"


@pytest.mark.parametrize("query", ["actor=%20%20%20", "date_to=9999-12-31", "date_from=0001-01-01",
                                   "action=%20", "subject_type=%20%20", "actor=%20&date_to=9999-12-31"])
def test_audit_filters_with_odd_values_answer_a_page(client, login, society, query):  # noqa: F811
    login(client, society.secretary)
    response = client.get(f"{BASE}/audit/?{query}")
    assert response.status_code == 200
    if "9999" in query or "0001" in query:
        assert "Give a date between 1900 and 2199." in response.text
