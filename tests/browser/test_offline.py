"""Offline first, in a real browser: the form and its outbox survive no network,
reloads, restarts, flaky servers, new versions and new releases; kiosk mode."""

import re

import sqlalchemy as sa
from flask import request, request_started
from playwright.sync_api import expect

from surveyservice.collection.models import Response
from surveyservice.extensions import db

from ..conftest import PASSWORD, make_definition
from .conftest import CHROMIUM

WAIT_FOR_WORKER = """async () => {
  await navigator.serviceWorker.ready;
  if (!navigator.serviceWorker.controller) {
    await new Promise((r) =>
      navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
  }
  const cache = await caches.open("pages");
  for (let i = 0; i < 100 && !(await cache.match(location.href)); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  return Boolean(await cache.match(location.href));
}"""


def stored():
    db.session.expire_all()
    return db.session.execute(sa.select(Response)).scalars().all()


def wait_until_stored(page, count, timeout_s=20):
    for _ in range(timeout_s * 10):
        if len(stored()) >= count:
            break
        page.wait_for_timeout(100)
    return stored()


def sign_in(page, email):
    page.goto("/sign-in?lang=sv")
    page.get_by_label("E-postadress").fill(email)
    page.get_by_label("Lösenord").fill(PASSWORD)
    page.get_by_role("button", name="Logga in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


PIN = "2468"


def start_kiosk(page):
    """On a kiosk page, set the PIN if this tablet has none yet: then the form shows."""
    setup = page.get_by_role("heading", name="Lås surfplattan i kioskläge")
    form = page.get_by_role("button", name="Skicka svaren")
    expect(setup.or_(form)).to_be_visible()
    if setup.is_visible():
        page.get_by_label("Pinkod (minst 4 siffror)").fill(PIN)
        page.get_by_label("Samma pinkod igen").fill(PIN)
        page.get_by_role("button", name="Starta kioskläget").click()
    expect(form).to_be_visible()


def unlock(page):
    """Open the staff controls with the PIN, unless they are open already."""
    if page.get_by_role("button", name="Lås", exact=True).is_visible():
        return
    page.get_by_role("button", name="Personal", exact=True).click()
    page.get_by_role("dialog").get_by_label("Pinkod").fill(PIN)
    page.get_by_role("button", name="Lås upp").click()
    expect(page.get_by_role("button", name="Lås", exact=True)).to_be_visible()


def send_now(page):
    unlock(page)
    page.get_by_role("button", name="Skicka nu").click()


def ready_offline(page, url):
    page.goto(url)
    if "/staff/collect/" in url:
        start_kiosk(page)
    assert page.evaluate(WAIT_FOR_WORKER), "the service worker did not keep the page"


def answer_sample(page, choice="Trygg"):
    group = page.get_by_role("group", name="Hur trygg känner du dig?")
    group.get_by_role("radio", name=choice, exact=True).check()
    page.get_by_role("button", name="Skicka svaren").click()


def kiosk_answer(page, choice="Trygg"):
    answer_sample(page, choice)
    expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")


def waiting(page):
    return page.locator("[data-waiting]")


def test_offline_reload_serves_the_form_and_queued_answers_arrive_once(page, context, point):
    ready_offline(page, f"/f/{point.token}")
    context.set_offline(True)
    response = page.reload()
    assert response.from_service_worker
    answer_sample(page, "Otrygg")
    expect(page.locator('#done [data-state="queued"]')).to_be_visible()
    assert stored() == []
    context.set_offline(False)
    # The page says so as soon as the answer has gone.
    expect(page.locator('#done [data-state="sent"]')).to_be_visible(timeout=15000)
    (row,) = wait_until_stored(page, 1)
    assert row.answers == {"safe_now": "unsafe"}
    assert row.channel.value == "resident"


def test_kiosk_queue_of_20_survives_closing_the_browser(
    playwright, live_server, tmp_path, staff, point
):
    profile = tmp_path / "profile"
    options = {
        "executable_path": CHROMIUM,
        "base_url": live_server,
        "service_workers": "allow",
    }
    browser = playwright.chromium.launch_persistent_context(profile, **options)
    page = browser.pages[0] if browser.pages else browser.new_page()
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    browser.set_offline(True)
    for i in range(20):
        kiosk_answer(page, "Trygg" if i % 2 else "Otrygg")
    expect(waiting(page)).to_have_text("20")
    assert stored() == []
    browser.close()

    reopened = playwright.chromium.launch_persistent_context(profile, **options)
    page = reopened.pages[0] if reopened.pages else reopened.new_page()
    page.goto(f"/staff/collect/{point.token}")
    rows = wait_until_stored(page, 20)
    expect(waiting(page)).to_have_text("0")
    reopened.close()
    assert len(rows) == 20
    assert {r.channel.value for r in rows} == {"staff"}
    assert sorted(r.answers["safe_now"] for r in rows) == ["safe"] * 10 + ["unsafe"] * 10


def test_flaky_server_and_a_cut_in_mid_batch_store_each_answer_once(page, context, staff, point):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    for _ in range(6):
        kiosk_answer(page)
    expect(waiting(page)).to_have_text("6")
    calls = []

    def flaky(route):
        calls.append(route.request.url)
        if len(calls) == 1:
            # The server stores the batch, but the answer never reaches the tablet.
            route.fetch()
            route.abort("connectionreset")
        elif len(calls) % 3 == 2:
            route.fulfill(status=500, body="{}", content_type="application/json")
        else:
            route.continue_()

    page.route("**/responses:batch", flaky)
    context.set_offline(False)
    page.wait_for_timeout(500)
    # Stored on the server, not yet acknowledged: still counted as waiting.
    expect(waiting(page)).to_have_text("6")
    assert len(wait_until_stored(page, 6)) == 6
    send_now(page)  # the 500
    page.wait_for_timeout(300)
    expect(waiting(page)).to_have_text("6")
    send_now(page)  # goes through: replays
    expect(waiting(page)).to_have_text("0")
    assert len(stored()) == 6
    # More answers while every third request fails: all arrive, once each.
    for _ in range(3):
        context.set_offline(True)
        kiosk_answer(page)
        kiosk_answer(page)
        context.set_offline(False)
        for _ in range(5):
            send_now(page)
            page.wait_for_timeout(200)
    expect(waiting(page)).to_have_text("0", timeout=15000)
    assert len(stored()) == 12
    assert len({r.id for r in stored()}) == 12


def test_kiosk_leaves_nothing_of_the_previous_person(page, staff, point):
    sign_in(page, staff.email)
    page.goto("/staff/")
    page.get_by_role("link", name="Sandenfestivalen").click()
    start_kiosk(page)
    length = page.evaluate("history.length")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("group", name="How safe do you feel?").get_by_role(
        "radio", name="Unsafe"
    ).check()
    page.get_by_label("Why?").fill("Det var mörkt vid min port på Storgatan 3")
    page.get_by_role("button", name="Send answers").click()
    expect(page.locator("#kiosk-saved")).to_have_text("Sparat. Redo för nästa person.")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    assert page.evaluate("history.length") == length
    assert page.locator("input:checked").count() == 0
    assert "Storgatan" not in page.content()
    # Back leads to the staff pages, which send a locked tablet straight back.
    page.go_back()
    expect(page).to_have_url(re.compile(f"/staff/collect/{point.token}$"))
    expect(page.get_by_role("button", name="Personal", exact=True)).to_be_visible()
    assert "Storgatan" not in page.content()


def publish_a_second_version(api):
    changed = make_definition()
    changed["questions"].append({"id": "extra", "type": "text", "label": "Något mer?"})
    assert api.put("/api/v1/questionnaires/sample/draft", json=changed).status_code == 201
    assert api.post("/api/v1/questionnaires/sample/draft/publish").status_code == 201


def test_queued_answers_keep_their_version_after_a_republish(
    page, context, staff, point, api_as, coordinator
):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    kiosk_answer(page)
    kiosk_answer(page)
    publish_a_second_version(api_as(coordinator))
    context.set_offline(False)
    rows = wait_until_stored(page, 2)
    assert [r.version.number for r in rows] == [1, 1]
    # At the next online moment the page takes the new version.
    expect(page.locator("#survey")).to_have_attribute("data-version", "2", timeout=10000)
    expect(page.get_by_label("Något mer?")).to_be_visible()


def test_a_new_version_is_taken_when_the_first_try_for_its_page_fails(
    page, context, staff, point, api_as, coordinator
):
    # The connection returns in part: the tablet learns of the new version, but the
    # service worker's first try for the page fails, so that try's answer is the old copy.
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    publish_a_second_version(api_as(coordinator))
    refused = []

    def refuse_once(route):
        if refused:
            route.continue_()
        else:
            refused.append(route.request.service_worker is not None)
            route.abort("connectionrefused")

    context.route(re.compile(rf".*/staff/collect/{point.token}$"), refuse_once)
    context.set_offline(False)
    expect(page.locator("#survey")).to_have_attribute("data-version", "2", timeout=15000)
    expect(page.get_by_label("Något mer?")).to_be_visible()
    assert refused == [True]


def test_a_new_release_keeps_the_form_offline_and_the_queue(
    page, context, app, staff, point, monkeypatch
):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    page.route("**/responses:batch", lambda route: route.abort("connectionrefused"))
    kiosk_answer(page)
    kiosk_answer(page)
    expect(waiting(page)).to_have_text("2")
    old = page.evaluate("caches.keys()")
    monkeypatch.setitem(app.config, "APP_RELEASE", "next-release")
    page.evaluate("""async () => {
      const registration = await navigator.serviceWorker.getRegistration();
      await registration.update();
      const done = async () => (await caches.keys()).sort().join() === "app-next-release,pages";
      for (let i = 0; i < 100 && !(await done()); i++) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }""")
    # The new release's files are kept, the old release's are gone, the pages stay.
    assert sorted(page.evaluate("caches.keys()")) == ["app-next-release", "pages"]
    assert "pages" in old
    context.set_offline(True)
    assert page.reload().from_service_worker
    expect(waiting(page)).to_have_text("2")
    page.unroute("**/responses:batch")
    context.set_offline(False)
    assert len(wait_until_stored(page, 2)) == 2
    expect(waiting(page)).to_have_text("0")


def test_two_tabs_send_each_answer_once(app, context, staff, point):
    first = context.new_page()
    sign_in(first, staff.email)
    ready_offline(first, f"/staff/collect/{point.token}")
    second = context.new_page()
    second.goto(f"/staff/collect/{point.token}")
    context.set_offline(True)
    for _ in range(3):
        kiosk_answer(first)
        kiosk_answer(second)
    # Counted where the answers arrive, the server: a request the browser gave up on
    # before it left (the network just coming back) was never sent.
    sent = []

    def record(sender, **extra):
        if request.path.endswith("/responses:batch"):
            sent.extend(r["id"] for r in request.get_json()["responses"])

    request_started.connect(record, app)
    try:
        context.set_offline(False)
        rows = wait_until_stored(first, 6)
        first.wait_for_timeout(1000)
    finally:
        request_started.disconnect(record, app)
    assert len(rows) == 6
    assert sorted(sent) == sorted({str(r.id) for r in rows})


def test_unsent_answers_saved_to_a_file_are_uploaded_once(
    page, context, browser, browser_context_args, staff, coordinator, point
):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    for _ in range(3):
        kiosk_answer(page)
    unlock(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Spara osända svar till en fil").click()
    saved = download.value.path()
    # A coordinator uploads the file on another computer.
    desk = browser.new_context(**browser_context_args)
    office = desk.new_page()
    sign_in(office, coordinator.email)
    office.goto("/collection-points/import")
    office.get_by_label("Fil med sparade svar").set_input_files(saved)
    office.get_by_role("button", name="Ladda upp").click()
    expect(office.get_by_role("status")).to_have_text(
        "3 sparade nu, 0 sparade tidigare, 0 togs inte emot."
    )
    assert len(stored()) == 3
    # The tablet comes back online later: its answers are replays, stored once.
    context.set_offline(False)
    expect(waiting(page)).to_have_text("0", timeout=15000)
    assert len(stored()) == 3
    office.goto("/collection-points/import")
    office.get_by_label("Fil med sparade svar").set_input_files(saved)
    office.get_by_role("button", name="Ladda upp").click()
    expect(office.get_by_role("status")).to_have_text(
        "0 sparade nu, 3 sparade tidigare, 0 togs inte emot."
    )
    desk.close()


def test_an_answer_refused_after_closing_is_shown_as_needing_attention(page, context, staff, point):
    from datetime import timedelta

    from surveyservice.database import utcnow

    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    kiosk_answer(page)
    # The point closed before this answer was given: no grace for it.
    point.opens_at = utcnow() - timedelta(hours=5)
    point.closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    context.set_offline(False)
    send_now(page)
    attention = page.get_by_role("region", name="Behöver åtgärdas")
    expect(attention).to_contain_text("This collection point has closed")
    expect(waiting(page)).to_have_text("0")
    assert stored() == []


def test_staff_pages_and_kiosk_have_no_serious_accessibility_violations(page, staff, point, axe):
    sign_in(page, staff.email)
    page.goto("/staff/")
    assert axe(page) == []
    page.goto(f"/staff/collect/{point.token}")
    expect(page.get_by_role("heading", name="Lås surfplattan i kioskläge")).to_be_visible()
    assert axe(page) == []
    start_kiosk(page)
    expect(page.locator("[data-waiting]")).to_have_text("0")
    assert axe(page) == []
    page.get_by_role("button", name="Personal", exact=True).click()
    expect(page.get_by_role("dialog")).to_be_visible()
    assert axe(page) == []
    page.get_by_role("dialog").get_by_label("Pinkod").fill(PIN)
    page.get_by_role("button", name="Lås upp").click()
    expect(page.get_by_role("button", name="Skicka nu")).to_be_visible()
    assert axe(page) == []
    page.goto(f"/staff/collect/{point.token}?lang=en")
    expect(page.locator("[data-waiting]")).to_have_text("0")
    assert axe(page) == []


def test_the_staff_app_can_be_installed(page, staff):
    sign_in(page, staff.email)
    page.goto("/staff/")
    href = page.locator("link[rel=manifest]").get_attribute("href")
    manifest = page.request.get(href)
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["start_url"] == "/staff/"
    assert body["display"] == "standalone"
    assert page.request.get(body["icons"][0]["src"]).ok


def test_signing_out_forgets_the_staff_pages_but_not_the_queue(page, context, staff, point):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    kiosk_answer(page)
    # The answer must still be queued at sign-out: nothing gets through.
    context.route("**/responses:batch", lambda route: route.abort("connectionrefused"))
    context.set_offline(False)
    unlock(page)
    page.get_by_role("link", name="Byt insamlingsplats").click()
    page.get_by_role("button", name="Logga ut").click()
    expect(page.get_by_role("heading", name="Logga in")).to_be_visible()
    kept = page.evaluate("""async () => {
      for (let i = 0; i < 50; i++) {
        const keys = await (await caches.open("pages")).keys();
        if (!keys.some((r) => new URL(r.url).pathname.startsWith("/staff/"))) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const pages = (await (await caches.open("pages")).keys()).map((r) => new URL(r.url).pathname);
      const { items } = await import("/static/outbox.js");
      return { pages, queued: (await items()).length };
    }""")
    assert not [p for p in kept["pages"] if p.startswith("/staff/")]
    assert kept["queued"] == 1


QUEUE = """async ({ token, count, text }) => {
  const { enqueue } = await import("/static/outbox.js");
  for (let i = 0; i < count; i++) {
    await enqueue({
      id: crypto.randomUUID(), token, version: 1, language: "sv", channel: "staff",
      recordedAt: new Date().toISOString(),
      answers: { safe_now: "unsafe", why_unsafe: text },
    });
  }
}"""


def test_a_batch_too_large_for_the_server_is_sent_in_smaller_ones(
    page, context, app, staff, point, monkeypatch
):
    # A batch may be 16 responses' worth; these 40 long answers are more than that.
    monkeypatch.setitem(app.config, "SUBMISSION_MAX_BYTES", 2048)
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    page.evaluate(QUEUE, {"token": point.token, "count": 40, "text": "Mörkt och ödsligt. " * 60})
    context.set_offline(False)
    send_now(page)
    expect(waiting(page)).to_have_text("0", timeout=15000)
    assert len(stored()) == 40


def test_one_answer_the_service_never_takes_does_not_hold_up_the_others(
    page, context, staff, point
):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    page.evaluate(QUEUE, {"token": point.token, "count": 6, "text": "Mörkt vid bron"})
    page.evaluate(QUEUE, {"token": point.token, "count": 1, "text": "Mörkt\u0000"})
    page.evaluate(QUEUE, {"token": point.token, "count": 3, "text": "Trasig lampa"})
    context.set_offline(False)
    send_now(page)
    expect(waiting(page)).to_have_text("0", timeout=15000)
    attention = page.get_by_role("region", name="Behöver åtgärdas")
    expect(attention).to_contain_text("control character")
    assert len(stored()) == 9


def test_an_expired_sign_in_keeps_staff_answers_waiting_until_signing_in_again(
    page, context, staff, point
):
    sign_in(page, staff.email)
    ready_offline(page, f"/staff/collect/{point.token}")
    context.set_offline(True)
    kiosk_answer(page)
    kiosk_answer(page)
    # The working day is over: the session is gone when the tablet comes back online.
    context.clear_cookies()
    context.set_offline(False)
    send_now(page)
    sign_in_again = page.get_by_role(
        "link", name="Logga in igen för att skicka de väntande svaren."
    )
    expect(sign_in_again).to_be_visible()
    expect(waiting(page)).to_have_text("2")
    assert stored() == []
    sign_in_again.click()
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(waiting(page)).to_have_text("0", timeout=15000)
    assert len(stored()) == 2


def test_the_kiosk_asks_the_browser_to_keep_its_storage(page, staff, point):
    # Headless Chromium never grants it, so watch the request being made.
    page.add_init_script(
        """window.persistAsked = 0;
        const persist = navigator.storage.persist.bind(navigator.storage);
        navigator.storage.persist = () => { window.persistAsked += 1; return persist(); };"""
    )
    sign_in(page, staff.email)
    page.goto(f"/staff/collect/{point.token}")
    expect(waiting(page)).to_have_text("0")
    page.wait_for_function("window.persistAsked > 0")
