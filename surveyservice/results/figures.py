"""The figures a results page shows, as rows for a CSV file that Swedish Excel opens
by double-click: the same suppression as the page, a suppressed figure an empty cell
with a note beside it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .exports.writing import DIALECTS, csv_chunks
from .exports.writing import neutralise as neutralised
from .summary import ANSWERED_VALUE, Summary


def decimal_comma(number: float, places: int = 1) -> str:
    """A number as Swedish Excel reads it: a decimal comma, no thousands separator."""
    text = f"{number:.{places}f}".rstrip("0").rstrip(".") if places else f"{number:.0f}"
    return text.replace(".", ",")


@dataclass(frozen=True)
class FigureTexts:
    """The page's words, in its language, for the file's headings and notes."""

    headings: tuple[str, str, str, str, str, str]
    total: str
    per_day: str
    no_answer: str
    answered: str  # the cell of a question not counted by value
    median: str
    suppressed: str  # "fewer than 5 answers"
    withheld: Callable[[str], str]  # a reason code in plain words
    label: Callable[[dict], str]  # a definition's text in the page's language


def figure_rows(summary: Summary, texts: FigureTexts) -> Iterator[list[str]]:
    """Question id, question, answer, count, share in per cent, note: one row a figure."""
    yield list(texts.headings)
    if summary.withheld is not None or summary.total is None:
        yield ["", texts.total, "", "", "", texts.withheld(summary.withheld or "")]
        return
    yield ["", texts.total, "", str(summary.total), "", ""]
    for day in summary.days:
        count = "" if day.count is None else str(day.count)
        note = texts.suppressed if day.count is None else ""
        yield ["", texts.per_day, day.day.isoformat(), count, "", note]
    for question in summary.questions:
        label = neutralised(texts.label(question.label))
        if question.withheld is not None:
            yield [question.id, label, "", "", "", texts.withheld(question.withheld)]
            continue
        for cell in question.cells:
            if cell.value is None:
                answer = texts.no_answer
            elif cell.value == ANSWERED_VALUE:
                answer = texts.answered
            else:
                answer = neutralised(texts.label(cell.label) or cell.value)
            if cell.count is None:
                yield [question.id, label, answer, "", "", texts.suppressed]
                continue
            share = "" if cell.share is None else decimal_comma(cell.share * 100)
            yield [question.id, label, answer, str(cell.count), share, ""]
        if question.type in ("scale", "number"):
            if question.median is None:
                yield [question.id, label, texts.median, "", "", texts.suppressed]
            else:
                yield [question.id, label, texts.median, decimal_comma(question.median, 2), "", ""]


def excel_csv(rows: Iterable[list[str]]) -> str:
    """UTF-8 text with a byte order mark and semicolons: what Swedish Excel expects."""
    rows = iter(rows)
    head = next(rows)
    return b"".join(csv_chunks(head, rows, DIALECTS["excel-sv"], written=True)).decode()
