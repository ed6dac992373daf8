"""URL parameters of the co-op's mentoring requests (tests/authz_params.py)."""

from __future__ import annotations

from coopkit.extensions import db
from tests.authz_params import _cached, builder


@builder("request_id")
def cohort_request_id(app, world, coop):
    """A pending request for ``coop`` to join another cohort."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Cohort, Coop
        from coopkit.mentoring.services import add_coop_to_cohort

        with app.app_context():
            cohort = Cohort(name=f"Another cohort for {coop.slug}")
            db.session.add(cohort)
            db.session.flush()
            request = add_coop_to_cohort(cohort, db.session.get(Coop, coop.id),
                                         db.session.get(User, world.users["admin"].id))
            db.session.commit()
            return request.id

    return _cached(world, ("cohort_request", coop.id), create)
