"""The areas' maps: the coordinators' page to upload one, the organisation's tile
server, and the images themselves (public under a collection point's token, like
the form that shows them)."""

from __future__ import annotations

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Organisation, Role
from ..areas.views import get_area_or_404
from ..collection.points import find_point_by_token
from ..extensions import db
from ..i18n import choose_staff_language, set_language
from ..static_versions import IMMUTABLE
from ..storage import storage
from .area_maps import (
    IMAGE_PROBLEMS,
    MAX_BYTES,
    MapError,
    map_config,
    map_extension,
    remove_area_map,
    set_area_corners,
    set_area_map,
    set_tile_server,
)

bp = Blueprint("area_maps", __name__)

CORNERS = ("south", "west", "north", "east")
MEDIA_TYPES = {"jpg": "image/jpeg", "png": "image/png"}


@bp.app_template_global()
def point_map_config(point) -> dict | None:
    """The map of a collection point's area for its form (or kiosk) page, under its
    token: templates call it, so that collection/ need not know of walks/."""
    organisation = db.session.get(Organisation, point.organisation_id)
    return map_config(point.area, organisation, point.token)


def _page(area, status: int = 200, problem=None, entered=None, tile_problem=None, tiles=None):
    corners = entered or {
        name: "" if getattr(area, f"map_{name}") is None else repr(getattr(area, f"map_{name}"))
        for name in CORNERS
    }
    return (
        render_template(
            "walks/area_map.html",
            area=area,
            config=map_config(area, current_user.organisation),
            corners=corners,
            problem=problem,
            tile_problem=tile_problem,
            tiles=tiles
            or {
                "url": current_user.organisation.tile_url or "",
                "attribution": current_user.organisation.tile_attribution or "",
            },
            done=request.args.get("done"),
            is_admin=current_user.has_role(Role.ADMIN),
            max_megabytes=MAX_BYTES // (1024 * 1024),
        ),
        status,
    )


@bp.get("/areas/<int:area_id>/map")
@require_role(Role.COORDINATOR)
def page(area_id):
    return _page(get_area_or_404(area_id))


@bp.post("/areas/<int:area_id>/map")
@require_role(Role.COORDINATOR)
def upload(area_id):
    area = get_area_or_404(area_id)
    entered = {name: request.form.get(name, "") for name in CORNERS}
    file = request.files.get("image")
    data = file.read() if file else b""
    try:
        if not data and area.map_key:
            set_area_corners(area, *entered.values(), current_user)
            done = "corners"
        else:
            set_area_map(area, data, *entered.values(), current_user)
            done = "uploaded"
    except MapError as problem:
        db.session.rollback()
        return _page(area, 422, problem, entered)
    return redirect(url_for(".page", area_id=area.id, done=done), 303)


@bp.errorhandler(413)
def upload_too_large(error):
    # Refused before the view runs (request_limits): say it on the page, not a bare 413.
    if request.endpoint != "area_maps.upload" or not current_user.has_role(Role.COORDINATOR):
        return error
    area = get_area_or_404(request.view_args["area_id"])
    # Refused before the language of the request was chosen.
    set_language(choose_staff_language())
    problem = MapError("image", IMAGE_PROBLEMS["too_large"], limit=MAX_BYTES // (1024 * 1024))
    return _page(area, 413, problem, {name: "" for name in CORNERS})


@bp.post("/areas/<int:area_id>/map/remove")
@require_role(Role.COORDINATOR)
def remove(area_id):
    area = get_area_or_404(area_id)
    remove_area_map(area, current_user)
    return redirect(url_for(".page", area_id=area.id, done="removed"), 303)


@bp.post("/areas/<int:area_id>/map/tiles")
@require_role(Role.ADMIN)
def tile_server(area_id):
    # The organisation's setting, changed from any of its areas' map pages.
    area = get_area_or_404(area_id)
    url = request.form.get("tile_url", "")
    attribution = request.form.get("tile_attribution", "")
    try:
        set_tile_server(current_user.organisation, url, attribution, current_user)
    except MapError as problem:
        db.session.rollback()
        return _page(
            area, 422, tile_problem=problem, tiles={"url": url, "attribution": attribution}
        )
    done = "tiles" if url.strip() else "tiles_removed"
    return redirect(url_for(".page", area_id=area.id, done=done, _anchor="tiles-title"), 303)


def _image(area, version: int, ext: str, cache_control: str) -> Response:
    if area is None or not area.map_key or area.map_version != version:
        abort(404)
    if map_extension(area) != ext:
        abort(404)
    data = storage().get(area.map_key)
    if data is None:
        abort(404)
    response = Response(data, mimetype=MEDIA_TYPES[ext])
    # A version's image never changes: a new map is a new address.
    response.headers["Cache-Control"] = cache_control
    return response


@bp.get("/f/<token>/map-<int:version>.<any(jpg, png):ext>")
def public_image(token, version, ext):
    # An image of a public area, for anyone who has the form: the same for everyone.
    g.same_for_everyone = True
    point = find_point_by_token(token)
    return _image(point.area if point else None, version, ext, IMMUTABLE)


@bp.get("/areas/<int:area_id>/map-<int:version>.<any(jpg, png):ext>")
@require_role(Role.STAFF)
def staff_image(area_id, version, ext):
    return _image(get_area_or_404(area_id), version, ext, IMMUTABLE.replace("public", "private"))
