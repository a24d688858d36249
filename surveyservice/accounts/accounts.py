"""Creating organisations, users and tokens, and checking passwords and tokens."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..i18n import N_
from . import throttle
from .models import ApiToken, Organisation, PasswordLink, Role, User

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


# No password hash has this form, so nobody can sign in until a password is set.
NO_PASSWORD = "!"  # noqa: S105 (a marker, not a secret)


def parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        raise AccountError(
            f"Unknown role {role!r}: use one of {', '.join(r.value for r in Role)}."
        ) from None


def create_user(org: Organisation, email: str, password: str | None, role: Role | str) -> User:
    """A new user; with no password, they sign in only after setting one (a link)."""
    email = normalise_email(email)
    if not EMAIL_RE.match(email):
        raise AccountError(f"{email!r} is not an e-mail address.")
    role = parse_role(role)
    if password is not None:
        check_password_rules(password)
    exists = db.session.execute(
        select(func.count()).select_from(User).filter_by(email=email)
    ).scalar_one()
    if exists:
        raise AccountError(f"A user with the e-mail {email} already exists.")
    user = User(
        organisation=org,
        email=email,
        role=role,
        password_hash=NO_PASSWORD if password is None else _hash_password(password),
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
    if user is None or not has_password(user):
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


def end_sessions(user: User) -> None:
    """End every session of the user, in every browser that holds a copy of it."""
    user.session_generation += 1
    db.session.flush()


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"The password must have at least {MIN_PASSWORD_LENGTH} characters.")


def _hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def has_password(user: User) -> bool:
    return user.password_hash != NO_PASSWORD


def set_password(user: User, password: str) -> None:
    """A new password; every session signed in with the old one ends."""
    check_password_rules(password)
    user.password_hash = _hash_password(password)
    end_sessions(user)
    # Someone guessing at the address may have locked it: the new password opens it.
    throttle.forget(user.email)


def _keep_an_active_admin(user: User, role: Role, active: bool) -> None:
    """Refuse a change that would leave the user's organisation with no active admin."""
    if user.role != Role.ADMIN or not user.active or (role == Role.ADMIN and active):
        return
    # The organisation's row is the lock: two admins demoting each other at the same
    # moment cannot both see the other one still there.
    db.session.execute(select(Organisation.id).filter_by(id=user.organisation_id).with_for_update())
    others = db.session.execute(
        select(func.count())
        .select_from(User)
        .filter_by(organisation_id=user.organisation_id, role=Role.ADMIN, active=True)
        .where(User.id != user.id)
    ).scalar_one()
    if not others:
        raise AccountError(
            N_("The organisation needs an active admin: make someone else admin first.")
        )


def set_active(user: User, active: bool) -> None:
    """Deactivate (or reactivate) a user; deactivation ends their sessions at once and
    voids their one-time links. The last active admin cannot be deactivated."""
    _keep_an_active_admin(user, user.role, active)
    user.active = active
    if not active:
        end_sessions(user)
        db.session.execute(delete(PasswordLink).filter_by(user_id=user.id, used_at=None))


def change_role(user: User, role: Role | str) -> None:
    """Give the user another role; the last active admin keeps theirs."""
    role = parse_role(role)
    _keep_an_active_admin(user, role, user.active)
    user.role = role
    db.session.flush()


def users_of(organisation_id: int) -> list[User]:
    return list(
        db.session.execute(
            select(User).filter_by(organisation_id=organisation_id).order_by(User.email)
        ).scalars()
    )


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.execute(
            select(ApiToken).filter_by(user_id=user.id).order_by(ApiToken.created_at.desc())
        ).scalars()
    )


def find_token(user: User, token_id: int) -> ApiToken | None:
    """The user's token with this id; None for anyone else's."""
    return db.session.execute(
        select(ApiToken).filter_by(id=token_id, user_id=user.id)
    ).scalar_one_or_none()


def revoke_token(token: ApiToken) -> None:
    """The token stops working at once."""
    db.session.delete(token)
    db.session.flush()


def _hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str = "cli") -> str:
    """Create an API token for the user and return it; it is never shown again."""
    return new_token(user, name)[0]


def new_token(user: User, name: str) -> tuple[str, ApiToken]:
    """An API token for the user, and its row; the token itself is never shown again."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(user=user, token_hash=_hash_token(token), prefix=token[:10], name=name[:100])
    db.session.add(row)
    db.session.flush()
    return token, row


def user_for_token(token: str) -> User | None:
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.execute(
        select(ApiToken).filter_by(token_hash=_hash_token(token))
    ).scalar_one_or_none()
    if row is None or not row.user.active:
        return None
    return row.user
