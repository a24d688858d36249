"""One-time links to set a password: made by an admin for a new user or a forgotten
password, handed over by hand (or mail), used once.

Only the SHA-256 of the link's token is kept. A link works once and for
LINK_LIFETIME; a newer link for the same user voids the older ones.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from ..extensions import db
from ..i18n import N_
from .accounts import AccountError, check_password_rules, set_password
from .models import PasswordLink, User

LINK_LIFETIME = timedelta(days=7)
# secrets.token_urlsafe(32) is 43 characters; anything else is no link of ours.
TOKEN_LENGTH = 43


class LinkState(enum.StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    UNKNOWN = "unknown"  # never made, or replaced by a newer link


@dataclass(frozen=True)
class LinkCheck:
    state: LinkState
    link: PasswordLink | None = None


def _hash(token: str) -> str:
    # 256 random bits: a fast hash is enough, there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def make_link(user: User, now: datetime) -> str:
    """A new one-time link token for the user; their older unused links stop working."""
    if not user.active:
        raise AccountError(N_("The user is deactivated: reactivate them first."))
    db.session.execute(delete(PasswordLink).filter_by(user_id=user.id, used_at=None))
    token = secrets.token_urlsafe(32)
    db.session.add(
        PasswordLink(
            user_id=user.id, token_hash=_hash(token), created_at=now, expires_at=now + LINK_LIFETIME
        )
    )
    db.session.flush()
    return token


def check_link(token: str, now: datetime) -> LinkCheck:
    """Whether the link can still set a password, and if not, why."""
    if len(token) != TOKEN_LENGTH:
        return LinkCheck(LinkState.UNKNOWN)
    link = db.session.execute(
        select(PasswordLink).filter_by(token_hash=_hash(token))
    ).scalar_one_or_none()
    if link is None or not link.user.active:
        return LinkCheck(LinkState.UNKNOWN)
    if link.used_at is not None:
        return LinkCheck(LinkState.USED, link)
    if link.expires_at <= now:
        return LinkCheck(LinkState.EXPIRED, link)
    return LinkCheck(LinkState.VALID, link)


def use_link(token: str, password: str, now: datetime) -> User:
    """Set the password through the link, which is then spent: AccountError when the
    link does not work or the password breaks the rules (the link then still works)."""
    check_password_rules(password)
    # Spent in one conditional statement, so that two uses at the same moment cannot
    # both get through.
    spent = db.session.execute(
        PasswordLink.__table__.update()
        .where(PasswordLink.token_hash == _hash(token))
        .where(PasswordLink.used_at.is_(None))
        .where(PasswordLink.expires_at > now)
        .values(used_at=now)
        .returning(PasswordLink.user_id)
    ).scalar_one_or_none()
    user = db.session.get(User, spent) if spent is not None else None
    if user is None or not user.active:
        raise AccountError("This link no longer works.")
    # Ends any session the user had, and opens an address locked by guessing.
    set_password(user, password)
    return user


def pending_link(user: User, now: datetime) -> PasswordLink | None:
    """The user's link that still works, if any."""
    return db.session.execute(
        select(PasswordLink)
        .filter_by(user_id=user.id, used_at=None)
        .where(PasswordLink.expires_at > now)
    ).scalar_one_or_none()
