"""Counts of responses and answers by everything a filter can name: what the rules in
suppression.py work on. Built by one grouped query (``load_cube``); the rules then
need no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy import select

from ..areas.models import Area
from ..collection.models import AnswerItem, Channel, CollectionPoint, Response
from ..extensions import db
from ..local_time import zone
from ..questionnaires.models import Questionnaire

# The value of an answer row that only says the question was answered: multi-choice
# questions (besides one row per chosen option) and the types without values to count.
ANSWERED = None


@dataclass(frozen=True)
class Atom:
    """The finest group the filters can tell apart."""

    point: int  # collection point id
    area: str  # the area's name, as stored
    kind: str  # PointKind value
    channel: str  # Channel value
    version: int  # the published version's number
    language: str | None  # None unless the language was asked for (it is sensitive)
    day: date  # the day the answer was given, in the organisation's time zone


@dataclass
class Cube:
    # Responses per atom.
    responses: dict[Atom, int] = field(default_factory=dict)
    # Answer rows per atom, question id and value: single, yesno, scale and number by
    # value (as text: "3", "2.5", "true"); multi one row per chosen option plus one
    # ANSWERED row; every other type one ANSWERED row.
    answers: dict[tuple[Atom, str, str | None], int] = field(default_factory=dict)


def _raw(column):
    """A column read as the driver gives it: a grouped count can return a row per
    answer, and converting each row's hour and channel costs more than the query."""
    return sa.type_coerce(column, sa.String)


def _utc_hour(value: datetime | str) -> datetime:
    # SQLite keeps a naive UTC time as text; PostgreSQL gives an aware datetime.
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def load_cube(questionnaire: Questionnaire, time_zone: str, with_language: bool) -> Cube:
    """The counts of the whole questionnaire (all published versions, no filter): the
    rules need the base as well as the view. Two grouped queries over indexes; the
    day of each stored hour is found here, in the organisation's time zone."""
    versions = {v.id: v.number for v in questionnaire.published}
    points = {
        point_id: (area, kind.value)
        for point_id, area, kind in db.session.execute(
            select(CollectionPoint.id, Area.name, CollectionPoint.kind)
            .join(Area, CollectionPoint.area_id == Area.id)
            .where(CollectionPoint.questionnaire_id == questionnaire.id)
        )
    }
    tz = zone(time_zone)
    atoms: dict[tuple, Atom | None] = {}

    def atom(key: tuple) -> Atom | None:
        point_id, version_id, channel, language, hour = key
        number = versions.get(version_id)
        found = None
        # A row of a version no longer published is not this questionnaire's to count.
        if number is not None and point_id in points:
            area, kind = points[point_id]
            found = Atom(
                point_id,
                area,
                kind,
                Channel(channel).value,
                number,
                language if with_language else None,
                _utc_hour(hour).astimezone(tz).date(),
            )
        atoms[key] = found
        return found

    cube = Cube()
    answered_at = sa.func.coalesce(Response.recorded_at, Response.received_at)
    group = (
        Response.collection_point_id,
        Response.version_id,
        _raw(Response.channel),
        Response.language,
        _raw(answered_at),
    )
    response_groups = (
        select(*group, sa.func.count()).where(Response.version_id.in_(versions)).group_by(*group)
    )
    responses = cube.responses
    for *key, count in db.session.execute(response_groups):
        key = tuple(key)
        found = atoms[key] if key in atoms else atom(key)
        if found is not None:
            responses[found] = responses.get(found, 0) + count

    item = AnswerItem
    # In the order of the index, so that the database groups as it reads it.
    group = (
        item.question_id,
        item.value,
        item.collection_point_id,
        item.version_id,
        _raw(item.channel),
        item.language,
        _raw(item.answered_at),
    )
    answer_groups = (
        select(*group, sa.func.count())
        .where(item.questionnaire_id == questionnaire.id)
        .group_by(*group)
    )
    answers = cube.answers
    for question_id, value, *key, count in db.session.execute(answer_groups):
        key = tuple(key)
        found = atoms[key] if key in atoms else atom(key)
        if found is not None:
            cell = (found, question_id, value)
            answers[cell] = answers.get(cell, 0) + count
    return cube
