"""The questionnaires API: thin routes over versions.py."""

from flask.views import MethodView
from flask_login import current_user
from flask_smorest import abort
from sqlalchemy.exc import DBAPIError

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..audit.log import record
from ..errors import Blueprint
from ..extensions import db
from .definition import SLUG_RE, DefinitionError, DefinitionSchema
from .diff import diff_definitions
from .permissions import get_questionnaire_or_404
from .schemas import (
    DiffQuerySchema,
    DiffSchema,
    QuestionnaireDetailSchema,
    QuestionnaireSchema,
    VersionSchema,
)
from .versions import (
    VersionConflict,
    VersionNotFound,
    create_questionnaire,
    discard_draft,
    get_version,
    list_questionnaires,
    publish_draft,
    save_draft,
)

blp = Blueprint(
    "questionnaires",
    __name__,
    url_prefix="/api/v1/questionnaires",
    description="Questionnaires and their versions. A draft can be replaced; a published "
    "version never changes.",
)


SLUG = {
    "in": "path",
    "name": "slug",
    "description": "The questionnaire's slug",
    "schema": {"type": "string", "pattern": SLUG_RE},
}
NUMBER = {
    "in": "path",
    "name": "number",
    "description": "A published version's number",
    "schema": {"type": "integer", "minimum": 1, "maximum": 2**31 - 1},
}

CONCURRENT_CHANGE = "Someone else changed this questionnaire just now; try again."


def _version_or_404(questionnaire, ref):
    try:
        return get_version(questionnaire, ref)
    except VersionNotFound as exc:
        abort(404, message=str(exc))


def _commit_or_abort(action):
    """Run a domain action and commit, turning domain refusals into API errors."""
    try:
        result = action()
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        abort(422, message=str(exc), errors={"json": exc.problems})
    except VersionConflict as exc:
        db.session.rollback()
        abort(409, message=str(exc))
    except VersionNotFound as exc:
        db.session.rollback()
        abort(404, message=str(exc))
    except DBAPIError:
        # A concurrent change won (the same slug, the same version number, a version
        # published a moment ago): nothing of this request was stored.
        db.session.rollback()
        abort(409, message=CONCURRENT_CHANGE)
    return result


@blp.route("")
class Questionnaires(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, QuestionnaireSchema(many=True))
    @blp.errors(401)
    def get(self):
        """List your organisation's questionnaires."""
        return list_questionnaires(current_user.organisation_id)

    @require_role(Role.COORDINATOR)
    @blp.arguments(DefinitionSchema, description="The definition of the first draft")
    @blp.response(201, QuestionnaireDetailSchema)
    @blp.alt_response(409, description="A questionnaire with that slug exists")
    @blp.errors(400, 401, 403)
    def post(self, definition):
        """Create a questionnaire, with the definition as its first draft."""

        def create():
            questionnaire = create_questionnaire(current_user.organisation, definition)
            record(current_user, "questionnaire.created", questionnaire.slug)
            return questionnaire

        return _commit_or_abort(create)


@blp.route("/<slug>", parameters=[SLUG])
class QuestionnaireDetail(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, QuestionnaireDetailSchema)
    @blp.errors(401, 404)
    def get(self, slug):
        """Show a questionnaire and its versions."""
        return get_questionnaire_or_404(slug)


@blp.route("/<slug>/draft", parameters=[SLUG])
class Draft(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, VersionSchema)
    @blp.errors(401, 404)
    def get(self, slug):
        """Show the draft."""
        return _version_or_404(get_questionnaire_or_404(slug), "draft")

    @require_role(Role.COORDINATOR)
    @blp.arguments(DefinitionSchema, description="The new definition of the draft")
    @blp.response(200, VersionSchema, description="The draft was replaced")
    @blp.alt_response(201, schema=VersionSchema, description="The draft was created")
    @blp.alt_response(409, description="Someone else changed the questionnaire just now")
    @blp.errors(400, 401, 403, 404)
    def put(self, definition, slug):
        """Create the draft, or replace its definition."""
        questionnaire = get_questionnaire_or_404(slug)

        def save():
            version, created = save_draft(questionnaire, definition)
            record(current_user, "questionnaire.draft_saved", questionnaire.slug)
            return version, created

        version, created = _commit_or_abort(save)
        return version, 201 if created else 200

    @require_role(Role.COORDINATOR)
    @blp.response(204)
    @blp.alt_response(409, description="The questionnaire has never been published")
    @blp.errors(401, 403, 404)
    def delete(self, slug):
        """Discard the draft."""
        questionnaire = get_questionnaire_or_404(slug)

        def discard():
            discard_draft(questionnaire)
            record(current_user, "questionnaire.draft_discarded", questionnaire.slug)

        _commit_or_abort(discard)


@blp.route("/<slug>/draft/publish", parameters=[SLUG])
class Publish(MethodView):
    @require_role(Role.COORDINATOR)
    @blp.response(201, VersionSchema)
    @blp.alt_response(409, description="The draft is the same as the latest version")
    @blp.errors(401, 403, 404)
    def post(self, slug):
        """Publish the draft as the next version; it never changes again."""
        questionnaire = get_questionnaire_or_404(slug)

        def publish():
            version = publish_draft(questionnaire)
            record(
                current_user,
                "questionnaire.published",
                questionnaire.slug,
                {"version": version.number},
            )
            return version

        return _commit_or_abort(publish)


@blp.route("/<slug>/versions/<int:number>", parameters=[SLUG, NUMBER])
class Version(MethodView):
    @require_role(Role.STAFF)
    @blp.response(200, VersionSchema)
    @blp.errors(401, 404)
    def get(self, slug, number):
        """Show a published version with its definition."""
        return _version_or_404(get_questionnaire_or_404(slug), number)


@blp.route("/<slug>/diff", parameters=[SLUG])
class Diff(MethodView):
    @require_role(Role.STAFF)
    @blp.arguments(DiffQuerySchema, location="query")
    @blp.response(200, DiffSchema)
    @blp.errors(401, 404)
    def get(self, query, slug):
        """What changed between two versions (a number, or 'draft')."""
        questionnaire = get_questionnaire_or_404(slug)
        old = _version_or_404(questionnaire, query["from_"])
        new = _version_or_404(questionnaire, query["to"])
        return {
            "from": old.label,
            "to": new.label,
            **diff_definitions(old.definition, new.definition),
        }
