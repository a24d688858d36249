"""Checking a response's answers against the exact version they were given on.

No Flask here. ``check_answers`` returns the answers as they are to be stored
(free text masked, residents' positions coarsened) or raises AnswerError listing
every problem by the question's id, and inside a group by ``<group>.<entry>.<id>``
(entries counted from 0).
"""

from __future__ import annotations

import math
import re
import uuid
from datetime import date
from typing import Any

from ..privacy.coarsening import coarsen_position
from ..privacy.masking import mask_personal_data
from ..questionnaires.definition import (
    CONTROL_RE,
    DEFAULT_MAX_ENTRIES,
    DEFAULT_MAX_LENGTH,
    DEFAULT_MAX_PHOTOS,
)
from ..text import one_line_problem

DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# A device's reported accuracy, in metres: beyond this a position says nothing.
MAX_ACCURACY = 100_000
POSITION_SOURCES = ("gps", "map")


class Invalid(ValueError):
    """One answer's problem: a message for the API and, where the resident's form says
    it in words of its own (templates/collection/form.html), a code and limit for it."""

    def __init__(self, message: str, code: str | None = None, limit: int | None = None):
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
    # An unanswered value (None or "") equals no condition value: a definition's
    # conditions name options, yes or no, or numbers.
    chosen = value if isinstance(value, list) else [value]
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


def check_answers(definition: dict, answers: Any, *, staff: bool = False) -> dict:
    """The answers to store, or AnswerError.

    Staff answers (from a signed-in tablet) may carry photos, and the positions in a
    group's entries keep their precision: they are observations of places, a lamp post
    rather than a person. Every other position is coarsened, on a staff tablet too: in
    kiosk mode residents answer there about themselves.
    """
    stored, problems = _check_all(definition["questions"], answers, staff)
    if problems:
        raise AnswerError(problems)
    return stored


def _check_all(questions_list: list[dict], answers: Any, staff: bool, outside: dict | None = None):
    """The stored answers to these questions and the problems, by path.

    ``outside``: for a group's entry, the walk's answers outside the group, which the
    entry's conditions may refer to besides the entry's own.
    """
    in_group = outside is not None
    if not isinstance(answers, dict):
        return {}, {"": Invalid("Expected an object of question id to answer.")}
    questions = {q["id"]: q for q in questions_list}
    problems: dict[str, Invalid] = {}
    for key in answers:
        if key not in questions:
            problems[str(key)] = Invalid("Unknown question.")
    stored: dict[str, Any] = {}
    # What later conditions see: the stored answer, or the raw one when it was wrong,
    # so that one wrong answer does not also report its follow-ups as hidden.
    given: dict[str, Any] = {}
    for qid, question in questions.items():
        value = answers.get(qid)
        if not is_visible(question, {**outside, **given} if in_group else given):
            if is_answered(value):
                problems[qid] = Invalid("This question is hidden by its condition; leave it out.")
            continue
        if question["type"] == "photo" and not staff:
            if is_answered(value):
                problems[qid] = Invalid("Photos are taken by staff only; leave this out.")
            continue
        if not is_answered(value):
            if question["required"]:
                problems[qid] = Invalid("An answer is required.", "required")
            continue
        try:
            if question["type"] == "group":
                stored[qid] = given[qid] = _group(question, value, staff, given)
            else:
                check = _CHECKS[question["type"]]
                stored[qid] = given[qid] = check(question, value, staff and in_group)
        except EntryProblems as exc:
            problems.update({f"{qid}.{path}": p for path, p in exc.details.items()})
            given[qid] = value
        except Invalid as exc:
            problems[qid] = exc
            given[qid] = value
    return stored, problems


class EntryProblems(Exception):
    """Problems inside a group's entries, by ``<entry>.<question id>``."""

    def __init__(self, details: dict[str, Invalid]):
        super().__init__(f"{len(details)} problem(s) in the entries.")
        self.details = details


def _group(question: dict, value: Any, staff: bool, outside: dict) -> list[dict]:
    """Each entry checked against the group's questions, on its own answers (and on
    those outside the group, which a condition inside it may name)."""
    if not isinstance(value, list):
        raise Invalid("Expected a list of entries, each an object of question id to answer.")
    limit = question.get("max_entries", DEFAULT_MAX_ENTRIES)
    if len(value) > limit:
        raise Invalid("At most one entry." if limit == 1 else f"At most {limit} entries.")
    entries, details = [], {}
    for index, entry in enumerate(value):
        stored, problems = _check_all(question["questions"], entry, staff, outside)
        entries.append(stored)
        for path, problem in problems.items():
            details[f"{index}.{path}" if path else str(index)] = problem
    if details:
        raise EntryProblems(details)
    return entries


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
    """A named place ({"place": value}), a position ({"lat": .., "lon": .., with the
    device's "accuracy" in metres and its "source", gps or map, if known}), or both."""
    if (
        not isinstance(value, dict)
        or not {"place", "lat", "lon"} & set(value)
        or set(value) - {"place", "lat", "lon", "accuracy", "source"}
    ):
        raise Invalid(
            'Expected {"place": ...} or {"lat": ..., "lon": ...}, with "accuracy" and '
            '"source" if known.'
        )
    if ("accuracy" in value or "source" in value) and not ("lat" in value or "lon" in value):
        raise Invalid("Accuracy and source belong to a position: give lat and lon too.")
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
        if precise:
            stored["lat"], stored["lon"] = lat, lon
            stored.update(_position_details(value))
        else:
            # A coarsened position has no accuracy to speak of, and how it was found
            # says nothing a result needs.
            _position_details(value)
            stored["lat"], stored["lon"] = coarsen_position(lat, lon)
    return stored


def _position_details(value: dict) -> dict:
    details = {}
    if "accuracy" in value:
        accuracy = value["accuracy"]
        if isinstance(accuracy, bool) or not isinstance(accuracy, int | float):
            raise Invalid("The accuracy is a number of metres.")
        if not (0 <= accuracy <= MAX_ACCURACY):
            raise Invalid(f"The accuracy is from 0 to {MAX_ACCURACY} metres.")
        details["accuracy"] = round(accuracy, 1)
    if "source" in value:
        if value["source"] not in POSITION_SOURCES:
            raise Invalid(f"The source is one of: {', '.join(POSITION_SOURCES)}.")
        details["source"] = value["source"]
    return details


def _photo(question, value, _staff):
    """The ids of photos uploaded before the response; that they were is checked
    where the response is stored."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid("Expected a list of photo ids.")
    limit = question.get("max_photos", DEFAULT_MAX_PHOTOS)
    if len(value) > limit:
        raise Invalid("At most one photo." if limit == 1 else f"At most {limit} photos.")
    ids = []
    for text in value:
        try:
            ids.append(str(uuid.UUID(text)))
        except ValueError:
            raise Invalid(f"Not a photo id: {text[:40]!r}.") from None
    if len(set(ids)) != len(ids):
        raise Invalid("A photo is named twice.")
    return ids


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
    "photo": _photo,
}
