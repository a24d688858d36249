"""Areas' public pages: the stable address, the deliberate publish, the coordinators'
pages, and the public page itself (no cookie, cached, escaped, suppressed, unchanged
until the next publish)."""

from __future__ import annotations

import gzip
import re
import uuid
from datetime import date

import brotli
import pytest
import sqlalchemy as sa

from surveyservice.accounts.models import Role
from surveyservice.areas.areas import find_area_by_name, rename_area
from surveyservice.audit.models import AuditEntry
from surveyservice.collection.qr import qr_svg
from surveyservice.extensions import db
from surveyservice.public.models import (
    Promise,
    PromiseNote,
    PromiseStatus,
    Publication,
    PublicPage,
)
from surveyservice.public.pages import (
    find_page,
    page_for,
    publish,
    read_selections,
    set_results,
    slug_base,
)

from .conftest import PASSWORD, csrf_token_from, make_user
from .walk_data import record_walk, upload_photo, walk_point, walk_questionnaire

CHOICE_QUESTIONS = [
    {
        "id": "safe_now",
        "type": "single",
        "label": {"sv": "Hur trygg känner du dig?", "en": "How safe do you feel?"},
        "options": [
            {"value": "safe", "label": {"sv": "Trygg", "en": "Safe"}},
            {"value": "unsafe", "label": {"sv": "Otrygg", "en": "Unsafe"}},
            {"value": "unsure", "label": {"sv": "Vet inte", "en": "Not sure"}},
        ],
    },
    {"id": "why", "type": "longtext", "label": {"sv": "Varför?", "en": "Why?"}},
]


# --- helpers ---------------------------------------------------------------------------


def area_named(org, name: str = "Sanden"):
    return find_area_by_name(org.id, name)


def signed_in(app, user):
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    client.post("/sign-in", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    return client


def csrf_of(client, url: str = "/public-pages") -> str:
    return csrf_token_from(client.get(url).get_data(as_text=True))


def send(client, point, count: int, answers: dict) -> None:
    for _ in range(count):
        response = client.post(
            f"/api/v1/collect/{point.token}/responses",
            json={"id": str(uuid.uuid4()), "version": 1, "language": "sv", "answers": answers},
        )
        assert response.status_code == 201, response.json


def make_promise(org, area, text: dict, **fields) -> Promise:
    promise = Promise(
        organisation_id=org.id,
        first_year=fields.pop("first_year", 2026),
        last_year=fields.pop("last_year", 2027),
        texts=text,
        status=fields.pop("status", PromiseStatus.IN_PROGRESS.value),
        areas=[area],
        **fields,
    )
    db.session.add(promise)
    db.session.commit()
    return promise


def body(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def sanden(org):
    return area_named(org)


@pytest.fixture
def published_page(org, coordinator, sanden):
    """Sanden's page with one promise, published once."""
    make_promise(
        org,
        sanden,
        {"sv": "Fyra trygghetsvandringar i Sanden", "en": "Four safety walks in Sanden"},
        promised_count=4,
        done_count=2,
    )
    page = page_for(sanden)
    publish(page, coordinator)
    db.session.commit()
    return page


# --- the address ------------------------------------------------------------------------


def test_slug_is_made_from_the_name_and_kept_when_the_area_is_renamed(org, sanden):
    page = page_for(sanden)
    db.session.commit()
    assert page.slug == "sanden"
    rename_area(sanden, "Sandens centrum")
    db.session.commit()
    assert page_for(sanden).slug == "sanden"
    assert page_for(sanden).id == page.id
    assert slug_base("Västra Ödegården") == "vastra-odegarden"
    assert slug_base("الساندن") == "area"
    assert len(slug_base("Å" * 300)) <= 54


def test_slugs_collide_across_organisations_and_get_a_number(org, other_org):
    ours = page_for(area_named(org))
    theirs = page_for(area_named(other_org))
    db.session.commit()
    assert (ours.slug, theirs.slug) == ("sanden", "sanden-2")
    from surveyservice.areas.areas import create_area

    third = create_area(other_org.id, "SANDEN!")  # another name, the same address part
    assert page_for(third).slug == "sanden-3"


def test_a_page_is_made_once_per_area(org, sanden):
    assert page_for(sanden) is page_for(sanden)
    db.session.commit()
    count = db.session.execute(sa.select(sa.func.count()).select_from(PublicPage)).scalar()
    assert count == 1


# --- publishing ---------------------------------------------------------------------------


def test_publications_are_numbered_and_audited_with_the_area_and_number(org, coordinator, sanden):
    page = page_for(sanden)
    first = publish(page, coordinator)
    second = publish(page, coordinator)
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    assert second.published_by_id == coordinator.id and second.published_at is not None
    assert second.content["area"] == "Sanden"
    entries = (
        db.session.execute(
            sa.select(AuditEntry).filter_by(action="public_page.published").order_by(AuditEntry.id)
        )
        .scalars()
        .all()
    )
    assert [e.details for e in entries] == [
        {"area_id": sanden.id, "number": 1},
        {"area_id": sanden.id, "number": 2},
    ]
    assert entries[0].subject == "Sanden"
    # Another area's page counts from 1 again.
    assert publish(page_for(area_named(org, "Torpa")), coordinator).number == 1


def test_choosing_results_is_audited_only_when_it_changes(
    org, coordinator, sanden, make_questionnaire
):
    questionnaire = make_questionnaire(org)
    page = page_for(sanden)
    form, selections = read_selections(
        org.id, [{"questionnaire": "sample", "since": "2026-06-01", "until": ""}]
    )
    assert not form.has_problems
    assert selections == [
        {"questionnaire_id": questionnaire.id, "since": "2026-06-01", "until": None}
    ]
    assert set_results(page, selections, coordinator) is True
    assert set_results(page, selections, coordinator) is False
    db.session.commit()
    entries = (
        db.session.execute(sa.select(AuditEntry).filter_by(action="public_page.changed"))
        .scalars()
        .all()
    )
    assert [e.details for e in entries] == [{"area_id": sanden.id, "results": 1}]


def test_selections_are_checked_field_by_field(org, other_org, make_questionnaire):
    make_questionnaire(org)
    make_questionnaire(org, published=False, slug="draft-only")
    make_questionnaire(other_org, slug="theirs")
    rows = [
        {"questionnaire": "", "since": "2026-01-01", "until": ""},
        {"questionnaire": "theirs", "since": "", "until": ""},
        {"questionnaire": "draft-only", "since": "", "until": ""},
        {"questionnaire": "sample", "since": "1 juni", "until": "2026-13-01"},
        {"questionnaire": "sample", "since": "2026-06-02", "until": "2026-06-01"},
        {"questionnaire": "sample", "since": "1999-12-31", "until": ""},
        {"questionnaire": "sample", "since": "", "until": ""},
        {"questionnaire": "sample", "since": "", "until": ""},
        {"questionnaire": "", "since": "", "until": ""},  # empty: left out
        {"questionnaire": "nonsense", "since": "bad", "until": "", "remove": "1"},  # removed
    ]
    form, _selections = read_selections(org.id, rows)
    assert form.problems == {
        (0, "questionnaire"): "Choose a questionnaire.",
        (1, "questionnaire"): pytest.approx(form.problems[(1, "questionnaire")]),
        (2, "questionnaire"): form.problems[(1, "questionnaire")],
        (3, "since"): "Write the date as YYYY-MM-DD, such as 2026-06-01.",
        (3, "until"): "Write the date as YYYY-MM-DD, such as 2026-06-01.",
        (4, "until"): "The last day cannot be before the first.",
        (5, "since"): "Give a date between 2000 and 2100.",
        (7, "questionnaire"): "This questionnaire is already chosen for the same days above.",
    }
    assert "no published version" in form.problems[(1, "questionnaire")]


# --- the coordinators' pages ----------------------------------------------------------


def test_coordinator_saves_the_results_and_a_bad_row_stores_nothing(
    app, org, coordinator, sanden, make_questionnaire
):
    make_questionnaire(org)
    client = signed_in(app, coordinator)
    url = f"/public-pages/{sanden.id}"
    csrf = csrf_of(client, url)
    bad = client.post(
        url,
        data={
            "csrf_token": csrf,
            "rows": "2",
            "questionnaire-0": "sample",
            "since": "",
            "questionnaire-1": "sample",
            "since-1": "2026-06-10",
            "until-1": "2026-06-01",
        },
    )
    assert bad.status_code == 422
    html = body(bad)
    assert 'id="problem-until-1"' in html and 'href="#field-until-1"' in html
    assert 'value="2026-06-10"' in html  # what was typed stays
    db.session.expire_all()
    assert find_page(sanden) is None  # nothing stored, not even the page
    good = client.post(
        url,
        data={
            "csrf_token": csrf,
            "rows": "2",
            "questionnaire-0": "sample",
            "questionnaire-1": "sample",
            "since-1": "2026-06-01",
            "until-1": "2026-08-31",
        },
    )
    assert good.status_code == 303
    db.session.expire_all()
    assert [s["since"] for s in find_page(sanden).results] == [None, "2026-06-01"]
    assert good.headers["Location"] == f"{url}?saved=1#results-title"
    page = body(client.get(f"{url}?saved=1&lang=en"))
    assert "Saved. The public page shows it once you publish." in page
    assert 'value="2026-08-31"' in page
    # Removing a row.
    removed = client.post(
        url,
        data={
            "csrf_token": csrf,
            "rows": "2",
            "questionnaire-0": "sample",
            "remove-0": "1",
            "questionnaire-1": "sample",
            "since-1": "2026-06-01",
            "until-1": "2026-08-31",
        },
    )
    assert removed.status_code == 303
    db.session.expire_all()
    assert [s["since"] for s in find_page(sanden).results] == ["2026-06-01"]


def test_a_post_that_is_not_the_form_changes_nothing(
    app, org, coordinator, sanden, make_questionnaire
):
    questionnaire = make_questionnaire(org)
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": questionnaire.id}], coordinator)
    db.session.commit()
    client = signed_in(app, coordinator)
    url = f"/public-pages/{sanden.id}"
    csrf = csrf_of(client, url)
    for rows in (None, "", "x", "-1", "999", "1" * 40):
        data = {"csrf_token": csrf, **({"rows": rows} if rows is not None else {})}
        assert client.post(url, data=data).status_code == 400, rows
    long_slug = client.post(
        url, data={"csrf_token": csrf, "rows": "1", "questionnaire-0": "q" * 5000}
    )
    assert long_slug.status_code == 422
    db.session.expire_all()
    assert find_page(sanden).results == [{"questionnaire_id": questionnaire.id}]


def test_publish_needs_csrf_and_a_coordinator(app, org, coordinator, staff, sanden):
    client = signed_in(app, coordinator)
    url = f"/public-pages/{sanden.id}/publish"
    assert client.post(url).status_code == 400
    assert db.session.execute(sa.select(Publication)).first() is None
    published = client.post(url, data={"csrf_token": csrf_of(client)})
    assert published.status_code == 303
    assert published.headers["Location"].endswith(f"/public-pages/{sanden.id}?published=1")
    assert "Publication 1 is on the public page now" in body(
        client.get(published.headers["Location"] + "&lang=en")
    )
    staff_client = signed_in(app, staff)
    for page_url in (
        "/public-pages",
        f"/public-pages/{sanden.id}",
        f"/public-pages/{sanden.id}/preview",
        f"/public-pages/{sanden.id}/poster",
        f"/public-pages/{sanden.id}/publications/1",
    ):
        assert staff_client.get(page_url).status_code == 403, page_url
    token = csrf_of(staff_client, "/account")
    assert staff_client.post(url, data={"csrf_token": token}).status_code == 403
    assert app.test_client().get("/public-pages").status_code == 302
    db.session.expire_all()
    assert db.session.execute(sa.select(sa.func.count()).select_from(Publication)).scalar() == 1


def test_index_shows_each_areas_state(app, org, coordinator, sanden, published_page):
    client = signed_in(app, coordinator)
    html = body(client.get("/public-pages?lang=en"))
    torpa = area_named(org, "Torpa")
    row = re.search(rf'<tr id="area-{sanden.id}">.*?</tr>', html, re.S).group(0)
    assert "Publication 1" in row and "coordinator<wbr>@example.org" in row
    assert "Changes wait" not in row
    assert "Never published" in re.search(rf'<tr id="area-{torpa.id}">.*?</tr>', html, re.S).group(
        0
    )
    make_promise(org, sanden, {"sv": "Mer vuxna ute på kvällarna"})
    html = body(client.get("/public-pages?lang=en"))
    row = re.search(rf'<tr id="area-{sanden.id}">.*?</tr>', html, re.S).group(0)
    assert "Changes wait for the next publish" in row


def test_preview_shows_the_live_data_with_a_banner_and_a_publication_as_it_was(
    app, org, coordinator, sanden, published_page
):
    make_promise(org, sanden, {"sv": "Mer vuxna ute på kvällarna", "en": "More adults out"})
    client = signed_in(app, coordinator)
    for language, banner in (
        ("sv", "Förhandsvisning – inte publicerad"),
        ("en", "Preview – not published"),
        ("ar", 'lang="ar"'),
    ):
        preview = client.get(f"/public-pages/{sanden.id}/preview?language={language}")
        assert preview.status_code == 200
        assert preview.headers["Cache-Control"] == "no-store"
        html = body(preview)
        assert f'<html lang="{language}"' in html
        assert banner in html
        assert 'class="banner"' in html
    assert "More adults out" in body(client.get(f"/public-pages/{sanden.id}/preview?language=en"))
    past = body(client.get(f"/public-pages/{sanden.id}/publications/1?language=en"))
    assert "Four safety walks in Sanden" in past and "More adults out" not in past
    assert client.get(f"/public-pages/{sanden.id}/publications/2").status_code == 404
    # An area that has no page yet can be previewed; looking stores nothing.
    torpa = area_named(org, "Torpa")
    assert client.get(f"/public-pages/{torpa.id}/preview").status_code == 200
    db.session.expire_all()
    assert find_page(torpa) is None


def test_area_page_shows_address_qr_poster_and_history(
    app, org, coordinator, sanden, published_page
):
    client = signed_in(app, coordinator)
    html = body(client.get(f"/public-pages/{sanden.id}?lang=en"))
    assert "http://localhost/a/sanden" in html
    assert 'src="/a/sanden/qr.svg"' in html
    assert f'href="/public-pages/{sanden.id}/publications/1"' in html
    poster = client.get(f"/public-pages/{sanden.id}/poster")
    assert poster.status_code == 200
    poster_html = body(poster)
    assert "Se vad som hände i Sanden" in poster_html
    assert "See what happened in Sanden" in poster_html
    assert 'lang="ar" dir="rtl"' in poster_html
    assert "localhost/a/sanden" in poster_html
    # A page not yet saved or published has no address to show.
    torpa = area_named(org, "Torpa")
    assert "…/a/torpa" in body(client.get(f"/public-pages/{torpa.id}?lang=en"))
    assert client.get(f"/public-pages/{torpa.id}/poster").status_code == 404


# --- the public page --------------------------------------------------------------------


def assert_same_for_everyone(response) -> None:
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers.get("Vary", "").lower()


def test_a_page_never_published_is_a_plain_404_without_cookies(app, client, sanden):
    page_for(sanden)
    db.session.commit()
    for url in ("/a/sanden", "/a/sanden?lang=en", "/a/nowhere", "/a/" + "x" * 200):
        response = client.get(url)
        assert response.status_code == 404, url
        assert_same_for_everyone(response)
        assert "<script" not in body(response)
    assert "No page here yet" in body(client.get("/a/sanden?lang=en"))


def test_an_address_typed_in_capitals_is_sent_to_the_page(client, published_page):
    response = client.get("/a/Sanden?lang=en")
    assert response.status_code == 301
    assert response.headers["Location"].endswith("/a/sanden?lang=en")
    assert "Set-Cookie" not in response.headers
    assert client.get("/a/NOWHERE").status_code == 404


def test_public_page_sets_no_cookie_even_for_a_signed_in_coordinator(
    app, coordinator, published_page
):
    client = signed_in(app, coordinator)
    for lang in ("", "?lang=en", "?lang=ar"):
        response = client.get(f"/a/sanden{lang}", headers={"Accept-Encoding": "br"})
        assert response.status_code == 200
        assert_same_for_everyone(response)
        assert response.headers["Cache-Control"] == "public, max-age=300"
        assert "<script" not in brotli.decompress(response.data).decode()
    qr = client.get("/a/sanden/qr.svg")
    assert_same_for_everyone(qr)
    assert qr.mimetype == "image/svg+xml"
    assert qr.data == qr_svg("http://localhost/a/sanden")


@pytest.mark.parametrize("encoding", ["", "gzip", "br"])
def test_public_page_answers_304_to_its_etag(client, published_page, encoding):
    headers = {"Accept-Encoding": encoding} if encoding else {}
    first = client.get("/a/sanden?lang=en", headers=headers)
    etag = first.headers["ETag"]
    assert etag
    again = client.get("/a/sanden?lang=en", headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert_same_for_everyone(again)
    other = client.get("/a/sanden?lang=sv", headers={**headers, "If-None-Match": etag})
    assert other.status_code == 200


def test_the_page_changes_only_when_published(
    app, client, org, coordinator, sanden, make_questionnaire, make_point, published_page
):
    stops = record_walk(walk_point(walk_questionnaire(org), area="Sanden"))
    first = body(client.get("/a/sanden?lang=en"))
    etag = client.get("/a/sanden?lang=en").headers["ETag"]
    assert "Four safety walks in Sanden" in first
    # New data: an observation marked public, a promise, answers, a chosen questionnaire.
    stops[0].public = True
    stops[0].public_note = "Ny lampa uppsatt"
    make_promise(org, sanden, {"sv": "Mer vuxna ute", "en": "More adults out"})
    questionnaire = make_questionnaire(org, questions=CHOICE_QUESTIONS)
    send(app.test_client(), make_point(questionnaire), 6, {"safe_now": "safe"})
    set_results(page_for(sanden), [{"questionnaire_id": questionnaire.id}], coordinator)
    db.session.commit()
    unchanged = client.get("/a/sanden?lang=en")
    assert body(unchanged) == first
    assert unchanged.headers["ETag"] == etag
    publish(page_for(sanden), coordinator)
    db.session.commit()
    changed = body(client.get("/a/sanden?lang=en"))
    assert changed != first
    assert "More adults out" in changed and "Ny lampa uppsatt" in changed
    assert "How safe do you feel?" in changed
    assert client.get("/a/sanden?lang=en", headers={"If-None-Match": etag}).status_code == 200


def test_observations_show_only_what_is_public(app, client, org, coordinator, sanden):
    point = walk_point(walk_questionnaire(org), area="Sanden")
    photo = upload_photo(point)
    stops = [
        (
            {
                "place": {"lat": 58.38012, "lon": 12.32456, "source": "gps", "accuracy": 5},
                "categories": ["lighting"],
                "severity": "4",
                "note": "Lampan vid Storgatan 5 är trasig, ring 070-1234567",
                "photo": [photo],
            },
            58.38012,
            12.32456,
            5.0,
        ),
        ({"place": {"place": "playground"}, "categories": ["litter"], "severity": "2"}, 0, 0, None),
        (
            {"place": {"place": "underpass"}, "categories": ["vegetation"], "severity": "3"},
            0,
            0,
            None,
        ),
    ]
    shown, named, hidden = record_walk(point, stops)
    shown.public, named.public = True, True
    shown.public_note = "Lampan är lagad"
    shown.internal_note = "Hemlig anteckning om en granne"
    shown.status = "fixed"
    hidden.public_note = "Syns inte"
    db.session.commit()
    publish(page_for(sanden), coordinator)
    db.session.commit()
    html = body(client.get("/a/sanden?lang=en"))
    assert "Lampan är lagad" in html and "Hemlig" not in html and "Syns inte" not in html
    assert "Storgatan" not in html and "070" not in html
    assert photo not in html and "/photos/" not in html and "<img" not in html
    # About here: on a grid of about 100 m, never the position as recorded.
    assert re.search(r'<a href="geo:58\.3\d{0,3},12\.3\d{0,3}" class="geo">about here</a>', html)
    assert "58.38012" not in html and "12.32456" not in html
    assert "The playground" in html and "The underpass" not in html
    assert "Lighting" in html and "Vegetation" not in html
    assert re.search(r'<p class="note" dir="auto" lang="sv">Lampan är lagad</p>', html)


def test_suppressed_results_show_as_too_few_never_a_number(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    small = make_questionnaire(
        org,
        slug="small",
        title={"sv": "Liten enkät", "en": "Small survey"},
        questions=CHOICE_QUESTIONS,
    )
    big = make_questionnaire(
        org, slug="big", title={"sv": "Stor enkät", "en": "Big survey"}, questions=CHOICE_QUESTIONS
    )
    send(app.test_client(), make_point(small), 3, {"safe_now": "unsafe"})
    big_point = make_point(big)
    send(app.test_client(), big_point, 9, {"safe_now": "safe"})
    send(app.test_client(), big_point, 2, {"safe_now": "unsafe"})
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": small.id}, {"questionnaire_id": big.id}], coordinator)
    publish(page, coordinator)
    db.session.commit()
    html = body(client.get("/a/sanden?lang=en"))
    small_block = html[html.index("Small survey") : html.index("Big survey")]
    assert "Fewer than 5 people have answered here so far" in small_block
    assert "<table" not in small_block and ">3<" not in small_block
    big_block = html[html.index("Big survey") : html.index('id="seen"')]
    assert "too few answers" in big_block
    # The 2 who felt unsafe are not shown, nor anything that gives them away.
    unsafe_row = re.search(
        r"<tr><th scope=\"row\"><span dir=\"auto\">Unsafe</span></th>.*?</tr>", big_block, re.S
    )
    assert unsafe_row and "too few answers" in unsafe_row.group(0)
    assert ">2<" not in big_block and "18" not in big_block
    assert "Why?" not in html  # free text is never on the page


HOSTILE = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "\u202eevil\u202c after",
]


def test_hostile_texts_are_escaped_and_isolated(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    questionnaire = make_questionnaire(
        org,
        slug="hostile",
        title={"sv": HOSTILE[0] + HOSTILE[1], "en": HOSTILE[2]},
        questions=CHOICE_QUESTIONS,
    )
    send(app.test_client(), make_point(questionnaire), 6, {"safe_now": "safe"})
    promise = make_promise(
        org,
        sanden,
        {"sv": HOSTILE[0], "en": HOSTILE[1], "ar": HOSTILE[2]},
        done_texts={"sv": HOSTILE[1]},
    )
    db.session.add(
        PromiseNote(promise_id=promise.id, noted_on=date(2026, 9, 1), texts={"sv": HOSTILE[2]})
    )
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": questionnaire.id}], coordinator)
    publish(page, coordinator)
    db.session.commit()
    for lang in ("sv", "en", "ar"):
        html = body(client.get(f"/a/sanden?lang={lang}"))
        assert "<script>" not in html and "<img" not in html, lang
        assert "&lt;script&gt;" in html or "&#34;&gt;&lt;img" in html, lang
        # Every right-to-left override sits inside an element with its own direction.
        for match in re.finditer("\u202e", html):
            opening = html.rfind("<", 0, match.start())
            assert " dir=" in html[opening : match.start()], lang
    client_of_coordinator = signed_in(app, coordinator)
    for url in (
        "/public-pages",
        f"/public-pages/{sanden.id}",
        f"/public-pages/{sanden.id}/preview",
    ):
        html = body(client_of_coordinator.get(url))
        assert "<script>alert" not in html and "<img src=x" not in html, url


def test_languages_and_the_swedish_fallback(client, org, coordinator, sanden):
    make_promise(org, sanden, {"sv": "Bara på svenska"}, done_texts={"sv": "Gjort", "ar": "تم"})
    publish(page_for(sanden), coordinator)
    db.session.commit()
    sv = body(client.get("/a/sanden"))
    assert '<html lang="sv" dir="ltr">' in sv and "Vad vi lovade och vad vi gjorde" in sv
    ar = body(client.get("/a/sanden?lang=ar"))
    assert '<html lang="ar" dir="rtl">' in ar
    assert '<span lang="sv" dir="ltr">Bara på svenska</span>' in ar
    assert '<span dir="auto">تم</span>' in ar
    en = body(client.get("/a/sanden?lang=en"))
    assert '<span lang="sv" dir="ltr">Bara på svenska</span>' in en
    assert "What we promised and what we did" in en
    assert "promised" not in en.split("Bara på svenska")[1].split("</article>")[0]
    # A language the page does not speak is Swedish.
    assert '<html lang="sv"' in body(client.get("/a/sanden?lang=xx"))
    # The switcher is links, with the current language marked.
    assert 'href="?lang=ar" lang="ar" hreflang="ar" dir="rtl"' in sv
    assert '<span lang="sv" aria-current="page">Svenska</span>' in sv


def test_empty_sections_say_so(client, coordinator, sanden):
    publish(page_for(sanden), coordinator)
    db.session.commit()
    html = body(client.get("/a/sanden?lang=en"))
    assert "No results from questionnaires are published on this page yet." in html
    assert "No observations from safety walks are published on this page yet." in html
    assert "No promises for this area are published on this page yet." in html


def test_promise_progress_is_shown_with_counts_and_dated_notes(client, org, coordinator, sanden):
    promise = make_promise(
        org,
        sanden,
        {"sv": "Fyra vandringar", "en": "Four walks"},
        promised_count=4,
        done_count=2,
        done_texts={"sv": "Två vandringar gjorda", "en": "Two walks done"},
    )
    db.session.add(
        PromiseNote(promise_id=promise.id, noted_on=date(2026, 9, 1), texts={"en": "Walk two done"})
    )
    db.session.commit()
    publish(page_for(sanden), coordinator)
    db.session.commit()
    html = body(client.get("/a/sanden?lang=en"))
    assert "promised 4 – done 2" in html
    # A period reads from the first year to the last in Arabic too.
    assert (
        '<span dir="ltr">2026–2027</span>' in html
        and "In progress" in html
        and "Two walks done" in html
    )
    assert (
        '<time datetime="2026-09-01">September 1, 2026</time> <p dir="auto">Walk two done</p>'
        in html
    )
    sv = body(client.get("/a/sanden"))
    assert "lovat 4 – gjort 2" in sv and "1 september 2026" in sv


# --- the thank-you page and the poster ---------------------------------------------------


def test_thank_you_and_poster_link_to_the_published_page(
    app, client, org, coordinator, make_questionnaire, make_point, sanden
):
    point = make_point(make_questionnaire(org))
    thanks = body(client.get(f"/f/{point.token}/thanks?lang=en"))
    assert "Follow what happens" not in thanks
    publish(page_for(sanden), coordinator)
    db.session.commit()
    thanks = client.get(f"/f/{point.token}/thanks?lang=en")
    assert_same_for_everyone(thanks)
    assert 'Follow what happens in Sanden: <a href="http://localhost/a/sanden?lang=en"' in body(
        thanks
    )
    form = body(client.get(f"/f/{point.token}"))
    assert 'Följ vad som händer i Sanden: <a href="http://localhost/a/sanden"' in form
    poster = body(signed_in(app, coordinator).get(f"/collection-points/{point.id}/poster"))
    assert 'src="/a/sanden/qr.svg"' in poster and "localhost/a/sanden" in poster
    # A point in an area without a published page links nowhere.
    torpa = make_point(make_questionnaire(org, slug="torpa"), area="Torpa")
    assert "Följ vad" not in body(client.get(f"/f/{torpa.token}/thanks"))


# --- the budget -------------------------------------------------------------------------


def realistic_sanden_content() -> dict:
    """A busy Sanden page: 2 questionnaires × 6 questions, 30 observations, 8 promises."""

    import random

    chance = random.Random(11)
    words = {
        "sv": [
            "trygghet",
            "belysning",
            "kväll",
            "vuxna",
            "skola",
            "park",
            "gång",
            "tunnel",
            "buss",
            "torg",
            "ungdomar",
            "förening",
            "polis",
            "kommun",
            "lampa",
            "buskar",
            "klotter",
            "cykel",
            "trappa",
            "väg",
        ],
        "en": [
            "safety",
            "lighting",
            "evening",
            "adults",
            "school",
            "park",
            "path",
            "tunnel",
            "bus",
            "square",
            "youth",
            "club",
            "police",
            "council",
            "lamp",
            "bushes",
            "graffiti",
            "bicycle",
            "stairs",
            "road",
        ],
        "ar": [
            "السلامة",
            "الإضاءة",
            "المساء",
            "البالغون",
            "المدرسة",
            "الحديقة",
            "الممر",
            "النفق",
            "الحافلة",
            "الساحة",
            "الشباب",
            "الجمعية",
            "الشرطة",
            "البلدية",
            "المصباح",
            "الشجيرات",
            "الكتابة",
            "الدراجة",
            "الدرج",
            "الطريق",
        ],
    }

    def texts(sv: str) -> dict:
        # Different words in each text, so that the page compresses as a real one does.
        picks = [chance.randrange(20) for _ in range(max(3, len(sv.split())))]
        return {
            language: " ".join(words[language][i] for i in picks).capitalize()
            for language in ("sv", "en", "ar")
        }

    def question(number: int) -> dict:
        return {
            "id": f"q{number}",
            "type": "single",
            "label": texts(f"Hur trygg känner du dig på kvällen vid plats nummer {number}?"),
            "total": 140,
            "withheld": None,
            "median": None,
            "cells": [
                {
                    "value": f"o{i}",
                    "label": texts(f"Svarsalternativ {i}"),
                    "count": 28,
                    "share": 0.2,
                }
                for i in range(4)
            ]
            + [{"value": None, "label": {}, "count": None, "share": None}],
        }

    return {
        "area": "Sanden",
        "organisation": "Vänersborgs kommun och Polisen",
        "results": [
            {
                "questionnaire": f"sanden-{year}",
                "title": texts(f"Trygghet i Sanden {year}"),
                "since": f"{year}-06-01",
                "until": f"{year}-08-31",
                "k": 5,
                "total": 140,
                "withheld": None,
                "questions": [question(n) for n in range(6)],
            }
            for year in (2025, 2026)
        ],
        "observations": [
            {
                "category": texts("Belysning, nedskräpning"),
                "place": texts("Gångtunneln vid Sandens skola") if i % 2 else None,
                "lat": None if i % 2 else 58.3801,
                "lon": None if i % 2 else 12.3246,
                "date": f"2026-05-{i % 28 + 1:02d}",
                "status": "fixed",
                "status_label": texts("Åtgärdad"),
                "note": texts(
                    "Trasig lampa bytt av kommunen efter vandringen, nytt ljus vid trappan."
                )["sv"],
            }
            for i in range(30)
        ],
        "promises": [
            {
                "id": i,
                "first_year": 2026,
                "last_year": 2027,
                "text": texts("Fler vuxna ute i Sanden under sommarfestivalen och kvällarna efter"),
                "status": "in_progress",
                "promised_count": 4,
                "done_count": 2,
                "done_text": texts("Två vandringar gjorda med föreningarna och polisen i området"),
                "notes": [
                    {"date": "2026-09-01", "text": texts("Andra vandringen gjord, tolv deltog.")},
                    {"date": "2026-06-15", "text": texts("Första vandringen gjord med skolan.")},
                ],
            }
            for i in range(8)
        ],
    }


def test_a_realistic_page_with_its_stylesheet_is_within_50_kb_compressed(
    client, coordinator, sanden, capsys
):
    page = page_for(sanden)
    db.session.flush()
    db.session.add(
        Publication(
            page_id=page.id,
            number=1,
            published_at=__import__("surveyservice.database", fromlist=["utcnow"]).utcnow(),
            published_by_id=coordinator.id,
            content=realistic_sanden_content(),
        )
    )
    db.session.commit()
    sizes = {}
    for encoding, decompress in (("gzip", gzip.decompress), ("br", brotli.decompress)):
        response = client.get("/a/sanden?lang=ar", headers={"Accept-Encoding": encoding})
        assert response.headers["Content-Encoding"] == encoding
        html = decompress(response.data).decode()
        assert html.count('class="promise"') == 8 and html.count("<table") == 12
        stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
        assert len(stylesheets) == 1
        assert not re.search(r"<(script|img|iframe)\b", html)
        css = client.get(stylesheets[0], headers={"Accept-Encoding": encoding})
        sizes[encoding] = (len(response.data), len(css.data), len(html))
    with capsys.disabled():
        for encoding, (page_bytes, css_bytes, raw) in sizes.items():
            print(
                f"\npublic page budget ({encoding}): page {page_bytes} B "
                f"(raw {raw} B) + css {css_bytes} B = {page_bytes + css_bytes} B"
            )
    assert all(page + css <= 50_000 for page, css, _raw in sizes.values())


def test_another_organisation_cannot_reach_our_public_pages_admin(
    app, other_org, sanden, published_page
):
    intruder = signed_in(app, make_user(other_org, Role.ADMIN))
    for url in (
        f"/public-pages/{sanden.id}",
        f"/public-pages/{sanden.id}/preview",
        f"/public-pages/{sanden.id}/poster",
        f"/public-pages/{sanden.id}/publications/1",
    ):
        assert intruder.get(url).status_code == 404, url
    csrf = csrf_of(intruder)
    assert (
        intruder.post(f"/public-pages/{sanden.id}/publish", data={"csrf_token": csrf}).status_code
        == 404
    )
    assert "Sanden" in body(intruder.get("/public-pages"))  # their own Sanden
    assert f'/public-pages/{sanden.id}"' not in body(intruder.get("/public-pages"))


def test_results_move_on_only_by_whole_groups_between_publications(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    """A reader who keeps one publication and reads the next must not learn the few
    answers that came in between from the difference."""
    questionnaire = make_questionnaire(org, questions=CHOICE_QUESTIONS)
    point = make_point(questionnaire)
    resident = app.test_client()
    send(resident, point, 6, {"safe_now": "safe"})
    send(resident, point, 6, {"safe_now": "unsafe"})
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": questionnaire.id}], coordinator)
    first = publish(page, coordinator)
    db.session.commit()
    assert first.content["results"][0]["total"] == 12

    def cells(publication):
        question = publication.content["results"][0]["questions"][0]
        return [(cell["value"], cell["count"]) for cell in question["cells"]]

    # One more person feels unsafe: published again, the figures stay as they were.
    send(resident, point, 1, {"safe_now": "unsafe"})
    second = publish(page, coordinator)
    db.session.commit()
    assert second.content["results"][0]["total"] == 12
    assert cells(second) == cells(first)
    assert "12 answers" in body(client.get("/a/sanden?lang=en"))
    # Nor does an unpublished page's state say a change is waiting.
    assert "Changes wait" not in body(signed_in(app, coordinator).get("/public-pages?lang=en"))
    # Four more, five in all since the figures shown: now they move on, to all 17.
    send(resident, point, 4, {"safe_now": "safe"})
    third = publish(page, coordinator)
    db.session.commit()
    assert third.content["results"][0]["total"] == 17
    assert "17 answers" in body(client.get("/a/sanden?lang=en"))


def _shown(publication) -> list[tuple]:
    return [
        (block["since"], block["total"], block["withheld"])
        for block in publication.content["results"]
    ]


def twenty_published_and_one_more(app, org, coordinator, sanden, make_questionnaire, make_point):
    """Sanden's page published with 10 safe and 10 unsafe answers; then one more
    person answered unsafe."""
    questionnaire = make_questionnaire(org, questions=CHOICE_QUESTIONS)
    point = make_point(questionnaire)
    resident = app.test_client()
    send(resident, point, 10, {"safe_now": "safe"})
    send(resident, point, 10, {"safe_now": "unsafe"})
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": questionnaire.id}], coordinator)
    publish(page, coordinator)
    db.session.commit()
    send(resident, point, 1, {"safe_now": "unsafe"})
    return questionnaire, page


def test_the_same_answers_under_another_period_are_withheld_not_shown_anew(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    """'All answers' and 'from 2000' count the same answers: shown side by side after
    one more answer, they would give that answer away."""
    questionnaire, page = twenty_published_and_one_more(
        app, org, coordinator, sanden, make_questionnaire, make_point
    )
    both = [
        {"questionnaire_id": questionnaire.id, "since": None, "until": None},
        {"questionnaire_id": questionnaire.id, "since": "2000-01-01", "until": None},
    ]
    set_results(page, both, coordinator)
    second = publish(page, coordinator)
    db.session.commit()
    assert _shown(second) == [(None, 20, None), ("2000-01-01", None, "held_back")]
    html = body(client.get("/a/sanden?lang=en"))
    assert "21 answers" not in html and "20 answers" in html
    assert "differ by fewer than 5" in html
    # A period of other days is no difference at all: it is shown.
    set_results(
        page,
        [{"questionnaire_id": questionnaire.id, "since": "2000-01-01", "until": "2000-12-31"}],
        coordinator,
    )
    assert _shown(publish(page, coordinator)) == [("2000-01-01", None, "selection_too_small")]


def test_figures_kept_under_a_smaller_threshold_are_withheld_when_it_grows(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    _questionnaire, page = twenty_published_and_one_more(
        app, org, coordinator, sanden, make_questionnaire, make_point
    )
    org.result_k = 6
    db.session.commit()
    assert _shown(publish(page, coordinator)) == [(None, None, "held_back")]


def test_a_page_beside_a_results_wall_of_a_few_answers_less_is_withheld(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    from surveyservice.public.models import Wall

    questionnaire = make_questionnaire(org, questions=CHOICE_QUESTIONS)
    point = make_point(questionnaire)
    resident = app.test_client()
    send(resident, point, 5, {"safe_now": "safe"})
    send(resident, point, 5, {"safe_now": "unsafe"})
    wall = Wall(
        organisation_id=org.id,
        collection_point_id=point.id,
        token="t" * 22,
        question_ids=["safe_now"],
        shown_count=10,
        shown={"figures": "as the wall showed them"},
    )
    db.session.add(wall)
    point.walls_shown_count = 10
    db.session.commit()
    send(resident, point, 1, {"safe_now": "unsafe"})
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": questionnaire.id}], coordinator)
    assert _shown(publish(page, coordinator)) == [(None, None, "held_back")]
    db.session.commit()
    # Once the difference is a whole group, the page shows its figures.
    send(resident, point, 4, {"safe_now": "safe"})
    assert _shown(publish(page, coordinator)) == [(None, 15, None)]


def test_a_view_withheld_for_its_neighbours_does_not_claim_too_few_answers(
    app, client, org, coordinator, sanden, make_questionnaire, make_point
):
    questionnaire = make_questionnaire(org, questions=CHOICE_QUESTIONS)
    resident = app.test_client()
    send(resident, make_point(questionnaire), 60, {"safe_now": "safe"})
    send(resident, make_point(questionnaire, name="Torpa", area="Torpa"), 2, {"safe_now": "safe"})
    page = page_for(sanden)
    set_results(page, [{"questionnaire_id": questionnaire.id}], coordinator)
    publication = publish(page, coordinator)
    db.session.commit()
    assert _shown(publication) == [(None, None, "rest_too_small")]
    html = body(client.get("/a/sanden?lang=en"))
    assert "fewer than 5 answers" not in html
    assert "number of answers not shown" in html


@pytest.mark.parametrize(
    "stored",
    [
        [7],
        [{"questionnaire_id": [1]}],
        [{"questionnaire_id": 1, "since": "garbage"}],
        [{"questionnaire_id": 1, "since": 5}],
        [{"questionnaire_id": 1, "until": "2026-13-01"}],
        {"questionnaire_id": 1},
        "everything",
    ],
    ids=["number", "list-id", "bad-date", "number-date", "no-such-day", "dict", "text"],
)
def test_odd_stored_selections_leave_the_pages_working(
    app, org, coordinator, sanden, make_questionnaire, stored
):
    make_questionnaire(org, questions=CHOICE_QUESTIONS)
    page = page_for(sanden)
    db.session.flush()
    page.results = stored
    db.session.commit()
    publish(page, coordinator)
    db.session.commit()
    client = signed_in(app, coordinator)
    for url in (
        "/public-pages",
        f"/public-pages/{sanden.id}",
        f"/public-pages/{sanden.id}/preview",
    ):
        assert client.get(url).status_code == 200, url
    assert client.get("/a/sanden").status_code == 200
