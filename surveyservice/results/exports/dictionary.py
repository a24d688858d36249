"""The data dictionary of the exports: every column with its question, type, texts in
each language, options and the versions it appears in. No Flask here.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from ...questionnaires.definition import text_in
from .columns import LANGUAGE_METADATA, METADATA, Column, Plan


def dictionary_header(plan: Plan) -> list[str]:
    return [
        "column",
        "question",
        "type",
        *(f"label_{lang}" for lang in plan.languages),
        "option",
        *(f"option_label_{lang}" for lang in plan.languages),
        "versions",
        "note",
    ]


def _versions(numbers: Iterable[int]) -> str:
    return ", ".join(str(n) for n in numbers)


def _texts(value: str | dict | None, languages: list[str], default: str) -> list[str]:
    if value is None:
        return [""] * len(languages)
    return [text_in(value, lang, default) for lang in languages]


def dictionary_rows(plan: Plan, yes_no: dict[str, tuple[str, str]]) -> Iterator[list]:
    """Every column: its name, question, type, texts, options and versions."""
    languages = plan.languages
    blank = [""] * len(languages)
    metadata = dict((name, kind) for name, kind, _ in METADATA)
    metadata[LANGUAGE_METADATA[0]] = LANGUAGE_METADATA[1]
    for column in plan.columns:
        if column.kind == "meta":
            yield [
                column.name,
                "",
                metadata[column.name],
                *blank,
                "",
                *blank,
                _versions(column.versions),
                column.meaning,
            ]
            continue
        yield from _question_rows(plan, column, yes_no)


def _latest(entries: list[tuple[int, dict, str]], has: Any = None) -> tuple[int, dict, str]:
    return [e for e in entries if has is None or has(e[1])][-1]


def _question_rows(plan: Plan, column: Column, yes_no: dict) -> Iterator[list]:
    languages = plan.languages
    entries = plan.questions[column.question]
    _, latest, default = _latest(entries)
    label = _texts(latest["label"], languages, default)
    blank = [""] * len(languages)
    types = list(dict.fromkeys(q["type"] for _, q, _ in entries))
    versions = _versions(column.versions)

    def codes(key: str, kind: str) -> Iterator[list]:
        with_key = [e for e in entries if e[1]["type"] == kind]
        seen: list[str] = []
        for _, question, _ in with_key:
            seen += [o["value"] for o in question.get(key, ()) if o["value"] not in seen]
        for value in seen:
            having = [e for e in with_key if value in {o["value"] for o in e[1][key]}]
            _, question, lang_default = having[-1]
            option = next(o for o in question[key] if o["value"] == value)
            yield [
                column.name,
                column.question,
                kind,
                *label,
                value,
                *_texts(option["label"], languages, lang_default),
                _versions(n for n, _, _ in having),
                "",
            ]

    if column.kind == "answer":
        notes = {
            "multi": "The chosen options, separated by '; '",
            "location": "The named place",
            "yesno": "1 yes, 0 no",
            "date": "A date, YYYY-MM-DD",
            "scale": "A whole number from {min} to {max}",
        }
        note = " / ".join(
            notes[t].format(**_latest(entries, lambda q, t=t: q["type"] == t)[1])
            for t in types
            if t in notes
        )
        yield [column.name, column.question, "/".join(types), *label, "", *blank, versions, note]
        if "single" in types:
            yield from codes("options", "single")
        if "location" in types:
            yield from codes("places", "location")
        if "yesno" in types:
            for value, index in ((1, 0), (0, 1)):
                words = [yes_no.get(lang, ("Yes", "No"))[index] for lang in languages]
                yield [column.name, column.question, "yesno", *label, value, *words, "", ""]
    elif column.kind == "option":
        having = [
            (n, q, d)
            for n, q, d in entries
            if q["type"] == "multi" and column.option in {o["value"] for o in q["options"]}
        ]
        _, question, lang_default = having[-1]
        option = next(o for o in question["options"] if o["value"] == column.option)
        yield [
            column.name,
            column.question,
            "multi",
            *label,
            column.option,
            *_texts(option["label"], languages, lang_default),
            versions,
            "1 chosen, 0 not chosen; empty when not answered or not offered",
        ]
    else:
        coordinate = "Latitude" if column.kind == "lat" else "Longitude"
        yield [
            column.name,
            column.question,
            "number",
            *label,
            "",
            *blank,
            versions,
            f"{coordinate} of the position, coarsened to about 250 m",
        ]
