"""Interface texts in Swedish (the default), English and Arabic, with Flask-Babel.

The texts are written in English in the code and templates; their translations are
gettext catalogues, translations/<language>/LC_MESSAGES/messages.po (compiled to
messages.mo), which translators edit with the standard tools (see the README,
"Translating"). Placeholders are written `{name}` and filled with str.format after
translation, so a text reads the same in a template, in Python and in the scripts'
data attributes. Questionnaire texts are not here: they live in each definition.

Dates, times and numbers are formatted per language by Flask-Babel's format_date,
format_datetime, format_time and format_decimal, in the organisation's time zone.
"""

from __future__ import annotations

import json
from datetime import datetime

from babel import Locale
from flask import Flask, current_app, g, request, session
from flask_babel import (
    Babel,
    force_locale,
    format_date,
    format_datetime,
    format_decimal,
    format_time,
    get_locale,
    get_translations,
    refresh,
)
from flask_login import current_user

from .local_time import shown

DEFAULT_LANGUAGE = "sv"
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English", "ar": "العربية"}
# The staff and coordinator pages; the resident form also speaks Arabic.
STAFF_LANGUAGES = ("sv", "en")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})
# Pages whose language comes from the URL only: the API speaks English (it has no
# texts of this kind), and the forms (the resident's, and the kiosk's on a staff
# tablet) keep nothing about a resident, not even in a cookie; a resident's choice
# of language is not the staff's. The public area pages (/a/) and the results walls
# (/w/) are the same for everyone and set no cookie.
URL_ONLY_PREFIXES = ("/api/", "/f/", "/staff/collect/", "/a/", "/w/")

# The templates get this module's gettext ({name} placeholders, plain strings that
# Jinja escapes), not the i18n extension's.
babel = Babel(configure_jinja=False)


def _fill(text: str, values: dict) -> str:
    return text.format(**values) if values else text


def gettext(message: str, **values) -> str:
    """The message in the current language, with its `{name}` placeholders filled."""
    return _fill(get_translations().gettext(message), values)


def ngettext(singular: str, plural: str, count: int, **values) -> str:
    """The form of the message for `count` in the current language's plural rules.

    `{count}` is filled with the number (formatted for the language) unless
    another value of that name is given; other placeholders as in gettext.
    """
    values.setdefault("count", format_decimal(count))
    return _fill(get_translations().ngettext(singular, plural, count), values)


def plural_forms(singular: str, plural: str) -> str:
    """Every plural form of a message in the current language, for a script.

    A JSON object keyed by the Unicode plural categories (zero, one, two, few, many,
    other) that the language has; the script picks one with Intl.PluralRules and
    fills the placeholders itself. Each form is the catalogue's form for a number of
    that category, so the page and the script agree.
    """
    rule = (get_locale() or Locale.parse(DEFAULT_LANGUAGE)).plural_form
    translations = get_translations()
    forms: dict[str, str] = {}
    for number in range(0, 1000):
        category = rule(number)
        if category not in forms:
            forms[category] = translations.ngettext(singular, plural, number)
        if len(forms) == len(rule.tags) + 1:
            break
    return json.dumps(forms, ensure_ascii=False, sort_keys=True)


def N_(message: str) -> str:
    """Mark a text for the catalogues where it is written; it is translated where shown."""
    return message


def translate(message: str, language: str, **values) -> str:
    """The message in the given language (for a page that shows several)."""
    with force_locale(language):
        return gettext(message, **values)


def direction(language: str) -> str:
    return "rtl" if language.split("-")[0] in RTL_LANGUAGES else "ltr"


def choose_staff_language() -> str:
    """The language of the staff pages: asked for, remembered, or the browser's."""
    asked = request.args.get("lang")
    if asked in STAFF_LANGUAGES:
        session["lang"] = asked
        return asked
    if session.get("lang") in STAFF_LANGUAGES:
        return session["lang"]
    return request.accept_languages.best_match(STAFF_LANGUAGES) or DEFAULT_LANGUAGE


def language_from_url_only() -> bool:
    return request.path.startswith(URL_ONLY_PREFIXES)


def set_language(language: str) -> None:
    """Speak `language` for the rest of this request (a form's language is known late)."""
    g.lang = language
    refresh()


def show_times_for(organisation_id: int | None) -> None:
    """Show this request's times in that organisation's time zone (the form's point's)."""
    g.time_zone_organisation = organisation_id
    refresh()


def organisation_time_zone(organisation_id: int | None) -> str:
    """The time zone an organisation's times are entered and shown in.

    An organisation names its own with Organisation.time_zone; for no organisation it
    is the service's BABEL_DEFAULT_TIMEZONE (Europe/Stockholm unless set).
    """
    default = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    # Imported here: accounts/ marks its texts with this module's N_().
    from .accounts.models import Organisation

    if organisation_id is None:
        return default
    from .extensions import db

    organisation = db.session.get(Organisation, organisation_id)
    return getattr(organisation, "time_zone", None) or default


def select_locale() -> str:
    return g.get("lang", DEFAULT_LANGUAGE)


def select_time_zone() -> str:
    if "time_zone_organisation" in g:
        return organisation_time_zone(g.time_zone_organisation)
    # The resident's pages never read the session: the form names its point's organisation.
    if request and not language_from_url_only() and current_user.is_authenticated:
        return organisation_time_zone(current_user.organisation_id)
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def _moment(value: datetime | None, kind: str = "datetime", style: str = "medium") -> str:
    if value is None:
        return ""
    formatter = {"date": format_date, "time": format_time, "datetime": format_datetime}[kind]
    return formatter(value, style)


def local_time(moment: datetime | None) -> str:
    """A time for reading on the staff pages: in this request's time zone (the
    organisation's) and language, with the zone's abbreviation, such as 1 juni 2026
    10:00 CEST."""
    return shown(moment, select_time_zone(), g.get("lang", DEFAULT_LANGUAGE))


def init_app(app: Flask) -> None:
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config.setdefault("BABEL_DEFAULT_TIMEZONE", "Europe/Stockholm")
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_time_zone)

    @app.before_request
    def set_language_of_request():
        # The forms set their language once they know the questionnaire's languages.
        g.lang = DEFAULT_LANGUAGE if language_from_url_only() else choose_staff_language()

    app.jinja_env.globals.update(
        _=gettext,
        gettext=gettext,
        ngettext=ngettext,
        plural_forms=plural_forms,
        format_date=lambda value, style="medium": _moment(value, "date", style),
        format_time=lambda value, style="short": _moment(value, "time", style),
        format_datetime=lambda value, style="short": _moment(value, "datetime", style),
        format_decimal=format_decimal,
        local_time=local_time,
        direction=direction,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        STAFF_LANGUAGES=STAFF_LANGUAGES,
    )
