"""The rows results count: written with each response, on both ways in, and written
out for responses stored before they existed."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from surveyservice.accounts.accounts import create_organisation, create_user, issue_token
from surveyservice.areas.areas import create_area
from surveyservice.collection.models import AnswerItem, Response
from surveyservice.collection.points import create_point
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import create_questionnaire, publish_draft

from .conftest import make_app, make_definition

QUESTIONS = [
    {
        "id": "safe",
        "type": "single",
        "label": "Trygg?",
        "options": [{"value": "yes", "label": "Ja"}, {"value": "no", "label": "Nej"}],
    },
    {
        "id": "fixes",
        "type": "multi",
        "label": "Vad hjälper?",
        "options": [{"value": v, "label": v} for v in ("light", "police", "clean")],
    },
    {"id": "rating", "type": "scale", "label": "Betyg", "min": 1, "max": 5},
    {"id": "boat", "type": "yesno", "label": "Båt?"},
    {"id": "people", "type": "number", "label": "Antal", "min": 0, "max": 100},
    {"id": "why", "type": "longtext", "label": "Varför?"},
    {"id": "day", "type": "date", "label": "Dag"},
    {
        "id": "where",
        "type": "location",
        "label": "Var?",
        "places": [{"value": "harbour", "label": "Hamnen"}],
    },
]

FULL = {
    "safe": "no",
    "fixes": ["clean", "light"],
    "rating": 4.0,
    "boat": False,
    "people": 2.5,
    "why": "Mörkt vid bryggan",
    "day": "2026-06-01",
    "where": {"place": "harbour"},
}
FULL_ROWS = Counter(
    {
        ("safe", "no"): 1,
        ("fixes", "light"): 1,
        ("fixes", "clean"): 1,
        ("fixes", None): 1,
        ("rating", "4"): 1,
        ("boat", "false"): 1,
        ("people", "2.5"): 1,
        ("why", None): 1,
        ("day", None): 1,
        ("where", None): 1,
    }
)


@pytest.fixture
def point(org, make_questionnaire, make_point):
    return make_point(make_questionnaire(org, questions=QUESTIONS))


def payload(answers, **overrides):
    return {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "answers": answers,
        **overrides,
    }


def items(response_id=None) -> Counter:
    db.session.expire_all()
    query = sa.select(AnswerItem)
    if response_id is not None:
        query = query.where(AnswerItem.response_id == uuid.UUID(response_id))
    return Counter((i.question_id, i.value) for i in db.session.execute(query).scalars())


def test_each_answered_question_becomes_rows_as_results_count_them(client, point):
    body = payload(FULL)
    assert client.post(f"/api/v1/collect/{point.token}/responses", json=body).status_code == 201
    assert items(body["id"]) == FULL_ROWS
    (item, *_) = db.session.execute(sa.select(AnswerItem)).scalars()
    response = db.session.get(Response, uuid.UUID(body["id"]))
    assert item.questionnaire_id == point.questionnaire_id
    assert item.collection_point_id == point.id
    assert item.version_id == response.version_id
    assert item.answered_at == response.received_at
    assert (item.channel, item.language) == ("resident", "sv")


@pytest.mark.parametrize(("people", "row"), [(30.0, "30"), (30, "30"), (0.5, "0.5")])
def test_a_whole_number_sent_as_a_decimal_is_counted_as_the_whole_number(
    client, point, people, row
):
    # 30.0 and 30 are one value: the results count them in one row.
    body = payload({"people": people})
    assert client.post(f"/api/v1/collect/{point.token}/responses", json=body).status_code == 201
    assert items(body["id"]) == Counter({("people", row): 1})


def test_unanswered_questions_have_no_rows_and_a_replay_adds_none(client, point):
    body = payload({"safe": "yes", "fixes": []})
    url = f"/api/v1/collect/{point.token}/responses"
    assert client.post(url, json=body).status_code == 201
    assert client.post(url, json=body).status_code == 200
    assert items() == Counter({("safe", "yes"): 1})


def test_a_refused_response_leaves_no_rows(client, point):
    body = payload({"safe": "maybe", "rating": 3})
    url = f"/api/v1/collect/{point.token}/responses"
    assert client.post(url, json=body).status_code == 422
    assert items() == Counter()


def test_a_batch_writes_the_rows_of_the_responses_it_stores(api_as, staff, point):
    recorded = datetime(2026, 6, 1, 21, tzinfo=UTC)
    good = payload(FULL, channel="staff", recorded_at=recorded.isoformat())
    bad = payload({"rating": 9}, channel="staff")
    replay = payload({"boat": True}, channel="staff")
    api = api_as(staff)
    url = f"/api/v1/collect/{point.token}/responses"
    assert api.post(url, json=replay).status_code == 201
    results = api.post(f"{url}:batch", json={"responses": [good, bad, replay]}).json
    assert [r["status"] for r in results["results"]] == [201, 422, 200]
    assert items(good["id"]) == FULL_ROWS
    assert items(bad["id"]) == Counter()
    assert items(replay["id"]) == Counter({("boat", "true"): 1})
    answered = {i.answered_at for i in db.session.execute(sa.select(AnswerItem)).scalars()}
    assert recorded in answered


def test_the_migration_writes_out_the_rows_of_earlier_responses_and_goes_down(
    test_databases,
):
    app = make_app(test_databases.new("answer_items"))
    with app.app_context():
        upgrade()
        org = create_organisation("Vänersborg", "vanersborg")
        create_area(org.id, "Sanden")
        user = create_user(org, "staff@example.org", "a long password", "staff")
        token = issue_token(user, "tablet")
        questionnaire = create_questionnaire(org, make_definition(questions=QUESTIONS))
        publish_draft(questionnaire)
        db.session.flush()
        point = create_point(
            org.id,
            {
                "name": "Torget",
                "area": "Sanden",
                "kind": "event",
                "questionnaire": questionnaire.slug,
                "opens_at": utcnow(),
            },
        )
        db.session.commit()
        client = app.test_client()
        bodies = [
            payload(FULL),
            payload({"safe": "yes", "fixes": ["police"]}, language="en"),
            payload({"boat": True}, channel="staff", recorded_at="2026-06-01T10:00:00+02:00"),
        ]
        url = f"/api/v1/collect/{point.token}/responses"
        headers = {"Authorization": f"Bearer {token}"}
        for body in bodies:
            assert client.post(url, json=body, headers=headers).status_code == 201

        def rows():
            with db.engine.connect() as connection:
                return sorted(
                    tuple(str(v) for v in row)
                    for row in connection.execute(
                        sa.text(
                            "SELECT response_id, questionnaire_id, collection_point_id, "
                            "version_id, channel, language, answered_at, question_id, value "
                            "FROM answer_item"
                        )
                    )
                )

        written = rows()
        assert len(written) == sum(FULL_ROWS.values()) + 3 + 1
        db.session.remove()

        downgrade(revision="0008")
        with db.engine.connect() as connection:
            assert "answer_item" not in sa.inspect(connection).get_table_names()
            columns = {c["name"] for c in sa.inspect(connection).get_columns("organisation")}
            assert "result_k" not in columns
            assert connection.execute(sa.text("SELECT count(*) FROM response")).scalar() == 3

        upgrade()
        assert rows() == written
        with db.engine.connect() as connection:
            assert connection.execute(
                sa.text("SELECT result_k, result_text_k FROM organisation")
            ).one() == (5, 10)
        db.engine.dispose()
