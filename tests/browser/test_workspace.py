"""The coordinators' workspace in a real browser: a new coordinator makes a collection
point, prints its poster and closes it, by links and labelled controls only."""

import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from surveyservice.accounts.models import Role
from surveyservice.collection.models import CollectionPoint
from surveyservice.extensions import db

from ..conftest import make_user
from .test_offline import sign_in
from .test_staff_pages import FORMS


@pytest.fixture
def shipped_forms(runner, org):
    result = runner.invoke(args=["forms", "sync", str(FORMS)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def new_coordinator(org):
    return make_user(org, Role.COORDINATOR, "ny.samordnare@example.org")


def decode_qr(png: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "shot.png"
    path.write_bytes(png)
    found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return found.stdout.split()


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium printed: its page objects (not the /Pages tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def the_point() -> CollectionPoint:
    db.session.expire_all()
    return db.session.execute(sa.select(CollectionPoint)).scalar_one()


def test_new_coordinator_creates_a_point_prints_its_poster_and_closes_it(
    page, shipped_forms, new_coordinator, tmp_path
):
    sign_in(page, new_coordinator.email)
    expect(page.get_by_role("heading", level=1, name="Start")).to_be_visible()
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Start")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Insamlingsplatser").click()
    expect(nav.get_by_role("link", name="Insamlingsplatser")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Ny insamlingsplats").click()

    page.get_by_label("Enkät").select_option(label="Trygghet på Sanden")
    page.get_by_label("Namn", exact=True).fill("Sandenfestivalen 2026")
    page.get_by_label("Område").select_option(label="Sanden")
    page.get_by_label("Evenemang").check()
    page.get_by_label("Öppnar").fill("2026-01-10T10:00")
    page.get_by_role("button", name="Skapa insamlingsplats").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sandenfestivalen 2026")
    expect(page.get_by_role("status").first).to_have_text("Insamlingsplatsen är skapad.")
    point = the_point()
    assert (point.name, point.area.name, point.questionnaire.slug) == (
        "Sandenfestivalen 2026",
        "Sanden",
        "sanden-event",
    )
    # Entered in Swedish winter time: 09:00 UTC.
    assert point.opens_at.isoformat() == "2026-01-10T09:00:00+00:00"
    url = f"{page.url.split('/collection-points')[0]}/f/{point.token}"
    expect(page.get_by_label("Formulärets adress")).to_have_value(url)
    expect(page.get_by_label("Kiosklänk")).to_have_value(
        re.compile(f"/staff/collect/{point.token}$")
    )

    page.get_by_role("link", name="Affisch (A4)").click()
    expect(page.get_by_role("heading", level=1, name="Trygghet på Sanden")).to_be_visible()
    expect(page.get_by_text("16 korta frågor, cirka 4 min").first).to_be_visible()
    expect(page.locator(".code img")).to_have_js_property("complete", True)
    page.emulate_media(media="print")
    assert decode_qr(page.screenshot(full_page=True), tmp_path) == [url]
    assert pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Tillbaka").click()
    page.get_by_role("link", name="Stäng platsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stäng Sandenfestivalen 2026")
    assert the_point().closes_at is None  # asking is not closing
    page.get_by_role("button", name="Ja, stäng platsen").click()
    expect(page.get_by_text("Stängd", exact=True)).to_be_visible()
    assert the_point().closes_at is not None


def test_create_form_works_with_the_keyboard_alone(page, shipped_forms, new_coordinator):
    sign_in(page, new_coordinator.email)
    page.goto("/collection-points/new?lang=en")
    # Sent empty first: the summary takes the focus and its links lead to the fields.
    page.get_by_role("button", name="Create collection point").focus()
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link").first).to_be_focused()
    page.keyboard.press("Enter")
    questionnaire = page.get_by_label("Questionnaire")
    expect(questionnaire).to_have_attribute("aria-invalid", "true")
    questionnaire.focus()
    page.keyboard.press("ArrowDown")  # Chromium moves to the next option of a closed select
    expect(questionnaire).to_have_value("sanden-event")
    page.keyboard.press("Tab")  # the version: always the latest
    page.keyboard.press("Tab")
    expect(page.get_by_label("Name", exact=True)).to_be_focused()
    page.keyboard.type("Torpadagen")
    page.keyboard.press("Tab")  # the names in other languages, folded
    page.keyboard.press("Tab")
    expect(page.get_by_label("Area")).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Area")).to_have_value("Torpa")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Event")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Safety walk")).to_be_checked()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Torpadagen")
    point = the_point()
    assert (point.area.name, point.kind.value) == ("Torpa", "walk")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_workspace_pages_have_no_serious_accessibility_violations(
    page, shipped_forms, org, make_point, axe, lang
):
    from surveyservice.questionnaires.versions import find_questionnaire

    admin = make_user(org, Role.ADMIN, "admin@example.org")
    point = make_point(find_questionnaire(org.id, "sanden-event"))
    sign_in(page, admin.email)
    urls = [
        "/start",
        "/collection-points",
        "/collection-points/new",
        f"/collection-points/{point.id}",
        f"/collection-points/{point.id}/edit",
        f"/collection-points/{point.id}/close",
        f"/collection-points/{point.id}/poster",
        f"/collection-points/{point.id}/poster?size=a3",
        "/areas",
        f"/areas/{point.area_id}/rename",
        f"/areas/{point.area_id}/remove",
    ]
    for url in urls:
        page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert axe(page) == [], url
    # And with every problem shown.
    page.goto(f"/collection-points/new?lang={lang}")
    page.get_by_role(
        "button", name="Skapa insamlingsplats" if lang == "sv" else "Create collection point"
    ).click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe(page) == []
    page.goto(f"/areas/{point.area_id}/remove?lang={lang}")
    page.get_by_role("button").last.click()
    expect(page.get_by_role("alert")).to_be_visible()  # in use: refused, saying why
    assert axe(page) == []


def language_combinations(languages: list[str]) -> list[list[str]]:
    from itertools import combinations

    return [list(c) for n in range(1, len(languages) + 1) for c in combinations(languages, n)]


def in_languages(value, languages: list[str], every=("sv", "en", "ar")):
    """A definition's texts in these languages only."""
    if isinstance(value, dict):
        if value and set(value) <= set(every):
            return {code: value[code] for code in languages}
        return {key: in_languages(item, languages, every) for key, item in value.items()}
    if isinstance(value, list):
        return [in_languages(item, languages, every) for item in value]
    return value


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_poster_fits_one_page_in_every_language_combination_and_its_code_decodes(
    page, org, coordinator, make_point, tmp_path, size
):
    import yaml

    from surveyservice.questionnaires.versions import create_questionnaire, publish_draft

    sign_in(page, coordinator.email)
    for path in sorted(FORMS.glob("*.yaml")):
        shipped = yaml.safe_load(path.read_text(encoding="utf-8"))
        for languages in language_combinations(shipped["languages"]):
            definition = {
                **in_languages(shipped, languages),
                "slug": f"{shipped['slug']}-{'-'.join(languages)}",
                "languages": languages,
                "default_language": languages[0],
            }
            questionnaire = create_questionnaire(org, definition)
            publish_draft(questionnaire)
            db.session.commit()
            point = make_point(questionnaire, name="Sandenfestivalen och Torpadagen 2026")
            page.goto(f"/collection-points/{point.id}/poster?size={size.lower()}")
            expect(page.locator(".code img")).to_have_js_property("complete", True)
            page.emulate_media(media="print")
            url = page.get_by_text(f"/f/{point.token}").inner_text()
            assert decode_qr(page.screenshot(full_page=True), tmp_path) == [f"http://{url}"], (
                languages
            )
            pdf = page.pdf(format=size, prefer_css_page_size=True)
            assert pdf_pages(pdf) == 1, (definition["slug"], size)
            page.emulate_media(media="screen")


def test_page_count_sees_a_second_page(page, live_server):
    # The count must be able to fail: a page taller than A4 prints on two.
    page.route(
        f"{live_server}/two-pages",
        lambda route: route.fulfill(
            content_type="text/html",
            body="<html><body><p style='height: 400mm'>Lång</p><p>Två</p></body></html>",
        ),
    )
    page.goto("/two-pages")
    assert pdf_pages(page.pdf(format="A4")) == 2
