"""Inviting the people on the register who have no account yet (members imported from a CSV
file or entered by the secretary), so that each can take over their own entry and vote online."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from coopkit.audit.services import record
from coopkit.coops.models import Invitation, Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.mail import MailError, send_mail
from coopkit.workspace.services import create_invitation

log = logging.getLogger("coopkit.register")


#: how many names the register page lists (the count covers everyone)
LISTED = 20


def _no_account(coop_id):
    return sa.and_(Member.coop_id == coop_id, Member.user_id.is_(None),
                   Member.status.in_(("founder", "member", "applicant")))


def _pending(coop_id, now):
    return sa.select(Invitation.member_id).where(
        Invitation.coop_id == coop_id, Invitation.member_id.is_not(None), Invitation.accepted_at.is_(None),
        Invitation.revoked_at.is_(None), Invitation.expires_at > now)


@functools.cache
def _without_account_statement() -> sa.Select:
    """Built once per process: bind parameters ``coop_id``, ``now`` and ``limit``."""
    coop_id, now = sa.bindparam("coop_id"), sa.bindparam("now", type_=sa.DateTime)
    return (sa.select(Member, Member.id.in_(_pending(coop_id, now)), sa.func.count().over(),
                      sa.func.count().filter(Member.email.is_not(None),
                                             Member.id.not_in(_pending(coop_id, now))).over())
            .where(_no_account(coop_id)).order_by(Member.full_name, Member.id)
            .limit(sa.bindparam("limit", type_=sa.Integer)))


@dataclass(frozen=True)
class WithoutAccount:
    #: everyone on the register without an account
    total: int
    #: of them, those with an email address and no pending invitation (the button invites them)
    to_invite: int
    #: the first few by name, each with whether an invitation is pending
    listed: list[tuple[Member, bool]]


def without_account(coop, limit: int = LISTED) -> WithoutAccount:
    """Current members and applicants with no account bound to their entry: the first ``limit``
    by name, each with whether an invitation is pending, and the counts (window counts over all
    of them). One statement, whatever the size of the register."""
    rows = db.session.execute(_without_account_statement(),
                              {"coop_id": coop.id, "now": utcnow(), "limit": limit}).all()
    if not rows:
        return WithoutAccount(0, 0, [])
    return WithoutAccount(int(rows[0][2]), int(rows[0][3]), [(m, bool(pending)) for m, pending, _, _ in rows])


def _to_invite(coop):
    return db.session.execute(
        sa.select(Member).where(_no_account(coop.id), Member.id.not_in(_pending(coop.id, utcnow())))
        .order_by(Member.id)
    ).scalars().all()


def invite_without_account(coop, actor, accept_url) -> tuple[int, int, int]:
    """Email an invitation to every member on the register who has an email address, no account
    and no pending invitation. Accepting it binds the entry to the account (no second entry).
    ``accept_url(token)`` builds the link. Returns (sent, failed, no email address).
    Changes: Invitation rows (one kept only when its email went out). Flushes; audits each
    invitation and register.invited."""
    settings = current_app.extensions["coopkit.settings"]
    sent = failed = no_email = 0
    for member in _to_invite(coop):
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
