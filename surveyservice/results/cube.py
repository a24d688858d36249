"""Counts of responses and answers by everything a filter can name: what the rules in
suppression.py work on. Built by grouped queries (``load_cube``) that count by local
day in the database; the rules then need no database.

The answer counts, the large part, are kept in each process between requests: answer
rows are only ever added, so a kept count is brought up to date with the rows stored
since (docs/decisions.md, "Results").
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy import select

from ..areas.models import Area
from ..collection.models import AnswerItem, Channel, CollectionPoint, Response
from ..database import UTCDateTime
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

    def __post_init__(self):
        # The rules look atoms up in dictionaries millions of times a summary.
        fields = (self.point, self.area, self.kind, self.channel, self.version)
        object.__setattr__(self, "_hash", hash((*fields, self.language, self.day)))

    def __hash__(self) -> int:
        return self._hash


@dataclass
class Cube:
    """Never changed once load_cube returns it: its answer counts may be shared with
    the next request's."""

    # Responses per atom.
    responses: dict[Atom, int] = field(default_factory=dict)
    # Answer rows per atom, question id and value: single, yesno, scale and number by
    # value (as text: "3", "2.5", "true"); multi one row per chosen option plus one
    # ANSWERED row; every other type one ANSWERED row.
    answers: dict[tuple[Atom, str, str | None], int] = field(default_factory=dict)


def _raw(column):
    """A column read as the driver gives it: converting each row's values costs more
    than the query."""
    return sa.type_coerce(column, sa.String)


# PostgreSQL's memory for sorting the answer rows by group (see _by_day).
GROUPING_MEMORY = "64MB"

# Offsets are found by probing the zone this often, then to the second between two
# probes that differ: no zone changes its offset twice within six hours.
_PROBE = 6 * 3600


def offset_changes(tz: ZoneInfo, first: datetime, last: datetime) -> tuple[int, list]:
    """The zone's UTC offset in seconds at ``first``, and each change until ``last``
    as (the first instant of the new offset, the new offset)."""

    def offset(moment: int) -> int:
        return int(datetime.fromtimestamp(moment, tz).utcoffset().total_seconds())

    low_end, high_end = int(first.timestamp()), int(last.timestamp()) + 1
    start = was = offset(low_end)
    changes = []
    before = low_end
    while before < high_end:
        after = min(before + _PROBE, high_end)
        now = offset(after)
        if now != was:
            low, high = before, after  # the change is in (low, high]
            while high - low > 1:
                middle = (low + high) // 2
                low, high = (middle, high) if offset(middle) == was else (low, middle)
            changes.append((datetime.fromtimestamp(high, UTC), now))
        before, was = after, now
    return start, changes


def local_day(column, tz: ZoneInfo, first: datetime, last: datetime, dialect: str):
    """The day in the zone of a stored UTC time between ``first`` and ``last``, as the
    database computes it: the UTC time shifted by the offset in force then. What
    ``astimezone(tz).date()`` gives, without a row per hour reaching Python."""
    start, changes = offset_changes(tz, first, last)
    seconds = sa.literal(start)
    if changes:
        whens, offsets = [], [start] + [new for _, new in changes]
        for (instant, _), before in zip(changes, offsets, strict=False):
            whens.append((column < sa.literal(instant, UTCDateTime), sa.literal(before)))
        seconds = sa.case(*whens, else_=sa.literal(offsets[-1]))
    if dialect == "sqlite":
        # SQLite keeps the time as text, which its date() reads.
        return sa.func.date(_raw(column), sa.cast(seconds, sa.String) + " seconds")
    utc = sa.func.timezone("UTC", column)
    return sa.cast(utc + seconds * sa.literal_column("interval '1 second'"), sa.Date)


def _day(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _by_day(columns: tuple, moment, where, zone_name: str, dialect: str):
    """Counts by ``columns`` and the local day of ``moment``."""
    span = db.session.execute(select(sa.func.min(moment), sa.func.max(moment)).where(*where))
    first, last = span.one()
    if first is None:
        return []
    if isinstance(first, str):  # SQLite's aggregate gives the stored text
        first, last = (datetime.fromisoformat(v) for v in (first, last))
    first, last = (v if v.tzinfo else v.replace(tzinfo=UTC) for v in (first, last))
    day = local_day(moment, zone(zone_name), first, last, dialect).label("day")
    # Grouped by the subquery's columns: PostgreSQL would not see the day's expression
    # in the GROUP BY (its own parameters) as the one selected.
    rows = select(*columns, day).where(*where).subquery()
    grouped = select(*rows.c, sa.func.count()).group_by(*rows.c)
    if dialect == "sqlite":
        return db.session.execute(grouped)
    # PostgreSQL sorts the rows of a questionnaire by group: in the default 4 MB it
    # sorts on disk, at 2 million rows more than twice as slowly. Only for this query.
    setting = "SELECT set_config('work_mem', :value, true)"
    before = db.session.execute(sa.text("SELECT current_setting('work_mem')")).scalar()
    db.session.execute(sa.text(setting), {"value": GROUPING_MEMORY})
    try:
        return db.session.execute(grouped).all()
    finally:
        db.session.execute(sa.text(setting), {"value": before})


@dataclass
class _Kept:
    answers: dict
    covered: int  # the largest answer_item id counted
    # The atoms by the rows' raw values: the same objects each time, so that the rules'
    # lookups find them by identity rather than comparing them field by field.
    atoms: dict


# Per process: a few questionnaires' answer counts, the latest used last.
_kept: OrderedDict[tuple, _Kept] = OrderedDict()
_kept_lock = threading.Lock()
KEPT_CUBES = 4


def forget_cubes() -> None:
    """Drop every kept count (for measuring a cold start)."""
    with _kept_lock:
        _kept.clear()


def _settled_top() -> int | None:
    """The largest answer_item id below which every row is committed, or None if that
    cannot be known now. On PostgreSQL ids are taken when rows are written, not when
    they are committed: a brief SHARE lock waits for the transactions writing rows
    (a submission's is short) and lets none start until the largest id is read."""
    if db.engine.dialect.name == "sqlite":
        # SQLite writes one transaction at a time, so ids are committed in order.
        return db.session.execute(select(sa.func.max(AnswerItem.id))).scalar() or 0
    with db.engine.connect() as connection:
        try:
            connection.execute(sa.text("SET LOCAL lock_timeout = '500ms'"))
            connection.execute(sa.text("LOCK TABLE answer_item IN SHARE MODE"))
            top = connection.execute(select(sa.func.max(AnswerItem.id))).scalar() or 0
        except sa.exc.OperationalError:
            return None  # a long batch is being stored: counted afresh, not kept
        finally:
            connection.rollback()
    return top


def load_cube(questionnaire: Questionnaire, time_zone: str, with_language: bool) -> Cube:
    """The counts of the whole questionnaire (all published versions, no filter): the
    rules need the base as well as the view. Responses are counted afresh; answers
    from this process's kept counts and the rows stored since."""
    versions = {v.id: v.number for v in questionnaire.published}
    points = {
        point_id: (area, kind.value)
        for point_id, area, kind in db.session.execute(
            select(CollectionPoint.id, Area.name, CollectionPoint.kind)
            .join(Area, CollectionPoint.area_id == Area.id)
            .where(CollectionPoint.questionnaire_id == questionnaire.id)
        )
    }
    dialect = db.engine.dialect.name
    # Everything the atoms depend on: a point moved to another area, a version
    # withdrawn, another zone or the languages apart make other counts.
    kept_as = (
        str(db.engine.url),
        questionnaire.id,
        questionnaire.created_at,
        time_zone,
        with_language,
        tuple(sorted(versions.items())),
        tuple(sorted(points.items())),
    )
    with _kept_lock:
        kept = _kept.get(kept_as)
    atoms: dict[tuple, Atom | None] = dict(kept.atoms) if kept else {}

    def atom(raw: tuple) -> Atom | None:
        point_id, version_id, channel, *language, day = raw
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
                language[0] if language else None,
                _day(day),
            )
        atoms[raw] = found
        return found

    cube = Cube()
    # The languages are grouped apart only when asked for: a third of the rows.
    languages = (Response.language,) if with_language else ()
    answered_at = sa.func.coalesce(Response.recorded_at, Response.received_at)
    group = (
        Response.collection_point_id,
        Response.version_id,
        _raw(Response.channel).label("channel"),
        *languages,
    )
    where = (Response.version_id.in_(versions),)
    responses = cube.responses
    for *key, count in _by_day(group, answered_at, where, time_zone, dialect):
        key = tuple(key)
        found = atoms[key] if key in atoms else atom(key)
        if found is not None:
            responses[found] = responses.get(found, 0) + count

    def count_answers(answers: dict, above: int, top: int | None) -> None:
        item = AnswerItem
        # In the order of the index, so that the database groups as it reads it.
        group = (
            item.question_id,
            item.value,
            item.collection_point_id,
            item.version_id,
            _raw(item.channel).label("channel"),
            *((item.language,) if with_language else ()),
        )
        where = [item.questionnaire_id == questionnaire.id]
        if above:
            # The rows added since, found by id: kept off the index on the
            # questionnaire, which would have the database read all its rows.
            where = [item.questionnaire_id + 0 == questionnaire.id, item.id > above]
        if top is not None:
            where.append(item.id <= top)
        for question_id, value, *key, count in _by_day(
            group, item.answered_at, where, time_zone, dialect
        ):
            key = tuple(key)
            found = atoms[key] if key in atoms else atom(key)
            if found is not None:
                cell = (found, question_id, value)
                answers[cell] = answers.get(cell, 0) + count

    top = _settled_top()
    if top is None:
        count_answers(cube.answers, 0, None)
        return cube
    if kept is not None and kept.covered == top:
        cube.answers = kept.answers
    elif kept is not None and kept.covered < top:
        # A copy: a request in another thread may be reading the kept counts.
        cube.answers = dict(kept.answers)
        count_answers(cube.answers, kept.covered, top)
    else:  # nothing kept, or fewer rows than kept (the database was replaced)
        count_answers(cube.answers, 0, top)
    with _kept_lock:
        _kept[kept_as] = _Kept(cube.answers, top, atoms)
        _kept.move_to_end(kept_as)
        while len(_kept) > KEPT_CUBES:
            _kept.popitem(last=False)
    return cube
