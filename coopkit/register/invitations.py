"""Inviting the people on the register who have no account yet (members imported from a CSV
file or entered by the secretary), so that each can take over their own entry and vote online."""

from __future__ import annotations

import logging

import sqlalchemy as sa
from flask import current_app

from coopkit.audit.services import record
from coopkit.coops.models import Invitation
from coopkit.coops.services import create_invitation
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.mail import MailError, send_mail
from coopkit.register.models import Member

log = logging.getLogger("coopkit.register")


def without_account(coop):
    """Current members and applicants with no account bound to their entry, by name, each with
    whether an invitation to them is still pending: (member, pending). Two statements."""
    members = db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.user_id.is_(None),
                                Member.status.in_(("founder", "member", "applicant")))
        .order_by(Member.full_name, Member.id)
    ).scalars().all()
    pending = set(db.session.execute(
        sa.select(Invitation.member_id).where(
            Invitation.coop_id == coop.id, Invitation.member_id.is_not(None), Invitation.accepted_at.is_(None),
            Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow())
    ).scalars()) if members else set()
    return [(m, m.id in pending) for m in members]


def invite_without_account(coop, actor, accept_url) -> tuple[int, int, int]:
    """Email an invitation to every member on the register who has an email address, no account
    and no pending invitation. Accepting it binds the entry to the account (no second entry).
    ``accept_url(token)`` builds the link. Returns (sent, failed, no email address).
    Changes: Invitation rows (one kept only when its email went out). Flushes; audits each
    invitation and register.invited."""
    settings = current_app.extensions["coopkit.settings"]
    sent = failed = no_email = 0
    for member, pending in without_account(coop):
        if pending:
            continue
        if not member.email:
            no_email += 1
            continue
        try:
            with db.session.begin_nested():   # an invitation nobody received is not kept
                _, token = create_invitation(coop, actor, member.email)
                # TODO(queue): send after commit through coopkit.jobs once it lands
                send_mail(member.email, f"Your account for {coop.name} on coopkit",
                          f"Hello {member.full_name},\n\n{coop.name} keeps its register of members on coopkit, "
                          f"and you are on it. Make your account (or log in, with this email address) to "
                          f"read proposals and vote online:\n\n{accept_url(token)}\n\n"
                          f"The link works once, for {settings.invitation_days} days.\n")
        except MailError:
            failed += 1
        else:
            sent += 1
    record("register.invited", coop=coop, actor=actor, data={"sent": sent, "failed": failed, "no_email": no_email})
    log.info("Coop %s: %d invitation(s) to members without an account, %d failed", coop.id, sent, failed)
    return sent, failed, no_email
