"""URL parameters of the directory's routes, for the route-walking tests."""

from __future__ import annotations

from tests.authz_params import _cached, builder


def published_registered_coop(app, world):
    """Publish the registered co-op's profile (once) and issue one pack: (slug, pack id)."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop
        from coopkit.directory import services
        from coopkit.extensions import db

        with app.app_context():
            coop = db.session.get(Coop, world.registered.id)
            secretary = db.session.get(User, world.users["secretary"].id)
            services.save_profile(coop, secretary, description="We build websites.", services="Web", areas="Preston",
                                  contact_name="", contact_email="", website="", workers=None,
                                  workers_as_at=None, private_emails=set())
            services.publish(coop, secretary)
            pack = services.issue_pack(coop, secretary, "Sam Secretary")
            db.session.commit()
            return coop.slug, pack.id

    return _cached(world, ("directory.published", world.registered.id), create)


@builder("slug", endpoint="directory_public.profile")
@builder("slug", endpoint="directory_public.profile_json")
def public_slug(app, world, coop):
    return published_registered_coop(app, world)[0]


@builder("pack_id")
def pack_id(app, world, coop):
    if coop is not None and coop.id == world.registered.id:
        return published_registered_coop(app, world)[1]
    return 999999  # nobody may manage the forming co-op's packs: the policy answers first
