"""A definition as YAML text, and the line in that text of each validation problem.

No Flask here. The validator reports problems by path (``questions[3].options[1].value``);
a person editing the text needs the line. PyYAML's node tree (``yaml.compose``) keeps
where each key and value starts, so a path is followed through the nodes to its line.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import yaml

from ..error_paths import WHOLE

_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_LINE_IN_MESSAGE = re.compile(r"at line (\d+)")


class Problem(NamedTuple):
    line: int | None  # counted from 1, as editors do
    path: str  # '' for the whole document
    message: str


def to_yaml(definition: dict) -> str:
    """The definition as YAML a person can read and edit, keys in the stored order."""
    return yaml.safe_dump(
        definition, allow_unicode=True, sort_keys=False, default_flow_style=False, width=10**6
    )


def _steps(path: str) -> list[str | int]:
    steps: list[str | int] = []
    for key, index in _STEP.findall(path):
        steps.append(int(index) if index else key)
    return steps


def path_line(root: yaml.Node | None, path: str) -> int | None:
    """The line (from 1) where the path's value is written, or the nearest enclosing line."""
    if root is None:
        return None
    node, line = root, root.start_mark.line + 1
    for step in _steps(path):
        if isinstance(node, yaml.MappingNode):
            if isinstance(step, int):
                # A single show_if condition is reported as show_if[0]: the mapping itself.
                continue
            found = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == step
                ),
                None,
            )
            if found is None:
                break
            key, node = found
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if step >= len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def compose(text: str) -> yaml.Node | None:
    """The YAML node tree of the text, or None when the text cannot be read."""
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def problems_with_lines(text: str, problems: dict[str, list[str]]) -> list[Problem]:
    """Every problem with its line, in the order of the text."""
    root = compose(text)
    found: list[Problem] = []
    for path, messages in problems.items():
        shown_path = "" if path == WHOLE else path
        for message in messages:
            line = path_line(root, shown_path) if shown_path else None
            if line is None and (match := _LINE_IN_MESSAGE.search(message)):
                line = int(match.group(1))  # a syntax error names its own line
            found.append(Problem(line, shown_path, message))
    return sorted(found, key=lambda p: (p.line is None, p.line or 0))
