"""Writing to the audit log and reading it back, a page at a time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select

from ..accounts.models import User
from ..database import utcnow
from ..extensions import db
from ..i18n import N_
from ..local_time import start_of_day
from .models import AuditEntry

# Every action written anywhere, with its name on the pages; the log's filter offers
# them all.
ACTION_LABELS = {
    "questionnaire.created": N_("Questionnaire created"),
    "questionnaire.draft_saved": N_("Draft saved"),
    "questionnaire.draft_discarded": N_("Draft discarded"),
    "questionnaire.published": N_("Questionnaire published"),
    "collection_point.created": N_("Collection point created"),
    "collection_point.changed": N_("Collection point changed"),
    "collection_point.closed": N_("Collection point closed"),
    "area.created": N_("Area added"),
    "area.renamed": N_("Area renamed"),
    "area.removed": N_("Area removed"),
    "area.map_changed": N_("Area map changed"),
    "area.map_removed": N_("Area map removed"),
    "organisation.tile_server_changed": N_("Tile server changed"),
    "organisation.time_zone_changed": N_("Time zone changed"),
    "organisation.result_thresholds_changed": N_("Result thresholds changed"),
    "organisation.status_names_changed": N_("Follow-up statuses renamed"),
    "results.viewed_by_language": N_("Results viewed by answer language"),
    "saved_queue.uploaded": N_("Saved answers uploaded"),
    "photo.deleted": N_("Photo deleted"),
    "results.exported": N_("Answers exported"),
    "observation.follow_up_changed": N_("Observation follow-up changed"),
    "observations.exported": N_("Observations exported"),
    "promise.created": N_("Promise added"),
    "promise.changed": N_("Promise changed"),
    "promise.removed": N_("Promise removed"),
    "promise.note_added": N_("Progress note added"),
    "promise.note_removed": N_("Progress note removed"),
    "public_page.changed": N_("Public page's contents chosen"),
    "public_page.published": N_("Public page published"),
    "wall.created": N_("Results wall made"),
    "wall.changed": N_("Results wall changed"),
    "wall.removed": N_("Results wall removed"),
    "user.created": N_("User added"),
    "user.role_changed": N_("Role changed"),
    "user.deactivated": N_("User deactivated"),
    "user.reactivated": N_("User reactivated"),
    "user.password_set": N_("Password set"),
    "user.password_link_made": N_("One-time link made"),
    "token.created": N_("API token created"),
    "token.revoked": N_("API token revoked"),
}
ACTIONS = tuple(ACTION_LABELS)
MAX_DETAILS_BYTES = 2000
PAGE_SIZE = 50


def record(
    actor: User | None,
    action: str,
    subject: str,
    details: dict | None = None,
    *,
    organisation_id: int | None = None,
) -> AuditEntry:
    """Add an entry to the current transaction: it is stored with the change it
    describes, or not at all. ``actor`` None is the command line, which must then
    name the organisation."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}: add it to ACTIONS")
    if organisation_id is None:
        if actor is None:
            raise ValueError("an entry from the command line must name its organisation")
        organisation_id = actor.organisation_id
    if details is not None and len(json.dumps(details)) > MAX_DETAILS_BYTES:
        raise ValueError("audit details are for a few small values")
    entry = AuditEntry(
        organisation_id=organisation_id,
        at=utcnow(),
        user_id=actor.id if actor is not None else None,
        user_email=actor.email if actor is not None else None,
        action=action,
        subject=subject[:300],
        details=details,
    )
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class Filters:
    """What to show: ``user`` is a user id, 0 for the command line, None for everyone;
    the days are whole days in ``time_zone`` (the organisation's), both included."""

    action: str | None = None
    user: int | None = None
    since: date | None = None
    until: date | None = None
    time_zone: str = "UTC"


@dataclass(frozen=True)
class Page:
    entries: list[AuditEntry]
    number: int
    has_more: bool


def _start_of(day: date, time_zone: str) -> datetime:
    """The UTC time at which the day began in the time zone."""
    noon = datetime.combine(day, time(12), tzinfo=ZoneInfo(time_zone)).astimezone(UTC)
    return start_of_day(noon, time_zone)


def entries(organisation_id: int, filters: Filters, page: int = 1) -> Page:
    """One page of the organisation's entries, newest first."""
    query = select(AuditEntry).filter_by(organisation_id=organisation_id)
    if filters.action:
        query = query.filter_by(action=filters.action)
    if filters.user == 0:
        query = query.where(AuditEntry.user_id.is_(None))
    elif filters.user is not None:
        query = query.filter_by(user_id=filters.user)
    if filters.since:
        query = query.where(AuditEntry.at >= _start_of(filters.since, filters.time_zone))
    if filters.until:
        day_after = filters.until + timedelta(days=1)
        query = query.where(AuditEntry.at < _start_of(day_after, filters.time_zone))
    rows = (
        db.session.execute(
            query.order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE + 1)
        )
        .scalars()
        .all()
    )
    return Page(list(rows[:PAGE_SIZE]), page, len(rows) > PAGE_SIZE)


# The actions that are the shared work of coordinators, shown on the start page;
# account changes are the admins' business and stay in the log.
WORK = ("questionnaire.", "collection_point.", "saved_queue.", "area.")


def recent_work(organisation_id: int, limit: int = 8) -> list[AuditEntry]:
    """The latest changes to questionnaires, points, areas and uploads, newest first."""
    query = (
        select(AuditEntry)
        .filter_by(organisation_id=organisation_id)
        .where(or_(*(AuditEntry.action.startswith(prefix) for prefix in WORK)))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
    )
    return list(db.session.execute(query).scalars())


def people(organisation_id: int) -> list[tuple[int, str]]:
    """The organisation's users, to filter the log by: (id, e-mail) by e-mail."""
    return [
        (user_id, email)
        for user_id, email in db.session.execute(
            select(User.id, User.email)
            .filter_by(organisation_id=organisation_id)
            .order_by(User.email)
        )
    ]
