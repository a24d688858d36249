"""The staff pages: questionnaires, their versions and what changed."""

from .conftest import make_definition


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/questionnaires/sample")
    assert response.status_code == 302
    assert response.headers["Location"] == "/sign-in?next=/questionnaires/sample"


def test_detail_page_shows_questions_versions_and_changes(client, auth, api_as, staff, coordinator):
    api = api_as(coordinator)
    api.post("/api/v1/questionnaires", json=make_definition())
    api.post("/api/v1/questionnaires/sample/draft/publish")
    changed = make_definition()
    changed["questions"].append({"id": "comment", "type": "text", "label": "Kommentar"})
    api.put("/api/v1/questionnaires/sample/draft", json=changed)
    api.post("/api/v1/questionnaires/sample/draft/publish")

    auth.login(staff.email)
    page = client.get("/questionnaires/sample").get_data(as_text=True)
    assert "Hur trygg känner du dig?" in page
    assert "Version 2, publicerad" in page
    assert "Version 1 till 2" in page
    assert "Tillagda: comment" in page
    old = client.get("/questionnaires/sample?version=1").get_data(as_text=True)
    assert "Kommentar" not in old
    assert client.get("/questionnaires/sample?version=9").status_code == 404
