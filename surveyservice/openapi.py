"""What the OpenAPI document says beyond what flask-smorest derives from the schemas."""

from __future__ import annotations

from apispec import BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_cls


class SchemaMetaPlugin(BasePlugin):
    """Adds a schema's ``Meta.openapi`` (such as ``minProperties``) to its component:
    rules about the object as a whole, which no field can carry."""

    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        if schema is None:
            return None
        meta = getattr(resolve_schema_cls(schema), "Meta", None)
        return dict(getattr(meta, "openapi", {}))
