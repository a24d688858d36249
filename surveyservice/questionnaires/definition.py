"""The questionnaire definition format: parsing, validation and canonical form.

A definition is a plain document (YAML or JSON, the same structure either way);
docs/definition-format.md describes it for the people who write one. This
module does not import Flask: it takes data and returns data, and on any input
it either returns a valid definition or raises DefinitionError listing every
problem with its path, such as ``questions[3].options[1].value``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator
from typing import Any

import yaml
from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from ..error_paths import WHOLE, flatten_errors

QUESTION_TYPES = (
    "single",
    "multi",
    "scale",
    "yesno",
    "number",
    "text",
    "longtext",
    "date",
    "location",
    "photo",
    "group",
)

# The keys each question type may carry beyond the common ones.
COMMON_KEYS = frozenset({"id", "type", "label", "help", "required", "show_if"})
TYPE_KEYS = {
    "single": {"options"},
    "multi": {"options", "max_choices"},
    "scale": {"min", "max", "min_label", "max_label"},
    "yesno": set(),
    "number": {"min", "max", "integer"},
    "text": {"max_length"},
    "longtext": {"max_length"},
    "date": set(),
    "location": {"places"},
    "photo": {"max_photos"},
    "group": {"questions", "max_entries", "category", "severity"},
}
# The question types a group's category (what the map colours by) and severity (what
# it sizes by) may name.
CATEGORY_TYPES = ("single", "multi")
SEVERITY_TYPES = ("single", "scale")
DEFAULT_MAX_PHOTOS = 3
DEFAULT_MAX_ENTRIES = 100
DEFAULT_MAX_LENGTH = {"text": 200, "longtext": 2000}
MAX_TEXT_LENGTH = 2000
MAX_QUESTIONS = 300
MAX_SCALE_POINTS = 11
# A document larger than this many values is refused before it is looked at closely;
# it also stops YAML alias bombs, whose shared references expand when serialised.
MAX_NODES = 50_000

ID_RE = r"^[a-z][a-z0-9_]{0,63}$"
VALUE_RE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
SLUG_RE = r"^[a-z0-9][a-z0-9-]{1,63}$"
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
# Control characters but tab and newline, and lone surrogates (never valid UTF-8).
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
CONDITION_OPERATORS = ("equals", "not_equals", "in", "answered")

# --- the same rules for the OpenAPI document --------------------------------
# JSON Schema for the custom fields below, given as their metadata. What a schema
# cannot say (the languages a text is given in, the checks across fields) is said
# in words and checked on the server.

_NOT_CONTROL = r"\x00-\x08\x0b-\x1f\x7f-\x9f"
TEXT_PATTERN = rf"^[^{_NOT_CONTROL}]*[^\s{_NOT_CONTROL}][^{_NOT_CONTROL}]*$"
_ONE_TEXT = {
    "type": "string",
    "minLength": 1,
    "maxLength": MAX_TEXT_LENGTH,
    "pattern": TEXT_PATTERN,
}
TEXT_DOC = {
    "oneOf": [
        _ONE_TEXT,
        {
            "type": "object",
            "minProperties": 1,
            "maxProperties": 20,
            "propertyNames": {"pattern": LANGUAGE_RE.pattern},
            "additionalProperties": _ONE_TEXT,
        },
    ],
    "description": "One text for every language, or a text for each of the questionnaire's "
    "languages by language code. Not blank; no control characters but tab and newline.",
}
NUMBER_DOC = {"type": "number", "minimum": -1e12, "maximum": 1e12}
CONDITION_VALUE_DOC = {"oneOf": [_ONE_TEXT, {"type": "number"}, {"type": "boolean"}]}
CONDITION_DOC = {
    "type": "object",
    "properties": {
        "question": {"type": "string", "pattern": ID_RE},
        "equals": CONDITION_VALUE_DOC,
        "not_equals": CONDITION_VALUE_DOC,
        "in": {"type": "array", "minItems": 1, "maxItems": 50, "items": CONDITION_VALUE_DOC},
        "answered": {"type": "boolean"},
    },
    "required": ["question"],
    "additionalProperties": False,
    "oneOf": [{"required": [op]} for op in CONDITION_OPERATORS],
    "description": "Exactly one of equals, not_equals, in or answered, about an earlier question",
}
SHOW_IF_DOC = {
    "oneOf": [
        CONDITION_DOC,
        {"type": "array", "minItems": 1, "maxItems": 20, "items": CONDITION_DOC},
    ],
    "description": "One condition, or a list of conditions that must all hold",
}


class DefinitionError(ValueError):
    """A definition with problems: ``problems`` maps a path to its messages."""

    @classmethod
    def whole(cls, message: str) -> DefinitionError:
        """A problem with the document as a whole."""
        return cls({WHOLE: [message]})

    def __init__(self, problems: dict[str, list[str]]):
        self.problems = problems
        count = sum(len(m) for m in problems.values())
        super().__init__(
            f"The definition has {count} problem{'s' if count != 1 else ''}: "
            + "; ".join(
                f"{'(document)' if path == WHOLE else path}: {' '.join(msgs)}"
                for path, msgs in problems.items()
            )
        )


# --- fields -----------------------------------------------------------------


def _check_text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValidationError("Expected a text.")
    if not value.strip():
        raise ValidationError("The text is empty.")
    if len(value) > MAX_TEXT_LENGTH:
        raise ValidationError(f"The text is longer than {MAX_TEXT_LENGTH} characters.")
    if CONTROL_RE.search(value):
        raise ValidationError("The text contains control characters.")
    return value


class _Documented(fields.Field):
    """A field whose OpenAPI description is its class's ``doc``."""

    doc: dict = {}

    def __init__(self, **kwargs):
        metadata = {**self.doc, **kwargs.pop("metadata", {})}
        super().__init__(**kwargs, metadata=metadata)


class Text(_Documented):
    """One text for every language, or a mapping of language code to text."""

    doc = TEXT_DOC

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return _check_text(value)
        if isinstance(value, dict) and value:
            errors: dict[str, list[str]] = {}
            for lang, text in value.items():
                if not isinstance(lang, str) or not LANGUAGE_RE.match(lang):
                    errors[str(lang)] = ["Not a language code such as sv, en or ar."]
                    continue
                try:
                    _check_text(text)
                except ValidationError as exc:
                    errors[lang] = exc.messages
            if errors:
                raise ValidationError(errors)
            return dict(value)
        raise ValidationError("Expected a text, or a mapping of language code to text.")


class StrictNumber(_Documented):
    """A JSON number: not a string of digits, not a boolean, not infinite."""

    doc = NUMBER_DOC

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Expected a number.")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError("Expected a finite number.")
        if abs(value) > 1e12:
            raise ValidationError("The number is too large.")
        return value


class ConditionValue(_Documented):
    """What a show_if condition compares with: a text, number or boolean."""

    doc = CONDITION_VALUE_DOC

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str):
            return _check_text(value)
        if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
            return value
        raise ValidationError("Expected an option value, a number or true/false.")


class StrictBoolean(fields.Boolean):
    """A JSON true or false: not 1 or 0, which a set of {True} would take for true."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _strict_bool(**kwargs) -> fields.Boolean:
    return StrictBoolean(**kwargs)


class WholeNumber(fields.Integer):
    """A JSON integer: not a string of digits, not a boolean. As in JSON Schema, 3.0
    is the integer 3, and is kept as 3."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _validated(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super()._validated(value)


def _strict_int(**kwargs) -> fields.Integer:
    return WholeNumber(**kwargs)


class StrictSchema(Schema):
    class Meta:
        unknown = RAISE


class OptionSchema(StrictSchema):
    value = fields.String(
        required=True,
        validate=validate.Regexp(
            VALUE_RE, error="Use letters, digits, '_', '.' or '-' (at most 64)."
        ),
    )
    label = Text(required=True)


class PlaceSchema(OptionSchema):
    """A named place; with both lat and lon (WGS 84 degrees), it can be shown on a map."""

    # The ranges in the OpenAPI document too: a custom field's validators are not read.
    lat = StrictNumber(
        validate=validate.Range(min=-90, max=90), metadata={"minimum": -90, "maximum": 90}
    )
    lon = StrictNumber(
        validate=validate.Range(min=-180, max=180), metadata={"minimum": -180, "maximum": 180}
    )


class ConditionSchema(StrictSchema):
    question = fields.String(
        required=True, validate=validate.Regexp(ID_RE, error="Not a question id.")
    )
    equals = ConditionValue()
    not_equals = ConditionValue()
    in_ = fields.List(ConditionValue(), data_key="in", validate=validate.Length(min=1, max=50))
    answered = _strict_bool()

    @validates_schema
    def one_operator(self, data, **kwargs):
        used = [op for op in ("equals", "not_equals", "in_", "answered") if op in data]
        if len(used) != 1:
            raise ValidationError(
                "Give exactly one of equals, not_equals, in or answered.", "_schema"
            )

    @post_load
    def stored_form(self, data, **kwargs):
        if "in_" in data:
            data["in"] = data.pop("in_")
        return data


class ShowIf(_Documented):
    """One condition, or a list of conditions that must all hold."""

    doc = SHOW_IF_DOC

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, dict):
            return [ConditionSchema().load(value)]
        if isinstance(value, list) and 1 <= len(value) <= 20:
            errors, loaded = {}, []
            for index, item in enumerate(value):
                if not isinstance(item, dict):
                    errors[index] = ["Expected a condition."]
                    continue
                try:
                    loaded.append(ConditionSchema().load(item))
                except ValidationError as exc:
                    errors[index] = exc.messages
            if errors:
                raise ValidationError(errors)
            return loaded
        raise ValidationError("Expected a condition, or a list of 1 to 20 conditions.")


class QuestionSchema(StrictSchema):
    id = fields.String(
        required=True,
        validate=validate.Regexp(
            ID_RE, error="Use lower-case letters, digits and '_', starting with a letter."
        ),
    )
    type = fields.String(required=True, validate=validate.OneOf(QUESTION_TYPES))
    label = Text(required=True)
    help = Text()
    required = _strict_bool(load_default=False)
    show_if = ShowIf()
    options = fields.List(fields.Nested(OptionSchema), validate=validate.Length(min=1, max=100))
    max_choices = _strict_int(validate=validate.Range(min=1, max=100))
    min = StrictNumber()
    max = StrictNumber()
    min_label = Text()
    max_label = Text()
    integer = _strict_bool()
    max_length = _strict_int(validate=validate.Range(min=1, max=10_000))
    places = fields.List(fields.Nested(PlaceSchema), validate=validate.Length(min=1, max=500))
    max_photos = _strict_int(validate=validate.Range(min=1, max=10))
    questions = fields.List(
        fields.Nested(lambda: QuestionSchema()), validate=validate.Length(min=1, max=50)
    )
    max_entries = _strict_int(validate=validate.Range(min=1, max=DEFAULT_MAX_ENTRIES))
    category = fields.String(validate=validate.Regexp(ID_RE, error="Not a question id."))
    severity = fields.String(validate=validate.Regexp(ID_RE, error="Not a question id."))


class DefinitionSchema(StrictSchema):
    """A questionnaire definition document."""

    slug = fields.String(
        required=True,
        validate=validate.Regexp(SLUG_RE, error="Use lower-case letters, digits and '-'."),
    )
    title = Text(required=True)
    description = Text()
    languages = fields.List(
        fields.String(
            validate=validate.Regexp(LANGUAGE_RE, error="Not a language code such as sv, en or ar.")
        ),
        required=True,
        validate=validate.Length(min=1, max=20),
    )
    default_language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE_RE, error="Not a language code such as sv, en or ar."),
        metadata={"description": "One of the languages"},
    )
    questions = fields.List(
        fields.Nested(QuestionSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_QUESTIONS),
    )

    @validates_schema
    def consistent(self, data, **kwargs):
        problems = _consistency_problems(data)
        if problems:
            raise ValidationError(problems)


# --- checks across fields ---------------------------------------------------


def _consistency_problems(data: dict) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}

    def add(path: str, message: str) -> None:
        problems.setdefault(path, []).append(message)

    languages = data["languages"]
    if len(set(languages)) != len(languages):
        add("languages", "A language is listed twice.")
    if data["default_language"] not in languages:
        add("default_language", f"{data['default_language']!r} is not one of the languages.")

    def check_text(path: str, value: Any) -> None:
        if isinstance(value, dict):
            for lang in value:
                if lang not in languages:
                    add(f"{path}.{lang}", f"{lang!r} is not one of the questionnaire's languages.")
            for lang in languages:
                if lang not in value:
                    add(path, f"The {lang!r} text is missing.")

    check_text("title", data["title"])
    if "description" in data:
        check_text("description", data["description"])

    seen: dict[str, str] = {}
    # What a show_if may refer to: earlier questions outside groups, and earlier
    # questions of the same group.
    visible_before: dict[str, dict] = {}

    def check_question(path: str, q: dict, in_group: bool, scope: dict[str, dict]) -> None:
        qtype = q["type"]
        if q["id"] in seen:
            add(f"{path}.id", f"The id {q['id']!r} is used twice (also at {seen[q['id']]}).")
        else:
            seen[q["id"]] = path
        for key in sorted(set(q) - COMMON_KEYS - TYPE_KEYS[qtype]):
            add(f"{path}.{key}", f"A {qtype} question has no {key!r}.")
        for key in ("label", "help", "min_label", "max_label"):
            if key in q:
                check_text(f"{path}.{key}", q[key])
        for list_key in ("options", "places"):
            values: set[str] = set()
            for index, option in enumerate(q.get(list_key) or []):
                check_text(f"{path}.{list_key}[{index}].label", option["label"])
                if option["value"] in values:
                    add(f"{path}.{list_key}[{index}].value", f"{option['value']!r} is used twice.")
                values.add(option["value"])
                if ("lat" in option) != ("lon" in option):
                    add(
                        f"{path}.{list_key}[{index}].lat",
                        "A place's position needs both lat and lon.",
                    )
        if qtype in ("single", "multi") and "options" not in q:
            add(f"{path}.options", f"A {qtype} question needs options.")
        if "max_choices" in q and "options" in q and q["max_choices"] > len(q["options"]):
            add(f"{path}.max_choices", "It is larger than the number of options.")
        if qtype == "scale":
            for bound in ("min", "max"):
                if bound not in q:
                    add(f"{path}.{bound}", "A scale question needs min and max.")
                elif not isinstance(q[bound], int):
                    add(f"{path}.{bound}", "A scale runs between whole numbers.")
            if isinstance(q.get("min"), int) and isinstance(q.get("max"), int):
                if q["min"] >= q["max"]:
                    add(f"{path}.max", "It must be larger than min.")
                elif q["max"] - q["min"] + 1 > MAX_SCALE_POINTS:
                    add(f"{path}.max", f"A scale has at most {MAX_SCALE_POINTS} points.")
        if qtype == "number" and "min" in q and "max" in q and q["min"] > q["max"]:
            add(f"{path}.max", "It must not be smaller than min.")
        if qtype == "group":
            if in_group:
                add(f"{path}.type", "A group cannot hold another group.")
            elif "questions" not in q:
                add(f"{path}.questions", "A group needs questions.")
            else:
                inner_scope = dict(scope)
                for index, sub in enumerate(q["questions"]):
                    check_question(f"{path}.questions[{index}]", sub, True, inner_scope)
                for key, types in (("category", CATEGORY_TYPES), ("severity", SEVERITY_TYPES)):
                    if problem := _group_role_problem(q, key, types):
                        add(f"{path}.{key}", problem)
        for index, condition in enumerate(q.get("show_if") or []):
            check_condition(f"{path}.show_if[{index}]", condition, q["id"], scope)
        if qtype != "group":
            scope[q["id"]] = q

    def check_condition(path: str, condition: dict, own_id: str, scope: dict[str, dict]) -> None:
        target_id = condition["question"]
        target = scope.get(target_id)
        if target is None:
            if target_id == own_id:
                add(f"{path}.question", "A question cannot depend on itself.")
            else:
                add(
                    f"{path}.question",
                    f"{target_id!r} is not an earlier question outside a group"
                    " or in the same group.",
                )
            return
        compared = [condition[op] for op in ("equals", "not_equals") if op in condition]
        compared += condition.get("in", [])
        if not compared:
            return
        ttype = target["type"]
        if ttype in ("single", "multi"):
            if "options" not in target:
                return  # reported at the target: it needs options
            allowed = {o["value"] for o in target["options"]}
            for value in compared:
                if value not in allowed:
                    add(path, f"{value!r} is not an option of {target_id!r}.")
        elif ttype == "yesno":
            if any(not isinstance(v, bool) for v in compared):
                add(path, f"{target_id!r} is a yes/no question: compare with true or false.")
        elif ttype in ("scale", "number"):
            if any(isinstance(v, bool) or not isinstance(v, int | float) for v in compared):
                add(path, f"{target_id!r} is a {ttype} question: compare with a number.")
        else:
            add(path, f"A {ttype} question can only be tested with 'answered'.")

    for index, question in enumerate(data["questions"]):
        check_question(f"questions[{index}]", question, False, visible_before)
    return problems


def _group_role_problem(group: dict, key: str, types: tuple[str, ...]) -> str | None:
    """What is wrong with a group's category or severity, which names one of its
    questions of a fitting type."""
    if key not in group:
        return None
    named = next((q for q in group["questions"] if q["id"] == group[key]), None)
    if named is None:
        return f"{group[key]!r} is not a question of this group."
    if named["type"] not in types:
        return f"{group[key]!r} is a {named['type']} question; use one of: {', '.join(types)}."
    return None


# --- entry points -----------------------------------------------------------


def _too_large(data: Any) -> bool:
    stack, count = [data], 0
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_NODES:
            return True
        if isinstance(node, dict):
            stack.extend(node.keys())
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False


def validate_definition(data: Any) -> dict:
    """Return the definition in its normal form, or raise DefinitionError."""
    if not isinstance(data, dict):
        raise DefinitionError.whole("A definition is a mapping with slug, title and questions.")
    if _too_large(data):
        raise DefinitionError.whole(f"The document has more than {MAX_NODES} values.")
    try:
        loaded = DefinitionSchema().load(data)
    except ValidationError as exc:
        raise DefinitionError(flatten_errors(exc.messages)) from None
    except RecursionError:
        raise DefinitionError.whole("The document is nested too deeply.") from None
    return loaded


def parse_document(text: str, name: str) -> Any:
    """Parse YAML or JSON text (JSON is YAML), raising DefinitionError on bad syntax."""
    try:
        if name.endswith(".json"):
            return json.loads(text)
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise DefinitionError.whole(f"{name} is not valid YAML{where}: {exc.problem}.") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise DefinitionError.whole(f"{name} could not be read: {exc}") from None
    except RecursionError:
        raise DefinitionError.whole(f"{name} is nested too deeply.") from None


def canonical_json(definition: dict) -> str:
    return json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(definition: dict) -> str:
    """A fingerprint of the content: equal for equal definitions, whatever the key order."""
    return hashlib.sha256(canonical_json(definition).encode()).hexdigest()


def iter_questions(definition: dict) -> Iterator[tuple[dict, dict | None]]:
    """Every question with the group it belongs to (None at the top level)."""
    for question in definition["questions"]:
        yield question, None
        for sub in question.get("questions", ()):
            yield sub, question


def text_in(value: str | dict, language: str, default_language: str) -> str:
    """A text in the given language (a plain text serves every language)."""
    if isinstance(value, str):
        return value
    return value.get(language) or value[default_language]
