from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class AuditEntry(db.Model):
    """One change made in an organisation. Rows are never changed or deleted (database
    triggers refuse it); nothing about residents is ever written here."""

    __tablename__ = "audit_entry"
    __table_args__ = (Index("ix_audit_entry_organisation_id_at", "organisation_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who, as they were at the time: the e-mail is kept beside the id because an
    # address may change later. Both empty: the command line.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    user_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    details: Mapped[dict | None] = mapped_column(JSON)
