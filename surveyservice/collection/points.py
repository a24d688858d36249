"""Creating, changing and closing collection points."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import and_, bindparam, select
from sqlalchemy.orm import lazyload

from ..areas.areas import find_area_by_name, list_areas
from ..areas.models import Area
from ..database import utcnow
from ..extensions import db
from ..questionnaires.models import Questionnaire, QuestionnaireVersion, VersionStatus
from .models import CollectionPoint, Response

# No 0/o, 1/l/i: the token is also written out on the poster for people to type.
TOKEN_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"  # noqa: S105 (an alphabet)
TOKEN_LENGTH = 16  # about 79 bits: not guessable, even without the rate limit


class Problem(str):
    """A message in English (the API's), which keeps its template and values so that a
    page can show it in its own language."""

    template: str
    values: dict

    def __new__(cls, template: str, **values) -> Problem:
        problem = super().__new__(cls, template.format(**values))
        problem.template, problem.values = template, values
        return problem


class PointError(ValueError):
    """A collection point that cannot be stored as asked: ``problems`` by field."""

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))


def point_subject(point: CollectionPoint) -> str:
    """How the audit log names a point: its number and name."""
    return f"{point.id} {point.name}"


def new_token() -> str:
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def list_points(org_id: int) -> list[CollectionPoint]:
    return list(
        db.session.execute(
            select(CollectionPoint)
            .filter_by(organisation_id=org_id)
            .order_by(CollectionPoint.opens_at.desc(), CollectionPoint.id)
        ).scalars()
    )


def find_point(org_id: int, point_id: int) -> CollectionPoint | None:
    if not 0 < point_id < 2**31:
        return None  # no such row, and a database would refuse the number
    return db.session.execute(
        select(CollectionPoint).filter_by(organisation_id=org_id, id=point_id)
    ).scalar_one_or_none()


def well_formed_token(token: str) -> bool:
    """Whether ``token`` could be a collection point's token at all."""
    return len(token) == TOKEN_LENGTH and all(c in TOKEN_ALPHABET for c in token)


def find_point_by_token(token: str) -> CollectionPoint | None:
    if not well_formed_token(token):
        return None
    return db.session.execute(select(CollectionPoint).filter_by(token=token)).scalar_one_or_none()


def _area(org_id: int, name: str) -> Area | Problem:
    area = find_area_by_name(org_id, name)
    if area is not None:
        return area
    known = [a.name for a in list_areas(org_id)]
    if not known:
        return Problem("No area {name!r}: your organisation has no areas yet.", name=name)
    return Problem("No area {name!r}. Known areas: {known}.", name=name, known=", ".join(known))


def _resolve(org_id: int, fields: dict, point: CollectionPoint | None) -> dict:
    """Check the fields that refer to other rows or to each other."""
    problems: dict[str, list[str]] = {}
    questionnaire = point.questionnaire if point else None
    if "questionnaire" in fields:
        questionnaire = db.session.execute(
            select(Questionnaire).filter_by(organisation_id=org_id, slug=fields["questionnaire"])
        ).scalar_one_or_none()
        if questionnaire is None:
            problems["questionnaire"] = [
                Problem("No questionnaire {slug!r}.", slug=fields["questionnaire"])
            ]
    if (
        point is not None
        and questionnaire is not None
        and questionnaire.id != point.questionnaire_id
    ):
        answered = db.session.execute(
            select(Response.id).filter_by(collection_point_id=point.id).limit(1)
        ).first()
        if answered:
            problems["questionnaire"] = [
                Problem(
                    "This point has answers: its questionnaire cannot change. Make a new point."
                )
            ]
    values = {k: v for k, v in fields.items() if k not in ("questionnaire", "version", "area")}
    if "area" in fields:
        area = _area(org_id, fields["area"])
        if isinstance(area, Problem):
            problems["area"] = [area]
        else:
            values["area"] = area
    if questionnaire is not None:
        values["questionnaire"] = questionnaire
        version = point.pinned_version if point and "version" not in fields else None
        if fields.get("version") is not None:
            version = next(
                (v for v in questionnaire.published if v.number == fields["version"]), None
            )
            if version is None:
                problems["version"] = [
                    Problem(
                        "{slug} has no published version {number}.",
                        slug=questionnaire.slug,
                        number=fields["version"],
                    )
                ]
        served = version or questionnaire.latest
        if served is None:
            problems["questionnaire"] = [
                Problem("{slug} has no published version yet.", slug=questionnaire.slug)
            ]
        values["pinned_version"] = version
    opens = values.get("opens_at", point.opens_at if point else None)
    closes = values.get("closes_at", point.closes_at if point else None)
    if opens is not None and closes is not None and closes <= opens:
        problems["closes_at"] = [Problem("It must be later than the opening time.")]
    if problems:
        raise PointError(problems)
    return values


def check_point(org_id: int, fields: dict, point: CollectionPoint | None = None) -> None:
    """Raise PointError for what the fields given would break, storing nothing: for a
    form that has problems of its own, to name all of them at once."""
    _resolve(org_id, fields, point)


def create_point(org_id: int, fields: dict) -> CollectionPoint:
    values = _resolve(org_id, fields, None)
    values.setdefault("opens_at", utcnow())
    point = CollectionPoint(organisation_id=org_id, token=new_token(), **values)
    db.session.add(point)
    db.session.flush()
    return point


def update_point(point: CollectionPoint, fields: dict) -> CollectionPoint:
    for key, value in _resolve(point.organisation_id, fields, point).items():
        setattr(point, key, value)
    db.session.flush()
    return point


def close_point(point: CollectionPoint, now: datetime) -> CollectionPoint:
    """Close now; a point that already closed keeps its closing time."""
    if point.closes_at is None or point.closes_at > now:
        point.closes_at = max(now, point.opens_at)
    db.session.flush()
    return point


VersionRef = tuple[int, str]  # a published version's id and content hash


# Built once: answers are the hot path, and this is all they need to look up.
_POINT_AND_VERSION = (
    select(CollectionPoint, QuestionnaireVersion.id, QuestionnaireVersion.content_hash)
    .outerjoin(
        QuestionnaireVersion,
        and_(
            QuestionnaireVersion.questionnaire_id == CollectionPoint.questionnaire_id,
            QuestionnaireVersion.number == bindparam("number"),
            QuestionnaireVersion.status == VersionStatus.PUBLISHED,
        ),
    )
    .where(CollectionPoint.token == bindparam("token"))
    # Storing an answer never needs the area; a page that shows it loads it then.
    .options(lazyload(CollectionPoint.area))
)


def find_point_for_answer(
    token: str, number: int
) -> tuple[CollectionPoint, VersionRef | None] | None:
    """The point with this token, and its questionnaire's published version ``number``
    (None when there is no such version), in one query.

    Any published version is taken, pinned or not: a device may hold answers given on
    a version the point served before, and each is checked against its own version.
    """
    if len(token) != TOKEN_LENGTH:
        return None
    if not 0 < number < 2**31:
        number = 0  # no such version, and a database would refuse the number
    row = db.session.execute(_POINT_AND_VERSION, {"token": token, "number": number}).one_or_none()
    if row is None:
        return None
    point, version_id, content_hash = row
    return point, (version_id, content_hash) if version_id is not None else None
