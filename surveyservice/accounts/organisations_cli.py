"""flask orgs ...: the organisations (municipality–police partnerships) on this server."""

import click
from flask.cli import with_appcontext

from ..extensions import db
from .accounts import AccountError
from .organisations import add_organisation, organisations


@click.group(help="Manage organisations: each sees only its own questionnaires and answers.")
def orgs():
    pass


@orgs.command("create", help="Create an organisation; add its users with `users create --org`.")
@click.argument("name")
@click.option("--slug", help="Short name for --org options; made from NAME when not given.")
@with_appcontext
def create(name, slug):
    try:
        org = add_organisation(name, slug)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created organisation {org.name} ({org.slug}).")


@orgs.command("list", help="List the organisations with their slugs and number of users.")
@with_appcontext
def list_orgs():
    rows = organisations()
    for row in rows:
        users = "1 user" if row.users == 1 else f"{row.users} users"
        click.echo(f"{row.slug}\t{row.name}\t{users}")
    if not rows:
        click.echo("No organisations yet: `users create` makes the first one.")
