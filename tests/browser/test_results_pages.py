"""The results pages in a real browser: answers given through the resident form show on
the results page as charts, two areas side by side, a small group withheld; the pages
fit a phone and pass axe, in Swedish and English."""

import re
import uuid

import png
import pytest
from playwright.sync_api import expect

from surveyservice.accounts.models import Role

from ..conftest import make_user
from .screens import keep
from .test_offline import sign_in, wait_until_stored

QUESTIONS = [
    {
        "id": "safe_now",
        "type": "single",
        "label": {"sv": "Hur trygg känner du dig?", "en": "How safe do you feel?"},
        "options": [
            {"value": "safe", "label": {"sv": "Trygg", "en": "Safe"}},
            {"value": "unsafe", "label": {"sv": "Otrygg", "en": "Unsafe"}},
        ],
    },
    {
        "id": "why_unsafe",
        "type": "longtext",
        "label": {"sv": "Varför?", "en": "Why?"},
        "show_if": {"question": "safe_now", "equals": "unsafe"},
    },
    {
        "id": "rating",
        "type": "scale",
        "label": {"sv": "Hur trivs du här?", "en": "How do you like it here?"},
        "min": 1,
        "max": 5,
    },
]
ACCENT = (0x0B, 0x53, 0x94)  # the bars' colour in results.css


def send(client, point, count: int, answers: dict) -> None:
    """``count`` responses through the resident's endpoint, as the form's script sends them."""
    for _ in range(count):
        response = client.post(
            f"/api/v1/collect/{point.token}/responses",
            json={"id": str(uuid.uuid4()), "version": 1, "language": "sv", "answers": answers},
        )
        assert response.status_code == 201, response.json


@pytest.fixture
def answered(app, org, make_questionnaire, make_point):
    """Sanden's event, Torpa's event and a small walk in Torpa, with answers."""
    questionnaire = make_questionnaire(org, questions=QUESTIONS)
    sanden = make_point(questionnaire, name="Sandenfestivalen", area="Sanden")
    torpa = make_point(questionnaire, name="Torpadagen", area="Torpa")
    walk = make_point(questionnaire, name="Kvällsvandring", area="Torpa", kind="walk")
    client = app.test_client()
    send(client, sanden, 5, {"safe_now": "safe", "rating": 4})
    send(client, sanden, 6, {"safe_now": "unsafe", "why_unsafe": "Mörkt", "rating": 2})
    send(client, sanden, 5, {"rating": 3})
    send(client, torpa, 5, {"safe_now": "safe", "rating": 5})
    send(client, torpa, 9, {"safe_now": "unsafe", "why_unsafe": "Ingen belysning", "rating": 1})
    send(client, torpa, 5, {"rating": 2})
    send(client, walk, 3, {"safe_now": "unsafe", "rating": 1})
    return {"sanden": sanden, "torpa": torpa, "walk": walk}


def answer_through_the_form(page, point) -> None:
    page.goto(f"/f/{point.token}")
    page.get_by_role("group", name="Hur trygg känner du dig?").get_by_role(
        "radio", name="Trygg", exact=True
    ).check()
    page.get_by_role("group", name="Hur trivs du här?").get_by_role(
        "radio", name="4", exact=True
    ).check()
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page.get_by_role("heading", name="Tack för dina svar!")).to_be_visible()


def accent_pixels(screenshot: bytes) -> int:
    width, _height, rows, _info = png.Reader(bytes=screenshot).asRGBA8()
    found = 0
    for row in rows:
        for x in range(0, width * 4, 4):
            if tuple(row[x : x + 3]) == ACCENT:
                found += 1
    return found


def test_answers_from_the_form_show_as_charts_and_two_areas_compare(
    page, browser, browser_context_args, answered, org, tmp_path, axe
):
    # Two residents answer on their own phones.
    for _ in range(2):
        answer_through_the_form(page, answered["sanden"])
    assert len(wait_until_stored(page, 40)) == 40

    # The coordinator's own browser (without the form's service worker).
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    page = context.new_page()
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    sign_in(page, coordinator.email)
    page.get_by_role("navigation", name="Huvudmeny").get_by_role("link", name="Resultat").click()
    page.get_by_role("link", name="Trygghet", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Resultat: Trygghet")
    expect(page.locator('[data-count="total"]')).to_have_text("40")

    chart = page.get_by_role("table", name="Svar från de 40 som fick frågan").first
    expect(chart).to_be_visible()
    safe = chart.locator("tr", has=page.get_by_role("rowheader", name="Trygg", exact=True))
    # 5 + 5 + 2 through the form: their figures are cells the screen reader reads.
    expect(safe.get_by_role("cell").first).to_have_text("12")
    expect(safe.get_by_role("cell").nth(1)).to_contain_text("30")
    # The bar is drawn, to the share's width, and hidden from screen readers.
    bar = safe.locator(".bar")
    expect(bar).to_have_attribute("aria-hidden", "true")
    track, fill = bar.bounding_box(), bar.locator(".fill").bounding_box()
    assert 0.27 < fill["width"] / track["width"] < 0.33
    # Free text, listed once 10 or more wrote: 6 at Sanden and 9 at Torpa.
    texts = page.locator("#q-why_unsafe ~ ul.texts li")
    expect(texts).to_have_count(15)
    expect(texts.filter(has_text="Ingen belysning")).to_have_count(9)
    # The screenshot shows the charts.
    shot = chart.screenshot(path=str(tmp_path / "results-chart.png"))
    assert accent_pixels(shot) > 200
    keep(page, "results-test.png")
    assert axe(page) == []

    # A small group: the walk's three answers are withheld, saying why.
    page.get_by_label("Typ", exact=True).select_option("walk")
    page.get_by_role("button", name="Visa resultat").click()
    expect(page.get_by_role("note")).to_contain_text("färre än 5 svar")
    expect(page.get_by_role("note")).to_contain_text("ta bort ett filter")
    expect(page.locator('[data-count="total"]')).to_have_count(0)
    expect(page.get_by_role("table")).to_have_count(0)
    assert axe(page) == []

    # Sanden against Torpa.
    page.get_by_role("link", name="Ta bort alla filter").click()
    page.get_by_role("link", name="Jämför två grupper").click()
    page.get_by_role("group", name="Grupp A").get_by_label("Område").select_option("Sanden")
    page.get_by_role("group", name="Grupp B").get_by_label("Område").select_option("Torpa")
    page.get_by_role("button", name="Jämför", exact=True).click()
    expect(page.locator('[data-count="a"]')).to_have_text("18")
    expect(page.locator('[data-count="b"]')).to_have_text("22")
    compared = page.get_by_role("table", name="Svar i Sanden (A) och Torpa (B)").first
    expect(compared).to_be_visible()
    expect(compared.get_by_role("columnheader", name="A: Sanden")).to_be_visible()
    keep(page, "compare-test.png")
    assert axe(page) == []
    context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_results_pages_fit_a_phone_and_pass_axe(browser, browser_context_args, answered, org, lang):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    urls = {
        "index": "/results",
        "results": "/results/sample",
        "point": f"/results/sample?point={answered['torpa'].id}",
        "withheld": "/results/sample?kind=walk",
        "compare": "/results/sample/compare?a-area=Sanden&b-area=Torpa",
        "problems": "/results/sample?from=2026-06-30&to=2026-06-01&area=Atlantis",
    }
    # A Swedish browser, as the coordinators' are: dates are typed as 2026-06-01.
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
            if lang == "sv":
                keep(page, f"{name}-{width}x{height}.png")
    context.close()


def test_results_at_200_percent_zoom_keep_to_the_window(
    browser, browser_context_args, answered, org
):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    # 200 % zoom of a 1280 px window: the page lays out in 640 CSS pixels.
    context = browser.new_context(
        **browser_context_args, viewport={"width": 640, "height": 400}, device_scale_factor=2
    )
    page = context.new_page()
    sign_in(page, coordinator.email)
    for url in ("/results/sample", "/results/sample/compare?a-area=Sanden&b-area=Torpa"):
        page.goto(url)
        assert page.evaluate("document.scrollingElement.scrollWidth") <= 640, url
    context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_results_pages_have_no_serious_accessibility_violations(page, answered, org, axe, lang):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    sign_in(page, admin.email)
    for url in (
        "/results",
        "/results/sample",
        "/results/sample?kind=walk",
        "/results/sample?language=sv",
        "/results/sample?from=2026-13-01&area=Atlantis",
        "/results/sample/compare",
        "/results/sample/compare?a-area=Sanden&b-area=Torpa",
        "/results/sample/compare?a-to=nope",
    ):
        page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert axe(page) == [], url


def test_filter_problems_take_the_focus_and_lead_to_their_fields(page, answered, org):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    sign_in(page, coordinator.email)
    page.goto("/results/sample")
    page.get_by_label("Från (första dagen)").fill("2026-06-30")
    page.get_by_label("Till (sista dagen)").fill("2026-06-01")
    page.get_by_role("button", name="Visa resultat").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    field = page.get_by_label("Från (första dagen)")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Första dagen är efter sista dagen"))
