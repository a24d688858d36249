"""Submitting answers: stored once, checked against the exact version, anonymous."""

import hashlib
import os
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.collection import ratelimit
from surveyservice.collection.models import AnswerItem, Response
from surveyservice.collection.ratelimit import RedisCounters
from surveyservice.database import utcnow
from surveyservice.extensions import db

from .conftest import make_definition


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


def body(**overrides):
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "unsafe", "why_unsafe": "Mörkt vid bryggan", "rating": 2},
        **overrides,
    }


def post(client, point, payload, **kwargs):
    return client.post(f"/api/v1/collect/{point.token}/responses", json=payload, **kwargs)


def stored_rows():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def test_a_valid_response_is_stored_once(client, point):
    payload = body()
    response = post(client, point, payload)
    assert response.status_code == 201
    assert response.json["id"] == payload["id"]
    assert response.json["answers"] == payload["answers"]
    assert response.json["channel"] == "resident"
    (row,) = stored_rows()
    assert str(row.id) == payload["id"]
    assert row.version.number == 1
    assert row.language == "sv"
    assert row.answers == payload["answers"]


def test_the_fingerprint_a_replay_is_checked_against_is_canonical_json(client, point):
    # Stored with each response and compared on every retry: a tablet may send again
    # after the service was upgraded, so the form must never change. Keys sorted,
    # ", " and ": " between items, non-ASCII escaped.
    payload = body()
    assert post(client, point, payload).status_code == 201
    (row,) = stored_rows()
    canonical = (
        f'[{point.id}, {row.version_id}, "sv", "resident", '
        '{"rating": 2, "safe_now": "unsafe", "why_unsafe": "M\\u00f6rkt vid bryggan"}]'
    )
    assert row.content_hash == hashlib.sha256(canonical.encode("ascii")).hexdigest()


def test_the_same_id_and_content_again_is_a_replay(client, point):
    payload = body()
    first = post(client, point, payload)
    again = post(client, point, payload)
    assert again.status_code == 200
    assert again.json == first.json
    assert len(stored_rows()) == 1


def test_a_replay_or_conflict_runs_no_statement_the_database_refuses(client, point):
    """A retry at a flaky event finds its row without a failed INSERT: PostgreSQL
    writes every refused statement to its log as an ERROR."""
    refused = []

    def note(context):
        refused.append(context.original_exception)

    payload = body()
    assert post(client, point, payload).status_code == 201
    items = db.session.execute(sa.select(sa.func.count()).select_from(AnswerItem)).scalar_one()
    assert items > 0
    sa.event.listen(db.engine, "handle_error", note)
    try:
        assert post(client, point, payload).status_code == 200
        assert post(client, point, {**payload, "answers": {"safe_now": "safe"}}).status_code == 409
    finally:
        sa.event.remove(db.engine, "handle_error", note)
    assert refused == []
    (row,) = stored_rows()
    assert row.answers == payload["answers"]
    count = sa.select(sa.func.count()).select_from(AnswerItem)
    assert db.session.execute(count).scalar_one() == items


def test_the_same_id_with_other_content_is_a_conflict(client, point):
    payload = body()
    post(client, point, payload)
    other = post(client, point, {**payload, "answers": {"safe_now": "safe"}})
    assert other.status_code == 409
    assert payload["id"] in other.json["message"]
    assert stored_rows()[0].answers["safe_now"] == "unsafe"


def test_concurrent_retries_store_one_row(app, point):
    payload = body()
    url = f"/api/v1/collect/{point.token}/responses"

    def send(_):
        return app.test_client().post(url, json=payload).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(send, range(16)))
    assert sorted(set(codes)) in ([200, 201], [201])
    assert codes.count(201) == 1
    assert len(stored_rows()) == 1


def test_answers_are_checked_against_the_version_and_listed(client, point):
    response = post(
        client,
        point,
        body(answers={"safe_now": "safe", "why_unsafe": "x", "rating": 7, "extra": 1}),
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {
        "answers.extra": ["Unknown question."],
        "answers.rating": ["Expected at most 5."],
        "answers.why_unsafe": ["This question is hidden by its condition; leave it out."],
    }
    assert stored_rows() == []


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"id": "not-a-uuid"}, "id"),
        ({"version": "1"}, "version"),
        ({"language": None}, "language"),
        ({"answers": ["x"]}, "answers"),
    ],
)
def test_malformed_envelope_is_422(client, point, payload, field):
    response = post(client, point, body(**payload))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_unknown_version_and_language_are_refused(client, point):
    assert post(client, point, body(version=2)).json["errors"]["json"] == {
        "version": ["Unknown version."]
    }
    assert post(client, point, body(language="ar")).json["errors"]["json"] == {
        "language": ["Expected one of: sv, en."]
    }


def test_an_older_version_is_accepted_and_kept(client, api_as, coordinator, point):
    api = api_as(coordinator)
    changed = make_definition()
    changed["questions"].append({"id": "more", "type": "text", "label": "Mer"})
    api.put("/api/v1/questionnaires/sample/draft", json=changed)
    api.post("/api/v1/questionnaires/sample/draft/publish")
    assert post(client, point, body(version=1)).status_code == 201
    assert (
        post(client, point, body(version=2, answers={"safe_now": "safe", "more": "x"})).status_code
        == 201
    )
    assert sorted(r.version.number for r in stored_rows()) == [1, 2]


def test_closed_point_refuses_new_answers_but_replays_succeed(client, api_as, coordinator, point):
    early = body()
    post(client, point, early)
    api_as(coordinator).post(f"/api/v1/collection-points/{point.id}/close")
    refused = post(client, point, body())
    assert refused.status_code == 410
    assert refused.json["message"] == "This collection point has closed and takes no more answers."
    assert post(client, point, early).status_code == 200
    assert len(stored_rows()) == 1


def test_point_not_yet_open_refuses(client, org, make_questionnaire, make_point):
    point = make_point(make_questionnaire(org), opens_at=utcnow() + timedelta(hours=3))
    response = post(client, point, body())
    assert response.status_code == 403
    assert response.json["message"] == "This collection point has not opened yet."


def test_unknown_token_is_404(client, point):
    response = client.post("/api/v1/collect/aaaaaaaaaaaaaaaa/responses", json=body())
    assert response.status_code == 404
    assert "No collection point" in response.json["message"]


def test_huge_body_is_413_and_stores_nothing(client, point):
    payload = body(answers={"safe_now": "unsafe", "why_unsafe": "x" * 100_000})
    assert post(client, point, payload).status_code == 413
    assert stored_rows() == []


def test_nothing_identifying_is_stored(client, point):
    post(
        client,
        point,
        body(answers={"safe_now": "unsafe", "why_unsafe": "Ring mig 0701234567 eller a@b.se"}),
        headers={
            "User-Agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8)",
            "X-Forwarded-For": "203.0.113.9",
        },
        environ_base={"REMOTE_ADDR": "198.51.100.23"},
    )
    (row,) = stored_rows()
    everything = " ".join(
        str(value) for value in db.session.execute(sa.text("SELECT * FROM response")).one()
    )
    for secret in ("198.51.100.23", "203.0.113.9", "Pixel 8", "Mozilla", "0701234567", "a@b.se"):
        assert secret not in everything
    assert row.received_at.minute == row.received_at.second == row.received_at.microsecond == 0
    assert "Set-Cookie" not in client.get(f"/f/{point.token}").headers


def test_response_columns_hold_nothing_about_the_person(app):
    columns = {c.name for c in Response.__table__.columns}
    assert columns == {
        "id",
        "organisation_id",
        "collection_point_id",
        "version_id",
        "language",
        "channel",
        "received_at",
        "recorded_at",
        "answers",
        "content_hash",
    }


REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def redis_counters():
    import redis

    counters = RedisCounters(REDIS_URL, prefix=f"surveyservice-test:{uuid.uuid4().hex}:")
    try:
        counters.client.ping()
    except redis.ConnectionError:
        message = f"Redis is not running at {REDIS_URL}"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    return counters


@pytest.mark.parametrize("storage", ["database", "redis"])
def test_rate_limit_per_point_answers_429(app, client, point, monkeypatch, storage):
    if storage == "redis":
        monkeypatch.setitem(app.extensions, "rate_limit_counters", redis_counters())
    monkeypatch.setitem(app.config, "SUBMISSION_RATE_LIMIT", 3)
    # One fixed moment: the window must not end half-way through the test.
    now = [1_900_000_000.0]
    monkeypatch.setattr(ratelimit, "clock", lambda: now[0])
    # Refused input is not counted: it stores nothing.
    for _ in range(2):
        assert post(client, point, body(answers={"rating": 99})).status_code == 422
    first = body()
    codes = [post(client, point, b).status_code for b in (first, body(), body(), body(), body())]
    assert codes == [201, 201, 201, 429, 429]
    refused = post(client, point, body())
    assert refused.headers["Retry-After"] == "60"
    assert refused.json["code"] == 429
    # A retry of a stored answer always gets its answer.
    assert post(client, point, first).status_code == 200
    assert len(stored_rows()) == 3
    # The next window starts afresh.
    now[0] += app.config["SUBMISSION_RATE_WINDOW"]
    assert post(client, point, body()).status_code == 201


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"version": 10**30}, "version"),
        ({"recorded_at": "0001-01-01T00:00:00+14:00"}, "recorded_at"),
        ({"answers": {"safe_now": "safe", "rating": 10**400}}, "answers.rating"),
        ({"answers": {"safe_now": "safe", "rating": -(10**20)}}, "answers.rating"),
    ],
)
def test_absurd_values_are_422_not_500(client, point, payload, field):
    response = post(client, point, body(**payload))
    assert response.status_code == 422
    assert field in response.json["errors"]["json"]


def test_a_number_too_long_to_parse_is_400(client, point):
    envelope = '{"id": "ID", "version": 1, "language": "sv", "answers": {"rating": NUMBER}}'
    raw = envelope.replace("ID", str(uuid.uuid4())).replace("NUMBER", "9" * 5000)
    response = client.post(
        f"/api/v1/collect/{point.token}/responses", data=raw, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json["errors"] == {
        "json": {"_schema": ["The JSON body has a number too long."]}
    }


def test_answers_on_a_version_the_point_served_before_are_taken(client, api_as, coordinator, point):
    api = api_as(coordinator)
    api.put("/api/v1/questionnaires/sample/draft", json=make_definition(title="Ny"))
    api.post("/api/v1/questionnaires/sample/draft/publish")
    api.patch(f"/api/v1/collection-points/{point.id}", json={"version": 2})
    # A tablet still holds an answer given on version 1.
    assert post(client, point, body(version=1)).status_code == 201


def test_a_point_with_answers_keeps_its_questionnaire(
    client, api_as, coordinator, org, point, make_questionnaire
):
    make_questionnaire(org, slug="other")
    api = api_as(coordinator)
    post(client, point, body())
    response = api.patch(f"/api/v1/collection-points/{point.id}", json={"questionnaire": "other"})
    assert response.status_code == 422
    assert "cannot change" in response.json["errors"]["json"]["questionnaire"][0]
