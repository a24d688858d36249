"""Two results views side by side: their questions paired by id, their cells by value,
and the differences in shares where both are shown and the question means the same."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from ..questionnaires.diff import breaking_changes
from .summary import Cell, QuestionSummary, Summary


@dataclass
class ComparedRow:
    value: str | None  # the option or scale value; None for "no answer"
    label: dict[str, str]
    a: Cell | None  # None when the group's breakdown has no such cell
    b: Cell | None
    # Percentage points, b minus a; None unless both shares are shown.
    difference: float | None


@dataclass
class ComparedQuestion:
    id: str
    type: str
    label: dict[str, str]
    a: QuestionSummary | None
    b: QuestionSummary | None
    comparable: bool  # the two groups' versions of the question mean the same
    rows: list[ComparedRow] = field(default_factory=list)


def breaking_versions(definitions: list[tuple[int, dict]]) -> dict[str, set[int]]:
    """For each question id, the version numbers at which it stopped meaning what it
    meant before (removed, retyped, an option gone, a range changed)."""
    breaks: dict[str, set[int]] = {}
    for (_, older), (number, newer) in pairwise(sorted(definitions, key=lambda d: d[0])):
        for change in breaking_changes(older, newer):
            breaks.setdefault(change["question"], set()).add(number)
    return breaks


def means_the_same(breaks: set[int], versions: set[int]) -> bool:
    """Whether no break lies between the lowest and the highest of ``versions``."""
    if not versions:
        return False
    low, high = min(versions), max(versions)
    return not any(low < number <= high for number in breaks)


def _difference(a: Cell | None, b: Cell | None) -> float | None:
    if a is None or b is None or a.share is None or b.share is None:
        return None
    if a.count is None or b.count is None:
        return None
    return (b.share - a.share) * 100


def compare(a: Summary, b: Summary, breaks: dict[str, set[int]]) -> list[ComparedQuestion]:
    """The questions of both views, in the first view's order then the second's."""
    first = {q.id: q for q in a.questions}
    second = {q.id: q for q in b.questions}
    order = list(first) + [qid for qid in second if qid not in first]
    compared = []
    for qid in order:
        qa, qb = first.get(qid), second.get(qid)
        both = qa is not None and qb is not None
        comparable = (
            both
            and qa.withheld is None
            and qb.withheld is None
            and means_the_same(breaks.get(qid, set()), set(qa.versions) | set(qb.versions))
        )
        question = ComparedQuestion(
            id=qid,
            type=(qa or qb).type,
            label=(qa or qb).label,
            a=qa,
            b=qb,
            comparable=comparable,
        )
        cells_a = {c.value: c for c in qa.cells} if qa else {}
        cells_b = {c.value: c for c in qb.cells} if qb else {}
        values = list(cells_a) + [v for v in cells_b if v not in cells_a]
        # "No answer" last, as each breakdown has it.
        values = [v for v in values if v is not None] + [v for v in values if v is None]
        for value in values:
            ca, cb = cells_a.get(value), cells_b.get(value)
            question.rows.append(
                ComparedRow(
                    value=value,
                    label=(ca or cb).label,
                    a=ca,
                    b=cb,
                    difference=_difference(ca, cb) if comparable else None,
                )
            )
        compared.append(question)
    return compared
