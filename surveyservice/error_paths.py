"""Paths for validation problems: ``questions[3].options[1].value`` rather than nested dicts.

No Flask here: the definition validator and the API's error handler share it.
"""

from __future__ import annotations

from typing import Any

WHOLE = "_schema"


def flatten_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """Turn marshmallow's nested error messages into ``{"a.b[2].c": [...]}``."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key == "_schema":
                path = prefix
            elif isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif prefix and not str(key).startswith("["):
                path = f"{prefix}.{key}"
            else:
                path = f"{prefix}{key}"
            for sub_path, sub_messages in flatten_errors(value, path).items():
                flat.setdefault(sub_path, []).extend(sub_messages)
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix] = list(messages)
    elif isinstance(messages, list):
        for item in messages:
            for sub_path, sub_messages in flatten_errors(item, prefix).items():
                flat.setdefault(sub_path, []).extend(sub_messages)
    else:
        flat[prefix] = [str(messages)]
    return flat if prefix else {(path or WHOLE): msgs for path, msgs in flat.items()}
