"""The schema exists only through migrations: from empty, up, down and up again."""

import uuid

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
    "observation",
    "observation_change",
    "photo",
    "promise",
    "promise_area",
    "promise_note",
    "public_page",
    "publication",
    "results_wall",
    "rate_limit_counter",
    "sign_in_throttle",
    "organisation_key",
    "audit_entry",
    "password_link",
    "area",
    "answer_item",
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


def _insert(connection, table: str, **values) -> int:
    columns = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    return connection.execute(
        sa.text(f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING id"), values
    ).scalar_one()


def test_areas_migration_merges_drifting_names_and_goes_back(test_databases):
    app = make_app(test_databases.new("areas"))
    with app.app_context():
        upgrade(revision="0006")
        now = "2026-11-30 10:00:00"
        with db.engine.begin() as connection:
            ids = {}
            for slug in ("vanersborg", "trollhattan"):
                org = _insert(connection, "organisation", slug=slug, name=slug, created_at=now)
                questionnaire = _insert(
                    connection,
                    "questionnaire",
                    organisation_id=org,
                    slug="sample",
                    created_at=now,
                )
                ids[slug] = (org, questionnaire)
            points = [
                ("vanersborg", "Sanden"),
                ("vanersborg", "sanden "),
                ("vanersborg", " SANDEN"),
                ("vanersborg", "Sanden"),
                ("vanersborg", "Torpa"),
                ("trollhattan", "sanden"),
            ]
            version = _insert(
                connection,
                "questionnaire_version",
                questionnaire_id=ids["vanersborg"][1],
                number=1,
                status="draft",
                definition="{}",
                content_hash="x",
                created_at=now,
            )
            for n, (slug, area) in enumerate(points):
                org, questionnaire = ids[slug]
                point = _insert(
                    connection,
                    "collection_point",
                    organisation_id=org,
                    questionnaire_id=questionnaire,
                    token=f"token{n:011d}",
                    name=f"Punkt {n}",
                    area=area,
                    kind="event",
                    opens_at=now,
                    created_at=now,
                )
            # An answer refers to the first point: its table is rebuilt around it.
            response = sa.table(
                "response",
                *(sa.column(c) for c in ("organisation_id", "collection_point_id", "version_id")),
                *(sa.column(c) for c in ("language", "channel", "received_at", "content_hash")),
                sa.column("id", sa.Uuid),
                sa.column("answers", sa.JSON),
            )
            connection.execute(
                response.insert().values(
                    id=uuid.uuid4(),
                    organisation_id=ids["vanersborg"][0],
                    collection_point_id=point - len(points) + 1,
                    version_id=version,
                    language="sv",
                    channel="resident",
                    received_at=now,
                    answers={},
                    content_hash="x",
                )
            )

        upgrade(revision="0007")
        with db.engine.connect() as connection:
            areas = connection.execute(
                sa.text(
                    "SELECT o.slug, a.name, a.key FROM area a JOIN organisation o ON "
                    "o.id = a.organisation_id ORDER BY o.slug, a.key"
                )
            ).all()
            by_point = connection.execute(
                sa.text(
                    "SELECT p.name, a.name FROM collection_point p JOIN area a ON "
                    "a.id = p.area_id ORDER BY p.id"
                )
            ).all()
            zones = connection.execute(sa.text("SELECT time_zone FROM organisation")).scalars()
            assert set(zones) == {"Europe/Stockholm"}
        # One area per organisation and name, spelt as most of its points spell it.
        assert areas == [
            ("trollhattan", "sanden", "sanden"),
            ("vanersborg", "Sanden", "sanden"),
            ("vanersborg", "Torpa", "torpa"),
        ]
        assert [area for _, area in by_point] == [
            "Sanden",
            "Sanden",
            "Sanden",
            "Sanden",
            "Torpa",
            "sanden",
        ]
        assert "area" not in {
            c["name"] for c in sa.inspect(db.engine).get_columns("collection_point")
        }

        downgrade(revision="0006")
        with db.engine.connect() as connection:
            back = connection.execute(
                sa.text("SELECT area FROM collection_point ORDER BY id")
            ).scalars()
            assert list(back) == ["Sanden", "Sanden", "Sanden", "Sanden", "Torpa", "sanden"]
        assert "area" not in table_names()
        assert "time_zone" not in {
            c["name"] for c in sa.inspect(db.engine).get_columns("organisation")
        }
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
