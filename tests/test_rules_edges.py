"""Intake rules at their edges, through the API and the form, beside those that
tests/test_rules_pinned.py and tests/test_rules_mutation.py hold already: where a
staff tablet's positions stay precise, what a replay must match besides its version,
the late-answer window just outside its edges, the rate limit per point in Redis and
on a clock of its own, and the length limits of long texts and their form messages.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.collection import ratelimit
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.privacy.coarsening import coarsen_position

from .test_rules_pinned import at, body, post, question, staff_answer, stored_rows
from .test_submissions import redis_counters

PRECISE = {"lat": 58.381234, "lon": 12.323456, "accuracy": 8.4, "source": "gps"}
COARSE = dict(zip(("lat", "lon"), coarsen_position(PRECISE["lat"], PRECISE["lon"]), strict=True))


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


@pytest.fixture
def positions_point(org, make_questionnaire, make_point):
    """A questionnaire asking where the person is, and for stops each with a spot."""
    stops = question("stops", "group", questions=[question("spot", "location")])
    return make_point(make_questionnaire(org, questions=[question("where", "location"), stops]))


# --- positions ------------------------------------------------------------------


def test_a_staff_kiosks_own_position_is_coarsened_and_only_a_stops_stays_precise(
    api_as, staff, positions_point
):
    payload = body(
        channel="staff", answers={"where": dict(PRECISE), "stops": [{"spot": dict(PRECISE)}]}
    )
    url = f"/api/v1/collect/{positions_point.token}/responses"
    response = api_as(staff).post(url, json=payload)
    assert response.status_code == 201, response.json
    expected = {"where": COARSE, "stops": [{"spot": PRECISE}]}
    assert response.json["answers"] == expected
    (row,) = stored_rows()
    assert row.answers == expected


def test_a_residents_positions_are_all_coarsened_and_lose_their_accuracy(client, positions_point):
    payload = body(answers={"where": dict(PRECISE), "stops": [{"spot": dict(PRECISE)}]})
    response = post(client, positions_point, payload)
    assert response.status_code == 201, response.json
    expected = {"where": COARSE, "stops": [{"spot": COARSE}]}
    assert response.json["answers"] == expected
    (row,) = stored_rows()
    assert row.answers == expected


# --- replays --------------------------------------------------------------------


def test_the_same_id_and_answers_in_another_language_is_a_conflict(client, point):
    first = body()
    assert post(client, point, first).status_code == 201
    other = post(client, point, {**first, "language": "en"})
    assert other.status_code == 409
    (row,) = stored_rows()
    assert row.language == "sv"


def test_the_same_id_and_answers_at_another_point_is_a_conflict(
    client, org, make_questionnaire, make_point
):
    questionnaire = make_questionnaire(org)
    sanden, torpa = make_point(questionnaire), make_point(questionnaire, name="Torpa")
    first = body()
    assert post(client, sanden, first).status_code == 201
    other = post(client, torpa, first)
    assert other.status_code == 409
    (row,) = stored_rows()
    assert row.collection_point_id == sanden.id


def test_the_same_id_and_answers_from_a_staff_tablet_is_a_conflict(client, api_as, staff, point):
    first = body()
    assert post(client, point, first).status_code == 201
    url = f"/api/v1/collect/{point.token}/responses"
    other = api_as(staff).post(url, json={**first, "channel": "staff"})
    assert other.status_code == 409
    (row,) = stored_rows()
    assert row.channel.value == "resident"


# --- answers after closing: one second outside each edge ------------------------------


@pytest.fixture
def closed_point(point):
    """A point that was open for six hours and closed a day ago, on whole seconds."""
    closes_at = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    point.opens_at = closes_at - timedelta(hours=6)
    point.closes_at = closes_at
    db.session.commit()
    return point


def test_a_staff_answer_recorded_a_second_before_the_point_opened_is_refused(
    api_as, staff, closed_point, monkeypatch
):
    at(monkeypatch, closed_point.closes_at + timedelta(hours=1))
    api = api_as(staff)
    before = staff_answer(api, closed_point, closed_point.opens_at - timedelta(seconds=1))
    assert before.status_code == 410
    last = staff_answer(api, closed_point, closed_point.closes_at - timedelta(seconds=1))
    assert last.status_code == 201
    assert len(stored_rows()) == 1


def test_a_tablets_batch_takes_late_answers_until_the_grace_ends_to_the_second(
    app, api_as, staff, closed_point, monkeypatch
):
    grace = timedelta(days=app.config["CLOSED_GRACE_DAYS"])
    recorded = closed_point.closes_at - timedelta(minutes=5)
    api = api_as(staff)
    url = f"/api/v1/collect/{closed_point.token}/responses:batch"

    def batch_status():
        item = body(channel="staff", recorded_at=recorded.isoformat())
        return api.post(url, json={"responses": [item]}).json["results"][0]["status"]

    at(monkeypatch, closed_point.closes_at + grace)
    assert batch_status() == 201
    at(monkeypatch, closed_point.closes_at + grace + timedelta(seconds=1))
    assert batch_status() == 410
    assert len(stored_rows()) == 1


# --- the rate limit -------------------------------------------------------------------


@pytest.fixture
def two_points(org, make_questionnaire, make_point):
    questionnaire = make_questionnaire(org)
    return make_point(questionnaire, name="Sanden"), make_point(questionnaire, name="Torpa")


def test_in_redis_a_full_point_does_not_refuse_answers_at_another(
    app, client, two_points, monkeypatch
):
    monkeypatch.setitem(app.extensions, "rate_limit_counters", redis_counters())
    monkeypatch.setitem(app.config, "SUBMISSION_RATE_LIMIT", 2)
    # One fixed moment: the window must not end half-way through the test.
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_900_000_000.0)
    busy, quiet = two_points
    assert [post(client, busy, body()).status_code for _ in range(3)] == [201, 201, 429]
    assert post(client, quiet, body()).status_code == 201
    assert len(stored_rows()) == 3


def test_the_database_counters_keep_to_the_rate_limits_own_clock(app, client, point, monkeypatch):
    # A window long past by the wall clock: its counts must still hold, or every test
    # that holds the clock still would stop counting once the real date passes it.
    monkeypatch.setitem(app.config, "SUBMISSION_RATE_LIMIT", 2)
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_600_000_000.0)
    assert [post(client, point, body()).status_code for _ in range(3)] == [201, 201, 429]


def test_answers_to_one_point_count_together_without_waiting_for_each_other(
    app, point, monkeypatch
):
    """A hit's row is locked until its transaction commits. On PostgreSQL two answers to
    one point, both uncommitted, must not wait for each other's row; on SQLite, which
    writes one transaction at a time, a point's window is one row."""
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_900_000_000.0)
    counters = ratelimit.DatabaseCounters()
    key = f"point:{point.id}"
    rows = sa.select(sa.func.count()).select_from(ratelimit.counter_table)
    if db.engine.dialect.name != "postgresql":
        assert [counters.hit(key, 60) for _ in range(3)] == [1, 2, 3]
        assert db.session.execute(rows).scalar_one() == 1
        return
    with app.app_context():
        assert counters.hit(key, 60) == 1  # uncommitted: its row stays locked
        try:
            with app.app_context():
                # A wait for the first one's row would end in an error after a second.
                db.session.execute(sa.text("SET LOCAL lock_timeout = '1s'"))
                assert counters.hit(key, 60) == 1  # the first one's is not committed
                db.session.commit()
            assert counters.hit(key, 60) == 3  # its own two and the other's, committed
            db.session.commit()
        finally:
            db.session.rollback()  # nothing left open to hold up the next test
    assert counters.hit(key, 60) == 4
    assert db.session.execute(rows).scalar_one() == 4  # each hit took the next row


# --- lengths --------------------------------------------------------------------------


@pytest.fixture
def texts_point(org, make_questionnaire, make_point):
    questions = [
        question("story", "longtext", max_length=30),
        question("note", "longtext"),
        question("place", "text"),
    ]
    return make_point(make_questionnaire(org, questions=questions))


def test_a_long_text_of_exactly_its_length_is_stored_and_one_more_is_refused(client, texts_point):
    too_long = post(client, texts_point, body(answers={"story": "x" * 31}))
    assert too_long.status_code == 422
    assert too_long.json["errors"]["json"] == {
        "answers.story": ["The text is longer than 30 characters."]
    }
    assert stored_rows() == []
    # A browser's CRLF counts as one line break, and the spaces around are not kept.
    exact = "Mörkt vid bryggan\r\n" + "x" * 12 + "  "
    assert post(client, texts_point, body(answers={"story": exact})).status_code == 201
    (row,) = stored_rows()
    assert row.answers == {"story": "Mörkt vid bryggan\n" + "x" * 12}


@pytest.mark.parametrize(("qid", "limit"), [("note", 2000), ("place", 200)])
def test_the_default_lengths_are_taken_exactly_and_not_one_more(client, texts_point, qid, limit):
    refused = post(client, texts_point, body(answers={qid: "x" * (limit + 1)}))
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {
        f"answers.{qid}": [f"The text is longer than {limit} characters."]
    }
    assert post(client, texts_point, body(answers={qid: "x" * limit})).status_code == 201
    (row,) = stored_rows()
    assert row.answers == {qid: "x" * limit}


def test_the_form_without_script_says_in_swedish_how_long_a_long_text_may_be(client, texts_point):
    def send(**answers):
        data = {"version": "1", "language": "sv", **answers}
        return client.post(f"/f/{texts_point.token}", data=data)

    refused = send(story="x" * 31, note="x" * 2001)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "Korta texten till högst 30 tecken." in page
    # Thousands grouped the Swedish way, with a no-break space.
    assert "Korta texten till högst 2\u00a0000 tecken." in page
    assert stored_rows() == []
    assert send(story="x" * 30, note="x" * 2000).status_code == 303
    (row,) = stored_rows()
    assert row.answers == {"story": "x" * 30, "note": "x" * 2000}
