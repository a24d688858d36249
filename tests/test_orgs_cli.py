"""flask orgs create and flask orgs list."""

import sqlalchemy as sa

from surveyservice.accounts.models import Organisation, User
from surveyservice.extensions import db

from .conftest import PASSWORD


def slugs() -> list[str]:
    return list(db.session.execute(sa.select(Organisation.slug).order_by("slug")).scalars())


def test_orgs_create_makes_a_second_organisation_that_users_can_join(app, runner, org):
    result = runner.invoke(args=["orgs", "create", "Trollhättans stad och Polisen"])
    assert result.exit_code == 0, result.output
    assert (
        result.output
        == "Created organisation Trollhättans stad och Polisen (trollhattans-stad-och-polisen).\n"
    )
    assert slugs() == ["trollhattans-stad-och-polisen", "vanersborg"]
    joined = runner.invoke(
        args=[
            "users",
            "create",
            "ann@example.org",
            "--role",
            "admin",
            "--org",
            "trollhattans-stad-och-polisen",
            "--password",
            PASSWORD,
        ]
    )
    assert joined.exit_code == 0, joined.output
    user = db.session.execute(sa.select(User)).scalar_one()
    assert user.organisation.name == "Trollhättans stad och Polisen"


def test_orgs_create_takes_a_slug(app, runner):
    result = runner.invoke(args=["orgs", "create", "Uddevalla", "--slug", "udd"])
    assert result.exit_code == 0, result.output
    assert "(udd)" in result.output
    assert slugs() == ["udd"]


def test_orgs_create_refuses_a_taken_or_malformed_slug(app, runner, org):
    taken = runner.invoke(args=["orgs", "create", "Another", "--slug", "vanersborg"])
    assert taken.exit_code == 1
    assert "The slug 'vanersborg' is already taken by Vänersborg och Polisen" in taken.output
    for bad in ("Upper", "with space", "-edge", "", "x" * 65):
        result = runner.invoke(args=["orgs", "create", "Another", "--slug", bad])
        assert result.exit_code == 1, bad
        assert "is not a slug" in result.output
    empty = runner.invoke(args=["orgs", "create", "  "])
    assert empty.exit_code == 1
    assert "needs a name" in empty.output
    assert slugs() == ["vanersborg"]


def test_orgs_list_names_each_organisation_with_its_users(app, runner, coordinator, other_org):
    result = runner.invoke(args=["orgs", "list"])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        "trollhattan\tTrollhättan\t0 users",
        "vanersborg\tVänersborg och Polisen\t1 user",
    ]


def test_orgs_list_says_when_there_are_none(app, runner):
    result = runner.invoke(args=["orgs", "list"])
    assert result.exit_code == 0
    assert "No organisations yet" in result.output


def test_orgs_commands_have_help(app, runner):
    for args in (["orgs"], ["orgs", "create"], ["orgs", "list"]):
        result = runner.invoke(args=[*args, "--help"])
        assert result.exit_code == 0
        assert "organisation" in result.output.lower()
