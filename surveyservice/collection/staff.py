"""The staff app: pick an open collection point, collect answers in kiosk mode, and
(for coordinators) take in a tablet's queue saved to a file."""

from __future__ import annotations

import json

from flask import Blueprint, abort, render_template, request
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.keys import is_sealed, open_sealed, public_key
from ..accounts.models import Role
from ..audit.log import record
from ..database import utcnow
from ..extensions import db
from ..i18n import N_
from ..request_limits import SAVED_FILE_BYTES, SAVED_QUEUE_BYTES
from ..text import one_line_problem, unstorable, unstorable_paths
from .intake import import_saved_queue
from .models import PointStatus
from .points import find_point_by_token, list_points
from .views import blank_form

bp = Blueprint("staff", __name__)

QUEUE_FILE_FORMAT = "surveyservice-outbox"


@bp.get("/staff/")
@require_role(Role.STAFF)
def index():
    now = utcnow()
    points = [
        p for p in list_points(current_user.organisation_id) if p.status(now) == PointStatus.OPEN
    ]
    return render_template("staff/index.html", points=points)


@bp.get("/staff/collect/<token>")
@require_role(Role.STAFF)
def collect(token):
    """Kiosk mode: one person after another on a shared tablet, offline or not."""
    point = find_point_by_token(token)
    if point is None or point.organisation_id != current_user.organisation_id:
        abort(404)
    # The page carries the key that seals a saved file, so it can do so offline.
    return blank_form(point, kiosk=True, seal_key=public_key(point.organisation_id))


@bp.route("/collection-points/import", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def import_queue():
    """Take in the answers a tablet saved to a file: each is stored once, like a replay."""
    result, problem = None, None
    if request.method == "POST":
        upload = request.files.get("file")
        try:
            data = upload.read(SAVED_FILE_BYTES + 1) if upload else b""
            items = read_saved_queue(data, current_user.organisation_id)
        except ValueError as exc:
            problem = str(exc)
        else:
            result = import_saved_queue(items)
            # Counts only: nothing a resident wrote. The answers were committed chunk
            # by chunk, so the entry follows in a transaction of its own.
            record(
                current_user,
                "saved_queue.uploaded",
                _file_name(upload.filename),
                {
                    "total": result.total,
                    "stored": result.stored,
                    "stored_before": result.stored_before,
                    "refused": len(result.refused),
                    "unprocessed": result.unprocessed,
                },
            )
            db.session.commit()
    return render_template("staff/import.html", result=result, problem=problem)


def _file_name(name: str | None) -> str:
    """The uploaded file's name, to tell uploads apart in the audit log; one line."""
    name = (name or "")[:100]
    return "" if unstorable(name) or one_line_problem(name) else name


def read_saved_queue(data: bytes, org_id: int) -> list:
    """The list of answers in a file the staff app saved, opened with the organisation's
    key when sealed; ValueError (SealError among them) says what is wrong."""
    if not data:
        raise ValueError(N_("Choose the file the tablet saved."))
    too_large = ValueError(N_("The file is too large to be a saved queue."))
    if len(data) > SAVED_FILE_BYTES:
        raise too_large
    try:
        document = json.loads(data.decode("utf-8"))
        if is_sealed(document):
            data = open_sealed(org_id, document)
            if len(data) > SAVED_QUEUE_BYTES:
                raise too_large
            document = json.loads(data.decode("utf-8"))
        elif len(data) > SAVED_QUEUE_BYTES:
            raise too_large
    except (json.JSONDecodeError, UnicodeDecodeError, RecursionError):
        raise ValueError(N_("The file is not valid JSON.")) from None
    if not isinstance(document, dict) or document.get("format") != QUEUE_FILE_FORMAT:
        raise ValueError(N_("This is not a file of saved answers from the staff app."))
    items = document.get("responses")
    if not isinstance(items, list):
        raise ValueError(N_("The file has no list of answers."))
    # The file never passed the check every request gets: refuse it whole, before
    # anything of it is stored or shown.
    if problems := unstorable_paths(items, "responses"):
        raise ValueError(
            "The file holds characters the service never stores (control characters or "
            f"invalid ones), first at {next(iter(problems))}. Nothing was stored."
        )
    return items
