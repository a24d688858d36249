"""Observations' follow-up: what it takes, what it keeps, and who may see and change it."""

import uuid
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from surveyservice.audit.models import AuditEntry
from surveyservice.collection.models import Channel, Response
from surveyservice.extensions import db
from surveyservice.walks.models import Observation, ObservationChange
from surveyservice.walks.observations import (
    FollowUpError,
    history,
    set_status_names,
    status_label,
    update_follow_up,
)


@pytest.fixture
def observation(org, make_questionnaire, make_point):
    questionnaire = make_questionnaire(org)
    point = make_point(questionnaire, area="Torpa", kind="walk", name="Torpa i mörker")
    response = Response(
        id=uuid.uuid4(),
        organisation_id=org.id,
        collection_point_id=point.id,
        version_id=questionnaire.latest.id,
        language="sv",
        channel=Channel.STAFF,
        received_at=datetime(2026, 11, 3, 18, tzinfo=UTC),
        answers={"stops": [{"note": "Trasig lampa"}]},
        content_hash="0" * 64,
    )
    made = Observation(
        organisation_id=org.id,
        response=response,
        questionnaire_id=questionnaire.id,
        collection_point_id=point.id,
        question_id="stops",
        entry=1,
        observed_at=response.received_at,
        lat=58.37,
        lon=12.33,
    )
    db.session.add_all([response, made])
    db.session.commit()
    return made


def changes_kept(observation):
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(ObservationChange)
        .filter_by(observation_id=observation.id)
    ).scalar()


def audit_entries(action):
    return list(db.session.execute(sa.select(AuditEntry).filter_by(action=action)).scalars())


def test_a_change_is_kept_in_the_history_and_the_log_without_the_notes(observation, coordinator):
    secret = "Fastighetsägaren heter Nils Nilsson, ring 070-123 45 67"
    changes = update_follow_up(
        observation,
        coordinator,
        status="planned",
        responsible="property_owner",
        internal_note=secret,
        public_note="Belysningen byts i december. Frågor: 070-123 45 67",
    )
    db.session.commit()
    assert changes["status"] == ["new", "planned"]
    assert observation.internal_note == secret  # kept as written
    assert "070-123 45 67" not in observation.public_note  # masked: residents read it
    assert "[telefonnummer]" in observation.public_note
    assert changes_kept(observation) == 1
    [entry] = audit_entries("observation.follow_up_changed")
    assert entry.details == {
        "fields": ["internal_note", "public_note", "responsible", "status"],
        "status": ["new", "planned"],
        "responsible": [None, "property_owner"],
    }
    assert "Nilsson" not in str(entry.details) and "Nilsson" not in entry.subject
    [item] = history(observation)
    assert item.user_email == coordinator.email
    assert item.changes["internal_note"] == ["", secret]


def test_an_update_that_changes_nothing_writes_nothing(observation, coordinator):
    update_follow_up(observation, coordinator, status="fixed", public_note="Klart")
    db.session.commit()
    assert update_follow_up(observation, coordinator, status="fixed", public_note=" Klart ") == {}
    db.session.commit()
    assert changes_kept(observation) == 1
    assert len(audit_entries("observation.follow_up_changed")) == 1


@pytest.mark.parametrize(
    ("fields", "wrong"),
    [
        ({"status": "done"}, "status"),
        ({"status": None}, "status"),
        ({"responsible": "mayor"}, "responsible"),
        ({"public_note": "x" * 2001}, "public_note"),
        ({"internal_note": "nul\x00byte"}, "internal_note"),
        ({"internal_note": 5}, "internal_note"),
        ({"status": "fixed", "public_note": "bell\x07"}, "public_note"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_changes(
    observation, coordinator, fields, wrong
):
    with pytest.raises(FollowUpError) as refused:
        update_follow_up(observation, coordinator, **fields)
    assert set(refused.value.problems) == {wrong}
    db.session.rollback()
    assert observation.status == "new"
    assert changes_kept(observation) == 0


def test_organisations_name_statuses_in_their_own_words(org, coordinator):
    assert status_label(org, "planned", "sv") == "Planerad"
    assert status_label(org, "wont_fix", "en") == "Won't fix"
    set_status_names(org, {"planned": {"sv": "Beställd"}}, coordinator)
    db.session.commit()
    assert status_label(org, "planned", "sv") == "Beställd"
    assert status_label(org, "planned", "en") == "Planned"
    [entry] = audit_entries("organisation.status_names_changed")
    assert entry.details == {"changed": ["planned.sv"]}
    # The same names again change nothing; an empty one brings the default back.
    set_status_names(org, {"planned": {"sv": "Beställd"}}, coordinator)
    set_status_names(org, {"planned": {"sv": ""}}, coordinator)
    db.session.commit()
    assert status_label(org, "planned", "sv") == "Planerad"
    assert len(audit_entries("organisation.status_names_changed")) == 2
    with pytest.raises(FollowUpError) as refused:
        set_status_names(org, {"planned": {"sv": "x" * 41, "de": "Geplant"}, "gone": {}}, None)
    assert set(refused.value.problems) == {"planned.sv", "planned.de", "gone"}
