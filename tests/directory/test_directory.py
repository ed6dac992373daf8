"""Evidence for buyers: the public profile, the directory, the JSON, the buyer pack and its
verification code, and the network-eligibility check, on the demo's registered co-op."""

from __future__ import annotations

import io
import json
import re
from datetime import date
from pathlib import Path

import jsonschema
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from coopkit.extensions import db
from tests.statements import count_statements

SLUG = "preston-digital"
SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "coopkit" / "directory" / "party-schema.json").read_text())


@pytest.fixture()
def demo(app):
    from coopkit import demo as demo_data

    with app.app_context():
        demo_data.seed()
        db.session.commit()


def _user(app, email):
    from coopkit.accounts.models import User

    with app.app_context():
        return db.session.execute(sa.select(User).where(User.email == email)).scalar_one()


def _secretary(app, login, client):
    return login(client, _user(app, "dana@preston-digital.example"))


def _personal_details(app) -> list[str]:
    """Every member's postal address and email, and every account email of the co-op."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop, Member

    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == SLUG)).scalar_one()
        rows = db.session.execute(
            sa.select(Member.postal_address, Member.email, User.email).outerjoin(User, User.id == Member.user_id)
            .where(Member.coop_id == coop.id)).all()
    details = {value for row in rows for value in row if value}
    # the street part of each address on its own, too ("14 Fishergate")
    details |= {value.split(",")[0] for value in list(details) if "," in value}
    return sorted(details)


def test_public_pages_and_json_carry_no_personal_data_beyond_officers_names(app, client, demo):
    pages = {url: client.get(url) for url in ("/p/", f"/p/{SLUG}", f"/p/{SLUG}.json", "/p/?service=web")}
    assert all(r.status_code == 200 for r in pages.values()), {u: r.status_code for u, r in pages.items()}
    details = _personal_details(app)
    assert len(details) > 20
    for url, response in pages.items():
        text = response.get_data(as_text=True)
        leaked = [d for d in details if d in text]
        assert not leaked, f"{url} shows {leaked}"
    # officers' names are there (buyers check connected persons), and nothing like a street address
    profile = pages[f"/p/{SLUG}"].get_data(as_text=True)
    assert "Dana Hughes" in profile and "Secretary" in profile
    assert "Fishergate" not in profile and "PR1" not in profile
    assert "Preston" in profile  # the registered office's town only


def test_the_profile_states_the_facts_from_the_records_with_clause_numbers(app, client, demo):
    html = client.get(f"/p/{SLUG}").get_data(as_text=True)
    assert 'itemtype="https://schema.org/Organization"' in html and 'itemprop="legalName"' in html
    page = " ".join(re.sub(r"<[^>]+>", " ", html).split())
    assert "GB-MPR-31742R" in page
    assert "One member, one vote" in page and "Yes: rule 20.1" in page
    assert "Asset lock" in page and "Yes: rule 39.2" in page
    assert "Every Member has one vote" in page  # the rule quoted word for word
    assert "14 (figure of 1 November 2026)" in page
    assert "86%" in page  # 12 members of 14 workers


def test_facts_follow_the_register(app, client, demo, make):
    from coopkit.coops.models import Coop
    from tests.factories import CoopRec

    before = client.get(f"/p/{SLUG}.json").json["details"]["workerOwnership"]["members"]
    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == SLUG)).scalar_one()
        rec = CoopRec(coop.id, coop.slug, coop.name, coop.stage)
    make.member(rec, name="Pat New", admitted_on=date(2026, 11, 20))
    after = client.get(f"/p/{SLUG}.json").json["details"]["workerOwnership"]
    assert after["members"] == before + 1
    assert after["workersWhoAreMembersPercent"] == round(100 * (before + 1) / 14)


def test_the_json_validates_against_the_documented_schema(client, demo):
    party = client.get(f"/p/{SLUG}.json").json
    jsonschema.validate(party, SCHEMA)
    assert party["id"] == "GB-MPR-31742R"
    assert party["identifier"] == {"scheme": "GB-MPR", "id": "31742R",
                                   "legalName": "Preston Digital Co-operative Limited"}
    assert party["roles"] == ["supplier"]
    broken = dict(party, identifier={"scheme": "GB-MPR"})
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, SCHEMA)


def test_the_directory_searches_services_and_areas(client, demo):
    assert "Preston Digital" in client.get("/p/?service=accessibility").get_data(as_text=True)
    assert "Preston Digital" in client.get("/p/?service=WEB&area=lancashire").get_data(as_text=True)
    none = client.get("/p/?service=plumbing").get_data(as_text=True)
    assert "Preston Digital" not in none and "No co-op matches" in none
    odd = client.get("/p/?service=%25_%5C&area=" + "x" * 500)
    assert odd.status_code == 200 and "No co-op matches" in odd.get_data(as_text=True)


def test_not_public_and_unknown_slugs_are_404(client, demo):
    assert client.get("/p/northern-pixels").status_code == 404  # forming, no profile
    assert client.get("/p/northern-pixels.json").status_code == 404
    assert client.get("/p/no-such-coop").status_code == 404


def _pack_code(app) -> str:
    from coopkit.directory.models import BuyerPack

    with app.app_context():
        return db.session.execute(sa.select(BuyerPack.code).order_by(BuyerPack.id.desc()).limit(1)).scalar_one()


def test_a_pack_verifies_then_shows_what_changed_then_that_it_was_withdrawn(app, client, login, demo, make):
    code = _pack_code(app)
    page = client.get("/p/verify", query_string={"code": code.lower().replace("-", " ")})
    assert page.status_code == 200 and "Current" in page.get_data(as_text=True)

    from coopkit.coops.models import Coop
    from tests.factories import CoopRec

    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == SLUG)).scalar_one()
        rec = CoopRec(coop.id, coop.slug, coop.name, coop.stage)
    make.member(rec, name="Pat New", admitted_on=date(2026, 11, 20))
    changed = client.get("/p/verify", query_string={"code": code}).get_data(as_text=True)
    assert "Changed" in changed and "Number of members" in changed
    assert re.search(r"<td>12</td><td>13</td>", changed)

    secretary = _secretary(app, login, app.test_client())
    assert secretary.post(f"/c/{SLUG}/profile/unpublish").status_code == 302
    withdrawn = client.get("/p/verify", query_string={"code": code})
    assert "Withdrawn" in withdrawn.get_data(as_text=True)
    assert client.get(f"/p/{SLUG}").status_code == 404  # off at once


@pytest.mark.parametrize(("code", "status", "message"), [
    ("", 200, "Type the code"),
    ("not a code", 200, "not a buyer pack code"),
    ("<script>alert(1)</script>", 200, "not a buyer pack code"),
    ("AAAA-BBBB-CCCC", 404, "No buyer pack has this code"),
    ("0000-1111-2222", 200, "not a buyer pack code"),
])
def test_forged_or_malformed_codes_get_a_clear_message(client, demo, code, status, message):
    response = client.get("/p/verify", query_string={"code": code})
    assert response.status_code == status
    text = response.get_data(as_text=True)
    assert message in text and "<script>alert" not in text


def test_the_pack_pdf_prints_the_facts_quoted_rules_statement_and_code(app, client, login, demo):
    secretary = _secretary(app, login, client)
    from coopkit.directory.models import BuyerPack

    with app.app_context():
        pack = db.session.execute(sa.select(BuyerPack)).scalar_one()
        pack_id, code = pack.id, pack.code
    response = secretary.get(f"/c/{SLUG}/profile/packs/{pack_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    for expected in ("Preston Digital Co-operative Limited", "GB-MPR-31742R", code, "Rule 20.1",
                     "Every Member has one vote", "Rule 39.2", "Statement by the secretary", "Dana Hughes",
                     "12 current members", "/p/verify?code=" + code):
        assert expected in text, expected
    for detail in _personal_details(app):
        assert detail not in text, detail


def test_publishing_and_changes_are_audited_and_listed_before_publishing(app, client, login, demo):
    from coopkit.audit.models import AuditEvent

    secretary = _secretary(app, login, client)
    manage = secretary.get(f"/c/{SLUG}/profile/").get_data(as_text=True)
    assert "Everything that will be public" in manage and "Dana Hughes" in manage and "Rule 20.1" in manage
    form = {"description": "We build accessible services.", "services": "Web\nAudits", "areas": "Preston",
            "contact_name": "Bids", "contact_email": "bids@example.coop", "website": "https://example.coop",
            "workers": "15", "workers_as_at": "2026-11-30"}
    assert secretary.post(f"/c/{SLUG}/profile/", data=form).status_code == 302
    secretary.post(f"/c/{SLUG}/profile/unpublish")
    secretary.post(f"/c/{SLUG}/profile/publish")
    secretary.post(f"/c/{SLUG}/profile/packs", data={"signed_by_name": "Dana Hughes"})
    with app.app_context():
        actions = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.action.like("profile.%") |
                                                                          AuditEvent.action.like("buyer_pack.%"))
                                     .order_by(AuditEvent.id)).scalars().all()
    assert actions[-4:] == ["profile.updated", "profile.unpublished", "profile.published", "buyer_pack.issued"]


@pytest.mark.parametrize(("change", "field", "message"), [
    ({"contact_email": "dana@preston-digital.example"}, "contact_email", "a member&#39;s own email address"),
    ({"workers": "14", "workers_as_at": ""}, "workers_as_at", "together with the date"),
    ({"workers_as_at": "2999-01-01"}, "workers_as_at", "cannot be in the future"),
    ({"workers": "-3"}, "workers", "whole number"),
    ({"website": "javascript:alert(1)"}, "website", "https://"),
    ({"description": ""}, "description", "what the co-op does"),
    ({"services": "   "}, "services", "at least one service"),
])
def test_bad_profile_input_gets_a_message_and_changes_nothing(app, client, login, demo, change, field, message):
    from coopkit.directory.models import PublicProfile

    secretary = _secretary(app, login, client)
    with app.app_context():
        before = db.session.execute(sa.select(PublicProfile)).scalar_one()
        before = {c.name: getattr(before, c.name) for c in PublicProfile.__table__.columns}
    form = {"description": "Changed text", "services": "Web", "areas": "", "contact_name": "",
            "contact_email": "", "website": "", "workers": "14", "workers_as_at": "2026-11-01", **change}
    response = secretary.post(f"/c/{SLUG}/profile/", data=form)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    with app.app_context():
        after = db.session.execute(sa.select(PublicProfile)).scalar_one()
        assert {c.name: getattr(after, c.name) for c in PublicProfile.__table__.columns} == before


def test_the_eligibility_check_answers_each_condition_with_evidence(app, client, login, demo):
    member = login(client, _user(app, "eli@preston-digital.example"))
    page = member.get(f"/c/{SLUG}/profile/eligibility").get_data(as_text=True)
    for question in ("registered as a legal body", "owned by the people who work in it", "one vote",
                     "control it", "assets locked"):
        assert question in page
    assert page.count("badge-ok") == 5
    assert "Rule 7.1" in page and "Rule 20.1" in page and "Rule 39.2" in page


def test_the_eligibility_check_says_no_for_co_ownership():
    from coopkit.directory import facts as factlib

    facts = factlib.build_facts(
        coop_name="X Limited", slug="x", legal_form="society", registration_number="1R",
        registered_on=date(2024, 1, 1), registered_office="Preston", members=3, workers=None,
        workers_as_at=None, params={"dissolution": "co_ownership", "management": "collective"},
        clauses={"one_member_one_vote": factlib.Quoted("20.1", "Voting", "one vote")}, officers=[],
        rules_version=1, rules_registered_on=None, last_agm=None, last_annual_return=None)
    answers = {c.key: c.met for c in factlib.eligibility(facts, registered=True, non_voting_class=False)}
    assert answers == {"registered": True, "worker_owned": False, "one_member_one_vote": True,
                       "controlled_by_workers": False, "asset_lock": False}


@pytest.mark.parametrize(("address", "town"), [
    ("Unit 4, 10 Fishergate, Preston PR1 2UR", "Preston"),
    ("1 High St\nLancaster\nLA1 1AA", "Lancaster"),
    ("Cardiff", "Cardiff"),
    ("", None),
])
def test_only_the_town_of_the_registered_office_is_published(address, town):
    from coopkit.directory.facts import office_town

    assert office_town(address) == town


def test_the_directory_page_runs_the_same_statements_for_1_and_30_profiles(app, client, make, demo):
    from coopkit.coops.models import Coop
    from coopkit.directory.models import PublicProfile

    few, _ = count_statements(app, client, "/p/")
    with app.app_context():
        for n in range(30):
            coop = Coop(name=f"Co-op {n} Limited", slug=f"co-op-{n}", stage="registered", legal_form="society")
            db.session.add(coop)
            db.session.flush()
            db.session.add(PublicProfile(coop_id=coop.id, published=True, description="x", services="Web"))
        db.session.commit()
    many, _ = count_statements(app, client, "/p/")
    assert many == few


def test_the_last_annual_return_comes_from_the_calendar_and_a_filing_changes_a_pack(app, client, demo):
    from coopkit.accounts.models import User
    from coopkit.calendar import queries as calendar_queries
    from coopkit.calendar import services as calendar_services
    from coopkit.coops.models import Coop

    code = _pack_code(app)
    today = date.today()
    with app.app_context():
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == SLUG)).scalar_one()
        dana = db.session.execute(sa.select(User).where(User.email == "dana@preston-digital.example")).scalar_one()
        # the demo has filed every return already: take the newest filing back out (test setup only)
        from coopkit.calendar.models import ObligationDone

        newest = db.session.execute(sa.select(ObligationDone).where(ObligationDone.kind == "annual_return")
                                    .order_by(ObligationDone.done_on.desc()).limit(1)).scalar_one()
        db.session.delete(newest)
        db.session.flush()
        items = calendar_queries.calendar_for(coop, today).items
        item = next(i for i in items if i.obligation.kind == "annual_return" and i.status != "done"
                    and i.obligation.period_end < today)
        filed_on = today
        calendar_services.record_done(coop, item.obligation.key, done_on=filed_on, reference="AR30-TEST",
                                      actor=dana, today=today)
        db.session.commit()
    details = client.get(f"/p/{SLUG}.json").json["details"]
    assert details["lastAnnualReturn"] == filed_on.isoformat()
    changed = client.get("/p/verify", query_string={"code": code}).get_data(as_text=True)
    assert "Changed" in changed and "Date of the last annual return filed" in changed
