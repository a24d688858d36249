"""Photos of places: stored once per id, as a new image without metadata, in the file
storage; deleted by coordinators; removed when no response names them.

A photo is uploaded before the response that names it (a tablet sends a walk's photos
first, then the walk). The row is written and committed here, with the file: a photo
is either stored whole (row and file) or not at all.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..audit.log import record
from ..collection.models import CollectionPoint, PointStatus
from ..collection.points import point_subject
from ..database import utcnow
from ..extensions import db
from ..privacy.coarsening import coarsen_time
from ..request_limits import PHOTO_BYTES
from ..storage import storage
from .images import ImageProblem, reencode
from .models import Photo

# The tablet sends photos about 1600 pixels long; an API client may send a camera's
# original, which is scaled down to the same size.
LONGEST_SIDE = 1600
# A 48-megapixel camera's photo fits; a decompression bomb does not.
MAX_PIXELS = 50_000_000
# A photo no response names after this long was taken on a walk that was never sent.
UNCLAIMED_DAYS = 7

log = logging.getLogger(__name__)


class PhotoRefused(Exception):
    """The photo is not stored; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str, code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


# How each kind of unusable upload is answered.
PROBLEM_STATUS = {
    "too_large": 413,
    "not_an_image": 422,
    "truncated": 422,
    "too_many_pixels": 422,
    "unsupported": 422,
}


def storage_key(photo_id: uuid.UUID) -> str:
    return f"photos/{photo_id}.jpg"


def upload_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def parse_photo_id(value: str) -> uuid.UUID | None:
    """The photo id in a URL; None when it is no UUID (so names no photo)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def find_photo_for(org_id: int, photo_id: uuid.UUID) -> Photo | None:
    """The organisation's photo with this id, deleted or not; another's is None."""
    return db.session.execute(
        select(Photo).filter_by(organisation_id=org_id, id=photo_id)
    ).scalar_one_or_none()


def store_photo(
    point: CollectionPoint,
    photo_id: uuid.UUID,
    data: bytes,
    *,
    now: datetime | None = None,
    grace: timedelta = timedelta(0),
) -> tuple[Photo, bool]:
    """Store an uploaded photo of ``point`` and commit: (photo, created).

    The same id with the same bytes again finds the stored photo (created False);
    with other bytes, or from another point, it is refused (409). ``grace`` is how
    long after closing the point still takes photos, as it takes staff answers.
    PhotoRefused says why nothing was stored.
    """
    now = now or utcnow()
    digest = upload_hash(data)
    existing = db.session.get(Photo, photo_id)
    if existing is not None:
        return _replay(existing, point, digest), False
    _refuse_unless_open(point, now, grace)
    try:
        encoded = reencode(
            data, max_bytes=PHOTO_BYTES, max_pixels=MAX_PIXELS, longest_side=LONGEST_SIDE
        )
    except ImageProblem as problem:
        raise PhotoRefused(PROBLEM_STATUS[problem.code], problem.message, problem.code) from None

    key = storage_key(photo_id)
    photo = Photo(
        id=photo_id,
        organisation_id=point.organisation_id,
        collection_point_id=point.id,
        upload_hash=digest,
        storage_key=key,
        width=encoded.width,
        height=encoded.height,
        size=len(encoded.data),
        uploaded_at=coarsen_time(now),
    )
    db.session.add(photo)
    try:
        # The row first, uncommitted: it claims the id, so that a concurrent upload of
        # the same id waits here and then finds this one, never writing the file.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        existing = db.session.get(Photo, photo_id)
        if existing is None:
            raise
        return _replay(existing, point, digest), False
    try:
        storage().put(key, encoded.data)
    except BaseException:
        db.session.rollback()
        raise
    try:
        db.session.commit()
    except BaseException:
        db.session.rollback()
        storage().delete(key)
        raise
    return photo, True


def _replay(existing: Photo, point: CollectionPoint, digest: str) -> Photo:
    # Another point's photo (perhaps another organisation's) is not named, only refused.
    if existing.collection_point_id != point.id or existing.upload_hash != digest:
        raise PhotoRefused(409, f"A different photo with the id {existing.id} is already stored.")
    return existing


def _refuse_unless_open(point: CollectionPoint, now: datetime, grace: timedelta) -> None:
    """As for staff answers: not before the point opens; after it closes, for a while."""
    status = point.status(now)
    if status == PointStatus.NOT_YET_OPEN:
        raise PhotoRefused(403, "This collection point has not opened yet.")
    if status == PointStatus.CLOSED and now - point.closes_at > grace:
        raise PhotoRefused(410, "This collection point has closed and takes no more photos.")


def delete_photo(photo: Photo, user: User) -> bool:
    """Remove the photo's file for good and mark it deleted, in the audit log too, and
    commit; False when it was deleted already."""
    if photo.deleted_at is not None:
        return False
    if photo.storage_key:
        # The file goes first: if the commit below fails, the photo is gone all the
        # same, and deleting it again marks the row.
        storage().delete(photo.storage_key)
    photo.storage_key = None
    photo.deleted_at = utcnow()
    photo.deleted_by_id = user.id
    point = db.session.get(CollectionPoint, photo.collection_point_id)
    record(user, "photo.deleted", f"{photo.id}", {"collection_point": point_subject(point)})
    db.session.commit()
    return True


def prune_unclaimed(older_than: timedelta, now: datetime | None = None) -> int:
    """Remove the photos no response named that were uploaded more than ``older_than``
    ago, row and file, and commit; how many were removed."""
    cutoff = (now or utcnow()) - older_than
    candidates = (
        select(Photo.id)
        .where(Photo.response_id.is_(None), Photo.uploaded_at < cutoff)
        .order_by(Photo.uploaded_at)
    )
    removed = 0
    for chunk in _chunks(list(db.session.execute(candidates).scalars()), 500):
        # Deleted only while still unnamed: a response storing now keeps its photos.
        gone = db.session.execute(
            delete(Photo)
            .where(Photo.id.in_(chunk), Photo.response_id.is_(None))
            .returning(Photo.storage_key)
        ).all()
        db.session.commit()
        for (key,) in gone:
            if key:
                storage().delete(key)
        removed += len(gone)
    return removed


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]
