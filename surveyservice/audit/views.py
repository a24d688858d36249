"""The audit log in the browser: admins only, their own organisation's entries only."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, g, render_template, request
from flask_login import current_user

from ..accounts.admin_views import ROLE_LABELS
from ..accounts.auth import require_role
from ..accounts.models import Role
from ..i18n import N_, translate
from ..text import parse_whole_number
from .log import ACTION_LABELS, ACTIONS, Filters, entries, people

bp = Blueprint("audit", __name__)

# The keys of the entries' details, as the page names them.
DETAIL_LABELS = {
    "version": N_("version"),
    "file": N_("file"),
    "time_zone": N_("time zone"),
    "fields": N_("fields"),
    "from": N_("from"),
    "to": N_("to"),
    "role": N_("role"),
    "name": N_("name"),
    "prefix": N_("begins with"),
    "by": N_("by"),
    "total": N_("in all"),
    "stored": N_("stored now"),
    "stored_before": N_("stored before"),
    "refused": N_("not accepted"),
    "unprocessed": N_("not yet processed"),
    "status": N_("status"),
    "responsible": N_("responsible"),
    "changed": N_("changed"),
    "rows": N_("rows"),
    "promise_id": N_("promise"),
    "note_id": N_("note"),
    "area_id": N_("area"),
    "number": N_("number"),
    "results": N_("questionnaires"),
    "point": N_("collection point"),
    "questions": N_("questions"),
}
COMMAND_LINE = "cli"


def _(message: str, **values) -> str:
    return translate(message, g.lang, **values)


def _day(text: str) -> date | None:
    """A day written YYYY-MM-DD in the years 2000 to 2100, or None."""
    if len(text) != 10 or not text.isascii():
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None
    return day if 2000 <= day.year <= 2100 else None


def _read_filters(args) -> tuple[Filters, int, dict[str, str]]:
    """The filters asked for, the page number, and the problems by field; a filter
    with a problem is left out."""
    problems: dict[str, str] = {}
    action = args.get("action") or None
    if action is not None and action not in ACTIONS:
        problems["action"] = _("Choose an action from the list.")
        action = None
    user: int | None = None
    if who := args.get("user"):
        user = 0 if who == COMMAND_LINE else parse_whole_number(who)
        if user is None:
            problems["user"] = _("Choose a user from the list.")
    days = {}
    for name in ("since", "until"):
        days[name] = None
        if text := args.get(name):
            days[name] = _day(text)
            if days[name] is None:
                problems[name] = _("Write a date as YYYY-MM-DD, such as 2026-12-01.")
    if days["since"] and days["until"] and days["until"] < days["since"]:
        problems["until"] = _("The last day comes before the first.")
        days["until"] = None
    page = parse_whole_number(args.get("page", "1")) or 1
    zone = current_user.organisation.time_zone
    return Filters(action, user, days["since"], days["until"], zone), page, problems


@bp.get("/audit")
@require_role(Role.ADMIN)
def index():
    filters, page_number, problems = _read_filters(request.args)
    page = entries(current_user.organisation_id, filters, page_number)
    return render_template(
        "audit/index.html",
        page=page,
        problems=problems,
        action_labels=ACTION_LABELS,
        detail_labels=DETAIL_LABELS,
        role_labels={role.value: label for role, label in ROLE_LABELS.items()},
        people=people(current_user.organisation_id),
        COMMAND_LINE=COMMAND_LINE,
    ), 422 if problems else 200
