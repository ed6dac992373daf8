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

from coopkit.coops.models import Coop, Member, MentorAssignment, Officer, mentor_follows
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
    if coop is None:
        row = db.session.execute(_platform_statement(), {"uid": user.id}).one()
        roles = _platform_roles(user, row[0])
    else:
        row = db.session.execute(_roles_statement(user.is_admin), {"uid": user.id, "coop_id": coop.id}).one()
        roles = _remember(cache, user, coop, row)
    cache[key] = roles
    return roles


def load_coop(slug: str, user) -> Coop | None:
    """The co-op at ``slug``; for a logged-in user also their roles in it, their register
    entry and their platform roles, all in one statement (every co-op page starts here), kept
    for the request so that :func:`roles_for` and ``coops.queries.member_for_user`` ask nothing more."""
    if user is None or not getattr(user, "is_authenticated", False):
        return db.session.execute(_coop_statement(), {"slug": slug}).scalar_one_or_none()
    row = db.session.execute(_coop_statement(user.is_admin), {"slug": slug, "uid": user.id}).first()
    if row is None:
        return None
    coop = row[0]
    cache = g.setdefault("_roles", {})
    cache[(user.id, coop.id)] = _remember(cache, user, coop, row[1:])
    return coop


# The statements below run on every page: each is built once per process with bind parameters
# (``uid``, ``slug``, ``coop_id``), so neither its construction nor its SQLAlchemy cache key is
# paid again per request.

@functools.cache
def _coop_statement(is_admin: bool | None = None) -> sa.Select:
    """The co-op by slug; with the roles of user ``uid`` unless ``is_admin`` is None (anonymous)."""
    if is_admin is None:
        return sa.select(Coop).where(Coop.slug == sa.bindparam("slug"))
    return (sa.select(Coop, *_role_columns(is_admin)).outerjoin(Member, _entry_of())
            .where(Coop.slug == sa.bindparam("slug")))


@functools.cache
def _roles_statement(is_admin: bool) -> sa.Select:
    return (sa.select(*_role_columns(is_admin)).select_from(Coop).outerjoin(Member, _entry_of())
            .where(Coop.id == sa.bindparam("coop_id")))


@functools.cache
def _platform_statement() -> sa.Select:
    return sa.select(_platform_mentor())


def _platform_mentor():
    return sa.exists().where(MentorAssignment.user_id == sa.bindparam("uid")).label("platform_mentor")


def _entry_of():
    # the current membership only (at most one): an earlier, ceased one grants nothing
    return sa.and_(Member.coop_id == Coop.id, Member.user_id == sa.bindparam("uid"), Member.status != "ceased")


def _role_columns(is_admin: bool) -> tuple:
    """What roles are made of, selected beside the co-op with the current register entry of user
    ``uid`` outer-joined (:func:`_entry_of`): that entry, whether it holds the office of secretary
    now, whether the user mentors the co-op's cohort and follows it (``mentor_follows``), and
    whether they mentor anywhere (the platform roles)."""
    uid = sa.bindparam("uid")
    holds_secretary = sa.exists().where(
        Officer.member_id == Member.id, Officer.office == "secretary", Officer.ceased_on.is_(None))
    # (the condition beside the EXISTS, not inside it, so that it correlates with the co-op row)
    mentors = sa.and_(sa.exists().where(MentorAssignment.cohort_id == Coop.cohort_id, MentorAssignment.user_id == uid),
                      mentor_follows(Coop.id, Coop.cohort_id, uid, is_admin))
    return Member, holds_secretary.label("is_secretary"), mentors.label("mentors"), _platform_mentor()


def _remember(cache: dict, user, coop, row) -> frozenset[str]:
    """Roles from a row of :func:`_role_columns`; the platform roles and the register entry
    are kept for the request too."""
    member, is_secretary, mentors, platform_mentor = row
    cache.setdefault((user.id, None), _platform_roles(user, platform_mentor))
    if _has_app_context() and member is not None:
        # the current entry is what member_for_user answers; without one it looks for a ceased one
        g.setdefault("_members", {})[(coop.id, user.id)] = member
    return _coop_roles(user, coop, member, bool(is_secretary), bool(mentors))


def _has_app_context() -> bool:
    return has_app_context()


def _platform_roles(user, mentors_somewhere: bool) -> frozenset[str]:
    """Roles outside any co-op: everyone logged in is an outsider there; plus admin and mentor."""
    roles = {"outsider"}
    if user.is_admin:
        roles.add("admin")
    if mentors_somewhere:
        roles.add("mentor")
    return frozenset(roles)


def _coop_roles(user, coop, member, is_secretary: bool, mentors: bool) -> frozenset[str]:
    roles: set[str] = set()
    if member is not None:
        if member.status == "founder" and coop.stage in _STAGE_ROLES["founder"]:
            roles.add("founder")
        elif member.status == "founder" or member.status == "member":
            roles.add("member")
        if member.status in ("founder", "member") and is_secretary:
            roles.add("secretary")
    if mentors and coop.cohort_id is not None:
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
