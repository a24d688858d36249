"""Settings from the environment, parsed strictly.

Every setting has a safe default for a developer's machine; a production start
refuses to run with the development secret key. A malformed value is an
error at start-up, never a silent fallback.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytz

DEV_SECRET_KEY = "dev-only-secret-key-never-use-in-production"  # noqa: S105

ENVIRONMENTS = ("development", "production", "testing")


class ConfigError(RuntimeError):
    """A setting is missing or malformed."""


def _read(env: Mapping[str, str], name: str) -> str | None:
    """A setting's value, or the contents of the file named by NAME_FILE."""
    file_name = env.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(f"{name}_FILE: cannot read {file_name}: {exc.strerror}") from exc
    value = env.get(name)
    return value if value not in (None, "") else None


def parse_bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}: expected true or false, got {value!r}")


def parse_int(name: str, value: str, minimum: int = 0) -> int:
    try:
        number = int(value)
    except ValueError:
        raise ConfigError(f"{name}: expected a whole number, got {value!r}") from None
    if number < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {number}")
    return number


def database_url(url: str) -> str:
    """Point PostgreSQL URLs at psycopg 3, the driver this service ships with."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def parse_time_zone(name: str, value: str) -> str:
    # Flask-Babel converts times with pytz, which carries its own time zone data.
    try:
        pytz.timezone(value)
    except pytz.UnknownTimeZoneError:
        raise ConfigError(
            f"{name}: not a time zone name such as Europe/Stockholm: {value!r}"
        ) from None
    return value


def _rate_limit_storage(value: str) -> str:
    if value == "database" or value.startswith(("redis://", "rediss://", "unix://")):
        return value
    raise ConfigError(f"RATE_LIMIT_STORAGE: expected 'database' or a redis:// URL, got {value!r}")


def from_environment(env: Mapping[str, str], instance_path: str) -> dict:
    """Build the Flask configuration from environment variables."""
    environment = _read(env, "SURVEYSERVICE_ENV") or "development"
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"SURVEYSERVICE_ENV: expected one of {', '.join(ENVIRONMENTS)}, got {environment!r}"
        )
    production = environment == "production"

    secret_key = _read(env, "SECRET_KEY") or DEV_SECRET_KEY
    if production and secret_key == DEV_SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY (or SECRET_KEY_FILE) must be set in production: "
            "the development key is public."
        )
    if production and len(secret_key) < 32:
        raise ConfigError("SECRET_KEY: use at least 32 random characters in production.")

    default_db = "sqlite:///" + str(Path(instance_path) / "surveyservice.sqlite")
    secure_default = "true" if production else "false"

    def flag(name: str, default: str) -> bool:
        return parse_bool(name, _read(env, name) or default)

    return {
        "SURVEYSERVICE_ENV": environment,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url(_read(env, "DATABASE_URL") or default_db),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A questionnaire definition is the largest body the API takes.
        "MAX_CONTENT_LENGTH": parse_int(
            "MAX_CONTENT_LENGTH", _read(env, "MAX_CONTENT_LENGTH") or str(512 * 1024), 1024
        ),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": flag("SESSION_COOKIE_SECURE", secure_default),
        "REMEMBER_COOKIE_SECURE": flag("SESSION_COOKIE_SECURE", secure_default),
        "PERMANENT_SESSION_LIFETIME": parse_int(
            "SESSION_HOURS", _read(env, "SESSION_HOURS") or "12", 1
        )
        * 3600,
        # Number of proxies in front of the app whose X-Forwarded-Proto/Host to trust.
        "PROXY_COUNT": parse_int("PROXY_COUNT", _read(env, "PROXY_COUNT") or "0"),
        "DEFAULT_ORGANISATION": _read(env, "DEFAULT_ORGANISATION")
        or "Vänersborgs kommun och Polisen",
        "FORMS_DIR": _read(env, "FORMS_DIR"),
        # Where photos and area maps are kept (surveyservice/storage.py); by default
        # instance/files. Never a folder the web server serves as it is.
        "FILE_STORAGE_DIR": _read(env, "FILE_STORAGE_DIR"),
        # Where the QR codes point, e.g. https://trygg.example.se; default: the request's host.
        "PUBLIC_BASE_URL": _read(env, "PUBLIC_BASE_URL"),
        "SUBMISSION_MAX_BYTES": parse_int(
            "SUBMISSION_MAX_BYTES", _read(env, "SUBMISSION_MAX_BYTES") or str(64 * 1024), 1024
        ),
        # "database", or a redis:// URL: where every worker counts submissions.
        "RATE_LIMIT_STORAGE": _rate_limit_storage(_read(env, "RATE_LIMIT_STORAGE") or "database"),
        "SUBMISSION_RATE_LIMIT": parse_int(
            "SUBMISSION_RATE_LIMIT", _read(env, "SUBMISSION_RATE_LIMIT") or "600", 1
        ),
        "SUBMISSION_RATE_WINDOW": parse_int(
            "SUBMISSION_RATE_WINDOW", _read(env, "SUBMISSION_RATE_WINDOW") or "60", 1
        ),
        # How long after closing a point still takes answers a tablet recorded while open.
        "CLOSED_GRACE_DAYS": parse_int("CLOSED_GRACE_DAYS", _read(env, "CLOSED_GRACE_DAYS") or "7"),
        # The interface's default language, and the time zone times are shown in for an
        # organisation that names none.
        "BABEL_DEFAULT_LOCALE": "sv",
        "BABEL_DEFAULT_TIMEZONE": parse_time_zone(
            "BABEL_DEFAULT_TIMEZONE", _read(env, "BABEL_DEFAULT_TIMEZONE") or "Europe/Stockholm"
        ),
        "PASSWORD_HASH_METHOD": _read(env, "PASSWORD_HASH_METHOD") or "scrypt",
        "WTF_CSRF_TIME_LIMIT": None,
        # CSRF is enforced in one place, by surveyservice.accounts.auth.
        "WTF_CSRF_CHECK_DEFAULT": False,
        "API_TITLE": "Surveyservice API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.1.0",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }
