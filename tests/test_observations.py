"""Observations of a walk and their follow-up, through the API as staff and
coordinators use it: what each may see and change, what the history and the audit
log keep, and how the list is filtered."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from surveyservice.accounts.models import Role
from surveyservice.audit.models import AuditEntry
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft
from surveyservice.walks.models import Observation, ObservationChange
from surveyservice.walks.observations import (
    FollowUpError,
    ObservationFilters,
    category_values,
    entry_answers,
    history,
    list_observations,
    observation_photos,
    set_status_names,
    severity_value,
    status_label,
    update_follow_up,
)

from .conftest import make_user
from .images import photo_with_metadata
from .test_walk_recording import stop, walk, walk_definition

# The evening of 30 November in Vänersborg (UTC+1), an hour before midnight.
EVENING = "2026-11-30T23:30:00+01:00"


@pytest.fixture
def walk_point(org, make_point):
    questionnaire = create_questionnaire(org, walk_definition())
    publish_draft(questionnaire)
    db.session.commit()
    return make_point(
        questionnaire,
        name="Vandring i Torpa",
        area="Torpa",
        kind="walk",
        opens_at=datetime(2026, 11, 1, tzinfo=UTC),
    )


def uploaded(api, point) -> str:
    """A photo uploaded to the walk's point as the tablet uploads it, before the walk."""
    photo_id = str(uuid.uuid4())
    response = api.put(
        f"/api/v1/collect/{point.token}/photos/{photo_id}",
        data=photo_with_metadata(size=(400, 300)),
    )
    assert response.status_code == 201, response.json
    return photo_id


def post_walk(api, point, *stops, walk_answers: dict | None = None, **overrides) -> dict:
    body = walk(*stops, **overrides)
    body["answers"].update(walk_answers or {})
    response = api.post(f"/api/v1/collect/{point.token}/responses", json=body)
    assert response.status_code == 201, response.json
    return body


def stored() -> list[Observation]:
    db.session.expire_all()
    return list(
        db.session.execute(
            sa.select(Observation).order_by(Observation.response_id, Observation.entry)
        ).scalars()
    )


@pytest.fixture
def posted(api_as, staff, coordinator, walk_point):
    """A walk of three stops, as a tablet sends it: by GPS with a photo (and one the
    coordinator deleted), by a tap on the map, and by a named place."""
    tablet = api_as(staff)
    kept, deleted = uploaded(tablet, walk_point), uploaded(tablet, walk_point)
    body = post_walk(
        tablet,
        walk_point,
        stop(photo=[kept, deleted], note="Lampan är trasig"),
        stop(
            place={"lat": 58.3701, "lon": 12.3142, "source": "map"},
            categories=["vegetation", "overview"],
            severity="2",
        ),
        stop(place={"place": "underpass"}, categories=["litter"], severity="4"),
        recorded_at=EVENING,
    )
    # A coordinator deleted one of them (a face was in it).
    assert api_as(coordinator).delete(f"/api/v1/photos/{deleted}").status_code == 204
    observations = stored()
    return {"body": body, "observations": observations, "photo": kept, "deleted": deleted}


def url_of(observation) -> str:
    return f"/api/v1/observations/{observation.id}"


# --- showing one ------------------------------------------------------------------


def test_staff_see_an_observation_with_its_answers_photos_and_follow_up(api_as, staff, posted):
    first = posted["observations"][0]
    shown = api_as(staff).get(url_of(first))
    assert shown.status_code == 200, shown.json
    data = shown.json
    assert data["response_id"] == posted["body"]["id"]
    assert (data["group"], data["entry"], data["point"], data["area"]) == (
        "stops",
        1,
        "Vandring i Torpa",
        "Torpa",
    )
    assert data["position"] == {"lat": 58.3712345, "lon": 12.3154321, "accuracy": 8.4}
    assert data["answers"]["note"] == "Lampan är trasig"
    assert data["category"] == ["lighting"] and data["severity"] == "3"
    # The photo a coordinator deleted is no longer linked.
    assert data["photos"] == [{"id": posted["photo"], "url": f"/photos/{posted['photo']}.jpg"}]
    photo = api_as(staff).get(data["photos"][0]["url"])
    assert (photo.status_code, photo.mimetype) == (200, "image/jpeg")
    assert data["follow_up"] == {
        "status": "new",
        "responsible": None,
        "public_note": "",
        "internal_note": "",
        "public": False,
        "updated_at": None,
    }
    assert data["history"] == []
    named = api_as(staff).get(url_of(posted["observations"][2])).json
    assert named["position"] is None and named["place"] == "underpass"


def test_the_entry_s_answers_and_its_category_and_severity(posted):
    second = posted["observations"][1]
    assert entry_answers(second)["categories"] == ["vegetation", "overview"]
    assert category_values(second) == ["vegetation", "overview"]
    assert severity_value(second) == "2"


# --- changing the follow-up ---------------------------------------------------------


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.execute(sa.select(AuditEntry).filter_by(action=action)).scalars())


def test_a_coordinator_changes_the_follow_up_and_each_change_is_kept_once(
    api_as, coordinator, posted
):
    first = posted["observations"][0]
    api = api_as(coordinator)
    secret = "Fastighetsägaren Nils Nilsson vill inte betala"
    changed = api.patch(
        url_of(first),
        json={"status": "planned", "responsible": "property_owner", "internal_note": secret},
    )
    assert changed.status_code == 200, changed.json
    assert changed.json["follow_up"]["status"] == "planned"
    assert changed.json["follow_up"]["internal_note"] == secret
    [item] = changed.json["history"]
    assert item["user"] == coordinator.email
    assert item["changes"] == {
        "status": ["new", "planned"],
        "responsible": [None, "property_owner"],
        "internal_note": ["", secret],
    }
    # The same values again change nothing: no history, no log.
    again = api.patch(url_of(first), json={"status": "planned", "internal_note": f" {secret} "})
    assert again.status_code == 200
    assert len(again.json["history"]) == 1
    fixed = api.patch(url_of(first), json={"status": "fixed", "public_note": "Lampan är bytt."})
    assert [sorted(h["changes"]) for h in fixed.json["history"]] == [
        ["internal_note", "responsible", "status"],
        ["public_note", "status"],
    ]
    entries = audit("observation.follow_up_changed")
    assert [e.details for e in entries] == [
        {
            "fields": ["internal_note", "responsible", "status"],
            "status": ["new", "planned"],
            "responsible": [None, "property_owner"],
        },
        {"fields": ["public_note", "status"], "status": ["planned", "fixed"]},
    ]
    everything = " ".join(f"{e.subject} {e.details}" for e in audit_all())
    assert "Nilsson" not in everything and "Lampan" not in everything


def audit_all() -> list[AuditEntry]:
    return list(db.session.execute(sa.select(AuditEntry)).scalars())


def test_the_public_note_is_masked_and_the_internal_note_kept_as_written(
    api_as, coordinator, posted
):
    first = posted["observations"][0]
    note = "Ring Nils Nilsson på 070-123 45 67"
    changed = api_as(coordinator).patch(
        url_of(first), json={"public_note": note, "internal_note": note}
    )
    follow_up = changed.json["follow_up"]
    assert "070-123 45 67" not in follow_up["public_note"]
    assert "[telefonnummer]" in follow_up["public_note"]
    assert follow_up["internal_note"] == note


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"responsible": "mayor"}, "responsible"),
        ({"public_note": "x" * 2001}, "public_note"),
        ({"status": "done", "internal_note": "x" * 2001}, "internal_note"),
        ({"internal_note": 12}, "internal_note"),
        ({"public_note": "bell\x07"}, "public_note"),
        ({"observed_at": "2026-01-01T00:00:00Z"}, "observed_at"),
        ({}, "_schema"),
    ],
)
def test_a_bad_follow_up_is_refused_naming_the_field_and_nothing_changes(
    api_as, coordinator, posted, body, field
):
    first = posted["observations"][0]
    refused = api_as(coordinator).patch(url_of(first), json=body)
    assert refused.status_code == 422, refused.json
    assert field in refused.json["errors"]["json"]
    assert stored()[0].status == "new"
    assert db.session.execute(sa.select(sa.func.count(ObservationChange.id))).scalar() == 0


def test_staff_see_but_cannot_change_the_follow_up(api_as, staff, posted):
    first = posted["observations"][0]
    refused = api_as(staff).patch(url_of(first), json={"status": "fixed"})
    assert refused.status_code == 403
    assert stored()[0].status == "new"


def test_another_organisation_and_the_signed_out_get_nothing(
    api_as, client, other_org, other_coordinator, posted
):
    first = posted["observations"][0]
    intruders = [api_as(make_user(other_org, Role.STAFF)), api_as(other_coordinator)]
    for intruder in intruders:
        assert intruder.get(url_of(first)).status_code == 404
        assert intruder.get("/api/v1/observations").json == []
    changed = api_as(other_coordinator).patch(url_of(first), json={"status": "fixed"})
    assert changed.status_code == 404
    assert changed.json["message"] == f"No observation {first.id}."
    assert client.get(url_of(first)).status_code == 401
    assert client.get("/api/v1/observations").status_code == 401
    assert client.patch(url_of(first), json={"status": "fixed"}).status_code == 401
    assert stored()[0].status == "new"


# --- the list and its filters ---------------------------------------------------------


def listed(api, query: str = "") -> list[tuple[int, str]]:
    response = api.get(f"/api/v1/observations{query}")
    assert response.status_code == 200, response.json
    return [item["entry"] for item in response.json]


def test_the_list_is_filtered_by_walk_area_category_severity_status_and_day(
    api_as, staff, coordinator, posted, walk_point, make_point
):
    api = api_as(staff)
    elsewhere = make_point(
        walk_point.questionnaire,
        name="Vandring i Sanden",
        area="Sanden",
        kind="walk",
        opens_at=datetime(2026, 11, 1, tzinfo=UTC),
    )
    post_walk(api, elsewhere, stop(categories=["lighting"], severity="1"))
    api_as(coordinator).patch(url_of(posted["observations"][1]), json={"status": "planned"})
    assert listed(api) == [1, 2, 3, 1]
    assert listed(api, f"?point={walk_point.id}") == [1, 2, 3]
    assert listed(api, "?area=sanden") == [1]
    assert listed(api, "?questionnaire=torpa-walk&area=Torpa") == [1, 2, 3]
    assert listed(api, "?category=lighting") == [1, 1]
    assert listed(api, "?category=litter&category=overview") == [2, 3]
    assert listed(api, "?severity=4&severity=2") == [2, 3]
    assert listed(api, "?status=planned") == [2]
    assert listed(api, "?status=new&area=Torpa") == [1, 3]
    # 23:30 on 30 November in the organisation's time zone is 22:00 UTC, that day.
    assert listed(api, "?from=2026-11-30&to=2026-11-30") == [1, 2, 3]
    assert listed(api, "?to=2026-11-29") == []
    assert listed(api, "?from=2026-12-01&point=" + str(walk_point.id)) == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("?area=Nowhere", "area"),
        ("?point=999999", "point"),
        ("?questionnaire=unknown", "questionnaire"),
        ("?status=done", "status"),
        ("?from=2026-12-02&to=2026-12-01", "from"),
        ("?colour=red", "colour"),
        ("?point=1_0", "point"),
    ],
)
def test_a_filter_that_names_nothing_is_a_422_naming_it(api_as, staff, posted, query, parameter):
    response = api_as(staff).get(f"/api/v1/observations{query}")
    assert response.status_code == 422, response.json
    # A list's value is named by its place: status[0].
    assert [p.split("[")[0] for p in response.json["errors"]["query"]] == [parameter]


def test_a_point_of_another_organisation_is_named_as_unknown(
    api_as, other_coordinator, posted, walk_point
):
    response = api_as(other_coordinator).get(f"/api/v1/observations?point={walk_point.id}")
    assert response.status_code == 422
    assert response.json["errors"]["query"]["point"] == [f"No collection point {walk_point.id}."]


def count_queries(app, action) -> int:
    statements = []

    def counted(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", counted)
    try:
        action()
    finally:
        sa.event.remove(engine, "before_cursor_execute", counted)
    return len(statements)


def test_the_list_and_the_exports_ask_the_database_as_often_for_many(
    app, api_as, staff, coordinator, org, posted, walk_point
):
    staff_api, coordinator_api = api_as(staff), api_as(coordinator)

    def listing():
        found = list_observations(org.id, ObservationFilters(categories=("lighting",)))
        shown = [(o.point.area.name, o.point.questionnaire.slug) for o in found]
        observation_photos(found)
        db.session.expire_all()
        assert staff_api.get("/api/v1/observations").status_code == 200
        for url in ("observations.csv", "observations.geojson"):
            exported = coordinator_api.get(f"/api/v1/questionnaires/torpa-walk/{url}")
            assert exported.status_code == 200
        return shown

    few = count_queries(app, listing)
    for _ in range(3):
        post_walk(staff_api, walk_point, stop(), stop(), stop())
    assert count_queries(app, listing) == few


# --- the domain's rules --------------------------------------------------------------


def test_update_follow_up_refuses_a_bad_value_and_changes_nothing(posted, coordinator):
    first = posted["observations"][0]
    with pytest.raises(FollowUpError) as refused:
        update_follow_up(first, coordinator, status="fixed", public_note="bell\x07")
    assert set(refused.value.problems) == {"public_note"}
    db.session.rollback()
    assert stored()[0].status == "new"
    assert history(stored()[0]) == []


def test_an_observation_changed_the_same_way_twice_has_one_change(posted, coordinator):
    first = posted["observations"][0]
    assert update_follow_up(first, coordinator, status="fixed") == {"status": ["new", "fixed"]}
    db.session.commit()
    assert update_follow_up(first, coordinator, status="fixed") == {}
    db.session.commit()
    assert len(history(first)) == 1
    assert first.updated_at is not None and first.updated_at > utcnow() - timedelta(minutes=1)


def test_organisations_name_statuses_in_their_own_words(org, coordinator):
    assert status_label(org, "planned", "sv") == "Planerad"
    assert status_label(org, "wont_fix", "en") == "Won't fix"
    assert status_label(org, "not_ours", "sv") == "Inte vårt ansvar"
    set_status_names(org, {"planned": {"sv": "Beställd"}}, coordinator)
    db.session.commit()
    assert status_label(org, "planned", "sv") == "Beställd"
    assert status_label(org, "planned", "en") == "Planned"
    [entry] = audit("organisation.status_names_changed")
    assert entry.details == {"changed": ["planned.sv"]}
    # The same names again change nothing; an empty one brings the default back.
    set_status_names(org, {"planned": {"sv": "Beställd"}}, coordinator)
    set_status_names(org, {"planned": {"sv": ""}}, coordinator)
    db.session.commit()
    assert status_label(org, "planned", "sv") == "Planerad"
    assert org.status_names is None
    assert len(audit("organisation.status_names_changed")) == 2
    with pytest.raises(FollowUpError) as refused:
        set_status_names(
            org,
            {"planned": {"sv": "x" * 41, "de": "Geplant", "en": "Two\nlines"}, "gone": {}},
            coordinator,
        )
    assert set(refused.value.problems) == {"planned.sv", "planned.de", "planned.en", "gone"}


def test_the_audit_log_page_shows_the_change_without_the_notes(
    client, auth, api_as, admin, coordinator, posted
):
    first = posted["observations"][0]
    api_as(coordinator).patch(
        url_of(first),
        json={"status": "planned", "internal_note": "Nils Nilsson", "public_note": "Snart"},
    )
    auth.login(admin.email)
    page = client.get("/audit?lang=sv").get_data(as_text=True)
    assert "Uppföljning av observation ändrad" in page
    assert "Vandring i Torpa #1" in page
    assert "status: new, planned" in page
    assert "Nilsson" not in page and "Snart" not in page
