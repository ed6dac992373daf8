"""URL parameters of the calendar pages, for the route-walking tests."""

from __future__ import annotations

from datetime import date

from tests.authz_params import _cached, builder

REGISTERED_ON = date(2024, 3, 1)


def _registered(app, world, coop):
    """The co-op with a registration date (the walk's registered co-op has none by itself)."""
    from coopkit.coops.models import Coop
    from coopkit.extensions import db

    def create():
        with app.app_context():
            row = db.session.get(Coop, coop.id)
            if row.stage == "registered" and row.registered_on is None:
                row.registered_on = REGISTERED_ON
                db.session.commit()
            return True

    return _cached(world, ("calendar.registered", coop.id), create)


def _calendar(app, world, coop):
    from coopkit.calendar.queries import calendar_for
    from coopkit.coops.models import Coop
    from coopkit.database import utcnow
    from coopkit.extensions import db

    _registered(app, world, coop)
    with app.app_context():
        return calendar_for(db.session.get(Coop, coop.id), utcnow().date())


@builder("key", endpoint="calendar.done")
def obligation_key(app, world, coop):
    """An open obligation the secretary may record as done."""
    cal = _calendar(app, world, coop)
    return next(i.obligation.key for i in cal.items if i.obligation.closable and i.status != "done")


@builder("year_end", endpoint="calendar.prepare_return")
@builder("year_end", endpoint="calendar.return_pdf")
def return_year_end(app, world, coop):
    return _calendar(app, world, coop).year_ends()[0].isoformat()


@builder("feed_token")
def feed_token(app, world, coop):
    """A live feed address of the registered co-op's member."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.calendar.services import create_feed
        from coopkit.coops.models import Coop
        from coopkit.extensions import db

        with app.app_context():
            token = create_feed(db.session.get(User, world.users["member"].id),
                                db.session.get(Coop, world.registered.id))
            db.session.commit()
            return token

    return _cached(world, ("calendar.feed",), create)
