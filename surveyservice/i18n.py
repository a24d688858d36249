"""Interface texts in Swedish (the default), English and Arabic.

The catalogues are plain JSON files in translations/, keyed by the English text,
so that a translator edits them directly and nothing has to be compiled before
the service runs. Questionnaire texts are not here: they live in each definition.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Flask, g, request, session

DEFAULT_LANGUAGE = "sv"
LANGUAGE_NAMES = {"sv": "Svenska", "en": "English", "ar": "العربية"}
# The staff and coordinator pages; the resident form also speaks Arabic.
STAFF_LANGUAGES = ("sv", "en")
RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur", "ps", "ckb"})
_DIR = Path(__file__).parent / "translations"


@cache
def catalogue(language: str) -> dict[str, str]:
    path = _DIR / f"{language}.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def translate(message: str, language: str, **values) -> str:
    text = catalogue(language).get(message, message) if language != "en" else message
    return text.format(**values) if values else text


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


def init_app(app: Flask) -> None:
    @app.before_request
    def set_language():
        # The API speaks English; the forms (the resident's, and the kiosk's on a staff
        # tablet) take their language from the URL only: nothing is kept about a
        # resident, not even in a cookie, and a resident's choice is not the staff's.
        if request.path.startswith(("/api/", "/f/", "/staff/collect/")):
            g.lang = DEFAULT_LANGUAGE
        else:
            g.lang = choose_staff_language()

    def _(message: str, **values) -> str:
        return translate(message, g.get("lang", DEFAULT_LANGUAGE), **values)

    app.jinja_env.globals.update(
        _=_, direction=direction, LANGUAGE_NAMES=LANGUAGE_NAMES, STAFF_LANGUAGES=STAFF_LANGUAGES
    )
