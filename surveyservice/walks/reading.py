"""An observation's answers as a coordinator reads them: each label from the definition
version the walk answered, in the page's language, and the categories and severities
of a set of walks for the legend and the filters. No Flask here."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..questionnaires.definition import text_in

# How a position was given, as the form records it.
SOURCES = ("gps", "map")


@dataclass(frozen=True)
class Answer:
    """One answer of an entry: the question's label, and the answer as text."""

    question_id: str
    label: str
    kind: str
    text: str = ""
    items: tuple[str, ...] = ()  # a multiple choice's labels, one per line


@dataclass
class Vocabulary:
    """The categories and severities a set of walks can have, in the definitions'
    order (severities from the mildest), each with its label."""

    categories: dict[str, str] = field(default_factory=dict)
    severities: dict[str, str] = field(default_factory=dict)

    def add(self, definition: dict, group_id: str, language: str) -> None:
        group = find_group(definition, group_id)
        if group is None:
            return
        for target, key in ((self.categories, "category"), (self.severities, "severity")):
            question = sub_question(group, group.get(key))
            for value, label in options(question, definition, language):
                target.setdefault(value, label)


def _language(definition: dict, language: str) -> str:
    return (
        language if language in definition.get("languages", ()) else definition["default_language"]
    )


def label_in(value: Any, definition: dict, language: str) -> str:
    """A definition's text in the language, else in the definition's own."""
    if value is None:
        return ""
    return text_in(value, _language(definition, language), definition["default_language"])


def find_group(definition: dict, group_id: str) -> dict | None:
    for question in definition.get("questions", ()):
        if question["id"] == group_id and question.get("type") == "group":
            return question
    return None


def sub_question(group: dict | None, question_id: str | None) -> dict | None:
    if group is None or not question_id:
        return None
    for question in group.get("questions", ()):
        if question["id"] == question_id:
            return question
    return None


def options(question: dict | None, definition: dict, language: str) -> list[tuple[str, str]]:
    """A choice's or a scale's values with their labels, in order."""
    if question is None:
        return []
    if question.get("type") == "scale":
        low, high = int(question.get("min", 1)), int(question.get("max", 5))
        labels = {low: question.get("min_label"), high: question.get("max_label")}
        return [
            (
                str(number),
                f"{number} {label_in(labels[number], definition, language)}"
                if labels.get(number)
                else str(number),
            )
            for number in range(low, high + 1)
        ]
    return [
        (str(option["value"]), label_in(option.get("label"), definition, language))
        for option in question.get("options", ())
    ]


def _place_label(question: dict, place: str, definition: dict, language: str) -> str:
    for option in question.get("places", ()):
        if str(option.get("value")) == place:
            return label_in(option.get("label"), definition, language)
    return place


def place_label(definition: dict, group_id: str, place: str | None, language: str) -> str:
    """A named place's label from the location question of the group, else its value."""
    if not place:
        return ""
    group = find_group(definition, group_id) or {}
    for question in group.get("questions", ()):
        if question.get("type") == "location":
            return _place_label(question, place, definition, language)
    return place


def choice_labels(question: dict, values: Iterable[Any], definition: dict, language: str):
    known = dict(options(question, definition, language))
    return tuple(known.get(str(value), str(value)) for value in values)


def _read(questions: Iterable[dict], answers: dict, definition: dict, language: str):
    shown = []
    for question in questions:
        qid, kind = question["id"], question.get("type", "")
        value = answers.get(qid)
        if kind == "group" or value in (None, "", []):
            continue
        label = label_in(question.get("label"), definition, language)
        text, items = "", ()
        if kind == "single":
            text = choice_labels(question, [value], definition, language)[0]
        elif kind == "multi":
            values = value if isinstance(value, list) else [value]
            items = choice_labels(question, values, definition, language)
        elif kind == "yesno":
            text = "yes" if value is True else "no"
        elif kind == "location":
            place = value.get("place") if isinstance(value, dict) else None
            text = _place_label(question, place, definition, language) if place else ""
        elif kind == "photo":
            text = str(len(value) if isinstance(value, list) else 0)
        else:
            text = str(value)
        shown.append(Answer(qid, label, kind, text, items))
    return shown


def read_answers(definition: dict, group_id: str, entry: dict, language: str) -> list[Answer]:
    """The entry's answers in the group's order, each as text in the language. A yes/no
    answer's text is "yes" or "no", a location's the named place (or nothing), a photo
    question's the number of photos: the page says those in its own words."""
    group = find_group(definition, group_id)
    if group is None:
        return []
    return _read(group.get("questions", ()), entry, definition, language)


def read_walk_answers(definition: dict, answers: dict, language: str) -> list[Answer]:
    """The walk's own answers (its questions outside groups: the day, the light, who
    took part), as read_answers gives an entry's."""
    return _read(definition.get("questions", ()), answers, definition, language)


def position_source(entry: dict, group: dict | None) -> str | None:
    """How the entry's position was given: "gps", "map", "place" or None."""
    for question in (group or {}).get("questions", ()):
        if question.get("type") != "location":
            continue
        value = entry.get(question["id"])
        if not isinstance(value, dict):
            continue
        if value.get("source") in SOURCES:
            return value["source"]
        if value.get("lat") is None and value.get("place"):
            return "place"
    return None
