"""Collection points through the API, their QR codes and posters."""

import shutil
import subprocess
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.database import utcnow

from .conftest import make_definition

BASE = "/api/v1/collection-points"


@pytest.fixture
def api(api_as, coordinator):
    return api_as(coordinator)


@pytest.fixture
def questionnaire(org, make_questionnaire):
    return make_questionnaire(org)


def new_point(api, **fields):
    body = {
        "name": "Sandenfestivalen",
        "area": "Sanden",
        "kind": "event",
        "questionnaire": "sample",
    }
    response = api.post(BASE, json={**body, **fields})
    assert response.status_code == 201, response.json
    return response.json


def test_create_makes_an_unguessable_token_and_url(api, questionnaire):
    point = new_point(api)
    assert len(point["token"]) == 16
    assert point["url"] == f"http://localhost/f/{point['token']}"
    assert point["status"] == "open"
    assert point["served_version"] == 1
    assert point["version"] is None
    other = new_point(api)
    assert other["token"] != point["token"]
    assert [p["id"] for p in api.get(BASE).json] == [other["id"], point["id"]]


def test_public_base_url_is_used_for_the_form_address(app, api, questionnaire):
    app.config["PUBLIC_BASE_URL"] = "https://trygg.example.se/"
    try:
        assert new_point(api)["url"].startswith("https://trygg.example.se/f/")
    finally:
        app.config["PUBLIC_BASE_URL"] = None


def test_create_refuses_bad_fields_with_each_problem(api, questionnaire):
    response = api.post(
        BASE,
        json={
            "name": "",
            "area": "Sanden",
            "kind": "party",
            "questionnaire": "sample",
            "opens_at": "2026-06-01T10:00:00",
        },
    )
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"name", "kind", "opens_at"}
    times = api.post(
        BASE,
        json={
            "name": "x",
            "area": "Sanden",
            "kind": "event",
            "questionnaire": "nope",
            "version": 4,
            "opens_at": "2026-06-01T10:00:00+02:00",
            "closes_at": "2026-06-01T09:00:00+02:00",
        },
    )
    assert times.status_code == 422
    assert times.json["errors"]["json"] == {
        "questionnaire": ["No questionnaire 'nope'."],
        "closes_at": ["It must be later than the opening time."],
    }


def test_a_walk_with_groups_and_photos_gets_a_point(api, org, make_questionnaire):
    make_questionnaire(
        org,
        slug="walk",
        questions=[
            {
                "id": "stops",
                "type": "group",
                "label": "Stopp",
                "questions": [
                    {"id": "place", "type": "location", "label": "Plats"},
                    {"id": "photo", "type": "photo", "label": "Foto"},
                ],
            }
        ],
    )
    response = api.post(
        BASE, json={"name": "Vandring", "area": "Torpa", "kind": "walk", "questionnaire": "walk"}
    )
    assert response.status_code == 201, response.json


def test_unpublished_questionnaire_is_refused(api, org, make_questionnaire):
    make_questionnaire(org, published=False, slug="draft-only")
    response = api.post(
        BASE, json={"name": "x", "area": "Sanden", "kind": "event", "questionnaire": "draft-only"}
    )
    assert response.json["errors"]["json"] == {
        "questionnaire": ["draft-only has no published version yet."]
    }


def test_pinned_version_is_served_even_after_a_new_one(api, questionnaire):
    point = new_point(api, version=1)
    api.put("/api/v1/questionnaires/sample/draft", json=make_definition(title="Ny"))
    api.post("/api/v1/questionnaires/sample/draft/publish")
    assert api.get(f"{BASE}/{point['id']}").json["served_version"] == 1
    latest = new_point(api)
    assert latest["served_version"] == 2
    unpinned = api.patch(f"{BASE}/{point['id']}", json={"version": None})
    assert unpinned.json["served_version"] == 2


def test_update_and_close(api, questionnaire):
    point = new_point(api)
    changed = api.patch(f"{BASE}/{point['id']}", json={"name": "Båtmässan", "area": "Torpa"})
    assert changed.status_code == 200
    assert (changed.json["name"], changed.json["area"]) == ("Båtmässan", "Torpa")
    closed = api.post(f"{BASE}/{point['id']}/close")
    assert closed.json["status"] == "closed"
    bad = api.patch(f"{BASE}/{point['id']}", json={"closes_at": "2000-01-01T00:00:00Z"})
    assert bad.status_code == 422


def test_a_change_with_nothing_to_change_is_refused(api, questionnaire):
    point = new_point(api)
    for body in ({"data": b""}, {"json": {}}):
        response = api.patch(f"{BASE}/{point['id']}", **body)
        assert response.status_code == 422, body
    assert api.get(f"{BASE}/{point['id']}").json == point


def test_a_whole_number_written_with_a_point_is_that_number(api, questionnaire):
    # JSON Schema, and so the OpenAPI document, counts 1.0 as the integer 1.
    assert new_point(api, version=1.0)["version"] == 1
    refused = api.post(
        BASE,
        json={"name": "x", "area": "y", "kind": "event", "questionnaire": "sample", "version": 1.5},
    )
    assert refused.status_code == 422
    assert "version" in refused.json["errors"]["json"]


def test_point_opening_later_is_not_yet_open(api, questionnaire):
    later = (utcnow() + timedelta(days=2)).isoformat()
    assert new_point(api, opens_at=later)["status"] == "not_yet_open"


def test_staff_may_read_points_but_not_change_them(api_as, staff, api, questionnaire):
    point = new_point(api)
    staff_api = api_as(staff)
    assert staff_api.get(f"{BASE}/{point['id']}").status_code == 200
    assert staff_api.post(f"{BASE}/{point['id']}/close").status_code == 403
    assert staff_api.post(BASE, json={"name": "x"}).status_code == 403


def decode_qr(png: bytes, tmp_path) -> str:
    path = tmp_path / "code.png"
    path.write_bytes(png)
    result = subprocess.run(
        ["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_qr_png_decodes_to_the_exact_form_url(api, questionnaire, tmp_path):
    assert shutil.which("zbarimg"), "zbarimg (Debian: zbar-tools) is needed for this test"
    point = new_point(api)
    response = api.get(f"{BASE}/{point['id']}/qr.png")
    assert response.status_code == 200
    assert response.mimetype == "image/png"
    assert decode_qr(response.data, tmp_path) == point["url"]


def test_qr_svg_decodes_to_the_exact_form_url(api, questionnaire, tmp_path):
    point = new_point(api)
    response = api.get(f"{BASE}/{point['id']}/qr.svg")
    assert response.mimetype == "image/svg+xml"
    svg = tmp_path / "code.svg"
    svg.write_bytes(response.data)
    png = tmp_path / "code.png"
    subprocess.run(
        [
            "chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            f"--screenshot={png}",
            "--window-size=600,600",
            svg.as_uri(),
        ],
        capture_output=True,
        check=True,
        timeout=60,
    )
    assert decode_qr(png.read_bytes(), tmp_path) == point["url"]


def test_poster_shows_code_url_and_texts_in_every_language(
    client, auth, org, coordinator, make_questionnaire
):
    make_questionnaire(
        org,
        title={"sv": "Trygghet på Sanden", "en": "Safety at Sanden"},
        description={
            "sv": "Svaren används för medborgarlöftet.",
            "en": "Answers shape the citizen promise.",
        },
    )
    from surveyservice.collection.points import create_point
    from surveyservice.extensions import db

    point = create_point(
        org.id,
        {"name": "Sandenfestivalen", "area": "Sanden", "kind": "event", "questionnaire": "sample"},
    )
    db.session.commit()
    auth.login("coordinator@example.org")
    page = client.get(f"/collection-points/{point.id}/poster").get_data(as_text=True)
    assert f"localhost/f/{point.token}" in page
    assert f'src="/api/v1/collection-points/{point.id}/qr.svg"' in page
    for text in (
        "Trygghet på Sanden",
        "Safety at Sanden",
        "Svaren används för medborgarlöftet.",
        "Answers shape the citizen promise.",
        "Du är anonym",
        "You are anonymous",
    ):
        assert text in page
    assert '<section lang="en" dir="ltr"' in page


def test_absurd_ids_and_times_are_clear_errors(api, questionnaire):
    assert api.get(f"{BASE}/{10**30}").status_code == 404
    assert api.get(f"{BASE}/{10**30}/qr.png").status_code == 404
    response = api.post(
        BASE,
        json={
            "name": "x",
            "area": "Sanden",
            "kind": "event",
            "questionnaire": "sample",
            "opens_at": "0001-01-01T00:00:00+14:00",
            "version": 10**30,
        },
    )
    assert response.status_code == 422
    assert set(response.json["errors"]["json"]) == {"opens_at", "version"}


def test_a_point_has_a_name_in_each_language_and_falls_back_to_its_name(
    api_as, coordinator, org, make_questionnaire, client
):
    make_questionnaire(
        org,
        languages=["sv", "en", "ar"],
        title={"sv": "T", "en": "T", "ar": "ت"},
        questions=[{"id": "q", "type": "yesno", "label": {"sv": "F", "en": "Q", "ar": "س"}}],
    )
    api = api_as(coordinator)
    created = api.post(
        "/api/v1/collection-points",
        json={
            "name": "Sandenfestivalen",
            "names": {"ar": "مهرجان ساندن"},
            "area": "Sanden",
            "kind": "event",
            "questionnaire": "sample",
        },
    )
    assert created.status_code == 201, created.json
    assert created.json["names"] == {"ar": "مهرجان ساندن"}
    token = created.json["token"]
    assert '<p class="name">مهرجان ساندن</p>' in client.get(f"/f/{token}?lang=ar").get_data(
        as_text=True
    )
    assert '<p class="name">Sandenfestivalen</p>' in client.get(f"/f/{token}?lang=en").get_data(
        as_text=True
    )
    assert client.get(f"/api/v1/collect/{token}").json["names"] == {"ar": "مهرجان ساندن"}
    changed = api.patch(
        f"/api/v1/collection-points/{created.json['id']}",
        json={"names": {"ar": "مهرجان ساندن الصيفي", "en": "Sanden festival"}},
    )
    assert changed.status_code == 200
    assert '<p class="name">Sanden festival</p>' in client.get(f"/f/{token}?lang=en").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    "names", [{"arabic": "x"}, {"ar": ""}, {"ar": "två\nrader"}, {"ar": "x" * 201}, ["ar"]]
)
def test_a_name_in_another_language_is_checked(api_as, coordinator, org, make_questionnaire, names):
    make_questionnaire(org)
    response = api_as(coordinator).post(
        "/api/v1/collection-points",
        json={
            "name": "Sanden",
            "names": names,
            "area": "Sanden",
            "kind": "event",
            "questionnaire": "sample",
        },
    )
    assert response.status_code == 422
    assert any(path.startswith("names") for path in response.json["errors"]["json"])


def test_area_is_named_as_in_the_list_whatever_its_case_and_spacing(api, questionnaire):
    point = new_point(api, area="  sANDEN ")
    assert point["area"] == "Sanden"
    assert [a["name"] for a in api.get("/api/v1/areas").json] == ["Sanden", "Torpa"]


def test_unknown_area_is_refused_naming_the_known_ones(api, questionnaire):
    from surveyservice.collection.models import CollectionPoint
    from surveyservice.extensions import db

    response = api.post(
        BASE,
        json={"name": "x", "area": "Sanden hamn", "kind": "event", "questionnaire": "sample"},
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "area": ["No area 'Sanden hamn'. Known areas: Sanden, Torpa."]
    }
    assert db.session.execute(sa.select(CollectionPoint)).first() is None
