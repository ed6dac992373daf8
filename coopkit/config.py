"""Typed settings read from ``COOPKIT_*`` environment variables.

Every setting has one declared type. An unknown ``COOPKIT_*`` variable or a
value that does not parse stops start-up with a message naming the variable,
so a typo in a deployment never silently falls back to a default.
"""

from __future__ import annotations

import dataclasses
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from limits.storage import SCHEMES

PREFIX = "COOPKIT_"


class ConfigError(RuntimeError):
    """A setting is missing, unknown or malformed."""


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ConfigError(f"{PREFIX}{name} must be true or false, not {raw!r}")


def _parse_int(name: str, raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ConfigError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None


@dataclass(frozen=True)
class Settings:
    #: development, production or testing
    env: str = "development"
    secret_key: str = ""
    #: SQLAlchemy URL; empty means SQLite in the instance folder
    database_url: str = ""
    #: the public address, used in emails and to decide on Secure cookies; empty means
    #: the address the app is served on (the request's host, or what `coopkit demo` serves)
    base_url: str = ""
    #: "console" prints mail to the log; "smtp" sends it
    mail_backend: str = "console"
    mail_server: str = "localhost"
    mail_port: int = 25
    mail_username: str = ""
    mail_password: str = ""
    mail_use_tls: bool = False
    mail_sender: str = "coopkit <no-reply@coopkit.local>"
    #: Flask-Limiter storage, e.g. redis://127.0.0.1:6379 so workers share counts
    ratelimit_storage_uri: str = "memory://"
    #: how long an invitation link stays valid
    invitation_days: int = 14
    #: how long a password reset link stays valid
    password_reset_minutes: int = 60
    log_level: str = "INFO"
    #: how many reverse proxies (e.g. nginx) stand in front of coopkit; their
    #: X-Forwarded-For/-Proto/-Host are trusted, so the log-in limit counts per
    #: visitor rather than per proxy. 0 = trust no such header.
    proxy_count: int = 0
    #: where the SQLite database, the development secret and the job queue live;
    #: empty means instance/ in a source checkout, else ./instance (read by create_app)
    instance_path: str = ""
    #: where the job queue keeps its jobs: empty means a SQLite file (jobs.db) in the
    #: instance folder; redis://host:6379/0 shares one queue between machines;
    #: sqlite:////path/jobs.db another file; memory:// only in one process (tests)
    queue_url: str = ""
    #: how many threads `coopkit worker` runs jobs on
    queue_workers: int = 2
    extra: dict = field(default_factory=dict)

    @property
    def secure_cookies(self) -> bool:
        return self.base_url.startswith("https://")

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, instance_path: str | None = None) -> Settings:
        environ = dict(os.environ if environ is None else environ)
        known = {f.name: f for f in dataclasses.fields(cls) if f.name != "extra"}
        values: dict[str, object] = {}
        for key, raw in environ.items():
            if not key.startswith(PREFIX) or key.startswith("COOPKIT_TEST_"):
                continue
            name = key[len(PREFIX):].lower()
            if name not in known:
                raise ConfigError(
                    f"Unknown setting {key}. Known settings: "
                    + ", ".join(sorted(PREFIX + n.upper() for n in known))
                )
            kind = known[name].type
            if kind == "bool":
                values[name] = _parse_bool(name.upper(), raw)
            elif kind == "int":
                values[name] = _parse_int(name.upper(), raw)
            else:
                values[name] = raw.strip()
        settings = cls(**values)
        settings.validate()
        if not settings.secret_key:
            if settings.env == "production":
                raise ConfigError("COOPKIT_SECRET_KEY must be set in production")
            settings = dataclasses.replace(settings, secret_key=_instance_secret(instance_path))
        return settings

    def validate(self) -> None:
        if self.env not in {"development", "production", "testing"}:
            raise ConfigError(f"COOPKIT_ENV must be development, production or testing, not {self.env!r}")
        parsed = urlparse(self.base_url)
        if self.base_url and (parsed.scheme not in {"http", "https"} or not parsed.netloc):
            raise ConfigError(f"COOPKIT_BASE_URL must be an http(s) address, not {self.base_url!r}")
        if self.database_url and "://" not in self.database_url:
            raise ConfigError(
                f"COOPKIT_DATABASE_URL must be a database URL such as "
                f"postgresql+psycopg://user@host/db, not {self.database_url!r}"
            )
        if self.mail_backend not in {"console", "smtp"}:
            raise ConfigError(f"COOPKIT_MAIL_BACKEND must be console or smtp, not {self.mail_backend!r}")
        if not 0 < self.mail_port < 65536:
            raise ConfigError(f"COOPKIT_MAIL_PORT must be a port number, not {self.mail_port}")
        if "://" not in self.ratelimit_storage_uri:
            raise ConfigError(
                f"COOPKIT_RATELIMIT_STORAGE_URI must be a storage URI such as memory:// "
                f"or redis://host:6379, not {self.ratelimit_storage_uri!r}"
            )
        _check_ratelimit_storage(self.ratelimit_storage_uri)
        if not 0 <= self.proxy_count <= 5:
            raise ConfigError(f"COOPKIT_PROXY_COUNT must be between 0 and 5, not {self.proxy_count}")
        if self.invitation_days < 1 or self.password_reset_minutes < 1:
            raise ConfigError("COOPKIT_INVITATION_DAYS and COOPKIT_PASSWORD_RESET_MINUTES must be positive")
        if self.log_level.upper() not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
            raise ConfigError(f"COOPKIT_LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, "
                              f"not {self.log_level!r}")
        _check_queue_url(self.queue_url)
        if not 1 <= self.queue_workers <= 32:
            raise ConfigError(f"COOPKIT_QUEUE_WORKERS must be between 1 and 32, not {self.queue_workers}")
        if self.secret_key and len(self.secret_key) < 16:
            raise ConfigError("COOPKIT_SECRET_KEY must be at least 16 characters")


def _check_ratelimit_storage(uri: str) -> None:
    """Fail at start-up, not at the first log-in, when the limiter cannot use ``uri``
    (an unknown scheme, or a client library that is not installed)."""
    scheme = urlparse(uri).scheme
    if scheme not in SCHEMES or scheme.startswith("async+"):
        raise ConfigError(
            f"COOPKIT_RATELIMIT_STORAGE_URI has an unknown storage scheme {scheme!r}; use one of "
            + ", ".join(sorted(s + "://" for s in SCHEMES if not s.startswith("async+")))
        )
    if scheme == "memory":
        return
    try:
        SCHEMES[scheme](uri)  # builds the client; the connection itself opens on first use
    except Exception as exc:  # noqa: BLE001 - any reason is a configuration problem
        raise ConfigError(
            f"COOPKIT_RATELIMIT_STORAGE_URI={uri!r} cannot be used: {exc} "
            f"(for redis:// install the client: pip install redis)"
        ) from None


QUEUE_SCHEMES = ("sqlite", "redis", "rediss", "memory")


def _check_queue_url(url: str) -> None:
    """Fail at start-up when the job queue's storage cannot be used."""
    if not url:
        return
    parsed = urlparse(url)
    if parsed.scheme not in QUEUE_SCHEMES or "://" not in url:
        raise ConfigError(
            f"COOPKIT_QUEUE_URL must be redis://host:6379/0, sqlite:////path/to/jobs.db or memory:// "
            f"(or empty for jobs.db in the instance folder), not {url!r}"
        )
    if parsed.scheme == "sqlite" and not parsed.path.strip("/"):
        raise ConfigError(f"COOPKIT_QUEUE_URL={url!r} names no file: use sqlite:////path/to/jobs.db")
    if parsed.scheme.startswith("redis"):
        try:
            import redis  # noqa: F401
        except ImportError:
            raise ConfigError(
                f"COOPKIT_QUEUE_URL={url!r} needs the Redis client: pip install 'coopkit[redis]'"
            ) from None
        if not parsed.hostname:
            raise ConfigError(f"COOPKIT_QUEUE_URL={url!r} names no Redis host")


def _instance_secret(instance_path: str | None) -> str:
    """A development secret generated once and kept in the instance folder."""
    folder = Path(instance_path or "instance")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key


def normalise_database_url(url: str) -> str:
    """Let people write postgres:// or postgresql:// and still get psycopg 3."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url
