"""What the walks' index shows: each area and each walk with its observations counted by
status, in one grouped query."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from ..areas.models import Area
from ..collection.models import CollectionPoint, PointKind
from ..extensions import db
from .models import Observation


@dataclass
class Walk:
    point: CollectionPoint
    counts: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class AreaWalks:
    area: Area
    walks: list[Walk] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        total: Counter = Counter()
        for walk in self.walks:
            total.update(walk.counts)
        return total

    @property
    def total(self) -> int:
        return sum(walk.total for walk in self.walks)


def status_counts(org_id: int) -> dict[int, Counter]:
    """Each collection point's observations by status."""
    rows = db.session.execute(
        select(Observation.collection_point_id, Observation.status, func.count())
        .where(Observation.organisation_id == org_id)
        .group_by(Observation.collection_point_id, Observation.status)
    ).all()
    counts: dict[int, Counter] = {}
    for point_id, status, count in rows:
        counts.setdefault(point_id, Counter())[status] = count
    return counts


def walks_by_area(org_id: int, areas: list[Area]) -> list[AreaWalks]:
    """Every area with its walks: the points of the walk kind, and any other point
    that has observations, newest first."""
    counts = status_counts(org_id)
    points = db.session.execute(
        select(CollectionPoint)
        .filter_by(organisation_id=org_id)
        .order_by(CollectionPoint.opens_at.desc(), CollectionPoint.id)
    ).scalars()
    by_area = {area.id: AreaWalks(area) for area in areas}
    for point in points:
        if point.kind != PointKind.WALK and point.id not in counts:
            continue
        if point.area_id in by_area:
            by_area[point.area_id].walks.append(Walk(point, counts.get(point.id, Counter())))
    return list(by_area.values())
