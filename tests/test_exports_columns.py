"""The columns of an export, worked out from the published versions alone (no database)."""

from __future__ import annotations

from datetime import UTC, datetime

from surveyservice.results.exports.columns import plan_columns
from surveyservice.results.exports.writing import DIALECTS, Cells, ExportOptions, neutralise

HOUR = datetime(2026, 5, 1, 10, tzinfo=UTC)
META = ["response_id", "version", "point_id", "point", "area", "kind", "channel", "received_at"]


def version(*questions, languages=("sv",)):
    return {
        "languages": list(languages),
        "default_language": languages[0],
        "questions": list(questions),
    }


def q(qid, qtype="text", **more):
    return {"id": qid, "type": qtype, "label": qid, **more}


def options(*values):
    return [{"value": v, "label": v.upper()} for v in values]


def test_a_question_new_in_a_later_version_goes_after_the_one_it_follows():
    plan = plan_columns(
        [
            (1, version(q("a"), q("b"), q("c"))),
            (2, version(q("a"), q("x"), q("c"))),  # b removed, x added after a
            (3, version(q("y"), q("c"), q("a"))),  # reordered, y first
        ]
    )
    assert plan.names[len(META) :] == ["y", "a", "x", "b", "c"]
    assert {c.name: c.versions for c in plan.columns if c.question} == {
        "y": [3],
        "a": [1, 2, 3],
        "x": [2],
        "b": [1],
        "c": [1, 2, 3],
    }


def test_a_question_that_changes_type_keeps_one_column_and_gains_the_new_ones():
    plan = plan_columns(
        [
            (1, version(q("where", "single", options=options("park", "port")))),
            (2, version(q("where", "multi", options=options("park", "square")))),
            (3, version(q("where", "location", places=options("park")))),
        ]
    )
    assert plan.names[len(META) :] == [
        "where",
        "where.park",
        "where.square",
        "where.lat",
        "where.lon",
    ]
    cells = Cells(plan, ExportOptions(), {}, DIALECTS["rfc4180"])

    def row(number, answers):
        return cells.wide(["a" * 32, number, 1, "P", "A", "event", "resident", HOUR, "sv", answers])

    assert row(1, {"where": "port"})[len(META) :] == ["port", "", "", "", ""]
    assert row(2, {"where": ["square"]})[len(META) :] == ["square", "0", "1", "", ""]
    assert row(3, {"where": {"lat": 58.25, "lon": -12.5}})[len(META) :] == [
        "",
        "",
        "",
        "58.25",
        "-12.5",
    ]


def test_groups_and_photos_have_no_columns():
    inner = q("inner", "yesno")
    plan = plan_columns([(1, version(q("g", "group", questions=[inner]), q("p", "photo"), q("t")))])
    assert plan.names == [*META, "t"]


def test_formulas_are_neutralised_and_other_text_is_not():
    for text in ("=1+1", "+46 70", "-x", "@a", "\tx", "\rx", "\0x"):
        assert neutralise(text) == "'" + text
    for text in ("", "1+1", "a=b", " =x", "'=x", "Åsa"):
        assert neutralise(text) == text


def test_numbers_keep_their_sign_and_take_the_dialects_decimal_sign():
    plan = plan_columns([(1, version(q("n", "number")))])
    for dialect, expected in (("excel-sv", "-0,0000001"), ("rfc4180", "-0.0000001")):
        cells = Cells(plan, ExportOptions(), {}, DIALECTS[dialect])
        row = cells.wide(["b" * 32, 1, 1, "P", "A", "event", "resident", HOUR, "sv", {"n": -1e-7}])
        assert row[-1] == expected


def test_a_question_named_like_a_metadata_column_gets_a_column_of_its_own():
    definition = {
        "languages": ["sv"],
        "default_language": "sv",
        "questions": [
            {"id": "area", "type": "text", "label": "Var bor du?"},
            {"id": "language", "type": "text", "label": "Vilket språk talar du hemma?"},
        ],
    }
    for include_language in (False, True):
        names = plan_columns([(1, definition)], include_language).names
        assert len(names) == len(set(names))
        assert names[-2:] == ["area.answer", "language.answer"]
