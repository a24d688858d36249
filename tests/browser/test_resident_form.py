"""The resident's path in a real browser: scan, answer, thanks; with and without script,
in Swedish and Arabic; accessible, small, and stored exactly once."""

import gzip
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from surveyservice.collection.models import Response
from surveyservice.extensions import db
from surveyservice.questionnaires.versions import find_questionnaire

FORMS = Path(__file__).resolve().parents[2] / "forms"

# What a resident picks, by the texts they see.
ANSWERS = {
    "sv": {
        "safety_now": ("Hur trygg eller otrygg känner du dig på Sanden just nu?", "Ganska trygg"),
        "safety_evening": ("Hur trygg skulle du känna dig om du var ensam", "Ganska otrygg"),
        "safer_by": ("Vad skulle göra dig tryggare på Sanden?", ["Bättre belysning", "Annat"]),
        "other_label": "Vad mer skulle göra dig tryggare?",
        "comment_label": "Vill du säga något mer om tryggheten på Sanden?",
        "send": "Skicka svaren",
        "thanks": "Tack för dina svar!",
    },
    "en": {
        "safety_now": ("How safe or unsafe do you feel at Sanden right now?", "Fairly safe"),
        "safety_evening": ("How safe would you feel alone here late", "Fairly unsafe"),
        "safer_by": (
            "What would make you feel safer at Sanden?",
            ["Better lighting", "Something else"],
        ),
        "other_label": "What else would make you feel safer?",
        "comment_label": "Is there anything else you want to tell us about safety at Sanden?",
        "send": "Send answers",
        "thanks": "Thank you for your answers!",
    },
    "ar": {
        "safety_now": ("إلى أي مدى تشعر بالأمان أو عدم الأمان في ساندن الآن؟", "آمن إلى حد ما"),
        "safety_evening": ("إلى أي مدى ستشعر بالأمان لو كنت وحدك", "غير آمن إلى حد ما"),
        "safer_by": ("ما الذي سيجعلك تشعر بأمان أكبر في ساندن؟", ["إضاءة أفضل", "شيء آخر"]),
        "other_label": "ما الشيء الآخر الذي سيجعلك تشعر بأمان أكبر؟",
        "comment_label": "هل تريد أن تضيف شيئًا آخر عن الأمان في ساندن؟",
        "send": "إرسال الإجابات",
        "thanks": "شكرًا على إجاباتك!",
    },
}


@pytest.fixture
def sanden(runner, org, make_point):
    runner.invoke(args=["forms", "sync", str(FORMS)])
    return make_point(find_questionnaire(org.id, "sanden-event"))


@pytest.fixture
def no_script_page(browser, browser_context_args):
    context = browser.new_context(**{**browser_context_args, "java_script_enabled": False})
    yield context.new_page()
    context.close()


def stored():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def fill_in(page, lang: str, script: bool) -> None:
    texts = ANSWERS[lang]
    for qid in ("safety_now", "safety_evening"):
        legend, choice = texts[qid]
        page.get_by_role("group", name=legend).get_by_role("radio", name=choice, exact=True).check()
    legend, choices = texts["safer_by"]
    for choice in choices:
        page.get_by_role("group", name=legend).get_by_role(
            "checkbox", name=choice, exact=True
        ).check()
    other = page.get_by_label(texts["other_label"])
    if script:
        expect(other).to_be_visible()
    other.fill("Fler bänkar")
    page.get_by_label(texts["comment_label"]).fill("Ring 070-123 45 67")


@pytest.mark.parametrize("lang", ["sv", "ar"])
@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_resident_answers_and_the_answer_is_stored_once(page, no_script_page, sanden, lang, script):
    page = page if script else no_script_page
    page.goto(f"/f/{sanden.token}?lang={lang}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    fill_in(page, lang, script)
    page.get_by_role("button", name=ANSWERS[lang]["send"]).click()
    expect(page.get_by_role("heading", name=ANSWERS[lang]["thanks"])).to_be_visible()
    if script:
        # The page says honestly that the answer was sent, not only queued.
        expect(page.locator('#done [data-state="sent"]')).to_be_visible()
        expect(page.locator('#done [data-state="queued"]')).to_be_hidden()
        # The answer just given is no "earlier answer" waiting or sent.
        page.wait_for_timeout(300)
        expect(page.locator("#pending")).to_be_hidden()
    else:
        assert page.url.endswith(f"/f/{sanden.token}/thanks?lang={lang}")
    (response,) = stored()
    assert response.language == lang
    assert response.answers["safety_now"] == "fairly_safe"
    assert response.answers["safety_evening"] == "fairly_unsafe"
    assert response.answers["safer_by"] == ["lighting", "other"]
    assert response.answers["safer_by_other"] == "Fler bänkar"
    assert "070-123 45 67" not in response.answers["comment"]
    # Going back and reloading the thank-you page stores nothing more.
    page.reload()
    assert len(stored()) == 1


def test_follow_up_question_appears_only_when_it_applies(page, sanden):
    page.goto(f"/f/{sanden.token}")
    other = page.get_by_label("Vad mer skulle göra dig tryggare?")
    expect(other).to_be_hidden()
    group = page.get_by_role("group", name="Vad skulle göra dig tryggare på Sanden?")
    group.get_by_role("checkbox", name="Annat", exact=True).check()
    expect(other).to_be_visible()
    group.get_by_role("checkbox", name="Annat", exact=True).uncheck()
    expect(other).to_be_hidden()


def test_errors_are_announced_and_tied_to_their_fields(page, sanden, axe):
    page.goto(f"/f/{sanden.token}?lang=en")
    page.get_by_role("button", name="Send answers").click()
    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Please check 2 answers")
    group = page.get_by_role("group", name="How safe or unsafe do you feel at Sanden right now?")
    expect(group).to_have_attribute("aria-invalid", "true")
    expect(group).to_have_accessible_description(re.compile("Please answer this question."))
    assert axe(page) == []
    assert stored() == []


def test_errors_without_script_are_tied_to_their_fields(no_script_page, sanden):
    page = no_script_page
    page.goto(f"/f/{sanden.token}?lang=en")
    page.get_by_role("button", name="Send answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Please check 2 answers")
    group = page.get_by_role("group", name="How safe or unsafe do you feel at Sanden right now?")
    expect(group).to_have_accessible_description(re.compile("Please answer this question."))
    assert stored() == []


@pytest.mark.parametrize("script", [True, False], ids=["script", "no-script"])
def test_arabic_error_summary_uses_the_dual_for_two_answers(page, no_script_page, sanden, script):
    # Arabic has a form of its own for two ("إجابتين"), not a plural beside the digit.
    page = page if script else no_script_page
    page.goto(f"/f/{sanden.token}?lang=ar")
    page.get_by_role("button", name="إرسال الإجابات").click()
    expect(page.get_by_role("alert")).to_contain_text("يرجى التحقق من إجابتين")


def test_the_forms_script_picks_the_plural_form_the_server_would(page, sanden, app):
    from surveyservice.i18n import ngettext, set_language

    page.goto(f"/f/{sanden.token}?lang=ar")
    counts = [0, 1, 2, 3, 11, 100]
    shown = page.evaluate(
        """counts => {
          const forms = JSON.parse(document.getElementById("survey").dataset.msgSummary);
          const rules = new Intl.PluralRules("ar");
          return counts.map(n => forms[rules.select(n)].replace("{count}", n));
        }""",
        counts,
    )
    with app.test_request_context(f"/f/{sanden.token}?lang=ar"):
        set_language("ar")
        expected = [
            ngettext("Please check one answer", "Please check {count} answers", n) for n in counts
        ]
    assert shown == expected


def test_keyboard_alone_can_answer_and_send(page, sanden):
    page.goto(f"/f/{sanden.token}?lang=en")
    safety_now = page.get_by_role(
        "group", name="How safe or unsafe do you feel at Sanden right now?"
    )
    # Tab from the top of the page to the first question's radio group.
    for _ in range(20):
        page.keyboard.press("Tab")
        if safety_now.get_by_role("radio").first.evaluate("e => e === document.activeElement"):
            break
    page.keyboard.press("ArrowDown")  # moves to and selects the second choice
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.get_by_role("button", name="Send answers").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Thank you for your answers!")).to_be_visible()
    (response,) = stored()
    assert response.answers == {"safety_now": "fairly_safe", "safety_evening": "fairly_unsafe"}


@pytest.mark.parametrize("lang", ["sv", "en", "ar"])
def test_form_error_state_and_thanks_have_no_serious_accessibility_violations(
    page, sanden, axe, lang
):
    page.goto(f"/f/{sanden.token}?lang={lang}")
    assert axe(page) == []
    page.locator("button[type=submit]").click()
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe(page) == []
    fill_in(page, lang, script=True)
    page.locator("button[type=submit]").click()
    expect(page.locator("#done")).to_be_visible()
    assert axe(page) == []
    page.goto(f"/f/{sanden.token}/thanks?lang={lang}")
    assert axe(page) == []


@pytest.mark.parametrize("lang", ["sv", "ar"])
def test_form_fits_a_phone_at_200_percent_zoom(browser, browser_context_args, sanden, lang):
    # A 640 px wide phone at 200 % zoom leaves 320 CSS pixels.
    context = browser.new_context(**browser_context_args, viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"/f/{sanden.token}?lang={lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    button = page.locator("button[type=submit]")
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320
    context.close()


def test_first_load_is_small_and_stays_on_this_site(page, sanden, live_server):
    bodies = {}
    responses = []

    def keep(response):
        bodies[response.url] = response.body()
        responses.append(response)

    page.on("response", keep)
    page.goto(f"/f/{sanden.token}")
    page.wait_for_load_state("networkidle")
    assert all(url.startswith(live_server) for url in bodies), list(bodies)
    assert {Path(u).name.split("?")[0] for u in bodies} >= {sanden.token, "form.js", "form.css"}
    compressed = sum(len(gzip.compress(body, 9)) for body in bodies.values())
    # What went over the wire: bodies as sent (compressed or not) and their headers.
    sizes = [response.request.sizes() for response in responses]
    transferred = sum(s["responseBodySize"] + s["responseHeadersSize"] for s in sizes)
    print(
        f"first load: {len(bodies)} requests, {sum(map(len, bodies.values()))} bytes, "
        f"{compressed} bytes compressed, {transferred} bytes transferred"
    )
    assert compressed < 60 * 1024
    assert transferred < 60 * 1024
    for response in responses:
        headers = response.all_headers()
        if len(response.body()) > 1024:
            assert headers.get("content-encoding") in ("gzip", "br"), response.url
        if "?v=" in response.url:
            assert headers["cache-control"] == "public, max-age=31536000, immutable"
