"""The attacks of issue 9, as an attacker would run them: ask for many views, take
every figure they show, and solve for a figure some view suppresses.

The attacker here is stronger than "total minus the shown cells": every figure is a
sum of unknown counts (one per combination of point, channel, day, version, language
and answer), and a suppressed figure counts as recovered when it is a linear
combination of shown ones, whatever the views it came from. Each attack also runs
with the rule that stops it switched off, on a fixed example, to show that it then
recovers a suppressed count.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyservice.extensions import db
from surveyservice.results import suppression
from surveyservice.results.cube import Atom, Cube
from surveyservice.results.filters import Filters
from surveyservice.results.summary import Thresholds
from surveyservice.results.suppression import build_summary

from .test_suppression import definition, single

K = 5
THRESHOLDS = Thresholds(k=K, text_k=10)
DAY = date(2026, 6, 1)
OPTIONS = ("a", "b", "c")
NA = None  # the "no answer" slot
SLOTS = (*OPTIONS, NA)
POINTS = {"Sanden": 1, "Torpa": 2, "Ödeby": 3}
EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


# --- the world the attacker faces ------------------------------------------------------


@dataclass
class World:
    """A cube, the versions, and what every unknown really is."""

    cube: Cube
    versions: dict[int, dict]
    atoms: list[Atom]  # every combination the attacker must consider, answered or not
    truth: dict[tuple[Atom, str | None], int]  # per atom and slot
    known_zero: list[tuple[Atom, str | None]]  # options a version does not have

    def __repr__(self) -> str:
        # What a failing example needs to be rebuilt with fixed_world().
        rows = []
        for a in self.atoms:
            split = tuple(self.truth[(a, s)] for s in SLOTS)
            if any(split):
                offset = (a.day - DAY).days
                rows.append(
                    f"({a.area!r}, {a.channel!r}, {offset}, {a.version}, {a.language!r}): {split}"
                )
        return "World({" + ", ".join(rows) + "})"


V1 = definition(single("q", OPTIONS))
V2_SAME = definition(single("q", OPTIONS), title="Enkät 2")
V2_BREAKING = definition(single("q", ("a", "b")), title="Enkät 2")


def make_world(splits: dict[Atom, tuple[int, ...]], versions: dict[int, dict]) -> World:
    cube = Cube()
    truth = {}
    known_zero = []
    for where, split in splits.items():
        options = _options(versions[where.version])
        for slot, n in zip(SLOTS, split, strict=True):
            if slot is not NA and slot not in options:
                n = 0
                known_zero.append((where, slot))
            truth[(where, slot)] = n
            if slot is not NA and n:
                cube.answers[(where, "q", slot)] = n
        total = sum(truth[(where, s)] for s in SLOTS)
        if total:
            cube.responses[where] = total
    return World(cube, versions, list(splits), truth, known_zero)


def _options(definition_: dict) -> list[str]:
    return [o["value"] for o in definition_["questions"][0]["options"]]


SPLIT = st.one_of(
    st.just((0, 0, 0, 0)),
    st.tuples(*(st.integers(0, 6) for _ in SLOTS)),
    st.tuples(*(st.integers(0, 15) for _ in SLOTS)),
)


@st.composite
def worlds(draw, areas=2, channels=1, days=1, versions=1, languages=1, breaking=False):
    area_names = list(POINTS)[: max(areas, 1)]
    channel_names = ["web", "paper"][:channels]
    day_list = [DAY + timedelta(days=i) for i in range(days)]
    version_numbers = list(range(1, versions + 1))
    language_names = [None] if languages == 1 else ["sv", "ar"][:languages]
    splits = {}
    for area, channel, day, version, language in product(
        area_names, channel_names, day_list, version_numbers, language_names
    ):
        where = Atom(
            point=POINTS[area],
            area=area,
            kind="event",
            channel=channel,
            version=version,
            language=language,
            day=day,
        )
        splits[where] = draw(SPLIT)
    defined = {1: V1}
    if versions > 1:
        defined[2] = V2_BREAKING if breaking else V2_SAME
    return make_world(splits, defined)


# --- the attacker --------------------------------------------------------------------

PRIME = 2**61 - 1


class Span:
    """The linear span of the figures seen so far, kept in reduced row echelon form
    over a large prime field (every figure is a 0/1 sum, so ranks agree with the
    rationals')."""

    def __init__(self):
        self.rows: dict[int, dict[int, int]] = {}

    def reduce(self, vector: dict[int, int]) -> dict[int, int]:
        vector = {c: v % PRIME for c, v in vector.items() if v % PRIME}
        for pivot in sorted(c for c in vector if c in self.rows):
            factor = vector.get(pivot, 0)
            if not factor:
                continue
            for c, v in self.rows[pivot].items():
                value = (vector.get(c, 0) - factor * v) % PRIME
                if value:
                    vector[c] = value
                else:
                    vector.pop(c, None)
        return vector

    def add(self, vector: dict[int, int]) -> None:
        rest = self.reduce(vector)
        if not rest:
            return
        pivot = min(rest)
        inverse = pow(rest[pivot], PRIME - 2, PRIME)
        row = {c: v * inverse % PRIME for c, v in rest.items()}
        for other in self.rows.values():
            factor = other.get(pivot)
            if factor:
                for c, v in row.items():
                    value = (other.get(c, 0) - factor * v) % PRIME
                    if value:
                        other[c] = value
                    else:
                        other.pop(c, None)
        self.rows[pivot] = row

    def holds(self, vector: dict[int, int]) -> bool:
        return not self.reduce(vector)


@dataclass
class Figure:
    view: Filters
    what: str
    cells: frozenset  # of (atom, slot)
    value: int  # the true value
    small: bool  # below what the rules allow to be shown
    population: int  # responses it is about


def matches(where: Atom, filters: Filters) -> bool:
    for dim in ("point", "kind", "channel", "version", "language"):
        wanted = getattr(filters, dim)
        if wanted is not None and getattr(where, dim) != wanted:
            return False
    if filters.area is not None and where.area.casefold() != filters.area.casefold():
        return False
    if filters.since is not None and where.day < filters.since:
        return False
    return filters.until is None or where.day <= filters.until


def figures_of(world: World, filters: Filters, summary) -> list[tuple[Figure, bool]]:
    """Every figure the view is about, and whether it is shown."""
    atoms = [a for a in world.atoms if matches(a, filters)]
    out: list[tuple[Figure, bool]] = []

    def figure(what, of_atoms, slots, shown, of_responses):
        cells = frozenset((a, s) for a in of_atoms for s in slots)
        value = sum(world.truth[c] for c in cells)
        population = sum(world.truth[(a, s)] for a in of_atoms for s in SLOTS)
        small = 0 < value < K if of_responses else value < K
        out.append((Figure(filters, what, cells, value, small, population), shown))

    figure("total", atoms, SLOTS, summary.total is not None, True)
    if summary.total is None:
        for slot in SLOTS:
            figure(f"q={slot}", atoms, [slot], False, slot is NA)
        return out
    for day in summary.days:
        of_day = [a for a in atoms if a.day == day.day]
        figure(f"day {day.day}", of_day, SLOTS, day.count is not None, True)
    for question in summary.questions:
        counted = [a for a in atoms if a.version in question.versions]
        if question.withheld:
            figure("q total", counted, SLOTS, False, True)
            continue
        figure("q total", counted, SLOTS, True, True)
        for cell in question.cells:
            figure(
                f"q={cell.value}", counted, [cell.value], cell.count is not None, cell.value is NA
            )
    return out


def attack(world: World, views: Iterable[Filters], ask=None) -> list[Figure]:
    """The suppressed small figures that the shown figures of all views recover.
    ``ask(filters)`` gives a view's summary: build_summary unless told otherwise."""
    if ask is None:

        def ask(filters):
            return build_summary("enkat", world.versions, world.cube, filters, THRESHOLDS)

    index = {c: i for i, c in enumerate(world.truth)}
    span = Span()
    for cell in world.known_zero:
        span.add({index[cell]: 1})
    hidden: list[Figure] = []
    shown_small: list[Figure] = []
    known_zero = set(world.known_zero)
    for filters in views:
        for fig, shown in figures_of(world, filters, ask(filters)):
            # A figure about nobody, or only about options a version does not have,
            # describes no one.
            about_someone = fig.population and not fig.cells <= known_zero
            if shown:
                span.add({index[c]: 1 for c in fig.cells})
                if fig.small and about_someone:
                    shown_small.append(fig)
            elif fig.small and about_someone:
                hidden.append(fig)
    recovered = [fig for fig in hidden if span.holds({index[c]: 1 for c in fig.cells})]
    return shown_small + recovered


def describe(world: World, recovered: list[Figure]) -> str:
    found = "; ".join(f"{f.what} of {f.view.active()} = {f.value}" for f in recovered[:5])
    return f"{found} in {world!r}"


# --- the views each attack asks for ------------------------------------------------


def area_views(world: World) -> list[Filters]:
    return [Filters(), *(Filters(area=area) for area in POINTS)]


def area_and_channel_views(world: World) -> list[Filters]:
    views = area_views(world)
    views += [Filters(channel=c) for c in ("web", "paper")]
    views += [Filters(area=a, channel=c) for a in POINTS for c in ("web", "paper")]
    return views


def date_views(days: int, area: str | None = None) -> list[Filters]:
    """Every range over the days, open or closed at either end: each shifted by a day
    at either end is among them."""
    bounds = [None, *(DAY + timedelta(days=i) for i in range(-1, days + 1))]
    views = []
    for since, until in product(bounds, bounds):
        if since is not None and until is not None and since > until:
            continue
        views.append(Filters(area=area, since=since, until=until))
    return views


# --- the attacks -------------------------------------------------------------------


@EXAMPLES
@given(worlds(areas=3))
def test_a_filter_and_its_complement_recover_nothing(world):
    recovered = attack(world, area_views(world))
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=3, channels=2))
def test_two_overlapping_filters_recover_nothing(world):
    recovered = attack(world, area_and_channel_views(world))
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=1))
def test_a_breakdown_and_its_total_recover_nothing(world):
    recovered = attack(world, [Filters()])
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=1, days=4))
def test_shifting_a_date_range_recovers_nothing(world):
    recovered = attack(world, date_views(4))
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=2, days=3))
def test_shifting_a_date_range_with_and_without_a_filter_recovers_nothing(world):
    views = date_views(3) + date_views(3, "Sanden") + date_views(3, "Torpa")
    recovered = attack(world, views)
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=1, versions=2, breaking=True))
def test_a_version_filter_recovers_nothing(world):
    recovered = attack(world, [Filters(), Filters(version=1), Filters(version=2)])
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=2, versions=2))
def test_a_version_filter_beside_an_area_recovers_nothing(world):
    views = area_views(world) + [Filters(version=v) for v in (1, 2)]
    views += [Filters(area=a, version=v) for a in POINTS for v in (1, 2)]
    recovered = attack(world, views)
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(worlds(areas=1, languages=2))
def test_a_language_filter_recovers_nothing(world):
    views = [Filters(), Filters(language="sv"), Filters(language="ar")]
    recovered = attack(world, views)
    assert not recovered, describe(world, recovered)


# --- the same attacks with their rule switched off: the proof they can fail -----------


def fixed_world(splits: dict[tuple, tuple[int, int, int, int]], versions=None) -> World:
    """``splits``: (area, channel, day offset, version, language) -> (a, b, c, no answer)."""
    atoms = {}
    for (area, channel, offset, version, language), split in splits.items():
        where = Atom(
            point=POINTS[area],
            area=area,
            kind="event",
            channel=channel,
            version=version,
            language=language,
            day=DAY + timedelta(days=offset),
        )
        atoms[where] = split
    return make_world(atoms, versions or {1: V1})


def nothing_hidden_beyond_the_threshold(counts, hidden, k):
    return {c for c in hidden if c in counts}


def test_without_rule_2_a_breakdown_and_its_total_recover_a_small_cell(monkeypatch):
    world = fixed_world({("Sanden", "web", 0, 1, None): (2, 10, 12, 0)})
    assert not attack(world, [Filters()])
    monkeypatch.setattr(suppression, "complete_suppression", nothing_hidden_beyond_the_threshold)
    recovered = attack(world, [Filters()])
    assert [(f.what, f.value) for f in recovered] == [("q=a", 2)]


COMPLEMENT = {
    ("Sanden", "web", 0, 1, None): (6, 6, 6, 2),
    ("Torpa", "web", 0, 1, None): (1, 1, 1, 0),
    ("Ödeby", "web", 0, 1, None): (7, 7, 7, 3),
}


def test_without_rule_3_a_filter_and_its_complement_recover_a_small_area(monkeypatch):
    world = fixed_world(COMPLEMENT)
    assert not attack(world, area_views(world))
    monkeypatch.setattr(suppression, "lines_of", lambda regions, dims: [])
    recovered = attack(world, area_views(world))
    assert ("total", 3) in [(f.what, f.value) for f in recovered]


def test_without_rule_3_for_figures_the_complement_recovers_a_small_cell(monkeypatch):
    world = fixed_world(
        {
            ("Sanden", "web", 0, 1, None): (6, 7, 8, 0),
            ("Torpa", "web", 0, 1, None): (2, 9, 9, 0),
        }
    )
    views = area_views(world)
    assert not attack(world, views)

    def own_breakdown_only(figures_of, k, **_rules):
        return set()

    monkeypatch.setattr(suppression, "hide_across_regions", own_breakdown_only)
    recovered = attack(world, views)
    assert ("q=a", 2) in [(f.what, f.value) for f in recovered]


OVERLAP = {
    ("Sanden", "web", 0, 1, None): (5, 5, 5, 5),
    ("Sanden", "paper", 0, 1, None): (1, 0, 0, 1),
    ("Torpa", "web", 0, 1, None): (6, 6, 6, 6),
    ("Torpa", "paper", 0, 1, None): (2, 2, 2, 0),
    ("Ödeby", "web", 0, 1, None): (9, 9, 9, 9),
    ("Ödeby", "paper", 0, 1, None): (8, 8, 8, 8),
}


def only_the_base_line(regions, dims):
    """Rule 3 as first written: each region checked in the base's breakdown only."""
    return [list(regions)]


def test_without_the_breakdowns_of_coarser_views_two_overlapping_filters_recover_a_cell(
    monkeypatch,
):
    world = fixed_world(OVERLAP)
    views = area_and_channel_views(world)
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "lines_of", only_the_base_line)
    recovered = attack(world, views)
    assert ("total", 2) in [(f.what, f.value) for f in recovered]


SHIFT = {
    ("Sanden", "web", 0, 1, None): (3, 3, 3, 3),
    ("Sanden", "web", 1, 1, None): (1, 1, 0, 0),
    ("Sanden", "web", 2, 1, None): (3, 3, 3, 3),
    ("Sanden", "web", 3, 1, None): (3, 3, 3, 3),
}


def test_without_rule_4_shifting_a_date_range_recovers_a_small_day(monkeypatch):
    world = fixed_world(SHIFT)
    views = date_views(4)
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "edge_days", lambda days, since, until: {})
    recovered = attack(world, views)
    assert ("total", 2) in [(f.what, f.value) for f in recovered]


SHIFT_ELSEWHERE = {
    ("Sanden", "web", 0, 1, None): (2, 0, 1, 1),
    ("Sanden", "web", 1, 1, None): (3, 6, 4, 2),
    ("Sanden", "web", 2, 1, None): (4, 4, 1, 2),
    ("Torpa", "web", 0, 1, None): (4, 2, 3, 1),
    ("Torpa", "web", 1, 1, None): (1, 1, 5, 6),
    ("Torpa", "web", 2, 1, None): (1, 2, 2, 2),
}


def test_without_withholding_small_edge_days_a_filter_and_a_shift_recover_a_small_day(
    monkeypatch,
):
    world = fixed_world(SHIFT_ELSEWHERE)
    views = date_views(3) + date_views(3, "Sanden")
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "edge_days_too_small", never_too_small)
    recovered = attack(world, views)
    # Sanden's first day: 4 responses.
    assert ("total", 4) in [(f.what, f.value) for f in recovered]


def never_too_small(counts, dims, k):
    return False


VERSIONS = {
    ("Sanden", "web", 0, 1, None): (1, 1, 1, 0),
    ("Sanden", "web", 0, 2, None): (6, 6, 0, 6),
}


def test_without_rule_6_a_version_filter_recovers_a_small_version(monkeypatch):
    world = fixed_world(VERSIONS, {1: V1, 2: V2_BREAKING})
    views = [Filters(), Filters(version=1), Filters(version=2)]
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "other_versions_too_small", lambda others, k: False)
    recovered = attack(world, views)
    assert ("total", 3) in [(f.what, f.value) for f in recovered]


LANGUAGES = {
    ("Sanden", "web", 0, 1, "sv"): (6, 6, 6, 0),
    ("Sanden", "web", 0, 1, "ar"): (1, 0, 1, 0),
}


def test_without_rule_3_a_language_filter_recovers_a_small_language(monkeypatch):
    world = fixed_world(LANGUAGES)
    views = [Filters(), Filters(language="sv"), Filters(language="ar")]
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "lines_of", lambda regions, dims: [])
    recovered = attack(world, views)
    assert ("total", 2) in [(f.what, f.value) for f in recovered]


INHERITED = {
    ("Sanden", "web", 0, 1, "sv"): (0, 1, 4, 5),
    ("Sanden", "web", 0, 1, "ar"): (0, 5, 2, 0),
}


def test_without_hiding_what_coarser_views_hide_a_language_filter_recovers_a_zero(monkeypatch):
    world = fixed_world(INHERITED)
    views = [Filters(), Filters(language="sv"), Filters(language="ar")]
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "coarser_views", lambda filters: [])
    recovered = attack(world, views)
    # The unfiltered "no answer" is the two languages' together: nobody chose a.
    assert ("q=a", 0) in [(f.what, f.value) for f in recovered]


EVERY_DAY = {
    ("Sanden", "web", 0, 1, None): (5, 0, 5, 0),
    ("Sanden", "web", 1, 1, None): (6, 0, 5, 0),
    ("Sanden", "web", 2, 1, None): (0, 5, 5, 0),
    ("Sanden", "web", 3, 1, None): (5, 0, 5, 0),
}


def test_without_checking_every_day_two_ranges_undo_what_a_third_hides(monkeypatch):
    world = fixed_world(EVERY_DAY)
    views = date_views(4)
    assert not attack(world, views)
    monkeypatch.setattr(suppression, "single_days", lambda days, dims: [])
    recovered = attack(world, views)
    assert ("q=b", 0) in [(f.what, f.value) for f in recovered]


# --- what the rules do not protect against (docs/results.md, last section) ------------


def test_knowing_which_combinations_are_empty_recovers_a_count():
    """Not a guarantee but its limit: withheld as they are, empty combinations known
    from elsewhere still let views of unrelated filters be combined."""
    world = fixed_world(
        {
            ("Sanden", "web", 0, 1, None): (0, 0, 0, 0),
            ("Sanden", "paper", 0, 1, None): (0, 0, 0, 1),
            ("Torpa", "web", 0, 1, None): (0, 0, 0, 5),
            ("Torpa", "paper", 0, 1, None): (0, 0, 0, 0),
            ("Ödeby", "web", 0, 1, None): (0, 0, 0, 0),
            ("Ödeby", "paper", 0, 1, None): (0, 0, 0, 5),
        }
    )
    views = area_and_channel_views(world)
    assert not attack(world, views)
    world.known_zero += [
        (a, slot) for a in world.atoms for slot in SLOTS if not world.cube.responses.get(a)
    ]
    recovered = attack(world, views)
    assert ("total", 1) in [(f.what, f.value) for f in recovered]


# --- the same attacks through the API, after real submissions ---------------------------


QUERY = {"since": "from", "until": "to"}


def as_summary(body: dict) -> SimpleNamespace:
    """The API's JSON in the shape figures_of reads."""
    days = [
        SimpleNamespace(day=date.fromisoformat(d["day"]), count=d["count"]) for d in body["days"]
    ]
    questions = [
        SimpleNamespace(
            versions=q["versions"],
            withheld=q["withheld"],
            cells=[SimpleNamespace(value=c["value"], count=c["count"]) for c in q["cells"]],
        )
        for q in body["questions"]
    ]
    return SimpleNamespace(
        total=body["total"], withheld=body["withheld"], days=days, questions=questions
    )


@pytest.fixture
def through_api(org, make_questionnaire, make_point, api_as, staff, coordinator):
    """Submits answers as a staff member and asks for views as a coordinator; builds the
    attacker's world from what was submitted."""
    questionnaire = make_questionnaire(org, slug="attack", questions=[single("q", OPTIONS)])
    staff_api, reader = api_as(staff), api_as(coordinator)

    class ThroughApi:
        points: dict[tuple[str, str], object] = {}

        def point(self, area: str, kind: str = "event"):
            if (area, kind) not in self.points:
                self.points[(area, kind)] = make_point(
                    questionnaire, name=f"{area} {kind}", area=area, kind=kind
                )
            return self.points[(area, kind)]

        def submit(self, area: str, kind: str, offset: int, split: tuple[int, ...]):
            point = self.point(area, kind)
            recorded = datetime.combine(DAY + timedelta(days=offset), time(10), UTC)
            for slot, n in zip(SLOTS, split, strict=True):
                for _ in range(n):
                    answers = {} if slot is NA else {"q": slot}
                    body = {
                        "id": str(uuid.uuid4()),
                        "version": 1,
                        "language": "sv",
                        "channel": "staff",
                        "recorded_at": recorded.isoformat(),
                        "answers": answers,
                    }
                    response = staff_api.post(f"/api/v1/collect/{point.token}/responses", json=body)
                    assert response.status_code == 201, response.json

        def world(self, splits: dict[tuple[str, str, int], tuple[int, ...]], days: int) -> World:
            for (area, kind, offset), split in splits.items():
                self.submit(area, kind, offset, split)
            db.session.commit()
            full = {}
            for (area, kind), point in self.points.items():
                for offset in range(days):
                    where = Atom(
                        point.id, area, kind, "staff", 1, None, DAY + timedelta(days=offset)
                    )
                    full[where] = splits.get((area, kind, offset), (0, 0, 0, 0))
            return make_world(full, {1: questionnaire.published[0].definition})

        def ask(self, filters: Filters) -> SimpleNamespace:
            query = {QUERY.get(k, k): str(v) for k, v in filters.active().items()}
            url = "/api/v1/questionnaires/attack/results"
            response = reader.get(url + (f"?{urlencode(query)}" if query else ""))
            assert response.status_code == 200, response.json
            return as_summary(response.json)

    return ThroughApi()


def test_through_the_api_a_filter_and_its_complement_recover_nothing(through_api):
    world = through_api.world(
        {("Sanden", "event", 0): (4, 4, 4, 1), ("Torpa", "event", 0): (2, 1, 0, 0)}, days=1
    )
    views = [Filters(), Filters(area="Sanden"), Filters(area="Torpa")]
    assert through_api.ask(Filters()).total == 16
    assert through_api.ask(Filters(area="Torpa")).total is None
    # Sanden's 13 would be the base minus Torpa's 3.
    assert through_api.ask(Filters(area="Sanden")).total is None
    assert not attack(world, views, through_api.ask)


def test_through_the_api_two_overlapping_filters_recover_nothing(through_api):
    world = through_api.world(
        {
            ("Sanden", "event", 0): (4, 4, 4, 0),
            ("Sanden", "walk", 0): (1, 1, 0, 0),
            ("Torpa", "event", 0): (3, 3, 3, 1),
            ("Torpa", "walk", 0): (3, 3, 3, 3),
        },
        days=1,
    )
    views = [Filters(), *(Filters(area=a) for a in ("Sanden", "Torpa"))]
    views += [Filters(kind=k) for k in ("event", "walk")]
    views += [Filters(area=a, kind=k) for a in ("Sanden", "Torpa") for k in ("event", "walk")]
    assert through_api.ask(Filters(area="Sanden")).total == 14
    # Sanden's event and Sanden minus it would give its walk's 2 away.
    assert through_api.ask(Filters(area="Sanden", kind="event")).total is None
    assert not attack(world, views, through_api.ask)


def test_through_the_api_shifting_a_date_range_recovers_nothing(through_api):
    world = through_api.world(
        {
            ("Sanden", "event", 0): (2, 2, 2, 0),
            ("Sanden", "event", 1): (1, 0, 0, 1),
            ("Sanden", "event", 2): (3, 2, 2, 0),
        },
        days=3,
    )
    views = date_views(3)
    assert through_api.ask(Filters(since=DAY + timedelta(days=1))).withheld == "edge_days_too_small"
    assert not attack(world, views, through_api.ask)
