"""Emails about proposals: opening (with a calendar file), the reminder, and the outcome.

Each member gets their own message (addresses are never shown to each other).
A secret ballot's receipt code is never emailed: it would tie a name to a choice.
"""

from __future__ import annotations

import logging

import sqlalchemy as sa

from coopkit.accounts.models import User
from coopkit.audit.services import head_of
from coopkit.coops.models import Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.mail import send_mail
from coopkit.proposals.models import VoterRollEntry
from coopkit.proposals.text import closing_ics
from coopkit.proposals.timefmt import uk_datetime
from coopkit.web import public_base_url

log = logging.getLogger("coopkit.proposals")


def proposal_url(coop, proposal, suffix: str = "") -> str:
    base = public_base_url()
    return f"{base}/c/{coop.slug}/proposals/{proposal.number}{suffix}"


def uk_time(value) -> str:
    return uk_datetime(value)


def _addresses(members) -> list[str]:
    """Email addresses for register rows: the account's address, else the register's."""
    user_ids = [m.user_id for m in members if m.user_id]
    by_user = dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(user_ids))).all()) \
        if user_ids else {}
    addresses = []
    for member in members:
        address = by_user.get(member.user_id) or member.email
        if address:
            addresses.append(address)
    return addresses


def _send_each(addresses, subject, body, attachments=()) -> None:
    """One message per address (addresses are never shown to each other), queued to go
    out when the transaction commits; the queue retries a mail server that is down, so
    a mail outage never undoes the vote it is about."""
    for address in addresses:
        send_mail(address, subject, body, list(attachments))


def opened(proposal, coop, roll) -> None:
    url = proposal_url(coop, proposal, "/vote")
    secret = ("This is a secret ballot: nobody will see how you voted.\n" if proposal.secret else
              "This is an open vote: members will see how you voted, and you can change your vote until it closes.\n")
    body = (f"A proposal is open for your vote in {coop.name}.\n\n"
            f"Proposal {proposal.number}: {proposal.title}\n"
            f"How it is decided: {proposal.method_label}\n"
            f"Governing rule: {proposal.citation}\n"
            f"{_written_note(proposal)}"
            f"Voting closes: {uk_time(proposal.closes_at)} (UK time)\n\n{secret}\n"
            f"Read it and vote here:\n{url}\n\n"
            f"The attached calendar file marks the closing time.\n")
    ics = closing_ics(uid=f"proposal-{proposal.id}@coopkit", title=f"{coop.name}: {proposal.title}",
                      closes_at=proposal.closes_at, url=url, stamp=utcnow())
    _send_each(_addresses(roll), f"Vote open: {proposal.title}", body,
               [(f"proposal-{proposal.number}-closes.ics", "text/calendar", ics)])


def _written_note(proposal) -> str:
    if proposal.venue == "writing" and proposal.basis == "eligible":
        return ("This is a written resolution: it counts every member on the voter roll, so not voting counts as "
                "not agreeing. It passes as soon as enough members agree, and lapses if they have not by the "
                "closing time.\n")
    return ""


def reminder(proposal, coop, not_voted) -> None:
    url = proposal_url(coop, proposal, "/vote")
    body = (f"Voting on proposal {proposal.number} in {coop.name} closes in less than a day, "
            f"at {uk_time(proposal.closes_at)} (UK time), and you have not voted yet.\n\n"
            f"{proposal.title}\n\nVote here:\n{url}\n")
    _send_each(_addresses(not_voted), f"Reminder: vote on {proposal.title}", body)


def closed(proposal, coop, result) -> None:
    roll = db.session.execute(
        sa.select(Member).join(VoterRollEntry, VoterRollEntry.member_id == Member.id)
        .where(VoterRollEntry.proposal_id == proposal.id).order_by(Member.id)
    ).scalars().all()
    counts = "\n".join(f"  {label}: {n}" for label, n in result.counts.items())
    outcome = "PASSED" if result.passed else "NOT PASSED"
    if proposal.method in ("poll", "election"):
        outcome = ("Elected: " if proposal.method == "election" else "Chosen: ") + ", ".join(result.winners) \
            if result.passed else "NO RESULT"
    if proposal.outcome == "advisory":
        outcome += " (advisory: a poll decides nothing under the rules)"
    body = (f"Voting on proposal {proposal.number} in {coop.name} has closed.\n\n"
            f"{proposal.title}\nGoverning rule: {proposal.citation}\n\nOutcome: {outcome}\n{result.reason}\n\n"
            f"Took part: {result.participants} of {result.eligible} "
            f"(quorum {result.quorum}: {'met' if result.quorum_met else 'not met'})\n{counts}\n\n"
            f"Full results and the minutes:\n{proposal_url(coop, proposal, '/results')}\n"
            f"{anchor_paragraph(coop)}")
    _send_each(_addresses(roll), f"Result: {proposal.title}", body)


def anchor_paragraph(coop) -> str:
    """The audit log's fingerprint after this result, for members to keep (outside the database)."""
    head = head_of(coop.id)
    if head is None:
        return ""
    return (f"\nAudit log fingerprint after this result (keep this email): event {head.seq},\n{head.hash}\n"
            f"Anyone can check later that the co-op's audit log still holds this history, ballots and result "
            f"included: coopkit audit verify --against {head.hash}\n")
