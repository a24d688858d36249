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
}


@dataclass
class FollowUpForm:
    """The values as posted (or as stored, before a change), with problems by field."""

    values: dict[str, str] = field(default_factory=dict)
    problems: dict[str, tuple[str, dict]] = field(default_factory=dict)

    @classmethod
    def for_observation(cls, observation: Observation) -> FollowUpForm:
        return cls(
            values={
                "status": observation.status,
                "responsible": observation.responsible or "",
                "public_note": observation.public_note or "",
                "internal_note": observation.internal_note or "",
            }
        )

    def changes(self) -> dict[str, str | None]:
        """The fields as the model keeps them (no one responsible is None)."""
        return {
            "status": self.values["status"],
            "responsible": self.values["responsible"] or None,
            "public_note": self.values["public_note"],
            "internal_note": self.values["internal_note"],
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
    form = FollowUpForm(values=values)
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
