"""Exports of raw answers over the API: thin routes over export.py.

Coordinators and admins only; each export is written to the audit log (committed
before the first byte is sent) with the filters, format and whether the answer
language was included.
"""

from __future__ import annotations

import os

from flask import Response as HttpResponse
from flask import stream_with_context
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort
from marshmallow import RAISE, Schema, fields, validate
from werkzeug.wsgi import FileWrapper

from ...accounts.auth import require_role
from ...accounts.models import Role
from ...audit.log import record
from ...errors import Blueprint
from ...extensions import db
from ...questionnaires.definition import SLUG_RE
from ...questionnaires.permissions import get_questionnaire_or_404
from ..filters import Filters
from ..schemas import DAY_RANGE, ResultsQuerySchema
from ..selection import FilterError, resolve_filters
from .dictionary import dictionary_header, dictionary_rows
from .writing import (
    CSV_TYPE,
    DIALECT_NAMES,
    DIALECTS,
    LABELS,
    LAYOUTS,
    XLSX_TYPE,
    Cells,
    ExportOptions,
    TooManyRows,
    csv_chunks,
    export_plan,
    fetch_rows,
    header,
    responses_query,
    table_rows,
    xlsx_file,
    yes_no_words,
)

blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/questionnaires",
    description="Raw answers as CSV or XLSX, and the data dictionary of their columns. "
    "Columns are keyed by question id and option value across every published version; "
    "rows are in the order of the responses' ids. Coordinators and admins only; every "
    "export is recorded in the audit log.",
)

SLUG = {
    "in": "path",
    "name": "slug",
    "description": "The questionnaire's slug",
    "schema": {"type": "string", "pattern": SLUG_RE},
}
STRICT_BOOLEAN = {"truthy": {"true", "1"}, "falsy": {"false", "0"}}
# A mistyped parameter is refused rather than ignored: an export that silently left
# out a filter would hold answers nobody meant to take out.
QUERY = {"location": "query", "as_kwargs": True, "unknown": RAISE}


# The years DAY_RANGE takes, for the document: a date schema has no minimum.
DAY_PATTERN = {"pattern": "^(20[0-9]{2}|2100)-[0-9]{2}-[0-9]{2}$"}
# What the OpenAPI document says the body is: a file, not JSON.
FILE = {"type": "string", "format": "binary"}


class FiltersQuerySchema(ResultsQuerySchema):
    """The results' filters, with the days' range said in the document as well."""

    from_ = fields.Date(
        data_key="from",
        validate=DAY_RANGE,
        metadata={**ResultsQuerySchema._declared_fields["from_"].metadata, **DAY_PATTERN},
    )
    to = fields.Date(
        validate=DAY_RANGE,
        metadata={**ResultsQuerySchema._declared_fields["to"].metadata, **DAY_PATTERN},
    )


class LabelsQuerySchema(FiltersQuerySchema):
    labels = fields.String(
        load_default="values",
        validate=validate.OneOf(LABELS),
        metadata={
            "description": "values: option values; sv, en or ar: option labels in that "
            "language (the questionnaire's default language where it has none). Column "
            "names stay question ids."
        },
    )
    include_language = fields.Boolean(
        load_default=False,
        **STRICT_BOOLEAN,
        metadata={
            "description": "Add the language each response was given in. It can hint at "
            "ethnic origin: the audit log records that it was asked for."
        },
    )


class DialectQuerySchema(Schema):
    dialect = fields.String(
        load_default="excel-sv",
        validate=validate.OneOf(DIALECT_NAMES),
        metadata={
            "description": "excel-sv: UTF-8 with BOM, ';', decimal comma, CRLF (what "
            "Swedish Excel opens by double-click); rfc4180: UTF-8, ',', decimal point, CRLF"
        },
    )


class CsvQuerySchema(DialectQuerySchema, LabelsQuerySchema):
    layout = fields.String(
        load_default="wide",
        validate=validate.OneOf(LAYOUTS),
        metadata={
            "description": "wide: one row per response, one column per question (a "
            "multiple-choice question one 0/1 column per option and one readable column); "
            "long: one row per answer (response_id, version, question, value)"
        },
    )


def _options(args: dict) -> ExportOptions:
    return ExportOptions(
        layout=args.get("layout", "wide"),
        labels=args.get("labels", "values"),
        dialect=args.get("dialect", "excel-sv"),
        include_language=args.get("include_language", False),
    )


def _filters(questionnaire, args: dict) -> Filters:
    try:
        return resolve_filters(questionnaire, args)
    except FilterError as exc:
        abort(422, message=str(exc), errors={"query": exc.problems})


def _recorded(questionnaire, options: ExportOptions, format_: str, filters: Filters) -> None:
    record(current_user, "results.exported", questionnaire.slug, options.describe(format_, filters))
    db.session.commit()


def _download(body, mimetype: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, mimetype=mimetype, direct_passthrough=True)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Raw answers: no copy kept by a browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@blp.route("/<slug>/responses.csv", parameters=[SLUG])
class ResponsesCsv(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.arguments(CsvQuerySchema, **QUERY)
    @blp.response(
        200,
        FILE,
        content_type="text/csv",
        description="The responses as CSV, streamed; the first line names the columns",
    )
    @blp.errors(401, 403, 404, 422)
    def get(self, slug, **args):
        """Export the responses as CSV, wide or long."""
        questionnaire = get_questionnaire_or_404(slug)
        options = _options(args)
        filters = _filters(questionnaire, args)
        _recorded(questionnaire, options, "csv", filters)
        plan = export_plan(questionnaire, options.include_language)
        dialect = DIALECTS[options.dialect]
        cells = Cells(plan, options, yes_no_words(plan.languages), dialect)
        rows = table_rows(
            cells, fetch_rows(responses_query(questionnaire, filters)), options.layout
        )
        chunks = csv_chunks(header(cells, options.layout), rows, dialect, written=True)
        return _download(
            stream_with_context(chunks), CSV_TYPE, f"{slug}-responses-{options.layout}.csv"
        )


@blp.route("/<slug>/responses.xlsx", parameters=[SLUG])
class ResponsesXlsx(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.arguments(LabelsQuerySchema, **QUERY)
    @blp.response(
        200,
        FILE,
        content_type=XLSX_TYPE,
        description="The wide table as a workbook: numbers as numbers, dates as dates, "
        "and the data dictionary as a second sheet",
    )
    @blp.errors(401, 403, 404, 422)
    def get(self, slug, **args):
        """Export the responses as an XLSX workbook."""
        questionnaire = get_questionnaire_or_404(slug)
        options = _options(args)
        filters = _filters(questionnaire, args)
        _recorded(questionnaire, options, "xlsx", filters)
        plan = export_plan(questionnaire, options.include_language)
        yes_no = yes_no_words(plan.languages)
        cells = Cells(plan, options, yes_no)
        rows = table_rows(cells, fetch_rows(responses_query(questionnaire, filters)), "wide")
        try:
            body = xlsx_file(
                plan.names, rows, (dictionary_header(plan), dictionary_rows(plan, yes_no))
            )
        except TooManyRows as exc:
            abort(422, message=str(exc))
        response = _download(FileWrapper(body), XLSX_TYPE, f"{slug}-responses.xlsx")
        response.content_length = os.fstat(body.fileno()).st_size
        return response


@blp.route("/<slug>/dictionary.csv", parameters=[SLUG])
class DictionaryCsv(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.arguments(DialectQuerySchema, **QUERY)
    @blp.response(
        200,
        FILE,
        content_type="text/csv",
        description="One row per column of the exports (and per option or place of a "
        "column): name, question id, type, the question's text in each language, option "
        "value and label in each language, the versions it appears in",
    )
    @blp.errors(401, 403, 404, 422)
    def get(self, slug, **args):
        """The data dictionary of the exports' columns, as CSV."""
        questionnaire = get_questionnaire_or_404(slug)
        options = _options(args)
        _recorded(questionnaire, options, "dictionary", Filters())
        plan = export_plan(questionnaire, include_language=True)
        rows = dictionary_rows(plan, yes_no_words(plan.languages))
        chunks = csv_chunks(dictionary_header(plan), rows, DIALECTS[options.dialect])
        return _download(chunks, CSV_TYPE, f"{slug}-dictionary.csv")
