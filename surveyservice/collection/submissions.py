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
from .answers import check_answers
from .models import Channel, CollectionPoint, PointStatus, Response
from .points import published_version


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


def _replay(existing: Response, fingerprint: str) -> tuple[Response, bool]:
    if existing.content_hash != fingerprint:
        raise SubmissionRefused(
            409, f"A different response with the id {existing.id} is already stored."
        )
    return existing, False


def submit(
    point: CollectionPoint, sub: Submission, channel: Channel, now: datetime
) -> tuple[Response, bool]:
    """Store the response; say whether it is new (False: a replay of a stored one).

    The primary key is the client's id, so two concurrent retries cannot both insert.
    """
    version = published_version(point, sub.version)
    if version is None:
        raise SubmissionRefused(
            422,
            "This collection point does not take that version.",
            {"version": ["Unknown version."]},
        )
    definition = version.definition
    if sub.language not in definition["languages"]:
        raise SubmissionRefused(
            422,
            "The questionnaire is not in that language.",
            {"language": [f"Expected one of: {', '.join(definition['languages'])}."]},
        )
    answers = check_answers(definition, sub.answers, precise_positions=False)
    fingerprint = _fingerprint(point, version.id, sub, channel, answers)

    existing = db.session.get(Response, sub.id)
    if existing is not None:
        return _replay(existing, fingerprint)
    status = point.status(now)
    if status == PointStatus.CLOSED:
        raise SubmissionRefused(410, "This collection point has closed and takes no more answers.")
    if status == PointStatus.NOT_YET_OPEN:
        raise SubmissionRefused(403, "This collection point has not opened yet.")

    response = Response(
        id=sub.id,
        organisation_id=point.organisation_id,
        collection_point_id=point.id,
        version_id=version.id,
        language=sub.language,
        channel=channel,
        received_at=coarsen_time(now),
        answers=answers,
        content_hash=fingerprint,
    )
    try:
        with db.session.begin_nested():
            db.session.add(response)
    except IntegrityError:
        # Another request stored the same id a moment ago.
        existing = db.session.get(Response, sub.id, populate_existing=True)
        if existing is None:
            raise
        return _replay(existing, fingerprint)
    return response, True
