"""The register follows the adopted rules: each action the rules forbid is refused with a message
that says why, and nothing is written."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.register import services
from coopkit.register.models import ShareTransaction
from tests.register.conftest import run


def adopt_rules(app, coop_id: int, ruleset_id: str = "worker-society", **params) -> None:
    """Give the co-op rules in force (a registered version) made from its rule set."""
    from coopkit.coops.models import Coop
    from coopkit.rules import render
    from coopkit.rules.models import RulesVersion
    from coopkit.rules.ruleset import load_ruleset
    from tests.rules.test_rulesets import COMPLETE

    ruleset = load_ruleset(ruleset_id)
    document = render.render_document(ruleset, {**COMPLETE, **params})
    with app.app_context():
        coop = db.session.get(Coop, coop_id)
        db.session.add(RulesVersion(coop_id=coop.id, number=1, ruleset_id=ruleset.id, ruleset_version=ruleset.version,
                                    parameters=json.dumps(document.values.raw, sort_keys=True),
                                    text=document.markdown, content_hash=document.content_hash, status="registered",
                                    adopted_on=date(2024, 1, 1), registered_on=date(2024, 1, 1)))
        db.session.commit()


def _rows(app, coop_id: int) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.count(ShareTransaction.id))
                                  .where(ShareTransaction.coop_id == coop_id)).scalar_one()


@pytest.fixture()
def ruled(app, society):
    """The society with its worker-society rules in force: £1 shares, up to £10 each."""
    adopt_rules(app, society.coop.id, max_holding_pence=1000)
    amy, bo = (m for _, m in society.people)

    def setup(c):
        actor = c.user(society.secretary.id)
        services.issue_shares(c.member(amy.id), 300, on=date(2024, 1, 1), actor=actor)
        services.issue_shares(c.member(bo.id), 100, on=date(2024, 1, 1), actor=actor)
    run(app, setup)
    return society


def attempt(app, fn):
    """Run a register write that must be refused: its message, and the session rolled back."""
    with app.app_context():
        try:
            with pytest.raises(services.RegisterError) as caught:
                fn(_Ctx())
        finally:
            db.session.rollback()
            db.session.remove()
    return str(caught.value)


class _Ctx:
    def member(self, member_id):
        from coopkit.coops.models import Member

        return db.session.get(Member, member_id)

    def user(self, user_id):
        from coopkit.accounts.models import User

        return db.session.get(User, user_id)


def test_a_transfer_is_refused_where_the_rules_make_shares_non_transferable(app, ruled):
    amy, bo = (m for _, m in ruled.people)
    before = _rows(app, ruled.coop.id)
    message = attempt(app, lambda c: services.transfer_shares(c.member(amy.id), c.member(bo.id), 100,
                                                              on=date(2024, 2, 1), actor=c.user(ruled.secretary.id)))
    assert "non-transferable" in message and re.search(r"\(clause \d+\)", message)
    assert _rows(app, ruled.coop.id) == before


def test_leaving_with_shares_transferred_is_refused_too(app, ruled):
    amy, bo = (m for _, m in ruled.people)
    message = attempt(app, lambda c: services.cease_member(
        c.member(amy.id), on=date(2024, 3, 1), reason="resigned", actor=c.user(ruled.secretary.id),
        shares="transfer", transfer_to=c.member(bo.id)))
    assert "non-transferable" in message
    with app.app_context():
        assert _Ctx().member(amy.id).status == "member"


def test_the_one_required_share_stays_while_a_member(app, ruled):
    bo = ruled.people[1][1]
    message = attempt(app, lambda c: services.withdraw_shares(c.member(bo.id), 100, on=date(2024, 6, 1),
                                                              actor=c.user(ruled.secretary.id),
                                                              notice_given_on=date(2024, 1, 2)))
    assert "one share every member must hold" in message and re.search(r"\(clause \d+\)", message)


def test_other_shares_need_the_rules_notice(app, ruled):
    amy = ruled.people[0][1]
    secretary = ruled.secretary.id
    message = attempt(app, lambda c: services.withdraw_shares(c.member(amy.id), 100, on=date(2024, 6, 1),
                                                              actor=c.user(secretary)))
    assert "3 months' written notice" in message and "give the date" in message
    message = attempt(app, lambda c: services.withdraw_shares(c.member(amy.id), 100, on=date(2024, 6, 1),
                                                              actor=c.user(secretary), notice_given_on=date(2024, 4, 1)))
    assert "allows the withdrawal from 01/07/2024" in message
    before = _rows(app, ruled.coop.id)
    run(app, lambda c: services.withdraw_shares(c.member(amy.id), 200, on=date(2024, 7, 1), actor=c.user(secretary),
                                                notice_given_on=date(2024, 4, 1)))
    assert _rows(app, ruled.coop.id) == before + 1
    # on leaving, the last share goes with the membership
    run(app, lambda c: services.cease_member(c.member(amy.id), on=date(2024, 8, 1), reason="resigned",
                                             actor=c.user(secretary)))
    with app.app_context():
        assert sum(e.amount_pence for e in __import__("coopkit.register.queries", fromlist=["x"])
                   .share_entries(amy.id)) == 0


def test_admission_needs_a_postal_address(app, ruled):
    def add(c):
        from coopkit.coops.models import Coop

        return services.add_applicant(db.session.get(Coop, ruled.coop.id), full_name="Nia Noaddress",
                                      actor=c.user(ruled.secretary.id), applied_on=date(2024, 2, 1)).id
    applicant_id = run(app, add)
    message = attempt(app, lambda c: services.admit_member(c.member(applicant_id), date(2024, 3, 1),
                                                           c.user(ruled.secretary.id)))
    assert "postal address first" in message
    with app.app_context():
        assert _Ctx().member(applicant_id).status == "applicant"


def test_founders_without_an_address_are_named_before_registration(app, make):
    from coopkit.coops.models import Coop, Member

    coop = make.coop(name="Addressless Co-operative Limited", legal_form="society")
    with app.app_context():
        for member in db.session.execute(sa.select(Member).where(Member.coop_id == coop.id)).scalars():
            member.postal_address = ""
        db.session.commit()
        with pytest.raises(services.RegisterError, match="record it first for"):
            services.founders_become_members(db.session.get(Coop, coop.id), date(2024, 1, 1), None)
        db.session.rollback()


def test_the_pages_show_the_number_of_shares_and_hide_transfers(app, client, login, ruled):
    login(client, ruled.secretary)
    page = client.get(f"/c/{ruled.coop.slug}/register/").get_data(as_text=True)
    assert "3 shares" in page and "£3.00" in page and "1 share<" in page
    ledger = client.get(f"/c/{ruled.coop.slug}/register/shares").get_data(as_text=True)
    assert "make shares non-transferable" in ledger and "Transfer shares" not in ledger
    assert "Written notice given on" in ledger
    amy = ruled.people[0][1]
    cease = client.get(f"/c/{ruled.coop.slug}/register/members/{amy.id}/cease").get_data(as_text=True)
    assert "Transferred to another member" not in cease


def test_the_form_reports_a_refused_withdrawal_and_writes_nothing(app, client, login, ruled):
    login(client, ruled.secretary)
    bo = ruled.people[1][1]
    before = _rows(app, ruled.coop.id)
    response = client.post(f"/c/{ruled.coop.slug}/register/shares/withdraw",
                           data={"withdraw-member_id": bo.id, "withdraw-amount": "1", "withdraw-on": "2024-06-01",
                                 "withdraw-notice_given_on": "2024-01-02"}, follow_redirects=True)
    assert response.status_code == 200
    assert "one share every member must hold" in response.get_data(as_text=True)
    assert _rows(app, ruled.coop.id) == before


def test_a_company_has_no_shares_section(app, client, login, make):
    founder = make.user(name="Cleo Company")
    coop = make.coop(founder, name="Guarantee Co-operative Ltd", stage="registered", legal_form="company")
    adopt_rules(app, coop.id, "worker-company", legal_form="company")
    with app.app_context():
        from coopkit.coops.models import Member, Officer

        member = db.session.execute(sa.select(Member).where(Member.coop_id == coop.id)).scalar_one()
        db.session.add(Officer(coop_id=coop.id, member_id=member.id, office="secretary", appointed_on=date(2024, 1, 1)))
        db.session.commit()
        member_id = member.id
    login(client, founder)
    page = client.get(f"/c/{coop.slug}/register/").get_data(as_text=True)
    assert "Share ledger" not in page and "Shares held" not in page
    response = client.get(f"/c/{coop.slug}/register/shares", follow_redirects=True)
    assert "no share capital" in response.get_data(as_text=True)
    message = attempt(app, lambda c: services.issue_shares(c.member(member_id), 100, on=date(2024, 2, 1),
                                                           actor=c.user(founder.id)))
    assert "no share capital" in message
