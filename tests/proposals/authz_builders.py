"""URL parameters of the proposal pages for the route-walking tests (tests/authz_params.py).

``<number>`` points at a proposal every allowed role can use on that page:
- an open proposal (show, vote, comment, close, withdraw);
- a draft made by the walk's own founder or member (edit, open), which the secretary may manage too;
- a closed secret ballot with votes in it (results, counted ballots, minutes).
"""

from __future__ import annotations

import copy
from datetime import timedelta

from coopkit.extensions import db
from tests.authz_params import builder
from tests.founding.helpers import COMPLETE_ANSWERS


def _proposer(world, coop):
    return world.users["founder"] if coop.id == world.forming.id else world.users["member"]


def _make(app, world, coop, state: str) -> int:
    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop, Member
        from coopkit.database import utcnow
        from coopkit.proposals import closing, services, voting

        with app.app_context():
            c = db.session.get(Coop, coop.id)
            user = db.session.get(User, _proposer(world, coop).id)
            now = utcnow()
            draft = services.Draft(title=f"Walk proposal ({state})", body="Some *text*.",
                                   resolution_text="That the walk works.", method="resolution",
                                   preset="ordinary", secret=state == "closed", allow_early_close=True,
                                   closes_at=now + timedelta(days=3))
            proposal = services.create_proposal(c, user, draft, now=now - timedelta(hours=1))
            if state in ("open", "closed"):
                services.open_proposal(proposal, c, user, notify=False)
            if state == "closed":
                import sqlalchemy as sa

                voters = db.session.execute(
                    sa.select(Member).where(Member.coop_id == c.id, Member.user_id.is_not(None))).scalars()
                for member in voters:
                    if voting.on_roll(proposal, member):
                        voting.cast_vote(proposal, c, member, "for")
                closing.close_proposal(proposal, actor=user, notify=False)
            db.session.commit()
            return proposal.number

    key = ("proposal", state, coop.id)
    if key not in world.cache:
        world.cache[key] = create()
    return world.cache[key]


@builder("number")
def open_proposal_number(app, world, coop):
    return _make(app, world, coop, "open")


@builder("number", endpoint="proposals.edit")
@builder("number", endpoint="proposals.open_vote")
def draft_proposal_number(app, world, coop):
    return _make(app, world, coop, "draft")


@builder("number", endpoint="proposals.results")
@builder("number", endpoint="proposals.ballots")
@builder("number", endpoint="proposals.minutes_pdf")
def closed_proposal_number(app, world, coop):
    return _make(app, world, coop, "closed")


@builder("number", endpoint="proposals.amendment_pdf")
def amending_proposal_number(app, world, coop):
    """A passed special resolution that changed a rule, so the amendment PDF exists."""

    def create():
        import sqlalchemy as sa

        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop, Member
        from coopkit.database import utcnow
        from coopkit.proposals import closing, services, voting
        from tests.proposals.helpers import rules_in_force

        if coop.id == world.registered.id:
            rules_in_force(app, coop, _proposer(world, coop))
        else:  # two founders: a company's articles (a society needs three), adopted, not yet registered
            answers = copy.deepcopy(COMPLETE_ANSWERS)
            answers["legal_form"] = {"wants_member_shares": "no", "wants_model_rules": "yes", "legal_form": "company"}
            rules_in_force(app, coop, _proposer(world, coop), registered=False, answers=answers)
        with app.app_context():
            c = db.session.get(Coop, coop.id)
            user = db.session.get(User, _proposer(world, coop).id)
            proposal = services.create_proposal(c, user, services.Draft(
                title="Walk amendment", method="resolution", preset="special",
                resolution_text="That members give 21 days' notice to leave.",
                rule_changes={"leaving_notice_days": 21}, closes_at=utcnow() + timedelta(days=3)))
            services.open_proposal(proposal, c, user, notify=False)
            for member in db.session.execute(sa.select(Member).where(Member.coop_id == c.id)).scalars():
                if voting.on_roll(proposal, member):
                    voting.cast_vote(proposal, c, member, "for")
            closing.close_proposal(proposal, actor=user, notify=False)
            assert proposal.amended_rules_version_id is not None
            db.session.commit()
            return proposal.number

    key = ("proposal", "amended", coop.id)
    if key not in world.cache:
        world.cache[key] = create()
    return world.cache[key]
