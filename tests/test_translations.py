"""The interface's gettext catalogues: complete, consistent with the code, compiled,
and chosen, pluralised and formatted per language."""

import json
import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from surveyservice.i18n import ngettext, plural_forms, set_language

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "surveyservice" / "translations"
# What the resident sees: the form, its page around it, the thanks and the closed page,
# and on a staff tablet the kiosk's status line and PIN dialog.
RESIDENT_TEMPLATES = {
    f"surveyservice/templates/collection/{name}.html"
    for name in ("base", "form", "thanks", "unavailable", "_kiosk")
}
# The form's map of the area (its labels, read by static/area-map.js).
RESIDENT_TEMPLATES.add("surveyservice/templates/walks/_area_map.html")


def catalogue(language: str, compiled: bool = False):
    path = TRANSLATIONS / language / "LC_MESSAGES" / f"messages.{'mo' if compiled else 'po'}"
    with path.open("rb") as file:
        return read_mo(file) if compiled else read_po(file, locale=language)


def extracted() -> dict[str | tuple[str, str], set[str]]:
    """Every text in the code and templates, as `make translations` extracts it, by file."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = dict(DEFAULT_KEYWORDS)
    keywords.update(
        parse_keywords(re.findall(r"-k (\S+)", re.search(r"EXTRACT_KEYWORDS := (.*)", makefile)[1]))
    )
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict = {}
    for filename, _line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.setdefault(message, set()).add(filename)
    return found


@pytest.fixture(scope="module")
def texts():
    return extracted()


def forms(message) -> list[str]:
    return list(message.string) if message.pluralizable else [message.string]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def test_texts_are_found_in_the_code_and_templates(texts):
    assert "Sign in" in texts
    assert ("Please check one answer", "Please check {count} answers") in texts
    assert "The file is not valid JSON." in texts  # marked with N_() where it is raised
    poster = "Scan the code with your phone's camera: {count} short questions, about {minutes} min."
    assert poster in texts  # translate()
    assert "Event" in texts  # N_() in a table of labels


def test_every_text_in_the_code_has_a_swedish_translation(texts):
    swedish = catalogue("sv")
    missing = []
    for text in texts:
        message = swedish.get(text[0] if isinstance(text, tuple) else text)
        if message is None or message.fuzzy or not all(forms(message)):
            missing.append(text)
    assert missing == []


def test_every_text_a_resident_sees_has_an_arabic_translation(texts):
    arabic = catalogue("ar")
    missing = []
    for text, files in texts.items():
        if not files & RESIDENT_TEMPLATES:
            continue
        message = arabic.get(text[0] if isinstance(text, tuple) else text)
        if message is None or message.fuzzy or not all(forms(message)):
            missing.append(text)
    assert missing == []


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_translations_keep_the_placeholders_of_their_text(language):
    wrong = []
    for message in catalogue(language):
        if not message.id or not message.string:
            continue
        if message.pluralizable:
            allowed = placeholders(message.id[0]) | placeholders(message.id[1])
            # A form may leave out the number itself ("one answer", "إجابتين"), no other.
            required = allowed - {"count", "limit", "seconds", "minutes", "total"}
            for form in message.string:
                if form and not (required <= placeholders(form) <= allowed):
                    wrong.append((message.id, form))
        elif placeholders(message.string) != placeholders(message.id):
            wrong.append((message.id, message.string))
    assert wrong == []


@pytest.mark.parametrize("language", ["sv", "ar"])
def test_compiled_catalogues_are_those_of_the_sources(language):
    """The .mo files are committed (see docs/decisions.md): a changed .po needs
    `make compile-translations`, which `make run` and `make test` also do."""
    source, compiled = catalogue(language), catalogue(language, compiled=True)

    def pairs(catalog):
        return {
            tuple(m.id) if m.pluralizable else m.id: tuple(forms(m))
            for m in catalog
            if m.id
            and not m.fuzzy
            and any(forms(m))
            # An untranslated plural text is compiled as itself.
            and not (m.pluralizable and set(forms(m)) <= set(m.id))
        }

    assert pairs(compiled) == pairs(source)


ARABIC_SUMMARY = {
    0: "لا توجد إجابات تحتاج إلى التحقق",
    1: "يرجى التحقق من إجابة واحدة",
    2: "يرجى التحقق من إجابتين",
    3: "يرجى التحقق من 3 إجابات",
    11: "يرجى التحقق من 11 إجابةً",
    100: "يرجى التحقق من 100 إجابة",
}


@pytest.mark.parametrize("count", sorted(ARABIC_SUMMARY))
def test_arabic_follows_its_six_plural_forms(app, count):
    with app.test_request_context("/f/x?lang=ar"):
        set_language("ar")
        text = ngettext("Please check one answer", "Please check {count} answers", count)
    assert text == ARABIC_SUMMARY[count]


@pytest.mark.parametrize(
    ("count", "expected"), [(1, "Kontrollera ett svar"), (2, "Kontrollera 2 svar")]
)
def test_swedish_has_a_singular_and_a_plural(app, count, expected):
    with app.test_request_context("/f/x"):
        set_language("sv")
        assert (
            ngettext("Please check one answer", "Please check {count} answers", count) == expected
        )


def test_scripts_get_every_plural_form_of_the_language(app):
    with app.test_request_context("/f/x?lang=ar"):
        set_language("ar")
        arabic = json.loads(plural_forms("{count} min ago", "{count} min ago"))
    assert arabic == {
        "zero": "منذ {count} دقيقة",
        "one": "منذ دقيقة واحدة",
        "two": "منذ دقيقتين",
        "few": "منذ {count} دقائق",
        "many": "منذ {count} دقيقةً",
        "other": "منذ {count} دقيقة",
    }
    with app.test_request_context("/sign-in?lang=en"):
        set_language("en")
        english = json.loads(
            plural_forms("Please check one answer", "Please check {count} answers")
        )
    assert english == {"one": "Please check one answer", "other": "Please check {count} answers"}


def test_numbers_and_dates_are_written_as_in_swedish(app):
    from flask_babel import format_date, format_decimal

    with app.test_request_context("/sign-in"):
        set_language("sv")
        assert format_decimal(1234.5) == "1\N{NO-BREAK SPACE}234,5"
        assert format_date(datetime(2026, 12, 1, 12, tzinfo=UTC)) == "1 dec. 2026"


def test_a_point_not_yet_open_shows_its_opening_in_the_organisations_time_zone(
    client, org, make_questionnaire, make_point
):
    # 23:30 UTC on 30 November is half past midnight on 1 December in Stockholm.
    year = datetime.now(UTC).year + 1
    opens = datetime(year, 11, 30, 23, 30, tzinfo=UTC)
    point = make_point(make_questionnaire(org), opens_at=opens, closes_at=opens + timedelta(days=1))
    page = client.get(f"/f/{point.token}").get_data(as_text=True)
    assert f"1 dec. {year}" in page
    assert "00:30" in page
    assert "UTC" not in page


def test_the_form_takes_its_language_from_the_address_only(
    client, org, make_questionnaire, make_point
):
    point = make_point(make_questionnaire(org))
    client.get("/sign-in?lang=en")  # the staff pages' choice, kept in the session
    page = client.get(f"/f/{point.token}", headers={"Accept-Language": "en"})
    assert '<html lang="sv"' in page.get_data(as_text=True)
    assert "Set-Cookie" not in page.headers
    english = client.get(f"/f/{point.token}?lang=en").get_data(as_text=True)
    assert '<html lang="en"' in english
