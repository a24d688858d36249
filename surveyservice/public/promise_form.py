"""The promise and progress-note forms: what was typed, read into the fields the domain
takes, with a problem beside each field that cannot be read (the domain's own checks
add theirs, so that every problem shows at once)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from ..collection.points import Problem
from ..i18n import N_
from ..text import parse_whole_number
from .models import Promise, PromiseStatus
from .promises import LANGUAGES

TEXT_FIELDS = tuple(f"text_{code}" for code in LANGUAGES)
DONE_TEXT_FIELDS = tuple(f"done_text_{code}" for code in LANGUAGES)
NOTE_FIELDS = tuple(f"note_{code}" for code in LANGUAGES)
# The fields in the order the page shows them: the summary of problems follows it.
PROMISE_ORDER = (
    "first_year",
    "last_year",
    *TEXT_FIELDS,
    "areas",
    "promised_count",
    "status",
    *DONE_TEXT_FIELDS,
    "done_count",
)
NOTE_ORDER = ("noted_on", *NOTE_FIELDS)


@dataclass
class Form:
    """What the page shows: the values as typed, the areas ticked, problems by field."""

    values: dict[str, str]
    area_ids: list[str] = field(default_factory=list)
    problems: dict[str, list[Problem]] = field(default_factory=dict)
    order: tuple[str, ...] = PROMISE_ORDER

    def others_open(self, prefix: str) -> bool:
        """Whether the texts in the other languages than Swedish are worth unfolding."""
        names = [f"{prefix}_{code}" for code in LANGUAGES if code != "sv"]
        return any(self.values.get(n, "").strip() or n in self.problems for n in names)

    def add(self, name: str, template: str, **values) -> None:
        self.problems.setdefault(name, []).append(Problem(template, **values))

    def merge(self, problems: dict[str, list[Problem]]) -> None:
        """Add the domain's problems, but not beside a field this form already faults:
        its own message says it more plainly."""
        for name, messages in problems.items():
            if name not in self.problems:
                self.problems[name] = list(messages)
        place = {name: index for index, name in enumerate(self.order)}
        self.problems = dict(
            sorted(self.problems.items(), key=lambda item: place.get(item[0], len(place)))
        )


def _typed(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def promise_form(promise: Promise | None, this_year: int) -> Form:
    """The form of a new promise (this year's period, not started) or of a stored one."""
    if promise is None:
        values = {
            "first_year": str(this_year),
            "last_year": str(this_year),
            "status": PromiseStatus.NOT_STARTED.value,
        }
        return Form(values)
    values = {
        "first_year": str(promise.first_year),
        "last_year": str(promise.last_year),
        "promised_count": "" if promise.promised_count is None else str(promise.promised_count),
        "status": promise.status,
        "done_count": "" if promise.done_count is None else str(promise.done_count),
    }
    for code in LANGUAGES:
        values[f"text_{code}"] = (promise.texts or {}).get(code, "")
        values[f"done_text_{code}"] = (promise.done_texts or {}).get(code, "")
    return Form(values, [str(area.id) for area in promise.areas])


def read_promise_form(posted) -> tuple[Form, dict]:
    """The form as sent, and the fields for create_promise/update_promise (meaningful
    only when neither the form nor the domain finds a problem)."""
    names = (
        "first_year",
        "last_year",
        "promised_count",
        "status",
        "done_count",
        *TEXT_FIELDS,
        *DONE_TEXT_FIELDS,
    )
    values = {name: _typed(posted.get(name, "")) for name in names}
    form = Form(values, posted.getlist("areas"))
    fields: dict = {
        "status": values["status"],
        "texts": {code: values[f"text_{code}"] for code in LANGUAGES},
        "done_texts": {code: values[f"done_text_{code}"] for code in LANGUAGES},
    }
    for name, missing in (
        ("first_year", N_("Give the first year of the period.")),
        ("last_year", N_("Give the last year of the period.")),
    ):
        text = values[name].strip()
        fields[name] = parse_whole_number(text)
        if not text:
            form.add(name, missing)
        elif fields[name] is None:
            form.add(name, N_("Write a year, such as 2026."))
    for name in ("promised_count", "done_count"):
        text = values[name].strip()
        fields[name] = parse_whole_number(text) if text else None
        if text and fields[name] is None:
            form.add(name, N_("Write a whole number, such as 4, or leave it empty."))
    area_ids = [parse_whole_number(value.strip()) for value in form.area_ids]
    fields["area_ids"] = [i for i in area_ids if i is not None]
    if None in area_ids:
        form.add("areas", N_("Choose the areas from the list."))
    return form, fields


def note_form(today: date) -> Form:
    return Form({"noted_on": today.isoformat()}, order=NOTE_ORDER)


def read_note_form(posted) -> tuple[Form, date | None, dict[str, str]]:
    """The note form as sent, its date (None when it cannot be read) and its texts."""
    values = {name: _typed(posted.get(name, "")) for name in ("noted_on", *NOTE_FIELDS)}
    form = Form(values, order=NOTE_ORDER)
    noted_on = None
    text = values["noted_on"].strip()
    if not text:
        form.add("noted_on", N_("Give the date of the note."))
    else:
        try:
            noted_on = date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            noted_on = None
        if noted_on is None:
            form.add("noted_on", N_("Write the date as year-month-day, such as 2026-09-01."))
    return form, noted_on, {code: values[f"note_{code}"] for code in LANGUAGES}
