"""The results API: filters checked against the organisation, figures from real
submissions, and who may see them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
from marshmallow import ValidationError

from surveyservice.extensions import db
from surveyservice.results.filters import Filters
from surveyservice.results.schemas import ResultsQuerySchema
from surveyservice.results.selection import FilterError, matching_responses, resolve_filters

ZONE = "Europe/Stockholm"


@pytest.fixture
def questionnaire(org, make_questionnaire):
    return make_questionnaire(org)


@pytest.fixture
def point(questionnaire, make_point):
    return make_point(questionnaire)


def staff_answer(api, point, answers, recorded_at=None, language="sv", version=1):
    payload = {
        "id": str(uuid.uuid4()),
        "version": version,
        "language": language,
        "channel": "staff",
        "answers": answers,
    }
    if recorded_at is not None:
        payload["recorded_at"] = recorded_at.isoformat()
    response = api.post(f"/api/v1/collect/{point.token}/responses", json=payload)
    assert response.status_code == 201, response.json
    return response.json["id"]


def resolve(questionnaire, **query):
    return resolve_filters(questionnaire, ResultsQuerySchema().load(query))


def problems_of(questionnaire, **query) -> dict:
    with pytest.raises(FilterError) as caught:
        resolve(questionnaire, **query)
    return caught.value.problems


# --- filters ------------------------------------------------------------------


def test_filters_name_what_the_organisation_knows(questionnaire, point):
    filters = resolve(
        questionnaire,
        point=str(point.id),
        area="  sanden ",
        kind="event",
        channel="staff",
        version="1",
        language="en",
        **{"from": "2026-06-01", "to": "2026-06-01"},
    )
    assert filters == Filters(
        point=point.id,
        area="Sanden",
        kind="event",
        channel="staff",
        version=1,
        language="en",
        since=date(2026, 6, 1),
        until=date(2026, 6, 1),
    )


def test_unknown_values_are_refused_each_under_its_name(
    questionnaire, point, other_org, make_questionnaire, make_point
):
    foreign = make_point(make_questionnaire(other_org))
    assert "No collection point" in problems_of(questionnaire, point=str(foreign.id))["point"][0]
    assert "No collection point" in problems_of(questionnaire, point="999999")["point"][0]
    area = problems_of(questionnaire, area="Östra")["area"][0]
    assert "Sanden, Torpa" in area
    assert "Published: 1" in problems_of(questionnaire, version="2")["version"][0]
    assert "sv, en" in problems_of(questionnaire, language="ar")["language"][0]
    assert (
        "after"
        in problems_of(questionnaire, **{"from": "2026-06-02", "to": "2026-06-01"})["from"][0]
    )


def test_another_questionnaires_point_is_refused(
    questionnaire, point, org, make_questionnaire, make_point
):
    other = make_point(make_questionnaire(org, slug="other"))
    assert "does not collect" in problems_of(questionnaire, point=str(other.id))["point"][0]


@pytest.mark.parametrize(
    "name, value",
    [
        ("point", "x"),
        ("point", "0"),
        ("point", str(2**40)),
        ("kind", "party"),
        ("channel", "fax"),
        ("version", "-1"),
        ("from", "2026-13-01"),
        ("to", "1999-12-31"),
        ("from", "2026-06-01T10:00"),
        ("language", "not a language"),
    ],
)
def test_malformed_values_are_refused_by_the_schema(name, value):
    with pytest.raises(ValidationError) as caught:
        ResultsQuerySchema().load({name: value})
    assert name in caught.value.messages


def test_matching_responses_use_whole_local_days(app, api_as, staff, questionnaire, point):
    api = api_as(staff)
    # 22:00 UTC on 1 June is midnight on 2 June in Stockholm (summer time).
    late_first = staff_answer(
        api, point, {"safe_now": "safe"}, datetime(2026, 6, 1, 21, tzinfo=UTC)
    )
    early_second = staff_answer(
        api, point, {"safe_now": "safe"}, datetime(2026, 6, 1, 22, tzinfo=UTC)
    )

    def ids(**query):
        filters = resolve(questionnaire, **query)
        rows = db.session.execute(matching_responses(questionnaire, filters, ZONE)).scalars()
        return {str(r.id) for r in rows}

    assert ids(**{"from": "2026-06-01", "to": "2026-06-01"}) == {late_first}
    assert ids(**{"from": "2026-06-02"}) == {early_second}
    assert ids(to="2026-06-01") == {late_first}
    assert ids() == {late_first, early_second}
    assert ids(channel="resident") == set()
    assert ids(area="torpa") == set()
    assert ids(area="Sanden", kind="event", version="1", language="sv") == {
        late_first,
        early_second,
    }


# --- the cube ---------------------------------------------------------------------


def test_the_cube_counts_submitted_answers_by_atom(
    app, api_as, staff, client, questionnaire, point, make_point
):
    from surveyservice.results.cube import Atom, load_cube

    api = api_as(staff)
    torpa = make_point(questionnaire, name="Torpa torg", area="Torpa", kind="walk")
    # 21:00 UTC is 23:00 on 1 June in Stockholm; 22:00 UTC is already 2 June.
    first = datetime(2026, 6, 1, 21, tzinfo=UTC)
    second = datetime(2026, 6, 1, 22, tzinfo=UTC)
    staff_answer(api, point, {"safe_now": "safe", "rating": 4}, first)
    staff_answer(api, point, {"safe_now": "safe", "rating": 4}, first, language="en")
    staff_answer(api, point, {"safe_now": "unsafe", "why_unsafe": "Mörkt"}, second)
    staff_answer(api, torpa, {"safe_now": "unsafe"}, second)
    resident = client.post(
        f"/api/v1/collect/{point.token}/responses",
        json={
            "id": str(uuid.uuid4()),
            "version": 1,
            "language": "sv",
            "answers": {"safe_now": "safe"},
        },
    )
    assert resident.status_code == 201

    cube = load_cube(questionnaire, ZONE, with_language=False)
    june1 = Atom(point.id, "Sanden", "event", "staff", 1, None, date(2026, 6, 1))
    june2 = Atom(point.id, "Sanden", "event", "staff", 1, None, date(2026, 6, 2))
    walk = Atom(torpa.id, "Torpa", "walk", "staff", 1, None, date(2026, 6, 2))
    today = datetime.now(UTC).astimezone(ZoneInfo(ZONE)).date()
    now = Atom(point.id, "Sanden", "event", "resident", 1, None, today)
    assert cube.responses == {june1: 2, june2: 1, walk: 1, now: 1}
    assert cube.answers == {
        (june1, "safe_now", "safe"): 2,
        (june1, "rating", "4"): 2,
        (june2, "safe_now", "unsafe"): 1,
        (june2, "why_unsafe", None): 1,
        (walk, "safe_now", "unsafe"): 1,
        (now, "safe_now", "safe"): 1,
    }

    with_language = load_cube(questionnaire, ZONE, with_language=True)
    english = Atom(point.id, "Sanden", "event", "staff", 1, "en", date(2026, 6, 1))
    assert with_language.responses[english] == 1
    assert with_language.answers[(english, "rating", "4")] == 1
    # Another zone puts the same hours on other days.
    in_utc = load_cube(questionnaire, "UTC", with_language=False)
    assert (
        in_utc.responses[Atom(point.id, "Sanden", "event", "staff", 1, None, date(2026, 6, 1))] == 3
    )


def test_the_cube_counts_every_published_version_by_number(
    app, api_as, staff, questionnaire, point
):
    from surveyservice.questionnaires.versions import publish_draft, save_draft
    from surveyservice.results.cube import load_cube

    from .conftest import make_definition

    save_draft(questionnaire, make_definition(title={"sv": "Trygghet 2", "en": "Safety 2"}))
    publish_draft(questionnaire)
    db.session.commit()
    api = api_as(staff)
    staff_answer(api, point, {"safe_now": "safe"}, version=1)
    staff_answer(api, point, {"safe_now": "safe"}, version=2)
    staff_answer(api, point, {"safe_now": "unsafe"}, version=2)
    cube = load_cube(questionnaire, ZONE, with_language=False)
    by_version = {}
    for atom, count in cube.responses.items():
        by_version[atom.version] = by_version.get(atom.version, 0) + count
    assert by_version == {1: 1, 2: 2}
    assert sum(n for (a, q, v), n in cube.answers.items() if a.version == 2 and v == "safe") == 1
