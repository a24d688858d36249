"""The locked kiosk on a shared tablet, and what staff and residents see while sending."""

import base64
import json
import re
from pathlib import Path

from playwright.sync_api import expect

from surveyservice.database import utcnow
from surveyservice.extensions import db

from .test_offline import (
    PIN,
    kiosk_answer,
    ready_offline,
    sign_in,
    start_kiosk,
    stored,
    unlock,
    wait_until_stored,
    waiting,
)

TABLET = {"width": 1024, "height": 768}
SECRET = "Ring mig på 070-123 45 67, Anna Kioskprovsson"


def test_the_resident_view_has_no_way_out_and_no_way_to_earlier_answers(page, staff, point):
    sign_in(page, staff.email)
    page.goto(f"/staff/collect/{point.token}")
    start_kiosk(page)
    # Every link a resident can reach switches the form's language, nothing else.
    links = page.locator("a:visible")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert hrefs and all(href.startswith("?lang=") for href in hrefs), hrefs
    buttons = page.locator("button:visible")
    names = sorted(buttons.nth(i).inner_text() for i in range(buttons.count()))
    assert names == ["Personal", "Skicka svaren"]
    for hidden in ("Skicka nu", "Spara osända svar till en fil", "Lämna kioskläget"):
        expect(page.get_by_role("button", name=hidden)).to_have_count(0)
    expect(page.get_by_role("link", name="Byt insamlingsplats")).to_have_count(0)
    # A keyboard reaches nothing else either.
    reached = set()
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.outerHTML.slice(0, 60)"))
    assert not [r for r in reached if "/staff/" in r or "sign-in" in r]


def test_staff_controls_unlock_offline_and_wrong_pins_make_one_wait(page, context, staff, point):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    page.reload()
    dialog = page.get_by_role("dialog", name="Personalens knappar")
    page.get_by_role("button", name="Personal", exact=True).click()
    for _ in range(3):
        dialog.get_by_label("Pinkod").fill("0000")
        dialog.get_by_role("button", name="Lås upp").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Fel pinkod. För många felaktiga försök")
    # While the wait lasts, even the right PIN does not open.
    dialog.get_by_label("Pinkod").fill(PIN)
    dialog.get_by_role("button", name="Lås upp").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Försök igen om")
    expect(page.get_by_role("button", name="Skicka nu")).to_have_count(0)
    # A reload does not reset the count.
    page.reload()
    page.get_by_role("button", name="Personal", exact=True).click()
    expect(dialog.get_by_role("alert")).to_contain_text("Försök igen om")
    dialog.get_by_role("button", name="Avbryt").click()
    # Once the wait is over the right PIN opens the controls, without a network.
    page.evaluate(
        "localStorage.setItem('surveyservice-kiosk-tries', JSON.stringify({count: 3, until: 0}))"
    )
    unlock(page)
    expect(page.get_by_role("button", name="Spara osända svar till en fil")).to_be_visible()
    page.get_by_role("button", name="Lås", exact=True).click()
    expect(page.get_by_role("button", name="Skicka nu")).to_have_count(0)


def test_a_saved_file_is_sealed_and_only_the_service_opens_it(
    page, context, browser, browser_context_args, staff, coordinator, org, point
):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    for text in (SECRET, "Mörkt vid bron"):
        page.get_by_role("group", name="Hur trygg känner du dig?").get_by_role(
            "radio", name="Otrygg"
        ).check()
        page.get_by_label("Varför?").fill(text)
        page.get_by_role("button", name="Skicka svaren").click()
        expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")
    unlock(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Spara osända svar till en fil").click()
    expect(page.get_by_role("status").filter(has_text="förseglad fil")).to_be_visible()
    raw = Path(download.value.path()).read_bytes()
    sealed = json.loads(raw)
    assert sealed["format"] == "surveyservice-sealed"
    assert set(sealed) == {"format", "version", "key_id", "wrapped_key", "iv", "ciphertext"}
    # Nothing of the answers can be read from the file, in clear or in base64.
    for needle in ("Kioskprovsson", "070-123", "Mörkt", "safe_now", point.token):
        assert needle.encode() not in raw
        assert needle.encode() not in base64.b64decode(sealed["ciphertext"])
    # A coordinator of the organisation uploads it; the service opens it and masks.
    desk = browser.new_context(**browser_context_args)
    office = desk.new_page()
    sign_in(office, coordinator.email)
    office.goto("/collection-points/import")
    office.get_by_label("Fil med sparade svar").set_input_files(download.value.path())
    office.get_by_role("button", name="Ladda upp").click()
    expect(office.get_by_role("status").first).to_contain_text("2 sparade nu")
    texts = sorted(r.answers["why_unsafe"] for r in stored())
    assert texts == ["Mörkt vid bron", "Ring mig på [telefonnummer], Anna Kioskprovsson"]
    # A file changed on the way is refused as a whole, with a reason.
    sealed["ciphertext"] = base64.b64encode(b"x" + base64.b64decode(sealed["ciphertext"])[1:])
    sealed["ciphertext"] = sealed["ciphertext"].decode()
    office.goto("/collection-points/import")
    office.get_by_label("Fil med sparade svar").set_input_files(
        {
            "name": "changed.json",
            "mimeType": "application/json",
            "buffer": json.dumps(sealed).encode(),
        }
    )
    office.get_by_role("button", name="Ladda upp").click()
    expect(office.get_by_role("alert")).to_contain_text("Filen är skadad")
    desk.close()


def test_the_confirmation_shows_in_the_first_screen_of_a_tablet(page, staff, point):
    page.set_viewport_size(TABLET)
    sign_in(page, staff.email)
    page.goto(f"/staff/collect/{point.token}")
    start_kiosk(page)
    kiosk_answer(page)
    saved = page.locator("#kiosk-saved")
    expect(saved).to_have_attribute("role", "status")
    box = saved.bounding_box()
    assert box is not None and box["y"] >= 0
    assert box["y"] + box["height"] <= TABLET["height"], box
    assert page.evaluate("window.scrollY") == 0


def test_send_problems_are_told_in_the_interface_language(page, context, staff, point):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    # Nothing has been sent yet: "last sent" says so, even after a round with nothing to send.
    expect(page.locator("[data-last-sync]")).to_have_text("inte än")
    page.route(
        "**/responses:batch",
        lambda route: route.fulfill(status=500, body="{}", content_type="application/json"),
    )
    kiosk_answer(page)
    problem = page.locator("[data-problem]")
    expect(problem).to_contain_text("Tjänsten kunde inte ta emot svaren just nu (fel 500)")
    expect(problem).not_to_contain_text("HTTP")
    page.unroute("**/responses:batch")
    page.route("**/responses:batch", lambda route: route.abort("connectionrefused"))
    unlock(page)
    page.get_by_role("button", name="Skicka nu").click()
    expect(problem).to_contain_text("Ingen anslutning till tjänsten")
    expect(problem).not_to_contain_text("Failed to fetch")
    page.unroute("**/responses:batch")
    page.get_by_role("button", name="Skicka nu").click()
    expect(waiting(page)).to_have_text("0")
    expect(problem).to_have_text("")
    expect(page.locator("[data-last-sync]")).to_have_text(re.compile(r"\d{1,2}[:.]\d{2}"))
    assert len(stored()) == 1


def test_a_resident_is_told_an_earlier_answer_waits_and_when_it_went(page, context, point):
    url = f"/f/{point.token}"
    ready_offline(page, url)
    context.set_offline(True)
    page.get_by_role("group", name="Hur trygg känner du dig?").get_by_role(
        "radio", name="Trygg", exact=True
    ).check()
    page.get_by_role("button", name="Skicka svaren").click()
    expect(page.get_by_text("dina svar är sparade i", exact=False)).to_be_visible()
    # The resident comes back later, still without a connection.
    page.goto(url)
    notice = page.locator("#pending")
    expect(notice).to_have_text(
        "Ett svar som du gav tidigare finns sparat i telefonen. "
        "Det skickas så snart det finns en anslutning."
    )
    context.set_offline(False)
    expect(notice).to_have_text("Ditt tidigare svar har nu skickats.", timeout=15000)
    assert len(wait_until_stored(page, 1)) == 1


def test_choosing_one_too_many_says_so_at_once(page, org, make_questionnaire, make_point):
    questionnaire = make_questionnaire(
        org,
        slug="choices",
        questions=[
            {
                "id": "where",
                "type": "multi",
                "label": {"sv": "Var känner du dig otrygg?", "en": "Where?"},
                "max_choices": 2,
                "options": [
                    {"value": v, "label": {"sv": v.title(), "en": v}}
                    for v in ("hamnen", "parken", "torget")
                ],
            }
        ],
    )
    point = make_point(questionnaire)
    page.goto(f"/f/{point.token}")
    group = page.get_by_role("group", name="Var känner du dig otrygg?")
    group.get_by_role("checkbox", name="Hamnen").check()
    group.get_by_role("checkbox", name="Parken").check()
    expect(page.locator("#err-where")).to_be_hidden()
    group.get_by_role("checkbox", name="Torget").check()
    expect(page.locator("#err-where")).to_have_text("Välj högst 2.")
    expect(page.locator("#send-status")).to_have_text("Välj högst 2.")
    expect(group).to_have_attribute("aria-invalid", "true")
    group.get_by_role("checkbox", name="Parken").uncheck()
    expect(page.locator("#err-where")).to_be_hidden()


KEPT = """async () => {
  await navigator.serviceWorker.ready;
  await new Promise((r) => setTimeout(r, 1500));
  return (await (await caches.open("pages")).keys()).map((r) => new URL(r.url).search);
}"""


def test_a_phone_keeps_its_own_language_and_a_tablet_every_language(
    page, browser, browser_context_args, staff, point
):
    page.goto(f"/f/{point.token}?lang=en")
    assert page.evaluate(KEPT) == ["?lang=en"]
    tablet = browser.new_context(**browser_context_args)
    other = tablet.new_page()
    sign_in(other, staff.email)
    other.goto(f"/staff/collect/{point.token}")
    start_kiosk(other)
    assert sorted(other.evaluate(KEPT)) == ["", "?lang=en"]
    tablet.close()


def test_no_page_of_the_service_lets_a_locked_tablet_out(page, context, staff, point):
    sign_in(page, staff.email)
    page.goto("/staff/")
    page.get_by_role("link", name="Sandenfestivalen").click()
    start_kiosk(page)
    kiosk = re.compile(f"/staff/collect/{point.token}$")
    for elsewhere in ("/staff/", "/questionnaires", "/sign-in", "/api/v1/docs", "/"):
        page.goto(elsewhere)
        expect(page).to_have_url(kiosk)
    page.go_back()
    expect(page).to_have_url(kiosk)
    # Offline too: the staff list comes from the device's copy, and sends it back.
    context.set_offline(True)
    page.goto("/staff/")
    expect(page).to_have_url(kiosk)
    context.set_offline(False)
    # Staff switching point on purpose stay on the list, in this tab.
    unlock(page)
    page.get_by_role("link", name="Byt insamlingsplats").click()
    expect(page.get_by_role("heading", name="Samla in svar")).to_be_visible()
    page.get_by_role("link", name="Sandenfestivalen").click()
    expect(page.get_by_role("button", name="Personal", exact=True)).to_be_visible()
    page.goto("/staff/")
    expect(page).to_have_url(kiosk)
    # Leaving kiosk mode with the PIN ends it.
    unlock(page)
    page.get_by_role("button", name="Lämna kioskläget").click()
    expect(page.get_by_role("heading", name="Samla in svar")).to_be_visible()
    page.goto("/questionnaires")
    expect(page).to_have_url(re.compile("/questionnaires$"))


def test_a_point_that_closes_keeps_the_kiosk_locked_and_staff_can_leave(page, staff, point):
    sign_in(page, staff.email)
    page.goto(f"/staff/collect/{point.token}")
    start_kiosk(page)
    point.closes_at = point.opens_at + (utcnow() - point.opens_at) / 2
    db.session.commit()
    page.reload()
    expect(page.get_by_text("Enkäten är stängd")).to_be_visible()
    links = page.locator("a:visible")
    assert all(
        links.nth(i).get_attribute("href").startswith("?lang=") for i in range(links.count())
    )
    unlock(page)
    page.get_by_role("button", name="Lämna kioskläget").click()
    expect(page.get_by_role("heading", name="Samla in svar")).to_be_visible()
