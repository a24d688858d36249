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


# What a new version may change without breaking the comparison with earlier answers:
# wording, translations, order, help texts, new questions and new options. What it may
# not: results and exports line up by question id and option value, and a number means
# the same only on the same scale.
BREAKING_KINDS = (
    "question_removed",
    "type_changed",
    "option_removed",
    "range_changed",
)


def _values(question: dict, key: str) -> list[str]:
    return [item["value"] for item in question.get(key) or ()]


def _range(question: dict) -> tuple:
    return (question.get("min"), question.get("max"))


def breaking_changes(old: dict, new: dict) -> list[dict]:
    """The changes that break comparison with answers given on the old definition.

    Each is ``{"kind", "question"}`` plus what it is about: the removed ``values``
    (an option renamed is one removed and one added: the old value's answers would
    no longer count), or the ``before`` and ``after`` type or range.
    """
    before, after = _flat(old), _flat(new)
    found: list[dict] = []
    for qid, was in before.items():
        now = after.get(qid)
        if now is None:
            found.append({"kind": "question_removed", "question": qid})
            continue
        if was["type"] != now["type"]:
            found.append(
                {
                    "kind": "type_changed",
                    "question": qid,
                    "before": was["type"],
                    "after": now["type"],
                }
            )
            continue
        for key in ("options", "places"):
            gone = [v for v in _values(was, key) if v not in _values(now, key)]
            if gone:
                found.append({"kind": "option_removed", "question": qid, "values": gone})
        if was["type"] in ("scale", "number") and _range(was) != _range(now):
            found.append(
                {
                    "kind": "range_changed",
                    "question": qid,
                    "before": _range(was),
                    "after": _range(now),
                }
            )
    return found
