"""Settings come only from COOPKIT_* variables, typed, and a mistake stops start-up."""

from __future__ import annotations

import stat

import pytest
from click.testing import CliRunner

from coopkit import create_app
from coopkit.config import ConfigError, Settings, normalise_database_url
from tests.conftest import TEST_SECRET


def test_defaults_for_development(tmp_path):
    settings = Settings.from_env({}, instance_path=str(tmp_path))
    assert settings.env == "development"
    assert settings.mail_backend == "console"
    assert settings.ratelimit_storage_uri == "memory://"
    assert not settings.secure_cookies


def test_typed_values_are_parsed(tmp_path, monkeypatch):
    # parsing only: whether a redis client is installed is tested below
    monkeypatch.setattr("coopkit.config._check_ratelimit_storage", lambda uri: None)
    settings = Settings.from_env({
        "COOPKIT_MAIL_PORT": " 2525 ", "COOPKIT_MAIL_USE_TLS": "yes", "COOPKIT_SECRET_KEY": "s" * 32,
        "COOPKIT_RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379", "COOPKIT_INVITATION_DAYS": "7",
        "PATH": "/usr/bin", "COOPKIT_TEST_DATABASE_URL": "ignored by the app",
    }, instance_path=str(tmp_path))
    assert settings.mail_port == 2525 and settings.mail_use_tls is True
    assert settings.invitation_days == 7
    assert settings.ratelimit_storage_uri == "redis://127.0.0.1:6379"


def test_unknown_setting_names_itself_and_the_known_ones(tmp_path):
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"COOPKIT_SECRT_KEY": "oops"}, instance_path=str(tmp_path))
    message = str(error.value)
    assert "Unknown setting COOPKIT_SECRT_KEY" in message
    assert "COOPKIT_SECRET_KEY" in message


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("COOPKIT_MAIL_PORT", "twenty-five", "COOPKIT_MAIL_PORT must be a whole number, not 'twenty-five'"),
    ("COOPKIT_MAIL_PORT", "70000", "COOPKIT_MAIL_PORT must be a port number"),
    ("COOPKIT_MAIL_USE_TLS", "perhaps", "COOPKIT_MAIL_USE_TLS must be true or false, not 'perhaps'"),
    ("COOPKIT_INVITATION_DAYS", "0", "must be positive"),
    ("COOPKIT_ENV", "staging", "COOPKIT_ENV must be development, production or testing"),
    ("COOPKIT_BASE_URL", "example.org", "COOPKIT_BASE_URL must be an http(s) address"),
    ("COOPKIT_DATABASE_URL", "/tmp/coopkit.db", "COOPKIT_DATABASE_URL must be a database URL"),
    ("COOPKIT_MAIL_BACKEND", "pigeon", "COOPKIT_MAIL_BACKEND must be console or smtp"),
    ("COOPKIT_RATELIMIT_STORAGE_URI", "localhost", "COOPKIT_RATELIMIT_STORAGE_URI must be a storage URI"),
    ("COOPKIT_SECRET_KEY", "short", "at least 16 characters"),
    ("COOPKIT_LOG_LEVEL", "loud", "COOPKIT_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL"),
    ("COOPKIT_PROXY_COUNT", "9", "COOPKIT_PROXY_COUNT must be between 0 and 5"),
])
def test_malformed_values_fail_with_a_clear_message(tmp_path, name, value, expected):
    with pytest.raises(ConfigError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_env({name: value}, instance_path=str(tmp_path))


def test_production_needs_a_secret(tmp_path):
    with pytest.raises(ConfigError, match="COOPKIT_SECRET_KEY must be set in production"):
        Settings.from_env({"COOPKIT_ENV": "production"}, instance_path=str(tmp_path))
    assert not (tmp_path / "secret_key").exists()
    settings = Settings.from_env({"COOPKIT_ENV": "production", "COOPKIT_SECRET_KEY": "p" * 40},
                                 instance_path=str(tmp_path))
    assert settings.secret_key == "p" * 40


def test_development_secret_is_generated_once_and_kept(tmp_path):
    first = Settings.from_env({}, instance_path=str(tmp_path / "instance"))
    secret_file = tmp_path / "instance" / "secret_key"
    assert secret_file.read_text() == first.secret_key
    assert len(first.secret_key) >= 32
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    second = Settings.from_env({}, instance_path=str(tmp_path / "instance"))
    assert second.secret_key == first.secret_key
    other = Settings.from_env({}, instance_path=str(tmp_path / "elsewhere"))
    assert other.secret_key != first.secret_key


def test_postgres_urls_are_normalised_to_psycopg():
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def _app(tmp_path, **settings):
    settings = Settings(env="testing", secret_key=TEST_SECRET, **settings)
    return create_app({"SETTINGS": settings, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.db'}"})


@pytest.mark.parametrize(("base_url", "secure"), [("https://coopkit.example", True), ("http://127.0.0.1:5000", False)])
def test_cookie_flags_follow_the_base_url(tmp_path, base_url, secure):
    app = _app(tmp_path, base_url=base_url)
    assert app.config["SESSION_COOKIE_SECURE"] is secure
    assert app.config["REMEMBER_COOKIE_SECURE"] is secure
    assert app.config["PREFERRED_URL_SCHEME"] == ("https" if secure else "http")
    with app.app_context():
        from coopkit.extensions import db

        db.create_all()
    response = app.test_client().get("/login")  # the CSRF token puts something in the session
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("Secure" in cookie) is secure
    if secure:
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_command_line_reports_a_bad_setting_and_exits_2(monkeypatch):
    from coopkit.cli import main

    monkeypatch.setenv("COOPKIT_MAIL_PORT", "lots")
    result = CliRunner().invoke(main, ["audit", "verify"])
    assert result.exit_code == 2
    assert "coopkit cannot start: COOPKIT_MAIL_PORT must be a whole number" in result.output


@pytest.mark.parametrize(("uri", "expected"), [
    ("nosuch://somewhere", "unknown storage scheme 'nosuch'"),
    ("redis://127.0.0.1:6399", "pip install redis"),
])
def test_a_ratelimit_storage_that_cannot_work_stops_start_up(tmp_path, uri, expected):
    import importlib.util

    if uri.startswith("redis") and importlib.util.find_spec("redis") is not None:
        pytest.skip("the redis client is installed here, so a redis:// URI is usable")
    with pytest.raises(ConfigError) as error:
        Settings.from_env({"COOPKIT_RATELIMIT_STORAGE_URI": uri}, instance_path=str(tmp_path))
    assert expected in str(error.value)


def test_the_ratelimit_storage_setting_reaches_the_limiter(tmp_path):
    from coopkit.extensions import limiter

    app = _app(tmp_path, ratelimit_storage_uri="memory://")
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    with app.app_context():
        assert limiter.storage.__class__.__name__ == "MemoryStorage"
