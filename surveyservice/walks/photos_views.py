"""Photos on the organisation's pages: shown to its signed-in staff, deleted by its
coordinators. Never public, and kept in no cache."""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..storage import storage
from .photos import delete_photo
from .photos_api import get_photo_or_404

bp = Blueprint("photo_pages", __name__)
log = logging.getLogger(__name__)


@bp.get("/photos/<photo_id>.jpg")
@require_role(Role.STAFF)
def show(photo_id):
    """The stored JPEG; a deleted photo is gone (410)."""
    photo = get_photo_or_404(photo_id)
    if photo.deleted_at is not None:
        abort(410)
    data = storage().get(photo.storage_key) if photo.storage_key else None
    if data is None:
        log.warning("The file of photo %s is missing from the storage", photo.id)
        abort(410)
    response = Response(data, mimetype="image/jpeg")
    # A shared tablet keeps no copy once the page is left; nothing between keeps any.
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/photos/<photo_id>/delete")
@require_role(Role.COORDINATOR)
def delete(photo_id):
    """Delete a photo for good, from a page's form; back to the page it came from."""
    photo = get_photo_or_404(photo_id)
    delete_photo(photo, current_user)
    return redirect(local_path(request.form.get("next")) or url_for("workspace.start"))


def local_path(target: str | None) -> str | None:
    """``target`` when it is a path on this site; never another host's address."""
    if not target or not target.startswith("/") or target.startswith(("//", "/\\")):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target:
        return None
    return target
