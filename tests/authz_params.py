"""The world the route-walking tests run in, and how to fill in every URL parameter.

tests/test_authorization.py requests every route of ``app.url_map`` as every role
(tests/test_csrf.py and tests/test_fuzz.py reuse the same world). To build a URL it
needs a value for each parameter of the route, taken from ``BUILDERS`` below.

Adding a route with a new parameter (e.g. ``/c/<slug>/proposals/<int:number>``)?
Add a builder in your feature's ``tests/<feature>/authz_builders.py`` (loaded
automatically at the end of this module), or here for a core parameter:

    @builder("number")
    def proposal_number(app, world, coop):
        # Make (or reuse) something the parameter can point at, committed in its own
        # app context, and return the value to put in the URL.
        with app.app_context():
            proposal = ...create it for coop.id...
            db.session.commit()
            return proposal.number

- ``app`` is the Flask app; ``world`` is a :class:`World` (its users, both co-ops,
  ``world.make`` = tests.factories.Factory, ``world.cache`` for values worth reusing,
  ``world.role`` = the role being walked); ``coop`` is the co-op the URL is for (a
  ``CoopRec``: forming or registered; ``None`` for routes without ``<slug>``).
- Return a value every role that is *allowed* the route's action can use, so that an
  allowed role never gets 403 or 404 for reasons other than the policy. If the same
  parameter name means something else on one endpoint, register it for that endpoint
  only: ``@builder("coop_id", endpoint="admin.remove_coop")``.
- Adding an action to coopkit.coops.policy.ACTIONS? Add its row (which roles may) to
  EXPECTED_TABLE in tests/test_authorization.py too: the table pins the policy.
- The walk rolls back every request's writes, so a builder's object is still there for
  the next role and route. Cache in ``world.cache`` keyed by (name, coop id) if making
  the object is slow.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa

from coopkit.extensions import db
from tests.factories import CoopRec, Factory, MemberRec, UserRec

Builder = Callable[[object, "World", "CoopRec | None"], object]

#: parameter name -> builder
BUILDERS: dict[str, Builder] = {}
#: (endpoint, parameter name) -> builder, for a parameter that means something special on one route
ENDPOINT_BUILDERS: dict[tuple[str, str], Builder] = {}

ROLES = ("anonymous", "outsider", "founder", "member", "secretary", "mentor", "admin")


def builder(*names: str, endpoint: str | None = None) -> Callable[[Builder], Builder]:
    """Register a function ``(app, world, coop) -> value`` for URL parameters ``names``."""

    def register(function: Builder) -> Builder:
        for name in names:
            if endpoint:
                ENDPOINT_BUILDERS[(endpoint, name)] = function
            else:
                BUILDERS[name] = function
        return function

    return register


def builder_for(endpoint: str, name: str) -> Builder | None:
    return ENDPOINT_BUILDERS.get((endpoint, name)) or BUILDERS.get(name)


@dataclass
class World:
    """Two co-ops and one user per role.

    - forming: a co-op in formation; ``founder`` founded it (plus a second founder).
    - registered: a registered co-op; ``member`` is a member, ``secretary`` holds the office.
    - a cohort holds both co-ops and ``mentor`` is assigned to it; ``admin`` is a platform admin;
      ``outsider`` has an account and nothing else.
    """

    app: object
    make: Factory
    users: dict[str, UserRec]
    forming: CoopRec
    registered: CoopRec
    members: dict[str, MemberRec]
    cohort_id: int
    assignment_id: int
    #: the role currently being walked (builders may read it)
    role: str | None = None
    cache: dict = field(default_factory=dict)

    @property
    def coops(self) -> tuple[CoopRec, CoopRec]:
        return (self.forming, self.registered)

    def roles_in(self, role: str, coop: CoopRec | None) -> frozenset[str]:
        """The roles the world's ``role`` user holds where ``coop`` is (None: the platform).

        Written out from how the world is built, independently of coopkit.coops.policy."""
        if role == "anonymous":
            return frozenset({"anonymous"})
        if coop is None:
            extra = {"mentor": {"mentor"}, "admin": {"admin"}}.get(role, set())
            return frozenset({"outsider", *extra})
        if role == "mentor":
            return frozenset({"mentor"})
        if role == "admin":
            return frozenset({"admin", "outsider"})
        if role == "founder" and coop.id == self.forming.id:
            return frozenset({"founder"})
        if role == "member" and coop.id == self.registered.id:
            return frozenset({"member"})
        if role == "secretary" and coop.id == self.registered.id:
            return frozenset({"member", "secretary"})
        return frozenset({"outsider"})


def build_world(app) -> World:
    make = Factory(app)
    founder = make.user(name="Fola Founder")
    member = make.user(name="Mo Member")
    users = {
        "outsider": make.user(name="Otto Outsider"),
        "founder": founder,
        "member": member,
        "mentor": make.user(name="Mina Mentor"),
        "admin": make.user(name="Ada Admin", is_admin=True),
    }
    forming = make.coop(founder=founder, name="Forming Co-op", slug="forming-coop")
    make.member(forming, name="Second Founder")
    registered = make.coop(founder=member, name="Registered Co-op", slug="registered-coop", stage="registered")
    secretary, secretary_member = make.secretary(registered)
    users["secretary"] = secretary
    make.member(registered, name="Former Member", status="ceased", with_user=False)
    make.member(registered, name="Paper Member", with_user=False)
    cohort_id = make.cohort(name="Walk cohort", coops=(forming, registered), mentors=(users["mentor"],))
    # A co-op in no cohort, so the admin's "add a co-op" form has something to offer.
    make.coop(name="Unmentored Co-op", slug="unmentored-coop")
    with app.app_context():
        from coopkit.coops.models import Member, MentorAssignment

        assignment_id = db.session.execute(
            sa.select(MentorAssignment.id).where(MentorAssignment.cohort_id == cohort_id)
        ).scalar_one()
        member_ids = dict(db.session.execute(
            sa.select(Member.user_id, Member.id).where(Member.user_id.is_not(None))
        ).all())
    members = {
        "founder": MemberRec(member_ids[founder.id], forming.id, founder.id, founder.name, "founder"),
        "member": MemberRec(member_ids[member.id], registered.id, member.id, member.name, "member"),
        "secretary": secretary_member,
    }
    return World(app=app, make=make, users=users, forming=forming, registered=registered,
                 members=members, cohort_id=cohort_id, assignment_id=assignment_id)


@contextlib.contextmanager
def world_for(app) -> Iterator[World]:
    """Build the world, and empty every table afterwards (for a module-scoped fixture)."""
    from coopkit.extensions import limiter
    from tests.conftest import _empty_all_tables

    try:
        yield build_world(app)
    finally:
        with app.app_context():
            db.session.remove()
            _empty_all_tables()
        limiter.reset()


# --- the builders -----------------------------------------------------------------

def _cached(world: World, key, make: Callable[[], object]):
    if key not in world.cache:
        world.cache[key] = make()
    return world.cache[key]


def _invitation(app, world: World, coop: CoopRec, email: str | None):
    """A pending invitation in ``coop``: (id, raw token)."""

    def create():
        from coopkit.accounts.models import User
        from coopkit.coops.models import Coop
        from coopkit.workspace.services import create_invitation

        inviter = world.users["founder"] if coop.id == world.forming.id else world.users["secretary"]
        with app.app_context():
            invitation, token = create_invitation(db.session.get(Coop, coop.id),
                                                  db.session.get(User, inviter.id), email)
            db.session.commit()
            return invitation.id, token

    return _cached(world, ("invitation", coop.id, email), create)


@builder("slug")
def coop_slug(app, world, coop):
    return coop.slug


@builder("slug", endpoint="guides.show")
def guide_slug(app, world, coop):
    # /guides/<slug> names a public guide, not a co-op.
    from coopkit.founding.guides import all_guides

    return next(iter(all_guides()))


@builder("invitation_id")
def invitation_id(app, world, coop):
    return _invitation(app, world, coop, "invitee@example.org")[0]


@builder("token")
def invitation_token(app, world, coop):
    # /invite/<token> is not under a co-op: a link invitation to the forming co-op.
    return _invitation(app, world, coop or world.forming, None)[1]


@builder("token", endpoint="accounts.finish_signup")
def signup_token(app, world, coop):
    # A sign-up link for an address with no account yet.
    from coopkit.accounts.services import make_signup_token

    with app.test_request_context():
        return make_signup_token("walker@example.org", "Walker", "")


@builder("token", endpoint="accounts.confirm_email")
def email_change_token(app, world, coop):
    # A link moving the outsider's account to a new address.
    from coopkit.accounts.models import User
    from coopkit.accounts.services import make_email_token

    with app.test_request_context():
        return make_email_token(db.session.get(User, world.users["outsider"].id), "moved@example.org")


@builder("cohort_id")
def cohort_id(app, world, coop):
    return world.cohort_id


@builder("coop_id")
def coop_id(app, world, coop):
    return (coop or world.forming).id


@builder("assignment_id")
def assignment_id(app, world, coop):
    return world.assignment_id


@builder("member_id")
def member_id(app, world, coop):
    # The walked role's own register row where they have one, else another member's.
    coop = coop or world.registered
    own = world.members.get(world.role or "")
    if own is not None and own.coop_id == coop.id:
        return own.id
    return world.members["founder" if coop.id == world.forming.id else "member"].id


def _load_feature_builders() -> None:
    """Import ``tests/<feature>/authz_builders.py`` of every feature that has one.

    A feature keeps the builders for its own URL parameters there (with ``@builder``
    from this module), so features never edit each other's files.
    """
    import importlib
    import pkgutil
    from pathlib import Path

    tests_dir = Path(__file__).parent
    for info in pkgutil.iter_modules([str(tests_dir)]):
        if info.ispkg and (tests_dir / info.name / "authz_builders.py").exists():
            importlib.import_module(f"tests.{info.name}.authz_builders")


# --- walking the routes -------------------------------------------------------------

class MissingBuilder(LookupError):
    pass


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    methods: tuple[str, ...]
    arguments: tuple[str, ...]
    action: str | None

    @property
    def in_coop(self) -> bool:
        """A co-op page: under ``/c/<slug>/`` (another route may use ``<slug>`` for something else)."""
        return self.rule.startswith("/c/<slug>")


def routes(app, methods=("GET", "POST")) -> list[Route]:
    """Every route of the app except static files, with the action its view requires."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        view = app.view_functions[rule.endpoint]
        found.append(Route(
            endpoint=rule.endpoint, rule=rule.rule,
            methods=tuple(m for m in methods if m in (rule.methods or ())),
            arguments=tuple(sorted(rule.arguments)), action=getattr(view, "required_action", None),
        ))
    return sorted(found, key=lambda r: (r.rule, r.endpoint))


def coops_for(world: World, route: Route) -> tuple[CoopRec | None, ...]:
    return world.coops if route.in_coop else (None,)


def build_url(app, world: World, route: Route, coop: CoopRec | None) -> str:
    values = {}
    for name in route.arguments:
        make_value = builder_for(route.endpoint, name)
        if make_value is None:
            feature = route.endpoint.split(".", 1)[0]
            raise MissingBuilder(
                f"{route.endpoint} ({route.rule}): no builder for the URL parameter <{name}>. "
                f"Add one in tests/<feature>/authz_builders.py (e.g. tests/{feature}/authz_builders.py) "
                f"with @builder({name!r}) or @builder({name!r}, endpoint={route.endpoint!r}); "
                f"see the docstring of tests/authz_params.py."
            )
        values[name] = make_value(app, world, coop)
    with app.test_request_context():
        from flask import url_for

        return url_for(route.endpoint, **values)


def log_in_client(client, world: World, role: str):
    """Make ``client`` (a Flask test client) act as the world's ``role`` user."""
    with client.session_transaction() as session:
        session.clear()
        if role != "anonymous":
            user = world.users[role]
            session["_user_id"] = f"{user.id}:{user.session_version}"
            session["_fresh"] = True
    return client


@contextlib.contextmanager
def writes_rolled_back():
    """Requests inside this block flush (so database errors still surface) but never commit,
    so the world stays as built however many forms are posted.

    Wrap the request only, never ``build_url``: a builder's own commit would be rolled
    back too, and the URL would point at nothing (an allowed role would then get 404)."""
    session = db.session
    original = session.__dict__.get("commit")

    def flush_then_roll_back():
        try:
            session.flush()
        finally:
            session.rollback()

    session.commit = flush_then_roll_back
    try:
        yield
    finally:
        if original is None:
            del session.commit
        else:
            session.commit = original


def is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    from urllib.parse import urlsplit

    return urlsplit(response.headers.get("Location", "")).path == "/login"


_load_feature_builders()
