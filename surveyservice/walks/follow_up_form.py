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
    "changed_meanwhile": N_(
        "Someone else changed this after you opened the page. What they saved is shown in "
        "the history below; check this field and save again."
    ),
}
FIELDS = ("status", "responsible", "public_note", "internal_note")


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

    def changes(self) -> dict[str, str | None]:
        """The fields this person changed, as the model keeps them (no one responsible
        is None); every field when the page did not say what it showed."""
        return {
            name: (value or None) if name == "responsible" else value
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


def stored_values(observation: Observation) -> dict[str, str]:
    return {
        "status": observation.status,
        "responsible": observation.responsible or "",
        "public_note": observation.public_note or "",
        "internal_note": observation.internal_note or "",
    }


def _note(text: str) -> str:
    # Browsers send line breaks as CR LF; what is kept and counted is one character each.
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def read_follow_up(form_data) -> FollowUpForm:
    """The posted follow-up, checked: a status and a responsible from the lists, notes
    of storable text within the length."""
    values = {
        "status": form_data.get("status", "").strip(),
        "responsible": form_data.get("responsible", "").strip(),
        "public_note": _note(form_data.get("public_note", "")),
        "internal_note": _note(form_data.get("internal_note", "")),
    }
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
    for name in ("public_note", "internal_note"):
        if unstorable(values[name]):
            form.problems[name] = (PROBLEMS["unstorable"], {})
        elif len(values[name]) > MAX_NOTE_LENGTH:
            form.problems[name] = (
                PROBLEMS["too_long"],
                {"limit": MAX_NOTE_LENGTH, "count": len(values[name])},
            )
    return form
