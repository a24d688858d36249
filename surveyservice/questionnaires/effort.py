"""What answering a questionnaire asks of a resident: how many questions, how long."""

from __future__ import annotations

import math

from .definition import iter_questions

# About how long one question takes on a phone: reading it and tapping a choice, or
# writing a few words. docs/decisions.md says where these numbers come from.
SECONDS_PER_CHOICE = 10
SECONDS_PER_FREE_TEXT = 30
FREE_TEXT_TYPES = frozenset({"text", "longtext"})


def questions_at_most(definition: dict) -> list[dict]:
    """Every question a resident may be shown: those behind a condition count too."""
    return [q for q, _ in iter_questions(definition) if q["type"] != "group"]


def effort(definition: dict) -> tuple[int, int]:
    """The number of questions a resident sees at most, and the minutes they take at
    most (rounded up, at least one)."""
    questions = questions_at_most(definition)
    seconds = sum(
        SECONDS_PER_FREE_TEXT if q["type"] in FREE_TEXT_TYPES else SECONDS_PER_CHOICE
        for q in questions
    )
    return len(questions), max(1, math.ceil(seconds / 60))
