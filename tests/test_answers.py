"""Checking answers against a version: types, ranges, conditions, privacy on the way in."""

import pytest

from surveyservice.collection.answers import AnswerError, check_answers, visible_answers
from surveyservice.questionnaires.definition import validate_definition

from .conftest import make_definition

DEFINITION = validate_definition(
    make_definition(
        questions=[
            {
                "id": "safe",
                "type": "single",
                "label": "Trygg?",
                "required": True,
                "options": [{"value": "yes", "label": "Ja"}, {"value": "no", "label": "Nej"}],
            },
            {
                "id": "why",
                "type": "longtext",
                "label": "Varför inte?",
                "required": True,
                "max_length": 50,
                "show_if": {"question": "safe", "equals": "no"},
            },
            {
                "id": "fixes",
                "type": "multi",
                "label": "Vad hjälper?",
                "max_choices": 2,
                "options": [
                    {"value": v, "label": v} for v in ("light", "police", "clean", "other")
                ],
            },
            {
                "id": "other",
                "type": "text",
                "label": "Annat",
                "show_if": {"question": "fixes", "equals": "other"},
            },
            {"id": "rating", "type": "scale", "label": "Betyg", "min": 1, "max": 5},
            {"id": "boat", "type": "yesno", "label": "Båt?"},
            {
                "id": "people",
                "type": "number",
                "label": "Antal",
                "min": 0,
                "max": 100,
                "integer": True,
            },
            {"id": "day", "type": "date", "label": "Dag"},
            {
                "id": "where",
                "type": "location",
                "label": "Var?",
                "places": [{"value": "harbour", "label": "Hamnen"}],
            },
        ]
    )
)


def problems(answers) -> dict:
    with pytest.raises(AnswerError) as info:
        check_answers(DEFINITION, answers)
    return info.value.problems


def test_a_full_valid_response_is_stored_as_normalised_values():
    stored = check_answers(
        DEFINITION,
        {
            "safe": "no",
            "why": "  Mörkt vid bryggan  ",
            "fixes": ["other", "light"],
            "other": "Fler bänkar",
            "rating": 4.0,
            "boat": False,
            "people": 12.0,
            "day": "2026-06-06",
            "where": {"place": "harbour"},
        },
    )
    assert stored == {
        "safe": "no",
        "why": "Mörkt vid bryggan",
        "fixes": ["light", "other"],
        "other": "Fler bänkar",
        "rating": 4,
        "boat": False,
        "people": 12,
        "day": "2026-06-06",
        "where": {"place": "harbour"},
    }


def test_required_question_counts_only_when_shown():
    assert check_answers(DEFINITION, {"safe": "yes"}) == {"safe": "yes"}
    assert problems({"safe": "no"}) == {"answers.why": ["An answer is required."]}
    assert problems({}) == {"answers.safe": ["An answer is required."]}


def test_answer_to_a_hidden_question_is_refused():
    assert problems({"safe": "yes", "why": "x"}) == {
        "answers.why": ["This question is hidden by its condition; leave it out."]
    }
    assert problems({"safe": "yes", "fixes": ["light"], "other": "x"}) == {
        "answers.other": ["This question is hidden by its condition; leave it out."]
    }


def test_each_problem_is_listed_by_question():
    found = problems(
        {
            "safe": "maybe",
            "fixes": ["light", "police", "clean"],
            "rating": 9,
            "boat": "yes",
            "people": 2.5,
            "day": "2026-02-30",
            "where": {"place": "moon"},
            "colour": "red",
        }
    )
    assert found == {
        "answers.boat": ["Expected true or false."],
        "answers.colour": ["Unknown question."],
        "answers.day": ["Expected a date as YYYY-MM-DD."],
        "answers.fixes": ["Choose at most 2."],
        "answers.people": ["Expected a whole number."],
        "answers.rating": ["Expected at most 5."],
        "answers.safe": ["Expected one of: yes, no."],
        "answers.where": ["Expected a place among: harbour."],
    }


@pytest.mark.parametrize(
    ("qid", "value"),
    [
        ("rating", True),
        ("rating", "3"),
        ("people", float("nan")),
        ("people", "12"),
        ("fixes", "light"),
        ("fixes", ["light", "light"]),
        ("why", 42),
        ("where", {"lat": "58.3", "lon": 12.3}),
        ("where", {"lat": 91, "lon": 12.3}),
        ("where", {"place": "harbour", "street": "x"}),
    ],
)
def test_wrong_types_are_refused(qid, value):
    answers = {"safe": "no", "why": "Mörkt", qid: value}
    assert f"answers.{qid}" in problems(answers)


def test_too_long_text_is_refused():
    assert problems({"safe": "no", "why": "x" * 51}) == {
        "answers.why": ["The text is longer than 50 characters."]
    }


def test_not_an_object_is_one_problem():
    assert problems(["safe"]) == {"answers": ["Expected an object of question id to answer."]}


def test_free_text_is_masked_before_storage():
    stored = check_answers(
        DEFINITION,
        {"safe": "no", "why": "Ring 070-123 45 67, jag är 811218-9876"},
    )
    assert "070-123 45 67" not in stored["why"]
    assert "811218-9876" not in stored["why"]


def test_resident_position_is_coarsened():
    stored = check_answers(
        DEFINITION, {"safe": "yes", "where": {"lat": 58.3801234, "lon": 12.3201234}}
    )
    lat, lon = stored["where"]["lat"], stored["where"]["lon"]
    assert (lat, lon) != (58.3801234, 12.3201234)
    assert abs(lat - 58.3801234) < 0.003 and abs(lon - 12.3201234) < 0.005
    nearby = check_answers(DEFINITION, {"safe": "yes", "where": {"lat": 58.38013, "lon": 12.32013}})
    assert nearby["where"] == stored["where"]


def test_a_position_outside_a_group_is_coarsened_on_a_staff_tablet_too():
    # In kiosk mode residents answer on the staff tablet, about themselves.
    stored = check_answers(
        DEFINITION,
        {"safe": "yes", "where": {"lat": 58.3801234, "lon": 12.3201234, "accuracy": 5}},
        staff=True,
    )
    assert stored["where"] != {"lat": 58.3801234, "lon": 12.3201234}
    assert "accuracy" not in stored["where"]


def test_visible_answers_drops_what_conditions_hide():
    assert visible_answers(
        DEFINITION, {"safe": "yes", "why": "x", "fixes": ["other"], "other": "y"}
    ) == {
        "safe": "yes",
        "fixes": ["other"],
        "other": "y",
    }


def test_a_scale_answer_of_1_does_not_equal_true():
    definition = validate_definition(
        make_definition(
            questions=[
                {"id": "b", "type": "yesno", "label": "B"},
                {"id": "r", "type": "scale", "label": "R", "min": 1, "max": 3},
                {
                    "id": "t",
                    "type": "text",
                    "label": "T",
                    "show_if": {"question": "r", "equals": 1},
                },
            ]
        )
    )
    assert check_answers(definition, {"r": 1, "t": "x"}) == {"r": 1, "t": "x"}
    with pytest.raises(AnswerError):
        check_answers(definition, {"r": 2, "t": "x"})
