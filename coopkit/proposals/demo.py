"""Demo proposals for preston-digital: an open written ordinary resolution, an open advisory poll
(secret ballot), a closed written special resolution that amended the rules, and a closed
everyday decision by consent (agreed by silence).
Runs after the rules demo (so the co-op has rules in force). No emails are sent."""

from __future__ import annotations

import logging
from datetime import timedelta

import sqlalchemy as sa

from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.proposals import closing, services, voting
from coopkit.rules.queries import current_parameters

log = logging.getLogger("coopkit.proposals")


def _members(coop) -> list[Member]:
    return list(db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.status.in_(("founder", "member")))
        .order_by(Member.id)
    ).scalars())


def _make(coop, user, draft, *, opened, closes, votes, close=False):
    proposal = services.create_proposal(coop, user, draft, now=opened - timedelta(hours=2))
    proposal.closes_at = closes
    services.open_proposal(proposal, coop, user, now=opened, notify=False)
    members = _members(coop)
    for offset, (member, choice) in enumerate(zip(members, votes, strict=False)):
        if choice is not None:
            voting.cast_vote(proposal, coop, member, choice, now=opened + timedelta(minutes=17 * (offset + 1)))
    if close:
        closing.close_proposal(proposal, actor=user, now=closes, notify=False)
    db.session.flush()
    return proposal


def seed(ctx) -> None:
    coop = ctx.preston_digital
    users = ctx.users
    secretary = users["dana@preston-digital.example"]
    eli = users["eli@preston-digital.example"]
    now = utcnow().replace(second=0, microsecond=0)

    # 1. A closed special resolution that changed a rule (the leaving notice).

    params = current_parameters(coop)
    notice = int(params.get("leaving_notice_days") or 28)
    amend = services.Draft(
        title="Shorter notice for leaving the co-op",
        body=(f"Members told us {notice} days' notice to leave is longer than their job contracts need. "
              "This special resolution shortens it so that leaving the co-op and leaving the job line up.\n\n"
              "- The change takes effect once the amendment is registered.\n- Nothing else in the rules changes."),
        resolution_text=f"That the rules are amended so that a member gives 21 days' written notice to leave "
                        f"(instead of {notice}).",
        kind="written_special", rule_changes={"leaving_notice_days": 21 if notice != 21 else 14})
    special = _make(coop, secretary, amend, opened=now - timedelta(days=40), closes=now - timedelta(days=26),
                    votes=["for"] * 9 + ["against", "abstain", None], close=True)
    if special.amended_rules_version_id is None:
        log.warning("Demo: proposal %s passed but no amended rules version was made", special.id)

    # 2. A closed everyday decision by consent (or, under majority rules, a written ordinary resolution).
    from coopkit.proposals import kinds

    offered = {k.key for k in kinds.available(coop)}
    everyday = "consent" if "consent" in offered else "consensus" if "consensus" in offered else "written_ordinary"
    agree = {"consent": "agree", "consensus": "agree", "written_ordinary": "for"}[everyday]
    _make(coop, secretary, services.Draft(
        title="Try a four-day week over the summer", kind=everyday,
        body="A trial from June to August: the same hours over four days. Object if it would harm the co-op "
             "or our clients; silence counts as agreeing.",
        resolution_text="That the co-op trials a four-day week from June to August."),
        opened=now - timedelta(days=20), closes=now - timedelta(days=12),
        votes=[agree] * 8 + [None] * 4, close=True)

    # 3. An open ordinary resolution (open ballot) with some votes in.
    _make(coop, eli, services.Draft(
        title="Move our hosting to a co-operative provider",
        body="Our servers are with a large cloud company. A co-operative hosting provider offers the same "
             "service for a similar price, and its members include other tech co-ops we work with.\n\n"
             "**Cost:** about the same. **Migration:** two weekends, done by volunteers.",
        resolution_text="That the co-op moves its client hosting to a co-operative provider by the end of March.",
        kind="written_ordinary", allow_early_close=True),
        opened=now - timedelta(days=2), closes=now + timedelta(days=5), votes=["for", "for", "against", "abstain"])

    # 4. An open secret ballot: a poll on this year's bonus split.
    _make(coop, secretary, services.Draft(
        title="How should this year's members' bonus be shared?", kind="poll", method="poll", secret=True,
        options=["By hours worked", "Equally", "Half by hours, half equally"],
        body="The surplus bonus is shared as the members decide each year. This advisory poll (a secret "
             "ballot) tells the directors what members prefer before the annual general meeting decides."),
        opened=now - timedelta(days=1), closes=now + timedelta(days=6), votes=["0", "1", "2", "0", "2"])
