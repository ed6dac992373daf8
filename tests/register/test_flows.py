"""Joining, probation, leaving, corrections and officers: every change is an audit event,
a correction is a new entry with a reason, and nothing is ever deleted."""

from __future__ import annotations

import json
from contextlib import contextmanager
from datetime import date
from unittest import mock

import pytest
import sqlalchemy as sa

from coopkit.audit.models import AuditEvent
from coopkit.coops.models import Member, Officer
from coopkit.extensions import db
from coopkit.register import services
from coopkit.register.models import RegisterAmendment, ShareTransaction
from tests.statements import recorded_statements


def events(coop_id: int) -> list[tuple[str, dict]]:
    return [(e.action, json.loads(e.data)) for e in db.session.execute(
        sa.select(AuditEvent).where(AuditEvent.coop_id == coop_id).order_by(AuditEvent.seq)).scalars()]


@contextmanager
def no_deletes(app):
    """Fail if any DELETE reaches the database inside the block (requests included)."""
    with recorded_statements(app) as seen:
        yield
    deletes = [statement for statement in seen if statement.lstrip().upper().startswith("DELETE")]
    assert not deletes, f"rows were deleted: {deletes}"


def test_application_to_leaving_through_the_pages(app, client, login, society, in_app):
    login(client, society.secretary)
    with no_deletes(app):
        response = client.post("/c/ribble-web/register/applicants/new", data={
            "full_name": "Cara Cole", "email": "cara@example.org", "consents_to_electronic": "y",
            "postal_address": "4 Cole Road, Preston", "member_class": "voting", "applied_on": "2024-02-01"})
        assert response.status_code == 302
        cara = in_app(lambda c: db.session.execute(sa.select(Member.id).where(Member.full_name == "Cara Cole"))
                      .scalar_one())
        response = client.post(f"/c/ribble-web/register/members/{cara}/admit", data={"admit-on": "2024-03-01"})
        assert response.status_code == 302
        page = client.get(f"/c/ribble-web/register/members/{cara}").get_data(as_text=True)
        assert "Cara Cole is now a member." in page
        # correction of the address: a new recorded entry with the reason
        response = client.post(f"/c/ribble-web/register/members/{cara}/correct", data={
            "full_name": "Cara Cole", "email": "cara@example.org", "consents_to_electronic": "y",
            "postal_address": "9 New Street, Preston", "member_class": "voting", "admitted_on": "2024-03-01",
            "reason": "Moved house"})
        assert response.status_code == 302
        # leaving, shares transferred to Amy
        response = client.post(f"/c/ribble-web/register/members/{cara}/cease", data={
            "on": "2024-06-30", "reason": "left_employment", "shares": "transfer",
            "transfer_to": str(society.member.id)})
        assert response.status_code == 302, response.get_data(as_text=True)

    def check(ctx):
        member = ctx.member(cara)
        assert (member.status, member.admitted_on, member.ceased_on, member.ceased_reason) == (
            "ceased", date(2024, 3, 1), date(2024, 6, 30), "left_employment")
        assert member.postal_address == "9 New Street, Preston"
        amendment = db.session.execute(sa.select(RegisterAmendment).where(RegisterAmendment.member_id == cara)
                                       ).scalar_one()
        assert (amendment.field, amendment.old_value, amendment.new_value, amendment.reason) == (
            "postal_address", "4 Cole Road, Preston", "9 New Street, Preston", "Moved house")
        ledger = db.session.execute(sa.select(ShareTransaction.member_id, ShareTransaction.kind,
                                              ShareTransaction.amount_pence).order_by(ShareTransaction.id)).all()
        assert [tuple(r) for r in ledger] == [(cara, "issue", 100), (cara, "transfer_out", -100),
                                              (society.member.id, "transfer_in", 100)]
        offices = db.session.execute(sa.select(Officer.office, Officer.ceased_on)
                                     .where(Officer.member_id == cara)).all()
        assert [tuple(o) for o in offices] == [("director", date(2024, 6, 30))]  # collective management
        actions = [a for a, _ in events(society.coop.id)]
        actions = actions[actions.index("member.applied"):]
        assert actions == ["member.applied", "shares.issued", "officer.appointed", "member.admitted",
                           "member.amended", "shares.transferred", "member.ceased"]
        for _, data in events(society.coop.id):
            text = json.dumps(data)
            assert "Cole Road" not in text and "New Street" not in text and "cara@example.org" not in text

    in_app(check)


def count_events(coop_id):
    return db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)
                              .where(AuditEvent.coop_id == coop_id)).scalar_one()


def test_every_service_change_records_an_audit_event(app, society):
    """Each write appends at least one event; a refused write appends none."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop

    with no_deletes(app), app.app_context():
        coop = db.session.get(Coop, society.coop.id)
        actor = db.session.get(User, society.secretary.id)
        amy = db.session.get(Member, society.member.id)
        bo = db.session.get(Member, society.people[1][1].id)
        steps = [
            ("member.applied", lambda: services.add_applicant(coop, full_name="Dee Day", postal_address="1 Applicant Road, Preston", actor=actor,
                                                              applied_on=date(2024, 1, 5))),
            ("shares.issued", lambda: services.issue_shares(amy, 100, on=date(2024, 1, 2), actor=actor)),
            ("shares.transferred", lambda: services.transfer_shares(amy, bo, 100, on=date(2024, 2, 1), actor=actor)),
            ("shares.withdrawn", lambda: services.withdraw_shares(bo, 100, on=date(2024, 3, 1), actor=actor)),
            ("property.received", lambda: services.add_property(amy, "loan", 5000, on=date(2024, 3, 1),
                                                                actor=actor)),
            ("property.repaid", lambda: services.add_property(amy, "loan", 2000, on=date(2024, 4, 1),
                                                              actor=actor, repayment=True)),
            ("officer.appointed", lambda: services.appoint_officer(amy, "chair", on=date(2024, 1, 2),
                                                                   actor=actor)),
            ("member.amended", lambda: services.amend_member(bo, {"full_name": "Bo Browne"}, reason="Spelling",
                                                             actor=actor)),
            ("member.ceased", lambda: services.cease_member(bo, on=date(2024, 5, 1), reason="resigned",
                                                            actor=actor)),
        ]
        for action, step in steps:
            before = count_events(coop.id)
            step()
            new = db.session.execute(sa.select(AuditEvent.action).where(AuditEvent.coop_id == coop.id)
                                     .order_by(AuditEvent.seq).offset(before)).scalars().all()
            assert action in new, (action, new)
        chair = db.session.execute(sa.select(Officer).where(Officer.office == "chair")).scalar_one()
        before = count_events(coop.id)
        services.end_appointment(chair, on=date(2024, 6, 1), actor=actor)
        assert count_events(coop.id) == before + 1
        # refused changes write nothing, not even an event
        before = count_events(coop.id)
        for refused in (
            lambda: services.withdraw_shares(amy, 10_000, on=date(2024, 6, 1), actor=actor),
            lambda: services.issue_shares(amy, 150, on=date(2024, 6, 1), actor=actor),
            lambda: services.amend_member(amy, {"full_name": "X"}, reason=" ", actor=actor),
            lambda: services.cease_member(bo, on=date(2024, 6, 1), reason="resigned", actor=actor),
        ):
            with pytest.raises(services.RegisterError), db.session.begin_nested():
                refused()
        assert count_events(coop.id) == before
        assert db.session.get(Member, bo.id).status == "ceased"  # kept, with the date ceased
        db.session.commit()


def test_probation_blocks_admission_until_it_ends(app, society):
    params = {"probation": "period", "probation_months": 6, "share_value_pence": 100, "max_holding_pence": 100,
              "management": "board", "non_voting_class": False}
    with app.app_context(), mock.patch("coopkit.register.services._params", return_value=params):
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop

        coop, actor = db.session.get(Coop, society.coop.id), db.session.get(User, society.secretary.id)
        eve = services.add_applicant(coop, full_name="Eve Evans", postal_address="1 Applicant Road, Preston", actor=actor, applied_on=date(2024, 1, 31))
        assert eve.probation_ends_on == date(2024, 7, 31)
        with pytest.raises(services.RegisterError, match="Probation ends on 31/07/2024"):
            services.admit_member(eve, date(2024, 7, 30), actor)
        services.end_probation(eve, on=date(2024, 5, 1), actor=actor)  # ended early, recorded
        with mock.patch("coopkit.register.shares.share_params", return_value=(100, 100)):
            services.admit_member(eve, date(2024, 5, 2), actor)
        assert eve.status == "member" and eve.admitted_on == date(2024, 5, 2)
        assert not db.session.execute(sa.select(Officer).where(Officer.member_id == eve.id)).first()  # board
        history = db.session.execute(sa.select(RegisterAmendment.field, RegisterAmendment.old_value,
                                               RegisterAmendment.new_value)
                                     .where(RegisterAmendment.member_id == eve.id)).all()
        assert [tuple(h) for h in history] == [("probation_ends_on", "2024-07-31", "2024-05-01")]
        db.session.rollback()


def test_non_voting_class_only_where_the_rules_allow(app, society):
    with app.app_context():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop

        coop, actor = db.session.get(Coop, society.coop.id), db.session.get(User, society.secretary.id)
        with pytest.raises(services.RegisterError, match="no non-voting class"):
            services.add_applicant(coop, full_name="Ivy Investor", postal_address="1 Applicant Road, Preston", actor=actor, member_class="non_voting")
        db.session.rollback()


def test_bad_input_shows_a_message_and_writes_nothing(app, client, login, society, in_app):
    login(client, society.secretary)
    before = in_app(lambda c: (db.session.execute(sa.select(sa.func.count()).select_from(Member)).scalar_one(),
                               db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()))
    response = client.post("/c/ribble-web/register/applicants/new", data={
        "full_name": "", "email": "not-an-email", "member_class": "voting", "applied_on": "yesterday"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in page
    # withdrawing more than is held: a flash, nothing written
    response = client.post("/c/ribble-web/register/shares/withdraw", data={
        "withdraw-member_id": str(society.member.id), "withdraw-amount": "5", "withdraw-on": "2024-05-01"},
        follow_redirects=True)
    assert response.status_code == 200
    assert "below nothing" in response.get_data(as_text=True)
    response = client.post(f"/c/ribble-web/register/members/{society.member.id}/cease", data={
        "on": "2023-01-01", "reason": "resigned", "shares": "withdraw", "transfer_to": "0"})
    assert response.status_code == 200
    assert "before the date admitted" in response.get_data(as_text=True)
    response = client.post(f"/c/ribble-web/register/members/{society.member.id}/correct", data={
        "full_name": "Amy Adams", "postal_address": "elsewhere", "member_class": "voting",
        "admitted_on": "2024-01-01", "reason": ""})
    assert response.status_code == 200
    assert "Say why the entry changes." in response.get_data(as_text=True)
    after = in_app(lambda c: (db.session.execute(sa.select(sa.func.count()).select_from(Member)).scalar_one(),
                              db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent)).scalar_one()))
    assert after == before
    assert in_app(lambda c: c.member(society.member.id).postal_address) == "2 Adam Street, Preston"


def test_joining_again_makes_a_new_entry_and_the_earlier_membership_keeps_its_dates(app, society):
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop

    with app.app_context():
        coop, actor = db.session.get(Coop, society.coop.id), db.session.get(User, society.secretary.id)
        bo = db.session.get(Member, society.people[1][1].id)
        services.cease_member(bo, on=date(2024, 5, 1), reason="resigned", actor=actor)
        with pytest.raises(services.RegisterError, match="has not left"):
            services.rejoin(db.session.get(Member, society.member.id), "applicant", actor=actor)
        again = services.rejoin(bo, "applicant", actor=db.session.get(User, society.people[1][0].id))
        assert again.id != bo.id and again.previous_member_id == bo.id
        assert (bo.status, bo.admitted_on, bo.ceased_on) == ("ceased", date(2024, 1, 1), date(2024, 5, 1))
        assert (again.status, again.admitted_on, again.ceased_on, again.applied_on) == (
            "applicant", None, None, date.today())
        assert (again.user_id, again.full_name, again.postal_address) == (bo.user_id, bo.full_name, bo.postal_address)
        assert db.session.execute(sa.select(RegisterAmendment).where(RegisterAmendment.member_id == bo.id)).first() \
            is None  # the old entry is not rewritten
        assert "member.rejoined" in [a for a, _ in events(coop.id)]
        services.admit_member(again, date.today(), actor)
        assert again.status == "member"
        db.session.rollback()


def _proposal(coop_id, member_id, user_id, number, outcome, kind="expulsion", subject=None):
    from coopkit.proposals.models import Proposal

    proposal = Proposal(coop_id=coop_id, number=number, title=f"Resolution {number}", proposer_member_id=member_id,
                        created_by_id=user_id, method="resolution", state="closed", outcome=outcome, kind=kind,
                        venue="meeting", subject_member_id=subject, citation=f"Rule 1: {kind}")
    db.session.add(proposal)
    db.session.flush()
    return proposal.id


def test_expulsion_and_admission_by_resolution(app, client, login, society, in_app):
    bo = society.people[1][1].id
    ids = in_app(lambda c: (
        _proposal(society.coop.id, society.secretary_member.id, society.secretary.id, 1, "passed", subject=bo),
        _proposal(society.coop.id, society.secretary_member.id, society.secretary.id, 2, "failed", subject=bo),
        _proposal(society.coop.id, society.secretary_member.id, society.secretary.id, 3, "passed",
                  kind="election"),
        _proposal(society.coop.id, society.secretary_member.id, society.secretary.id, 4, "passed",
                  subject=society.secretary_member.id)))
    login(client, society.secretary)
    url = f"/c/ribble-web/register/members/{bo}/cease"
    form = {"on": "2024-06-01", "reason": "expelled", "shares": "withdraw", "transfer_to": "0"}
    page = client.get(url).get_data(as_text=True)
    # only passed expulsions of this member are offered
    assert "Proposal 1: Resolution 1" in page and "Resolution 2" not in page and "Resolution 3" not in page
    assert "Resolution 4" not in page
    response = client.post(url, data={**form, "by_proposal": "0"})
    assert "passed decision to expel this member" in response.get_data(as_text=True)
    for forged, words in ((ids[1], "Choose a passed expulsion decision"),    # failed
                          (ids[2], "not a decision that expels a member"),   # an election
                          (ids[3], "about someone else")):                   # another member's expulsion
        response = client.post(url, data={**form, "by_proposal": str(forged)})   # not offered: refused
        assert response.status_code == 200
        assert in_app(lambda c: c.member(bo).status) == "member"

        def service(c, forged=forged):
            try:
                services.cease_member(c.member(bo), on=date(2024, 6, 1), reason="expelled",
                                      actor=c.user(society.secretary.id), by_proposal_id=forged)
            except services.RegisterError as exc:
                db.session.rollback()
                return str(exc)
        assert words in in_app(service)
    response = client.post(url, data={**form, "by_proposal": str(ids[0])})
    assert response.status_code == 302
    assert in_app(lambda c: (c.member(bo).status, c.member(bo).ceased_reason)) == ("ceased", "expelled")
    ceased = in_app(lambda c: json.loads(db.session.execute(
        sa.select(AuditEvent.data).where(AuditEvent.action == "member.ceased")).scalar_one()))
    assert ceased["by_proposal_id"] == ids[0]
    # an admission the members decided
    new = in_app(lambda c: services.add_applicant(c.coop(society.coop.id), full_name="Ria Rees", postal_address="1 Applicant Road, Preston",
                                                  actor=c.user(society.secretary.id), applied_on=date(2024, 2, 1)).id)
    admission = in_app(lambda c: _proposal(society.coop.id, society.secretary_member.id, society.secretary.id, 5,
                                           "passed", kind="written_admission", subject=new))
    client.post(f"/c/ribble-web/register/members/{new}/admit",
                data={"admit-on": "2024-03-01", "admit-by_proposal": str(ids[0])})   # an expulsion: not offered
    assert in_app(lambda c: c.member(new).status) == "applicant"
    response = client.post(f"/c/ribble-web/register/members/{new}/admit",
                           data={"admit-on": "2024-03-01", "admit-by_proposal": str(admission)})
    assert response.status_code == 302
    assert in_app(lambda c: c.member(new).admitted_by_proposal_id) == admission
    assert "(admitted by proposal 5)" in client.get(f"/c/ribble-web/register/members/{new}").get_data(as_text=True)


def test_rules_that_leave_admission_to_the_members_need_a_passed_proposal(app, society, in_app, monkeypatch):
    from coopkit.coops.parameters import defaults

    monkeypatch.setattr(services, "_params", lambda coop: {**defaults(), "admission_by": "members"})
    new = in_app(lambda c: services.add_applicant(c.coop(society.coop.id), full_name="Ria Rees", postal_address="1 Applicant Road, Preston",
                                                  actor=c.user(society.secretary.id), applied_on=date(2024, 2, 1)).id)
    passed = in_app(lambda c: _proposal(society.coop.id, society.secretary_member.id, society.secretary.id, 1,
                                        "passed", kind="admission", subject=new))

    def admit(by_proposal_id):
        def run(c):
            try:
                services.admit_member(c.member(new), date(2024, 3, 1), c.user(society.secretary.id),
                                      by_proposal_id=by_proposal_id)
            except services.RegisterError as exc:
                db.session.rollback()
                return str(exc)
            return c.member(new).status
        return in_app(run)

    assert "members admit new members by ordinary resolution" in admit(None)
    assert in_app(lambda c: c.member(new).status) == "applicant"
    assert admit(passed) == "member"
