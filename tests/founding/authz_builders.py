"""URL parameters of the founding journey's routes, for the route-walking tests."""

from __future__ import annotations

from tests.authz_params import _cached, builder


@builder("step_key")
def step_key(app, world, coop):
    # A step with questions and the founders' agreement, so every route on it does real work.
    return "membership"


@builder("slot")
def officer_slot(app, world, coop):
    return 1


@builder("item_key")
def checklist_item(app, world, coop):
    return "fees"


@builder("comment_id")
def comment_thread(app, world, coop):
    """An open comment thread by the mentor on the co-op's membership step."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop
        from coopkit.extensions import db
        from coopkit.founding.comments import start_thread

        with app.app_context():
            thread = start_thread(db.session.get(Coop, coop.id), "membership", "Have you thought about probation?",
                                  db.session.get(User, world.users["mentor"].id), by_mentor=True)
            db.session.commit()
            return thread.id

    return _cached(world, ("founding.comment", coop.id), create)
