"""What an area's public page shows, built from the live data as one JSON-able dict.

The dict is what a publication keeps and what the page is drawn from, so the public
sees exactly what a coordinator previewed and published, and nothing moves until the
next publish. Everything in it is already safe to show:

- results come from ``results.summary.summarise``, so every suppression rule of
  docs/results.md applies (a suppressed figure is None); only questions answered by
  choosing (single, multiple, yes/no, scale) are kept, never free text, numbers,
  dates, places or photos;
- observations are only those a coordinator marked public, as their category, a
  rough place (the named place, or the position on a grid of about 100 m), the day,
  the status and the public note; never a photo, an internal note or an answer of
  the entry besides its category;
- promises are the organisation's promises for the area, with their follow-up.

Texts are by language ({"sv": ..., "en": ...}); the page falls back to Swedish.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..accounts.models import Organisation
from ..areas.models import Area
from ..extensions import db
from ..i18n import DEFAULT_LANGUAGE, LANGUAGE_NAMES
from ..local_time import to_local
from ..privacy.coarsening import coarsen_position
from ..questionnaires.models import Questionnaire
from ..results.filters import Filters
from ..results.settings import thresholds_for
from ..results.summary import NotPublished, QuestionSummary, Summary, summarise
from ..walks.models import Observation
from ..walks.observations import (
    ObservationFilters,
    category_values,
    group_definition,
    list_observations,
    status_label,
)
from ..walks.reading import options, place_label, sub_question
from .models import PromiseNote
from .promises import promises_for_area

# The languages the public page speaks: the resident form's.
LANGUAGES = tuple(LANGUAGE_NAMES)
# Questions whose results are published: those answered by choosing.
PUBLISHED_TYPES = frozenset({"single", "multi", "yesno", "scale"})
# The grid that places an observation on the public page, in metres.
PUBLIC_GRID_M = 100


def build_content(page) -> dict[str, Any]:
    """Everything the area's page would show if published now."""
    area: Area = page.area
    org = db.session.get(Organisation, page.organisation_id)
    return {
        "area": area.name,
        "organisation": org.name,
        "results": results_section(
            org, area, page.results if isinstance(page.results, list) else []
        ),
        "observations": observations_section(org, area),
        "promises": promises_section(org.id, area.id),
    }


# --- what we asked and what you answered --------------------------------------


class _NotADay(ValueError):
    pass


def _day(value: object) -> date | None:
    """A stored ISO day, None for an open end; anything else names no period."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise _NotADay(value)
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise _NotADay(value) from None


def results_section(org: Organisation, area: Area, selections: list[dict]) -> list[dict]:
    """Each chosen questionnaire's results in the area over its period, suppressed.

    A questionnaire that no longer exists in the organisation, or has no published
    version, is left out: the page cannot describe it."""
    thresholds = thresholds_for(org)
    blocks = []
    for selection in selections:
        if not isinstance(selection, dict):
            continue
        questionnaire_id = selection.get("questionnaire_id")
        # Kept in JSON: anything but a row's id names no questionnaire (and a number
        # out of the column's range would make PostgreSQL refuse the query).
        if type(questionnaire_id) is not int or not 0 < questionnaire_id < 2**31:
            continue
        questionnaire = db.session.get(Questionnaire, questionnaire_id)
        if questionnaire is None or questionnaire.organisation_id != org.id:
            continue
        try:
            since, until = _day(selection.get("since")), _day(selection.get("until"))
        except _NotADay:
            continue
        filters = Filters(area=area.name, since=since, until=until)
        try:
            summary = summarise(questionnaire, filters, thresholds, org.time_zone)
        except NotPublished:
            continue
        blocks.append(_result_block(questionnaire, summary, selection))
    return blocks


def _result_block(questionnaire: Questionnaire, summary: Summary, selection: dict) -> dict:
    return {
        "questionnaire": questionnaire.slug,
        "title": dict(summary.title),
        "since": selection.get("since"),
        "until": selection.get("until"),
        "k": summary.thresholds.k,
        "total": summary.total,
        "withheld": summary.withheld,
        "questions": [
            _question(question)
            for question in summary.questions
            if question.type in PUBLISHED_TYPES
        ]
        if summary.withheld is None
        else [],
    }


def _question(question: QuestionSummary) -> dict:
    return {
        "id": question.id,
        "type": question.type,
        "label": dict(question.label),
        "total": question.total,
        "withheld": question.withheld,
        "median": question.median,
        "cells": [
            {
                "value": cell.value,
                "label": dict(cell.label),
                "count": cell.count,
                "share": cell.share,
            }
            for cell in question.cells
        ],
    }


# --- what we saw on safety walks -----------------------------------------------


def _by_language(value_of, languages=LANGUAGES) -> dict[str, str]:
    """A text in each of the page's languages (of those given), leaving out those
    that are empty."""
    texts = {language: value_of(language) for language in LANGUAGES if language in languages}
    return {language: text for language, text in texts.items() if text}


def _written_in(definition: dict) -> tuple[str, ...]:
    """The languages a definition's texts are written in. A label asked for in any
    other comes back in the definition's own language: kept under the other's code,
    the page would mark Swedish text as Arabic instead of falling back with lang="sv"."""
    return tuple(definition.get("languages") or (definition["default_language"],))


def _category(observation: Observation, definition: dict) -> dict[str, str] | None:
    values = category_values(observation, definition)
    if not values:
        return None
    group = group_definition(observation, definition)
    question = sub_question(group, group.get("category"))

    def label(language: str) -> str:
        known = dict(options(question, definition, language))
        return ", ".join(known.get(value, value) for value in values)

    return _by_language(label, _written_in(definition))


def _rough_place(observation: Observation, definition: dict) -> dict:
    if observation.place:
        return {
            "place": _by_language(
                lambda language: place_label(
                    definition, observation.question_id, observation.place, language
                ),
                _written_in(definition),
            ),
            "lat": None,
            "lon": None,
        }
    if observation.lat is None or observation.lon is None:
        return {"place": None, "lat": None, "lon": None}
    lat, lon = coarsen_position(observation.lat, observation.lon, PUBLIC_GRID_M)
    return {"place": None, "lat": round(lat, 4), "lon": round(lon, 4)}


def observations_section(org: Organisation, area: Area) -> list[dict]:
    """The area's observations a coordinator marked public, oldest first."""
    items = []
    for observation in list_observations(org.id, ObservationFilters(area=area.id, public=True)):
        definition = observation.response.version.definition
        items.append(
            {
                "category": _category(observation, definition),
                **_rough_place(observation, definition),
                "date": to_local(observation.observed_at, org.time_zone).date().isoformat(),
                "status": observation.status,
                "status_label": _by_language(
                    lambda language, status=observation.status: status_label(org, status, language)
                ),
                "note": observation.public_note or "",
            }
        )
    return items


# --- what we promised and what we did ------------------------------------------


def _texts(value: dict | None) -> dict[str, str] | None:
    if not value:
        return None
    texts = {language: text for language, text in value.items() if text}
    return texts or None


def _note(note: PromiseNote) -> dict:
    return {"date": note.noted_on.isoformat(), "text": _texts(note.texts) or {}}


def promises_section(organisation_id: int, area_id: int) -> list[dict]:
    return [
        {
            "id": promise.id,
            "first_year": promise.first_year,
            "last_year": promise.last_year,
            "text": _texts(promise.texts) or {},
            "status": promise.status,
            "promised_count": promise.promised_count,
            "done_count": promise.done_count,
            "done_text": _texts(promise.done_texts),
            "notes": [_note(note) for note in promise.notes],
        }
        for promise in promises_for_area(organisation_id, area_id)
    ]


def text_for(texts: dict | None, language: str) -> tuple[str, str]:
    """A published text in the language, else in Swedish: (text, its language)."""
    texts = texts or {}
    if texts.get(language):
        return texts[language], language
    if texts.get(DEFAULT_LANGUAGE):
        return texts[DEFAULT_LANGUAGE], DEFAULT_LANGUAGE
    for other, text in texts.items():
        if text:
            return text, other
    return "", language
