"""Readable API documentation, rendered on the server from the OpenAPI document.

Served from this app alone: no script or style from another site.
"""

from flask import Blueprint, render_template

from .extensions import api

bp = Blueprint("apidocs", __name__)

METHODS = ("get", "post", "put", "patch", "delete")


@bp.get("/api/v1/docs")
def docs():
    spec = api.spec.to_dict()
    operations = [
        {"path": path, "method": method, **item[method]}
        for path, item in spec["paths"].items()
        for method in METHODS
        if method in item
    ]
    return render_template(
        "apidocs.html",
        spec=spec,
        operations=operations,
        schemas=spec.get("components", {}).get("schemas", {}),
    )
