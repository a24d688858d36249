"""The coordinators' results pages: a questionnaire's figures with their charts and
filters, two groups compared, the figures as CSV, and the admins' thresholds.

Every figure comes from summarise(), which applies the rules of docs/results.md; the
pages only show what it returns, so they cannot show more than the API."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..areas.areas import list_areas
from ..audit.log import record
from ..collection.models import Channel, CollectionPoint, PointKind
from ..collection.points import list_points
from ..extensions import db
from ..i18n import N_, gettext
from ..questionnaires.definition import iter_questions
from ..questionnaires.models import Questionnaire
from ..questionnaires.versions import find_questionnaire, list_questionnaires
from ..text import parse_whole_number
from . import settings, summary
from .comparison import breaking_versions, compare
from .figures import FigureTexts, excel_csv, figure_rows
from .filter_form import CHANNEL_LABELS, FILTER_NAMES, KIND_LABELS, describe, read_filters
from .filters import Filters
from .selection import questionnaire_languages

bp = Blueprint("results_pages", __name__)

# The groups of the comparison: each one's filters carry its prefix.
GROUPS = ("a", "b")

# Why a view or question is withheld, and what to do about it; {k} is the threshold.
WITHHELD = {
    summary.SELECTION_TOO_SMALL: N_(
        "These filters select fewer than {k} answers. Figures about so few people could "
        "point out who answered what, so none are shown. Widen the dates or remove a filter."
    ),
    summary.REST_TOO_SMALL: N_(
        "Part of what these filters leave out, such as another collection point or "
        "area, has fewer than {k} answers: these figures beside the unfiltered ones "
        "would show those answers, so none are shown. Widen the dates or remove a filter."
    ),
    summary.EDGE_DAYS_TOO_SMALL: N_(
        "A day at the start or end of the dates has fewer than {k} answers: moving the "
        "dates by one day would show those answers, so none are shown. Widen the dates "
        "or move them to days with more answers."
    ),
    summary.OTHER_VERSIONS_TOO_SMALL: N_(
        "Fewer than {k} of these answers come from versions where this question was "
        "asked differently, so the question is not shown. Choose one version in the "
        "filters to see it."
    ),
}


def get_questionnaire_or_404(slug: str) -> Questionnaire:
    """The signed-in user's organisation's questionnaire with published versions."""
    questionnaire = find_questionnaire(current_user.organisation_id, slug)
    if questionnaire is None or not questionnaire.published:
        abort(404)
    return questionnaire


def _text(value, languages: list[str] | None = None) -> str:
    """A definition's text in the page's language, else its first language's."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    for language in (g.lang, *(languages or ()), "sv", "en"):
        if value.get(language):
            return value[language]
    return next(iter(value.values()), "")


def _summarise(questionnaire: Questionnaire, filters: Filters):
    organisation = current_user.organisation
    if filters.language is not None:
        # The answer language can hint at origin: asking for it is on the record.
        active = {name: str(value) for name, value in filters.active().items()}
        record(current_user, "results.viewed_by_language", questionnaire.slug, active)
        db.session.commit()
    return summary.summarise(
        questionnaire, filters, settings.thresholds_for(organisation), organisation.time_zone
    )


def _points(questionnaire: Questionnaire) -> list[CollectionPoint]:
    return [
        p
        for p in list_points(current_user.organisation_id)
        if p.questionnaire_id == questionnaire.id
    ]


def version_note(questionnaire: Questionnaire, filters: Filters | None):
    """For a question counted over some versions, the other versions of the view: those
    that asked it differently, and those that did not ask it."""
    asked = {
        v.number: {q["id"] for q, _ in iter_questions(v.definition)}
        for v in questionnaire.published
        if filters is None or filters.version in (None, v.number)
    }

    def note(question) -> tuple[list[int], list[int]]:
        left_out = [n for n in sorted(asked) if n not in question.versions]
        return (
            [n for n in left_out if question.id in asked[n]],
            [n for n in left_out if question.id not in asked[n]],
        )

    return note


def _choices(questionnaire: Questionnaire) -> dict:
    return {
        "points": _points(questionnaire),
        "areas": list_areas(current_user.organisation_id),
        "kinds": [(k.value, KIND_LABELS[k.value]) for k in PointKind],
        "channels": [(c.value, CHANNEL_LABELS[c.value]) for c in Channel],
        "versions": [v.number for v in questionnaire.published],
        "languages": questionnaire_languages(questionnaire),
    }


def percentage_points(difference: float) -> str:
    """A difference of shares, rounded to whole points, with its sign."""
    rounded = round(difference)
    if rounded == 0:
        return "0"
    sign = "+" if rounded > 0 else "\u2212"  # a minus sign, not a hyphen
    return f"{sign}{format_decimal(abs(rounded))}"


def _template_helpers(questionnaire: Questionnaire) -> dict:
    languages = questionnaire_languages(questionnaire)
    return {
        "label": lambda value: _text(value, languages),
        "withheld_text": lambda code, k: gettext(
            WITHHELD.get(code, WITHHELD[summary.SELECTION_TOO_SMALL]), k=k
        ),
        "answered_value": summary.ANSWERED_VALUE,
        "percent": lambda share: format_percent(share),
        "points": percentage_points,
        "kind_labels": KIND_LABELS,
        "channel_labels": CHANNEL_LABELS,
        "filter_names": FILTER_NAMES,
    }


# The exports of the answers themselves, served by the API (a signed-in browser's
# session is enough there): # path, then the link's text, and whether the filters apply.
EXPORTS = (
    ("responses.csv", N_("The answers as CSV (for Excel)"), True),
    ("responses.xlsx", N_("The answers as an Excel file"), True),
    ("dictionary.csv", N_("What each column means (CSV)"), False),
)


@dataclass(frozen=True)
class ExportLink:
    url: str
    text: str


def export_links(slug: str, query: dict[str, str]) -> list[ExportLink]:
    search = f"?{urlencode(query)}" if query else ""
    return [
        ExportLink(
            f"{request.script_root}/api/v1/questionnaires/{quote(slug)}/{path}"
            f"{search if filtered else ''}",
            text,
        )
        for path, text, filtered in EXPORTS
    ]


@bp.get("/results")
@require_role(Role.COORDINATOR)
def index():
    return _index_page(done=request.args.get("done"))


@bp.get("/results/<slug>")
@require_role(Role.COORDINATOR)
def questionnaire(slug):
    questionnaire = get_questionnaire_or_404(slug)
    form = read_filters(questionnaire, request.args)
    shown = _summarise(questionnaire, form.filters) if form.filters is not None else None
    choices = _choices(questionnaire)
    query = {name: value for name, value in form.values.items() if value}
    return render_template(
        "results/questionnaire.html",
        questionnaire=questionnaire,
        form=form,
        summary=shown,
        choices=choices,
        version_note=version_note(questionnaire, form.filters),
        described=describe(form.filters, {p.id: p for p in choices["points"]}),
        query=query,
        compare_url=url_for(
            ".comparison", slug=slug, **{f"a-{name}": value for name, value in query.items()}
        ),
        exports=export_links(slug, query),
        **_template_helpers(questionnaire),
    ), (422 if form.problems else 200)


@bp.get("/results/<slug>/compare")
@require_role(Role.COORDINATOR)
def comparison(slug):
    questionnaire = get_questionnaire_or_404(slug)
    forms = {group: read_filters(questionnaire, request.args, f"{group}-") for group in GROUPS}
    asked = any(v for form in forms.values() for v in form.values.values())
    ready = asked and all(form.filters is not None for form in forms.values())
    summaries = {g_: _summarise(questionnaire, forms[g_].filters) for g_ in GROUPS} if ready else {}
    compared = []
    if ready and summaries["a"].withheld is None and summaries["b"].withheld is None:
        breaks = breaking_versions([(v.number, v.definition) for v in questionnaire.published])
        compared = compare(summaries["a"], summaries["b"], breaks)
    choices = _choices(questionnaire)
    points = {p.id: p for p in choices["points"]}
    return render_template(
        "results/compare.html",
        questionnaire=questionnaire,
        forms=forms,
        asked=asked,
        summaries=summaries,
        compared=compared,
        choices=choices,
        described={g_: describe(forms[g_].filters, points) for g_ in GROUPS},
        group_links={
            g_: url_for(
                ".questionnaire",
                slug=slug,
                **{name: value for name, value in forms[g_].values.items() if value},
            )
            for g_ in GROUPS
        },
        groups=GROUPS,
        **_template_helpers(questionnaire),
    ), (422 if any(f.problems for f in forms.values()) else 200)


@bp.get("/results/<slug>/figures.csv")
@require_role(Role.COORDINATOR)
def figures_csv(slug):
    questionnaire = get_questionnaire_or_404(slug)
    form = read_filters(questionnaire, request.args)
    if form.filters is None:
        problems = "; ".join(f"{name}: {gettext(text)}" for name, text in form.problems.items())
        return Response(problems, 422, mimetype="text/plain")
    shown = _summarise(questionnaire, form.filters)
    languages = questionnaire_languages(questionnaire)
    k = shown.thresholds.k
    texts = FigureTexts(
        headings=(
            gettext("Question id"),
            gettext("Question"),
            gettext("Answer"),
            gettext("Count"),
            gettext("Share (%)"),
            gettext("Note"),
        ),
        total=gettext("Answers in total"),
        per_day=gettext("Answers per day"),
        no_answer=gettext("No answer"),
        answered=gettext("Answered"),
        median=gettext("Median"),
        suppressed=gettext("fewer than {k} answers", k=k),
        withheld=lambda code: gettext(
            WITHHELD.get(code, WITHHELD[summary.SELECTION_TOO_SMALL]), k=k
        ),
        label=lambda value: _text(value, languages),
    )
    name = "-".join([slug, *(f"{k_}-{v}" for k_, v in form.values.items() if v)])
    return Response(
        excel_csv(figure_rows(shown, texts)).encode("utf-8"),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_safe_name(name)}-figures.csv"'},
    )


def _safe_name(name: str) -> str:
    return "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name)[:150]


# The thresholds' limits in words an admin can act on, by field (settings.py checks them).
THRESHOLD_PROBLEMS = {
    "k": N_("Enter a whole number from {low} to {high}."),
    "text_k": N_("Enter a whole number from {low} (the first limit) to {high}."),
}


def _index_page(status: int = 200, **context):
    organisation = current_user.organisation
    context.setdefault("problems", {})
    context.setdefault("values", {})
    context.setdefault("done", None)
    return render_template(
        "results/index.html",
        questionnaires=[q for q in list_questionnaires(organisation.id) if q.published],
        thresholds=settings.thresholds_for(organisation),
        is_admin=current_user.has_role(Role.ADMIN),
        label=_text,
        **context,
    ), status


@bp.post("/results/thresholds")
@require_role(Role.ADMIN)
def thresholds():
    values = {name: request.form.get(name, "").strip() for name in ("k", "text_k")}
    k, text_k = (parse_whole_number(values[name]) for name in ("k", "text_k"))
    low, high = settings.K_RANGE
    try:
        if k is None or not low <= k <= high:
            raise settings.ThresholdError("k", "", low=low, high=high)
        if text_k is None:
            raise settings.ThresholdError("text_k", "", low=k, high=settings.TEXT_K_MAX)
        settings.change_thresholds(current_user.organisation, k, text_k, current_user)
    except settings.ThresholdError as exc:
        db.session.rollback()
        problem = gettext(THRESHOLD_PROBLEMS[exc.field], **exc.values)
        return _index_page(422, problems={exc.field: problem}, values=values)
    db.session.commit()
    return redirect(url_for(".index", done="thresholds"), 303)
