from marshmallow import Schema, fields


class OrganisationSchema(Schema):
    slug = fields.String()
    name = fields.String()


class AccountSchema(Schema):
    """The signed-in user's own account."""

    email = fields.Email()
    role = fields.String(metadata={"enum": ["staff", "coordinator", "admin"]})
    organisation = fields.Nested(OrganisationSchema)
