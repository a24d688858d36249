"""Marking an observation for the area's public page: a follow-up field like the status,
changed on the observation's page and through the API, kept in the history and the
audit log, and never undone by a page opened before someone else's change."""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa

from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.walks.models import Observation, ObservationChange
from surveyservice.walks.observations import FollowUpError, update_follow_up

from .test_observation_exports import read_csv
from .test_walk_pages import text_of
from .walk_data import record_walk, walk_point, walk_questionnaire


@pytest.fixture
def walk(org):
    return walk_point(walk_questionnaire(org))


@pytest.fixture
def stops(walk):
    return record_walk(walk)


def stored(observation) -> Observation:
    db.session.expire_all()
    return db.session.get(Observation, observation.id)


def audit_details() -> list[dict]:
    return [
        entry.details
        for entry in db.session.execute(
            sa.select(AuditEntry)
            .filter_by(action="observation.follow_up_changed")
            .order_by(AuditEntry.id)
        ).scalars()
    ]


def form_as_shown(page: str) -> dict[str, str]:
    """What the browser would post from the page's follow-up form, as it was shown."""
    form = page[page.index('class="stack follow-up-form"') :]
    form = form[: form.index("</form>")]
    data = {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    for name in ("public_note", "internal_note"):
        found = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', form, re.S)
        data[name] = html.unescape(found.group(1)).lstrip("\n")
    for name in ("status", "responsible"):
        found = re.search(rf'<select[^>]*name="{name}".*?</select>', form, re.S).group(0)
        chosen = re.search(r'<option value="([^"]*)" selected', found)
        data[name] = chosen.group(1) if chosen else ""
    box = re.search(r'<input type="checkbox" id="field-public"[^>]*>', form).group(0)
    if " checked" in box:
        data["public"] = re.search(r'value="([^"]*)"', box).group(1)
    return data


def ticked(data: dict, on: bool = True) -> dict:
    data = {k: v for k, v in data.items() if k != "public"}
    return {**data, "public": "yes"} if on else data


# --- the domain function --------------------------------------------------------------


def test_marking_public_is_a_follow_up_change_kept_in_history_and_audit_log(stops):
    observation = stops[0]

    changes = update_follow_up(observation, None, public=True)
    db.session.commit()

    assert changes == {"public": [False, True]}
    assert stored(observation).public is True
    [change] = db.session.execute(sa.select(ObservationChange)).scalars()
    assert change.changes == {"public": [False, True]}
    assert audit_details() == [{"fields": ["public"], "public": [False, True]}]
    # The same again changes nothing and keeps nothing.
    assert update_follow_up(stored(observation), None, public=True) == {}


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, [True]])
def test_only_true_or_false_marks_an_observation(stops, value):
    with pytest.raises(FollowUpError) as raised:
        update_follow_up(stops[0], None, public=value, status="fixed")
    assert list(raised.value.problems) == ["public"]
    assert stored(stops[0]).public is False and stored(stops[0]).status == "new"


# --- the API --------------------------------------------------------------------------


def test_the_api_marks_and_unmarks_an_observation(api_as, coordinator, staff, stops):
    url = f"/api/v1/observations/{stops[0].id}"
    api = api_as(coordinator)
    assert api.get(url).json["follow_up"]["public"] is False

    marked = api.patch(url, json={"public": True, "public_note": "Lampan är lagad"})

    assert marked.status_code == 200, marked.json
    assert marked.json["follow_up"]["public"] is True
    assert marked.json["history"][-1]["changes"]["public"] == [False, True]
    unmarked = api.patch(url, json={"public": False})
    assert unmarked.json["follow_up"]["public"] is False
    assert [d.get("public") for d in audit_details()] == [[False, True], [True, False]]
    # Staff read the mark but do not change it.
    assert api_as(staff).get(url).json["follow_up"]["public"] is False
    assert api_as(staff).patch(url, json={"public": True}).status_code == 403
    assert stored(stops[0]).public is False


@pytest.mark.parametrize("value", ["yes", "true", 1, 0, None, "", [True], {"x": 1}])
def test_the_api_takes_only_true_or_false(api_as, coordinator, stops, value):
    url = f"/api/v1/observations/{stops[0].id}"

    refused = api_as(coordinator).patch(url, json={"public": value, "status": "fixed"})

    assert refused.status_code == 422
    assert "public" in refused.json["errors"]["json"]
    assert (stored(stops[0]).public, stored(stops[0]).status) == (False, "new")


def test_the_list_filters_by_the_mark(api_as, coordinator, stops):
    update_follow_up(stops[1], None, public=True)
    db.session.commit()
    api = api_as(coordinator)

    marked = api.get("/api/v1/observations?public=true")
    unmarked = api.get("/api/v1/observations?public=false")

    assert [o["id"] for o in marked.json] == [stops[1].id]
    assert [o["id"] for o in unmarked.json] == [stops[0].id, stops[2].id]
    assert len(api.get("/api/v1/observations").json) == 3
    for bad in ("yes", "1", "maybe"):
        refused = api.get(f"/api/v1/observations?public={bad}")
        assert refused.status_code == 422, bad
        assert "public" in refused.json["errors"]["query"]


# --- the observation's page -------------------------------------------------------------


def test_the_page_has_the_checkbox_with_what_becomes_public(client, auth, coordinator, stops):
    auth.login(coordinator.email)

    page = client.get(f"/walks/observations/{stops[0].id}?lang=en")

    body = page.get_data(as_text=True)
    box = re.search(r'<input type="checkbox" id="field-public"[^>]*>', body).group(0)
    assert "checked" not in box and 'aria-describedby="hint-public"' in box
    assert '<label for="field-public">Show on the area&#39;s public page</label>' in body
    hint = text_of(page)
    for shown in ("category", "the named place", "rounded to about 100 m", "the public note"):
        assert shown in hint
    for never in ("never the photos, the internal note or the walk's other answers",):
        assert never in hint
    assert "once Torpa's public page is next published" in hint


def test_the_page_marks_and_unmarks_and_the_history_says_so(client, auth, coordinator, stops):
    observation = stops[0]
    auth.login(coordinator.email)
    url = f"/walks/observations/{observation.id}?lang=en"
    opened = form_as_shown(client.get(url).get_data(as_text=True))
    assert opened["shown_public"] == ""

    saved = client.post(url, data=ticked(opened))

    assert saved.status_code == 303
    assert stored(observation).public is True
    page = client.get(url)
    assert 'id="field-public" name="public" value="yes" checked' in page.get_data(as_text=True)
    assert "On the area's public page: Not shown → Shown" in text_of(page)
    # Unticking sends no value at all: the page's shown_public says it was ticked.
    again = form_as_shown(page.get_data(as_text=True))
    assert again["shown_public"] == "yes"
    assert client.post(url, data=ticked(again, on=False)).status_code == 303
    assert stored(observation).public is False
    assert [d["fields"] for d in audit_details()] == [["public"], ["public"]]


def test_a_save_never_undoes_a_mark_made_after_the_page_was_opened(
    client, auth, coordinator, api_as, admin, stops
):
    observation = stops[0]
    auth.login(coordinator.email)
    url = f"/walks/observations/{observation.id}?lang=en"
    opened = form_as_shown(client.get(url).get_data(as_text=True))
    # Meanwhile an admin marks it public.
    api_as(admin).patch(f"/api/v1/observations/{observation.id}", json={"public": True})

    # The coordinator's page still shows the box empty; they change only the status.
    saved = client.post(url, data={**opened, "status": "planned"})

    assert saved.status_code == 303
    assert (stored(observation).public, stored(observation).status) == (True, "planned")
    # And the other way: unmarked meanwhile, a page that showed it ticked keeps it off.
    page = form_as_shown(client.get(url).get_data(as_text=True))
    api_as(admin).patch(f"/api/v1/observations/{observation.id}", json={"public": False})
    assert client.post(url, data={**page, "status": "fixed"}).status_code == 303
    assert (stored(observation).public, stored(observation).status) == (False, "fixed")


def test_a_form_without_the_box_leaves_the_mark_alone(client, auth, coordinator, stops):
    observation = stops[0]
    update_follow_up(observation, None, public=True)
    db.session.commit()
    auth.login(coordinator.email)
    url = f"/walks/observations/{observation.id}?lang=en"
    opened = form_as_shown(client.get(url).get_data(as_text=True))
    older = {k: v for k, v in opened.items() if k not in ("public", "shown_public")}

    assert client.post(url, data={**older, "status": "planned"}).status_code == 303

    assert (stored(observation).public, stored(observation).status) == (True, "planned")


def test_a_strange_value_of_the_box_is_given_back_and_nothing_stored(
    client, auth, coordinator, stops
):
    observation = stops[0]
    auth.login(coordinator.email)
    url = f"/walks/observations/{observation.id}?lang=en"
    opened = form_as_shown(client.get(url).get_data(as_text=True))

    refused = client.post(url, data={**opened, "public": "on", "status": "fixed"})

    assert refused.status_code == 422
    text = text_of(refused)
    assert "On the area's public page: Tick the box or leave it empty." in text
    body = refused.get_data(as_text=True)
    assert 'aria-describedby="hint-public problem-public" aria-invalid="true"' in body
    assert (stored(observation).public, stored(observation).status) == (False, "new")


def test_staff_read_whether_it_is_public(client, auth, staff, stops):
    update_follow_up(stops[0], None, public=True)
    db.session.commit()
    auth.login(staff.email)

    marked = text_of(client.get(f"/walks/observations/{stops[0].id}?lang=en"))
    unmarked = text_of(client.get(f"/walks/observations/{stops[1].id}?lang=en"))

    assert "On the area's public page Shown once the page is next published" in marked
    assert "On the area's public page Not shown" in unmarked
    assert 'id="field-public"' not in marked


# --- the exports ------------------------------------------------------------------------


def test_the_exports_say_which_observations_are_marked(api_as, coordinator, stops):
    update_follow_up(stops[1], None, public=True)
    db.session.commit()
    api = api_as(coordinator)
    url = "/api/v1/questionnaires/walk/observations"

    rows = read_csv(api.get(f"{url}.csv?dialect=rfc4180"), "rfc4180")
    worded = read_csv(api.get(f"{url}.csv?dialect=rfc4180&labels=en"), "rfc4180")
    features = api.get(f"{url}.geojson").json["features"]
    only_marked = read_csv(api.get(f"{url}.csv?dialect=rfc4180&public=true"), "rfc4180")

    assert [row["public"] for row in rows] == ["0", "1", "0"]
    assert list(rows[0])[-2:] == ["public", "updated_at"]
    assert [row["public"] for row in worded] == ["No", "Yes", "No"]
    assert [f["properties"]["public"] for f in features] == [False, True, False]
    assert [row["observation_id"] for row in only_marked] == [str(stops[1].id)]


# --- the walk's list -----------------------------------------------------------------------


def test_the_walks_list_filters_by_the_mark_and_says_which_are_marked(
    client, auth, coordinator, walk, stops
):
    update_follow_up(stops[2], None, public=True)
    db.session.commit()
    auth.login(coordinator.email)
    url = f"/walks/points/{walk.id}?lang=en"

    everything = client.get(url)
    marked = client.get(f"{url}&public=yes")
    unmarked = client.get(f"{url}&public=no")
    refused = client.get(f"{url}&public=maybe")

    def listed(response) -> list[int]:
        return [int(n) for n in re.findall(r'<li id="observation-(\d+)">', response.text)]

    assert listed(everything) == [s.id for s in reversed(stops)]
    assert text_of(everything).count("marked for the public page") == 1
    assert listed(marked) == [stops[2].id]
    assert "1 of 3 observations match the filters." in text_of(marked)
    assert listed(unmarked) == [stops[1].id, stops[0].id]
    assert refused.status_code == 422
    assert "Choose from the list whether they are on the public page." in text_of(refused)
    assert listed(refused) == []
