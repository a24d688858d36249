"""The citizen promises: the domain (checks, masking, audit, the list per area) and
the coordinators' pages (writing, changing, removing, notes, validation, isolation)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from surveyservice.areas.areas import find_area_by_name
from surveyservice.areas.models import Area
from surveyservice.audit.models import AuditEntry
from surveyservice.extensions import db
from surveyservice.public.models import Promise, PromiseNote
from surveyservice.public.promises import (
    PromiseError,
    add_note,
    create_promise,
    list_promises,
    promises_for_area,
    remove_note,
    remove_promise,
    update_promise,
)

TODAY = date(2026, 9, 15)


def fields(org, **overrides):
    base = {
        "first_year": 2026,
        "last_year": 2027,
        "texts": {"sv": "Fyra trygghetsvandringar i Torpa."},
        "area_ids": [find_area_by_name(org.id, "Torpa").id],
        "promised_count": 4,
        "status": "in_progress",
        "done_texts": None,
        "done_count": 2,
    }
    base.update(overrides)
    return base


def audit(action=None):
    query = sa.select(AuditEntry).order_by(AuditEntry.id)
    if action:
        query = query.filter_by(action=action)
    return list(db.session.execute(query).scalars())


class CountQueries:
    def __init__(self):
        self.count = 0

    def __call__(self, *args):
        self.count += 1


# --- the domain -----------------------------------------------------------------


def test_promises_for_area_lists_newest_period_first_with_areas_and_notes_loaded(
    org, other_org, coordinator
):
    sanden = find_area_by_name(org.id, "Sanden")
    torpa = find_area_by_name(org.id, "Torpa")
    old = create_promise(org.id, coordinator, fields(org, first_year=2024, last_year=2025))
    both = create_promise(org.id, coordinator, fields(org, area_ids=[sanden.id, torpa.id]))
    later = create_promise(org.id, coordinator, fields(org, first_year=2026, last_year=2028))
    only_sanden = create_promise(org.id, coordinator, fields(org, area_ids=[sanden.id]))
    same_period = create_promise(org.id, coordinator, fields(org))
    theirs = fields(other_org, area_ids=[find_area_by_name(other_org.id, "Torpa").id])
    create_promise(other_org.id, None, theirs)
    for promise in (old, both, later):
        add_note(promise, coordinator, date(2026, 9, 1), {"sv": "Första."}, TODAY)
        add_note(promise, coordinator, date(2026, 9, 10), {"sv": "Andra."}, TODAY)
    db.session.commit()
    org_id, torpa_id, sanden_id, only_sanden_id = org.id, torpa.id, sanden.id, only_sanden.id
    expected = [later.id, both.id, same_period.id, old.id]
    db.session.expunge_all()

    counter = CountQueries()
    event.listen(db.engine, "before_cursor_execute", counter)
    try:
        found = promises_for_area(org_id, torpa_id)
        shown = [([a.name for a in p.areas], [n.texts["sv"] for n in p.notes]) for p in found]
    finally:
        event.remove(db.engine, "before_cursor_execute", counter)
    assert [p.id for p in found] == expected
    assert shown[1] == (["Sanden", "Torpa"], ["Andra.", "Första."])
    assert counter.count == 3  # the promises, their areas, their notes: never one per promise
    assert [p.id for p in promises_for_area(org_id, sanden_id)] == [expected[1], only_sanden_id]
    # Another organisation's area gives nothing of ours, and ours nothing of theirs.
    their_torpa = db.session.execute(
        sa.select(Area).where(Area.organisation_id != org_id, Area.name == "Torpa")
    ).scalar_one()
    assert promises_for_area(org_id, their_torpa.id) == []
    assert len(promises_for_area(their_torpa.organisation_id, their_torpa.id)) == 1


def test_texts_are_masked_when_stored_and_the_audit_log_has_no_text(org, coordinator):
    promise = create_promise(
        org.id,
        coordinator,
        fields(
            org,
            texts={"sv": "Ring Anna Svensson på 070-123 45 67.", "en": "  Call us  "},
            done_texts={"sv": "Mejla anna.svensson@example.org"},
        ),
    )
    db.session.commit()
    assert "070-123 45 67" not in promise.texts["sv"]
    assert "Svensson" not in promise.texts["sv"]
    assert promise.texts["en"] == "Call us"
    assert "anna.svensson@example.org" not in promise.done_texts["sv"]
    changed = update_promise(
        promise, coordinator, fields(org, texts={"sv": "Annan text"}, status="done")
    )
    db.session.commit()
    assert changed == ["done_texts", "status", "texts"]
    entries = audit()
    assert [e.action for e in entries] == ["promise.created", "promise.changed"]
    assert entries[0].details == {"promise_id": promise.id}
    assert entries[1].details == {
        "promise_id": promise.id,
        "fields": ["done_texts", "status", "texts"],
    }
    for entry in entries:
        assert "Annan" not in f"{entry.subject} {entry.details}"
        assert "Fyra" not in f"{entry.subject} {entry.details}"


def test_saving_the_same_promise_again_changes_nothing_and_logs_nothing(org, coordinator):
    promise = create_promise(
        org.id, coordinator, fields(org, texts={"sv": "Ring 070-123 45 67 om något."})
    )
    db.session.commit()
    again = fields(org, texts={"sv": "Ring 070-123 45 67 om något."})
    assert update_promise(promise, coordinator, again) == []
    assert len(audit("promise.changed")) == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"first_year": 1999}, "first_year"),
        ({"first_year": "2026"}, "first_year"),
        ({"last_year": 2101}, "last_year"),
        ({"first_year": 2027, "last_year": 2026}, "last_year"),
        ({"texts": {"sv": "   "}}, "text_sv"),
        ({"texts": {"en": "Only English"}}, "text_sv"),
        ({"texts": {"sv": "x" * 2001}}, "text_sv"),
        ({"texts": {"sv": "ok", "ar": "a\x00b"}}, "text_ar"),
        ({"texts": {"sv": "ok", "de": "nein"}}, "text_sv"),
        ({"area_ids": []}, "areas"),
        ({"area_ids": [2**40]}, "areas"),
        ({"promised_count": 0}, "promised_count"),
        ({"promised_count": 1_000_001}, "promised_count"),
        ({"done_count": -1}, "done_count"),
        ({"status": "maybe"}, "status"),
        ({"done_texts": {"en": "Done"}}, "done_text_sv"),
    ],
)
def test_a_promise_that_cannot_be_stored_names_the_field_and_stores_nothing(
    org, coordinator, overrides, field
):
    with pytest.raises(PromiseError) as raised:
        create_promise(org.id, coordinator, fields(org, **overrides))
    assert field in raised.value.problems
    db.session.rollback()
    assert list_promises(org.id) == []
    assert audit() == []


def test_another_organisations_area_is_a_field_problem(org, other_org, coordinator):
    theirs = find_area_by_name(other_org.id, "Torpa")
    with pytest.raises(PromiseError) as raised:
        create_promise(org.id, coordinator, fields(org, area_ids=[theirs.id]))
    assert list(raised.value.problems) == ["areas"]


def test_done_count_may_exceed_the_promised_count(org, coordinator):
    promise = create_promise(org.id, coordinator, fields(org, promised_count=4, done_count=6))
    assert promise.done_count == 6


def test_notes_are_dated_masked_audited_and_removed_with_their_promise(org, coordinator):
    promise = create_promise(org.id, coordinator, fields(org))
    note = add_note(
        promise, coordinator, date(2026, 9, 1), {"sv": "Ring 070-123 45 67", "en": ""}, TODAY
    )
    db.session.commit()
    assert "070-123 45 67" not in note.texts["sv"] and "en" not in note.texts
    with pytest.raises(PromiseError) as raised:
        add_note(promise, coordinator, date(2026, 9, 16), {"sv": "Imorgon"}, TODAY)
    assert list(raised.value.problems) == ["noted_on"]
    with pytest.raises(PromiseError) as raised:
        add_note(promise, coordinator, None, {"sv": "x" * 1001}, TODAY)
    assert set(raised.value.problems) == {"noted_on", "note_sv"}
    db.session.rollback()
    second = add_note(promise, coordinator, date(2026, 9, 2), {"sv": "Två"}, TODAY)
    db.session.commit()
    remove_note(note, coordinator)
    db.session.commit()
    assert [n.id for n in promise.notes] == [second.id]
    remove_promise(promise, coordinator)
    db.session.commit()
    assert db.session.execute(sa.select(sa.func.count()).select_from(PromiseNote)).scalar() == 0
    assert db.session.execute(sa.select(sa.func.count()).select_from(Promise)).scalar() == 0
    assert [(e.action, e.details) for e in audit()] == [
        ("promise.created", {"promise_id": promise.id}),
        ("promise.note_added", {"promise_id": promise.id, "note_id": note.id}),
        ("promise.note_added", {"promise_id": promise.id, "note_id": second.id}),
        ("promise.note_removed", {"promise_id": promise.id, "note_id": note.id}),
        ("promise.removed", {"promise_id": promise.id}),
    ]
