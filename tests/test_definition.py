"""The definition validator: good documents pass, broken ones list every problem by path."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyservice.questionnaires.definition import (
    DefinitionError,
    content_hash,
    parse_document,
    validate_definition,
)

from .conftest import make_definition


def problems_of(document) -> dict[str, list[str]]:
    with pytest.raises(DefinitionError) as info:
        validate_definition(document)
    return info.value.problems


def test_valid_definition_is_returned_in_normal_form():
    definition = validate_definition(make_definition())
    assert definition["questions"][0]["required"] is True
    assert definition["questions"][2]["required"] is False
    assert definition["questions"][1]["show_if"] == [{"question": "safe_now", "equals": "unsafe"}]


def test_validation_is_idempotent():
    once = validate_definition(make_definition())
    assert validate_definition(once) == once


def test_missing_option_value_is_reported_with_its_path():
    definition = make_definition()
    del definition["questions"][0]["options"][1]["value"]
    assert problems_of(definition) == {
        "questions[0].options[1].value": ["Missing data for required field."]
    }


def test_every_structural_problem_is_listed_at_once():
    definition = make_definition(slug="Not A Slug", languages="sv")
    definition["questions"][0]["type"] = "dropdown"
    definition["questions"][2]["required"] = "yes"
    problems = problems_of(definition)
    assert set(problems) == {"slug", "languages", "questions[0].type", "questions[2].required"}


def test_consistency_problems_name_the_question():
    definition = make_definition(default_language="ar")
    definition["questions"][1]["id"] = "safe_now"
    definition["questions"][0]["label"] = {"sv": "Bara svenska"}
    definition["questions"][2]["options"] = [{"value": "a", "label": "A"}]
    problems = problems_of(definition)
    assert problems["default_language"] == ["'ar' is not one of the languages."]
    assert "used twice" in problems["questions[1].id"][0]
    assert problems["questions[0].label"] == ["The 'en' text is missing."]
    assert problems["questions[2].options"] == ["A scale question has no 'options'."]


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ({"question": "rating", "equals": 3}, "is not an earlier question"),
        ({"question": "safe_now", "equals": "maybe"}, "'maybe' is not an option of 'safe_now'"),
        ({"question": "why_unsafe", "equals": "x"}, "can only be tested with 'answered'"),
        ({"question": "safe_now"}, "Give exactly one of"),
        ({"question": "safe_now", "equals": "safe", "in": ["safe"]}, "Give exactly one of"),
    ],
)
def test_show_if_must_refer_to_an_earlier_answer_it_can_compare(condition, message):
    definition = make_definition()
    definition["questions"][1]["show_if"] = condition
    definition["questions"].insert(2, {"id": "late", "type": "text", "label": "L"})
    definition["questions"][2]["show_if"] = {"question": "rating", "equals": 3}
    if condition["question"] != "rating":
        definition["questions"][2]["show_if"] = condition
    problems = problems_of(definition)
    assert any(message in m for messages in problems.values() for m in messages), problems


def test_show_if_inside_a_group_may_refer_to_an_earlier_question_of_the_group():
    definition = make_definition()
    definition["questions"].append(
        {
            "id": "stops",
            "type": "group",
            "label": "Stopp",
            "questions": [
                {"id": "lit", "type": "yesno", "label": "Tänd?"},
                {
                    "id": "why_dark",
                    "type": "text",
                    "label": "Varför mörkt?",
                    "show_if": [
                        {"question": "lit", "equals": False},
                        {"question": "rating", "in": [1, 2]},
                    ],
                },
            ],
        }
    )
    assert validate_definition(definition)["questions"][3]["questions"][1]["show_if"][0] == {
        "question": "lit",
        "equals": False,
    }


def test_groups_cannot_nest():
    definition = make_definition()
    inner = {
        "id": "inner",
        "type": "group",
        "label": "I",
        "questions": [{"id": "x", "type": "yesno", "label": "X"}],
    }
    definition["questions"].append(
        {"id": "outer", "type": "group", "label": "O", "questions": [inner]}
    )
    assert problems_of(definition)["questions[3].questions[0].type"] == [
        "A group cannot hold another group."
    ]


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"min": 5, "max": 1}, "questions[2].max"),
        ({"min": 0, "max": 20}, "questions[2].max"),
        ({"min": 1.5, "max": 5}, "questions[2].min"),
        ({"min": True, "max": 5}, "questions[2].min"),
        ({"min": "1", "max": 5}, "questions[2].min"),
    ],
)
def test_scale_bounds_are_checked(change, path):
    definition = make_definition()
    definition["questions"][2].update(change)
    assert path in problems_of(definition)


@pytest.mark.parametrize(
    "hostile",
    ["", "   ", "a\x00b", "x" * 2001, 42, None, ["list"], {"sv": ""}, {"zz-top-top-top": "x"}],
)
def test_bad_texts_are_refused(hostile):
    definition = make_definition(title=hostile)
    assert any(path.startswith("title") for path in problems_of(definition))


def test_markup_in_texts_is_kept_as_text():
    title = {"sv": "<script>alert(1)</script> & <b>", "en": "'\"><img src=x onerror=alert(1)>"}
    assert validate_definition(make_definition(title=title))["title"] == title


def test_unknown_keys_are_reported():
    definition = make_definition(colour="red")
    definition["questions"][0]["lable"] = "typo"
    problems = problems_of(definition)
    assert problems["colour"] == ["Unknown field."]
    assert problems["questions[0].lable"] == ["Unknown field."]


def test_content_hash_ignores_key_order():
    a = validate_definition(make_definition())
    b = json.loads(json.dumps(a, sort_keys=True))
    assert content_hash(a) == content_hash(b)
    b["title"]["en"] = "Something else"
    assert content_hash(a) != content_hash(b)


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(DefinitionError) as info:
        parse_document("slug: a\ntitle: [unclosed\n", "broken.yaml")
    (message,) = info.value.problems["_schema"]
    assert message.startswith("broken.yaml is not valid YAML at line")


def test_yaml_alias_bomb_is_refused_without_expanding_it():
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 10) + "]")
    problems = problems_of(parse_document("\n".join(lines), "bomb.yaml"))
    assert problems == {"_schema": ["The document has more than 50000 values."]}


def test_deeply_nested_document_is_refused():
    nested: list = []
    for _ in range(5000):
        nested = [nested]
    problems = problems_of({**make_definition(), "questions": nested})
    assert problems == {"questions[0]": ["Invalid input type."]}


def test_deeply_nested_groups_are_refused():
    group: dict = {"id": "leaf", "type": "yesno", "label": "L"}
    for depth in range(3000):
        group = {"id": f"g{depth}", "type": "group", "label": "G", "questions": [group]}
    problems = problems_of({**make_definition(), "questions": [group]})
    assert problems == {"_schema": ["The document is nested too deeply."]}


# --- property-based: whatever the input, a DefinitionError or a valid definition ---

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5)
    ),
    max_leaves=30,
)
KEYS = [
    "slug",
    "title",
    "languages",
    "default_language",
    "questions",
    "id",
    "type",
    "label",
    "options",
    "value",
    "show_if",
    "question",
    "equals",
    "in",
    "min",
    "max",
    "required",
    "questions",
    "places",
    "max_choices",
    "answered",
]


def _check_never_raises_otherwise(document):
    try:
        result = validate_definition(document)
    except DefinitionError as exc:
        assert exc.problems
        assert all(isinstance(p, str) and m for p, m in exc.problems.items())
    else:
        assert validate_definition(result) == result


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(json_values)
def test_validator_never_raises_on_arbitrary_values(document):
    _check_never_raises_otherwise(document)


@st.composite
def mutated_definitions(draw):
    """A valid definition with one value somewhere replaced by something arbitrary."""
    document = make_definition()
    node = document
    for _ in range(draw(st.integers(0, 5))):
        if isinstance(node, dict) and node:
            key = draw(st.sampled_from(sorted(node)))
            if not isinstance(node[key], dict | list):
                break
            node = node[key]
        elif isinstance(node, list) and node:
            child = node[draw(st.integers(0, len(node) - 1))]
            if not isinstance(child, dict | list):
                break
            node = child
    replacement = draw(json_values)
    if isinstance(node, dict):
        node[draw(st.sampled_from(KEYS) | st.sampled_from(sorted(node) or ["x"]))] = replacement
    elif isinstance(node, list):
        node.append(replacement)
    return document


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(mutated_definitions())
def test_validator_never_raises_on_mutated_definitions(document):
    _check_never_raises_otherwise(document)
