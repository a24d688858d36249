"""Raw answers for spreadsheets and statistics programs: CSV (wide or long), XLSX and
the data dictionary that describes their columns.

Every format is written from an iterator over the responses, fetched in batches in
the order of their ids (never of arrival, which could tell who answered when), so
memory stays flat whatever their number. The answer language is left out unless
asked for: it can hint at ethnic origin.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from flask_babel import force_locale
from sqlalchemy import Select, String, cast, select, type_coerce

from ...areas.models import Area
from ...collection.answers import is_answered
from ...collection.models import CollectionPoint, Response
from ...extensions import db
from ...i18n import gettext
from ...questionnaires.models import Questionnaire, QuestionnaireVersion
from ..filters import Filters
from ..selection import matching_responses
from .columns import (
    LANGUAGE_METADATA,
    Asked,
    Plan,
    option_label,
    plan_columns,
)

LAYOUTS = ("wide", "long")
LABELS = ("values", "sv", "en", "ar")
DIALECT_NAMES = ("excel-sv", "rfc4180")
FORMATS = ("csv", "xlsx", "dictionary")
# What a multi-choice question's readable column puts between the chosen options.
CHOICE_SEPARATOR = "; "
# Rows fetched from the database at a time, and written to the CSV buffer before it
# is sent on: enough to keep round trips few, small enough to keep memory flat.
BATCH = 1000
FLUSH_ROWS = 500
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP, "CSV
# Injection"): such a text gets a leading apostrophe, which shows it is text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\0")

CSV_TYPE = "text/csv"  # werkzeug adds "; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    decimal: str
    bom: bool
    hour_format: str


DIALECTS = {
    # What Swedish Excel opens by double-click: it reads a BOM as UTF-8, a semicolon
    # as the separator and a decimal comma as a number.
    "excel-sv": Dialect(";", ",", True, "%Y-%m-%d %H:%M"),
    "rfc4180": Dialect(",", ".", False, "%Y-%m-%dT%H:%M:%SZ"),
}


@dataclass(frozen=True)
class ExportOptions:
    layout: str = "wide"
    labels: str = "values"  # "values", or the language of the option labels
    dialect: str = "excel-sv"
    include_language: bool = False

    @property
    def label_language(self) -> str | None:
        return None if self.labels == "values" else self.labels

    def describe(self, format_: str, filters: Filters) -> dict[str, Any]:
        """What the audit log keeps about an export of this format with these filters."""
        details: dict[str, Any] = {"format": format_}
        if format_ == "csv":
            details.update(layout=self.layout, dialect=self.dialect)
        if format_ in ("csv", "xlsx"):
            # A language filter tells every row's language as surely as the column.
            included = self.include_language or filters.language is not None
            details.update(labels=self.labels, language_included=included)
        if format_ == "dictionary":
            details.update(dialect=self.dialect)
        # The filters beside the rest, by their parameters' names (area, from, ...):
        # the log's page shows each key with its value.
        return {**details, **filters_for_log(filters)}


def neutralise(text: str) -> str:
    """The text, made safe from being run as a spreadsheet formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def stored_answers(value: str | dict | None) -> dict:
    """A response's answers as read raw: JSON text on SQLite, parsed on PostgreSQL."""
    if isinstance(value, str):
        return json.loads(value)
    return value or {}


def response_id(text: str) -> str:
    """A response id in its usual form: SQLite keeps its 32 hex digits without dashes."""
    if len(text) == 32:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
    return text


def yes_no_words(languages: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The words for yes and no in each language, as the form shows them, and in
    each language the labels can be asked in."""
    words = {}
    for language in dict.fromkeys([*languages, *LABELS[1:]]):
        with force_locale(language):
            words[language] = (gettext("Yes"), gettext("No"))
    return words


# --- the rows ---------------------------------------------------------------


def export_plan(questionnaire: Questionnaire, include_language: bool = False) -> Plan:
    """The columns for every published version of the questionnaire."""
    versions = [(v.number, v.definition) for v in questionnaire.published]
    return plan_columns(versions, include_language)


def responses_query(questionnaire: Questionnaire, filters: Filters | None = None) -> Select:
    """The responses the filters select, with what the metadata columns show, by id."""
    # Read as the driver gives them: converting each row's id to a UUID object (only
    # to print it again), its hour, kind and channel costs more than the query; the
    # Cells convert each distinct hour once.
    query = (
        select(
            cast(Response.id, String),
            QuestionnaireVersion.number,
            CollectionPoint.id,
            CollectionPoint.name,
            Area.name,
            type_coerce(CollectionPoint.kind, String),
            type_coerce(Response.channel, String),
            type_coerce(Response.received_at, String),
            Response.language,
            type_coerce(Response.answers, String),
        )
        .join(QuestionnaireVersion, Response.version_id == QuestionnaireVersion.id)
        .join(CollectionPoint, Response.collection_point_id == CollectionPoint.id)
        .join(Area, CollectionPoint.area_id == Area.id)
        .where(
            QuestionnaireVersion.questionnaire_id == questionnaire.id,
            Response.organisation_id == questionnaire.organisation_id,
        )
        .order_by(Response.id)
    )
    if filters is not None and not filters.is_empty:
        time_zone = questionnaire.organisation.time_zone
        selected = matching_responses(questionnaire, filters, time_zone)
        query = query.where(Response.id.in_(selected.with_only_columns(Response.id)))
    return query


def fetch_rows(query: Select) -> Iterator[Any]:
    """The query's rows, fetched in batches (a server-side cursor on PostgreSQL).

    On a connection of its own, closed when the rows run out or the iterator is
    closed: a streamed response reads them after the request's session has ended.
    """
    with db.engine.connect() as connection:
        result = connection.execution_options(yield_per=BATCH).execute(query)
        yield from result


def filters_for_log(filters: Filters) -> dict[str, Any]:
    """The filters that are set, by their query parameters' names, as the log keeps them."""
    names = {"since": "from", "until": "to"}
    return {
        names.get(name, name): value.isoformat() if isinstance(value, date) else value
        for name, value in filters.active().items()
    }


class Cells:
    """Turns a fetched response into the cells of the wide or the long table.

    With a dialect, each cell is CSV text in it (formulas neutralised, numbers with
    the dialect's decimal sign); without one, a typed value for the XLSX writer
    (numbers, dates, text). Each question's way of filling its cells is worked out
    once per version, not once per response: an export of 100,000 responses spends
    its time here.
    """

    def __init__(
        self,
        plan: Plan,
        options: ExportOptions,
        yes_no: dict[str, tuple[str, str]],
        dialect: Dialect | None = None,
    ):
        self.plan = plan
        self.language = options.label_language
        self.dialect = dialect
        self.empty = "" if dialect else None
        words = yes_no.get(self.language, ("Yes", "No")) if self.language else None
        self.yes, self.no = (
            (self.text(words[0]), self.text(words[1]))
            if words
            else (
                self.number(1),
                self.number(0),
            )
        )
        self._fills = {
            number: {a.question["id"]: self._filler(a) for a in asked}
            for number, asked in plan.asked.items()
        }
        self._points: dict[tuple, list] = {}
        self._hours: dict[datetime, Any] = {}

    # How a value is written: text for CSV, typed for XLSX.

    def text(self, value: str) -> str:
        return neutralise(value) if self.dialect else value

    def number(self, value: int | float) -> Any:
        if self.dialect is None:
            return value
        if isinstance(value, float):
            return _number_text(value, self.dialect.decimal)
        return str(value)

    def day(self, value: str) -> Any:
        # Stored as YYYY-MM-DD (collection/answers.py), which is already the CSV text.
        return value if self.dialect else date.fromisoformat(value)

    def hour(self, value: datetime | str) -> Any:
        """The hour a response arrived, as read raw: converted once per distinct hour."""
        written = self._hours.get(value)
        if written is None:
            # SQLite keeps a naive UTC time as text; PostgreSQL gives an aware datetime.
            moment = datetime.fromisoformat(value) if isinstance(value, str) else value
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
            moment = moment.astimezone(UTC)
            written = moment.strftime(self.dialect.hour_format) if self.dialect else moment
            self._hours[value] = written
        return written

    def any(self, value: Any) -> Any:
        """A value of a type the plan does not know (a future question type)."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return self.number(value)
        return self.text(json.dumps(value, ensure_ascii=False))

    def _labels(self, asked: Asked, key: str) -> dict[str, str]:
        """What each option's value is written as: the value, or its label."""
        if self.language is None:
            return {o["value"]: o["value"] for o in asked.question.get(key, ())}
        return {
            o["value"]: option_label(
                asked.question, o["value"], key, self.language, asked.default_language
            )
            for o in asked.question.get(key, ())
        }

    def _filler(self, asked: Asked) -> Callable[[list, Any], None]:
        kind, column = asked.question["type"], asked.answer
        if kind == "multi":
            return self._multi_filler(asked)
        if kind in ("single", "location"):
            labels = {
                value: self.text(label)
                for value, label in self._labels(
                    asked, "places" if kind == "location" else "options"
                ).items()
            }
            if kind == "single":

                def fill(cells: list, value: Any) -> None:
                    cells[column] = labels.get(value) or self.any(value)

                return fill
            lat, lon = asked.lat, asked.lon

            def fill_location(cells: list, value: Any) -> None:
                if "place" in value:
                    cells[column] = labels.get(value["place"]) or self.any(value["place"])
                if "lat" in value:
                    cells[lat], cells[lon] = self.number(value["lat"]), self.number(value["lon"])

            return fill_location
        if kind == "yesno":
            yes, no = self.yes, self.no

            def fill_yes_no(cells: list, value: Any) -> None:
                cells[column] = yes if value else no

            return fill_yes_no
        write = {"scale": self.number, "number": self.number, "date": self.day}.get(kind)
        write = write or (self.text if kind in ("text", "longtext") else self.any)

        def fill_value(cells: list, value: Any) -> None:
            cells[column] = write(value)

        return fill_value

    def _multi_filler(self, asked: Asked) -> Callable[[list, Any], None]:
        labels = self._labels(asked, "options")
        flags = list(asked.options.values())
        chosen_column = asked.options
        column = asked.answer
        one, zero = self.number(1), self.number(0)

        def fill(cells: list, value: Any) -> None:
            for index in flags:
                cells[index] = zero
            for option in value:
                index = chosen_column.get(option)
                if index is not None:
                    cells[index] = one
            cells[column] = self.text(CHOICE_SEPARATOR.join(labels.get(v, v) for v in value))

        return fill

    def _metadata(self, row: Any) -> list:
        # A point's name, area, kind and channel repeat on many rows: written once.
        key = (row[2], row[3], row[4], row[5], row[6])
        point = self._points.get(key)
        if point is None:
            point = self._points[key] = [
                self.number(row[2]),
                self.text(row[3]),
                self.text(row[4]),
                self.text(getattr(row[5], "value", row[5])),
                self.text(getattr(row[6], "value", row[6])),
            ]
        cells = [response_id(row[0]), self.number(row[1]), *point, self.hour(row[7])]
        if self.plan.include_language:
            cells.append(self.text(row[8]))
        return cells

    def wide(self, row: Any) -> list:
        cells = [self.empty] * len(self.plan.columns)
        metadata = self._metadata(row)
        cells[: len(metadata)] = metadata
        fills = self._fills.get(row[1])
        if fills:
            for qid, value in stored_answers(row[9]).items():
                fill = fills.get(qid)
                # Only answered questions are stored (collection/answers.py).
                if fill is not None and value is not None:
                    fill(cells, value)
        return cells

    def long_header(self) -> list[str]:
        language = [LANGUAGE_METADATA[0]] if self.plan.include_language else []
        return ["response_id", "version", *language, "question", "value"]

    def long(self, row: Any) -> Iterator[list]:
        """One row per answer: per chosen option of a multi question, and per
        coordinate of a position (named as its column in the wide table)."""
        base = [response_id(row[0]), self.number(row[1])]
        if self.plan.include_language:
            base.append(self.text(row[8]))
        answers = stored_answers(row[9])
        for asked in self.plan.asked.get(row[1], ()):
            qid = asked.question["id"]
            value = answers.get(qid)
            if not is_answered(value):
                continue
            kind = asked.question["type"]
            if kind == "multi":
                labels = self._labels(asked, "options")
                for chosen in value:
                    yield [*base, qid, self.text(labels.get(chosen, chosen))]
            elif kind == "location":
                if "place" in value:
                    place = self._labels(asked, "places").get(value["place"], value["place"])
                    yield [*base, qid, self.text(place)]
                if "lat" in value:
                    yield [*base, f"{qid}.lat", self.number(value["lat"])]
                    yield [*base, f"{qid}.lon", self.number(value["lon"])]
            else:
                cells = [self.empty] * len(self.plan.columns)
                self._fills[row[1]][qid](cells, value)
                yield [*base, qid, cells[asked.answer]]


def table_rows(cells: Cells, responses: Iterable, layout: str) -> Iterator[list]:
    """The data rows of the table in a layout, without the header."""
    if layout == "long":
        for response in responses:
            yield from cells.long(response)
    else:
        for response in responses:
            yield cells.wide(response)


def header(cells: Cells, layout: str) -> list[str]:
    return cells.long_header() if layout == "long" else cells.plan.names


# --- writing ----------------------------------------------------------------


def _number_text(value: float, decimal: str) -> str:
    text = repr(value)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text.replace(".", decimal) if decimal != "." else text


def csv_text(value: Any, dialect: Dialect) -> str:
    """One cell as CSV text in the dialect."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _number_text(value, dialect.decimal)
    if isinstance(value, datetime):
        return value.strftime(dialect.hour_format)
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def csv_chunks(
    head: list[str], rows: Iterable[list], dialect: Dialect, written: bool = False
) -> Iterator[bytes]:
    """The CSV file, as bytes, a few hundred rows at a time. ``written``: the rows'
    cells are CSV text already (Cells with the dialect), else each is written here."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=dialect.delimiter, lineterminator="\r\n")
    if dialect.bom:
        buffer.write("\ufeff")
    writer.writerow([neutralise(name) for name in head])
    for count, row in enumerate(rows, 1):
        writer.writerow(row if written else [csv_text(value, dialect) for value in row])
        if count % FLUSH_ROWS == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_xlsx(
    path: str, head: list[str], rows: Iterable[list], dictionary: tuple[list, Iterable[list]]
) -> None:
    """The wide table and the dictionary as a workbook at ``path``, written a row at
    a time (XlsxWriter's constant-memory mode keeps only the current row)."""
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    formats = {
        datetime: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"}),
        date: workbook.add_format({"num_format": "yyyy-mm-dd"}),
    }
    responses = workbook.add_worksheet("Responses")
    _write_sheet(responses, head, rows, bold, formats)
    responses.freeze_panes(1, 0)
    described = workbook.add_worksheet("Dictionary")
    _write_sheet(described, dictionary[0], dictionary[1], bold, formats)
    workbook.close()


def xlsx_file(
    head: list[str], rows: Iterable[list], dictionary: tuple[list, Iterable[list]]
) -> BinaryIO:
    """The workbook as an open file to stream, with no name left on disk.

    A workbook is a zip file, finished only at the end: it is written to a file row
    by row, then read back. The name is removed at once; the file goes when closed.
    """
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False)  # noqa: SIM115
    try:
        handle.close()
        write_xlsx(handle.name, head, rows, dictionary)
        return open(handle.name, "rb")
    finally:
        os.unlink(handle.name)


# A worksheet's rows, the header's included; XlsxWriter drops any beyond without a word.
XLSX_MAX_ROWS = 1_048_576


class TooManyRows(ValueError):
    """More rows than a worksheet holds: the workbook would be silently cut short."""


def _write_sheet(sheet, head: list[str], rows: Iterable[list], bold, formats) -> None:
    for col, name in enumerate(head):
        sheet.write_string(0, col, name, bold)
    for number, row in enumerate(rows, 1):
        if number >= XLSX_MAX_ROWS:
            raise TooManyRows(
                f"A workbook holds {XLSX_MAX_ROWS - 1:,} responses at most: "
                "export them as CSV, or choose fewer with the filters."
            )
        for col, value in enumerate(row):
            if value is None or value == "":
                continue
            # Text is always written as text: write() would run "=..." as a formula.
            if isinstance(value, str):
                sheet.write_string(number, col, value)
            elif isinstance(value, datetime):
                sheet.write_datetime(number, col, value.replace(tzinfo=None), formats[datetime])
            elif isinstance(value, date):
                sheet.write_datetime(number, col, datetime.combine(value, time()), formats[date])
            else:
                sheet.write_number(number, col, value)


class Counted:
    """An iterable that counts what passed through it."""

    def __init__(self, items: Iterable):
        self.items = items
        self.count = 0

    def __iter__(self):
        for item in self.items:
            self.count += 1
            yield item
