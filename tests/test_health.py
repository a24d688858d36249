"""GET /healthz answers 200 only when the database answers; GET /livez whenever the
process serves."""

from .conftest import make_app


def test_healthz_is_ok_with_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_healthz_is_503_when_the_database_does_not_answer(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing/db.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "unavailable"


def test_livez_answers_without_touching_the_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing-dir/nothing/db.sqlite")
    response = app.test_client().get("/livez")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}
