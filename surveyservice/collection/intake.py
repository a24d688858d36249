"""Taking in one response from any door: the API, a batch, the form without script,
or a coordinator's upload of a tablet's saved queue."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import lazyload

from ..accounts.auth import staff_refusal
from ..database import utcnow
from ..error_paths import flatten_errors
from ..extensions import db
from .answers import AnswerError
from .models import AnswerItem, Channel, Response
from .points import find_point_for_answer
from .schemas import SubmissionSchema
from .submissions import Stored, Submission, SubmissionRefused, submit

NO_SUCH_POINT = "No collection point has this address. Check the link or QR code."
STAFF_ONLY = "Staff answers need a staff member of this organisation signed in."
SIGN_IN_AGAIN = "Sign in again to send staff answers; they wait on the device until then."

# Responses stored per transaction when a device's queue is taken in: few enough that
# a chunk holds SQLite's write lock only briefly, many enough that commits cost little.
CHUNK_SIZE = 200
# A saved file is taken in for at most this long, well within gunicorn's 30 s worker
# timeout: the rest of the request reads the file and answers with the page.
SAVED_QUEUE_SECONDS = 20.0

log = logging.getLogger(__name__)


def grace() -> timedelta:
    return timedelta(days=current_app.config["CLOSED_GRACE_DAYS"])


def store_one(
    token: str, submission: Submission, late: timedelta | None = None
) -> tuple[int, dict, dict]:
    """Submit and commit one response: (status, reply or error, headers).

    ``late`` is how long after closing staff answers recorded while open are taken;
    by default the configured grace period.
    """
    late = grace() if late is None else late
    found = find_point_for_answer(token, submission.version)
    if found is None:
        return 404, {"message": NO_SUCH_POINT}, {}
    point, version = found
    if submission.channel == Channel.STAFF:
        refusal = staff_refusal(point.organisation_id)
        if refusal == 401:
            # Kept on the device and sent again once staff have signed in anew.
            return 401, {"message": SIGN_IN_AGAIN}, {}
        if refusal:
            return 403, {"message": STAFF_ONLY}, {}
    try:
        stored = submit(point, version, submission, utcnow(), late)
    except AnswerError as exc:
        db.session.rollback()
        return 422, {"message": "Some answers have problems.", "errors": {"json": exc.problems}}, {}
    except SubmissionRefused as exc:
        db.session.rollback()
        payload = {"message": exc.message}
        if exc.problems:
            payload["errors"] = {"json": exc.problems}
        headers = {}
        if exc.status == 429:
            headers["Retry-After"] = str(current_app.config["SUBMISSION_RATE_WINDOW"])
        return exc.status, payload, headers
    # Read the reply before the commit, which would expire the row and cost a reload.
    reply = stored_view(stored)
    db.session.commit()
    return (201 if stored.created else 200), reply, {}


def stored_view(stored: Stored) -> dict:
    response = stored.response
    return {
        "id": response.id,
        "version": stored.version,
        "language": response.language,
        "channel": response.channel,
        "received_at": response.received_at,
        "recorded_at": response.recorded_at,
        "answers": response.answers,
    }


@dataclass(frozen=True)
class Item:
    """One queued response as the device sent it, read as far as it could be."""

    id: str | None
    token: str | None = None
    submission: Submission | None = None
    # The result when the item could not be read: (status, payload).
    unreadable: tuple[int, dict] | None = None


def read_item(item: object, token: str | None) -> Item:
    """Read one queued response; with ``token`` None the item names its point."""
    item_id = item.get("id") if isinstance(item, dict) else None
    item_id = str(item_id) if item_id else None
    item_token = (
        token if token is not None else item.get("token") if isinstance(item, dict) else None
    )
    try:
        if not isinstance(item_token, str):
            raise ValidationError({"token": ["Missing data for required field."]})
        fields = {k: v for k, v in item.items() if k != "token"} if token is None else item
        submission = Submission(**SubmissionSchema().load(fields))
    except ValidationError as exc:
        payload = {
            "message": "The response is malformed.",
            "errors": {"json": flatten_errors(exc.messages)},
        }
        return Item(item_id, unreadable=(422, payload))
    return Item(item_id, item_token, submission)


class _Points:
    """The points and versions a queue names, each looked up once, and whether the
    signed-in user may send staff answers to each organisation."""

    def __init__(self):
        self._found: dict[tuple[str, int], object] = {}
        self._refusals: dict[int, int | None] = {}

    def find(self, token: str, number: int):
        key = (token, number)
        if key not in self._found:
            self._found[key] = find_point_for_answer(token, number)
        return self._found[key]

    def staff_refusal(self, organisation_id: int) -> int | None:
        if organisation_id not in self._refusals:
            self._refusals[organisation_id] = staff_refusal(organisation_id)
        return self._refusals[organisation_id]


def _store_in_chunk(
    item: Item,
    points: _Points,
    stored: dict[uuid.UUID, Response],
    now: datetime,
    late: timedelta,
) -> tuple[int, dict]:
    """Check one readable item and add it to the chunk's transaction: (status, payload)."""
    submission = item.submission
    found = points.find(item.token, submission.version)
    if found is None:
        return 404, {"message": NO_SUCH_POINT}
    point, version = found
    if submission.channel == Channel.STAFF:
        refusal = points.staff_refusal(point.organisation_id)
        if refusal == 401:
            return 401, {"message": SIGN_IN_AGAIN}
        if refusal:
            return 403, {"message": STAFF_ONLY}
    try:
        result = submit(point, version, submission, now, late, stored=stored)
    except AnswerError as exc:
        return 422, {"message": "Some answers have problems.", "errors": {"json": exc.problems}}
    except SubmissionRefused as exc:
        payload = {"message": exc.message}
        if exc.problems:
            payload["errors"] = {"json": exc.problems}
        return exc.status, payload
    if result.created:
        return 201, {"message": "Stored."}
    return 200, {"message": "Stored before."}


def store_chunk(items: list[Item], points: _Points, late: timedelta) -> list[dict]:
    """Store a chunk of items in one transaction and commit it: one result per item.

    The chunk holds each id once, so every replay is found by one query up front.
    """
    ids = [i.submission.id for i in items if i.submission is not None]
    stored = {
        row.id: row
        for row in db.session.execute(
            # Its version is looked up only for a replay, and then found in the session.
            select(Response).where(Response.id.in_(ids)).options(lazyload(Response.version))
        ).scalars()
    }
    now = utcnow()
    results = []
    for item in items:
        if item.unreadable:
            status, payload = item.unreadable
        else:
            status, payload = _store_in_chunk(item, points, stored, now, late)
        results.append({"id": item.id, "status": status, **payload})
    db.session.commit()
    # Forget the chunk's rows: a later chunk reads the ones it needs afresh.
    for row in [
        o for o in db.session.identity_map.values() if isinstance(o, Response | AnswerItem)
    ]:
        db.session.expunge(row)
    return results


def chunks(items: list[Item], size: int) -> Iterator[list[Item]]:
    """Consecutive runs of at most ``size`` items in which no id comes twice."""
    chunk: list[Item] = []
    ids: set[uuid.UUID] = set()
    for item in items:
        item_id = item.submission.id if item.submission else None
        if len(chunk) >= size or item_id in ids:
            yield chunk
            chunk, ids = [], set()
        chunk.append(item)
        if item_id is not None:
            ids.add(item_id)
    if chunk:
        yield chunk


def store_chunk_retrying(chunk: list[Item], points: _Points, late: timedelta) -> list[dict]:
    """Store a chunk; if another request stored some of its ids meanwhile, roll back and
    take the chunk again, finding them as replays."""
    for attempt in range(3):
        try:
            return store_chunk(chunk, points, late)
        except IntegrityError:
            db.session.rollback()
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def take_items(items: list, token: str | None, late: timedelta | None = None) -> list[dict]:
    """Store a device's queued responses, each on its own merits; one result per item.

    With ``token`` None each item names its collection point (a saved queue file).
    """
    late = grace() if late is None else late
    points = _Points()
    results = []
    for chunk in chunks([read_item(i, token) for i in items], CHUNK_SIZE):
        results += store_chunk_retrying(chunk, points, late)
    return results


@dataclass
class ImportResult:
    """What became of a saved file's answers. When ``stopped`` says why the upload
    stopped early, the answers after the processed ones were not looked at."""

    total: int
    stored: int = 0
    stored_before: int = 0
    refused: list[dict] = field(default_factory=list)
    stopped: str | None = None  # "time" or "error"

    @property
    def processed(self) -> int:
        return self.stored + self.stored_before + len(self.refused)

    @property
    def unprocessed(self) -> int:
        return self.total - self.processed

    def refusals_by_reason(self) -> list[tuple[str, list[str | None]]]:
        """The refused answers' ids under each reason, the most common reason first."""
        reasons: dict[str, list[str | None]] = {}
        for result in self.refused:
            reasons.setdefault(_reason(result), []).append(result["id"])
        return sorted(reasons.items(), key=lambda reason: -len(reason[1]))


def _reason(result: dict) -> str:
    problems = result.get("errors", {}).get("json")
    if not problems:
        return result["message"]
    return (
        result["message"]
        + " "
        + "; ".join(f"{name}: {' '.join(messages)}" for name, messages in sorted(problems.items()))
    )


def import_saved_queue(items: list, late: timedelta = timedelta.max) -> ImportResult:
    """Store the answers of a tablet's saved queue, a chunk per transaction.

    Stops cleanly between chunks when SAVED_QUEUE_SECONDS have passed, or when a
    chunk cannot be stored: what the result counts is exactly what is in the database,
    and the same file uploaded again stores the rest. ``late`` is how long after
    closing a point takes staff answers recorded while it was open; by default, however
    long ago: the file is the last resort after a long time offline.
    """
    deadline = time.monotonic() + SAVED_QUEUE_SECONDS
    result = ImportResult(total=len(items))
    points = _Points()
    for number, chunk in enumerate(chunks([read_item(i, None) for i in items], CHUNK_SIZE)):
        # At least one chunk, so that every upload gets somewhere.
        if number and time.monotonic() > deadline:
            result.stopped = "time"
            break
        try:
            outcomes = store_chunk_retrying(chunk, points, late)
        except Exception:
            # Nothing of this chunk is stored: say so, rather than answer with an
            # empty error page that hides what the chunks before it stored.
            db.session.rollback()
            log.exception("A saved queue's upload stopped after %d answers", result.processed)
            result.stopped = "error"
            break
        for outcome in outcomes:
            if outcome["status"] == 201:
                result.stored += 1
            elif outcome["status"] == 200:
                result.stored_before += 1
            else:
                result.refused.append(outcome)
    return result
