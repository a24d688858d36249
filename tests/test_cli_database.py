"""Every command of the app's CLI says in one line what is wrong with its database."""

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from .conftest import make_app

READ_ONLY = (["users", "list"], ["orgs", "list"], ["users", "token", "a@example.org"])


def one_line_error(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("args", READ_ONLY)
def test_a_database_never_migrated_is_named_with_what_to_run(test_databases, args):
    url = test_databases.new("unmigrated")
    app = make_app(url)
    result = app.test_cli_runner().invoke(args=args)
    line = one_line_error(result)
    assert line.startswith("Error: The database at ")
    assert line.endswith(
        "has no tables yet: run `flask --app surveyservice db upgrade` "
        "(and set DATABASE_URL as for the server)."
    )
    if url.startswith("sqlite"):
        database = Path(sa.engine.make_url(url).database)
        assert str(database) in line
        # A read-only command must not leave an empty database file behind.
        assert not database.exists()


def test_an_unreachable_database_is_named_without_its_password():
    app = make_app("postgresql+psycopg://someone:hunter2secret@127.0.0.1:1/nothing")
    line = one_line_error(app.test_cli_runner().invoke(args=["users", "list"]))
    assert line.startswith(
        "Error: Cannot connect to the database at "
        "postgresql+psycopg://someone:***@127.0.0.1:1/nothing: "
    )
    assert "hunter2secret" not in line


def test_a_database_behind_the_migrations_is_told_to_upgrade(test_databases):
    app = make_app(test_databases.new("behind"))
    with app.app_context():
        upgrade()
        downgrade(revision="-1")
    line = one_line_error(app.test_cli_runner().invoke(args=["orgs", "list"]))
    assert "is not up to date: run `flask --app surveyservice db upgrade`" in line


def test_commands_that_write_are_checked_too(test_databases):
    app = make_app(test_databases.new("unmigrated"))
    result = app.test_cli_runner().invoke(args=["orgs", "create", "Uddevalla"])
    assert "has no tables yet" in one_line_error(result)


def test_a_migrated_database_runs_the_command(app, runner):
    result = runner.invoke(args=["users", "list"])
    assert result.exit_code == 0
    assert "No users yet" in result.output
