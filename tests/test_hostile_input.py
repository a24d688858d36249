"""Hostile input at every door: NUL and other control characters, lone surrogates,
numbers that only look like digits, and writes that come without credentials.

Each refusal is a clear 4xx on SQLite and PostgreSQL alike, and nothing is stored.
"""

import json

import pytest
import sqlalchemy as sa

from surveyservice.collection.models import CollectionPoint, Response
from surveyservice.extensions import db
from surveyservice.questionnaires.models import Questionnaire

from .conftest import PASSWORD, csrf_token_from, make_definition
from .test_batch_and_staff import answer

# Lone surrogates come only inside JSON ("\ud800"): a URL or a form field is bytes,
# and bytes that are not UTF-8 are read as U+FFFD.
IN_URLS = ["a\x00b", "a\x07b", "a\x1bb", "a\x7fb", "a\x85b"]
HOSTILE = [*IN_URLS, "a\ud800b", "\udfff"]


@pytest.fixture
def api(api_as, coordinator):
    return api_as(coordinator)


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


def stored_responses() -> int:
    db.session.expire_all()
    return db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one()


def post_json(client, url, document, **kwargs):
    # json.dumps keeps a lone surrogate as the escape "\ud800", as a hostile client would.
    return client.post(url, data=json.dumps(document), content_type="application/json", **kwargs)


def assert_refused(response, status=422):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    if response.is_json:
        assert response.json["code"] == status
        assert response.json["message"]


@pytest.mark.parametrize("text", IN_URLS)
def test_public_endpoints_refuse_control_characters_in_the_token(client, point, text):
    token = point.token[:8] + text + point.token[8 + len(text) :]
    assert_refused(client.get(f"/api/v1/collect/{token}"), 404)
    assert_refused(post_json(client, f"/api/v1/collect/{token}/responses", answer()), 404)
    assert_refused(
        post_json(client, f"/api/v1/collect/{token}/responses:batch", {"responses": [answer()]}),
        404,
    )
    assert_refused(client.get(f"/f/{token}"), 404)
    assert_refused(client.post(f"/f/{token}", data={"safe_now": "safe"}), 404)
    assert stored_responses() == 0


@pytest.mark.parametrize("text", HOSTILE)
def test_answers_with_control_characters_are_refused_naming_the_field(client, point, text):
    url = f"/api/v1/collect/{point.token}/responses"
    response = post_json(client, url, answer(answers={"safe_now": "unsafe", "why_unsafe": text}))
    assert_refused(response)
    assert "answers.why_unsafe" in response.json["errors"]["json"]
    response = post_json(client, url, answer(language=text))
    assert_refused(response)
    assert "language" in response.json["errors"]["json"]
    # A hostile key is refused too, without echoing it back as a path.
    response = post_json(client, url, answer(answers={text: "x"}))
    assert_refused(response)
    assert list(response.json["errors"]["json"]) == ["answers"]
    assert stored_responses() == 0


def test_one_hostile_item_refuses_the_batch_before_anything_is_stored(client, point):
    items = [answer(), answer(answers={"safe_now": "unsafe", "why_unsafe": "a\x00b"})]
    response = post_json(
        client, f"/api/v1/collect/{point.token}/responses:batch", {"responses": items}
    )
    assert_refused(response)
    assert "responses[1].answers.why_unsafe" in response.json["errors"]["json"]
    assert stored_responses() == 0


def test_the_form_without_script_refuses_control_characters(client, point):
    response = client.post(
        f"/f/{point.token}",
        data={"version": "1", "language": "sv", "safe_now": "unsafe", "why_unsafe": "a\x00b"},
    )
    assert_refused(response)
    assert "control character" in response.get_data(as_text=True)
    assert stored_responses() == 0


def test_line_breaks_and_tabs_are_kept_in_long_text_only(client, point, org, make_questionnaire):
    url = f"/api/v1/collect/{point.token}/responses"
    long_text = answer(answers={"safe_now": "unsafe", "why_unsafe": "Mörkt\r\nvid\tbron"})
    stored = post_json(client, url, long_text)
    assert stored.status_code == 201
    assert stored.json["answers"]["why_unsafe"] == "Mörkt\nvid\tbron"


def test_a_short_text_answer_is_one_line(client, org, make_questionnaire, make_point):
    questionnaire = make_questionnaire(
        org, slug="short", questions=[{"id": "where", "type": "text", "label": "Var?"}]
    )
    point = make_point(questionnaire)
    url = f"/api/v1/collect/{point.token}/responses"
    response = post_json(client, url, answer(answers={"where": "Torpa\ntorg"}))
    assert_refused(response)
    assert "answers.where" in response.json["errors"]["json"]
    assert post_json(client, url, answer(answers={"where": "Torpa torg"})).status_code == 201


@pytest.mark.parametrize("text", IN_URLS)
def test_sign_in_refuses_control_characters(client, coordinator, text):
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    response = client.post(
        "/sign-in",
        data={"email": f"coordinator{text}@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert_refused(response)
    assert client.get("/questionnaires").status_code == 302


@pytest.mark.parametrize("field", ["name", "area", "questionnaire"])
@pytest.mark.parametrize("text", ["a\x00b", "a\ud800b", "a\x1bb"])
def test_collection_point_fields_refuse_control_characters(
    api, org, make_questionnaire, field, text
):
    make_questionnaire(org)
    fields = {"name": "Sanden", "area": "Sanden", "kind": "event", "questionnaire": "sample"}
    response = post_json(api, "/api/v1/collection-points", {**fields, field: text})
    assert_refused(response)
    assert field in response.json["errors"]["json"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(CollectionPoint)).scalar() == 0


@pytest.mark.parametrize("field", ["name", "area"])
def test_a_point_name_is_one_line(api, org, make_questionnaire, field):
    make_questionnaire(org)
    fields = {"name": "Sanden", "area": "Sanden", "kind": "event", "questionnaire": "sample"}
    response = post_json(api, "/api/v1/collection-points", {**fields, field: "Sanden\nfest"})
    assert_refused(response)
    assert field in response.json["errors"]["json"]


@pytest.mark.parametrize("text", IN_URLS)
def test_questionnaire_slugs_in_urls_refuse_control_characters(api, org, make_questionnaire, text):
    make_questionnaire(org)
    for url in (
        f"/api/v1/questionnaires/sam{text}ple",
        f"/api/v1/questionnaires/sam{text}ple/draft",
        f"/questionnaires/sam{text}ple",
    ):
        assert_refused(api.get(url), 404)


def test_a_lone_surrogate_in_a_title_is_refused(api):
    definition = make_definition(title={"sv": "Trygg\ud800het", "en": "Safety"})
    response = post_json(api, "/api/v1/questionnaires", definition)
    assert_refused(response)
    assert "title.sv" in response.json["errors"]["json"]
    assert db.session.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar() == 0


@pytest.mark.parametrize("number", ["²", "٣", "1²", "+1", " 1", "1.0", "99999999999999999999"])
def test_numbers_that_only_look_like_digits_are_not_versions(
    api, client, org, make_questionnaire, point, number
):
    make_questionnaire(org, slug="other")
    assert_refused(api.get(f"/api/v1/questionnaires/sample/diff?from={number}&to=1"), 404)
    assert_refused(api.get(f"/questionnaires/sample?version={number}"), 404)
    form = client.post(f"/f/{point.token}", data={"version": number, "safe_now": "safe"})
    # An unreadable version is answered with the current one, as a stale page is.
    assert form.status_code == 303
    assert stored_responses() == 1


def test_a_write_without_credentials_is_401_not_a_csrf_error(client):
    response = client.post("/api/v1/questionnaires", json=make_definition())
    assert_refused(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert_refused(client.post("/api/v1/collection-points", json={}), 401)
    assert_refused(client.post("/api/v1/nowhere", json={}), 404)
    assert_refused(client.post("/nowhere", data={}), 404)


def test_a_batch_on_a_session_without_the_csrf_header_stores_nothing(client, auth, staff, point):
    auth.login(staff.email)
    items = [answer(channel="staff") for _ in range(3)]
    response = post_json(
        client, f"/api/v1/collect/{point.token}/responses:batch", {"responses": items}
    )
    assert_refused(response, 400)
    assert "CSRF" in response.json["message"]
    assert stored_responses() == 0
