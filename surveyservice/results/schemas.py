"""The results API's query arguments and answers."""

from datetime import date

from marshmallow import Schema, fields, validate

from ..collection.models import Channel, PointKind
from ..questionnaires.definition import LANGUAGE_RE

# Ids and numbers a database can hold; anything else names nothing.
ID_RANGE = validate.Range(min=1, max=2**31 - 1)
# Whole days the service can turn into times (a day past date.max could not end).
DAY_RANGE = validate.Range(
    min=date(2000, 1, 1),
    max=date(2100, 12, 31),
    error="Expected a date between 2000-01-01 and 2100-12-31.",
)


class ResultsQuerySchema(Schema):
    """The filters of a results view or export; each names what the organisation knows."""

    point = fields.Integer(
        strict=False,
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
    version = fields.Integer(
        strict=False,
        validate=ID_RANGE,
        metadata={"description": "A published version's number"},
    )
    from_ = fields.Date(
        data_key="from",
        validate=DAY_RANGE,
        metadata={
            "description": "The first day included (YYYY-MM-DD), in the organisation's time zone"
        },
    )
    to = fields.Date(
        validate=DAY_RANGE,
        metadata={
            "description": "The last day included (YYYY-MM-DD), in the organisation's time zone"
        },
    )
    language = fields.String(
        validate=validate.Regexp(LANGUAGE_RE, error="Not a language code such as sv, en or ar."),
        metadata={
            "description": "The language the answers were given in. Sensitive (it can "
            "hint at origin): asking for it is recorded in the audit log"
        },
    )
