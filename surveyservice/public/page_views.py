"""The areas' public pages: the coordinators' pages that choose, preview and publish
them, and the page itself at /a/<slug> with its QR code.

The public page reads only the latest Publication (never the live data), sets no
cookie, reads no session, loads nothing from another site and runs no script; it is
the same for everyone in a language, so it is cached for five minutes and revalidated
by its ETag (docs/public-pages.md)."""

from __future__ import annotations

from datetime import date

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, format_decimal, format_percent
from flask_login import current_user

from ..accounts.auth import require_role
from ..accounts.models import Role
from ..areas.areas import find_area, list_areas
from ..areas.models import Area
from ..collection.models import CollectionPoint
from ..collection.qr import qr_svg
from ..collection.views import FollowUpPage
from ..compression import compressed
from ..extensions import db
from ..i18n import (
    DEFAULT_LANGUAGE,
    LANGUAGE_NAMES,
    N_,
    direction,
    gettext,
    set_language,
    show_times_for,
    translate,
)
from ..results import summary
from ..text import parse_whole_number
from . import models  # noqa: F401  (the tables, for the app and its migrations)
from .content import text_for
from .models import Publication, PublicPage
from .pages import (
    HELD_BACK,
    MAX_SELECTIONS,
    find_page,
    find_page_by_slug,
    find_publication,
    latest_publication,
    page_for,
    preview,
    publications,
    publish,
    publishable_questionnaires,
    published_page_of_area,
    publisher_email,
    read_selections,
    rows_of,
    set_results,
    slug_base,
    state_of,
    states,
    unsaved_page,
)
from .promises import LANGUAGE_LABELS, STATUS_NAMES

bp = Blueprint("public_pages", __name__)

LANGUAGES = tuple(LANGUAGE_NAMES)
# The public page and its QR code: the same for everyone, whatever cookie comes along.
_SAME_FOR_EVERYONE = frozenset({"public_pages.public", "public_pages.qr"})
PUBLIC_CACHE = "public, max-age=300"

# The statuses by the names the promise pages give them.
PROMISE_STATUS_LABELS = {status.value: name for status, name in STATUS_NAMES.items()}
# Why a questionnaire's or a question's figures are not on the page, for residents.
TOO_FEW_YET = N_(
    "Fewer than {k} people have answered here so far. The results appear when at least "
    "{k} have: figures about so few people could show how someone answered."
)
HIDDEN_BESIDE_OTHERS = N_(
    "These results are not shown: together with the other figures published they could "
    "show how someone answered."
)
HELD_BACK_TEXT = N_(
    "These results are not shown on this publication: they would differ by fewer than {k} "
    "answers from figures shown before or elsewhere, which could show how someone "
    "answered. They come back once at least {k} more people have answered."
)
NOT_SHOWN = N_(
    "These results are not shown yet: with so few answers they could show how someone "
    "answered. They appear when enough people have answered."
)


@bp.before_request
def mark_same_for_everyone():
    if request.endpoint in _SAME_FOR_EVERYONE:
        # Flask-Login reads the session for every template, which would add "Vary:
        # Cookie"; and a signed-in visitor's session would be refreshed with a
        # Set-Cookie, which a shared cache must never keep and hand to others.
        g.same_for_everyone = True
        g.shared_cache = True


def public_url(page: PublicPage) -> str:
    """The page's absolute address: what its QR code holds and posters write out."""
    base = current_app.config["PUBLIC_BASE_URL"]
    if base:
        return f"{base.rstrip('/')}/a/{page.slug}"
    return url_for("public_pages.public", slug=page.slug, _external=True)


def follow_up_for_point(point: CollectionPoint) -> FollowUpPage | None:
    """The published page of a collection point's area, for its thank-you and poster."""
    area_id = getattr(point, "area_id", None)  # a questionnaire's preview has no area
    if area_id is None:
        return None
    page = published_page_of_area(area_id)
    if page is None:
        return None
    return FollowUpPage(
        public_url(page), page.area.name, url_for("public_pages.qr", slug=page.slug)
    )


# --- drawing a page's content --------------------------------------------------------


def _day(value: str | None, style: str = "long") -> str:
    return format_date(date.fromisoformat(value), style) if value else ""


def _period(since: str | None, until: str | None) -> str:
    if since and until:
        return gettext("{since} – {until}", since=_day(since), until=_day(until))
    if since:
        return gettext("From {since}", since=_day(since))
    if until:
        return gettext("Until {until}", until=_day(until))
    return gettext("All answers so far")


def _years(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}–{last}"


def page_context(content: dict, language: str, language_param: str = "lang") -> dict:
    """What the public page's template needs besides the content."""
    return {
        "c": content,
        "lang": language,
        "language_param": language_param,
        "languages": LANGUAGES,
        "text": lambda texts: text_for(texts, language),
        "day": _day,
        "period": _period,
        "years": _years,
        "number": format_decimal,
        "percent": format_percent,
        "promise_status": PROMISE_STATUS_LABELS,
        "too_few_yet": TOO_FEW_YET,
        "not_shown": NOT_SHOWN,
        "hidden_beside_others": HIDDEN_BESIDE_OTHERS,
        "held_back_text": HELD_BACK_TEXT,
        "held_back": HELD_BACK,
        "selection_too_small": summary.SELECTION_TOO_SMALL,
    }


def _language(param: str) -> str:
    asked = request.args.get(param)
    return asked if asked in LANGUAGES else DEFAULT_LANGUAGE


def _not_published(language: str) -> Response:
    html = render_template("public/not_published.html", lang=language)
    response = Response(html, 404, mimetype="text/html")
    # Asked again each time: the page may be published any moment now.
    response.headers["Cache-Control"] = "no-cache"
    return response


# --- the public page ------------------------------------------------------------------


@bp.get("/a/<slug>")
@compressed
def public(slug):
    language = _language("lang")
    set_language(language)
    page = find_page_by_slug(slug)
    if page is None and slug != slug.lower() and find_page_by_slug(slug.lower()):
        # An address typed from a poster in capitals ("/a/Sanden") still finds its page.
        return redirect(url_for("public_pages.public", slug=slug.lower(), **request.args), 301)
    latest = latest_publication(page)
    if latest is None:
        return _not_published(language)
    show_times_for(page.organisation_id)
    html = render_template(
        "public/page.html",
        published_at=latest.published_at,
        address=public_url(page),
        **page_context(latest.content, language),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = PUBLIC_CACHE
    # The ETag is the page's bytes: a new publication or a new release changes it.
    response.add_etag()
    return response.make_conditional(request)


@bp.get("/a/<slug>/qr.svg")
@compressed
def qr(slug):
    page = find_page_by_slug(slug)
    if page is None:
        abort(404)
    response = Response(qr_svg(public_url(page)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "public, max-age=86400"
    response.add_etag()
    return response.make_conditional(request)


# --- the coordinators' pages -------------------------------------------------------------


def get_area_or_404(area_id: int) -> Area:
    """The signed-in user's organisation's area; another organisation's is a 404."""
    area = find_area(current_user.organisation_id, area_id)
    if area is None:
        abort(404)
    return area


@bp.get("/public-pages")
@require_role(Role.COORDINATOR)
def index():
    areas = list_areas(current_user.organisation_id)
    return render_template(
        "public/index.html",
        states=states(current_user.organisation_id, areas),
        public_url=public_url,
    )


def _area_page(area: Area, form=None, status: int = 200, **context):
    page = find_page(area)
    if form is None:
        form_rows = rows_of(page)
        problems, general = {}, []
    else:
        form_rows, problems, general = form.rows, form.problems, form.general
    return (
        render_template(
            "public/area.html",
            area=area,
            page=page,
            state=state_of(area, page),
            url=public_url(page) if page else None,
            future_slug=slug_base(area.name),
            rows=[*form_rows, {}],
            problems=problems,
            general=general,
            max_rows=MAX_SELECTIONS,
            questionnaires=publishable_questionnaires(current_user.organisation_id),
            history=[(p, publisher_email(p)) for p in publications(page)],
            languages=LANGUAGES,
            language_labels=LANGUAGE_LABELS,
            **context,
        ),
        status,
    )


def _rows_from_form() -> list[dict[str, str]]:
    count = parse_whole_number(request.form.get("rows", ""))
    if count is None or count > MAX_SELECTIONS + 1:
        # Not a form of ours: saving it would clear the page's results.
        abort(400)
    return [
        {
            "questionnaire": request.form.get(f"questionnaire-{i}", ""),
            "since": request.form.get(f"since-{i}", ""),
            "until": request.form.get(f"until-{i}", ""),
            "remove": request.form.get(f"remove-{i}", ""),
        }
        for i in range(count)
    ]


@bp.route("/public-pages/<int:area_id>", methods=["GET", "POST"])
@require_role(Role.COORDINATOR)
def area(area_id):
    area = get_area_or_404(area_id)
    if request.method == "GET":
        return _area_page(
            area,
            saved=request.args.get("saved") == "1",
            published=parse_whole_number(request.args.get("published", "")),
        )
    form, selections = read_selections(current_user.organisation_id, _rows_from_form())
    if form.has_problems:
        return _area_page(area, form, 422)
    set_results(page_for(area), selections, current_user)
    db.session.commit()
    return redirect(url_for(".area", area_id=area.id, saved=1, _anchor="results-title"), 303)


@bp.post("/public-pages/<int:area_id>/publish")
@require_role(Role.COORDINATOR)
def publish_page(area_id):
    area = get_area_or_404(area_id)
    publication = publish(page_for(area), current_user)
    db.session.commit()
    return redirect(url_for(".area", area_id=area.id, published=publication.number), 303)


def _coordinator_view(content: dict, template: str, **context):
    language = _language("language")
    set_language(language)
    html = render_template(template, **page_context(content, language, "language"), **context)
    return html, 200, {"Cache-Control": "no-store"}


@bp.get("/public-pages/<int:area_id>/preview")
@require_role(Role.COORDINATOR)
def preview_page(area_id):
    """The page as the public would see it if published now, from the live data."""
    area = get_area_or_404(area_id)
    page = find_page(area) or unsaved_page(area)
    return _coordinator_view(
        preview(page),
        "public/preview.html",
        area=area,
        published_at=None,
        back_url=url_for(".area", area_id=area.id),
    )


@bp.get("/public-pages/<int:area_id>/publications/<int:number>")
@require_role(Role.COORDINATOR)
def publication(area_id, number):
    """A published state of the page, as the public saw it."""
    area = get_area_or_404(area_id)
    found: Publication | None = find_publication(find_page(area), number)
    if found is None:
        abort(404)
    return _coordinator_view(
        found.content,
        "public/publication.html",
        area=area,
        publication=found,
        publisher=publisher_email(found),
        published_at=found.published_at,
        back_url=url_for(".area", area_id=area.id, _anchor="history-title"),
    )


@bp.get("/public-pages/<int:area_id>/poster")
@require_role(Role.COORDINATOR)
def poster(area_id):
    """An A4 poster with the page's QR code, in every language of the page."""
    area = get_area_or_404(area_id)
    page = find_page(area)
    if page is None:
        abort(404)
    url = public_url(page)
    return render_template(
        "public/poster.html",
        area=area,
        page=page,
        url=url,
        short_url=url.split("://", 1)[-1],
        languages=[
            {
                "code": code,
                "dir": direction(code),
                "title": translate("See what happened in {area}", code, area=area.name),
                "what": translate(
                    "What we asked and what you answered, what we saw on safety walks, "
                    "and what we promised and what we did.",
                    code,
                ),
                "scan": translate("Scan the code with your phone's camera.", code),
            }
            for code in LANGUAGES
        ],
        back_url=url_for(".area", area_id=area.id),
    )
