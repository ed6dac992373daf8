"""Who may do what: the one place that decides every permission.

Views declare the action they need with :func:`requires`; services that act
on behalf of a user call :func:`can` when a decision depends on data. A user
holds a set of roles in a co-op (a secretary is usually a member too); an
action is allowed when any of those roles grants it in the co-op's stage.

The roles are the ones in DESIGN.md:

- anonymous: not logged in
- outsider: logged in, no link to this co-op
- founder: a founding member while the co-op is forming or registering
- member: a current member of a registered co-op
- secretary: holds the office of secretary (also keeps the registers)
- mentor: follows the co-op's cohort; reads, comments, never votes or edits
- admin: runs the platform (cohorts, mentors); no access to a co-op's data
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, g, has_app_context, redirect, request, url_for
from flask_login import current_user

from coopkit.coops.models import Member, MentorAssignment, Officer, mentor_follows
from coopkit.extensions import db

#: What mentors see of the people in a co-op: counts, never names. A mentor follows the
#: group's work (its answers, its rules, how many founders agreed, how many members it has),
#: not who is in it, so every page shows a mentor counts where it shows others names, and
#: comments by the group are signed "A founder" for them. Pages decide with
#: ``can(user, "register.names", coop)``, which mentors lack. See docs/policy.md.
MENTORS_SEE_MEMBER_NAMES = False

ROLES = ("anonymous", "outsider", "founder", "member", "secretary", "mentor", "admin")

F, M, S, T, A = "founder", "member", "secretary", "mentor", "admin"

#: action -> roles that are granted it. "public" actions need no co-op.
#: Read it as the table of expected answers: tests assert each route against it.
ACTIONS: dict[str, frozenset[str]] = {
    # platform
    "public": frozenset(ROLES),
    "account": frozenset({"outsider", F, M, S, T, A}),
    "admin.manage": frozenset({A}),
    "mentoring.dashboard": frozenset({T}),
    # the workspace
    "coop.view": frozenset({F, M, S, T}),
    "coop.invite": frozenset({F, S}),
    "coop.leave": frozenset({F, M}),
    # answer the platform's requests: join a cohort, let a platform admin mentor the co-op
    "coop.cohort": frozenset({F, S}),
    # founding journey
    "founding.view": frozenset({F, M, S, T}),
    "founding.edit": frozenset({F}),
    "founding.comment": frozenset({F, T}),
    # the officers' anti-money-laundering details: then only who entered them, or the secretary
    "founding.private": frozenset({F, S}),
    # model rules
    "rules.view": frozenset({F, M, S, T}),
    "rules.edit": frozenset({F, S}),
    "rules.pack": frozenset({F, S}),
    # registers
    "register.names": frozenset({F, M, S}),
    "register.self": frozenset({F, M, S}),
    "register.counts": frozenset({F, M, S, T}),
    "register.manage": frozenset({S}),
    "audit.view": frozenset({S}),
    # proposals and votes
    "proposals.view": frozenset({F, M, S}),
    "proposals.create": frozenset({F, M, S}),
    "proposals.vote": frozenset({F, M, S}),
    "proposals.manage": frozenset({S}),
    # general meetings: members see and take part; the secretary (and whoever called or chairs
    # a meeting, checked in coopkit.meetings.services.may_manage) runs them
    "meetings.view": frozenset({F, M, S}),
    "meetings.attend": frozenset({F, M, S}),
    "meetings.manage": frozenset({S}),
    # the statutory calendar: mentors see obligations (no names); the secretary records filings
    "calendar.view": frozenset({F, M, S, T}),
    "calendar.feed": frozenset({F, M, S, T}),
    "calendar.manage": frozenset({S}),
    "calendar.return": frozenset({S}),
    # evidence for buyers: the secretary publishes; the co-op and its mentors run the self-check
    "directory.manage": frozenset({S}),
    "directory.check": frozenset({F, M, S, T}),
}

#: roles that only make sense while the co-op is (or is not yet) registered
_STAGE_ROLES = {
    "founder": {"forming", "registering"},
}


def roles_for(user, coop) -> frozenset[str]:
    """The set of roles ``user`` holds in ``coop`` (cached for the request)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return frozenset({"anonymous"})
    cache = g.setdefault("_roles", {}) if _has_app_context() else {}
    key = (user.id, coop.id if coop is not None else None)
    if key in cache:
        return cache[key]
    roles = _load_platform_roles(user) if coop is None else _load_roles(user, coop)
    cache[key] = roles
    return roles


def _has_app_context() -> bool:
    return has_app_context()


def _load_platform_roles(user) -> frozenset[str]:
    """Roles outside any co-op: everyone logged in is an outsider there; plus admin and mentor."""
    roles = {"outsider"}
    if user.is_admin:
        roles.add("admin")
    if db.session.execute(sa.select(MentorAssignment.id).where(MentorAssignment.user_id == user.id).limit(1)).first():
        roles.add("mentor")
    return frozenset(roles)


def _load_roles(user, coop) -> frozenset[str]:
    roles: set[str] = set()
    # One statement: the register row and whether it holds the office of secretary now.
    holds_secretary = sa.exists().where(
        Officer.member_id == Member.id, Officer.office == "secretary", Officer.ceased_on.is_(None))
    member = db.session.execute(
        sa.select(Member.id, Member.status, holds_secretary.label("is_secretary"))
        # the current membership only: an earlier, ceased one grants nothing
        .where(Member.coop_id == coop.id, Member.user_id == user.id, Member.status != "ceased")
    ).first()
    if member is not None:
        if member.status == "founder" and coop.stage in _STAGE_ROLES["founder"]:
            roles.add("founder")
        elif member.status == "founder" or member.status == "member":
            roles.add("member")
        if member.status in ("founder", "member") and member.is_secretary:
            roles.add("secretary")
    if coop.cohort_id is not None:
        query = sa.select(MentorAssignment.id).where(
            MentorAssignment.cohort_id == coop.cohort_id, MentorAssignment.user_id == user.id)
        query = query.where(mentor_follows(coop.id, coop.cohort_id, user.id, bool(user.is_admin)))
        mentor = db.session.execute(query.limit(1)).first()
        if mentor:
            roles.add("mentor")
    if user.is_admin:
        roles.add("admin")
    if not roles or roles == {"admin"}:
        roles.add("outsider")
    return frozenset(roles)


def can(user, action: str, coop=None) -> bool:
    """True when ``user`` may perform ``action`` (in ``coop`` for co-op actions)."""
    try:
        allowed = ACTIONS[action]
    except KeyError:
        raise LookupError(f"unknown action {action!r}: add it to coopkit.coops.policy.ACTIONS") from None
    return bool(roles_for(user, coop) & allowed)


def role_label(user, coop) -> str:
    """The most significant role, for the header."""
    roles = roles_for(user, coop)
    for role in ("secretary", "founder", "member", "mentor", "admin", "outsider"):
        if role in roles:
            return role
    return "visitor"


def requires(action: str) -> Callable:
    """Decorate a view with the action it needs. The co-op, if any, is ``g.coop``.

    Anonymous users are sent to log in; others without the right get 403.
    The action is kept on the view so the route-walking test can read it.
    """
    if action not in ACTIONS:
        raise LookupError(f"unknown action {action!r}")

    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            coop = g.get("coop")
            if action != "public" and not can(current_user, action, coop):
                if not current_user.is_authenticated:
                    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))
                abort(403)
            return view(*args, **kwargs)

        wrapped.required_action = action
        return wrapped

    return decorator
