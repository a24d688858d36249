"""One error shape under /api, friendly pages elsewhere; bad input never gives a 500."""

import pytest
from flask import Blueprint

from .conftest import make_app, make_definition


@pytest.fixture
def api(api_as, coordinator):
    return api_as(coordinator)


def assert_json_error(response, code):
    assert response.status_code == code
    assert response.is_json
    assert response.json["code"] == code
    assert isinstance(response.json["status"], str)
    assert isinstance(response.json.get("message"), str)


def test_unknown_api_path_is_json_404(client):
    assert_json_error(client.get("/api/v1/nothing-here"), 404)


def test_wrong_method_is_json_405_with_allow(api):
    response = api.delete("/api/v1/questionnaires")
    assert_json_error(response, 405)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


def test_malformed_json_is_400(api):
    response = api.post(
        "/api/v1/questionnaires", data="{not json", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["errors"] == {"json": ["Invalid JSON body."]}


def test_deeply_nested_json_is_400_not_500(api):
    body = "[" * 100_000 + "]" * 100_000
    response = api.post(
        "/api/v1/questionnaires", data=body, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json["errors"] == {"json": {"_schema": ["The JSON body is nested too deeply."]}}


@pytest.mark.parametrize("body", [[], "text", 3, True])
def test_json_of_the_wrong_type_is_422(api, body):
    response = api.post("/api/v1/questionnaires", json=body)
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"_schema": ["Invalid input type."]}


def test_empty_body_lists_the_missing_fields(api):
    response = api.post("/api/v1/questionnaires")
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {
        "slug",
        "title",
        "languages",
        "default_language",
        "questions",
    }


def test_body_that_is_not_json_is_422_not_500(api):
    response = api.post("/api/v1/questionnaires", data="slug: x", content_type="text/plain")
    assert response.status_code == 422


def test_huge_body_is_413(api):
    definition = make_definition()
    definition["description"] = "x" * (600 * 1024)
    assert_json_error(api.post("/api/v1/questionnaires", json=definition), 413)


def test_hostile_texts_are_stored_as_they_are_and_escaped_on_pages(client, auth, api):
    title = {"sv": "<script>alert('sv')</script>", "en": '"><img src=x onerror=alert(1)>'}
    assert api.post("/api/v1/questionnaires", json=make_definition(title=title)).status_code == 201
    assert api.get("/api/v1/questionnaires").json[0]["title"] == title
    auth.login("coordinator@example.org")
    page = client.get("/questionnaires").get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;sv&#39;)&lt;/script&gt;" in page
    detail = client.get("/questionnaires/sample?lang=en").get_data(as_text=True)
    assert "<img src=x" not in detail


def test_unhandled_exception_is_json_500_under_api_and_a_page_elsewhere(test_databases):
    app = make_app(test_databases.new("crash"), PROPAGATE_EXCEPTIONS=False)
    crash = Blueprint("crash", __name__)

    @crash.get("/api/v1/crash")
    def api_crash():
        raise RuntimeError("boom")

    @crash.get("/crash")
    def page_crash():
        raise RuntimeError("boom")

    app.register_blueprint(crash)
    client = app.test_client()
    response = client.get("/api/v1/crash")
    assert_json_error(response, 500)
    assert "boom" not in response.get_data(as_text=True)
    page = client.get("/crash")
    assert page.status_code == 500
    assert page.mimetype == "text/html"
    assert "Något gick fel" in page.get_data(as_text=True)


def test_unknown_page_is_a_friendly_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "Sidan finns inte" in response.get_data(as_text=True)


def test_pages_send_protective_headers(client):
    headers = client.get("/sign-in").headers
    # Same-origin: other sites never see a form's address, while CSRF checks over HTTPS,
    # which need the Referer of this site's own requests, still get it.
    assert headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
