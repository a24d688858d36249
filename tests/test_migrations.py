"""The schema exists only through migrations: from empty, up, down and up again."""

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy.exc import DBAPIError

from surveyservice.accounts.accounts import (
    create_organisation,
    create_user,
    issue_token,
    user_for_token,
)
from surveyservice.audit.log import record
from surveyservice.extensions import db

from .conftest import make_app

TABLES = {
    "organisation",
    "user_account",
    "api_token",
    "questionnaire",
    "questionnaire_version",
    "collection_point",
    "response",
    "rate_limit_counter",
    "sign_in_throttle",
    "organisation_key",
    "audit_entry",
    "password_link",
}


def table_names() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_migrations_from_empty_match_the_models_and_go_down_again(test_databases):
    app = make_app(test_databases.new("migrations"))
    with app.app_context():
        assert table_names() == set()
        upgrade()
        assert table_names() == TABLES
        with db.engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), db.metadata)
        assert differences == []
        downgrade(revision="base")
        assert table_names() == set()
        upgrade()
        assert table_names() == TABLES
        db.engine.dispose()


def test_app_does_not_create_tables_by_itself(test_databases):
    app = make_app(test_databases.new("untouched"))
    with app.app_context():
        app.test_client().get("/healthz")
        assert table_names() == set()
        db.engine.dispose()


def test_audit_and_accounts_migration_goes_down_keeping_users_and_tokens(test_databases):
    app = make_app(test_databases.new("migration_0008"))
    with app.app_context():
        upgrade()
        org = create_organisation("Vänersborg", "vanersborg")
        user = create_user(org, "admin@example.org", "a long password", "admin")
        token = issue_token(user, "export")
        record(user, "user.created", user.email)
        db.session.commit()
        with pytest.raises(DBAPIError):
            db.session.execute(sa.text("DELETE FROM audit_entry"))
        db.session.rollback()

        downgrade(revision="0006")
        assert "audit_entry" not in table_names() and "password_link" not in table_names()
        with db.engine.connect() as connection:
            assert connection.execute(
                sa.text("SELECT email FROM user_account")
            ).scalars().all() == ["admin@example.org"]
            assert connection.execute(sa.text("SELECT count(*) FROM api_token")).scalar() == 1
        upgrade()
        assert user_for_token(token) is not None
        db.engine.dispose()
