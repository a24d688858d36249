"""Saved-queue files sealed for the organisation: only its coordinators can upload them."""

import json
import uuid

import pytest
import sqlalchemy as sa

from surveyservice.accounts.keys import public_key, seal
from surveyservice.accounts.models import OrganisationKey
from surveyservice.collection.models import Response
from surveyservice.extensions import db
from surveyservice.request_limits import SAVED_FILE_BYTES, SAVED_QUEUE_BYTES

from .conftest import csrf_token_from
from .test_batch_and_staff import upload


def upload_again(client, content: bytes):
    import io

    token = csrf_token_from(client.get("/collection-points/import").get_data(as_text=True))
    return client.post(
        "/collection-points/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "queue.json")},
        content_type="multipart/form-data",
    )


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


def queue(point, texts):
    return json.dumps(
        {
            "format": "surveyservice-outbox",
            "version": 1,
            "responses": [
                {
                    "id": str(uuid.uuid4()),
                    "token": point.token,
                    "version": 1,
                    "language": "sv",
                    "channel": "staff",
                    "answers": {"safe_now": "unsafe", "why_unsafe": text},
                }
                for text in texts
            ],
        }
    ).encode()


def sealed_for(org, content: bytes) -> bytes:
    return json.dumps(seal(public_key(org.id), content)).encode()


def stored_texts():
    db.session.expire_all()
    return sorted(
        r.answers["why_unsafe"] for r in db.session.execute(sa.select(Response)).scalars()
    )


def test_a_sealed_file_is_opened_and_stored_masked(client, auth, coordinator, org, point):
    content = sealed_for(org, queue(point, ["Ring 070-123 45 67", "Mörkt vid bron"]))
    assert b"070-123" not in content and b"bron" not in content
    page = upload(client, auth, coordinator, content).get_data(as_text=True)
    assert "2 stored now" in page
    assert stored_texts() == ["Mörkt vid bron", "Ring [telefonnummer]"]


def test_a_file_sealed_for_another_organisation_is_refused(
    client, auth, coordinator, org, other_org, point
):
    public_key(org.id)
    content = sealed_for(other_org, queue(point, ["Mörkt"]))
    page = upload(client, auth, coordinator, content).get_data(as_text=True)
    assert "sealed for another organisation" in page
    assert stored_texts() == []


@pytest.mark.parametrize("part", ["ciphertext", "wrapped_key", "iv"])
def test_a_changed_or_damaged_file_is_refused_whole(client, auth, coordinator, org, point, part):
    document = seal(public_key(org.id), queue(point, ["Mörkt", "Ljust"]))
    raw = bytearray(document[part].encode())
    raw[5] = ord("A") if raw[5] != ord("A") else ord("B")
    document[part] = raw.decode()
    page = upload(client, auth, coordinator, json.dumps(document).encode()).get_data(as_text=True)
    assert "damaged" in page
    assert stored_texts() == []
    document[part] = "not base64!"
    page = upload_again(client, json.dumps(document).encode()).get_data(as_text=True)
    assert f"its {part} is missing or not base64" in page


def test_a_new_secret_key_makes_earlier_files_unreadable_and_says_so(
    app, client, auth, coordinator, org, point, monkeypatch
):
    content = sealed_for(org, queue(point, ["Mörkt"]))
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-with-enough-characters-99")
    page = upload(client, auth, coordinator, content).get_data(as_text=True)
    assert "SECRET_KEY has changed" in page
    assert stored_texts() == []


def test_after_a_new_secret_key_new_files_open_and_old_ones_say_why_not(
    app, client, auth, coordinator, org, point, monkeypatch
):
    before = sealed_for(org, queue(point, ["Före bytet"]))
    monkeypatch.setitem(app.config, "SECRET_KEY", "another-secret-key-with-enough-characters-99")
    # The kiosk page after the change carries a new key, and files sealed with it open.
    after = sealed_for(org, queue(point, ["Efter bytet"]))
    assert json.loads(after)["key_id"] != json.loads(before)["key_id"]
    page = upload(client, auth, coordinator, after).get_data(as_text=True)
    assert "1 stored now" in page
    page = upload_again(client, before).get_data(as_text=True)
    assert "SECRET_KEY has changed" in page
    assert stored_texts() == ["Efter bytet"]


def test_the_private_key_is_kept_encrypted_and_made_once(app, org):
    first = public_key(org.id)
    assert public_key(org.id) == first
    (row,) = db.session.execute(sa.select(OrganisationKey)).scalars()
    assert "ENCRYPTED PRIVATE KEY" in row.private_pem
    assert row.key_id == first.key_id


def test_a_sealed_file_holding_more_than_a_queue_may_is_refused(
    client, auth, coordinator, org, point
):
    padding = "x" * 1000
    each = len(queue(point, [padding] * 2)) - len(queue(point, [padding]))
    content = queue(point, [padding] * (SAVED_QUEUE_BYTES // each + 5))
    sealed = sealed_for(org, content)
    assert len(content) > SAVED_QUEUE_BYTES and len(sealed) <= SAVED_FILE_BYTES
    page = upload(client, auth, coordinator, sealed).get_data(as_text=True)
    assert "too large to be a saved queue" in page
    assert stored_texts() == []


@pytest.mark.parametrize(
    "hostile", [{"id": "\ud800"}, {"answers": {"\ud800": "x"}}, {"language": "s\x00v"}]
)
def test_a_file_holding_unstorable_text_is_refused_whole(
    client, auth, coordinator, org, point, hostile
):
    document = json.loads(queue(point, ["Mörkt", "Ljust"]))
    document["responses"][1].update(hostile)
    content = json.dumps(document).encode()
    response = upload(client, auth, coordinator, sealed_for(org, content))
    assert response.status_code == 200
    assert "characters the service never stores" in response.get_data(as_text=True)
    assert "responses[1]" in response.get_data(as_text=True)
    assert stored_texts() == []
