"""Taking in one response from any door: the API, a batch, the form without script,
or a coordinator's upload of a tablet's saved queue."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from marshmallow import ValidationError

from ..accounts.auth import staff_refusal
from ..database import utcnow
from ..error_paths import flatten_errors
from ..extensions import db
from .answers import AnswerError
from .models import Channel, Response
from .points import find_point_for_answer
from .schemas import SubmissionSchema
from .submissions import Stored, Submission, SubmissionRefused, submit

NO_SUCH_POINT = "No collection point has this address. Check the link or QR code."
STAFF_ONLY = "Staff answers need a staff member of this organisation signed in."
SIGN_IN_AGAIN = "Sign in again to send staff answers; they wait on the device until then."


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


def take_items(items: list, token: str | None, late: timedelta | None = None) -> list[dict]:
    """Store each of a device's queued responses on its own; one result per item.

    With ``token`` None each item names its collection point (a saved queue file).
    """
    results = []
    for item in items:
        item_token = (
            token
            if token is not None
            else (item or {}).get("token")
            if isinstance(item, dict)
            else None
        )
        try:
            if not isinstance(item_token, str):
                raise ValidationError({"token": ["Missing data for required field."]})
            fields = {k: v for k, v in item.items() if k != "token"} if token is None else item
            submission = Submission(**SubmissionSchema().load(fields))
        except ValidationError as exc:
            status, payload = (
                422,
                {
                    "message": "The response is malformed.",
                    "errors": {"json": flatten_errors(exc.messages)},
                },
            )
        else:
            status, payload, _headers = store_one(item_token, submission, late)
        if status < 400:
            payload = {"message": "Stored." if status == 201 else "Stored before."}
        # Each response is a unit of work of its own: forget the rows the last one
        # loaded, or a later item with the same id would clash with them.
        for row in [o for o in db.session.identity_map.values() if isinstance(o, Response)]:
            db.session.expunge(row)
        item_id = item.get("id") if isinstance(item, dict) else None
        results.append({"id": str(item_id) if item_id else None, "status": status, **payload})
    return results
