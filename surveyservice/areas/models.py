from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class Area(db.Model):
    """A place the organisation works in; points (and later walks) belong to one."""

    __tablename__ = "area"
    __table_args__ = (UniqueConstraint("organisation_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # The name folded for comparison: "Sanden", "sanden " and " SANDEN" are one area.
    key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # The area's map: an image the coordinator uploaded (kept by the storage, never
    # under the static files) drawn between two corners in WGS 84 degrees. Its
    # version grows with each new image, so that tablets fetch the new one.
    map_key: Mapped[str | None] = mapped_column(String(200))
    map_version: Mapped[int] = mapped_column(default=0, server_default="0")
    map_south: Mapped[float | None] = mapped_column(Float)
    map_west: Mapped[float | None] = mapped_column(Float)
    map_north: Mapped[float | None] = mapped_column(Float)
    map_east: Mapped[float | None] = mapped_column(Float)
