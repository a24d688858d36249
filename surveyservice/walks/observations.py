"""Observations of places and their follow-up: finding them, reading an entry's
answers, and changing what the organisation does about each.

The follow-up has two notes that never mix: the public note is what residents will
be told (masked like residents' free text), the internal note stays inside the
organisation and never reaches the audit log. Every change is kept in the
observation's history and the audit log, in the transaction of the change; the
caller commits. Nothing here reads a request.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_login import current_user
from flask_smorest import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..accounts.models import Organisation, User
from ..areas.areas import find_area_by_name, list_areas
from ..audit.log import record
from ..collection.models import CollectionPoint, Response
from ..collection.points import Problem
from ..database import utcnow
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, N_, translate
from ..privacy.masking import mask_personal_data
from ..questionnaires.versions import find_questionnaire
from ..results.selection import day_start
from ..text import one_line_problem, unstorable
from .models import Observation, ObservationChange, Photo, Responsible, Status

FOLLOW_UP_FIELDS = ("status", "responsible", "public_note", "internal_note", "public")
NOTE_FIELDS = ("public_note", "internal_note")
MAX_NOTE_LENGTH = 2000
MAX_STATUS_NAME_LENGTH = 40

STATUS_NAMES = {
    Status.NEW: N_("New"),
    Status.PASSED_ON: N_("Passed on"),
    Status.PLANNED: N_("Planned"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.FIXED: N_("Fixed"),
    Status.WONT_FIX: N_("Won't fix"),
    Status.NOT_OURS: N_("Not ours"),
}
RESPONSIBLE_NAMES = {
    Responsible.MUNICIPALITY: N_("Municipality"),
    Responsible.PROPERTY_OWNER: N_("Property owner"),
    Responsible.POLICE: N_("Police"),
    Responsible.OTHER: N_("Other"),
}
STATUSES = tuple(s.value for s in Status)
RESPONSIBLES = tuple(r.value for r in Responsible)
# The languages an organisation may name its statuses in: the staff pages', and
# Arabic for what residents will be shown.
STATUS_NAME_LANGUAGES = tuple(LANGUAGE_NAMES)


class FollowUpError(ValueError):
    """A follow-up or status names that cannot be stored as asked: ``problems`` by
    field, each a Problem (English, with its template for a page to translate)."""

    def __init__(self, problems: dict[str, list[Problem]]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))


class ObservationFilterError(ValueError):
    """Filters that name nothing the organisation knows: ``problems`` by query parameter."""

    def __init__(self, problems: dict[str, list[Problem]]):
        self.problems = problems
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in problems.items()))


# --- finding observations ---------------------------------------------------


@dataclass(frozen=True)
class ObservationFilters:
    """Which observations to show. Ids name the organisation's questionnaire, walk
    (collection point) and area; a list of values matches an observation that has
    any of them (none given: all); the days are whole days in the organisation's
    time zone, both included."""

    questionnaire: int | None = None
    point: int | None = None
    area: int | None = None
    categories: tuple[str, ...] = field(default=())
    severities: tuple[str, ...] = field(default=())
    statuses: tuple[str, ...] = field(default=())
    since: date | None = None
    until: date | None = None
    public: bool | None = None  # marked for the area's public page (None: either)

    def active(self) -> dict[str, Any]:
        """The filters that are set, by their query parameters' names (for the audit log)."""
        named = {
            "questionnaire": self.questionnaire,
            "point": self.point,
            "area": self.area,
            "category": list(self.categories) or None,
            "severity": list(self.severities) or None,
            "status": list(self.statuses) or None,
            "from": self.since.isoformat() if self.since else None,
            "to": self.until.isoformat() if self.until else None,
            "public": self.public,
        }
        return {name: value for name, value in named.items() if value is not None}


def list_observations(org_id: int, filters: ObservationFilters) -> list[Observation]:
    """The organisation's observations that the filters select, in the order the walks
    were recorded and each walk's stops in theirs, with the response, its version, the
    point, its area and questionnaire loaded (no query per row)."""
    query = (
        select(Observation)
        .where(Observation.organisation_id == org_id)
        .options(
            joinedload(Observation.response).joinedload(Response.version),
            joinedload(Observation.point).joinedload(CollectionPoint.area),
            joinedload(Observation.point).joinedload(CollectionPoint.questionnaire),
        )
        .order_by(
            Observation.observed_at,
            Observation.response_id,
            Observation.question_id,
            Observation.entry,
        )
    )
    if filters.questionnaire is not None:
        query = query.where(Observation.questionnaire_id == filters.questionnaire)
    if filters.point is not None:
        query = query.where(Observation.collection_point_id == filters.point)
    if filters.area is not None:
        points = select(CollectionPoint.id).where(
            CollectionPoint.organisation_id == org_id, CollectionPoint.area_id == filters.area
        )
        query = query.where(Observation.collection_point_id.in_(points))
    if filters.statuses:
        query = query.where(Observation.status.in_(filters.statuses))
    if filters.public is not None:
        query = query.where(Observation.public.is_(filters.public))
    if filters.since is not None or filters.until is not None:
        time_zone = db.session.get(Organisation, org_id).time_zone
        if filters.since is not None:
            query = query.where(Observation.observed_at >= day_start(filters.since, time_zone))
        if filters.until is not None:
            end = day_start(filters.until + timedelta(days=1), time_zone)
            query = query.where(Observation.observed_at < end)
    found = list(db.session.execute(query).unique().scalars())
    # Categories and severities live in the entries' answers, by each version's group.
    if filters.categories:
        wanted = set(filters.categories)
        found = [o for o in found if wanted.intersection(category_values(o))]
    if filters.severities:
        wanted = set(filters.severities)
        found = [o for o in found if _as_text(severity_value(o)) in wanted]
    return found


def resolve_filters(org_id: int, args: dict) -> ObservationFilters:
    """The filters that parsed query arguments name (``questionnaire`` a slug, ``point``
    an id, ``area`` a name, ``category``/``severity``/``status`` lists, ``from_``/``to``
    days), checked against the organisation; ObservationFilterError lists every one
    that names nothing."""
    problems: dict[str, list[Problem]] = {}
    questionnaire_id = None
    if (slug := args.get("questionnaire")) is not None:
        questionnaire = find_questionnaire(org_id, slug)
        if questionnaire is None:
            problems["questionnaire"] = [Problem("No questionnaire {slug!r}.", slug=slug)]
        else:
            questionnaire_id = questionnaire.id
    point_id = args.get("point")
    if point_id is not None:
        point = db.session.get(CollectionPoint, point_id) if 0 < point_id < 2**31 else None
        if point is None or point.organisation_id != org_id:
            problems["point"] = [Problem("No collection point {point}.", point=point_id)]
        elif questionnaire_id is not None and point.questionnaire_id != questionnaire_id:
            problems["point"] = [
                Problem(
                    "Collection point {point} does not collect this questionnaire.",
                    point=point_id,
                )
            ]
    area_id = None
    if (name := args.get("area")) is not None:
        area = find_area_by_name(org_id, name)
        if area is None:
            known = ", ".join(a.name for a in list_areas(org_id))
            problems["area"] = [
                Problem("No area called {name!r}. The areas are: {known}.", name=name, known=known)
            ]
        else:
            area_id = area.id
    for status in args.get("status") or ():
        if status not in STATUSES:
            problems["status"] = [_status_problem()]
    since, until = args.get("from_"), args.get("to")
    if since is not None and until is not None and since > until:
        problems["from"] = [
            Problem(
                "{since} is after to ({until}).", since=since.isoformat(), until=until.isoformat()
            )
        ]
    if problems:
        raise ObservationFilterError(problems)
    return ObservationFilters(
        questionnaire=questionnaire_id,
        point=point_id,
        area=area_id,
        categories=tuple(args.get("category") or ()),
        severities=tuple(args.get("severity") or ()),
        statuses=tuple(args.get("status") or ()),
        since=since,
        until=until,
        public=args.get("public"),
    )


def find_observation(
    org_id: int, observation_id: int, *, for_update: bool = False
) -> Observation | None:
    """The organisation's observation with this id, or None (another's is none too).
    ``for_update``: locked until the transaction ends, so that two changes of its
    follow-up at once are made one after the other, each seeing the other's."""
    if not 0 < observation_id < 2**31:
        return None  # no such row, and a database would refuse the number
    query = (
        select(Observation)
        .filter_by(organisation_id=org_id, id=observation_id)
        .options(
            joinedload(Observation.response).joinedload(Response.version),
            joinedload(Observation.point).joinedload(CollectionPoint.area),
        )
    )
    if for_update:
        query = query.with_for_update(of=Observation)
    return db.session.execute(query).scalar_one_or_none()


def get_observation_or_404(observation_id: int, *, for_update: bool = False) -> Observation:
    """The signed-in user's organisation's observation; another organisation's is a 404.
    The one place an observation's organisation is checked, for the API and the pages."""
    observation = find_observation(
        current_user.organisation_id, observation_id, for_update=for_update
    )
    if observation is None:
        abort(404, message=f"No observation {observation_id}.")
    return observation


def observation_subject(observation: Observation) -> str:
    """How the audit log names an observation: its number, walk and entry."""
    return f"{observation.id} {observation.point.name} #{observation.entry}"


# --- what an entry says -------------------------------------------------------


def group_definition(observation: Observation, definition: dict | None = None) -> dict:
    """The group question the observation is an entry of, as its version asks it."""
    definition = definition or observation.response.version.definition
    for question in definition["questions"]:
        if question["id"] == observation.question_id:
            return question
    return {"id": observation.question_id, "type": "group", "questions": []}


def entry_answers(observation: Observation) -> dict:
    """The entry's own answers, by question id: the response's answer to the group,
    at the entry's place in it."""
    entries = (observation.response.answers or {}).get(observation.question_id)
    if not isinstance(entries, list) or not 0 < observation.entry <= len(entries):
        return {}
    entry = entries[observation.entry - 1]
    return entry if isinstance(entry, dict) else {}


def general_answers(observation: Observation, definition: dict | None = None) -> dict:
    """The walk's own answers (the response's questions outside groups), by question id."""
    definition = definition or observation.response.version.definition
    answers = observation.response.answers or {}
    return {
        q["id"]: answers[q["id"]]
        for q in definition["questions"]
        if q["type"] != "group" and q["id"] in answers
    }


def category_values(observation: Observation, definition: dict | None = None) -> list[str]:
    """The values the entry chose for its group's ``category`` question (empty when the
    group names none or the entry did not answer it)."""
    key = group_definition(observation, definition).get("category")
    value = entry_answers(observation).get(key) if key else None
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def severity_value(observation: Observation, definition: dict | None = None) -> Any:
    """The entry's answer to its group's ``severity`` question (a single choice's value
    or a scale's number), or None."""
    key = group_definition(observation, definition).get("severity")
    return entry_answers(observation).get(key) if key else None


def _as_text(value: Any) -> str | None:
    return None if value is None else str(value)


def photo_ids(observation: Observation, definition: dict | None = None) -> list[uuid.UUID]:
    """The ids of the photos the entry names, in its order."""
    answers = entry_answers(observation)
    found = []
    for question in group_definition(observation, definition).get("questions", ()):
        if question["type"] == "photo":
            for text in answers.get(question["id"]) or ():
                try:
                    found.append(uuid.UUID(str(text)))
                except ValueError:
                    continue
    return found


def observation_photos(observations: Iterable[Observation]) -> dict[int, list[Photo]]:
    """The photos each observation names that are still there (not deleted), by the
    observation's id, in one query for all."""
    observations = list(observations)
    named = {o.id: photo_ids(o) for o in observations}
    wanted = {photo_id for ids in named.values() for photo_id in ids}
    if not wanted:
        return {o.id: [] for o in observations}
    responses = {o.response_id for o in observations}
    photos = {
        photo.id: photo
        for photo in db.session.execute(
            select(Photo).where(
                Photo.id.in_(wanted),
                Photo.response_id.in_(responses),
                Photo.deleted_at.is_(None),
                Photo.storage_key.is_not(None),
            )
        ).scalars()
    }
    by_observation = {}
    for observation in observations:
        by_observation[observation.id] = [
            photos[p]
            for p in named[observation.id]
            if p in photos and photos[p].response_id == observation.response_id
        ]
    return by_observation


def photo_url(photo: Photo) -> str:
    """Where signed-in staff of the organisation see the photo."""
    return f"/photos/{photo.id}.jpg"


@dataclass(frozen=True)
class HistoryItem:
    changed_at: datetime
    user_email: str | None  # None: the user is gone, or the command line
    changes: dict[str, list]


def history(observation: Observation) -> list[HistoryItem]:
    """The observation's follow-up changes, oldest first, with who made each."""
    rows = db.session.execute(
        select(ObservationChange, User.email)
        .outerjoin(User, ObservationChange.user_id == User.id)
        .where(ObservationChange.observation_id == observation.id)
        .order_by(ObservationChange.changed_at, ObservationChange.id)
    ).all()
    return [HistoryItem(change.changed_at, email, change.changes) for change, email in rows]


# --- the follow-up ------------------------------------------------------------


def _status_problem() -> Problem:
    return Problem("Not a status: use one of {statuses}.", statuses=", ".join(STATUSES))


def _note(name: str, value: Any, problems: dict) -> str | None:
    if not isinstance(value, str):
        problems[name] = [Problem("Expected text.")]
        return None
    if unstorable(value):
        problems[name] = [
            Problem("Contains a control character or an invalid character, which is not taken.")
        ]
        return None
    value = value.strip()
    if len(value) > MAX_NOTE_LENGTH:
        problems[name] = [
            Problem(
                "At most {limit} characters; this has {length}.",
                limit=MAX_NOTE_LENGTH,
                length=len(value),
            )
        ]
        return None
    return value


def checked_follow_up(fields: dict[str, Any]) -> dict[str, Any]:
    """The follow-up fields as they would be stored (the public note masked);
    FollowUpError names each field that cannot be."""
    unknown = set(fields) - set(FOLLOW_UP_FIELDS)
    if unknown:
        raise TypeError(f"not follow-up fields: {', '.join(sorted(unknown))}")
    problems: dict[str, list[Problem]] = {}
    checked: dict[str, Any] = {}
    if "status" in fields:
        if fields["status"] in STATUSES:
            checked["status"] = str(fields["status"])
        else:
            problems["status"] = [_status_problem()]
    if "responsible" in fields:
        value = fields["responsible"]
        if value is None or value == "":
            checked["responsible"] = None
        elif value in RESPONSIBLES:
            checked["responsible"] = str(value)
        else:
            problems["responsible"] = [
                Problem(
                    "Not a responsible party: use one of {parties}, or null for none.",
                    parties=", ".join(RESPONSIBLES),
                )
            ]
    if "public" in fields:
        # Strictly true or false: "yes" or 1 guessed as true would publish by mistake.
        if isinstance(fields["public"], bool):
            checked["public"] = fields["public"]
        else:
            problems["public"] = [Problem("Expected true or false.")]
    for name in NOTE_FIELDS:
        if name in fields:
            note = _note(name, fields[name], problems)
            if note is not None:
                # What residents will read: personal data goes, as in their own answers.
                checked[name] = mask_personal_data(note) if name == "public_note" else note
    if problems:
        raise FollowUpError(problems)
    return checked


def update_follow_up(observation: Observation, user: User | None, **fields: Any) -> dict:
    """Change the follow-up fields given (status, responsible, public_note,
    internal_note, public) and keep the change: {field: [old, new]} for each field that
    changed, in the history and, without the notes' text, the audit log. Nothing is
    written when nothing changes; FollowUpError when a field cannot be stored."""
    checked = checked_follow_up(fields)
    changes = {
        name: [getattr(observation, name), value]
        for name, value in checked.items()
        if getattr(observation, name) != value
    }
    if not changes:
        return {}
    now = utcnow()
    for name, (_, new) in changes.items():
        setattr(observation, name, new)
    observation.updated_at = now
    db.session.add(
        ObservationChange(
            observation_id=observation.id,
            changed_at=now,
            user_id=user.id if user is not None else None,
            changes=changes,
        )
    )
    # The notes are free text, the internal one never shared: the log says only that
    # they changed.
    details: dict[str, Any] = {"fields": sorted(changes)}
    details.update(
        {name: changes[name] for name in ("status", "responsible", "public") if name in changes}
    )
    record(
        user,
        "observation.follow_up_changed",
        observation_subject(observation),
        details,
        organisation_id=observation.organisation_id,
    )
    db.session.flush()
    return changes


# --- names of statuses and responsible parties -------------------------------


def status_label(org: Organisation, status: str, language: str) -> str:
    """A status's name in a language: the organisation's own, else the default."""
    own = ((org.status_names or {}).get(status) or {}).get(language)
    if own:
        return own
    default = STATUS_NAMES.get(status)  # type: ignore[call-overload]
    return translate(default, language) if default else status


def status_labels(org: Organisation, language: str) -> dict[str, str]:
    """Every status's name in a language, in the statuses' order."""
    return {status: status_label(org, status, language) for status in STATUSES}


def responsible_label(responsible: str | None, language: str) -> str:
    """The name of a responsible party in a language; empty for none."""
    if responsible is None:
        return ""
    default = RESPONSIBLE_NAMES.get(responsible)  # type: ignore[call-overload]
    return translate(default, language) if default else responsible


def set_status_names(
    org: Organisation, names: dict[str, dict[str, str | None]], user: User | None
) -> dict[str, dict[str, str]]:
    """Set the organisation's names of statuses: ``{status: {language: name}}``; an
    empty name (or None) brings back the default. Names not given stay as they are.
    Recorded in the audit log when something changed; FollowUpError names each
    status and language that cannot be stored, and then nothing is."""
    problems: dict[str, list[Problem]] = {}
    current = {
        status: dict(by_language) for status, by_language in (org.status_names or {}).items()
    }
    wanted = {status: dict(by_language) for status, by_language in current.items()}
    for status, by_language in names.items():
        if status not in STATUSES:
            problems[status] = [_status_problem()]
            continue
        if not isinstance(by_language, dict):
            problems[status] = [Problem("Expected a name per language.")]
            continue
        for language, name in by_language.items():
            key = f"{status}.{language}"
            if language not in STATUS_NAME_LANGUAGES:
                problems[key] = [
                    Problem(
                        "Not a language of the service: use one of {languages}.",
                        languages=", ".join(STATUS_NAME_LANGUAGES),
                    )
                ]
                continue
            if name is not None and not isinstance(name, str):
                problems[key] = [Problem("Expected text.")]
                continue
            name = (name or "").strip()
            if one_line_problem(name):
                problems[key] = [Problem("Must be one line of text without control characters.")]
            elif len(name) > MAX_STATUS_NAME_LENGTH:
                problems[key] = [
                    Problem(
                        "At most {limit} characters; this has {length}.",
                        limit=MAX_STATUS_NAME_LENGTH,
                        length=len(name),
                    )
                ]
            elif name:
                wanted.setdefault(status, {})[language] = name
            else:
                wanted.get(status, {}).pop(language, None)
    if problems:
        raise FollowUpError(problems)
    wanted = {status: by_language for status, by_language in wanted.items() if by_language}
    if wanted != current:
        changed = sorted(
            f"{status}.{language}"
            for status in STATUSES
            for language in STATUS_NAME_LANGUAGES
            if (current.get(status) or {}).get(language) != (wanted.get(status) or {}).get(language)
        )
        org.status_names = wanted or None
        record(
            user,
            "organisation.status_names_changed",
            org.slug,
            {"changed": changed},
            organisation_id=org.id,
        )
        db.session.flush()
    return wanted
