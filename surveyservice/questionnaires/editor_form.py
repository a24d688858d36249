"""The structured editor: its form fields, read back into a definition document. No Flask.

The form edits the common parts of a definition (titles, and each question's id, type,
texts, required, min/max, options and one show_if condition); everything else a
question holds (places, max_length, a group's questions, several conditions ...) rides
along in a hidden field and comes back unchanged. What the form gives is not checked
here: the result goes through validate_definition like any other document, and its
problems are placed beside the fields they concern (place_problems).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from ..error_paths import WHOLE
from .definition import COMMON_KEYS, TYPE_KEYS

EDITED_KEYS = frozenset(
    {"id", "type", "label", "help", "required", "min", "max", "options", "show_if"}
)
OPTION_TYPES = ("single", "multi")
RANGE_TYPES = ("scale", "number")
# How the form names show_if tests; "answered" splits into two for people who are
# not programmers.
CONDITION_OPERATORS = ("equals", "not_equals", "in", "answered", "not_answered")
_YES_NO = {"true": True, "false": False, "yes": True, "no": False, "ja": True, "nej": False}


def text_for(value: Any, language: str) -> str:
    """What a text field shows in one language."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        text = value.get(language, "")
        return text if isinstance(text, str) else ""
    return ""


def editable_condition(question: dict) -> dict | None:
    """The one condition the form edits, in the form's terms; None when there is none."""
    show_if = question.get("show_if")
    if isinstance(show_if, list) and len(show_if) == 1:
        show_if = show_if[0]
    if not isinstance(show_if, dict):
        return None
    for op in ("equals", "not_equals", "in"):
        if op in show_if:
            value = show_if[op]
            shown = ", ".join(map(_shown, value)) if isinstance(value, list) else _shown(value)
            return {"question": show_if.get("question", ""), "op": op, "value": shown}
    op = "answered" if show_if.get("answered", True) else "not_answered"
    return {"question": show_if.get("question", ""), "op": op, "value": ""}


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def kept_keys(question: dict) -> dict:
    """What the form does not edit, to come back unchanged."""
    kept = {k: v for k, v in question.items() if k not in EDITED_KEYS}
    if "show_if" in question and editable_condition(question) is None:
        kept["show_if"] = question["show_if"]
    return kept


# --- reading the form back ----------------------------------------------------


def _text(form, name: str, languages: list[str]) -> str | dict | None:
    texts = {lang: form.get(f"{name}-{lang}", "").strip() for lang in languages}
    if not any(texts.values()):
        return None
    if form.get(f"{name}-one") and len(set(texts.values())) == 1:
        return texts[languages[0]]  # one text for all languages stays one text
    return {lang: text for lang, text in texts.items() if text}


def parse_number(raw: str) -> int | float | str | None:
    """A number as typed (decimal comma allowed); what is not one is kept for the validator."""
    cleaned = raw.strip().replace(",", ".").replace("\u2212", "-")
    if not cleaned:
        return None
    try:
        number = float(cleaned)
    except ValueError:
        return raw.strip()
    if not math.isfinite(number):
        return raw.strip()
    return int(number) if number.is_integer() else number


def _condition_value(raw: str, target_type: str | None) -> Any:
    raw = raw.strip()
    if target_type == "yesno":
        return _YES_NO.get(raw.lower(), raw)
    if target_type in RANGE_TYPES:
        number = parse_number(raw)
        return raw if number is None else number
    return raw


def _condition(form, prefix: str, types: dict[str, str]) -> dict | None:
    target = form.get(f"{prefix}-if-question", "").strip()
    if not target:
        return None
    op = form.get(f"{prefix}-if-op", "equals")
    raw = form.get(f"{prefix}-if-value", "")
    if op in ("answered", "not_answered"):
        return {"question": target, "answered": op == "answered"}
    if op == "in":
        parts = [p for p in raw.split(",") if p.strip()]
        return {"question": target, "in": [_condition_value(p, types.get(target)) for p in parts]}
    op = op if op in ("equals", "not_equals") else "equals"
    return {"question": target, op: _condition_value(raw, types.get(target))}


def _kept(form, prefix: str) -> dict:
    try:
        kept = json.loads(form.get(f"{prefix}-keep", "") or "{}")
    except ValueError:
        return {}
    return kept if isinstance(kept, dict) else {}


def _options(form, prefix: str, languages: list[str]) -> list[dict]:
    options = []
    for token in form.getlist(f"{prefix}-o"):
        name = f"{prefix}-o{token}"
        value = form.get(f"{name}-value", "").strip()
        label = _text(form, f"{name}-label", languages)
        if not value and label is None:
            continue  # an empty row: the place for a new option, or one emptied to remove it
        option: dict = {"value": value}
        if label is not None:
            option["label"] = label
        options.append(option)
    return options


def definition_from_form(base: dict, form) -> dict:
    """The document the form describes: ``base`` (the stored draft) with the form's changes.

    The slug and the languages come from ``base``: they are changed in the definition text.
    """
    languages = [lang for lang in base.get("languages", []) if isinstance(lang, str)]
    result = {k: v for k, v in base.items() if k not in ("title", "description", "questions")}
    for key in ("title", "description"):
        value = _text(form, key, languages)
        if value is not None:
            result[key] = value
    questions: list[dict] = []
    types: dict[str, str] = {}
    for token in form.getlist("q"):
        prefix = f"q{token}"
        qtype = form.get(f"{prefix}-type", "").strip()
        question: dict = {"id": form.get(f"{prefix}-id", "").strip(), "type": qtype}
        label = _text(form, f"{prefix}-label", languages)
        if label is not None:
            question["label"] = label
        help_text = _text(form, f"{prefix}-help", languages)
        if help_text is not None:
            question["help"] = help_text
        question["required"] = form.get(f"{prefix}-required") == "on"
        if qtype in RANGE_TYPES:
            for bound in ("min", "max"):
                number = parse_number(form.get(f"{prefix}-{bound}", ""))
                if number is not None:
                    question[bound] = number
        if qtype in OPTION_TYPES:
            options = _options(form, prefix, languages)
            if options:
                question["options"] = options
        allowed = COMMON_KEYS | TYPE_KEYS.get(qtype, set(EDITED_KEYS))
        kept = _kept(form, prefix)
        question.update({k: v for k, v in kept.items() if k in allowed or qtype not in TYPE_KEYS})
        if "show_if" not in kept:
            condition = _condition(form, prefix, types)
            if condition is not None:
                question["show_if"] = condition
        questions.append(question)
        if question["id"]:
            types[question["id"]] = qtype
    result["questions"] = questions
    return result


# --- buttons that change the form without saving --------------------------------

_ACTION = re.compile(r"^(add|up|down|remove|add-option)(?:-(\d+))?$")


@dataclass
class Outcome:
    """What an editing button did: the field to focus next and what to announce."""

    focus: str
    message: str  # an interface text, translated by the page
    number: int = 0


def _new_id(questions: list[dict]) -> str:
    used = {q.get("id") for q in questions}
    n = len(questions) + 1
    while f"question_{n}" in used:
        n += 1
    return f"question_{n}"


def apply_action(definition: dict, action: str) -> Outcome | None:
    """Add, move or remove a question, or make room for an option; None if unknown."""
    match = _ACTION.match(action or "")
    if match is None:
        return None
    kind, index = match.group(1), int(match.group(2) or 0)
    questions = definition["questions"]
    languages = definition.get("languages") or ["sv"]
    if kind == "add":
        questions.append({"id": _new_id(questions), "type": "single", "required": False})
        last = len(questions) - 1
        return Outcome(f"f-q{last}-label-{languages[0]}", "Question {number} added.", last + 1)
    if index >= len(questions):
        return None
    if kind == "up" and index > 0:
        questions[index - 1], questions[index] = questions[index], questions[index - 1]
        new = index - 1
        focus = f"b-up-{new}" if new > 0 else f"b-down-{new}"
        return Outcome(focus, "Question moved up to place {number}.", new + 1)
    if kind == "down" and index < len(questions) - 1:
        questions[index + 1], questions[index] = questions[index], questions[index + 1]
        new = index + 1
        focus = f"b-down-{new}" if new < len(questions) - 1 else f"b-up-{new}"
        return Outcome(focus, "Question moved down to place {number}.", new + 1)
    if kind == "remove" and len(questions) > 1:
        questions.pop(index)
        return Outcome("questions-heading", "Question {number} removed.", index + 1)
    if kind == "add-option":
        questions[index].setdefault("options", [])
        return Outcome(f"f-q{index}-onew-value", "Fill in the new option.", index + 1)
    return None


# --- problems beside their fields -------------------------------------------------

QUESTION_FIELDS = ("id", "type", "label", "help", "required", "min", "max", "options", "show_if")
_QUESTION_PATH = re.compile(r"^questions\[(\d+)\]")


def field_paths(definition: dict) -> set[str]:
    paths = {"title", "description"}
    for i, question in enumerate(definition.get("questions", [])):
        base = f"questions[{i}]"
        paths.add(base)
        paths.update(f"{base}.{field}" for field in QUESTION_FIELDS)
        for j, _option in enumerate(question.get("options") or []):
            paths.update((f"{base}.options[{j}].value", f"{base}.options[{j}].label"))
    return paths


def place_problems(definition: dict, problems: dict[str, list[str]]) -> dict[str, list[str]]:
    """Each problem under the field the form shows it beside ('' for the whole form)."""
    known = field_paths(definition)
    placed: dict[str, list[str]] = {}
    for path, messages in problems.items():
        fits = [
            k for k in known if path == k or path.startswith(k + ".") or path.startswith(k + "[")
        ]
        target = max(fits, key=len) if fits and path != WHOLE else ""
        placed.setdefault(target, []).extend(messages)
    return placed


def question_number(path: str) -> int | None:
    """The question a path is in, counted from 1 as people count."""
    match = _QUESTION_PATH.match(path)
    return int(match.group(1)) + 1 if match else None


def new_definition(
    slug: str, title: str, languages: list[str], default_language: str, first_label: str
) -> dict:
    """A new questionnaire's first draft: its settings and one question to start from."""
    return {
        "slug": slug,
        "title": title,
        "languages": languages,
        "default_language": default_language,
        "questions": [{"id": "question_1", "type": "yesno", "label": first_label}],
    }
