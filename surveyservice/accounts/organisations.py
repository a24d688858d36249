"""Adding organisations beside the first one, and listing them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select

from ..extensions import db
from .accounts import AccountError, create_organisation, slugify
from .models import Organisation, User

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class OrganisationRow:
    slug: str
    name: str
    users: int


def add_organisation(name: str, slug: str | None = None) -> Organisation:
    """A new organisation; its slug is made from the name unless given, and must be free."""
    name = name.strip()
    if len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"An organisation's name has at most {MAX_NAME_LENGTH} characters.")
    slug = slug.strip() if slug is not None else slugify(name)
    if not SLUG_RE.fullmatch(slug) or len(slug) > 64:
        raise AccountError(
            f"{slug!r} is not a slug: use 1 to 64 lower-case letters a-z, digits and hyphens."
        )
    taken = db.session.execute(select(Organisation.name).filter_by(slug=slug)).scalar()
    if taken is not None:
        raise AccountError(f"The slug {slug!r} is already taken by {taken}; choose another.")
    return create_organisation(name, slug)


def organisations() -> list[OrganisationRow]:
    """Every organisation, by slug, with how many users it has."""
    rows = db.session.execute(
        select(Organisation.slug, Organisation.name, func.count(User.id))
        .outerjoin(User, User.organisation_id == Organisation.id)
        .group_by(Organisation.id, Organisation.slug, Organisation.name)
        .order_by(Organisation.slug)
    )
    return [OrganisationRow(slug, name, users) for slug, name, users in rows]
