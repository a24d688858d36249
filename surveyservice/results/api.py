"""The results API: a questionnaire's figures, as the small-group rules allow them."""

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
from ..questionnaires.permissions import get_questionnaire_or_404
from .schemas import ResultsQuerySchema, SummarySchema
from .selection import FilterError, combinable, resolve_filters
from .settings import thresholds_for
from .summary import NotPublished, summarise

blp = Blueprint(
    "results",
    __name__,
    url_prefix="/api/v1/questionnaires",
    description="Results: counts, shares, medians and free text of a questionnaire's "
    "responses. A figure that describes too small a group is null (docs/results.md).",
)


@blp.route("/<slug>/results", parameters=[SLUG])
class Results(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.arguments(ResultsQuerySchema, location="query", as_kwargs=False, unknown=RAISE)
    @blp.response(200, SummarySchema)
    @blp.alt_response(409, description="The questionnaire has no published version yet")
    @blp.errors(401, 403, 404)
    def get(self, args, slug):
        """The figures of the responses the filters select, from every published version.

        Filters name what the organisation knows: a value it does not know is a 422
        naming the parameter. A view too small to show, or whose complement is, is
        withheld with the reason; within it, each suppressed figure is null.
        """
        questionnaire = get_questionnaire_or_404(slug)
        try:
            filters = combinable(resolve_filters(questionnaire, args))
        except FilterError as exc:
            abort(422, message="Some filters cannot be used.", errors={"query": exc.problems})
        if filters.language is not None:
            # The answer language can hint at origin: asking for it is on the record.
            active = {name: str(value) for name, value in filters.active().items()}
            record(current_user, "results.viewed_by_language", questionnaire.slug, active)
            db.session.commit()
        org = questionnaire.organisation
        try:
            return summarise(questionnaire, filters, thresholds_for(org), org.time_zone)
        except NotPublished as exc:
            abort(409, message=str(exc))
