"""Fixtures shared by every test: the app on a migrated database, clients and personas.

The database comes from TEST_DATABASE_URL: a SQLite file in a temporary folder when
it is unset, or a PostgreSQL server (``postgresql://postgres@127.0.0.1:5432/test``),
on which the suite creates a database of its own and drops it at the end. Every test
starts from an empty, migrated schema.
"""

from __future__ import annotations

import copy
import os
import shutil
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flask_migrate import upgrade

from surveyservice import create_app
from surveyservice.accounts.accounts import create_organisation, create_user, issue_token
from surveyservice.accounts.models import Role
from surveyservice.config import database_url
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft

PASSWORD = "correct horse battery"


# --- databases --------------------------------------------------------------


class Databases:
    """A database of the suite's own on the server under test."""

    def __init__(self, base_url: str | None, tmp_path: Path):
        self.base_url = base_url
        self.tmp_path = tmp_path
        self.made: list[str] = []

    @property
    def is_postgres(self) -> bool:
        return bool(self.base_url) and self.base_url.startswith("postgres")

    def new(self, label: str) -> str:
        """The URL of a new, empty database."""
        if not self.is_postgres:
            return f"sqlite:///{self.tmp_path / f'{label}.sqlite'}"
        name = f"surveyservice_test_{label}_{uuid.uuid4().hex[:8]}"
        self._admin(f'CREATE DATABASE "{name}"')
        self.made.append(name)
        return (
            sa.engine.make_url(database_url(self.base_url))
            .set(database=name)
            .render_as_string(hide_password=False)
        )

    def _admin(self, statement: str) -> None:
        engine = sa.create_engine(database_url(self.base_url), isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(sa.text(statement))
        engine.dispose()

    def drop_all(self) -> None:
        for name in self.made:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def test_databases(tmp_path_factory):
    databases = Databases(os.environ.get("TEST_DATABASE_URL"), tmp_path_factory.mktemp("databases"))
    yield databases
    databases.drop_all()


def config_for(url: str, **overrides) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-with-enough-characters-1234",
        "SURVEYSERVICE_ENV": "testing",
        # A cheap hash: the tests check that passwords are hashed, not how slowly.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
        **overrides,
    }


class FreshContextClient(FlaskClient):
    """Runs each request in an app context of its own, as a server does.

    The test itself holds an app context; without this, requests would share its
    ``g`` and database session, and one request's signed-in user would leak into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(url: str, **overrides):
    app = create_app(config_for(url, **overrides))
    app.test_client_class = FreshContextClient
    return app


@pytest.fixture(scope="session")
def _app(test_databases, tmp_path_factory):
    url = test_databases.new("main")
    # Uploaded files (photos, area maps) go to a folder of the run's own.
    app = make_app(url, FILE_STORAGE_DIR=str(tmp_path_factory.mktemp("files")))
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "postgresql":
            # Tests are emptied by DELETE (below), which leaves dead rows: vacuuming them
            # would let new rows fill the freed space and come back from a query without
            # ORDER BY in another order than written, differently from run to run.
            with db.engine.begin() as connection:
                for table in db.metadata.sorted_tables:
                    connection.execute(
                        sa.text(f'ALTER TABLE "{table.name}" SET (autovacuum_enabled = false)')
                    )
        if db.engine.dialect.name == "sqlite":
            db.engine.dispose()
            template = tmp_path_factory.mktemp("template") / "migrated.sqlite"
            shutil.copyfile(db.engine.url.database, template)
            app.config["_SQLITE_TEMPLATE"] = template
    return app


_RESTART_SEQUENCES = sa.text(
    """
    WITH owned AS (
        SELECT pg_get_serial_sequence(quote_ident(table_name), column_name) AS sequence
        FROM information_schema.columns
        WHERE table_schema = current_schema() AND table_name = ANY(:tables)
    )
    SELECT setval(sequence, 1, false) FROM owned WHERE sequence IS NOT NULL
    """
)


def _empty_database(app) -> None:
    """Back to the freshly migrated state, cheaply, on either database."""
    db.session.remove()
    if db.engine.dialect.name == "sqlite":
        db.engine.dispose()
        path = Path(db.engine.url.database)
        # A new file put in place at once: a browser's service worker may still ask
        # the live server for a page, and its connection must never see a file half
        # copied (it would find no tables and keep that view).
        fresh = path.with_suffix(".fresh")
        shutil.copyfile(app.config["_SQLITE_TEMPLATE"], fresh)
        for suffix in ("-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        os.replace(fresh, path)
        # A connection opened while the file was being copied still reads the old one:
        # a new pool, so that the next test never gets it.
        db.engine.dispose()
        return
    tables = [t.name for t in db.metadata.sorted_tables if t.name != "alembic_version"]
    with db.engine.begin() as connection:
        if not connection.execute(
            sa.text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        ).scalar():
            # TRUNCATE fires no row triggers, so published versions go too.
            listed = ", ".join(f'"{t}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {listed} RESTART IDENTITY CASCADE"))
            return
        # TRUNCATE makes new files for every table and index: about a third of a second
        # for every test. Deleting the rows of the tables that have any takes a few
        # milliseconds; as a replica, the session fires no triggers (neither those that
        # keep published versions and the audit log unchanged, nor the foreign keys').
        used = (
            connection.execute(
                sa.text(
                    " UNION ALL ".join(
                        f"SELECT '{t}' WHERE EXISTS (SELECT FROM \"{t}\")" for t in tables
                    )
                )
            )
            .scalars()
            .all()
        )
        if not used:
            return
        connection.execute(sa.text("SET LOCAL session_replication_role = replica"))
        for table in used:
            connection.execute(sa.text(f'DELETE FROM "{table}"'))
        # Ids start at 1 again, as after TRUNCATE … RESTART IDENTITY.
        connection.execute(_RESTART_SEQUENCES, {"tables": used})


@pytest.fixture
def app(_app):
    with _app.app_context():
        yield _app
        _empty_database(_app)
        for stored in Path(_app.config["FILE_STORAGE_DIR"]).iterdir():
            shutil.rmtree(stored) if stored.is_dir() else stored.unlink()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# --- personas ---------------------------------------------------------------


# Every organisation of the tests works in these areas: a point names one of them.
AREAS = ("Sanden", "Torpa")


def with_areas(org):
    from surveyservice.areas.areas import create_area

    for name in AREAS:
        create_area(org.id, name)
    db.session.commit()
    return org


@pytest.fixture
def org(app):
    org = create_organisation("Vänersborg och Polisen", "vanersborg")
    db.session.commit()
    return with_areas(org)


@pytest.fixture
def other_org(app):
    org = create_organisation("Trollhättan", "trollhattan")
    db.session.commit()
    return with_areas(org)


def make_user(org, role: Role | str, email: str | None = None):
    user = create_user(org, email or f"{role}-{uuid.uuid4().hex[:6]}@example.org", PASSWORD, role)
    db.session.commit()
    return user


@pytest.fixture
def coordinator(org):
    return make_user(org, Role.COORDINATOR, "coordinator@example.org")


@pytest.fixture
def staff(org):
    return make_user(org, Role.STAFF, "staff@example.org")


@pytest.fixture
def admin(org):
    return make_user(org, Role.ADMIN, "admin@example.org")


@pytest.fixture
def other_coordinator(other_org):
    return make_user(other_org, Role.COORDINATOR, "coordinator@trollhattan.example.org")


class ApiClient:
    """A test client that sends a user's bearer token with every request."""

    def __init__(self, client, token: str | None):
        self._client = client
        self.token = token

    def open(self, method: str, url: str, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        return self._client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url, **kw):
        return self.open("GET", url, **kw)

    def post(self, url, **kw):
        return self.open("POST", url, **kw)

    def put(self, url, **kw):
        return self.open("PUT", url, **kw)

    def delete(self, url, **kw):
        return self.open("DELETE", url, **kw)

    def patch(self, url, **kw):
        return self.open("PATCH", url, **kw)


@pytest.fixture
def api_as(app):
    """``api_as(user)`` is an API client signed in as that user with a fresh token."""

    def make(user) -> ApiClient:
        token = issue_token(user, "test")
        db.session.commit()
        return ApiClient(app.test_client(), token)

    return make


@pytest.fixture
def auth(client):
    """Browser sign-in through the real form, CSRF token included."""

    class Auth:
        def login(self, email: str, password: str = PASSWORD):
            page = client.get("/sign-in")
            token = csrf_token_from(page.get_data(as_text=True))
            return client.post(
                "/sign-in", data={"email": email, "password": password, "csrf_token": token}
            )

        def logout(self):
            page = client.get("/questionnaires")
            token = csrf_token_from(page.get_data(as_text=True))
            return client.post("/sign-out", data={"csrf_token": token})

    return Auth()


def csrf_token_from(html: str) -> str:
    marker = 'name="csrf_token" value="'
    start = html.index(marker) + len(marker)
    return html[start : html.index('"', start)]


# --- factories --------------------------------------------------------------

BASE_DEFINITION = {
    "slug": "sample",
    "title": {"sv": "Trygghet", "en": "Safety"},
    "languages": ["sv", "en"],
    "default_language": "sv",
    "questions": [
        {
            "id": "safe_now",
            "type": "single",
            "label": {"sv": "Hur trygg känner du dig?", "en": "How safe do you feel?"},
            "required": True,
            "options": [
                {"value": "safe", "label": {"sv": "Trygg", "en": "Safe"}},
                {"value": "unsafe", "label": {"sv": "Otrygg", "en": "Unsafe"}},
            ],
        },
        {
            "id": "why_unsafe",
            "type": "longtext",
            "label": {"sv": "Varför?", "en": "Why?"},
            "show_if": {"question": "safe_now", "equals": "unsafe"},
        },
        {"id": "rating", "type": "scale", "label": "1–5", "min": 1, "max": 5},
    ],
}


def make_definition(**overrides) -> dict:
    definition = copy.deepcopy(BASE_DEFINITION)
    definition.update(copy.deepcopy(overrides))
    return definition


@pytest.fixture
def make_questionnaire(app):
    def make(org, published: bool = True, **overrides):
        questionnaire = create_questionnaire(org, make_definition(**overrides))
        if published:
            publish_draft(questionnaire)
        db.session.commit()
        return questionnaire

    return make


@pytest.fixture
def make_point(app):
    """``make_point(questionnaire, **fields)``: an open collection point serving it."""
    from datetime import timedelta

    from surveyservice.collection.points import create_point
    from surveyservice.database import utcnow

    def make(questionnaire, **fields):
        values = {
            "name": "Sandenfestivalen",
            "area": "Sanden",
            "kind": "event",
            "questionnaire": questionnaire.slug,
            "opens_at": utcnow() - timedelta(hours=1),
            **fields,
        }
        point = create_point(questionnaire.organisation_id, values)
        db.session.commit()
        return point

    return make


# --- pytest hooks -------------------------------------------------------------


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    skipped = terminalreporter.stats.get("skipped", [])
    if skipped:
        terminalreporter.write_line(
            f"{len(skipped)} test(s) were skipped: the suite is not complete on this machine.",
            red=True,
        )


def pytest_sessionfinish(session, exitstatus):
    # In CI a skipped test counts as missing, so it fails the run.
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if os.environ.get("CI") and reporter is not None and reporter.stats.get("skipped"):
        session.exitstatus = 1
