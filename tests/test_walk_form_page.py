"""The walk's form as the server renders it: a group's entries and photos are made by
the page's script; without script the form says so, and everything else still works."""

from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml

from surveyservice.collection.models import Response
from surveyservice.extensions import db

FORMS = Path(__file__).resolve().parents[1] / "forms"
NEEDS_SCRIPT = "En vandring med stopp behöver skript"


@pytest.fixture
def walk(org, make_questionnaire, make_point):
    definition = yaml.safe_load((FORMS / "torpa-walk.yaml").read_text(encoding="utf-8"))
    questionnaire = make_questionnaire(org, **definition)
    return make_point(questionnaire, name="Vandring i Torpa", area="Torpa", kind="walk")


def rows():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def test_the_resident_form_says_a_walk_needs_script_and_leaves_photos_out(client, walk):
    page = client.get(f"/f/{walk.token}").get_data(as_text=True)
    assert f'<noscript><p class="notice">{NEEDS_SCRIPT}' in page
    assert 'data-type="group"' in page
    # The stop's questions are there for the script, named apart from the walk's own.
    assert 'name="stops.severity"' in page
    assert 'type="file"' not in page
    assert 'data-id="photo"' not in page
    assert "Avsluta vandringen och skicka" in page
    # A resident's position is rounded: the page says so, and keeps no accuracy.
    assert "avrundad till ungefär 250 meter" in page
    assert "data-msg-geo-accuracy" not in page


def test_the_staff_form_takes_photos_with_the_camera(client, auth, staff, walk):
    auth.login(staff.email)
    page = client.get(f"/staff/collect/{walk.token}").get_data(as_text=True)
    assert '<input type="file" accept="image/*" capture="environment"' in page
    assert 'data-max-photos="3"' in page
    assert "data-msg-geo-accuracy" in page


def test_a_form_without_a_group_keeps_no_draft(client, org, make_questionnaire, make_point):
    point = make_point(make_questionnaire(org))
    page = client.get(f"/f/{point.token}").get_data(as_text=True)
    assert "data-drafts" not in page
    assert "Skicka svaren" in page


def test_without_script_entries_are_refused_with_the_reason(client, walk):
    response = client.post(
        f"/f/{walk.token}",
        data={
            "version": "1",
            "walk_date": "2026-11-30",
            "light": "dark",
            "stops.severity": "3",
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="err-stops">{NEEDS_SCRIPT}' in page
    assert rows() == []


def test_without_script_a_walk_without_stops_is_stored(client, walk):
    response = client.post(
        f"/f/{walk.token}",
        data={"version": "1", "walk_date": "2026-11-30", "light": "dark"},
    )
    assert response.status_code == 303
    (row,) = rows()
    assert row.answers == {"walk_date": "2026-11-30", "light": "dark"}


def test_without_script_a_required_group_is_refused_with_the_reason(
    client, org, make_questionnaire, make_point
):
    questionnaire = make_questionnaire(
        org,
        slug="required-stops",
        questions=[
            {
                "id": "stops",
                "type": "group",
                "required": True,
                "label": {"sv": "Stopp", "en": "Stops"},
                "questions": [{"id": "note", "type": "text", "label": {"sv": "Not", "en": "Note"}}],
            }
        ],
    )
    point = make_point(questionnaire)
    response = client.post(f"/f/{point.token}", data={"version": "1"})
    assert response.status_code == 422
    assert NEEDS_SCRIPT in response.get_data(as_text=True)
    assert rows() == []
