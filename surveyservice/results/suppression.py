"""The rules that keep a small group from being singled out (docs/results.md), as pure
functions from a Cube to a Summary. Each rule is a small named function so that a
test can switch it off and watch an attack succeed.

Vocabulary. A *region* is one cell of the partition of the base by the view's
filtered dimensions: every value of each (the selection, and everything the filter
leaves out, value by value) and, for a date range, the days before, within and
after it, with the days at its edges apart (rule 4). A *line* is the set of regions
whose union is a view an attacker can also ask for: the base, and every view that
keeps some of the filters and drops the others. A *pool* is the union of a line's
suppressed regions: what "the line's total minus its shown regions" reveals.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from itertools import accumulate, combinations, pairwise
from typing import Any

from ..questionnaires.definition import iter_questions
from ..questionnaires.diff import breaking_changes
from .cube import ANSWERED, Atom, Cube
from .filters import Filters
from .summary import (
    ANSWERED_VALUE,
    EDGE_DAYS_TOO_SMALL,
    OTHER_VERSIONS_TOO_SMALL,
    REST_TOO_SMALL,
    SELECTION_TOO_SMALL,
    Cell,
    DayCount,
    QuestionSummary,
    Summary,
    Thresholds,
)

# The dimensions a filter can name besides the date, in the order of region keys.
DIMENSIONS = ("point", "area", "kind", "channel", "version", "language")
DATE = "date"

# Where a day lies against a date range, within one slice of the other dimensions.
BEFORE, EDGE_BEFORE, FIRST, INSIDE, LAST, EDGE_AFTER, AFTER = (
    "before",
    "edge_before",
    "first",
    "inside",
    "last",
    "edge_after",
    "after",
)
WITHIN = INSIDE  # the coarse class of every day in the range
COARSE = {
    BEFORE: BEFORE,
    EDGE_BEFORE: BEFORE,
    FIRST: WITHIN,
    INSIDE: WITHIN,
    LAST: WITHIN,
    EDGE_AFTER: AFTER,
    AFTER: AFTER,
}
EDGES = frozenset({EDGE_BEFORE, FIRST, LAST, EDGE_AFTER})

CHOICE_TYPES = ("single", "multi")
NO_ANSWER = None  # the value of a breakdown's "no answer" cell
DAYS = "\0days"  # the family of answers-per-day figures, beside the questions' ids

Region = tuple
Group = frozenset  # of atoms


# --- rule 1: threshold ---------------------------------------------------------


def answer_count_suppressed(count: int, k: int) -> bool:
    """Rule 1: a count of answers below k, zero included, is never shown."""
    return count < k


def response_count_suppressed(count: int, k: int) -> bool:
    """Rule 1: a count of responses below k is suppressed; zero describes nobody."""
    return 0 < count < k


def cell_suppressed(value, count: int, k: int, of_responses: bool = False) -> bool:
    """Rule 1 for one cell of a breakdown: of responses (the answers per day), or else of
    answers. Whether people answered at all ("answered", "no answer") is a count of
    responses: that everyone answered says nothing of what anyone answered, and zero
    there would hide a cell of every required question."""
    if of_responses or value is NO_ANSWER or value == ANSWERED_VALUE:
        return response_count_suppressed(count, k)
    return answer_count_suppressed(count, k)


# --- rule 2: breakdowns ----------------------------------------------------------


def complete_suppression(counts: dict[Any, int], hidden: set, k: int) -> set:
    """Rule 2: with any cell hidden, hide the smallest shown cells as well until at
    least two are hidden and they hold at least k together (or all are hidden), so
    that the total minus the shown cells never recovers one of them. Two, because a
    cell hidden to protect another must not be given away by a breakdown of its own
    where it is hidden alone."""
    hidden = {c for c in hidden if c in counts}
    if not hidden:
        return hidden
    held = sum(counts[c] for c in hidden)
    # A cell of zero adds nothing to what the hidden cells hold: taking it would
    # hide a figure and protect nobody.
    shown = sorted(
        (c for c in counts if c not in hidden and counts[c] > 0),
        key=lambda c: (counts[c], _sort_key(c)),
    )
    for cell in shown:
        if held >= k and len(hidden) >= 2:
            break
        hidden.add(cell)
        held += counts[cell]
    if held < k or len(hidden) < 2:
        return set(counts)
    return hidden


def complete_day_suppression(counts: dict[date, int], hidden: set, k: int) -> set:
    """Rule 2 for the answers per day: the days taken with a small day are its nearest
    days with answers, so that a range that splits them has a small day at its edge
    and is withheld (rule 4); the smallest days anywhere would let two ranges that
    each hold k hidden answers differ by one small day."""
    hidden = {d for d in hidden if d in counts}
    if not hidden:
        return hidden
    days = sorted(d for d, n in counts.items() if n > 0)
    held = sum(counts[d] for d in hidden)
    while held < k or len(hidden) < 2:
        beside = {
            days[i + step]
            for i, d in enumerate(days)
            if d in hidden
            for step in (-1, 1)
            if 0 <= i + step < len(days) and days[i + step] not in hidden
        }
        if not beside:
            return set(counts)
        day = min(beside, key=lambda d: (counts[d], d))
        hidden.add(day)
        held += counts[day]
    return hidden


def _breakdown_hidden(counts: dict[Any, int], known_hidden: set, k: int, additive: bool) -> set:
    """The cells of one question's breakdown that are hidden: rule 1 on each, what is
    hidden elsewhere, and rule 2 when the cells add up to a shown total."""
    hidden = {c for c, n in counts.items() if cell_suppressed(c, n, k)}
    hidden |= known_hidden & set(counts)
    if additive:
        hidden = complete_suppression(counts, hidden, k)
    return hidden


def _days_hidden(counts: dict[date, int], known_hidden: set, k: int) -> set:
    hidden = {d for d, n in counts.items() if response_count_suppressed(n, k)}
    return complete_day_suppression(counts, hidden | (known_hidden & set(counts)), k)


def _sort_key(value) -> tuple:
    if isinstance(value, tuple):
        return tuple(_sort_key(v) for v in value)
    return (value is None, type(value).__name__, str(value))


# --- rule 3: filters and what they leave out ------------------------------------------


def filtered_dimensions(filters: Filters) -> list[str]:
    """Rule 3: the dimensions the view is partitioned by."""
    dims = [d for d in DIMENSIONS if getattr(filters, d) is not None]
    if filters.since is not None or filters.until is not None:
        dims.append(DATE)
    return dims


def lines_of(regions: Iterable[Region], dims: list[str]) -> list[list[Region]]:
    """Rule 3: the breakdowns every region is checked in: for each set of filters an
    attacker could drop, the regions that make up each view keeping the others. The
    base (all dropped) is one; a view keeping the area but dropping the channel is
    another, so two overlapping filters cannot single out their difference."""
    regions = list(regions)
    lines: dict[tuple, list[Region]] = defaultdict(list)
    for size in range(1, len(dims) + 1):
        for dropped in combinations(range(len(dims)), size):
            for region in regions:
                key = tuple(
                    "*" if i in dropped else _coarse(dims[i], part) for i, part in enumerate(region)
                )
                lines[(dropped, key)].append(region)
    return list(lines.values())


def _coarse(dim: str, part):
    return COARSE[part] if dim == DATE else part


def suppress_regions(counts: dict[Region, int], lines: list[list[Region]], k: int) -> set:
    """Rule 3 (rule 2 on response counts): the regions suppressed in every line they
    are in, until each line's suppressed regions hold k responses (or all are)."""
    suppressed = {r for r, n in counts.items() if response_count_suppressed(n, k)}
    while True:
        before = len(suppressed)
        for line in lines:
            cells = {r: counts[r] for r in line}
            suppressed |= complete_suppression(cells, suppressed & set(cells), k)
        if len(suppressed) == before:
            return suppressed


def hide_across_regions(
    figures_of: dict[Group, dict[Any, int]],
    k: int,
    *,
    additive: bool = True,
    days: bool = False,
    seed: Iterable = (),
) -> set:
    """Rule 3 for the figures: a figure hidden in any region's (or pool's) own
    breakdown is hidden in all of them, and what that hides by rule 2 in turn,
    until nothing more is hidden. ``days``: the breakdowns are answers per day (each
    a count of responses), else one question's cells. ``seed``: what coarser views
    hide."""
    hidden: set = set(seed)
    while True:
        before = len(hidden)
        for counts in figures_of.values():
            if _settled(counts, hidden, k, of_responses=days):
                continue
            if days:
                hidden |= _days_hidden(counts, hidden, k)
            else:
                hidden |= _breakdown_hidden(counts, hidden, k, additive)
        if len(hidden) == before:
            return hidden


def _settled(counts: dict[Any, int], hidden: set, k: int, of_responses: bool) -> bool:
    """Whether a breakdown can hide nothing more: every cell rule 1 hides is hidden
    already, and the hidden cells are none, or two or more holding k. Most breakdowns
    are, and telling so is far cheaper than working them out again."""
    held = cells = 0
    for value, n in counts.items():
        if value in hidden:
            held += n
            cells += 1
        elif cell_suppressed(value, n, k, of_responses):
            return False
    return cells == 0 or (held >= k and cells >= 2)


# --- rule 4: the days at a range's edges -----------------------------------------------


def edge_days(days: Iterable[date], since: date | None, until: date | None) -> dict[date, str]:
    """Rule 4: the first and last day with answers inside the range, and the nearest
    day with answers outside it on either side, of one slice of the partition."""
    days = sorted(set(days))
    edges: dict[date, str] = {}
    inside = [d for d in days if (since is None or d >= since) and (until is None or d <= until)]
    if since is not None:
        if inside:
            edges[inside[0]] = FIRST
        before = [d for d in days if d < since]
        if before:
            edges[before[-1]] = EDGE_BEFORE
    if until is not None:
        if inside and inside[-1] not in edges:
            edges[inside[-1]] = LAST
        after = [d for d in days if d > until]
        if after:
            edges[after[0]] = EDGE_AFTER
    return edges


def single_days(days: dict[tuple, list[Atom]], dims: list[str]) -> list[tuple]:
    """Rule 4 for the figures: with a date range, every day of every slice is checked
    as a group of its own, first and in the order of days. Two ranges that differ by
    one day single out that day's figures; and what a day hides beside a small cell
    must be the same whatever the range, or two ranges would each give away what the
    other hides. Once every day hides k answers in two cells or more, so does every
    range, and the range's own regions add nothing."""
    if DATE not in dims:
        return []
    return sorted(days, key=_sort_key)


def _days_apart(regions: dict[Region, list[Atom]]) -> tuple[dict, dict]:
    """Each slice's days (a day lies in one region of its slice), and each region's."""
    days: dict[tuple, list[Atom]] = defaultdict(list)
    of_region: dict[Region, set] = defaultdict(set)
    for region, atoms in regions.items():
        for atom in atoms:
            key = (*region[:-1], atom.day)
            days[key].append(atom)
            of_region[region].add(key)
    return days, of_region


def edge_days_too_small(counts: dict[Region, int], dims: list[str], k: int) -> bool:
    """Rule 4: a view is withheld if any slice's edge day is too small, not only its
    own: the selection and its complement each shifted by a day would single out the
    complement's edge day."""
    if DATE not in dims:
        return False
    return any(r[-1] in EDGES and response_count_suppressed(n, k) for r, n in counts.items())


# --- rule 5: free text ---------------------------------------------------------------


def texts_listed(view_answered: int, other_answered: Iterable[int], text_k: int) -> bool:
    """Rule 5: free text is listed only if the view and every region and pool of its
    partition hold no answers to the question or at least text_k."""
    if view_answered < text_k:
        return False
    return all(n == 0 or n >= text_k for n in other_answered)


# --- rule 6: versions ----------------------------------------------------------------


def counted_versions(question_id: str, versions: dict[int, dict], latest: int) -> list[int]:
    """Rule 6: the versions up to ``latest`` where the question means what it means in
    ``latest``: back from it until a version lacks it or a change breaks comparison."""
    numbers = sorted(n for n in versions if n <= latest)
    counted = [latest]
    for older, newer in reversed(list(pairwise(numbers))):
        if question_id not in _question_ids(versions[older]):
            break
        if any(
            c["question"] == question_id for c in breaking_changes(versions[older], versions[newer])
        ):
            break
        counted.append(older)
    return sorted(counted)


def other_versions_too_small(other_responses: Iterable[int], k: int) -> bool:
    """Rule 6: the question's total differs from the view's by the responses of the
    versions not counted; between 1 and k-1 of them would be singled out (and so
    would 1 to k-1 responses of the versions counted)."""
    return any(response_count_suppressed(n, k) for n in other_responses)


def _question_ids(definition: dict) -> set[str]:
    return {q["id"] for q, _ in iter_questions(definition)}


# --- the figures of a group of atoms ---------------------------------------------------


@dataclass
class _Question:
    id: str
    type: str
    label: dict[str, str]
    values: list[str]  # the cells besides "no answer", in order
    labels: dict[str, dict[str, str]]
    additive: bool
    versions: list[int]


@dataclass
class _Figures:
    days: dict[date, int] = field(default_factory=dict)
    by_version: dict[int, int] = field(default_factory=dict)
    answers: dict[tuple[str, str | None], int] = field(default_factory=dict)  # counted versions


def _texts(value, languages: list[str], default: str) -> dict[str, str]:
    if isinstance(value, str):
        return {language: value for language in languages}
    return {language: value.get(language) or value[default] for language in languages}


def _questions(versions: dict[int, dict], latest: int, allowed: set[int]) -> list[_Question]:
    definition = versions[latest]
    languages, default = definition["languages"], definition["default_language"]
    found = []
    for q, _group in iter_questions(definition):
        qtype = q["type"]
        if qtype == "group":
            continue
        labels: dict[str, dict[str, str]] = {}
        if qtype in CHOICE_TYPES:
            values = [o["value"] for o in q["options"]]
            labels = {o["value"]: _texts(o["label"], languages, default) for o in q["options"]}
        elif qtype == "yesno":
            values = ["true", "false"]
        elif qtype == "scale":
            values = [str(v) for v in range(int(q["min"]), int(q["max"]) + 1)]
        else:
            values = [ANSWERED_VALUE]
        # A multi-choice question's options overlap, unless only one can be chosen.
        additive = qtype != "multi" or q.get("max_choices") == 1 or len(values) == 1
        counted = [v for v in counted_versions(q["id"], versions, latest) if v in allowed]
        found.append(
            _Question(
                id=q["id"],
                type=qtype,
                label=_texts(q["label"], languages, default),
                values=values,
                labels=labels,
                additive=additive,
                versions=counted,
            )
        )
    return found


def _figures(atoms: Iterable[Atom], cube: Cube, rows: dict[Atom, list]) -> _Figures:
    fig = _Figures()
    answers = fig.answers
    for atom in atoms:
        n = cube.responses[atom]
        fig.days[atom.day] = fig.days.get(atom.day, 0) + n
        fig.by_version[atom.version] = fig.by_version.get(atom.version, 0) + n
        for key, count in rows.get(atom, ()):
            answers[key] = answers.get(key, 0) + count
    return fig


def _rows(context: _Context, counted: dict[str, set]) -> dict[Atom, list]:
    """Each atom's answer rows of the versions counted for their question."""
    key = frozenset((qid, frozenset(v)) for qid, v in counted.items())
    if key not in context.rows:
        context.rows[key] = {
            atom: [
                (row, n) for row, n in answers.items() if atom.version in counted.get(row[0], ())
            ]
            for atom, answers in context.by_atom.items()
        }
    return context.rows[key]


def _question_total(fig: _Figures, question: _Question) -> int:
    return sum(fig.by_version.get(v, 0) for v in question.versions)


def _cells(fig: _Figures, question: _Question) -> dict[str | None, int]:
    """A question's breakdown in a group: a cell per value and "no answer", adding up
    to the question's total (a multi-choice question's options may overlap)."""
    total = _question_total(fig, question)
    cells: dict[str | None, int] = {}
    if question.type == "multi":
        for value in question.values:
            cells[value] = fig.answers.get((question.id, value), 0)
        answered = fig.answers.get((question.id, ANSWERED), 0)
    elif question.values == [ANSWERED_VALUE]:
        answered = _answered(fig, question)
        cells[ANSWERED_VALUE] = answered
    else:
        for value in question.values:
            cells[value] = fig.answers.get((question.id, value), 0)
        # A value the latest version no longer lists counts as no answer, so that the
        # cells still add up to the total.
        answered = sum(cells.values())
    cells[NO_ANSWER] = max(total - answered, 0)
    return cells


def _answered(fig: _Figures, question: _Question) -> int:
    if question.type == "number":
        return sum(n for (qid, v), n in fig.answers.items() if qid == question.id and v is not None)
    return fig.answers.get((question.id, ANSWERED), 0)


def _median(fig: _Figures, question: _Question, k: int) -> float | None:
    """The median of a scale's or number's answers, or None below k answers (k is at
    least 3). Their values are stored as the text of a number."""
    pairs = sorted(
        (float(v), n) for (qid, v), n in fig.answers.items() if qid == question.id and v is not None
    )
    answered = sum(n for _, n in pairs)
    if answered < k:
        return None
    # How many answers lie at or below each value: the answer at position p (from 0)
    # has the first value where more than p do.
    upto = list(accumulate(n for _, n in pairs))
    low = pairs[bisect_right(upto, (answered - 1) // 2)][0]
    high = pairs[bisect_right(upto, answered // 2)][0]
    return (low + high) / 2


# --- the view ------------------------------------------------------------------------


def _normal_area(name: str) -> str:
    # As areas.area_key compares names, without importing the database side.
    return " ".join(name.split()).casefold()


def _part(atom: Atom, dim: str):
    value = getattr(atom, dim)
    return _normal_area(value) if dim == "area" and value is not None else value


def _wanted(filters: Filters, dim: str):
    value = getattr(filters, dim)
    return _normal_area(value) if dim == "area" else value


def _day_class(day: date, since: date | None, until: date | None, edges: dict[date, str]) -> str:
    if since is not None and day < since:
        return EDGE_BEFORE if edges.get(day) == EDGE_BEFORE else BEFORE
    if until is not None and day > until:
        return EDGE_AFTER if edges.get(day) == EDGE_AFTER else AFTER
    return edges[day] if edges.get(day) in (FIRST, LAST) else INSIDE


def partition(cube: Cube, filters: Filters, dims: list[str]) -> dict[Region, list[Atom]]:
    """Rule 3 with rule 4: every atom with responses in its region."""
    plain = [d for d in dims if d != DATE]
    slices: dict[tuple, list[Atom]] = defaultdict(list)
    for atom, n in cube.responses.items():
        if n > 0:
            slices[tuple(_part(atom, d) for d in plain)].append(atom)
    regions: dict[Region, list[Atom]] = defaultdict(list)
    for key, atoms in slices.items():
        if DATE not in dims:
            regions[key] = atoms
            continue
        edges = edge_days((a.day for a in atoms), filters.since, filters.until)
        for atom in atoms:
            cls = _day_class(atom.day, filters.since, filters.until, edges)
            regions[(*key, cls)].append(atom)
    # Sorted, so that which cell is taken beside a small one never depends on the
    # order the database returned the rows in.
    return {key: regions[key] for key in sorted(regions, key=_sort_key)}


def _own(region: Region, filters: Filters, dims: list[str]) -> bool:
    for dim, part in zip(dims, region, strict=True):
        if dim == DATE:
            if COARSE[part] != WITHIN:
                return False
        elif part != _wanted(filters, dim):
            return False
    return True


def _view_versions(versions: dict[int, dict], cube: Cube, filters: Filters) -> tuple[int, set[int]]:
    """The latest version the view covers (whose texts are shown) and the versions it
    allows. The same for every region, so that their figures line up."""
    allowed = {n for n in versions if filters.version is None or n == filters.version}
    answered = {a.version for a, n in cube.responses.items() if n > 0 and a.version in allowed}
    # A version the questionnaire never published selects nothing; its texts are the
    # latest version's.
    latest = max(answered or allowed or versions)
    return latest, allowed


@dataclass
class _Analysis:
    """One view's regions and figures, and what its rules hide."""

    withheld: str | None
    total: int
    view: _Figures | None = None
    view_key: Group = field(default_factory=Group)  # the view's own regions
    figures: dict[Any, _Figures] = field(default_factory=dict)  # by group
    hidden: dict[str, set] = field(default_factory=dict)  # by question id, and DAYS


@dataclass
class _Context:
    versions: dict[int, dict]
    cube: Cube
    k: int
    by_atom: dict[Atom, dict[tuple[str, str | None], int]]
    done: dict[Filters, _Analysis] = field(default_factory=dict)
    rows: dict[frozenset, dict[Atom, list]] = field(default_factory=dict)


def coarser_views(filters: Filters) -> list[Filters]:
    """Rule 3: the views that keep all of a view's filters but one (the date range
    counts as one). What they hide, the view hides too: a figure a coarser view hides
    beside a small one, shown in every part of it, would give the small one away."""
    found = []
    for dim in DIMENSIONS:
        if getattr(filters, dim) is not None:
            found.append(replace(filters, **{dim: None}))
    if filters.since is not None or filters.until is not None:
        found.append(replace(filters, since=None, until=None))
    return found


def build_summary(
    slug: str,
    versions: dict[int, dict],
    cube: Cube,
    filters: Filters,
    thresholds: Thresholds,
) -> Summary:
    """The figures of one view, each shown only where the rules of docs/results.md
    allow it; a suppressed figure is None."""
    latest, allowed = _view_versions(versions, cube, filters)
    definition = versions[latest]
    languages = list(definition["languages"])
    summary = Summary(
        slug=slug,
        title=_texts(definition["title"], languages, definition["default_language"]),
        languages=languages,
        filters=filters,
        thresholds=thresholds,
        total=None,
    )
    filters_ = implied_filters_dropped(cube, filters)
    cube, by_atom = project(cube, filters_)
    context = _Context(versions, cube, thresholds.k, by_atom)
    analysis = _analyse(context, filters_)
    if analysis.withheld:
        summary.withheld = analysis.withheld
        return summary
    summary.total = analysis.total
    summary.days = _day_counts(analysis.view, analysis.hidden[DAYS])
    for question in _questions(versions, latest, allowed):
        summary.questions.append(
            _question_summary(question, analysis, analysis.hidden[question.id], thresholds)
        )
    return summary


def implied_filters_dropped(cube: Cube, filters: Filters) -> Filters:
    """A point's area and kind filter nothing the point does not: dropped, so that the
    same responses are checked as one view however they were asked for (and in
    fewer breakdowns)."""
    if filters.point is None or (filters.area is None and filters.kind is None):
        return filters
    atoms = [a for a, n in cube.responses.items() if a.point == filters.point and n > 0]
    areas = {_normal_area(a.area) for a in atoms}
    kinds = {a.kind for a in atoms}
    dropped = {}
    if filters.area is not None and areas == {_normal_area(filters.area)}:
        dropped["area"] = None
    if filters.kind is not None and kinds == {filters.kind}:
        dropped["kind"] = None
    return replace(filters, **dropped)


def project(cube: Cube, filters: Filters) -> tuple[Cube, dict[Atom, dict]]:
    """The cube with the dimensions no filter of the view names merged away (the view
    and every view it is checked against tell only the filtered ones apart, and the
    version and day, which the rules read), and each merged atom's answers by question
    id and value: the same figures in far fewer atoms, read in one pass."""
    # Version and day are never merged: the rules read them.
    blank = {"point": 0, "area": "", "kind": "", "channel": "", "language": None}
    merged = {d: v for d, v in blank.items() if getattr(filters, d) is None}
    projected = Cube()
    into: dict[Atom, Atom] = {}
    for atom, n in cube.responses.items():
        target = into[atom] = replace(atom, **merged)
        projected.responses[target] = projected.responses.get(target, 0) + n
    answers_of: dict[Atom, dict[tuple[str, str | None], int]] = {}
    # One lookup per row: the rows are many, and hashing an atom is not cheap.
    rows_of = {atom: answers_of.setdefault(target, {}) for atom, target in into.items()}
    for (atom, qid, value), n in cube.answers.items():
        rows = rows_of.get(atom)
        if rows is None:  # answers read a moment after the responses
            rows = rows_of[atom] = answers_of.setdefault(replace(atom, **merged), {})
        key = (qid, value)
        rows[key] = rows.get(key, 0) + n
    return projected, answers_of


def _inherited(context: _Context, filters: Filters) -> dict[str, set]:
    """What the views with one filter fewer hide, which this view hides too."""
    inherited: dict[str, set] = defaultdict(set)
    for coarser in coarser_views(filters):
        for family, hidden in _analyse(context, coarser, as_coarser=True).hidden.items():
            inherited[family] |= hidden
    return inherited


def _analyse(context: _Context, filters: Filters, as_coarser: bool = False) -> _Analysis:
    """The view's analysis, once per summary. The views with fewer filters are analysed
    only once this one is known to be shown, or when it is itself one of them (a finer
    view needs what it hides, and so what they hide): each filter roughly triples their
    number, and a withheld view asked for needs none of them. The view asked for is the
    only one analysed as not coarser, and no view is coarser than itself, so a view
    found done has all it needs."""
    done = context.done.get(filters)
    if done is not None:
        return done
    cube, k = context.cube, context.k

    dims = filtered_dimensions(filters)
    regions = partition(cube, filters, dims)
    counts = {r: sum(cube.responses[a] for a in atoms) for r, atoms in regions.items()}
    own = [r for r in regions if _own(r, filters, dims)]
    lines = lines_of(regions, dims)
    suppressed = suppress_regions(counts, lines, k)
    total = sum(counts[r] for r in own)
    analysis = _Analysis(withheld=None, total=total)
    context.done[filters] = analysis

    if response_count_suppressed(total, k) or (dims and not total):
        # An empty selection is withheld too: that a combination is empty would make
        # another view an exact copy of one that is suppressed.
        analysis.withheld = SELECTION_TOO_SMALL
    elif edge_days_too_small(counts, dims, k):
        analysis.withheld = EDGE_DAYS_TOO_SMALL
    elif any(r in suppressed for r in own):
        analysis.withheld = REST_TOO_SMALL
    if analysis.withheld and not as_coarser:
        return analysis
    inherited = analysis.hidden = _inherited(context, filters)
    if analysis.withheld:
        return analysis

    latest, allowed = _view_versions(context.versions, cube, filters)
    questions = _questions(context.versions, latest, allowed)
    counted = {q.id: set(q.versions) for q in questions}
    view_atoms = Group(a for r in own for a in regions[r])
    # Each atom is summed once (into its day, with a date range, else its region);
    # regions, pools and the view are sums of those.
    rows = _rows(context, counted)
    if DATE in dims:
        days, days_of_region = _days_apart(regions)
        of_day = {key: _figures(atoms, cube, rows) for key, atoms in days.items()}
        of_region = {r: _sum(of_day[d] for d in days_of_region[r]) for r in regions}
        figures: dict[Any, _Figures] = {("day", d): of_day[d] for d in single_days(days, dims)}
    else:
        of_region = {r: _figures(atoms, cube, rows) for r, atoms in regions.items()}
        figures = {}
    for keys in _groups(regions, lines, suppressed):
        figures[keys] = _sum(of_region[r] for r in keys)
    view_key = Group(own)
    view = figures[view_key] = _sum(of_region[r] for r in own)
    analysis.view, analysis.view_key, analysis.figures = view, view_key, figures

    # The answers per day are checked in whole slices, not in the date's regions, so
    # that every range over a slice hides the same days.
    day_groups = _day_groups(regions, lines, suppressed, dims)
    if DATE not in dims:
        day_groups.append(view_atoms)
    hidden_days = hide_across_regions(
        {g: _figures(g, cube, {}).days for g in dict.fromkeys(day_groups)},
        k,
        days=True,
        seed=inherited[DAYS],
    )
    if days_split(view.days, hidden_days, k):
        analysis.withheld = EDGE_DAYS_TOO_SMALL
        return analysis
    analysis.hidden = {DAYS: hidden_days}
    for question in questions:
        analysis.hidden[question.id] = hide_across_regions(
            {g: _cells(f, question) for g, f in figures.items()},
            k,
            additive=question.additive,
            seed=inherited[question.id],
        )
    return analysis


def _groups(
    regions: dict[Region, list[Atom]], lines: list[list[Region]], suppressed: set
) -> list[Group]:
    """What each figure is checked in, as sets of regions: every shown region and every
    pool. (Each edge day of a range is one day, checked among the single days.)"""
    groups = [Group([region]) for region in regions if region not in suppressed]
    for line in lines:
        pool = Group(r for r in line if r in suppressed)
        if pool:
            groups.append(pool)
    return list(dict.fromkeys(groups))


def _sum(parts: Iterable[_Figures]) -> _Figures:
    total = _Figures()
    for part in parts:
        for into, add in (
            (total.days, part.days),
            (total.by_version, part.by_version),
            (total.answers, part.answers),
        ):
            for key, n in add.items():
                into[key] = into.get(key, 0) + n
    return total


def _day_groups(
    regions: dict[Region, list[Atom]], lines: list[list[Region]], suppressed: set, dims: list[str]
) -> list[Group]:
    slices: dict[tuple, list[Atom]] = defaultdict(list)
    for region, atoms in regions.items():
        slices[region[:-1] if DATE in dims else region].extend(atoms)
    groups = [Group(atoms) for atoms in slices.values()]
    if DATE in dims:
        # Whole slices only: what the range's regions would add would differ from
        # one range to the next, and two ranges together would undo it.
        return groups
    for line in lines:
        pool = [a for r in line if r in suppressed for a in regions[r]]
        if pool:
            groups.append(Group(pool))
    return list(dict.fromkeys(groups))


def days_split(days: dict[date, int], hidden: set, k: int) -> bool:
    """Rule 4 for the answers per day: a range whose hidden days hold 1 to k-1
    answers cuts through days hidden together; its total would give them away."""
    return response_count_suppressed(sum(n for d, n in days.items() if d in hidden), k)


def _day_counts(view: _Figures, hidden: set) -> list[DayCount]:
    """Every day from the first with answers to the last (each day in view.days has
    answers: it comes from an atom that has)."""
    if not view.days:
        return []
    days = list(view.days)
    first, last = min(days), max(days)
    out = []
    day = first
    while day <= last:
        count = view.days.get(day, 0)
        out.append(DayCount(day=day, count=None if day in hidden else count))
        day += timedelta(days=1)
    return out


def _question_summary(
    question: _Question, analysis: _Analysis, hidden: set, thresholds: Thresholds
) -> QuestionSummary:
    k = thresholds.k
    view, figures = analysis.view, analysis.figures
    summary = QuestionSummary(
        id=question.id,
        type=question.type,
        label=question.label,
        versions=list(question.versions),
        total=None,
    )
    others = [
        sum(n for v, n in fig.by_version.items() if v not in question.versions)
        for fig in figures.values()
    ]
    counted = [_question_total(fig, question) for fig in figures.values()]
    if other_versions_too_small(others, k) or other_versions_too_small(counted, k):
        summary.withheld = OTHER_VERSIONS_TOO_SMALL
        return summary

    total = _question_total(view, question)
    summary.total = total
    view_cells = _cells(view, question)
    for value in [*question.values, NO_ANSWER]:
        count = None if value in hidden else view_cells[value]
        share = count / total if count is not None and total else None
        label = question.labels.get(value, {})  # none for "no answer"
        summary.cells.append(Cell(value=value, label=label, count=count, share=share))

    if question.type in ("scale", "number"):
        summary.median = _median(view, question, k)
    # The number of texts listed is the "answered" count: never where it is hidden (and
    # "no answer", the rest of the total, is hidden with it).
    if question.type in ("text", "longtext") and ANSWERED_VALUE not in hidden:
        answered = [_answered(f, question) for g, f in figures.items() if g != analysis.view_key]
        if texts_listed(_answered(view, question), answered, thresholds.text_k):
            summary.texts = []
    return summary
