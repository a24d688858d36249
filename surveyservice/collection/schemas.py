from datetime import datetime

from marshmallow import Schema, ValidationError, fields, validate

from ..text import one_line_problem
from .models import Channel, PointKind, PointStatus

# Version numbers and times a database can hold; anything else is a client's mistake.
VERSION_RANGE = validate.Range(min=1, max=2**31 - 1)


def one_line(value: str) -> None:
    if problem := one_line_problem(value):
        raise ValidationError(problem)


def plausible_time(moment: datetime) -> None:
    # Checked on the local year, before any conversion to UTC could overflow.
    if not 2000 <= moment.year <= 2100:
        raise ValidationError("Expected a time between the years 2000 and 2100.")


class PointSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=[validate.Length(min=1, max=200), one_line])
    area = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=100), one_line],
        metadata={
            "description": "Free text; Sanden and Torpa are suggested",
        },
    )
    kind = fields.Enum(PointKind, by_value=True, required=True)
    questionnaire = fields.String(
        required=True, metadata={"description": "The questionnaire's slug"}
    )
    version = fields.Integer(
        strict=True,
        allow_none=True,
        load_default=None,
        validate=VERSION_RANGE,
        metadata={"description": "A pinned version number; null serves the latest published"},
    )
    opens_at = fields.AwareDateTime(
        validate=plausible_time, metadata={"description": "Default: now"}
    )
    closes_at = fields.AwareDateTime(allow_none=True, load_default=None, validate=plausible_time)
    token = fields.String(dump_only=True)
    url = fields.String(
        dump_only=True, metadata={"description": "The form's address (the QR code)"}
    )
    status = fields.Enum(PointStatus, by_value=True, dump_only=True)
    served_version = fields.Integer(dump_only=True, allow_none=True)


class PointChangeSchema(PointSchema):
    """The fields to change; the others stay as they are."""


class SubmissionSchema(Schema):
    id = fields.UUID(
        required=True, metadata={"description": "Made by the client; retries reuse it"}
    )
    version = fields.Integer(
        strict=True,
        required=True,
        validate=VERSION_RANGE,
        metadata={"description": "The version number answered"},
    )
    language = fields.String(required=True, validate=validate.Length(max=16))
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
        metadata={"description": "When the answer was given, by the device's clock"},
    )
    channel = fields.Enum(
        Channel,
        by_value=True,
        load_default=Channel.RESIDENT,
        metadata={"description": "'staff' needs a signed-in staff member of the organisation"},
    )


class BatchSchema(Schema):
    responses = fields.List(
        fields.Raw(),
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "Up to 100 responses, each as in Submission; each is "
            "checked and stored on its own"
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
    status = fields.Enum(PointStatus, by_value=True)
    opens_at = fields.DateTime()
    closes_at = fields.DateTime(allow_none=True)
    version = fields.Integer()
    definition = fields.Dict()
