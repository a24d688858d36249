from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..areas.models import Area
from ..database import UTCDateTime, utcnow
from ..extensions import db
from ..questionnaires.models import Questionnaire, QuestionnaireVersion


def _enum(cls: type[enum.Enum]) -> Enum:
    return Enum(cls, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])


class PointKind(enum.StrEnum):
    EVENT = "event"
    WALK = "walk"
    ONLINE = "online"


class PointStatus(enum.StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"


class Channel(enum.StrEnum):
    RESIDENT = "resident"  # the resident's own phone
    STAFF = "staff"  # a staff tablet


class CollectionPoint(db.Model):
    """One place and time where answers are collected; its token is the QR code's URL."""

    __tablename__ = "collection_point"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"), index=True)
    # None: always serve the latest published version.
    pinned_version_id: Mapped[int | None] = mapped_column(ForeignKey("questionnaire_version.id"))
    token: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # The name in other languages, by language code; the others show ``name``.
    names: Mapped[dict | None] = mapped_column(JSON)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"), index=True)
    kind: Mapped[PointKind] = mapped_column(_enum(PointKind))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The responses counted in the figures its results walls show. Every wall of the
    # point steps at the same counts, and a wall made later (also after one was
    # removed) starts here: docs/walls.md.
    walls_shown_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    questionnaire: Mapped[Questionnaire] = relationship()
    area: Mapped[Area] = relationship(lazy="joined")
    pinned_version: Mapped[QuestionnaireVersion | None] = relationship()

    def status(self, now: datetime) -> PointStatus:
        if now < self.opens_at:
            return PointStatus.NOT_YET_OPEN
        if self.closes_at is not None and now >= self.closes_at:
            return PointStatus.CLOSED
        return PointStatus.OPEN

    def name_in(self, language: str) -> str:
        """The point's name in a language, else its name."""
        return (self.names or {}).get(language) or self.name

    @property
    def served_version(self) -> QuestionnaireVersion | None:
        """The version the form shows: the pinned one, else the latest published."""
        return self.pinned_version or self.questionnaire.latest


class Response(db.Model):
    """One person's answers. Nothing here points to the person: no address, no agent,
    no account, and only a coarse receipt time."""

    __tablename__ = "response"

    # Made by the client, so that a retry can never store the answer twice.
    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    collection_point_id: Mapped[int] = mapped_column(ForeignKey("collection_point.id"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"), index=True)
    language: Mapped[str] = mapped_column(String(16))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the answer was given, by the device's clock, to the same hour: a tablet's
    # queue may arrive days later.
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict] = mapped_column(JSON)
    # Fingerprint of what was stored, to tell a replay from a different answer.
    content_hash: Mapped[str] = mapped_column(String(64))

    version: Mapped[QuestionnaireVersion] = relationship(lazy="joined")


class AnswerItem(db.Model):
    """One answered question of a response, in the form the results count: written with
    the response, never changed.

    The response's JSON stays what was stored; these rows only let the database count
    answers by group without reading it. Each carries what the counts are grouped by
    (questionnaire, point, version, channel, language, hour), so that counting never
    joins the responses; the area and kind come from the point, which can move.
    """

    __tablename__ = "answer_item"
    __table_args__ = (
        # The grouped count reads this index alone, in its order.
        Index(
            "ix_answer_item_counts",
            "questionnaire_id",
            "question_id",
            "value",
            "collection_point_id",
            "version_id",
            "channel",
            "language",
            "answered_at",
        ),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    response_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaire.id"))
    collection_point_id: Mapped[int] = mapped_column(ForeignKey("collection_point.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("questionnaire_version.id"))
    channel: Mapped[Channel] = mapped_column(_enum(Channel))
    language: Mapped[str] = mapped_column(String(16))
    # The response's recorded hour, else the hour it arrived (both to the hour, UTC).
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime)
    question_id: Mapped[str] = mapped_column(String(64))
    # As text ("3", "2.5", "true", an option's value); None for a row that only says
    # the question was answered (see results/cube.py).
    value: Mapped[str | None] = mapped_column(String(64))

    # One way only: the flush writes the response first, and a response never loads these.
    response: Mapped[Response] = relationship()
