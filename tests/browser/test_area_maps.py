"""An area's map in a real browser: a coordinator uploads Torpa's map, sees it drawn by
Leaflet from the service's own files, with no request to any other site and no
Content-Security-Policy violation, places a point with the keyboard, and the page
passes axe at a phone's, a tablet's and a desktop's size."""

from pathlib import Path

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from surveyservice.accounts.models import Role
from surveyservice.areas.areas import find_area_by_name
from surveyservice.extensions import db
from surveyservice.walks.area_maps import set_area_map

from ..conftest import make_user
from .screens import keep
from .test_offline import WAIT_FOR_WORKER, sign_in

VIEWPORTS = [(390, 844), (1024, 768), (1440, 900)]
# Torpa, Vänersborg.
SOUTH, WEST, NORTH, EAST = 58.370, 12.300, 58.385, 12.330


@pytest.fixture(autouse=True)
def files(app, tmp_path):
    before = app.config.get("FILE_STORAGE_DIR")
    app.config["FILE_STORAGE_DIR"] = str(tmp_path / "files")
    app.extensions.pop("surveyservice.storage", None)
    yield
    app.config["FILE_STORAGE_DIR"] = before
    app.extensions.pop("surveyservice.storage", None)


def torpa_map(path: Path) -> Path:
    """A drawn map: streets, a lake, a park; PNG, as a map export is."""
    image = Image.new("RGB", (1200, 900), (242, 239, 233))
    draw = ImageDraw.Draw(image)
    draw.ellipse((80, 520, 420, 820), fill=(170, 211, 223))
    draw.rectangle((700, 120, 1000, 380), fill=(200, 230, 190))
    for x in range(0, 1200, 150):
        draw.line((x, 0, x + 80, 900), fill=(255, 255, 255), width=14)
    for y in range(60, 900, 170):
        draw.line((0, y, 1200, y - 40), fill=(255, 255, 255), width=14)
    draw.line((0, 450, 1200, 430), fill=(247, 200, 120), width=22)
    image.save(path, "PNG")
    return path


def test_a_coordinator_uploads_torpas_map_and_sees_it_drawn_offline_ready(
    app, org, page, live_server, axe, tmp_path
):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    requests, problems = [], []
    page.on("request", lambda request: requests.append(request.url))
    # Console errors (a Content-Security-Policy violation is one) and failed loads; the
    # browser's own ask for /favicon.ico is no page's doing.
    page.on(
        "console",
        lambda message: (
            problems.append(message.text)
            if message.type == "error" and not message.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, coordinator.email)
    page.goto("/areas")
    page.get_by_role("link", name="Lägg till karta över Torpa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Karta över Torpa")
    page.get_by_label("Kartbild").set_input_files(str(torpa_map(tmp_path / "torpa.png")))
    page.get_by_label("Norra kanten: latitud").fill(str(NORTH))
    page.get_by_label("Södra kanten: latitud").fill(str(SOUTH))
    page.get_by_label("Västra kanten: longitud").fill(str(WEST))
    # A Swedish decimal comma is fine.
    page.get_by_label("Östra kanten: longitud").fill(str(EAST).replace(".", ","))
    page.get_by_role("button", name="Ladda upp kartan").click()
    expect(page.get_by_role("status").first).to_contain_text("Kartan är sparad")

    overlay = page.locator("#area-map img.leaflet-image-layer")
    expect(overlay).to_have_count(1)
    page.wait_for_function(
        "() => { const i = document.querySelector('#area-map img.leaflet-image-layer');"
        " return i && i.complete && i.naturalWidth === 1200; }"
    )
    assert "/areas/" in overlay.get_attribute("src")
    area = find_area_by_name(org.id, "Torpa")
    db.session.refresh(area)
    assert area.map_version == 1 and area.map_east == EAST

    # The keyboard: to the map, pan it, then place the point at its centre.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "area-map":
            break
    else:
        pytest.fail("the map is not reachable with Tab")
    crosshair = page.locator("#area-map .area-map-crosshair")
    expect(crosshair).to_be_visible()
    for key in ("ArrowLeft", "ArrowUp"):
        before = page.evaluate("document.querySelector('.leaflet-map-pane').style.transform")
        page.keyboard.press(key)
        # Leaflet ignores keys while it pans: one at a time.
        page.wait_for_function(
            "before => document.querySelector('.leaflet-map-pane').style.transform !== before",
            arg=before,
        )
        page.wait_for_timeout(400)
    # Past the zoom buttons and the attribution inside the map, the centre button.
    centre = page.get_by_role("button", name="Visa koordinaterna för kartans mitt")
    for _ in range(5):
        page.keyboard.press("Tab")
        if centre.evaluate("b => b === document.activeElement"):
            break
    expect(centre).to_be_focused()
    expect(crosshair).to_be_visible()
    page.keyboard.press("Enter")
    picked = page.locator("#map-picked")
    expect(picked).to_contain_text("Du valde latitud")
    lat, lon = (float(n.rstrip(".,")) for n in picked.inner_text().split()[3::2])
    assert SOUTH < lat < NORTH and WEST < lon < EAST
    # Panned west and north of the middle.
    assert lat > (SOUTH + NORTH) / 2 and lon < (WEST + EAST) / 2
    expect(page.locator("#area-map path.area-map-marker")).to_have_count(1)

    # A tap places it too.
    box = page.locator("#area-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.6)
    expect(picked).not_to_contain_text(f"{lat:.5f}")
    # A tap is aimed where it lands: no crosshair in the way.
    expect(crosshair).to_be_hidden()

    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(200)
        assert axe(page) == [], (width, height)
        keep(page, f"area-map-{width}x{height}.png")
        # Nothing sticks out sideways on a phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= width

    assert [url for url in requests if not url.startswith(live_server)] == []
    assert problems == []


def test_a_refused_image_says_why_in_the_page(app, org, page, tmp_path):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    fake = tmp_path / "karta.jpg"
    fake.write_bytes(b"%PDF-1.7\n% not a map at all\n")
    sign_in(page, coordinator.email)
    torpa = find_area_by_name(org.id, "Torpa")
    page.goto(f"/areas/{torpa.id}/map")
    page.get_by_label("Kartbild").set_input_files(str(fake))
    for label, value in (
        ("Norra kanten: latitud", NORTH),
        ("Södra kanten: latitud", SOUTH),
        ("Västra kanten: longitud", WEST),
        ("Östra kanten: longitud", EAST),
    ):
        page.get_by_label(label).fill(str(value))
    page.get_by_role("button", name="Ladda upp kartan").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Filen är inte en bild som går att läsa")
    summary.get_by_role("link").click()
    expect(page.get_by_label("Kartbild")).to_be_focused()
    keep(page, "area-map-refused-1024.png")


def test_the_service_worker_keeps_the_map_of_the_forms_area_for_offline_use(
    app, org, page, context, make_questionnaire, make_point, tmp_path
):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    point = make_point(make_questionnaire(org), area="Torpa")
    torpa = find_area_by_name(org.id, "Torpa")
    data = torpa_map(tmp_path / "torpa.png").read_bytes()
    set_area_map(torpa, data, SOUTH, WEST, NORTH, EAST, coordinator)
    page.goto(f"/f/{point.token}")
    assert page.evaluate(WAIT_FOR_WORKER)
    # The form asks the worker to keep the map, which it may only show later.
    keep = """async (url) => {
      const { keepAreaMap } = await import("/static/area-map.js");
      keepAreaMap({ image: url });
      const cache = await caches.open("maps");
      for (let i = 0; i < 100 && !(await cache.match(url)); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    }"""
    assert page.evaluate(keep, f"/f/{point.token}/map-1.png") == [f"/f/{point.token}/map-1.png"]
    # Offline, Leaflet's own script and the image come from the device.
    context.set_offline(True)
    page.reload()
    fetched = page.evaluate(
        """async (url) => {
          const image = await fetch(url);
          const leaflet = await fetch("/static/vendor/leaflet/leaflet.js");
          return [image.status, (await image.arrayBuffer()).byteLength, leaflet.status];
        }""",
        f"/f/{point.token}/map-1.png",
    )
    assert fetched[0] == 200 and fetched[1] > 1000 and fetched[2] == 200
    # A new map replaces the old one on the device.
    context.set_offline(False)
    set_area_map(torpa, data, SOUTH, WEST, NORTH, EAST, coordinator)
    assert page.evaluate(keep, f"/f/{point.token}/map-2.png") == [f"/f/{point.token}/map-2.png"]


def test_tiles_show_under_the_map_when_configured_and_online(app, org, page, context, tmp_path):
    """The organisation's tile server, let in by the page's policy; none offline."""
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    torpa = find_area_by_name(org.id, "Torpa")
    set_area_map(
        torpa, torpa_map(tmp_path / "t.png").read_bytes(), SOUTH, WEST, NORTH, EAST, coordinator
    )
    org.tile_url = "https://tiles.example.org/{z}/{x}/{y}.png"
    org.tile_attribution = "© <b>Tiles</b> & co"
    db.session.commit()
    tile = tmp_path / "tile.png"
    Image.new("RGB", (256, 256), (90, 160, 90)).save(tile)
    asked = []

    def serve_tile(route):
        asked.append(route.request.url)
        route.fulfill(path=str(tile), content_type="image/png")

    context.route("https://tiles.example.org/**", serve_tile)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    sign_in(page, coordinator.email)
    page.goto(f"/areas/{torpa.id}/map")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#area-map img.leaflet-tile')]"
        ".some((t) => t.complete && t.naturalWidth === 256)"
    )
    assert asked and all(url.startswith("https://tiles.example.org/") for url in asked)
    assert violations == []
    # The attribution is the organisation's text, not HTML.
    attribution = page.locator("#area-map .leaflet-control-attribution")
    expect(attribution).to_contain_text("© <b>Tiles</b> & co")
    # Offline: the image alone, and no tile asked for.
    context.set_offline(True)
    page.evaluate("window.dispatchEvent(new Event('offline'))")
    expect(page.locator("#area-map img.leaflet-tile")).to_have_count(0)
    expect(page.locator("#area-map img.leaflet-image-layer")).to_have_count(1)


def test_points_are_drawn_with_a_link_each_and_reached_by_keyboard(app, org, page, tmp_path):
    """What the coordinators' walk pages use: circles by colour and size, each a link."""
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    torpa = find_area_by_name(org.id, "Torpa")
    set_area_map(
        torpa, torpa_map(tmp_path / "t.png").read_bytes(), SOUTH, WEST, NORTH, EAST, coordinator
    )
    sign_in(page, coordinator.email)
    page.goto(f"/areas/{torpa.id}/map")
    page.wait_for_selector("#area-map img.leaflet-image-layer")
    drawn = page.evaluate(
        """async () => {
          const { createAreaMap } = await import("/static/area-map.js");
          const element = document.createElement("div");
          element.id = "points-map";
          document.querySelector("main").append(element);
          const config = JSON.parse(document.querySelector(".area-map-preview").dataset.map);
          const map = createAreaMap(element, config);
          map.addPoints([
            { lat: 58.372, lon: 12.305, colour: "#d7191c", radius: 12,
              label: "Trasig lampa", href: "/x/1" },
            { lat: 58.380, lon: 12.320, colour: "#2c7bb6", radius: 6,
              label: "Buskage <script>", href: "/x/2" },
            { lat: null, lon: 12.3, label: "no position" },
          ]).fitToPoints();
          const div = () => document.createElement("div");
          const none = createAreaMap(div(), { image: null, bounds: null, tiles: null });
          const tiles = { url: "https://t.example.org/{z}/{x}/{y}.png", attribution: "T" };
          const offlineTilesOnly = createAreaMap(
            div(), { image: null, bounds: null, tiles }, { online: false });
          return {
            circles: element.querySelectorAll("path.leaflet-interactive").length,
            none, offlineTilesOnly,
          };
        }"""
    )
    assert drawn == {"circles": 2, "none": None, "offlineTilesOnly": None}
    circle = page.locator('#points-map path[aria-label="Trasig lampa"]')
    circle.focus()
    page.keyboard.press("Enter")
    link = page.locator("#points-map .leaflet-popup-content a")
    expect(link).to_have_text("Trasig lampa")
    expect(link).to_have_attribute("href", "/x/1")
    expect(link).to_be_focused()
    assert page.locator('#points-map path[aria-label="Buskage <script>"]').count() == 1
