"""URL parameters of the rules pages, for the route-walking tests."""

from __future__ import annotations

from tests.authz_params import _cached, builder


@builder("version_number")
def rules_version_number(app, world, coop):
    """A saved draft of the co-op's rules (made by a user who may edit them)."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop
        from coopkit.extensions import db
        from coopkit.rules.services import generate_draft

        editor = world.users["founder"] if coop.id == world.forming.id else world.users["secretary"]
        with app.app_context():
            version, _ = generate_draft(db.session.get(Coop, coop.id), db.session.get(User, editor.id))
            db.session.commit()
            return version.number

    return _cached(world, ("rules.version", coop.id), create)
