from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..collection.models import CollectionPoint, Response
from ..database import UTCDateTime
from ..extensions import db


class Status(enum.StrEnum):
    """Where the follow-up of an observation stands; organisations may rename them."""

    NEW = "new"
    PASSED_ON = "passed_on"
    PLANNED = "planned"
    IN_PROGRESS = "in_progress"
    FIXED = "fixed"
    WONT_FIX = "wont_fix"
    NOT_OURS = "not_ours"


class Responsible(enum.StrEnum):
    MUNICIPALITY = "municipality"
    PROPERTY_OWNER = "property_owner"
    POLICE = "police"
    OTHER = "other"


class Observation(db.Model):
    """One entry of a group whose questions include a position: a place seen on a walk.

    Written with the response, in its transaction. The entry's answers stay in the
    response; the position is copied here so that maps and exports need no JSON. The
    follow-up fields are the only ones that ever change, each change kept in
    ObservationChange.
    """

    __tablename__ = "observation"
    __table_args__ = (UniqueConstraint("response_id", "question_id", "entry"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    collection_point_id: Mapped[int] = mapped_column(ForeignKey("collection_point.id"), index=True)
    # The group's question id, and the entry's number in it, from 1.
    question_id: Mapped[str] = mapped_column(String(64))
    entry: Mapped[int]
    # The response's recorded hour, else its receipt hour (UTC).
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # WGS 84 degrees: the position given, else the named place's coordinates; None
    # when neither is known. Accuracy in metres, as the device reported it.
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy: Mapped[float | None] = mapped_column(Float)
    place: Mapped[str | None] = mapped_column(String(64))

    status: Mapped[str] = mapped_column(String(20), default=Status.NEW.value)
    responsible: Mapped[str | None] = mapped_column(String(20))
    # What residents may be told, and what stays inside the organisation: never mixed.
    public_note: Mapped[str] = mapped_column(Text, default="")
    internal_note: Mapped[str] = mapped_column(Text, default="")
    # Marked by a coordinator for the area's public page: its category, rough place,
    # date, status and public note are shown there once the page is next published.
    public: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    response: Mapped[Response] = relationship()
    point: Mapped[CollectionPoint] = relationship()


class ObservationChange(db.Model):
    """One change of an observation's follow-up: who, when, and each field's old and
    new value. Never changed or removed."""

    __tablename__ = "observation_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    observation_id: Mapped[int] = mapped_column(
        ForeignKey("observation.id", ondelete="CASCADE"), index=True
    )
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # {"status": ["new", "planned"], "public_note": ["", "..."], ...}
    changes: Mapped[dict] = mapped_column(JSON)


class Photo(db.Model):
    """One photo of a place, uploaded before the response that names it.

    The id is made by the tablet, so that an upload retried after a cut connection
    stores the photo once. Nothing of the original file is kept: what is stored is the
    image decoded and encoded again, without any metadata.
    """

    __tablename__ = "photo"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    collection_point_id: Mapped[int] = mapped_column(ForeignKey("collection_point.id"), index=True)
    # Set when the response that names the photo is stored; a photo no response names
    # is removed after a while (walks/photos.py).
    response_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    # The SHA-256 of the bytes as uploaded: the same id with other bytes is refused.
    upload_hash: Mapped[str] = mapped_column(String(64))
    # Where the storage keeps the stored image; None once a coordinator deleted it.
    storage_key: Mapped[str | None] = mapped_column(String(200))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    size: Mapped[int] = mapped_column(Integer)
    # To the hour, like a response's receipt time.
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
