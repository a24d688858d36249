"""The suppression attacks of the results issue, run against what the public area
pages show (docs/public-data.md).

A public reader sees each area's page: per questionnaire and published period, the
block that ``results_section`` makes (the total and the choice questions' cells,
suppressed), never the answers per day. Pages are per area and per period, so the
views are ``Filters(area=..., since=..., until=...)``; the reader may also know the
questionnaire's overall figures from a report published elsewhere (the base view,
under the same rules). The attacker is the one of tests/test_suppression_attacks.py:
every shown figure is a linear equation over the unknown counts, and a suppressed
small figure counts as recovered when the shown ones determine it.

The generated worlds reach ``results_section`` through its real code, with only the
summary built from the world's counts instead of the database (as the attacks on the
rules build them); one attack runs end to end on real submissions and
``build_content``. Each attack also runs with its rule switched off, to show that it
then recovers a count: each test can fail.
"""

from __future__ import annotations

from datetime import date, timedelta
from itertools import combinations
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from surveyservice.areas.areas import create_area, find_area_by_name
from surveyservice.extensions import db
from surveyservice.public import content
from surveyservice.public.content import build_content, results_section
from surveyservice.public.models import PublicPage
from surveyservice.results import suppression
from surveyservice.results.filters import Filters
from surveyservice.results.suppression import build_summary

from .test_suppression import single
from .test_suppression_attacks import (
    COMPLEMENT,
    DAY,
    EVERY_DAY,
    OPTIONS,
    POINTS,
    SHIFT,
    World,
    attack,
    date_views,
    describe,
    fixed_world,
    never_too_small,
    nothing_hidden_beyond_the_threshold,
    through_api,  # noqa: F401 (a fixture)
    worlds,
)

EXAMPLES = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.function_scoped_fixture,
    ],
)
# The overall figures, as a report published elsewhere may give them.
ELSEWHERE = Filters()


def as_summary(block: dict, versions: list[int]) -> SimpleNamespace:
    """A public page's block in the shape the attacker reads (figures_of)."""
    for question in block["questions"]:
        for cell in question["cells"]:
            # A share is the count over the total: never shown beside a hidden count.
            if cell["count"] is None:
                assert cell["share"] is None
    return SimpleNamespace(
        total=block["total"],
        withheld=block["withheld"],
        days=[],  # a public page shows no answers per day
        questions=[
            SimpleNamespace(
                versions=versions,
                withheld=q["withheld"],
                cells=[SimpleNamespace(value=c["value"], count=c["count"]) for c in q["cells"]],
            )
            for q in block["questions"]
        ],
    )


def period(since: date | None, until: date | None) -> dict:
    return {
        "since": since.isoformat() if since else None,
        "until": until.isoformat() if until else None,
    }


@pytest.fixture
def public(org, make_questionnaire, monkeypatch):
    """Asks the public pages' results_section for each view of the world it is given;
    only the summary is built from the world's counts instead of the database."""
    questionnaire = make_questionnaire(org, slug="enkat", questions=[single("q", OPTIONS)])
    create_area(org.id, "Ödeby")
    db.session.commit()
    areas = {name: find_area_by_name(org.id, name) for name in POINTS}

    class Public:
        world: World | None = None

        def summarise(self, questionnaire_, filters, thresholds, time_zone):
            return build_summary(
                questionnaire_.slug, self.world.versions, self.world.cube, filters, thresholds
            )

        def ask(self, filters: Filters):
            """The area's page with this period, or the report of the overall figures."""
            if filters.area is None:
                # A report of the overall figures: as a page shows them.
                assert filters == ELSEWHERE
                summary = self.summarise(questionnaire, filters, thresholds(), org.time_zone)
                block = content._result_block(questionnaire, summary, period(None, None))
                return as_summary(block, sorted(self.world.versions))
            chosen = {"questionnaire_id": questionnaire.id, **period(filters.since, filters.until)}
            [block] = results_section(org, areas[filters.area], [chosen])
            assert (block["since"], block["until"]) == (chosen["since"], chosen["until"])
            return as_summary(block, sorted(self.world.versions))

        def attack(self, world: World, views: list[Filters]):
            self.world = world
            return attack(world, views, self.ask)

    def thresholds():
        from surveyservice.results.settings import thresholds_for

        return thresholds_for(org)

    reader = Public()
    monkeypatch.setattr(content, "summarise", reader.summarise)
    return reader


# --- the views a public reader has ---------------------------------------------------


def area_pages(areas=POINTS) -> list[Filters]:
    return [Filters(area=name) for name in areas]


def every_period(days: int, areas=POINTS) -> list[Filters]:
    """Every page of every area with every period over the days, open or closed at
    either end: each period shifted by a day at either end is among them."""
    return [view for name in areas for view in date_views(days, name)]


def overlapping_pairs(days: int) -> list[tuple[Filters, Filters]]:
    """Two closed periods that overlap without being the same, as two selections of one
    page (or two publications of it)."""
    spans = [
        (DAY + timedelta(days=a), DAY + timedelta(days=b))
        for a in range(days)
        for b in range(a, days)
    ]
    return [
        (first, second)
        for first, second in combinations(spans, 2)
        if first[0] <= second[1] and second[0] <= first[1]
    ]


# --- the attacks -----------------------------------------------------------------------


@EXAMPLES
@given(world=worlds(areas=3))
def test_an_areas_page_beside_the_other_areas_pages_recovers_nothing(public, world):
    recovered = public.attack(world, [ELSEWHERE, *area_pages()])
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(world=worlds(areas=2))
def test_a_page_s_questions_beside_its_total_recover_nothing(public, world):
    recovered = public.attack(world, [Filters(area="Sanden")])
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(world=worlds(areas=2, days=3), data=st.data())
def test_two_overlapping_periods_on_one_page_or_two_recover_nothing(public, world, data):
    pairs = overlapping_pairs(3)
    chosen = data.draw(st.lists(st.sampled_from(pairs), min_size=1, max_size=3, unique=True))
    views = [ELSEWHERE]
    for (since, until), (since2, until2) in chosen:
        area = data.draw(st.sampled_from(["Sanden", "Torpa"]))
        other = data.draw(st.sampled_from(["Sanden", "Torpa"]))
        views += [Filters(area=area, since=since, until=until)]
        views += [Filters(area=other, since=since2, until=until2)]
    recovered = public.attack(world, views)
    assert not recovered, describe(world, recovered)


@EXAMPLES
@given(world=worlds(areas=2, days=3))
def test_periods_shifted_by_a_day_at_either_end_recover_nothing(public, world):
    recovered = public.attack(world, [ELSEWHERE, *every_period(3, ("Sanden", "Torpa"))])
    assert not recovered, describe(world, recovered)


@settings(EXAMPLES, max_examples=10)
@given(world=worlds(areas=3, days=2))
def test_every_page_of_three_areas_over_every_period_recovers_nothing(public, world):
    recovered = public.attack(world, [ELSEWHERE, *area_pages(), *every_period(2)])
    assert not recovered, describe(world, recovered)


# --- the same attacks with their rule switched off: the proof they can fail ---------------


def test_without_rule_3_the_other_areas_pages_recover_a_small_area(public, monkeypatch):
    world = fixed_world(COMPLEMENT)
    views = [ELSEWHERE, *area_pages()]
    assert not public.attack(world, views)
    monkeypatch.setattr(suppression, "lines_of", lambda regions, dims: [])
    recovered = public.attack(world, views)
    # Torpa's 3 answers: the overall 47 minus Sanden's and Ödeby's pages.
    assert ("total", 3) in [(f.what, f.value) for f in recovered]


def test_without_rule_2_a_page_s_total_recovers_a_small_cell(public, monkeypatch):
    world = fixed_world(
        {
            ("Sanden", "web", 0, 1, None): (2, 10, 12, 0),
            ("Torpa", "web", 0, 1, None): (6, 7, 8, 0),
        }
    )
    views = [Filters(area="Sanden")]
    assert not public.attack(world, views)
    monkeypatch.setattr(suppression, "complete_suppression", nothing_hidden_beyond_the_threshold)
    recovered = public.attack(world, views)
    assert [(f.what, f.value) for f in recovered] == [("q=a", 2)]


def test_without_checking_every_day_overlapping_periods_recover_a_zero(public, monkeypatch):
    world = fixed_world(EVERY_DAY)
    views = [ELSEWHERE, *every_period(4, ("Sanden",))]
    assert not public.attack(world, views)
    monkeypatch.setattr(suppression, "single_days", lambda days, dims: [])
    recovered = public.attack(world, views)
    # Nobody chose b on Sanden's first day: periods that overlap on it give it away.
    assert ("q=b", 0) in [(f.what, f.value) for f in recovered]


def test_without_rule_4_a_period_shifted_by_a_day_recovers_a_small_day(public, monkeypatch):
    world = fixed_world(SHIFT)
    views = every_period(4, ("Sanden",))
    assert not public.attack(world, views)
    monkeypatch.setattr(suppression, "edge_days", lambda days, since, until: {})
    recovered = public.attack(world, views)
    # Sanden's second day: 2 answers.
    assert ("total", 2) in [(f.what, f.value) for f in recovered]


def test_without_withholding_small_edge_days_a_period_a_day_shorter_recovers_the_day(
    public, monkeypatch
):
    world = fixed_world(
        {
            ("Torpa", "web", 0, 1, None): (0, 0, 0, 1),
            ("Torpa", "web", 1, 1, None): (0, 0, 0, 5),
            ("Torpa", "web", 2, 1, None): (0, 0, 0, 5),
        }
    )
    views = [ELSEWHERE, *every_period(3, ("Sanden", "Torpa"))]
    assert not public.attack(world, views)
    monkeypatch.setattr(suppression, "edge_days_too_small", never_too_small)
    recovered = public.attack(world, views)
    # Torpa's first day, one answer.
    assert ("total", Filters(area="Torpa", until=DAY), 1) in [
        (f.what, f.view, f.value) for f in recovered
    ]


# --- end to end: real submissions, real pages ----------------------------------------------


def test_published_pages_of_two_areas_and_overlapping_periods_recover_nothing(
    org,
    through_api,  # noqa: F811 (the fixture imported above)
):
    world = through_api.world(
        {
            ("Sanden", "event", 0): (3, 3, 2, 0),
            ("Sanden", "event", 1): (1, 0, 0, 1),
            ("Sanden", "event", 2): (3, 2, 3, 0),
            ("Torpa", "event", 0): (2, 2, 2, 0),
            ("Torpa", "event", 1): (4, 4, 4, 0),
            ("Torpa", "event", 2): (2, 1, 0, 0),
        },
        days=3,
    )
    questionnaire = through_api.point("Sanden").questionnaire
    periods = [
        (None, None),
        (DAY, DAY + timedelta(days=1)),
        (DAY + timedelta(days=1), DAY + timedelta(days=2)),
        (DAY + timedelta(days=1), None),
        (None, DAY),
    ]
    shown: dict[Filters, SimpleNamespace] = {}
    for name in ("Sanden", "Torpa"):
        page = PublicPage(
            organisation_id=org.id,
            area_id=find_area_by_name(org.id, name).id,
            slug=name.lower(),
            results=[
                {"questionnaire_id": questionnaire.id, **period(since, until)}
                for since, until in periods
            ],
        )
        db.session.add(page)
        db.session.commit()
        blocks = build_content(page)["results"]
        assert len(blocks) == len(periods)
        for (since, until), block in zip(periods, blocks, strict=True):
            shown[Filters(area=name, since=since, until=until)] = as_summary(block, [1])
    # What the rules hide is hidden on the pages: Sanden's small second day makes every
    # period that ends or starts beside it too uncertain to show.
    sanden = shown[Filters(area="Sanden", since=DAY + timedelta(days=1))]
    assert sanden.withheld == "edge_days_too_small" and sanden.total is None
    assert shown[Filters(area="Torpa")].total == 21

    assert not attack(world, list(shown), shown.__getitem__)
