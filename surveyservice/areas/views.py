"""The admins' page of areas, and the organisation's time zone beside them."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..audit.log import record
from ..extensions import db
from ..local_time import is_time_zone, time_zone_names
from .areas import AreaError, create_area, find_area, list_areas, remove_area, rename_area
from .models import Area

bp = Blueprint("areas_pages", __name__)


def get_area_or_404(area_id: int) -> Area:
    """The signed-in user's organisation's area; another organisation's is a 404."""
    area = find_area(current_user.organisation_id, area_id)
    if area is None:
        abort(404)
    return area


def _page(status: int = 200, **context):
    context.setdefault("problem", None)
    context.setdefault("new_name", "")
    return (
        render_template(
            "areas/index.html",
            areas=list_areas(current_user.organisation_id),
            time_zones=time_zone_names(),
            is_admin=current_user.has_role(Role.ADMIN),
            **context,
        ),
        status,
    )


@bp.get("/areas")
@require_role(Role.COORDINATOR)
def index():
    # Coordinators see the list, to reach the areas' maps; only admins change areas.
    return _page(done=request.args.get("done"))


@bp.post("/areas")
@require_role(Role.ADMIN)
def add():
    name = request.form.get("name", "")
    try:
        area = create_area(current_user.organisation_id, name)
    except AreaError as exc:
        db.session.rollback()
        return _page(422, problem=exc, new_name=name)
    record(current_user, "area.created", area.name)
    db.session.commit()
    return redirect(url_for(".index", done="added", _anchor=f"area-{area.id}"), 303)


@bp.route("/areas/<int:area_id>/rename", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def rename(area_id):
    area = get_area_or_404(area_id)
    problem, name = None, area.name
    if request.method == "POST":
        name = request.form.get("name", "")
        before = area.name
        try:
            rename_area(area, name)
        except AreaError as exc:
            db.session.rollback()
            problem = exc
        else:
            record(current_user, "area.renamed", area.name, {"from": before, "to": area.name})
            db.session.commit()
            return redirect(url_for(".index", done="renamed"), 303)
    status = 422 if problem else 200
    return render_template("areas/rename.html", area=area, name=name, problem=problem), status


@bp.route("/areas/<int:area_id>/remove", methods=["GET", "POST"])
@require_role(Role.ADMIN)
def remove(area_id):
    area = get_area_or_404(area_id)
    problem = None
    if request.method == "POST":
        name = area.name
        try:
            remove_area(area)
        except AreaError as exc:
            db.session.rollback()
            problem = exc
        else:
            record(current_user, "area.removed", name)
            db.session.commit()
            return redirect(url_for(".index", done="removed"), 303)
    status = 409 if problem else 200
    return render_template("areas/remove.html", area=area, problem=problem), status


@bp.post("/organisation/time-zone")
@require_role(Role.ADMIN)
def time_zone():
    chosen = request.form.get("time_zone", "")
    if not is_time_zone(chosen):
        problem = AreaError(
            "time_zone", "Choose a time zone from the list, such as Europe/Stockholm."
        )
        return _page(422, zone_problem=problem, chosen_zone=chosen)
    before = current_user.organisation.time_zone
    current_user.organisation.time_zone = chosen
    record(
        current_user,
        "organisation.time_zone_changed",
        current_user.organisation.name,
        {"from": before, "to": chosen},
    )
    db.session.commit()
    return redirect(url_for(".index", done="time_zone"), 303)
