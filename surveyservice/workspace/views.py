"""The coordinators' pages: the start page, and collection points listed, created,
changed and closed. Times are taken and shown in the organisation's time zone."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..areas.areas import find_area, list_areas
from ..audit.log import ACTION_LABELS, recent_work, record
from ..collection.models import CollectionPoint, PointKind, PointStatus
from ..collection.points import (
    PointError,
    check_point,
    close_point,
    create_point,
    find_point,
    point_subject,
    update_point,
)
from ..collection.views import form_url
from ..database import utcnow
from ..extensions import db
from ..questionnaires.effort import effort
from ..questionnaires.versions import list_questionnaires
from ..text import parse_whole_number
from .overview import (
    Answers,
    answer_counts,
    by_status,
    points_with_details,
    questionnaires_with_drafts,
)
from .point_form import KIND_LABELS, OTHER_NAME_LANGUAGES, Message, PointForm, read_point_form

bp = Blueprint("workspace", __name__)


def _time_zone() -> str:
    return current_user.organisation.time_zone


def get_point_or_404(point_id: int) -> CollectionPoint:
    """The signed-in user's organisation's point; another organisation's is a 404."""
    point = find_point(current_user.organisation_id, point_id)
    if point is None:
        abort(404)
    return point


@bp.get("/start")
@require_role(Role.COORDINATOR)
def start():
    org_id, now = current_user.organisation_id, utcnow()
    points = by_status(points_with_details(org_id), now)
    counts = answer_counts(org_id, now, _time_zone())
    answered = [p for status in PointStatus for p in points[status] if p.id in counts]
    answered.sort(key=lambda p: counts[p.id].latest, reverse=True)
    return render_template(
        "workspace/start.html",
        open_points=points[PointStatus.OPEN],
        upcoming=points[PointStatus.NOT_YET_OPEN],
        counts=counts,
        no_answers=Answers(),
        drafts=questionnaires_with_drafts(org_id),
        recent=answered[:10],
        activity=recent_work(org_id),
        action_labels=ACTION_LABELS,
    )


@bp.get("/collection-points")
@require_role(Role.COORDINATOR)
def points():
    org_id, now = current_user.organisation_id, utcnow()
    areas = list_areas(org_id)
    questionnaires = list_questionnaires(org_id)
    area_id = parse_whole_number(request.args.get("area", ""))
    area = find_area(org_id, area_id) if area_id is not None else None
    slug = request.args.get("questionnaire", "")
    if slug not in {q.slug for q in questionnaires}:
        slug = ""
    listed = points_with_details(org_id, area.id if area else None, slug or None)
    return render_template(
        "workspace/points.html",
        groups=by_status(listed, now),
        counts=answer_counts(org_id, now, _time_zone()),
        no_answers=Answers(),
        areas=areas,
        questionnaires=questionnaires,
        chosen_area=area,
        chosen_questionnaire=slug,
        filtered=bool(area or slug),
    )


def _form_page(template: str, form: PointForm, status: int = 200, **context):
    questionnaires = [q for q in list_questionnaires(current_user.organisation_id) if q.published]
    return (
        render_template(
            template,
            form=form,
            questionnaires=questionnaires,
            areas=list_areas(current_user.organisation_id),
            kinds=list(PointKind),
            kind_labels=KIND_LABELS,
            other_languages=OTHER_NAME_LANGUAGES,
            time_zone=_time_zone(),
            is_admin=current_user.has_role(Role.ADMIN),
            **context,
        ),
        status,
    )


def _save(form: PointForm, action, check) -> CollectionPoint | None:
    """Run the domain action when the form has no problems of its own, else only the
    domain's checks, so that every problem shows at once; nothing is kept then."""
    try:
        if form.problems:
            check()
            return None
        return action()
    except PointError as exc:
        db.session.rollback()
        for name, messages in exc.problems.items():
            if name in form.problems:
                continue  # the form's own problem with it says enough
            for message in messages:
                form.problems.setdefault(name, []).append(
                    Message(getattr(message, "template", message), getattr(message, "values", {}))
                )
        return None


@bp.route("/collection-points/new", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def new_point():
    if request.method == "GET":
        form = PointForm.for_point(None, _time_zone(), utcnow())
        if request.args.get("questionnaire"):
            form.values["questionnaire"] = request.args["questionnaire"]
        return _form_page("workspace/point_form.html", form)
    form, fields = read_point_form(request.form, _time_zone())
    org_id = current_user.organisation_id
    point = _save(form, lambda: create_point(org_id, fields), lambda: check_point(org_id, fields))
    if point is None:
        return _form_page("workspace/point_form.html", form, 422)
    record(current_user, "collection_point.created", point_subject(point))
    db.session.commit()
    return redirect(url_for(".point", point_id=point.id, created=1), 303)


@bp.get("/collection-points/<int:point_id>")
@require_role(Role.COORDINATOR)
def point(point_id):
    point = get_point_or_404(point_id)
    now = utcnow()
    counts = answer_counts(current_user.organisation_id, now, _time_zone())
    served = point.served_version
    questions, minutes = effort(served.definition) if served else (0, 0)
    return render_template(
        "workspace/point.html",
        point=point,
        status=point.status(now),
        answers=counts.get(point.id, Answers()),
        url=form_url(point),
        kiosk_url=url_for("staff.collect", token=point.token, _external=True),
        questions=questions,
        minutes=minutes,
        created=request.args.get("created") == "1",
        changed=request.args.get("changed") == "1",
    )


@bp.route("/collection-points/<int:point_id>/edit", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def edit_point(point_id):
    point = get_point_or_404(point_id)
    if request.method == "GET":
        form = PointForm.for_point(point, _time_zone(), utcnow())
        return _form_page("workspace/point_form.html", form, point=point)
    form, fields = read_point_form(request.form, _time_zone())
    saved = _save(
        form,
        lambda: update_point(point, fields),
        lambda: check_point(point.organisation_id, fields, point),
    )
    if saved is None:
        db.session.rollback()
        return _form_page("workspace/point_form.html", form, 422, point=point)
    record(
        current_user, "collection_point.changed", point_subject(point), {"fields": sorted(fields)}
    )
    db.session.commit()
    return redirect(url_for(".point", point_id=point.id, changed=1), 303)


@bp.route("/collection-points/<int:point_id>/close", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def close_point_page(point_id):
    point = get_point_or_404(point_id)
    now = utcnow()
    if request.method == "POST" and point.status(now) != PointStatus.CLOSED:
        close_point(point, now)
        record(current_user, "collection_point.closed", point_subject(point))
        db.session.commit()
        return redirect(url_for(".point", point_id=point.id), 303)
    return render_template("workspace/close.html", point=point, status=point.status(now))
