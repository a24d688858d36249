"""Creating organisations, users and tokens, and checking passwords and tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from . import throttle
from .models import ApiToken, Organisation, Role, User

MIN_PASSWORD_LENGTH = 10
TOKEN_PREFIX = "ss_"  # noqa: S105 (a marker, not a secret)
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_ORGANISATION_NAME = 200


@functools.cache
def _dummy_hash() -> str:
    # Compared against when the e-mail is unknown, so that sign-in takes as long
    # for a wrong address as for a wrong password.
    return generate_password_hash("not-a-real-password")


class AccountError(ValueError):
    """A request about an account that cannot be carried out, with a reason."""


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:64].strip("-") or "org"


def ensure_organisation(slug: str | None = None) -> Organisation:
    """The organisation named by slug; with none given, the only one (created on first run)."""
    if slug:
        org = db.session.execute(select(Organisation).filter_by(slug=slug)).scalar_one_or_none()
        if org is None:
            raise AccountError(f"No organisation with the slug {slug!r}.")
        return org
    orgs = db.session.execute(select(Organisation).limit(2)).scalars().all()
    if len(orgs) > 1:
        raise AccountError("There are several organisations: name one with --org.")
    if orgs:
        return orgs[0]
    return create_organisation(current_app.config["DEFAULT_ORGANISATION"])


def create_organisation(name: str, slug: str | None = None) -> Organisation:
    """A new organisation; its slug is made from the name unless given, and must be free."""
    name = name.strip()
    if not name:
        raise AccountError("An organisation needs a name.")
    if len(name) > MAX_ORGANISATION_NAME:
        raise AccountError(
            f"An organisation's name has at most {MAX_ORGANISATION_NAME} characters."
        )
    slug = slug.strip() if slug is not None else slugify(name)
    if not SLUG_RE.fullmatch(slug) or len(slug) > 64:
        raise AccountError(
            f"{slug!r} is not a slug: use 1 to 64 lower-case letters a-z, digits and hyphens."
        )
    taken = db.session.execute(select(Organisation.name).filter_by(slug=slug)).scalar()
    if taken is not None:
        raise AccountError(f"The slug {slug!r} is already taken by {taken}; choose another.")
    org = Organisation(name=name, slug=slug)
    db.session.add(org)
    db.session.flush()
    return org


@dataclass(frozen=True)
class OrganisationRow:
    slug: str
    name: str
    users: int


def organisations() -> list[OrganisationRow]:
    """Every organisation, by slug, with how many users it has."""
    rows = db.session.execute(
        select(Organisation.slug, Organisation.name, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.slug, Organisation.name)
        .order_by(Organisation.slug)
    )
    return [OrganisationRow(slug, name, users) for slug, name, users in rows]


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(org: Organisation, email: str, password: str, role: Role | str) -> User:
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError(f"{email!r} is not an e-mail address.")
    try:
        role = Role(role)
    except ValueError:
        raise AccountError(
            f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}."
        ) from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    exists = db.session.execute(
        select(func.count()).select_from(User).filter_by(email=email)
    ).scalar_one()
    if exists:
        raise AccountError(f"A user with the e-mail {email} already exists.")
    user = User(
        organisation=org,
        email=email,
        role=role,
        password_hash=generate_password_hash(
            password, method=current_app.config["PASSWORD_HASH_METHOD"]
        ),
    )
    db.session.add(user)
    db.session.flush()
    return user


def find_user(email: str) -> User | None:
    return db.session.execute(
        select(User).filter_by(email=normalise_email(email))
    ).scalar_one_or_none()


def authenticate(email: str, password: str) -> User | None:
    """The active user with this e-mail and password, or None."""
    user = find_user(email)
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of the user, in every browser that holds a copy of it."""
    user.session_generation += 1
    db.session.flush()


def set_password(user: User, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")
    user.password_hash = generate_password_hash(
        password, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    end_sessions(user)
    # Someone guessing at the address may have locked it: the new password opens it.
    throttle.forget(user.email)


def set_active(user: User, active: bool) -> None:
    """Deactivate (or reactivate) a user; deactivation ends their sessions at once."""
    user.active = active
    if not active:
        end_sessions(user)


def _hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "cli") -> str:
    """Create an API token for the user and return it; it is never shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(
        ApiToken(user=user, token_hash=_hash_token(token), prefix=token[:10], name=name[:100])
    )
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(
        select(ApiToken).filter_by(token_hash=_hash_token(token))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    return row.user
