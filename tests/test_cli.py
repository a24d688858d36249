"""flask users ... and flask forms sync."""

import json

import sqlalchemy as sa
import yaml

from surveyservice.accounts.accounts import authenticate
from surveyservice.accounts.models import Organisation, User
from surveyservice.extensions import db
from surveyservice.questionnaires.models import Questionnaire, QuestionnaireVersion

from .conftest import PASSWORD, make_definition


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_users_create_makes_the_first_organisation(app, runner):
    result = runner.invoke(
        args=["users", "create", "Ann@Example.org", "--role", "admin"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Created admin ann@example.org in Vänersborgs kommun och Polisen" in result.output
    assert count(Organisation) == 1
    assert authenticate("ann@example.org", PASSWORD).role.value == "admin"


def test_users_create_refuses_bad_input(app, runner, coordinator):
    duplicate = runner.invoke(
        args=["users", "create", "coordinator@example.org", "--role", "staff"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert duplicate.exit_code == 1
    assert "already exists" in duplicate.output
    short = runner.invoke(
        args=["users", "create", "new@example.org", "--role", "staff", "--password", "short"]
    )
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output
    role = runner.invoke(args=["users", "create", "x@example.org", "--role", "boss"])
    assert role.exit_code == 2
    assert count(User) == 1


def test_users_create_needs_org_when_there_are_several(app, runner, org, other_org):
    args = ["users", "create", "x@example.org", "--role", "staff", "--password", PASSWORD]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    assert "name one with --org" in result.output
    assert runner.invoke(args=[*args, "--org", "trollhattan"]).exit_code == 0
    assert db.session.execute(sa.select(User)).scalar_one().organisation.slug == "trollhattan"


def test_users_token_prints_a_working_token_once(app, runner, client, coordinator):
    result = runner.invoke(args=["users", "token", "coordinator@example.org"])
    assert result.exit_code == 0
    token = result.stdout.strip()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.json["email"] == "coordinator@example.org"
    assert runner.invoke(args=["users", "token", "nobody@example.org"]).exit_code == 1


def test_users_list(app, runner, coordinator):
    assert (
        "coordinator@example.org\tcoordinator\tvanersborg"
        in runner.invoke(args=["users", "list"]).output
    )


def write(folder, name, definition):
    text = json.dumps(definition) if name.endswith(".json") else yaml.safe_dump(definition)
    (folder / name).write_text(text, encoding="utf-8")


def versions_of(slug):
    return (
        db.session.execute(
            sa.select(QuestionnaireVersion.number)
            .join(Questionnaire)
            .where(Questionnaire.slug == slug)
            .order_by(QuestionnaireVersion.number)
        )
        .scalars()
        .all()
    )


def test_forms_sync_publishes_only_what_changed(app, runner, org, tmp_path):
    write(tmp_path, "a.yaml", make_definition(slug="alpha"))
    write(tmp_path, "b.json", make_definition(slug="beta"))
    first = runner.invoke(args=["forms", "sync", str(tmp_path)])
    assert first.exit_code == 0, first.output
    assert first.output.strip() == "Created alpha v1; created beta v1."

    again = runner.invoke(args=["forms", "sync", str(tmp_path)])
    assert again.output.strip() == "alpha unchanged (v1); beta unchanged (v1)."

    # Reformatting a file without changing its content publishes nothing.
    (tmp_path / "b.json").write_text(json.dumps(make_definition(slug="beta"), indent=4))
    write(tmp_path, "a.yaml", make_definition(slug="alpha", title="Ny"))
    third = runner.invoke(args=["forms", "sync", str(tmp_path)])
    assert third.output.strip() == "Published alpha v2; beta unchanged (v1)."
    assert versions_of("alpha") == [1, 2]
    assert versions_of("beta") == [1]


def test_forms_sync_with_a_broken_file_changes_nothing(app, runner, org, tmp_path):
    write(tmp_path, "a.yaml", make_definition(slug="alpha"))
    broken = make_definition(slug="beta")
    del broken["questions"][0]["options"][1]["value"]
    write(tmp_path, "b.yaml", broken)
    (tmp_path / "c.yaml").write_text("slug: [unclosed\n")
    write(tmp_path, "d.yaml", make_definition(slug="alpha"))
    result = runner.invoke(args=["forms", "sync", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "b.yaml: questions[0].options[1].value: Missing data for required field." in result.output
    )
    assert "c.yaml: c.yaml is not valid YAML at line 2" in result.output
    assert "d.yaml: slug: 'alpha' is also the slug of a.yaml." in result.output
    assert "nothing was changed" in result.output
    assert count(Questionnaire) == 0


def test_forms_sync_leaves_a_coordinators_draft_alone(
    app, runner, org, tmp_path, api_as, coordinator
):
    write(tmp_path, "a.yaml", make_definition(slug="alpha"))
    runner.invoke(args=["forms", "sync", str(tmp_path)])
    api = api_as(coordinator)
    api.put(
        "/api/v1/questionnaires/alpha/draft", json=make_definition(slug="alpha", title="Utkast")
    )
    write(tmp_path, "a.yaml", make_definition(slug="alpha", title="Från fil"))
    assert "Published alpha v2" in runner.invoke(args=["forms", "sync", str(tmp_path)]).output
    assert api.get("/api/v1/questionnaires/alpha/draft").json["definition"]["title"] == "Utkast"


def test_forms_sync_reports_a_missing_folder(app, runner, org, tmp_path):
    result = runner.invoke(args=["forms", "sync", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert "The folder does not exist." in result.output
