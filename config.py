"""Configuration classes, read from the environment.

``REGISTRY_CONFIG`` picks one of ``development`` (default), ``test`` or ``production``.
"""

from __future__ import annotations

import os

_WEAK_SECRETS = {"", "dev", "change-me", "secret", "development-only-secret"}


class ConfigError(RuntimeError):
    """The configuration cannot run; the message is one line a user can act on."""


class Config:
    NAME = "base"
    SECRET_KEY = os.environ.get("SECRET_KEY", "development-only-secret")
    # None means "an SQLite file in the instance folder", resolved by the app factory.
    DATABASE_URL: str | None = os.environ.get("DATABASE_URL")
    SQL_ECHO = False
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # tokens live as long as the session
    ALLOW_DEMO_SEED = True
    # Rate limits: in memory by default; a Redis URL shares them between servers.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_LIMIT_PER_ADDRESS = os.environ.get("LOGIN_LIMIT_PER_ADDRESS", "20 per minute")
    LOGIN_LIMIT_PER_ACCOUNT = os.environ.get("LOGIN_LIMIT_PER_ACCOUNT", "5 per minute")
    PUBLIC_RATE_LIMIT = os.environ.get("PUBLIC_RATE_LIMIT", "300 per minute")
    # A browser that logged in to an account is known to it this long (registry/auth/devices.py).
    KNOWN_DEVICE_DAYS = int(os.environ.get("KNOWN_DEVICE_DAYS", "180"))
    # Public answers are cached per worker while the registry is unchanged (see
    # registry/read/cache.py): reused without a query for FRESH seconds, kept at most
    # SECONDS; 0 turns the cache off.
    PUBLIC_CACHE_SECONDS = float(os.environ.get("PUBLIC_CACHE_SECONDS", "30"))
    PUBLIC_CACHE_FRESH_SECONDS = float(os.environ.get("PUBLIC_CACHE_FRESH_SECONDS", "1"))
    # Activating rules on the web refreshes today's stored verdicts of the jurisdictions it
    # changes when they hold at most this many practitioners; more are left to the daily
    # `registry refresh-verdicts` (their stored verdicts are expired, never read meanwhile).
    VERDICT_REFRESH_IN_REQUEST = int(os.environ.get("VERDICT_REFRESH_IN_REQUEST", "10000"))
    # Evidence files live outside the static folder and are served only to allowed users.
    EVIDENCE_FOLDER: str | None = os.environ.get("EVIDENCE_FOLDER")
    MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
    PAGE_SIZE = 20
    # SQLite only: how long a request that writes waits for the database's one writer lock
    # before it is answered 503 with Retry-After (registry/db.py).
    SQLITE_BUSY_TIMEOUT = float(os.environ.get("SQLITE_BUSY_TIMEOUT", "10"))
    # Password hashing cost (Argon2id; argon2-cffi's recommended defaults).
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536  # KiB
    ARGON2_PARALLELISM = 4
    # Expiry reminders (``registry send-reminders``, docs/REMINDERS.md). SMTP_PORT and
    # SMTP_SECURITY ("none", "starttls" or "ssl") are checked when mail is sent, so a typo
    # there is a one-line error of that command rather than of every command.
    SMTP_HOST = os.environ.get("SMTP_HOST", "localhost")
    SMTP_PORT: int | str = os.environ.get("SMTP_PORT", "25")
    SMTP_USERNAME: str | None = os.environ.get("SMTP_USERNAME") or None
    SMTP_PASSWORD: str | None = os.environ.get("SMTP_PASSWORD") or None
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "none")
    MAIL_FROM = os.environ.get("MAIL_FROM", "Needling Registry <no-reply@registry.example>")
    REMINDER_THRESHOLDS = (90, 60, 30)  # days before expiry
    # Invitations, claims and clinic requests are mailed from a thread after the answer (the
    # same time for everyone); the tests send at once.
    MAIL_IN_BACKGROUND = True
    CLAIM_LIMIT = os.environ.get("CLAIM_LIMIT", "5 per hour")  # per address, public claims
    LINK_LIMIT = os.environ.get("LINK_LIMIT", "30 per hour")  # per address, one-time links
    # Root of the FHIR face's absolute URLs (identifier systems, links); unset: the request's.
    FHIR_BASE_URL: str | None = os.environ.get("FHIR_BASE_URL")

    @classmethod
    def check(cls) -> None:
        """Raise ConfigError when this configuration must not start."""

    @classmethod
    def check_workers(cls, workers: int) -> None:
        """Raise ConfigError when this configuration must not run in ``workers`` processes
        (gunicorn.conf.py asks with gunicorn's real worker count)."""


class DevelopmentConfig(Config):
    NAME = "development"


class TestConfig(Config):
    NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105 (tests only)
    DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
    WTF_CSRF_ENABLED = False  # tests that check CSRF turn it back on
    PUBLIC_CACHE_FRESH_SECONDS = 0.0  # tests write and read back within milliseconds
    MAIL_IN_BACKGROUND = False
    # Cheap hashing: tests create and log in hundreds of accounts (never use this for real).
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1


class ProductionConfig(Config):
    NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    ALLOW_DEMO_SEED = False

    @classmethod
    def check(cls) -> None:
        if not cls.DATABASE_URL:
            raise ConfigError(
                "production needs DATABASE_URL (an SQLAlchemy URL) in the environment"
            )
        if cls.SECRET_KEY in _WEAK_SECRETS or len(cls.SECRET_KEY) < 32:
            raise ConfigError("production needs a real SECRET_KEY (at least 32 random characters)")
        cls.check_workers(web_concurrency())

    @classmethod
    def check_workers(cls, workers: int) -> None:
        # In memory, each worker would count login attempts on its own (two workers: twice
        # the attempts an account or address is allowed).
        if workers > 1 and cls.RATELIMIT_STORAGE_URI.startswith("memory://"):
            raise ConfigError(
                f"production with {workers} workers needs RATELIMIT_STORAGE_URI shared by "
                "all of them (e.g. redis://127.0.0.1:6379/0), not memory://"
            )


CONFIGS: dict[str, type[Config]] = {
    c.NAME: c for c in (DevelopmentConfig, TestConfig, ProductionConfig)
}


def web_concurrency() -> int:
    """The number of worker processes announced by WEB_CONCURRENCY (gunicorn's default for
    --workers; 1 when unset)."""
    raw = os.environ.get("WEB_CONCURRENCY", "").strip() or "1"
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(
            f"WEB_CONCURRENCY must be a whole number of workers, not {raw!r}"
        ) from None


def config_from_env() -> type[Config]:
    """The configuration class named by REGISTRY_CONFIG."""
    name = os.environ.get("REGISTRY_CONFIG", "development")
    try:
        return CONFIGS[name]
    except KeyError:
        raise ConfigError(
            f"REGISTRY_CONFIG must be one of {', '.join(CONFIGS)}, not {name!r}"
        ) from None
