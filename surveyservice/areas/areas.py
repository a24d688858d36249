"""Adding, renaming, finding and removing areas."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy import select

from ..extensions import db
from ..storage import delete_after_commit
from ..text import one_line_problem
from .models import Area

NAME_LENGTH = 100


class AreaError(ValueError):
    """An area that cannot be stored or removed as asked; ``problems`` by field, each a
    message template with its values, so that a page can show it in its language."""

    def __init__(self, field: str, template: str, **values):
        self.field, self.template, self.values = field, template, values
        super().__init__(template.format(**values))

    @property
    def problems(self) -> dict[str, list[str]]:
        return {self.field: [str(self)]}


def tidy_name(name: str) -> str:
    """The name as shown: no space at the ends, single spaces inside."""
    return " ".join(name.split())


def area_key(name: str) -> str:
    """What two names of one area have in common, whatever their case and spacing."""
    return tidy_name(name).casefold()


def list_areas(org_id: int) -> list[Area]:
    areas = db.session.execute(select(Area).filter_by(organisation_id=org_id)).scalars()
    return sorted(areas, key=lambda a: (a.key, a.id))


def find_area(org_id: int, area_id: int) -> Area | None:
    if not 0 < area_id < 2**31:
        return None  # no such row, and a database would refuse the number
    return db.session.execute(
        select(Area).filter_by(organisation_id=org_id, id=area_id)
    ).scalar_one_or_none()


def find_area_by_name(org_id: int, name: str) -> Area | None:
    return db.session.execute(
        select(Area).filter_by(organisation_id=org_id, key=area_key(name))
    ).scalar_one_or_none()


def _checked_name(org_id: int, name: str, area: Area | None) -> str:
    tidy = tidy_name(name)
    if not tidy:
        raise AreaError("name", "Give the area a name.")
    if problem := one_line_problem(name):
        raise AreaError("name", problem)
    if len(tidy) > NAME_LENGTH:
        raise AreaError("name", "At most {limit} characters.", limit=NAME_LENGTH)
    same = find_area_by_name(org_id, tidy)
    if same is not None and same is not area:
        raise AreaError("name", "There is already an area called {name}.", name=same.name)
    return tidy


def create_area(org_id: int, name: str) -> Area:
    area = Area(organisation_id=org_id, name=_checked_name(org_id, name, None))
    area.key = area_key(area.name)
    db.session.add(area)
    db.session.flush()
    return area


def rename_area(area: Area, name: str) -> Area:
    area.name = _checked_name(area.organisation_id, name, area)
    area.key = area_key(area.name)
    db.session.flush()
    return area


def uses_of(area: Area) -> int:
    """How many rows of any table refer to this area (collection points, later walks)."""
    count = 0
    for table in db.metadata.sorted_tables:
        for fk in table.foreign_keys:
            if fk.column.table.name == Area.__tablename__:
                count += db.session.execute(
                    select(sa.func.count()).select_from(table).where(fk.parent == area.id)
                ).scalar_one()
    return count


def remove_area(area: Area) -> None:
    """Remove an area nothing refers to; one in use stays, and AreaError says why."""
    if used := uses_of(area):
        raise AreaError(
            "area",
            "{name} cannot be removed: {count} collection point(s) or other records are in "
            "it. Move them to another area first.",
            name=area.name,
            count=used,
        )
    if area.map_key:
        delete_after_commit(area.map_key)
    db.session.delete(area)
    db.session.flush()
