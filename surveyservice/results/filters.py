"""The filters of a results view and of an export: one shape for pages, API and CLI.

A filter names values the organisation knows (a point's id, an area's name, a kind,
a channel, a version's number, a language) and a date range in whole days, both
ends included, in the organisation's time zone. Nothing here reads a request.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date


@dataclass(frozen=True)
class Filters:
    point: int | None = None  # a collection point's id
    area: str | None = None  # an area's name, compared as areas.py compares names
    kind: str | None = None  # PointKind value
    channel: str | None = None  # Channel value
    version: int | None = None  # a published version's number
    language: str | None = None  # sensitive: see docs/results.md
    since: date | None = None  # the first day included (query parameter ``from``)
    until: date | None = None  # the last day included (query parameter ``to``)

    def active(self) -> dict[str, object]:
        """The filters that are set, by name: for the audit log and the page."""
        return {
            f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None
        }

    @property
    def combined(self) -> int:
        """How many filters the view combines; a date range counts as one."""
        dated = self.since is not None or self.until is not None
        categorical = [self.point, self.area, self.kind, self.channel, self.version, self.language]
        return sum(value is not None for value in categorical) + dated

    @property
    def is_empty(self) -> bool:
        return not self.active()
