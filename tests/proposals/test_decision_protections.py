"""Protections the engine enforces for decision kinds: expulsion (roll, notice, reply), entrenched
clauses, the legal check of amendments before the vote and before adoption, the written
resolution's time limit, and bad input answered with a message (never a 500, nothing recorded)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from coopkit.extensions import db
from coopkit.proposals.models import Participation, Proposal
from tests.proposals.conftest import counts
from tests.proposals.helpers import rules_with


def _ctx(app, crew):
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop

    return db.session.get(Coop, crew.coop.id), db.session.get(User, crew.secretary.id)


def _member(user_rec, crew):
    return next(m for u, m in crew.people if u.id == user_rec.id)


def test_expulsion_protections(app, crew):
    from coopkit.coops.models import Member
    from coopkit.database import utcnow
    from coopkit.proposals import services, voting

    rules_with(app, crew.coop.id)
    bo = _member(crew.users[1], crew)
    with app.app_context():
        coop, secretary = _ctx(app, crew)
        now = utcnow()
        draft = services.Draft(title="Expel Bo", kind="expulsion", subject_member_id=bo.id,
                               closes_at=now + timedelta(days=2))
        proposal = services.create_proposal(coop, secretary, draft, venue="meeting")
        assert "Rule" in proposal.citation and "expulsion" in proposal.citation
        with pytest.raises(services.ProposalError, match="record when the member was given written notice"):
            services.open_proposal(proposal, coop, secretary, notify=False)
        services.record_subject_notice(proposal, coop, secretary, at=now - timedelta(days=3))
        with pytest.raises(services.ProposalError, match="notice period \\(14 clear days\\) ends"):
            services.open_proposal(proposal, coop, secretary, notify=False)
        services.record_subject_notice(proposal, coop, secretary, at=now - timedelta(days=16))
        with pytest.raises(services.ProposalError, match="Attach the member's reply"):
            services.open_proposal(proposal, coop, secretary, notify=False)
        with pytest.raises(services.ProposalError, match="Paste the member's reply"):
            services.record_subject_reply(proposal, coop, secretary, "  ")
        services.record_subject_reply(proposal, coop, secretary, "I did nothing wrong.")
        assert proposal.state == "draft"
        members = len(services.voting_roll(coop))
        roll = services.open_proposal(proposal, coop, secretary, notify=False)
        assert roll == members - 1                                # everyone but Bo
        with pytest.raises(services.VoteError, match="not on the voter roll"):
            voting.cast_vote(proposal, coop, db.session.get(Member, bo.id), "for")
        assert db.session.execute(sa.select(sa.func.count(Participation.id))).scalar() == 0
        db.session.rollback()
        db.session.remove()


def test_expulsion_of_someone_not_a_member_or_without_a_subject_is_refused(app, crew):
    from coopkit.proposals import services

    rules_with(app, crew.coop.id)
    with app.app_context():
        coop, secretary = _ctx(app, crew)
        with pytest.raises(services.ProposalError, match="Choose the member this decision is about"):
            services.create_proposal(coop, secretary, services.Draft(title="x", kind="expulsion"), venue="meeting")
        with pytest.raises(services.ProposalError, match="not about one member"):
            services.create_proposal(coop, secretary, services.Draft(
                title="x", kind="written_ordinary", subject_member_id=_member(crew.users[0], crew).id))
        db.session.rollback()
        db.session.remove()
    assert counts(app, Proposal) == (0,)


def test_an_entrenched_change_by_special_resolution_is_refused_and_by_every_member_allowed(app, crew):
    from coopkit.proposals import services

    rules_with(app, crew.coop.id)
    with app.app_context():
        coop, secretary = _ctx(app, crew)
        co_ownership = {"dissolution": "co_ownership"}
        with pytest.raises(services.ProposalError, match="entrenched part of your rules .*every member"):
            services.create_proposal(coop, secretary, services.Draft(
                title="Share the assets", kind="written_special", rule_changes=co_ownership))
        proposal = services.create_proposal(coop, secretary, services.Draft(
            title="Share the assets", kind="entrenched", rule_changes=co_ownership,
            closes_at=services.utcnow() + timedelta(days=10)))
        services.open_proposal(proposal, coop, secretary, notify=False)
        assert proposal.method == "unanimity" and proposal.basis == "eligible"
        db.session.rollback()
        db.session.remove()


@pytest.mark.parametrize("changes", [
    {"quorum_min_members": 1}, {"special_threshold_percent": 40}, {"notice_clear_days": 1},
])
def test_an_amendment_failing_the_legal_check_is_refused_with_the_reasons(app, client, login, crew, changes):
    rules_with(app, crew.coop.id)
    login(client, crew.users[0])
    key, value = next(iter(changes.items()))
    response = client.post("/c/crew-coop/proposals/new", data={
        "title": "Weaker rules", "kind": "written_special", "preset": "ordinary", "basis": "cast", "seats": "1",
        "ranking": "stv", "change_1_key": key, "change_1_value": str(value)})
    assert response.status_code == 200
    assert "fail the legal check" in response.text.replace("&#39;", "'")
    assert counts(app, Proposal) == (0,)


def test_an_amendment_that_fails_the_check_by_the_time_it_passes_is_not_adopted(app, crew, monkeypatch):
    from coopkit.coops.models import Member
    from coopkit.proposals import closing, services, voting
    from coopkit.rules import compliance, queries

    rules_with(app, crew.coop.id)
    with app.app_context():
        coop, secretary = _ctx(app, crew)
        proposal = services.create_proposal(coop, secretary, services.Draft(
            title="Shorter leaving notice", kind="written_special", rule_changes={"leaving_notice_days": 21},
            closes_at=services.utcnow() + timedelta(days=10)))
        services.open_proposal(proposal, coop, secretary, notify=False)
        real = queries.amendment

        def failing(coop, changes):
            planned = real(coop, changes)
            bad = compliance.CheckItem("Answers", "p.test", "A rule the law changed meanwhile", "fail", "too weak")
            return queries.Amendment(planned.ruleset, planned.current, planned.proposed,
                                     compliance.Report(planned.report.items + (bad,)))

        monkeypatch.setattr(queries, "amendment", failing)
        for member in services.voting_roll(coop):
            if proposal.state == "open":
                voting.cast_vote(proposal, coop, db.session.get(Member, member.id), "for")
                closing.close_when_passed(proposal)
        assert proposal.state == "closed" and proposal.outcome == "passed"
        assert proposal.amended_rules_version_id is None
        assert proposal.result["not_adopted"] == ["A rule the law changed meanwhile: too weak"]
        db.session.rollback()
        db.session.remove()


def test_rules_with_a_threshold_below_half_never_break_a_vote(app, client, login, crew):
    """Adopted rules with a special threshold of 40% (made before the floors): creating a special
    resolution used to answer 500 (ck_proposals_threshold); it counts as more than half."""
    import json

    from coopkit.rules.models import RulesVersion

    version_id = rules_with(app, crew.coop.id)
    with app.app_context():
        version = db.session.get(RulesVersion, version_id)
        version.parameters = json.dumps({**json.loads(version.parameters), "special_threshold_percent": 40})
        db.session.commit()
        db.session.remove()
    login(client, crew.users[0])
    response = client.post("/c/crew-coop/proposals/new", data={
        "title": "A special one", "kind": "written_special", "preset": "ordinary", "basis": "cast", "seats": "1",
        "ranking": "stv"})
    assert response.status_code == 302, response.text
    with app.app_context():
        # counted as the rules allow (never below more than half)
        assert db.session.execute(sa.select(Proposal.threshold_percent)).scalar_one() >= 50
        db.session.remove()


def test_a_written_resolution_lapses_at_the_rules_time_limit(app, crew):
    from coopkit.proposals import closing, services

    rules_with(app, crew.coop.id, written_resolution_days=14)
    with app.app_context():
        coop, secretary = _ctx(app, crew)
        now = services.utcnow()
        proposal = services.create_proposal(coop, secretary, services.Draft(
            title="Long one", kind="written_ordinary", closes_at=now + timedelta(days=60)))
        services.open_proposal(proposal, coop, secretary, now=now, notify=False)
        assert proposal.closes_at == now + timedelta(days=14)
        closing.close_proposal(proposal, now=proposal.closes_at, notify=False)
        assert proposal.outcome == "failed" and "members eligible" in proposal.result["reason"]
        db.session.rollback()
        db.session.remove()


def test_a_second_vote_and_a_withdrawn_agreement_get_a_message_and_record_nothing(app, client, login, crew):
    from tests.proposals.conftest import make_open

    rules_with(app, crew.coop.id)
    make_open(app, crew, kind="written_special", secret=True)
    login(client, crew.users[0])
    assert client.post("/c/crew-coop/proposals/1/vote", data={"choice": "for", "seen": "0"}).status_code == 200
    again = client.post("/c/crew-coop/proposals/1/vote", data={"choice": "against", "seen": "0"})
    assert again.status_code == 200 and "secret vote can" in again.text
    assert counts(app, Participation) == (1,)


def test_a_blocked_consent_decision_offers_the_rules_fallback_vote(app, client, login, crew):
    from tests.proposals.conftest import make_open, time_travel

    rules_with(app, crew.coop.id)                         # consent, with a fallback vote (the defaults)
    number, pid = make_open(app, crew, kind="consent", days=8, title="Paint the office teal")
    login(client, crew.users[0])
    client.post(f"/c/crew-coop/proposals/{number}/vote", data={"choice": "object", "seen": "0"})
    time_travel(app, pid, hours=24 * 9)
    from tests.proposals.conftest import run_periodic_jobs

    run_periodic_jobs(app)
    page = client.get(f"/c/crew-coop/proposals/{number}").text
    assert "It was not agreed." in page and "Put it to a vote" in page
    assert "decision by consent" in page
    form = client.get(f"/c/crew-coop/proposals/new?kind=written_ordinary&fallback={number}").text
    assert 'value="Paint the office teal"' in form
    assert '<option selected value="written_ordinary">' in form or 'value="written_ordinary" selected' in form
