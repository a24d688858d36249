"""The results API: filters checked against the organisation, figures from real
submissions, and who may see them."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from marshmallow import ValidationError

from surveyservice.extensions import db
from surveyservice.results.filters import Filters
from surveyservice.results.schemas import ResultsQuerySchema
from surveyservice.results.selection import (
    FilterError,
    combinable,
    matching_responses,
    resolve_filters,
)

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
    filters = resolve(questionnaire, point=str(point.id), area="  sanden ", kind="event")
    assert filters == Filters(point=point.id, area="Sanden", kind="event")
    filters = resolve(
        questionnaire,
        channel="staff",
        version="1",
        **{"from": "2026-06-01", "to": "2026-06-01"},
    )
    assert filters == Filters(
        channel="staff", version=1, since=date(2026, 6, 1), until=date(2026, 6, 1)
    )
    assert resolve(questionnaire, language="en") == Filters(language="en")


def test_at_most_three_filters_combine(questionnaire, point):
    # A date range counts as one: these are three.
    three = {"area": "Sanden", "channel": "staff", "from": "2026-06-01", "to": "2026-06-30"}
    assert resolve(questionnaire, **three).combined == 3
    assert combinable(resolve(questionnaire, **three)).combined == 3
    four = resolve(questionnaire, **three, version="1")
    with pytest.raises(FilterError) as caught:
        combinable(four)
    assert list(caught.value.problems) == ["filters"]
    assert "at most 3" in caught.value.problems["filters"][0]


def test_four_filters_are_a_422_for_results(api_as, coordinator, point):
    query = {"area": "Sanden", "channel": "staff", "version": 1, "kind": "event"}
    response = api_as(coordinator).get(results_url(**query))
    assert response.status_code == 422
    assert list(response.json["errors"]["query"]) == ["filters"]


def test_days_outside_the_years_the_api_takes_are_refused_without_its_schema(questionnaire):
    # The command line reaches resolve_filters with dates click parsed.
    with pytest.raises(FilterError) as caught:
        resolve_filters(questionnaire, {"to": date(9999, 12, 31)})
    assert caught.value.problems == {"to": ["Expected a day from 2000-01-01 to 2100-12-31."]}


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
        ("point", "1_0"),
        ("point", "٣"),
        ("version", " 1"),
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


def test_the_answers_index_selects_as_the_responses_do(
    app, api_as, staff, client, questionnaire, point, make_point
):
    from surveyservice.results.selection import matching_answers

    api = api_as(staff)
    walk = make_point(questionnaire, name="Torpa torg", area="Torpa", kind="walk")
    for hour, where, language in [(21, point, "sv"), (22, point, "en"), (22, walk, "sv")]:
        staff_answer(
            api, where, {"safe_now": "safe"}, datetime(2026, 6, 1, hour, tzinfo=UTC), language
        )
    resident = client.post(
        f"/api/v1/collect/{walk.token}/responses",
        json={
            "id": str(uuid.uuid4()),
            "version": 1,
            "language": "sv",
            "answers": {"safe_now": "safe"},
        },
    )
    assert resident.status_code == 201
    queries = [
        {},
        {"point": str(point.id)},
        {"area": "torpa"},
        {"kind": "walk"},
        {"channel": "resident"},
        {"version": "1"},
        {"language": "en"},
        {"from": "2026-06-02"},
        {"to": "2026-06-01"},
        {"area": "Sanden", "from": "2026-06-01", "to": "2026-06-01"},
    ]
    sizes = []
    for query in queries:
        filters = resolve(questionnaire, **query)
        by_responses = set(
            db.session.execute(matching_responses(questionnaire, filters, ZONE)).scalars()
        )
        by_answers = set(
            db.session.execute(matching_answers(questionnaire, "safe_now", filters, ZONE)).scalars()
        )
        assert by_answers == {r.id for r in by_responses}, query
        sizes.append(len(by_answers))
    assert sizes == [4, 2, 2, 2, 1, 4, 1, 3, 1, 1]


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


# --- thresholds -------------------------------------------------------------------


def test_thresholds_change_within_their_ranges_and_are_recorded(app, org, admin):
    from surveyservice.audit.models import AuditEntry
    from surveyservice.results.settings import ThresholdError, change_thresholds, thresholds_for
    from surveyservice.results.summary import Thresholds

    assert thresholds_for(org) == Thresholds(5, 10)
    for k, text_k, field in [(2, 10, "k"), (101, 200, "k"), (5, 4, "text_k"), (5, 1001, "text_k")]:
        with pytest.raises(ThresholdError) as caught:
            change_thresholds(org, k, text_k, admin)
        assert field in caught.value.problems
    with pytest.raises(ThresholdError):
        change_thresholds(org, True, 10, admin)
    assert thresholds_for(org) == Thresholds(5, 10)
    assert change_thresholds(org, 3, 3, admin) == Thresholds(3, 3)
    change_thresholds(org, 3, 3, admin)  # no change, no entry
    db.session.commit()
    db.session.expire_all()
    assert thresholds_for(org) == Thresholds(3, 3)
    entries = db.session.execute(sa.select(AuditEntry)).scalars().all()
    assert [(e.action, e.details, e.user_email) for e in entries] == [
        ("organisation.result_thresholds_changed", {"k": [5, 3], "text_k": [10, 3]}, admin.email)
    ]


# --- the API ------------------------------------------------------------------------


def results_url(slug="sample", **query):
    from urllib.parse import urlencode

    return f"/api/v1/questionnaires/{slug}/results" + (f"?{urlencode(query)}" if query else "")


def test_results_are_for_coordinators_and_admins_of_the_organisation(
    client, api_as, staff, coordinator, admin, other_coordinator, point
):
    assert client.get(results_url()).status_code == 401
    assert api_as(staff).get(results_url()).status_code == 403
    assert api_as(other_coordinator).get(results_url()).status_code == 404
    assert api_as(coordinator).get(results_url(slug="nothing")).status_code == 404
    for user in (coordinator, admin):
        response = api_as(user).get(results_url())
        assert response.status_code == 200
        # No response yet: a zero describes nobody, so it is shown.
        assert (response.json["total"], response.json["withheld"]) == (0, None)


def test_a_questionnaire_never_published_has_no_results(
    api_as, coordinator, org, make_questionnaire
):
    make_questionnaire(org, published=False, slug="unpublished")
    response = api_as(coordinator).get(results_url(slug="unpublished"))
    assert response.status_code == 409
    assert "no published version" in response.json["message"]


@pytest.mark.parametrize(
    "name, value, words",
    [
        ("point", "999999", "No collection point"),
        ("point", "nine", "integer"),
        ("area", "Östra", "Sanden, Torpa"),
        ("kind", "party", "event"),
        ("channel", "fax", "resident"),
        ("version", "7", "Published: 1"),
        ("version", "0", ""),
        ("from", "2026-02-30", "date"),
        ("to", "tomorrow", "date"),
        ("from", "1999-12-31", "2000-01-01"),
        ("language", "fi", "sv, en"),
        ("language", "../etc", "language code"),
    ],
)
def test_each_bad_filter_is_a_422_naming_it(api_as, coordinator, point, name, value, words):
    response = api_as(coordinator).get(results_url(**{name: value}))
    assert response.status_code == 422, response.json
    assert set(response.json["errors"]["query"]) == {name}
    assert words.lower() in " ".join(response.json["errors"]["query"][name]).lower()


def test_a_misspelt_filter_is_a_422_not_unfiltered_figures(api_as, coordinator, point):
    response = api_as(coordinator).get(results_url(aera="Sanden"))
    assert response.status_code == 422
    assert "aera" in response.json["errors"]["query"]


def test_a_range_that_ends_before_it_starts_is_a_422(api_as, coordinator, point):
    response = api_as(coordinator).get(results_url(**{"from": "2026-06-02", "to": "2026-06-01"}))
    assert response.status_code == 422
    assert "after" in response.json["errors"]["query"]["from"][0]


def test_the_figures_of_real_submissions_with_small_groups_suppressed(
    app, client, api_as, staff, coordinator, admin, org, questionnaire, point
):
    from surveyservice.results.settings import change_thresholds

    change_thresholds(org, 5, 5, admin)
    db.session.commit()
    api = api_as(staff)
    day = datetime(2026, 6, 1, 10, tzinfo=UTC)
    texts = [f"Mörkt vid bryggan {n}" for n in range(8)]
    for n in range(12):
        staff_answer(api, point, {"safe_now": "safe", "rating": 4 if n < 7 else 5}, day)
    for text in texts:
        staff_answer(api, point, {"safe_now": "unsafe", "why_unsafe": text, "rating": 1}, day)

    response = api_as(coordinator).get(results_url())
    assert response.status_code == 200, response.json
    summary = response.json
    assert summary["total"] == 20 and summary["withheld"] is None
    assert summary["thresholds"] == {"k": 5, "text_k": 5}
    assert summary["days"] == [{"day": "2026-06-01", "count": 20}]
    questions = {q["id"]: q for q in summary["questions"]}
    cells = {c["value"]: (c["count"], c["share"]) for c in questions["safe_now"]["cells"]}
    # That nobody left it unanswered is a count of responses: zero is shown.
    assert cells == {"safe": (12, 0.6), "unsafe": (8, 0.4), None: (0, 0.0)}
    assert questions["rating"]["median"] == 4
    rating = {c["value"]: c["count"] for c in questions["rating"]["cells"]}
    # Nobody chose 2 or 3 (zero answers are below k): the smallest shown cell, 5, goes
    # with them, so that the total minus the shown cells gives none of them away.
    assert rating == {"1": 8, "2": None, "3": None, "4": 7, "5": None, None: 0}
    listed = questions["why_unsafe"]["texts"]
    assert sorted(listed) == sorted(texts)

    # With the organisation's default free-text threshold (10), 8 answers are not listed.
    change_thresholds(org, 5, 10, admin)
    db.session.commit()
    summary = api_as(coordinator).get(results_url()).json
    assert {q["id"]: q["texts"] for q in summary["questions"]}["why_unsafe"] is None

    # A view of fewer than k is withheld, with no figure at all.
    for _ in range(2):
        client.post(
            f"/api/v1/collect/{point.token}/responses",
            json={
                "id": str(uuid.uuid4()),
                "version": 1,
                "language": "en",
                "answers": {"safe_now": "safe"},
            },
        )
    small = api_as(coordinator).get(results_url(channel="resident", area="sanden")).json
    assert (small["total"], small["withheld"], small["questions"]) == (
        None,
        "selection_too_small",
        [],
    )
    assert small["filters"]["area"] == "Sanden"
    assert small["filters"]["channel"] == "resident"
    # ... and so is what the filter leaves out when that is the small part.
    rest = api_as(coordinator).get(results_url(channel="staff")).json
    assert (rest["total"], rest["withheld"]) == (None, "rest_too_small")


def test_free_text_is_listed_in_a_random_order(
    app, api_as, staff, coordinator, org, admin, questionnaire, point
):
    from surveyservice.results.settings import change_thresholds

    change_thresholds(org, 3, 3, admin)
    db.session.commit()
    api = api_as(staff)
    texts = [f"Svar {n:02d}" for n in range(30)]
    for text in texts:
        staff_answer(api, point, {"safe_now": "unsafe", "why_unsafe": text})
    orders = set()
    for _ in range(4):
        summary = api_as(coordinator).get(results_url()).json
        listed = {q["id"]: q["texts"] for q in summary["questions"]}["why_unsafe"]
        assert sorted(listed) == texts
        orders.add(tuple(listed))
    # Four draws of 30 answers in arrival order, or all alike, by chance: about 1 in 10^96.
    assert tuple(texts) not in orders and len(orders) > 1


def test_the_results_route_is_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").json
    operation = document["paths"]["/api/v1/questionnaires/{slug}/results"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {
        "point",
        "area",
        "kind",
        "channel",
        "version",
        "from",
        "to",
        "language",
    }
    schemas = document["components"]["schemas"]
    assert "null when suppressed" in schemas["Cell"]["properties"]["count"]["description"]


def test_asking_for_an_answer_language_is_on_the_record(
    api_as, coordinator, staff, questionnaire, point
):
    from surveyservice.audit.models import AuditEntry

    def logged():
        db.session.expire_all()
        return [
            (e.action, e.subject, e.details, e.user_email)
            for e in db.session.execute(sa.select(AuditEntry)).scalars()
        ]

    api = api_as(coordinator)
    assert api.get(results_url(area="Sanden")).status_code == 200
    assert api.get(results_url(language="fi")).status_code == 422
    assert logged() == []
    assert api.get(results_url(language="en", area="sanden")).status_code == 200
    assert logged() == [
        (
            "results.viewed_by_language",
            "sample",
            {"area": "Sanden", "language": "en"},
            coordinator.email,
        )
    ]


def test_yes_and_no_are_named_in_every_language(
    api_as, org, staff, coordinator, make_questionnaire, make_point
):
    questionnaire = make_questionnaire(
        org, slug="dark", questions=[{"id": "dark", "type": "yesno", "label": "Mörkt?"}]
    )
    point = make_point(questionnaire)
    for answer in [True] * 6 + [False] * 5:
        staff_answer(api_as(staff), point, {"dark": answer})
    results = api_as(coordinator).get(results_url("dark")).json
    cells = {c["value"]: c for c in results["questions"][0]["cells"]}
    assert cells["true"]["count"] == 6 and cells["false"]["count"] == 5
    assert cells["true"]["label"] == {"sv": "Ja", "en": "Yes", "ar": "نعم"}
    assert cells["false"]["label"]["sv"] == "Nej"
