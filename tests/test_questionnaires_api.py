"""The questionnaires API: create, drafts, publishing, immutability and diffs."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from surveyservice.extensions import db
from surveyservice.questionnaires.diff import diff_definitions
from surveyservice.questionnaires.models import QuestionnaireVersion

from .conftest import make_definition

BASE = "/api/v1/questionnaires"


@pytest.fixture
def api(api_as, coordinator):
    return api_as(coordinator)


def create(api, **overrides):
    response = api.post(BASE, json=make_definition(**overrides))
    assert response.status_code == 201, response.json
    return response.json


def test_create_makes_a_questionnaire_with_a_draft(api):
    body = create(api)
    assert body["slug"] == "sample"
    assert body["latest_version"] is None
    assert body["has_draft"] is True
    assert [v["status"] for v in body["versions"]] == ["draft"]
    listed = api.get(BASE).json
    assert [q["slug"] for q in listed] == ["sample"]
    assert listed[0]["title"] == {"sv": "Trygghet", "en": "Safety"}


def test_create_with_a_taken_slug_is_a_conflict(api):
    create(api)
    response = api.post(BASE, json=make_definition())
    assert response.status_code == 409
    assert "exists" in response.json["message"]


def test_broken_definition_gets_422_with_paths_and_stores_nothing(api):
    definition = make_definition()
    del definition["questions"][0]["options"][1]["value"]
    definition["questions"][2]["max"] = "five"
    response = api.post(BASE, json=definition)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "questions[0].options[1].value": ["Missing data for required field."],
        "questions[2].max": ["Expected a number."],
    }
    assert api.get(BASE).json == []


def test_consistency_errors_use_the_same_shape(api):
    response = api.post(BASE, json=make_definition(default_language="fi"))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "default_language": ["'fi' is not one of the languages."]
    }
    assert response.json["code"] == 422
    assert response.json["status"] == "Unprocessable Entity"


def test_publish_freezes_the_draft_as_version_1(api):
    create(api)
    response = api.post(f"{BASE}/sample/draft/publish")
    assert response.status_code == 201
    assert response.json["number"] == 1
    assert response.json["status"] == "published"
    assert response.json["definition"]["slug"] == "sample"
    assert api.get(f"{BASE}/sample/draft").status_code == 404
    detail = api.get(f"{BASE}/sample").json
    assert detail["latest_version"] == 1
    assert detail["has_draft"] is False


def test_a_new_draft_can_be_replaced_then_published_as_version_2(api):
    create(api)
    api.post(f"{BASE}/sample/draft/publish")
    first = api.put(f"{BASE}/sample/draft", json=make_definition(title="Ett"))
    assert first.status_code == 201
    second = api.put(f"{BASE}/sample/draft", json=make_definition(title="Två"))
    assert second.status_code == 200
    assert api.get(f"{BASE}/sample/draft").json["definition"]["title"] == "Två"
    published = api.post(f"{BASE}/sample/draft/publish").json
    assert published["number"] == 2
    assert api.get(f"{BASE}/sample/versions/1").json["definition"]["title"] == {
        "sv": "Trygghet",
        "en": "Safety",
    }
    assert api.get(f"{BASE}/sample/versions/2").json["definition"]["title"] == "Två"


def test_publishing_an_unchanged_draft_is_refused(api):
    create(api)
    api.post(f"{BASE}/sample/draft/publish")
    api.put(f"{BASE}/sample/draft", json=make_definition())
    response = api.post(f"{BASE}/sample/draft/publish")
    assert response.status_code == 409
    assert "same as version 1" in response.json["message"]


def test_publish_without_a_draft_is_404(api):
    create(api)
    api.post(f"{BASE}/sample/draft/publish")
    assert api.post(f"{BASE}/sample/draft/publish").status_code == 404


def test_draft_slug_cannot_change(api):
    create(api)
    response = api.put(f"{BASE}/sample/draft", json=make_definition(slug="other"))
    assert response.status_code == 422
    assert "slug" in response.json["errors"]["json"]


def test_discarding_a_draft(api):
    create(api)
    # The only version of a never-published questionnaire stays.
    assert api.delete(f"{BASE}/sample/draft").status_code == 409
    api.post(f"{BASE}/sample/draft/publish")
    api.put(f"{BASE}/sample/draft", json=make_definition(title="Ny"))
    assert api.delete(f"{BASE}/sample/draft").status_code == 204
    assert api.get(f"{BASE}/sample/draft").status_code == 404
    assert api.delete(f"{BASE}/sample/draft").status_code == 404


def test_unknown_version_and_questionnaire_are_404(api):
    create(api)
    assert api.get(f"{BASE}/sample/versions/7").status_code == 404
    response = api.get(f"{BASE}/nope")
    assert response.status_code == 404
    assert response.json["message"] == "No questionnaire 'nope'."


def test_published_version_cannot_change_even_in_the_database(app, api):
    create(api)
    api.post(f"{BASE}/sample/draft/publish")
    version_id = db.session.execute(sa.select(QuestionnaireVersion.id)).scalar_one()
    for statement in (
        sa.update(QuestionnaireVersion).values(content_hash="x"),
        sa.update(QuestionnaireVersion).values(status="draft", number=None),
        sa.delete(QuestionnaireVersion),
    ):
        with pytest.raises(DBAPIError, match="published questionnaire versions never change"):
            db.session.execute(statement.where(QuestionnaireVersion.id == version_id))
        db.session.rollback()
    assert api.get(f"{BASE}/sample/versions/1").json["content_hash"] != "x"


def test_diff_between_versions(api):
    create(api)
    api.post(f"{BASE}/sample/draft/publish")
    changed = make_definition(title="Ny titel")
    changed["questions"][0]["label"] = {"sv": "Hur trygg är du nu?", "en": "How safe now?"}
    del changed["questions"][2]
    changed["questions"].append({"id": "comment", "type": "text", "label": "Kommentar"})
    api.put(f"{BASE}/sample/draft", json=changed)
    response = api.get(f"{BASE}/sample/diff?from=1&to=draft")
    assert response.status_code == 200
    assert response.json == {
        "from": "1",
        "to": "draft",
        "added": ["comment"],
        "removed": ["rating"],
        "changed": [{"id": "safe_now", "fields": ["label"]}],
        "reordered": False,
        "settings": ["title"],
    }


def group(gid, *question_ids):
    return {
        "id": gid,
        "type": "group",
        "label": gid,
        "questions": [{"id": q, "type": "text", "label": q} for q in question_ids],
    }


def test_diff_reports_questions_moved_between_groups_and_out_of_one(api):
    create(api, questions=[group("evening", "lights", "people", "paths"), group("day", "noise")])
    api.post(f"{BASE}/sample/draft/publish")
    moved = make_definition(
        questions=[
            group("evening", "paths"),
            group("day", "noise", "lights"),
            {"id": "people", "type": "text", "label": "people"},
        ]
    )
    api.put(f"{BASE}/sample/draft", json=moved)
    response = api.get(f"{BASE}/sample/diff?from=1&to=draft")
    assert response.json["changed"] == [
        {"id": "lights", "fields": ["group"]},
        {"id": "people", "fields": ["group"]},
    ]
    assert response.json["reordered"] is True
    assert response.json["added"] == response.json["removed"] == []


def test_diff_names_a_field_added_to_a_question(api):
    create(api)
    api.post(f"{BASE}/sample/draft/publish")
    changed = make_definition()
    changed["questions"][1]["max_length"] = 500
    # Written out, the default is no change.
    changed["questions"][2]["required"] = False
    api.put(f"{BASE}/sample/draft", json=changed)
    response = api.get(f"{BASE}/sample/diff?from=1&to=draft")
    assert response.json["changed"] == [{"id": "why_unsafe", "fields": ["max_length"]}]


def test_diff_names_a_field_added_even_when_it_holds_nothing():
    old = {"questions": [{"id": "place", "type": "text", "label": "Var?"}]}
    new = {"questions": [{"id": "place", "type": "text", "label": "Var?", "hint": None}]}
    assert diff_definitions(old, new)["changed"] == [{"id": "place", "fields": ["hint"]}]
    assert diff_definitions(old, old)["changed"] == []


def test_diff_needs_both_ends(api):
    create(api)
    response = api.get(f"{BASE}/sample/diff?from=1")
    assert response.status_code == 422
    assert response.json["errors"]["query"] == {"to": ["Missing data for required field."]}
    assert api.get(f"{BASE}/sample/diff?from=1&to=draft").status_code == 404


def test_staff_can_read_but_not_write(api_as, staff, api):
    create(api)
    staff_api = api_as(staff)
    assert staff_api.get(f"{BASE}/sample").status_code == 200
    response = staff_api.put(f"{BASE}/sample/draft", json=make_definition(title="x"))
    assert response.status_code == 403
    assert response.json["message"] == "This needs the coordinator role."
    assert staff_api.post(f"{BASE}/sample/draft/publish").status_code == 403
    assert staff_api.post(BASE, json=make_definition(slug="mine")).status_code == 403


def test_admin_can_do_what_a_coordinator_can(api_as, admin):
    assert api_as(admin).post(BASE, json=make_definition()).status_code == 201
