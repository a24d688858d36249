"""The live results wall in a real browser: residents answer through the form in
another page and the wall moves on within seconds, but only after k new answers;
below the threshold it shows no figures; it keeps its figures through a network
outage, says when it has been removed, fits a TV and a phone, and passes axe."""

import json
import re
import subprocess
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from surveyservice.extensions import db
from surveyservice.public import walls

from ..conftest import make_user
from .screens import keep
from .test_offline import wait_until_stored

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
    {"id": "why", "type": "longtext", "label": {"sv": "Varför?", "en": "Why?"}},
]


def _options(*labels):
    return [
        {"value": f"o{i}", "label": {"sv": sv, "en": en, "ar": ar}}
        for i, (sv, en, ar) in enumerate(labels, 1)
    ]


# Two questions of seven answers each: the most a wall is made for.
EVENT_QUESTIONS = [
    {
        "id": "feel",
        "type": "single",
        "label": {
            "sv": "Hur trygg känner du dig på Sanden i kväll?",
            "en": "How safe do you feel at Sanden tonight?",
            "ar": "ما مدى شعورك بالأمان في ساندن الليلة؟",
        },
        "options": _options(
            ("Mycket trygg", "Very safe", "آمن جدًا"),
            ("Ganska trygg", "Fairly safe", "آمن إلى حد ما"),
            ("Varken eller", "Neither", "لا هذا ولا ذاك"),
            ("Ganska otrygg", "Fairly unsafe", "غير آمن إلى حد ما"),
            ("Mycket otrygg", "Very unsafe", "غير آمن جدًا"),
            ("Vet inte", "Don't know", "لا أعرف"),
            ("Vill inte svara", "Rather not say", "أفضل عدم الإجابة"),
        ),
    },
    {
        "id": "better",
        "type": "multi",
        "label": {
            "sv": "Vad skulle göra platsen tryggare?",
            "en": "What would make the place safer?",
            "ar": "ما الذي يجعل المكان أكثر أمانًا؟",
        },
        "options": _options(
            ("Bättre belysning", "Better lighting", "إضاءة أفضل"),
            ("Fler vuxna ute", "More adults about", "المزيد من البالغين في المكان"),
            ("Polis eller ordningsvakter", "Police or guards", "الشرطة أو الحراس"),
            ("Mer för unga att göra", "More for young people", "أنشطة أكثر للشباب"),
            ("Renare och helare miljö", "Cleaner surroundings", "بيئة أنظف"),
            ("Bättre bussar", "Better buses", "حافلات أفضل"),
            ("Något annat", "Something else", "شيء آخر"),
        ),
    },
]


@pytest.fixture
def quick_wall(_app):
    """Walls poll every half second here, as a TV does every three, and give up a
    request after 2 s rather than 10."""
    _app.config["WALL_POLL_SECONDS"] = 0.5
    _app.config["WALL_TIMEOUT_SECONDS"] = 2
    yield
    _app.config.pop("WALL_POLL_SECONDS")
    _app.config.pop("WALL_TIMEOUT_SECONDS")


def send(app, point, count: int, answers: dict, language: str = "sv") -> None:
    """COUNT answers stored in one transaction, as a tablet's queue is: a poll between
    them would see only some and step the wall early."""
    item = {"version": 1, "language": language, "answers": answers}
    response = app.test_client().post(
        f"/api/v1/collect/{point.token}/responses:batch",
        json={"responses": [{**item, "id": str(uuid.uuid4())} for _ in range(count)]},
    )
    assert response.status_code == 200, response.json
    assert [r["status"] for r in response.json["results"]] == [201] * count, response.json


def answer_through_the_form(page, point, choice: str) -> None:
    page.goto(f"/f/{point.token}")
    page.get_by_role("group", name="Hur trygg känner du dig?").get_by_role(
        "radio", name=choice, exact=True
    ).check()
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page.get_by_role("heading", name="Tack för dina svar!")).to_be_visible()


def test_the_wall_moves_on_within_seconds_of_k_answers_through_the_form(
    app, org, browser, browser_context_args, make_questionnaire, make_point, page, quick_wall
):
    org.result_k = 3
    db.session.commit()
    point = make_point(make_questionnaire(org, questions=QUESTIONS))
    coordinator = make_user(org, "coordinator", "samordnare@example.org")
    wall = walls.create_wall(point, ["safe_now"], coordinator)
    db.session.commit()
    screen_context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    screen = screen_context.new_page()
    asked = []
    screen.on("request", lambda request: asked.append(request.url))
    screen.goto(f"/w/{wall.token}")
    expect(screen.locator("h1")).to_have_text("Trygghet")
    status = screen.get_by_role("status")
    expect(status).to_have_text("Väntar på fler svar")
    expect(screen.locator("#wall-message")).to_contain_text("minst 3 personer")
    keep(screen, "wall-waiting.png")

    # Below the threshold: no figures, however often the screen asks.
    send(app, point, 2, {"safe_now": "safe"})
    screen.wait_for_timeout(1500)
    expect(screen.locator(".row")).to_have_count(0)
    expect(screen.locator("#wall-total")).to_be_hidden()

    # At k the figures come, every cell that is too small in words.
    send(app, point, 3, {"safe_now": "unsafe"})
    expect(screen.locator("#wall-total")).to_have_text("5 svar", timeout=5000)
    expect(screen.locator(".row")).to_have_count(2)
    expect(screen.locator(".row.suppressed")).to_have_count(2)
    expect(screen.locator(".row-figure").first).to_have_text("färre än 3 svar")
    expect(status).to_contain_text("Uppdaterad")

    # Residents answer on their phones: k - 1 answers change nothing on the screen.
    for _ in range(2):
        answer_through_the_form(page, point, "Trygg")
    wait_until_stored(page, 7)
    screen.wait_for_timeout(1500)
    expect(screen.locator("#wall-total")).to_have_text("5 svar")
    expect(screen.locator(".row.suppressed")).to_have_count(2)
    # The k-th moves the wall on within a few seconds.
    answer_through_the_form(page, point, "Trygg")
    expect(screen.locator("#wall-total")).to_have_text("8 svar", timeout=5000)
    safe = screen.locator(".row", has_text="Trygg").first
    expect(safe.locator(".row-figure")).to_have_text("5 · 62\xa0%")
    expect(safe.locator(".fill")).to_have_class("fill w-62")
    expect(screen.locator(".row.suppressed")).to_have_count(0)
    keep(screen, "wall-moved-on.png")
    unsafe = screen.locator(".row", has_text="Otrygg")
    expect(unsafe.locator(".row-figure")).to_contain_text("3 · ")

    # All day on a TV: polls add no nodes, and the screen asks nothing of another site.
    nodes = screen.evaluate("document.getElementsByTagName('*').length")
    screen.wait_for_timeout(2000)
    assert screen.evaluate("document.getElementsByTagName('*').length") == nodes
    assert all(url.startswith(str(browser_context_args["base_url"])) for url in asked)
    assert screen_context.cookies() == []

    # The network drops: the figures stay, and the screen says so quietly.
    screen_context.set_offline(True)
    expect(status).to_have_text("Ansluter igen …", timeout=5000)
    keep(screen, "wall-offline.png")
    expect(screen.locator("#wall-total")).to_have_text("8 svar")
    screen_context.set_offline(False)
    expect(status).to_contain_text("Uppdaterad", timeout=10000)

    # Removed by the coordinator: the screen says so.
    walls.remove_wall(wall, coordinator)
    db.session.commit()
    expect(status).to_have_text("Den här resultatväggen har tagits bort.", timeout=5000)
    expect(screen.locator(".question")).to_be_hidden()
    expect(screen.locator("#wall-total")).to_be_hidden()
    expect(screen.locator(".qr")).to_be_hidden()
    keep(screen, "wall-removed.png")
    screen_context.close()


@pytest.mark.parametrize("abort", ["AbortController", "no AbortController"])
def test_a_poll_that_never_answers_is_given_up_and_the_wall_recovers(
    app, org, browser, browser_context_args, make_questionnaire, make_point, quick_wall, abort
):
    org.result_k = 3
    db.session.commit()
    point = make_point(make_questionnaire(org, questions=QUESTIONS))
    coordinator = make_user(org, "coordinator", "samordnare@example.org")
    wall = walls.create_wall(point, ["safe_now"], coordinator)
    db.session.commit()
    send(app, point, 3, {"safe_now": "safe"})
    context = browser.new_context(**{**browser_context_args, "service_workers": "block"})
    if abort == "no AbortController":
        # An older TV browser: the request cannot be cancelled, its late answer is ignored.
        context.add_init_script("delete window.AbortController;")
    screen = context.new_page()
    screen.goto(f"/w/{wall.token}")
    status = screen.get_by_role("status")
    total = screen.locator("#wall-total")
    expect(total).to_have_text("3 svar")
    screen.evaluate(
        """() => {
        window.seenTotals = [];
        const total = document.getElementById("wall-total");
        new MutationObserver(() => window.seenTotals.push(total.textContent))
            .observe(total, {childList: true, characterData: true, subtree: true});
    }"""
    )
    stale = json.loads(app.test_client().get(f"/w/{wall.token}/summary.json?lang=sv").data)
    stale["total"] = "999 svar"

    # A proxy that takes the request and never answers: the wall says it is trying
    # again and keeps its figures, rather than waiting for good.
    stuck = []

    def hold(route):
        stuck.append(route)  # neither fulfilled nor aborted

    summary_url = re.compile(r"/summary\.json")
    screen.route(summary_url, hold)
    expect(status).to_have_text("Ansluter igen …", timeout=6000)
    expect(total).to_have_text("3 svar")
    send(app, point, 3, {"safe_now": "unsafe"})
    screen.wait_for_timeout(2500)  # more polls given up, backing off
    assert len(stuck) >= 2
    if abort == "no AbortController":
        # The requests given up (all but the latest) answer at last, with other
        # figures: nothing shows them.
        for route in stuck[:-1]:
            route.fulfill(status=200, content_type="application/json", body=json.dumps(stale))
        screen.wait_for_timeout(500)
    # The proxy answers again: the wall recovers by itself.
    screen.unroute(summary_url, hold)
    expect(total).to_have_text("6 svar", timeout=15000)
    expect(status).to_contain_text("Uppdaterad")
    assert "999 svar" not in screen.evaluate("window.seenTotals")
    expect(total).to_have_text("6 svar")
    context.close()


def decode_qr(path: Path) -> list[str]:
    found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return found.stdout.split()


@pytest.fixture
def event_wall(app, org, make_questionnaire, make_point):
    org.result_k = 3
    db.session.commit()
    questionnaire = make_questionnaire(
        org,
        slug="sanden",
        title={"sv": "Trygghet på Sanden", "en": "Safety at Sanden", "ar": "الأمان في ساندن"},
        languages=["sv", "en", "ar"],
        questions=EVENT_QUESTIONS,
    )
    point = make_point(questionnaire)
    for option, count in zip(range(1, 8), (12, 9, 7, 5, 4, 3, 3), strict=True):
        chosen = sorted({f"o{option}", f"o{option % 7 + 1}"})
        send(app, point, count, {"feel": f"o{option}", "better": chosen})
    coordinator = make_user(org, "coordinator", "samordnare@example.org")
    wall = walls.create_wall(point, ["feel", "better"], coordinator)
    db.session.commit()
    return wall


SCREENS = [(1920, 1080), (1280, 720), (390, 844)]


def test_the_wall_at_200_percent_zoom_scrolls_but_loses_nothing(
    browser, browser_context_args, event_wall
):
    # A laptop of 1920x1080 at 200 %: the page is laid out for 960x540 CSS pixels.
    context = browser.new_context(
        **{**browser_context_args, "service_workers": "block"},
        viewport={"width": 960, "height": 540},
        device_scale_factor=2,
    )
    page = context.new_page()
    page.goto(f"/w/{event_wall.token}")
    expect(page.locator(".row")).to_have_count(14)
    keep(page, "wall-sv-200-percent.png")
    # Nothing runs off the side; every row and the code are on the page.
    assert page.evaluate("document.documentElement.scrollWidth <= innerWidth")
    for row in page.locator(".row-figure").all():
        assert row.bounding_box()["width"] > 0
    expect(page.locator(".qr")).to_be_visible()
    context.close()


@pytest.mark.parametrize("language", ["sv", "en", "ar"])
def test_the_wall_fits_a_tv_and_a_phone_and_passes_axe(
    browser, browser_context_args, live_server, event_wall, axe, tmp_path, language
):
    for width, height in SCREENS:
        context = browser.new_context(
            **{**browser_context_args, "service_workers": "block"},
            viewport={"width": width, "height": height},
        )
        page = context.new_page()
        page.goto(f"/w/{event_wall.token}?lang={language}")
        expect(page.locator(".row")).to_have_count(14)  # 7 + 7 options; everyone answered
        expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
        name = f"wall-{language}-{width}x{height}.png"
        shot = keep(page, name, full_page=False)
        if shot is None:
            shot = tmp_path / name
            page.screenshot(path=str(shot))
        # Two questions of seven answers: no scrolling on a TV, a laptop or a phone.
        overflow = page.evaluate(
            "[document.documentElement.scrollHeight - innerHeight,"
            " document.documentElement.scrollWidth - innerWidth]"
        )
        assert overflow[0] <= 0 and overflow[1] <= 0, (width, height, overflow)
        if width >= 1280:
            # Scannable from the screenshot, as a phone would from a few metres.
            assert decode_qr(shot) == [f"{live_server}/f/{event_wall.point.token}"]
            box = page.locator(".qr").bounding_box()
            assert box["height"] > height * 0.45, box
        if width == 1920:
            assert axe(page) == []
        context.close()


def test_a_coordinator_makes_a_wall_from_the_points_page_and_opens_it(
    page, org, make_questionnaire, make_point, axe
):
    from .test_offline import sign_in

    point = make_point(make_questionnaire(org, questions=QUESTIONS))
    coordinator = make_user(org, "coordinator", "samordnare@example.org")
    sign_in(page, coordinator.email)
    for width, height in ((390, 844), (1024, 768), (1440, 900)):
        page.set_viewport_size({"width": width, "height": height})
        page.goto(f"/collection-points/{point.id}?lang=sv")
        page.get_by_role("link", name="Skapa en resultatvägg").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Ny resultatvägg vid Sandenfestivalen"
        )
        questions = page.get_by_role("group", name="Frågor på väggen")
        # Only the choice question is offered, never the free text.
        expect(questions.get_by_role("checkbox")).to_have_count(1)
        # Nothing chosen: the problem shows beside the field.
        page.get_by_role("button", name="Skapa väggen").click()
        expect(page.get_by_role("alert")).to_have_text("Välj en eller två frågor.")
        keep(page, f"wall-form-problem-{width}.png")
        assert axe(page) == []
        questions.get_by_role("checkbox", name="Hur trygg känner du dig?").check()
        page.get_by_role("button", name="Skapa väggen").click()
        expect(page.get_by_role("status")).to_have_text("Resultatväggen är skapad.")
        keep(page, f"wall-list-sv-{width}.png")
        assert axe(page) == []
        page.goto("/walls?lang=en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Results walls")
        keep(page, f"wall-list-en-{width}.png")
        assert axe(page) == []
        page.get_by_role("link", name="Remove the wall at Sandenfestivalen").first.click()
        # axe waits for the page that asks, not the list it leaves.
        expect(page.get_by_role("button", name="Yes, remove the wall")).to_be_visible()
        assert axe(page) == []
        page.get_by_role("button", name="Yes, remove the wall").click()
        expect(page.get_by_role("status")).to_have_text("The results wall is removed.")
        page.goto("/walls?lang=sv")
    # The wall opens from the list, in the screen's language.
    page.goto(f"/collection-points/{point.id}")
    page.get_by_role("link", name="Skapa en resultatvägg").click()
    page.get_by_role("group", name="Frågor på väggen").get_by_role("checkbox").check()
    page.get_by_role("button", name="Skapa väggen").click()
    page.get_by_role("link", name="Ändra frågorna på väggen vid Sandenfestivalen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Ändra resultatväggen vid Sandenfestivalen"
    )
    expect(page.get_by_role("checkbox", name="Hur trygg känner du dig?")).to_be_checked()
    keep(page, "wall-edit.png")
    assert axe(page) == []
    page.get_by_role("button", name="Spara frågorna").click()
    expect(page.get_by_role("status")).to_have_text("Ändringarna är sparade.")
    page.get_by_role("link", name="Öppna väggen på English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Safety")
    expect(page.get_by_role("heading", name="How safe do you feel?")).to_be_visible()
    assert axe(page) == []
