from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Integer,
    String,
    Table,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..areas.models import Area
from ..collection.models import CollectionPoint
from ..database import UTCDateTime, utcnow
from ..extensions import db


class PromiseStatus(enum.StrEnum):
    """Where a promise stands, as the yearly follow-up reports it."""

    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    PARTLY_DONE = "partly_done"
    NOT_DONE = "not_done"


promise_area = Table(
    "promise_area",
    db.metadata,
    Column("promise_id", ForeignKey("promise.id", ondelete="CASCADE"), primary_key=True),
    Column("area_id", ForeignKey("area.id", ondelete="CASCADE"), primary_key=True),
)


class Promise(db.Model):
    """One promise of the organisation's citizen promise for a period, and how it went.

    Texts are by language ({"sv": ..., "en": ..., "ar": ...}); Swedish is always there.
    What was promised may be countable ("four safety walks"): then ``promised_count``
    holds the number and ``done_count`` what was done so far.
    """

    __tablename__ = "promise"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    # The period, in whole years, both included: 2026–2027.
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    texts: Mapped[dict] = mapped_column(JSON)  # what was promised, by language
    promised_count: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=PromiseStatus.NOT_STARTED.value)
    done_texts: Mapped[dict | None] = mapped_column(JSON)  # what was done, by language
    done_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    areas: Mapped[list[Area]] = relationship(secondary=promise_area, order_by=Area.name)
    notes: Mapped[list[PromiseNote]] = relationship(
        back_populates="promise",
        cascade="all, delete-orphan",
        order_by="(PromiseNote.noted_on.desc(), PromiseNote.id.desc())",
    )


class PromiseNote(db.Model):
    """A dated progress note of a promise, by language, shown with it once published."""

    __tablename__ = "promise_note"

    id: Mapped[int] = mapped_column(primary_key=True)
    promise_id: Mapped[int] = mapped_column(
        ForeignKey("promise.id", ondelete="CASCADE"), index=True
    )
    noted_on: Mapped[date] = mapped_column(Date)
    texts: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    promise: Mapped[Promise] = relationship(back_populates="notes")


class PublicPage(db.Model):
    """An area's public page: its stable address and what the next publish includes.

    What the public sees is never read from here or from the live data: it is the
    latest Publication's content, so nothing changes until a coordinator publishes.
    """

    __tablename__ = "public_page"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), unique=True)
    # The address's last part (/a/<slug>), made from the area's name once and kept
    # when the area is renamed, so that printed posters keep working.
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    # The results to publish: [{"questionnaire_id": 3, "since": "2026-06-01",
    # "until": "2026-08-31"}], dates ISO, either may be null.
    results: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    area: Mapped[Area] = relationship()


class Publication(db.Model):
    """One published state of an area's page, kept for good: its whole content, in
    every language and already suppressed, as the public saw it."""

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("page_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("public_page.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    content: Mapped[dict] = mapped_column(JSON)

    page: Mapped[PublicPage] = relationship()


class Wall(db.Model):
    """A live results wall for a collection point: the point's QR code and the
    results of one or two choice questions, at an unguessable address.

    The figures shown are kept here (``shown``) and move on only when at least the
    threshold number of new answers has arrived, so that no single person's answer
    can be read off a change on the screen; every screen and every server worker
    shows the same state.
    """

    __tablename__ = "results_wall"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    collection_point_id: Mapped[int] = mapped_column(
        ForeignKey("collection_point.id", ondelete="CASCADE"), index=True
    )
    token: Mapped[str] = mapped_column(String(32), unique=True)
    question_ids: Mapped[list] = mapped_column(JSON)  # one or two choice questions
    # The responses counted in the figures shown, and the figures (None: waiting).
    shown_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    shown: Mapped[dict | None] = mapped_column(JSON)
    shown_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    point: Mapped[CollectionPoint] = relationship()
