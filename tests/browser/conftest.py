"""Browser fixtures: a live coopkit server in a thread, and Chromium through Playwright.

- ``live_server``: the app (CSRF on, mail to the test SMTP server) served by werkzeug on
  127.0.0.1 and a free port, on its own temporary SQLite file (or, when
  COOPKIT_TEST_DATABASE_URL is set, on that PostgreSQL database). ``live_server.url("/login")`` builds addresses,
  ``live_server.app`` is the Flask app for ``with live_server.app.app_context():`` checks.
  Its tables are emptied after every test that used it.
- ``live_make``: the factories of tests/factories.py, writing into the live server's database.
- ``browser``: one headless Chromium for the session (/usr/bin/chromium).
- ``new_context``: a factory of isolated browser contexts (own cookies);
  ``new_context(phone=True)`` gives a 360x740 touch context.
- ``page``: a page in a fresh desktop context.

Without Chromium or Playwright the browser tests are skipped, unless
COOPKIT_TEST_REQUIRE_BROWSER=1, when they fail instead (CI sets it).
"""

from __future__ import annotations

import importlib.util
import os
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from coopkit.extensions import db, limiter
from tests.conftest import TEST_SECRET, _empty_all_tables
from tests.factories import Factory

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


def _missing_browser_reason() -> str | None:
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    if importlib.util.find_spec("axe_playwright_python") is None:
        return "axe-playwright-python is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    return None


def _skip_or_fail(reason: str):
    if os.environ.get("COOPKIT_TEST_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (COOPKIT_TEST_REQUIRE_BROWSER=1) but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class LiveServer:
    app: object
    base_url: str
    #: tracebacks of exceptions raised while serving requests (each fails the test)
    errors: list[str] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return self.base_url + path


class _ErrorRecorder:
    """WSGI middleware: remember any exception a request raised, then re-raise it."""

    def __init__(self, app, server: LiveServer | None = None):
        self.app = app
        self.server = server

    def __call__(self, environ, start_response):
        try:
            return self.app(environ, start_response)
        except Exception:
            if self.server is not None:
                self.server.errors.append(traceback.format_exc())
            raise


def live_database_url(tmp_path_factory) -> str:
    """The live server's own SQLite file, or with COOPKIT_TEST_DATABASE_URL the PostgreSQL test
    database (shared with the ``app`` fixture: tests run one at a time and each empties it)."""
    return os.environ.get("COOPKIT_TEST_DATABASE_URL") or f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, smtp_server):
    from werkzeug.serving import make_server

    from coopkit import create_app
    from coopkit.config import Settings

    controller, _ = smtp_server
    recorder = _ErrorRecorder(None)
    # Bind first (port 0 = a free port), then build the app with the real address in it.
    server = make_server("127.0.0.1", 0, recorder, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    settings = Settings(
        env="testing", secret_key=TEST_SECRET, base_url=base_url,
        mail_backend="smtp", mail_server="127.0.0.1", mail_port=controller.port,
    )
    app = create_app({
        "SETTINGS": settings,
        "SQLALCHEMY_DATABASE_URI": live_database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": True,
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
    live = LiveServer(app=app, base_url=base_url)
    recorder.app, recorder.server = app, live
    thread = threading.Thread(target=server.serve_forever, name="coopkit-live-server", daemon=True)
    thread.start()
    yield live
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_live_server(request):
    yield
    if "live_server" in request.fixturenames:
        live = request.getfixturevalue("live_server")
        errors, live.errors[:] = list(live.errors), []
        with live.app.app_context():
            db.session.remove()
            _empty_all_tables()
        limiter.reset()
        if errors:
            pytest.fail("the live server raised while serving:\n" + "\n".join(errors), pytrace=False)


@pytest.fixture()
def live_make(live_server):
    return Factory(live_server.app)


@pytest.fixture(scope="session")
def _playwright():
    reason = _missing_browser_reason()
    if reason:
        _skip_or_fail(reason)
    from playwright.sync_api import sync_playwright

    manager = sync_playwright().start()
    yield manager
    manager.stop()


@pytest.fixture(scope="session")
def browser(_playwright):
    try:
        chromium = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as exc:  # a broken Chromium install is the same as a missing one
        _skip_or_fail(f"Chromium did not start: {exc}")
    yield chromium
    chromium.close()


@pytest.fixture()
def new_context(browser):
    """``new_context(phone=False, **options)`` -> a fresh BrowserContext, closed after the test."""
    contexts = []

    def _new(phone: bool = False, **options):
        if phone:
            options.setdefault("viewport", PHONE)
            options.setdefault("is_mobile", True)
            options.setdefault("has_touch", True)
            options.setdefault("device_scale_factor", 2)
        else:
            options.setdefault("viewport", DESKTOP)
        options.setdefault("locale", "en-GB")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture()
def page(new_context):
    return new_context().new_page()
