"""The migrations build exactly the models' schema, and every revision downgrades.

Runs on a throwaway SQLite file and on a throwaway PostgreSQL database
(``coopkit_migrations_<random>``, created and dropped through the ``postgres``
database of the server in COOPKIT_TEST_DATABASE_URL, or of 127.0.0.1:5432), so the
test database of the other tests is never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from coopkit import PACKAGE_DIR, create_app
from coopkit.config import Settings
from coopkit.extensions import db
from tests.conftest import TEST_SECRET

MIGRATIONS = PACKAGE_DIR / "migrations"


def _postgres_admin_url() -> sa.URL:
    configured = os.environ.get("COOPKIT_TEST_DATABASE_URL", "")
    if configured.startswith("postgresql"):
        return sa.make_url(configured).set(database="postgres")
    return sa.make_url("postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


@contextlib.contextmanager
def throwaway_database(kind: str, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin_url = _postgres_admin_url()
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("COOPKIT_TEST_DATABASE_URL", "").startswith("postgresql"):
            raise
        pytest.skip(f"no PostgreSQL server at {admin_url.render_as_string()}: {exc.orig}")
    name = f"coopkit_migrations_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def logging_kept():
    """Alembic's env.py runs logging.config.fileConfig, which would switch off every
    logger created so far (and the other tests' caplog checks with them)."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        for logger in logging.root.manager.loggerDict.values():
            if isinstance(logger, logging.Logger):
                logger.disabled = False


@contextlib.contextmanager
def migration_app(url: str):
    settings = Settings(env="testing", secret_key=TEST_SECRET)
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": url})
    try:
        with app.app_context(), logging_kept():
            yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def schema_differences() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, db.metadata)


def table_names() -> set[str]:
    with db.engine.connect() as conn:
        return set(sa.inspect(conn).get_table_names())


def revisions_newest_first() -> list[str]:
    from alembic.config import Config

    script = ScriptDirectory.from_config(Config(str(MIGRATIONS / "alembic.ini"),
                                                attributes={}, config_args={"script_location": str(MIGRATIONS)}))
    return [r.revision for r in script.walk_revisions()]


def test_there_is_one_history():
    from alembic.config import Config

    script = ScriptDirectory.from_config(Config(config_args={"script_location": str(MIGRATIONS)}))
    assert len(script.get_heads()) == 1, f"several heads: {script.get_heads()}; merge them"
    assert revisions_newest_first(), "no migrations"


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_upgrade_head_equals_the_models_and_every_revision_downgrades(kind, tmp_path):
    from flask_migrate import downgrade, upgrade

    revisions = revisions_newest_first()
    with throwaway_database(kind, tmp_path) as url, migration_app(url):
        assert table_names() == set()
        upgrade()
        differences = schema_differences()
        assert not differences, (
            "the migrations do not build the models' schema; regenerate the migration "
            "(`flask --app coopkit db migrate`). Differences:\n" + "\n".join(map(repr, differences)))
        assert table_names() == set(db.metadata.tables) | {"alembic_version"}

        # Step down one revision at a time: each downgrade must run.
        for expected_current in revisions[1:]:
            downgrade(revision="-1")
            with db.engine.connect() as conn:
                assert MigrationContext.configure(conn).get_current_revision() == expected_current
        downgrade(revision="base")
        assert table_names() <= {"alembic_version"}, f"left behind: {table_names() - {'alembic_version'}}"

        # And the way back up still works from nothing.
        upgrade()
        assert not schema_differences()
