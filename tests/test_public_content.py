"""What an area's public page would show (public/content.py), built from answers and
walks sent through the real submission path: only what may be public, suppressed,
in every language the texts are written in."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import select

from surveyservice.accounts.accounts import issue_token
from surveyservice.accounts.models import Role
from surveyservice.areas.areas import find_area_by_name
from surveyservice.extensions import db
from surveyservice.privacy.coarsening import coarsen_position
from surveyservice.public.content import (
    PUBLISHED_TYPES,
    build_content,
    observations_section,
    promises_section,
    results_section,
    text_for,
)
from surveyservice.public.models import Promise, PromiseNote, PublicPage
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft
from surveyservice.walks.models import Observation
from surveyservice.walks.observations import set_status_names, update_follow_up

from .conftest import make_definition, make_user
from .walk_data import WALK_QUESTIONS, upload_photo

DAY = date(2026, 6, 1)

SURVEY_QUESTIONS = [
    {
        "id": "safe",
        "type": "single",
        "label": {"sv": "Känner du dig trygg här?", "en": "Do you feel safe here?"},
        "options": [
            {"value": "yes", "label": {"sv": "Ja", "en": "Yes"}},
            {"value": "no", "label": {"sv": "Nej", "en": "No"}},
        ],
    },
    {
        "id": "worries",
        "type": "multi",
        "label": {"sv": "Vad oroar dig?", "en": "What worries you?"},
        "options": [
            {"value": "light", "label": {"sv": "Belysning", "en": "Lighting"}},
            {"value": "traffic", "label": {"sv": "Trafik", "en": "Traffic"}},
        ],
    },
    {"id": "been", "type": "yesno", "label": {"sv": "Har du varit här?", "en": "Been here?"}},
    {"id": "rating", "type": "scale", "label": {"sv": "Betyg", "en": "Rating"}, "min": 1, "max": 3},
    {"id": "why", "type": "longtext", "label": {"sv": "Varför?", "en": "Why?"}},
    {"id": "age", "type": "number", "label": {"sv": "Ålder", "en": "Age"}},
    {"id": "when", "type": "date", "label": {"sv": "När?", "en": "When?"}},
]
FREE_TEXT = "Mörkt vid busshållplatsen på Storgatan"


def answers(safe="yes", worries=("light",), been=True, rating=2, why=FREE_TEXT) -> dict:
    return {
        "safe": safe,
        "worries": list(worries),
        "been": been,
        "rating": rating,
        "why": why,
        "age": 41,
        "when": "2026-05-30",
    }


@pytest.fixture
def survey(org, make_questionnaire):
    return make_questionnaire(org, slug="sanden-2026", questions=SURVEY_QUESTIONS)


@pytest.fixture
def tablet(org, api_as):
    return api_as(make_user(org, Role.STAFF))


@pytest.fixture
def points(survey, make_point):
    return {
        area: make_point(survey, name=f"{area} torg", area=area, kind="event")
        for area in ("Sanden", "Torpa")
    }


def send(tablet, point, n: int, day: date = DAY, **chosen) -> None:
    """``n`` answers through the collection API, as a staff tablet sends them."""
    recorded = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10)
    for _ in range(n):
        body = {
            "id": str(uuid.uuid4()),
            "version": 1,
            "language": "sv",
            "channel": "staff",
            "recorded_at": recorded.isoformat(),
            "answers": answers(**chosen),
        }
        sent = tablet.post(f"/api/v1/collect/{point.token}/responses", json=body)
        assert sent.status_code == 201, sent.json


def area(org, name: str):
    return find_area_by_name(org.id, name)


def selection(questionnaire, since=None, until=None) -> dict:
    return {
        "questionnaire_id": questionnaire.id,
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }


def dumped(content) -> str:
    return json.dumps(content, ensure_ascii=False)


# --- what we asked and what you answered ------------------------------------------


def test_results_keep_only_the_questions_answered_by_choosing(org, survey, points, tablet):
    # Torpa answers alike: a figure small in Torpa would be hidden in Sanden too.
    for where in ("Sanden", "Torpa"):
        send(tablet, points[where], 6, safe="yes", worries=("light", "traffic"))
        send(tablet, points[where], 6, safe="no", worries=("light",), been=False, rating=3)

    [block] = results_section(org, area(org, "Sanden"), [selection(survey)])

    assert block["questionnaire"] == "sanden-2026"
    assert block["title"] == {"sv": "Trygghet", "en": "Safety"}
    assert (block["total"], block["withheld"], block["k"]) == (12, None, 5)
    assert [q["id"] for q in block["questions"]] == ["safe", "worries", "been", "rating"]
    assert {q["type"] for q in block["questions"]} <= PUBLISHED_TYPES
    safe = block["questions"][0]
    assert safe["label"] == {"sv": "Känner du dig trygg här?", "en": "Do you feel safe here?"}
    assert [(c["value"], c["label"], c["count"]) for c in safe["cells"]] == [
        ("yes", {"sv": "Ja", "en": "Yes"}, 6),
        ("no", {"sv": "Nej", "en": "No"}, 6),
        (None, {}, 0),
    ]
    assert safe["cells"][0]["share"] == 0.5
    been = block["questions"][2]
    assert [(c["value"], c["label"].get("en"), c["count"]) for c in been["cells"][:2]] == [
        ("true", "Yes", 6),
        ("false", "No", 6),
    ]
    rating = block["questions"][3]
    assert rating["median"] == 2.5
    # No free text, number or date reaches the page, not even as a count.
    text = dumped(block)
    assert FREE_TEXT not in text and '"why"' not in text and '"age"' not in text
    assert '"when"' not in text


def test_results_count_only_the_areas_answers_by_its_name(org, survey, points, tablet):
    send(tablet, points["Sanden"], 7, safe="yes")
    send(tablet, points["Sanden"], 5, safe="no")
    send(tablet, points["Torpa"], 5, safe="yes")
    send(tablet, points["Torpa"], 6, safe="no")

    [sanden] = results_section(org, area(org, "Sanden"), [selection(survey)])
    [torpa] = results_section(org, area(org, "Torpa"), [selection(survey)])
    [also_sanden] = results_section(org, area(org, " sanden "), [selection(survey)])

    assert (sanden["total"], torpa["total"]) == (12, 11)
    assert [c["count"] for c in sanden["questions"][0]["cells"]] == [7, 5, 0]
    assert [c["count"] for c in torpa["questions"][0]["cells"]] == [5, 6, 0]
    assert also_sanden == sanden


def test_a_figure_small_in_another_area_is_hidden_in_this_one(org, survey, points, tablet):
    send(tablet, points["Sanden"], 7, safe="yes")
    send(tablet, points["Sanden"], 5, safe="no")
    send(tablet, points["Torpa"], 9, safe="no")

    [sanden] = results_section(org, area(org, "Sanden"), [selection(survey)])

    # Torpa's "yes" is 0, so small; shown for Sanden it would be the base's minus
    # Sanden's: hidden everywhere, with the smallest shown cell beside it.
    assert sanden["total"] == 12
    assert [c["count"] for c in sanden["questions"][0]["cells"]] == [None, None, 0]


def test_results_of_a_period_count_only_its_days(org, survey, points, tablet):
    send(tablet, points["Sanden"], 5, day=DAY)
    send(tablet, points["Sanden"], 6, day=DAY + timedelta(days=1))
    send(tablet, points["Sanden"], 7, day=DAY + timedelta(days=2))
    sanden = area(org, "Sanden")

    blocks = results_section(
        org,
        sanden,
        [
            selection(survey, since=DAY + timedelta(days=1)),
            selection(survey, until=DAY),
            selection(survey, since=DAY + timedelta(days=1), until=DAY + timedelta(days=1)),
            selection(survey, since=DAY + timedelta(days=5), until=DAY + timedelta(days=9)),
        ],
    )

    assert [b["total"] for b in blocks] == [13, 5, 6, None]
    assert [(b["since"], b["until"]) for b in blocks] == [
        ("2026-06-02", None),
        (None, "2026-06-01"),
        ("2026-06-02", "2026-06-02"),
        ("2026-06-06", "2026-06-10"),
    ]
    # A period without answers is withheld like a small one, with no figure at all.
    assert blocks[3]["withheld"] == "selection_too_small"
    assert blocks[3]["questions"] == []


def test_a_period_whose_edge_day_is_small_is_withheld(org, survey, points, tablet):
    send(tablet, points["Sanden"], 6, day=DAY)
    send(tablet, points["Sanden"], 2, day=DAY + timedelta(days=1))
    send(tablet, points["Sanden"], 6, day=DAY + timedelta(days=2))

    [block] = results_section(
        org, area(org, "Sanden"), [selection(survey, since=DAY + timedelta(days=1))]
    )

    assert (block["total"], block["withheld"], block["questions"]) == (
        None,
        "edge_days_too_small",
        [],
    )


def test_suppressed_cells_are_none_with_no_share(org, survey, points, tablet):
    send(tablet, points["Sanden"], 8, safe="yes", worries=("light",))
    send(tablet, points["Sanden"], 2, safe="no", worries=("light", "traffic"))
    send(tablet, points["Torpa"], 8, safe="yes", worries=("light",))

    [block] = results_section(org, area(org, "Sanden"), [selection(survey)])

    safe = block["questions"][0]
    assert safe["total"] == 10
    # The 2 "no" are hidden, and the 8 "yes" with them: 10 minus 8 would give them away.
    assert [(c["count"], c["share"]) for c in safe["cells"]] == [(None, None), (None, None), (0, 0)]
    worries = {c["value"]: c["count"] for c in block["questions"][1]["cells"]}
    assert worries["light"] == 10 and worries["traffic"] is None


def test_too_few_answers_withhold_the_whole_block(org, survey, points, tablet):
    send(tablet, points["Sanden"], 3)
    send(tablet, points["Torpa"], 9)

    [block] = results_section(org, area(org, "Sanden"), [selection(survey)])

    assert block["total"] is None
    assert block["withheld"] == "selection_too_small"
    assert block["questions"] == []


def test_results_leave_out_other_organisations_and_unpublished_questionnaires(
    org, other_org, survey, points, tablet, make_questionnaire
):
    send(tablet, points["Sanden"], 6)
    theirs = make_questionnaire(other_org, slug="theirs", questions=SURVEY_QUESTIONS)
    draft = make_questionnaire(org, slug="draft", published=False)

    blocks = results_section(
        org,
        area(org, "Sanden"),
        [
            selection(theirs),
            selection(draft),
            {"questionnaire_id": 999_999},
            {"questionnaire_id": None},
            {"questionnaire_id": 2**40},
            {"questionnaire_id": str(survey.id)},
            selection(survey),
        ],
    )

    assert [b["questionnaire"] for b in blocks] == ["sanden-2026"]


def test_results_of_another_area_with_the_same_name_elsewhere_are_not_counted(
    org, other_org, survey, points, tablet, make_questionnaire, make_point, api_as
):
    """Another organisation's Sanden is another place: its answers are not ours."""
    send(tablet, points["Sanden"], 6)
    theirs = make_questionnaire(other_org, slug="sanden-2026", questions=SURVEY_QUESTIONS)
    their_point = make_point(theirs, name="Sanden", area="Sanden")
    send(api_as(make_user(other_org, Role.STAFF)), their_point, 9)

    [block] = results_section(org, area(org, "Sanden"), [selection(survey)])

    assert block["total"] == 6


# --- what we saw on safety walks ----------------------------------------------------

WALK_NOTE = "Vi gick med Anna från föreningen"
INTERNAL = "Ärende 2026-4711 hos Fastighetsbolaget, ring Kalle"
ENTRY_TEXT = "Lampan i tunneln är trasig sedan i våras"
PUBLIC = "Ny belysning är beställd"
# Two positions about 10 m apart in one cell of the 100 m grid, and one 400 m away.
HERE = (58.3801234, 12.3240567)
BESIDE = (58.3801234 + 10 / 111_320, 12.3240567)
FAR = (58.3837, 12.3240567)


def walk_questionnaire(org):
    questions = [
        *WALK_QUESTIONS,
        {"id": "walk_note", "type": "longtext", "label": {"sv": "Om vandringen", "en": "About"}},
    ]
    definition = make_definition(
        slug="walk", title={"sv": "Trygghetsvandring", "en": "Safety walk"}, questions=questions
    )
    questionnaire = create_questionnaire(org, definition)
    publish_draft(questionnaire)
    db.session.commit()
    return questionnaire


def gps(position) -> dict:
    return {"lat": position[0], "lon": position[1], "accuracy": 6, "source": "gps"}


@pytest.fixture
def walks(org, make_point):
    questionnaire = walk_questionnaire(org)
    at = datetime(2026, 11, 3, 17, tzinfo=UTC)
    return {
        name: make_point(
            questionnaire, name=f"Vandring {name}", area=name, kind="walk", opens_at=at
        )
        for name in ("Sanden", "Torpa")
    }


def send_walk(point, stops, at=datetime(2026, 11, 3, 18, tzinfo=UTC)) -> list[Observation]:
    """A walk sent as a staff tablet sends it; its observations in the stops' order."""
    token = issue_token(make_user(point.questionnaire.organisation, Role.STAFF), "tablet")
    db.session.commit()
    body = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "channel": "staff",
        "recorded_at": at.isoformat(),
        "answers": {"walk_date": at.date().isoformat(), "walk_note": WALK_NOTE, "stops": stops},
    }
    sent = current_app.test_client().post(
        f"/api/v1/collect/{point.token}/responses",
        json=body,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert sent.status_code == 201, sent.json
    db.session.expire_all()
    return list(
        db.session.execute(
            select(Observation)
            .filter_by(response_id=uuid.UUID(body["id"]))
            .order_by(Observation.entry)
        ).scalars()
    )


def mark_public(observation, **follow_up) -> None:
    update_follow_up(observation, None, public=True, **follow_up)
    db.session.commit()


def test_observations_are_only_the_areas_marked_public(org, walks):
    torpa = send_walk(
        walks["Torpa"],
        [
            {"place": gps(HERE), "categories": ["lighting"]},
            {"place": gps(FAR), "categories": ["litter"]},
            {"place": gps(BESIDE), "categories": ["vegetation"]},
        ],
    )
    [sanden] = send_walk(walks["Sanden"], [{"place": gps(HERE), "categories": ["litter"]}])
    mark_public(torpa[0], public_note="Först")
    mark_public(torpa[2], public_note="Sist")
    mark_public(sanden, public_note="Sandens")

    found = observations_section(org, area(org, "Torpa"))

    assert [o["note"] for o in found] == ["Först", "Sist"]
    assert [o["note"] for o in observations_section(org, area(org, "Sanden"))] == ["Sandens"]


def test_an_observation_shows_its_category_place_day_status_and_public_note(org, walks):
    [stop] = send_walk(
        walks["Torpa"],
        [{"place": {"place": "playground"}, "categories": ["vegetation", "litter"]}],
        # 23:30 in UTC is past midnight in Vänersborg.
        at=datetime(2026, 11, 3, 23, tzinfo=UTC),
    )
    mark_public(stop, status="planned", public_note=PUBLIC)

    [shown] = observations_section(org, area(org, "Torpa"))

    assert shown == {
        # The questionnaire is in Swedish and English: no Arabic label pretends to be one.
        "category": {"sv": "Vegetation, Nedskräpning", "en": "Vegetation, Litter"},
        # A named place is its name, even when it has coordinates of its own.
        "place": {"sv": "Lekplatsen", "en": "The playground"},
        "lat": None,
        "lon": None,
        "date": "2026-11-04",
        "status": "planned",
        "status_label": {"sv": "Planerad", "en": "Planned", "ar": "مُخطط له"},
        "note": PUBLIC,
    }


def test_a_position_is_shown_on_the_100_m_grid(org, walks):
    stops = send_walk(
        walks["Torpa"],
        [{"place": gps(position), "categories": ["lighting"]} for position in (HERE, BESIDE, FAR)],
    )
    for stop in stops:
        mark_public(stop)

    here, beside, far = observations_section(org, area(org, "Torpa"))

    assert here["place"] is None
    assert (here["lat"], here["lon"]) == (beside["lat"], beside["lon"])
    assert (here["lat"], here["lon"]) != (far["lat"], far["lon"])
    centre = coarsen_position(*HERE, 100)
    assert (here["lat"], here["lon"]) == (round(centre[0], 4), round(centre[1], 4))
    # Within the cell, about 50 m from the true place at most, never on it.
    assert abs(here["lat"] - HERE[0]) < 0.0006 and abs(here["lon"] - HERE[1]) < 0.0012
    text = dumped([here, beside, far])
    for precise in (*HERE, *BESIDE, *FAR):
        assert f"{precise:.5f}"[:-1] not in text


def test_a_public_observation_gives_away_nothing_else_of_the_walk(org, walks):
    photo = upload_photo(walks["Torpa"])
    [stop, hidden] = send_walk(
        walks["Torpa"],
        [
            {
                "place": gps(HERE),
                "categories": ["lighting"],
                "severity": "4",
                "note": ENTRY_TEXT,
                "photo": [photo],
            },
            {"place": gps(FAR), "categories": ["litter"], "note": "Inte publik"},
        ],
    )
    mark_public(stop, status="fixed", public_note=PUBLIC, internal_note=INTERNAL)
    update_follow_up(hidden, None, public_note="Inte markerad")
    db.session.commit()
    page = PublicPage(organisation_id=org.id, area_id=area(org, "Torpa").id, slug="torpa")
    db.session.add(page)
    db.session.commit()

    text = dumped(build_content(page))

    assert PUBLIC in text
    for secret in (
        INTERNAL,
        ENTRY_TEXT,
        WALK_NOTE,
        "Inte publik",
        "Inte markerad",
        photo,
        "/photos/",
        "photo",
        "severity",
        "Måste åtgärdas",
        f"{HERE[0]:.5f}",
        f"{HERE[1]:.5f}",
    ):
        assert secret not in text, secret


def test_status_labels_follow_the_organisations_own_names(org, walks):
    [stop] = send_walk(walks["Torpa"], [{"place": gps(HERE), "categories": ["lighting"]}])
    mark_public(stop, status="fixed")
    set_status_names(org, {"fixed": {"sv": "Klart", "en": "Sorted"}}, None)
    db.session.commit()

    [shown] = observations_section(org, area(org, "Torpa"))

    assert shown["status"] == "fixed"
    # Arabic was not renamed: the service's own name stands.
    assert shown["status_label"] == {"sv": "Klart", "en": "Sorted", "ar": "تم الإصلاح"}


def test_an_observation_without_category_or_position_shows_neither(org, walks):
    [stop] = send_walk(walks["Torpa"], [{"severity": "2"}])
    mark_public(stop)

    [shown] = observations_section(org, area(org, "Torpa"))

    assert (shown["category"], shown["place"], shown["lat"], shown["lon"]) == (None,) * 4
    assert shown["note"] == ""


# --- what we promised and what we did ---------------------------------------------------


def promise(org, areas, first, last, texts, **fields) -> Promise:
    made = Promise(
        organisation_id=org.id,
        first_year=first,
        last_year=last,
        texts=texts,
        areas=[area(org, name) for name in areas],
        **fields,
    )
    db.session.add(made)
    db.session.commit()
    return made


def test_promises_are_the_areas_latest_period_first_with_their_notes(org, other_org):
    old = promise(org, ["Sanden"], 2024, 2025, {"sv": "Gammalt löfte"})
    both = promise(
        org,
        ["Sanden", "Torpa"],
        2026,
        2027,
        {"sv": "Fyra trygghetsvandringar", "en": "Four safety walks", "ar": ""},
        promised_count=4,
        done_count=2,
        status="in_progress",
        done_texts={"sv": "Två vandringar gjorda", "en": ""},
    )
    promise(org, ["Torpa"], 2026, 2027, {"sv": "Bara Torpa"})
    later = promise(org, ["Sanden"], 2026, 2028, {"sv": "Längre löfte"})
    promise(other_org, ["Sanden"], 2026, 2027, {"sv": "Trollhättans Sanden"})
    both.notes = [
        PromiseNote(noted_on=date(2026, 3, 1), texts={"sv": "Första vandringen"}),
        PromiseNote(noted_on=date(2026, 9, 1), texts={"sv": "Andra", "en": "Second"}),
    ]
    db.session.commit()

    shown = promises_section(org.id, area(org, "Sanden").id)

    assert [p["id"] for p in shown] == [later.id, both.id, old.id]
    assert shown[1] == {
        "id": both.id,
        "first_year": 2026,
        "last_year": 2027,
        # An empty text is no text: the page falls back to Swedish.
        "text": {"sv": "Fyra trygghetsvandringar", "en": "Four safety walks"},
        "status": "in_progress",
        "promised_count": 4,
        "done_count": 2,
        "done_text": {"sv": "Två vandringar gjorda"},
        "notes": [
            {"date": "2026-09-01", "text": {"sv": "Andra", "en": "Second"}},
            {"date": "2026-03-01", "text": {"sv": "Första vandringen"}},
        ],
    }
    assert shown[0]["done_text"] is None and shown[0]["notes"] == []
    assert shown[0]["status"] == "not_started"


def test_a_text_falls_back_to_swedish_and_says_so():
    assert text_for({"sv": "Hej", "en": "Hello"}, "en") == ("Hello", "en")
    assert text_for({"sv": "Hej", "en": ""}, "ar") == ("Hej", "sv")
    assert text_for({"en": "Hello"}, "ar") == ("Hello", "en")
    assert text_for(None, "sv") == ("", "sv")


# --- the whole page ----------------------------------------------------------------------


def test_the_whole_page_is_one_json_document_of_the_area(org, survey, points, tablet, walks):
    send(tablet, points["Torpa"], 6)
    send(tablet, points["Sanden"], 6)
    [stop] = send_walk(walks["Torpa"], [{"place": gps(HERE), "categories": ["lighting"]}])
    mark_public(stop, public_note=PUBLIC)
    promise(org, ["Torpa"], 2026, 2027, {"sv": "Fler vuxna ute"})
    page = PublicPage(
        organisation_id=org.id,
        area_id=area(org, "Torpa").id,
        slug="torpa",
        results=[selection(survey, since=DAY)],
    )
    db.session.add(page)
    db.session.commit()

    content = build_content(page)

    assert json.loads(json.dumps(content)) == content
    assert (content["area"], content["organisation"]) == ("Torpa", "Vänersborg och Polisen")
    assert [b["total"] for b in content["results"]] == [6]
    assert [o["note"] for o in content["observations"]] == [PUBLIC]
    assert [p["text"] for p in content["promises"]] == [{"sv": "Fler vuxna ute"}]


def test_a_page_with_nothing_chosen_is_empty_but_whole(org):
    page = PublicPage(organisation_id=org.id, area_id=area(org, "Sanden").id, slug="sanden")
    db.session.add(page)
    db.session.commit()

    assert build_content(page) == {
        "area": "Sanden",
        "organisation": "Vänersborg och Polisen",
        "results": [],
        "observations": [],
        "promises": [],
    }
