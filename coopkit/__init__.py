"""coopkit: found and run a UK worker co-operative."""

from __future__ import annotations

import logging
from pathlib import Path

from flask import Flask

#: The package folder: templates, static files, rule sets and migrations ship inside it.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The source checkout (holds instance/ in development), or None when installed from a wheel.
ROOT = PACKAGE_DIR.parent


def default_instance_path() -> Path:
    """instance/ beside the source checkout; for an installed package, ./instance in the
    working directory. COOPKIT_INSTANCE_PATH overrides both."""
    import os

    if os.environ.get("COOPKIT_INSTANCE_PATH"):  # read before the settings need it
        return Path(os.environ["COOPKIT_INSTANCE_PATH"]).resolve()
    if (ROOT / "setup.cfg").exists():
        return ROOT / "instance"
    return Path.cwd() / "instance"


def create_app(overrides: dict | None = None) -> Flask:
    """Build the application. Each step below is one small function."""
    from coopkit.config import Settings

    app = Flask(
        __name__,
        template_folder=str(PACKAGE_DIR / "templates"),
        static_folder="static",
        instance_path=str(default_instance_path()),
        instance_relative_config=True,
    )
    overrides = dict(overrides or {})
    settings = overrides.pop("SETTINGS", None) or Settings.from_env(instance_path=app.instance_path)
    _configure(app, settings, overrides)
    _configure_logging(settings)
    _init_extensions(app)
    _init_jobs(app, settings)
    _register_models()
    _register_tasks()
    _register_blueprints(app)
    _connect_effect_handlers()
    _register_request_hooks(app)
    _register_error_pages(app)
    _register_template_helpers(app)
    _register_cli(app)
    return app


def _configure(app: Flask, settings, overrides: dict) -> None:
    from coopkit.config import normalise_database_url
    from coopkit.database import engine_options

    database_url = settings.database_url or f"sqlite:///{Path(app.instance_path) / 'coopkit.db'}"
    database_url = normalise_database_url(overrides.pop("SQLALCHEMY_DATABASE_URI", database_url))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=database_url,
        SQLALCHEMY_ENGINE_OPTIONS=engine_options(database_url),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=settings.ratelimit_storage_uri,
        RATELIMIT_HEADERS_ENABLED=True,
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
        MAX_CONTENT_LENGTH=5 * 1024 * 1024,
        TESTING=settings.env == "testing",
    )
    app.config.update(overrides)
    app.extensions["coopkit.settings"] = settings
    if settings.proxy_count:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind a reverse proxy: the visitor's address and scheme come from its headers.
        n = settings.proxy_count
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)


#: one line per state change: time, level, logger, message (ids only, never personal data)
LOG_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"


def _configure_logging(settings) -> None:
    """coopkit's own lines (and the job queue's) go to stderr at COOPKIT_LOG_LEVEL from the
    first request of every process: a gunicorn worker, `coopkit worker`, a CLI command.
    Where the root logger already has handlers (a logging config, pytest), they are used."""
    level = settings.log_level.upper()
    for name in ("coopkit", "huey"):
        logger = logging.getLogger(name)
        # huey says "executing ..." for every job and every minute's periodic ones: only its
        # warnings and errors, unless debugging. A failed job is logged by coopkit.jobs.
        logger.setLevel(level if name == "coopkit" or level == "DEBUG" else max(logging.WARNING,
                                                                             logging.getLevelName(level)))
        if logging.getLogger().handlers or any(getattr(h, "coopkit", False) for h in logger.handlers):
            continue
        handler = logging.StreamHandler()  # stderr
        handler.setFormatter(logging.Formatter(LOG_FORMAT))
        handler.coopkit = True
        logger.addHandler(handler)
        logger.propagate = False  # a root handler configured later (alembic's) would print it twice


def _init_extensions(app: Flask) -> None:
    from coopkit.database import configure_engine
    from coopkit.extensions import csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PACKAGE_DIR / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    with app.app_context():
        configure_engine(db.engine)

    from coopkit.accounts.services import load_user

    login_manager.user_loader(load_user)


def _init_jobs(app: Flask, settings) -> None:
    from coopkit import jobs

    jobs.init_app(app, settings)


def _register_tasks() -> None:
    from importlib import import_module

    from coopkit.blueprints import TASK_MODULES

    for name in TASK_MODULES:  # each feature's jobs and periodic jobs register with the queue
        import_module(name)


def _register_models() -> None:
    import coopkit.models  # noqa: F401  (every table in one metadata)


def _register_blueprints(app: Flask) -> None:
    from coopkit.blueprints import all_blueprints

    for blueprint in all_blueprints():
        app.register_blueprint(blueprint)


def _connect_effect_handlers() -> None:
    from coopkit.blueprints import connect_effect_handlers

    connect_effect_handlers()


def _register_request_hooks(app: Flask) -> None:
    from coopkit.web import install_request_hooks, install_static_versions

    install_request_hooks(app)
    install_static_versions(app)


def _register_error_pages(app: Flask) -> None:
    from coopkit.web import install_error_pages

    install_error_pages(app)


def _register_template_helpers(app: Flask) -> None:
    from coopkit.web import install_template_helpers

    install_template_helpers(app)


def _register_cli(app: Flask) -> None:
    from coopkit.cli import register_commands

    register_commands(app)
