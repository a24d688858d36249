"""The walk pages: who sees and changes what, the filters, the map's points and legend,
the follow-up form with its history, and bad input given back with nothing stored."""

import json
import re
import uuid
from datetime import UTC, datetime
from html import unescape

import pytest
import sqlalchemy as sa

from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.walks.models import Observation, ObservationChange, Photo

from .conftest import csrf_token_from
from .walk_data import record_walk, upload_photo, walk_point, walk_questionnaire


@pytest.fixture
def walk(org):
    return walk_point(walk_questionnaire(org))


@pytest.fixture
def stops(walk):
    return record_walk(walk)


def text_of(response) -> str:
    """The page's main text, tags removed and spaces folded."""
    html = response.get_data(as_text=True)
    main = html[html.index("<main") :]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", main)).split())


def changes_kept() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(ObservationChange)).scalar()


def map_points(response) -> list[dict]:
    html = response.get_data(as_text=True)
    found = re.search(r'<script type="application/json" id="walk-map-points">(.*?)</script>', html)
    return json.loads(found.group(1)) if found else []


def with_map(area) -> None:
    area.map_key = f"maps/{area.id}-1.jpg"
    area.map_version = 1
    area.map_south, area.map_west, area.map_north, area.map_east = 58.378, 12.321, 58.383, 12.330
    db.session.commit()


# --- who may do what ----------------------------------------------------------------


def test_signed_out_visitors_are_sent_to_sign_in_and_nothing_changes(client, walk, stops):
    observation = stops[0]
    for url in (
        "/walks/",
        f"/walks/areas/{walk.area_id}",
        f"/walks/points/{walk.id}",
        f"/walks/observations/{observation.id}",
        "/walks/status-names",
    ):
        response = client.get(url)
        assert response.status_code in (302, 401), url
        assert "Kvällsvandring" not in response.get_data(as_text=True)
    response = client.post(f"/walks/observations/{observation.id}", data={"status": "fixed"})
    assert response.status_code in (302, 400, 401)
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).status == "new"


def test_staff_see_the_follow_up_and_its_history_but_cannot_change_it(
    client, auth, staff, coordinator, stops, api_as
):
    observation = stops[0]
    from surveyservice.walks.observations import update_follow_up

    update_follow_up(
        observation,
        coordinator,
        status="planned",
        public_note="Lampan byts i december",
        internal_note="Ärende 2026/114 hos gatuavdelningen",
    )
    db.session.commit()
    auth.login(staff.email)
    page = client.get(f"/walks/observations/{observation.id}?lang=en")
    assert page.status_code == 200
    text = text_of(page)
    assert "Lampan byts i december" in text
    assert "Only inside the organisation Ärende 2026/114" in text
    assert "Internal note: Ärende 2026/114" in text  # the history
    assert "Status: New → Planned" in text
    assert 'name="status"' not in page.get_data(as_text=True)
    token = csrf_token_from(client.get("/walks/").get_data(as_text=True))
    refused = client.post(
        f"/walks/observations/{observation.id}", data={"csrf_token": token, "status": "fixed"}
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).status == "planned"
    assert changes_kept() == 1


def test_only_admins_rename_statuses(client, auth, coordinator, admin):
    auth.login(coordinator.email)
    assert client.get("/walks/status-names").status_code == 403
    auth.logout()
    auth.login(admin.email)
    assert client.get("/walks/status-names").status_code == 200


def test_the_walk_pages_are_in_the_menu_and_linked_from_points_and_areas(
    client, auth, admin, walk, staff
):
    auth.login(admin.email)
    start = client.get("/start?lang=en").get_data(as_text=True)
    assert '<a href="/walks/">Safety walks</a>' in start
    point_page = client.get(f"/collection-points/{walk.id}").get_data(as_text=True)
    assert f'href="/walks/points/{walk.id}"' in point_page
    areas = client.get("/areas").get_data(as_text=True)
    assert f'href="/walks/areas/{walk.area_id}"' in areas
    walks = client.get("/walks/").get_data(as_text=True)
    assert 'aria-current="page"' in walks and 'href="/walks/status-names"' in walks
    auth.logout()
    auth.login(staff.email)
    staff_menu = client.get("/walks/?lang=sv").get_data(as_text=True)
    assert ">Trygghetsvandringar</a>" in staff_menu
    assert 'href="/walks/status-names"' not in staff_menu


# --- the index, the map pages and their filters ---------------------------------------


def test_the_index_counts_each_walks_observations_by_status(client, auth, coordinator, stops):
    from surveyservice.walks.observations import update_follow_up

    update_follow_up(stops[0], coordinator, status="fixed")
    db.session.commit()
    auth.login(coordinator.email)
    text = text_of(client.get("/walks/?lang=en"))
    assert "Kvällsvandring i Torpa" in text
    assert "2 New 1 Fixed" in text
    assert "3 observations" in text
    assert "No walks in Sanden yet" in text


def test_a_walks_page_lists_each_observation_in_words(client, auth, coordinator, walk, stops):
    auth.login(coordinator.email)
    response = client.get(f"/walks/points/{walk.id}?lang=en")
    assert response.status_code == 200
    text = text_of(response)
    assert "3 observations, newest first." in text
    # Newest first; the named place, else the stop's number.
    assert text.index("Stop 3") < text.index("The playground") < text.index("Stop 1")
    assert "Vegetation, Litter Severity: 2 Keep an eye on it · Status: New" in text
    assert "Lighting Severity: 4 Must be fixed · Status: New" in text
    for observation in stops:
        assert f'href="/walks/observations/{observation.id}"' in response.get_data(as_text=True)


def test_without_a_map_the_page_says_why_and_lists_the_observations(
    client, auth, coordinator, walk, stops
):
    auth.login(coordinator.email)
    response = client.get(f"/walks/points/{walk.id}?lang=en")
    assert "There is no map of Torpa" in text_of(response)
    assert 'id="walk-map"' not in response.get_data(as_text=True)
    assert "walk-map.js" not in response.get_data(as_text=True)


def test_the_map_gets_each_placed_observation_coloured_by_category_and_sized_by_severity(
    client, auth, coordinator, walk, stops
):
    with_map(walk.area)
    auth.login(coordinator.email)
    response = client.get(f"/walks/points/{walk.id}?lang=en")
    html = response.get_data(as_text=True)
    assert 'id="walk-map"' in html and "walk-map.js" in html
    config = json.loads(unescape(re.search(r'data-map="([^"]*)"', html).group(1)))
    assert config["image"].endswith("/map-1.jpg") and config["tiles"] is None
    points = {p["href"]: p for p in map_points(response)}
    assert len(points) == 3
    lamp = points[f"/walks/observations/{stops[0].id}"]
    assert (lamp["lat"], lamp["lon"]) == (58.3801, 12.324)
    assert lamp["label"].startswith("Stop 1: Lighting")
    playground = points[f"/walks/observations/{stops[1].id}"]
    # Colour of the first category in the definition's order; the worst severity largest.
    assert lamp["colour"] == "#332288" and playground["colour"] == "#88ccee"
    assert lamp["radius"] > points[f"/walks/observations/{stops[2].id}"]["radius"]
    assert playground["radius"] < lamp["radius"]
    # The legend says in words what the colours and sizes mean.
    text = text_of(response)
    assert "Colour: the category" in text and "Size: the severity" in text
    assert "swatch-332288" in html and "Lighting" in text


def test_an_observation_without_a_position_is_only_in_the_list(client, auth, coordinator, walk):
    record_walk(
        walk, [({"place": {"place": "car_park"}, "categories": ["litter"]}, None, None, None)]
    )
    with_map(walk.area)
    auth.login(coordinator.email)
    response = client.get(f"/walks/points/{walk.id}?lang=en")
    assert map_points(response) == []
    text = text_of(response)
    assert "The car park" in text and "no position, not on the map" in text
    assert "1 observation has no position and is only in the list." in text


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("category=litter", {1, 2}),
        ("category=lighting", {0, 3}),
        ("severity=4", {0, 3}),
        ("severity=2", {1}),
        ("status=planned", {2}),
        ("status=planned&category=lighting", set()),
        ("from=2026-11-04", {3}),
        ("to=2026-11-03", {0, 1, 2}),
        ("from=2026-11-03&to=2026-11-03&category=litter", {1, 2}),
    ],
)
def test_filters_narrow_the_list_and_the_map(client, auth, coordinator, walk, stops, query, shown):
    from surveyservice.walks.observations import update_follow_up

    later = record_walk(walk, [stops_copy(0)], at=datetime(2026, 11, 4, 19, tzinfo=UTC))
    update_follow_up(stops[2], coordinator, status="planned")
    db.session.commit()
    every = [*stops, *later]
    with_map(walk.area)
    auth.login(coordinator.email)
    for url in (f"/walks/points/{walk.id}", f"/walks/areas/{walk.area_id}"):
        response = client.get(f"{url}?{query}")
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        listed = {i for i, o in enumerate(every) if f'id="observation-{o.id}"' in html}
        assert listed == shown, (url, query)
        assert {p["href"] for p in map_points(response)} == {
            f"/walks/observations/{every[i].id}" for i in shown
        }
        # The form shows what was chosen, and a way back to everything.
        assert "Remove all filters" in text_of(client.get(f"{url}?{query}&lang=en"))


def stops_copy(index):
    from .walk_data import STOPS

    return STOPS[index]


def test_an_areas_page_filters_by_walk_and_lists_only_its_own(
    client, auth, coordinator, org, walk, stops, make_questionnaire
):
    other_walk = walk_point(walk.questionnaire, name="Dagvandring")
    theirs = record_walk(other_walk, [stops_copy(1)])
    sanden = walk_point(walk.questionnaire, name="Sandenvandring", area="Sanden")
    record_walk(sanden, [stops_copy(2)])
    auth.login(coordinator.email)
    area_page = client.get(f"/walks/areas/{walk.area_id}").get_data(as_text=True)
    assert area_page.count('<li id="observation-') == 4
    assert "Sandenvandring" not in area_page
    one = client.get(f"/walks/areas/{walk.area_id}?walk={other_walk.id}").get_data(as_text=True)
    assert one.count('<li id="observation-') == 1 and f"observation-{theirs[0].id}" in one
    # A walk of another area is not a choice here.
    wrong = client.get(f"/walks/areas/{walk.area_id}?walk={sanden.id}&lang=en")
    assert wrong.status_code == 422
    assert "Choose a walk of this area from the list." in text_of(wrong)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("category=weather", "Choose a category from the list."),
        ("severity=9", "Choose a severity from the list."),
        ("status=done", "Choose a status from the list."),
        ("from=2026-13-01", "Enter a date between 2000-01-01 and 2100-12-31."),
        ("to=yesterday", "Enter a date between 2000-01-01 and 2100-12-31."),
        ("from=2026-12-01&to=2026-11-01", "The first day is after the last day: swap them."),
        ("walk=99999", "Choose a walk of this area from the list."),
    ],
)
def test_filters_that_name_nothing_are_given_back_with_a_message(
    client, auth, coordinator, walk, stops, query, message
):
    auth.login(coordinator.email)
    for url in (f"/walks/points/{walk.id}", f"/walks/areas/{walk.area_id}"):
        if "walk=" in query and "/points/" in url:
            continue  # a walk's own page has no walk filter
        response = client.get(f"{url}?{query}&lang=en")
        assert response.status_code == 422, url
        text = text_of(response)
        assert message in text
        assert "The filters need correcting" in text
        assert 'id="observation-' not in response.get_data(as_text=True)
        assert 'aria-invalid="true"' in response.get_data(as_text=True)


def test_unknown_areas_points_and_observations_are_not_found(client, auth, coordinator, stops):
    auth.login(coordinator.email)
    for url in (
        "/walks/areas/99999",
        "/walks/points/99999",
        "/walks/observations/99999",
        "/walks/observations/99999999999",
        "/walks/areas/0",
    ):
        assert client.get(url).status_code == 404, url


# --- one observation and its follow-up ------------------------------------------------


def test_an_observation_shows_its_answers_in_the_interface_language(
    client, auth, coordinator, stops
):
    auth.login(coordinator.email)
    english = text_of(client.get(f"/walks/observations/{stops[0].id}?lang=en"))
    assert "What is it about? Lighting" in english
    assert "Severity 4 Must be fixed" in english
    assert "Description Lampan i tunneln är trasig" in english
    assert "Latitude 58.38010, longitude 12.32400, accurate to about 8 m." in english
    assert "From the tablet's position." in english
    # The walk's own answers, once for all its stops.
    assert "About the walk: Kvällsvandring i Torpa Date of the walk 2026-11-03" in english
    swedish = text_of(client.get(f"/walks/observations/{stops[1].id}?lang=sv"))
    assert "Vad gäller det? Vegetation Nedskräpning" in swedish
    assert "Observation: Lekplatsen" in swedish


def test_the_answers_keep_the_labels_of_the_version_the_walk_answered(
    client, auth, coordinator, walk, stops
):
    from surveyservice.questionnaires.versions import save_draft

    questionnaire = walk.questionnaire
    definition = json.loads(json.dumps(questionnaire.latest.definition))
    definition["questions"][1]["questions"][1]["label"] = {"sv": "Kategori", "en": "Category"}
    save_draft(questionnaire, definition)
    db.session.commit()
    auth.login(coordinator.email)
    text = text_of(client.get(f"/walks/observations/{stops[0].id}?lang=en"))
    assert "What is it about? Lighting" in text and "Category Lighting" not in text


def test_photos_show_with_a_delete_form_for_coordinators_only(
    client, auth, coordinator, staff, walk
):
    photo_id = upload_photo(walk)
    stop = ({"place": {"place": "underpass"}, "photo": [photo_id]}, None, None, None)
    [observation] = record_walk(walk, [stop])
    auth.login(coordinator.email)
    page = f"/walks/observations/{observation.id}"
    html = client.get(f"{page}?lang=en").get_data(as_text=True)
    assert f'<img src="/photos/{photo_id}.jpg"' in html
    assert 'alt="Photo 1 of The underpass"' in html
    form = re.search(
        rf'<form method="post" action="/photos/{photo_id}/delete">(.*?)</form>', html, re.S
    )
    assert form and 'name="csrf_token"' in form.group(1)
    back = re.search(r'name="next" value="([^"]+)"', form.group(1)).group(1)
    assert unescape(back) == f"{page}?done=photo_deleted#photos-title"
    assert client.get(f"/photos/{photo_id}.jpg").status_code == 200
    auth.logout()
    auth.login(staff.email)
    html = client.get(page).get_data(as_text=True)
    assert f'<img src="/photos/{photo_id}.jpg"' in html
    assert "/delete" not in html
    auth.logout()
    # The coordinator deletes it from the page, and comes back to it.
    auth.login(coordinator.email)
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    deleted = client.post(
        f"/photos/{photo_id}/delete", data={"csrf_token": token, "next": unescape(back)}
    )
    assert deleted.status_code == 302 and deleted.headers["Location"] == unescape(back)
    text = text_of(client.get(deleted.headers["Location"] + "&lang=en"))
    assert "The photo is deleted." in text and "Photo 1 was deleted" in text
    assert f'src="/photos/{photo_id}.jpg"' not in client.get(page).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Photo, uuid.UUID(photo_id)).deleted_at is not None


def post_follow_up(client, observation, **fields):
    page = client.get(f"/walks/observations/{observation.id}").get_data(as_text=True)
    data = {
        "csrf_token": csrf_token_from(page),
        "status": observation.status,
        "responsible": observation.responsible or "",
        "public_note": observation.public_note,
        "internal_note": observation.internal_note,
        **fields,
    }
    return client.post(f"/walks/observations/{observation.id}?lang=en", data=data)


def test_the_follow_up_is_saved_and_shown_in_the_history(client, auth, coordinator, stops):
    observation = stops[0]
    auth.login(coordinator.email)
    saved = post_follow_up(
        client,
        observation,
        status="planned",
        responsible="municipality",
        public_note="Lampan byts i december.\r\nTack för tipset!",
        internal_note="Ärende 2026/114",
    )
    assert saved.status_code == 303
    assert saved.headers["Location"].endswith(
        f"/walks/observations/{observation.id}?done=saved#follow-up-title"
    )
    db.session.expire_all()
    stored = db.session.get(Observation, observation.id)
    assert (stored.status, stored.responsible) == ("planned", "municipality")
    assert stored.public_note == "Lampan byts i december.\nTack för tipset!"
    assert stored.internal_note == "Ärende 2026/114"
    audit = db.session.execute(
        sa.select(AuditEntry).filter_by(action="observation.follow_up_changed")
    ).scalar_one()
    assert audit.user_email == coordinator.email
    page = client.get(f"/walks/observations/{observation.id}?done=saved&lang=en")
    text = text_of(page)
    assert "The follow-up is saved" in text
    assert "coordinator@example.org" in text
    assert "Status: New → Planned" in text
    assert "Responsible: Not decided → Municipality" in text
    assert "Internal note: Ärende 2026/114" in text
    # In the form's order: the status first, the notes last.
    assert text.index("Status: New → Planned") < text.index("Internal note: Ärende")
    # The form now shows what is stored; saving it again changes nothing.
    again = post_follow_up(client, stored)
    assert again.headers["Location"].endswith("done=unchanged#follow-up-title")
    assert changes_kept() == 1
    # A note changed again: the history says what it was before.
    post_follow_up(client, stored, public_note="Lampan är bytt.")
    text = text_of(client.get(f"/walks/observations/{observation.id}?lang=en"))
    assert "Public note: Lampan är bytt. (before: Lampan byts i december." in text
    assert changes_kept() == 2


def test_the_statuses_carry_the_organisations_names(client, auth, admin, stops, walk):
    auth.login(admin.email)
    page = client.get("/walks/status-names?lang=sv").get_data(as_text=True)
    saved = client.post(
        "/walks/status-names",
        data={
            "csrf_token": csrf_token_from(page),
            "planned-sv": " Beställd ",
            "new-en": "Reported",
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert admin.organisation.status_names == {
        "planned": {"sv": "Beställd"},
        "new": {"en": "Reported"},
    }
    form = client.get("/walks/status-names?lang=sv").get_data(as_text=True)
    assert 'value="Beställd"' in form and "Namnen är sparade" not in form
    observation_page = text_of(client.get(f"/walks/observations/{stops[0].id}?lang=sv"))
    assert "Beställd" in observation_page
    assert "Status: Reported" in text_of(client.get(f"/walks/points/{walk.id}?lang=en"))
    # An empty field brings the usual name back.
    client.post(
        "/walks/status-names",
        data={"csrf_token": csrf_token_from(form), "planned-sv": "Beställd", "new-en": ""},
    )
    db.session.expire_all()
    assert admin.organisation.status_names == {"planned": {"sv": "Beställd"}}


def test_a_status_name_too_long_is_given_back_and_nothing_is_stored(client, auth, admin):
    auth.login(admin.email)
    page = client.get("/walks/status-names").get_data(as_text=True)
    refused = client.post(
        "/walks/status-names?lang=en",
        data={"csrf_token": csrf_token_from(page), "fixed-en": "x" * 41, "planned-sv": "Beställd"},
    )
    assert refused.status_code == 422
    text = text_of(refused)
    assert "Write at most 40 characters." in text
    assert 'value="Beställd"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert admin.organisation.status_names is None


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"status": "done"}, "Status: Choose a status from the list."),
        ({"status": ""}, "Status: Choose a status from the list."),
        ({"responsible": "mayor"}, "Responsible: Choose who is responsible from the list"),
        (
            {"public_note": "x" * 3000},
            "Public note: Write at most 2,000 characters: this note has 3,000.",
        ),
        (
            {"internal_note": "y" * 2001, "status": "fixed"},
            "Internal note: Write at most 2,000 characters: this note has 2,001.",
        ),
    ],
)
def test_bad_follow_up_is_given_back_with_a_message_and_nothing_is_stored(
    client, auth, coordinator, stops, fields, message
):
    observation = stops[0]
    auth.login(coordinator.email)
    refused = post_follow_up(client, observation, **{"public_note": "Ny text", **fields})
    assert refused.status_code == 422
    text = text_of(refused)
    assert "The follow-up is not saved" in text
    assert message in text
    # What was typed comes back, so that nothing has to be written again.
    html = refused.get_data(as_text=True)
    assert ">Ny text</textarea>" in html or "x" * 3000 in html
    assert 'aria-invalid="true"' in html
    db.session.expire_all()
    stored = db.session.get(Observation, observation.id)
    assert (stored.status, stored.public_note, stored.internal_note) == ("new", "", "")
    assert changes_kept() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(AuditEntry)).scalar() == 0


def test_a_note_with_a_control_character_is_refused_and_nothing_is_stored(
    client, auth, coordinator, stops
):
    auth.login(coordinator.email)
    refused = post_follow_up(client, stops[0], status="fixed", internal_note="nul\x00byte")
    assert refused.status_code == 422
    assert changes_kept() == 0


def test_a_follow_up_without_its_csrf_token_is_refused(client, auth, coordinator, stops):
    auth.login(coordinator.email)
    response = client.post(f"/walks/observations/{stops[0].id}", data={"status": "fixed"})
    assert response.status_code == 400
    assert changes_kept() == 0


def test_another_organisations_walks_are_not_in_the_index(client, auth, other_coordinator, stops):
    auth.login(other_coordinator.email)
    html = client.get("/walks/").get_data(as_text=True)
    assert "Kvällsvandring" not in html
    assert "observations" not in text_of(client.get("/walks/?lang=en")).split("Torpa")[1][:40]


# --- how the map draws (no Flask) ---------------------------------------------------------


def test_each_category_keeps_a_colour_and_the_tenth_shares_grey():
    from surveyservice.walks.map_style import (
        NO_CATEGORY_COLOUR,
        OTHER_COLOUR,
        PALETTE,
        category_colours,
        colour_of,
    )

    values = [f"c{i}" for i in range(11)]
    colours = category_colours(values)
    assert [colours[v] for v in values[:9]] == list(PALETTE)
    assert colours["c9"] == colours["c10"] == OTHER_COLOUR
    # Several categories: the first in the legend's order, whatever order they came in.
    assert colour_of(["c3", "c1"], colours) == PALETTE[1]
    assert colour_of(["unknown"], colours) == OTHER_COLOUR
    assert colour_of([], colours) == NO_CATEGORY_COLOUR


def test_sizes_grow_with_severity_in_four_steps():
    from surveyservice.walks.map_style import RADII, severity_radii

    levels = ["1", "2", "3", "4"]
    assert severity_radii(levels) == dict(zip(levels, RADII, strict=True))
    scale = severity_radii([str(n) for n in range(1, 11)])
    assert scale["1"] == RADII[0] and scale["10"] == RADII[-1]
    assert list(scale.values()) == sorted(scale.values())
    assert severity_radii(["only"]) == {"only": RADII[-1]}
    assert severity_radii([]) == {}
