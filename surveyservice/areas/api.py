"""The areas for automation: read-only; admins edit them on the areas page."""

from flask.views import MethodView
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..errors import Blueprint
from .areas import list_areas
from .schemas import AreaSchema

blp = Blueprint(
    "areas",
    __name__,
    url_prefix="/api/v1/areas",
    description="The places your organisation works in; a collection point names one.",
)


@blp.route("")
class Areas(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, AreaSchema(many=True))
    @blp.errors(401)
    def get(self):
        """List your organisation's areas, by name."""
        return list_areas(current_user.organisation_id)
