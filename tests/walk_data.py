"""A small safety walk for the walk pages' tests: a questionnaire whose group names its
category and severity questions, a walk in Torpa, and stops sent from a staff tablet."""

from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from surveyservice.accounts.accounts import issue_token
from surveyservice.accounts.models import Role
from surveyservice.collection.points import create_point
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft
from surveyservice.walks.models import Observation

from .conftest import make_definition, make_user

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
                    {
                        "value": "playground",
                        "label": {"sv": "Lekplatsen", "en": "The playground"},
                        "lat": 58.3810,
                        "lon": 12.3260,
                    },
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
    questionnaire = create_questionnaire(org, definition)
    publish_draft(questionnaire)
    db.session.commit()
    return questionnaire


def record_walk(point, stops=STOPS, at: datetime | None = None) -> list[Observation]:
    """The walk's answers with these stops, sent as a staff tablet sends them; the
    observations the service made of them, in the stops' order."""
    at = at or datetime(2026, 11, 3, 18, tzinfo=UTC)
    staff = make_user(point.questionnaire.organisation, Role.STAFF)
    token = issue_token(staff, "tablet")
    db.session.commit()
    body = {
        "id": str(uuid.uuid4()),
        "version": point.questionnaire.latest.number,
        "language": "sv",
        "channel": "staff",
        "recorded_at": at.isoformat(),
        "answers": {"walk_date": at.date().isoformat(), "stops": [s[0] for s in stops]},
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


def walk_point(questionnaire, name: str = "Kvällsvandring i Torpa", area: str = "Torpa"):
    """A walk of the questionnaire in the area, opened on the evening of the stops."""
    point = create_point(
        questionnaire.organisation_id,
        {
            "name": name,
            "area": area,
            "kind": "walk",
            "questionnaire": questionnaire.slug,
            "opens_at": datetime(2026, 11, 3, 17, tzinfo=UTC),
        },
    )
    db.session.commit()
    return point


def upload_photo(point) -> str:
    """A small photo uploaded to the walk as a tablet does, before the answers."""
    from PIL import Image

    staff = make_user(point.questionnaire.organisation, Role.STAFF)
    token = issue_token(staff, "tablet")
    db.session.commit()
    image = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 40)).save(image, "JPEG")
    photo_id = str(uuid.uuid4())
    sent = current_app.test_client().put(
        f"/api/v1/collect/{point.token}/photos/{photo_id}",
        data=image.getvalue(),
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
    )
    assert sent.status_code == 201, sent.get_data(as_text=True)
    return photo_id
