"""The results API's query arguments and answers."""

from datetime import date

from marshmallow import Schema, fields, validate

from ..collection.models import Channel, PointKind
from ..questionnaires.definition import LANGUAGE_RE
from ..text import parse_whole_number
from .summary import (
    EDGE_DAYS_TOO_SMALL,
    OTHER_VERSIONS_TOO_SMALL,
    REST_TOO_SMALL,
    SELECTION_TOO_SMALL,
)

# Ids and numbers a database can hold; anything else names nothing.
ID_RANGE = validate.Range(min=1, max=2**31 - 1)
# Whole days the service can turn into times (a day past date.max could not end).
DAY_RANGE = validate.Range(
    min=date(2000, 1, 1),
    max=date(2100, 12, 31),
    error="Expected a date between 2000-01-01 and 2100-12-31.",
)
# The same, for the OpenAPI document (JSON Schema has no range of dates).
DAY_PATTERN = r"^(20[0-9]{2}|2100)-"


class QueryNumber(fields.Integer):
    """A whole number in a query string, written in ASCII digits only: int() would
    read "1_0" as 10 and "٢" as 2."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, str) and parse_whole_number(value) is None:
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class ResultsQuerySchema(Schema):
    """The filters of a results view or export; each names what the organisation knows."""

    point = QueryNumber(
        validate=ID_RANGE,
        metadata={"description": "A collection point's id (one of this questionnaire's)"},
    )
    area = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={"description": "An area's name; case and spacing do not matter"},
    )
    kind = fields.String(
        validate=validate.OneOf([k.value for k in PointKind]),
        metadata={"description": "The kind of collection point"},
    )
    channel = fields.String(
        validate=validate.OneOf([c.value for c in Channel]),
        metadata={"description": "resident: the resident's own phone; staff: a staff tablet"},
    )
    version = QueryNumber(
        validate=ID_RANGE,
        metadata={"description": "A published version's number"},
    )
    from_ = fields.Date(
        data_key="from",
        validate=DAY_RANGE,
        metadata={
            "description": "The first day included (YYYY-MM-DD, 2000 to 2100), in the "
            "organisation's time zone",
            "pattern": DAY_PATTERN,
        },
    )
    to = fields.Date(
        validate=DAY_RANGE,
        metadata={
            "description": "The last day included (YYYY-MM-DD, 2000 to 2100), in the "
            "organisation's time zone",
            "pattern": DAY_PATTERN,
        },
    )
    language = fields.String(
        validate=validate.Regexp(LANGUAGE_RE, error="Not a language code such as sv, en or ar."),
        metadata={
            "description": "The language the answers were given in (one of the "
            "questionnaire's). Sensitive, as it can hint at origin: asking for it is recorded "
            "in the audit log"
        },
    )


SUPPRESSED = (
    "null when suppressed: it describes fewer people than the organisation's threshold, "
    "or would let one be worked out (docs/results.md)"
)
WITHHELD_REASONS = [
    SELECTION_TOO_SMALL,
    REST_TOO_SMALL,
    EDGE_DAYS_TOO_SMALL,
]
TEXTS = {"description": "By language code", "additionalProperties": {"type": "string"}}


class FiltersSchema(Schema):
    point = fields.Integer(allow_none=True)
    area = fields.String(allow_none=True, metadata={"description": "The area's name as stored"})
    kind = fields.String(allow_none=True)
    channel = fields.String(allow_none=True)
    version = fields.Integer(allow_none=True)
    language = fields.String(allow_none=True)
    since = fields.Date(data_key="from", allow_none=True)
    until = fields.Date(data_key="to", allow_none=True)


class ThresholdsSchema(Schema):
    k = fields.Integer(metadata={"description": "The smallest group a figure may describe"})
    text_k = fields.Integer(
        metadata={"description": "The smallest group whose free-text answers are listed"}
    )


class CellSchema(Schema):
    value = fields.String(
        allow_none=True,
        metadata={
            "description": "An option's or scale value's value, 'answered' for questions not "
            "counted by value, or null for the cell of those who did not answer"
        },
    )
    label = fields.Dict(keys=fields.String(), values=fields.String(), metadata=TEXTS)
    count = fields.Integer(allow_none=True, metadata={"description": f"Answers; {SUPPRESSED}"})
    share = fields.Float(
        allow_none=True,
        metadata={"description": f"Of the question's total, 0 to 1; {SUPPRESSED}"},
    )


class QuestionSummarySchema(Schema):
    id = fields.String()
    type = fields.String()
    label = fields.Dict(keys=fields.String(), values=fields.String(), metadata=TEXTS)
    versions = fields.List(
        fields.Integer(),
        metadata={"description": "The versions counted: those where the question means the same"},
    )
    total = fields.Integer(
        allow_none=True,
        metadata={"description": "Responses asked; the cells add up to it. null when withheld"},
    )
    cells = fields.List(fields.Nested(CellSchema))
    median = fields.Float(
        allow_none=True, metadata={"description": f"Scale and number questions; {SUPPRESSED}"}
    )
    texts = fields.List(
        fields.String(),
        allow_none=True,
        metadata={
            "description": "Free-text answers, masked, in a random order (at most 200); null "
            "when the view or what it leaves out is too small for them to be listed"
        },
    )
    withheld = fields.String(
        allow_none=True,
        metadata={
            "description": "Why the whole question is withheld, else null",
            "enum": [OTHER_VERSIONS_TOO_SMALL, None],
        },
    )


class DayCountSchema(Schema):
    day = fields.Date()
    count = fields.Integer(
        allow_none=True,
        metadata={"description": f"Responses that day (a day without any shows 0); {SUPPRESSED}"},
    )


class SummarySchema(Schema):
    slug = fields.String()
    title = fields.Dict(keys=fields.String(), values=fields.String(), metadata=TEXTS)
    languages = fields.List(fields.String())
    filters = fields.Nested(FiltersSchema, metadata={"description": "The filters applied"})
    thresholds = fields.Nested(ThresholdsSchema)
    total = fields.Integer(
        allow_none=True,
        metadata={"description": "Responses in the view; null when the view is withheld"},
    )
    withheld = fields.String(
        allow_none=True,
        metadata={
            "description": "Why the whole view is withheld (then no figure is given), else null",
            "enum": [*WITHHELD_REASONS, None],
        },
    )
    days = fields.List(
        fields.Nested(DayCountSchema),
        metadata={"description": "Responses per day, from the first day with any to the last"},
    )
    questions = fields.List(fields.Nested(QuestionSummarySchema))
