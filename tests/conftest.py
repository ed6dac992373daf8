"""Shared fixtures: the app (on SQLite, or PostgreSQL when COOPKIT_TEST_DATABASE_URL is
set), a clean database for every test, a real SMTP server on loopback, factories and log-in."""

from __future__ import annotations

import os
import socket
import threading
from email import message_from_bytes
from email.message import Message

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from coopkit import create_app
from coopkit.config import Settings
from coopkit.extensions import db, limiter
from coopkit.jobs import huey
from tests.factories import Factory

TEST_SECRET = "test-secret-key-not-for-production"

# Property tests judge the code, not the machine: a busy CI host must not fail them on time.
# (Speed is measured by bench/, never asserted in tests.)
hypothesis_settings.register_profile(
    "coopkit", deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
hypothesis_settings.load_profile("coopkit")


class Mailbox:
    """Messages received by the test SMTP server."""

    def __init__(self):
        self.messages: list[Message] = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        with self._lock:
            message = message_from_bytes(envelope.content)
            message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
            self.messages.append(message)
        return "250 OK"

    def clear(self):
        with self._lock:
            self.messages.clear()

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if address in m["X-Envelope-To"]]

    @staticmethod
    def body(message: Message) -> str:
        if message.is_multipart():
            for part in message.walk():
                if part.get_content_type() == "text/plain":
                    return part.get_payload(decode=True).decode()
            return ""
        return message.get_payload(decode=True).decode()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, mailbox
    controller.stop()


@pytest.fixture()
def mailbox(smtp_server):
    _, box = smtp_server
    box.clear()
    return box


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("COOPKIT_TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def app(tmp_path_factory, smtp_server):
    controller, _ = smtp_server
    settings = Settings(
        env="testing",
        secret_key=TEST_SECRET,
        base_url="http://localhost",
        mail_backend="smtp",
        mail_server="127.0.0.1",
        mail_port=controller.port,
    )
    app = create_app({
        "SETTINGS": settings,
        "SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
    })
    with app.app_context():
        db.drop_all()
        _drop_alembic_version()
        db.create_all()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _drop_alembic_version():
    with db.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))


def _empty_all_tables():
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture(autouse=True)
def _clean_database(request):
    yield
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        with app.app_context():
            db.session.remove()
            _empty_all_tables()
            huey.flush()  # jobs a test left waiting (a retry after a mail outage) go with it
        limiter.reset()


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def make(app):
    return Factory(app)


@pytest.fixture()
def login(app):
    """Log a test client in as a user without going through the form (fast)."""

    def _login(client, user):
        with client.session_transaction() as session:
            session["_user_id"] = f"{user.id}:{user.session_version}"
            session["_fresh"] = True
        return client

    return _login


@pytest.fixture()
def jobs_deferred(app):
    """Jobs wait in the queue until the test runs them with coopkit.jobs.run_pending_jobs()
    (by default, tests run each job in the committing thread right after the commit)."""
    from coopkit.jobs.queue import EXTENSION

    state = app.extensions[EXTENSION]
    state.eager = False
    yield
    state.eager = True


@pytest.fixture()
def csrf_enabled(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False
