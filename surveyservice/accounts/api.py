from flask.views import MethodView
from flask_login import current_user

from ..errors import Blueprint
from .auth import require_role
from .models import Role
from .schemas import AccountSchema

blp = Blueprint("account", __name__, url_prefix="/api/v1/me", description="Your own account")


@blp.route("")
class Me(MethodView):
    @require_role(Role.STAFF)
    @blp.doc(security=[{"bearerAuth": []}])
    @blp.response(200, AccountSchema)
    @blp.errors(401)
    def get(self):
        """Show the account the request is made as."""
        return current_user
