"""The coordinators' workspace in a real browser: a new coordinator makes a collection
point, prints its poster and closes it, by links and labelled controls only."""

import re
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from surveyservice.accounts.models import Role
from surveyservice.collection.models import CollectionPoint
from surveyservice.extensions import db

from ..conftest import make_user
from .test_offline import sign_in
from .test_staff_pages import FORMS


@pytest.fixture
def shipped_forms(runner, org):
    result = runner.invoke(args=["forms", "sync", str(FORMS)])
    assert result.exit_code == 0, result.output


@pytest.fixture
def new_coordinator(org):
    return make_user(org, Role.COORDINATOR, "ny.samordnare@example.org")


def decode_qr(png: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "shot.png"
    path.write_bytes(png)
    found = subprocess.run(["zbarimg", "-q", "--raw", str(path)], capture_output=True, text=True)
    return found.stdout.split()


def pdf_pages(pdf: bytes) -> int:
    """Pages in a PDF Chromium printed: its page objects (not the /Pages tree)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))


def the_point() -> CollectionPoint:
    db.session.expire_all()
    return db.session.execute(sa.select(CollectionPoint)).scalar_one()


def test_new_coordinator_creates_a_point_prints_its_poster_and_closes_it(
    page, shipped_forms, new_coordinator, tmp_path
):
    sign_in(page, new_coordinator.email)
    expect(page.get_by_role("heading", level=1, name="Start")).to_be_visible()
    nav = page.get_by_role("navigation", name="Huvudmeny")
    expect(nav.get_by_role("link", name="Start")).to_have_attribute("aria-current", "page")
    nav.get_by_role("link", name="Insamlingsplatser").click()
    expect(nav.get_by_role("link", name="Insamlingsplatser")).to_have_attribute(
        "aria-current", "page"
    )
    page.get_by_role("link", name="Ny insamlingsplats").click()

    page.get_by_label("Enkät").select_option(label="Trygghet på Sanden")
    page.get_by_label("Namn", exact=True).fill("Sandenfestivalen 2026")
    page.get_by_label("Område").select_option(label="Sanden")
    page.get_by_label("Evenemang").check()
    page.get_by_label("Öppnar").fill("2026-01-10T10:00")
    page.get_by_role("button", name="Skapa insamlingsplats").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Sandenfestivalen 2026")
    expect(page.get_by_role("status").first).to_have_text("Insamlingsplatsen är skapad.")
    point = the_point()
    assert (point.name, point.area.name, point.questionnaire.slug) == (
        "Sandenfestivalen 2026",
        "Sanden",
        "sanden-event",
    )
    # Entered in Swedish winter time: 09:00 UTC.
    assert point.opens_at.isoformat() == "2026-01-10T09:00:00+00:00"
    url = f"{page.url.split('/collection-points')[0]}/f/{point.token}"
    expect(page.get_by_label("Formulärets adress")).to_have_value(url)
    expect(page.get_by_label("Kiosklänk")).to_have_value(
        re.compile(f"/staff/collect/{point.token}$")
    )

    page.get_by_role("link", name="Affisch (A4)").click()
    expect(page.get_by_role("heading", level=1, name="Trygghet på Sanden")).to_be_visible()
    expect(page.get_by_text("16 korta frågor, cirka 4 min").first).to_be_visible()
    page.wait_for_function("document.querySelector('.code img').complete")
    page.emulate_media(media="print")
    assert decode_qr(page.screenshot(full_page=True), tmp_path) == [url]
    assert pdf_pages(page.pdf(format="A4", prefer_css_page_size=True)) == 1
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Tillbaka").click()
    page.get_by_role("link", name="Stäng platsen").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stäng Sandenfestivalen 2026")
    assert the_point().closes_at is None  # asking is not closing
    page.get_by_role("button", name="Ja, stäng platsen").click()
    expect(page.get_by_text("Stängd", exact=True)).to_be_visible()
    assert the_point().closes_at is not None
