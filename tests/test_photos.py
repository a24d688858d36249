"""Photos of places: uploaded by staff once per id, stored as a new JPEG without any
metadata, served to the organisation's staff only, deleted by coordinators."""

from __future__ import annotations

import io
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from surveyservice.audit.models import AuditEntry
from surveyservice.collection.models import Response
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.request_limits import PHOTO_BYTES
from surveyservice.storage import storage
from surveyservice.walks.models import Photo
from surveyservice.walks.photos import prune_unclaimed, store_photo

from .conftest import csrf_token_from, make_user
from .images import (
    GPS_LATITUDE,
    MAKE,
    MODEL,
    RED,
    TAKEN_AT,
    encoded,
    exiftool,
    heic_like,
    metadata_groups,
    noisy_photo,
    pdf_document,
    photo_with_metadata,
    pillow_metadata,
    png_bomb,
)
from .test_walk_recording import stop, walk, walk_definition


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


def upload_url(point, photo_id) -> str:
    return f"/api/v1/collect/{point.token}/photos/{photo_id}"


def put(client, point, data: bytes, photo_id=None, **kwargs):
    photo_id = photo_id or uuid.uuid4()
    headers = {"Content-Type": "image/jpeg", **kwargs.pop("headers", {})}
    return client.put(upload_url(point, photo_id), data=data, headers=headers, **kwargs)


def photos() -> list[Photo]:
    db.session.expire_all()
    return db.session.execute(sa.select(Photo)).scalars().all()


def stored_files(app) -> list[Path]:
    root = Path(app.config["FILE_STORAGE_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file())


def signed_in(app, user):
    """A browser-like client signed in as ``user``, and its CSRF token."""
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post(
        "/sign-in",
        data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
    )
    return client, csrf_token_from(client.get("/account").get_data(as_text=True))


# --- what is stored ------------------------------------------------------------------


def test_photo_is_stored_upright_and_without_any_metadata(app, api_as, staff, point, tmp_path):
    # Held sideways: the camera stored it 2000 × 1500 with "turn 90° clockwise" in EXIF.
    original = photo_with_metadata(orientation=6)
    before = pillow_metadata(original)
    exif = Image.open(io.BytesIO(original)).getexif()
    assert exif[0x010F] == MAKE and exif[0x0110] == MODEL
    assert exif.get_ifd(0x8769)[0x9003] == TAKEN_AT
    assert exif.get_ifd(0x8825)[2] == GPS_LATITUDE
    assert {"exif", "icc_profile", "xmp", "comment"} <= set(before)
    tags = exiftool(original, tmp_path)
    assert tags["IFD0:Make"] == MAKE
    assert tags["ExifIFD:DateTimeOriginal"] == TAKEN_AT
    assert tags["GPS:GPSLatitudeRef"] == "North"
    assert "XMP-dc:Creator" in tags and "File:Comment" in tags
    assert {"IFD0", "ExifIFD", "GPS", "ICC_Profile"} <= metadata_groups(tags)

    photo_id = uuid.uuid4()
    response = put(api_as(staff), point, original, photo_id)
    assert response.status_code == 201, response.json
    body = response.json
    assert body["id"] == str(photo_id)
    assert body["url"] == f"/photos/{photo_id}.jpg"
    # Upright, and scaled to the longest side of 1600 pixels.
    assert (body["width"], body["height"]) == (1200, 1600)
    assert body["uploaded_at"].endswith(":00:00+00:00")
    assert body["deleted"] is False

    (row,) = photos()
    assert row.id == photo_id and row.organisation_id == point.organisation_id
    assert row.collection_point_id == point.id and row.response_id is None
    assert row.storage_key == f"photos/{photo_id}.jpg"
    assert row.uploaded_at.minute == row.uploaded_at.second == row.uploaded_at.microsecond == 0
    kept = storage().get(row.storage_key)
    assert row.size == len(kept)

    client, _ = signed_in(app, staff)
    served = client.get(body["url"])
    assert served.status_code == 200
    assert served.data == kept
    for data in (kept, served.data):
        assert pillow_metadata(data) == {}
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG" and image.mode == "RGB" and image.size == (1200, 1600)
        # The red corner, top left as stored, is top right once turned upright.
        assert _near(image.getpixel((1150, 50)), RED)
        assert not _near(image.getpixel((50, 50)), RED)
        tags = exiftool(data, tmp_path)
        assert metadata_groups(tags) == set(), tags
        # The System group is the file on this disk (its dates): nothing of the photo.
        about_photo = [k for k in tags if not k.startswith(("System:", "ExifTool:"))]
        leaks = [
            k
            for k in about_photo
            if any(w in k for w in ("GPS", "Make", "Model", "Date", "Comment", "ICC"))
        ]
        assert leaks == []
        assert not any(MAKE in str(v) or "Anna" in str(v) for v in tags.values())


def _near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


@pytest.mark.parametrize(
    ("fmt", "image", "params"),
    [
        ("PNG", Image.new("RGBA", (300, 200), (0, 0, 0, 0)), {}),
        ("PNG", Image.new("I;16", (300, 200), 40000), {}),
        ("WEBP", Image.new("RGB", (300, 200), RED), {}),
        (
            "GIF",
            Image.new("RGB", (300, 200), RED),
            {"save_all": True, "append_images": [Image.new("RGB", (300, 200), (0, 0, 255))]},
        ),
        ("JPEG", Image.new("CMYK", (300, 200), (0, 255, 255, 0)), {}),
    ],
    ids=["png-transparent", "png-16-bit", "webp", "gif-animated", "jpeg-cmyk"],
)
def test_other_image_formats_are_stored_as_rgb_jpeg(api_as, staff, point, fmt, image, params):
    response = put(api_as(staff), point, encoded(image, fmt, **params))
    assert response.status_code == 201, response.json
    stored = Image.open(io.BytesIO(storage().get(photos()[0].storage_key)))
    assert (stored.format, stored.mode, stored.size) == ("JPEG", "RGB", (300, 200))
    pixel = stored.getpixel((150, 100))
    expected = {
        "png-transparent": (255, 255, 255),  # transparency on white, not black
        "png-16-bit": (155, 155, 155),  # 40000 of 65535, not clipped to white
    }
    if fmt in ("WEBP", "GIF", "JPEG"):
        # The first frame of an animation; CMYK's cyan-free magenta-yellow is red.
        assert _near(pixel, RED if fmt != "JPEG" else (255, 0, 0))
    else:
        kind = "png-transparent" if image.mode == "RGBA" else "png-16-bit"
        assert _near(pixel, expected[kind], tolerance=3)


def test_a_photo_larger_than_other_requests_is_taken(app, api_as, staff, point):
    data = noisy_photo()
    assert app.config["MAX_CONTENT_LENGTH"] < len(data) < PHOTO_BYTES
    assert put(api_as(staff), point, data).status_code == 201


# --- stored once -----------------------------------------------------------------------


def test_the_same_photo_again_is_stored_once(app, api_as, staff, point):
    api = api_as(staff)
    data, photo_id = photo_with_metadata(), uuid.uuid4()
    first = put(api, point, data, photo_id)
    again = put(api, point, data, photo_id)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json == first.json
    assert len(photos()) == 1 and len(stored_files(app)) == 1


def test_other_bytes_under_the_same_id_are_refused_and_the_first_kept(app, api_as, staff, point):
    api = api_as(staff)
    photo_id = uuid.uuid4()
    put(api, point, photo_with_metadata(), photo_id)
    kept = storage().get(f"photos/{photo_id}.jpg")
    other = put(api, point, photo_with_metadata(size=(800, 600)), photo_id)
    assert other.status_code == 409
    assert other.json["message"] == f"A different photo with the id {photo_id} is already stored."
    assert storage().get(f"photos/{photo_id}.jpg") == kept
    assert len(photos()) == 1


def test_the_same_id_at_another_point_is_refused(
    api_as, staff, point, make_questionnaire, make_point, org, other_org
):
    api = api_as(staff)
    data, photo_id = photo_with_metadata(), uuid.uuid4()
    assert put(api, point, data, photo_id).status_code == 201
    elsewhere = make_point(point.questionnaire, name="Torpaskolan", area="Torpa")
    assert put(api, elsewhere, data, photo_id).status_code == 409
    # Another organisation's staff learn nothing of it either: their own point, a conflict.
    theirs = make_point(make_questionnaire(other_org, slug="deras"))
    intruder = api_as(make_user(other_org, "staff"))
    assert put(intruder, theirs, data, photo_id).status_code == 409
    assert len(photos()) == 1


def test_a_failed_commit_leaves_no_file(app, staff, point, monkeypatch):
    def fail():
        raise sa.exc.OperationalError("COMMIT", {}, Exception("the disk is full"))

    monkeypatch.setattr(db.session, "commit", fail)
    with pytest.raises(sa.exc.OperationalError):
        store_photo(point, uuid.uuid4(), photo_with_metadata())
    monkeypatch.undo()
    assert photos() == [] and stored_files(app) == []


@pytest.mark.parametrize("same_bytes", [True, False], ids=["same-bytes", "other-bytes"])
def test_an_upload_racing_another_of_the_same_id_never_overwrites_its_file(
    app, point, monkeypatch, same_bytes
):
    """Two tries of one upload at once (a retry after a cut connection): the one that
    stores its row first wins; the other finds it and never touches the file."""
    from surveyservice.walks import photos as photos_module
    from surveyservice.walks.photos import PhotoRefused, storage_key, upload_hash

    photo_id = uuid.uuid4()
    data = photo_with_metadata()
    winners = data if same_bytes else photo_with_metadata(size=(640, 480))
    real_reencode = photos_module.reencode

    def other_request_stores_first(*args, **kwargs):
        result = real_reencode(*args, **kwargs)
        # The other request, on a connection of its own, commits its row and file now.
        storage().put(storage_key(photo_id), b"the winner's file")
        with db.engine.begin() as connection:
            connection.execute(
                sa.insert(Photo).values(
                    id=photo_id,
                    organisation_id=point.organisation_id,
                    collection_point_id=point.id,
                    upload_hash=upload_hash(winners),
                    storage_key=storage_key(photo_id),
                    width=1,
                    height=1,
                    size=17,
                    uploaded_at=utcnow().replace(minute=0, second=0, microsecond=0),
                )
            )
        return result

    monkeypatch.setattr(photos_module, "reencode", other_request_stores_first)
    if same_bytes:
        photo, created = store_photo(point, photo_id, data)
        assert (photo.id, photo.size, created) == (photo_id, 17, False)
    else:
        with pytest.raises(PhotoRefused) as refused:
            store_photo(point, photo_id, data)
        assert refused.value.status == 409
    assert len(photos()) == 1
    assert storage().get(storage_key(photo_id)) == b"the winner's file"


# --- what is refused -------------------------------------------------------------------


def _cut(data: bytes) -> bytes:
    return data[: len(data) * 2 // 3]


REFUSED = [
    ("pdf-named-jpg", pdf_document, 422, "PDF document"),
    ("random-bytes", lambda: bytes(range(256)) * 40, 422, "not an image"),
    ("empty", lambda: b"", 422, "empty"),
    ("truncated-jpeg", lambda: _cut(photo_with_metadata()), 422, "incomplete"),
    ("decompression-bomb", png_bomb, 422, "at most 50 million pixels"),
    # Under Pillow's own limit, over the service's: refused from the header alone.
    ("too-many-pixels", lambda: png_bomb(9000, 9000), 422, "9000 × 9000 pixels"),
    ("heic", heic_like, 422, "take photos as JPEG"),
    ("tiff", lambda: encoded(Image.new("RGB", (40, 30)), "TIFF"), 422, "TIFF image"),
    ("oversized", lambda: noisy_photo() * 4, 413, "at most 8 MB is accepted"),
]


@pytest.mark.parametrize(
    ("make_body", "status", "said"),
    [r[1:] for r in REFUSED],
    ids=[r[0] for r in REFUSED],
)
def test_what_is_not_a_usable_image_is_refused_and_nothing_stored(
    app, api_as, staff, point, make_body, status, said
):
    body = make_body()
    response = put(
        api_as(staff),
        point,
        body,
        headers={"Content-Type": "image/jpeg", "Content-Disposition": 'inline; filename="a.jpg"'},
    )
    assert response.status_code == status, response.json
    assert said in response.json["message"]
    assert photos() == [] and stored_files(app) == []


def test_a_body_too_large_is_refused_with_its_size(api_as, staff, point):
    response = put(api_as(staff), point, b"\xff" * (PHOTO_BYTES + 1))
    assert response.status_code == 413
    assert response.json["message"] == "The photo is 8.0 MB; at most 8 MB is accepted."
    assert photos() == []


def test_the_problem_is_named_by_a_code(api_as, staff, point):
    response = put(api_as(staff), point, heic_like())
    assert response.json["errors"] == {"body": {"image": ["unsupported"]}}
    assert put(api_as(staff), point, png_bomb()).json["errors"] == {
        "body": {"image": ["too_many_pixels"]}
    }


def test_a_malformed_photo_id_is_not_found(api_as, staff, point):
    response = api_as(staff).put(upload_url(point, "not-a-uuid"), data=photo_with_metadata())
    assert response.status_code == 404


# --- who may upload ---------------------------------------------------------------------


def test_signed_out_and_resident_uploads_are_refused(client, point):
    data = photo_with_metadata()
    signed_out = put(client, point, data)
    assert signed_out.status_code == 401
    assert "Sign in again" in signed_out.json["message"]
    # What a resident's phone could send: a made-up CSRF header proves nothing.
    resident = put(client, point, data, headers={"X-CSRFToken": "made-up"})
    assert resident.status_code == 401
    assert put(client, point, data, headers={"Authorization": "Bearer nonsense"}).status_code == 401
    assert photos() == []


def test_a_session_needs_the_csrf_header(app, staff, point):
    client, token = signed_in(app, staff)
    data = photo_with_metadata()
    assert put(client, point, data).status_code == 400
    assert photos() == []
    assert put(client, point, data, headers={"X-CSRFToken": token}).status_code == 201


def test_another_organisations_staff_find_no_point(app, api_as, other_org, point):
    intruder = make_user(other_org, "staff")
    assert put(api_as(intruder), point, photo_with_metadata()).status_code == 404
    client, token = signed_in(app, intruder)
    response = put(client, point, photo_with_metadata(), headers={"X-CSRFToken": token})
    assert response.status_code == 404
    assert photos() == [] and stored_files(app) == []


def test_an_unknown_point_is_not_found(api_as, staff):
    response = api_as(staff).put(
        f"/api/v1/collect/{'a' * 12}/photos/{uuid.uuid4()}", data=photo_with_metadata()
    )
    assert response.status_code == 404


def test_photos_follow_the_points_opening_like_staff_answers(app, api_as, staff, point):
    api = api_as(staff)
    point.opens_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert put(api, point, photo_with_metadata()).status_code == 403
    # Closed a day ago: within the grace period for staff answers.
    point.opens_at = utcnow() - timedelta(days=2)
    point.closes_at = utcnow() - timedelta(days=1)
    db.session.commit()
    taken_late = uuid.uuid4()
    assert put(api, point, photo_with_metadata(), taken_late).status_code == 201
    point.opens_at = utcnow() - timedelta(days=12)
    point.closes_at = utcnow() - timedelta(days=app.config["CLOSED_GRACE_DAYS"] + 1)
    db.session.commit()
    closed = put(api, point, photo_with_metadata())
    assert closed.status_code == 410
    assert closed.json["message"] == "This collection point has closed and takes no more photos."
    # A retry of a photo stored before is still answered as stored.
    assert put(api, point, photo_with_metadata(), taken_late).status_code == 200
    assert len(photos()) == 1


# --- seeing and deleting -----------------------------------------------------------------


@pytest.fixture
def stored(api_as, staff, point) -> Photo:
    response = put(api_as(staff), point, photo_with_metadata())
    assert response.status_code == 201
    return photos()[0]


def test_a_photo_is_served_to_the_organisations_staff_only(
    app, client, api_as, stored, staff, other_org
):
    url = f"/photos/{stored.id}.jpg"
    signed_out = client.get(url)
    assert signed_out.status_code == 302
    assert signed_out.headers["Location"].startswith("/sign-in")
    intruder, _ = signed_in(app, make_user(other_org, "admin"))
    assert intruder.get(url).status_code == 404
    ours, _ = signed_in(app, staff)
    served = ours.get(url)
    assert served.status_code == 200
    assert served.mimetype == "image/jpeg"
    assert served.headers["Cache-Control"] == "private, no-store"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert ours.get(f"/photos/{uuid.uuid4()}.jpg").status_code == 404
    # An API client (a GIS reading the observations' links) sends its token.
    assert api_as(staff).get(url).data == served.data
    assert api_as(make_user(other_org, "admin")).get(url).status_code == 404
    assert ours.get("/photos/not-a-uuid.jpg").status_code == 404


def test_a_coordinator_deletes_a_photo_for_good(app, api_as, stored, staff, coordinator, point):
    url = f"/api/v1/photos/{stored.id}"
    assert api_as(staff).delete(url).status_code == 403
    response = api_as(coordinator).delete(url)
    assert response.status_code == 204
    (row,) = photos()
    assert row.deleted_at is not None and row.deleted_by_id == coordinator.id
    assert row.storage_key is None
    assert stored_files(app) == []
    (entry,) = db.session.execute(sa.select(AuditEntry).filter_by(action="photo.deleted")).scalars()
    assert entry.subject == str(stored.id)
    assert entry.details == {"collection_point": f"{point.id} {point.name}"}
    # Deleting again changes nothing and logs nothing more.
    assert api_as(coordinator).delete(url).status_code == 204
    count = sa.select(sa.func.count()).select_from(AuditEntry).filter_by(action="photo.deleted")
    assert db.session.execute(count).scalar() == 1
    # Not served any more, and a tablet retrying its upload does not bring it back.
    client, _ = signed_in(app, coordinator)
    assert client.get(f"/photos/{stored.id}.jpg").status_code == 410
    data = photo_with_metadata()
    retry = put(api_as(staff), point, data, stored.id)
    assert retry.status_code == 200 and retry.json["deleted"] is True
    assert stored_files(app) == []


def test_the_delete_form_goes_back_to_a_page_of_this_site_only(app, stored, coordinator, staff):
    url = f"/photos/{stored.id}/delete"
    as_staff, token = signed_in(app, staff)
    assert as_staff.post(url, data={"csrf_token": token}).status_code == 403
    client, token = signed_in(app, coordinator)
    assert client.post(url, data={"next": "/start"}).status_code == 400  # no CSRF token
    assert photos()[0].deleted_at is None
    back = client.post(url, data={"csrf_token": token, "next": "/collection-points?area=1"})
    assert back.status_code == 302
    assert back.headers["Location"] == "/collection-points?area=1"
    assert photos()[0].deleted_at is not None
    for elsewhere in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:x",
    ):
        response = client.post(url, data={"csrf_token": token, "next": elsewhere})
        assert response.headers["Location"] == "/start", elsewhere


# --- photos of walks never sent ------------------------------------------------------------


def test_photos_no_response_names_are_pruned_after_a_week(app, api_as, staff, point, runner):
    api = api_as(staff)
    old, named, recent = (uuid.uuid4() for _ in range(3))
    for photo_id in (old, named, recent):
        assert put(api, point, photo_with_metadata(), photo_id).status_code == 201
    answer = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "safe"},
    }
    assert api.post(f"/api/v1/collect/{point.token}/responses", json=answer).status_code == 201
    response = db.session.get(Response, uuid.UUID(answer["id"]))
    eight_days_ago = utcnow() - timedelta(days=8)
    for photo in photos():
        if photo.id in (old, named):
            photo.uploaded_at = eight_days_ago
        if photo.id == named:
            photo.response_id = response.id
    db.session.commit()

    result = runner.invoke(args=["photos", "prune"])
    assert result.exit_code == 0, result.output
    assert result.output == "Removed 1 photo no response named after 7 days.\n"
    assert {p.id for p in photos()} == {named, recent}
    assert storage().get(f"photos/{old}.jpg") is None
    assert storage().get(f"photos/{named}.jpg") and storage().get(f"photos/{recent}.jpg")
    assert prune_unclaimed(timedelta(days=7)) == 0


@pytest.fixture
def walk_point(org, make_point):
    from surveyservice.questionnaires.versions import create_questionnaire, publish_draft

    questionnaire = create_questionnaire(org, walk_definition())
    publish_draft(questionnaire)
    db.session.commit()
    return make_point(questionnaire, name="Vandring i Torpa", area="Torpa", kind="walk")


def test_a_walk_claims_the_photos_it_uploaded_first_and_they_are_kept(
    app, api_as, staff, walk_point
):
    api = api_as(staff)
    photo_ids = [str(uuid.uuid4()) for _ in range(2)]
    for photo_id in photo_ids:
        assert put(api, walk_point, photo_with_metadata(), photo_id).status_code == 201
    body = walk(stop(photo=photo_ids[:1]), stop(photo=photo_ids[1:]))
    response = api.post(f"/api/v1/collect/{walk_point.token}/responses", json=body)
    assert response.status_code == 201, response.json
    assert {str(p.response_id) for p in photos()} == {body["id"]}
    # Named by a response, they stay however old they are.
    assert prune_unclaimed(timedelta(0), now=utcnow() + timedelta(days=30)) == 0
    assert len(stored_files(app)) == 2
