from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

DEFAULT_TIME_ZONE = "Europe/Stockholm"


class Role(enum.StrEnum):
    """What a user may do; each role includes the ones below it."""

    STAFF = "staff"
    COORDINATOR = "coordinator"
    ADMIN = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def includes(self, other: Role) -> bool:
        return self.rank >= other.rank


class Organisation(db.Model):
    """A municipality–police partnership; every other row belongs to one."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    # An IANA zone: the workspace takes and shows times in it; they are stored in UTC.
    time_zone: Mapped[str] = mapped_column(
        String(64), default=DEFAULT_TIME_ZONE, server_default=DEFAULT_TIME_ZONE
    )
    # The smallest group a results figure may describe, and whose free text is listed
    # (docs/results.md); changed only through results/settings.py, which checks them.
    result_k: Mapped[int] = mapped_column(default=5, server_default="5")
    result_text_k: Mapped[int] = mapped_column(default=10, server_default="10")
    # A tile server for maps when online (an {z}/{x}/{y} URL and its attribution);
    # None: maps show only the areas' own images, and no third party is asked.
    tile_url: Mapped[str | None] = mapped_column(String(500))
    tile_attribution: Mapped[str | None] = mapped_column(String(300))
    # The organisation's names for the follow-up statuses, by status and language:
    # {"planned": {"sv": "Beställd"}}; a status without one shows the default name.
    status_names: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(
        Enum(Role, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session's user id: raising it ends every session of this user
    # (sign-out, a new password, deactivation), wherever a copy of the cookie is.
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_generation}"

    def has_role(self, role: Role) -> bool:
        return self.role.includes(role)


class OrganisationKey(db.Model):
    """The organisation's key pair for sealed files; the private key is encrypted."""

    __tablename__ = "organisation_key"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Which SECRET_KEY encrypts the private key: after a change of it a new pair is made,
    # and files sealed before still name the old one.
    secret_fingerprint: Mapped[str] = mapped_column(String(16))
    public_spki: Mapped[str] = mapped_column(Text)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SignInThrottle(db.Model):
    """Failed sign-ins per e-mail address (known or not), kept by a hash of it."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column()
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(db.Model):
    """A bearer token; only its SHA-256 is kept, the token itself is shown once."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, so a user can tell their tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")


class PasswordLink(db.Model):
    """A one-time link to set a password, handed over by an admin. Only its SHA-256 is
    kept; it works once, until it expires, and a newer link for the user replaces it."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(lazy="joined")
