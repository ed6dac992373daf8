"""Random and malformed values posted to every form never make a server error.

The fields of each POST route are discovered the way a person would find them: by
opening every page (as a role allowed to see it) and reading its ``<form method=post>``
inputs, selects and textareas. Hypothesis then posts empty, huge, unicode, NUL-bearing,
numeric, date-like and wrongly-typed values to them. Exceptions propagate in testing,
so any unhandled error fails the test; an answer of 500 or more fails it too.
Requests roll back their writes, so every example meets the same world.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopkit.coops import policy
from coopkit.extensions import limiter
from tests import authz_params
from tests.authz_params import ROLES, log_in_client, writes_rolled_back

EXAMPLES = int(os.environ.get("COOPKIT_FUZZ_EXAMPLES", "25"))
#: a form whose plain post takes longer than this (e.g. it renders a PDF) gets SLOW_EXAMPLES
SLOW_SECONDS = 0.5
SLOW_EXAMPLES = min(EXAMPLES, 4)
#: names tried on a POST route no page links a form to
FALLBACK_FIELDS = ("name", "email", "value", "id")


@dataclass
class FormField:
    name: str
    kind: str  # input type, "select" or "textarea"
    options: list[str] = field(default_factory=list)
    #: the value the page filled in (a text input's value, a textarea's text)
    default: str = ""


class FormParser(HTMLParser):
    """Collect each ``<form method="post">``: its action and its named fields
    (``get_forms``: the same for ``<form method="get">``, the filters)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[tuple[str, dict[str, FormField]]] = []
        self.get_forms: list[tuple[str, dict[str, FormField]]] = []
        self._form: dict[str, FormField] | None = None
        self._select: FormField | None = None
        self._textarea: FormField | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {}
            method = (attrs.get("method") or "get").lower()
            (self.forms if method == "post" else self.get_forms).append((attrs.get("action") or "", self._form))
            return
        if self._form is None:
            return
        name = attrs.get("name")
        if tag in ("input", "textarea", "select", "button") and name and name != "csrf_token":
            kind = tag if tag in ("textarea", "select") else (attrs.get("type") or "text").lower()
            entry = self._form.setdefault(name, FormField(name, kind))
            if attrs.get("value") is not None and kind in ("radio", "checkbox", "hidden", "submit", "button"):
                entry.options.append(attrs["value"])
            elif attrs.get("value") is not None:
                entry.default = attrs["value"]
            if tag == "select":
                self._select = entry
            if tag == "textarea":
                self._textarea = entry
        elif tag == "option" and self._select is not None:
            self._select.options.append(attrs.get("value") or "")

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.default += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


# --- values ---------------------------------------------------------------------

_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
NASTY = st.one_of(
    st.just(""),
    st.just(" "),
    _text,
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=300, max_size=600),
    st.just("x" * 20_000),
    st.sampled_from(["\x00", "a\x00b", "\u202eevil", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ☃ 😀", "ǅ\u0301\u0301\u0301", "\r\n\r\n", "\t"]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.sampled_from(["-1", "0", "1.5", "1e309", "NaN", "-0", "99999999999999999999999", "0x10"]),
    st.sampled_from(["2026-02-30", "0000-00-00", "9999-12-31", "1900-01-01", "31/12/2026", "yesterday"]),
    st.sampled_from(["<script>alert(1)</script>", "' OR 1=1 --", "{{ 7*7 }}", "../../etc/passwd",
                     "a@b", "@example.org", "ÄSHA@EXAMPLE.ORG", "x@" + "a" * 300 + ".org"]),
    st.lists(_text, min_size=2, max_size=3),  # the wrong type: several values for one field
)


def value_for(form_field: FormField) -> st.SearchStrategy:
    """Sometimes a valid choice, often nonsense, sometimes missing (None)."""
    choices = [st.none(), NASTY]
    if form_field.options:
        choices.append(st.sampled_from(form_field.options))
    return st.one_of(*choices)


# --- discovery --------------------------------------------------------------------

@pytest.fixture(autouse=True)
def _clean_database():
    yield


@pytest.fixture(scope="module")
def world(app):
    with authz_params.world_for(app) as world:
        yield world


def allowed_choices(world, route):
    for coop in authz_params.coops_for(world, route):
        for role in ROLES:
            if route.action in policy.ACTIONS and world.roles_in(role, coop) & policy.ACTIONS[route.action]:
                yield role, coop


def discover_forms(app, world, which: str = "forms", roles: dict | None = None) -> dict[str, dict[str, FormField]]:
    """URL path -> fields posted to it, from every page every allowed role can open
    (``which="get_forms"``: the GET forms, i.e. the filters, and the fields they send;
    ``roles`` then receives path -> the role that found it)."""
    forms: dict[str, dict[str, FormField]] = {}
    client = app.test_client()
    for route in authz_params.routes(app):
        if "GET" not in route.methods or route.action is None:
            continue
        for role, coop in allowed_choices(world, route):
            world.role = role
            try:
                url = authz_params.build_url(app, world, route, coop)
            except authz_params.MissingBuilder:
                continue
            log_in_client(client, world, role)
            response = client.get(url)
            if response.status_code != 200 or "html" not in (response.content_type or ""):
                continue
            parser = FormParser()
            parser.feed(response.get_data(as_text=True))
            for action, fields in getattr(parser, which):
                if not fields:
                    continue
                target = urlsplit(urljoin("http://localhost" + url, action)).path
                forms.setdefault(target, {}).update(fields)
                if roles is not None:
                    roles.setdefault(target, role)
    world.role = None
    return forms


@pytest.fixture(scope="module")
def forms(app, world):
    return discover_forms(app, world)


def test_form_discovery_finds_the_known_forms(app, world, forms):
    assert {"email", "password"} <= set(forms["/login"])
    assert {"name", "slug"} <= set(forms["/c/new"])
    assert "add-coop_id" in forms[f"/admin/cohorts/{world.cohort_id}/coops"]


def test_no_form_answers_a_server_error(app, world, forms):
    client = app.test_client()
    failures, fuzzed = [], []
    limiter.enabled = False  # the log-in limit would answer 429 and hide the form's own handling
    try:
        for route in authz_params.routes(app):
            if "POST" not in route.methods or route.action is None:
                continue
            stages_done = set()
            for role, coop in allowed_choices(world, route):
                if coop in stages_done:
                    continue  # one allowed role per route and co-op stage is enough
                stages_done.add(coop)
                world.role = role
                try:
                    # outside writes_rolled_back: what a builder makes must stay for the posts
                    url = authz_params.build_url(app, world, route, coop)
                except authz_params.MissingBuilder:
                    continue
                fields = forms.get(url) or {n: FormField(n, "text") for n in FALLBACK_FIELDS}
                fuzzed.append(route.endpoint)
                try:
                    fuzz_one(client, world, role, url, fields)
                except Exception as exc:  # noqa: BLE001 - report every form, not just the first
                    notes = "\n".join(getattr(exc, "__notes__", []))
                    failures.append(f"{role} POST {url} ({route.endpoint}): {exc!r}\n{notes}")
    finally:
        limiter.enabled = True
        world.role = None
    assert "coops.new" in fuzzed and "accounts.signup" in fuzzed
    assert not failures, "\n\n".join(failures)


def fuzz_one(client, world, role, url, fields):
    body = st.fixed_dictionaries({name: value_for(f) for name, f in fields.items()})
    # One plain post first (the form's own first options): a slow form gets fewer examples,
    # so that a PDF-rendering page does not take minutes, and still meets random input.
    started = time.perf_counter()
    log_in_client(client, world, role)
    with writes_rolled_back():
        first = client.post(url, data={n: f.options[0] for n, f in fields.items() if f.options})
    assert first.status_code < 500, f"answered {first.status_code} to its own options"
    examples = SLOW_EXAMPLES if time.perf_counter() - started > SLOW_SECONDS else EXAMPLES

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(body)
    def post(data):
        log_in_client(client, world, role)
        data = {k: v for k, v in data.items() if v is not None}
        with writes_rolled_back():
            response = client.post(url, data=data)
        assert response.status_code < 500, f"answered {response.status_code}"

    post()


# --- edge values, deterministically, for every form and filter ------------------------------

#: dates at and beyond the ends of what any form accepts
FAR_DATES = ("9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01")
#: whitespace where an id, a choice or a name is expected
BLANKS = ("   ", "\t", "\u00a0")
DATE_NAME = re.compile(r"(date|_on$|-on$|^on$|_at$|since|birth|opens|closes|from|_to$)")


def _filled(f: FormField) -> str:
    """A plausible value for a field, so that a form gets past its other checks and each
    edge value reaches the code behind it: the page's own value or first real choice; an
    empty date stays empty (it is optional); an empty text gets a short word."""
    if f.options:
        return next((o for o in f.options if o.strip()), f.options[0])
    if f.default:
        return f.default
    if f.kind == "email":
        return "edge@example.org"
    if f.kind == "date" or DATE_NAME.search(f.name):
        return ""
    if f.kind == "number" or re.search(r"amount|shares|months|years|number|count", f.name):
        return "1"
    return "Edge1"


def _is_date(f: FormField) -> bool:
    return f.kind == "date" or bool(DATE_NAME.search(f.name))


def edge_bodies(fields: dict[str, FormField]):
    """(label, body): the filled-in form, then for each field: missing, whitespace only and,
    for a date, each far date; then every field blank and every date far at once."""
    base = {n: _filled(f) for n, f in fields.items() if f.kind not in ("submit", "button")}
    yield "as filled in", base
    for name, f in fields.items():
        yield f"{name} missing", {k: v for k, v in base.items() if k != name}
        for blank in BLANKS:
            yield f"{name}={blank!r}", {**base, name: blank}
        if _is_date(f):
            for far in FAR_DATES:
                yield f"{name}={far}", {**base, name: far}
    yield "every field blank", {k: "   " for k in base}
    for far in FAR_DATES[:2]:
        yield f"every date {far}", {k: (far if _is_date(fields[k]) else v) for k, v in base.items()}


def test_every_form_meets_far_dates_blank_ids_and_missing_fields(app, world, forms):
    client = app.test_client()
    failures, posted = [], set()
    limiter.enabled = False
    try:
        for route in authz_params.routes(app):
            if "POST" not in route.methods or route.action is None:
                continue
            stages_done = set()
            for role, coop in allowed_choices(world, route):
                if coop in stages_done:
                    continue
                stages_done.add(coop)
                world.role = role
                try:
                    url = authz_params.build_url(app, world, route, coop)
                except authz_params.MissingBuilder:
                    continue
                if url not in forms:
                    continue  # no page offers a form for it (the random fuzz still posts to it)
                posted.add(route.endpoint)
                for label, body in edge_bodies(forms[url]):
                    log_in_client(client, world, role)
                    try:
                        with writes_rolled_back():
                            response = client.post(url, data=body)
                    except Exception as exc:  # noqa: BLE001 - report every form, not just the first
                        failures.append(f"{role} POST {url} ({route.endpoint}) with {label}: raised {exc!r}")
                        continue
                    if response.status_code >= 500:
                        failures.append(f"{role} POST {url} ({route.endpoint}) with {label}: "
                                        f"{response.status_code}")
    finally:
        limiter.enabled = True
        world.role = None
    assert {"register.add_applicant", "register.correct", "accounts.signup"} <= posted
    assert not failures, f"{len(failures)} answers were server errors:\n" + "\n".join(failures)


def test_every_filter_meets_far_dates_blank_ids_and_missing_fields(app, world):
    roles: dict[str, str] = {}
    filters = discover_forms(app, world, "get_forms", roles)
    assert any(path.endswith("/audit/") for path in filters), sorted(filters)
    client = app.test_client()
    failures = []
    for path, fields in sorted(filters.items()):
        for label, query in edge_bodies(fields):
            log_in_client(client, world, roles[path])
            try:
                with writes_rolled_back():
                    response = client.get(path, query_string=query)
            except Exception as exc:  # noqa: BLE001 - report every filter, not just the first
                failures.append(f"{roles[path]} GET {path} with {label}: raised {exc!r}")
                continue
            if response.status_code >= 500:
                failures.append(f"{roles[path]} GET {path} with {label}: {response.status_code}")
    assert not failures, f"{len(failures)} answers were server errors:\n" + "\n".join(failures)
