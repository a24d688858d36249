"""Settings from the environment: strict, with safe defaults."""

import pytest

from surveyservice.config import DEV_SECRET_KEY, ConfigError, from_environment


def test_defaults_serve_sqlite_in_the_instance_folder(tmp_path):
    config = from_environment({}, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/surveyservice.sqlite"
    assert config["SECRET_KEY"] == DEV_SECRET_KEY
    assert config["SESSION_COOKIE_SECURE"] is False


def test_postgres_urls_use_psycopg_3(tmp_path):
    config = from_environment({"DATABASE_URL": "postgresql://u@h/db"}, str(tmp_path))
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@h/db"


def test_production_refuses_the_development_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        from_environment({"SURVEYSERVICE_ENV": "production"}, str(tmp_path))
    with pytest.raises(ConfigError, match="at least 32"):
        from_environment({"SURVEYSERVICE_ENV": "production", "SECRET_KEY": "short"}, str(tmp_path))


def test_production_reads_the_secret_from_a_file_and_secures_cookies(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s" * 40 + "\n")
    config = from_environment(
        {"SURVEYSERVICE_ENV": "production", "SECRET_KEY_FILE": str(secret)}, str(tmp_path)
    )
    assert config["SECRET_KEY"] == "s" * 40
    assert config["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SESSION_COOKIE_SECURE": "maybe"}, "expected true or false"),
        ({"SURVEYSERVICE_ENV": "prod"}, "expected one of"),
        ({"MAX_CONTENT_LENGTH": "lots"}, "expected a whole number"),
        ({"SECRET_KEY_FILE": "/nonexistent/secret"}, "cannot read"),
        ({"BABEL_DEFAULT_TIMEZONE": "Europe/Vänersborg"}, "not a time zone name"),
    ],
)
def test_malformed_settings_are_errors_not_fallbacks(tmp_path, env, message):
    with pytest.raises(ConfigError, match=message):
        from_environment(env, str(tmp_path))


def test_create_app_refuses_to_start_in_production_with_the_dev_key(monkeypatch):
    from surveyservice import create_app

    monkeypatch.setenv("SURVEYSERVICE_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_sqlite_writes_each_answer_to_the_disk_before_saying_it_is_stored(tmp_path):
    from surveyservice.extensions import db

    from .conftest import make_app

    app = make_app(f"sqlite:///{tmp_path / 'durable.sqlite'}")
    with app.app_context(), db.engine.connect() as connection:
        pragma = connection.exec_driver_sql
        assert pragma("PRAGMA journal_mode").scalar() == "wal"
        assert pragma("PRAGMA synchronous").scalar() == 2  # FULL, whatever the build's default
        assert pragma("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()
