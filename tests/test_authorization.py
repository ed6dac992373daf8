"""Every route, as every role: the policy table is the only source of who may do what.

The walk takes each route of ``app.url_map`` (except static files), fills in its URL
parameters from tests/authz_params.py, and requests it with GET and POST as each
role of DESIGN.md, in the forming and in the registered co-op. A role the action
allows must not be refused (no 403, no redirect to log in), must find what the URL
points at (no 404: the builder's object is there for it) and must not get a server
error; any other role must get 403, or be sent to log in when anonymous. A view
without ``@requires`` fails here.
"""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from coopkit.coops import policy
from tests import authz_params
from tests.authz_params import ROLES, is_login_redirect, log_in_client, writes_rolled_back

#: The expected answers, written out by hand: action -> roles allowed. A change to
#: coopkit.coops.policy.ACTIONS must be made here too, so that it is deliberate.
#: Columns: anonymous, outsider, founder, member, secretary, mentor, admin.
EXPECTED_TABLE = """
public                all   all   all   all   all   all   all
account               -     yes   yes   yes   yes   yes   yes
admin.manage          -     -     -     -     -     -     yes
mentoring.dashboard   -     -     -     -     -     yes   -
coop.view             -     -     yes   yes   yes   yes   -
coop.invite           -     -     yes   -     yes   -     -
coop.leave            -     -     yes   yes   -     -     -
coop.cohort           -     -     yes   -     yes   -     -
founding.view         -     -     yes   yes   yes   yes   -
founding.edit         -     -     yes   -     -     -     -
founding.comment      -     -     yes   -     -     yes   -
founding.private      -     -     yes   -     yes   -     -
rules.view            -     -     yes   yes   yes   yes   -
rules.edit            -     -     yes   -     yes   -     -
rules.pack            -     -     yes   -     yes   -     -
register.names        -     -     yes   yes   yes   -     -
register.self         -     -     yes   yes   yes   -     -
register.counts       -     -     yes   yes   yes   yes   -
register.manage       -     -     -     -     yes   -     -
audit.view            -     -     -     -     yes   -     -
proposals.view        -     -     yes   yes   yes   -     -
proposals.create      -     -     yes   yes   yes   -     -
proposals.vote        -     -     yes   yes   yes   -     -
proposals.manage      -     -     -     -     yes   -     -
meetings.view         -     -     yes   yes   yes   -     -
meetings.attend       -     -     yes   yes   yes   -     -
meetings.manage       -     -     -     -     yes   -     -
calendar.view         -     -     yes   yes   yes   yes   -
calendar.feed         -     -     yes   yes   yes   yes   -
calendar.manage       -     -     -     -     yes   -     -
calendar.return       -     -     -     -     yes   -     -
directory.manage      -     -     -     -     yes   -     -
directory.check       -     -     yes   yes   yes   yes   -
"""


def parse_table(text: str) -> dict[str, frozenset[str]]:
    table = {}
    for line in text.strip().splitlines():
        action, *cells = line.split()
        assert len(cells) == len(ROLES), f"row {action!r} needs one cell per role {ROLES}"
        table[action] = frozenset(role for role, cell in zip(ROLES, cells, strict=True) if cell in ("yes", "all"))
    return table


EXPECTED = parse_table(EXPECTED_TABLE)


@pytest.fixture(autouse=True)
def _clean_database():
    """The world is built once for the module (and emptied at its end); requests roll back."""
    yield


@pytest.fixture(scope="module")
def world(app):
    with authz_params.world_for(app) as world:
        yield world


def test_policy_table_is_pinned():
    missing = sorted(set(policy.ACTIONS) - set(EXPECTED))
    assert not missing, (f"actions {missing} are in coopkit.coops.policy.ACTIONS but not in EXPECTED_TABLE "
                         f"of tests/test_authorization.py: add a row saying which roles may do each")
    changed = {a: (sorted(EXPECTED[a]), sorted(policy.ACTIONS[a])) for a in policy.ACTIONS
               if policy.ACTIONS[a] != EXPECTED[a]}
    assert not changed, f"policy.ACTIONS differs from the expected table (expected, actual): {changed}"
    unknown = sorted(set(EXPECTED) - set(policy.ACTIONS))
    assert not unknown, f"EXPECTED_TABLE names actions that policy.ACTIONS lacks: {unknown}"


def test_every_route_requires_an_action(app):
    routes = authz_params.routes(app)
    assert routes, "no routes found"
    without = [f"{r.endpoint} ({r.rule})" for r in routes if r.action is None]
    assert not without, ("these views have no @requires(action) from coopkit.coops.policy "
                         "(or a decorator hid it): " + ", ".join(without))
    unknown = [f"{r.endpoint}: {r.action!r}" for r in routes if r.action not in policy.ACTIONS]
    assert not unknown, f"views require actions that policy.ACTIONS does not define: {unknown}"


def test_rate_limited_views_keep_their_action(app):
    # Flask-Limiter wraps the login view; the action must survive the wrapping.
    assert app.view_functions["accounts.login"].required_action == "public"


def test_every_route_parameter_has_a_builder(app, world):
    problems = []
    for route in authz_params.routes(app):
        for coop in authz_params.coops_for(world, route):
            try:
                authz_params.build_url(app, world, route, coop)
            except authz_params.MissingBuilder as exc:
                problems.append(str(exc))
    assert not problems, "\n".join(sorted(set(problems)))


def test_world_roles_match_the_policy(app, world):
    """The walk's idea of who holds which role is the policy's idea too."""
    from coopkit.accounts.models import User
    from coopkit.coops.models import Coop
    from coopkit.extensions import db

    with app.app_context():
        for role in ROLES[1:]:
            user = db.session.get(User, world.users[role].id)
            for coop in (None, *world.coops):
                target = db.session.get(Coop, coop.id) if coop else None
                assert policy.roles_for(user, target) == world.roles_in(role, coop), (role, coop)


def allowed(world, role: str, action: str, coop) -> bool:
    granted = EXPECTED.get(action, policy.ACTIONS.get(action, frozenset()))
    return bool(world.roles_in(role, coop) & granted)


@pytest.mark.parametrize("role", ROLES)
def test_route_walk(app, world, role):
    client = app.test_client()
    failures, checked = [], 0
    world.role = role
    for route in authz_params.routes(app):
        if route.action is None:
            continue  # reported by test_every_route_requires_an_action
        for coop in authz_params.coops_for(world, route):
            try:
                url = authz_params.build_url(app, world, route, coop)
            except authz_params.MissingBuilder:
                continue  # reported by test_every_route_parameter_has_a_builder
            expect = allowed(world, role, route.action, coop)
            where = f"{role} {{method}} {url} ({route.endpoint}, action {route.action!r}): "
            for method in route.methods:
                log_in_client(client, world, role)
                try:
                    with writes_rolled_back():
                        response = client.open(url, method=method)
                except Exception as exc:  # noqa: BLE001 - report every route, not just the first
                    failures.append(where.format(method=method) + f"raised {exc!r}")
                    continue
                checked += 1
                status = response.status_code
                if expect and (status == 403 or is_login_redirect(response)):
                    failures.append(where.format(method=method) + f"allowed but refused ({status})")
                elif expect and status == 404:
                    failures.append(where.format(method=method) + "allowed but 404: the URL's builder "
                                    "points at nothing this role can use")
                elif expect and status >= 500:
                    failures.append(where.format(method=method) + f"server error {status}")
                elif not expect:
                    ok = is_login_redirect(response) if role == "anonymous" else status == 403
                    if not ok:
                        wanted = "a redirect to /login" if role == "anonymous" else "403"
                        failures.append(where.format(method=method) + f"should be refused with {wanted}, "
                                                                      f"got {status}")
    world.role = None
    assert checked > 0
    assert not failures, f"{len(failures)} of {checked} requests answered wrongly:\n" + "\n".join(failures)


class _PageChecker(HTMLParser):
    """Collect what the CSP or accessibility rules forbid on a page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.label_for: set[str] = set()
        self.fields: list[tuple[str, dict]] = []
        self._label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and not attrs.get("src"):
            self.problems.append("an inline <script>")
        if tag == "style":
            self.problems.append("a <style> element")
        if "style" in attrs:
            self.problems.append(f"a style attribute on <{tag}>")
        self.problems += [f"an inline {name} handler on <{tag}>" for name in attrs if name.startswith("on")]
        if tag == "label":
            self._label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit", "button"):
            self.fields.append((tag, attrs, self._label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label" and self._label_depth:
            self._label_depth -= 1

    def unlabelled(self) -> list[str]:
        return [f"<{tag} name={attrs.get('name')!r}> has no label" for tag, attrs, wrapped in self.fields
                if not wrapped and attrs.get("id") not in self.label_for
                and not attrs.get("aria-label") and not attrs.get("aria-labelledby")]


def test_every_page_keeps_to_the_csp_and_labels_its_inputs(app, world):
    """Each page, as the first role allowed to see it: no inline script or style (the CSP
    would block it) and no input without a label."""
    client = app.test_client()
    failures, pages = [], 0
    for route in authz_params.routes(app):
        if "GET" not in route.methods or route.action is None:
            continue
        for coop in authz_params.coops_for(world, route):
            role = next((r for r in ROLES if allowed(world, r, route.action, coop)), None)
            if role is None:
                continue
            world.role = role
            try:
                url = authz_params.build_url(app, world, route, coop)
            except authz_params.MissingBuilder:
                continue
            log_in_client(client, world, role)
            with writes_rolled_back():
                response = client.get(url)
            if "html" not in (response.content_type or ""):
                continue
            pages += 1
            checker = _PageChecker()
            checker.feed(response.get_data(as_text=True))
            for problem in sorted(set(checker.problems)) + checker.unlabelled():
                failures.append(f"{role} GET {url} ({route.endpoint}): {problem}")
    world.role = None
    assert pages > 10
    assert not failures, "\n".join(failures)


def test_mentors_see_counts_not_member_names(app, world):
    """The one decision (coopkit/coops/policy.py, docs/policy.md): a mentor sees how many
    founders or members a co-op has, never who they are. Every page a mentor may open, in
    both co-ops, is checked for the name of anyone in either register."""
    import sqlalchemy as sa

    from coopkit.coops.models import Member
    from coopkit.extensions import db

    assert not policy.MENTORS_SEE_MEMBER_NAMES
    with app.app_context():
        names = set(db.session.execute(sa.select(Member.full_name)).scalars())
    assert {"Fola Founder", "Second Founder", "Mo Member", "Paper Member"} <= names
    client = app.test_client()
    failures, pages = [], 0
    world.role = "mentor"
    for route in authz_params.routes(app):
        if "GET" not in route.methods or route.action in (None, "public"):
            continue  # public pages (a co-op's published profile) are the co-op's choice, for anyone
        for coop in authz_params.coops_for(world, route):
            if not allowed(world, "mentor", route.action, coop):
                continue
            try:
                url = authz_params.build_url(app, world, route, coop)
            except authz_params.MissingBuilder:
                continue
            log_in_client(client, world, "mentor")
            with writes_rolled_back():
                response = client.get(url)
            if response.status_code != 200 or not (response.mimetype or "").startswith("text"):
                continue
            pages += 1
            text = response.get_data(as_text=True)
            shown = sorted(n for n in names if n in text)
            if shown:
                failures.append(f"mentor GET {url} ({route.endpoint}) shows {shown}")
    world.role = None
    assert pages > 10
    assert not failures, "\n".join(failures)
