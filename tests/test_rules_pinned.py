"""Rules of taking in answers, each held at the edge where it matters to a resident."""

import uuid
from datetime import timedelta

import pytest
import sqlalchemy as sa

from surveyservice.collection import intake, ratelimit
from surveyservice.collection.models import Response
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.privacy.coarsening import coarsen_position
from surveyservice.questionnaires.versions import publish_draft, save_draft

from .conftest import make_definition


def body(**overrides):
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "safe"},
        **overrides,
    }


def post(client, point, payload):
    return client.post(f"/api/v1/collect/{point.token}/responses", json=payload)


def stored_rows():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def question(qid, kind, **fields):
    return {"id": qid, "type": kind, "label": qid, **fields}


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org))


# --- positions ----------------------------------------------------------------


def test_a_residents_position_is_stored_coarsened(client, org, make_questionnaire, make_point):
    where = question("where", "location")
    point = make_point(make_questionnaire(org, questions=[where]))
    precise = {"lat": 58.381234, "lon": 12.323456}
    response = post(client, point, body(answers={"where": precise}))
    assert response.status_code == 201
    (row,) = stored_rows()
    lat, lon = coarsen_position(precise["lat"], precise["lon"])
    assert row.answers["where"] == {"lat": lat, "lon": lon}
    assert row.answers["where"] != precise
    assert response.json["answers"]["where"] == {"lat": lat, "lon": lon}


# --- replays and versions -----------------------------------------------------


def test_the_same_id_and_answers_on_another_version_is_a_conflict(
    client, org, make_questionnaire, make_point
):
    questionnaire = make_questionnaire(org)
    point = make_point(questionnaire)
    # The same question ids, so the same answers fit both versions.
    save_draft(questionnaire, make_definition(title="Trygghet i Sanden"))
    publish_draft(questionnaire)
    db.session.commit()
    first = body(version=1)
    assert post(client, point, first).status_code == 201
    other = post(client, point, {**first, "version": 2})
    assert other.status_code == 409
    assert first["id"] in other.json["message"]
    (row,) = stored_rows()
    assert row.version.number == 1


def test_an_unknown_version_is_422(client, point):
    response = post(client, point, body(version=2))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"version": ["Unknown version."]}
    assert stored_rows() == []


def test_an_unknown_language_is_422(client, point):
    response = post(client, point, body(language="ar"))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"language": ["Expected one of: sv, en."]}
    assert stored_rows() == []


# --- answers after closing ------------------------------------------------------


@pytest.fixture
def closed_point(point):
    """A point that was open for six hours and closed a day ago, on whole seconds."""
    closes_at = (utcnow() - timedelta(days=1)).replace(microsecond=0)
    point.opens_at = closes_at - timedelta(hours=6)
    point.closes_at = closes_at
    db.session.commit()
    return point


def at(monkeypatch, moment):
    """Make the service's clock read ``moment`` when it takes an answer."""
    monkeypatch.setattr(intake, "utcnow", lambda: moment)


def staff_answer(api, point, recorded_at):
    payload = body(channel="staff", recorded_at=recorded_at.isoformat())
    return api.post(f"/api/v1/collect/{point.token}/responses", json=payload)


def test_a_staff_answer_recorded_the_moment_the_point_opened_is_taken_late(
    api_as, staff, closed_point, monkeypatch
):
    at(monkeypatch, closed_point.closes_at + timedelta(hours=1))
    response = staff_answer(api_as(staff), closed_point, closed_point.opens_at)
    assert response.status_code == 201
    assert len(stored_rows()) == 1


def test_a_staff_answer_recorded_the_moment_the_point_closed_is_refused(
    api_as, staff, closed_point, monkeypatch
):
    at(monkeypatch, closed_point.closes_at + timedelta(hours=1))
    response = staff_answer(api_as(staff), closed_point, closed_point.closes_at)
    assert response.status_code == 410
    assert stored_rows() == []


def test_late_staff_answers_are_taken_until_the_last_moment_of_grace(
    app, api_as, staff, closed_point, monkeypatch
):
    grace = timedelta(days=app.config["CLOSED_GRACE_DAYS"])
    recorded = closed_point.closes_at - timedelta(minutes=5)
    api = api_as(staff)
    at(monkeypatch, closed_point.closes_at + grace)
    assert staff_answer(api, closed_point, recorded).status_code == 201
    at(monkeypatch, closed_point.closes_at + grace + timedelta(microseconds=1))
    assert staff_answer(api, closed_point, recorded).status_code == 410
    assert len(stored_rows()) == 1


def test_a_full_point_does_not_refuse_answers_at_another(
    app, client, org, make_questionnaire, make_point, monkeypatch
):
    monkeypatch.setitem(app.config, "SUBMISSION_RATE_LIMIT", 2)
    # One fixed moment: the window must not end half-way through the test.
    monkeypatch.setattr(ratelimit, "clock", lambda: 1_900_000_000.0)
    questionnaire = make_questionnaire(org)
    busy = make_point(questionnaire, name="Sanden")
    quiet = make_point(questionnaire, name="Torpa")
    codes = [post(client, busy, body()).status_code for _ in range(3)]
    assert codes == [201, 201, 429]
    assert post(client, quiet, body()).status_code == 201
    assert len(stored_rows()) == 3


# --- conditions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("condition", "shown_by", "hidden_by"),
    [
        ({"answered": True}, "yes", None),
        ({"answered": False}, None, "yes"),
        ({"not_equals": "yes"}, "no", "yes"),
        ({"in": ["no", "unsure"]}, "unsure", "yes"),
    ],
    ids=["answered", "not-answered", "not-equals", "in"],
)
def test_a_condition_shows_and_hides_its_question(
    client, org, make_questionnaire, make_point, condition, shown_by, hidden_by
):
    options = [{"value": v, "label": v} for v in ("yes", "no", "unsure")]
    follow_up = question(
        "follow_up", "text", required=True, show_if={"question": "seen", **condition}
    )
    point = make_point(
        make_questionnaire(org, questions=[question("seen", "single", options=options), follow_up])
    )

    def answers(seen, follow_up=None):
        given = {"seen": seen, "follow_up": follow_up}
        return {k: v for k, v in given.items() if v is not None}

    missing = post(client, point, body(answers=answers(shown_by)))
    assert missing.status_code == 422
    assert missing.json["errors"]["json"] == {"answers.follow_up": ["An answer is required."]}
    hidden = post(client, point, body(answers=answers(hidden_by, "Vid bryggan")))
    assert hidden.status_code == 422
    assert hidden.json["errors"]["json"] == {
        "answers.follow_up": ["This question is hidden by its condition; leave it out."]
    }
    assert stored_rows() == []

    shown = body(answers=answers(shown_by, "Vid bryggan"))
    left_out = body(answers=answers(hidden_by))
    assert post(client, point, shown).status_code == 201
    assert post(client, point, left_out).status_code == 201
    stored = {str(r.id): r.answers for r in stored_rows()}
    assert stored == {shown["id"]: shown["answers"], left_out["id"]: left_out["answers"]}


# --- minimums and shapes --------------------------------------------------------


@pytest.fixture
def measured_point(org, make_questionnaire, make_point):
    questions = [
        question("rating", "scale", min=1, max=5),
        question("people", "number", min=1, max=100),
        question("where", "location"),
        question("when", "date"),
    ]
    return make_point(make_questionnaire(org, questions=questions))


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"rating": 0}, "Expected at least 1."),
        ({"rating": 2.5}, "Expected a whole number from 1 to 5."),
        ({"people": 0}, "Expected at least 1."),
        ({"people": 0.5}, "Expected at least 1."),
        ({"where": {"lat": 58.38}}, "A position needs lat and lon as numbers."),
        ({"when": "20240501"}, "Expected a date as YYYY-MM-DD."),
    ],
)
def test_an_answer_below_its_minimum_or_out_of_shape_is_refused(
    client, measured_point, answers, message
):
    response = post(client, measured_point, body(answers=answers))
    assert response.status_code == 422
    (qid,) = answers
    assert response.json["errors"]["json"] == {f"answers.{qid}": [message]}
    assert stored_rows() == []


def test_the_minimum_itself_is_accepted(client, measured_point):
    answers = {"rating": 1, "people": 1, "when": "2024-05-01"}
    assert post(client, measured_point, body(answers=answers)).status_code == 201
    (row,) = stored_rows()
    assert row.answers == answers


# --- length limits --------------------------------------------------------------

LIMITED = [
    question("place", "text", max_length=10),
    question(
        "worries",
        "multi",
        max_choices=2,
        options=[{"value": v, "label": v} for v in ("dark", "traffic", "crowds")],
    ),
]


@pytest.fixture
def limited_point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org, questions=LIMITED))


def test_a_text_of_exactly_its_length_is_stored_and_one_more_is_refused(client, limited_point):
    too_long = post(client, limited_point, body(answers={"place": "Brygga 1234"}))
    assert too_long.status_code == 422
    assert too_long.json["errors"]["json"] == {
        "answers.place": ["The text is longer than 10 characters."]
    }
    assert stored_rows() == []
    assert post(client, limited_point, body(answers={"place": "Brygga 123"})).status_code == 201
    (row,) = stored_rows()
    assert row.answers == {"place": "Brygga 123"}


def test_exactly_the_most_choices_are_stored_and_one_more_is_refused(client, limited_point):
    too_many = post(client, limited_point, body(answers={"worries": ["dark", "traffic", "crowds"]}))
    assert too_many.status_code == 422
    assert too_many.json["errors"]["json"] == {"answers.worries": ["Choose at most 2."]}
    assert stored_rows() == []
    assert (
        post(client, limited_point, body(answers={"worries": ["dark", "crowds"]})).status_code
        == 201
    )
    (row,) = stored_rows()
    assert row.answers == {"worries": ["dark", "crowds"]}


def test_the_form_without_script_says_what_is_too_long_in_the_residents_language(
    client, limited_point
):
    response = client.post(
        f"/f/{limited_point.token}",
        data={
            "version": "1",
            "language": "sv",
            "place": "Brygga 1234",
            "worries": ["dark", "traffic", "crowds"],
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Korta texten till högst 10 tecken." in page
    assert "Välj högst 2." in page
    assert stored_rows() == []


# --- phone numbers and dates in free text -----------------------------------------


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        # Month-day or day-month with a year: a date, left alone.
        ("Hände 08-31 2019", "Hände 08-31 2019"),
        ("Hände 01-12-2019", "Hände 01-12-2019"),
        # No month or day is 32, 45 or 0: these are phone numbers.
        ("Ring 08-32 2019", "Ring [telefonnummer]"),
        ("Ring 08-45 2019", "Ring [telefonnummer]"),
        ("Ring 08-00 2019", "Ring [telefonnummer]"),
        # Only years 1900-2099 make a date.
        ("Ring 08-12 2119", "Ring [telefonnummer]"),
        ("Ring 08-12 1899", "Ring [telefonnummer]"),
        # A year of five digits is no year.
        ("Ring 08-12 20191", "Ring [telefonnummer]"),
    ],
)
def test_a_date_is_told_from_a_phone_number_in_free_text(client, point, written, stored):
    answers = {"safe_now": "unsafe", "why_unsafe": written}
    assert post(client, point, body(answers=answers)).status_code == 201
    (row,) = stored_rows()
    assert row.answers["why_unsafe"] == stored
