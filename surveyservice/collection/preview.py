"""The resident form as a coordinator's draft will look: the real form, taking no answers.

The questionnaire editor shows this page in a phone-sized frame beside the editor. It
lives here, beside the form it renders, because questionnaires/ does not know the form.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, render_template, request, url_for

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..i18n import translate
from ..questionnaires.definition import DefinitionError, parse_document, validate_definition
from ..questionnaires.editor_form import definition_from_form
from ..questionnaires.permissions import get_questionnaire_or_404
from .views import form_page

bp = Blueprint("collection_preview", __name__)


# The one page that may be framed: by the editor, on this site.
FRAMEABLE = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'self'; "
    "form-action 'self'",
    "X-Frame-Options": "SAMEORIGIN",
    "Cache-Control": "no-store",
}


@dataclass
class PreviewPoint:
    """Stands in for a collection point: the form's bar shows its name."""

    name: str
    organisation_id: int
    token: str = "preview"  # noqa: S105 (not a secret: no point has it)

    def name_in(self, language: str) -> str:
        return self.name


def _unsaved(saved: dict) -> dict:
    """What the editor's form holds, not saved: the text, or the question form's fields."""
    if "definition" in request.form:
        data = parse_document(request.form["definition"], "The text")
    else:
        data = definition_from_form(saved, request.form)
    return validate_definition(data)


@bp.route("/questionnaires/<slug>/preview", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def preview(slug):
    """The saved draft (GET), or the editor's unsaved changes (POST: nothing is stored)."""
    questionnaire = get_questionnaire_or_404(slug)
    version = questionnaire.draft or questionnaire.latest
    definition = version.definition
    if request.method == "POST":
        try:
            definition = _unsaved(definition)
        except DefinitionError as exc:
            html = render_template("collection/preview_invalid.html", count=len(exc.problems))
            return html, 422, FRAMEABLE
    asked = request.args.get("language") or request.args.get("lang")
    lang = asked if asked in definition["languages"] else definition["default_language"]
    html, status = form_page(
        "collection/form.html",
        PreviewPoint(translate("Preview", lang), questionnaire.organisation_id),
        definition,
        lang=lang,
        version_number=version.number or 0,
        values={},
        errors={},
        kiosk=False,
        seal_key=None,
        preview=True,
        language_param="language",
        preview_url=url_for(".preview", slug=slug),
        # The form posts back here, by GET: nothing is stored, the page says so.
        preview_sent="version" in request.args,
        unsaved=request.method == "POST",
    )
    return html, status, FRAMEABLE
