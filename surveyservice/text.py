"""What text the service takes: no control characters, no lone surrogates.

No Flask here. PostgreSQL refuses NUL in text, and a lone surrogate cannot be
written as UTF-8, so either would break a query or every export later; other
control characters have no business in a questionnaire or an answer.
"""

from __future__ import annotations

import re
from typing import Any

# C0 controls but tab, newline and carriage return; DEL; C1 controls; lone surrogates.
_UNSTORABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
# Within one line, tab and line breaks are not text either.
_NOT_ONE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")

# One line, as a pattern for the OpenAPI document (JSON Schema's regular expressions).
# Lone surrogates cannot be said there; JSON text that holds one is refused all the same.
ONE_LINE_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"

UNSTORABLE_MESSAGE = "Contains a control character or an invalid character, which is not taken."
KEY_MESSAGE = "A key contains a control character or an invalid character, which is not taken."


def unstorable(value: str) -> bool:
    """True when the text holds a character the service never stores."""
    return _UNSTORABLE.search(value) is not None


def one_line_problem(value: str) -> str | None:
    """Why ``value`` is not a single line of plain text, or None."""
    if _NOT_ONE_LINE.search(value):
        return "Must be one line of text without control characters."
    return None


def unstorable_paths(value: Any, path: str = "") -> dict[str, list[str]]:
    """Every place in a JSON document (keys and strings) that holds unstorable text,
    by path (``answers.why``, ``responses[2].language``)."""
    found: dict[str, list[str]] = {}
    if isinstance(value, str):
        if unstorable(value):
            found[path or "_schema"] = [UNSTORABLE_MESSAGE]
    elif isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key)
            sub = f"{path}.{key_text}" if path else key_text
            if unstorable(key_text):
                found[path or "_schema"] = [KEY_MESSAGE]
                continue
            found.update(unstorable_paths(item, sub))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.update(unstorable_paths(item, f"{path}[{index}]"))
    return found


_WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")


def parse_whole_number(text: str) -> int | None:
    """A whole number written in ASCII digits, or None.

    ``str.isdigit()`` is true for "²" and "٣", which ``int()`` then refuses or
    reads: a number in a URL or a form is only ever 0-9.
    """
    return int(text) if _WHOLE_NUMBER.fullmatch(text) else None
