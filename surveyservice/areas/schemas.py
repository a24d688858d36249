from marshmallow import Schema, fields


class AreaSchema(Schema):
    id = fields.Integer(dump_only=True)
    name = fields.String(
        dump_only=True,
        metadata={
            "description": "What a collection point's `area` names; unique regardless "
            "of case and spacing"
        },
    )
