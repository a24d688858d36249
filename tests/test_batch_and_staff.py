"""Queues from tablets: the batch endpoint, staff answers, and answers after closing."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.collection.models import Response
from surveyservice.database import utcnow
from surveyservice.extensions import db

from .conftest import csrf_token_from


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


def answer(**overrides):
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "safe"},
        **overrides,
    }


def rows():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def batch(client, point, items, **kwargs):
    return client.post(
        f"/api/v1/collect/{point.token}/responses:batch", json={"responses": items}, **kwargs
    )


def test_batch_stores_each_response_and_reports_each_result(client, point):
    stored_before = answer()
    client.post(f"/api/v1/collect/{point.token}/responses", json=stored_before)
    items = [
        answer(),
        stored_before,
        answer(answers={"safe_now": "maybe"}),
        answer(version=7),
        {**stored_before, "answers": {"safe_now": "unsafe"}},
    ]
    response = batch(client, point, items)
    assert response.status_code == 200
    results = response.json["results"]
    assert [r["status"] for r in results] == [201, 200, 422, 422, 409]
    assert results[0]["id"] == items[0]["id"]
    assert results[2]["errors"] == {
        "json": {"answers.safe_now": ["Expected one of: safe, unsafe."]}
    }
    assert len(rows()) == 2


def test_a_response_not_shaped_as_one_refuses_the_batch(client, point):
    items = [answer(), {"id": "not-a-uuid", "version": 1}, "nonsense", None]
    response = batch(client, point, items)
    assert response.status_code == 422
    errors = response.json["errors"]["json"]
    assert {"responses[1].id", "responses[1].language", "responses[1].answers"} <= set(errors)
    assert "responses[2]" in errors and "responses[3]" in errors
    assert "responses[0].id" not in errors
    assert rows() == []


def test_batch_limits(client, point):
    assert batch(client, point, []).status_code == 422
    assert batch(client, point, [answer() for _ in range(101)]).status_code == 422
    assert client.post(f"/api/v1/collect/{point.token}/responses:batch", json=[]).status_code == 422


def test_batch_to_an_unknown_point_reports_404_per_item(client, point):
    response = client.post(
        "/api/v1/collect/zzzzzzzzzzzzzzzz/responses:batch", json={"responses": [answer()]}
    )
    assert response.json["results"][0]["status"] == 404


def test_batch_to_an_address_no_point_can_have_is_refused_whole(client, point):
    response = client.post(
        "/api/v1/collect/null,null/responses:batch", json={"responses": [answer()]}
    )
    assert response.status_code == 404


def signed_in_csrf(client, auth, email):
    auth.login(email)
    return csrf_token_from(client.get("/questionnaires").get_data(as_text=True))


def test_staff_answers_need_staff_of_the_organisation(
    client, auth, point, staff, other_coordinator
):
    item = answer(channel="staff")
    assert batch(client, point, [item]).json["results"][0]["status"] == 401
    token = signed_in_csrf(client, auth, other_coordinator.email)
    refused = batch(client, point, [item], headers={"X-CSRFToken": token})
    assert refused.json["results"][0]["status"] == 403
    auth.logout()
    token = signed_in_csrf(client, auth, staff.email)
    # A session cookie alone could come from another site's page: the CSRF header is needed.
    assert batch(client, point, [item]).status_code == 400
    accepted = batch(client, point, [item], headers={"X-CSRFToken": token})
    assert accepted.json["results"][0]["status"] == 201
    (row,) = rows()
    assert row.channel.value == "staff"
    # Which staff member collected it is not kept.
    assert "staff@example.org" not in str(
        db.session.execute(sa.text("SELECT * FROM response")).one()
    )


def test_staff_answers_with_a_bearer_token(api_as, staff, point):
    api = api_as(staff)
    response = api.post(f"/api/v1/collect/{point.token}/responses", json=answer(channel="staff"))
    assert response.status_code == 201
    assert response.json["channel"] == "staff"


def close(point, hours_ago: float):
    point.closes_at = utcnow() - timedelta(hours=hours_ago)
    point.opens_at = point.closes_at - timedelta(hours=6)
    db.session.commit()


def test_closed_point_takes_staff_answers_recorded_while_open(api_as, staff, point):
    close(point, hours_ago=30)
    api = api_as(staff)
    while_open = (point.closes_at - timedelta(minutes=10)).isoformat()
    after = (point.closes_at + timedelta(minutes=10)).isoformat()
    url = f"/api/v1/collect/{point.token}/responses"
    late = api.post(url, json=answer(channel="staff", recorded_at=while_open))
    assert late.status_code == 201
    assert late.json["recorded_at"].endswith(":00:00+00:00")
    refused = api.post(url, json=answer(channel="staff", recorded_at=after))
    assert refused.status_code == 410
    # Residents' phones do not get the grace: their clocks are theirs to set.
    resident = api.post(url, json=answer(recorded_at=while_open))
    assert resident.status_code == 410
    assert api.post(url, json=answer(channel="staff")).status_code == 410


def test_grace_period_ends(app, api_as, staff, point, monkeypatch):
    close(point, hours_ago=24 * 8)
    recorded = (point.closes_at - timedelta(minutes=5)).isoformat()
    url = f"/api/v1/collect/{point.token}/responses"
    assert (
        api_as(staff).post(url, json=answer(channel="staff", recorded_at=recorded)).status_code
        == 410
    )
    monkeypatch.setitem(app.config, "CLOSED_GRACE_DAYS", 9)
    assert (
        api_as(staff).post(url, json=answer(channel="staff", recorded_at=recorded)).status_code
        == 201
    )


def test_recorded_time_in_the_future_is_refused(client, point):
    future = (utcnow() + timedelta(hours=2)).isoformat()
    response = client.post(
        f"/api/v1/collect/{point.token}/responses", json=answer(recorded_at=future)
    )
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"recorded_at": ["In the future."]}


def test_staff_answers_are_not_rate_limited(app, api_as, staff, point, monkeypatch):
    monkeypatch.setitem(app.config, "SUBMISSION_RATE_LIMIT", 2)
    api = api_as(staff)
    results = api.post(
        f"/api/v1/collect/{point.token}/responses:batch",
        json={"responses": [answer(channel="staff") for _ in range(5)]},
    ).json["results"]
    assert [r["status"] for r in results] == [201] * 5


def upload(client, auth, coordinator, content: bytes):
    import io

    auth.login(coordinator.email)
    page = client.get("/collection-points/import?lang=en").get_data(as_text=True)
    token = csrf_token_from(page)
    return client.post(
        "/collection-points/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), "queue.json")},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose the file the tablet saved."),
        (b"{not json", "The file is not valid JSON."),
        (b'{"format": "other"}', "This is not a file of saved answers from the staff app."),
        (b'{"format": "surveyservice-outbox", "responses": 3}', "The file has no list of answers."),
        (b"\xff\xfe", "The file is not valid JSON."),
    ],
)
def test_upload_of_a_broken_file_says_what_is_wrong(
    client, auth, coordinator, point, content, message
):
    page = upload(client, auth, coordinator, content).get_data(as_text=True)
    assert message.replace("'", "&#39;") in page
    assert rows() == []


def test_upload_stores_each_answer_once_and_lists_the_refused(client, auth, coordinator, point):
    import json

    recorded = utcnow().isoformat()
    good = {**answer(channel="staff", recorded_at=recorded), "token": point.token}
    items = [good, {**good}, {**answer(), "token": "zzzzzzzzzzzzzzzz"}, {"id": "x"}]
    document = {"format": "surveyservice-outbox", "version": 1, "responses": items}
    page = upload(client, auth, coordinator, json.dumps(document).encode()).get_data(as_text=True)
    assert '"stored">1<' in page
    assert '"stored_before">1<' in page
    assert '"refused">2<' in page
    assert "No collection point has this address" in page
    assert len(rows()) == 1


def test_upload_needs_a_coordinator(client, auth, staff):
    auth.login(staff.email)
    assert client.get("/collection-points/import").status_code == 403


def test_upload_takes_a_file_larger_than_other_requests(app, client, auth, coordinator, point):
    import json

    item = {**answer(channel="staff", recorded_at=utcnow().isoformat()), "token": point.token}
    document = {
        "format": "surveyservice-outbox",
        "responses": [item],
        "exported_by": "x" * app.config["MAX_CONTENT_LENGTH"],
    }
    page = upload(client, auth, coordinator, json.dumps(document).encode())
    assert page.status_code == 200
    assert '"stored">1<' in page.get_data(as_text=True)
