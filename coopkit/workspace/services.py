"""Co-op workspaces and invitations: every write.

Joining again and leaving change register entries, which the register package (above this
one) owns: they go through the effects in :mod:`coopkit.workspace.effects`."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app

from coopkit.audit.services import record
from coopkit.coops.models import Coop, Invitation, Member
from coopkit.coops.queries import member_for_user
from coopkit.coops.slugs import CoopError, check_slug
from coopkit.database import add_unless_duplicate, utcnow
from coopkit.effects import Refused
from coopkit.extensions import db
from coopkit.workspace import effects

log = logging.getLogger("coopkit.coops")

def create_coop(user, name: str, slug: str) -> Coop:
    """Create a workspace in the forming stage with ``user`` as its first founder. Flushes."""
    check_slug(slug)
    coop = Coop(name=name.strip(), slug=slug, stage="forming")
    if not add_unless_duplicate(coop):  # another co-op took this address meanwhile
        raise CoopError("Another co-op already uses this address. Choose another.")
    founder = Member(coop_id=coop.id, user_id=user.id, full_name=user.name, email=user.email, status="founder")
    db.session.add(founder)
    db.session.flush()
    record("coop.created", coop=coop, actor=user, subject=coop, data={"name": coop.name, "slug": slug})
    record("member.founder_added", coop=coop, actor=user, subject=founder)
    log.info("Coop %s created", coop.id)
    return coop


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def unbound_entry(coop: Coop, email: str) -> Member | None:
    """The co-op's register entry with this email that no account is bound to yet (a member
    imported from a CSV file, or entered by the secretary), if any."""
    return db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, sa.func.lower(Member.email) == email.lower(),
                                Member.user_id.is_(None), Member.status.in_(("founder", "member", "applicant")))
        .order_by(Member.id).limit(1)
    ).scalar_one_or_none()


def create_invitation(coop: Coop, inviter, email: str | None) -> tuple[Invitation, str]:
    """Add an invitation; returns it with the raw token (shown or mailed once, never stored).
    An email invitation to someone already on the register without an account is bound to that
    entry: accepting it gives the entry its account instead of adding a second one. Flushes."""
    settings = current_app.extensions["coopkit.settings"]
    email = (email or "").strip().lower() or None
    entry = None
    if email:
        entry = unbound_entry(coop, email)
        existing = entry is None and db.session.execute(
            sa.select(Member.id).where(
                Member.coop_id == coop.id, sa.func.lower(Member.email) == email,
                Member.status.in_(("founder", "member", "applicant")),
            )
        ).first()
        if existing:
            raise CoopError("That person is already in this co-op.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        coop_id=coop.id, email=email, token_hash=_hash_token(token), created_by_id=inviter.id,
        expires_at=utcnow() + timedelta(days=settings.invitation_days), member_id=entry.id if entry else None,
    )
    db.session.add(invitation)
    db.session.flush()
    record("invitation.created", coop=coop, actor=inviter, subject=invitation,
           data={"kind": "email" if email else "link", "member_id": invitation.member_id})
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    if not token or len(token) > 100:
        return None
    return db.session.execute(
        sa.select(Invitation).where(Invitation.token_hash == _hash_token(token))
    ).scalar_one_or_none()


def invitation_problem(invitation: Invitation | None, user=None) -> str | None:
    """Why this invitation cannot be accepted now, or None."""
    if invitation is None:
        return "This invitation link is not valid. Ask whoever invited you for a new one."
    state = invitation.state(utcnow())
    if state == "accepted":
        return "This invitation has already been used. Ask for a new one if you still need to join."
    if state == "revoked":
        return "This invitation was withdrawn."
    if state == "expired":
        return "This invitation has expired. Ask for a new one."
    if user is not None and invitation.email and invitation.email != user.email:
        return (f"This invitation was sent to another email address. Log in with that account "
                f"(you are logged in as {user.email}).")
    return None


def accept_invitation(token: str, user) -> Member:
    """Use up the invitation and add ``user`` to the co-op: a founder while forming,
    an applicant once registered (the secretary then approves). Flushes.

    The invitation row is claimed with a conditional UPDATE so two people can never
    use the same link."""
    invitation = find_invitation(token)
    problem = invitation_problem(invitation, user)
    if problem:
        raise CoopError(problem)
    coop = db.session.get(Coop, invitation.coop_id)
    member = member_for_user(coop, user)
    if member is not None and member.status in ("founder", "member", "applicant"):
        raise CoopError(f"You are already part of {coop.name}.")
    entry = _entry_to_bind(invitation, coop)
    if entry is not None and member is not None:
        raise CoopError(f"Your account already has an earlier entry in {coop.name}'s register: "
                        f"ask the secretary to sort out the two entries.")
    claimed = db.session.execute(
        sa.update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
        .values(accepted_at=utcnow(), accepted_by_id=user.id)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        raise CoopError("This invitation has already been used. Ask for a new one if you still need to join.")
    if entry is not None:
        return _bind(entry, invitation, coop, user)
    status = "applicant" if coop.stage == "registered" else "founder"
    if member is None:
        member = Member(coop_id=coop.id, user_id=user.id, full_name=user.name, email=user.email, status=status)
        db.session.add(member)
    else:
        # A returning person gets a new entry (a new membership); the earlier one stays, ceased.
        try:
            results = effects.member_rejoins(member=member, status=status, actor=user)
        except Refused as exc:
            raise CoopError(str(exc)) from None
        member = next(r for r in results if isinstance(r, Member))
    db.session.flush()
    record("invitation.accepted", coop=coop, actor=user, subject=invitation)
    record(f"member.{status}_added", coop=coop, actor=user, subject=member)
    return member


def _entry_to_bind(invitation: Invitation, coop: Coop) -> Member | None:
    """The register entry an invitation's account takes over: the one it was made for, or one with
    its email that has no account. A claimed entry is refused rather than duplicated."""
    if invitation.member_id is not None:
        entry = db.session.execute(
            sa.select(Member).where(Member.id == invitation.member_id).with_for_update()).scalar_one()
        if entry.user_id is not None or entry.status == "ceased":
            raise CoopError("The register entry this invitation was for already has an account or has ceased. "
                            "Ask the secretary for a new invitation.")
        return entry
    return unbound_entry(coop, invitation.email) if invitation.email else None


def _bind(entry: Member, invitation: Invitation, coop: Coop, user) -> Member:
    """Give an existing register entry its account: no second row, status and dates unchanged."""
    bound = db.session.execute(
        sa.update(Member).where(Member.id == entry.id, Member.user_id.is_(None))
        .values(user_id=user.id).execution_options(synchronize_session=False)
    ).rowcount
    if bound != 1:
        raise CoopError("The register entry this invitation was for already has an account. "
                        "Ask the secretary for a new invitation.")
    entry.user_id = user.id
    db.session.flush()
    record("invitation.accepted", coop=coop, actor=user, subject=invitation)
    record("member.account_bound", coop=coop, actor=user, subject=entry, data={"status": entry.status})
    log.info("Coop %s: member %s bound to an account", coop.id, entry.id)
    return entry


def revoke_invitation(invitation: Invitation, actor) -> None:
    """Withdraw a pending invitation. Flushes."""
    if invitation.accepted_at or invitation.revoked_at:
        raise CoopError("Only a pending invitation can be withdrawn.")
    invitation.revoked_at = utcnow()
    coop = db.session.get(Coop, invitation.coop_id)
    record("invitation.revoked", coop=coop, actor=actor, subject=invitation)
    db.session.flush()


def leave_coop(coop: Coop, user, reason: str = "resigned") -> Member:
    """Record that ``user`` leaves: their register row is ceased, never deleted. Flushes."""
    member = db.session.execute(
        sa.select(Member).where(Member.coop_id == coop.id, Member.user_id == user.id,
                                Member.status.in_(("founder", "member", "applicant")))
    ).scalar_one_or_none()
    if member is None:
        raise CoopError("You are not a member of this co-op.")
    if member.status == "founder":
        others = db.session.execute(
            sa.select(sa.func.count()).select_from(Member).where(
                Member.coop_id == coop.id, Member.status == "founder", Member.id != member.id)
        ).scalar_one()
        if not others:
            raise CoopError("You are the last founder: nobody could look after this workspace if you left. "
                            "Invite a co-founder first.")
    try:
        effects.member_leaves(member=member, on=date.today(), reason=reason, actor=user)
    except Refused as exc:
        raise CoopError(str(exc)) from None
    return member
