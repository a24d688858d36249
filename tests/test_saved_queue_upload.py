"""A coordinator's upload of a tablet's saved queue: stored in chunks, each answer once,
and a page that says exactly what was stored, even when the upload stops part-way."""

import io
import json
import re
import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.collection import intake
from surveyservice.collection.models import Response
from surveyservice.database import utcnow
from surveyservice.extensions import db

from .conftest import csrf_token_from


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 50, so that a few hundred answers span several transactions."""
    monkeypatch.setattr(intake, "CHUNK_SIZE", 50)


def saved(point, count: int = 1, **overrides) -> list[dict]:
    recorded = (utcnow() - timedelta(minutes=5)).isoformat()
    return [
        {
            "id": str(uuid.uuid4()),
            "token": point.token,
            "version": 1,
            "language": "sv",
            "channel": "staff",
            "recorded_at": recorded,
            "answers": {"safe_now": "safe"},
            **overrides,
        }
        for _ in range(count)
    ]


def upload(client, items: list) -> str:
    page = client.get("/collection-points/import?lang=en").get_data(as_text=True)
    document = {"format": "surveyservice-outbox", "version": 1, "responses": items}
    response = client.post(
        "/collection-points/import",
        data={
            "csrf_token": csrf_token_from(page),
            "file": (io.BytesIO(json.dumps(document).encode()), "queue.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    return response.get_data(as_text=True)


def counts(page: str) -> dict[str, int]:
    return {name: int(n) for n, name in re.findall(r'data-value="(\d+)" data-count="(\w+)"', page)}


def stored_ids() -> set[str]:
    db.session.expire_all()
    return {str(i) for i in db.session.execute(sa.select(Response.id)).scalars()}


@pytest.fixture
def signed_in(client, auth, coordinator):
    auth.login(coordinator.email)
    return client


def test_upload_stores_a_few_hundred_once_and_again_stores_nothing_new(
    signed_in, point, small_chunks
):
    items = saved(point, 230)
    page = upload(signed_in, items)
    assert counts(page) == {
        "stored": 230,
        "stored_before": 0,
        "refused": 0,
        "unprocessed": 0,
        "total": 230,
    }
    assert "230 stored now, 0 stored before, 0 not accepted." in page
    assert "stopped" not in page
    assert stored_ids() == {i["id"] for i in items}
    again = upload(signed_in, items)
    assert counts(again)["stored"] == 0
    assert counts(again)["stored_before"] == 230
    assert len(stored_ids()) == 230


def test_upload_stores_the_good_answers_and_lists_the_bad_with_reasons(signed_in, point):
    stored_before = saved(point)[0]
    assert counts(upload(signed_in, [stored_before]))["stored"] == 1
    good = saved(point, 3)
    # Free text in a file is a resident's answer too: screened before it is stored.
    good[0]["answers"] = {"safe_now": "unsafe", "why_unsafe": "Ring 070-123 45 67"}
    items = [
        good[0],
        {**stored_before, "answers": {"safe_now": "unsafe"}},
        good[1],
        *saved(point, 2, answers={"safe_now": "maybe"}),
        {**saved(point)[0], "token": "zzzzzzzzzzzzzzzz"},
        {"id": "not-a-uuid"},
        "nonsense",
        good[2],
        good[2],
        stored_before,
    ]
    page = upload(signed_in, items)
    assert counts(page) == {
        "stored": 3,
        "stored_before": 2,
        "refused": 6,
        "unprocessed": 0,
        "total": 11,
    }
    assert stored_ids() == {stored_before["id"], *(g["id"] for g in good)}
    assert "Some answers have problems. answers.safe_now: Expected one of: safe, unsafe." in page
    assert f"A different response with the id {stored_before['id']} is already stored." in page
    assert "No collection point has this address" in page
    assert "not-a-uuid" in page
    masked = db.session.get(Response, uuid.UUID(good[0]["id"]))
    assert "070-123 45 67" not in masked.answers["why_unsafe"]


def test_upload_stopped_by_its_time_budget_says_what_is_stored_and_again_stores_the_rest(
    signed_in, point, small_chunks, monkeypatch
):
    items = saved(point, 120)
    monkeypatch.setattr(intake, "SAVED_QUEUE_SECONDS", 0)
    page = upload(signed_in, items)
    assert counts(page) == {
        "stored": 50,
        "stored_before": 0,
        "refused": 0,
        "unprocessed": 70,
        "total": 120,
    }
    assert "The upload stopped before the end: it took too long." in page
    assert "50 of 120 answers are dealt with" in page
    assert "Upload the same file again to store the rest" in page
    assert stored_ids() == {i["id"] for i in items[:50]}
    monkeypatch.setattr(intake, "SAVED_QUEUE_SECONDS", 20)
    again = upload(signed_in, items)
    assert counts(again) == {
        "stored": 70,
        "stored_before": 50,
        "refused": 0,
        "unprocessed": 0,
        "total": 120,
    }
    assert stored_ids() == {i["id"] for i in items}


def test_database_error_part_way_keeps_whole_chunks_only_and_again_stores_the_rest(
    signed_in, point, small_chunks, monkeypatch
):
    items = saved(point, 120)
    real_submit = intake.submit
    calls = []

    def failing_submit(*args, **kwargs):
        calls.append(1)
        if len(calls) == 75:
            # A real database error in the middle of the second chunk, after the rows
            # before it in that chunk went to the database with the query's autoflush.
            db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return real_submit(*args, **kwargs)

    monkeypatch.setattr(intake, "submit", failing_submit)
    page = upload(signed_in, items)
    assert counts(page) == {
        "stored": 50,
        "stored_before": 0,
        "refused": 0,
        "unprocessed": 70,
        "total": 120,
    }
    assert "the database could not store the next answers" in page
    assert "50 of 120 answers are dealt with" in page
    assert stored_ids() == {i["id"] for i in items[:50]}
    monkeypatch.setattr(intake, "submit", real_submit)
    again = upload(signed_in, items)
    assert counts(again)["stored"] == 70
    assert counts(again)["stored_before"] == 50
    assert stored_ids() == {i["id"] for i in items}


def test_an_answer_another_request_stores_meanwhile_counts_as_stored_before(
    signed_in, point, monkeypatch
):
    # The same answers, so the same fingerprint: only the ids differ.
    first, second, third = saved(point, 3)
    assert counts(upload(signed_in, [first]))["stored"] == 1
    row = db.session.execute(sa.select(Response.__table__)).mappings().one()
    real_submit = intake.submit
    done = []

    def submit_during_another_upload(point, version, sub, *args, **kwargs):
        if str(sub.id) == second["id"] and not done:
            # Another request stores it after this chunk looked for stored ids.
            with db.engine.begin() as connection:
                connection.execute(sa.insert(Response.__table__).values({**row, "id": sub.id}))
            done.append(sub.id)
        return real_submit(point, version, sub, *args, **kwargs)

    monkeypatch.setattr(intake, "submit", submit_during_another_upload)
    page = upload(signed_in, [first, second, third])
    assert done
    assert counts(page) == {
        "stored": 1,
        "stored_before": 2,
        "refused": 0,
        "unprocessed": 0,
        "total": 3,
    }
    assert stored_ids() == {first["id"], second["id"], third["id"]}
