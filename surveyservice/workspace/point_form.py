"""The collection point form: what was typed, read into the fields the domain takes.

Field rules (lengths, one line of text, the kinds) are the API schema's, so the pages
and the API refuse the same things; rules between rows are collection/points.py's.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from marshmallow import ValidationError

from ..collection.models import CollectionPoint, PointKind
from ..collection.schemas import PointSchema
from ..i18n import LANGUAGE_NAMES, N_
from ..local_time import LocalTimeError, input_value, parse_local
from ..text import parse_whole_number

# The point's name in these languages besides the main one (residents read the form
# in them); others come through the API.
OTHER_NAME_LANGUAGES = tuple(code for code in LANGUAGE_NAMES if code != "sv")
KIND_LABELS = {"event": N_("Event"), "walk": N_("Safety walk"), "online": N_("Online link")}
FIELDS = ("questionnaire", "version", "name", "area", "kind", "opens_at", "closes_at")


@dataclass
class Message:
    """A problem to show beside a field: an English template and its values."""

    template: str
    values: dict = field(default_factory=dict)


@dataclass
class PointForm:
    """What the form shows: the values as typed, and the problems by field."""

    values: dict
    problems: dict[str, list[Message]] = field(default_factory=dict)

    @property
    def names_open(self) -> bool:
        """Whether the other languages' names are worth showing unfolded."""
        keys = [f"name_{code}" for code in OTHER_NAME_LANGUAGES]
        return any(self.values.get(k) or k in self.problems for k in keys)

    def add(self, name: str, template: str, **values) -> None:
        self.problems.setdefault(name, []).append(Message(template, values))

    @classmethod
    def for_point(cls, point: CollectionPoint | None, time_zone: str, now: datetime) -> PointForm:
        if point is None:
            return cls(
                {
                    "version": "",
                    "kind": PointKind.EVENT.value,
                    "opens_at": input_value(now, time_zone),
                }
            )
        values = {
            "questionnaire": point.questionnaire.slug,
            "version": str(point.pinned_version.number) if point.pinned_version else "",
            "name": point.name,
            "area": point.area.name,
            "kind": point.kind.value,
            "opens_at": input_value(point.opens_at, time_zone),
            "closes_at": input_value(point.closes_at, time_zone),
        }
        for code in OTHER_NAME_LANGUAGES:
            values[f"name_{code}"] = (point.names or {}).get(code, "")
        return cls(values)


def _version(text: str):
    if not text:
        return None  # the latest published version
    number = parse_whole_number(text)
    return number if number is not None else text


REQUIRED = {
    "questionnaire": N_("Choose a questionnaire."),
    "name": N_("Give the point a name."),
    "area": N_("Choose an area."),
    "kind": N_("Choose a kind."),
    "opens_at": N_("Give the opening time."),
}


def read_point_form(form, time_zone: str) -> tuple[PointForm, dict]:
    """The form as sent, and the fields for create_point/update_point (meaningful only
    when the form has no problems)."""
    values = {name: form.get(name, "") for name in FIELDS}
    values.update({f"name_{c}": form.get(f"name_{c}", "") for c in OTHER_NAME_LANGUAGES})
    result = PointForm(values)
    for name, message in REQUIRED.items():
        if not values[name].strip():
            result.add(name, message)
    raw = {
        "questionnaire": values["questionnaire"],
        "name": values["name"].strip(),
        "area": values["area"],
        "kind": values["kind"],
        "version": _version(values["version"]),
        "names": {
            code: values[f"name_{code}"].strip()
            for code in OTHER_NAME_LANGUAGES
            if values[f"name_{code}"].strip()
        },
        "closes_at": None,
    }
    for name in ("opens_at", "closes_at"):
        if values[name].strip():
            try:
                raw[name] = parse_local(values[name], time_zone).isoformat()
            except LocalTimeError as exc:
                result.add(name, exc.template, **exc.values)
    try:
        fields = PointSchema().load(raw)
    except ValidationError as exc:
        fields = exc.valid_data or {}
        for name, messages in exc.normalized_messages().items():
            if name in result.problems:
                continue  # already said more plainly above
            if name == "names":
                name = f"name_{next(iter(messages))}"
                messages = next(iter(messages.values()))
                if isinstance(messages, dict):
                    messages = [m for ms in messages.values() for m in ms]
            for message in messages if isinstance(messages, list) else [str(messages)]:
                result.add(name if name in values else "name", message)
    return result, fields
