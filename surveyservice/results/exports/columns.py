"""The columns of an export, keyed by question id and option value, never by position.

The columns are the union over every published version of the questionnaire, so a
question or option that a later version removes keeps its column (empty for the
responses of versions without it), and the columns of the others never move
relative to each other. A question new in a later version is placed after the
question it follows there. No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ...questionnaires.definition import text_in

# The forms cannot take answers to these yet (collection/answers.py): no column.
LEFT_OUT_TYPES = frozenset({"group", "photo"})
NUMBER_TYPES = frozenset({"scale", "number", "yesno"})

# Name, type and meaning of the columns that describe a response rather than answer.
METADATA = (
    ("response_id", "uuid", "The response's id, made by the device that sent it"),
    ("version", "integer", "The number of the published version it was answered on"),
    ("point_id", "integer", "The collection point's id"),
    ("point", "text", "The collection point's name"),
    ("area", "text", "The collection point's area"),
    ("kind", "text", "The kind of collection point: event, walk or online"),
    ("channel", "text", "resident (the resident's own phone) or staff (a staff tablet)"),
    ("received_at", "datetime", "When the response arrived, to the hour, in UTC"),
)
LANGUAGE_METADATA = (
    "language",
    "text",
    "The language the answers were given in; sensitive, exported only when asked for",
)

# A question may have one of these ids ("area": where do you live?); its column is
# then "area.answer", since "." is in no id, and never shares a name with the point's.
# The language's name counts whether or not it is exported, so names never depend on it.
METADATA_NAMES = frozenset([name for name, _, _ in METADATA] + [LANGUAGE_METADATA[0]])


@dataclass
class Column:
    name: str
    kind: str  # "meta", "answer", "option" (0/1 of a multi option), "lat", "lon"
    question: str | None = None
    option: str | None = None
    versions: list[int] = field(default_factory=list)
    meaning: str = ""  # metadata only


@dataclass
class Asked:
    """One question as one version asks it, with the columns its answer fills."""

    question: dict
    default_language: str
    answer: int  # index of the question's own column
    options: dict[str, int]  # multi: option value -> index of its 0/1 column
    lat: int | None = None
    lon: int | None = None


@dataclass
class Plan:
    columns: list[Column]
    # Per version number: the questions it asks, in its order.
    asked: dict[int, list[Asked]]
    # Per question id: (version number, its definition there), oldest first.
    questions: dict[str, list[tuple[int, dict, str]]]
    languages: list[str]  # every language of any version, in order of first appearance
    include_language: bool

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def metadata_count(self) -> int:
        return sum(1 for c in self.columns if c.kind == "meta")


def _merge_order(order: list[str], ids: list[str]) -> None:
    """Add the ids not yet in ``order``, each after the id it follows in ``ids``."""
    for index, qid in enumerate(ids):
        if qid in order:
            continue
        before = next((p for p in reversed(ids[:index]) if p in order), None)
        order.insert(order.index(before) + 1 if before is not None else 0, qid)


def _options_in_order(entries: list[tuple[int, dict, str]], key: str) -> list[str]:
    order: list[str] = []
    for _, question, _ in entries:
        _merge_order(order, [o["value"] for o in question.get(key, ())])
    return order


def plan_columns(versions: list[tuple[int, dict]], include_language: bool = False) -> Plan:
    """The columns for responses to these published versions, given as (number,
    definition) oldest first."""
    questions: dict[str, list[tuple[int, dict, str]]] = {}
    order: list[str] = []
    languages: list[str] = []
    for number, definition in versions:
        kept = [q for q in definition["questions"] if q["type"] not in LEFT_OUT_TYPES]
        for question in kept:
            questions.setdefault(question["id"], []).append(
                (number, question, definition["default_language"])
            )
        _merge_order(order, [q["id"] for q in kept])
        languages += [lang for lang in definition["languages"] if lang not in languages]

    columns = [Column(name, "meta", meaning=meaning) for name, _, meaning in METADATA]
    if include_language:
        columns.append(Column(LANGUAGE_METADATA[0], "meta", meaning=LANGUAGE_METADATA[2]))
    every_version = [number for number, _ in versions]
    for column in columns:
        column.versions = every_version

    index: dict[tuple[str, str, str | None], int] = {}

    def add(qid: str, kind: str, name: str, option: str | None = None) -> None:
        index[(qid, kind, option)] = len(columns)
        columns.append(Column(name, kind, qid, option))

    for qid in order:
        entries = questions[qid]
        types = {q["type"] for _, q, _ in entries}
        add(qid, "answer", f"{qid}.answer" if qid in METADATA_NAMES else qid)
        if "multi" in types:
            multi = [e for e in entries if e[1]["type"] == "multi"]
            for value in _options_in_order(multi, "options"):
                add(qid, "option", f"{qid}.{value}", value)
        if "location" in types:
            add(qid, "lat", f"{qid}.lat")
            add(qid, "lon", f"{qid}.lon")

    asked: dict[int, list[Asked]] = {number: [] for number, _ in versions}
    for qid in order:
        for number, question, default_language in questions[qid]:
            is_multi = question["type"] == "multi"
            is_location = question["type"] == "location"
            offered = [o["value"] for o in question.get("options", ())] if is_multi else []
            asked[number].append(
                Asked(
                    question,
                    default_language,
                    index[(qid, "answer", None)],
                    {value: index[(qid, "option", value)] for value in offered},
                    index[(qid, "lat", None)] if is_location else None,
                    index[(qid, "lon", None)] if is_location else None,
                )
            )
            columns[index[(qid, "answer", None)]].versions.append(number)
            for value in offered:
                columns[index[(qid, "option", value)]].versions.append(number)
            if is_location:
                columns[index[(qid, "lat", None)]].versions.append(number)
                columns[index[(qid, "lon", None)]].versions.append(number)
    return Plan(columns, asked, questions, languages, include_language)


def option_label(question: dict, value: str, key: str, language: str, default: str) -> str:
    """An option's (or place's) label in a language; the value itself if unknown."""
    for option in question.get(key, ()):
        if option["value"] == value:
            return text_in(option["label"], language, default)
    return value
