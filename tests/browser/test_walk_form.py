"""A safety walk on a tablet: the walk's questions once, then its stops, each with a
position (GPS, the area's map or a named place) and photos; kept on the tablet as it
is entered, and sent as one response."""

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from surveyservice.areas.areas import find_area_by_name
from surveyservice.walks.area_maps import set_area_map

from .conftest import CHROMIUM
from .screens import keep
from .test_offline import WAIT_FOR_WORKER, sign_in, stored, unlock, wait_until_stored

FORMS = Path(__file__).parents[2] / "forms"
# Torpa, Vänersborg: the corners of the area's map.
SOUTH, WEST, NORTH, EAST = 58.370, 12.300, 58.385, 12.330
UNDERPASS = {"lat": 58.3771, "lon": 12.3152}
TABLET = {"width": 1024, "height": 768}
TORPA = {"latitude": 58.3705, "longitude": 12.3245, "accuracy": 12}


@pytest.fixture(autouse=True)
def files(app, tmp_path):
    """Photos and maps in a directory of this test's own."""
    before = app.config.get("FILE_STORAGE_DIR")
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "files")
    app.extensions.pop("surveyservice.storage", None)
    yield tmp_path / "files"
    app.config["FILE_STORAGE_DIR"] = before
    app.extensions.pop("surveyservice.storage", None)


@pytest.fixture
def walk_definition():
    """The shipped walk, with the underpass's position in its list of places."""
    definition = yaml.safe_load((FORMS / "torpa-walk.yaml").read_text(encoding="utf-8"))
    stops = next(q for q in definition["questions"] if q["id"] == "stops")
    place = next(q for q in stops["questions"] if q["id"] == "place")
    next(p for p in place["places"] if p["value"] == "underpass").update(UNDERPASS)
    return definition


def map_image() -> bytes:
    """A drawn map of streets, a lake and a park, as a map export is."""
    image = Image.new("RGB", (1200, 900), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 520, 420, 820), fill=(170, 211, 223))
    draw.rectangle((700, 120, 1000, 380), fill=(200, 230, 190))
    for x in range(0, 1200, 150):
        draw.line((x, 0, x + 80, 900), fill=(255, 255, 255), width=14)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def mapped(org, coordinator):
    """Torpa with its map."""
    area = find_area_by_name(org.id, "Torpa")
    return set_area_map(area, map_image(), SOUTH, WEST, NORTH, EAST, coordinator)


@pytest.fixture
def walk(org, make_questionnaire, make_point, walk_definition):
    """An open walk in Torpa serving the shipped safety-walk questionnaire."""
    questionnaire = make_questionnaire(org, **walk_definition)
    return make_point(questionnaire, name="Vandring i Torpa", area="Torpa", kind="walk")


@pytest.fixture
def tablet(page):
    page.set_viewport_size(TABLET)
    return page


PIN = "2468"
SEND = "Avsluta vandringen och skicka"


def open_walk(page, staff, walk):
    """Signed in, kiosk mode started, the walk's form kept for offline use."""
    sign_in(page, staff.email)
    page.goto(f"/staff/collect/{walk.token}")
    setup = page.get_by_role("heading", name="Lås surfplattan i kioskläge")
    send = page.get_by_role("button", name=SEND)
    expect(setup.or_(send)).to_be_visible()
    if setup.is_visible():
        page.get_by_label("Pinkod (minst 4 siffror)").fill(PIN)
        page.get_by_label("Samma pinkod igen").fill(PIN)
        page.get_by_role("button", name="Starta kioskläget").click()
    expect(send).to_be_visible()
    assert page.evaluate(WAIT_FOR_WORKER), "the service worker did not keep the page"


def general_answers(page):
    page.get_by_label("Datum för vandringen").fill("2026-11-30")
    page.get_by_role("group", name="Ljusförhållanden").get_by_role("radio", name="Mörker").check()
    page.get_by_label("Antal deltagare: boende").fill("4")


def stop_editor(page):
    return page.locator("[data-editor]")


def add_stop(page, *, place=None, categories=(), severity=None, note=None, save=True):
    page.get_by_role("button", name="Lägg till: Stopp / observation").click()
    editor = stop_editor(page)
    expect(editor).to_be_visible()
    if place:
        editor.get_by_label("Välj en plats").select_option(label=place)
    for category in categories:
        editor.get_by_role("group", name=re.compile("Vad gäller observationen")).get_by_role(
            "checkbox", name=category
        ).check()
    if severity:
        editor.get_by_role("group", name=re.compile("Allvarsgrad")).get_by_role(
            "radio", name=severity
        ).check()
    if note:
        editor.get_by_label("Beskrivning").fill(note)
    if save:
        editor.get_by_role("button", name="Spara och stäng").click()
        expect(editor).to_be_hidden()


def make_photo(folder: Path, name: str = "camera.jpg", colour: str = "orange") -> Path:
    """A camera's JPEG, larger than the form keeps, with its position and maker in EXIF."""
    image = Image.new("RGB", (3200, 2400), colour)
    for x in range(0, 3200, 400):
        image.paste("navy", (x, 0, x + 200, 2400))
    exif = Image.Exif()
    exif[0x010F] = "TestCam"
    exif[0x8825] = {1: "N", 2: (58.0, 22.0, 13.8), 3: "E", 4: (12.0, 19.0, 28.2)}
    path = folder / name
    image.save(path, "JPEG", exif=exif)
    return path


def add_photos(page, *paths):
    editor = stop_editor(page)
    before = editor.locator("[data-thumbs] img").count()
    editor.get_by_label("Ta eller välj ett foto").set_input_files(list(paths))
    expect(editor.locator("[data-thumbs] img")).to_have_count(before + len(paths))


def kept(page):
    """Wait until every change is written on the device (the form says so)."""
    expect(page.locator("#survey")).to_have_attribute("data-draft", "saved")


def entries(page):
    return page.locator("[data-entries] > li")


def test_a_walk_of_stops_is_entered_kept_through_a_reload_and_sent(tablet, context, staff, walk):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas")
    add_stop(page, place="Lekplatsen", categories=["Nedskräpning"], severity="2 Bevaka")
    expect(entries(page)).to_have_count(2)
    expect(entries(page).nth(0)).to_contain_text("Gångtunneln · Belysning · 3 Bör åtgärdas")
    kept(page)
    page.reload()
    expect(page.get_by_role("status").filter(has_text="Din vandring hittills")).to_be_visible()
    expect(entries(page)).to_have_count(2)
    expect(page.get_by_label("Antal deltagare: boende")).to_have_value("4")
    page.get_by_role("button", name="Avsluta vandringen och skicka").click()
    (row,) = wait_until_stored(page, 1)
    assert row.answers["stops"] == [
        {"place": {"place": "underpass"}, "categories": ["lighting"], "severity": "3"},
        {"place": {"place": "playground"}, "categories": ["litter"], "severity": "2"},
    ]


def test_an_entry_is_removed_after_a_confirmation_and_kept_when_not(tablet, staff, walk, axe):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas")
    add_stop(page, place="Lekplatsen", categories=["Nedskräpning"], severity="2 Bevaka")
    add_stop(page, place="Parkeringen", categories=["Skötsel"], severity="1 Bra")
    remove = page.get_by_role("button", name="Ta bort Stopp / observation 2")
    remove.click()
    dialog = page.get_by_role("dialog", name="Ta bort den här?")
    expect(dialog).to_be_visible()
    expect(dialog).to_have_accessible_description(re.compile("Stopp / observation 2: Lekplatsen"))
    # The safe choice has the focus; Escape keeps the entry, and the focus comes back.
    expect(dialog.get_by_role("button", name="Behåll")).to_be_focused()
    assert axe(page) == []
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(remove).to_be_focused()
    expect(entries(page)).to_have_count(3)
    remove.click()
    dialog.get_by_role("button", name="Ta bort", exact=True).click()
    expect(entries(page)).to_have_count(2)
    expect(page.locator("#send-status")).to_have_text("Stopp / observation 2 är borttaget.")
    expect(entries(page).nth(1)).to_contain_text("Stopp / observation 2 Parkeringen")
    expect(page.get_by_role("button", name="Ändra Stopp / observation 2")).to_be_focused()


def test_the_keyboard_alone_adds_changes_and_removes_a_stop(tablet, staff, walk):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add = page.get_by_role("button", name="Lägg till: Stopp / observation")
    add.focus()
    page.keyboard.press("Enter")
    heading = page.get_by_role("heading", name="Stopp / observation 1", level=3)
    expect(heading).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Använd min position")).to_be_focused()
    editor = stop_editor(page)
    place = editor.get_by_label("Välj en plats")
    place.focus()
    place.select_option(label="Busshållplatsen")
    # Tab to the first category and tick it with the space bar.
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    severity = editor.get_by_role("group", name=re.compile("Allvarsgrad"))
    severity.get_by_role("radio").first.focus()
    page.keyboard.press("ArrowDown")
    save = editor.get_by_role("button", name="Spara och stäng")
    save.focus()
    page.keyboard.press("Enter")
    change = page.get_by_role("button", name="Ändra Stopp / observation 1")
    expect(change).to_be_focused()
    expect(entries(page).nth(0)).to_contain_text("Busshållplatsen · Belysning · 2 Bevaka")
    page.keyboard.press("Enter")
    expect(heading).to_be_focused()
    expect(severity.get_by_role("radio", name="2 Bevaka")).to_be_checked()
    severity.get_by_role("radio", name="2 Bevaka").focus()
    page.keyboard.press("ArrowDown")
    save.focus()
    page.keyboard.press("Enter")
    expect(entries(page).nth(0)).to_contain_text("3 Bör åtgärdas")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Ta bort Stopp / observation 1")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog")).to_be_visible()
    page.keyboard.press("Shift+Tab")
    expect(page.get_by_role("dialog").get_by_role("button", name="Ta bort")).to_be_focused()
    page.keyboard.press("Enter")
    expect(entries(page)).to_have_count(0)
    expect(add).to_be_focused()


def test_an_entry_with_problems_is_opened_with_its_fields_marked(tablet, staff, walk):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas")
    add_stop(page, place="Lekplatsen", save=False)
    editor = stop_editor(page)
    # Saving the entry says what is missing, on the field.
    editor.get_by_role("button", name="Spara och stäng").click()
    severity = editor.get_by_role("group", name=re.compile("Allvarsgrad"))
    expect(severity).to_have_attribute("aria-invalid", "true")
    expect(severity).to_have_accessible_description(re.compile("Svara på frågan"))
    # A show_if inside the entry works on the entry's own answers.
    owner = editor.get_by_role("group", name="Vem ansvarar för åtgärden?")
    expect(owner).to_be_hidden()
    editor.get_by_label("Förslag till åtgärd").fill("Klipp buskarna")
    expect(owner).to_be_visible()
    # Finishing the walk checks every entry and lists the problems.
    page.get_by_role("button", name="Avsluta vandringen och skicka").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Stopp / observation 2: Vad gäller observationen?")
    expect(summary).to_contain_text("Stopp / observation 2: Allvarsgrad")
    assert stored() == []


def test_the_servers_problems_are_shown_on_the_entrys_field(tablet, staff, walk):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas")
    add_stop(page, place="Lekplatsen", categories=["Nedskräpning"], severity="2 Bevaka")

    def refuse(route):
        body = route.request.post_data_json
        item = body["responses"][0]
        route.fulfill(
            json={
                "results": [
                    {
                        "id": item["id"],
                        "status": 422,
                        "message": "Some answers have problems.",
                        "errors": {"json": {"answers.stops.1.severity": ["Not an option."]}},
                    }
                ]
            }
        )

    page.route("**/responses:batch", refuse)
    page.get_by_role("button", name="Avsluta vandringen och skicka").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Stopp / observation 2: Allvarsgrad: Kontrollera svaret")
    severity = stop_editor(page).get_by_role("group", name=re.compile("Allvarsgrad"))
    expect(severity).to_have_attribute("aria-invalid", "true")
    # Back in the form, and kept on the tablet again: corrected and sent.
    page.unroute("**/responses:batch")
    severity.get_by_role("radio", name="4 Måste åtgärdas snarast").check()
    stop_editor(page).get_by_role("button", name="Spara och stäng").click()
    page.get_by_role("button", name="Avsluta vandringen och skicka").click()
    (row,) = wait_until_stored(page, 1)
    assert row.answers["stops"][1]["severity"] == "4"


def test_use_my_position_shows_and_keeps_the_accuracy(tablet, context, staff, walk):
    page = tablet
    context.grant_permissions(["geolocation"])
    context.set_geolocation(TORPA)
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, categories=["Belysning"], severity="3 Bör åtgärdas", save=False)
    editor = stop_editor(page)
    editor.get_by_role("button", name="Använd min position").click()
    expect(editor.get_by_role("status").first).to_have_text(
        "Positionen är sparad, noggrann till ±12 m."
    )
    editor.get_by_role("button", name="Spara och stäng").click()
    expect(entries(page).nth(0)).to_contain_text("±12 m · Belysning")
    # A position can be taken back.
    page.get_by_role("button", name="Ändra Stopp / observation 1").click()
    editor.get_by_role("button", name="Ta bort positionen").click()
    expect(editor.get_by_role("button", name="Ta bort positionen")).to_be_hidden()
    editor.get_by_role("button", name="Använd min position").click()
    editor.get_by_role("button", name="Spara och stäng").click()
    page.get_by_role("button", name=SEND).click()
    (row,) = wait_until_stored(page, 1)
    assert row.answers["stops"][0]["place"] == {
        "lat": TORPA["latitude"],
        "lon": TORPA["longitude"],
        "accuracy": 12,
        "source": "gps",
    }


def test_photos_go_first_one_at_a_time_and_a_cut_connection_resumes_with_the_next(
    tablet, staff, walk, tmp_path
):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(
        page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas", save=False
    )
    add_photos(page, make_photo(tmp_path), make_photo(tmp_path, "second.jpg", "green"))
    editor = stop_editor(page)
    expect(editor.get_by_role("img", name="Foto 2")).to_be_visible()
    # At most three photos: the third is the last that can be chosen.
    add_photos(page, make_photo(tmp_path, "third.jpg", "red"))
    expect(editor.get_by_label("Ta eller välj ett foto")).to_be_disabled()
    editor.get_by_role("button", name="Ta bort foto 3").click()
    expect(editor.locator("[data-thumbs] img")).to_have_count(2)
    editor.get_by_role("button", name="Spara och stäng").click()

    puts, bodies, batches = [], {}, []

    def put(route):
        photo_id = route.request.url.rsplit("/", 1)[1]
        puts.append(photo_id)
        if len(puts) == 2:
            route.abort("connectionreset")  # the connection is cut in the second photo
            return
        assert route.request.headers["x-csrftoken"]
        bodies[photo_id] = route.request.post_data_buffer
        route.fulfill(status=201, json={"id": photo_id})

    def batch(route):
        batches.append((len(puts), route.request.post_data_json))
        results = [
            {"id": r["id"], "status": 201} for r in route.request.post_data_json["responses"]
        ]
        route.fulfill(json={"results": results})

    page.route("**/api/v1/collect/*/photos/*", put)
    page.route("**/responses:batch", batch)
    page.get_by_role("button", name=SEND).click()
    expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")
    expect(page.locator("[data-waiting]")).to_have_text("0", timeout=15000)
    first, second = puts[0], puts[1]
    # Each photo acknowledged once; the cut one sent again, the first not.
    assert puts == [first, second, second]
    ((photos_before, body),) = batches
    assert photos_before == 3
    assert body["responses"][0]["answers"]["stops"][0]["photo"] == [first, second]
    for data in bodies.values():
        image = Image.open(io.BytesIO(data))
        assert image.format == "JPEG"
        assert max(image.size) == 1600
        assert not image.getexif()


def test_a_refused_photo_puts_the_walk_in_needs_attention(tablet, staff, walk, tmp_path):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(
        page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas", save=False
    )
    add_photos(page, make_photo(tmp_path))
    stop_editor(page).get_by_role("button", name="Spara och stäng").click()
    page.route(
        "**/api/v1/collect/*/photos/*",
        lambda route: route.fulfill(
            status=422,
            json={
                "code": 422,
                "status": "Unprocessable Entity",
                "message": "This is not an image the service can read.",
            },
        ),
    )
    page.get_by_role("button", name=SEND).click()
    expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")
    unlock(page)
    attention = page.locator("[data-attention] li")
    expect(attention).to_have_count(1)
    expect(attention).to_contain_text("This is not an image the service can read.")
    expect(page.locator("[data-waiting]")).to_have_text("0")
    assert stored() == []


OLD_OUTBOX = """(item) => new Promise((resolve, reject) => {
  const r = indexedDB.open("surveyservice", 1);
  r.onupgradeneeded = () => {
    r.result.createObjectStore("outbox", { keyPath: "id" });
    r.result.createObjectStore("meta", { keyPath: "key" });
  };
  r.onsuccess = () => {
    const t = r.result.transaction("outbox", "readwrite");
    t.objectStore("outbox").put({ ...item, queuedAt: Date.now() });
    t.oncomplete = () => { r.result.close(); resolve(); };
  };
  r.onerror = () => reject(r.error);
})"""


def test_answers_queued_before_photos_were_kept_are_sent_after_the_upgrade(page, point):
    # A phone that queued an answer with the last release: its outbox has no photos.
    page.goto("/sign-in")
    item = {
        "id": "0b7c6f9e-1111-4c3a-9d55-6f1f7f0c2a10",
        "token": point.token,
        "version": 1,
        "language": "sv",
        "answers": {"safe_now": "unsafe"},
        "channel": "resident",
        "recordedAt": "2026-12-01T10:00:00Z",
        "state": "waiting",
        "message": None,
    }
    page.evaluate(OLD_OUTBOX, item)
    page.goto(f"/f/{point.token}")
    (row,) = wait_until_stored(page, 1)
    assert str(row.id) == item["id"]
    assert row.answers == {"safe_now": "unsafe"}


def map_of(page):
    area_map = stop_editor(page).locator("[data-area-map]")
    expect(area_map.locator(".area-map-image")).to_be_visible()
    expect(area_map.locator(".area-map-image")).to_have_js_property("complete", True)
    return area_map


def test_a_point_tapped_on_the_map_and_a_named_place_are_kept(tablet, staff, mapped, walk):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, categories=["Belysning"], severity="3 Bör åtgärdas", save=False)
    area_map = map_of(page)
    box = area_map.bounding_box()
    area_map.click(position={"x": box["width"] * 0.4, "y": box["height"] * 0.6})
    editor = stop_editor(page)
    expect(editor.get_by_role("status").first).to_have_text("Positionen är satt på kartan.")
    editor.get_by_role("button", name="Spara och stäng").click()
    expect(entries(page).nth(0)).to_contain_text("punkt på kartan · Belysning")
    add_stop(page, place="Gångtunneln", categories=["Nedskräpning"], severity="2 Bevaka")
    page.get_by_role("button", name=SEND).click()
    (row,) = wait_until_stored(page, 1)
    tapped, named = row.answers["stops"][0]["place"], row.answers["stops"][1]["place"]
    assert tapped["source"] == "map" and "accuracy" not in tapped
    assert SOUTH < tapped["lat"] < NORTH and WEST < tapped["lon"] < EAST
    assert named == {"place": "underpass"}
    observations = sorted(row_observations(row), key=lambda o: o.entry)
    assert [(o.lat, o.lon) for o in observations] == [
        (tapped["lat"], tapped["lon"]),
        (UNDERPASS["lat"], UNDERPASS["lon"]),
    ]


def row_observations(row):
    from surveyservice.extensions import db
    from surveyservice.walks.models import Observation

    db.session.expire_all()
    return (
        db.session.execute(sa.select(Observation).where(Observation.response_id == row.id))
        .scalars()
        .all()
    )


VIEWPORTS = [(390, 844), (1024, 768), (1440, 900)]


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_the_walk_form_at_a_phones_a_tablets_and_a_desktops_size(
    page, staff, mapped, walk, tmp_path, axe, language
):
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas")
    add_stop(page, place="Lekplatsen", categories=["Nedskräpning"], severity="2 Bevaka")
    add_stop(page, categories=["Skötsel"], save=False)
    if language == "ar":
        # A language switch keeps the walk: it is the same draft.
        kept(page)
        page.get_by_role("link", name="العربية").click()
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
        expect(entries(page)).to_have_count(3)
    editor = stop_editor(page)
    expect(editor).to_be_visible()
    map_of(page)
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        keep(page, f"walk-form-{language}-{width}x{height}.png")
        # Every button of the open entry and the list is on the page and wide enough.
        for button in page.locator("[data-group] button:visible").all():
            box = button.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width + 1, button.inner_text()
            assert box["height"] >= 44
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size(TABLET)
    assert axe(page) == []
    page.locator("[data-entries] [data-action=remove]").first.click()
    expect(page.get_by_role("dialog")).to_be_visible()
    keep(page, f"walk-form-{language}-dialog.png", full_page=False)
    assert axe(page) == []


def test_the_forms_map_shows_the_area_offline(tablet, context, staff, mapped, walk, tmp_path):
    page = tablet
    open_walk(page, staff, walk)
    add_stop(page, save=False)
    map_of(page)
    context.set_offline(True)
    kept(page)
    response = page.reload()
    assert response.from_service_worker
    expect(page.get_by_role("status").filter(has_text="Din vandring hittills")).to_be_visible()
    area_map = map_of(page)
    assert area_map.locator(".area-map-image").evaluate("img => img.naturalWidth") == 1200
    area_map.scroll_into_view_if_needed()
    keep(page, "walk-form-map-offline.png", full_page=False)


ELSEWHERE = {"latitude": 58.3742, "longitude": 12.3199, "accuracy": 7}


def photos_of(row):
    from surveyservice.extensions import db
    from surveyservice.walks.models import Photo

    db.session.expire_all()
    return db.session.execute(sa.select(Photo).where(Photo.response_id == row.id)).scalars().all()


def test_five_stops_offline_through_a_reload_and_a_browser_restart_are_stored_once(
    playwright, live_server, tmp_path, files, staff, mapped, walk
):
    profile = tmp_path / "profile"
    options = {
        "executable_path": CHROMIUM,
        "base_url": live_server,
        "service_workers": "allow",
        "viewport": TABLET,
        "permissions": ["geolocation"],
        "geolocation": TORPA,
    }
    browser = playwright.chromium.launch_persistent_context(profile, **options)
    page = browser.pages[0] if browser.pages else browser.new_page()
    open_walk(page, staff, walk)
    add_stop(page, save=False)
    map_of(page)  # the map's image is kept for offline use once it was shown
    # An entry closed as it was opened, empty, is no entry.
    stop_editor(page).get_by_role("button", name="Spara och stäng").click()
    expect(entries(page)).to_have_count(0)
    browser.set_offline(True)
    general_answers(page)
    editor = stop_editor(page)

    # 1: the tablet's position, and a photo from the camera with its position in EXIF.
    add_stop(page, categories=["Belysning"], severity="4 Måste åtgärdas snarast", save=False)
    editor.get_by_role("button", name="Använd min position").click()
    expect(editor.get_by_text("noggrann till ±12 m")).to_be_visible()
    add_photos(page, make_photo(tmp_path))
    editor.get_by_role("button", name="Spara och stäng").click()
    # 2: a point tapped on the area's map.
    add_stop(page, categories=["Vegetation, skymd sikt"], severity="3 Bör åtgärdas", save=False)
    area_map = map_of(page)
    box = area_map.bounding_box()
    area_map.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.4})
    expect(editor.get_by_text("Positionen är satt på kartan.")).to_be_visible()
    editor.get_by_role("button", name="Spara och stäng").click()
    # 3: a named place that has its position in the questionnaire.
    add_stop(page, place="Gångtunneln", categories=["Skadegörelse, klotter"], severity="2 Bevaka")

    # The page is reloaded in the middle of the walk, still offline.
    kept(page)
    assert page.reload().from_service_worker
    expect(page.get_by_role("status").filter(has_text="Din vandring hittills")).to_be_visible()
    expect(entries(page)).to_have_count(3)
    expect(entries(page).nth(0)).to_contain_text("±12 m · Belysning")

    # 4: the position somewhere else; 5: a named place without a position.
    browser.set_geolocation(ELSEWHERE)
    add_stop(page, categories=["Nedskräpning"], severity="2 Bevaka", save=False)
    editor.get_by_role("button", name="Använd min position").click()
    expect(editor.get_by_text("noggrann till ±7 m")).to_be_visible()
    editor.get_by_role("button", name="Spara och stäng").click()
    add_stop(
        page,
        place="Lekplatsen",
        categories=["Trygg plats, något som fungerar bra"],
        severity="1 Bra",
        note="Nya lampor sedan i våras",
    )
    page.get_by_role("button", name=SEND).click()
    expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")
    # One walk waits, with the photo the service does not have yet.
    expect(page.locator("[data-waiting]")).to_have_text("1 (1 foto)")
    assert stored() == []
    browser.close()

    # The browser is started again, with a connection: the walk goes by itself.
    reopened = playwright.chromium.launch_persistent_context(profile, **options)
    page = reopened.pages[0] if reopened.pages else reopened.new_page()
    page.goto(f"/staff/collect/{walk.token}")
    (row,) = wait_until_stored(page, 1)
    expect(page.locator("[data-waiting]")).to_have_text("0", timeout=15000)
    # Nothing is left on the tablet: no draft restored, no photo kept.
    page.reload()
    expect(entries(page)).to_have_count(0)
    left = page.evaluate("""() => new Promise((resolve) => {
      const r = indexedDB.open("surveyservice");
      r.onsuccess = () => {
        const t = r.result.transaction(["drafts", "photos", "outbox"]);
        const counts = {};
        let pending = 3;
        for (const name of ["drafts", "photos", "outbox"]) {
          t.objectStore(name).count().onsuccess = (e) => {
            counts[name] = e.target.result;
            if (--pending === 0) resolve(counts);
          };
        }
      };
    })""")
    reopened.close()
    assert left == {"drafts": 0, "photos": 0, "outbox": 0}

    assert len(stored()) == 1
    stops = row.answers["stops"]
    assert len(stops) == 5
    observations = sorted(row_observations(row), key=lambda o: o.entry)
    assert [o.entry for o in observations] == [1, 2, 3, 4, 5]
    tapped = stops[1]["place"]
    assert SOUTH < tapped["lat"] < NORTH and WEST < tapped["lon"] < EAST
    assert [(o.lat, o.lon, o.accuracy, o.place) for o in observations] == [
        (TORPA["latitude"], TORPA["longitude"], 12, None),
        (tapped["lat"], tapped["lon"], None, None),
        (UNDERPASS["lat"], UNDERPASS["lon"], None, "underpass"),
        (ELSEWHERE["latitude"], ELSEWHERE["longitude"], 7, None),
        (None, None, None, "playground"),
    ]
    (photo,) = photos_of(row)
    assert stops[0]["photo"] == [str(photo.id)]
    on_disk = files / photo.storage_key
    with Image.open(on_disk) as image:
        assert image.format == "JPEG"
        assert max(image.size) == 1600
        assert not image.getexif()
        assert "exif" not in image.info
    tags = subprocess.run(
        ["exiftool", "-json", "-a", "-G1", str(on_disk)], capture_output=True, text=True, check=True
    )
    (found,) = json.loads(tags.stdout)
    assert not [tag for tag in found if tag.startswith(("GPS", "EXIF", "IFD0", "XMP"))], found


def test_a_resident_walks_on_a_phone_without_photos_and_with_rounded_positions(page, context, walk):
    from surveyservice.privacy.coarsening import coarsen_position

    page.set_viewport_size({"width": 390, "height": 844})
    context.grant_permissions(["geolocation"])
    context.set_geolocation(TORPA)
    page.goto(f"/f/{walk.token}")
    general_answers(page)
    add_stop(page, categories=["Belysning"], severity="3 Bör åtgärdas", save=False)
    editor = stop_editor(page)
    expect(editor.locator("input[type=file]")).to_have_count(0)
    editor.get_by_role("button", name="Använd min position").click()
    expect(editor.get_by_role("status").first).to_have_text(
        "Din position är sparad, avrundad till ungefär 250 meter."
    )
    editor.get_by_role("button", name="Spara och stäng").click()
    page.get_by_role("button", name=SEND).click()
    expect(page.get_by_text("Dina svar har skickats.")).to_be_visible()
    (row,) = stored()
    lat, lon = coarsen_position(TORPA["latitude"], TORPA["longitude"])
    assert row.answers["stops"] == [
        {"place": {"lat": lat, "lon": lon}, "categories": ["lighting"], "severity": "3"}
    ]
    assert row.channel.value == "resident"


def test_a_walk_sent_online_keeps_staff_positions_precise_and_stores_its_photo(
    tablet, context, files, staff, walk, tmp_path
):
    page = tablet
    context.grant_permissions(["geolocation"])
    context.set_geolocation(TORPA)
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, categories=["Belysning"], severity="3 Bör åtgärdas", save=False)
    editor = stop_editor(page)
    editor.get_by_role("button", name="Använd min position").click()
    expect(editor.get_by_text("noggrann till ±12 m")).to_be_visible()
    add_photos(page, make_photo(tmp_path))
    editor.get_by_role("button", name="Spara och stäng").click()
    add_stop(page, place="Gångtunneln", categories=["Nedskräpning"], severity="2 Bevaka")
    page.get_by_role("button", name=SEND).click()
    expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")
    (row,) = wait_until_stored(page, 1)
    assert row.channel.value == "staff"
    assert {k: row.answers[k] for k in ("walk_date", "light", "participants_residents")} == {
        "walk_date": "2026-11-30",
        "light": "dark",
        "participants_residents": 4,
    }
    first, second = row.answers["stops"]
    (photo,) = photos_of(row)
    assert first == {
        "place": {
            "lat": TORPA["latitude"],
            "lon": TORPA["longitude"],
            "accuracy": 12,
            "source": "gps",
        },
        "categories": ["lighting"],
        "severity": "3",
        "photo": [str(photo.id)],
    }
    assert second == {"place": {"place": "underpass"}, "categories": ["litter"], "severity": "2"}
    assert (files / photo.storage_key).exists()
    assert max(photo.width, photo.height) == 1600
