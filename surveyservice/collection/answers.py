"""Checking a response's answers against the exact version they were given on.

No Flask here. ``check_answers`` returns the answers as they are to be stored
(free text masked, residents' positions coarsened) or raises AnswerError listing
every problem by the question's id.
"""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

from ..privacy.coarsening import coarsen_position
from ..privacy.masking import mask_personal_data
from ..questionnaires.definition import CONTROL_RE, DEFAULT_MAX_LENGTH
from ..text import one_line_problem

# The resident form shows every type but these; they come with the safety-walk app.
UNSUPPORTED_TYPES = frozenset({"photo", "group"})
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class Invalid(ValueError):
    """One answer's problem: a message for the API, a code (and limit) for the form."""

    def __init__(self, message: str, code: str = "invalid", limit: int | None = None):
        super().__init__(message)
        self.code, self.limit = code, limit


class AnswerError(ValueError):
    """Answers with problems: ``problems`` maps ``answers.<id>`` to messages, and
    ``details`` maps the question id to its Invalid, for pages that explain it."""

    def __init__(self, details: dict[str, Invalid]):
        self.details = details
        self.problems = {
            f"answers.{qid}" if qid else "answers": [str(p)] for qid, p in sorted(details.items())
        }
        super().__init__(f"{len(details)} answer(s) have problems.")


def unsupported_questions(definition: dict) -> list[str]:
    """Ids of questions the resident form cannot show yet."""
    return [q["id"] for q in definition["questions"] if q["type"] in UNSUPPORTED_TYPES]


def is_answered(value: Any) -> bool:
    return value is not None and value != "" and value != []


def condition_holds(condition: dict, answers: dict) -> bool:
    """One show_if condition, tested against the answers given so far.

    On a multi question, ``equals`` means the value was chosen and ``in`` that one
    of the values was. An unanswered question equals nothing, so ``not_equals`` holds.
    """
    value = answers.get(condition["question"])
    if "answered" in condition:
        return is_answered(value) == condition["answered"]
    chosen = value if isinstance(value, list) else ([value] if is_answered(value) else [])
    if "equals" in condition:
        return _contains(chosen, condition["equals"])
    if "not_equals" in condition:
        return not _contains(chosen, condition["not_equals"])
    return any(_contains(chosen, wanted) for wanted in condition["in"])


def _contains(chosen: list, wanted: Any) -> bool:
    # True == 1 in Python, but a scale answer of 1 must not match "equals: true".
    return any(isinstance(c, bool) == isinstance(wanted, bool) and c == wanted for c in chosen)


def is_visible(question: dict, answers: dict) -> bool:
    return all(condition_holds(c, answers) for c in question.get("show_if", ()))


def visible_answers(definition: dict, answers: dict) -> dict:
    """The answers without those to questions that their conditions hide.

    A form without script shows every question; what a person filled in under a
    condition that does not hold is dropped rather than refused.
    """
    kept: dict[str, Any] = {}
    for question in definition["questions"]:
        if question["id"] in answers and is_visible(question, kept):
            kept[question["id"]] = answers[question["id"]]
    return kept


def check_answers(definition: dict, answers: Any, *, precise_positions: bool = False) -> dict:
    """The answers to store, or AnswerError. Positions are coarsened unless precise."""
    if not isinstance(answers, dict):
        raise AnswerError({"": Invalid("Expected an object of question id to answer.")})
    questions = {q["id"]: q for q in definition["questions"]}
    problems: dict[str, Invalid] = {}
    for key in answers:
        if key not in questions:
            problems[str(key)] = Invalid("Unknown question.", "unknown")
    stored: dict[str, Any] = {}
    # What later conditions see: the stored answer, or the raw one when it was wrong,
    # so that one wrong answer does not also report its follow-ups as hidden.
    given: dict[str, Any] = {}
    for qid, question in questions.items():
        value = answers.get(qid)
        if not is_visible(question, given):
            if is_answered(value):
                problems[qid] = Invalid(
                    "This question is hidden by its condition; leave it out.", "hidden"
                )
            continue
        if not is_answered(value):
            if question["required"]:
                problems[qid] = Invalid("An answer is required.", "required")
            continue
        try:
            stored[qid] = given[qid] = _check_value(question, value, precise_positions)
        except Invalid as exc:
            problems[qid] = exc
            given[qid] = value
    if problems:
        raise AnswerError(problems)
    return stored


def _check_value(question: dict, value: Any, precise_positions: bool) -> Any:
    kind = question["type"]
    if kind in UNSUPPORTED_TYPES:
        raise Invalid(f"{kind} questions cannot be answered in this form yet.")
    return _CHECKS[kind](question, value, precise_positions)


def _option_values(question: dict, key: str = "options") -> list[str]:
    return [o["value"] for o in question.get(key, ())]


def _single(question, value, _precise):
    if not isinstance(value, str) or value not in _option_values(question):
        raise Invalid(f"Expected one of: {', '.join(_option_values(question))}.")
    return value


def _multi(question, value, _precise):
    allowed = _option_values(question)
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid("Expected a list of option values.")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise Invalid(f"Not options of this question: {', '.join(unknown[:5])}.")
    if len(set(value)) != len(value):
        raise Invalid("An option is chosen twice.")
    limit = question.get("max_choices")
    if limit is not None and len(value) > limit:
        raise Invalid(f"Choose at most {limit}.", "too_many", limit)
    # The order of the definition, so that equal choices are stored equally.
    return [v for v in allowed if v in value]


def _number_in_range(question, value) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid("Expected a number.")
    # Exact int comparison first: math.isfinite() of a 400-digit int would overflow.
    if abs(value) > 1e15 or not math.isfinite(value):
        raise Invalid("Expected a number of a sensible size.")
    low, high = question.get("min"), question.get("max")
    if low is not None and value < low:
        raise Invalid(f"Expected at least {low}.")
    if high is not None and value > high:
        raise Invalid(f"Expected at most {high}.")
    return value


def _scale(question, value, _precise):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise Invalid(f"Expected a whole number from {question['min']} to {question['max']}.")
    return _number_in_range(question, value)


def _number(question, value, _precise):
    value = _number_in_range(question, value)
    if question.get("integer"):
        if isinstance(value, float) and not value.is_integer():
            raise Invalid("Expected a whole number.")
        value = int(value)
    return value


def _yesno(question, value, _precise):
    if not isinstance(value, bool):
        raise Invalid("Expected true or false.")
    return value


def _text(question, value, _precise):
    if not isinstance(value, str):
        raise Invalid("Expected a text.")
    # A browser's text area sends its line breaks as CRLF.
    value = value.replace("\r\n", "\n").strip()
    limit = question.get("max_length", DEFAULT_MAX_LENGTH[question["type"]])
    if len(value) > limit:
        raise Invalid(f"The text is longer than {limit} characters.", "too_long", limit)
    if CONTROL_RE.search(value):
        raise Invalid("The text contains control characters.")
    if question["type"] == "text" and one_line_problem(value):
        raise Invalid("A short answer is one line, without tabs or line breaks.")
    return mask_personal_data(value)


def _date(question, value, _precise):
    if not isinstance(value, str) or not DATE_RE.match(value):
        raise Invalid("Expected a date as YYYY-MM-DD.")
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        raise Invalid("Expected a date as YYYY-MM-DD.") from None
    if not 1900 <= parsed.year <= 2100:
        raise Invalid("The date is out of range.")
    return value


def _location(question, value, precise):
    """A named place ({"place": value}) or a position ({"lat": .., "lon": ..})."""
    if not isinstance(value, dict) or not value or set(value) - {"place", "lat", "lon"}:
        raise Invalid('Expected {"place": ...} or {"lat": ..., "lon": ...}.')
    stored: dict[str, Any] = {}
    if "place" in value:
        if value["place"] not in _option_values(question, "places"):
            places = ", ".join(_option_values(question, "places"))
            raise Invalid(f"Expected a place among: {places}.")
        stored["place"] = value["place"]
    if "lat" in value or "lon" in value:
        lat, lon = value.get("lat"), value.get("lon")
        if any(isinstance(v, bool) or not isinstance(v, int | float) for v in (lat, lon)):
            raise Invalid("A position needs lat and lon as numbers.")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise Invalid("A position needs lat from -90 to 90 and lon from -180 to 180.")
        stored["lat"], stored["lon"] = (lat, lon) if precise else coarsen_position(lat, lon)
    return stored


_CHECKS = {
    "single": _single,
    "multi": _multi,
    "scale": _scale,
    "number": _number,
    "yesno": _yesno,
    "text": _text,
    "longtext": _text,
    "date": _date,
    "location": _location,
}
