"""The resident form at /f/<token>, its thank-you page, and the printable poster.

The form page is the same for everyone who opens it in a language: no session,
no cookie, no CSRF token, nothing per request. That keeps residents anonymous and
lets the page be cached as it is. It works without script: a plain POST stores
the answer too.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import public, require_role
from ..accounts.models import Role
from ..compression import compressed
from ..database import utcnow
from ..extensions import db
from ..i18n import direction, set_language, show_times_for, translate
from ..questionnaires.definition import iter_questions, text_in
from ..questionnaires.effort import effort
from ..questionnaires.versions import published_definition
from ..text import parse_whole_number
from .answers import AnswerError, Invalid, visible_answers
from .models import CollectionPoint, PointStatus
from .points import find_point, find_point_by_token, find_point_for_answer
from .submissions import Submission, SubmissionRefused, submit

bp = Blueprint("collection_form", __name__)


# The resident's pages: the same for everyone who opens them in a language.
_SAME_FOR_EVERYONE = frozenset({"collection_form.form", "collection_form.thanks"})


@bp.before_request
def mark_same_for_everyone():
    # Flask-Login reads the session for every template, which would add "Vary: Cookie";
    # these pages depend on no cookie, so a cache may keep one copy for everyone.
    if request.endpoint in _SAME_FOR_EVERYONE:
        g.same_for_everyone = True


class FollowUpPage(NamedTuple):
    """Where residents follow what happens in a point's area: the page's address,
    the area's name and the address of the page's QR code."""

    url: str
    area: str
    qr_url: str


# Registered by public/ (create_app): collection/ knows no public pages of its own.
_FOLLOW_UP: list[Callable[[CollectionPoint], FollowUpPage | None]] = []


def follow_up_page(finder: Callable[[CollectionPoint], FollowUpPage | None]) -> None:
    if finder not in _FOLLOW_UP:
        _FOLLOW_UP.append(finder)


def follow_up_of(point: CollectionPoint) -> FollowUpPage | None:
    """The published page of the point's area, if there is one."""
    for finder in _FOLLOW_UP:
        if (found := finder(point)) is not None:
            return found
    return None


def form_url(point: CollectionPoint) -> str:
    """The form's absolute URL: what the QR code holds and the poster writes out."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return f"{base.rstrip('/')}/f/{point.token}"
    return url_for("collection_form.form", token=point.token, _external=True)


def _point_or_404(token: str) -> CollectionPoint:
    point = find_point_by_token(token)
    if point is None:
        abort(404)
    return point


def _language(definition: dict) -> str:
    asked = request.args.get("lang") or request.form.get("language")
    return asked if asked in definition["languages"] else definition["default_language"]


def form_page(
    template: str,
    point: CollectionPoint,
    definition: dict,
    status: int = 200,
    lang: str | None = None,
    **context,
):
    lang = lang or _language(definition)
    set_language(lang)
    show_times_for(point.organisation_id)

    def t(value) -> str:
        return "" if value is None else text_in(value, lang, definition["default_language"])

    html = render_template(
        template,
        point=point,
        definition=definition,
        questions_by_id={q["id"]: q for q, _group in iter_questions(definition)},
        has_group=any(q["type"] == "group" for q in definition["questions"]),
        # The form shows the area's map for its location questions (a preview has no area).
        has_location=any(q["type"] == "location" for q, _group in iter_questions(definition)),
        lang=lang,
        t=t,
        follow_up=follow_up_of(point),
        **context,
    )
    return html, status


def unavailable_page(point: CollectionPoint, status: PointStatus, **kiosk):
    definition = point.served_version.definition
    code = 410 if status == PointStatus.CLOSED else 403
    return form_page(
        "collection/unavailable.html", point, definition, code, state=status.value, **kiosk
    )


def blank_form(point: CollectionPoint, kiosk: bool = False, seal_key=None):
    """The point's form, empty, in the version it serves; or why it takes no answers."""
    status = point.status(utcnow())
    if status != PointStatus.OPEN:
        # On a tablet the kiosk stays: staff leave it, or switch point, with the PIN.
        return unavailable_page(point, status, kiosk=kiosk, seal_key=seal_key)
    version = point.served_version
    return form_page(
        "collection/form.html",
        point,
        version.definition,
        version_number=version.number,
        values={},
        errors={},
        kiosk=kiosk,
        seal_key=seal_key,
    )


@bp.get("/f/<token>")
@compressed
def form(token):
    return blank_form(_point_or_404(token))


@bp.post("/f/<token>")
@public
def submit_form(token):
    """The form without script: parse the fields, store, and show the thank-you page."""
    version_number = parse_whole_number(request.form.get("version", "")) or 0
    found = find_point_for_answer(token, version_number)
    if found is None:
        abort(404)
    point, ref = found
    if ref is None:
        # A page of a version this point no longer takes: answer the current one.
        served = point.served_version
        ref, version_number = (served.id, served.content_hash), served.number
    definition = published_definition(*ref)
    language = _language(definition)
    answers, errors = parse_form(definition, request.form)
    if not errors:
        submission = Submission(
            id=uuid.uuid4(),
            version=version_number,
            language=language,
            answers=visible_answers(definition, answers),
        )
        try:
            submit(point, ref, submission, utcnow())
        except AnswerError as exc:
            db.session.rollback()
            errors = dict(exc.details)
        except SubmissionRefused as exc:
            db.session.rollback()
            if exc.status in (403, 410):
                return unavailable_page(point, point.status(utcnow()))
            abort(exc.status)
        else:
            db.session.commit()
            return redirect(url_for(".thanks", token=token, lang=language), 303)
    return form_page(
        "collection/form.html",
        point,
        definition,
        422,
        version_number=version_number,
        values=request.form,
        errors=errors,
    )


@bp.get("/f/<token>/thanks")
@compressed
def thanks(token):
    point = _point_or_404(token)
    return form_page("collection/thanks.html", point, point.served_version.definition)


POSTER_SIZES = ("a4", "a3")


def promise(definition: dict, language: str) -> str:
    """The poster's honest promise: how many questions at most, and about how long."""
    count, minutes = effort(definition)
    if count == 1:
        return translate(
            "Scan the code with your phone's camera: one question, about {minutes} min.",
            language,
            minutes=minutes,
        )
    return translate(
        "Scan the code with your phone's camera: {count} short questions, about {minutes} min.",
        language,
        count=count,
        minutes=minutes,
    )


@bp.get("/collection-points/<int:point_id>/poster")
@require_role(Role.STAFF)
def poster(point_id):
    point = find_point(current_user.organisation_id, point_id)
    if point is None:
        abort(404)
    size = request.args.get("size", "a4")
    if size not in POSTER_SIZES:
        size = "a4"
    definition = point.served_version.definition
    url = form_url(point)
    follow_up = follow_up_of(point)
    languages = [
        {
            "code": code,
            "dir": direction(code),
            "title": text_in(definition["title"], code, definition["default_language"]),
            "purpose": text_in(definition["description"], code, definition["default_language"])
            if definition.get("description")
            else "",
            "scan": promise(definition, code),
            "anonymous": translate(
                "You are anonymous: we keep nothing that shows who you are.", code
            ),
        }
        for code in definition["languages"]
    ]
    return render_template(
        "collection/poster.html",
        point=point,
        url=url,
        short_url=url.split("://", 1)[-1],
        languages=languages,
        size=size,
        follow_up=follow_up,
        follow_up_line=translate(
            "Follow what happens in {area}:", languages[0]["code"], area=follow_up.area
        )
        if follow_up
        else "",
        # Staff came from the points they collect at; coordinators from the point's page.
        back_url=url_for("workspace.point", point_id=point.id)
        if current_user.has_role(Role.COORDINATOR)
        else url_for("staff.index"),
    )


# --- the form without script -------------------------------------------------


NEEDS_SCRIPT = "A walk with stops needs script: turn on JavaScript in this browser."


def parse_form(definition: dict, form) -> tuple[dict, dict]:
    """Turn form fields into answers as the API takes them, with the fields that
    could not even be read (a number that is not one) as errors."""
    answers: dict = {}
    errors: dict = {}
    for question in definition["questions"]:
        qid, kind = question["id"], question["type"]
        if kind == "group":
            # The entries of a group are added and changed in the page's script.
            entered = any(name.startswith(f"{qid}.") and form.get(name) for name in form)
            if entered or question["required"]:
                errors[qid] = Invalid(NEEDS_SCRIPT, "needs_script")
            continue
        if kind == "photo":
            continue
        if kind == "multi":
            chosen = form.getlist(qid)
            if chosen:
                answers[qid] = chosen
            continue
        if kind == "location":
            place = form.get(f"{qid}.place", "")
            lat, lon = form.get(f"{qid}.lat", ""), form.get(f"{qid}.lon", "")
            value: dict = {}
            if place:
                value["place"] = place
            if lat and lon:
                try:
                    value["lat"], value["lon"] = float(lat), float(lon)
                except ValueError:
                    errors[qid] = Invalid("Not a position.")
            if value:
                answers[qid] = value
            continue
        raw = form.get(qid, "").strip()
        if raw == "":
            continue
        if kind in ("scale", "number"):
            try:
                number = float(raw.replace(",", ".").replace("\u2212", "-"))
            except ValueError:
                errors[qid] = Invalid("Not a number.")
                continue
            if not math.isfinite(number):
                errors[qid] = Invalid("Not a number.")
                continue
            answers[qid] = int(number) if number.is_integer() else number
        elif kind == "yesno":
            answers[qid] = {"true": True, "false": False}.get(raw, raw)
        else:
            answers[qid] = raw
    return answers, errors
