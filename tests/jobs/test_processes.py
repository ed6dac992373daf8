"""The queue and logging in real processes: a `coopkit worker` delivering mail queued by
another process through the default SQLite storage, the Redis storage, and INFO lines on
stderr from the first requests of a fresh gunicorn worker.

These start subprocesses; each takes a few seconds.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, build_opener

import pytest

from coopkit import create_app
from coopkit.config import Settings
from coopkit.extensions import db
from tests.conftest import TEST_SECRET, _free_port

BIN = Path(sys.executable).parent


def _env(tmp_path, mail_port: int, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COOPKIT_")}
    env.update({
        "COOPKIT_ENV": "production", "COOPKIT_SECRET_KEY": TEST_SECRET,
        "COOPKIT_DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "COOPKIT_INSTANCE_PATH": str(tmp_path),
        "COOPKIT_MAIL_BACKEND": "smtp", "COOPKIT_MAIL_SERVER": "127.0.0.1", "COOPKIT_MAIL_PORT": str(mail_port),
        "COOPKIT_BASE_URL": "http://127.0.0.1:5000",
    })
    env.update(extra)
    return env


def _app_like(env: dict, tmp_path, monkeypatch):
    """An app in this process with the same settings (and instance folder) as the subprocess."""
    monkeypatch.setenv("COOPKIT_INSTANCE_PATH", str(tmp_path))
    settings = Settings.from_env(env, instance_path=str(tmp_path))
    app = create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": env["COOPKIT_DATABASE_URL"]})
    with app.app_context():
        db.create_all()
    return app


def _wait_for(predicate, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        _, err = process.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
    return err


def test_coopkit_worker_delivers_mail_queued_by_another_process(tmp_path, smtp_server, mailbox, monkeypatch):
    """The web process queues into instance/jobs.db when it commits; `coopkit worker` (another
    process, sharing the instance folder) sends it and logs one line, without addresses."""
    from coopkit.mail import send_mail

    controller, _ = smtp_server
    env = _env(tmp_path, controller.port)
    app = _app_like(env, tmp_path, monkeypatch)
    try:
        with app.app_context():
            send_mail("worker.test@example.org", "Queued for the worker", "Sent by coopkit worker")
            db.session.commit()
        assert (tmp_path / "jobs.db").exists()
        assert mailbox.messages == []  # no consumer in this process
        worker = subprocess.Popen([str(BIN / "coopkit"), "worker", "--workers", "1"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert _wait_for(lambda: mailbox.to("worker.test@example.org")), "the worker sent nothing"
        finally:
            err = _stop(worker)
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
    [message] = mailbox.to("worker.test@example.org")
    assert message["Subject"] == "Queued for the worker"
    assert re.search(r"INFO \[\d+\] coopkit\.mail: Mail sent: 1 message\(s\)", err), err
    assert "worker.test@example.org" not in err


def _redis_available() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_available(), reason="no Redis server at 127.0.0.1:6379")
def test_the_redis_storage_carries_jobs_between_apps(tmp_path, smtp_server, mailbox, monkeypatch):
    """COOPKIT_QUEUE_URL=redis://...: one app queues, another (as on another machine) runs it."""
    from coopkit.jobs import huey, run_pending_jobs
    from coopkit.mail import send_mail

    controller, _ = smtp_server
    url = "redis://127.0.0.1:6379/15"
    env = _env(tmp_path, controller.port, COOPKIT_QUEUE_URL=url)
    web, worker = _app_like(env, tmp_path, monkeypatch), _app_like(env, tmp_path, monkeypatch)
    assert type(web.extensions["coopkit.jobs"].storage).__name__ == "RedisStorage"
    try:
        with worker.app_context():
            huey.flush()
        with web.app_context():
            send_mail("redis.test@example.org", "Through Redis", "Body")
            db.session.commit()
            assert huey.pending_count() == 1
        assert mailbox.messages == []
        with worker.app_context():
            assert run_pending_jobs() == 1
            assert huey.pending_count() == 0
        [message] = mailbox.to("redis.test@example.org")
        assert message["Subject"] == "Through Redis"
    finally:
        for app in (web, worker):
            with app.app_context():
                huey.flush()
                db.session.remove()
                db.engine.dispose()


def test_a_fresh_gunicorn_worker_logs_its_first_state_change_to_stderr(tmp_path, monkeypatch):
    """INFO lines from the first requests of a new worker (they used to appear only after the
    worker's first exception), one line per change, with ids and no personal data."""
    port = _free_port()
    env = _env(tmp_path, _free_port())
    app = _app_like(env, tmp_path, monkeypatch)
    with app.test_request_context():
        from flask import url_for

        from coopkit.accounts.services import make_signup_token

        finish = url_for("accounts.finish_signup", token=make_signup_token("logan@example.org", "Logan Lines", ""),
                         _external=False)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    server = subprocess.Popen(
        [str(BIN / "gunicorn"), "-w", "1", "-b", f"127.0.0.1:{port}", "coopkit:create_app()"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path)
    try:
        opener = build_opener(HTTPCookieProcessor())

        def up():  # the worker's first request: the page that finishes a sign-up
            try:
                return opener.open(f"http://127.0.0.1:{port}{finish}", timeout=5).status == 200
            except OSError:
                return False

        assert _wait_for(up), "gunicorn did not start"
        page = opener.open(f"http://127.0.0.1:{port}{finish}", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        data = urlencode({"csrf_token": token, "password": "a long enough password",
                          "confirm": "a long enough password"}).encode()
        response = opener.open(f"http://127.0.0.1:{port}{finish}", data=data, timeout=10)
        assert response.status == 200 and finish not in response.url
    finally:
        err = _stop(server)
    assert re.search(r"INFO \[\d+\] coopkit\.accounts: User 1 created", err), err
    assert "logan@example.org" not in err and "Logan" not in err
