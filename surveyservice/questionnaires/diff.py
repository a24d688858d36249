"""What changed between two definitions, question by question."""

from __future__ import annotations

from typing import Any

from .definition import iter_questions

SETTINGS = ("slug", "title", "description", "languages", "default_language")


def _flat(definition: dict) -> dict[str, dict[str, Any]]:
    questions = {}
    for question, group in iter_questions(definition):
        fields = {k: v for k, v in question.items() if k != "questions"}
        fields["group"] = group["id"] if group else None
        questions[question["id"]] = fields
    return questions


def _changed_fields(before: dict, after: dict) -> list[str]:
    """The fields that differ; one present on a side only counts, whatever its value."""
    keys = sorted(set(before) | set(after))
    return [k for k in keys if k not in before or k not in after or before[k] != after[k]]


def diff_definitions(old: dict, new: dict) -> dict:
    """Questions added, removed and changed (with the changed fields), and changed settings.

    Questions are matched by id, which is what lines results up across versions.
    """
    before, after = _flat(old), _flat(new)
    changed = []
    for qid in after:
        if qid in before and (fields := _changed_fields(before[qid], after[qid])):
            changed.append({"id": qid, "fields": fields})
    common_before = [q for q in before if q in after]
    common_after = [q for q in after if q in before]
    return {
        "added": [q for q in after if q not in before],
        "removed": [q for q in before if q not in after],
        "changed": changed,
        "reordered": common_before != common_after,
        "settings": [k for k in SETTINGS if old.get(k) != new.get(k)],
    }
