"""The secretary enters and corrects directors' particulars (Companies Act 2006 ss.162-163; a
society's officers the same): a form with clear messages, every change kept with its old value
and reason, shown in the register of officers and its PDF; members see the register with the
month and year of birth, the secretary alone the full date of birth and the home address."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Officer
from coopkit.extensions import db
from coopkit.register.models import OfficerAmendment
from tests.register.test_register_page import pdf_text, squash

FULL = {"former_names": "Amy Appleby", "service_address": "1 Office Row, Preston PR1 1AA",
        "residential_address": "9 Hidden Lane, Preston PR2 2BB", "date_of_birth": "1990-05-14",
        "nationality": "British", "country_of_residence": "England", "occupation": "Web developer",
        "appointed_on": "2024-01-01", "reason": ""}


@pytest.fixture()
def company(make, app):
    """A registered company: its secretary, and Amy, a member appointed director on 1 January 2024."""
    founder = make.user(name="Sam Secretary")
    coop = make.coop(founder, name="Kent Web Co-operative Limited", slug="kent-web", stage="registered",
                     legal_form="company")
    with app.app_context():
        from coopkit.coops.models import Member

        sec_id = db.session.execute(sa.select(Member.id).where(Member.user_id == founder.id)).scalar_one()
    from tests.factories import MemberRec

    make.officer(MemberRec(sec_id, coop.id, founder.id, founder.name, "member"), "secretary")
    amy_user = make.user(name="Amy Adams")
    amy = make.member(coop, amy_user, admitted_on=date(2024, 1, 1))
    director = make.officer(amy, "director", on=date(2024, 1, 1))
    return {"coop": coop, "secretary": founder, "amy": amy_user, "director": director}


def url(company, suffix=""):
    return f"/c/kent-web/register/officers/{company['director']}/particulars{suffix}"


def counts(app):
    with app.app_context():
        return (db.session.execute(sa.select(sa.func.count(OfficerAmendment.id))).scalar_one(),
                db.session.execute(sa.select(sa.func.count(AuditEvent.id))).scalar_one())


def test_the_secretary_enters_then_corrects_the_particulars_and_the_old_values_are_kept(app, client, login, company):
    login(client, company["secretary"])
    page = client.get(url(company)).text
    assert "Service address" in page and "Usual residential address" in page and "Business occupation" in page
    response = client.post(url(company), data=FULL)
    assert response.status_code == 302, response.text
    with app.app_context():
        officer = db.session.get(Officer, company["director"])
        assert (officer.nationality, officer.occupation, officer.date_of_birth) == (
            "British", "Web developer", date(1990, 5, 14))
    # a correction needs a reason; without one nothing changes
    before = counts(app)
    refused = client.post(url(company), data=dict(FULL, service_address="2 New Row, Preston"))
    assert refused.status_code == 400
    assert "Say why the entry changes: the reason is kept with the old value." in refused.text
    assert counts(app) == before
    moved = client.post(url(company), data=dict(FULL, service_address="2 New Row, Preston",
                                                reason="The office moved"))
    assert moved.status_code == 302
    history = squash(re.sub(r"<[^>]+>", " ", client.get(url(company)).text))
    assert "1 Office Row, Preston PR1 1AA 2 New Row, Preston The office moved" in history
    with app.app_context():
        rows = db.session.execute(sa.select(OfficerAmendment.field, OfficerAmendment.old_value, OfficerAmendment.reason)
                                  .where(OfficerAmendment.officer_id == company["director"])
                                  .order_by(OfficerAmendment.id)).all()
        assert ("service_address", "1 Office Row, Preston PR1 1AA", "The office moved") in rows
        assert ("residential_address", "", "Particulars entered") in rows
        events = db.session.execute(sa.select(AuditEvent.data).where(AuditEvent.action == "officer.amended")).scalars()
        data = [json.loads(d) for d in events]
        assert len(data) == 2 and "service_address" in data[1]["fields"]
        assert all("Hidden Lane" not in json.dumps(d) and "1990" not in json.dumps(d) for d in data)


@pytest.mark.parametrize(("changes", "message"), [
    ({"date_of_birth": "2010-03-01"}, "A director must be 16 or over: with that date of birth they were 13"),
    ({"date_of_birth": "2199-01-01"}, "This date can&#39;t be in the future."),
    ({"date_of_birth": "2999-01-01"}, "Give a date between 1900 and 2199."),
    ({"appointed_on": "2023-06-01"}, "An office can&#39;t start before the member was admitted (01/01/2024)."),
    ({"appointed_on": ""}, "Give the date of appointment."),
    ({"nationality": "x" * 81}, "Field cannot be longer than 80 characters."),
    ({"occupation": "Web\x00developer"}, "This field contains characters that can&#39;t be stored."),
])
def test_bad_particulars_get_a_message_and_change_nothing(app, client, login, company, changes, message):
    login(client, company["secretary"])
    before = counts(app)
    response = client.post(url(company), data=dict(FULL, **changes))
    assert response.status_code == 400 and message in response.text
    assert counts(app) == before


def test_an_ended_appointment_keeps_its_end_and_a_current_one_is_ended_only_by_ending_it(app, client, login, company):
    login(client, company["secretary"])
    # a current appointment: no "Date ceased" field, and a posted one is ignored
    assert 'name="ceased_on"' not in client.get(url(company)).text
    assert client.post(url(company), data=dict(FULL, ceased_on="2024-06-01")).status_code == 302
    with app.app_context():
        assert db.session.get(Officer, company["director"]).ceased_on is None
    assert client.post(f"/c/kent-web/register/officers/{company['director']}/end",
                       data={"end-on": "2024-06-30"}).status_code == 302
    refused = client.post(url(company), data=dict(FULL, ceased_on="", reason="typo"))
    assert refused.status_code == 400 and "An ended appointment stays ended" in refused.text
    fixed = client.post(url(company), data=dict(FULL, ceased_on="2024-06-29", reason="Resigned a day earlier"))
    assert fixed.status_code == 302
    with app.app_context():
        assert db.session.get(Officer, company["director"]).ceased_on == date(2024, 6, 29)


def test_members_see_the_register_of_directors_without_the_private_particulars(app, client, login, company):
    login(client, company["secretary"])
    assert client.post(url(company), data=FULL).status_code == 302
    login(client, company["amy"])
    page = squash(client.get("/c/kent-web/register/officers").text)
    for shown in ("1 Office Row, Preston PR1 1AA", "Web developer · British · lives in England · born May 1990",
                  "formerly Amy Appleby"):
        assert shown in page, shown
    assert "Hidden Lane" not in page and "14/05/1990" not in page
    text = pdf_text(client.get("/c/kent-web/register/officers.pdf").data)
    for shown in ("Register of officers (the register of directors and secretary)", "Amy Adams", "Director",
                  "1 Office Row, Preston PR1 1AA", "Former names: Amy Appleby", "Country of residence: England",
                  "Nationality: British", "Business occupation: Web developer", "Born: May 1990"):
        assert shown in text, shown
    assert "Hidden Lane" not in text and "14/05/1990" not in text
    assert client.get(url(company)).status_code == 403  # the form is the secretary's
    login(client, company["secretary"])
    text = pdf_text(client.get("/c/kent-web/register/officers.pdf").data)
    assert "date of birth 14/05/1990" in text and "usual residential address 9 Hidden Lane, Preston PR2 2BB" in text


def test_a_society_officer_who_is_not_a_member_and_someone_elses_officer(app, client, login, company, society):
    from coopkit.register import services

    with app.app_context():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop

        manager = services.appoint_non_member(db.session.get(Coop, society.coop.id), name="Max Manager",
                                              office="manager", on=date(2024, 2, 1),
                                              actor=db.session.get(User, society.secretary.id))
        db.session.commit()
        manager_id = manager.id
    login(client, society.secretary)
    form = f"/c/ribble-web/register/officers/{manager_id}/particulars"
    assert 'name="person_name"' in client.get(form).text
    refused = client.post(form, data={"person_name": "", "appointed_on": "2024-02-01"})
    assert refused.status_code == 400 and "Give the officer&#39;s full name." in refused.text
    assert client.post(form, data={"person_name": "Max Manning", "appointed_on": "2024-02-01",
                                   "reason": "Name misspelt"}).status_code == 302
    assert "Max Manning" in client.get("/c/ribble-web/register/officers").text
    # another co-op's appointment: not found here
    assert client.get(f"/c/ribble-web/register/officers/{company['director']}/particulars").status_code == 404
