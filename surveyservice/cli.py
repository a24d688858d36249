"""What every command of the app's CLI shares: a database that exists and is migrated.

A command run against the wrong database (or before ``flask db upgrade``) says so in
one line and exits non-zero, instead of a traceback; a read-only command never
leaves an empty SQLite file behind.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import click
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from .extensions import db

UPGRADE_HINT = (
    "run `flask --app surveyservice db upgrade` (and set DATABASE_URL as for the server)."
)


def database_name(engine: Engine) -> str:
    """The database as a person would recognise it, without its password."""
    if engine.dialect.name == "sqlite":
        return engine.url.database or ":memory:"
    return engine.url.render_as_string(hide_password=True)


def _sqlite_file_missing(engine: Engine) -> bool:
    path = engine.url.database
    in_memory = not path or path == ":memory:" or path.startswith("file:")
    return engine.dialect.name == "sqlite" and not in_memory and not Path(path).exists()


def database_problem(engine: Engine, migrations: str) -> str | None:
    """What keeps commands from using the database, in one sentence; None when it is ready."""
    where = database_name(engine)
    # Connecting would create the file: check for it first.
    if _sqlite_file_missing(engine):
        return f"The database at {where} has no tables yet: {UPGRADE_HINT}"
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    except OperationalError as exc:
        return cannot_connect(engine, exc)
    if not current:
        return f"The database at {where} has no tables yet: {UPGRADE_HINT}"
    heads = set(ScriptDirectory(migrations).get_heads())
    if current != heads:
        return f"The database at {where} is not up to date: {UPGRADE_HINT}"
    return None


def cannot_connect(engine: Engine, exc: OperationalError) -> str:
    reason = str(exc.orig or exc).strip().splitlines()[0]
    return f"Cannot connect to the database at {database_name(engine)}: {reason}"


def _needs_database(callback: Callable) -> Callable:
    @functools.wraps(callback)
    def run(*args, **kwargs):
        engine = db.engine
        problem = database_problem(engine, current_app.extensions["migrate"].directory)
        if problem:
            raise click.ClickException(problem)
        try:
            return callback(*args, **kwargs)
        except OperationalError as exc:
            raise click.ClickException(cannot_connect(engine, exc)) from None

    checked = with_appcontext(run)
    checked.checks_database = True
    return checked


def _guard(command: click.Command) -> None:
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            _guard(sub)
    # The commands are module-level objects that every app shares: wrap them once.
    elif command.callback is not None and not getattr(command.callback, "checks_database", 0):
        command.callback = _needs_database(command.callback)


def init_app(app: Flask) -> None:
    """Check the database before each of the app's commands but ``flask db``, which makes it."""
    migrations = app.extensions["migrate"]
    for name, command in app.cli.commands.items():
        if name != migrations.migrate.command:
            _guard(command)
