"""The photo API: staff tablets upload photos of places; coordinators delete them."""

from __future__ import annotations

from flask import request, url_for
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort
from marshmallow import Schema, fields

from ..accounts.auth import require_role, staff_refusal
from ..accounts.models import Role
from ..collection.api import TOKEN
from ..collection.intake import NO_SUCH_POINT, SIGN_IN_AGAIN, STAFF_ONLY, grace
from ..collection.points import find_point_by_token
from ..errors import Blueprint
from ..request_limits import PHOTO_BYTES
from .models import Photo
from .photos import PhotoRefused, delete_photo, find_photo_for, parse_photo_id, store_photo

blp = Blueprint(
    "photos",
    __name__,
    url_prefix="/api/v1",
    description="Photos of places on safety walks. Uploaded by staff tablets before the "
    "response that names them; each is decoded and stored as a new JPEG without any "
    "metadata; served only to signed-in staff of the organisation.",
)

PHOTO_ID = {
    "in": "path",
    "name": "photo_id",
    "description": "The photo's id, a UUID made by the device",
    "schema": {"type": "string", "format": "uuid"},
}
IMAGE_BODY = {
    "required": True,
    "description": f"The image file's bytes: JPEG, PNG, WebP or GIF (its first frame), at "
    f"most {PHOTO_BYTES // (1024 * 1024)} MB. What it is is found by decoding it, not "
    "from the Content-Type. HEIC is not read: take photos as JPEG.",
    "content": {"image/*": {"schema": {"type": "string", "format": "binary"}}},
}


class PhotoSchema(Schema):
    id = fields.UUID()
    url = fields.String(metadata={"description": "Where signed-in staff see the photo"})
    width = fields.Integer(metadata={"description": "In pixels, as stored"})
    height = fields.Integer(metadata={"description": "In pixels, as stored"})
    size = fields.Integer(metadata={"description": "Bytes of the stored JPEG"})
    uploaded_at = fields.DateTime(metadata={"description": "Rounded down to the hour"})
    deleted = fields.Boolean(metadata={"description": "A coordinator deleted it"})


def photo_view(photo: Photo) -> dict:
    return {
        "id": photo.id,
        "url": url_for("photo_pages.show", photo_id=photo.id),
        "width": photo.width,
        "height": photo.height,
        "size": photo.size,
        "uploaded_at": photo.uploaded_at,
        "deleted": photo.deleted_at is not None,
    }


@blp.route("/collect/<token>/photos/<photo_id>", parameters=[TOKEN, PHOTO_ID])
class Upload(MethodView):
    @blp.doc(requestBody=IMAGE_BODY)
    @blp.response(201, PhotoSchema, description="Stored")
    @blp.alt_response(200, schema=PhotoSchema, description="Stored before: a replay")
    @blp.alt_response(400, description="A session cookie without the CSRF header")
    @blp.alt_response(401, description="Sign in (again), or send a bearer token")
    @blp.alt_response(403, description="Not staff, or the point has not opened yet")
    @blp.alt_response(
        404, description="No collection point has this token, or it is another organisation's"
    )
    @blp.alt_response(
        409, description="A different photo (other bytes, or another point's) has this id"
    )
    @blp.alt_response(410, description="The collection point has closed")
    @blp.alt_response(413, description="The file is too large")
    @blp.alt_response(
        422,
        description="Not an image that can be read: another kind of file, cut short, "
        "too many pixels, or a format not taken (HEIC)",
    )
    def put(self, token, photo_id):
        """Store a photo taken at a collection point.

        Staff only: a bearer token, or the session cookie with the X-CSRFToken header.
        Sending the same photo again stores nothing new.
        """
        point = find_point_by_token(token)
        photo_uuid = parse_photo_id(photo_id)
        if point is None or (
            current_user.is_authenticated and current_user.organisation_id != point.organisation_id
        ):
            abort(404, message=NO_SUCH_POINT)
        if photo_uuid is None:
            abort(404, message="A photo's id is a UUID.")
        refusal = staff_refusal(point.organisation_id)
        if refusal == 401:
            abort(401, message=SIGN_IN_AGAIN, headers={"WWW-Authenticate": "Bearer"})
        if refusal:
            abort(403, message=STAFF_ONLY)
        # Before reading it: a body too large is refused with its size, unread.
        if request.content_length is not None and request.content_length > PHOTO_BYTES:
            abort(
                413,
                message=f"The photo is {request.content_length / (1024 * 1024):.1f} MB; at "
                f"most {PHOTO_BYTES // (1024 * 1024)} MB is accepted.",
            )
        try:
            photo, created = store_photo(point, photo_uuid, request.get_data(), grace=grace())
        except PhotoRefused as refused:
            errors = {"body": {"image": [refused.code]}} if refused.code else None
            abort(refused.status, message=refused.message, errors=errors)
        return photo_view(photo), 201 if created else 200


@blp.route("/photos/<photo_id>", parameters=[PHOTO_ID])
class OnePhoto(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.response(204, description="Deleted, now or before")
    @blp.errors(401, 403, 404)
    def delete(self, photo_id):
        """Delete a photo for good (a face, a number plate).

        Its file is removed at once; the deletion is recorded in the audit log.
        """
        photo = get_photo_or_404(photo_id)
        delete_photo(photo, current_user)


def get_photo_or_404(photo_id: str) -> Photo:
    """The signed-in user's organisation's photo, deleted or not; another organisation's
    is a 404 (in the API's error shape under /api, as a page elsewhere)."""
    photo_uuid = parse_photo_id(photo_id)
    photo = find_photo_for(current_user.organisation_id, photo_uuid) if photo_uuid else None
    if photo is None:
        abort(404, message=f"No photo {photo_id}.")
    return photo
