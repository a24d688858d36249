from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import Organisation
from ..database import UTCDateTime, utcnow
from ..extensions import db


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"


class Questionnaire(db.Model):
    __tablename__ = "questionnaire"
    __table_args__ = (UniqueConstraint("organisation_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    slug: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    versions: Mapped[list[QuestionnaireVersion]] = relationship(
        back_populates="questionnaire",
        order_by="QuestionnaireVersion.id",
        lazy="selectin",
    )

    @property
    def published(self) -> list[QuestionnaireVersion]:
        return [v for v in self.versions if v.status == VersionStatus.PUBLISHED]

    @property
    def latest(self) -> QuestionnaireVersion | None:
        published = self.published
        return published[-1] if published else None

    @property
    def draft(self) -> QuestionnaireVersion | None:
        return next((v for v in self.versions if v.status == VersionStatus.DRAFT), None)

    @property
    def current_definition(self) -> dict:
        """The definition people see: the latest published one, else the draft."""
        version = self.latest or self.draft
        return version.definition if version else {}


class QuestionnaireVersion(db.Model):
    """One definition of a questionnaire: a replaceable draft, or a published version
    that never changes again. Only published versions have a number.

    The migration adds database triggers that refuse any change to a published row,
    because responses point at it and must keep meaning what they meant.
    """

    __tablename__ = "questionnaire_version"
    __table_args__ = (
        UniqueConstraint("questionnaire_id", "number"),
        # At most one draft per questionnaire, whatever the application does.
        Index(
            "uq_questionnaire_version_one_draft",
            "questionnaire_id",
            unique=True,
            sqlite_where=text("status = 'draft'"),
            postgresql_where=text("status = 'draft'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("questionnaire.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int | None]
    status: Mapped[VersionStatus] = mapped_column(
        Enum(
            VersionStatus,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    definition: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="versions")

    @property
    def label(self) -> str:
        return "draft" if self.number is None else str(self.number)
