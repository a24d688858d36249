"""Observations for spreadsheets and maps: one row (CSV) or one feature (GeoJSON) per
observation, with the walk's own answers repeated on each of its observations.

The columns are the union over every published version of the questionnaire, keyed
by question id as in the responses' export (results/exports/columns.py): the walk's
answers by their ids, each entry's answers by ``<group>.<question id>``. Both exports
carry the internal note: they are for coordinators and admins only (docs/walks.md).
No Flask request here: the routes pass what they parsed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ..accounts.models import Organisation
from ..questionnaires.models import Questionnaire
from ..results.exports.columns import Asked, Plan, option_label, plan_columns
from ..results.exports.writing import CHOICE_SEPARATOR, yes_no_words
from .models import Observation, Photo
from .observations import (
    category_values,
    entry_answers,
    group_definition,
    observation_photos,
    photo_url,
    responsible_label,
    severity_value,
    status_label,
)

LABELS = ("values", "sv", "en", "ar")
GEOJSON_TYPE = "application/geo+json"

# The columns before the answers: which observation, of which walk, when.
LEADING = (
    "observation_id",
    "response_id",
    "group",
    "entry",
    "point_id",
    "point",
    "area",
    "observed_at",
)
# The columns after them: where, and the follow-up.
TRAILING = (
    "latitude",
    "longitude",
    "accuracy",
    "place",
    "photos",
    "status",
    "responsible",
    "public_note",
    "internal_note",
    "public",
    "updated_at",
)
# The GeoJSON's properties for styling a map, beside the columns.
STYLING = ("category", "severity")
# A walk's question with one of these ids gets the column "<id>.answer".
FIXED = frozenset(LEADING + TRAILING + STYLING)


def position_question(group: dict) -> dict | None:
    """The group's first location question: where each entry is (walks/recording.py)."""
    return next((q for q in group.get("questions", ()) if q["type"] == "location"), None)


def located_groups(definition: dict) -> list[dict]:
    """The groups whose entries are observations: those that ask for a place."""
    return [q for q in definition["questions"] if q["type"] == "group" and position_question(q)]


@dataclass
class _Part:
    """The answers of one part of a walk (its own, or one group's entries) and the
    table's columns they fill."""

    plan: Plan
    index: dict[int, int]  # the plan's column -> the table's column


@dataclass
class ObservationPlan:
    head: list[str]
    walk: _Part
    groups: dict[str, _Part]


def _entry_definition(group: dict, definition: dict) -> dict:
    position = position_question(group)
    return {
        "questions": [q for q in group["questions"] if q is not position],
        "languages": definition["languages"],
        "default_language": definition["default_language"],
    }


def plan_observation_columns(questionnaire: Questionnaire) -> ObservationPlan:
    """The columns for the observations of every published version of the questionnaire."""
    versions = [(v.number, v.definition) for v in questionnaire.published]
    head = list(LEADING)

    def part(plan: Plan, prefix: str) -> _Part:
        index = {}
        for number, column in enumerate(plan.columns):
            if column.kind not in ("answer", "lat", "lon"):
                continue  # the response's metadata, and a multi question's 0/1 columns
            qid = column.question
            name = {"answer": qid, "lat": f"{qid}.lat", "lon": f"{qid}.lon"}[column.kind]
            if not prefix and name in FIXED:
                name = f"{qid}.answer"
            index[number] = len(head)
            head.append(prefix + name)
        return _Part(plan, index)

    walk = part(plan_columns(versions), "")
    group_versions: dict[str, list[tuple[int, dict]]] = {}
    for number, definition in versions:
        for group in located_groups(definition):
            group_versions.setdefault(group["id"], []).append(
                (number, _entry_definition(group, definition))
            )
    groups = {gid: part(plan_columns(vs), f"{gid}.") for gid, vs in group_versions.items()}
    head.extend(TRAILING)
    return ObservationPlan(head, walk, groups)


class _Values:
    """An answer as a cell: option values or labels in a language, numbers as numbers."""

    def __init__(self, language: str | None, yes_no: dict[str, tuple[str, str]]):
        self.language = language
        self.yes_no = yes_no.get(language, ("Yes", "No")) if language else None

    def label(self, asked: Asked, value: Any, key: str = "options") -> str:
        if self.language is None:
            return str(value)
        return option_label(asked.question, str(value), key, self.language, asked.default_language)

    def fill(self, part: _Part, number: int, answers: dict, cells: list) -> None:
        for asked in part.plan.asked.get(number, ()):
            value = answers.get(asked.question["id"])
            if value is None:
                continue
            column = part.index[asked.answer]
            kind = asked.question["type"]
            if kind == "location" and isinstance(value, dict):
                if "place" in value:
                    cells[column] = self.label(asked, value["place"], "places")
                if "lat" in value and "lon" in value:
                    cells[part.index[asked.lat]] = value["lat"]
                    cells[part.index[asked.lon]] = value["lon"]
            elif kind == "single":
                cells[column] = self.label(asked, value)
            elif kind == "multi" and isinstance(value, list):
                cells[column] = CHOICE_SEPARATOR.join(self.label(asked, v) for v in value)
            elif kind == "yesno":
                cells[column] = (
                    (self.yes_no[0] if value else self.yes_no[1]) if self.yes_no else bool(value)
                )
            elif isinstance(value, str | int | float):
                cells[column] = value
            else:
                cells[column] = json.dumps(value, ensure_ascii=False)


@dataclass(frozen=True)
class Row:
    observation: Observation
    cells: list


def observation_rows(
    org: Organisation,
    plan: ObservationPlan,
    observations: list[Observation],
    labels: str = "values",
    site_url: str = "",
) -> Iterator[Row]:
    """Each observation's cells, in the plan's columns. ``labels``: option values, or
    labels (and status and responsible names) in that language; photo links start
    with ``site_url``."""
    language = None if labels == "values" else labels
    values = _Values(language, yes_no_words([language] if language else []))
    photos = observation_photos(observations)
    for observation in observations:
        response = observation.response
        number = response.version.number
        cells: list[Any] = [None] * len(plan.head)
        cells[: len(LEADING)] = [
            observation.id,
            str(response.id),
            observation.question_id,
            observation.entry,
            observation.collection_point_id,
            observation.point.name,
            observation.point.area.name,
            observation.observed_at,
        ]
        values.fill(plan.walk, number, response.answers or {}, cells)
        group = plan.groups.get(observation.question_id)
        if group is not None:
            values.fill(group, number, entry_answers(observation), cells)
        place = observation.place
        if place is not None and language is not None:
            position = position_question(group_definition(observation)) or {}
            default = response.version.definition["default_language"]
            place = option_label(position, place, "places", language, default)
        cells[len(plan.head) - len(TRAILING) :] = [
            observation.lat,
            observation.lon,
            observation.accuracy,
            place,
            _links(photos[observation.id], site_url),
            status_label(org, observation.status, language) if language else observation.status,
            responsible_label(observation.responsible, language)
            if language
            else observation.responsible,
            observation.public_note,
            observation.internal_note,
            _yes_no(values, observation.public),
            observation.updated_at,
        ]
        yield Row(observation, cells)


def _yes_no(values: _Values, value: bool) -> bool | str:
    """As a yes/no answer is written: 1 or 0 (true or false in GeoJSON), or the words."""
    if values.yes_no:
        return values.yes_no[0] if value else values.yes_no[1]
    return value


def _links(photos: list[Photo], site_url: str) -> str:
    return " ".join(site_url.rstrip("/") + photo_url(photo) for photo in photos)


# --- GeoJSON --------------------------------------------------------------------


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def feature_collection(
    org: Organisation,
    plan: ObservationPlan,
    observations: list[Observation],
    labels: str = "values",
    site_url: str = "",
) -> dict:
    """The observations as a GeoJSON FeatureCollection (RFC 7946): a Point at
    [longitude, latitude] per observation, or no geometry where no position is known;
    the columns of the CSV export as properties, with the photos as a list of links
    and the group's category values and severity for styling a map."""
    features = []
    for row in observation_rows(org, plan, observations, labels, site_url):
        observation = row.observation
        properties = {
            name: _json_value(value) for name, value in zip(plan.head, row.cells, strict=True)
        }
        properties["photos"] = properties["photos"].split() if properties["photos"] else []
        properties["category"] = category_values(observation)
        properties["severity"] = severity_value(observation)
        geometry = None
        if observation.lat is not None and observation.lon is not None:
            geometry = {"type": "Point", "coordinates": [observation.lon, observation.lat]}
        features.append(
            {
                "type": "Feature",
                "id": observation.id,
                "geometry": geometry,
                "properties": properties,
            }
        )
    return {"type": "FeatureCollection", "features": features}
