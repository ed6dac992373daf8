"""The web layer shared by every feature: co-op scoped blueprints, the one
commit per request, security headers, error pages and template helpers."""

from __future__ import annotations

import functools
import hashlib
import logging
import os
from collections.abc import Callable
from datetime import date, datetime

import sqlalchemy as sa
from flask import Blueprint, Flask, abort, current_app, g, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException

from coopkit.contentcache import RenderCache
from coopkit.coops import policy
from coopkit.database import request_memo
from coopkit.extensions import db
from coopkit.money import format_pence

log = logging.getLogger("coopkit.web")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def coop_blueprint(name: str, import_name: str, url_prefix: str = "") -> Blueprint:
    """A blueprint whose routes live under ``/c/<slug>/...`` and see the co-op as ``g.coop``.

    ``url_for`` inside such a page fills in the slug by itself.
    """
    bp = Blueprint(name, import_name, url_prefix="/c/<slug>" + url_prefix)

    @bp.url_value_preprocessor
    def _load_coop(endpoint, values):
        slug = (values or {}).pop("slug", None)
        coop = policy.load_coop(slug, current_user)
        if coop is None:
            abort(404)
        g.coop = coop

    @bp.url_defaults
    def _add_slug(endpoint, values):
        if "slug" not in values and g.get("coop") is not None:
            values["slug"] = g.coop.slug

    return bp


#: Where `coopkit demo` (or another embedded server) listens, for links made outside a request.
SERVED_URL_KEY = "coopkit.served_url"
FALLBACK_URL = "http://127.0.0.1:5000"


def public_base_url() -> str:
    """The address links in mail and on pages start with: COOPKIT_BASE_URL when configured,
    else the address this request came in on, else the address the embedded server was
    started on (``coopkit demo --port``)."""
    from flask import current_app, has_request_context

    configured = current_app.extensions["coopkit.settings"].base_url
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return current_app.config.get(SERVED_URL_KEY, FALLBACK_URL).rstrip("/")


def external_url(endpoint: str, **values) -> str:
    """An absolute link to ``endpoint`` on :func:`public_base_url` (for mail and copyable links)."""
    from flask import current_app, has_request_context, url_for

    if has_request_context():
        path = url_for(endpoint, _external=False, **values)
    else:  # a job or a CLI command: no request, and no SERVER_NAME needed
        path = current_app.url_map.bind("localhost").build(endpoint, values)
    return public_base_url() + path


def request_commits(method: str, status: int, mimetype: str | None, kept: bool) -> bool:
    """The commit rule: each request is one transaction, committed or rolled back once, after
    the view (services flush and never commit; CLI commands and jobs commit themselves).

    - An answer with status 400 or above rolls back: nothing a refused or failed action wrote stays.
    - A POST answered with an HTML page (status 200) is a form shown again, with its errors or a
      preview: it rolls back, so nothing a service flushed before refusing is kept, unless the
      view called :func:`keep_changes` (a successful POST that shows its result on a page: a link
      or a receipt shown once).
    - Anything else commits: a redirect after a successful POST, a download, a GET (which writes
      nothing, so its commit is empty).
    """
    if status >= 400:
        return False
    form_shown_again = method == "POST" and status == 200 and mimetype == "text/html"
    return kept or not form_shown_again


def keep_changes() -> None:
    """Call in a view whose successful POST answers with a page rather than a redirect (a link or
    receipt shown once): the request's writes are committed (see :func:`request_commits`)."""
    g.keep_changes = True


def install_request_hooks(app: Flask) -> None:
    @app.after_request
    def commit_or_roll_back(response):
        if request_commits(request.method, response.status_code, response.mimetype, bool(g.get("keep_changes"))):
            db.session.commit()
        else:
            db.session.rollback()
        return response

    @app.after_request
    def static_caching(response):
        # A static file asked for by its content's version (see install_static_versions) never
        # changes under that address: a phone keeps it instead of asking again on every page.
        if request.endpoint == "static" and response.status_code == 200 and request.args.get("v"):
            filename = (request.view_args or {}).get("filename", "")
            if request.args["v"] == static_version(app, filename):
                response.cache_control.public = True
                response.cache_control.max_age = STATIC_MAX_AGE
                response.cache_control.immutable = True
        return response

    @app.after_request
    def security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        if app.config["SESSION_COOKIE_SECURE"]:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        # Pages for a logged-in person are theirs alone: never stored by a browser or proxy.
        # (Static files skip the check: it would load the user for every stylesheet.)
        if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
            response.headers.setdefault("Cache-Control", "private, no-store")
        return response

    @app.teardown_request
    def roll_back_on_error(exc):
        if exc is not None:
            db.session.rollback()


#: how long a browser keeps a versioned static file (a year: its address changes with its content)
STATIC_MAX_AGE = 365 * 24 * 3600


def static_version(app: Flask, filename: str) -> str:
    """The first 12 hex digits of the SHA-256 of a static file's content ("" if there is none);
    computed once per file and modification time."""
    path = os.path.join(app.static_folder or "", filename)
    try:
        mtime = os.stat(path).st_mtime_ns
    except OSError:
        return ""
    return _file_digest(path, mtime)


@functools.lru_cache(maxsize=64)
def _file_digest(path: str, _mtime: int) -> str:
    with open(path, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()[:12]


def install_static_versions(app: Flask) -> None:
    """Every link to a static file carries its content's version (``?v=``), so the file can be
    cached for a year and a new stylesheet is fetched at once (a new version is a new address)."""
    @app.url_defaults
    def _add_version(endpoint, values):
        if endpoint == "static" and "v" not in values and values.get("filename"):
            version = static_version(app, values["filename"])
            if version:
                values["v"] = version


def install_error_pages(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(exc):
        db.session.rollback()
        return render_template(
            "errors/error.html",
            code=400,
            title="This form has expired",
            message="The form was missing its security token or it had expired. "
                    "Go back, reload the page and try again.",
        ), 400

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        db.session.rollback()
        titles = {
            403: ("You can't see this page", "Your account does not have access to this part of coopkit."),
            404: ("Page not found", "There is nothing at this address. Check the link, or start from your co-ops."),
            429: ("Too many attempts", "Please wait a minute before trying again."),
        }
        title, message = titles.get(exc.code, (exc.name, exc.description))
        return render_template("errors/error.html", code=exc.code, title=title, message=message), exc.code

    @app.errorhandler(500)
    def server_error(exc):
        # Flask calls this for unhandled exceptions (never in testing, where they propagate).
        db.session.rollback()
        log.error("Unhandled error on %s %s", request.method, request.path)
        return render_template(
            "errors/error.html",
            code=500,
            title="Something went wrong",
            message="Nothing was saved. The error has been logged; please try again.",
        ), 500


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def format_long_date(value: date | datetime | str | None) -> str:
    """1 March 2024; also takes an ISO date string (as facts kept in JSON hold them)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    return f"{value.day} {value.strftime('%B %Y')}"


#: The co-op's sections in its navigation: (endpoint, label, action). A section
#: shows once its feature registers the endpoint and the user may take the action.
COOP_SECTIONS = (
    ("founding.overview", "Founding journey", "founding.view"),
    ("rules.index", "Rules", "rules.view"),
    ("register.members", "Registers", "register.names"),
    ("proposals.index", "Proposals", "proposals.view"),
    ("meetings.index", "Meetings", "meetings.view"),
    ("calendar.index", "Calendar", "calendar.view"),
    ("workspace.invite", "Invite", "coop.invite"),
    ("audit.log", "Audit log", "audit.view"),
    ("directory.manage", "Public profile", "directory.manage"),
)


#: Features whose ``templates/<feature>/_home_panel.html`` come first on the co-op
#: home page, in this order; any other feature's panel follows, alphabetically.
HOME_PANEL_ORDER = ("founding", "proposals", "meetings", "rules", "register")

UNAVAILABLE_PANEL = Markup(
    '<section class="panel panel-unavailable"><p>Part of this page could not be shown just now. '
    'Everything else works; please try again in a moment.</p></section>'
)


#: name -> function(coop_id) returning {label: scalar select}: the counts the home panels show,
#: registered by each feature with :func:`home_fact` and all asked in one statement.
HOME_FACTS: dict[str, Callable] = {}


def home_fact(name: str) -> Callable:
    """Register a function ``(coop_id) -> {label: scalar select}`` whose values a home panel
    shows (read them with :func:`home_facts`); ``coop_id`` is a bind parameter, so the one
    statement is built once per process. Every feature's counts then cost the page one
    statement between them, instead of one or more each."""
    def decorator(build: Callable) -> Callable:
        HOME_FACTS[name] = build
        _home_facts_statement.cache_clear()
        return build
    return decorator


@functools.cache
def _home_facts_statement() -> tuple[list[str], sa.Select | None]:
    coop_id = sa.bindparam("coop_id")
    columns = {f"{name}.{label}": query.scalar_subquery() if isinstance(query, sa.Select) else query
               for name, build in HOME_FACTS.items() for label, query in build(coop_id).items()}
    if not columns:
        return [], None
    return list(columns), sa.select(*(c.label(None) for c in columns.values()))


def home_facts(coop) -> dict:
    """Every registered home fact for ``coop``, keyed ``"<name>.<label>"``: one statement, run
    the first time a panel asks (and once per request)."""
    def load() -> dict:
        keys, statement = _home_facts_statement()
        if statement is None:
            return {}
        return dict(zip(keys, db.session.execute(statement, {"coop_id": coop.id}).one(), strict=True))
    return request_memo("web.home_facts", coop.id, load)


def home_panel_templates(app: Flask) -> list[str]:
    """The ``<feature>/_home_panel.html`` templates that exist, in page order (found once)."""
    found = app.extensions.get("coopkit.home_panels")
    if found is None:
        names = [n for n in app.jinja_env.list_templates()
                 if n.count("/") == 1 and n.endswith("/_home_panel.html")]
        rank = {feature: i for i, feature in enumerate(HOME_PANEL_ORDER)}
        found = sorted(names, key=lambda n: (rank.get(n.split("/")[0], len(rank)), n))
        app.extensions["coopkit.home_panels"] = found
    return found


def render_home_panels(**context) -> list[Markup]:
    """Each feature's home panel, rendered on its own so that one that fails (a bug, a
    feature half-installed, a query error) shows a short notice instead of breaking
    the whole home page. The failure is logged with its traceback and its database
    work rolled back; nothing on the home page writes, so nothing is lost."""
    panels = []
    # the context processors run once for all the panels (render_template would run them per panel)
    shared = dict(context)
    current_app.update_template_context(shared)
    for name in home_panel_templates(current_app):
        try:
            panels.append(Markup(current_app.jinja_env.get_template(name).render(shared)))
        except Exception:
            log.exception("Home panel %s failed for coop %s", name, getattr(g.get("coop"), "id", None))
            db.session.rollback()
            panels.append(UNAVAILABLE_PANEL)
    return panels


#: the co-op navigation as rendered, by everything it depends on (see ``coop_nav``)
NAV = RenderCache(1024)


def email_breaks(address: str | None) -> Markup:
    """An email address that may wrap only before its "@" and the dots after it (each piece
    is kept whole by the stylesheet's .email > span), never mid-word or at a hyphen."""
    local, at, domain = (address or "").partition("@")
    pieces = [local] + (["@" + part if i == 0 else "." + part for i, part in enumerate(domain.split("."))] if at else [])
    return Markup("<wbr>".join(f"<span>{escape(piece)}</span>" for piece in pieces))


def install_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["date"] = format_date
    app.jinja_env.filters["longdate"] = format_long_date
    app.jinja_env.filters["money"] = format_pence
    app.jinja_env.filters["email_breaks"] = email_breaks
    app.jinja_env.globals["zip"] = zip

    @app.context_processor
    def inject():
        coop = g.get("coop")
        user = current_user._get_current_object()  # once, not through the proxy at every can()
        return {
            "current_coop": coop,
            "can": lambda action, c=coop: policy.can(user, action, c),
            "current_role": policy.role_label(user, coop) if coop is not None else None,
            "today": date.today(),
            "settings": app.extensions["coopkit.settings"],
        }

    @app.template_global()
    def coop_sections():
        return [s for s in COOP_SECTIONS if s[0] in app.view_functions]

    @app.template_global()
    def coop_nav() -> Markup:
        """The co-op's section links (coops/_coop_nav.html). What they show follows from the
        app (its features), the co-op's address and name, the viewer's roles in it and the page
        being shown, and nothing else, so the rendered HTML is kept under exactly those
        (:data:`NAV`): a rename or a new role is a new key, and nothing expires by time."""
        coop = g.coop
        key = (id(app), request.script_root, coop.slug, coop.name, policy.roles_for(current_user, coop),
               request.endpoint, request.blueprint)
        return NAV.get(key, lambda: Markup(render_template("coops/_coop_nav.html")))

    @app.template_global()
    def percent_bar(value: float) -> Markup:
        """A progress bar that needs no inline style (the CSP forbids it)."""
        value = max(0, min(100, int(round(value))))
        return Markup(f'<progress class="bar" max="100" value="{value}">{value}%</progress>')
