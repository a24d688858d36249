"""The small-group rules of docs/results.md, one at a time, on cubes built by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from surveyservice.results import suppression
from surveyservice.results.cube import ANSWERED, Atom, Cube
from surveyservice.results.filters import Filters
from surveyservice.results.summary import (
    ANSWERED_VALUE,
    EDGE_DAYS_TOO_SMALL,
    OTHER_VERSIONS_TOO_SMALL,
    REST_TOO_SMALL,
    SELECTION_TOO_SMALL,
    Thresholds,
)
from surveyservice.results.suppression import build_summary, complete_suppression

DAY = date(2026, 5, 4)
K5 = Thresholds(k=5, text_k=10)


def atom(
    area="Sanden", day=DAY, *, point=None, kind="event", channel="web", version=1, language=None
):
    if point is None:
        point = {"Sanden": 1, "Torpa": 2, "Ödeby": 3}.get(area, 9)
    return Atom(
        point=point,
        area=area,
        kind=kind,
        channel=channel,
        version=version,
        language=language,
        day=day,
    )


def add(cube: Cube, where: Atom, responses: int, **answers: dict) -> Cube:
    """``answers``: question id -> {value: count}; the value None is the ANSWERED row."""
    cube.responses[where] = cube.responses.get(where, 0) + responses
    for qid, by_value in answers.items():
        for value, count in by_value.items():
            key = (where, qid, value)
            cube.answers[key] = cube.answers.get(key, 0) + count
    return cube


def single(qid="q", options=("a", "b", "c"), **extra):
    return {
        "id": qid,
        "type": "single",
        "label": {"sv": f"Fråga {qid}", "en": f"Question {qid}"},
        "options": [{"value": v, "label": {"sv": v.upper(), "en": v}} for v in options],
        **extra,
    }


def multi(qid="m", options=("x", "y", "z"), **extra):
    return {
        "id": qid,
        "type": "multi",
        "label": "Vad?",
        "options": [{"value": v, "label": v} for v in options],
        **extra,
    }


def definition(*questions, title="Enkät"):
    return {
        "slug": "enkat",
        "title": {"sv": title, "en": title + " (en)"},
        "languages": ["sv", "en"],
        "default_language": "sv",
        "questions": list(questions) or [single()],
    }


def summarise(cube, filters=None, versions=None, thresholds=K5):
    return build_summary(
        "enkat", versions or {1: definition()}, cube, filters or Filters(), thresholds
    )


def cells(question) -> dict:
    return {c.value: c.count for c in question.cells}


def question(summary, qid="q"):
    return next(q for q in summary.questions if q.id == qid)


# --- rule 1: threshold -----------------------------------------------------------------


def test_an_answer_count_of_k_is_shown_and_k_minus_one_is_not():
    cube = add(Cube(), atom(), 30, q={"a": 5, "b": 4, "c": 1})
    q = question(summarise(cube))
    # b and c hold k together: no other cell needs to go with them.
    assert cells(q) == {"a": 5, "b": None, "c": None, None: 20}
    assert q.total == 30


def test_nobody_choosing_an_option_is_suppressed_like_a_small_count():
    cube = add(Cube(), atom(), 30, q={"a": 10, "b": 20})
    got = cells(question(summarise(cube)))
    assert got["c"] is None
    # Zero hidden holds nothing: the next smallest option goes with it.
    assert got["a"] is None
    assert got["b"] == 20


def test_a_view_of_k_minus_one_responses_is_withheld_and_of_k_shown():
    cube = add(Cube(), atom(), 4, q={"a": 4})
    small = summarise(cube)
    assert small.total is None
    assert small.withheld == SELECTION_TOO_SMALL
    assert small.questions == [] and small.days == []
    add(cube, atom(), 1, q={"a": 1})
    assert summarise(cube).total == 5


def test_a_day_without_responses_shows_zero():
    cube = add(Cube(), atom(day=DAY), 10, q={"a": 10})
    add(cube, atom(day=DAY + timedelta(days=2)), 10, q={"a": 10})
    days = summarise(cube).days
    assert [(d.day, d.count) for d in days] == [
        (DAY, 10),
        (DAY + timedelta(days=1), 0),
        (DAY + timedelta(days=2), 10),
    ]


def test_shares_are_shown_only_beside_their_count():
    cube = add(Cube(), atom(), 20, q={"a": 2, "b": 8, "c": 10})
    q = question(summarise(cube))
    by_value = {c.value: c for c in q.cells}
    assert by_value["a"].count is None and by_value["a"].share is None
    assert by_value["c"].share == pytest.approx(0.5)


# --- rule 2: breakdowns --------------------------------------------------------------


def test_one_small_cell_takes_the_smallest_other_cell_with_it():
    cube = add(Cube(), atom(), 40, q={"a": 2, "b": 6, "c": 32})
    q = question(summarise(cube))
    assert cells(q) == {"a": None, "b": None, "c": 32, None: 0}
    # What the total minus the shown cells leaves holds at least k.
    assert q.total - 32 - 0 >= 5


def test_of_two_equal_cells_the_one_first_by_value_is_taken_and_no_answer_last():
    # Which is taken never depends on the order of the options or of the rows.
    q = single("q", ("z", "y", "x"))
    cube = add(Cube(), atom(), 22, q={"z": 10, "y": 10, "x": 2})
    assert cells(question(summarise(cube, versions={1: definition(q)}))) == {
        "z": 10,
        "y": None,
        "x": None,
        None: 0,
    }
    cube = add(Cube(), atom(), 22, q={"z": 10, "x": 2})
    assert cells(question(summarise(cube, versions={1: definition(q)}))) == {
        "z": None,
        "y": None,
        "x": None,
        None: 10,
    }


def test_secondary_suppression_stops_once_the_hidden_cells_hold_k():
    cube = add(Cube(), atom(), 40, q={"a": 4, "b": 1, "c": 35})
    # a and b hold 5 together: nothing more is needed.
    assert cells(question(summarise(cube))) == {"a": None, "b": None, "c": 35, None: 0}


def test_no_answer_is_a_cell_of_the_breakdown():
    cube = add(Cube(), atom(), 40, q={"a": 12, "b": 15, "c": 10})
    q = question(summarise(cube))
    # Three did not answer: hidden, and the smallest option with it.
    assert cells(q) == {"a": 12, "b": 15, "c": None, None: None}


def test_when_the_hidden_cells_cannot_reach_k_all_are_hidden():
    assert complete_suppression({"a": 1, "b": 2, "c": 1}, {"a"}, 5) == {"a", "b", "c"}
    assert complete_suppression({"a": 1, "b": 9}, set(), 5) == set()


def test_a_multi_choice_question_counts_each_option_on_its_own():
    cube = add(Cube(), atom(), 30, m={"x": 25, "y": 2, "z": 20, ANSWERED: 28})
    q = question(summarise(cube, versions={1: definition(multi())}), "m")
    # Options overlap, so hiding y needs no partner; no answer (2) is hidden.
    assert cells(q) == {"x": 25, "y": None, "z": 20, None: None}


def test_a_multi_choice_question_with_one_choice_adds_up_like_a_single_one():
    cube = add(Cube(), atom(), 30, m={"x": 20, "y": 2, "z": 8, ANSWERED: 30})
    q = question(summarise(cube, versions={1: definition(multi(max_choices=1))}), "m")
    assert cells(q) == {"x": 20, "y": None, "z": None, None: 0}


def test_an_option_nobody_chose_counts_as_none_beside_a_small_one():
    # z (4) and y (0) hold fewer than k together: x is hidden as well.
    cube = add(Cube(), atom(), 24, m={"x": 20, "z": 4, ANSWERED: 24})
    q = question(summarise(cube, versions={1: definition(multi(max_choices=1))}), "m")
    assert cells(q) == {"x": None, "y": None, "z": None, None: 0}


def test_a_multi_choice_question_nobody_answered_is_all_no_answer():
    cube = add(Cube(), atom(), 12, q={"a": 12})
    q = question(
        summarise(cube, versions={1: definition(single("q"), multi(options=("x", "y")))}), "m"
    )
    assert (q.total, cells(q)) == (12, {"x": None, "y": None, None: 12})


def test_a_group_is_no_question_of_its_own_and_its_questions_are():
    group = {"id": "stops", "type": "group", "label": "Stopp", "questions": [single("inner")]}
    versions = {1: definition(single("q"), group, single("after"))}
    cube = add(Cube(), atom(), 10, q={"a": 10}, inner={"a": 10}, after={"a": 10})
    summary = summarise(cube, versions=versions)
    assert [q.id for q in summary.questions] == ["q", "inner", "after"]


def test_yes_no_cells_are_true_false_and_no_answer():
    yesno = {"id": "y", "type": "yesno", "label": "Ja?"}
    cube = add(Cube(), atom(), 30, y={"true": 18, "false": 7})
    q = question(summarise(cube, versions={1: definition(yesno)}), "y")
    assert [c.value for c in q.cells] == ["true", "false", None]
    assert cells(q) == {"true": 18, "false": 7, None: 5}


def test_a_scale_has_a_cell_per_value_and_a_median_of_k_answers():
    scale = {"id": "s", "type": "scale", "label": "Hur?", "min": 1, "max": 4}
    cube = add(Cube(), atom(), 12, s={"1": 1, "2": 2, "3": 3})
    q = question(summarise(cube, versions={1: definition(scale)}), "s")
    assert [c.value for c in q.cells] == ["1", "2", "3", "4", None]
    assert q.median == 2.5  # 1 2 2 | 3 3 3
    cube2 = add(Cube(), atom(), 12, s={"1": 1, "2": 1, "3": 2})
    assert question(summarise(cube2, versions={1: definition(scale)}), "s").median is None


def test_a_number_question_shows_how_many_answered_and_the_median():
    number = {"id": "n", "type": "number", "label": "Ålder?", "min": 0, "max": 120}
    cube = add(Cube(), atom(), 20, n={"30": 4, "40.5": 3, "70": 6}, q={"a": 12, "b": 8})
    q = question(summarise(cube, versions={1: definition(number, single())}), "n")
    # The other question's answers count for it alone.
    assert cells(q) == {ANSWERED_VALUE: 13, None: 7}
    assert q.median == 40.5


@pytest.mark.parametrize(
    ("answers", "median"),
    [
        ({"1": 1, "2": 1, "3": 1, "4": 1, "5": 1}, 3),
        ({"1": 2, "2": 1, "3": 1, "4": 1, "5": 1}, 2.5),  # 1 1 2 | 3 4 5
        ({"1": 1, "2": 1, "3": 1, "4": 1, "5": 3}, 4),  # 1 2 3 4 | 5 5 5
        ({"5": 5}, 5),
    ],
)
def test_the_median_is_the_middle_answer_or_the_mean_of_the_middle_two(answers, median):
    scale = {"id": "s", "type": "scale", "label": "Hur?", "min": 1, "max": 5}
    other = {"id": "t", "type": "scale", "label": "Och?", "min": 1, "max": 5}
    cube = add(Cube(), atom(), 20, s=answers, t={"1": 10})
    q = question(summarise(cube, versions={1: definition(scale, other)}), "s")
    assert q.median == median


def test_a_small_day_takes_the_smallest_other_day_with_it():
    cube = add(Cube(), atom(day=DAY), 20, q={"a": 20})
    add(cube, atom(day=DAY + timedelta(days=1)), 3, q={"a": 3})
    add(cube, atom(day=DAY + timedelta(days=2)), 8, q={"a": 8})
    assert [d.count for d in summarise(cube).days] == [20, None, None]


# --- rule 3: filters and what they leave out -------------------------------------------


def three_areas(sanden=20, torpa=8, odeby=30):
    cube = Cube()
    for area, n in (("Sanden", sanden), ("Torpa", torpa), ("Ödeby", odeby)):
        if n:
            half = n // 2
            add(cube, atom(area), n, q={"a": half, "b": n - half})
    return cube


def test_a_view_whose_rest_is_too_small_is_withheld():
    cube = three_areas(sanden=20, torpa=3, odeby=0)
    view = summarise(cube, Filters(area="Sanden"))
    assert view.total is None
    assert view.withheld == REST_TOO_SMALL
    # The unfiltered view still shows its total: with the selection withheld it
    # recovers nothing.
    assert summarise(cube).total == 23


def test_the_smallest_other_region_is_suppressed_with_a_small_one():
    cube = three_areas(sanden=20, torpa=3, odeby=30)
    assert summarise(cube, Filters(area="Sanden")).withheld == REST_TOO_SMALL
    assert summarise(cube, Filters(area="Ödeby")).total == 30
    assert summarise(cube, Filters(area="Torpa")).withheld == SELECTION_TOO_SMALL


def test_a_figure_small_in_the_pool_of_suppressed_regions_is_hidden_in_the_view():
    # Torpa (3) is suppressed with Ödeby (6): the base minus Sanden is their pool,
    # where one person chose b. Sanden's b would give that one away.
    versions = {1: definition(single("q", ("a", "b")))}
    cube = add(Cube(), atom("Sanden"), 20, q={"a": 10, "b": 10})
    add(cube, atom("Torpa"), 3, q={"a": 3})
    add(cube, atom("Ödeby"), 6, q={"a": 5, "b": 1})
    sanden = summarise(cube, Filters(area="Sanden"), versions)
    assert sanden.total == 20
    assert cells(question(sanden)) == {"a": None, "b": None, None: 0}


def test_area_names_match_whatever_their_case_and_spacing():
    cube = three_areas()
    assert summarise(cube, Filters(area="  sanden ")).total == 20


def test_a_figure_hidden_in_another_region_is_hidden_in_the_view():
    versions = {1: definition(single("q", ("a", "b")))}
    cube = add(Cube(), atom("Sanden"), 20, q={"a": 10, "b": 10})
    add(cube, atom("Torpa"), 20, q={"a": 17, "b": 3})
    sanden = question(summarise(cube, Filters(area="Sanden"), versions))
    # Sanden's b is 10, but the base's b minus Sanden's would be Torpa's 3.
    assert cells(sanden)["b"] is None
    # ... and b hidden takes a with it (rule 2 within Sanden).
    assert cells(sanden)["a"] is None
    whole = question(summarise(cube, versions=versions))
    assert cells(whole) == {"a": 27, "b": 13, None: 0}


def test_cells_hidden_elsewhere_that_hold_too_few_here_take_another_cell_with_them():
    # The base hides a and b (a is 3 there). In Torpa they hold 2 + 1: shown beside c,
    # Torpa's total would give away that three people there chose a or b.
    versions = {1: definition(single("q"))}
    cube = add(Cube(), atom("Sanden"), 27, q={"a": 1, "b": 6, "c": 20})
    add(cube, atom("Torpa"), 23, q={"a": 2, "b": 1, "c": 20})
    torpa = question(summarise(cube, Filters(area="Torpa"), versions))
    assert cells(torpa) == {"a": None, "b": None, "c": None, None: 0}


def test_a_breakdown_that_can_hide_nothing_more_is_not_worked_out_again(monkeypatch):
    worked_out = []
    breakdown_hidden = suppression._breakdown_hidden

    def counted(counts, *rest):
        worked_out.append(dict(counts))
        return breakdown_hidden(counts, *rest)

    monkeypatch.setattr(suppression, "_breakdown_hidden", counted)
    # q: a and b are small and hold k together; r: nothing is small.
    versions = {1: definition(single("q"), single("r"))}
    cube = add(Cube(), atom(), 25, q={"a": 1, "b": 4, "c": 20}, r={"a": 5, "b": 10, "c": 10})
    summary = summarise(cube, versions=versions)
    assert cells(question(summary, "q")) == {"a": None, "b": None, "c": 20, None: 0}
    assert cells(question(summary, "r")) == {"a": 5, "b": 10, "c": 10, None: 0}
    # Once for q; then q holds k in two hidden cells, and r hides nothing.
    assert worked_out == [{"a": 1, "b": 4, "c": 20, None: 0}]


def test_regions_are_every_combination_of_the_filtered_dimensions():
    cube = add(Cube(), atom("Sanden", channel="web"), 20, q={"a": 20})
    add(cube, atom("Sanden", channel="paper"), 2, q={"a": 2})
    add(cube, atom("Torpa", channel="web"), 20, q={"a": 20})
    add(cube, atom("Torpa", channel="paper"), 20, q={"a": 20})
    # Sanden's paper answers are the difference of Sanden and Sanden on the web.
    both = summarise(cube, Filters(area="Sanden", channel="web"))
    assert both.withheld == REST_TOO_SMALL
    # Torpa on paper is Sanden's partner on paper; shown on the web, Torpa's total
    # would give it away, and with it Sanden's 2.
    assert summarise(cube, Filters(area="Torpa", channel="web")).withheld == REST_TOO_SMALL
    assert summarise(cube, Filters(area="Torpa")).total == 40


def test_an_unfiltered_view_has_no_other_region():
    cube = three_areas(sanden=20, torpa=3, odeby=30)
    assert summarise(cube).total == 53


def test_without_the_partition_the_complement_would_be_shown(monkeypatch):
    cube = three_areas(sanden=20, torpa=3, odeby=0)
    monkeypatch.setattr(suppression, "filtered_dimensions", lambda filters: [])
    # With rule 3 off the selection's own filter is not even applied: everything is
    # the view; the attack tests show what that costs.
    assert summarise(cube, Filters(area="Sanden")).total == 23


# --- rule 4: the days at a range's edges ----------------------------------------------


def days_cube(*counts, area="Sanden"):
    cube = Cube()
    for offset, n in enumerate(counts):
        if n:
            add(cube, atom(area, DAY + timedelta(days=offset)), n, q={"a": n})
    return cube


def test_a_small_first_day_inside_the_range_withholds_it():
    cube = days_cube(10, 2, 10, 10)
    view = summarise(cube, Filters(since=DAY + timedelta(days=1)))
    assert view.withheld == EDGE_DAYS_TOO_SMALL


def test_a_small_nearest_day_outside_the_range_withholds_it():
    cube = days_cube(10, 2, 10, 10)
    assert summarise(cube, Filters(since=DAY + timedelta(days=2))).withheld == EDGE_DAYS_TOO_SMALL
    assert summarise(cube, Filters(until=DAY)).withheld == EDGE_DAYS_TOO_SMALL


def test_edge_days_are_the_nearest_days_with_answers():
    cube = days_cube(10, 0, 0, 10, 10)
    # The days between hold nothing: the range starting on any of them is the same
    # as the one starting on the next day with answers.
    assert summarise(cube, Filters(since=DAY + timedelta(days=1))).total == 20
    assert summarise(cube, Filters(since=DAY + timedelta(days=3))).total == 20


def test_a_small_edge_day_in_another_slice_withholds_the_range():
    cube = days_cube(10, 10, 10)
    for offset, n in enumerate((2, 10, 10)):
        add(cube, atom("Torpa", DAY + timedelta(days=offset)), n, q={"a": n})
    view = summarise(cube, Filters(area="Sanden", since=DAY, until=DAY + timedelta(days=2)))
    assert view.withheld == EDGE_DAYS_TOO_SMALL
    assert summarise(cube, Filters(since=DAY)).total == 52


def test_a_small_day_inside_another_slice_s_range_is_pooled_with_that_range():
    # Torpa's middle day (2) is hidden with one of Torpa's own edge days: the days of a
    # range count as one span beside the other areas' ranges, so Sanden's middle day,
    # which the view needs, is not the only cell that could hide it.
    cube = days_cube(10, 20, 10)
    for offset, n in enumerate((6, 2, 6)):
        add(cube, atom("Torpa", DAY + timedelta(days=offset)), n, q={"a": n})
    view = summarise(cube, Filters(area="Sanden", since=DAY, until=DAY + timedelta(days=2)))
    assert (view.withheld, view.total) == (None, 40)


def test_two_filters_and_a_range_count_each_slice_s_days_apart():
    # The same day in Sanden holds the web's answers and the paper's: the view of the
    # web over a range counts the web's alone.
    q = single(options=("a", "b"))
    cube = add(Cube(), atom("Sanden", channel="web"), 20, q={"a": 10, "b": 10})
    add(cube, atom("Sanden", channel="paper"), 20, q={"a": 5, "b": 15})
    add(cube, atom("Torpa", channel="web"), 20, q={"a": 10, "b": 10})
    view = summarise(
        cube, Filters(area="Sanden", channel="web", since=DAY), versions={1: definition(q)}
    )
    assert view.total == 20
    assert cells(question(view)) == {"a": 10, "b": 10, None: 0}


def test_edge_days_of_k_show_the_range():
    cube = days_cube(5, 5, 5, 5)
    view = summarise(cube, Filters(since=DAY + timedelta(days=1), until=DAY + timedelta(days=2)))
    assert view.total == 10
    assert [d.count for d in view.days] == [5, 5]
    # The range's days add up in its figures.
    assert question(view).total == 10


def test_the_days_of_each_slice_are_checked_apart_with_two_filters_and_a_range():
    # Sanden's web answers on day 2 (2) are hidden with day 1, although Sanden's paper
    # answers and Torpa's fill every day.
    cube = Cube()
    for offset, web in enumerate((10, 10, 2, 10, 10)):
        day = DAY + timedelta(days=offset)
        add(cube, atom("Sanden", day, channel="web"), web, q={"a": web})
        add(cube, atom("Sanden", day, channel="paper"), 10, q={"a": 10})
        add(cube, atom("Torpa", day, channel="web"), 10, q={"a": 10})
    view = summarise(
        cube,
        Filters(area="Sanden", channel="web", since=DAY, until=DAY + timedelta(days=4)),
    )
    assert [d.count for d in view.days] == [10, None, None, 10, 10]


def test_the_days_run_from_the_first_with_an_answer_even_a_single_one():
    cube = days_cube(1, 10, 10, 10)
    assert [d.count for d in summarise(cube).days] == [None, None, 10, 10]


def test_the_days_hidden_beside_a_small_one_are_found_in_the_whole_slice():
    # Day 2 (2 answers) is hidden with the nearer smaller neighbour over all the
    # slice's days, day 1, whatever range is asked for: not with day 3, its neighbour
    # inside the range's middle days.
    cube = days_cube(10, 10, 2, 10, 10, 10)
    view = summarise(cube, Filters(since=DAY + timedelta(days=1), until=DAY + timedelta(days=4)))
    assert [d.count for d in view.days] == [None, None, 10, 10]


# --- rule 5: free text ---------------------------------------------------------------


TEXT = {"id": "t", "type": "text", "label": "Berätta"}


def test_free_text_is_listed_from_text_k_answers():
    versions = {1: definition(TEXT)}
    cube = add(Cube(), atom(), 15, t={ANSWERED: 10})
    assert question(summarise(cube, versions=versions), "t").texts == []
    cube = add(Cube(), atom(), 15, t={ANSWERED: 9})
    assert question(summarise(cube, versions=versions), "t").texts is None


def test_free_text_is_not_listed_where_its_count_is_hidden():
    # 12 of 15 wrote: the "no answer" cell (3) is hidden, and so the "answered" cell
    # beside it; listing the 12 texts would count them, and 15 - 12 gives the 3.
    versions = {1: definition(TEXT)}
    cube = add(Cube(), atom(), 15, t={ANSWERED: 12})
    summary = question(summarise(cube, versions=versions), "t")
    assert cells(summary) == {ANSWERED_VALUE: None, None: None}
    assert summary.texts is None


def test_free_text_is_not_listed_where_another_region_holds_too_few():
    versions = {1: definition(TEXT)}
    cube = add(Cube(), atom("Sanden"), 30, t={ANSWERED: 20})
    add(cube, atom("Torpa"), 30, t={ANSWERED: 4})
    add(cube, atom("Ödeby"), 30, t={})
    assert question(summarise(cube, Filters(area="Sanden"), versions), "t").texts is None
    assert question(summarise(cube, versions=versions), "t").texts == []


def test_free_text_is_not_listed_where_another_region_holds_k_but_fewer_than_text_k():
    # Torpa's 7 answers are shown as a count, but too few to list its texts; the base's
    # texts minus Sanden's would be Torpa's.
    versions = {1: definition(TEXT)}
    cube = add(Cube(), atom("Sanden"), 30, t={ANSWERED: 20})
    add(cube, atom("Torpa"), 30, t={ANSWERED: 7})
    add(cube, atom("Ödeby"), 30, t={})
    sanden = question(summarise(cube, Filters(area="Sanden"), versions), "t")
    assert cells(sanden) == {ANSWERED_VALUE: 20, None: 10}
    assert sanden.texts is None


def test_free_text_is_listed_when_every_region_holds_none_or_enough():
    versions = {1: definition(TEXT)}
    cube = add(Cube(), atom("Sanden"), 30, t={ANSWERED: 20})
    add(cube, atom("Ödeby"), 30, t={})
    assert question(summarise(cube, Filters(area="Sanden"), versions), "t").texts == []


# --- rule 6: versions ------------------------------------------------------------------


def test_a_question_is_counted_over_the_versions_where_it_means_the_same():
    v1 = definition(single("q", ("a", "b", "c")), single("r", ("x", "y")))
    v2 = definition(single("q", ("a", "b")), single("r", ("x", "y", "z")))
    v3 = definition(single("q", ("a", "b", "d")), single("r", ("x", "y", "z")), title="Ny")
    cube = add(Cube(), atom(version=1), 10, q={"a": 10}, r={"x": 10})
    add(cube, atom(version=2), 10, q={"a": 5, "b": 5}, r={"x": 10})
    add(cube, atom(version=3), 10, q={"a": 5, "d": 5}, r={"x": 10})
    summary = summarise(cube, versions={1: v1, 2: v2, 3: v3})
    # v2 removed option c of q: v1's answers to q no longer compare.
    assert question(summary, "q").versions == [2, 3]
    assert question(summary, "q").total == 20
    assert cells(question(summary, "q")) == {"a": 10, "b": 5, "d": 5, None: 0}
    # r only gained an option.
    assert question(summary, "r").versions == [1, 2, 3]
    assert question(summary, "r").total == 30
    # Title and labels come from the latest version.
    assert summary.title["sv"] == "Ny"
    assert [c.value for c in question(summary, "q").cells] == ["a", "b", "d", None]


def test_a_question_whose_other_versions_hold_k_minus_one_responses_is_withheld():
    v1 = definition(single("q", ("a", "b", "c")))
    v2 = definition(single("q", ("a", "b")))
    cube = add(Cube(), atom(version=1), 4, q={"a": 4})
    add(cube, atom(version=2), 20, q={"a": 10, "b": 10})
    q = question(summarise(cube, versions={1: v1, 2: v2}))
    assert q.withheld == OTHER_VERSIONS_TOO_SMALL
    assert q.total is None and q.cells == []
    add(cube, atom(version=1), 1, q={"a": 1})
    q = question(summarise(cube, versions={1: v1, 2: v2}))
    assert q.withheld is None and q.total == 20


def test_a_question_added_in_a_later_version_counts_only_from_it():
    v1 = definition(single("q"))
    v2 = definition(single("q"), single("new", ("x", "y")))
    cube = add(Cube(), atom(version=1), 10, q={"a": 10})
    add(cube, atom(version=2), 10, q={"a": 10}, new={"x": 5, "y": 5})
    summary = summarise(cube, versions={1: v1, 2: v2})
    assert question(summary, "new").versions == [2]
    assert question(summary, "new").total == 10
    assert question(summary, "q").versions == [1, 2]


def test_a_question_counted_over_versions_nobody_in_the_view_answered_adds_nothing():
    v1 = definition(single("q"))
    v2 = definition(single("q", title="Ny"))
    cube = add(Cube(), atom(version=2), 10, q={"a": 10})
    q = question(summarise(cube, versions={1: v1, 2: v2}))
    assert (q.versions, q.total) == ([1, 2], 10)


def test_a_question_a_later_version_removed_is_not_summarised():
    v1 = definition(single("q", ("a", "b")), single("old", ("x", "y")))
    v2 = definition(single("q", ("a", "b")))
    cube = add(Cube(), atom(version=1), 10, q={"a": 5, "b": 5}, old={"x": 10})
    add(cube, atom(version=2), 10, q={"a": 5, "b": 5})
    summary = summarise(cube, versions={1: v1, 2: v2})
    assert [q.id for q in summary.questions] == ["q"]
    assert cells(question(summary)) == {"a": 10, "b": 10, None: 0}


def test_a_version_filter_counts_that_version_only():
    v1 = definition(single("q", ("a", "b", "c")), title="Gammal")
    v2 = definition(single("q", ("a", "b")))
    cube = add(Cube(), atom(version=1), 10, q={"a": 10})
    add(cube, atom(version=2), 10, q={"a": 5, "b": 5})
    summary = summarise(cube, Filters(version=1), versions={1: v1, 2: v2})
    assert summary.title["sv"] == "Gammal"
    assert question(summary).versions == [1]
    assert summary.total == 10


def test_switching_off_the_version_rule_counts_every_version(monkeypatch):
    v1 = definition(single("q", ("a", "b", "c")))
    v2 = definition(single("q", ("a", "b")))
    cube = add(Cube(), atom(version=1), 4, q={"a": 4})
    add(cube, atom(version=2), 20, q={"a": 10, "b": 10})
    monkeypatch.setattr(suppression, "other_versions_too_small", lambda others, k: False)
    q = question(summarise(cube, versions={1: v1, 2: v2}))
    # The question's total (20) beside the view's (24) gives v1's 4 away.
    assert q.total == 20
    assert summarise(cube, versions={1: v1, 2: v2}).total == 24


# --- what the attacks taught ---------------------------------------------------------


def test_a_cell_hidden_alone_takes_another_with_it_even_when_it_holds_k():
    # Hidden to protect a cell elsewhere, a alone would be the total minus the rest.
    assert complete_suppression({"a": 6, "b": 10, "c": 20}, {"a"}, 5) == {"a", "b"}


def test_an_empty_filtered_selection_is_withheld_and_an_empty_base_is_not():
    cube = three_areas(sanden=20, torpa=0, odeby=30)
    assert summarise(cube, Filters(area="Torpa")).withheld == SELECTION_TOO_SMALL
    empty = summarise(Cube())
    assert (empty.total, empty.withheld) == (0, None)


def day_counts(*counts: int) -> dict[date, int]:
    return {DAY + timedelta(days=i): n for i, n in enumerate(counts)}


@pytest.mark.parametrize(
    ("counts", "small", "hidden"),
    [
        # Hidden together once they hold k in two days or more, and not before.
        ((2, 3, 9), 0, {0, 1}),
        ((1, 1, 9), 0, {0, 1, 2}),
        ((2, 2, 2, 9), 0, {0, 1, 2}),
        # A day of one answer is a day with answers beside the small one.
        ((9, 1, 1, 9), 1, {0, 1, 2}),
        # A day without answers is passed over: nothing of it is hidden.
        ((2, 0, 5, 6), 0, {0, 2}),
    ],
)
def test_a_small_day_takes_its_nearest_days_until_they_hold_k(counts, small, hidden):
    days = day_counts(*counts)
    found = suppression.complete_day_suppression(days, {DAY + timedelta(days=small)}, 5)
    assert found == {DAY + timedelta(days=i) for i in hidden}


def test_the_last_day_of_a_range_is_inside_it():
    days = list(day_counts(5, 5, 5))
    assert suppression.edge_days(days, days[0], days[1]) == {
        days[0]: suppression.FIRST,
        days[1]: suppression.LAST,
        days[2]: suppression.EDGE_AFTER,
    }


def test_free_text_is_listed_where_every_other_group_holds_exactly_text_k():
    assert suppression.texts_listed(10, [0, 10, 12], 10)
    assert not suppression.texts_listed(10, [0, 9, 12], 10)
    assert not suppression.texts_listed(9, [], 10)


def test_the_days_hidden_with_a_small_day_are_its_neighbours():
    days = {DAY + timedelta(days=i): n for i, n in enumerate((20, 2, 30, 6))}
    hidden = suppression.complete_day_suppression(days, {DAY + timedelta(days=1)}, 5)
    # Day 3 holds fewer, but a range could then start between the two.
    assert hidden == {DAY + timedelta(days=1), DAY}


def test_a_view_hides_what_the_view_with_one_filter_fewer_hides():
    cube = add(Cube(), atom(language="sv"), 10, q={"b": 1, "c": 4})
    add(cube, atom(language="ar"), 7, q={"b": 5, "c": 2})
    whole = cells(question(summarise(cube)))
    # The unfiltered view hides a (nobody) with "no answer" (5) beside it ...
    assert whole == {"a": None, "b": 6, "c": 6, None: None}
    swedish = cells(question(summarise(cube, Filters(language="sv"))))
    # ... so the languages hide "no answer" too: Swedish 5 and Arabic 0 would add up
    # to the unfiltered 5, and give away that nobody chose a.
    assert swedish[None] is None
    assert suppression.coarser_views(Filters(language="sv", area="Sanden", since=DAY)) == [
        Filters(language="sv", since=DAY),
        Filters(area="Sanden", since=DAY),
        Filters(language="sv", area="Sanden"),
    ]


def test_merging_the_dimensions_no_filter_names_changes_no_figure():
    cube = Cube()
    for point, area, channel, n in ((1, "Sanden", "web", 12), (2, "Sanden", "paper", 7)):
        add(cube, atom(area, point=point, channel=channel), n, q={"a": n - 2, "b": 2})
    add(cube, atom("Torpa", point=3), 9, q={"a": 9})
    merged, _answers = suppression.project(cube, Filters(area="Sanden"))
    assert sum(merged.responses.values()) == 28
    assert {(a.area, a.point, a.channel) for a in merged.responses} == {
        ("Sanden", 0, ""),
        ("Torpa", 0, ""),
    }
    assert summarise(cube, Filters(area="Sanden")).total == 19


def test_the_texts_are_those_of_the_latest_version_anyone_answered_even_once():
    versions = {
        1: definition(single("q"), title="Gammal"),
        2: definition(single("q"), title="Ny"),
        3: definition(single("q"), title="Aldrig besvarad"),
    }
    cube = add(Cube(), atom(version=1), 10, q={"a": 10})
    add(cube, atom(version=2), 1, q={"a": 1})
    summary = summarise(cube, versions=versions)
    assert (summary.slug, summary.title["sv"], summary.total) == ("enkat", "Ny", 11)


def test_answers_of_an_atom_without_responses_are_counted_where_it_merges():
    # The answers are read a moment after the responses: a response stored between the
    # two reads has answers and no count yet. Its answers still join their merged atom.
    cube = add(Cube(), atom(channel="web"), 5, q={"a": 5})
    cube.answers[(atom(channel="paper"), "q", "a")] = 1
    cube.answers[(atom(channel="paper", version=2), "q", "b")] = 1
    projected, answers = suppression.project(cube, Filters(area="Sanden"))
    merged = replace(atom(channel="web"), point=0, kind="", channel="")
    assert projected.responses == {merged: 5}
    assert answers == {merged: {("q", "a"): 6}, replace(merged, version=2): {("q", "b"): 1}}


def test_a_version_never_published_selects_nothing():
    cube = add(Cube(), atom(), 10, q={"a": 10})
    summary = summarise(cube, Filters(version=7))
    assert (summary.total, summary.withheld) == (None, SELECTION_TOO_SMALL)


def test_a_points_own_area_and_kind_change_nothing():
    # Point 4 (3) is suppressed with point 2, the smallest other. Were the area kept
    # as a filter, Sanden's points alone would be a line, and point 1 the only one
    # to take with point 4: asked for with its own area, point 1 would be withheld.
    cube = add(Cube(), atom("Sanden", point=1), 20, q={"a": 10, "b": 10})
    add(cube, atom("Sanden", point=4, kind="walk"), 3, q={"a": 3})
    add(cube, atom("Torpa", point=2), 12, q={"a": 6, "b": 6})
    alone = summarise(cube, Filters(point=1))
    assert (alone.total, alone.withheld) == (20, None)
    for filters in (
        Filters(point=1, area="Sanden"),
        Filters(point=1, kind="event"),
        Filters(point=1, area="Sanden", kind="event"),
    ):
        same = summarise(cube, filters)
        assert (same.total, same.withheld, same.questions) == (20, None, alone.questions)
    # Another area or kind than the point's selects nothing.
    assert summarise(cube, Filters(point=1, area="Torpa")).withheld == SELECTION_TOO_SMALL
    assert summarise(cube, Filters(point=1, kind="walk")).withheld == SELECTION_TOO_SMALL
