"""flask users ...: create accounts and API tokens."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..audit.log import record
from ..extensions import db
from .accounts import (
    AccountError,
    create_organisation,
    create_user,
    ensure_organisation,
    find_user,
    new_token,
    organisations,
    set_active,
    set_password,
)
from .models import Role, User


@click.group(help="Manage user accounts and their API tokens.")
def users():
    pass


@users.command("create", help="Create a user in the organisation (created on first use).")
@click.argument("email")
@click.option(
    "--role", required=True, type=click.Choice([r.value for r in Role]), help="What they may do."
)
@click.option("--org", "org_slug", help="The organisation's slug; needed when there are several.")
@click.password_option(help="Asked for when not given; at least 10 characters.")
@with_appcontext
def create(email, role, org_slug, password):
    try:
        org = ensure_organisation(org_slug)
        user = create_user(org, email, password, role)
        record(None, "user.created", user.email, {"role": user.role.value}, organisation_id=org.id)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.role.value} {user.email} in {org.name} ({org.slug}).")


@users.command("token", help="Create an API token for a user and print it once.")
@click.argument("email")
@click.option("--name", default="cli", show_default=True, help="A name to tell tokens apart.")
@with_appcontext
def token(email, name):
    user = _user_or_fail(email)
    value, row = new_token(user, name)
    _record("token.created", user, {"name": row.name, "prefix": row.prefix})
    db.session.commit()
    click.echo(value)
    click.echo(
        f"API token {name!r} for {user.email}. It is shown only now: keep it safe.", err=True
    )


def _record(action: str, user: User, details: dict | None = None) -> None:
    record(None, action, user.email, details, organisation_id=user.organisation_id)


def _user_or_fail(email: str) -> User:
    user = find_user(email)
    if user is None:
        raise click.ClickException(f"No user with the e-mail {email}.")
    return user


@users.command("password", help="Set a user's password; their sessions everywhere end.")
@click.argument("email")
@click.password_option(help="Asked for when not given; at least 10 characters.")
@with_appcontext
def password(email, password):
    user = _user_or_fail(email)
    try:
        set_password(user, password)
        _record("user.password_set", user)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    click.echo(f"New password for {user.email}; every session of theirs has ended.")


@users.command("deactivate", help="Stop a user from signing in; their sessions end at once.")
@click.argument("email")
@with_appcontext
def deactivate(email):
    user = _user_or_fail(email)
    try:
        set_active(user, False)
    except AccountError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    _record("user.deactivated", user)
    db.session.commit()
    click.echo(f"Deactivated {user.email}; their sessions and API tokens no longer work.")


@users.command("activate", help="Let a deactivated user sign in again.")
@click.argument("email")
@with_appcontext
def activate(email):
    user = _user_or_fail(email)
    set_active(user, True)
    _record("user.reactivated", user)
    db.session.commit()
    click.echo(f"Activated {user.email}.")


@users.command("list", help="List the users of every organisation.")
@with_appcontext
def list_users():
    rows = db.session.execute(select(User).order_by(User.organisation_id, User.email)).scalars()
    count = 0
    for user in rows:
        count += 1
        state = "" if user.active else " (deactivated)"
        click.echo(f"{user.email}\t{user.role.value}\t{user.organisation.slug}{state}")
    if not count:
        click.echo(
            "No users yet. Create the first one with:\n"
            "  .venv/bin/flask --app surveyservice users create you@example.org --role admin"
        )


@click.group(help="Manage organisations: each sees only its own questionnaires and answers.")
def orgs():
    pass


@orgs.command("create", help="Create an organisation; add its users with `users create --org`.")
@click.argument("name")
@click.option("--slug", help="Short name for --org options; made from NAME when not given.")
@with_appcontext
def create_org(name, slug):
    try:
        org = create_organisation(name, slug)
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
