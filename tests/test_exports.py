"""Exports of raw answers: answers go in through the real API, every export is read back
with Python's csv module, with LibreOffice (the excel-sv CSV, as Swedish Excel would
open it) and with openpyxl (what LibreOffice wrote, and the XLSX export itself)."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from werkzeug.test import EnvironBuilder, run_wsgi_app

from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import publish_definition

from .conftest import make_definition

SLUG = "sample"
BASE = f"/api/v1/questionnaires/{SLUG}"
LANGUAGES = ["sv", "en", "ar"]


def text(sv, en, ar):
    return {"sv": sv, "en": en, "ar": ar}


def option(value, sv, en, ar):
    return {"value": value, "label": text(sv, en, ar)}


SAFE_NOW = {
    "id": "safe_now",
    "type": "single",
    "label": text("Hur trygg känner du dig?", "How safe do you feel?", "ما مدى شعورك بالأمان؟"),
    "required": True,
    "options": [
        option("safe", "Trygg", "Safe", "آمن"),
        option("unsafe", "Otrygg", "Unsafe", "غير آمن"),
        option("dont_know", "Vet ej", "Don't know", "لا أعرف"),
    ],
}
PARK = option("park", "Parken", "The park", "الحديقة")
STATION = option("station", "Stationen", "The station", "المحطة")
SQUARE = option("square", "Torget", "The square", "الساحة")
HARBOUR = option("harbour", "Hamnen", "The harbour", "الميناء")
RATING = {"id": "rating", "type": "scale", "label": "1–5", "min": 1, "max": 5}
COMMENT = {
    "id": "comment",
    "type": "text",
    "label": text("Något mer?", "Anything else?", "شيء آخر؟"),
}
AMOUNT = {"id": "amount", "type": "number", "label": text("Belopp", "Amount", "المبلغ")}
OLD_Q = {"id": "old_q", "type": "yesno", "label": text("Förr?", "Before?", "من قبل؟")}
VISITED = {"id": "visited", "type": "date", "label": text("När?", "When?", "متى؟")}
WHERE = {
    "id": "where",
    "type": "location",
    "label": text("Var?", "Where?", "أين؟"),
    "places": [option("torget", "Torget", "The square", "الساحة")],
}
REMARK = {"id": "remark", "type": "text", "label": text("Kommentar", "Remark", "ملاحظة")}
GROUP = {
    "id": "grp",
    "type": "group",
    "label": text("Grupp", "Group", "مجموعة"),
    "questions": [{"id": "inner", "type": "yesno", "label": text("Inre", "Inner", "داخلي")}],
}


def places(*options):
    return {
        "id": "places",
        "type": "multi",
        "label": text("Var har du varit?", "Where have you been?", "أين كنت؟"),
        "options": list(options),
    }


def definition(questions, title="Trygghet"):
    return make_definition(
        title=text(title, "Safety", "الأمان"), languages=LANGUAGES, questions=questions
    )


# Version 1; version 2 adds a date (in the middle) and a location, removes the option
# "square" and adds "harbour", and renames safe_now; version 3 removes old_q, renames
# the option "park", replaces comment by remark and adds a group.
V1 = [SAFE_NOW, places(PARK, STATION, SQUARE), RATING, COMMENT, AMOUNT, OLD_Q]
V2 = [
    {**SAFE_NOW, "label": text("Känner du dig trygg?", "Do you feel safe?", "هل تشعر بالأمان؟")},
    places(PARK, STATION, HARBOUR),
    RATING,
    VISITED,
    COMMENT,
    AMOUNT,
    OLD_Q,
    WHERE,
]
V3 = [
    V2[0],
    places(option("park", "Parken vid ån", "The riverside park", "حديقة النهر"), STATION, HARBOUR),
    RATING,
    VISITED,
    REMARK,
    AMOUNT,
    WHERE,
    GROUP,
]

# The ids order the rows: the first submitted sorts last.
ID_1 = "c0000000-0000-4000-8000-000000000001"
ID_2 = "10000000-0000-4000-8000-000000000002"
ID_3 = "80000000-0000-4000-8000-000000000003"
ID_4 = "40000000-0000-4000-8000-000000000004"

ANSWERS_1 = {
    "safe_now": "safe",
    "places": ["park", "square"],
    "rating": 4,
    "comment": "=1+1 är en formel",
    "amount": 34.5,
    "old_q": True,
}
ANSWERS_4 = {"safe_now": "unsafe", "comment": "@kommun hej"}
ANSWERS_2 = {
    "safe_now": "unsafe",
    "places": ["harbour"],
    "rating": 2,
    "visited": "2026-05-01",
    "comment": "سلام عليكم",
    "amount": -2.25,
    "old_q": False,
    "where": {"place": "torget"},
}
ANSWERS_3 = {
    "safe_now": "dont_know",
    "places": ["park", "station"],
    "remark": "-bra, öppet och ärligt",
    "amount": 1200,
    "where": {"lat": 58.3806, "lon": 12.3247},
}


def submit(client, point, response_id, version, answers, language="sv"):
    response = client.post(
        f"/api/v1/collect/{point.token}/responses",
        json={"id": response_id, "version": version, "language": language, "answers": answers},
    )
    assert response.status_code == 201, response.json
    return response.json


@pytest.fixture
def questionnaire(org, make_questionnaire):
    return make_questionnaire(org, **definition(V1))


@pytest.fixture
def point(questionnaire, make_point):
    return make_point(questionnaire)


@pytest.fixture
def answered(client, questionnaire, point):
    """Three versions, four responses through the API, the first two on version 1."""
    submit(client, point, ID_1, 1, ANSWERS_1)
    submit(client, point, ID_4, 1, ANSWERS_4, language="en")
    for questions in (V2, V3):
        publish_definition(questionnaire, definition(questions))
    db.session.commit()
    submit(client, point, ID_2, 2, ANSWERS_2, language="ar")
    submit(client, point, ID_3, 3, ANSWERS_3)
    return questionnaire


def read_csv(response, delimiter=","):
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


def as_dicts(table):
    head, *rows = table
    return [dict(zip(head, row, strict=True)) for row in rows]


@pytest.fixture
def coordinator_api(api_as, coordinator):
    return api_as(coordinator)


# --- the wide table ---------------------------------------------------------

METADATA = ["response_id", "version", "point_id", "point", "area", "kind", "channel"]
WIDE_HEADER = [
    *METADATA,
    "received_at",
    "safe_now",
    "places",
    "places.park",
    "places.station",
    "places.harbour",
    "places.square",
    "rating",
    "visited",
    "remark",
    "comment",
    "amount",
    "old_q",
    "where",
    "where.lat",
    "where.lon",
]


def test_wide_csv_has_a_column_per_question_and_option_across_versions(
    coordinator_api, answered, point
):
    table = read_csv(coordinator_api.get(f"{BASE}/responses.csv?dialect=rfc4180"))
    assert table[0] == WIDE_HEADER
    rows = as_dicts(table)
    # By id, never by arrival; the group (not answerable yet) has no column.
    assert [r["response_id"] for r in rows] == [ID_2, ID_4, ID_3, ID_1]
    second, fourth, third, first = rows
    assert first["version"] == "1" and second["version"] == "2" and third["version"] == "3"
    assert first["point"] == "Sandenfestivalen" and first["area"] == "Sanden"
    assert first["point_id"] == str(point.id)
    assert (first["kind"], first["channel"]) == ("event", "resident")
    assert datetime.fromisoformat(first["received_at"]).minute == 0
    # Multi-choice: a readable column and one 0/1 column per option the version offered.
    assert first["places"] == "park; square"
    assert [first[f"places.{v}"] for v in ("park", "station", "harbour", "square")] == [
        "1",
        "0",
        "",
        "1",
    ]
    assert [second[f"places.{v}"] for v in ("park", "station", "harbour", "square")] == [
        "0",
        "0",
        "1",
        "",
    ]
    # Not answered: every column of the question stays empty.
    assert fourth["places"] == "" and fourth["places.park"] == ""
    # A question its version did not ask stays empty; a removed one keeps its column.
    assert first["visited"] == "" and second["visited"] == "2026-05-01"
    assert third["comment"] == "" and third["remark"] == "'-bra, öppet och ärligt"
    assert (first["old_q"], second["old_q"], third["old_q"]) == ("1", "0", "")
    # Numbers stay numbers (a minus sign included); formulas are neutralised.
    assert (first["amount"], second["amount"], third["amount"]) == ("34.5", "-2.25", "1200")
    assert first["comment"] == "'=1+1 är en formel"
    assert fourth["comment"] == "'@kommun hej"
    assert second["comment"] == "سلام عليكم"
    assert (second["where"], second["where.lat"]) == ("torget", "")
    assert third["where"] == ""
    lat, lon = float(third["where.lat"]), float(third["where.lon"])
    # Coarsened when stored: about 250 m, never the position as sent.
    assert abs(lat - 58.3806) < 0.003 and (lat, lon) != (58.3806, 12.3247)
    assert "language" not in table[0]


def test_removing_questions_and_options_never_moves_the_other_columns(
    client, coordinator_api, questionnaire, point
):
    submit(client, point, ID_1, 1, ANSWERS_1)
    submit(client, point, ID_4, 1, ANSWERS_4)
    before = read_csv(coordinator_api.get(f"{BASE}/responses.csv?dialect=rfc4180"))
    for questions in (V2, V3):
        publish_definition(questionnaire, definition(questions))
    db.session.commit()
    submit(client, point, ID_2, 2, ANSWERS_2)
    after = read_csv(coordinator_api.get(f"{BASE}/responses.csv?dialect=rfc4180"))
    # Every column of before is still there, in the same order among themselves...
    assert [name for name in after[0] if name in before[0]] == before[0]
    # ...and holds the same values for the same responses.
    old = {r["response_id"]: r for r in as_dicts(before)}
    new = {r["response_id"]: r for r in as_dicts(after)}
    for response_id, row in old.items():
        assert {k: new[response_id][k] for k in row} == row
    assert new[ID_2]["places.harbour"] == "1"


def test_excel_sv_is_utf8_with_bom_semicolons_decimal_commas_and_crlf(coordinator_api, answered):
    body = coordinator_api.get(f"{BASE}/responses.csv").get_data()
    assert body.startswith(b"\xef\xbb\xbfresponse_id;version;")
    assert body.count(b"\r\n") == 5 and b"\n" not in body.replace(b"\r\n", b"")
    rows = as_dicts(list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")))
    amounts = {r["response_id"]: r["amount"] for r in rows}
    assert amounts == {ID_1: "34,5", ID_2: "-2,25", ID_3: "1200", ID_4: ""}
    rfc = coordinator_api.get(f"{BASE}/responses.csv?dialect=rfc4180").get_data()
    assert rfc.startswith(b"response_id,version,")


def test_labels_replace_option_values_in_a_language_but_not_the_column_names(
    coordinator_api, answered
):
    for language, safe, both, yes, harbour in (
        ("sv", "Trygg", "Parken; Torget", "Ja", "Hamnen"),
        ("en", "Safe", "The park; The square", "Yes", "The harbour"),
        ("ar", "آمن", "الحديقة; الساحة", "نعم", "الميناء"),
    ):
        url = f"{BASE}/responses.csv?dialect=rfc4180&labels={language}"
        table = read_csv(coordinator_api.get(url))
        assert table[0] == WIDE_HEADER
        rows = {r["response_id"]: r for r in as_dicts(table)}
        assert rows[ID_1]["safe_now"] == safe
        assert rows[ID_1]["places"] == both
        assert rows[ID_1]["old_q"] == yes
        assert rows[ID_2]["places"] == harbour
        # The 0/1 columns stay numbers.
        assert rows[ID_1]["places.park"] == "1"
    # The label of the version the response was given on.
    sv = as_dicts(read_csv(coordinator_api.get(f"{BASE}/responses.csv?labels=sv"), ";"))
    assert {r["response_id"]: r["places"] for r in sv}[ID_3] == "Parken vid ån; Stationen"


def test_long_layout_has_one_row_per_answer(coordinator_api, answered):
    table = read_csv(coordinator_api.get(f"{BASE}/responses.csv?layout=long&dialect=rfc4180"))
    assert table[0] == ["response_id", "version", "question", "value"]
    rows = [tuple(r) for r in table[1:]]
    assert [r[0] for r in rows] == sorted(r[0] for r in rows)
    mine = [r[2:] for r in rows if r[0] == ID_3]
    assert mine == [
        ("safe_now", "dont_know"),
        ("places", "park"),
        ("places", "station"),
        ("remark", "'-bra, öppet och ärligt"),
        ("amount", "1200"),
        ("where.lat", mine[-2][1]),
        ("where.lon", mine[-1][1]),
    ]
    assert ("where", "torget") in [r[2:] for r in rows if r[0] == ID_2]
    assert len([r for r in rows if r[0] == ID_4]) == 2


def test_the_answer_language_only_when_asked_for_and_recorded(
    coordinator_api, coordinator, answered
):
    plain = read_csv(coordinator_api.get(f"{BASE}/responses.csv?layout=long"), ";")
    assert "language" not in plain[0]
    asked = read_csv(coordinator_api.get(f"{BASE}/responses.csv?include_language=true"), ";")
    assert asked[0][:9] == [*METADATA, "received_at", "language"]
    languages = {r["response_id"]: r["language"] for r in as_dicts(asked)}
    assert languages == {ID_1: "sv", ID_2: "ar", ID_3: "sv", ID_4: "en"}
    entries = db.session.execute(
        sa.select(AuditEntry).filter_by(action="results.exported").order_by(AuditEntry.id)
    ).scalars()
    details = [(e.user_email, e.subject, e.details) for e in entries]
    assert details == [
        (
            coordinator.email,
            SLUG,
            {
                "format": "csv",
                "layout": "long",
                "dialect": "excel-sv",
                "labels": "values",
                "language_included": False,
            },
        ),
        (
            coordinator.email,
            SLUG,
            {
                "format": "csv",
                "layout": "wide",
                "dialect": "excel-sv",
                "labels": "values",
                "language_included": True,
            },
        ),
    ]


def test_bad_parameters_are_refused_by_name(coordinator_api, answered):
    for query, name in (
        ("layout=tall", "layout"),
        ("labels=de", "labels"),
        ("dialect=excel", "dialect"),
        ("include_language=yes", "include_language"),
        ("colour=red", "colour"),
    ):
        response = coordinator_api.get(f"{BASE}/responses.csv?{query}")
        assert response.status_code == 422, query
        assert name in response.json["errors"]["query"], response.json
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_an_unpublished_questionnaire_exports_its_header_only(
    org, make_questionnaire, coordinator_api
):
    make_questionnaire(org, published=False)
    table = read_csv(coordinator_api.get(f"{BASE}/responses.csv"), ";")
    assert table == [[*METADATA, "received_at"]]


def test_the_csv_is_streamed(coordinator_api, answered):
    response = coordinator_api.get(f"{BASE}/responses.csv", buffered=False)
    assert response.is_streamed
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    assert b"".join(response.response).count(b"\r\n") == 5
    response.close()


def test_a_filtered_export_streams_as_a_server_serves_it(app, api_as, coordinator, answered, point):
    """A server pushes no app context around the response: the rows are read after the
    request's own session is gone (the test client keeps the test's context alive)."""
    token = api_as(coordinator).token
    url = f"{BASE}/responses.csv?dialect=rfc4180&point={point.id}&version=1"

    def serve():
        body, status, _ = run_wsgi_app(
            app.wsgi_app,
            EnvironBuilder(url, headers={"Authorization": f"Bearer {token}"}).get_environ(),
            buffered=True,
        )
        return status, b"".join(body)

    with ThreadPoolExecutor(1) as pool:
        status, body = pool.submit(serve).result()
    assert status == "200 OK", body
    rows = list(csv.reader(io.StringIO(body.decode())))
    assert [row[0] for row in rows[1:]] == [ID_4, ID_1]


# --- who may export -----------------------------------------------------------

ROUTES = ("responses.csv", "responses.xlsx", "dictionary.csv")


@pytest.mark.parametrize("route", ROUTES)
def test_staff_cannot_export_and_admins_can(api_as, staff, admin, client, answered, route):
    refused = api_as(staff).get(f"{BASE}/{route}")
    assert refused.status_code == 403
    assert client.get(f"{BASE}/{route}").status_code == 401
    assert api_as(admin).get(f"{BASE}/{route}").status_code == 200
    actions = db.session.execute(sa.select(AuditEntry.user_email, AuditEntry.details)).all()
    assert [email for email, _ in actions] == [admin.email]


# --- the dictionary -----------------------------------------------------------


def test_the_dictionary_describes_every_column(coordinator_api, answered):
    table = read_csv(coordinator_api.get(f"{BASE}/dictionary.csv?dialect=rfc4180"))
    assert table[0] == [
        "column",
        "question",
        "type",
        "label_sv",
        "label_en",
        "label_ar",
        "option",
        "option_label_sv",
        "option_label_en",
        "option_label_ar",
        "versions",
        "note",
    ]
    rows = as_dicts(table)
    columns = list(dict.fromkeys(r["column"] for r in rows))
    # Every column of the exports, the language column included.
    assert columns == [*METADATA, "received_at", "language", *WIDE_HEADER[8:]]
    by_name = {}
    for row in rows:
        by_name.setdefault(row["column"], []).append(row)
    (safe_now, *codes) = by_name["safe_now"]
    # The question's text of the latest version it is in.
    assert (safe_now["label_sv"], safe_now["label_ar"]) == (
        "Känner du dig trygg?",
        "هل تشعر بالأمان؟",
    )
    assert [(c["option"], c["option_label_en"], c["option_label_ar"]) for c in codes] == [
        ("safe", "Safe", "آمن"),
        ("unsafe", "Unsafe", "غير آمن"),
        ("dont_know", "Don't know", "لا أعرف"),
    ]
    (park,) = by_name["places.park"]
    assert (park["option_label_sv"], park["versions"]) == ("Parken vid ån", "1, 2, 3")
    assert by_name["places.square"][0]["versions"] == "1"
    assert by_name["places.harbour"][0]["versions"] == "2, 3"
    assert by_name["comment"][0]["versions"] == "1, 2"
    assert by_name["remark"][0]["versions"] == "3"
    assert by_name["old_q"][0]["type"] == "yesno"
    assert [(r["option"], r["option_label_sv"]) for r in by_name["old_q"][1:]] == [
        ("1", "Ja"),
        ("0", "Nej"),
    ]
    assert by_name["visited"][0]["type"] == "date"
    assert by_name["response_id"][0]["versions"] == "1, 2, 3"
    # What each column of the response's own data means, in the note.
    assert [(r["column"], r["type"], r["note"]) for r in rows[:10]] == [
        ("response_id", "uuid", "The response's id, made by the device that sent it"),
        ("version", "integer", "The number of the published version it was answered on"),
        ("point_id", "integer", "The collection point's id"),
        ("point", "text", "The collection point's name"),
        ("area", "text", "The collection point's area"),
        ("kind", "text", "The kind of collection point: event, walk or online"),
        ("channel", "text", "resident (the resident's own phone) or staff (a staff tablet)"),
        ("received_at", "datetime", "When the response arrived, to the hour, in UTC"),
        (
            "language",
            "text",
            "The language the answers were given in; sensitive, exported only when asked for",
        ),
        ("safe_now", "single", ""),
    ]


# --- read back by spreadsheet programs ------------------------------------------


def libreoffice_to_xlsx(csv_path: Path, tmp_path: Path) -> Path:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (make browser installs it)")
    # Semicolon (59), double quote (34), UTF-8 (76), from line 1, Swedish (1053)
    # numbers, quoted fields read like the others, special numbers (dates) detected.
    options = "CSV:59,34,76,1,,1053,false,true"
    # A profile of its own: parallel runs must not share one.
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            f"--infilter={options}",
            "--outdir",
            str(tmp_path),
            str(csv_path),
        ],
        check=True,
        capture_output=True,
        timeout=180,
        env={**os.environ, "HOME": str(tmp_path)},
    )
    return csv_path.with_suffix(".xlsx")


def sheet_rows(sheet):
    head, *rows = list(sheet.iter_rows())
    names = [c.value for c in head]
    return [dict(zip(names, row, strict=False)) for row in rows]


def check_spreadsheet_rows(rows, *, apostrophe: str):
    by_id = {r["response_id"].value: r for r in rows}
    assert list(by_id) == [ID_2, ID_4, ID_3, ID_1]
    first, second, third = by_id[ID_1], by_id[ID_2], by_id[ID_3]
    # Numbers as numbers, the decimal comma read as one.
    assert (first["amount"].value, first["amount"].data_type) == (34.5, "n")
    assert (second["amount"].value, second["amount"].data_type) == (-2.25, "n")
    assert third["amount"].value == 1200
    assert first["rating"].value == 4 and first["version"].value == 1
    assert (first["places.park"].value, first["places.station"].value) == (1, 0)
    assert first["places.harbour"].value is None and second["places.harbour"].value == 1
    assert first["places"].value == "park; square"
    # Text as text: å, ä, ö and Arabic intact, and no formula anywhere.
    assert (first["comment"].value, first["comment"].data_type) == (
        f"{apostrophe}=1+1 är en formel",
        "s",
    )
    assert third["remark"].value == f"{apostrophe}-bra, öppet och ärligt"
    assert second["comment"].value == "سلام عليكم"
    # Dates as dates.
    assert second["visited"].is_date and second["visited"].value == datetime(2026, 5, 1)
    assert first["visited"].value is None
    assert first["received_at"].is_date and first["received_at"].value.minute == 0


def test_libreoffice_opens_the_excel_sv_csv_as_swedish_excel_would(
    coordinator_api, answered, tmp_path
):
    response = coordinator_api.get(f"{BASE}/responses.csv")
    path = tmp_path / "responses.csv"
    path.write_bytes(response.get_data())
    workbook = openpyxl.load_workbook(libreoffice_to_xlsx(path, tmp_path))
    sheet = workbook.active
    assert [c.value for c in next(sheet.iter_rows())] == WIDE_HEADER
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row), (
        "a cell became a formula"
    )
    # The CSV's apostrophe shows the text was neutralised; the spreadsheet keeps it.
    check_spreadsheet_rows(sheet_rows(sheet), apostrophe="'")


def test_the_xlsx_export_has_typed_cells_and_the_dictionary(coordinator_api, answered, tmp_path):
    response = coordinator_api.get(f"{BASE}/responses.xlsx")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    path = tmp_path / "responses.xlsx"
    path.write_bytes(response.get_data())
    assert response.content_length == path.stat().st_size
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["Responses", "Dictionary"]
    sheet = workbook["Responses"]
    assert [c.value for c in next(sheet.iter_rows())] == WIDE_HEADER
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)
    # A text cell is never run, so it needs no apostrophe.
    check_spreadsheet_rows(sheet_rows(sheet), apostrophe="")
    dictionary = sheet_rows(workbook["Dictionary"])
    park = next(r for r in dictionary if r["column"].value == "places.park")
    assert park["option_label_ar"].value == "حديقة النهر"
    assert park["versions"].value == "1, 2, 3"
    # The language stays out of the data unless asked for.
    assert "language" not in [c.value for c in next(sheet.iter_rows())]


def test_xlsx_with_labels_and_language(coordinator_api, answered, tmp_path):
    url = f"{BASE}/responses.xlsx?labels=ar&include_language=true"
    path = tmp_path / "labels.xlsx"
    path.write_bytes(coordinator_api.get(url).get_data())
    rows = {r["response_id"].value: r for r in sheet_rows(openpyxl.load_workbook(path).active)}
    assert rows[ID_2]["language"].value == "ar"
    assert rows[ID_1]["safe_now"].value == "آمن"
    assert rows[ID_1]["old_q"].value == "نعم"
    entry = db.session.execute(sa.select(AuditEntry)).scalar_one()
    assert entry.details == {
        "format": "xlsx",
        "labels": "ar",
        "language_included": True,
    }


# --- the command line -----------------------------------------------------------


def test_the_command_line_writes_each_format_and_records_it(runner, answered, tmp_path):
    target = tmp_path / "out.csv"
    result = runner.invoke(args=["export", SLUG, "-o", str(target), "--dialect", "rfc4180"])
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 4 responses of {SLUG} to {target} (wide, rfc4180).\n"
    table = list(csv.reader(io.StringIO(target.read_text("utf-8"))))
    assert table[0] == WIDE_HEADER and len(table) == 5

    workbook = tmp_path / "out.xlsx"
    result = runner.invoke(
        args=["export", SLUG, "-o", str(workbook), "--format", "xlsx", "--labels", "sv"]
    )
    assert result.exit_code == 0, result.output
    sheet = openpyxl.load_workbook(workbook)["Responses"]
    assert {r["response_id"].value: r["safe_now"].value for r in sheet_rows(sheet)}[ID_1] == (
        "Trygg"
    )

    long = tmp_path / "long.csv"
    result = runner.invoke(args=["export", SLUG, "-o", str(long), "--layout", "long"])
    assert result.exit_code == 0
    assert long.read_bytes().startswith(b"\xef\xbb\xbfresponse_id;version;question;value\r\n")

    dictionary = tmp_path / "dictionary.csv"
    result = runner.invoke(args=["export", SLUG, "-o", str(dictionary), "--format", "dictionary"])
    assert result.output == f"Wrote the data dictionary of {SLUG} to {dictionary}.\n"

    entries = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.id)).scalars().all()
    assert [(e.user_id, e.action, e.details["format"]) for e in entries] == [
        (None, "results.exported", "csv"),
        (None, "results.exported", "xlsx"),
        (None, "results.exported", "csv"),
        (None, "results.exported", "dictionary"),
    ]
    assert not list(tmp_path.glob(".*.partial"))


def test_the_command_line_names_what_is_wrong(runner, answered, other_org, tmp_path):
    result = runner.invoke(args=["export", "nothing", "-o", str(tmp_path / "x.csv")])
    assert result.exit_code != 0 and "No questionnaire 'nothing'" in result.output
    result = runner.invoke(
        args=["export", SLUG, "-o", str(tmp_path / "x.csv"), "--organisation", "trollhattan"]
    )
    assert "No questionnaire 'sample' in the organisation 'trollhattan'" in result.output
    result = runner.invoke(args=["export", SLUG, "-o", str(tmp_path / "missing" / "x.csv")])
    assert result.exit_code != 0 and "Could not write" in result.output
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0
    assert uuid.UUID(ID_1)


# --- filters ------------------------------------------------------------------


@pytest.fixture
def torpa_point(questionnaire, make_point):
    """Made before the version with a group is published: a point refuses to serve it."""
    return make_point(questionnaire, name="Torpadagen", area="Torpa", kind="walk")


def test_the_results_filters_select_the_rows(client, coordinator_api, torpa_point, answered):
    torpa_id = "20000000-0000-4000-8000-000000000005"
    submit(client, torpa_point, torpa_id, 3, {"safe_now": "safe", "amount": 7})

    def ids(query):
        url = f"{BASE}/responses.csv?dialect=rfc4180&{query}"
        return [r["response_id"] for r in as_dicts(read_csv(coordinator_api.get(url)))]

    assert ids("") == [ID_2, torpa_id, ID_4, ID_3, ID_1]
    assert ids("area=torpa") == [torpa_id]
    assert ids("area=Sanden&version=1") == [ID_4, ID_1]
    assert ids(f"point={torpa_point.id}") == [torpa_id]
    assert ids("kind=walk") == [torpa_id]
    assert ids("channel=staff") == []
    today = datetime.now().date()
    assert ids(f"from={today.replace(year=today.year - 1).isoformat()}&to=2100-01-01") == ids("")
    assert ids("to=2001-01-01") == []
    assert ids("language=ar") == [ID_2]
    long = read_csv(coordinator_api.get(f"{BASE}/responses.csv?layout=long&area=Torpa"), ";")
    assert {row[0] for row in long[1:]} == {torpa_id}

    entries = (
        db.session.execute(sa.select(AuditEntry.details).order_by(AuditEntry.id)).scalars().all()
    )
    settings = {"format", "layout", "dialect", "labels", "language_included"}
    logged = [
        ({k: v for k, v in e.items() if k not in settings}, e["language_included"]) for e in entries
    ]
    assert ({"area": "Torpa"}, False) in logged
    assert ({"area": "Sanden", "version": 1}, False) in logged
    assert ({"to": "2001-01-01"}, False) in logged
    # Filtering by language tells every row's language: the log says it was included.
    assert ({"language": "ar"}, True) in logged
    assert len(logged) == 11


def test_filters_that_name_nothing_are_refused(coordinator_api, answered, other_org):
    for query, name in (
        ("area=Nowhere", "area"),
        ("version=9", "version"),
        ("point=999", "point"),
        ("from=2026-05-02&to=2026-05-01", "from"),
        ("to=someday", "to"),
        ("kind=party", "kind"),
    ):
        for route in ("responses.csv", "responses.xlsx"):
            response = coordinator_api.get(f"{BASE}/{route}?{query}")
            assert response.status_code == 422, (route, query)
            assert name in response.json["errors"]["query"], response.json
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_the_xlsx_export_takes_the_filters(
    coordinator_api, client, torpa_point, answered, tmp_path
):
    submit(client, torpa_point, "20000000-0000-4000-8000-000000000005", 3, {"safe_now": "safe"})
    path = tmp_path / "torpa.xlsx"
    path.write_bytes(coordinator_api.get(f"{BASE}/responses.xlsx?area=Torpa").get_data())
    rows = sheet_rows(openpyxl.load_workbook(path)["Responses"])
    assert [(r["area"].value, r["point"].value, r["kind"].value) for r in rows] == [
        ("Torpa", "Torpadagen", "walk")
    ]


def test_the_command_line_takes_the_filters(runner, client, torpa_point, answered, tmp_path):
    submit(client, torpa_point, "20000000-0000-4000-8000-000000000005", 3, {"safe_now": "safe"})
    target = tmp_path / "torpa.csv"
    result = runner.invoke(args=["export", SLUG, "-o", str(target), "--area", "torpa"])
    assert result.output == f"Exported 1 response of {SLUG} to {target} (wide, excel-sv).\n"
    entry = db.session.execute(sa.select(AuditEntry)).scalar_one()
    assert entry.details == {
        "format": "csv",
        "layout": "wide",
        "dialect": "excel-sv",
        "labels": "values",
        "language_included": False,
        "area": "Torpa",
    }
    result = runner.invoke(args=["export", SLUG, "-o", str(target), "--version", "7"])
    assert result.exit_code != 0 and "No published version 7" in result.output


def test_the_openapi_document_describes_the_exports(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    media = {
        "responses.csv": "text/csv",
        "responses.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "dictionary.csv": "text/csv",
    }
    for route, media_type in media.items():
        operation = paths[f"/api/v1/questionnaires/{{slug}}/{route}"]["get"]
        assert list(operation["responses"]["200"]["content"]) == [media_type]
        assert {"401", "403", "404", "422"} <= set(operation["responses"])
    csv_parameters = {
        p["name"]: p
        for p in paths["/api/v1/questionnaires/{slug}/responses.csv"]["get"]["parameters"]
    }
    assert set(csv_parameters) >= {
        "point",
        "area",
        "kind",
        "channel",
        "version",
        "from",
        "to",
        "layout",
        "labels",
        "dialect",
        "include_language",
    }
    assert csv_parameters["layout"]["schema"]["enum"] == ["wide", "long"]
    assert csv_parameters["from"]["schema"]["pattern"].startswith("^(20")


def test_the_audit_page_shows_who_exported_what_with_which_filters(
    client, auth, admin, coordinator_api, torpa_point, answered
):
    coordinator_api.get(f"{BASE}/responses.xlsx?area=Torpa&include_language=true").close()
    auth.login(admin.email)
    page = client.get("/audit?action=results.exported").get_data(as_text=True)
    assert "coordinator@example.org" in page
    # The keys may get names of their own on the page; the values are what was asked.
    assert ": Torpa" in page and ": xlsx" in page and ": True" in page


def test_libreoffice_opens_the_long_table_and_the_dictionary(coordinator_api, answered, tmp_path):
    for name in ("long", "dictionary"):
        url = f"{BASE}/responses.csv?layout=long" if name == "long" else f"{BASE}/dictionary.csv"
        (tmp_path / f"{name}.csv").write_bytes(coordinator_api.get(url).get_data())
    long_book = openpyxl.load_workbook(libreoffice_to_xlsx(tmp_path / "long.csv", tmp_path))
    rows = [[c.value for c in row] for row in long_book.active.iter_rows()]
    assert rows[0] == ["response_id", "version", "question", "value"]
    assert [ID_2, 2, "amount", -2.25] in rows
    assert [ID_1, 1, "comment", "'=1+1 är en formel"] in rows
    assert [ID_2, 2, "comment", "سلام عليكم"] in rows
    dictionary_book = openpyxl.load_workbook(
        libreoffice_to_xlsx(tmp_path / "dictionary.csv", tmp_path)
    )
    described = sheet_rows(dictionary_book.active)
    park = next(r for r in described if r["column"].value == "places.park")
    # The versions stay a list, not a number read with a decimal comma.
    assert park["versions"].value == "1, 2, 3"
    assert park["option_label_ar"].value == "حديقة النهر"
    assert park["option_label_sv"].value == "Parken vid ån"
