"""One error shape: JSON under /api, a friendly page elsewhere."""

from __future__ import annotations

import json
from http import HTTPStatus

import flask_smorest
from flask import g, render_template, request
from flask_smorest import Api
from webargs.flaskparser import FlaskParser, abort
from werkzeug.exceptions import HTTPException

from .error_paths import WHOLE, flatten_errors
from .i18n import DEFAULT_LANGUAGE


def is_api_request() -> bool:
    return request.path == "/api" or request.path.startswith("/api/")


class SurveyApi(Api):
    """flask-smorest's JSON errors for the API, HTML pages for the rest of the site."""

    def handle_http_exception(self, error: HTTPException):
        if not is_api_request():
            # Refused before the language was chosen (a request too large to read).
            g.setdefault("lang", DEFAULT_LANGUAGE)
            message = (getattr(error, "data", None) or {}).get("message")
            return (
                render_template("error.html", error=error, message=message),
                error.code or 500,
                _headers(error),
            )
        payload, code, headers = super().handle_http_exception(error)
        # Errors raised by Flask or its extensions carry their reason in the description.
        if "message" not in payload and error.description and code != 500:
            payload["message"] = error.description
        if code == 500:
            payload["message"] = "Something went wrong on the server; nothing was stored."
        return payload, code, {**_headers(error), **(headers or {})}


def _headers(error: HTTPException) -> dict:
    # Keep Allow (405) and WWW-Authenticate (401) from Werkzeug's own response.
    response = error.get_response()
    return {k: v for k, v in response.headers.items() if k in ("Allow", "WWW-Authenticate")}


class _FlatErrorParser(FlaskParser):
    """webargs' parser, reporting problems by path (``questions[3].label``) per location."""

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        messages = error.messages if isinstance(error.messages, dict) else {"json": error.messages}
        abort(
            error_status_code or self.DEFAULT_VALIDATION_STATUS,
            exc=error,
            messages={location: flatten_errors(m) for location, m in messages.items()},
            schema=schema,
            headers=error_headers,
        )

    def _raw_load_json(self, req):
        # Read once per request: the check for unstorable text (clean_input) has
        # parsed the body already, and Flask keeps what it parsed.
        try:
            document = req.get_json(silent=True) if req.is_json else None
            if document is not None:
                return document
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise  # webargs answers these itself
        except RecursionError:
            abort(400, messages={"json": {WHOLE: ["The JSON body is nested too deeply."]}})
        except ValueError:
            # Python refuses integers of over 4300 digits.
            abort(400, messages={"json": {WHOLE: ["The JSON body has a number too long."]}})


class Blueprint(flask_smorest.Blueprint):
    """The API's blueprint: same as flask-smorest's, with errors reported by path."""

    ARGUMENTS_PARSER = _FlatErrorParser()

    def errors(self, *codes: int):
        """Document the error statuses an operation answers, each in the one error shape."""

        def decorator(func):
            for code in codes:
                func = self.alt_response(code, response=HTTPStatus(code).name)(func)
            return func

        return decorator
