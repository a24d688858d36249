"""What a coordinator reads about a broken definition, word for word and at its path.

The API answers a broken definition with each problem at its path, and the editor
shows the same problems beside the lines they are about; these tests post each kind
of mistake through the API and pin the whole answer, so that a problem that is no
longer found, found at another path or reported in other words fails a test. The
edges of each limit are posted too: the last value accepted and the first refused.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable

import pytest

from surveyservice.questionnaires.definition import (
    MAX_NODES,
    DefinitionError,
    canonical_json,
    content_hash,
    parse_document,
    validate_definition,
)
from surveyservice.text import UNSTORABLE_MESSAGE

from .conftest import BASE_DEFINITION

BASE = "/api/v1/questionnaires"


@pytest.fixture
def api(api_as, coordinator):
    return api_as(coordinator)


def edited(edit: Callable[[dict], object]) -> dict:
    """The shared sample definition, changed by ``edit`` (which changes it in place)."""
    definition = copy.deepcopy(BASE_DEFINITION)
    edit(definition)
    return definition


def q(index: int, **values) -> Callable[[dict], None]:
    """An edit that sets keys of question ``index``; a value of None removes the key."""

    def edit(definition: dict) -> None:
        question = definition["questions"][index]
        for key, value in values.items():
            if value is None:
                question.pop(key, None)
            else:
                question[key] = value

    return edit


def top(**values) -> Callable[[dict], None]:
    return lambda definition: definition.update(values)


def added(*questions: dict) -> Callable[[dict], None]:
    return lambda definition: definition["questions"].extend(copy.deepcopy(questions))


def both(*edits: Callable[[dict], None]) -> Callable[[dict], None]:
    def edit(definition: dict) -> None:
        for one in edits:
            one(definition)

    return edit


def problems_of(document) -> dict[str, list[str]]:
    with pytest.raises(DefinitionError) as info:
        validate_definition(document)
    return info.value.problems


def posted_problems(api, definition) -> dict[str, list[str]]:
    response = api.post(BASE, json=definition)
    assert response.status_code == 422, response.json
    return response.json["errors"]["json"]


YESNO = {"id": "lit", "type": "yesno", "label": "Upplyst?"}
NUMBER = {"id": "age", "type": "number", "label": "Ålder"}
TEXT = {"id": "note", "type": "text", "label": "Anteckning"}
MULTI = {
    "id": "where",
    "type": "multi",
    "label": "Var?",
    "options": [{"value": "park", "label": "Park"}, {"value": "quay", "label": "Kaj"}],
}
PLACES = {
    "id": "spot",
    "type": "location",
    "label": "Plats",
    "places": [{"value": "quay", "label": "Kajen", "lat": 58.0, "lon": 11.0}],
}


def group(**values) -> dict:
    return {
        "id": "walk",
        "type": "group",
        "label": "Iakttagelse",
        "questions": [
            {
                "id": "kind",
                "type": "single",
                "label": "Vad?",
                "options": [{"value": "light", "label": "Belysning"}],
            },
            {"id": "level", "type": "scale", "label": "Hur?", "min": 1, "max": 3},
            {"id": "words", "type": "text", "label": "Beskriv"},
            {"id": "tags", **{k: v for k, v in MULTI.items() if k != "id"}},
        ],
        **values,
    }


def show_if(condition) -> Callable[[dict], None]:
    """The condition on the question after the sample's three, a text question."""
    return added({**TEXT, "id": "later", "show_if": condition})


UNSAFE = {"question": "safe_now", "equals": "unsafe"}
LANGUAGE_CODE = "Not a language code such as sv, en or ar."


def _range(low, high) -> str:
    return f"Must be greater than or equal to {low} and less than or equal to {high}."


def _length(low, high) -> str:
    return f"Length must be between {low} and {high}."


BROKEN = {
    # Texts, wherever they are.
    "text of the wrong type": (
        top(title={"sv": 5, "en": "Safety"}),
        {"title.sv": ["Expected a text."]},
    ),
    "blank texts, every one reported": (
        top(title={"sv": "   ", "en": "\t"}),
        {"title.sv": ["The text is empty."], "title.en": ["The text is empty."]},
    ),
    "a text one character too long": (
        top(title="x" * 2001),
        {"title": ["The text is longer than 2000 characters."]},
    ),
    "a language code that is none": (
        top(title={"sv": "Trygghet", "EN": "Safety"}),
        {"title.EN": [LANGUAGE_CODE]},
    ),
    "a language code that is none, and an empty text after it": (
        top(title={"EN": "Safety", "sv": " "}),
        {"title.EN": [LANGUAGE_CODE], "title.sv": ["The text is empty."]},
    ),
    "an empty mapping of texts": (
        top(title={}),
        {"title": ["Expected a text, or a mapping of language code to text."]},
    ),
    "a list for a text": (
        top(title=["Trygghet"]),
        {"title": ["Expected a text, or a mapping of language code to text."]},
    ),
    "a text in a language the questionnaire lacks": (
        top(title={"sv": "Trygghet", "en": "Safety", "de": "Sicherheit"}),
        {"title.de": ["'de' is not one of the questionnaire's languages."]},
    ),
    "a description missing a language": (
        top(description={"sv": "Om trygghet"}),
        {"description": ["The 'en' text is missing."]},
    ),
    "a title in no language of the questionnaire": (
        top(title={"de": "Sicherheit"}),
        {
            "title.de": ["'de' is not one of the questionnaire's languages."],
            "title": ["The 'sv' text is missing.", "The 'en' text is missing."],
        },
    ),
    "help missing a language": (
        q(0, help={"sv": "Välj ett"}),
        {"questions[0].help": ["The 'en' text is missing."]},
    ),
    "a scale's end labels missing a language": (
        q(2, min_label={"en": "Bad"}, max_label={"sv": "Bra"}),
        {
            "questions[2].min_label": ["The 'sv' text is missing."],
            "questions[2].max_label": ["The 'en' text is missing."],
        },
    ),
    "an option's label missing a language": (
        lambda d: d["questions"][0]["options"][1].update(label={"sv": "Otrygg"}),
        {"questions[0].options[1].label": ["The 'en' text is missing."]},
    ),
    "a place's label missing a language": (
        added({**PLACES, "places": [{"value": "quay", "label": {"en": "Quay"}}]}),
        {"questions[3].places[0].label": ["The 'sv' text is missing."]},
    ),
    # Numbers.
    "a number given as text": (
        q(2, max="5"),
        {"questions[2].max": ["Expected a number."]},
    ),
    "a number given as true": (
        q(2, min=True),
        {"questions[2].min": ["Expected a number."]},
    ),
    "a number past a trillion": (
        added({**NUMBER, "max": 1e12 + 1}),
        {"questions[3].max": ["The number is too large."]},
    ),
    "a number below minus a trillion": (
        added({**NUMBER, "min": -1e12 - 1}),
        {"questions[3].min": ["The number is too large."]},
    ),
    "a whole number with a fraction": (
        added({**MULTI, "max_choices": 1.5}),
        {"questions[3].max_choices": ["Not a valid integer."]},
    ),
    # Questions, options and places.
    "a question id with capitals": (
        q(0, id="Safe_now"),
        {"questions[0].id": ["Use lower-case letters, digits and '_', starting with a letter."]},
    ),
    "an unknown question type": (
        q(0, type="dropdown"),
        {
            "questions[0].type": [
                "Must be one of: single, multi, scale, yesno, number, text, longtext, date, "
                "location, photo, group."
            ]
        },
    ),
    "an option value with a space": (
        lambda d: d["questions"][0]["options"][0].update(value="very safe"),
        {"questions[0].options[0].value": ["Use letters, digits, '_', '.' or '-' (at most 64)."]},
    ),
    "no options at all": (
        q(0, options=[]),
        {"questions[0].options": [_length(1, 100)]},
    ),
    "101 options": (
        q(0, options=[{"value": f"o{i}", "label": "O"} for i in range(101)]),
        {"questions[0].options": [_length(1, 100)]},
    ),
    "an option value used twice": (
        lambda d: d["questions"][0]["options"][1].update(value="safe"),
        {
            "questions[0].options[1].value": ["'safe' is used twice."],
            # The condition on it no longer finds its option.
            "questions[1].show_if[0]": ["'unsafe' is not an option of 'safe_now'."],
        },
    ),
    "a place value used twice": (
        added({**PLACES, "places": [*PLACES["places"], {"value": "quay", "label": "Kaj 2"}]}),
        {"questions[3].places[1].value": ["'quay' is used twice."]},
    ),
    "a place with lat alone": (
        added({**PLACES, "places": [{"value": "quay", "label": "Kajen", "lat": 58.0}]}),
        {"questions[3].places[0].lat": ["A place's position needs both lat and lon."]},
    ),
    "a place with lon alone": (
        added({**PLACES, "places": [{"value": "quay", "label": "Kajen", "lon": 11.0}]}),
        {"questions[3].places[0].lat": ["A place's position needs both lat and lon."]},
    ),
    "a place north of the pole": (
        added({**PLACES, "places": [{"value": "n", "label": "N", "lat": 90.5, "lon": 0}]}),
        {"questions[3].places[0].lat": [_range(-90, 90)]},
    ),
    "a place west of the date line": (
        added({**PLACES, "places": [{"value": "w", "label": "W", "lat": 0, "lon": -180.5}]}),
        {"questions[3].places[0].lon": [_range(-180, 180)]},
    ),
    "no places": (
        added({**PLACES, "places": []}),
        {"questions[3].places": [_length(1, 500)]},
    ),
    "a single question without options": (
        q(0, options=None),
        # The condition on it is not checked against options it does not have.
        {"questions[0].options": ["A single question needs options."]},
    ),
    "required given as 1": (
        q(0, required=1),
        {"questions[0].required": ["Not a valid boolean."]},
    ),
    "a multi question without options": (
        added({**MULTI, "options": None}),
        {"questions[3].options": ["Field may not be null."]},
    ),
    "a multi question with no options key": (
        added({k: v for k, v in MULTI.items() if k != "options"}),
        {"questions[3].options": ["A multi question needs options."]},
    ),
    "more choices allowed than options": (
        added({**MULTI, "max_choices": 3}),
        {"questions[3].max_choices": ["It is larger than the number of options."]},
    ),
    "no choice allowed": (
        added({**MULTI, "max_choices": 0}),
        {"questions[3].max_choices": [_range(1, 100)]},
    ),
    "a key of another question type": (
        q(2, options=[{"value": "a", "label": "A"}]),
        {"questions[2].options": ["A scale question has no 'options'."]},
    ),
    "keys of other types, each named": (
        q(1, min=1, max_photos=2),
        {
            "questions[1].max_photos": ["A longtext question has no 'max_photos'."],
            "questions[1].min": ["A longtext question has no 'min'."],
        },
    ),
    "an id used twice": (
        q(2, id="safe_now"),
        {"questions[2].id": ["The id 'safe_now' is used twice (also at questions[0])."]},
    ),
    "text lengths of 0 and 10,001": (
        added({**TEXT, "max_length": 0}, {**TEXT, "id": "more", "max_length": 10_001}),
        {
            "questions[3].max_length": [_range(1, 10_000)],
            "questions[4].max_length": [_range(1, 10_000)],
        },
    ),
    "photos 0 and 11": (
        added(
            {"id": "p0", "type": "photo", "label": "Foto", "max_photos": 0},
            {"id": "p11", "type": "photo", "label": "Foto", "max_photos": 11},
        ),
        {
            "questions[3].max_photos": [_range(1, 10)],
            "questions[4].max_photos": [_range(1, 10)],
        },
    ),
    # Scales and numbers.
    "a scale without min": (
        q(2, min=None),
        {"questions[2].min": ["A scale question needs min and max."]},
    ),
    "a scale without max": (
        q(2, max=None),
        {"questions[2].max": ["A scale question needs min and max."]},
    ),
    "a scale between fractions": (
        q(2, min=0.5, max=4.5),
        {
            "questions[2].min": ["A scale runs between whole numbers."],
            "questions[2].max": ["A scale runs between whole numbers."],
        },
    ),
    "a scale of one point": (
        q(2, min=3, max=3),
        {"questions[2].max": ["It must be larger than min."]},
    ),
    "a scale of twelve points": (
        q(2, min=0, max=11),
        {"questions[2].max": ["A scale has at most 11 points."]},
    ),
    "a number range upside down": (
        added({**NUMBER, "min": 5, "max": 4.5}),
        {"questions[3].max": ["It must not be smaller than min."]},
    ),
    # Groups.
    "a group in a group": (
        added(group(questions=[{**group(), "id": "inner"}])),
        {"questions[3].questions[0].type": ["A group cannot hold another group."]},
    ),
    "a group without questions": (
        added({k: v for k, v in group().items() if k != "questions"}),
        {"questions[3].questions": ["A group needs questions."]},
    ),
    "a group of 51 questions": (
        added(group(questions=[{**YESNO, "id": f"q{i}"} for i in range(51)])),
        {"questions[3].questions": [_length(1, 50)]},
    ),
    "a group's category that is not its question": (
        added(group(category="safe_now")),
        {"questions[3].category": ["'safe_now' is not a question of this group."]},
    ),
    "a group's category of the wrong type": (
        added(group(category="level")),
        {"questions[3].category": ["'level' is a scale question; use one of: single, multi."]},
    ),
    "a group's severity of the wrong type": (
        added(group(severity="tags")),
        {"questions[3].severity": ["'tags' is a multi question; use one of: single, scale."]},
    ),
    "a group's category that is no id": (
        added(group(category="Kind", severity="Level")),
        {
            "questions[3].category": ["Not a question id."],
            "questions[3].severity": ["Not a question id."],
        },
    ),
    "too many entries in a group": (
        added(group(max_entries=101)),
        {"questions[3].max_entries": [_range(1, 100)]},
    ),
    # Conditions.
    "a condition on itself": (
        show_if({"question": "later", "answered": True}),
        {"questions[3].show_if[0].question": ["A question cannot depend on itself."]},
    ),
    "a condition on a later question": (
        q(0, show_if={"question": "rating", "equals": 3}),
        {
            "questions[0].show_if[0].question": [
                "'rating' is not an earlier question outside a group or in the same group."
            ]
        },
    ),
    "a condition on a group": (
        both(added(group()), show_if({"question": "walk", "answered": True})),
        {
            "questions[4].show_if[0].question": [
                "'walk' is not an earlier question outside a group or in the same group."
            ]
        },
    ),
    "a condition on a question inside a group": (
        both(added(group()), show_if({"question": "kind", "answered": True})),
        {
            "questions[4].show_if[0].question": [
                "'kind' is not an earlier question outside a group or in the same group."
            ]
        },
    ),
    "a condition on a later question of the same group": (
        added(
            group(
                questions=[
                    {**YESNO, "show_if": {"question": "level", "answered": True}},
                    {"id": "level", "type": "scale", "label": "Hur?", "min": 1, "max": 3},
                ]
            )
        ),
        {
            "questions[3].questions[0].show_if[0].question": [
                "'level' is not an earlier question outside a group or in the same group."
            ]
        },
    ),
    "a value that is no option": (
        show_if({"question": "safe_now", "in": ["safe", "maybe"]}),
        {"questions[3].show_if[0]": ["'maybe' is not an option of 'safe_now'."]},
    ),
    "a value that is no option of a multi question": (
        both(added(MULTI), show_if({"question": "where", "not_equals": "beach"})),
        {"questions[4].show_if[0]": ["'beach' is not an option of 'where'."]},
    ),
    "a yes/no question compared with a word": (
        both(added(YESNO), show_if({"question": "lit", "equals": "yes"})),
        {"questions[4].show_if[0]": ["'lit' is a yes/no question: compare with true or false."]},
    ),
    "a scale compared with text": (
        show_if({"question": "rating", "in": [1, "2"]}),
        {"questions[3].show_if[0]": ["'rating' is a scale question: compare with a number."]},
    ),
    "a number compared with true": (
        both(added(NUMBER), show_if({"question": "age", "equals": True})),
        {"questions[4].show_if[0]": ["'age' is a number question: compare with a number."]},
    ),
    "a text question compared with a value": (
        show_if({"question": "why_unsafe", "equals": "dark"}),
        {"questions[3].show_if[0]": ["A longtext question can only be tested with 'answered'."]},
    ),
    "a condition with no operator": (
        show_if({"question": "safe_now"}),
        {"questions[3].show_if": ["Give exactly one of equals, not_equals, in or answered."]},
    ),
    "a condition with two operators": (
        show_if({"question": "safe_now", "equals": "safe", "answered": True}),
        {"questions[3].show_if": ["Give exactly one of equals, not_equals, in or answered."]},
    ),
    "a condition naming no question id": (
        show_if({"question": "Safe now", "answered": True}),
        {"questions[3].show_if.question": ["Not a question id."]},
    ),
    "a condition comparing with a list": (
        show_if({"question": "safe_now", "equals": ["safe"]}),
        {"questions[3].show_if.equals": ["Expected an option value, a number or true/false."]},
    ),
    "a condition comparing with an empty text": (
        show_if({"question": "safe_now", "not_equals": " "}),
        {"questions[3].show_if.not_equals": ["The text is empty."]},
    ),
    "an empty list of values": (
        show_if({"question": "safe_now", "in": []}),
        {"questions[3].show_if.in": [_length(1, 50)]},
    ),
    "51 values": (
        show_if({"question": "rating", "in": list(range(51))}),
        {"questions[3].show_if.in": [_length(1, 50)]},
    ),
    "answered given as a word": (
        show_if({"question": "safe_now", "answered": "yes"}),
        {"questions[3].show_if.answered": ["Not a valid boolean."]},
    ),
    "a list of conditions with a broken one among them": (
        show_if([UNSAFE, "safe_now", {"question": "safe_now", "answered": 1}]),
        {
            "questions[3].show_if[1]": ["Expected a condition."],
            "questions[3].show_if[2].answered": ["Not a valid boolean."],
        },
    ),
    "an empty list of conditions": (
        show_if([]),
        {"questions[3].show_if": ["Expected a condition, or a list of 1 to 20 conditions."]},
    ),
    "21 conditions": (
        show_if([UNSAFE] * 21),
        {"questions[3].show_if": ["Expected a condition, or a list of 1 to 20 conditions."]},
    ),
    "a condition given as a word": (
        show_if("safe_now"),
        {"questions[3].show_if": ["Expected a condition, or a list of 1 to 20 conditions."]},
    ),
    # The document.
    "a slug with spaces": (
        top(slug="my survey"),
        {"slug": ["Use lower-case letters, digits and '-'."]},
    ),
    "a language listed twice": (
        top(languages=["sv", "en", "sv"]),
        {"languages": ["A language is listed twice."]},
    ),
    "a language that is no code": (
        top(languages=["sv", "English"]),
        {"languages[1]": [LANGUAGE_CODE]},
    ),
    "no languages": (
        top(languages=[]),
        {"languages": [_length(1, 20)]},
    ),
    "a default language that is no code": (
        top(default_language="Svenska"),
        {"default_language": [LANGUAGE_CODE]},
    ),
    "a default language not among the languages": (
        top(default_language="ar"),
        {"default_language": ["'ar' is not one of the languages."]},
    ),
    "no questions": (
        top(questions=[]),
        {"questions": [_length(1, 300)]},
    ),
}


@pytest.mark.parametrize(("edit", "expected"), BROKEN.values(), ids=BROKEN.keys())
def test_each_mistake_is_reported_in_words_at_its_path(api, edit, expected):
    assert posted_problems(api, edited(edit)) == expected


ACCEPTED = {
    "a text of exactly 2000 characters": top(title="x" * 2000),
    "tabs and line breaks in a text": top(description="Rad ett\n\tRad två"),
    "a number of exactly a trillion, either way": added({**NUMBER, "min": -1e12, "max": 1e12}),
    "a scale of eleven points": q(2, min=0, max=10),
    "a scale of six points, from 5 to 10": q(2, min=5, max=10),
    "a number range of one value": added({**NUMBER, "min": 4.5, "max": 4.5}),
    "as many choices as options": added({**MULTI, "max_choices": 2}),
    "places at the poles and the date line": added(
        {
            **PLACES,
            "places": [
                {"value": "n", "label": "N", "lat": 90, "lon": 180},
                {"value": "s", "label": "S", "lat": -90, "lon": -180},
            ],
        }
    ),
    "20 conditions": show_if([UNSAFE] * 20),
    "50 values": show_if({"question": "rating", "in": list(range(50))}),
    "text limits of 1 and 10,000": added(
        {**TEXT, "max_length": 1}, {**TEXT, "id": "more", "max_length": 10_000}
    ),
    "a text question tested with answered": show_if({"question": "why_unsafe", "answered": True}),
    "a group's own category and severity": added(group(category="kind", severity="level")),
    "a condition on an earlier question of the same group": added(
        group(questions=[YESNO, {**TEXT, "show_if": {"question": "lit", "equals": True}}])
    ),
}


@pytest.mark.parametrize("edit", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_values_at_the_edge_of_each_limit_are_accepted(api, edit):
    response = api.post(BASE, json=edited(edit))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize(
    "text",
    ["a\x00b", "a\x08b", "a\x0bb", "a\x1fb", "a\x7fb", "a\x9fb", "a\ud800b", "a\udfffb"],
    ids=["NUL", "backspace", "vertical tab", "unit separator", "DEL", "C1", "surrogate", "low"],
)
def test_control_characters_in_a_text_are_refused(api, text):
    # A file synced from the forms folder is checked here; the API refuses such a
    # character in any request before the definition is read.
    problems = problems_of(edited(top(description=text)))
    assert problems == {"description": ["The text contains control characters."]}
    assert posted_problems(api, edited(top(description=text))) == {
        "description": [UNSTORABLE_MESSAGE]
    }


@pytest.mark.parametrize("text", ["a\tb", "a\nb", "a b~", "a\xa0b", "a\ue000b"])
def test_printable_characters_next_to_the_control_ranges_are_kept(api, text):
    response = api.post(BASE, json=edited(top(description=text)))
    assert response.status_code == 201, response.json
    assert api.get(f"{BASE}/sample/draft").json["definition"]["description"] == text


def test_a_definition_is_stored_in_its_normal_form(api):
    definition = edited(
        both(
            added({**MULTI, "max_choices": 2.0}),
            show_if({"question": "safe_now", "in": ["safe"]}),
        )
    )
    assert api.post(BASE, json=definition).status_code == 201
    stored = api.get(f"{BASE}/sample/draft").json["definition"]
    assert stored["questions"][3]["max_choices"] == 2
    assert isinstance(stored["questions"][3]["max_choices"], int)
    assert stored["questions"][4]["show_if"] == [{"question": "safe_now", "in": ["safe"]}]
    assert stored["questions"][0]["label"] == BASE_DEFINITION["questions"][0]["label"]


def test_a_document_that_is_not_a_mapping_is_named_as_such(api):
    response = api.post(BASE, json=["slug", "title"])
    assert response.status_code == 422
    assert response.json["errors"]["json"] == {"_schema": ["Invalid input type."]}
    with pytest.raises(DefinitionError) as info:
        validate_definition(["slug", "title"])
    assert info.value.problems == {
        "_schema": ["A definition is a mapping with slug, title and questions."]
    }
    assert str(info.value) == (
        "The definition has 1 problem: (document): "
        "A definition is a mapping with slug, title and questions."
    )


def test_the_problem_summary_counts_and_lists_every_problem():
    with pytest.raises(DefinitionError) as info:
        validate_definition(edited(top(title={"sv": 5, "en": " "}, slug="A")))
    assert str(info.value) == (
        "The definition has 3 problems: slug: Use lower-case letters, digits and '-'.; "
        "title.sv: Expected a text.; title.en: The text is empty."
    )
    with pytest.raises(DefinitionError) as info:
        validate_definition(edited(top(title={"de": "Sicherheit"})))
    assert str(info.value) == (
        "The definition has 3 problems: "
        "title.de: 'de' is not one of the questionnaire's languages.; "
        "title: The 'sv' text is missing. The 'en' text is missing."
    )


def test_changing_the_slug_of_a_draft_is_refused_with_the_summary(api):
    assert api.post(BASE, json=edited(lambda d: None)).status_code == 201
    response = api.put(f"{BASE}/sample/draft", json=edited(top(slug="other")))
    assert response.status_code == 422
    assert response.json["message"] == (
        "The definition has 1 problem: slug: This is the questionnaire 'sample'; "
        "the slug cannot change."
    )


def _padded(values: int) -> dict:
    """A document of exactly ``values`` values: the mapping, two keys, the slug, the list
    and its items."""
    return {"slug": "x", "pad": [0] * (values - 5)}


def test_the_document_size_limit_counts_keys_and_values():
    with pytest.raises(DefinitionError) as info:
        validate_definition(_padded(MAX_NODES))
    assert "pad" in info.value.problems  # looked at closely: an unknown key
    with pytest.raises(DefinitionError) as info:
        validate_definition(_padded(MAX_NODES + 1))
    assert info.value.problems == {"_schema": [f"The document has more than {MAX_NODES} values."]}


def test_infinite_numbers_from_a_yaml_file_are_refused():
    document = parse_document(
        "slug: sample\ntitle: T\nlanguages: [sv]\ndefault_language: sv\nquestions:\n"
        "  - {id: age, type: number, label: Ålder, max: .inf}\n"
        "  - {id: later, type: text, label: L, show_if: {question: age, equals: -.inf}}\n",
        "sample.yaml",
    )
    with pytest.raises(DefinitionError) as info:
        validate_definition(document)
    assert info.value.problems == {
        "questions[0].max": ["Expected a finite number."],
        "questions[1].show_if.equals": ["Expected an option value, a number or true/false."],
    }


def test_a_yaml_language_key_that_is_not_text_is_named():
    document = parse_document(
        "slug: sample\ntitle: {sv: T, 1: X}\nlanguages: [sv]\ndefault_language: sv\n"
        "questions: [{id: a, type: yesno, label: A}]\n",
        "sample.yaml",
    )
    with pytest.raises(DefinitionError) as info:
        validate_definition(document)
    assert info.value.problems == {"title.1": [LANGUAGE_CODE]}


def test_a_json_file_is_read_as_json():
    # 1e3 is a number in JSON, and a word in YAML 1.1.
    assert parse_document('{"max": 1e3}', "sample.json") == {"max": 1000.0}
    assert parse_document('{"max": 1e3}', "sample.yaml") == {"max": "1e3"}
    with pytest.raises(DefinitionError) as info:
        parse_document('{"slug": "a",}', "sample.json")
    assert info.value.problems == {
        "_schema": [
            "sample.json could not be read: Expecting property name enclosed in double "
            "quotes: line 1 column 14 (char 13)"
        ]
    }
    with pytest.raises(DefinitionError) as info:
        parse_document("[" * 100_000, "deep.json")
    assert info.value.problems == {"_schema": ["deep.json is nested too deeply."]}


def test_a_yaml_syntax_error_says_where_and_what():
    with pytest.raises(DefinitionError) as info:
        parse_document("slug: a\ntitle: [unclosed\n", "broken.yaml")
    assert info.value.problems == {
        "_schema": [
            "broken.yaml is not valid YAML at line 3, column 1: "
            "expected ',' or ']', but got '<stream end>'."
        ]
    }


def test_the_canonical_form_of_a_definition_never_changes():
    # Stored versions are found again by this hash: a new release must compute the
    # same one, or every shipped questionnaire would look changed.
    definition = {"title": {"sv": "Trygghet är å", "en": "Safety"}, "questions": [1, 2.5]}
    canonical = '{"questions":[1,2.5],"title":{"en":"Safety","sv":"Trygghet är å"}}'
    assert canonical_json(definition) == canonical
    assert content_hash(definition) == hashlib.sha256(canonical.encode()).hexdigest()
