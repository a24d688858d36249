"""flask forms ...: load the questionnaire files."""

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..accounts.accounts import AccountError, ensure_organisation
from ..audit.log import record
from ..extensions import db
from .sync import SyncError, summary, sync_folder

DEFAULT_FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"


@click.group(help="Questionnaire definitions kept as files.")
def forms():
    pass


@forms.command("sync", help="Publish a new version of each questionnaire whose file changed.")
@click.argument("directory", required=False, type=click.Path(path_type=Path))
@click.option("--org", "org_slug", help="The organisation's slug; needed when there are several.")
@with_appcontext
def sync(directory, org_slug):
    directory = directory or Path(current_app.config["FORMS_DIR"] or DEFAULT_FORMS_DIR)
    try:
        org = ensure_organisation(org_slug)
        results = sync_folder(org, directory)
    except SyncError as exc:
        db.session.rollback()
        for file, problems in exc.problems.items():
            for path, messages in problems.items():
                where = "" if path == "_schema" else f" {path}:"
                click.echo(f"{file}:{where} {' '.join(messages)}", err=True)
        raise click.ClickException(str(exc)) from None
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    for result in results:
        if result.action != "unchanged":
            if result.action == "created":
                record(None, "questionnaire.created", result.slug, organisation_id=org.id)
            record(
                None,
                "questionnaire.published",
                result.slug,
                {"version": result.number, "file": result.file},
                organisation_id=org.id,
            )
    db.session.commit()
    click.echo(summary(results))
