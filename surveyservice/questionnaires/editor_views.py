"""Coordinators' pages to create a questionnaire, edit its draft and publish it.

Thin routes over versions.py, the same domain functions the API uses, so the rules
(what is a valid definition, that only the draft can change, that publishing needs a
change) live in one place. Every write touches the draft only: a published version
has no route that could change it.
"""

from __future__ import annotations

import copy
import re

from flask import (
    Blueprint,
    flash,
    g,
    get_flashed_messages,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy.exc import DBAPIError

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..audit.log import record
from ..extensions import db
from ..i18n import LANGUAGE_NAMES, N_, direction, translate
from .definition import QUESTION_TYPES, DefinitionError, parse_document
from .diff import breaking_changes, diff_definitions
from .editor_form import (
    CONDITION_OPERATORS,
    Outcome,
    apply_action,
    definition_from_form,
    editable_condition,
    kept_keys,
    new_definition,
    place_problems,
    question_number,
    text_for,
)
from .models import Questionnaire, QuestionnaireVersion
from .permissions import get_questionnaire_or_404
from .versions import (
    VersionConflict,
    VersionNotFound,
    create_questionnaire,
    discard_draft,
    publish_draft,
    save_draft,
)
from .yaml_lines import problems_with_lines, to_yaml

bp = Blueprint("questionnaire_editor", __name__)


def _t(message: str, **values) -> str:
    return translate(message, g.lang, **values)


def _edited(questionnaire: Questionnaire) -> QuestionnaireVersion:
    """What the editor starts from: the draft, else the latest version (saving makes a draft)."""
    return questionnaire.draft or questionnaire.latest


def _stale(questionnaire: Questionnaire) -> bool:
    """Whether someone saved or published since this form was opened."""
    return request.form.get("base") != _edited(questionnaire).content_hash


def _saved_message() -> list[str]:
    return get_flashed_messages()


def _store(action, audit: str, details=None) -> dict[str, list[str]] | None:
    """Run a domain change, record it in the audit log and commit both; its problems
    by path, or None when stored. ``action`` returns the questionnaire it changed;
    ``details``, given that questionnaire, what the log keeps beside its slug."""
    try:
        questionnaire = action()
        record(current_user, audit, questionnaire.slug, details and details(questionnaire))
        db.session.commit()
    except DefinitionError as exc:
        db.session.rollback()
        return exc.problems
    except (VersionConflict, VersionNotFound) as exc:
        db.session.rollback()
        return {"": [str(exc)]}
    except DBAPIError:
        db.session.rollback()
        return {"": [_t("Someone else changed this questionnaire just now; try again.")]}
    return None


# --- creating ---------------------------------------------------------------------

NEW_FIELDS = ("slug", "title", "languages", "default_language")


@bp.route("/new-questionnaire", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def new():
    values = {"slug": "", "title": "", "languages": "sv, en, ar", "default_language": "sv"}
    problems: dict[str, list[str]] = {}
    if request.method == "POST":
        values = {key: request.form.get(key, "").strip() for key in NEW_FIELDS}
        languages = [code for code in re.split(r"[\s,]+", values["languages"]) if code]
        first = translate("New question", values["default_language"] or "sv")
        data = new_definition(
            values["slug"], values["title"], languages, values["default_language"], first
        )
        problems = _store(
            lambda: create_questionnaire(current_user.organisation, data),
            "questionnaire.created",
        )
        if problems is None:
            flash(_t("The questionnaire is created with one question. Its draft is not published."))
            return redirect(url_for(".structured", slug=values["slug"]))
        if "" in problems:
            problems = {"slug": [_t("A questionnaire with this identifier exists already.")]}
    placed: dict[str, list[str]] = {}
    for path, messages in problems.items():
        field = next((f for f in NEW_FIELDS if path == f or path.startswith(f + "[")), "")
        placed.setdefault(field, []).extend(messages)
    status = 422 if problems else 200
    return render_template("questionnaires/new.html", values=values, problems=placed), status


# --- the structured editor --------------------------------------------------------

TYPE_NAMES = {
    "single": N_("One choice"),
    "multi": N_("Several choices"),
    "scale": N_("Scale"),
    "yesno": N_("Yes or no"),
    "number": N_("Number"),
    "text": N_("Short text"),
    "longtext": N_("Long text"),
    "date": N_("Date"),
    "location": N_("Place"),
    "photo": N_("Photo"),
    "group": N_("Group of questions"),
}
OPERATOR_NAMES = {
    "equals": N_("is"),
    "not_equals": N_("is not"),
    "in": N_("is one of (separate with commas)"),
    "answered": N_("is answered"),
    "not_answered": N_("is not answered"),
}


def _summary(placed: dict[str, list[str]]) -> list[dict]:
    """The error summary: each problem with a link to the question or field it is in."""
    items = []
    for path, messages in placed.items():
        number = question_number(path)
        if number is not None:
            where, anchor = _t("Question {number}", number=number), f"q-{number - 1}"
        elif path in ("title", "description"):
            where, anchor = _t("Title") if path == "title" else _t("Description"), "texts"
        else:
            where, anchor = _t("The questionnaire"), "texts"
        items.extend({"where": where, "anchor": anchor, "message": m} for m in messages)
    return items


def _structured_page(
    questionnaire: Questionnaire,
    definition: dict,
    problems: dict[str, list[str]] | None = None,
    outcome: Outcome | None = None,
    unsaved: bool = False,
    status: int = 200,
):
    placed = place_problems(definition, problems or {})
    return render_template(
        "questionnaires/edit_structured.html",
        questionnaire=questionnaire,
        version=_edited(questionnaire),
        d=definition,
        languages=[lang for lang in definition.get("languages", []) if isinstance(lang, str)],
        problems=placed,
        summary=_summary(placed),
        outcome=outcome,
        announce=_t(outcome.message, number=outcome.number) if outcome else "",
        unsaved=unsaved,
        saved=_saved_message(),
        types=QUESTION_TYPES,
        type_names={k: _t(v) for k, v in TYPE_NAMES.items()},
        operators=CONDITION_OPERATORS,
        operator_names={k: _t(v) for k, v in OPERATOR_NAMES.items()},
        text_for=text_for,
        editable_condition=editable_condition,
        kept_keys=kept_keys,
        **_preview_context(questionnaire),
    ), status


@bp.route("/questionnaires/<slug>/edit", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def structured(slug):
    questionnaire = get_questionnaire_or_404(slug)
    base = _edited(questionnaire).definition
    if request.method == "GET":
        return _structured_page(questionnaire, copy.deepcopy(base))
    working = definition_from_form(base, request.form)
    action = request.form.get("action", "save")
    if action != "save":
        outcome = apply_action(working, action)
        return _structured_page(questionnaire, working, outcome=outcome, unsaved=True)
    if _stale(questionnaire):
        message = _t(
            "Someone else saved or published this questionnaire since you opened it. Your changes are below, not saved: open the editor again to see theirs."  # noqa: E501
        )
        return _structured_page(questionnaire, working, {"": [message]}, unsaved=True, status=409)

    def save():
        save_draft(questionnaire, working)
        return questionnaire

    problems = _store(save, "questionnaire.draft_saved")
    if problems is not None:
        return _structured_page(questionnaire, working, problems, unsaved=True, status=422)
    flash(_t("The draft is saved."))
    return redirect(url_for(".structured", slug=slug))


# --- the definition text ------------------------------------------------------------


@bp.route("/questionnaires/<slug>/edit/text", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def text(slug):
    questionnaire = get_questionnaire_or_404(slug)
    problems = []
    status = 200
    if request.method == "GET":
        source = to_yaml(_edited(questionnaire).definition)
    else:
        source = request.form.get("definition", "")
        if _stale(questionnaire):
            message = _t(
                "Someone else saved or published this questionnaire since you opened it. Your text is below, not saved: copy what you need and open the editor again."  # noqa: E501
            )
            problems, status = problems_with_lines(source, {"": [message]}), 409
        else:

            def save():
                save_draft(questionnaire, parse_document(source, "The text"))
                return questionnaire

            found = _store(save, "questionnaire.draft_saved")
            if found is None:
                flash(_t("The draft is saved."))
                return redirect(url_for(".text", slug=slug))
            problems, status = problems_with_lines(source, found), 422
    return render_template(
        "questionnaires/edit_text.html",
        questionnaire=questionnaire,
        version=_edited(questionnaire),
        source=source,
        problems=problems,
        saved=_saved_message(),
        **_preview_context(questionnaire),
    ), status


# --- the preview beside the editors -------------------------------------------------


def _preview_context(questionnaire: Questionnaire) -> dict:
    version = _edited(questionnaire)
    languages = version.definition["languages"]
    return {
        "preview_languages": [
            {
                "code": code,
                "name": LANGUAGE_NAMES.get(code, code),
                "dir": direction(code),
                "url": url_for(
                    "collection_preview.preview",
                    slug=questionnaire.slug,
                    language=code,
                    v=version.content_hash[:12],
                ),
            }
            for code in languages
        ],
        "preview_default": version.definition["default_language"],
    }


# --- publishing -----------------------------------------------------------------------


def _publish_page(questionnaire: Questionnaire, problems: dict | None = None, status: int = 200):
    draft, latest = questionnaire.draft, questionnaire.latest
    changes = breaking = None
    if draft is not None and latest is not None:
        changes = diff_definitions(latest.definition, draft.definition)
        breaking = breaking_changes(latest.definition, draft.definition)
    return render_template(
        "questionnaires/publish.html",
        questionnaire=questionnaire,
        draft=draft,
        latest=latest,
        changes=changes,
        breaking=breaking or [],
        problems=problems or {},
        saved=_saved_message(),
    ), status


@bp.route("/questionnaires/<slug>/publish", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def publish(slug):
    questionnaire = get_questionnaire_or_404(slug)
    if request.method == "GET":
        return _publish_page(questionnaire)
    draft = questionnaire.draft
    if draft is None:
        return _publish_page(questionnaire, {"": [_t("There is no draft to publish.")]}, 409)
    if request.form.get("base") != draft.content_hash:
        message = _t(
            "The draft was changed since this page was opened. Look at the changes again before publishing."  # noqa: E501
        )
        return _publish_page(questionnaire, {"": [message]}, 409)
    latest = questionnaire.latest
    breaking = latest and breaking_changes(latest.definition, draft.definition)
    if breaking and request.form.get("understood") != "yes":
        message = _t("Tick the box to confirm that you understand what these changes break.")
        return _publish_page(questionnaire, {"understood": [message]}, 422)

    def publish():
        publish_draft(questionnaire)
        return questionnaire

    problems = _store(
        publish, "questionnaire.published", lambda done: {"version": done.latest.number}
    )
    if problems is not None:
        return _publish_page(questionnaire, problems, 409)
    flash(_t("Version {number} is published.", number=questionnaire.latest.number))
    return redirect(url_for("questionnaire_pages.detail", slug=slug))


@bp.post("/questionnaires/<slug>/draft/discard")
@require_role(Role.COORDINATOR)
def discard(slug):
    questionnaire = get_questionnaire_or_404(slug)
    if request.form.get("confirm") != "yes":
        message = _t("Tick the box to confirm that the draft's changes are to be thrown away.")
        return _publish_page(questionnaire, {"confirm": [message]}, 422)
    if questionnaire.draft is not None and not questionnaire.published:
        message = _t("This questionnaire has never been published: its draft is all it has.")
        return _publish_page(questionnaire, {"confirm": [message]}, 409)

    def discard():
        discard_draft(questionnaire)
        return questionnaire

    problems = _store(discard, "questionnaire.draft_discarded")
    if problems is not None:
        return _publish_page(questionnaire, {"confirm": problems[""]}, 409)
    flash(_t("The draft is thrown away."))
    return redirect(url_for("questionnaire_pages.detail", slug=slug))
