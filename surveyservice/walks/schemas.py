"""The observations API's query arguments, bodies and answers."""

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from ..questionnaires.definition import SLUG_RE, VALUE_RE
from ..results.exports.api import DialectQuerySchema
from ..results.schemas import DAY_RANGE, ID_RANGE, QueryNumber
from .exports import LABELS
from .observations import MAX_NOTE_LENGTH, RESPONSIBLES, STATUSES

# The years DAY_RANGE takes, for the document: a date schema has no minimum.
DAY_PATTERN = "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"
MAX_VALUES = 50  # values of one filter: more than any group offers


class StrictBoolean(fields.Boolean):
    """A JSON true or false, nothing else: "yes" or 1 taken as true would publish an
    observation nobody meant to."""

    default_error_messages = {"invalid": "Expected true or false."}

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _values(description: str, **kwargs) -> fields.List:
    return fields.List(
        fields.String(**kwargs),
        validate=validate.Length(max=MAX_VALUES),
        metadata={"description": f"{description}; repeat the parameter for several"},
    )


class ExportFiltersSchema(Schema):
    """Which of a questionnaire's observations: every filter given must hold."""

    point = QueryNumber(
        validate=ID_RANGE,
        metadata={"description": "A walk's (collection point's) id"},
    )
    area = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "An area's name (the walk's area); case and spacing do not matter"
        },
    )
    category = _values(
        "Observations whose entry chose any of these values for its group's category question",
        validate=validate.Regexp(VALUE_RE, error="Not an option's value."),
    )
    severity = _values(
        "Observations whose entry's severity answer is one of these",
        validate=validate.Regexp(VALUE_RE, error="Not an option's or scale's value."),
    )
    status = _values(
        "Observations whose follow-up has one of these statuses",
        validate=validate.OneOf(STATUSES),
    )
    public = fields.Boolean(
        truthy={"true"},
        falsy={"false"},
        metadata={
            "description": "true: only the observations marked for the area's public page; "
            "false: only those not marked"
        },
    )
    from_ = fields.Date(
        data_key="from",
        validate=DAY_RANGE,
        metadata={
            "description": "The first day included (YYYY-MM-DD), in the organisation's time "
            "zone: observed that day or later",
            "pattern": DAY_PATTERN,
        },
    )
    to = fields.Date(
        validate=DAY_RANGE,
        metadata={
            "description": "The last day included (YYYY-MM-DD), in the organisation's time zone",
            "pattern": DAY_PATTERN,
        },
    )


class ListQuerySchema(ExportFiltersSchema):
    questionnaire = fields.String(
        validate=validate.Regexp(SLUG_RE, error="Not a questionnaire's slug."),
        metadata={"description": "A questionnaire's slug", "pattern": SLUG_RE},
    )


class LabelsQuerySchema(ExportFiltersSchema):
    labels = fields.String(
        load_default="values",
        validate=validate.OneOf(LABELS),
        metadata={
            "description": "values: option values, status and responsible codes; sv, en or "
            "ar: their labels and names in that language. Column names stay question ids."
        },
    )


class CsvQuerySchema(DialectQuerySchema, LabelsQuerySchema):
    """The filters, the labels and the CSV dialect of the observations' export."""


NOTE_LENGTH = validate.Length(max=MAX_NOTE_LENGTH)


class FollowUpChangeSchema(Schema):
    """The follow-up fields to change; the others stay as they are."""

    class Meta:
        openapi = {"minProperties": 1}

    status = fields.String(validate=validate.OneOf(STATUSES))
    responsible = fields.String(
        allow_none=True,
        validate=validate.OneOf(RESPONSIBLES),
        metadata={"description": "Who acts on it; null for nobody yet"},
    )
    public_note = fields.String(
        validate=NOTE_LENGTH,
        metadata={
            "description": "What residents may be told. Personal data in it (phone "
            "numbers, names, ...) is masked when stored, as in residents' answers; an empty "
            "text clears it",
        },
    )
    internal_note = fields.String(
        validate=NOTE_LENGTH,
        metadata={
            "description": "For the organisation only: kept as written, never shown "
            "publicly nor written to the audit log",
        },
    )
    public = StrictBoolean(
        metadata={
            "description": "true: shown on the area's public page once it is next published "
            "(its category, a rough place to about 100 m, the day, the status and the public "
            "note; never photos, the internal note or other answers); false: not shown. "
            "Only true or false"
        },
    )

    @validates_schema
    def something_to_change(self, data, **kwargs):
        if not data:
            raise ValidationError("Give at least one field to change.")


class PositionSchema(Schema):
    lat = fields.Float(metadata={"description": "WGS 84 degrees"})
    lon = fields.Float(metadata={"description": "WGS 84 degrees"})
    accuracy = fields.Float(
        allow_none=True, metadata={"description": "Metres, as the device reported it"}
    )


class PhotoLinkSchema(Schema):
    id = fields.UUID()
    url = fields.String(
        metadata={"description": "The photo, for signed-in staff of the organisation only"}
    )


class FollowUpSchema(Schema):
    status = fields.String(metadata={"enum": list(STATUSES)})
    responsible = fields.String(allow_none=True, metadata={"enum": [*RESPONSIBLES, None]})
    public_note = fields.String()
    internal_note = fields.String()
    public = fields.Boolean(
        metadata={"description": "Marked for the area's public page (shown once it is published)"}
    )
    updated_at = fields.DateTime(allow_none=True)


class ChangeSchema(Schema):
    changed_at = fields.DateTime()
    user = fields.String(
        allow_none=True, metadata={"description": "Who made it (e-mail); null if unknown"}
    )
    changes = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Raw()),
        metadata={"description": "Each field changed: [old, new]"},
    )


class ObservationSchema(Schema):
    id = fields.Integer()
    questionnaire = fields.String(metadata={"description": "The questionnaire's slug"})
    point_id = fields.Integer(metadata={"description": "The walk's (collection point's) id"})
    point = fields.String(metadata={"description": "The walk's name"})
    area = fields.String()
    response_id = fields.UUID()
    group = fields.String(metadata={"description": "The group question's id"})
    entry = fields.Integer(metadata={"description": "The entry's number in the group, from 1"})
    observed_at = fields.DateTime(
        metadata={"description": "The hour the walk was recorded (else received), UTC"}
    )
    position = fields.Nested(
        PositionSchema,
        allow_none=True,
        metadata={"description": "Given, or the named place's; null when neither is known"},
    )
    place = fields.String(allow_none=True, metadata={"description": "A named place's value"})
    category = fields.List(
        fields.String(), metadata={"description": "The values of the group's category question"}
    )
    severity = fields.Raw(
        allow_none=True, metadata={"description": "The answer to the group's severity question"}
    )
    follow_up = fields.Nested(FollowUpSchema)


class ObservationDetailSchema(ObservationSchema):
    answers = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "The entry's answers, by question id, as stored"},
    )
    photos = fields.List(
        fields.Nested(PhotoLinkSchema),
        metadata={"description": "The entry's photos that were not deleted"},
    )
    history = fields.List(
        fields.Nested(ChangeSchema),
        metadata={"description": "The follow-up's changes, oldest first"},
    )
