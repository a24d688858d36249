"""Storing a response exactly once, whatever the network does."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..privacy.coarsening import coarsen_time
from ..questionnaires.versions import published_definition
from . import ratelimit
from .answers import check_answers
from .models import Channel, CollectionPoint, PointStatus, Response
from .points import VersionRef


@dataclass(frozen=True)
class Submission:
    id: uuid.UUID
    version: int
    language: str
    answers: dict


class SubmissionRefused(Exception):
    """The response is not stored; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str, problems: dict | None = None):
        self.status, self.message, self.problems = status, message, problems
        super().__init__(message)


def _fingerprint(point: CollectionPoint, version_id: int, sub: Submission, channel, answers):
    content = [point.id, version_id, sub.language, channel.value, answers]
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


@dataclass(frozen=True)
class Stored:
    """What a submission came to: the row, whether it is new, and its version's number."""

    response: Response
    created: bool
    version: int


def _replay(existing: Response, fingerprint: str) -> Stored:
    if existing.content_hash != fingerprint:
        raise SubmissionRefused(
            409, f"A different response with the id {existing.id} is already stored."
        )
    return Stored(existing, False, existing.version.number)


def submit(
    point: CollectionPoint,
    version: VersionRef | None,
    sub: Submission,
    channel: Channel,
    now: datetime,
) -> Stored:
    """Store the response, or find that it was stored before (a replay).

    The primary key is the client's id: two concurrent retries cannot both insert,
    and the one that loses finds the other's row.
    """
    if version is None:
        raise SubmissionRefused(
            422,
            "This collection point does not take that version.",
            {"version": ["Unknown version."]},
        )
    version_id, version_hash = version
    definition = published_definition(version_id, version_hash)
    if sub.language not in definition["languages"]:
        raise SubmissionRefused(
            422,
            "The questionnaire is not in that language.",
            {"language": [f"Expected one of: {', '.join(definition['languages'])}."]},
        )
    answers = check_answers(definition, sub.answers, precise_positions=False)
    fingerprint = _fingerprint(point, version_id, sub, channel, answers)

    status = point.status(now)
    if status != PointStatus.OPEN:
        existing = db.session.get(Response, sub.id)
        if existing is not None:
            return _replay(existing, fingerprint)
        if status == PointStatus.CLOSED:
            raise SubmissionRefused(
                410, "This collection point has closed and takes no more answers."
            )
        raise SubmissionRefused(403, "This collection point has not opened yet.")

    response = Response(
        id=sub.id,
        organisation_id=point.organisation_id,
        collection_point_id=point.id,
        version_id=version_id,
        language=sub.language,
        channel=channel,
        received_at=coarsen_time(now),
        answers=answers,
        content_hash=fingerprint,
    )
    db.session.add(response)
    try:
        db.session.flush()
    except IntegrityError:
        # This id is stored already: by an earlier try, or by a retry a moment ago.
        db.session.rollback()
        existing = db.session.get(Response, sub.id)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    # Counted once stored, so that retries of stored answers always get through and
    # input refused above costs no count.
    if not ratelimit.allow(f"point:{point.id}"):
        raise SubmissionRefused(
            429, "Too many answers arrive at this collection point right now; retry shortly."
        )
    return Stored(response, True, sub.version)
