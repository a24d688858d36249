"""Turning a view's query arguments into Filters, and Filters into the responses they
select. Nothing here reads a request: routes, pages and the CLI pass what they parsed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Select, select

from ..areas.areas import find_area_by_name, list_areas
from ..areas.models import Area
from ..collection.models import AnswerItem, Channel, CollectionPoint, PointKind, Response
from ..database import UTCDateTime
from ..extensions import db
from ..local_time import start_of_day, to_utc
from ..questionnaires.models import Questionnaire
from .filters import Filters

# Each filter roughly triples the views the small-group rules check a view against
# (docs/results.md, rule 3): beyond three, one request could keep a worker busy for
# many seconds.
MAX_FILTERS = 3
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 12, 31)


class FilterError(ValueError):
    """Filters that name nothing the organisation knows; ``problems`` by query parameter."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in problems.items()))


def published_numbers(questionnaire: Questionnaire) -> list[int]:
    return [v.number for v in questionnaire.published]


def questionnaire_languages(questionnaire: Questionnaire) -> list[str]:
    """Every language a published version was in, in the order first met."""
    languages: list[str] = []
    for version in questionnaire.published:
        for language in version.definition.get("languages", []):
            if language not in languages:
                languages.append(language)
    return languages


def _point_problem(questionnaire: Questionnaire, point_id: int) -> str | None:
    point = db.session.get(CollectionPoint, point_id)
    if point is None or point.organisation_id != questionnaire.organisation_id:
        return f"No collection point {point_id}."
    if point.questionnaire_id != questionnaire.id:
        return f"Collection point {point_id} does not collect this questionnaire."
    return None


def resolve_filters(questionnaire: Questionnaire, args: dict) -> Filters:
    """The Filters the parsed query arguments (ResultsQuerySchema) name, checked against
    the questionnaire's organisation; FilterError lists every one that names nothing."""
    problems: dict[str, list[str]] = {}
    org_id = questionnaire.organisation_id

    point = args.get("point")
    if point is not None and (problem := _point_problem(questionnaire, point)):
        problems["point"] = [problem]

    area = args.get("area")
    if area is not None:
        found = find_area_by_name(org_id, area)
        if found is None:
            known = ", ".join(a.name for a in list_areas(org_id)) or "none yet"
            problems["area"] = [f"No area called {area!r}. The areas are: {known}."]
        else:
            area = found.name

    version = args.get("version")
    if version is not None and version not in published_numbers(questionnaire):
        numbers = ", ".join(map(str, published_numbers(questionnaire))) or "none yet"
        problems["version"] = [f"No published version {version}. Published: {numbers}."]

    since, until = args.get("from_"), args.get("to")
    # The API's schema says as much; the command line reaches here without it.
    for name, day in (("from", since), ("to", until)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            problems[name] = [f"Expected a day from {FIRST_DAY} to {LAST_DAY}."]
    in_range = "from" not in problems and "to" not in problems
    if in_range and since is not None and until is not None and since > until:
        problems["from"] = [f"{since.isoformat()} is after to ({until.isoformat()})."]

    language = args.get("language")
    if language is not None:
        languages = questionnaire_languages(questionnaire)
        if language not in languages:
            problems["language"] = [
                f"The questionnaire is not in {language!r}. "
                f"Its languages: {', '.join(languages) or 'none yet'}."
            ]

    if problems:
        raise FilterError(problems)
    return Filters(
        point=point,
        area=area,
        kind=args.get("kind"),
        channel=args.get("channel"),
        version=version,
        language=language,
        since=since,
        until=until,
    )


def combinable(filters: Filters) -> Filters:
    """The filters, if a results view may combine that many (exports, being raw data,
    take any number); else FilterError under ``filters``."""
    if filters.combined > MAX_FILTERS:
        raise FilterError(
            {
                "filters": [
                    f"Combine at most {MAX_FILTERS} filters (a date range counts as one): "
                    "each one multiplies the views the small-group rules check."
                ]
            }
        )
    return filters


def day_start(day: date, time_zone: str) -> datetime:
    """The UTC time at which a local day began."""
    # Noon exists on every day in every zone; its day's start is what midnight means.
    return start_of_day(to_utc(datetime(day.year, day.month, day.day, 12), time_zone), time_zone)


def answered_at():
    """When the answer was given: the tablet's recorded hour, else the hour it arrived."""
    return sa.func.coalesce(Response.recorded_at, Response.received_at, type_=UTCDateTime())


def _selected(questionnaire: Questionnaire, filters: Filters, time_zone: str, rows) -> list:
    """The conditions of the filters on a table of responses or of their answers (both
    carry the point, channel, version and language); ``rows.answered_at`` is the
    time the answer was given. One set of rules, so both select the same responses."""
    conditions = []
    if filters.point is not None:
        conditions.append(rows.point == filters.point)
    if filters.area is not None or filters.kind is not None:
        points = select(CollectionPoint.id).where(
            CollectionPoint.questionnaire_id == questionnaire.id
        )
        if filters.area is not None:
            points = points.join(Area, CollectionPoint.area_id == Area.id).where(
                Area.name == filters.area
            )
        if filters.kind is not None:
            points = points.where(CollectionPoint.kind == PointKind(filters.kind))
        conditions.append(rows.point.in_(points))
    if filters.channel is not None:
        conditions.append(rows.channel == Channel(filters.channel))
    if filters.version is not None:
        ids = [v.id for v in questionnaire.published if v.number == filters.version]
        conditions.append(rows.version.in_(ids))
    if filters.language is not None:
        conditions.append(rows.language == filters.language)
    # Both times are UTC to the hour, so comparing with the days' bounds works on every
    # database; the bounds are computed here, where the time zone is known.
    if filters.since is not None:
        conditions.append(rows.answered_at >= day_start(filters.since, time_zone))
    if filters.until is not None:
        end = day_start(filters.until + timedelta(days=1), time_zone)
        conditions.append(rows.answered_at < end)
    return conditions


@dataclass(frozen=True)
class _Columns:
    point: Any
    channel: Any
    version: Any
    language: Any
    answered_at: Any


def matching_responses(
    questionnaire: Questionnaire, filters: Filters, time_zone: str
) -> Select[tuple[Response]]:
    """The questionnaire's responses that the filters select, as a Select of Response."""
    columns = _Columns(
        Response.collection_point_id,
        Response.channel,
        Response.version_id,
        Response.language,
        answered_at(),
    )
    return (
        select(Response)
        .join(CollectionPoint, Response.collection_point_id == CollectionPoint.id)
        .where(CollectionPoint.questionnaire_id == questionnaire.id)
        .where(Response.organisation_id == questionnaire.organisation_id)
        .where(*_selected(questionnaire, filters, time_zone, columns))
    )


def matching_answers(
    questionnaire: Questionnaire, question_id: str, filters: Filters, time_zone: str
) -> Select[tuple[uuid.UUID]]:
    """The ids of the responses the filters select that answered the question: the
    same selection as matching_responses, read from the answers' index alone."""
    item = AnswerItem
    columns = _Columns(
        item.collection_point_id, item.channel, item.version_id, item.language, item.answered_at
    )
    return select(item.response_id).where(
        item.questionnaire_id == questionnaire.id,
        item.question_id == question_id,
        *_selected(questionnaire, filters, time_zone, columns),
    )
