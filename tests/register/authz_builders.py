"""URL parameters of the register's routes for the route-walking tests."""

from __future__ import annotations

from datetime import date

from coopkit.extensions import db
from tests.authz_params import _cached, builder


@builder("officer_id")
def officer_id(app, world, coop):
    """A current director appointment in ``coop`` (ending it leaves the secretary in office)."""
    coop = coop or world.registered

    def create():
        from coopkit.coops.models import Officer

        holder = world.members["member" if coop.id == world.registered.id else "founder"]
        with app.app_context():
            officer = Officer(coop_id=coop.id, member_id=holder.id, office="director",
                              appointed_on=date(2024, 1, 1))
            db.session.add(officer)
            db.session.commit()
            return officer.id

    return _cached(world, ("register.officer", coop.id), create)


@builder("which", endpoint="register.export")
def export_which(app, world, coop):
    return "members"


@builder("fmt", endpoint="register.export")
def export_format(app, world, coop):
    return "csv"


@builder("kind", endpoint="register.share_transaction")
def share_kind(app, world, coop):
    return "issue"


@builder("member_id", endpoint="register.withdraw_application")
@builder("member_id", endpoint="register.admit")
@builder("member_id", endpoint="register.end_probation")
def applicant_id(app, world, coop):
    """An open application in the registered co-op (the walk rolls back the admissions it posts);
    in the forming co-op nobody may manage the register, so any row will do."""
    coop = coop or world.registered
    if coop.id != world.registered.id:
        return world.members["founder"].id

    def create():
        from coopkit.coops.models import Member

        with app.app_context():
            member = Member(coop_id=coop.id, full_name="Walk Applicant", status="applicant",
                            applied_on=date(2024, 1, 1))
            db.session.add(member)
            db.session.commit()
            return member.id

    return _cached(world, ("register.applicant", coop.id), create)
