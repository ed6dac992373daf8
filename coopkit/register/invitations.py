"""Inviting the people on the register who have no account yet (members imported from a CSV
file or entered by the secretary), so that each can take over their own entry and vote online."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import current_app

from coopkit.audit.services import record
from coopkit.coops.models import Invitation, Member
from coopkit.database import utcnow
from coopkit.extensions import db
from coopkit.jsonrows import json_rows
from coopkit.mail import MailError, send_mail
from coopkit.register import queries
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


@dataclass(frozen=True)
class Person:
    """Someone listed on the register page (the fields its lists show)."""
    id: int
    full_name: str
    email: str | None = None
    applied_on: date | None = None
    probation_ends_on: date | None = None


@dataclass(frozen=True)
class WithoutAccount:
    #: everyone on the register without an account
    total: int
    #: of them, those with an email address and no pending invitation (the button invites them)
    to_invite: int
    #: the first few by name, each with whether an invitation is pending
    listed: list[tuple[Person, bool]]


def _without_account_select() -> sa.Select:
    """The first ``limit`` people without an account (id, name, email, invitation pending) with
    the counts of all of them (everyone, those the button would invite): bind parameters
    ``coop_id``, ``now`` and ``limit``."""
    coop_id, now = sa.bindparam("coop_id"), sa.bindparam("now", type_=sa.DateTime)
    return (sa.select(Member.id, Member.full_name, Member.email, Member.id.in_(_pending(coop_id, now)),
                      sa.func.count().over(),
                      sa.func.count().filter(Member.email.is_not(None),
                                             Member.id.not_in(_pending(coop_id, now))).over())
            .where(_no_account(coop_id)).order_by(Member.full_name, Member.id)
            .limit(sa.bindparam("limit", type_=sa.Integer)))


@functools.cache
def _secretary_statement(dated: bool) -> tuple[list[str], sa.Select]:
    """The register's counts (register.queries.count_columns), the applications waiting and the
    people without an account, in one statement built once per process (the lists as JSON
    columns, coopkit.jsonrows)."""
    keys, columns = queries.count_columns(dated)
    return keys, sa.select(*columns, json_rows(queries.applicants_select(), None),
                           json_rows(_without_account_select(), None))


def secretary_register_facts(coop, as_at: date | None = None) -> tuple[dict, list[Person], WithoutAccount]:
    """What the secretary's register page shows above the register: the counts (as
    register.queries.counts), the applications waiting and the people without an account. One
    statement."""
    keys, statement = _secretary_statement(as_at is not None)
    row = db.session.execute(statement, {**queries.count_params(coop, as_at), "now": utcnow(),
                                         "limit": LISTED}).one()
    counts = queries.counts_from(dict(zip(keys, row[:len(keys)], strict=True)))
    waiting, unbound = row[len(keys)], row[len(keys) + 1]
    applicants = [Person(pid, name, applied_on=applied, probation_ends_on=probation)
                  for pid, name, applied, probation in waiting]
    if not unbound:
        return counts, applicants, WithoutAccount(0, 0, [])
    return counts, applicants, WithoutAccount(
        int(unbound[0][4]), int(unbound[0][5]),
        [(Person(pid, name, email), bool(pending)) for pid, name, email, pending, _, _ in unbound])


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
