"""What a results view shows: the shapes pages, API and CSV of figures are drawn from.

A figure that is suppressed is ``None``; the reason a whole view or question is
withheld is one of the codes below, which pages translate. The rules that decide
are in docs/results.md and suppression.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from ..collection.models import AnswerItem, Response
from ..extensions import db
from .cube import load_cube
from .exports.writing import yes_no_words
from .filters import Filters
from .selection import matching_answers

# Why a whole view is withheld.
SELECTION_TOO_SMALL = "selection_too_small"  # fewer than k responses
REST_TOO_SMALL = "rest_too_small"  # what the filters leave out is suppressed with it
EDGE_DAYS_TOO_SMALL = "edge_days_too_small"  # a day at the range's edge is too small
# Why a question is withheld within a shown view.
OTHER_VERSIONS_TOO_SMALL = "other_versions_too_small"

# The value of the one cell besides "no answer" of a question whose answers are not
# counted by value (number, free text, date, location, photo): how many answered.
ANSWERED_VALUE = "answered"


@dataclass(frozen=True)
class Thresholds:
    k: int = 5  # the smallest group a figure may describe
    text_k: int = 10  # the smallest group whose free text is listed


@dataclass
class Cell:
    """One bar of a breakdown: an option's (or scale value's) answers, or "no answer"
    when ``value`` is None. ``count`` and ``share`` are None when suppressed."""

    value: str | None
    label: dict[str, str]  # by language; empty for "no answer"
    count: int | None
    share: float | None  # of the question's total, 0..1


@dataclass
class QuestionSummary:
    id: str
    type: str
    label: dict[str, str]  # by language, from the latest version counted
    versions: list[int]  # the version numbers counted (where it means the same)
    total: int | None  # responses asked: the cells add up to it (multi: each cell <= it)
    cells: list[Cell] = field(default_factory=list)
    median: float | None = None  # scale and number
    texts: list[str] | None = None  # free text, masked, in a random order; None: not listed
    withheld: str | None = None


@dataclass
class DayCount:
    day: date
    count: int | None  # responses that day; None when suppressed


@dataclass
class Summary:
    slug: str
    title: dict[str, str]
    languages: list[str]
    filters: Filters
    thresholds: Thresholds
    total: int | None  # responses in the view; None when withheld
    withheld: str | None = None
    days: list[DayCount] = field(default_factory=list)
    questions: list[QuestionSummary] = field(default_factory=list)


# At most this many free-text answers are listed for a question.
TEXTS_LISTED = 200


class NotPublished(LookupError):
    """A questionnaire without a published version has no results to show."""


def summarise(
    questionnaire, filters: Filters, thresholds: Thresholds, time_zone: str, with_language=False
) -> Summary:
    """The view of ``questionnaire`` that ``filters`` select, as the rules allow it to be
    shown, with the free text of each question whose texts may be listed."""
    # Imported here: the rules import this module's shapes.
    from .suppression import build_summary

    published = questionnaire.published
    if not published:
        raise NotPublished(f"{questionnaire.slug!r} has no published version yet.")
    versions = {v.number: v.definition for v in sorted(published, key=lambda v: v.number)}
    # A view of one language needs the languages apart, whether or not they are shown.
    cube = load_cube(questionnaire, time_zone, with_language or filters.language is not None)
    summary = build_summary(questionnaire.slug, versions, cube, filters, thresholds)
    for question in summary.questions:
        if question.texts == []:
            question.texts = free_texts(questionnaire, filters, time_zone, question)
    _name_yes_and_no(summary)
    return summary


def _name_yes_and_no(summary: Summary) -> None:
    """Yes/no cells carry the words the form showed, in each language, as options
    carry their labels: "true" is no word for a Swedish page."""
    words = yes_no_words(summary.languages)
    for question in summary.questions:
        if question.type != "yesno":
            continue
        for cell in question.cells:
            if cell.value in ("true", "false") and not cell.label:
                index = 0 if cell.value == "true" else 1
                cell.label = {language: pair[index] for language, pair in words.items()}


def free_texts(questionnaire, filters: Filters, time_zone: str, question) -> list[str]:
    """Up to TEXTS_LISTED answers to a free-text question in the view, in a random
    order: the order they arrived in could tell who wrote which. Masked when stored."""
    version_ids = [v.id for v in questionnaire.published if v.number in question.versions]
    chosen = (
        matching_answers(questionnaire, question.id, filters, time_zone)
        .where(AnswerItem.version_id.in_(version_ids))
        .order_by(sa.func.random())
        .limit(TEXTS_LISTED)
    )
    ids = list(db.session.execute(chosen).scalars())
    rows = db.session.execute(sa.select(Response.id, Response.answers).where(Response.id.in_(ids)))
    found = {response_id: answers for response_id, answers in rows}
    texts = [found[i].get(question.id) for i in ids]
    return [t for t in texts if isinstance(t, str) and t]
