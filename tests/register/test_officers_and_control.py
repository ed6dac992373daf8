"""Officers who are not members; a company's directors' particulars and its register of people with
significant control."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.coops.models import Officer
from coopkit.extensions import db
from coopkit.register import services
from coopkit.register.models import SignificantControl
from tests.register.conftest import run


def _count(app, model, coop_id):
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count(model.id)).where(model.coop_id == coop_id)).scalar_one()


def test_a_manager_who_is_not_a_member_is_recorded(app, client, login, society):
    login(client, society.secretary)
    url = f"/c/{society.coop.slug}/register/officers/appoint-other"
    response = client.post(url, data={"other-name": "Rita Manager", "other-office": "manager",
                                      "other-on": "2024-05-01", "other-service_address": "1 Mill Lane, Preston"})
    assert response.status_code == 302
    page = client.get(f"/c/{society.coop.slug}/register/officers").get_data(as_text=True)
    assert "Rita Manager" in page and "not a member" in page
    csv = client.get(f"/c/{society.coop.slug}/register/export/officers.csv").get_data(as_text=True)
    assert "Rita Manager" in csv and "1 Mill Lane" in csv
    pdf = client.get(f"/c/{society.coop.slug}/register/officers.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


@pytest.mark.parametrize(("data", "words"), [
    ({"other-name": "", "other-office": "manager", "other-on": "2024-05-01"}, "Give the officer"),
    ({"other-name": "Dee Director", "other-office": "director", "other-on": "2024-05-01"}, "Not a valid choice"),
    ({"other-name": "Sue Second", "other-office": "secretary", "other-on": "2024-05-01"}, "already holds the office"),
])
def test_a_refused_appointment_says_why_beside_the_field_and_writes_nothing(app, client, login, society, data, words):
    login(client, society.secretary)
    before = _count(app, Officer, society.coop.id)
    response = client.post(f"/c/{society.coop.slug}/register/officers/appoint-other", data=data)
    assert response.status_code == 400
    assert words in response.get_data(as_text=True)
    assert _count(app, Officer, society.coop.id) == before


def test_only_a_secretary_or_a_manager_may_be_a_non_member(app, society):
    def go(c):
        with pytest.raises(services.RegisterError, match="secretary or manager only"):
            services.appoint_non_member(c.coop(society.coop.id), name="Dee", office="director",
                                        on=date(2024, 5, 1), actor=c.user(society.secretary.id))
    run(app, go)


@pytest.fixture()
def company(make):
    founder = make.user(name="Cleo Company")
    coop = make.coop(founder, name="Guarantee Co-operative Ltd", stage="registered", legal_form="company")
    other = make.member(coop, make.user(name="Dev Director"), admitted_on=date(2024, 1, 1))
    with make.app.app_context():
        from coopkit.coops.models import Member

        first = db.session.execute(sa.select(Member).where(Member.coop_id == coop.id,
                                                           Member.user_id == founder.id)).scalar_one()
        db.session.add(Officer(coop_id=coop.id, member_id=first.id, office="secretary", appointed_on=date(2024, 1, 1)))
        db.session.commit()
    return coop, founder, other


def test_a_small_company_lists_who_must_be_on_the_psc_register_and_records_them(app, client, login, company):
    coop, founder, other = company
    login(client, founder)
    page = client.get(f"/c/{coop.slug}/register/officers").get_data(as_text=True)
    assert "Register of people with significant control" in page
    assert "Not yet on this register" in page and "Dev Director" in page
    response = client.post(f"/c/{coop.slug}/register/officers/psc",
                           data={"psc-member_id": other.id, "psc-nature": "Holds 50% of the voting rights",
                                 "psc-became_on": "2024-01-01"})
    assert response.status_code == 302
    assert _count(app, SignificantControl, coop.id) == 1
    bad = client.post(f"/c/{coop.slug}/register/officers/psc",
                      data={"psc-member_id": other.id, "psc-nature": "", "psc-became_on": "2024-01-01"})
    assert bad.status_code == 400 and "Say how they have significant control" in bad.get_data(as_text=True)
    assert _count(app, SignificantControl, coop.id) == 1


def test_a_society_keeps_no_psc_register_and_directors_particulars_are_recorded(app, society):
    def go(c):
        coop = c.coop(society.coop.id)
        with pytest.raises(services.RegisterError, match="Only a company"):
            services.add_significant_control(coop, full_name="X", nature="votes", became_on=date(2024, 1, 1),
                                             actor=c.user(society.secretary.id))
        officer = db.session.execute(sa.select(Officer).where(Officer.coop_id == coop.id)).scalars().first()
        services.set_particulars(officer, {"nationality": "British", "country_of_residence": "England",
                                           "occupation": "Web developer", "service_address": "1 Office Row"},
                                 actor=c.user(society.secretary.id))
        with pytest.raises(services.RegisterError, match="future"):
            services.set_particulars(officer, {"date_of_birth": date(2999, 1, 1)}, actor=None)
        return officer.id
    officer_id = run(app, go)
    with app.app_context():
        officer = db.session.get(Officer, officer_id)
        assert (officer.nationality, officer.occupation) == ("British", "Web developer")
