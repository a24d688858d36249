"""An area's public page in a real browser: a coordinator chooses, previews and publishes
Sanden's page; residents read it in Swedish, English and Arabic, without an internal
note, a photo or a figure about too few people; nothing changes until the next publish.
The pages fit a phone, pass axe, and print."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from playwright.sync_api import expect

from surveyservice.accounts.models import Role
from surveyservice.areas.areas import find_area_by_name
from surveyservice.extensions import db
from surveyservice.public.models import Promise, PromiseNote, PromiseStatus

from ..conftest import make_user
from ..walk_data import record_walk, upload_photo, walk_point, walk_questionnaire
from .screens import keep
from .test_offline import sign_in

SIZES = ((390, 844), (1024, 768), (1440, 900))
QUESTIONS = [
    {
        "id": "safe_now",
        "type": "single",
        "label": {
            "sv": "Hur trygg känner du dig?",
            "en": "How safe do you feel?",
            "ar": "ما مدى شعورك بالأمان؟",
        },
        "options": [
            {"value": "safe", "label": {"sv": "Trygg", "en": "Safe", "ar": "آمن"}},
            {"value": "unsafe", "label": {"sv": "Otrygg", "en": "Unsafe", "ar": "غير آمن"}},
        ],
    },
    {
        "id": "rating",
        "type": "scale",
        "label": {
            "sv": "Hur trivs du här?",
            "en": "How do you like it here?",
            "ar": "هل يعجبك المكان؟",
        },
        "min": 1,
        "max": 5,
    },
]
INTERNAL_NOTE = "Intern anteckning: grannen på nummer 5 klagar"
PUBLIC_NOTE = "Ny belysning uppsatt i gångtunneln"


def send(client, point, count: int, answers: dict) -> None:
    for _ in range(count):
        response = client.post(
            f"/api/v1/collect/{point.token}/responses",
            json={"id": str(uuid.uuid4()), "version": 1, "language": "sv", "answers": answers},
        )
        assert response.status_code == 201, response.json


def add_promise(org, area, texts: dict, **fields) -> Promise:
    # The promise pages are another branch's: the promise is written with the model here.
    promise = Promise(
        organisation_id=org.id,
        first_year=2026,
        last_year=2027,
        texts=texts,
        status=fields.pop("status", PromiseStatus.IN_PROGRESS.value),
        areas=[area],
        **fields,
    )
    db.session.add(promise)
    db.session.commit()
    return promise


@pytest.fixture
def sanden(app, org, make_questionnaire, make_point):
    """Sanden with answers, a walk's observations (two marked public) and a promise."""
    area = find_area_by_name(org.id, "Sanden")
    questionnaire = make_questionnaire(
        org,
        slug="sanden-2026",
        title={"sv": "Trygghet i Sanden", "en": "Safety in Sanden", "ar": "الأمان في ساندن"},
        languages=["sv", "en", "ar"],
        questions=QUESTIONS,
    )
    point = make_point(questionnaire, name="Sandenfestivalen")
    client = app.test_client()
    send(client, point, 10, {"safe_now": "safe", "rating": 4})
    send(client, point, 2, {"safe_now": "unsafe", "rating": 1})  # too few to show
    small = make_questionnaire(
        org,
        slug="kvall",
        title={"sv": "Kvällsenkät", "en": "Evening survey", "ar": "استبيان المساء"},
        languages=["sv", "en", "ar"],
        questions=QUESTIONS,
    )
    send(client, make_point(small, name="Kvällsträff"), 3, {"safe_now": "unsafe"})

    walk = walk_point(walk_questionnaire(org), name="Vandring i Sanden", area="Sanden")
    photo = upload_photo(walk)
    stops = [
        (
            {
                "place": {"lat": 58.3801, "lon": 12.3240, "accuracy": 8, "source": "gps"},
                "categories": ["lighting"],
                "severity": "4",
                "note": "Lampan i tunneln är trasig",
                "photo": [photo],
            },
            58.3801,
            12.3240,
            8.0,
        ),
        ({"place": {"place": "playground"}, "categories": ["litter"], "severity": "2"}, 0, 0, None),
        (
            {"place": {"place": "car_park"}, "categories": ["vegetation"], "severity": "3"},
            0,
            0,
            None,
        ),
    ]
    lamp, playground, car_park = record_walk(walk, stops)
    car_park.public_note = "Buskarna ska klippas"
    db.session.commit()

    promise = add_promise(
        org,
        area,
        {
            "sv": "Fyra trygghetsvandringar i Sanden",
            "en": "Four safety walks in Sanden",
            "ar": "أربع جولات سلامة في ساندن",
        },
        promised_count=4,
        done_count=2,
        done_texts={"sv": "Två vandringar gjorda", "en": "Two walks done", "ar": "تمت جولتان"},
    )
    db.session.add(
        PromiseNote(
            promise_id=promise.id,
            noted_on=date(2026, 9, 1),
            texts={"sv": "Andra vandringen gjord", "en": "Second walk done"},
        )
    )
    db.session.commit()
    return {
        "area": area,
        "lamp": lamp,
        "playground": playground,
        "car_park": car_park,
        "photo": photo,
        "point": point,
    }


def mark_public(page, observation, public_note="", internal_note="", status=None) -> None:
    """The coordinator marks the observation for the public page on its follow-up form."""
    page.goto(f"/walks/observations/{observation.id}?lang=en")
    if status:
        page.get_by_label("Status", exact=True).select_option(status)
    page.get_by_label("Public note").fill(public_note)
    page.get_by_label("Internal note").fill(internal_note)
    page.get_by_role("checkbox", name="Show on the area's public page").check()
    page.get_by_role("button", name="Save the follow-up").click()
    expect(page.get_by_role("status")).to_contain_text("The follow-up is saved")


def mark_in_setup(sanden) -> None:
    """The same marks as the first test's, for the tests that look at the page only."""
    lamp = sanden["lamp"]
    lamp.public, lamp.status = True, "fixed"
    lamp.public_note, lamp.internal_note = PUBLIC_NOTE, INTERNAL_NOTE
    sanden["playground"].public = True
    db.session.commit()


def resident_page(browser, browser_context_args, width=390, height=844):
    context = browser.new_context(
        **{**browser_context_args, "service_workers": "block"},
        viewport={"width": width, "height": height},
    )
    return context, context.new_page()


def fits(page, width: int) -> None:
    scroll = page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll <= width, (page.url, width, scroll)


def test_coordinator_publishes_and_residents_read_it_in_three_languages(
    page, browser, browser_context_args, live_server, org, sanden, axe
):
    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    sign_in(page, coordinator.email)
    mark_public(page, sanden["lamp"], PUBLIC_NOTE, INTERNAL_NOTE, status="fixed")
    mark_public(page, sanden["playground"])
    page.goto("/start?lang=sv")
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Offentliga sidor"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offentliga sidor")
    row = page.get_by_role("row", name="Sanden")
    expect(row).to_contain_text("Aldrig publicerad")
    row.get_by_role("link", name="Sanden", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Offentlig sida för Sanden")

    # A wrong period is refused at its field, and nothing is kept.
    adding = page.get_by_role("group", name="Lägg till en enkät")
    adding.get_by_label("Enkät").select_option(label="Trygghet i Sanden")
    adding.get_by_label("Från (första dagen)").fill("2026-08-31")
    adding.get_by_label("Till (sista dagen)").fill("2026-06-01")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("alert")).to_contain_text("Sista dagen kan inte vara före den första")
    # The row typed is kept, with the problem at its field.
    typed = page.get_by_role("group", name="Enkät 1")
    expect(typed.get_by_label("Till (sista dagen)")).to_have_attribute("aria-invalid", "true")
    expect(typed.get_by_label("Från (första dagen)")).to_have_value("2026-08-31")
    assert axe(page) == []
    # Both questionnaires, every answer so far.
    typed.get_by_label("Från (första dagen)").fill("")
    typed.get_by_label("Till (sista dagen)").fill("")
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("status")).to_contain_text("Sparat")
    page.get_by_role("group", name="Lägg till en enkät").get_by_label("Enkät").select_option(
        label="Kvällsenkät"
    )
    page.get_by_role("button", name="Spara").click()
    expect(page.get_by_role("group", name="Enkät 2").get_by_label("Enkät")).to_have_value("kvall")

    # Before the publish, residents find no page.
    context, resident = resident_page(browser, browser_context_args)
    response = resident.goto("/a/sanden")
    assert response.status == 404
    expect(resident.get_by_role("heading", level=1)).to_have_text("Ingen sida här än")

    # The preview: the live data, with a banner, in Arabic too.
    page.get_by_role("link", name="Förhandsvisa på arabiska").click()
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("note").first).to_contain_text("معاينة – غير منشورة")
    expect(page.get_by_text("أربع جولات سلامة في ساندن")).to_be_visible()
    keep(page, "preview-ar-390.png")
    page.get_by_role("link", name="Svenska").click()
    expect(page.get_by_role("note").first).to_contain_text("Förhandsvisning – inte publicerad")
    assert axe(page) == []
    page.get_by_role("link", name="Tillbaka till publiceringen").click()
    page.get_by_role("button", name="Publicera sidan").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Publicering 1 finns nu på den offentliga sidan"
    )
    expect(page.get_by_role("row", name="Publicering 1")).to_contain_text("samordnare@example.org")

    # Residents read it.
    # The address was asked for before: the browser asks again, and gets the page.
    response = resident.goto("/a/sanden")
    assert response.status == 200
    assert "set-cookie" not in response.headers
    expect(resident.get_by_role("heading", level=1)).to_have_text("Vad som hände i Sanden")
    for heading in (
        "Vad vi frågade och vad ni svarade",
        "Vad vi såg på trygghetsvandringar",
        "Vad vi lovade och vad vi gjorde",
    ):
        expect(resident.get_by_role("heading", level=2, name=heading)).to_be_visible()
    expect(
        resident.get_by_role("heading", name="Fyra trygghetsvandringar i Sanden")
    ).to_be_visible()
    expect(resident.get_by_text("lovat 4 – gjort 2")).to_be_visible()
    expect(resident.get_by_text(PUBLIC_NOTE)).to_be_visible()
    expect(resident.get_by_text("Lekplatsen")).to_be_visible()
    expect(resident.get_by_role("link", name="ungefär här")).to_have_attribute(
        "href",
        "geo:58.3799,12.3237",  # the 100 m cell around 58.3801, 12.3240
    )
    html = resident.content()
    assert INTERNAL_NOTE not in html and "Buskarna" not in html and "Parkeringen" not in html
    assert sanden["photo"] not in html
    expect(resident.locator("img, script, iframe")).to_have_count(0)
    # The two who felt unsafe are too few to show; the evening survey's three, too.
    chart = resident.get_by_role("table", name="Hur trygg känner du dig?").first
    unsafe = chart.get_by_role("row", name="Otrygg")
    expect(unsafe).to_contain_text("för få svar")
    assert not any(ch.isdigit() for ch in unsafe.inner_text())
    evening = resident.get_by_role("article", name="Kvällsenkät")
    expect(evening).to_contain_text("Färre än 5 personer har svarat här hittills")
    expect(evening.get_by_role("table")).to_have_count(0)
    assert axe(resident) == []
    first_sv = resident.locator("main").inner_html()

    for lang, title in (("en", "What happened in Sanden"), ("ar", "ما حدث في Sanden")):
        resident.get_by_role(
            "navigation", name="Språk" if lang == "en" else "Language"
        ).get_by_role("link", name={"en": "English", "ar": "العربية"}[lang]).click()
        expect(resident.get_by_role("heading", level=1)).to_have_text(title)
        expect(resident.locator("html")).to_have_attribute("lang", lang)
        assert axe(resident) == [], lang
    expect(resident.locator("html")).to_have_attribute("dir", "rtl")
    expect(resident.get_by_text("أربع جولات سلامة في ساندن")).to_be_visible()
    # Swedish where the Arabic text is missing, marked so.
    expect(resident.get_by_text("Andra vandringen gjord")).to_have_attribute("lang", "sv")

    # New data waits for the next publish.
    mark_public(page, sanden["car_park"], "Buskarna ska klippas")
    page.goto("/start?lang=sv")
    # The coordinator writes a new promise for Sanden on the promise pages.
    page.get_by_role("navigation", name="Huvudmeny").get_by_role(
        "link", name="Medborgarlöften"
    ).click()
    page.get_by_role("link", name="Nytt löfte").click()
    page.get_by_label("Första år").fill("2026")
    page.locator("#field-last_year").fill("2026")
    page.get_by_label("Vad som utlovas, på svenska").fill("Mer vuxna ute på kvällarna")
    page.get_by_label("Sanden", exact=True).check()
    page.get_by_role("button", name="Spara löftet").click()
    expect(page.get_by_role("status").first).to_have_text("Löftet är sparat.")
    resident.goto("/a/sanden")
    resident.reload()  # past the five minutes a browser may keep the page
    assert resident.locator("main").inner_html() == first_sv
    expect(resident.get_by_text("Mer vuxna ute på kvällarna")).to_have_count(0)
    page.get_by_role("link", name="Offentliga sidor", exact=True).first.click()
    expect(page.get_by_role("row", name="Sanden")).to_contain_text(
        "Ändringar väntar på nästa publicering"
    )
    page.get_by_role("link", name="Sanden", exact=True).click()
    page.get_by_role("button", name="Publicera sidan").click()
    expect(page.get_by_role("status")).to_contain_text("Publicering 2")
    resident.reload()
    expect(resident.get_by_text("Mer vuxna ute på kvällarna")).to_be_visible()
    expect(resident.get_by_text("Parkeringen")).to_be_visible()
    # The first publication is kept as it was.
    page.get_by_role("link", name="Publicering 1").click()
    expect(page.get_by_role("note").first).to_contain_text("Publicering 1")
    expect(page.get_by_text("Mer vuxna ute på kvällarna")).to_have_count(0)

    # A resident who answers at the festival is told where to follow what happens.
    resident.goto(f"/f/{sanden['point'].token}")
    resident.get_by_role("radio", name="Trygg", exact=True).check()
    resident.get_by_role("button", name="Skicka svaren").click()
    expect(resident.get_by_role("heading", name="Tack för dina svar!")).to_be_visible()
    follow = resident.locator("#done .follow-up")
    expect(follow).to_contain_text("Följ vad som händer i Sanden:")
    expect(follow.get_by_role("link")).to_have_attribute("href", f"{live_server}/a/sanden")
    keep(resident, "thanks-follow-up-390.png")
    assert axe(resident) == []
    context.close()


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_public_page_fits_every_screen_prints_and_passes_axe(
    browser, browser_context_args, org, sanden, axe, lang
):
    from surveyservice.public.pages import page_for, publish, set_results
    from surveyservice.questionnaires.versions import list_questionnaires

    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    mark_in_setup(sanden)
    page_model = page_for(sanden["area"])
    questionnaires = {q.slug: q.id for q in list_questionnaires(org.id)}
    set_results(
        page_model,
        [
            {"questionnaire_id": questionnaires["sanden-2026"]},
            {"questionnaire_id": questionnaires["kvall"]},
        ],
        coordinator,
    )
    publish(page_model, coordinator)
    db.session.commit()
    for width, height in SIZES:
        context, resident = resident_page(browser, browser_context_args, width, height)
        resident.goto(f"/a/sanden?lang={lang}")
        fits(resident, width)
        keep(resident, f"public-{lang}-{width}.png")
        if width == 390:
            assert axe(resident) == []
        context.close()
    # 200 % zoom of a 1280 px window: 640 px; and the 320 px of a phone held upright.
    for width in (640, 320):
        context, resident = resident_page(browser, browser_context_args, width, 700)
        resident.goto(f"/a/sanden?lang={lang}")
        fits(resident, width)
        if width == 320:
            keep(resident, f"public-{lang}-320.png")
        context.close()
    # Printed: no navigation, black on white, the place's coordinates written out.
    context, resident = resident_page(browser, browser_context_args, 794, 1123)
    resident.goto(f"/a/sanden?lang={lang}")
    resident.emulate_media(media="print")
    expect(resident.locator("nav")).to_have_count(2)
    for nav in resident.locator("nav").all():
        expect(nav).to_be_hidden()
    colour = resident.evaluate("getComputedStyle(document.querySelector('h1')).color")
    assert colour == "rgb(0, 0, 0)"
    after = resident.evaluate(
        "getComputedStyle(document.querySelector('a.geo'), '::after').content"
    )
    assert "geo:" in after
    pdf = resident.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    if shot := keep(resident, f"public-{lang}-print.png"):
        shot.with_suffix(".pdf").write_bytes(pdf)
    context.close()


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_coordinator_pages_fit_every_screen_and_pass_axe(
    browser, browser_context_args, org, sanden, axe, lang
):
    from surveyservice.public.pages import page_for, publish

    coordinator = make_user(org, Role.COORDINATOR, "samordnare@example.org")
    mark_in_setup(sanden)
    publish(page_for(sanden["area"]), coordinator)
    db.session.commit()
    area_id = sanden["area"].id
    urls = {
        "index": "/public-pages",
        "area": f"/public-pages/{area_id}",
        "poster": f"/public-pages/{area_id}/poster",
        "publication": f"/public-pages/{area_id}/publications/1?language={lang}",
    }
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    page = context.new_page()
    sign_in(page, coordinator.email)
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        for name, url in urls.items():
            page.goto(f"{url}{'&' if '?' in url else '?'}lang={lang}")
            keep(page, f"coordinator-{name}-{lang}-{width}.png")
            fits(page, width)
            if width == 1024:
                assert axe(page) == [], name
        if width == 1024:
            # The festival's poster links to the page, with a small QR code.
            page.goto(f"/collection-points/{sanden['point'].id}/poster?lang={lang}")
            follow = page.locator(".follow-up")
            expect(follow).to_contain_text("Följ vad som händer i Sanden:")
            assert follow.locator("img").evaluate("img => img.naturalWidth") > 0
            keep(page, f"point-poster-{lang}-{width}.png")
    context.close()


@pytest.mark.parametrize("size", ["A4", "A3"])
def test_point_posters_with_the_follow_up_line_still_print_on_one_page(
    page, org, coordinator, make_point, size
):
    import yaml

    from surveyservice.public.pages import page_for, publish
    from surveyservice.questionnaires.versions import create_questionnaire, publish_draft

    from .test_staff_pages import FORMS
    from .test_workspace import pdf_pages

    publish(page_for(find_area_by_name(org.id, "Sanden")), coordinator)
    db.session.commit()
    sign_in(page, coordinator.email)
    # The shipped questionnaires in all their languages: the longest posters there are.
    for path in sorted(FORMS.glob("*.yaml")):
        questionnaire = create_questionnaire(org, yaml.safe_load(path.read_text(encoding="utf-8")))
        publish_draft(questionnaire)
        db.session.commit()
        point = make_point(questionnaire, name="Sandenfestivalen och Torpadagen 2026")
        page.goto(f"/collection-points/{point.id}/poster?size={size.lower()}")
        expect(page.locator(".follow-up img")).to_have_js_property("complete", True)
        page.emulate_media(media="print")
        pdf = page.pdf(format=size, prefer_css_page_size=True)
        assert pdf_pages(pdf) == 1, (path.name, size)
        if size == "A4":
            keep(page, f"point-poster-print-{path.stem}.png")
        page.emulate_media(media="screen")
