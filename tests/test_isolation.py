"""A coordinator of one organisation can neither see nor change anything of another."""

import pytest
import sqlalchemy as sa

from surveyservice.extensions import db
from surveyservice.questionnaires.models import QuestionnaireVersion

from .conftest import make_definition

SLUG = "sample"
# Every /api/v1 route that names a questionnaire, with what the intruder sends.
ROUTES_WITH_A_SLUG = [
    ("GET", "/api/v1/questionnaires/{slug}", None),
    ("GET", "/api/v1/questionnaires/{slug}/draft", None),
    ("PUT", "/api/v1/questionnaires/{slug}/draft", make_definition),
    ("DELETE", "/api/v1/questionnaires/{slug}/draft", None),
    ("POST", "/api/v1/questionnaires/{slug}/draft/publish", None),
    ("GET", "/api/v1/questionnaires/{slug}/versions/1", None),
    ("GET", "/api/v1/questionnaires/{slug}/diff?from=1&to=draft", None),
]
# Routes that name nothing, and what they must show an intruder.
ROUTES_WITHOUT_A_SLUG = [("GET", "/api/v1/questionnaires"), ("GET", "/api/v1/me")]
PUBLIC = {"/api/v1/openapi.json", "/api/v1/docs"}


@pytest.fixture
def victim_questionnaire(org, make_questionnaire):
    questionnaire = make_questionnaire(org)
    from surveyservice.questionnaires.versions import save_draft

    save_draft(questionnaire, make_definition(title="Utkast"))
    db.session.commit()
    return questionnaire


def snapshot():
    return sorted(
        db.session.execute(
            sa.select(
                QuestionnaireVersion.id,
                QuestionnaireVersion.status,
                QuestionnaireVersion.number,
                QuestionnaireVersion.content_hash,
            )
        ).all()
    )


@pytest.mark.parametrize(("method", "path", "body"), ROUTES_WITH_A_SLUG)
def test_other_organisation_gets_404_and_changes_nothing(
    api_as, other_coordinator, victim_questionnaire, method, path, body
):
    before = snapshot()
    intruder = api_as(other_coordinator)
    kwargs = {"json": body()} if body else {}
    response = intruder.open(method, path.format(slug=SLUG), **kwargs)
    assert response.status_code == 404, response.json
    assert response.json["message"] == f"No questionnaire {SLUG!r}."
    db.session.expire_all()
    assert snapshot() == before


def test_other_organisation_sees_none_of_ours_in_lists(
    api_as, other_coordinator, coordinator, victim_questionnaire
):
    intruder = api_as(other_coordinator)
    assert intruder.get("/api/v1/questionnaires").json == []
    assert intruder.get("/api/v1/me").json["organisation"]["slug"] == "trollhattan"
    assert [q["slug"] for q in api_as(coordinator).get("/api/v1/questionnaires").json] == [SLUG]


def test_same_slug_in_two_organisations_stays_apart(
    api_as, other_coordinator, coordinator, victim_questionnaire
):
    intruder = api_as(other_coordinator)
    created = intruder.post("/api/v1/questionnaires", json=make_definition(title="Deras"))
    assert created.status_code == 201
    assert (
        intruder.get(f"/api/v1/questionnaires/{SLUG}/draft").json["definition"]["title"] == "Deras"
    )
    ours = api_as(coordinator).get(f"/api/v1/questionnaires/{SLUG}/draft").json
    assert ours["definition"]["title"] == "Utkast"


def test_other_organisation_cannot_open_our_pages(
    client, auth, other_coordinator, victim_questionnaire
):
    auth.login(other_coordinator.email)
    assert client.get(f"/questionnaires/{SLUG}").status_code == 404
    assert f"<code>{SLUG}</code>" not in client.get("/questionnaires").get_data(as_text=True)


def test_every_api_route_is_checked_here(app):
    checked = {p.split("?")[0].replace("{slug}", "<slug>") for _, p, _ in ROUTES_WITH_A_SLUG}
    checked |= {p for _, p in ROUTES_WITHOUT_A_SLUG} | PUBLIC
    checked = {p.replace("/versions/1", "/versions/<int:number>") for p in checked}
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/")}
    assert routes - checked == set(), "add the new routes to this module's lists"
