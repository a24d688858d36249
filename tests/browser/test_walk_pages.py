"""The coordinators' walk pages in a real browser: a coordinator filters a walk's
observations, opens one from the map, changes its status and notes and sees the
history; with the keyboard alone; at 200 % zoom; on a phone, a laptop and a wide
screen in Swedish and English, passing axe; the map drawn from the area's own image
with no request leaving the service."""

import io

import png
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect
from sqlalchemy import select

from surveyservice.accounts.models import Role, User
from surveyservice.extensions import db
from surveyservice.walks.area_maps import set_area_map
from surveyservice.walks.models import Observation, ObservationChange

from ..conftest import make_user
from ..walk_data import record_walk, upload_photo, walk_point, walk_questionnaire
from .screens import keep
from .test_offline import sign_in

SOUTH, WEST, NORTH, EAST = 58.3780, 12.3210, 58.3830, 12.3300
# Paul Tol's indigo and cyan, the first two categories' colours (walks/map_style.py), as
# area-map.js fills a circle (85 % over the map's light ground).
INDIGO, CYAN = (80, 65, 150), (152, 210, 237)

STOPS = [
    (
        {
            "place": {"place": "underpass"},
            "categories": ["lighting"],
            "severity": "4",
            "note": "Lampan i tunneln är trasig sedan i somras",
        },
        None,
        None,
        None,
    ),
    (
        {
            "place": {"lat": 58.3812, "lon": 12.3241, "accuracy": 6, "source": "gps"},
            "categories": ["vegetation"],
            "severity": "3",
            "note": "Buskarna skymmer gångvägen",
        },
        None,
        None,
        None,
    ),
    (
        {"place": {"place": "playground"}, "categories": ["litter"], "severity": "2"},
        None,
        None,
        None,
    ),
    (
        {
            "place": {"lat": 58.3797, "lon": 12.3282, "source": "map"},
            "categories": ["litter", "lighting"],
            "severity": "1",
        },
        None,
        None,
        None,
    ),
    (
        {
            "place": {"lat": 58.3822, "lon": 12.3270, "accuracy": 12, "source": "gps"},
            "categories": ["lighting"],
            "severity": "3",
            "note": "Mörkt vid busshållplatsen",
        },
        None,
        None,
        None,
    ),
]


def map_image() -> bytes:
    """A simple drawn map of the area: blocks, streets, a park and a pond."""
    image = Image.new("RGB", (900, 600), (244, 241, 232))
    draw = ImageDraw.Draw(image)
    draw.rectangle((520, 60, 860, 260), fill=(205, 228, 196))
    draw.ellipse((600, 110, 720, 190), fill=(170, 205, 230))
    for x in (80, 300, 480):
        draw.rectangle((x, 300, x + 150, 560), fill=(222, 214, 200))
    for y in (270, 580):
        draw.line((0, y, 900, y), fill=(255, 255, 255), width=18)
    for x in (250, 460, 880):
        draw.line((x, 0, x, 600), fill=(255, 255, 255), width=14)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def walk(org):
    point = walk_point(walk_questionnaire(org))
    # The named places of walk_data carry no coordinates but the playground's: the
    # underpass is only in the list, and says so. The bus stop has a photo.
    stops = [*STOPS[:4], ({**STOPS[4][0], "photo": [upload_photo(point)]}, None, None, None)]
    record_walk(point, stops)
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    set_area_map(point.area, map_image(), SOUTH, WEST, NORTH, EAST, coordinator)
    db.session.commit()
    return point


@pytest.fixture
def coordinator(org, walk):
    return db.session.execute(select(User).filter_by(email="samordnare@example.org")).scalar_one()


def only_local(page, base_url: str) -> list[str]:
    """Collects every request the page makes elsewhere than the service."""
    elsewhere: list[str] = []
    page.on(
        "request",
        lambda request: None if request.url.startswith(base_url) else elsewhere.append(request.url),
    )
    return elsewhere


def colour_pixels(shot: bytes, colour: tuple[int, int, int]) -> int:
    width, _height, rows, _info = png.Reader(bytes=shot).asRGBA8()
    found = 0
    for row in rows:
        for x in range(0, width * 4, 4):
            if all(abs(row[x + i] - colour[i]) <= 12 for i in range(3)):
                found += 1
    return found


def test_a_coordinator_filters_opens_an_observation_from_the_map_and_follows_it_up(
    page, walk, coordinator, live_server, axe
):
    elsewhere = only_local(page, live_server)
    sign_in(page, coordinator.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Trygghetsvandringar"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Trygghetsvandringar")
    assert axe(page) == []
    page.get_by_role("link", name="Kvällsvandring i Torpa").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Observationer: Kvällsvandring i Torpa"
    )
    observations = page.locator("ol.observations > li")
    expect(observations).to_have_count(5)
    circles = page.locator("#walk-map path.leaflet-interactive")
    expect(circles).to_have_count(4)  # the underpass has no position
    assert axe(page) == []

    # Lighting only: three observations, two of them on the map.
    page.get_by_label("Kategori").select_option(label="Belysning")
    page.get_by_role("button", name="Visa observationer").click()
    expect(observations).to_have_count(3)
    expect(circles).to_have_count(2)
    expect(page.get_by_text("3 av 5 observationer matchar filtren.")).to_be_visible()
    assert axe(page) == []

    # The bus stop's circle opens its observation.
    bus_stop = page.get_by_role("button", name="Stopp 5: Belysning (Ny)")
    bus_stop.click()
    page.locator(".leaflet-popup").get_by_role("link", name="Stopp 5: Belysning (Ny)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Observation: Stopp 5")
    expect(page.get_by_text("Mörkt vid busshållplatsen")).to_be_visible()
    expect(page.get_by_text("ungefär 12 m")).to_be_visible()
    photo = page.get_by_role("img", name="Foto 1 av Stopp 5")
    expect(photo).to_be_visible()
    assert photo.evaluate("image => image.naturalWidth") > 0
    assert axe(page) == []

    # The follow-up: a status, who is responsible, and the two notes kept apart.
    page.get_by_label("Status", exact=True).select_option(label="Planerad")
    page.get_by_label("Ansvarig").select_option(label="Kommunen")
    public = page.get_by_label("Offentlig anteckning")
    expect(public).to_have_accessible_description(
        "Vad boende får läsa om platsen: vad som beslutats eller gjorts. Skriv om platsen, "
        "aldrig om personer, och inga namn."
    )
    public.fill("Belysningen vid hållplatsen byts i januari.")
    page.get_by_label("Intern anteckning").fill("Felanmält till gatuavdelningen, ärende 114")
    page.get_by_role("button", name="Spara uppföljningen").click()
    expect(page.get_by_role("status")).to_contain_text("Uppföljningen är sparad")
    history = page.locator("ol.history > li").first
    expect(history).to_contain_text("samordnare@example.org")
    expect(history).to_contain_text("Status: Ny → Planerad")
    expect(history).to_contain_text("Ansvarig: Inte bestämt → Kommunen")
    expect(history).to_contain_text("Felanmält till gatuavdelningen, ärende 114")
    assert axe(page) == []
    keep(page, "observation-saved.png")

    db.session.expire_all()
    [changed] = db.session.execute(select(Observation).filter_by(status="planned")).scalars()
    assert changed.responsible == "municipality"
    assert changed.public_note == "Belysningen vid hållplatsen byts i januari."
    assert len(db.session.execute(select(ObservationChange)).all()) == 1

    # The photo shows a face: deleted, after a second step that says what it does.
    page.get_by_text("Radera foto 1", exact=True).click()
    page.get_by_role("button", name="Radera foto 1 för gott").click()
    expect(page.get_by_role("status")).to_contain_text("Fotot är raderat.")
    expect(page.get_by_role("img", name="Foto 1 av Stopp 5")).to_have_count(0)
    expect(page.get_by_text("Foto 1 raderades")).to_be_visible()
    assert axe(page) == []

    # Back on the walk's page, the status shows in the list and on the map.
    page.get_by_role("link", name="Kvällsvandring i Torpa").click()
    page.get_by_label("Status", exact=True).select_option(label="Planerad")
    page.get_by_role("button", name="Visa observationer").click()
    expect(observations).to_have_count(1)
    expect(observations.first).to_contain_text("Status: Planerad")
    assert elsewhere == []


def test_a_coordinator_does_it_all_with_the_keyboard(page, walk, coordinator):
    sign_in(page, coordinator.email)
    page.goto(f"/walks/points/{walk.id}")

    def tab_to(locator, limit: int = 60) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if locator.evaluate("element => element === document.activeElement"):
                return
        raise AssertionError(f"Tab never reached {locator}")

    category = page.get_by_label("Kategori")
    tab_to(category)
    page.keyboard.press("ArrowDown")  # the first category: Belysning
    expect(category).to_have_value("lighting")
    tab_to(page.get_by_role("button", name="Visa observationer"))
    page.keyboard.press("Enter")
    expect(page.locator("ol.observations > li")).to_have_count(3)

    # A circle on the map is a button: Enter opens its link, and Enter follows it.
    circle = page.get_by_role("button", name="Stopp 5: Belysning (Ny)")
    tab_to(circle)
    page.keyboard.press("Enter")
    link = page.locator(".leaflet-popup").get_by_role("link")
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Observation: Stopp 5")

    status = page.get_by_label("Status", exact=True)
    tab_to(status)
    page.keyboard.press("End")  # the last status: Inte vårt ansvar
    tab_to(page.get_by_label("Offentlig anteckning"))
    page.keyboard.type("Ligger på Trafikverkets mark.")
    tab_to(page.get_by_role("button", name="Spara uppföljningen"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Uppföljningen är sparad")
    expect(page.locator("ol.history > li").first).to_contain_text("Status: Ny → Inte vårt")

    # Too long a note comes back with the problem focused and the text kept.
    tab_to(page.get_by_label("Intern anteckning"))
    page.keyboard.insert_text("x" * 2100)
    tab_to(page.get_by_role("button", name="Spara uppföljningen"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Skriv högst 2 000 tecken")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Intern anteckning")).to_be_focused()
    expect(page.get_by_label("Intern anteckning")).to_have_value("x" * 2100)


def test_the_walk_pages_keep_to_the_window_at_200_percent_zoom(
    browser, browser_context_args, walk, org
):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    observation = db.session.execute(select(Observation).order_by(Observation.entry)).scalar()
    # 200 % zoom of a 1280 px window: the page lays out in 640 CSS pixels.
    context = browser.new_context(
        **browser_context_args, viewport={"width": 640, "height": 400}, device_scale_factor=2
    )
    page = context.new_page()
    sign_in(page, admin.email)
    for url in (
        "/walks/",
        f"/walks/points/{walk.id}",
        f"/walks/areas/{walk.area_id}?category=lighting",
        f"/walks/observations/{observation.id}",
        "/walks/status-names",
    ):
        page.goto(url)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 640, url
    context.close()


def test_the_map_page_with_its_observations_drawn_needs_nothing_from_elsewhere(
    browser, browser_context_args, walk, coordinator, live_server, tmp_path
):
    context = browser.new_context(**browser_context_args, viewport={"width": 1440, "height": 900})
    page = context.new_page()
    elsewhere = only_local(page, live_server)
    sign_in(page, coordinator.email)
    page.goto(f"/walks/points/{walk.id}")
    expect(page.locator("#walk-map path.leaflet-interactive")).to_have_count(4)
    expect(page.locator("#walk-map img.area-map-image")).to_be_visible()
    page.wait_for_function("document.querySelector('#walk-map img.area-map-image').complete")
    shot = page.locator("#walk-map").screenshot(path=str(tmp_path / "walk-map.png"))
    # The circles are drawn in their categories' colours over the area's image.
    assert colour_pixels(shot, INDIGO) > 100
    assert colour_pixels(shot, CYAN) > 30
    keep(page, "walk-map-1440.png")
    assert elsewhere == []
    context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_walk_pages_fit_a_phone_a_laptop_and_a_wide_screen_and_pass_axe(
    browser, browser_context_args, walk, org, axe, lang
):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    observation = db.session.execute(
        select(Observation).order_by(Observation.entry.desc())
    ).scalar()
    urls = {
        "index": "/walks/",
        "walk": f"/walks/points/{walk.id}",
        "area": f"/walks/areas/{walk.area_id}?status=new",
        "problems": f"/walks/areas/{walk.area_id}?from=2026-12-01&to=2026-11-01&category=x",
        "observation": f"/walks/observations/{observation.id}",
        "names": "/walks/status-names",
    }
    context = browser.new_context(
        **browser_context_args, locale="sv-SE" if lang == "sv" else "en-GB"
    )
    page = context.new_page()
    sign_in(page, admin.email)
    for width, height in ((390, 844), (1024, 768), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        for name, url in urls.items():
            page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            scroll = page.evaluate("document.scrollingElement.scrollWidth")
            assert scroll <= width, (name, width, scroll)
            if width == 1024:
                assert axe(page) == [], (name, lang)
            keep(page, f"{name}-{lang}-{width}x{height}.png")
    context.close()
