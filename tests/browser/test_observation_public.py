"""Marking an observation for the area's public page in a real browser: with the
keyboard alone, the checkbox named and described by what becomes public; on a phone,
a laptop and a wide screen in Swedish and English, passing axe."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from surveyservice.accounts.models import Role
from surveyservice.extensions import db
from surveyservice.walks.models import Observation

from ..conftest import make_user
from ..walk_data import record_walk, upload_photo, walk_point, walk_questionnaire
from .screens import keep
from .test_offline import sign_in

HINT = (
    "Residents will see the category, the place (the named place, or the position rounded "
    "to about 100 m), the date, the status and the public note; never the photos, the "
    "internal note or the walk's other answers. It shows once Torpa's public page is next "
    "published."
)


@pytest.fixture
def observation(org):
    point = walk_point(walk_questionnaire(org))
    stop = {
        "place": {"lat": 58.3812, "lon": 12.3241, "accuracy": 6, "source": "gps"},
        "categories": ["lighting"],
        "severity": "3",
        "note": "Mörkt vid busshållplatsen",
        "photo": [upload_photo(point)],
    }
    [found] = record_walk(point, [(stop, None, None, None)])
    return found


def test_a_coordinator_marks_an_observation_public_with_the_keyboard(page, org, observation, axe):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    sign_in(page, coordinator.email)
    page.goto(f"/walks/observations/{observation.id}?lang=en")

    box = page.get_by_role("checkbox", name="Show on the area's public page")
    expect(box).not_to_be_checked()
    # A screen reader reads what becomes public with the box's name.
    expect(box).to_have_accessible_description(HINT)
    for _ in range(60):
        page.keyboard.press("Tab")
        if box.evaluate("element => element === document.activeElement"):
            break
    else:
        raise AssertionError("Tab never reached the checkbox")
    page.keyboard.press("Space")
    expect(box).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Internal note")).to_be_focused()
    page.keyboard.press("Tab")
    save = page.get_by_role("button", name="Save the follow-up")
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("status")).to_contain_text("The follow-up is saved")
    expect(box).to_be_checked()
    expect(page.locator("ol.history > li").first).to_contain_text(
        "On the area's public page: Not shown → Shown"
    )
    assert axe(page) == []
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).public is True

    # And off again, the same way.
    box.focus()
    page.keyboard.press("Space")
    expect(box).not_to_be_checked()
    page.keyboard.press("Enter")  # Enter in a form's checkbox submits the form
    expect(page.get_by_role("status")).to_contain_text("The follow-up is saved")
    expect(box).not_to_be_checked()
    db.session.expire_all()
    assert db.session.get(Observation, observation.id).public is False


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_the_observation_page_with_its_checkbox_fits_every_screen_and_passes_axe(
    browser, browser_context_args, org, observation, axe, lang
):
    admin = make_user(org, Role.ADMIN, "admin@example.org")
    other = db.session.execute(select(Observation)).scalar_one()
    assert other.id == observation.id
    context = browser.new_context(
        **browser_context_args, locale="sv-SE" if lang == "sv" else "en-GB"
    )
    page = context.new_page()
    sign_in(page, admin.email)
    for width, height in ((390, 844), (1024, 768), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/walks/observations/{observation.id}?lang={lang}")
        expect(page.locator("#field-public")).to_be_visible()
        scroll = page.evaluate("document.scrollingElement.scrollWidth")
        assert scroll <= width, (width, scroll)
        assert axe(page) == [], (lang, width)
        # The box and its label side by side, the hint below them.
        box = page.locator("#field-public").bounding_box()
        label = page.locator("label[for=field-public]").bounding_box()
        hint = page.locator("#hint-public").bounding_box()
        assert label["x"] > box["x"] + box["width"] - 1
        assert hint["y"] >= max(box["y"] + box["height"], label["y"] + label["height"]) - 1
        page.locator(".public-mark").scroll_into_view_if_needed()
        keep(page, f"observation-public-{lang}-{width}x{height}.png")
    context.close()
