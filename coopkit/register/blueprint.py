"""The register's blueprint and the helpers its views share."""

from __future__ import annotations

from datetime import date, datetime

from flask import abort, g
from flask_login import current_user

from coopkit.coops import policy
from coopkit.coops.queries import member_for_user
from coopkit.extensions import db
from coopkit.register import queries
from coopkit.register.shares import RegisterError
from coopkit.register.table import shares_of
from coopkit.web import coop_blueprint

bp = coop_blueprint("register", __name__, "/register")


def attempt(func, *args, **kwargs):
    """Run a service inside a savepoint: on a RegisterError nothing it wrote is kept.
    Returns (result, error message or None)."""
    try:
        with db.session.begin_nested():
            return func(*args, **kwargs), None
    except RegisterError as exc:
        return None, str(exc)


@bp.app_template_global()
def register_shares(coop) -> dict:
    """Whether the co-op has share capital under its rules in force, and the value of a share
    (cached per request): a company limited by guarantee has no Shares section."""
    cached = g.get("_register_shares")
    if cached is None or cached[0] != coop.id:
        from coopkit.register.shares import register_terms, share_params

        terms = register_terms(coop)
        value = share_params(coop)[0] if terms.share_capital else 0
        cached = (coop.id, {"capital": terms.share_capital, "value": value,
                            "transferable": terms.shares_transferable})
        g._register_shares = cached
    return cached[1]


bp.app_template_filter("shares_of")(shares_of)


def member_or_404(member_id: int):
    member = queries.member_in_coop(g.coop, member_id)
    if member is None:
        abort(404)
    return member


def viewer():
    """The signed-in user's own entry in this co-op's register, if any (cached per request)."""
    if "_register_viewer" not in g:
        g._register_viewer = member_for_user(g.coop, current_user)
    return g._register_viewer


def is_secretary() -> bool:
    return policy.can(current_user, "register.manage", g.coop)


def sees_private(member) -> bool:
    """Addresses and AML details: only the member concerned and the secretary."""
    own = viewer()
    return is_secretary() or (own is not None and own.id == member.id)


def parse_date_arg(text: str | None) -> tuple[date | None, str | None]:
    if not text:
        return None, None
    try:
        value = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        return None, "That is not a date: use the date picker or the form 2025-03-31."
    if value > date.today():
        return None, "The register can't be shown as at a future date."
    return value, None


def page_arg(text: str | None) -> int:
    try:
        return max(1, min(int(text or 1), 1_000_000))
    except ValueError:
        return 1
