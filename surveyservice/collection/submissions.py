"""Storing a response exactly once, whatever the network does."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import make_transient_to_detached

from ..extensions import db
from ..privacy.coarsening import coarsen_time
from ..questionnaires.definition import iter_questions
from ..questionnaires.versions import published_definition
from . import ratelimit
from .answers import check_answers
from .models import AnswerItem, Channel, CollectionPoint, PointStatus, Response
from .points import VersionRef

# A device's clock may run a little fast; more than this is an error, not skew.
CLOCK_SKEW = timedelta(minutes=5)

# What other features store with a response (create_app wires them): each is called
# with the new response, its point and definition before the response joins the
# session, and may refuse it with SubmissionRefused.
_ALSO_STORE: list[Callable[[Response, CollectionPoint, dict], None]] = []


def also_store(hook: Callable[[Response, CollectionPoint, dict], None]) -> None:
    if hook not in _ALSO_STORE:
        _ALSO_STORE.append(hook)


@dataclass(frozen=True)
class Submission:
    id: uuid.UUID
    version: int
    language: str
    answers: dict
    # When the answer was given, by the device's clock (a queued answer is sent later).
    recorded_at: datetime | None = None
    channel: Channel = Channel.RESIDENT


@dataclass(frozen=True)
class Stored:
    """What a submission came to: the row, whether it is new, and its version's number."""

    response: Response
    created: bool
    version: int


class SubmissionRefused(Exception):
    """The response is not stored; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str, problems: dict | None = None):
        self.status, self.message, self.problems = status, message, problems
        super().__init__(message)


# The types whose answers are counted by value; every other answered question is one
# row saying it was answered (free text stays in the response, where it can be masked
# and listed, and never becomes a group of its own).
VALUED_TYPES = frozenset({"single", "yesno", "scale", "number"})


def value_text(value: object) -> str:
    """An answer's value as the results count it: "true", "3", "2.5", an option."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answered_values(definition: dict, answers: dict) -> list[tuple[str, str | None]]:
    """(question id, value) for each row the results count; see results/cube.py."""
    types = {q["id"]: q["type"] for q, _ in iter_questions(definition)}
    rows: list[tuple[str, str | None]] = []
    for qid, value in answers.items():
        qtype = types.get(qid)
        if qtype in VALUED_TYPES:
            rows.append((qid, value_text(value)))
        elif qtype == "multi":
            rows += [(qid, option) for option in value]
            rows.append((qid, None))
        else:
            rows.append((qid, None))
    return rows


def answer_item_rows(response: Response, point: CollectionPoint, definition: dict) -> list[dict]:
    """The response's rows for counting (``answer_item`` columns), one per answered
    question and one more per option of a multi-choice answer."""
    common = {
        "response_id": response.id,
        "questionnaire_id": point.questionnaire_id,
        "collection_point_id": point.id,
        "version_id": response.version_id,
        "channel": response.channel,
        "language": response.language,
        "answered_at": response.recorded_at or response.received_at,
    }
    return [
        {**common, "question_id": qid, "value": value}
        for qid, value in answered_values(definition, response.answers)
    ]


def _fingerprint(point: CollectionPoint, version_id: int, sub: Submission, answers: dict) -> str:
    content = [point.id, version_id, sub.language, sub.channel.value, answers]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _replay(existing: Response, fingerprint: str) -> Stored:
    if existing.content_hash != fingerprint:
        raise SubmissionRefused(
            409, f"A different response with the id {existing.id} is already stored."
        )
    return Stored(existing, False, existing.version.number)


def _refuse_unless_late_but_allowed(
    point: CollectionPoint, sub: Submission, status: PointStatus, now: datetime, grace: timedelta
) -> None:
    """A closed point takes an answer a tablet recorded while it was open, for a while."""
    if status == PointStatus.NOT_YET_OPEN:
        raise SubmissionRefused(403, "This collection point has not opened yet.")
    recorded = sub.recorded_at
    if (
        sub.channel == Channel.STAFF
        and recorded is not None
        and point.opens_at <= recorded < point.closes_at
        and now - point.closes_at <= grace
    ):
        return
    raise SubmissionRefused(410, "This collection point has closed and takes no more answers.")


def submit(
    point: CollectionPoint,
    version: VersionRef | None,
    sub: Submission,
    now: datetime,
    grace: timedelta = timedelta(0),
    stored: Mapping[uuid.UUID, Response] | None = None,
) -> Stored:
    """Store the response, or find that it was stored before (a replay).

    The primary key is the client's id: two concurrent retries cannot both insert,
    and the one that loses finds the other's row. ``grace`` is how long after closing
    the point still takes staff answers recorded while it was open.

    To store many in one transaction, pass ``stored``: those of their ids already
    stored, with their rows, found in one query. The new row is then only added to the
    session, and the caller's flush finds any id stored since.
    """
    if version is None:
        raise SubmissionRefused(
            422,
            "This collection point does not take that version.",
            {"version": ["Unknown version."]},
        )
    if sub.recorded_at is not None and sub.recorded_at > now + CLOCK_SKEW:
        raise SubmissionRefused(
            422,
            "The answer's time is in the future: check the device's clock.",
            {"recorded_at": ["In the future."]},
        )
    version_id, version_hash = version
    definition = published_definition(version_id, version_hash)
    if sub.language not in definition["languages"]:
        raise SubmissionRefused(
            422,
            "The questionnaire is not in that language.",
            {"language": [f"Expected one of: {', '.join(definition['languages'])}."]},
        )
    answers = check_answers(definition, sub.answers, staff=sub.channel == Channel.STAFF)
    fingerprint = _fingerprint(point, version_id, sub, answers)

    if stored is not None and sub.id in stored:
        return _replay(stored[sub.id], fingerprint)
    status = point.status(now)
    if status != PointStatus.OPEN:
        existing = db.session.get(Response, sub.id) if stored is None else None
        if existing is not None:
            return _replay(existing, fingerprint)
        _refuse_unless_late_but_allowed(point, sub, status, now, grace)

    response = Response(
        id=sub.id,
        organisation_id=point.organisation_id,
        collection_point_id=point.id,
        version_id=version_id,
        language=sub.language,
        channel=sub.channel,
        received_at=coarsen_time(now),
        recorded_at=coarsen_time(sub.recorded_at) if sub.recorded_at else None,
        answers=answers,
        content_hash=fingerprint,
    )
    if stored is not None:
        # Replays are known already, so counting first costs them nothing, and a
        # refusal leaves nothing behind in the caller's transaction.
        _limit(point, sub)
        _add(response, point, definition)
        return Stored(response, True, sub.version)
    if not _insert_once(response):
        # This id is stored already: by an earlier try, or by a retry a moment ago
        # (which the insert waited for, had it not committed yet).
        existing = db.session.get(Response, sub.id)
        if existing is None:
            raise RuntimeError(f"The response {sub.id} was neither stored nor found.")
        return _replay(existing, fingerprint)
    _stored_alone(response, point, definition)
    # Counted once stored, so that retries of stored answers always get through and
    # input refused above costs no count.
    _limit(point, sub)
    return Stored(response, True, sub.version)


def _insert_once_statement(dialect: str):
    """``INSERT … ON CONFLICT (id) DO NOTHING RETURNING id``, the values given apart.

    Built without its values, which come as parameters: SQLAlchemy then compiles it
    once, and building it costs microseconds.
    """
    table = Response.__table__
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=["id"]).returning(table.c.id)


def _insert_once(response: Response) -> bool:
    """Store the response's row unless its id is stored already; True when stored.

    ``INSERT … ON CONFLICT (id) DO NOTHING``: a replay finds its row without a failed
    statement, which PostgreSQL would write to its log as an ERROR for every retry at
    a flaky event. The row then joins the session as stored, so that what refers to
    it (observations) is written after it. A refusal after this (a walk's missing
    photo) rolls the whole transaction back, as before.
    """
    statement = _insert_once_statement(db.session.get_bind().dialect.name)
    values = {column.key: getattr(response, column.key) for column in Response.__table__.columns}
    stored = db.session.execute(statement, values).scalar_one_or_none() is not None
    if stored:
        make_transient_to_detached(response)
        db.session.add(response)
    return stored


def _stored_alone(response: Response, point: CollectionPoint, definition: dict) -> None:
    """What goes with a response just inserted on its own: what other features store,
    and its answer items, in one statement rather than through the session's flush."""
    for hook in _ALSO_STORE:
        hook(response, point, definition)
    rows = answer_item_rows(response, point, definition)
    if rows:  # an empty list would insert one row of defaults
        db.session.execute(AnswerItem.__table__.insert(), rows)


def _add(response: Response, point: CollectionPoint, definition: dict) -> None:
    """Add a response and what goes with it to the session, for the caller's flush."""
    for hook in _ALSO_STORE:
        hook(response, point, definition)
    db.session.add(response)
    db.session.add_all(AnswerItem(**row) for row in answer_item_rows(response, point, definition))


def _limit(point: CollectionPoint, sub: Submission) -> None:
    # Signed-in staff are not limited: a tablet may send a day's queue at once.
    if sub.channel == Channel.RESIDENT and not ratelimit.allow(f"point:{point.id}"):
        raise SubmissionRefused(
            429, "Too many answers arrive at this collection point right now; retry shortly."
        )
