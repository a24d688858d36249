"""The filters form of the results pages: what was typed, read into Filters with each
problem beside its field, and the filters in words for headings.

The checks are the API's (ResultsQuerySchema, then resolve_filters), so a page and the
API refuse the same filters; the page says what to do in its own words.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import g
from marshmallow import EXCLUDE, ValidationError

from ..collection.models import CollectionPoint
from ..i18n import LANGUAGE_NAMES, N_, gettext
from ..questionnaires.models import Questionnaire
from .filters import Filters
from .schemas import ResultsQuerySchema
from .selection import FilterError, combinable, resolve_filters

# The query parameters of a view's filters, in the order the form shows them.
FILTER_NAMES = ("point", "area", "kind", "channel", "version", "from", "to", "language")

# What to do about a filter that names nothing, by field: the form offers only what
# exists, so these come from an edited address or a typed date.
FILTER_PROBLEMS = {
    "point": N_("Choose a collection point of this questionnaire from the list."),
    "area": N_("Choose an area from the list."),
    "kind": N_("Choose a kind of collection point from the list."),
    "channel": N_("Choose a way of answering from the list."),
    "version": N_("Choose a published version from the list."),
    "from": N_("Enter a date between 2000-01-01 and 2100-12-31."),
    "to": N_("Enter a date between 2000-01-01 and 2100-12-31."),
    "language": N_("Choose one of the questionnaire's languages from the list."),
    "filters": N_("Combine at most three filters (the dates count as one): remove one."),
}
RANGE_REVERSED = N_("The first day is after the last day: swap them.")

KIND_LABELS = {
    "event": N_("Event"),
    "walk": N_("Safety walk"),
    "online": N_("Online link"),
}
CHANNEL_LABELS = {
    "resident": N_("The resident's own phone"),
    "staff": N_("A staff tablet"),
}


@dataclass
class FilterForm:
    """What the coordinator asked for, as typed, with the problems by field."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    filters: Filters | None = None


def read_filters(questionnaire: Questionnaire, args, prefix: str = "") -> FilterForm:
    """The filters in the query arguments (each name after ``prefix``), checked."""
    values = {name: args.get(prefix + name, "").strip() for name in FILTER_NAMES}
    form = FilterForm(values=values)
    given = {name: value for name, value in values.items() if value}
    try:
        parsed = ResultsQuerySchema(unknown=EXCLUDE).load(given)
    except ValidationError as exc:
        form.problems = {name: FILTER_PROBLEMS[name] for name in exc.messages}
        return form
    try:
        form.filters = combinable(resolve_filters(questionnaire, parsed))
    except FilterError as exc:
        form.problems = {
            name: RANGE_REVERSED if name == "from" else FILTER_PROBLEMS[name]
            for name in exc.problems
        }
    return form


def describe(filters: Filters | None, points: dict[int, CollectionPoint]) -> list[str]:
    """The active filters in words, for headings and the comparison's columns."""
    if filters is None:
        return []
    words = []
    if filters.point is not None and filters.point in points:
        words.append(points[filters.point].name_in(g.lang))
    if filters.area:
        words.append(filters.area)
    if filters.kind:
        words.append(gettext(KIND_LABELS[filters.kind]))
    if filters.channel:
        words.append(gettext(CHANNEL_LABELS[filters.channel]))
    if filters.version is not None:
        words.append(gettext("version {number}", number=filters.version))
    if filters.language:
        words.append(
            gettext(
                "answered in {language}",
                language=LANGUAGE_NAMES.get(filters.language, filters.language),
            )
        )
    if filters.since and filters.until:
        words.append(f"{filters.since.isoformat()} – {filters.until.isoformat()}")
    elif filters.since:
        words.append(gettext("from {day}", day=filters.since.isoformat()))
    elif filters.until:
        words.append(gettext("until {day}", day=filters.until.isoformat()))
    return words
