"""Accounts in a real browser: an admin adds a staff member, who sets a password with
the one-time link and signs in; deactivation stops their session and token at once;
the audit log shows it all. Keyboard alone, and axe on every page, in both languages."""

import re

import pytest
from playwright.sync_api import expect

from surveyservice.accounts import links
from surveyservice.audit.log import record
from surveyservice.database import utcnow
from surveyservice.extensions import db

from ..conftest import PASSWORD
from .test_offline import sign_in

NEW_PASSWORD = "tio tecken och lite till"


def test_a_new_staff_member_is_added_signs_in_and_is_stopped_at_once(
    page, browser, live_server, admin
):
    sign_in(page, admin.email)
    page.get_by_role("link", name="Konton", exact=True).click()
    expect(page.get_by_role("link", name="Konton", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Lägg till en användare").click()

    # The form with the keyboard alone.
    page.get_by_label("E-postadress").focus()
    page.keyboard.type("ny@example.org")
    page.keyboard.press("Tab")
    expect(page.get_by_role("radio", name="Personal")).to_be_focused()
    expect(page.get_by_role("radio", name="Personal")).to_be_checked()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Lägg till användare")).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Engångslänk för ny@example.org")
    link = page.get_by_label("Engångslänk").input_value()
    assert link.startswith(f"{live_server}/set-password/")

    staff_context = browser.new_context(base_url=live_server)
    try:
        staff_page = staff_context.new_page()
        # The staff member's browser asks for English; they choose Swedish.
        staff_page.goto(f"{link}?lang=sv")
        staff_page.get_by_label("Nytt lösenord", exact=True).fill(NEW_PASSWORD)
        staff_page.get_by_label("Nytt lösenord igen").fill(NEW_PASSWORD)
        staff_page.get_by_role("button", name="Spara lösenordet").click()
        expect(staff_page.get_by_role("status")).to_have_text(
            "Ditt lösenord är sparat. Logga in med det."
        )
        staff_page.get_by_label("E-postadress").fill("ny@example.org")
        staff_page.get_by_label("Lösenord").fill(NEW_PASSWORD)
        staff_page.get_by_role("button", name="Logga in").click()
        expect(staff_page.get_by_role("heading", level=1)).to_have_text("Samla in svar")

        staff_page.get_by_role("link", name="Mitt konto").click()
        staff_page.get_by_label("Tokens namn").fill("rapporter")
        staff_page.get_by_role("button", name="Skapa token").click()
        token = staff_page.get_by_label("Ny API-token").input_value()
        bearer = {"Authorization": f"Bearer {token}"}
        assert staff_page.request.get("/api/v1/me", headers=bearer).status == 200

        # The link works once.
        staff_page.goto(link)
        expect(staff_page.get_by_role("alert")).to_contain_text("redan använd")
        staff_page.get_by_role("link", name="Mitt konto").click()

        page.get_by_role("link", name="Konton", exact=True).click()
        page.get_by_role("link", name="ny@example.org").click()
        page.get_by_role("button", name="Inaktivera ny@example.org").click()
        expect(page.get_by_role("status")).to_contain_text("ny@example.org är inaktiverad")

        staff_page.reload()
        expect(staff_page.get_by_role("heading", level=1)).to_have_text("Logga in")
        assert staff_page.request.get("/api/v1/me", headers=bearer).status == 401
    finally:
        staff_context.close()

    page.get_by_role("link", name="Händelselogg").click()
    log = page.get_by_role("table")
    for action, who in [
        ("Användare tillagd", "admin@example.org"),
        ("Engångslänk gjord", "admin@example.org"),
        ("Lösenord valt", "ny@example.org"),
        ("API-token skapad", "ny@example.org"),
        ("Användare inaktiverad", "admin@example.org"),
    ]:
        expect(log.get_by_role("row").filter(has_text=action).filter(has_text=who)).to_have_count(1)
    page.get_by_label("Händelse", exact=True).select_option(label="Användare inaktiverad")
    page.get_by_role("button", name="Visa").click()
    expect(log.get_by_role("row")).to_have_count(2)


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_account_and_audit_pages_have_no_serious_accessibility_violations(
    page, admin, staff, axe, lang
):
    record(admin, "user.created", staff.email, {"role": "staff"})
    token = links.make_link(staff, utcnow())
    db.session.commit()
    english = lang == "en"

    page.goto(f"/set-password/{token}?lang={lang}")
    assert axe(page) == []
    page.get_by_role("button", name="Set password" if english else "Spara lösenordet").click()
    expect(page.locator("#new_password-problem")).to_be_visible()
    assert axe(page) == []
    page.goto(f"/set-password/{'x' * 43}?lang={lang}")
    expect(page.get_by_role("alert")).to_be_visible()
    assert axe(page) == []

    page.goto(f"/sign-in?lang={lang}")
    page.get_by_label("E-mail address" if english else "E-postadress").fill(admin.email)
    page.get_by_label("Password" if english else "Lösenord").fill(PASSWORD)
    page.get_by_label("Password" if english else "Lösenord").press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    for url in ("/accounts", "/accounts/new", f"/accounts/{staff.id}", "/account", "/audit"):
        page.goto(url)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        assert axe(page) == [], url

    page.goto("/accounts/new")
    page.get_by_role("button", name="Add user" if english else "Lägg till användare").click()
    expect(page.locator("#email-problem")).to_be_visible()
    assert axe(page) == []
    page.goto(f"/accounts/{staff.id}")
    page.get_by_role(
        "button", name="Make a one-time link" if english else "Gör en engångslänk"
    ).click()
    expect(page.get_by_role("status")).to_be_visible()
    assert axe(page) == []

    page.goto("/account")
    page.get_by_role("button", name="Create token" if english else "Skapa token").click()
    expect(page.locator("#token-name-problem")).to_be_visible()
    assert axe(page) == []
    page.get_by_label("Name of the token" if english else "Tokens namn").fill("export")
    page.get_by_role("button", name="Create token" if english else "Skapa token").click()
    expect(page.get_by_label("New API token" if english else "Ny API-token")).to_have_value(
        re.compile("^ss_")
    )
    assert axe(page) == []

    page.goto("/audit?since=2026-13-01")
    expect(page.locator("#since-problem")).to_be_visible()
    assert axe(page) == []
