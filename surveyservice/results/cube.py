"""Counts of responses and answers by everything a filter can name: what the rules in
suppression.py work on. Built by one grouped query (``load_cube``); the rules then
need no database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The value of an answer row that only says the question was answered: multi-choice
# questions (besides one row per chosen option) and the types without values to count.
ANSWERED = None


@dataclass(frozen=True)
class Atom:
    """The finest group the filters can tell apart."""

    point: int  # collection point id
    area: str  # the area's name, as stored
    kind: str  # PointKind value
    channel: str  # Channel value
    version: int  # the published version's number
    language: str | None  # None unless the language was asked for (it is sensitive)
    day: date  # the day the answer was given, in the organisation's time zone


@dataclass
class Cube:
    # Responses per atom.
    responses: dict[Atom, int] = field(default_factory=dict)
    # Answer rows per atom, question id and value: single, yesno, scale and number by
    # value (as text: "3", "2.5", "true"); multi one row per chosen option plus one
    # ANSWERED row; every other type one ANSWERED row.
    answers: dict[tuple[Atom, str, str | None], int] = field(default_factory=dict)
