"""The citizen promises: the domain (checks, masking, audit, the list per area) and
the coordinators' pages (writing, changing, removing, notes, validation, isolation)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from surveyservice.areas.areas import find_area_by_name
from surveyservice.areas.models import Area
from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.public.models import Promise, PromiseNote
from surveyservice.public.promises import (
    PromiseError,
    add_note,
    create_promise,
    list_promises,
    promises_for_area,
    remove_note,
    remove_promise,
    update_promise,
)

from .conftest import csrf_token_from

TODAY = date(2026, 9, 15)


def fields(org, **overrides):
    base = {
        "first_year": 2026,
        "last_year": 2027,
        "texts": {"sv": "Fyra trygghetsvandringar i Torpa."},
        "area_ids": [find_area_by_name(org.id, "Torpa").id],
        "promised_count": 4,
        "status": "in_progress",
        "done_texts": None,
        "done_count": 2,
    }
    base.update(overrides)
    return base


def audit(action=None):
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.filter_by(action=action)
    return list(db.session.execute(query).scalars())


class CountQueries:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


# --- the domain -----------------------------------------------------------------


def test_promises_for_area_lists_newest_period_first_with_areas_and_notes_loaded(
    org, other_org, coordinator
):
    sanden = find_area_by_name(org.id, "Sanden")
    torpa = find_area_by_name(org.id, "Torpa")
    old = create_promise(org.id, coordinator, fields(org, first_year=2024, last_year=2025))
    both = create_promise(org.id, coordinator, fields(org, area_ids=[sanden.id, torpa.id]))
    later = create_promise(org.id, coordinator, fields(org, first_year=2026, last_year=2028))
    only_sanden = create_promise(org.id, coordinator, fields(org, area_ids=[sanden.id]))
    same_period = create_promise(org.id, coordinator, fields(org))
    theirs = fields(other_org, area_ids=[find_area_by_name(other_org.id, "Torpa").id])
    create_promise(other_org.id, None, theirs)
    for promise in (old, both, later):
        add_note(promise, coordinator, date(2026, 9, 1), {"sv": "Första."}, TODAY)
        add_note(promise, coordinator, date(2026, 9, 10), {"sv": "Andra."}, TODAY)
    db.session.commit()
    org_id, torpa_id, sanden_id, only_sanden_id = org.id, torpa.id, sanden.id, only_sanden.id
    expected = [later.id, both.id, same_period.id, old.id]
    db.session.expunge_all()

    counter = CountQueries()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        found = promises_for_area(org_id, torpa_id)
        shown = [([a.name for a in p.areas], [n.texts["sv"] for n in p.notes]) for p in found]
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert [p.id for p in found] == expected
    assert shown[1] == (["Sanden", "Torpa"], ["Andra.", "Första."])
    assert counter.count == 3  # the promises, their areas, their notes: never one per promise
    assert [p.id for p in promises_for_area(org_id, sanden_id)] == [expected[1], only_sanden_id]
    # Another organisation's area gives nothing of ours, and ours nothing of theirs.
    their_torpa = db.session.execute(
        sa.select(Area).where(Area.organisation_id != org_id, Area.name == "Torpa")
    ).scalar_one()
    assert promises_for_area(org_id, their_torpa.id) == []
    assert len(promises_for_area(their_torpa.organisation_id, their_torpa.id)) == 1


def test_texts_are_masked_when_stored_and_the_audit_log_has_no_text(org, coordinator):
    promise = create_promise(
        org.id,
        coordinator,
        fields(
            org,
            texts={"sv": "Ring Anna Svensson på 070-123 45 67.", "en": "  Call us  "},
            done_texts={"sv": "Mejla anna.svensson@example.org"},
        ),
    )
    db.session.commit()
    assert "070-123 45 67" not in promise.texts["sv"]
    assert "Svensson" not in promise.texts["sv"]
    assert promise.texts["en"] == "Call us"
    assert "anna.svensson@example.org" not in promise.done_texts["sv"]
    changed = update_promise(
        promise, coordinator, fields(org, texts={"sv": "Annan text"}, status="done")
    )
    db.session.commit()
    assert changed == ["done_texts", "status", "texts"]
    entries = audit()
    assert [e.action for e in entries] == ["promise.created", "promise.changed"]
    assert entries[0].details == {"promise_id": promise.id}
    assert entries[1].details == {
        "promise_id": promise.id,
        "fields": ["done_texts", "status", "texts"],
    }
    for entry in entries:
        assert "Annan" not in f"{entry.subject} {entry.details}"
        assert "Fyra" not in f"{entry.subject} {entry.details}"


def test_saving_the_same_promise_again_changes_nothing_and_logs_nothing(org, coordinator):
    promise = create_promise(
        org.id, coordinator, fields(org, texts={"sv": "Ring 070-123 45 67 om något."})
    )
    db.session.commit()
    again = fields(org, texts={"sv": "Ring 070-123 45 67 om något."})
    assert update_promise(promise, coordinator, again) == []
    assert len(audit("promise.changed")) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_year": 1999}, "first_year"),
        ({"first_year": "2026"}, "first_year"),
        ({"last_year": 2101}, "last_year"),
        ({"first_year": 2027, "last_year": 2026}, "last_year"),
        ({"texts": {"sv": "   "}}, "text_sv"),
        ({"texts": {"en": "Only English"}}, "text_sv"),
        ({"texts": {"sv": "x" * 2001}}, "text_sv"),
        ({"texts": {"sv": "ok", "ar": "a\x00b"}}, "text_ar"),
        ({"texts": {"sv": "ok", "de": "nein"}}, "text_sv"),
        ({"area_ids": []}, "areas"),
        ({"area_ids": [2**40]}, "areas"),
        ({"promised_count": 0}, "promised_count"),
        ({"promised_count": 1_000_001}, "promised_count"),
        ({"done_count": -1}, "done_count"),
        ({"status": "maybe"}, "status"),
        ({"done_texts": {"en": "Done"}}, "done_text_sv"),
    ],
)
def test_a_promise_that_cannot_be_stored_names_the_field_and_stores_nothing(
    org, coordinator, overrides, field
):
    with pytest.raises(PromiseError) as raised:
        create_promise(org.id, coordinator, fields(org, **overrides))
    assert field in raised.value.problems
    db.session.rollback()
    assert list_promises(org.id) == []
    assert audit() == []


def test_another_organisations_area_is_a_field_problem(org, other_org, coordinator):
    theirs = find_area_by_name(other_org.id, "Torpa")
    with pytest.raises(PromiseError) as raised:
        create_promise(org.id, coordinator, fields(org, area_ids=[theirs.id]))
    assert list(raised.value.problems) == ["areas"]


def test_done_count_may_exceed_the_promised_count(org, coordinator):
    promise = create_promise(org.id, coordinator, fields(org, promised_count=4, done_count=6))
    assert promise.done_count == 6


def test_notes_are_dated_masked_audited_and_removed_with_their_promise(org, coordinator):
    promise = create_promise(org.id, coordinator, fields(org))
    note = add_note(
        promise, coordinator, date(2026, 9, 1), {"sv": "Ring 070-123 45 67", "en": ""}, TODAY
    )
    db.session.commit()
    assert "070-123 45 67" not in note.texts["sv"] and "en" not in note.texts
    with pytest.raises(PromiseError) as raised:
        add_note(promise, coordinator, date(2026, 9, 16), {"sv": "Imorgon"}, TODAY)
    assert list(raised.value.problems) == ["noted_on"]
    with pytest.raises(PromiseError) as raised:
        add_note(promise, coordinator, None, {"sv": "x" * 1001}, TODAY)
    assert set(raised.value.problems) == {"noted_on", "note_sv"}
    db.session.rollback()
    second = add_note(promise, coordinator, date(2026, 9, 2), {"sv": "Två"}, TODAY)
    db.session.commit()
    remove_note(note, coordinator)
    db.session.commit()
    assert [n.id for n in promise.notes] == [second.id]
    remove_promise(promise, coordinator)
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(PromiseNote)).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Promise)).scalar() == 0
    assert [(e.action, e.details) for e in audit()] == [
        ("promise.created", {"promise_id": promise.id}),
        ("promise.note_added", {"promise_id": promise.id, "note_id": note.id}),
        ("promise.note_added", {"promise_id": promise.id, "note_id": second.id}),
        ("promise.note_removed", {"promise_id": promise.id, "note_id": note.id}),
        ("promise.removed", {"promise_id": promise.id}),
    ]


# --- the pages ------------------------------------------------------------------


def form_data(org, client, url, **overrides):
    data = {
        "csrf_token": csrf_token_from(client.get(url).get_data(as_text=True)),
        "first_year": "2026",
        "last_year": "2027",
        "text_sv": "Fyra trygghetsvandringar i Torpa.",
        "text_en": "",
        "text_ar": "",
        "areas": [str(find_area_by_name(org.id, "Torpa").id)],
        "promised_count": "4",
        "status": "in_progress",
        "done_text_sv": "",
        "done_text_en": "",
        "done_text_ar": "",
        "done_count": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def signed_in(client, auth, coordinator):
    auth.login(coordinator.email)
    return client


def test_a_coordinator_writes_a_promise_and_finds_it_in_the_list(signed_in, org):
    client = signed_in
    page = client.get("/promises").get_data(as_text=True)
    assert "No promises yet." in page or "Inga löften" in page
    data = form_data(
        org,
        client,
        "/promises/new",
        text_en="Four safety walks in Torpa.",
        areas=[str(find_area_by_name(org.id, n).id) for n in ("Sanden", "Torpa")],
        done_count="2",
    )
    response = client.post("/promises/new", data=data)
    assert response.status_code == 303
    promise = list_promises(org.id)[0]
    assert response.headers["Location"].endswith(f"/promises/{promise.id}?done=created")
    assert promise.texts == {"sv": "Fyra trygghetsvandringar i Torpa.", "en": data["text_en"]}
    assert [a.name for a in promise.areas] == ["Sanden", "Torpa"]
    assert (promise.promised_count, promise.done_count, promise.status) == (4, 2, "in_progress")
    listing = client.get("/promises?lang=en").get_data(as_text=True)
    assert "2026–2027" in listing
    assert "Four safety walks in Torpa." in listing
    assert "Sanden, Torpa" in listing
    assert "Promised 4, done 2" in listing
    assert "In progress" in listing
    # Swedish interface: the Swedish text; Swedish status name.
    listing = client.get("/promises?lang=sv").get_data(as_text=True)
    assert "Fyra trygghetsvandringar i Torpa." in listing
    assert "Pågår" in listing


def test_the_list_shows_the_swedish_text_marked_where_the_language_has_none(signed_in, org):
    create_promise(org.id, None, fields(org, first_year=2024, last_year=2024))
    create_promise(org.id, None, fields(org, texts={"sv": "Nyare.", "en": "Newer."}))
    db.session.commit()
    page = signed_in.get("/promises?lang=en").get_data(as_text=True)
    assert '<span class="promise-text" lang="sv" dir="ltr">Fyra' in page
    assert '<span class="promise-text">Newer.</span>' in page
    # Newest period first.
    assert page.index("2026–2027") < page.index(">2024<")


def test_editing_a_promise_changes_it_and_logs_the_field_names(signed_in, org):
    promise = create_promise(org.id, None, fields(org))
    db.session.commit()
    url = f"/promises/{promise.id}/edit"
    page = signed_in.get(url).get_data(as_text=True)
    assert "Fyra trygghetsvandringar i Torpa." in page
    assert 'value="4"' in page
    data = form_data(
        org, signed_in, url, status="done", done_count="5", done_text_sv="Fem vandringar."
    )
    response = signed_in.post(url, data=data)
    assert response.status_code == 303
    db.session.expire_all()
    assert (promise.status, promise.done_count) == ("done", 5)
    assert promise.done_texts == {"sv": "Fem vandringar."}
    entry = audit("promise.changed")[-1]
    assert entry.details == {
        "promise_id": promise.id,
        "fields": ["done_count", "done_texts", "status"],
    }
    # The same form again changes nothing.
    response = signed_in.post(url, data=data)
    assert response.headers["Location"].endswith("done=unchanged")
    assert len(audit("promise.changed")) == 1


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"first_year": ""}, "first_year", "Give the first year of the period."),
        ({"first_year": "tjugo"}, "first_year", "Write a year, such as 2026."),
        ({"first_year": "1999"}, "first_year", "Give a year from 2000 to 2100."),
        ({"last_year": ""}, "last_year", "Give the last year of the period."),
        ({"last_year": "2025"}, "last_year", "The last year cannot be before the first (2026)."),
        ({"last_year": "2101"}, "last_year", "Give a year from 2000 to 2100."),
        ({"text_sv": "  "}, "text_sv", "Write the text in Swedish."),
        ({"text_sv": "x" * 2001}, "text_sv", "Write at most 2000 characters: this has 2001."),
        ({"text_en": "y" * 2001}, "text_en", "Write at most 2000 characters: this has 2001."),
        ({"areas": []}, "areas", "Choose at least one area."),
        ({"areas": ["Torpa"]}, "areas", "Choose the areas from the list."),
        ({"promised_count": "0"}, "promised_count", "Give a number from 1 to 1000000."),
        ({"promised_count": "fyra"}, "promised_count", "Write a whole number, such as 4"),
        ({"promised_count": "-3"}, "promised_count", "Write a whole number, such as 4"),
        ({"done_count": "2.5"}, "done_count", "Write a whole number, such as 4"),
        ({"done_count": "99999999999"}, "done_count", "Give a number from 0 to 1000000."),
        ({"status": ""}, "status", "Choose a status from the list."),
        ({"done_text_ar": "تم"}, "done_text_sv", "Write the text in Swedish too"),
    ],
)
def test_bad_input_gives_the_form_again_with_the_message_at_the_field(
    signed_in, org, overrides, field, message
):
    data = form_data(org, signed_in, "/promises/new?lang=en", **overrides)
    response = signed_in.post("/promises/new", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'class="error-summary"' in page
    assert f'href="#field-{field}"' in page
    problem = page[page.index(f'id="problem-{field}"') :]
    assert message in problem[: problem.index("</p>")]
    assert 'aria-describedby="' in page and f"problem-{field}" in page
    # What was typed is kept.
    if overrides.get("text_sv", "").strip():
        assert overrides["text_sv"][:50] in page
    assert list_promises(org.id) == []
    assert audit() == []


def test_every_problem_shows_at_once(signed_in, org):
    data = form_data(
        org, signed_in, "/promises/new", first_year="x", text_sv="", areas=[], done_count="y"
    )
    page = signed_in.post("/promises/new", data=data).get_data(as_text=True)
    for field in ("first_year", "text_sv", "areas", "done_count"):
        assert f'id="problem-{field}"' in page
    # The summary lists them in the order of the page, the form's and the domain's alike.
    summary = page[page.index('class="error-summary"') :]
    summary = summary[: summary.index("</ul>")]
    links = [summary.index(f'href="#field-{f}"') for f in ("first_year", "text_sv", "areas")]
    assert links == sorted(links) and summary.index('href="#field-done_count"') > links[-1]


def test_another_organisations_area_in_the_form_is_a_field_problem(signed_in, org, other_org):
    theirs = find_area_by_name(other_org.id, "Sanden")
    data = form_data(org, signed_in, "/promises/new", areas=[str(theirs.id)])
    response = signed_in.post("/promises/new?lang=en", data=data)
    assert response.status_code == 422
    assert 'id="problem-areas"' in response.get_data(as_text=True)
    assert list_promises(org.id) == []


def test_texts_are_masked_and_the_form_says_so(signed_in, org):
    page = signed_in.get("/promises/new?lang=en").get_data(as_text=True)
    assert "personal data are removed when you save" in page
    data = form_data(
        org,
        signed_in,
        "/promises/new",
        text_sv="Kontakta Anna Svensson, 070-123 45 67, om vandringen.",
        done_text_sv="Skrivet av anna.svensson@example.org",
    )
    assert signed_in.post("/promises/new", data=data).status_code == 303
    promise = list_promises(org.id)[0]
    stored = f"{promise.texts} {promise.done_texts}"
    for personal in ("Svensson", "070-123 45 67", "anna.svensson@example.org"):
        assert personal not in stored
    assert "om vandringen." in promise.texts["sv"]
    assert "[telefonnummer]" in promise.texts["sv"] and "[e-post]" in promise.done_texts["sv"]


def test_removing_a_promise_asks_first(signed_in, org):
    promise = create_promise(org.id, None, fields(org))
    add_note(promise, None, date(2026, 1, 2), {"sv": "En anteckning."}, TODAY)
    db.session.commit()
    url = f"/promises/{promise.id}/remove"
    page = signed_in.get(url + "?lang=en").get_data(as_text=True)
    assert "Yes, remove the promise" in page
    assert "its 1 progress note are removed" in page
    assert list_promises(org.id) != []  # asking removes nothing
    token = csrf_token_from(page)
    assert signed_in.post(url, data={}).status_code == 400  # no CSRF token: refused
    response = signed_in.post(url, data={"csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/promises?done=removed")
    assert list_promises(org.id) == []
    assert audit("promise.removed")[0].details == {"promise_id": promise.id}
    assert signed_in.get(f"/promises/{promise.id}").status_code == 404


def test_notes_are_added_with_todays_date_and_removed(signed_in, org, app):
    promise = create_promise(org.id, None, fields(org))
    db.session.commit()
    url = f"/promises/{promise.id}"
    page = signed_in.get(url).get_data(as_text=True)
    from surveyservice.database import utcnow
    from surveyservice.local_time import to_local

    today = to_local(utcnow(), "Europe/Stockholm").date()
    assert f'value="{today.isoformat()}"' in page
    token = csrf_token_from(page)
    data = {
        "csrf_token": token,
        "noted_on": today.isoformat(),
        "note_sv": "Första vandringen hölls. Ring 070-123 45 67.",
        "note_en": "The first walk was held.",
        "note_ar": "",
    }
    response = signed_in.post(f"{url}/notes", data=data)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("done=note_added#notes")
    db.session.expire_all()
    note = promise.notes[0]
    assert note.noted_on == today
    assert "070-123 45 67" not in note.texts["sv"]
    assert note.texts["en"] == "The first walk was held."
    assert "ar" not in note.texts
    page = signed_in.get(url + "?lang=en").get_data(as_text=True)
    assert "The first walk was held." in page
    assert "Not written: the public page shows the Swedish text." in page
    assert "Not written in Arabic: the public page shows the Swedish text there." in page
    listing = signed_in.get("/promises?lang=en").get_data(as_text=True)
    assert "None yet" not in listing
    remove_url = f"{url}/notes/{note.id}/remove"
    assert "Yes, remove the note" in signed_in.get(remove_url + "?lang=en").get_data(as_text=True)
    response = signed_in.post(remove_url, data={"csrf_token": token})
    assert response.status_code == 303
    db.session.expire_all()
    assert promise.notes == []
    assert [e.action for e in audit()][-2:] == ["promise.note_added", "promise.note_removed"]
    assert signed_in.post(remove_url, data={"csrf_token": token}).status_code == 404


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"noted_on": ""}, "noted_on", "Give the date of the note."),
        ({"noted_on": "1/9 2026"}, "noted_on", "Write the date as year-month-day"),
        ({"noted_on": "2026-02-30"}, "noted_on", "Write the date as year-month-day"),
        ({"noted_on": "2999-01-01"}, "noted_on", "The date is after today"),
        ({"noted_on": "1999-12-31"}, "noted_on", "Give a date from 2000 on."),
        ({"note_sv": ""}, "note_sv", "Write the text in Swedish."),
        ({"note_sv": "x" * 1001}, "note_sv", "Write at most 1000 characters: this has 1001."),
    ],
)
def test_a_bad_note_gives_the_page_again_with_the_message_at_the_field(
    signed_in, org, overrides, field, message
):
    promise = create_promise(org.id, None, fields(org))
    db.session.commit()
    url = f"/promises/{promise.id}"
    data = {
        "csrf_token": csrf_token_from(signed_in.get(url + "?lang=en").get_data(as_text=True)),
        "noted_on": "2026-01-05",
        "note_sv": "Text.",
        "note_en": "",
        "note_ar": "",
    }
    data.update(overrides)
    response = signed_in.post(f"{url}/notes", data=data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'href="#field-{field}"' in page
    problem = page[page.index(f'id="problem-{field}"') :]
    assert message in problem[: problem.index("</p>")]
    db.session.expire_all()
    assert promise.notes == []
    assert audit("promise.note_added") == []


@pytest.mark.parametrize("url", ["/promises/new", "/promises/{id}/notes"])
def test_control_characters_are_refused_and_nothing_is_stored(signed_in, org, url):
    promise = create_promise(org.id, None, fields(org))
    db.session.commit()
    url = url.format(id=promise.id)
    data = form_data(org, signed_in, "/promises/new", text_ar="a\x07b")
    data.update({"noted_on": "2026-01-05", "note_sv": "Text.", "note_en": "\x00"})
    response = signed_in.post(url, data=data)
    assert response.status_code == 422
    assert len(list_promises(org.id)) == 1
    db.session.expire_all()
    assert promise.notes == []
    assert [e.action for e in audit()] == ["promise.created"]


def test_staff_cannot_reach_the_promises(client, auth, staff, org):
    promise = create_promise(org.id, None, fields(org))
    db.session.commit()
    auth.login(staff.email)
    for url in ("/promises", "/promises/new", f"/promises/{promise.id}"):
        assert client.get(url).status_code == 403, url
    assert client.get("/promises").status_code == 403
    assert "/promises" not in client.get("/walks").get_data(as_text=True)


def test_admins_reach_the_promises_and_the_navigation_leads_there(client, auth, admin):
    auth.login(admin.email)
    assert client.get("/promises").status_code == 200
    assert 'href="/promises"' in client.get("/start").get_data(as_text=True)


def test_another_organisations_promise_and_note_are_404_and_unchanged(
    app, org, other_org, other_coordinator, client, auth
):
    promise = create_promise(org.id, None, fields(org))
    note = add_note(promise, None, date(2026, 1, 2), {"sv": "Hemlig anteckning."}, TODAY)
    db.session.commit()
    logged = len(audit())
    auth.login(other_coordinator.email)
    token = csrf_token_from(client.get("/promises").get_data(as_text=True))
    base = f"/promises/{promise.id}"
    for url in (base, f"{base}/edit", f"{base}/remove", f"{base}/notes/{note.id}/remove"):
        assert client.get(url).status_code == 404, url
    theirs_area = str(find_area_by_name(other_org.id, "Torpa").id)
    for url, data in (
        (f"{base}/edit", {"first_year": "2026", "last_year": "2026", "text_sv": "Kapad"}),
        (f"{base}/remove", {}),
        (f"{base}/notes", {"noted_on": "2026-01-01", "note_sv": "Kapad"}),
        (f"{base}/notes/{note.id}/remove", {}),
    ):
        data = {"csrf_token": token, "areas": [theirs_area], "status": "done", **data}
        assert client.post(url, data=data).status_code == 404, url
    assert "Fyra" not in client.get("/promises").get_data(as_text=True)
    db.session.expire_all()
    assert promise.texts["sv"] == "Fyra trygghetsvandringar i Torpa."
    assert [n.id for n in promise.notes] == [note.id]
    assert len(audit()) == logged


def test_a_new_notes_date_is_today_in_the_organisations_time_zone(signed_in, org):
    from surveyservice.database import utcnow
    from surveyservice.local_time import to_local

    promise = create_promise(org.id, None, fields(org))
    db.session.commit()
    # Twenty-five hours apart: at any moment at least one of them is not UTC's day.
    for zone in ("Pacific/Kiritimati", "Pacific/Pago_Pago"):
        org.time_zone = zone
        db.session.commit()
        page = signed_in.get(f"/promises/{promise.id}").get_data(as_text=True)
        today = to_local(utcnow(), zone).date().isoformat()
        assert f'max="{today}" value="{today}"' in page, zone
