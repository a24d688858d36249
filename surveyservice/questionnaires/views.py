"""Pages for staff and coordinators: the questionnaires, their versions and changes."""

from itertools import pairwise

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from .definition import iter_questions, text_in
from .diff import diff_definitions
from .permissions import get_questionnaire_or_404
from .versions import VersionNotFound, get_version, list_questionnaires

bp = Blueprint("questionnaire_pages", __name__)


@bp.app_template_filter("text")
def text_filter(value, definition: dict) -> str:
    """A definition's text in the page's language, else the definition's default."""
    if value is None:
        return ""
    language = (
        g.lang if g.lang in definition.get("languages", ()) else definition["default_language"]
    )
    return text_in(value, language, definition["default_language"])


@bp.get("/")
def home():
    if current_user.is_authenticated:
        return redirect(url_for(".index"))
    return render_template("home.html")


@bp.get("/questionnaires")
@require_role(Role.STAFF)
def index():
    return render_template(
        "questionnaires/index.html",
        questionnaires=list_questionnaires(current_user.organisation_id),
        can_edit=current_user.has_role(Role.COORDINATOR),
    )


@bp.get("/questionnaires/<slug>")
@require_role(Role.STAFF)
def detail(slug):
    questionnaire = get_questionnaire_or_404(slug)
    shown = questionnaire.latest or questionnaire.draft
    if "version" in request.args:
        try:
            shown = get_version(questionnaire, request.args["version"])
        except VersionNotFound:
            abort(404)
    published = questionnaire.published
    changes = [
        (older, newer, diff_definitions(older.definition, newer.definition))
        for older, newer in pairwise(published)
    ]
    return render_template(
        "questionnaires/detail.html",
        questionnaire=questionnaire,
        shown=shown,
        questions=list(iter_questions(shown.definition)),
        changes=list(reversed(changes)),
        can_edit=current_user.has_role(Role.COORDINATOR),
    )
