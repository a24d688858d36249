"""The staff and coordinator pages in a real browser: signed in with the keyboard,
and without serious accessibility violations, in Swedish and English."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveyservice.questionnaires.versions import find_questionnaire

from ..conftest import PASSWORD

FORMS = Path(__file__).resolve().parents[2] / "forms"


@pytest.fixture
def shipped(runner, org, coordinator, make_point):
    runner.invoke(args=["forms", "sync", str(FORMS)])
    return make_point(find_questionnaire(org.id, "sanden-event"))


def sign_in_with_keyboard(page, lang: str) -> None:
    page.goto(f"/sign-in?lang={lang}")
    page.keyboard.press("Tab")  # the skip link comes first
    expect(
        page.get_by_role(
            "link", name="Hoppa till innehållet" if lang == "sv" else "Skip to content"
        )
    ).to_be_focused()
    page.get_by_label("E-postadress" if lang == "sv" else "E-mail address").focus()
    page.keyboard.type("coordinator@example.org")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # Coordinators land on the start page.
    expect(page.get_by_role("heading", level=1)).to_have_text("Start")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_staff_pages_have_no_serious_accessibility_violations(page, shipped, axe, lang):
    page.goto(f"/sign-in?lang={lang}")
    assert axe(page) == []
    sign_in_with_keyboard(page, lang)
    assert axe(page) == []
    page.get_by_role("link", name="Enkäter" if lang == "sv" else "Questionnaires").click()
    page.get_by_role(
        "link", name="Trygghet på Sanden" if lang == "sv" else "Safety at Sanden"
    ).click()
    expect(page.get_by_role("heading", level=2).first).to_be_visible()
    assert axe(page) == []
    page.goto(f"/collection-points/{shipped.id}/poster")
    assert axe(page) == []
    page.goto("/api/v1/docs")
    assert axe(page) == []
    page.goto("/no-such-page")
    assert axe(page) == []


def test_poster_qr_code_loads_for_a_signed_in_coordinator(page, shipped):
    sign_in_with_keyboard(page, "sv")
    page.goto(f"/collection-points/{shipped.id}/poster")
    image = page.get_by_role("img", name="QR-kod för 127.0.0.1")
    expect(image).to_be_visible()
    assert page.evaluate("document.querySelector('.code img').naturalWidth") > 0
    for text in ("Trygghet på Sanden", "Safety at Sanden", "Du är anonym"):
        expect(page.get_by_text(text, exact=False).first).to_be_visible()


def test_the_accessibility_check_finds_violations(page, axe, live_server):
    # The check itself must be able to fail: an unlabelled field and no title.
    page.route(
        f"{live_server}/axe-probe",
        lambda route: route.fulfill(
            content_type="text/html", body="<html><body><input type=text></body></html>"
        ),
    )
    page.goto("/axe-probe")
    found = {violation["id"] for violation in axe(page)}
    assert {"label", "document-title"} <= found
