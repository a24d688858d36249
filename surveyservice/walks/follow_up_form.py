"""The follow-up form of an observation's page: what was posted, checked field by field,
so that the page can give the form back with every problem at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..i18n import N_
from ..text import unstorable
from .models import Observation
from .observations import MAX_NOTE_LENGTH, RESPONSIBLES, STATUSES

PROBLEMS = {
    "status": N_("Choose a status from the list."),
    "responsible": N_("Choose who is responsible from the list, or “Not decided”."),
    "too_long": N_("Write at most {limit} characters: this note has {count}."),
    "unstorable": N_("The note contains a control character or an invalid character: remove it."),
    "public": N_("Tick the box or leave it empty."),
    "changed_meanwhile": N_(
        "Someone else changed this after you opened the page. What they saved is shown in "
        "the history below; check this field and save again."
    ),
}
FIELDS = ("status", "responsible", "public_note", "internal_note", "public")
# The checkbox's value when ticked; a form keeps every value as text.
TICKED = "yes"


@dataclass
class FollowUpForm:
    """The values as posted (or as stored, before a change), with problems by field."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, tuple[str, dict]] = field(default_factory=dict)
    # The values the page showed when it was opened (hidden fields): what this person
    # changes is what differs from them, so that a save never undoes another's change.
    shown: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_observation(cls, observation: Observation) -> FollowUpForm:
        values = stored_values(observation)
        return cls(values=values, shown=dict(values))

    def changes(self) -> dict[str, str | bool | None]:
        """The fields this person changed, as the model keeps them (no one responsible
        is None, the checkbox a boolean); every field when the page did not say what
        it showed."""
        return {
            name: _as_stored(name, value)
            for name, value in self.values.items()
            if name not in self.shown or value != self.shown[name]
        }

    def check_against(self, observation: Observation) -> None:
        """A problem on each field this person changed that someone else changed too
        since the page was opened; the page then shows what is stored now."""
        now = stored_values(observation)
        mine = self.changes()
        for name in mine:
            if name in self.shown and now[name] not in (self.shown[name], self.values[name]):
                self.problems[name] = (PROBLEMS["changed_meanwhile"], {})
        # From here on the form stands on what is stored: the fields this person left
        # alone take the stored values, so that only their own changes remain changes.
        for name in now.keys() - mine.keys():
            self.values[name] = now[name]
        self.shown = now


def _as_stored(name: str, value: str) -> str | bool | None:
    if name == "responsible":
        return value or None
    if name == "public":
        return value == TICKED
    return value


def stored_values(observation: Observation) -> dict[str, str]:
    return {
        "status": observation.status,
        "responsible": observation.responsible or "",
        "public_note": observation.public_note or "",
        "internal_note": observation.internal_note or "",
        "public": TICKED if observation.public else "",
    }


def _note(text: str) -> str:
    # Browsers send line breaks as CR LF; what is kept and counted is one character each.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def read_follow_up(form_data) -> FollowUpForm:
    """The posted follow-up, checked: a status and a responsible from the lists, notes
    of storable text within the length, the checkbox ticked or not."""
    values = {
        "status": form_data.get("status", "").strip(),
        "responsible": form_data.get("responsible", "").strip(),
        "public_note": _note(form_data.get("public_note", "")),
        "internal_note": _note(form_data.get("internal_note", "")),
    }
    # An unticked box sends nothing: only a form that showed the box (its shown_public
    # is there) says it was left empty. A form without it leaves the mark as it is.
    if "public" in form_data or "shown_public" in form_data:
        values["public"] = form_data.get("public", "").strip()
    shown = {
        name: _note(form_data[f"shown_{name}"])
        if name.endswith("note")
        else form_data[f"shown_{name}"]
        for name in FIELDS
        if f"shown_{name}" in form_data
    }
    form = FollowUpForm(values=values, shown=shown)
    if values["status"] not in STATUSES:
        form.problems["status"] = (PROBLEMS["status"], {})
    if values["responsible"] and values["responsible"] not in RESPONSIBLES:
        form.problems["responsible"] = (PROBLEMS["responsible"], {})
    if values.get("public", "") not in ("", TICKED):
        form.problems["public"] = (PROBLEMS["public"], {})
    for name in ("public_note", "internal_note"):
        if unstorable(values[name]):
            form.problems[name] = (PROBLEMS["unstorable"], {})
        elif len(values[name]) > MAX_NOTE_LENGTH:
            form.problems[name] = (
                PROBLEMS["too_long"],
                {"limit": MAX_NOTE_LENGTH, "count": len(values[name])},
            )
    return form
