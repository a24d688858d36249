"""The questionnaire editor in a real browser: both editors, the preview in Swedish and
Arabic, the diff with its warning, publishing; the keyboard alone; axe on every page."""

import re

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from surveyservice.extensions import db
from surveyservice.questionnaires.models import QuestionnaireVersion

from .test_offline import sign_in
from .test_staff_pages import FORMS


@pytest.fixture
def sanden(runner, org, coordinator):
    runner.invoke(args=["forms", "sync", str(FORMS)])


def published():
    db.session.expire_all()
    rows = db.session.execute(
        sa.select(QuestionnaireVersion)
        .filter(QuestionnaireVersion.number.is_not(None))
        .order_by(QuestionnaireVersion.id)
    ).scalars()
    return [(v.number, v.content_hash, v.definition) for v in rows]


def test_coordinator_edits_previews_and_publishes_a_draft(page, sanden, coordinator):
    sign_in(page, coordinator.email)
    page.get_by_role("link", name="Enkäter").click()
    page.get_by_role("link", name="Trygghet på Sanden").click()
    page.get_by_role("link", name="Gör ett nytt utkast").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Redigera frågorna")
    preview = page.frame_locator("iframe[title='Förhandsvisning av formuläret']")
    expect(preview.locator("h1")).to_have_text("Trygghet på Sanden")

    # The question editor: texts in two languages, saved; the preview follows.
    question = page.get_by_role("region", name=re.compile("^Fråga 1:"))
    question.get_by_role("group", name="Frågetext").get_by_label("Svenska").fill(
        "Hur trygg känner du dig på Sanden i dag?"
    )
    question.get_by_role("group", name="Frågetext").get_by_label("العربية").fill(
        "ما مدى شعورك بالأمان في ساندن اليوم؟"
    )
    # Previewed before saving: nothing is stored yet.
    page.get_by_role("button", name="Förhandsvisa de osparade ändringarna").click()
    expect(preview.get_by_text("Hur trygg känner du dig på Sanden i dag?")).to_be_visible()
    expect(preview.get_by_text("ändringar som inte är sparade")).to_be_visible()
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count(QuestionnaireVersion.id))).scalar() == 2
    page.get_by_role("button", name="Spara utkastet").first.click()
    expect(page.get_by_role("status").filter(has_text="Utkastet är sparat.")).to_be_visible()
    expect(preview.get_by_text("Hur trygg känner du dig på Sanden i dag?")).to_be_visible()
    expect(preview.get_by_text("det sparade utkastet")).to_be_visible()
    page.get_by_role("link", name="العربية").click()
    expect(preview.locator("html")).to_have_attribute("dir", "rtl")
    expect(preview.get_by_text("ما مدى شعورك بالأمان في ساندن اليوم؟")).to_be_visible()
    expect(page.get_by_role("link", name="العربية")).to_have_attribute("aria-current", "true")

    # The definition text: a mistake is shown at its line, then a change that breaks.
    page.get_by_role("link", name="Definitionstext").click()
    text = page.get_by_label("Definition (YAML)")
    source = text.input_value()
    assert "Hur trygg känner du dig på Sanden i dag?" in source
    broken = source.replace("type: longtext", "type: longtxt")
    line = broken.split("\n").index("  type: longtxt") + 1
    text.fill(broken)
    page.get_by_role("button", name="Spara utkastet").click()
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("Inget är sparat: texten har ett problem")
    expect(problems).to_contain_text(f"Rad {line} · questions[15].type")
    problems.get_by_role("link", name=f"Rad {line}").click()
    expect(text).to_be_focused()
    text.fill(source.replace("type: longtext", "type: text"))
    page.get_by_role("button", name="Spara utkastet").click()
    expect(page.get_by_role("status").filter(has_text="Utkastet är sparat.")).to_be_visible()
    field = preview.get_by_label(re.compile("Vill du säga något mer"))
    expect(field).to_have_attribute("type", "text")  # a longtext would be a textarea

    # Review: the diff warns of what breaks comparison; publishing needs the box ticked.
    page.get_by_role("link", name="Granska och publicera").click()
    warning = page.locator("#breaking")
    expect(warning).to_contain_text("Ändringarna bryter jämförelsen med tidigare svar")
    expect(warning).to_contain_text("Fråga comment byter typ från longtext till text.")
    expect(page.get_by_text("Ändrad safety_now: label")).to_be_visible()
    page.get_by_role("button", name="Publicera som version 2").click()
    expect(page.get_by_text("Kryssa i rutan för att bekräfta")).to_be_visible()
    assert len(published()) == 2  # sanden-event and torpa-walk, version 1 each
    page.get_by_label(re.compile("Jag förstår att ändringarna bryter")).check()
    page.get_by_role("button", name="Publicera som version 2").click()
    expect(page.get_by_role("status")).to_have_text("Version 2 är publicerad.")
    expect(page.get_by_text("Version 2, publicerad")).to_be_visible()

    # Version 2 stays as it is: the editor starts a new draft from it and says so.
    before = published()
    page.get_by_role("link", name="Gör ett nytt utkast").click()
    expect(page.get_by_text("Det finns inget utkast: det här är version 2")).to_be_visible()
    page.get_by_role("region", name=re.compile("^Fråga 1:")).get_by_role(
        "group", name="Frågetext"
    ).get_by_label("Svenska").fill("Ändrad efter publicering")
    page.get_by_role("button", name="Spara utkastet").first.click()
    expect(page.get_by_role("status").filter(has_text="Utkastet är sparat.")).to_be_visible()
    assert published() == before


def tab_to(page, name: str, backwards: bool = False, limit: int = 400) -> None:
    """Press Tab until the focused element's text starts with ``name``."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        if page.evaluate("document.activeElement.textContent.trim()").startswith(name):
            return
    raise AssertionError(f"{name!r} cannot be reached with Tab")


def test_structured_editor_works_with_the_keyboard_alone(
    page, coordinator, org, make_questionnaire
):
    make_questionnaire(org)
    sign_in(page, coordinator.email)
    page.goto("/questionnaires/sample/edit")
    tab_to(page, "Lägg till en fråga")
    page.keyboard.press("Enter")
    # The new question's first field has the focus; fill it in field by field.
    expect(page.locator("#f-q3-label-sv")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("Fråga 4 är tillagd.")
    page.keyboard.type("Bor du i området?")
    page.keyboard.press("Tab")
    page.keyboard.type("Do you live in the area?")
    tab_to(page, "", limit=1)  # help text, Svenska
    page.keyboard.press("Tab")  # help text, English
    page.keyboard.press("Tab")  # identifier
    page.keyboard.press("Control+A")
    page.keyboard.type("lives_here")
    for _ in range(3):  # type, required, then the new option's value
        page.keyboard.press("Tab")
    page.keyboard.type("yes")
    page.keyboard.press("Tab")
    page.keyboard.type("Ja")
    page.keyboard.press("Tab")
    page.keyboard.type("Yes")
    tab_to(page, "Flytta upp")
    expect(page.locator(":focus")).to_have_id("b-up-3")
    page.keyboard.press("Enter")
    # Moved, not saved: the focus stays on the question, now third.
    expect(page.locator("#b-up-2")).to_be_focused()
    expect(page.get_by_role("status")).to_contain_text("Frågan är flyttad upp till plats 3.")
    tab_to(page, "Spara utkastet")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Utkastet är sparat.")).to_be_visible()
    db.session.expire_all()
    draft = db.session.execute(
        sa.select(QuestionnaireVersion).filter(QuestionnaireVersion.number.is_(None))
    ).scalar_one()
    ids = [q["id"] for q in draft.definition["questions"]]
    assert ids == ["safe_now", "why_unsafe", "lives_here", "rating"]
    assert draft.definition["questions"][2]["options"] == [
        {"value": "yes", "label": {"sv": "Ja", "en": "Yes"}}
    ]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_editor_pages_have_no_serious_accessibility_violations(
    page, axe, coordinator, org, make_questionnaire, lang
):
    # A short questionnaire in three languages: axe takes long over Sanden's hundreds of fields.
    three = {"sv": "Trygg", "en": "Safe", "ar": "آمن"}
    make_questionnaire(
        org,
        slug="sanden-event",
        languages=["sv", "en", "ar"],
        title=three,
        questions=[
            {
                "id": "safe",
                "type": "single",
                "label": three,
                "required": True,
                "options": [{"value": "yes", "label": three}, {"value": "no", "label": three}],
            },
            {
                "id": "why",
                "type": "text",
                "label": three,
                "help": three,
                "show_if": {"question": "safe", "equals": "no"},
            },
            {"id": "rating", "type": "scale", "label": three, "min": 1, "max": 5},
        ],
    )
    sign_in(page, coordinator.email)
    page.goto("/questionnaires/sanden-event/edit")
    page.get_by_role("button", name="Spara utkastet").first.click()  # a draft to review
    urls = [
        "/new-questionnaire",
        "/questionnaires/sanden-event/edit",
        "/questionnaires/sanden-event/edit/text",
        "/questionnaires/sanden-event/publish",
        "/questionnaires/sanden-event/preview?language=sv",
        "/questionnaires/sanden-event/preview?language=ar",
    ]
    for url in urls:
        page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
        assert axe(page) == [], url
    # And with problems shown: each page's error state.
    page.goto(f"/new-questionnaire?lang={lang}")
    page.locator("#f-slug").fill("Inte OK")
    page.locator("form.stack button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the page with its problems
    assert axe(page) == [], "new, with problems"
    page.goto(f"/questionnaires/sanden-event/edit?lang={lang}")
    page.locator("#f-q0-id").fill("Inte OK")
    page.locator("#f-q1-min, #f-q0-onew-value").first.fill("!")
    page.locator(".save-bar button[value=save]").first.click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe(page) == [], "edit, with problems"
    page.goto(f"/questionnaires/sanden-event/edit/text?lang={lang}")
    page.locator("#definition").fill("slug: [")
    page.locator("form button[type=submit]").last.click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe(page) == [], "text, with problems"
