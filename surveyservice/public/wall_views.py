"""Results walls: the coordinators' pages that make, change and remove them, and the
public wall at /w/<token> with the small summary its script polls.

The wall and its summary are the same for everyone who opens them in a language:
no session, no cookie, and short public caching with an ETag, so that a proxy or the
browser answers most polls and no server worker is held per screen.
"""

from __future__ import annotations

import hashlib
import json
import re

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal, format_percent, format_time
from flask_login import current_user
from markupsafe import Markup, escape

from ..accounts.auth import require_role
from ..accounts.models import Organisation, Role
from ..collection.models import CollectionPoint, PointStatus
from ..collection.points import find_point, list_points
from ..collection.qr import qr_svg
from ..collection.views import form_url
from ..compression import compressed
from ..database import utcnow
from ..extensions import db
from ..i18n import N_, gettext, ngettext, set_language, show_times_for
from ..questionnaires.definition import text_in
from ..results.settings import thresholds_for
from ..static_versions import file_version
from ..text import parse_whole_number
from . import walls
from .models import Wall

bp = Blueprint("walls", __name__)

# The summary is polled every few seconds by every screen: a proxy or the browser
# may answer from its copy for 2 s, then asks again with the ETag.
SUMMARY_CACHE = "public, max-age=2"
PAGE_CACHE = "public, no-cache"
# Polling every 3 s; tests lower it with WALL_POLL_SECONDS.
POLL_SECONDS = 3
# A poll that has not settled by then (a stuck proxy) is given up as a network
# error; tests lower it with WALL_TIMEOUT_SECONDS.
TIMEOUT_SECONDS = 10
# A whole day on a TV's browser: the page reloads itself now and then all the same.
RELOAD_AFTER_SECONDS = 4 * 60 * 60
WALL_LANGUAGES = ("sv", "en", "ar")
_PUBLIC_ENDPOINTS = frozenset({"walls.wall", "walls.summary"})


@bp.before_request
def mark_same_for_everyone():
    # The wall reads no session: a cache may keep one copy for everyone (no Vary: Cookie).
    if request.endpoint in _PUBLIC_ENDPOINTS:
        g.same_for_everyone = True


# --- the coordinators' pages ----------------------------------------------------


def get_wall_or_404(wall_id: int) -> Wall:
    """The signed-in user's organisation's wall; another organisation's is a 404."""
    wall = walls.find_wall(current_user.organisation_id, wall_id)
    if wall is None:
        abort(404)
    return wall


def get_point_or_404(point_id: int | None) -> CollectionPoint:
    point = find_point(current_user.organisation_id, point_id) if point_id else None
    if point is None or point.served_version is None:
        abort(404)
    return point


def wall_addresses(wall: Wall) -> list[dict]:
    """The wall's address in each language its questionnaire speaks."""
    definition = wall.point.served_version.definition
    return [
        {
            "lang": code,
            "url": url_for("walls.wall", token=wall.token, lang=code, _external=True),
        }
        for code in definition["languages"]
        if code in WALL_LANGUAGES
    ]


@bp.get("/walls")
@require_role(Role.COORDINATOR)
def index():
    org_id = current_user.organisation_id
    now = utcnow()
    points = [p for p in list_points(org_id) if p.status(now) != PointStatus.CLOSED]
    return render_template(
        "walls/index.html",
        walls=walls.list_walls(org_id),
        points=[p for p in points if p.served_version is not None],
        addresses=wall_addresses,
        labels=_question_labels,
        k=thresholds_for(current_user.organisation).k,
        done=request.args.get("done"),
    )


def _question_labels(wall: Wall) -> list[str]:
    definition = wall.point.served_version.definition
    by_id = {q["id"]: q for q in definition["questions"]}
    language = g.lang if g.lang in definition["languages"] else definition["default_language"]
    return [
        text_in(by_id[qid]["label"], language, definition["default_language"])
        if qid in by_id
        else qid
        for qid in wall.question_ids
    ]


def _form_page(point: CollectionPoint, chosen: list[str], problems: list, status=200, wall=None):
    definition = point.served_version.definition
    language = g.lang if g.lang in definition["languages"] else definition["default_language"]
    questions = [
        {
            "id": q["id"],
            "label": text_in(q["label"], language, definition["default_language"]),
            "type": q["type"],
        }
        for q in walls.choice_questions(definition)
    ]
    return render_template(
        "walls/form.html",
        point=point,
        wall=wall,
        questions=questions,
        chosen=chosen,
        problems=problems,
        k=thresholds_for(current_user.organisation).k,
    ), status


@bp.route("/walls/new", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def new():
    asked = request.values.get("point", "")
    if not asked and request.method == "GET":
        # Asked with no point (the language switched): the list has the point picker.
        return redirect(url_for(".index", _anchor="new-title"))
    # Only 0-9: "²" or "١" is no point's number.
    point = get_point_or_404(parse_whole_number(asked))
    if request.method == "GET":
        return _form_page(point, [], [])
    chosen = request.form.getlist("questions")
    try:
        wall = walls.create_wall(point, chosen, current_user)
    except walls.WallError as exc:
        db.session.rollback()
        return _form_page(point, chosen, exc.problems["questions"], 422)
    db.session.commit()
    return redirect(url_for(".index", done="created", _anchor=f"wall-{wall.id}"), 303)


@bp.route("/walls/<int:wall_id>/edit", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def edit(wall_id):
    wall = get_wall_or_404(wall_id)
    if request.method == "GET":
        return _form_page(wall.point, list(wall.question_ids), [], wall=wall)
    chosen = request.form.getlist("questions")
    try:
        walls.change_wall(wall, chosen, current_user)
    except walls.WallError as exc:
        db.session.rollback()
        return _form_page(wall.point, chosen, exc.problems["questions"], 422, wall=wall)
    db.session.commit()
    return redirect(url_for(".index", done="changed", _anchor=f"wall-{wall.id}"), 303)


@bp.route("/walls/<int:wall_id>/remove", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def remove(wall_id):
    wall = get_wall_or_404(wall_id)
    if request.method == "POST":
        walls.remove_wall(wall, current_user)
        db.session.commit()
        return redirect(url_for(".index", done="removed"), 303)
    return render_template("walls/remove.html", wall=wall, labels=_question_labels(wall))


# --- the public wall --------------------------------------------------------------


def _language(definition: dict) -> str:
    asked = request.args.get("lang")
    if asked in definition["languages"] and asked in WALL_LANGUAGES:
        return asked
    return definition["default_language"]


def static_version() -> str:
    """The wall's script and style as they are now: a screen whose page has others reloads."""
    folder = current_app.static_folder
    return "-".join(file_version(folder, name) or "" for name in ("wall.js", "wall.css"))


def _text(value, language: str, default: str) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        return value
    return value.get(language) or value.get(default) or next(iter(value.values()), "")


def _row(cell: dict, k: int, language: str, default: str) -> dict:
    if cell["value"] is None:
        label = gettext("No answer")
    else:
        label = _text(cell["label"], language, default) or cell["value"]
    if cell["count"] is None:
        # Suppressed: a text, never the value, and no bar.
        return {
            "label": label,
            "count": None,
            "figure": gettext("fewer than {k} answers", k=k),
            "width": None,
        }
    share = cell["share"]
    figure = format_decimal(cell["count"])
    if share is not None:
        figure = f"{figure} · {format_percent(share)}"
    return {
        "label": label,
        "count": cell["count"],
        "figure": figure,
        "width": max(0, min(100, round(share * 100))) if share is not None else 0,
    }


QUESTION_WITHHELD = N_("Not shown yet: with so few answers these figures could point someone out.")


def present(wall: Wall, shown: dict | None, k: int, language: str) -> dict:
    """What the wall shows in a language: the texts and bar widths of the figures kept,
    or why there are none."""
    point = wall.point
    definition = point.served_version.definition
    default = definition["default_language"]
    by_id = {q["id"]: q for q in definition["questions"]}
    kept = {q["id"]: q for q in (shown or {}).get("questions", [])}
    # What the page draws itself: a change of it makes the screens reload the page.
    layout = hashlib.sha256(
        json.dumps([wall.question_ids, point.status(utcnow()).value, language]).encode()
    ).hexdigest()[:16]
    questions = []
    for question_id in wall.question_ids:
        question = by_id.get(question_id)
        if question is None:  # no longer asked: the label it had when counted, if any
            question = kept.get(question_id, {})
        label = _text(question.get("label"), language, default) or question_id
        figures = kept.get(question_id)
        note, rows = None, []
        if shown is not None and figures is not None:
            if figures["withheld"] == walls.NOT_ASKED:
                note = gettext("This question is no longer asked.")
            elif shown["withheld"]:
                pass  # the whole view is withheld: the wall's message says so once
            elif figures["withheld"]:
                note = gettext(QUESTION_WITHHELD)
            else:
                rows = [
                    _row(c, shown["k"], language, default)
                    for c in figures["cells"]
                    # An empty "no answer" bar says nothing on a screen.
                    if not (c["value"] is None and c["count"] == 0)
                ]
        questions.append({"id": question_id, "label": label, "note": note, "rows": rows})
    if shown is None:
        state = "waiting"
        message = gettext(
            "Waiting for more answers: the results show once at least {k} people have answered.",
            k=k,
        )
        status = gettext("Waiting for more answers")
        total = None
    elif shown["withheld"]:
        state = "withheld"
        message = gettext(
            "Not shown yet: with so few answers the results could point someone out. "
            "They show when more people have answered."
        )
        status = gettext("Waiting for more answers")
        total = None
    else:
        state = "shown"
        message = ""
        status = gettext("Updated {time}", time=format_time(wall.shown_at, "short"))
        total = ngettext("{count} answer", "{count} answers", shown["total"])
    return {
        "state": state,
        "message": message,
        "status": status,
        "total": total,
        "questions": questions,
        "layout": layout,
        "version": static_version(),
    }


def size_class(view: dict) -> str:
    """How large the figures may be drawn: fewer rows, larger type (wall.js agrees)."""
    rows = sum(len(q["rows"]) + 2 for q in view["questions"])
    return "size-l" if rows <= 8 else "size-m" if rows <= 14 else "size-s"


def _organisation(wall: Wall) -> Organisation:
    return db.session.get(Organisation, wall.organisation_id)


def _wall_state(token: str) -> tuple[Wall, dict, int, str]:
    wall = walls.find_wall_by_token(token)
    if wall is None or wall.point.served_version is None:
        return None, None, 0, ""
    organisation = _organisation(wall)
    thresholds = thresholds_for(organisation)
    shown = walls.current(wall, thresholds, organisation.time_zone)
    language = _language(wall.point.served_version.definition)
    set_language(language)
    show_times_for(wall.organisation_id)
    return wall, shown, thresholds.k, language


def _cacheable(response: Response, cache_control: str) -> Response:
    # A signed-in coordinator's browser gets its session cookie refreshed with the
    # answer: a shared cache must never keep that, so their copy is private.
    if request.cookies:
        cache_control = cache_control.replace("public", "private")
    response.headers["Cache-Control"] = cache_control
    return response


def _conditional(response: Response, cache_control: str) -> Response:
    _cacheable(response, cache_control)
    response.add_etag()
    return response.make_conditional(request)


def qr_markup(url: str, label: str) -> Markup:
    """The form's QR code as inline SVG that scales with its box."""
    svg = qr_svg(url).decode()
    svg = re.sub(r'^<svg width="[^"]*" height="[^"]*"', "<svg", svg)
    svg = svg.replace("<svg", f'<svg class="qr" role="img" aria-label="{escape(label)}"', 1)
    # The qrcode library's own markup of our URL, with an escaped label: no outside text.
    return Markup(svg)  # noqa: S704


@bp.get("/w/<token>")
@compressed
def wall(token):
    wall, shown, k, language = _wall_state(token)
    if wall is None:
        set_language(
            request.args.get("lang") if request.args.get("lang") in WALL_LANGUAGES else "sv"
        )
        response = Response(render_template("walls/gone.html", lang=g.lang), 404)
        return _cacheable(response, PAGE_CACHE)
    point = wall.point
    definition = point.served_version.definition
    url = form_url(point)
    view = present(wall, shown, k, language)
    html = render_template(
        "walls/wall.html",
        wall=wall,
        point=point,
        lang=language,
        title=_text(definition["title"], language, definition["default_language"]),
        view=view,
        size=size_class(view),
        status=point.status(utcnow()).value,
        qr=qr_markup(url, gettext("QR code for the questionnaire")),
        short_url=url.split("://", 1)[-1],
        url=url,
        poll_ms=int(float(current_app.config.get("WALL_POLL_SECONDS", POLL_SECONDS)) * 1000),
        timeout_ms=int(
            float(current_app.config.get("WALL_TIMEOUT_SECONDS", TIMEOUT_SECONDS)) * 1000
        ),
        reload_ms=RELOAD_AFTER_SECONDS * 1000,
    )
    return _conditional(Response(html, mimetype="text/html"), PAGE_CACHE)


@bp.get("/w/<token>/summary.json")
@compressed
def summary(token):
    wall, shown, k, language = _wall_state(token)
    if wall is None:
        asked = request.args.get("lang")
        set_language(asked if asked in WALL_LANGUAGES else "sv")
        body = {"state": "removed", "message": gettext("This results wall has been removed.")}
        response = Response(json.dumps(body, ensure_ascii=False), 404, mimetype="application/json")
        return _cacheable(response, SUMMARY_CACHE)
    body = present(wall, shown, k, language)
    response = Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")), mimetype="application/json"
    )
    return _conditional(response, SUMMARY_CACHE)
