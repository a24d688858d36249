"""The organisation's citizen promises (medborgarlöfte) and their follow-up: written,
changed and removed by coordinators, with dated progress notes.

Everything a promise says is public once an area page that shows it is published, so
its texts are masked like residents' free text when stored (names, phone numbers, …
are replaced by markers). Every change is recorded in the audit log with the
promise's id and the names of the fields that changed, never their text, in the
transaction of the change; the caller commits. Nothing here reads a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..areas.models import Area
from ..audit.log import record
from ..collection.points import Problem
from ..database import utcnow
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, N_
from ..privacy.masking import mask_personal_data
from ..text import unstorable
from .models import Promise, PromiseNote, PromiseStatus, promise_area

LANGUAGES = tuple(LANGUAGE_NAMES)  # sv first: the text every promise has
# The languages' names in a sentence of the page's language ("på svenska").
LANGUAGE_LABELS = {"sv": N_("Swedish"), "en": N_("English"), "ar": N_("Arabic")}
FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_TEXT_LENGTH = 2000
MAX_NOTE_LENGTH = 1000
MAX_COUNT = 1_000_000

STATUS_NAMES = {
    PromiseStatus.NOT_STARTED: N_("Not started"),
    PromiseStatus.IN_PROGRESS: N_("In progress"),
    PromiseStatus.DONE: N_("Carried out"),
    PromiseStatus.PARTLY_DONE: N_("Partly carried out"),
    PromiseStatus.NOT_DONE: N_("Not carried out"),
}
STATUSES = tuple(s.value for s in PromiseStatus)

# The fields of a promise as create_promise and update_promise take them.
FIELDS = (
    "first_year",
    "last_year",
    "texts",
    "area_ids",
    "promised_count",
    "status",
    "done_texts",
    "done_count",
)


class PromiseError(ValueError):
    """A promise or note that cannot be stored as asked: ``problems`` by field (text_sv,
    areas, done_count, …), each a Problem a page can show in its language."""

    def __init__(self, problems: dict[str, list[Problem]]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))


# --- reading ----------------------------------------------------------------


def _loaded(query):
    # Lists show every promise's areas and notes: two more queries, not one per promise.
    return query.options(selectinload(Promise.areas), selectinload(Promise.notes))


def _newest_first(query):
    return query.order_by(Promise.last_year.desc(), Promise.first_year.desc(), Promise.id)


def list_promises(organisation_id: int) -> list[Promise]:
    """The organisation's promises, newest period first, with areas and notes loaded."""
    query = select(Promise).filter_by(organisation_id=organisation_id)
    return list(db.session.execute(_loaded(_newest_first(query))).scalars())


def promises_for_area(organisation_id: int, area_id: int) -> list[Promise]:
    """The organisation's promises that concern an area, newest period first, then by
    id, with their areas and notes loaded (for the area's public page)."""
    query = (
        select(Promise)
        .join(promise_area, promise_area.c.promise_id == Promise.id)
        .where(Promise.organisation_id == organisation_id, promise_area.c.area_id == area_id)
    )
    return list(db.session.execute(_loaded(_newest_first(query))).scalars())


def find_promise(
    organisation_id: int, promise_id: int, *, for_update: bool = False
) -> Promise | None:
    """The organisation's promise with this id, or None (another's is none too).
    ``for_update``: locked until the transaction ends, so that a change and a removal
    at once are made one after the other (a note never lands on a removed promise)."""
    if not 0 < promise_id < 2**31:
        return None  # no such row, and a database would refuse the number
    query = select(Promise).filter_by(organisation_id=organisation_id, id=promise_id)
    if for_update:
        query = query.with_for_update(of=Promise)
    return db.session.execute(_loaded(query)).scalar_one_or_none()


def find_note(promise: Promise, note_id: int) -> PromiseNote | None:
    if not 0 < note_id < 2**31:
        return None
    return next((note for note in promise.notes if note.id == note_id), None)


def by_period(promises: Iterable[Promise]) -> list[tuple[tuple[int, int], list[Promise]]]:
    """The promises grouped by their period, in the order given."""
    groups: dict[tuple[int, int], list[Promise]] = {}
    for promise in promises:
        groups.setdefault((promise.first_year, promise.last_year), []).append(promise)
    return list(groups.items())


def text_in(texts: dict | None, language: str) -> tuple[str, str] | None:
    """The text in a language and the language it is in: Swedish where that language's
    is missing; None when there is no text at all."""
    texts = texts or {}
    if texts.get(language):
        return texts[language], language
    if texts.get("sv"):
        return texts["sv"], "sv"
    return None


def promise_subject(promise: Promise) -> str:
    """How the audit log names a promise: its number and period, never its text."""
    return f"{promise.id} ({promise.first_year}–{promise.last_year})"


# --- checking -----------------------------------------------------------------


def _text(value: Any, name: str, limit: int, problems: dict) -> str:
    """The text as kept: line breaks as one character, no space at the ends, masked."""
    if not isinstance(value, str):
        problems[name] = [Problem("Expected text.")]
        return ""
    if unstorable(value):
        problems[name] = [
            Problem("Contains a control character or an invalid character, which is not taken.")
        ]
        return ""
    value = value.replace("\r\n", "\n").replace("\r", "\n").strip()
    if len(value) > limit:
        problems[name] = [
            Problem(
                "Write at most {limit} characters: this has {length}.",
                limit=limit,
                length=len(value),
            )
        ]
        return ""
    # Public once published: personal data goes, as in residents' own answers.
    return mask_personal_data(value)


def _texts(value: Any, prefix: str, limit: int, problems: dict, *, required: bool) -> dict:
    value = value or {}
    if not isinstance(value, dict) or set(value) - set(LANGUAGES):
        problems[f"{prefix}_sv"] = [Problem("Expected texts by language: sv, en, ar.")]
        return {}
    texts = {}
    for code in LANGUAGES:
        text = _text(value.get(code, ""), f"{prefix}_{code}", limit, problems)
        if text:
            texts[code] = text
    if required and not texts.get("sv") and f"{prefix}_sv" not in problems:
        problems[f"{prefix}_sv"] = [Problem("Write the text in Swedish.")]
    elif texts and not texts.get("sv") and f"{prefix}_sv" not in problems:
        problems[f"{prefix}_sv"] = [
            Problem("Write the text in Swedish too: it is shown where another is missing.")
        ]
    return texts


def _year(value: Any, name: str, problems: dict) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        problems[name] = [Problem("Write a year, such as 2026.")]
        return None
    if not FIRST_YEAR <= value <= LAST_YEAR:
        problems[name] = [
            Problem("Give a year from {first} to {last}.", first=FIRST_YEAR, last=LAST_YEAR)
        ]
        return None
    return value


def _count(value: Any, name: str, least: int, problems: dict) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        problems[name] = [Problem("Write a whole number, such as 4, or leave it empty.")]
        return None
    if not least <= value <= MAX_COUNT:
        problems[name] = [
            Problem("Give a number from {least} to {most}.", least=least, most=MAX_COUNT)
        ]
        return None
    return value


def _areas(organisation_id: int, value: Any, problems: dict) -> list[Area]:
    if not isinstance(value, list | tuple) or not value:
        problems["areas"] = [Problem("Choose at least one area.")]
        return []
    ids = set()
    for item in value:
        if isinstance(item, bool) or not isinstance(item, int) or not 0 < item < 2**31:
            problems["areas"] = [Problem("Choose the areas from the list.")]
            return []
        ids.add(item)
    areas = db.session.execute(
        select(Area).where(Area.organisation_id == organisation_id, Area.id.in_(ids))
    ).scalars()
    found = sorted(areas, key=lambda a: (a.name.casefold(), a.id))
    if len(found) != len(ids):
        # Another organisation's area is not one of ours: no word of whether it exists.
        problems["areas"] = [Problem("Choose the areas from the list.")]
        return []
    return found


def checked_promise(organisation_id: int, fields: dict[str, Any]) -> dict[str, Any]:
    """The promise's fields as they would be stored (texts masked, areas as rows);
    PromiseError names each field that cannot be."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"not promise fields: {', '.join(sorted(unknown))}")
    problems: dict[str, list[Problem]] = {}
    first = _year(fields.get("first_year"), "first_year", problems)
    last = _year(fields.get("last_year"), "last_year", problems)
    if first is not None and last is not None and last < first:
        problems["last_year"] = [
            Problem("The last year cannot be before the first ({first}).", first=first)
        ]
    status = fields.get("status")
    if status not in STATUSES:
        problems["status"] = [Problem("Choose a status from the list.")]
    checked = {
        "first_year": first,
        "last_year": last,
        "texts": _texts(fields.get("texts"), "text", MAX_TEXT_LENGTH, problems, required=True),
        "areas": _areas(organisation_id, fields.get("area_ids"), problems),
        "promised_count": _count(fields.get("promised_count"), "promised_count", 1, problems),
        "status": status,
        "done_texts": _texts(
            fields.get("done_texts"), "done_text", MAX_TEXT_LENGTH, problems, required=False
        )
        or None,
        "done_count": _count(fields.get("done_count"), "done_count", 0, problems),
    }
    if problems:
        raise PromiseError(problems)
    return checked


# --- changing -------------------------------------------------------------------


def create_promise(organisation_id: int, user: User | None, fields: dict[str, Any]) -> Promise:
    """A new promise of the organisation, recorded in the audit log."""
    checked = checked_promise(organisation_id, fields)
    promise = Promise(organisation_id=organisation_id, **checked)
    db.session.add(promise)
    db.session.flush()
    record(
        user,
        "promise.created",
        promise_subject(promise),
        {"promise_id": promise.id},
        organisation_id=organisation_id,
    )
    return promise


def update_promise(promise: Promise, user: User | None, fields: dict[str, Any]) -> list[str]:
    """Change the promise to these fields; the names of those that changed (recorded in
    the audit log, without their text). Nothing is written when nothing changes."""
    checked = checked_promise(promise.organisation_id, fields)
    changed = []
    for name, value in checked.items():
        before = getattr(promise, name)
        if name == "areas":
            same = [a.id for a in before] == [a.id for a in value]
        else:
            same = before == value
        if not same:
            setattr(promise, name, value)
            changed.append(name)
    if not changed:
        return []
    promise.updated_at = utcnow()
    record(
        user,
        "promise.changed",
        promise_subject(promise),
        {"promise_id": promise.id, "fields": sorted(changed)},
        organisation_id=promise.organisation_id,
    )
    db.session.flush()
    return sorted(changed)


def remove_promise(promise: Promise, user: User | None) -> None:
    """Remove the promise and its notes; the next publish of an area page leaves it out."""
    subject = promise_subject(promise)
    details = {"promise_id": promise.id}
    record(user, "promise.removed", subject, details, organisation_id=promise.organisation_id)
    db.session.delete(promise)
    db.session.flush()


def add_note(
    promise: Promise, user: User | None, noted_on: Any, texts: Any, today: date
) -> PromiseNote:
    """A dated progress note on the promise (not after ``today``, the organisation's)."""
    problems: dict[str, list[Problem]] = {}
    if not isinstance(noted_on, date):
        problems["noted_on"] = [Problem("Give the date, such as 2026-09-01.")]
    elif noted_on > today:
        problems["noted_on"] = [
            Problem("The date is after today ({today}).", today=today.isoformat())
        ]
    elif noted_on.year < FIRST_YEAR:
        problems["noted_on"] = [Problem("Give a date from {first} on.", first=FIRST_YEAR)]
    checked = _texts(texts, "note", MAX_NOTE_LENGTH, problems, required=True)
    if problems:
        raise PromiseError(problems)
    note = PromiseNote(
        noted_on=noted_on, texts=checked, created_by_id=user.id if user is not None else None
    )
    promise.notes.append(note)
    db.session.flush()
    record(
        user,
        "promise.note_added",
        promise_subject(promise),
        {"promise_id": promise.id, "note_id": note.id},
        organisation_id=promise.organisation_id,
    )
    return note


def remove_note(note: PromiseNote, user: User | None) -> None:
    promise = note.promise
    record(
        user,
        "promise.note_removed",
        promise_subject(promise),
        {"promise_id": promise.id, "note_id": note.id},
        organisation_id=promise.organisation_id,
    )
    promise.notes.remove(note)
    db.session.flush()
