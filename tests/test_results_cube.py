"""The results' counts as the database groups them: local days at the clocks'
changes, and the counts each process keeps between requests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from surveyservice.database import UTCDateTime
from surveyservice.extensions import db
from surveyservice.local_time import to_local
from surveyservice.results.cube import Atom, forget_cubes, load_cube, local_day, offset_changes


@pytest.fixture(autouse=True)
def _nothing_kept():
    # Each test's database starts afresh, as a restarted server's would.
    forget_cubes()
    yield
    forget_cubes()


def hours_around(moment: datetime, hours: int = 30) -> list[datetime]:
    return [moment + timedelta(hours=h) for h in range(-hours, hours + 1)]


def days_in_database(moments: list[datetime], zone_name: str) -> list:
    """The local day of each moment as the database computes it, from the stored type."""
    tz = ZoneInfo(zone_name)
    first, last = min(moments), max(moments)
    dialect = db.engine.dialect.name
    columns = [
        local_day(sa.literal(m, UTCDateTime), tz, first, last, dialect).label(f"d{i}")
        for i, m in enumerate(moments)
    ]
    row = db.session.execute(sa.select(*columns)).one()
    return [d if not isinstance(d, str) else datetime.fromisoformat(d).date() for d in row]


@pytest.mark.parametrize(
    "zone_name, changes",
    [
        # Summer time starts 29 March 01:00 UTC and ends 25 October 01:00 UTC.
        ("Europe/Stockholm", [datetime(2026, 3, 29, 1), datetime(2026, 10, 25, 1)]),
        # Half-hour offsets: +10:30 until 4 April 16:30 UTC, +9:30 until 3 October 16:30.
        ("Australia/Adelaide", [datetime(2026, 4, 4, 16, 30), datetime(2026, 10, 3, 16, 30)]),
        # Never changes, and midnight falls at half past the UTC hour.
        ("Asia/Kolkata", [datetime(2026, 6, 1, 18, 30)]),
    ],
)
def test_the_database_puts_each_hour_on_the_local_day_python_does(app, zone_name, changes):
    moments = []
    for change in changes:
        moments += hours_around(change.replace(tzinfo=UTC))
    moments += [m + timedelta(minutes=30) for m in moments]  # stored times off the hour too
    expected = [to_local(m, zone_name).date() for m in moments]
    assert days_in_database(moments, zone_name) == expected
    # The times either side of each local midnight near the changes are among them.
    midnights = {m for m in moments if to_local(m, zone_name).hour == 0}
    assert len(midnights) >= 2 * len(changes)


def test_the_offset_changes_are_found_to_the_second(app):
    start, changes = offset_changes(
        ZoneInfo("Europe/Stockholm"),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 12, 31, tzinfo=UTC),
    )
    assert start == 3600
    assert changes == [
        (datetime(2026, 3, 29, 1, tzinfo=UTC), 7200),
        (datetime(2026, 10, 25, 1, tzinfo=UTC), 3600),
    ]
    start, changes = offset_changes(
        ZoneInfo("Australia/Adelaide"),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(2026, 6, 1, tzinfo=UTC),
    )
    assert (start, changes) == (37800, [(datetime(2026, 4, 4, 16, 30, tzinfo=UTC), 34200)])


# --- through submissions ------------------------------------------------------------


@pytest.fixture
def questionnaire(org, make_questionnaire):
    return make_questionnaire(org)


@pytest.fixture
def point(questionnaire, make_point):
    return make_point(questionnaire)


def staff_answer(api, point, answers, recorded_at=None):
    payload = {
        "id": str(uuid.uuid4()),
        "version": 1,
        "language": "sv",
        "channel": "staff",
        "answers": answers,
    }
    if recorded_at is not None:
        payload["recorded_at"] = recorded_at.isoformat()
    response = api.post(f"/api/v1/collect/{point.token}/responses", json=payload)
    assert response.status_code == 201, response.json


def results(api, slug="sample", **query):
    from urllib.parse import urlencode

    url = f"/api/v1/questionnaires/{slug}/results" + (f"?{urlencode(query)}" if query else "")
    response = api.get(url)
    assert response.status_code == 200, response.json
    return response.json


def safe_now(summary) -> dict:
    question = next(q for q in summary["questions"] if q["id"] == "safe_now")
    return {c["value"]: c["count"] for c in question["cells"]}


def test_answers_at_the_clocks_changes_count_on_their_local_days(
    app, api_as, staff, questionnaire, point
):
    api = api_as(staff)
    # The last hour before and the first after local midnight, around both changes.
    hours = [
        datetime(2026, 3, 28, 22),  # 23:00 on 28 March (+1)
        datetime(2026, 3, 28, 23),  # 00:00 on 29 March (+1)
        datetime(2026, 3, 29, 21),  # 23:00 on 29 March (+2)
        datetime(2026, 3, 29, 22),  # 00:00 on 30 March (+2)
        datetime(2026, 10, 24, 21),  # 23:00 on 24 October (+2)
        datetime(2026, 10, 24, 22),  # 00:00 on 25 October (+2)
        datetime(2026, 10, 25, 22),  # 23:00 on 25 October (+1)
        datetime(2026, 10, 25, 23),  # 00:00 on 26 October (+1)
    ]
    for hour in hours:
        staff_answer(api, point, {"safe_now": "safe"}, hour.replace(tzinfo=UTC))
    cube = load_cube(questionnaire, "Europe/Stockholm", with_language=False)
    days = sorted(a.day.isoformat() for a, n in cube.responses.items() for _ in range(n))
    assert days == [
        "2026-03-28",
        "2026-03-29",
        "2026-03-29",
        "2026-03-30",
        "2026-10-24",
        "2026-10-25",
        "2026-10-25",
        "2026-10-26",
    ]
    answered = sorted(a.day.isoformat() for (a, _, _), n in cube.answers.items() for _ in range(n))
    assert answered == days


def test_an_answer_stored_after_the_counts_were_kept_shows_in_the_next_results(
    app, api_as, staff, coordinator, questionnaire, point
):
    api, reader = api_as(staff), api_as(coordinator)
    for answer in ["safe"] * 6 + ["unsafe"] * 6:
        staff_answer(api, point, {"safe_now": answer})
    first = results(reader)
    assert (first["total"], safe_now(first)) == (12, {"safe": 6, "unsafe": 6, None: 0})
    assert results(reader) == first  # from the kept counts
    staff_answer(api, point, {"safe_now": "safe"})
    later = results(reader)
    assert (later["total"], safe_now(later)) == (13, {"safe": 7, "unsafe": 6, None: 0})


def test_moving_a_point_to_another_area_changes_the_figures_at_once(
    app, api_as, staff, coordinator, questionnaire, point, make_point
):
    from surveyservice.collection.points import update_point

    torpa = make_point(questionnaire, name="Torpa torg", area="Torpa")
    api, reader = api_as(staff), api_as(coordinator)
    for _ in range(6):
        staff_answer(api, point, {"safe_now": "safe"})
        staff_answer(api, torpa, {"safe_now": "unsafe"})
    assert results(reader, area="Sanden")["total"] == 6
    assert results(reader, area="Torpa")["total"] == 6
    update_point(point, {"area": "Torpa"})
    db.session.commit()
    moved = results(reader, area="Torpa")
    assert (moved["total"], safe_now(moved)) == (12, {"safe": 6, "unsafe": 6, None: 0})
    # Nobody answered in Sanden now: a view of nothing, withheld like any empty one.
    assert results(reader, area="Sanden")["total"] is None


def test_kept_counts_never_pass_between_organisations_or_questionnaires(
    app,
    api_as,
    staff,
    coordinator,
    other_coordinator,
    other_org,
    org,
    make_questionnaire,
    make_point,
):
    from surveyservice.accounts.models import Role

    from .conftest import make_user

    ours = make_questionnaire(org)
    second = make_questionnaire(org, slug="second")
    theirs = make_questionnaire(other_org)  # the same slug, in another organisation
    other_staff = make_user(other_org, Role.STAFF)
    api, their_api = api_as(staff), api_as(other_staff)
    for questionnaire, sender, count in ((ours, api, 6), (second, api, 7), (theirs, their_api, 8)):
        point = make_point(questionnaire)
        for _ in range(count):
            staff_answer(sender, point, {"safe_now": "safe"})
    reader, their_reader = api_as(coordinator), api_as(other_coordinator)
    for _ in range(2):  # counted afresh, then from what each kept
        assert results(reader)["total"] == 6
        assert results(reader, slug="second")["total"] == 7
        assert results(their_reader)["total"] == 8
    staff_answer(their_api, point, {"safe_now": "safe"})
    assert results(reader)["total"] == 6
    assert results(reader, slug="second")["total"] == 7
    assert results(their_reader)["total"] == 9


def test_a_replaced_database_is_counted_afresh(app, api_as, staff, questionnaire, point):
    api = api_as(staff)
    for _ in range(3):
        staff_answer(api, point, {"safe_now": "safe"})
    kept = load_cube(questionnaire, "Europe/Stockholm", with_language=False)
    assert sum(kept.answers.values()) == 3
    # Nothing stored since: the kept counts themselves.
    assert load_cube(questionnaire, "Europe/Stockholm", with_language=False).answers is kept.answers
    # Fewer rows than were kept (a database restored from a copy): never the kept ones.
    db.session.execute(sa.text("DELETE FROM answer_item WHERE id > 1"))
    db.session.commit()
    again = load_cube(questionnaire, "Europe/Stockholm", with_language=False)
    assert sum(again.answers.values()) == 1
    assert kept.answers != again.answers
    atom = next(iter(again.answers))[0]
    assert isinstance(atom, Atom)
