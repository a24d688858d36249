"""The coordinators' workspace without a browser: navigation by role, the start page's
counts, the collection point form's problems beside each field, times in the
organisation's time zone, and the areas and time zone pages."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from surveyservice.accounts.models import Role
from surveyservice.collection.models import CollectionPoint, Response
from surveyservice.database import utcnow
from surveyservice.extensions import db
from surveyservice.local_time import LocalTimeError, parse_local, start_of_day

from .conftest import csrf_token_from, make_user


def points():
    db.session.expire_all()
    return (
        db.session.execute(sa.select(CollectionPoint).order_by(CollectionPoint.id)).scalars().all()
    )


def post_form(client, url, data):
    token = csrf_token_from(client.get(url).get_data(as_text=True))
    return client.post(url, data={"csrf_token": token, **data})


FORM = {
    "questionnaire": "sample",
    "version": "",
    "name": "Sandenfestivalen",
    "area": "Sanden",
    "kind": "event",
    "opens_at": "2026-06-01T10:00",
    "closes_at": "2026-06-01T18:00",
}


@pytest.fixture
def questionnaire(org, make_questionnaire):
    return make_questionnaire(org)


# --- navigation --------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("staff", ["Samla in svar", "Enkäter"], ["Start", "Insamlingsplatser", "Områden"]),
        ("coordinator", ["Start", "Insamlingsplatser", "Ladda upp sparade svar", "Områden"], []),
        ("admin", ["Start", "Insamlingsplatser", "Områden"], []),
    ],
)
def test_navigation_shows_what_the_role_may_open(client, auth, org, role, shown, hidden):
    user = make_user(org, Role(role))
    auth.login(user.email)
    page = client.get("/staff/").get_data(as_text=True)
    nav = page[page.index("<nav") : page.index("</nav>")]
    for label in shown:
        assert f">{label}</a>" in nav
    for label in hidden:
        assert f">{label}</a>" not in nav
    assert 'href="/staff/" aria-current="page">Samla in svar</a>' in nav


def test_staff_cannot_open_the_workspace(client, auth, staff, questionnaire, make_point):
    point = make_point(questionnaire)
    auth.login(staff.email)
    for url in ("/start", "/collection-points", "/collection-points/new", "/areas"):
        assert client.get(url).status_code == 403, url
    assert client.get(f"/collection-points/{point.id}").status_code == 403


# --- the start page ------------------------------------------------------------


def answer(point, when):
    version = point.served_version
    db.session.add(
        Response(
            id=uuid.uuid4(),
            organisation_id=point.organisation_id,
            collection_point_id=point.id,
            version_id=version.id,
            language="sv",
            channel="resident",
            received_at=when,
            answers={},
            content_hash="x",
        )
    )
    db.session.commit()


def test_start_page_counts_answers_today_in_the_organisation_time_zone_in_one_query(
    app, client, auth, coordinator, questionnaire, make_point
):
    open_point = make_point(questionnaire, name="Öppen punkt")
    later = make_point(questionnaire, name="Kommande punkt", opens_at=utcnow() + timedelta(days=2))
    make_point(
        questionnaire,
        name="Stängd punkt",
        opens_at=utcnow() - timedelta(days=9),
        closes_at=utcnow() - timedelta(days=8),
    )
    start = start_of_day(utcnow(), "Europe/Stockholm")
    answer(open_point, start)  # today, just
    answer(open_point, start - timedelta(hours=1))  # yesterday in Stockholm
    answer(open_point, start - timedelta(days=3))
    auth.login(coordinator.email)

    statements = []

    def count(conn, cursor, statement, *args):
        if "FROM response" in statement:
            statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        page = client.get("/start").get_data(as_text=True)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert len(statements) == 1
    open_section = page[page.index('id="open-title"') : page.index('id="upcoming-title"')]
    assert "Öppen punkt" in open_section
    assert '<td class="number" data-label="Svar i dag">1</td>' in open_section
    assert '<td class="number" data-label="Svar totalt">3</td>' in open_section
    upcoming = page[page.index('id="upcoming-title"') : page.index('id="drafts-title"')]
    assert later.name in upcoming
    assert "Stängd punkt" not in page[: page.index('id="recent-title"')]
    assert "{# AUDIT" not in page


def test_start_page_lists_questionnaires_with_a_draft(
    client, auth, coordinator, org, make_questionnaire
):
    from surveyservice.questionnaires.versions import save_draft

    from .conftest import make_definition

    make_questionnaire(org, slug="utan-utkast")
    with_draft = make_questionnaire(org, slug="med-utkast")
    save_draft(with_draft, make_definition(slug="med-utkast", title="Nytt utkast"))
    db.session.commit()
    auth.login(coordinator.email)
    drafts = client.get("/start").get_data(as_text=True).split('id="drafts-title"')[1]
    drafts = drafts.split('id="recent-title"')[0]
    assert "Nytt utkast" in drafts and "utan-utkast" not in drafts


# --- the collection point form ---------------------------------------------------------


def test_create_point_stores_local_times_in_utc(client, auth, coordinator, questionnaire):
    auth.login(coordinator.email)
    response = post_form(client, "/collection-points/new", {**FORM, "name_en": "Sanden festival"})
    assert response.status_code == 303
    (point,) = points()
    assert response.headers["Location"] == f"/collection-points/{point.id}?created=1"
    # Summer time in Stockholm: two hours ahead of UTC.
    assert point.opens_at == datetime(2026, 6, 1, 8, 0, tzinfo=UTC)
    assert point.closes_at == datetime(2026, 6, 1, 16, 0, tzinfo=UTC)
    assert (point.area.name, point.names, point.pinned_version) == (
        "Sanden",
        {"en": "Sanden festival"},
        None,
    )
    page = client.get(f"/collection-points/{point.id}").get_data(as_text=True)
    assert "1 juni 2026 10:00 CEST" in page
    english = client.get(f"/collection-points/{point.id}?lang=en").get_data(as_text=True)
    assert "Jun 1, 2026 10:00 CEST" in english
    assert point.token in page


def test_each_problem_is_shown_beside_its_field_and_nothing_is_stored(
    client, auth, coordinator, questionnaire
):
    auth.login(coordinator.email)
    response = post_form(
        client,
        "/collection-points/new",
        {**FORM, "name": "", "area": "Sandens hamn", "closes_at": "2026-06-01T09:00"},
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert points() == []
    assert 'id="error-summary"' in page
    assert '<a href="#field-name">Namn: Ge platsen ett namn.</a>' in page
    assert 'aria-describedby="hint-name problem-name" aria-invalid="true"' in page
    assert "Inget område &#39;Sandens hamn&#39;. Kända områden: Sanden, Torpa." in page
    # Every problem at once: the domain checks run even when the form has its own.
    assert 'id="problem-closes_at">Den måste vara senare än öppningstiden.' in page
    assert not response.is_json


def test_a_time_the_clocks_skip_is_refused_and_a_repeated_one_is_its_first(
    client, auth, coordinator, questionnaire
):
    with pytest.raises(LocalTimeError, match="03:00"):
        parse_local("2026-03-29T02:30", "Europe/Stockholm")
    # 02:30 happens twice on 25 October 2026; the first is still summer time.
    assert parse_local("2026-10-25T02:30", "Europe/Stockholm") == datetime(
        2026, 10, 25, 0, 30, tzinfo=UTC
    )
    auth.login(coordinator.email)
    response = post_form(client, "/collection-points/new", {**FORM, "opens_at": "2026-03-29T02:30"})
    assert response.status_code == 422
    assert "2026-03-29 02:30 finns inte i Europe/Stockholm" in response.get_data(as_text=True)
    assert points() == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("opens_at", "i morgon"),
        ("opens_at", "1999-01-01T10:00"),
        ("name", "x" * 201),
        ("name", "två\nrader"),
        ("kind", "party"),
        ("version", "9"),
        ("version", "två"),
        ("questionnaire", "finns-inte"),
        ("name_ar", "y" * 201),
    ],
)
def test_bad_values_are_explained_beside_the_field_never_a_500(
    client, auth, coordinator, questionnaire, field, value
):
    auth.login(coordinator.email)
    response = post_form(client, "/collection-points/new", {**FORM, field: value})
    assert response.status_code == 422
    assert f'href="#field-{field}"' in response.get_data(as_text=True)
    assert points() == []


def test_hostile_names_are_escaped(client, auth, coordinator, questionnaire):
    auth.login(coordinator.email)
    hostile = {**FORM, "name": "<script>alert(1)</script>", "opens_at": "2026-01-01T10:00"}
    post_form(client, "/collection-points/new", {**hostile, "closes_at": ""})
    (point,) = points()
    for url in (f"/collection-points/{point.id}", "/collection-points", "/start"):
        page = client.get(url).get_data(as_text=True)
        assert "<script>alert(1)" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_change_a_point_and_pin_a_version(client, auth, coordinator, questionnaire, make_point):
    point = make_point(questionnaire)
    auth.login(coordinator.email)
    url = f"/collection-points/{point.id}/edit"
    form = client.get(url).get_data(as_text=True)
    assert 'value="Sandenfestivalen"' in form
    response = post_form(
        client, url, {**FORM, "name": "Båtmässan", "area": "torpa", "version": "1"}
    )
    assert response.status_code == 303
    (changed,) = points()
    assert (changed.name, changed.area.name, changed.pinned_version.number) == (
        "Båtmässan",
        "Torpa",
        1,
    )


def test_closing_asks_first_then_closes(client, auth, coordinator, questionnaire, make_point):
    point = make_point(questionnaire)
    auth.login(coordinator.email)
    url = f"/collection-points/{point.id}/close"
    assert "Ja, stäng platsen" in client.get(url).get_data(as_text=True)
    assert points()[0].closes_at is None
    assert post_form(client, url, {}).status_code == 303
    assert points()[0].closes_at is not None


def test_closing_needs_the_csrf_token(client, auth, coordinator, questionnaire, make_point):
    point = make_point(questionnaire)
    auth.login(coordinator.email)
    assert client.post(f"/collection-points/{point.id}/close").status_code == 400
    assert points()[0].closes_at is None


def test_points_list_filters_by_area_and_questionnaire(
    client, auth, coordinator, org, questionnaire, make_questionnaire, make_point
):
    other = make_questionnaire(org, slug="annan")
    make_point(questionnaire, name="Punkt på Sanden")
    make_point(questionnaire, name="Punkt i Torpa", area="Torpa")
    make_point(other, name="Annan enkät i Torpa", area="Torpa")
    auth.login(coordinator.email)
    everything = client.get("/collection-points").get_data(as_text=True)
    assert all(n in everything for n in ("Punkt på Sanden", "Punkt i Torpa", "Annan enkät i Torpa"))
    torpa = client.get("/collection-points?area=2").get_data(as_text=True)
    assert "Punkt på Sanden" not in torpa and "Punkt i Torpa" in torpa
    both = client.get("/collection-points?area=2&questionnaire=annan").get_data(as_text=True)
    assert "Annan enkät i Torpa" in both and ">Punkt i Torpa<" not in both
    assert client.get("/collection-points?area=999999999999&questionnaire=<x>").status_code == 200


# --- the poster's promise -----------------------------------------------------------


def test_poster_promises_the_questions_and_minutes_the_questionnaire_takes(
    client, auth, coordinator, questionnaire, make_point
):
    from surveyservice.questionnaires.effort import effort

    # Two choices (10 s each) and one free text (30 s): 50 s, one minute.
    assert effort(questionnaire.latest.definition) == (3, 1)
    point = make_point(questionnaire)
    auth.login(coordinator.email)
    page = client.get(f"/collection-points/{point.id}/poster").get_data(as_text=True)
    assert "3 korta frågor, cirka 1 min." in page
    assert "3 short questions, about 1 min." in page
    assert "svara på en minut" not in page
    a3 = client.get(f"/collection-points/{point.id}/poster?size=a3").get_data(as_text=True)
    assert "poster-a3.css" in a3


# --- areas and the time zone ---------------------------------------------------------


@pytest.fixture
def admin_client(client, auth, admin):
    auth.login(admin.email)
    return client


def area_names(org):
    from surveyservice.areas.areas import list_areas

    db.session.expire_all()
    return [a.name for a in list_areas(org.id)]


def test_admin_adds_an_area_with_its_name_tidied(admin_client, org):
    assert post_form(admin_client, "/areas", {"name": "  Sandens   hamn "}).status_code == 303
    assert area_names(org) == ["Sanden", "Sandens hamn", "Torpa"]


@pytest.mark.parametrize("name", ["sanden", " SANDEN ", "Sanden"])
def test_an_area_that_differs_only_in_case_or_spacing_is_refused(admin_client, org, name):
    response = post_form(admin_client, "/areas", {"name": name})
    assert response.status_code == 422
    assert "Det finns redan ett område som heter Sanden." in response.get_data(as_text=True)
    assert area_names(org) == ["Sanden", "Torpa"]


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, "rad\nbrytning"])
def test_an_empty_or_bad_area_name_is_refused_beside_the_field(admin_client, org, name):
    response = post_form(admin_client, "/areas", {"name": name})
    assert response.status_code == 422
    assert 'aria-invalid="true" aria-describedby="problem-name"' in response.get_data(as_text=True)
    assert area_names(org) == ["Sanden", "Torpa"]


def test_renaming_an_area_renames_it_for_its_points(
    admin_client, org, make_questionnaire, make_point, api_as, admin
):
    point = make_point(make_questionnaire(org))
    assert post_form(admin_client, "/areas/1/rename", {"name": "Sandens strand"}).status_code == 303
    assert area_names(org) == ["Sandens strand", "Torpa"]
    assert (
        api_as(admin).get(f"/api/v1/collection-points/{point.id}").json["area"] == "Sandens strand"
    )
    # Its own name in other letters is no clash.
    assert post_form(admin_client, "/areas/1/rename", {"name": "SANDENS STRAND"}).status_code == 303
    clash = post_form(admin_client, "/areas/1/rename", {"name": "torpa"})
    assert clash.status_code == 422


def test_an_area_in_use_is_not_removed_and_says_why(
    admin_client, org, make_questionnaire, make_point
):
    make_point(make_questionnaire(org))
    response = post_form(admin_client, "/areas/1/remove", {})
    assert response.status_code == 409
    assert "Sanden kan inte tas bort: 1 insamlingsplats(er)" in response.get_data(as_text=True)
    assert area_names(org) == ["Sanden", "Torpa"]
    assert post_form(admin_client, "/areas/2/remove", {}).status_code == 303
    assert area_names(org) == ["Sanden"]


def test_time_zone_changes_how_times_are_read_and_shown(admin_client, org, make_questionnaire):
    make_questionnaire(org)
    assert post_form(admin_client, "/areas", {}).status_code == 422  # no name
    token = csrf_token_from(admin_client.get("/areas").get_data(as_text=True))
    bad = admin_client.post(
        "/organisation/time-zone", data={"csrf_token": token, "time_zone": "Mars/Olympus"}
    )
    assert bad.status_code == 422
    assert "Välj en tidszon i listan" in bad.get_data(as_text=True)
    ok = admin_client.post(
        "/organisation/time-zone", data={"csrf_token": token, "time_zone": "Europe/London"}
    )
    assert ok.status_code == 303
    post_form(admin_client, "/collection-points/new", FORM)
    (point,) = points()
    assert point.opens_at == datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # BST: UTC+1
    assert "1 juni 2026 10:00 BST" in admin_client.get(f"/collection-points/{point.id}").get_data(
        as_text=True
    )


def test_coordinators_cannot_change_areas_or_the_time_zone(client, auth, coordinator, org):
    auth.login(coordinator.email)
    # They see the list (for the areas' maps), without the forms that change areas.
    page = client.get("/areas").get_data(as_text=True)
    assert "/rename" not in page and "Add an area" not in page and "time_zone" not in page
    token = csrf_token_from(client.get("/start").get_data(as_text=True))
    assert client.post("/areas", data={"csrf_token": token, "name": "Ny"}).status_code == 403
    assert (
        client.post(
            "/organisation/time-zone", data={"csrf_token": token, "time_zone": "UTC"}
        ).status_code
        == 403
    )
    assert area_names(org) == ["Sanden", "Torpa"]


def test_navigation_leaves_out_pages_that_do_not_exist_yet(client, auth, admin, monkeypatch):
    from surveyservice.workspace import navigation

    monkeypatch.setattr(
        navigation,
        "NAVIGATION",
        [*navigation.NAVIGATION, navigation.NavItem("audit.index", "Audit log", Role.ADMIN)],
    )
    auth.login(admin.email)
    page = client.get("/start")
    assert page.status_code == 200
    assert "Audit log" not in page.get_data(as_text=True)


def test_texts_chosen_in_code_have_swedish_translations():
    from surveyservice.audit.log import ACTION_LABELS
    from surveyservice.audit.views import DETAIL_LABELS
    from surveyservice.workspace.navigation import NAVIGATION
    from surveyservice.workspace.point_form import KIND_LABELS, REQUIRED

    from .test_translations import catalogue

    texts = [item.label for item in NAVIGATION] + [*KIND_LABELS.values(), *REQUIRED.values()]
    texts += [*ACTION_LABELS.values(), *DETAIL_LABELS.values()]
    swedish = catalogue("sv")
    assert [t for t in texts if t not in swedish or not swedish[t].string] == []


# --- the audit log of the workspace's changes ------------------------------------------


def logged():
    from surveyservice.audit.models import AuditEntry

    db.session.expire_all()
    rows = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.subject, AuditEntry.user_email).order_by(
            AuditEntry.id
        )
    )
    return [tuple(row) for row in rows]


def test_point_pages_record_each_change_and_the_start_page_shows_them(
    client, auth, coordinator, questionnaire
):
    auth.login(coordinator.email)
    # Open next summer, so that closing it now is a change.
    form = {**FORM, "opens_at": "2027-06-01T10:00", "closes_at": "2027-06-01T18:00"}
    post_form(client, "/collection-points/new", form)
    (point,) = points()
    post_form(client, f"/collection-points/{point.id}/edit", {**form, "name": "Båtmässan"})
    post_form(client, f"/collection-points/{point.id}/close", {})
    # A refused change records nothing.
    post_form(client, f"/collection-points/{point.id}/edit", {**form, "name": ""})
    subject = f"{point.id} Båtmässan"
    assert logged() == [
        ("collection_point.created", f"{point.id} Sandenfestivalen", coordinator.email),
        ("collection_point.changed", subject, coordinator.email),
        ("collection_point.closed", subject, coordinator.email),
    ]
    start = client.get("/start").get_data(as_text=True)
    activity = start.split('id="recent-title"')[1]
    assert activity.index("Insamlingsplats stängd") < activity.index("Insamlingsplats skapad")


def test_area_and_time_zone_changes_are_recorded_but_account_changes_stay_off_the_start_page(
    admin_client, admin, org
):
    from surveyservice.areas.areas import list_areas

    post_form(admin_client, "/areas", {"name": "Norra hamnen"})
    (area,) = [a for a in list_areas(org.id) if a.name == "Norra hamnen"]
    post_form(admin_client, f"/areas/{area.id}/rename", {"name": "Södra hamnen"})
    post_form(admin_client, f"/areas/{area.id}/remove", {})
    post_form(admin_client, "/organisation/time-zone", {"time_zone": "Europe/Helsinki"})
    post_form(admin_client, "/accounts/new", {"email": "ny@example.org", "role": "staff"})
    assert [action for action, _, _ in logged()] == [
        "area.created",
        "area.renamed",
        "area.removed",
        "organisation.time_zone_changed",
        "user.created",
        "user.password_link_made",
    ]
    start = admin_client.get("/start").get_data(as_text=True).split('id="recent-title"')[1]
    assert "Område omdöpt" in start and "ny@example.org" not in start
