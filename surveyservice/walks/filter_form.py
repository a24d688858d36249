"""The filters of the walk pages: what was typed in the GET form, checked against what
the page offers, each problem beside its field."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..i18n import N_
from .observations import STATUSES, ObservationFilters

# The query parameters, in the order the form shows them.
FILTER_NAMES = ("category", "severity", "status", "public", "walk", "from", "to")
# The choices of the public page's filter: marked for it, or not.
PUBLIC_CHOICES = {"yes": True, "no": False}

# What to do about a filter that names nothing: the form offers only what exists, so
# these come from an edited address or a typed date.
FILTER_PROBLEMS = {
    "category": N_("Choose a category from the list."),
    "severity": N_("Choose a severity from the list."),
    "status": N_("Choose a status from the list."),
    "public": N_("Choose from the list whether they are on the public page."),
    "walk": N_("Choose a walk of this area from the list."),
    "from": N_("Enter a date between 2000-01-01 and 2100-12-31."),
    "to": N_("Enter a date between 2000-01-01 and 2100-12-31."),
}
RANGE_REVERSED = N_("The first day is after the last day: swap them.")


@dataclass
class FilterForm:
    """What the coordinator asked for, as typed, with the problems by field."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    filters: ObservationFilters | None = None

    @property
    def query(self) -> dict[str, str]:
        return {name: value for name, value in self.values.items() if value}


def _day(text: str) -> date | None:
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def read_filters(
    args,
    *,
    categories: set[str],
    severities: set[str],
    walks: set[int],
    point: int | None = None,
    area: int | None = None,
) -> FilterForm:
    """The filters in the query arguments, checked against the page's choices; the
    page's own walk or area is always part of them."""
    values = {name: args.get(name, "").strip() for name in FILTER_NAMES}
    form = FilterForm(values=values)
    problems = form.problems
    if values["category"] and values["category"] not in categories:
        problems["category"] = FILTER_PROBLEMS["category"]
    if values["severity"] and values["severity"] not in severities:
        problems["severity"] = FILTER_PROBLEMS["severity"]
    if values["status"] and values["status"] not in STATUSES:
        problems["status"] = FILTER_PROBLEMS["status"]
    if values["public"] and values["public"] not in PUBLIC_CHOICES:
        problems["public"] = FILTER_PROBLEMS["public"]
    walk = None
    if values["walk"]:
        walk = int(values["walk"]) if values["walk"].isdigit() else None
        if walk not in walks:
            problems["walk"] = FILTER_PROBLEMS["walk"]
    days = {}
    for name in ("from", "to"):
        if values[name]:
            days[name] = _day(values[name])
            if days[name] is None:
                problems[name] = FILTER_PROBLEMS[name]
    if days.get("from") and days.get("to") and days["from"] > days["to"]:
        problems["from"] = RANGE_REVERSED
    if problems:
        return form
    form.filters = ObservationFilters(
        point=point if point is not None else walk,
        area=area,
        categories=(values["category"],) if values["category"] else (),
        severities=(values["severity"],) if values["severity"] else (),
        statuses=(values["status"],) if values["status"] else (),
        since=days.get("from"),
        until=days.get("to"),
        public=PUBLIC_CHOICES.get(values["public"]),
    )
    return form
