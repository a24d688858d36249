"""The audit log: every change by a signed-in user (or the command line) is recorded
with its change, never changed afterwards, and read by admins of its organisation only."""

import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from surveyservice.audit.log import PAGE_SIZE, record
from surveyservice.audit.models import AuditEntry
from surveyservice.database import utcnow
from surveyservice.extensions import db

from .conftest import csrf_token_from, make_definition, make_user


def entries() -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        sa.select(
            AuditEntry.user_email, AuditEntry.action, AuditEntry.subject, AuditEntry.details
        ).order_by(AuditEntry.id)
    ).all()


def test_an_entry_is_stored_with_its_change_or_not_at_all(app, coordinator):
    record(coordinator, "questionnaire.published", "sample", {"version": 1})
    db.session.rollback()
    assert entries() == []
    record(coordinator, "questionnaire.published", "sample", {"version": 1})
    db.session.commit()
    assert entries() == [
        ("coordinator@example.org", "questionnaire.published", "sample", {"version": 1})
    ]


def test_unknown_actions_and_large_details_are_refused(app, coordinator, org):
    with pytest.raises(ValueError, match="unknown audit action"):
        record(coordinator, "questionnaire.eaten", "sample")
    with pytest.raises(ValueError, match="small values"):
        record(coordinator, "questionnaire.published", "sample", {"text": "x" * 3000})
    with pytest.raises(ValueError, match="organisation"):
        record(None, "questionnaire.published", "sample")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_entry SET subject = 'x'", "DELETE FROM audit_entry"]
)
def test_entries_never_change_whoever_writes(app, coordinator, statement):
    record(coordinator, "questionnaire.published", "sample")
    db.session.commit()
    with pytest.raises(DBAPIError, match="audit entries are never changed or deleted"):
        db.session.execute(sa.text(statement))
    db.session.rollback()
    assert entries()[0][2] == "sample"


def test_questionnaire_changes_through_the_api_are_recorded(api_as, coordinator):
    api = api_as(coordinator)
    assert api.post("/api/v1/questionnaires", json=make_definition()).status_code == 201
    assert api.post("/api/v1/questionnaires/sample/draft/publish").status_code == 201
    assert (
        api.put(
            "/api/v1/questionnaires/sample/draft", json=make_definition(title="Nytt")
        ).status_code
        == 201
    )
    assert api.delete("/api/v1/questionnaires/sample/draft").status_code == 204
    # Refused changes leave no entry.
    assert api.post("/api/v1/questionnaires/sample/draft/publish").status_code == 404
    who = "coordinator@example.org"
    assert entries() == [
        (who, "questionnaire.created", "sample", None),
        (who, "questionnaire.published", "sample", {"version": 1}),
        (who, "questionnaire.draft_saved", "sample", None),
        (who, "questionnaire.draft_discarded", "sample", None),
    ]


def test_collection_point_changes_are_recorded(api_as, coordinator, org, make_questionnaire):
    make_questionnaire(org)
    api = api_as(coordinator)
    created = api.post(
        "/api/v1/collection-points",
        json={
            "name": "Torget",
            "area": "Sanden",
            "kind": "event",
            "questionnaire": "sample",
            "opens_at": utcnow().isoformat(),
        },
    )
    assert created.status_code == 201, created.json
    point = created.json["id"]
    assert (
        api.patch(f"/api/v1/collection-points/{point}", json={"name": "Torget 2"}).status_code
        == 200
    )
    assert api.post(f"/api/v1/collection-points/{point}/close").status_code == 200
    assert (
        api.patch(f"/api/v1/collection-points/{point}", json={"opens_at": "x"}).status_code == 422
    )
    assert [(a, s, d) for _, a, s, d in entries()] == [
        ("collection_point.created", f"{point} Torget", None),
        ("collection_point.changed", f"{point} Torget 2", {"fields": ["name"]}),
        ("collection_point.closed", f"{point} Torget 2", None),
    ]


def test_forms_sync_is_recorded_as_the_command_line(app, runner, org, tmp_path):
    (tmp_path / "sample.json").write_text(json.dumps(make_definition()))
    assert runner.invoke(args=["forms", "sync", str(tmp_path)]).exit_code == 0
    assert runner.invoke(args=["forms", "sync", str(tmp_path)]).exit_code == 0
    assert entries() == [
        (None, "questionnaire.created", "sample", None),
        (None, "questionnaire.published", "sample", {"version": 1, "file": "sample.json"}),
    ]


def test_account_commands_are_recorded(app, runner, org, coordinator):
    assert (
        runner.invoke(
            args=[
                "users",
                "create",
                "new@example.org",
                "--role",
                "staff",
                "--password",
                "a long password",
            ]
        ).exit_code
        == 0
    )
    assert runner.invoke(args=["users", "deactivate", "new@example.org"]).exit_code == 0
    assert runner.invoke(args=["users", "activate", "new@example.org"]).exit_code == 0
    assert (
        runner.invoke(args=["users", "token", "new@example.org", "--name", "export"]).exit_code == 0
    )
    assert [(w, a, s) for w, a, s, _ in entries()] == [
        (None, "user.created", "new@example.org"),
        (None, "user.deactivated", "new@example.org"),
        (None, "user.reactivated", "new@example.org"),
        (None, "token.created", "new@example.org"),
    ]


def test_saved_queue_upload_records_counts_and_nothing_a_resident_wrote(
    client, auth, coordinator, org, make_questionnaire, make_point
):
    point = make_point(make_questionnaire(org))
    recorded = (utcnow() - timedelta(minutes=5)).isoformat()
    secret = "Kalle Anka säljer knark vid kiosken"
    item = {
        "token": point.token,
        "version": 1,
        "language": "sv",
        "channel": "staff",
        "recorded_at": recorded,
    }
    items = [
        {**item, "id": str(uuid.uuid4()), "answers": {"safe_now": "unsafe", "why_unsafe": secret}},
        {**item, "id": str(uuid.uuid4()), "answers": {"safe_now": "nonsense"}},
    ]
    auth.login(coordinator.email)
    page = client.get("/collection-points/import").get_data(as_text=True)
    document = {"format": "surveyservice-outbox", "version": 1, "responses": items}
    response = client.post(
        "/collection-points/import",
        data={
            "csrf_token": csrf_token_from(page),
            "file": (io.BytesIO(json.dumps(document).encode()), "queue.json"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    (entry,) = entries()
    assert entry[1] == "saved_queue.uploaded"
    assert entry[3] == {"total": 2, "stored": 1, "stored_before": 0, "refused": 1, "unprocessed": 0}
    stored = json.dumps([list(map(str, e)) for e in entries()])
    assert "Kalle" not in stored and items[0]["id"] not in stored


def test_residents_answers_leave_no_entry(client, org, make_questionnaire, make_point):
    point = make_point(make_questionnaire(org))
    response = client.post(
        f"/api/v1/collect/{point.token}/responses",
        json={
            "id": str(uuid.uuid4()),
            "version": 1,
            "language": "sv",
            "answers": {"safe_now": "safe"},
        },
    )
    assert response.status_code == 201, response.json
    assert entries() == []


# --- the page ---------------------------------------------------------------


def add_entries(user, count, action="questionnaire.published", at=None):
    for number in range(count):
        entry = record(user, action, f"q-{number}")
        if at is not None:
            entry.at = at
    db.session.commit()


def test_admins_read_the_log_newest_first_a_page_at_a_time(client, auth, admin):
    add_entries(admin, PAGE_SIZE + 5)
    auth.login(admin.email)
    first = client.get("/audit?lang=en").get_data(as_text=True)
    assert first.count("<tr>") == PAGE_SIZE + 1
    assert "q-54" in first and "q-4<" not in first
    assert 'href="/audit?lang=en&amp;page=2"' in first or "page=2" in first
    second = client.get("/audit?page=2").get_data(as_text=True)
    assert second.count("<tr>") == 5 + 1
    assert "q-0<" in second and "Older entries" not in second


def test_the_log_filters_by_action_person_and_days(client, auth, admin, coordinator):
    # Days are the organisation's (Europe/Stockholm, an hour ahead of UTC in November).
    add_entries(admin, 2, "user.created", at=datetime(2026, 11, 3, 22, 59, tzinfo=UTC))
    add_entries(
        coordinator, 1, "collection_point.created", at=datetime(2026, 11, 3, 23, 0, tzinfo=UTC)
    )
    record(None, "questionnaire.published", "from-files", organisation_id=admin.organisation_id)
    db.session.commit()
    auth.login(admin.email)

    def rows(query):
        return client.get(f"/audit?lang=en&{query}").get_data(as_text=True).count("<tr>") - 1

    assert rows("") == 4
    assert rows("action=user.created") == 2
    assert rows(f"user={coordinator.id}") == 1
    assert rows("user=cli") == 1
    assert "command line" in client.get("/audit?user=cli").get_data(as_text=True)
    assert rows("since=2026-11-04&until=2026-11-04") == 1
    assert rows("until=2026-11-03") == 2
    assert rows("since=2026-11-03&until=2026-11-03") == 2


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("since=2026-13-01", "since", "Write a date as YYYY-MM-DD"),
        ("until=9999-12-31", "until", "Write a date as YYYY-MM-DD"),
        ("since=2026-12-02&until=2026-12-01", "until", "The last day comes before the first."),
        ("action=drop.table", "action", "Choose an action from the list."),
        ("user=%C2%B2", "user", "Choose a user from the list."),
    ],
)
def test_bad_filters_are_named_beside_their_field(client, auth, admin, query, field, message):
    auth.login(admin.email)
    response = client.get(f"/audit?lang=en&{query}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-problem">{message}' in html
    assert f'aria-describedby="{field}-problem"' in html


def test_only_admins_read_the_log(client, auth, coordinator, staff):
    for user in (coordinator, staff):
        auth.login(user.email)
        assert client.get("/audit").status_code == 403
        auth.logout()
    assert client.get("/audit").status_code == 302


def test_an_admin_of_another_organisation_sees_none_of_ours(client, auth, admin, other_org):
    add_entries(admin, 3)
    intruder = make_user(other_org, "admin", "admin@trollhattan.example.org")
    auth.login(intruder.email)
    html = client.get("/audit?lang=en").get_data(as_text=True)
    assert "q-0" not in html and "admin@example.org" not in html
    assert client.get(f"/audit?user={admin.id}").get_data(as_text=True).count("<tr>") == 0


def test_hostile_subjects_are_escaped(client, auth, admin):
    record(admin, "questionnaire.published", "<script>alert(1)</script>", {"file": "<b>x</b>"})
    db.session.commit()
    auth.login(admin.email)
    html = client.get("/audit").get_data(as_text=True)
    assert "<script>alert" not in html and "&lt;script&gt;" in html and "<b>x" not in html
