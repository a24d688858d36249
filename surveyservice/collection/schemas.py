from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..questionnaires.definition import LANGUAGE_RE, SLUG_RE, WholeNumber
from ..text import ONE_LINE_PATTERN, one_line_problem
from .models import Channel, PointKind, PointStatus
from .points import TOKEN_ALPHABET, TOKEN_LENGTH

# Version numbers and times a database can hold; anything else is a client's mistake.
VERSION_RANGE = validate.Range(min=1, max=2**31 - 1)
# The years plausible_time takes, for the OpenAPI document: a date-time whose year
# is 2000 to 2100 (in its own time zone).
PLAUSIBLE_TIME_DOC = {
    "pattern": r"^(20[0-9]{2}|2100)-",
    "description": "A time with its offset, between the years 2000 and 2100",
}
ONE_LINE_DOC = {"pattern": ONE_LINE_PATTERN}
TOKEN_PATTERN = f"^[{TOKEN_ALPHABET}]{{{TOKEN_LENGTH}}}$"


def at_most_twenty(names: dict) -> None:
    if len(names) > 20:
        raise ValidationError("At most 20 languages.")


def one_line(value: str) -> None:
    if problem := one_line_problem(value):
        raise ValidationError(problem)


def plausible_time(moment: datetime) -> None:
    # Checked on the local year, before any conversion to UTC could overflow.
    if not 2000 <= moment.year <= 2100:
        raise ValidationError("Expected a time between the years 2000 and 2100.")


class PointSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=200), one_line],
        metadata={**ONE_LINE_DOC, "description": "One line of text"},
    )
    names = fields.Dict(
        keys=fields.String(
            validate=validate.Regexp(LANGUAGE_RE, error="Not a language code such as sv, en or ar.")
        ),
        values=fields.String(
            validate=[validate.Length(min=1, max=200), one_line],
            metadata={**ONE_LINE_DOC, "minLength": 1, "maxLength": 200},
        ),
        validate=at_most_twenty,
        metadata={
            "description": "The name in other languages, by language code (such as "
            '{"ar": "...", "en": "..."}); a language without one shows `name`',
            "maxProperties": 20,
            # In allOf: the generator passes on no propertyNames of its own.
            "allOf": [{"propertyNames": {"pattern": LANGUAGE_RE.pattern}}],
        },
    )
    area = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), one_line],
        metadata={
            **ONE_LINE_DOC,
            "description": "The name of one of your organisation's areas (GET /api/v1/areas), "
            "compared regardless of case and spacing; an unknown name is refused (422) with "
            "the known ones named",
        },
    )
    kind = fields.Enum(PointKind, by_value=True, required=True)
    questionnaire = fields.String(
        required=True,
        validate=validate.Regexp(SLUG_RE, error="Not a questionnaire's slug."),
        metadata={"description": "The slug of one of your questionnaires with a published version"},
    )
    version = WholeNumber(
        allow_none=True,
        load_default=None,
        validate=VERSION_RANGE,
        metadata={"description": "A published version's number to serve; null serves the latest"},
    )
    opens_at = fields.AwareDateTime(
        validate=plausible_time,
        metadata={
            **PLAUSIBLE_TIME_DOC,
            "description": PLAUSIBLE_TIME_DOC["description"] + "; default: now",
        },
    )
    closes_at = fields.AwareDateTime(
        allow_none=True,
        load_default=None,
        validate=plausible_time,
        metadata={
            **PLAUSIBLE_TIME_DOC,
            "description": PLAUSIBLE_TIME_DOC["description"] + ", later than opens_at; "
            "null: open until closed",
        },
    )
    token = fields.String(dump_only=True, metadata={"pattern": TOKEN_PATTERN})
    url = fields.String(
        dump_only=True, metadata={"description": "The form's address (the QR code)"}
    )
    status = fields.Enum(PointStatus, by_value=True, dump_only=True)
    served_version = fields.Integer(dump_only=True, allow_none=True)


class PointChangeSchema(PointSchema):
    """The fields to change; the others stay as they are."""

    class Meta:
        openapi = {"minProperties": 1}

    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.")


class SubmissionSchema(Schema):
    id = fields.UUID(
        required=True, metadata={"description": "Made by the client; retries reuse it"}
    )
    version = WholeNumber(
        required=True,
        validate=VERSION_RANGE,
        metadata={"description": "The version number answered"},
    )
    language = fields.String(
        required=True,
        validate=validate.Regexp(LANGUAGE_RE, error="Not a language code such as sv, en or ar."),
        metadata={"description": "One of the languages of the version answered"},
    )
    answers = fields.Dict(
        keys=fields.String(),
        required=True,
        metadata={
            "description": "Question id → answer: an option value, a list of option values, "
            "a number, true/false, a date (YYYY-MM-DD), a text, or a location "
            '({"place": value} or {"lat": .., "lon": ..})'
        },
    )
    recorded_at = fields.AwareDateTime(
        load_default=None,
        validate=plausible_time,
        metadata={
            **PLAUSIBLE_TIME_DOC,
            "description": "When the answer was given, by the device's clock: "
            + PLAUSIBLE_TIME_DOC["description"].lower()
            + ", not in the future",
        },
    )
    channel = fields.Enum(
        Channel,
        by_value=True,
        load_default=Channel.RESIDENT,
        metadata={"description": "'staff' needs a signed-in staff member of the organisation"},
    )


class SentAsIs(fields.Nested):
    """A nested object checked against its schema but passed on as it was sent."""

    def _deserialize(self, value, attr, data, **kwargs):
        super()._deserialize(value, attr, data, **kwargs)
        return value


class BatchSchema(Schema):
    # A response that is not even the shape of one refuses the batch (422, naming it
    # by its place, responses[3].id): a device then sends fewer at a time to find it.
    # Everything else (answers that do not fit, a closed point) is each response's
    # own result, so that one bad answer never holds back the others.
    responses = fields.List(
        SentAsIs(SubmissionSchema),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Up to 100 responses; each is stored on its own, and its "
            "result says what came of it"
        },
    )


class BatchItemResultSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.Integer(metadata={"description": "201 stored, 200 stored before, or an error"})
    message = fields.String()
    errors = fields.Dict()


class BatchResultSchema(Schema):
    results = fields.List(fields.Nested(BatchItemResultSchema))


class StoredResponseSchema(Schema):
    id = fields.UUID()
    version = fields.Integer()
    language = fields.String()
    channel = fields.Enum(Channel, by_value=True)
    received_at = fields.DateTime(metadata={"description": "Rounded down to the hour"})
    recorded_at = fields.DateTime(
        allow_none=True, metadata={"description": "Given at, rounded down to the hour"}
    )
    answers = fields.Dict(
        metadata={"description": "As stored: free text masked, positions coarsened"}
    )


class PublicPointSchema(Schema):
    """What the resident form needs to know about a collection point."""

    name = fields.String()
    names = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "By language"}
    )
    status = fields.Enum(PointStatus, by_value=True)
    opens_at = fields.DateTime()
    closes_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    definition = fields.Dict()
