"""The areas' maps: images checked by decoding and stored under a new version each
time, corners that make a real area, the tile server's rules, and who may do what."""

import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image

from surveyservice.areas.areas import find_area_by_name
from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.static_versions import IMMUTABLE
from surveyservice.walks import area_maps
from surveyservice.walks.area_maps import (
    MapError,
    check_corners,
    map_config,
    remove_area_map,
    set_area_map,
    set_tile_server,
    tile_origin,
)

from .conftest import PASSWORD, csrf_token_from

# Torpa, Vänersborg: about 1.8 km across and 1.7 km high.
TORPA = {"south": "58.370", "west": "12.300", "north": "58.385", "east": "12.330"}
CORNERS = ("58.370", "12.300", "58.385", "12.330")


@pytest.fixture(autouse=True)
def files(app, tmp_path):
    """The uploaded files in a directory of this test's own."""
    before = app.config.get("FILE_STORAGE_DIR")
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "files")
    app.extensions.pop("surveyservice.storage", None)
    yield tmp_path / "files"
    app.config["FILE_STORAGE_DIR"] = before
    app.extensions.pop("surveyservice.storage", None)


def stored(files) -> list[str]:
    if not files.exists():
        return []
    return sorted(
        f"{folder.name}/{name}"
        for folder in files.iterdir()
        for name in os.listdir(folder)
        if not name.startswith(".")
    )


def image_bytes(fmt="PNG", size=(400, 300), colour=(200, 230, 200), **save) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, fmt, **save)
    return out.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG that does not compress: about 3 bytes a pixel."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def torpa(org):
    return find_area_by_name(org.id, "Torpa")


def audit_actions() -> list[str]:
    return list(db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.id)).scalars())


# --- the domain -----------------------------------------------------------------


def test_a_map_is_stored_encoded_again_under_its_area_and_version(files, torpa, coordinator):
    set_area_map(torpa, image_bytes("PNG"), *CORNERS, coordinator)
    assert torpa.map_version == 1
    assert torpa.map_key == f"maps/{torpa.id}-1.png"
    assert stored(files) == [f"maps/{torpa.id}-1.png"]
    with Image.open(files / "maps" / f"{torpa.id}-1.png") as kept:
        assert kept.format == "PNG" and kept.size == (400, 300)
    assert (torpa.map_south, torpa.map_west, torpa.map_north, torpa.map_east) == (
        58.37,
        12.3,
        58.385,
        12.33,
    )
    assert audit_actions() == ["area.map_changed"]


def test_a_new_map_gets_the_next_version_and_the_old_file_goes(files, torpa, coordinator):
    set_area_map(torpa, image_bytes("PNG"), *CORNERS, coordinator)
    set_area_map(torpa, image_bytes("JPEG"), *CORNERS, coordinator)
    assert torpa.map_version == 2
    # A photo-like JPEG stays JPEG; the PNG of version 1 is gone.
    assert stored(files) == [f"maps/{torpa.id}-2.jpg"]


def test_a_large_photo_saved_as_png_is_stored_as_jpeg(files, torpa, coordinator, monkeypatch):
    monkeypatch.setattr(area_maps, "PNG_KEEP_BYTES", 10_000)
    set_area_map(torpa, noise_png(200), *CORNERS, coordinator)
    assert torpa.map_key.endswith(".jpg")


def test_a_large_image_is_scaled_to_the_longest_side(files, torpa, coordinator, monkeypatch):
    monkeypatch.setattr(area_maps, "LONGEST_SIDE", 100)
    set_area_map(torpa, image_bytes("PNG", size=(400, 200)), *CORNERS, coordinator)
    with Image.open(files / torpa.map_key) as kept:
        assert kept.size == (100, 50)


def test_removing_the_map_removes_its_file_and_keeps_the_version(files, torpa, coordinator):
    set_area_map(torpa, image_bytes(), *CORNERS, coordinator)
    remove_area_map(torpa, coordinator)
    assert torpa.map_key is None and torpa.map_south is None
    assert stored(files) == []
    set_area_map(torpa, image_bytes(), *CORNERS, coordinator)
    # Never the address of a map a tablet may still keep.
    assert torpa.map_version == 2
    assert audit_actions() == ["area.map_changed", "area.map_removed", "area.map_changed"]


@pytest.mark.parametrize(
    ("corners", "field", "says"),
    [
        (("58.385", "12.300", "58.370", "12.330"), "north", "further north"),
        (("58.370", "12.330", "58.385", "12.300"), "east", "further east"),
        (("58.370", "12.300", "58.370", "12.330"), "north", "further north"),
        (("91", "12.300", "58.385", "12.330"), "south", "between -90 and 90"),
        (("58.370", "-181", "58.385", "12.330"), "west", "between -180 and 180"),
        (("6470000", "12.300", "58.385", "12.330"), "south", "looks like metres"),
        (("58.370", "twelve", "58.385", "12.330"), "west", "degrees with decimals"),
        (("58.370", "", "58.385", "12.330"), "west", "in degrees"),
        (("58.0", "12.0", "59.0", "13.0"), "corners", "at most 50 km"),
        (("nan", "12.300", "58.385", "12.330"), "south", "degrees with decimals"),
    ],
)
def test_corners_that_make_no_area_are_refused_and_nothing_is_stored(
    files, torpa, coordinator, corners, field, says
):
    with pytest.raises(MapError) as refused:
        set_area_map(torpa, image_bytes(), *corners, coordinator)
    assert refused.value.field == field
    assert says in str(refused.value)
    assert stored(files) == [] and torpa.map_version == 0 and audit_actions() == []


def test_corners_may_be_written_with_a_decimal_comma():
    corners = check_corners("58,370", "12,300", "58,385", " 12,330 ")
    assert corners.bounds == [[58.37, 12.3], [58.385, 12.33]]


def test_a_map_may_cross_the_equator_and_the_prime_meridian():
    assert check_corners(-0.1, -0.1, 0.1, 0.1).bounds == [[-0.1, -0.1], [0.1, 0.1]]


def _bomb() -> bytes:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not an image"),
        (image_bytes("PNG")[:-200], "incomplete"),
        (b"", "Choose the map's image file"),
        (_bomb(), "too many pixels"),
        (b"\x89PNG" + bytes(21 * 1024 * 1024), "larger than 20 MB"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "not an image"),
    ],
    ids=["pdf", "truncated", "empty", "bomb", "too-large", "svg"],
)
def test_a_file_that_is_not_a_usable_image_is_refused_with_the_reason(
    files, torpa, coordinator, data, says
):
    with pytest.raises(MapError) as refused:
        set_area_map(torpa, data, *CORNERS, coordinator)
    assert refused.value.field == "image"
    assert says in str(refused.value)
    assert stored(files) == [] and torpa.map_version == 0 and torpa.map_key is None
    assert audit_actions() == []


def test_a_refused_new_map_leaves_the_old_one(files, torpa, coordinator):
    set_area_map(torpa, image_bytes(), *CORNERS, coordinator)
    with pytest.raises(MapError):
        set_area_map(torpa, b"not an image", *CORNERS, coordinator)
    assert torpa.map_version == 1 and stored(files) == [f"maps/{torpa.id}-1.png"]


@pytest.mark.parametrize(
    ("url", "attribution", "field", "says"),
    [
        ("http://tiles.example.org/{z}/{x}/{y}.png", "© Someone", "tile_url", "https://"),
        ("https://tiles.example.org/{z}/{x}.png", "© Someone", "tile_url", "{y}"),
        ("https://tiles.example.org/tiles.png", "© Someone", "tile_url", "{z}, {x}, {y}"),
        ("https://tiles.example.org/{z}/{x}/{y}.png", "", "tile_attribution", "whose map"),
        ('https://tiles.example.org/{z}/{x}/{y}.png?a="b"', "x", "tile_url", "quotes"),
        ("https:///{z}/{x}/{y}.png", "x", "tile_url", "no server name"),
        ("https://tiles.example.org/{z}/{x}/{y}" + "a" * 500, "x", "tile_url", "At most 500"),
    ],
)
def test_tile_server_rules(org, admin, url, attribution, field, says):
    with pytest.raises(MapError) as refused:
        set_tile_server(org, url, attribution, admin)
    assert refused.value.field == field
    assert says in str(refused.value)


def test_a_tile_server_is_set_and_removed(org, admin):
    set_tile_server(org, " https://{s}.tiles.example.org/{z}/{x}/{y}.png ", " © OSM ", admin)
    assert org.tile_url == "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    assert org.tile_attribution == "© OSM"
    set_tile_server(org, "", "© OSM", admin)
    assert org.tile_url is None and org.tile_attribution is None
    assert audit_actions() == ["organisation.tile_server_changed"] * 2


def test_tile_origin_is_what_the_content_security_policy_names():
    assert tile_origin("https://tiles.example.org/{z}/{x}/{y}.png") == "https://tiles.example.org"
    assert tile_origin("https://{s}.tile.example.org/{z}/{x}/{y}.png") == (
        "https://*.tile.example.org"
    )
    assert tile_origin("https://tiles.example.org:8443/{z}/{x}/{y}") == (
        "https://tiles.example.org:8443"
    )
    assert tile_origin("https://{z}.example.org/{x}/{y}") is None
    assert tile_origin(None) is None


def test_map_config_names_the_image_its_bounds_and_the_tiles(app, org, torpa, coordinator):
    with app.test_request_context():
        assert map_config(torpa, org, "t" * 20) is None
        set_area_map(torpa, image_bytes(), *CORNERS, coordinator)
        config = map_config(torpa, org, "abc")
        assert config == {
            "image": "/f/abc/map-1.png",
            "bounds": [[58.37, 12.3], [58.385, 12.33]],
            "tiles": None,
        }
        assert map_config(torpa, org)["image"] == f"/areas/{torpa.id}/map-1.png"
        org.tile_url, org.tile_attribution = "https://t.example.org/{z}/{x}/{y}.png", "© T"
        sanden = find_area_by_name(org.id, "Sanden")
        assert map_config(sanden, org, "abc") == {
            "image": None,
            "bounds": None,
            "tiles": {"url": "https://t.example.org/{z}/{x}/{y}.png", "attribution": "© T"},
        }


# --- the pages and the images -----------------------------------------------------


def signed_in(app, user):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    client.get("/account?lang=en")
    return client


@pytest.fixture
def as_user(app, auth, client):
    def login(user):
        auth.login(user.email)
        client.get("/account?lang=en")  # the messages below are checked in English
        return client

    return login


def upload(client, area, data: bytes | None, name="map.png", **corners):
    page = client.get(f"/areas/{area.id}/map")
    form = {"csrf_token": csrf_token_from(page.get_data(as_text=True)), **TORPA, **corners}
    if data is not None:
        form["image"] = (io.BytesIO(data), name)
    return client.post(f"/areas/{area.id}/map", data=form, content_type="multipart/form-data")


def test_a_coordinator_uploads_a_map_larger_than_an_ordinary_request(
    files, as_user, coordinator, torpa
):
    client = as_user(coordinator)
    big = noise_png(700)
    assert len(big) > 1024 * 1024
    response = upload(client, torpa, big)
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    db.session.refresh(torpa)
    assert torpa.map_version == 1 and len(stored(files)) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The map is saved" in page
    assert f"/areas/{torpa.id}/map-1." in page  # the preview's image, signed-in address


def test_a_bad_image_on_the_page_says_why_and_stores_nothing(files, as_user, coordinator, torpa):
    client = as_user(coordinator)
    response = upload(client, torpa, b"%PDF-1.4 not a map", name="map.jpg")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "The map was not saved" in page and "not an image that can be read" in page
    assert 'id="field-image"' in page and 'aria-invalid="true"' in page
    assert 'value="58.370"' in page  # the corners as they were typed
    db.session.refresh(torpa)
    assert torpa.map_version == 0 and stored(files) == []


def test_a_file_beyond_the_limit_is_refused_on_the_page(files, as_user, coordinator, torpa):
    client = as_user(coordinator)
    response = upload(client, torpa, b"\x89PNG" + bytes(21 * 1024 * 1024))
    assert response.status_code == 413
    assert "larger than 20 MB" in response.get_data(as_text=True)
    assert stored(files) == []


def test_bad_corners_on_the_page_name_the_field(files, as_user, coordinator, torpa):
    client = as_user(coordinator)
    response = upload(client, torpa, image_bytes(), north="58.360")
    assert response.status_code == 422
    assert 'href="#field-north"' in response.get_data(as_text=True)
    assert stored(files) == []


def test_corners_alone_move_the_present_map(files, as_user, coordinator, torpa):
    client = as_user(coordinator)
    upload(client, torpa, image_bytes())
    response = upload(client, torpa, None, north="58.390")
    assert response.status_code == 303
    db.session.refresh(torpa)
    assert torpa.map_north == 58.39 and torpa.map_version == 1


def test_the_page_in_swedish(files, as_user, coordinator, torpa):
    client = as_user(coordinator)
    page = client.get(f"/areas/{torpa.id}/map?lang=sv").get_data(as_text=True)
    assert "Karta över Torpa" in page
    assert "Ladda upp kartan" in page


def test_removing_the_map_on_the_page(files, as_user, coordinator, torpa):
    client = as_user(coordinator)
    upload(client, torpa, image_bytes())
    token = csrf_token_from(client.get(f"/areas/{torpa.id}/map").get_data(as_text=True))
    response = client.post(f"/areas/{torpa.id}/map/remove", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(torpa)
    assert torpa.map_key is None and stored(files) == []


def test_staff_get_nothing_of_the_map_pages(files, as_user, staff, torpa):
    client = as_user(staff)
    assert client.get(f"/areas/{torpa.id}/map").status_code == 403
    token = csrf_token_from(client.get("/account").get_data(as_text=True))
    form = {"csrf_token": token, **TORPA, "image": (io.BytesIO(image_bytes()), "m.png")}
    assert client.post(f"/areas/{torpa.id}/map", data=form).status_code == 403
    assert (
        client.post(f"/areas/{torpa.id}/map/remove", data={"csrf_token": token}).status_code == 403
    )
    assert client.get("/areas").status_code == 403
    assert stored(files) == []


def test_signed_out_the_map_pages_send_to_sign_in(client, torpa):
    for method, url in (
        ("GET", f"/areas/{torpa.id}/map"),
        ("POST", f"/areas/{torpa.id}/map"),
        ("POST", f"/areas/{torpa.id}/map/remove"),
        ("POST", f"/areas/{torpa.id}/map/tiles"),
        ("GET", f"/areas/{torpa.id}/map-1.png"),
    ):
        response = client.open(url, method=method)
        assert response.status_code in (302, 303, 400), (method, url)
        if method == "GET":
            assert "/sign-in" in response.headers["Location"]


def test_coordinators_see_the_areas_with_their_maps_but_change_nothing_else(
    as_user, coordinator, torpa
):
    page = as_user(coordinator).get("/areas").get_data(as_text=True)
    assert f'href="/areas/{torpa.id}/map"' in page
    assert "/rename" not in page and "Add an area" not in page


def test_only_admins_set_the_tile_server(as_user, coordinator, admin, org, torpa, app):
    client = as_user(coordinator)
    token = csrf_token_from(client.get(f"/areas/{torpa.id}/map").get_data(as_text=True))
    assert "Save the tile server" not in client.get(f"/areas/{torpa.id}/map").get_data(as_text=True)
    form = {
        "csrf_token": token,
        "tile_url": "https://tiles.example.org/{z}/{x}/{y}.png",
        "tile_attribution": "© Tiles",
    }
    assert client.post(f"/areas/{torpa.id}/map/tiles", data=form).status_code == 403
    admin_client = signed_in(app, admin)
    form["csrf_token"] = csrf_token_from(
        admin_client.get(f"/areas/{torpa.id}/map").get_data(as_text=True)
    )
    bad = admin_client.post(f"/areas/{torpa.id}/map/tiles", data={**form, "tile_attribution": ""})
    assert bad.status_code == 422 and "whose map" in bad.get_data(as_text=True)
    assert admin_client.post(f"/areas/{torpa.id}/map/tiles", data=form).status_code == 303
    db.session.refresh(org)
    assert org.tile_url == "https://tiles.example.org/{z}/{x}/{y}.png"


def test_the_tile_server_is_let_in_only_on_pages_with_maps(as_user, coordinator, org, torpa):
    org.tile_url, org.tile_attribution = "https://tiles.example.org/{z}/{x}/{y}.png", "© T"
    db.session.commit()
    client = as_user(coordinator)
    policy = client.get(f"/areas/{torpa.id}/map").headers["Content-Security-Policy"]
    assert "img-src 'self' data: blob: https://tiles.example.org;" in policy
    other = client.get("/areas").headers["Content-Security-Policy"]
    assert "tiles.example.org" not in other


def test_the_public_image_is_served_by_the_points_area_and_kept_a_year(
    files, app, coordinator, torpa, make_questionnaire, make_point
):
    point = make_point(make_questionnaire(coordinator.organisation), area="Torpa")
    set_area_map(torpa, image_bytes("JPEG"), *CORNERS, coordinator)
    client = app.test_client()
    response = client.get(f"/f/{point.token}/map-1.jpg")
    assert response.status_code == 200
    assert response.mimetype == "image/jpeg"
    assert response.headers["Cache-Control"] == IMMUTABLE
    assert "Set-Cookie" not in response.headers and "Cookie" not in response.headers.get("Vary", "")
    Image.open(io.BytesIO(response.data)).verify()
    for url in (
        f"/f/{point.token}/map-2.jpg",  # not yet
        f"/f/{point.token}/map-0.jpg",  # an old version
        f"/f/{point.token}/map-1.png",  # another format
        f"/f/{'x' * len(point.token)}/map-1.jpg",
    ):
        assert client.get(url).status_code == 404, url
    set_area_map(torpa, image_bytes("JPEG"), *CORNERS, coordinator)
    assert client.get(f"/f/{point.token}/map-1.jpg").status_code == 404
    assert client.get(f"/f/{point.token}/map-2.jpg").status_code == 200


def test_a_point_in_an_area_without_a_map_has_no_map_image(
    files, app, coordinator, torpa, make_questionnaire, make_point
):
    point = make_point(make_questionnaire(coordinator.organisation), area="Sanden")
    set_area_map(torpa, image_bytes("JPEG"), *CORNERS, coordinator)
    assert app.test_client().get(f"/f/{point.token}/map-1.jpg").status_code == 404


def test_the_signed_in_image_is_for_the_organisations_staff(
    files, app, coordinator, staff, other_coordinator, torpa
):
    set_area_map(torpa, image_bytes(), *CORNERS, coordinator)
    url = f"/areas/{torpa.id}/map-1.png"
    assert signed_in(app, staff).get(url).status_code == 200
    assert signed_in(app, other_coordinator).get(url).status_code == 404
    assert app.test_client().get(url).status_code == 302


def test_a_form_template_gets_its_points_map_by_name(
    app, files, coordinator, torpa, make_questionnaire, make_point
):
    point = make_point(make_questionnaire(coordinator.organisation), area="Torpa")
    set_area_map(torpa, image_bytes(), *CORNERS, coordinator)
    with app.test_request_context():
        html = app.jinja_env.from_string(
            '{% from "walks/_area_map.html" import area_map_data %}'
            '<div data-map="{{ area_map_data(point_map_config(point)) }}"></div>'
        ).render(point=point)
    assert f"&#34;image&#34;: &#34;/f/{point.token}/map-1.png&#34;" in html
    assert "&#34;placeAtCentre&#34;" in html
