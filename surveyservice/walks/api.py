"""The observations API: observations of places with their follow-up, and their
exports as CSV and GeoJSON. Thin routes over observations.py and exports.py."""

from __future__ import annotations

import json

from flask import Response as HttpResponse
from flask import current_app, request
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort
from marshmallow import RAISE

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..audit.log import record
from ..errors import Blueprint
from ..extensions import db
from ..questionnaires.api import SLUG
from ..questionnaires.models import Questionnaire
from ..questionnaires.permissions import get_questionnaire_or_404
from ..results.exports.writing import CSV_TYPE, DIALECTS, csv_chunks
from .exports import GEOJSON_TYPE, feature_collection, observation_rows, plan_observation_columns
from .models import Observation
from .observations import (
    FollowUpError,
    ObservationFilterError,
    ObservationFilters,
    category_values,
    entry_answers,
    get_observation_or_404,
    history,
    list_observations,
    observation_photos,
    photo_url,
    resolve_filters,
    severity_value,
    update_follow_up,
)
from .schemas import (
    CsvQuerySchema,
    FollowUpChangeSchema,
    LabelsQuerySchema,
    ListQuerySchema,
    ObservationDetailSchema,
    ObservationSchema,
)

blp = Blueprint(
    "observations",
    __name__,
    url_prefix="/api/v1/observations",
    description="Observations of places from safety walks (one per entry of a group that "
    "asks for a place), and their follow-up: status, who is responsible, a public and an "
    "internal note, with the history of changes.",
)
exports_blp = Blueprint(
    "observation_exports",
    __name__,
    url_prefix="/api/v1/questionnaires",
    description="A questionnaire's observations as CSV or GeoJSON, one row or feature per "
    "observation. Coordinators and admins only; every export is recorded in the audit "
    "log. Both carry the internal note (docs/walks.md).",
)

OBSERVATION_ID = {
    "in": "path",
    "name": "observation_id",
    "description": "The observation's id",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}
# A mistyped parameter is refused rather than ignored: a list or an export that
# silently left out a filter would show what nobody asked for.
QUERY = {"location": "query", "as_kwargs": True, "unknown": RAISE}
FILE = {"type": "string", "format": "binary"}


def observation_view(observation: Observation) -> dict:
    position = None
    if observation.lat is not None and observation.lon is not None:
        position = {
            "lat": observation.lat,
            "lon": observation.lon,
            "accuracy": observation.accuracy,
        }
    return {
        "id": observation.id,
        "questionnaire": observation.point.questionnaire.slug,
        "point_id": observation.collection_point_id,
        "point": observation.point.name,
        "area": observation.point.area.name,
        "response_id": observation.response_id,
        "group": observation.question_id,
        "entry": observation.entry,
        "observed_at": observation.observed_at,
        "position": position,
        "place": observation.place,
        "category": category_values(observation),
        "severity": severity_value(observation),
        "follow_up": {
            "status": observation.status,
            "responsible": observation.responsible,
            "public_note": observation.public_note,
            "internal_note": observation.internal_note,
            "public": observation.public,
            "updated_at": observation.updated_at,
        },
    }


def detail_view(observation: Observation) -> dict:
    photos = observation_photos([observation])[observation.id]
    return {
        **observation_view(observation),
        "answers": entry_answers(observation),
        "photos": [{"id": photo.id, "url": photo_url(photo)} for photo in photos],
        "history": [
            {"changed_at": item.changed_at, "user": item.user_email, "changes": item.changes}
            for item in history(observation)
        ],
    }


def _filters(args: dict) -> ObservationFilters:
    try:
        return resolve_filters(current_user.organisation_id, args)
    except ObservationFilterError as exc:
        abort(422, message="Some filters cannot be used.", errors={"query": exc.problems})


@blp.route("")
class Observations(MethodView):
    @require_role(Role.STAFF)
    @blp.arguments(ListQuerySchema, **QUERY)
    @blp.response(200, ObservationSchema(many=True))
    @blp.errors(401, 422)
    def get(self, **args):
        """List your organisation's observations that the filters select, in the order
        they were observed; a filter that names nothing of yours is a 422 naming it."""
        observations = list_observations(current_user.organisation_id, _filters(args))
        return [observation_view(o) for o in observations]


@blp.route("/<int:observation_id>", parameters=[OBSERVATION_ID])
class OneObservation(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, ObservationDetailSchema)
    @blp.errors(401, 404)
    def get(self, observation_id):
        """Show an observation: where, the entry's answers, its photos, its follow-up
        (with the internal note) and the follow-up's history."""
        return detail_view(get_observation_or_404(observation_id))

    @require_role(Role.COORDINATOR)
    @blp.arguments(
        FollowUpChangeSchema,
        description="At least one field. A change is kept in the history and the audit "
        "log (which names the fields, never the notes' text); the same values again "
        "change nothing.",
    )
    @blp.response(200, ObservationDetailSchema)
    @blp.errors(400, 401, 403, 404)
    def patch(self, fields, observation_id):
        """Change an observation's follow-up."""
        observation = get_observation_or_404(observation_id, for_update=True)
        try:
            update_follow_up(observation, current_user, **fields)
        except FollowUpError as exc:
            db.session.rollback()
            abort(
                422,
                message="The follow-up cannot be stored as asked.",
                errors={"json": exc.problems},
            )
        db.session.commit()
        return detail_view(observation)


# --- exports --------------------------------------------------------------------


def _site_url() -> str:
    return current_app.config["PUBLIC_BASE_URL"] or request.host_url


def _observations(slug: str, args: dict) -> tuple[Questionnaire, ObservationFilters, list]:
    questionnaire = get_questionnaire_or_404(slug)
    filters = _filters({**args, "questionnaire": slug})
    return questionnaire, filters, list_observations(current_user.organisation_id, filters)


def _recorded(questionnaire, filters: ObservationFilters, args: dict, rows: int, **details):
    """The export on the record, committed before the first byte is sent (and after
    the file is made: a commit would expire the rows it is made of)."""
    logged = {k: v for k, v in filters.active().items() if k != "questionnaire"}
    if "area" in logged:
        logged["area"] = args["area"]  # the name asked for, rather than its id
    record(
        current_user,
        "observations.exported",
        questionnaire.slug,
        {**details, "rows": rows, **logged},
    )
    db.session.commit()


def _download(body, mimetype: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Internal notes and places: no copy kept by a browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


@exports_blp.route("/<slug>/observations.csv", parameters=[SLUG])
class ObservationsCsv(MethodView):
    @require_role(Role.COORDINATOR)
    @exports_blp.arguments(CsvQuerySchema, **QUERY)
    @exports_blp.response(
        200,
        FILE,
        content_type="text/csv",
        description="One row per observation; the first line names the columns "
        "(docs/walks.md). Carries the internal note: for coordinators and admins only",
    )
    @exports_blp.errors(401, 403, 404, 422)
    def get(self, slug, labels, dialect, **args):
        """Export the questionnaire's observations as CSV."""
        questionnaire, filters, observations = _observations(slug, args)
        plan = plan_observation_columns(questionnaire)
        rows = observation_rows(questionnaire.organisation, plan, observations, labels, _site_url())
        body = b"".join(csv_chunks(plan.head, (row.cells for row in rows), DIALECTS[dialect]))
        _recorded(
            questionnaire,
            filters,
            args,
            len(observations),
            format="csv",
            dialect=dialect,
            labels=labels,
        )
        return _download(body, CSV_TYPE, f"{slug}-observations.csv")


@exports_blp.route("/<slug>/observations.geojson", parameters=[SLUG])
class ObservationsGeoJson(MethodView):
    @require_role(Role.COORDINATOR)
    @exports_blp.arguments(LabelsQuerySchema, **QUERY)
    @exports_blp.response(
        200,
        FILE,
        content_type=GEOJSON_TYPE,
        description="A GeoJSON FeatureCollection (RFC 7946): a Point at [longitude, "
        "latitude] per observation, null geometry where no position is known, the CSV's "
        "columns as properties (docs/walks.md). Carries the internal note: for "
        "coordinators and admins only; the photo links open for signed-in staff only",
    )
    @exports_blp.errors(401, 403, 404, 422)
    def get(self, slug, labels, **args):
        """Export the questionnaire's observations as GeoJSON, for QGIS and other maps."""
        questionnaire, filters, observations = _observations(slug, args)
        plan = plan_observation_columns(questionnaire)
        collection = feature_collection(
            questionnaire.organisation, plan, observations, labels, _site_url()
        )
        body = json.dumps(collection, ensure_ascii=False, default=str)
        _recorded(questionnaire, filters, args, len(observations), format="geojson", labels=labels)
        return _download(body, GEOJSON_TYPE, f"{slug}-observations.geojson")
