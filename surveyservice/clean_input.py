"""Refuse unstorable text in any part of a request before a view sees it.

One check for every door: the path, the query, form fields and JSON bodies. A path
that holds such a character cannot name anything (404); elsewhere the request is
refused as a whole (422), naming where, before anything is looked up or stored.
"""

from __future__ import annotations

from flask import Flask, abort, request
from flask_smorest import abort as api_abort

from .text import UNSTORABLE_MESSAGE, unstorable, unstorable_paths


def _multidict_problems(values) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    for key, value in values.items(multi=True):
        if unstorable(key) or unstorable(value):
            name = "_schema" if unstorable(key) else key
            problems[name] = [UNSTORABLE_MESSAGE]
    return problems


def init_app(app: Flask) -> None:
    # Registered after the body limits, which must be set before anything reads a body.
    @app.before_request
    def refuse_unstorable_text():
        if unstorable(request.path):
            abort(404)
        errors: dict[str, dict[str, list[str]]] = {}
        if query := _multidict_problems(request.args):
            errors["query"] = query
        if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            if form := _multidict_problems(request.form):
                errors["form"] = form
        elif request.is_json:
            try:
                document = request.get_json(silent=True)
            except RecursionError:
                document = None  # the API's parser says what is wrong with it
            if document is not None and (problems := unstorable_paths(document)):
                errors["json"] = problems
        if errors:
            api_abort(
                422,
                message="The request holds control characters or invalid characters; "
                "nothing was stored.",
                errors=errors,
            )
