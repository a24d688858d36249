"""The collection API: collection points for staff, and the public submission endpoint."""

from flask import Response as HttpResponse
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort

from ..accounts.auth import protect_session_write, public, require_role
from ..accounts.models import Role
from ..audit.log import record
from ..database import utcnow
from ..errors import Blueprint
from ..extensions import db
from .intake import NO_SUCH_POINT, store_one, take_items
from .models import CollectionPoint
from .points import (
    TOKEN_LENGTH,
    PointError,
    close_point,
    create_point,
    find_point,
    find_point_by_token,
    list_points,
    point_subject,
    update_point,
    well_formed_token,
)
from .qr import qr_png, qr_svg
from .schemas import (
    TOKEN_PATTERN,
    BatchResultSchema,
    BatchSchema,
    PointChangeSchema,
    PointSchema,
    PublicPointSchema,
    StoredResponseSchema,
    SubmissionSchema,
)
from .submissions import Submission
from .views import form_url

blp = Blueprint(
    "collection_points",
    __name__,
    url_prefix="/api/v1/collection-points",
    description="Where and when answers are collected; each has a QR code.",
)
collect_blp = Blueprint(
    "collect",
    __name__,
    url_prefix="/api/v1/collect",
    description="Public endpoints the resident form and staff tablets send answers to. "
    "No sign-in; the collection point's token is the key.",
)


POINT_ID = {
    "in": "path",
    "name": "point_id",
    "description": "The collection point's id",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
TOKEN = {
    "in": "path",
    "name": "token",
    "description": f"The collection point's token: {TOKEN_LENGTH} characters, as in its QR code",
    "schema": {"type": "string", "pattern": TOKEN_PATTERN},
}


def point_view(point: CollectionPoint) -> dict:
    served = point.served_version
    return {
        "id": point.id,
        "name": point.name,
        "names": point.names or {},
        "area": point.area.name,
        "kind": point.kind,
        "questionnaire": point.questionnaire.slug,
        "version": point.pinned_version.number if point.pinned_version else None,
        "opens_at": point.opens_at,
        "closes_at": point.closes_at,
        "token": point.token,
        "url": form_url(point),
        "status": point.status(utcnow()),
        "served_version": served.number if served else None,
    }


def get_point_or_404(point_id: int) -> CollectionPoint:
    """The signed-in user's organisation's point; another organisation's is a 404."""
    point = find_point(current_user.organisation_id, point_id)
    if point is None:
        abort(404, message=f"No collection point {point_id}.")
    return point


def _save(action, audit_action: str, details: dict | None = None) -> dict:
    try:
        point = action()
    except PointError as exc:
        db.session.rollback()
        abort(422, message=str(exc), errors={"json": exc.problems})
    record(current_user, audit_action, point_subject(point), details)
    db.session.commit()
    return point_view(point)


@blp.route("")
class Points(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, PointSchema(many=True))
    @blp.errors(401)
    def get(self):
        """List your organisation's collection points, newest first."""
        return [point_view(p) for p in list_points(current_user.organisation_id)]

    @require_role(Role.COORDINATOR)
    @blp.arguments(
        PointSchema,
        description="The questionnaire must have a published version, the version (if "
        "given) must be one of them, and closes_at must be later than opens_at.",
    )
    @blp.response(201, PointSchema)
    @blp.errors(400, 401, 403)
    def post(self, fields):
        """Create a collection point; its token and URL are made here."""
        return _save(
            lambda: create_point(current_user.organisation_id, fields), "collection_point.created"
        )


@blp.route("/<int:point_id>", parameters=[POINT_ID])
class Point(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, PointSchema)
    @blp.errors(401, 404)
    def get(self, point_id):
        """Show a collection point."""
        return point_view(get_point_or_404(point_id))

    @require_role(Role.COORDINATOR)
    @blp.arguments(
        PointChangeSchema(partial=True),
        description="At least one field. The rules of a new point hold; the questionnaire "
        "cannot change once the point has answers.",
    )
    @blp.response(200, PointSchema)
    @blp.errors(400, 401, 403, 404)
    def patch(self, fields, point_id):
        """Change a collection point's name, area, kind, times or version."""
        point = get_point_or_404(point_id)
        return _save(
            lambda: update_point(point, fields),
            "collection_point.changed",
            {"fields": sorted(fields)},
        )


@blp.route("/<int:point_id>/close", parameters=[POINT_ID])
class Close(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.response(200, PointSchema)
    @blp.errors(401, 403, 404)
    def post(self, point_id):
        """Close the point now: it refuses new answers from then on."""
        point = get_point_or_404(point_id)
        return _save(lambda: close_point(point, utcnow()), "collection_point.closed")


@blp.route("/<int:point_id>/qr.svg", parameters=[POINT_ID])
class QrSvg(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, content_type="image/svg+xml", description="The QR code as SVG")
    @blp.errors(401, 404)
    def get(self, point_id):
        """The QR code of the form's URL, as SVG (for posters)."""
        svg = qr_svg(form_url(get_point_or_404(point_id)))
        return HttpResponse(svg, mimetype="image/svg+xml")


@blp.route("/<int:point_id>/qr.png", parameters=[POINT_ID])
class QrPng(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, content_type="image/png", description="The QR code as PNG")
    @blp.errors(401, 404)
    def get(self, point_id):
        """The QR code of the form's URL, as PNG."""
        return HttpResponse(qr_png(form_url(get_point_or_404(point_id))), mimetype="image/png")


def get_point_by_token_or_404(token: str) -> CollectionPoint:
    point = find_point_by_token(token)
    if point is None:
        abort(404, message=NO_SUCH_POINT)
    return point


@collect_blp.route("/<token>", parameters=[TOKEN])
class PublicPoint(MethodView):
    @collect_blp.doc(security=[])
    @collect_blp.response(200, PublicPointSchema)
    @collect_blp.errors(404)
    def get(self, token):
        """The point's status and the questionnaire version it serves."""
        point = get_point_by_token_or_404(token)
        version = point.served_version
        return {
            "name": point.name,
            "names": point.names or {},
            "status": point.status(utcnow()),
            "opens_at": point.opens_at,
            "closes_at": point.closes_at,
            "version": version.number,
            "definition": version.definition,
        }


@collect_blp.route("/<token>/responses", parameters=[TOKEN])
class Responses(MethodView):
    @public
    @collect_blp.doc(security=[])
    @collect_blp.arguments(
        SubmissionSchema,
        description="The version must be one the point's questionnaire published, the "
        "language one of its languages, and each answer must fit its question.",
    )
    @collect_blp.response(201, StoredResponseSchema, description="Stored")
    @collect_blp.alt_response(
        200, schema=StoredResponseSchema, description="Already stored: a replay"
    )
    @collect_blp.alt_response(
        400, description="Not JSON, or staff answers on a session cookie without the CSRF token"
    )
    @collect_blp.alt_response(401, description="Staff answers: sign in again")
    @collect_blp.alt_response(403, description="Not open yet, or staff answers without staff")
    @collect_blp.alt_response(404, description="No collection point has this token")
    @collect_blp.alt_response(409, description="Another response has this id")
    @collect_blp.alt_response(410, description="The collection point has closed")
    @collect_blp.alt_response(413, description="The body is too large")
    @collect_blp.alt_response(429, description="Too many answers to this point; retry later")
    def post(self, body, token):
        """Store one response. Sending the same id again stores nothing new."""
        status, payload, headers = store_one(token, Submission(**body))
        if status >= 400:
            abort(status, **payload, headers=headers)
        return payload, status


@collect_blp.route("/<token>/responses:batch", parameters=[TOKEN])
class Batch(MethodView):
    @public
    @collect_blp.doc(security=[])
    @collect_blp.arguments(BatchSchema)
    @collect_blp.response(200, BatchResultSchema)
    @collect_blp.alt_response(
        400, description="Not JSON, or staff answers on a session cookie without the CSRF token"
    )
    @collect_blp.errors(404, 413)
    def post(self, body, token):
        """Store up to 100 responses, each on its own: one result per response, in order.

        For a device sending its queue: each result says 201 (stored), 200 (stored
        before) or an error with the same message the single endpoint gives.
        """
        if not well_formed_token(token):
            # No device holds such an address; one that names a point that is gone
            # learns so per response, with the message it shows for each.
            abort(404, message=NO_SUCH_POINT)
        items = body["responses"]
        if any(isinstance(item, dict) and item.get("channel") == "staff" for item in items):
            # Before anything is stored: a batch refused half-way would confuse the device.
            protect_session_write()
        return {"results": take_items(items, token)}
