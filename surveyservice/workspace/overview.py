"""What the start page and the points list show: points by state, answers counted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..collection.models import CollectionPoint, PointStatus, Response
from ..extensions import db
from ..local_time import start_of_day
from ..questionnaires.models import Questionnaire
from ..questionnaires.versions import list_questionnaires


@dataclass(frozen=True)
class Answers:
    total: int = 0
    today: int = 0
    latest: datetime | None = None


def answer_counts(org_id: int, now: datetime, time_zone: str) -> dict[int, Answers]:
    """Each point's answers in total and since midnight in the organisation's time
    zone, and its latest answer's time: one grouped query for every point."""
    since = start_of_day(now, time_zone)
    rows = db.session.execute(
        select(
            Response.collection_point_id,
            func.count(),
            func.sum(case((Response.received_at >= since, 1), else_=0)),
            func.max(Response.received_at),
        )
        .where(Response.organisation_id == org_id)
        .group_by(Response.collection_point_id)
    ).all()
    return {
        point_id: Answers(total, int(today or 0), _aware(latest))
        for point_id, total, today, latest in rows
    }


def _aware(moment: datetime | None) -> datetime | None:
    # An aggregate skips the column's type: SQLite hands back a naive UTC time (or text).
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def points_with_details(
    org_id: int, area_id: int | None = None, questionnaire_slug: str | None = None
) -> list[CollectionPoint]:
    """The organisation's points, newest first, with what a list shows loaded at once."""
    query = (
        select(CollectionPoint)
        .filter_by(organisation_id=org_id)
        .options(
            selectinload(CollectionPoint.questionnaire).selectinload(Questionnaire.versions),
            selectinload(CollectionPoint.pinned_version),
        )
        .order_by(CollectionPoint.opens_at.desc(), CollectionPoint.id)
    )
    if area_id is not None:
        query = query.filter_by(area_id=area_id)
    if questionnaire_slug:
        query = query.join(CollectionPoint.questionnaire).where(
            Questionnaire.slug == questionnaire_slug
        )
    return list(db.session.execute(query).scalars())


def by_status(points: list[CollectionPoint], now: datetime) -> dict[PointStatus, list]:
    groups: dict[PointStatus, list] = {status: [] for status in PointStatus}
    for point in points:
        groups[point.status(now)].append(point)
    # Upcoming ones soonest first; the others newest first, as listed.
    groups[PointStatus.NOT_YET_OPEN].sort(key=lambda p: p.opens_at)
    return groups


def questionnaires_with_drafts(org_id: int) -> list[Questionnaire]:
    return [q for q in list_questionnaires(org_id) if q.draft is not None]
