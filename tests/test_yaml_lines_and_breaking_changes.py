"""Problems mapped to lines of the definition text, and which changes break comparison."""

import copy

import pytest

from surveyservice.questionnaires.definition import (
    DefinitionError,
    parse_document,
    validate_definition,
)
from surveyservice.questionnaires.diff import breaking_changes
from surveyservice.questionnaires.yaml_lines import path_line, problems_with_lines, to_yaml

from .conftest import make_definition

TEXT = """\
# A comment moves everything down a line.
slug: sample
title: {sv: Trygghet, en: Safety}
languages: [sv, en]
default_language: sv
questions:
  - id: safe_now
    type: single
    label:
      sv: Hur trygg?
    options:
      - value: safe
        label: {sv: Trygg, en: Safe}
      - value: safe
        label: {sv: Otrygg, en: Unsafe}
  - id: why
    type: text
    colour: red
    label: Varför?
    show_if:
      question: safe_now
      equals: maybe
"""


def problems_of(text: str) -> list:
    try:
        validate_definition(parse_document(text, "sample.yaml"))
    except DefinitionError as exc:
        return problems_with_lines(text, exc.problems)
    raise AssertionError("the text is valid")


def test_shape_problems_point_at_the_line_of_their_key():
    found = problems_of(TEXT)
    assert [(p.line, p.path) for p in found] == [(18, "questions[1].colour")]


def test_consistency_problems_point_at_their_lines():
    found = problems_of(TEXT.replace("    colour: red\n", ""))
    assert [(p.line, p.path) for p in found] == [
        (9, "questions[0].label"),  # the 'en' text is missing: the label's line
        (14, "questions[0].options[1].value"),  # the second 'safe', not the first
        (19, "questions[1].show_if[0]"),  # one condition, reported as show_if[0]
    ]
    assert "'en' text is missing" in found[0].message


def test_a_missing_key_points_at_its_parent():
    text = TEXT.replace("    label: Varför?\n", "").replace("    colour: red\n", "")
    found = problems_of(text)
    assert (found[0].line, found[0].path) == (16, "questions[1].label")
    assert found[0].message == "Missing data for required field."


def test_a_syntax_error_shows_its_own_line():
    text = TEXT.replace("label: Varför?", "label: [Varför?")
    with pytest.raises(DefinitionError) as caught:
        parse_document(text, "The text")
    [problem] = problems_with_lines(text, caught.value.problems)
    assert problem.path == ""
    assert problem.line is not None and 19 <= problem.line <= 22
    assert f"at line {problem.line}" in problem.message


def test_aliases_resolve_to_where_the_list_is_written():
    text = """\
slug: sample
title: T
languages: [sv]
default_language: sv
questions:
  - id: a
    type: single
    label: A
    options: &scale
      - {value: x, label: X}
  - id: b
    type: single
    label: B
    options: *scale
"""
    root = __import__("yaml").compose(text)
    assert path_line(root, "questions[1].options[0].value") == 10
    assert path_line(root, "questions[1].options") == 14
    assert path_line(root, "nowhere[3].at.all") == 1


def test_the_text_shown_reads_back_as_the_same_definition():
    definition = validate_definition(make_definition(title={"sv": "Ärenden: «ja»", "en": "No"}))
    assert validate_definition(parse_document(to_yaml(definition), "sample.yaml")) == definition


# --- breaking changes ------------------------------------------------------------------


def kinds(old: dict, new: dict) -> list[tuple[str, str]]:
    return [(c["kind"], c["question"]) for c in breaking_changes(old, new)]


def test_wording_order_translations_and_new_questions_break_nothing():
    old = validate_definition(make_definition())
    new = copy.deepcopy(old)
    new["questions"][0]["label"]["sv"] = "Hur trygg känner du dig här?"
    new["questions"][0]["options"].reverse()
    new["questions"][0]["options"].append({"value": "dont_know", "label": "Vet ej"})
    new["questions"][0]["required"] = False
    new["questions"].reverse()
    new["questions"].append({"id": "extra", "type": "yesno", "label": "Extra", "required": False})
    assert breaking_changes(old, new) == []


def test_removed_or_renamed_option_values_break_comparison():
    old = validate_definition(make_definition())
    new = copy.deepcopy(old)
    new["questions"][0]["options"][1]["value"] = "not_safe"
    assert breaking_changes(old, new) == [
        {"kind": "option_removed", "question": "safe_now", "values": ["unsafe"]}
    ]


def test_removed_question_and_changed_type_break_comparison():
    old = validate_definition(make_definition())
    new = copy.deepcopy(old)
    del new["questions"][1]
    new["questions"][1]["type"] = "number"
    assert breaking_changes(old, new) == [
        {"kind": "question_removed", "question": "why_unsafe"},
        {"kind": "type_changed", "question": "rating", "before": "scale", "after": "number"},
    ]


def test_a_changed_type_does_not_hide_what_breaks_in_later_questions():
    old = validate_definition(make_definition())
    new = copy.deepcopy(old)
    new["questions"][0]["type"] = "multi"
    new["questions"][2]["max"] = 7
    assert breaking_changes(old, new) == [
        {"kind": "type_changed", "question": "safe_now", "before": "single", "after": "multi"},
        {"kind": "range_changed", "question": "rating", "before": (1, 5), "after": (1, 7)},
    ]


@pytest.mark.parametrize(
    ("question", "change"),
    [
        ({"type": "scale", "min": 1, "max": 5}, {"max": 7}),
        ({"type": "scale", "min": 1, "max": 5}, {"min": 0}),
        ({"type": "number", "min": 0}, {"max": 100}),
        ({"type": "number", "min": 0, "max": 10}, {"min": None}),
    ],
)
def test_a_changed_range_breaks_comparison(question, change):
    old = {"questions": [{"id": "n", "label": "N", **question}]}
    new = copy.deepcopy(old)
    for key, value in change.items():
        if value is None:
            del new["questions"][0][key]
        else:
            new["questions"][0][key] = value
    after = {**question, **change}
    assert breaking_changes(old, new) == [
        {
            "kind": "range_changed",
            "question": "n",
            "before": (question.get("min"), question.get("max")),
            "after": (after.get("min"), after.get("max")),
        }
    ]


def test_removed_places_break_comparison_like_options():
    place = {"id": "where", "type": "location", "label": "Var?"}
    old = {"questions": [{**place, "places": [{"value": "torg", "label": "T"}]}]}
    new = {"questions": [{**place, "places": [{"value": "hamn", "label": "H"}]}]}
    assert kinds(old, new) == [("option_removed", "where")]
