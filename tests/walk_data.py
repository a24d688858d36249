"""A small safety walk for the walk pages' tests: a questionnaire whose group names its
category and severity questions, a walk in Torpa, and stops recorded on it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from surveyservice.collection.models import Channel, Response
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft
from surveyservice.walks.models import Observation

from .conftest import make_definition

WALK_QUESTIONS = [
    {"id": "walk_date", "type": "date", "label": {"sv": "Datum", "en": "Date of the walk"}},
    {
        "id": "stops",
        "type": "group",
        "label": {"sv": "Stopp", "en": "Stop"},
        "category": "categories",
        "severity": "severity",
        "questions": [
            {
                "id": "place",
                "type": "location",
                "label": {"sv": "Plats", "en": "Place"},
                "places": [
                    {"value": "underpass", "label": {"sv": "Gångtunneln", "en": "The underpass"}},
                    {"value": "playground", "label": {"sv": "Lekplatsen", "en": "The playground"}},
                    {"value": "car_park", "label": {"sv": "Parkeringen", "en": "The car park"}},
                ],
            },
            {
                "id": "categories",
                "type": "multi",
                "label": {"sv": "Vad gäller det?", "en": "What is it about?"},
                "options": [
                    {"value": "lighting", "label": {"sv": "Belysning", "en": "Lighting"}},
                    {"value": "vegetation", "label": {"sv": "Vegetation", "en": "Vegetation"}},
                    {"value": "litter", "label": {"sv": "Nedskräpning", "en": "Litter"}},
                ],
            },
            {
                "id": "severity",
                "type": "single",
                "label": {"sv": "Allvarsgrad", "en": "Severity"},
                "options": [
                    {"value": "1", "label": {"sv": "1 Bra", "en": "1 Good"}},
                    {"value": "2", "label": {"sv": "2 Bevaka", "en": "2 Keep an eye on it"}},
                    {"value": "3", "label": {"sv": "3 Bör åtgärdas", "en": "3 Should be fixed"}},
                    {"value": "4", "label": {"sv": "4 Måste åtgärdas", "en": "4 Must be fixed"}},
                ],
            },
            {"id": "note", "type": "longtext", "label": {"sv": "Beskrivning", "en": "Description"}},
            {"id": "photo", "type": "photo", "label": {"sv": "Foto", "en": "Photo"}},
        ],
    },
]

# Three stops in Torpa: (answers, lat, lon, accuracy).
STOPS = [
    (
        {
            "place": {"lat": 58.3801, "lon": 12.3240, "accuracy": 8, "source": "gps"},
            "categories": ["lighting"],
            "severity": "4",
            "note": "Lampan i tunneln är trasig",
        },
        58.3801,
        12.3240,
        8.0,
    ),
    (
        {
            "place": {"place": "playground"},
            "categories": ["vegetation", "litter"],
            "severity": "2",
        },
        58.3810,
        12.3260,
        None,
    ),
    (
        {
            "place": {"lat": 58.3795, "lon": 12.3275, "source": "map"},
            "categories": ["litter"],
            "severity": "3",
            "note": "Skräp vid parkeringen",
        },
        58.3795,
        12.3275,
        None,
    ),
]


def walk_questionnaire(org, slug: str = "walk"):
    """A published walk questionnaire of the organisation."""
    definition = make_definition(
        slug=slug, title={"sv": "Trygghetsvandring", "en": "Safety walk"}, questions=WALK_QUESTIONS
    )
    # TEMPORARY until main's definitions know a group's category and severity.
    import copy

    plain = copy.deepcopy(definition)
    for q in plain["questions"]:
        q.pop("category", None), q.pop("severity", None)
    questionnaire = create_questionnaire(org, plain)
    questionnaire.draft.definition = definition
    publish_draft(questionnaire)
    db.session.commit()
    return questionnaire


def record_walk(point, stops=STOPS, at: datetime | None = None) -> list[Observation]:
    """One response of the walk with these stops, and an observation per stop, as the
    submission writes them."""
    at = at or datetime(2026, 11, 3, 18, tzinfo=UTC)
    questionnaire = point.questionnaire
    response = Response(
        id=uuid.uuid4(),
        organisation_id=point.organisation_id,
        collection_point_id=point.id,
        version_id=questionnaire.latest.id,
        language="sv",
        channel=Channel.STAFF,
        received_at=at,
        answers={"walk_date": at.date().isoformat(), "stops": [s[0] for s in stops]},
        content_hash=uuid.uuid4().hex * 2,
    )
    made = []
    for number, (answers, lat, lon, accuracy) in enumerate(stops, start=1):
        place = answers["place"].get("place")
        made.append(
            Observation(
                organisation_id=point.organisation_id,
                response=response,
                questionnaire_id=questionnaire.id,
                collection_point_id=point.id,
                question_id="stops",
                entry=number,
                observed_at=at + timedelta(minutes=number),
                lat=lat,
                lon=lon,
                accuracy=accuracy,
                place=place,
            )
        )
    db.session.add_all([response, *made])
    db.session.commit()
    return made


def walk_point(questionnaire, name: str = "Kvällsvandring i Torpa", area: str = "Torpa"):
    """An open walk of the questionnaire in the area."""
    # TEMPORARY until main's points take questionnaires with groups.
    from surveyservice.areas.areas import find_area_by_name
    from surveyservice.collection.models import CollectionPoint, PointKind
    from surveyservice.collection.points import new_token

    point = CollectionPoint(
        organisation_id=questionnaire.organisation_id,
        questionnaire_id=questionnaire.id,
        token=new_token(),
        name=name,
        area_id=find_area_by_name(questionnaire.organisation_id, area).id,
        kind=PointKind.WALK,
        opens_at=datetime(2026, 11, 3, 17, tzinfo=UTC),
    )
    db.session.add(point)
    db.session.commit()
    return point
