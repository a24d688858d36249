"""What a walk's response adds when it is stored: an observation per entry of each
group that asks for a place, and the claim on the photos it names.

Called by collection/submissions.py (wired in create_app) before the response joins
the session, so that a refusal leaves nothing behind, in the response's transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import select

from ..collection.models import CollectionPoint, Response
from ..collection.submissions import SubmissionRefused
from ..extensions import db
from .models import Observation, Photo


def record_walk(response: Response, point: CollectionPoint, definition: dict) -> None:
    """Claim the response's photos and add its observations; SubmissionRefused (422)
    when a photo it names was not uploaded to this point first."""
    _claim_photos(response, point, dict(_photo_paths(definition, response.answers)))
    for group in definition["questions"]:
        place_question = _place_question(group)
        if place_question is None:
            continue
        for index, entry in enumerate(response.answers.get(group["id"], ())):
            lat, lon, accuracy, place = _position(place_question, entry.get(place_question["id"]))
            db.session.add(
                Observation(
                    organisation_id=point.organisation_id,
                    response=response,
                    questionnaire_id=point.questionnaire_id,
                    collection_point_id=point.id,
                    question_id=group["id"],
                    entry=index + 1,
                    observed_at=response.recorded_at or response.received_at,
                    lat=lat,
                    lon=lon,
                    accuracy=accuracy,
                    place=place,
                )
            )


def _place_question(question: dict) -> dict | None:
    """A group's first location question: each of its entries is a place."""
    if question["type"] != "group":
        return None
    return next((q for q in question["questions"] if q["type"] == "location"), None)


def _position(question: dict, answer: dict | None):
    """(lat, lon, accuracy, place) of an entry: the position given, else the named
    place's own coordinates, if the definition has them."""
    if not answer:
        return None, None, None, None
    place = answer.get("place")
    if "lat" in answer:
        return answer["lat"], answer["lon"], answer.get("accuracy"), place
    named = next((p for p in question.get("places", ()) if p["value"] == place), {})
    return named.get("lat"), named.get("lon"), None, place


def _photo_paths(definition: dict, answers: dict) -> Iterator[tuple[str, str]]:
    """(photo id, the answer's path) for every photo the answers name."""
    for question in definition["questions"]:
        if question["type"] == "photo":
            for photo_id in answers.get(question["id"], ()):
                yield photo_id, f"answers.{question['id']}"
        elif question["type"] == "group":
            photo_ids = [q["id"] for q in question["questions"] if q["type"] == "photo"]
            for index, entry in enumerate(answers.get(question["id"], ())):
                for qid in photo_ids:
                    for photo_id in entry.get(qid, ()):
                        yield photo_id, f"answers.{question['id']}.{index}.{qid}"


def _claim_photos(response: Response, point: CollectionPoint, paths: dict[str, str]) -> None:
    if not paths:
        return
    photos = db.session.execute(
        select(Photo).where(
            Photo.id.in_([uuid.UUID(p) for p in paths]),
            Photo.collection_point_id == point.id,
        )
    ).scalars()
    found = {str(photo.id): photo for photo in photos}
    problems: dict[str, list[str]] = {}
    for photo_id, path in paths.items():
        photo = found.get(photo_id)
        if photo is None:
            problems.setdefault(path, []).append(
                f"The photo {photo_id} was not uploaded to this collection point: upload it "
                "first, then send the answers again."
            )
        elif photo.response_id is not None and photo.response_id != response.id:
            problems.setdefault(path, []).append(
                f"The photo {photo_id} belongs to another response."
            )
    if problems:
        raise SubmissionRefused(
            422, "Some photos the answers name are not on the server yet.", problems
        )
    for photo in found.values():
        photo.response_id = response.id
