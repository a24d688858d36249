"""A safety walk on a tablet: the walk's questions once, then its stops, each with a
position (GPS, the area's map or a named place) and photos; kept on the tablet as it
is entered, and sent as one response."""

import re
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import expect

from .test_offline import WAIT_FOR_WORKER, sign_in, stored, wait_until_stored

FORMS = Path(__file__).parents[2] / "forms"
TABLET = {"width": 1024, "height": 768}
TORPA = {"latitude": 58.3705, "longitude": 12.3245, "accuracy": 12}


@pytest.fixture
def walk_definition():
    return yaml.safe_load((FORMS / "torpa-walk.yaml").read_text(encoding="utf-8"))


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


def entries(page):
    return page.locator("[data-entries] > li")


def test_a_walk_of_stops_is_entered_kept_through_a_reload_and_sent(
    tablet, context, staff, walk
):
    page = tablet
    open_walk(page, staff, walk)
    general_answers(page)
    add_stop(page, place="Gångtunneln", categories=["Belysning"], severity="3 Bör åtgärdas")
    add_stop(page, place="Lekplatsen", categories=["Nedskräpning"], severity="2 Bevaka")
    expect(entries(page)).to_have_count(2)
    expect(entries(page).nth(0)).to_contain_text("Gångtunneln · Belysning · 3 Bör åtgärdas")
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
