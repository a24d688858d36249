"""The citizen promises in a real browser: a coordinator writes a promise and a progress
note with the keyboard only, is led to the field a mistake is in, and the pages pass
axe and read well at a phone's, a tablet's and a desktop's width."""

import sqlalchemy as sa
from playwright.sync_api import expect

from surveyservice.accounts.models import Role
from surveyservice.extensions import db
from surveyservice.public.models import Promise

from ..conftest import make_user
from .screens import keep
from .test_offline import sign_in

SIZES = [(390, 844), (1024, 768), (1440, 900)]


def tab_to(page, locator, limit: int = 60) -> None:
    """Press Tab until the element has the focus, as a keyboard user would."""
    handle = locator.element_handle()
    for _ in range(limit):
        if page.evaluate("(el) => document.activeElement === el", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def focused(page) -> str:
    return page.evaluate("document.activeElement.id || document.activeElement.textContent")


def the_promise() -> Promise:
    db.session.expire_all()
    return db.session.execute(sa.select(Promise)).scalar_one()


def test_a_coordinator_writes_a_promise_and_a_note_with_the_keyboard_only(page, org, axe):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    problems = []
    # Console errors (a Content-Security-Policy violation is one); a failed load is the
    # browser's word for the 422 of a form sent back, or its own ask for /favicon.ico.
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, coordinator.email)
    nav = page.get_by_role("navigation", name="Huvudmeny")
    tab_to(page, nav.get_by_role("link", name="Medborgarlöften"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Medborgarlöften")
    expect(page.get_by_text("Inga löften ännu.")).to_be_visible()
    assert axe(page) == []

    tab_to(page, page.get_by_role("link", name="Nytt löfte"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nytt löfte")
    expect(page.get_by_text("Namn, telefonnummer, e-postadresser")).to_be_visible()
    tab_to(page, page.get_by_label("Första år"))
    page.keyboard.press("Control+A")
    page.keyboard.type("2026")
    page.keyboard.press("Tab")
    assert focused(page) == "field-last_year"
    page.keyboard.press("Control+A")
    page.keyboard.type("2027")
    page.keyboard.press("Tab")
    assert focused(page) == "field-text_sv"
    page.keyboard.type("Fyra trygghetsvandringar i Torpa under året. Frågor: 070-123 45 67.")
    # No area ticked yet: the form comes back, saying where.
    tab_to(page, page.get_by_role("button", name="Spara löftet"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Områden: Välj minst ett område.")
    expect(summary).to_be_focused()
    assert axe(page) == []
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert focused(page) == "field-areas"
    expect(page.get_by_label("Vad som utlovas, på svenska")).to_have_value(
        "Fyra trygghetsvandringar i Torpa under året. Frågor: 070-123 45 67."
    )
    expect(page.locator("fieldset", has=page.locator("#field-areas"))).to_have_attribute(
        "aria-describedby", "problem-areas"
    )
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Torpa")).to_be_focused()
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Utlovat antal"))
    page.keyboard.type("4")
    tab_to(page, page.get_by_label("Inte påbörjat"))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Pågår")).to_be_checked()
    tab_to(page, page.get_by_label("Antal genomförda"))
    page.keyboard.type("1")
    tab_to(page, page.get_by_role("button", name="Spara löftet"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_have_text("Löftet är sparat.")
    promise = the_promise()
    assert (promise.first_year, promise.last_year, promise.status) == (2026, 2027, "in_progress")
    assert [a.name for a in promise.areas] == ["Torpa"]
    assert (promise.promised_count, promise.done_count) == (4, 1)
    assert "070-123 45 67" not in promise.texts["sv"]
    expect(page.get_by_text("070-123 45 67")).to_have_count(0)
    expect(page.get_by_text("Utlovat 4, genomfört 1")).to_be_visible()

    tab_to(page, page.get_by_label("Anteckning på svenska"))
    page.keyboard.type("Den första vandringen hölls i mars.")
    tab_to(page, page.get_by_role("button", name="Lägg till anteckningen"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_have_text("Anteckningen är tillagd.")
    promise = the_promise()
    assert [n.texts for n in promise.notes] == [{"sv": "Den första vandringen hölls i mars."}]
    expect(page.locator(".promise-notes")).to_contain_text("Den första vandringen hölls i mars.")
    assert axe(page) == []

    # The list: the period, the text, the areas, the status and the count.
    tab_to(page, page.get_by_role("link", name="Medborgarlöften").first)
    page.keyboard.press("Enter")
    item = page.locator(".promise-item")
    expect(page.get_by_role("heading", level=2)).to_have_text("2026–2027")
    expect(item).to_contain_text("Fyra trygghetsvandringar i Torpa")
    expect(item).to_contain_text("Torpa")
    expect(item).to_contain_text("Pågår")
    expect(item).to_contain_text("Utlovat 4, genomfört 1")
    assert axe(page) == []
    assert problems == []


def test_the_promise_pages_pass_axe_in_english_and_fit_every_width(page, org, axe):
    from datetime import date

    from surveyservice.areas.areas import find_area_by_name
    from surveyservice.public.promises import add_note, create_promise

    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    areas = [find_area_by_name(org.id, name).id for name in ("Sanden", "Torpa")]
    texts = {
        "sv": "Fler vuxna närvarande på Sanden under sommarfestivalen, särskilt kvällar och "
        "helger, i samarbete med föreningarna och fältassistenterna.",
        "en": "More adults present at Sanden during the summer festival.",
    }
    promise = create_promise(
        org.id,
        None,
        {
            "first_year": 2026,
            "last_year": 2027,
            "texts": texts,
            "area_ids": areas,
            "promised_count": 4,
            "status": "partly_done",
            "done_texts": {"sv": "Tre kvällar med vuxenvandrare."},
            "done_count": 3,
        },
    )
    create_promise(
        org.id,
        None,
        {
            "first_year": 2025,
            "last_year": 2025,
            "texts": {"sv": "Trygghetsvandring i Torpa."},
            "area_ids": areas[1:],
            "promised_count": None,
            "status": "done",
            "done_texts": None,
            "done_count": None,
        },
    )
    note = add_note(promise, None, date(2026, 6, 20), {"sv": "Första kvällen."}, date(2026, 6, 20))
    db.session.commit()
    sign_in(page, coordinator.email)
    pages = {
        "list": "/promises",
        "promise": f"/promises/{promise.id}",
        "edit": f"/promises/{promise.id}/edit",
        "remove": f"/promises/{promise.id}/remove",
        "remove-note": f"/promises/{promise.id}/notes/{note.id}/remove",
    }
    for lang in ("sv", "en"):
        for name, url in pages.items():
            page.set_viewport_size({"width": 1024, "height": 768})
            page.goto(f"{url}?lang={lang}")
            assert axe(page) == [], (lang, url)
            for width, height in SIZES:
                page.set_viewport_size({"width": width, "height": height})
                assert page.evaluate("document.documentElement.scrollWidth") <= width, (
                    lang,
                    url,
                    width,
                )
                keep(page, f"promises-{name}-{lang}-{width}.png")
    # The forms sent back with problems, at a phone's width.
    page.set_viewport_size({"width": 390, "height": 844})
    for lang in ("sv", "en"):
        page.goto(f"/promises/{promise.id}/edit?lang={lang}")
        page.get_by_label("Antal genomförda" if lang == "sv" else "Number done").fill("många")
        page.locator("#field-first_year").fill("1999")
        page.locator("#field-text_sv").fill("")
        page.get_by_role(
            "button", name="Spara ändringarna" if lang == "sv" else "Save changes"
        ).click()
        expect(page.get_by_role("alert")).to_be_focused()
        expect(page.locator(".field-problem")).to_have_count(3)
        assert axe(page) == [], lang
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        keep(page, f"promises-edit-problems-{lang}-390.png")
        page.goto(f"/promises/{promise.id}?lang={lang}")
        page.locator("#field-noted_on").fill("2999-01-01")
        page.get_by_role(
            "button", name="Lägg till anteckningen" if lang == "sv" else "Add the note"
        ).click()
        expect(page.get_by_role("alert")).to_be_focused()
        expect(page.locator(".field-problem")).to_have_count(2)
        assert axe(page) == [], lang
    # The English list shows the Swedish text where there is no English one, marked so.
    page.goto("/promises?lang=en")
    expect(page.locator('.promise-text[lang="sv"]')).to_have_text("Trygghetsvandring i Torpa.")
    expect(page.get_by_text("More adults present at Sanden")).to_be_visible()
    expect(page.get_by_text("Promised 4, done 3")).to_be_visible()
    # 200 % zoom at a desktop width is a 720 px wide page: nothing runs off the side.
    page.set_viewport_size({"width": 720, "height": 450})
    for url in pages.values():
        page.goto(f"{url}?lang=en")
        assert page.evaluate("document.documentElement.scrollWidth") <= 720, url
