from marshmallow import Schema, fields

from .definition import DefinitionSchema


class VersionSummarySchema(Schema):
    number = fields.Integer(allow_none=True, metadata={"description": "null for the draft"})
    status = fields.String(metadata={"enum": ["draft", "published"]})
    content_hash = fields.String()
    created_at = fields.DateTime()
    published_at = fields.DateTime(allow_none=True)


class VersionSchema(VersionSummarySchema):
    definition = fields.Nested(DefinitionSchema)


class QuestionnaireSchema(Schema):
    slug = fields.String()
    title = fields.Raw(
        attribute="current_definition.title",
        metadata={"description": "The title of the latest version (text or language → text)"},
    )
    latest_version = fields.Integer(attribute="latest.number", allow_none=True, dump_default=None)
    has_draft = fields.Function(lambda q: q.draft is not None, dump_only=True)
    created_at = fields.DateTime()


class QuestionnaireDetailSchema(QuestionnaireSchema):
    versions = fields.List(fields.Nested(VersionSummarySchema))


# Anything else names no version: the answer is 404, as for a number never published.
VERSION_REF_DOC = {"description": "A version number or 'draft'", "pattern": "^(draft|[0-9]{1,18})$"}


class DiffQuerySchema(Schema):
    from_ = fields.String(data_key="from", required=True, metadata=VERSION_REF_DOC)
    to = fields.String(required=True, metadata=VERSION_REF_DOC)


class QuestionChangeSchema(Schema):
    id = fields.String()
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields")


class DiffSchema(Schema):
    from_ = fields.String(data_key="from", attribute="from")
    to = fields.String()
    added = fields.List(fields.String(), metadata={"description": "Ids of new questions"})
    removed = fields.List(fields.String(), metadata={"description": "Ids of removed questions"})
    changed = fields.List(fields.Nested(QuestionChangeSchema))
    reordered = fields.Boolean()
    settings = fields.List(
        fields.String(), metadata={"description": "Top-level settings that changed"}
    )
