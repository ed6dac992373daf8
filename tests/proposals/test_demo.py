"""The demo co-op preston-digital shows every kind of proposal (coopkit/proposals/demo.py)."""

from __future__ import annotations

import sqlalchemy as sa

from coopkit.extensions import db


def test_preston_digital_demo_proposals(app, client, login):
    from coopkit import demo
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.proposals.models import Ballot, Proposal
    from coopkit.rules.models import RulesVersion
    from tests.factories import UserRec

    with app.app_context():
        assert demo.seed() is True
        db.session.commit()
        coop = db.session.execute(sa.select(Coop).where(Coop.slug == "preston-digital")).scalar_one()
        proposals = db.session.execute(
            sa.select(Proposal).where(Proposal.coop_id == coop.id).order_by(Proposal.number)).scalars().all()
        kinds = {(p.state, p.kind, p.venue, p.secret) for p in proposals}
        assert ("open", "written_ordinary", "writing", False) in kinds       # an open written resolution
        assert any(p.state == "open" and p.secret and p.kind == "poll" for p in proposals)
        special = next(p for p in proposals if p.kind == "written_special")
        assert special.citation.startswith("Rule ") and "written special resolution, 75% of all members" in \
            special.citation
        assert special.state == "closed" and special.outcome == "passed" and special.rule_changes
        amended = db.session.get(RulesVersion, special.amended_rules_version_id)
        assert amended.status == "adopted" and amended.adopted_by_proposal_id == special.id
        everyday = next(p for p in proposals if p.title.startswith("Try a four-day week"))
        assert everyday.state == "closed" and everyday.outcome == "passed"   # agreed: nobody objected
        poll = next(p for p in proposals if p.kind == "poll")
        assert db.session.execute(sa.select(sa.func.count()).where(
            Ballot.proposal_id == poll.id, Ballot.member_id.is_not(None))).scalar() == 0
        dana = db.session.execute(sa.select(User).where(User.email == "dana@preston-digital.example")).scalar_one()
        dana_rec = UserRec(dana.id, dana.email, dana.name, dana.session_version)
        numbers = {p.number: p for p in proposals}
        db.session.remove()

    login(client, dana_rec)
    assert "Votes waiting for you" in client.get("/c/preston-digital/").text
    listing = client.get("/c/preston-digital/proposals/").text
    assert "Open for voting" in listing and "Closed" in listing
    for number, p in numbers.items():
        assert client.get(f"/c/preston-digital/proposals/{number}").status_code == 200
        if p.state == "closed":
            assert client.get(f"/c/preston-digital/proposals/{number}/results").status_code == 200
            assert client.get(f"/c/preston-digital/proposals/{number}/minutes.pdf").status_code == 200
    amendment = client.get(f"/c/preston-digital/proposals/{special.number}/amendment.pdf")
    assert amendment.status_code == 200 and amendment.mimetype == "application/pdf"
