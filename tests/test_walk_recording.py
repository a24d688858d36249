"""A safety walk posted by a tablet: its stops checked entry by entry, stored once,
each stop an observation with the position as recorded, its photos claimed."""

import csv
import io
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from surveyservice.collection.answers import AnswerError, check_answers
from surveyservice.collection.models import Response
from surveyservice.extensions import db
from surveyservice.questionnaires.definition import (
    DefinitionError,
    parse_document,
    validate_definition,
)
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft
from surveyservice.walks.models import Observation, Photo

from .walk_data import upload_photo

WALK = Path(__file__).resolve().parent.parent / "forms" / "torpa-walk.yaml"


def walk_definition() -> dict:
    return validate_definition(parse_document(WALK.read_text(encoding="utf-8"), WALK.name))


@pytest.fixture
def walk_point(org, make_point):
    questionnaire = create_questionnaire(org, walk_definition())
    publish_draft(questionnaire)
    db.session.commit()
    return make_point(questionnaire, name="Vandring i Torpa", area="Torpa", kind="walk")


def stop(**overrides) -> dict:
    return {
        "place": {"lat": 58.3712345, "lon": 12.3154321, "accuracy": 8.4, "source": "gps"},
        "categories": ["lighting"],
        "severity": "3",
        **overrides,
    }


def walk(*stops, **overrides) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "channel": "staff",
        "answers": {"walk_date": "2026-11-30", "light": "dark", "stops": list(stops)},
        **overrides,
    }


def observations() -> list[Observation]:
    db.session.expire_all()
    return (
        db.session.execute(
            sa.select(Observation).order_by(Observation.response_id, Observation.entry)
        )
        .scalars()
        .all()
    )


def uploaded_photo(point) -> str:
    """A photo uploaded to the point as a tablet does, named by no response yet."""
    return upload_photo(point)


# --- the definition ----------------------------------------------------------


def test_the_shipped_walk_names_its_map_category_and_severity():
    stops = next(q for q in walk_definition()["questions"] if q["id"] == "stops")
    assert (stops["category"], stops["severity"]) == ("categories", "severity")


@pytest.mark.parametrize(
    ("change", "path", "message"),
    [
        ({"category": "note"}, "questions[0].category", "'note' is a longtext question"),
        ({"severity": "categories"}, "questions[0].severity", "'categories' is a multi question"),
        ({"category": "elsewhere"}, "questions[0].category", "'elsewhere' is not a question"),
    ],
)
def test_a_group_names_a_category_and_severity_of_a_fitting_type(change, path, message):
    group = {
        "id": "stops",
        "type": "group",
        "label": "Stopp",
        "questions": [
            {"id": "note", "type": "longtext", "label": "Not"},
            {
                "id": "categories",
                "type": "multi",
                "label": "Vad",
                "options": [{"value": "a", "label": "A"}],
            },
        ],
        **change,
    }
    with pytest.raises(DefinitionError) as caught:
        validate_definition(
            {
                "slug": "walk",
                "title": "W",
                "languages": ["sv"],
                "default_language": "sv",
                "questions": [group],
            }
        )
    assert any(message in m for m in caught.value.problems[path])


def test_a_named_place_has_both_coordinates_or_none():
    definition = walk_definition()
    place = definition["questions"][-1]["questions"][0]
    place["places"][0]["lat"] = 58.37
    with pytest.raises(DefinitionError) as caught:
        validate_definition(definition)
    assert caught.value.problems == {
        "questions[9].questions[0].places[0].lat": ["A place's position needs both lat and lon."]
    }
    place["places"][0]["lon"] = 12.31
    assert validate_definition(definition)


# --- the answers ---------------------------------------------------------------


def test_each_entry_is_checked_on_its_own_answers_and_problems_name_the_entry():
    definition = walk_definition()
    answers = {
        "walk_date": "2026-11-30",
        "light": "dark",
        "stops": [
            stop(),
            stop(severity="9", owner="police"),
            stop(categories=[], proposed_measure="Klipp buskarna", owner="police"),
        ],
    }
    with pytest.raises(AnswerError) as caught:
        check_answers(definition, answers, staff=True)
    assert caught.value.problems == {
        "answers.stops.1.severity": ["Expected one of: 1, 2, 3, 4."],
        # owner is shown only when this entry proposes a measure.
        "answers.stops.1.owner": ["This question is hidden by its condition; leave it out."],
        "answers.stops.2.categories": ["An answer is required."],
    }


def test_a_condition_in_an_entry_sees_that_entry_only():
    definition = walk_definition()
    answers = {
        "walk_date": "2026-11-30",
        "light": "dark",
        "stops": [stop(proposed_measure="Byt lampan", owner="municipality"), stop()],
    }
    stored = check_answers(definition, answers, staff=True)
    assert stored["stops"][0]["owner"] == "municipality"
    answers["stops"][1]["owner"] = "police"
    with pytest.raises(AnswerError) as caught:
        check_answers(definition, answers, staff=True)
    assert list(caught.value.problems) == ["answers.stops.1.owner"]


@pytest.mark.parametrize(
    ("stops", "message"),
    [
        ({"place": "x"}, "Expected a list of entries, each an object of question id to answer."),
        ([stop()] * 101, "At most 100 entries."),
    ],
)
def test_a_group_is_a_list_of_at_most_its_entries(stops, message):
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": stops}
    with pytest.raises(AnswerError) as caught:
        check_answers(walk_definition(), answers, staff=True)
    assert caught.value.problems == {"answers.stops": [message]}


def test_an_entry_that_is_not_an_object_is_named():
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop(), "plats"]}
    with pytest.raises(AnswerError) as caught:
        check_answers(walk_definition(), answers, staff=True)
    assert caught.value.problems == {
        "answers.stops.1": ["Expected an object of question id to answer."]
    }


@pytest.mark.parametrize(
    ("place", "message"),
    [
        ({"lat": 58.37, "lon": 12.31, "accuracy": -1}, "The accuracy is from 0 to 100000 metres."),
        ({"lat": 58.37, "lon": 12.31, "accuracy": True}, "The accuracy is a number of metres."),
        ({"lat": 58.37, "lon": 12.31, "source": "wifi"}, "The source is one of: gps, map."),
        (
            {"place": "underpass", "accuracy": 5},
            "Accuracy and source belong to a position: give lat and lon too.",
        ),
    ],
)
def test_a_position_s_accuracy_and_source_are_checked(place, message):
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop(place=place)]}
    with pytest.raises(AnswerError) as caught:
        check_answers(walk_definition(), answers, staff=True)
    assert caught.value.problems == {"answers.stops.0.place": [message]}


@pytest.mark.parametrize(
    ("photos", "message"),
    [
        ("bild.jpg", "Expected a list of photo ids."),
        (["bild.jpg"], "Not a photo id: 'bild.jpg'."),
        ([str(uuid.UUID(int=1))] * 2, "A photo is named twice."),
        ([str(uuid.uuid4()) for _ in range(4)], "At most 3 photos."),
    ],
)
def test_photo_answers_are_a_short_list_of_ids(photos, message):
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop(photo=photos)]}
    with pytest.raises(AnswerError) as caught:
        check_answers(walk_definition(), answers, staff=True)
    assert caught.value.problems == {"answers.stops.0.photo": [message]}


def test_a_resident_form_has_no_photos_and_coarse_positions():
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop()]}
    stored = check_answers(walk_definition(), answers)
    assert "accuracy" not in stored["stops"][0]["place"]
    assert stored["stops"][0]["place"]["lat"] != 58.3712345
    answers["stops"][0]["photo"] = [str(uuid.uuid4())]
    with pytest.raises(AnswerError) as caught:
        check_answers(walk_definition(), answers)
    assert caught.value.problems == {
        "answers.stops.0.photo": ["Photos are taken by staff only; leave this out."]
    }


# --- stored through the API -----------------------------------------------------


def test_a_staff_walk_stores_one_observation_per_stop_with_the_position_as_recorded(
    api_as, staff, walk_point
):
    body = walk(
        stop(),
        stop(place={"lat": 58.3701, "lon": 12.3142, "source": "map"}),
        stop(place={"place": "underpass"}),
    )
    url = f"/api/v1/collect/{walk_point.token}/responses"
    response = api_as(staff).post(url, json=body)
    assert response.status_code == 201, response.json
    found = observations()
    assert [(o.entry, o.lat, o.lon, o.accuracy, o.place) for o in found] == [
        (1, 58.3712345, 12.3154321, 8.4, None),
        (2, 58.3701, 12.3142, None, None),
        (3, None, None, None, "underpass"),
    ]
    assert {o.status for o in found} == {"new"}
    assert {(o.question_id, o.collection_point_id) for o in found} == {("stops", walk_point.id)}
    # A replay stores nothing more.
    assert api_as(staff).post(url, json=body).status_code == 200
    assert len(observations()) == 3


def test_a_named_place_with_coordinates_puts_the_stop_on_the_map(api_as, staff, org, make_point):
    definition = walk_definition()
    places = definition["questions"][-1]["questions"][0]["places"]
    places[1].update(lat=58.3699, lon=12.3177)
    questionnaire = create_questionnaire(org, definition)
    publish_draft(questionnaire)
    db.session.commit()
    point = make_point(questionnaire, area="Torpa", kind="walk")
    body = walk(stop(place={"place": places[1]["value"]}))
    response = api_as(staff).post(f"/api/v1/collect/{point.token}/responses", json=body)
    assert response.status_code == 201, response.json
    [found] = observations()
    assert (found.lat, found.lon, found.place) == (58.3699, 12.3177, "underpass")


@pytest.fixture
def small_walk_point(org, make_point):
    """A walk whose group takes two stops and each stop one photo."""
    definition = walk_definition()
    stops = definition["questions"][-1]
    stops["max_entries"] = 2
    next(q for q in stops["questions"] if q["id"] == "photo")["max_photos"] = 1
    questionnaire = create_questionnaire(org, validate_definition(definition))
    publish_draft(questionnaire)
    db.session.commit()
    return make_point(questionnaire, name="Kort vandring", area="Torpa", kind="walk")


def test_a_group_s_own_entry_limit_is_kept_to_the_entry(api_as, staff, small_walk_point):
    url = f"/api/v1/collect/{small_walk_point.token}/responses"
    refused = api_as(staff).post(url, json=walk(stop(), stop(), stop()))
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {"answers.stops": ["At most 2 entries."]}
    assert observations() == []
    assert api_as(staff).post(url, json=walk(stop(), stop())).status_code == 201
    assert [o.entry for o in observations()] == [1, 2]


def test_a_photo_question_s_own_limit_is_kept_to_the_photo(api_as, staff, small_walk_point):
    url = f"/api/v1/collect/{small_walk_point.token}/responses"
    first, second = uploaded_photo(small_walk_point), uploaded_photo(small_walk_point)
    refused = api_as(staff).post(url, json=walk(stop(photo=[first, second])))
    assert refused.status_code == 422
    assert refused.json["errors"]["json"] == {"answers.stops.0.photo": ["At most one photo."]}
    assert db.session.execute(sa.select(Response)).scalars().all() == []
    body = walk(stop(photo=[first]))
    assert api_as(staff).post(url, json=body).status_code == 201
    db.session.expire_all()
    assert str(db.session.get(Photo, uuid.UUID(first)).response_id) == body["id"]
    assert db.session.get(Photo, uuid.UUID(second)).response_id is None


def test_a_group_limited_to_one_entry_says_so_in_the_singular():
    definition = walk_definition()
    definition["questions"][-1]["max_entries"] = 1
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop(), stop()]}
    with pytest.raises(AnswerError) as caught:
        check_answers(validate_definition(definition), answers, staff=True)
    assert caught.value.problems == {"answers.stops": ["At most one entry."]}


@pytest.mark.parametrize(
    ("accuracy", "stored"),
    [(0, 0), (0.5, 0.5), (8.46, 8.5), (8.44, 8.4), (100_000, 100_000)],
)
def test_a_position_s_accuracy_is_kept_in_metres_to_a_tenth(
    api_as, staff, walk_point, accuracy, stored
):
    place = {"lat": 58.3712345, "lon": 12.3154321, "accuracy": accuracy}
    url = f"/api/v1/collect/{walk_point.token}/responses"
    response = api_as(staff).post(url, json=walk(stop(place=place)))
    assert response.status_code == 201, response.json
    [found] = observations()
    assert found.accuracy == stored


@pytest.mark.parametrize(
    ("place", "message"),
    [
        (
            {"lat": 58.37, "lon": 12.31, "accuracy": 100_000.1},
            "The accuracy is from 0 to 100000 metres.",
        ),
        (
            {"lat": 58.37, "lon": 12.31, "accuracy": -0.1},
            "The accuracy is from 0 to 100000 metres.",
        ),
        (
            {"place": "underpass", "source": "map"},
            "Accuracy and source belong to a position: give lat and lon too.",
        ),
        # Half a position is wrong as a position, whatever comes with it.
        ({"lat": 58.37, "accuracy": 5}, "A position needs lat and lon as numbers."),
        ({"lon": 12.31, "source": "gps"}, "A position needs lat and lon as numbers."),
    ],
)
def test_a_position_s_details_are_refused_through_the_api(
    api_as, staff, walk_point, place, message
):
    url = f"/api/v1/collect/{walk_point.token}/responses"
    response = api_as(staff).post(url, json=walk(stop(place=place)))
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"answers.stops.0.place": [message]}
    assert observations() == []


def test_a_wrong_photo_id_is_quoted_to_forty_characters():
    long_name = "IMG_" + "0123456789" * 6 + ".jpg"
    answers = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop(photo=[long_name])]}
    with pytest.raises(AnswerError) as caught:
        check_answers(walk_definition(), answers, staff=True)
    assert caught.value.problems == {
        "answers.stops.0.photo": [f"Not a photo id: {long_name[:40]!r}."]
    }


def test_a_resident_s_walk_position_is_coarsened(client, walk_point):
    body = walk(stop(), channel="resident")
    response = client.post(f"/api/v1/collect/{walk_point.token}/responses", json=body)
    assert response.status_code == 201, response.json
    [found] = observations()
    assert found.accuracy is None
    assert (found.lat, found.lon) != (58.3712345, 12.3154321)
    assert abs(found.lat - 58.3712345) < 0.003


def test_photos_must_be_uploaded_first_and_are_claimed_by_the_walk(api_as, staff, walk_point):
    url = f"/api/v1/collect/{walk_point.token}/responses"
    present, missing = uploaded_photo(walk_point), str(uuid.uuid4())
    body = walk(stop(), stop(photo=[present, missing]))
    refused = api_as(staff).post(url, json=body)
    assert refused.status_code == 422
    assert refused.json["message"] == "Some photos the answers name are not on the server yet."
    assert refused.json["errors"]["json"] == {
        "answers.stops.1.photo": [
            f"The photo {missing} was not uploaded to this collection point: upload it first, "
            "then send the answers again."
        ]
    }
    assert observations() == []
    assert db.session.get(Photo, uuid.UUID(present)).response_id is None
    assert db.session.execute(sa.select(Response)).scalars().all() == []

    body["answers"]["stops"][1]["photo"] = [present]
    assert api_as(staff).post(url, json=body).status_code == 201
    db.session.expire_all()
    assert str(db.session.get(Photo, uuid.UUID(present)).response_id) == body["id"]

    # Another walk cannot name the same photo.
    again = api_as(staff).post(url, json=walk(stop(photo=[present])))
    assert again.status_code == 422
    assert again.json["message"] == "Some photos the answers name belong to another response."
    assert again.json["errors"]["json"] == {
        "answers.stops.0.photo": [f"The photo {present} belongs to another response."]
    }


def test_a_photo_of_another_point_is_not_found(api_as, staff, walk_point, make_point):
    other = make_point(walk_point.questionnaire, name="Annan vandring", area="Torpa")
    photo = uploaded_photo(other)
    url = f"/api/v1/collect/{walk_point.token}/responses"
    response = api_as(staff).post(url, json=walk(stop(photo=[photo])))
    assert response.status_code == 422
    assert list(response.json["errors"]["json"]) == ["answers.stops.0.photo"]


def test_a_tablet_s_batch_stores_each_walk_s_observations_and_refuses_one_alone(
    api_as, staff, walk_point
):
    good = walk(stop(), stop())
    bad = walk(stop(photo=[str(uuid.uuid4())]))
    response = api_as(staff).post(
        f"/api/v1/collect/{walk_point.token}/responses:batch", json={"responses": [good, bad]}
    )
    assert response.status_code == 200
    assert [r["status"] for r in response.json["results"]] == [201, 422]
    found = observations()
    assert [(str(o.response_id), o.entry) for o in found] == [(good["id"], 1), (good["id"], 2)]


def test_a_walk_s_results_and_response_export_hold_the_walk_s_own_answers(
    api_as, staff, coordinator, walk_point
):
    url = f"/api/v1/collect/{walk_point.token}/responses"
    body = walk(stop(note="Mörk gångtunnel, ring 070-123 45 67"), stop())
    assert api_as(staff).post(url, json=body).status_code == 201
    api = api_as(coordinator)
    results = api.get("/api/v1/questionnaires/torpa-walk/results")
    assert results.status_code == 200, results.json
    exported = api.get("/api/v1/questionnaires/torpa-walk/responses.csv?dialect=rfc4180")
    assert exported.status_code == 200, exported.data[:500]
    text = exported.data.decode("utf-8-sig")
    assert "070-123 45 67" not in text
    assert body["id"] in text
    header = next(csv.reader(io.StringIO(text)))
    # The walk's own answers; its stops are rows of the observations' export.
    assert "walk_date" in header
    assert not {"stops", "place", "categories", "note"} & set(header)


def test_a_condition_in_an_entry_may_name_a_question_of_the_walk():
    definition = walk_definition()
    stops = definition["questions"][-1]
    stops["questions"].append(
        {
            "id": "lamp_out",
            "type": "yesno",
            "required": True,
            "label": {
                "sv": "Är lampan släckt?",
                "en": "Is the lamp out?",
                "ar": "هل المصباح مطفأ؟",
            },
            "show_if": {"question": "light", "equals": "dark"},
        }
    )
    definition = validate_definition(definition)
    dark = {"walk_date": "2026-11-30", "light": "dark", "stops": [stop(lamp_out=True)]}
    assert check_answers(definition, dark, staff=True)["stops"][0]["lamp_out"] is True
    with pytest.raises(AnswerError) as caught:
        check_answers(definition, {**dark, "stops": [stop()]}, staff=True)
    assert caught.value.problems == {"answers.stops.0.lamp_out": ["An answer is required."]}
    daylight = {**dark, "light": "daylight"}
    assert "lamp_out" not in check_answers(definition, {**daylight, "stops": [stop()]})["stops"][0]
    with pytest.raises(AnswerError) as caught:
        check_answers(definition, daylight, staff=True)
    assert caught.value.problems == {
        "answers.stops.0.lamp_out": ["This question is hidden by its condition; leave it out."]
    }
